"""The benchmarks' CI smoke: `python -m bench.run --scale smoke` on a fresh database writes one line per figure, each
with a finite positive ratio (what the numbers are is for `make bench`, never asserted here)."""

from __future__ import annotations

import math
import re
import subprocess

import pytest

from bench.run import BENCHMARKS

from .procs import PYTHON, ROOT, clean_env, database_url

# transactional, so that no open transaction holds the test database while it is copied
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _server(settings_dict: dict) -> dict:
    return {
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or 5432,
    }


@pytest.fixture
def smoke_database(django_db_blocker):
    """A database of its own for the smoke, dropped afterwards. Copied from the migrated test database when that
    is possible (migrating a new database takes longer than the whole smoke; bench.run seeds again what a flush
    removed), else left for bench.run to create and migrate."""
    import psycopg2
    from django.db import connection, connections
    from psycopg2 import sql

    settings_dict = dict(connection.settings_dict)
    test_name = settings_dict["NAME"]
    name = f"{test_name}_bench_smoke"[:63]
    server = _server(settings_dict)
    with django_db_blocker.unblock():
        connections.close_all()
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        try:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(test_name))
            )
            template_used = True
        except psycopg2.Error:
            template_used = False  # the test database is in use elsewhere: bench.run creates and migrates
    try:
        yield {**settings_dict, "NAME": name}, template_used
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def _figures(table: str) -> list[tuple[str, float]]:
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("figure", "---"):
            continue
        match = re.fullmatch(r"([0-9.eE+-]+|inf|nan)×", cells[3])
        assert match, f"no ratio in {line!r}"
        rows.append((cells[0], float(match.group(1))))
    return rows


def test_the_smoke_writes_one_finite_positive_ratio_per_figure(smoke_database, tmp_path):
    settings_dict, _template_used = smoke_database
    out = tmp_path / "smoke.md"
    env = clean_env(
        DATABASE_URL=database_url(settings_dict),
        DJANGO_SETTINGS_MODULE="orgdept.settings.test",
        CELERY_TASK_ALWAYS_EAGER="true",
        MEDIA_ROOT=str(tmp_path / "media"),
        ORGDEPT_VAR_DIR=str(tmp_path / "var"),
    )
    result = subprocess.run(
        [PYTHON, "-m", "bench.run", "--scale", "smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # bench.run prints "bench: <module> …" before each benchmark and "bench:   <figure>: <ratio>" for each figure
    printed: dict[str, list[str]] = {}
    current = None
    for line in result.stdout.splitlines():
        if match := re.fullmatch(r"bench: (\w+) …", line):
            current = printed.setdefault(match.group(1), [])
        elif line.startswith("bench:   ") and current is not None:
            current.append(line.split(":", 2)[1].strip())
    # every benchmark ran and gave at least one figure
    assert list(printed) == BENCHMARKS
    assert all(printed[name] for name in BENCHMARKS), printed
    figures = _figures(out.read_text())
    assert [name for name, _ratio in figures] == [f for name in BENCHMARKS for f in printed[name]], out.read_text()
    for name, ratio in figures:
        assert math.isfinite(ratio) and ratio > 0, f"{name}: {ratio}"
