"""Shared fixtures. In CI (CI=true) a missing PostgreSQL, Redis or Chromium fails the run instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _postgres_configured() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


REQUIREMENTS = {
    "postgres": (_postgres_configured, "needs PostgreSQL: set DATABASE_URL=postgres://..."),
    "redis": (_redis_reachable, "needs a reachable Redis: set REDIS_URL=redis://..."),
    "e2e": (_chromium_available, "needs Debian's chromium (apt-get install chromium)"),
}


def pytest_sessionstart(session):
    if CI:
        missing = [reason for check, reason in REQUIREMENTS.values() if not check()]
        if missing:
            raise pytest.UsageError("CI=true but the test services are missing: " + "; ".join(missing))


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, (check, reason) in REQUIREMENTS.items():
            if marker in item.keywords and not check():
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.platform.tally import summary_lines

    failed = [report.nodeid for report in terminalreporter.stats.get("failed", [])]
    lines = summary_lines(failed)
    if lines:
        terminalreporter.section("reliability and security summary")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def make_user(db):
    """make_user("干部科") -> a user in that role group (password: "correct-horse-battery")."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    created = 0

    def factory(*roles: str, username: str | None = None, password: str = "correct-horse-battery", **fields):
        nonlocal created
        created += 1
        user = get_user_model().objects.create_user(username=username or f"user{created}", password=password, **fields)
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        return user

    return factory
