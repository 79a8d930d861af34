"""A document worker's memory over many 任免审批表 renders, in a fresh interpreter.

    python -m bench.approval_memory_child FIRST LONG IDS

Renders single forms one after the other through the document kind's render (what the document task runs),
cycling over the cadres IDS (comma-separated), and reads this process's resident memory from /proc after
render FIRST and after render LONG. Prints `child_report(...)` as its last line.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgdept.settings.base")

import django

django.setup()

from bench.approval_batch import forms_document, render_ours  # noqa: E402
from bench.harness import child_report, current_rss_bytes  # noqa: E402


def main(argv: list[str]) -> None:
    first, long, ids = int(argv[0]), int(argv[1]), [int(pk) for pk in argv[2].split(",")]
    readings = {}
    start = time.perf_counter()
    for number in range(1, long + 1):
        render_ours(forms_document([ids[(number - 1) % len(ids)]]))
        if number in (first, long):
            readings[number] = current_rss_bytes()
    seconds = time.perf_counter() - start
    child_report(
        rss_after_first=readings[first],
        rss_after_long=readings[long],
        renders=long,
        seconds_per_render=seconds / long,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
