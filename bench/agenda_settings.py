"""The product's settings with the benchmark's URLconf: the same middleware and configuration serve the member
agenda page and the constant page it is measured against."""

from orgdept.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.agenda_urls"
