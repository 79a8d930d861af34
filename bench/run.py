"""`make bench`: make sure the data is there, run every benchmark, write the table.

    python -m bench.run [--scale province|smoke] [--only NAME ...] [--rounds N] [--out PATH]

The database is the one in DATABASE_URL (PostgreSQL); it is created and migrated if missing, and the data
generated once per scale and seed (bench.generate records what it made, so later runs reuse it).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import platform
import sys
import time
from datetime import datetime

from .harness import RESULTS_DIR, Figure, table
from .scale import SCALES

# Each module has run(scale) -> list[Figure]; the order is the order of the table.
BENCHMARKS = ["roster_import", "cadre_list", "approval_batch", "agenda", "reminder_scan"]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgdept.settings.base")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench: DATABASE_URL must name a PostgreSQL database (make bench starts one on loopback)")
    from .generate import ensure_database

    ensure_database()
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run")
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS)
    parser.add_argument("--out", default=None)
    parser.add_argument("--rounds", type=int, default=None, help="alternations per figure (default: the scale's)")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    if args.rounds:
        scale = dataclasses.replace(scale, rounds=args.rounds)
    _setup_django()

    from .generate import ensure_data

    started = time.perf_counter()
    summary = ensure_data(scale)
    figures: list[Figure] = []
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"bench: {name} …", flush=True)
        for figure in module.run(scale):
            print(f"bench:   {figure.name}: {figure.ratio:.3g}× (goal {figure.goal_text()})", flush=True)
            figures.append(figure)
    context = [
        f"run {datetime.now().strftime('%Y-%m-%d %H:%M')}, scale `{scale.name}` ({summary}), "
        f"{scale.rounds} alternating rounds per figure, medians",
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"PostgreSQL {_pg_version()}",
        f"whole run {time.perf_counter() - started:.0f} s",
    ]
    text = table(figures, title="orgdept benchmarks", context=context)
    out = args.out or str(RESULTS_DIR / ("latest.md" if scale.name == "province" else f"{scale.name}.md"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as handle:
        handle.write(text)
    print(text)
    return 0


def _pg_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
