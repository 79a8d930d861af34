"""What the reliability and security tests tried, for the summary printed at the end of the suite.

A test calls `tally(category, n)` only after the assertions of the cases it counts have passed, and
`lost(what)` when it finds a write that went missing or a half-written change; the conftest hook prints the
totals after the run.
"""

from __future__ import annotations

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


def tally(category: str, n: int = 1) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown tally category {category!r}")
    COUNTS[category] += n


def lost(what: str) -> None:
    LOST.append(what)


def summary_lines() -> list[str]:
    if not COUNTS and not LOST:
        return []
    parts = [f"{COUNTS[key]} {label}" for key, label in CATEGORIES.items()]
    lines = ["reliability and security: " + ", ".join(parts)]
    lines.append("nothing lost" if not LOST else f"LOST: {'; '.join(LOST)}")
    return lines
