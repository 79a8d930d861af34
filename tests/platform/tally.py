"""What the reliability and security tests tried, for the summary printed at the end of the suite.

A test calls `tally(category, n)` only after the assertions of the cases it counts have passed, and
`lost(what)` when it finds a write that went missing or a half-written change; the conftest hook prints the
totals after the run.
"""

from __future__ import annotations

import os
from collections import Counter

CATEGORIES = {
    "url_role": "URL × role cases",
    "concurrent": "concurrent runs",
    "fault": "faults injected",
    "hostile": "hostile inputs",
    "backup": "backup and restore drills",
}

COUNTS: Counter[str] = Counter()
LOST: list[str] = []
TALLIED: set[str] = set()  # node ids of the tests that counted something


def tally(category: str, n: int = 1) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown tally category {category!r}")
    COUNTS[category] += n
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    if current:
        TALLIED.add(current.rsplit(" (", 1)[0])


def lost(what: str) -> None:
    LOST.append(what)


# the modules whose tests make the promises: a failure in any of them means the promise is not proven
PROMISE_MODULES = (
    "tests/platform/test_authorization_matrix.py",
    "tests/platform/test_concurrency.py",
    "tests/platform/test_faults.py",
    "tests/platform/test_hostile_input.py",
    "tests/platform/test_backup.py",
)


def summary_lines(failed_nodeids: list[str]) -> list[str]:
    """The totals, then "nothing lost" only if no test of a promise failed and none reported a loss."""
    failed = [nodeid for nodeid in failed_nodeids if nodeid.split("::")[0] in PROMISE_MODULES or nodeid in TALLIED]
    if not COUNTS and not LOST and not failed:
        return []
    parts = [f"{COUNTS[key]} {label}" for key, label in CATEGORIES.items()]
    lines = ["reliability and security: " + ", ".join(parts)]
    if LOST:
        lines.append(f"LOST: {'; '.join(LOST)}")
    if failed:
        lines.append(f"NOT PROVEN: {len(failed)} failed: {', '.join(failed)}")
    if not LOST and not failed:
        lines.append("nothing lost")
    return lines
