"""Backups of the database and the uploaded files, with a manifest of checksums a restore is verified against.

A backup is one directory, readable by its owner only (personnel data): the database (a `pg_dump --format=custom`
archive on PostgreSQL, a copy made through SQLite's online backup API on the embedded default), `media.tar` with
every file under MEDIA_ROOT, and `manifest.json`: the SHA-256 of each file, the migration heads, and for every
table of ours its row count and a checksum of its rows, all read from the very snapshot the dump was taken of, so
a restore can prove it brought back what was saved.

These are not database transactions like the other services: the writes happen in pg_dump/pg_restore and in the
file system, so each step is ordered to leave nothing half-done where it can be avoided: a backup is written under
a hidden name and renamed when complete; a restore verifies every file before touching the target, refuses a
target that already holds our tables unless asked to replace it, checks every member of the media archive and
unpacks it beside MEDIA_ROOT before the database is touched, pg_restore runs in a single transaction, and the
unpacked media take MEDIA_ROOT's place only once the database is back.

Sessions are left out: a session key is a live sign-in, so the dump holds the session table's definition only.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

import environ
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from .audit import audit_log
from .exceptions import ApplicationError

FORMAT = "orgdept-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "db.dump"
SQLITE_FILE = "db.sqlite3"
MEDIA_FILE = "media.tar"
# third-party apps whose tables hold our data: accounts and roles, object permissions, the content types both refer to
EXTRA_APPS = ("auth", "guardian", "contenttypes")
# tables whose rows are never saved: a session key lets whoever holds it act as the signed-in user
UNSAVED_TABLES = ("django_session",)
# where `manage.py restore` reads its target from: a password in an argument is visible to every user (ps)
RESTORE_URL_VARIABLE = "RESTORE_DATABASE_URL"
# how each engine's table checksum is made; a restore compares only checksums made the same way
CHECKSUMS = {
    "postgresql": "md5 of the md5s of each row's text, in primary-key order (UTC, ISO dates)",
    "sqlite": "sha256 of each row's Python repr, in primary-key order",
}
# the session settings every row's text is read under, so a checksum does not depend on a server's defaults
PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, MDY'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)
INTEGER_PKS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField"}

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass
class TableComparison:
    table: str
    expected_rows: int | None
    actual_rows: int | None
    expected_checksum: str | None
    actual_checksum: str | None

    @property
    def ok(self) -> bool:
        return self.expected_rows == self.actual_rows and self.expected_checksum == self.actual_checksum


@dataclass
class RestoreResult:
    tables: list[TableComparison]
    media_differences: list[str] = field(default_factory=list)  # media files missing or different after restore
    migration_differences: list[str] = field(default_factory=list)
    code_migrations_differ: bool = False  # the backup's migration heads are not the code's: run migrate

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and not self.media_differences and not self.migration_differences


# ---------------------------------------------------------------------------------------------------- helpers


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise ApplicationError(f"不支持备份或恢复此类数据库：{engine}（仅支持 PostgreSQL 和 SQLite）")


def url_has_password(database_url: str) -> bool:
    """Whether a database URL carries a password, in its user part or as a `password=` parameter."""
    try:
        parts = urlsplit(database_url)
        return bool(parts.password) or "password" in {key.lower() for key in parse_qs(parts.query)}
    except ValueError:
        return False


def _database_settings(database_url: str | None) -> dict[str, Any]:
    """The settings of the database named by a URL (as DATABASE_URL is written), else of the default database."""
    if database_url:
        try:
            db = environ.Env.db_url_config(database_url)
        except Exception as exc:
            raise ApplicationError(f"数据库地址无法识别：{exc}", field="database_url") from exc
    else:
        db = dict(connections.settings[DEFAULT_DB_ALIAS])
    # the same defaults Django gives a configured database (TIME_ZONE, OPTIONS, ...); configure_settings wants a default
    return connections.configure_settings({DEFAULT_DB_ALIAS: dict(db)})[DEFAULT_DB_ALIAS]


@contextlib.contextmanager
def _wrapper(db: dict[str, Any]) -> Iterator[Any]:
    """A connection of its own to `db`, apart from the request's, closed at the end."""
    wrapper = load_backend(db["ENGINE"]).DatabaseWrapper(db, "orgdept_backup")
    try:
        yield wrapper
    finally:
        wrapper.close()


def _same_database(db: dict[str, Any]) -> bool:
    default = connections.settings[DEFAULT_DB_ALIAS]
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    if _engine(db) == "sqlite":
        return _engine(default) == "sqlite" and Path(str(db["NAME"])).resolve() == Path(str(default["NAME"])).resolve()
    return all(str(db.get(k) or "") == str(default.get(k) or "") for k in keys)


def _ours(path: Path, base: Path) -> bool:
    # a virtualenv may live inside the project: its packages are not our apps
    return path.is_relative_to(base) and "site-packages" not in path.parts


def _table_specs() -> dict[str, dict[str, str]]:
    """Every table of our apps (and of auth, guardian, contenttypes): its primary key and how to order by it."""
    base = Path(settings.BASE_DIR).resolve()
    labels = {
        config.label
        for config in apps.get_app_configs()
        if config.label in EXTRA_APPS or _ours(Path(config.path).resolve(), base)
    }
    specs: dict[str, dict[str, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in labels or meta.proxy or not meta.managed or meta.db_table in UNSAVED_TABLES:
            continue
        pk = meta.pk
        order = "int" if pk.get_internal_type() in INTEGER_PKS else "text"
        specs[meta.db_table] = {"pk": pk.column, "order": order}
    return dict(sorted(specs.items()))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _heads(applied: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Per app, the applied migrations no other applied migration of that app depends on."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    by_app: dict[str, set[str]] = {}
    for app, name in applied:
        by_app.setdefault(app, set()).add(name)
    heads: dict[str, list[str]] = {}
    for app, names in sorted(by_app.items()):
        parents: set[str] = set()
        for name in names:
            node = graph.node_map.get((app, name))
            if node is not None:
                parents.update(p[1] for p in node.parents if p[0] == app)
        heads[app] = sorted(names - parents)
    return heads


def _code_heads() -> dict[str, list[str]]:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    heads: dict[str, list[str]] = {}
    for app, name in graph.leaf_nodes():
        heads.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(heads.items())}


# ------------------------------------------------------------------------------------------- table statistics


def _pg_stats(cursor, specs: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    for statement in PG_SESSION:
        cursor.execute(statement)
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    present = {row[0] for row in cursor.fetchall()}
    stats: dict[str, dict[str, Any]] = {}
    for table, spec in specs.items():
        if table not in present:
            continue
        pk = "t." + _quote(spec["pk"])
        order = pk if spec["order"] == "int" else f'({pk})::text COLLATE "C"'
        # md5 per row first, so the aggregate grows by 32 bytes a row, whatever the rows hold
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {order})), '') "  # noqa: S608
            f"FROM {_quote(table)} AS t"
        )
        count, checksum = cursor.fetchone()
        stats[table] = {"rows": count, "checksum": checksum, **spec}
    return stats


def _sqlite_stats(conn: sqlite3.Connection, specs: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    stats: dict[str, dict[str, Any]] = {}
    for table, spec in specs.items():
        if table not in present:
            continue
        digest = hashlib.sha256()
        count = 0
        for row in conn.execute(f"SELECT * FROM {_quote(table)} ORDER BY {_quote(spec['pk'])}"):  # noqa: S608
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
            count += 1
        stats[table] = {"rows": count, "checksum": digest.hexdigest(), **spec}
    return stats


def _applied(cursor) -> list[tuple[str, str]]:
    try:
        cursor.execute("SELECT app, name FROM django_migrations")
    except Exception:  # no migrations table: an empty database
        return []
    return [(app, name) for app, name in cursor.fetchall()]


def _sqlite_readonly(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


# ------------------------------------------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> tuple[str, tuple[int, ...]]:
    """The newest `name` (pg_dump, pg_restore) on PATH or under /usr/lib/postgresql/*/bin, with its version."""
    candidates = {shutil.which(name), *glob.glob(f"/usr/lib/postgresql/*/bin/{name}")} - {None}
    found: list[tuple[tuple[int, ...], str]] = []
    for path in candidates:
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        match = re.search(r"(\d+)(?:\.(\d+))?", out)
        if match:
            found.append((tuple(int(g) for g in match.groups() if g is not None), path))
    if not found:
        raise ApplicationError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client）")
    version, path = max(found)
    return path, version


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for `db`: the password travels here, never on a command line other users can read."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    options = db.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise ApplicationError(f"{what}失败：" + " ".join(detail))


def _pg_backup(db: dict[str, Any], target: Path, specs, progress: Progress) -> dict[str, Any]:
    """Dump the database and read its statistics in one snapshot: pg_dump imports the snapshot this connection
    exported, so rows written meanwhile are in neither (or both)."""
    pg_dump, dump_version = _pg_tool("pg_dump")
    with _wrapper(db) as wrapper:
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        try:
            cursor = raw.cursor()
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SHOW server_version_num")
            server_version = int(cursor.fetchone()[0]) // 10000
            if dump_version[0] < server_version:
                raise ApplicationError(
                    f"pg_dump 版本（{dump_version[0]}）低于数据库服务器版本（{server_version}），"
                    "请安装与服务器相同或更新版本的 PostgreSQL 客户端"
                )
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            progress("正在导出数据库（pg_dump）……")
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    *(f"--exclude-table-data={table}" for table in UNSAVED_TABLES),
                    f"--file={target / PG_DUMP_FILE}",
                ],
                _pg_environment(db),
                "导出数据库（pg_dump）",
            )
            progress("正在统计各表行数与校验和……")
            stats = _pg_stats(cursor, specs)
            heads = _heads(_applied(cursor))
        finally:
            raw.rollback()
            raw.close()
    return {
        "tables": stats,
        "migrations": heads,
        "server_version": server_version,
        "pg_dump_version": ".".join(map(str, dump_version)),
    }


def _pg_has_tables(db: dict[str, Any], tables: set[str]) -> list[str]:
    with _wrapper(db) as wrapper:
        try:
            with wrapper.cursor() as cursor:
                present = set(wrapper.introspection.table_names(cursor))
        except DatabaseError as exc:
            raise ApplicationError(f"无法连接目标数据库“{db['NAME']}”：{str(exc).strip()}") from exc
    return sorted(present & tables)


def _pg_restore(db: dict[str, Any], source: Path, *, replace: bool) -> None:
    pg_restore, _version = _pg_tool("pg_restore")
    args = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"]
    if replace:
        args += ["--clean", "--if-exists"]
    args += [f"--dbname={db['NAME']}", str(source)]
    _run(args, _pg_environment(db), "恢复数据库（pg_restore）")


def _pg_stats_of(db: dict[str, Any], specs) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    with _wrapper(db) as wrapper, wrapper.cursor() as cursor:
        return _pg_stats(cursor, specs), _heads(_applied(cursor))


# ----------------------------------------------------------------------------------------------------- SQLite


def _sqlite_backup(db: dict[str, Any], target: Path, specs, progress: Progress) -> dict[str, Any]:
    source_path = Path(str(db["NAME"]))
    if not source_path.exists():
        raise ApplicationError(f"数据库文件不存在：{source_path}")
    progress("正在复制数据库（SQLite 在线备份）……")
    copy = target / SQLITE_FILE
    source = sqlite3.connect(str(source_path), timeout=30)
    dest = sqlite3.connect(str(copy))
    try:
        # the online backup API copies a consistent state even while the web process and worker write
        source.backup(dest)
        # a standalone file: no WAL beside it, so reading the copy later changes nothing in the backup
        dest.execute("PRAGMA journal_mode=DELETE")
        present = {row[0] for row in dest.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in UNSAVED_TABLES:
            if table in present:
                dest.execute(f"DELETE FROM {_quote(table)}")  # noqa: S608
        dest.commit()
        # rebuilt, so no free page of the copy still holds a deleted session
        dest.execute("VACUUM")
    finally:
        dest.close()
        source.close()
    progress("正在统计各表行数与校验和……")
    conn = _sqlite_readonly(copy, immutable=True)
    try:
        stats = _sqlite_stats(conn, specs)
        heads = _heads(_applied(conn.cursor()))
        version = sqlite3.sqlite_version
    finally:
        conn.close()
    return {"tables": stats, "migrations": heads, "server_version": version}


def _sqlite_has_tables(db: dict[str, Any], tables: set[str]) -> list[str]:
    path = Path(str(db["NAME"]))
    if not path.exists():
        return []
    conn = _sqlite_readonly(path)
    try:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ApplicationError(f"目标文件“{path}”不是可用的 SQLite 数据库：{exc}") from exc
    finally:
        conn.close()
    return sorted(present & tables)


def _sqlite_restore(db: dict[str, Any], source: Path) -> None:
    path = Path(str(db["NAME"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    src = _sqlite_readonly(source, immutable=True)
    dest = sqlite3.connect(str(path), timeout=30)
    try:
        src.backup(dest)  # replaces every page of the target under its write lock
    finally:
        dest.close()
        src.close()


def _sqlite_stats_of(db: dict[str, Any], specs) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    conn = _sqlite_readonly(Path(str(db["NAME"])))
    try:
        return _sqlite_stats(conn, specs), _heads(_applied(conn.cursor()))
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------------ media


def _media_archive(media_root: Path, target: Path, skip: Path) -> dict[str, dict[str, Any]]:
    """Tar every regular file under MEDIA_ROOT (not the backups, should they live inside it); SHA-256 of each."""
    listing: dict[str, dict[str, Any]] = {}
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        if not media_root.is_dir():
            return listing
        for path in sorted(media_root.rglob("*")):
            if path.is_symlink() or not path.is_file() or path.resolve().is_relative_to(skip):
                continue
            name = path.relative_to(media_root).as_posix()
            listing[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
            tar.add(path, arcname=name, recursive=False)
    return listing


def _safe_unpacking_available() -> None:
    # tarfile's extraction filters came with Python 3.11.4; without them an archive may write anywhere
    if not hasattr(tarfile, "data_filter"):
        raise ApplicationError(
            f"当前 Python（{sys.version.split()[0]}）的 tarfile 不支持安全解包（需要 Python 3.11.4 或更新版本），"
            "拒绝恢复，未写入任何数据"
        )


def _media_target(media_root: Path, backup: Path, *, replace: bool) -> Path:
    """MEDIA_ROOT as the directory that will be replaced, once it is known it may be; nothing is written."""
    media = media_root.resolve()  # a symlinked MEDIA_ROOT keeps pointing at the directory put in its place
    if not media.exists():
        return media
    if not media.is_dir():
        raise ApplicationError(f"上传文件目录“{media}”不是目录，拒绝恢复")
    if os.path.ismount(media):
        raise ApplicationError(f"上传文件目录“{media}”是挂载点，无法整体替换；请把 MEDIA_ROOT 设为挂载点下的子目录")
    if not any(media.iterdir()):
        return media
    if not replace:
        raise ApplicationError(f"上传文件目录“{media}”中已有文件，拒绝覆盖；确需以备份替换其中的文件，请加 --replace")
    backup_dir = Path(getattr(settings, "BACKUP_DIR", backup)).resolve()
    if backup.resolve().is_relative_to(media) or backup_dir.is_relative_to(media):
        raise ApplicationError(
            f"备份目录位于上传文件目录“{media}”之内，替换上传文件时会被一并删除；请先把备份（及 BACKUP_DIR）移出该目录"
        )
    return media


def _media_members(archive: Path, listing: dict[str, dict[str, Any]]) -> None:
    """Refuse an archive with anything but the regular files its manifest lists, under relative paths that stay
    inside the directory: no absolute path, no "..", no link, no device. Read only; nothing is unpacked."""
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar:
                name = member.name
                parts = PurePosixPath(name).parts
                if (
                    not name
                    or name.startswith("/")
                    or "\\" in name
                    or any(part in (".", "..") for part in parts)
                    or "/".join(parts) != name
                ):
                    raise ApplicationError(f"上传文件包中的路径“{name}”指向上传文件目录之外或不规范，拒绝恢复")
                if not member.isreg():
                    raise ApplicationError(f"上传文件包中的“{name}”不是普通文件（链接或特殊文件），拒绝恢复")
                if name in seen:
                    raise ApplicationError(f"上传文件包中的“{name}”出现了不止一次，拒绝恢复")
                if name not in listing or listing[name].get("size") != member.size:
                    raise ApplicationError(f"上传文件包中的“{name}”与备份清单不符，拒绝恢复")
                seen.add(name)
    except tarfile.TarError as exc:
        raise ApplicationError(f"上传文件包 {MEDIA_FILE} 无法读取：{exc}") from exc
    missing = sorted(set(listing) - seen)
    if missing:
        raise ApplicationError(f"上传文件包中缺少备份清单所列的文件“{missing[0]}”等 {len(missing)} 个，拒绝恢复")


def _media_unpack(archive: Path, listing: dict[str, dict[str, Any]], media: Path) -> Path:
    """Unpack the archive into a new directory beside `media` and check every file against the manifest; the
    directory is returned to be swapped in once the database is back, and removed on any refusal."""
    media.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{media.name}.restore-", dir=media.parent))
    try:
        with tarfile.open(archive, "r") as tar:
            # the "data" filter refuses absolute paths, "..", links out of the tree and device files once more
            tar.extractall(staging, filter="data")
        unpacked = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if not p.is_dir()}
        if unpacked != set(listing):
            raise ApplicationError("解包后的上传文件与备份清单不符，拒绝恢复")
        differences = _media_differences(listing, staging)
        if differences:
            raise ApplicationError(f"解包后的上传文件与备份清单不符（{differences[0]}），拒绝恢复")
        # the web server reads MEDIA_ROOT as before: the old directory's mode, else a plain directory's
        os.chmod(staging, stat.S_IMODE(media.stat().st_mode) if media.is_dir() else 0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _media_swap(staging: Path, media: Path) -> None:
    """Put the unpacked directory in MEDIA_ROOT's place; the old files go, none is merged with the backup's."""
    old = None
    if media.exists():
        old = staging.with_name(staging.name.replace(".restore-", ".old-", 1))
        media.rename(old)
    try:
        staging.rename(media)
    except BaseException:
        if old is not None:
            old.rename(media)
        raise
    if old is not None:
        shutil.rmtree(old)


def _media_differences(listing: dict[str, dict[str, Any]], media_root: Path) -> list[str]:
    differences = []
    for name, info in listing.items():
        path = media_root / name
        if not path.is_file():
            differences.append(f"{name}：恢复后不存在")
        elif _sha256(path) != info["sha256"]:
            differences.append(f"{name}：内容与备份不同")
    return differences


# --------------------------------------------------------------------------------------------------- services


def _new_directory(parent: Path) -> tuple[Path, Path]:
    """A hidden working directory and the final name (the UTC time) it is renamed to when the backup is whole."""
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = parent / stamp
    n = 1
    while final.exists():
        n += 1
        final = parent / f"{stamp}-{n}"
    work = parent / f".partial-{final.name}-{os.getpid()}"
    work.mkdir(mode=0o700)
    os.chmod(work, 0o700)  # whatever the umask
    return work, final


def backup_create(
    *,
    output_dir: Path | str | None = None,
    media_root: Path | str | None = None,
    actor=None,
    progress: Progress = _quiet,
) -> BackupResult:
    """Back up the default database and MEDIA_ROOT into a new directory under `output_dir` (BACKUP_DIR)."""
    parent = Path(output_dir or getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))
    media = Path(media_root or settings.MEDIA_ROOT)
    db = _database_settings(None)
    engine = _engine(db)
    specs = _table_specs()
    work, final = _new_directory(parent.resolve())
    progress(f"开始备份：{final}")
    try:
        if engine == "postgresql":
            (work / PG_DUMP_FILE).touch(mode=0o600)  # pg_dump writes into a file only the owner can read
            database = _pg_backup(db, work, specs, progress)
        else:
            database = _sqlite_backup(db, work, specs, progress)
        progress("正在打包上传文件……")
        media_listing = _media_archive(media, work / MEDIA_FILE, parent.resolve())
        files = {}
        for path in sorted(work.iterdir()):
            os.chmod(path, 0o600)
            files[path.name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": str(db["NAME"]) if engine == "postgresql" else Path(str(db["NAME"])).name,
            "server_version": database["server_version"],
            "pg_dump_version": database.get("pg_dump_version"),
            "migrations": database["migrations"],
            "checksum": CHECKSUMS[engine],
            "tables": database["tables"],
            "media": media_listing,
            "files": files,
        }
        manifest_path = work / MANIFEST
        fd = os.open(manifest_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    rows = sum(t["rows"] for t in manifest["tables"].values())
    audit_log(
        actor=actor,
        action="backup.created",
        object_type="backup",
        object_id=final.name,
        object_repr=str(final),
        details={
            "path": str(final),
            "engine": engine,
            "tables": len(manifest["tables"]),
            "rows": rows,
            "media_files": len(media_listing),
        },
    )
    progress(f"备份完成：{len(manifest['tables'])} 张表，共 {rows} 行，{len(media_listing)} 个上传文件")
    return BackupResult(path=final, manifest=manifest)


def backup_verify(path: Path | str) -> dict[str, Any]:
    """The manifest of the backup at `path` once every file it lists has its recorded SHA-256; else a refusal
    naming the file."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ApplicationError(f"“{path}”不是备份目录：缺少 {MANIFEST}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApplicationError(f"备份文件 {MANIFEST} 已损坏，无法读取：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ApplicationError(f"备份文件 {MANIFEST} 不是本系统的备份清单")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ApplicationError(f"不支持此备份格式版本：{manifest.get('format_version')}（本系统为 {FORMAT_VERSION}）")
    files = manifest.get("files") or {}
    database_file = PG_DUMP_FILE if manifest.get("engine") == "postgresql" else SQLITE_FILE
    for required in (database_file, MEDIA_FILE):
        if required not in files:
            raise ApplicationError(f"备份清单中缺少文件 {required}")
    for name, info in files.items():
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ApplicationError(f"备份清单中的文件名“{name}”无效")
        file = path / name
        if not file.is_file():
            raise ApplicationError(f"备份文件 {name} 不存在，拒绝恢复")
        if _sha256(file) != info.get("sha256"):
            raise ApplicationError(
                f"备份文件 {name} 的 SHA-256 校验值与清单不符（文件已损坏或被改动），拒绝恢复，未写入任何数据"
            )
    return manifest


def backup_compare(
    manifest: dict[str, Any], *, database_url: str | None = None, media_root: Path | str | None = None
) -> RestoreResult:
    """Recount the rows and recompute the checksums of the database (and the media files) against a manifest."""
    db = _database_settings(database_url)
    specs = {table: {"pk": info["pk"], "order": info["order"]} for table, info in manifest["tables"].items()}
    if _engine(db) == "postgresql":
        stats, heads = _pg_stats_of(db, specs)
    else:
        stats, heads = _sqlite_stats_of(db, specs)
    tables = [
        TableComparison(
            table=table,
            expected_rows=info["rows"],
            actual_rows=stats.get(table, {}).get("rows"),
            expected_checksum=info["checksum"],
            actual_checksum=stats.get(table, {}).get("checksum"),
        )
        for table, info in manifest["tables"].items()
    ]
    saved = manifest["migrations"]
    migration_differences = [
        f"{app}：备份为 {'、'.join(saved.get(app, [])) or '无'}，恢复后为 {'、'.join(heads.get(app, [])) or '无'}"
        for app in sorted(set(saved) | set(heads))
        if saved.get(app, []) != heads.get(app, [])
    ]
    media = Path(media_root or settings.MEDIA_ROOT)
    return RestoreResult(
        tables=tables,
        media_differences=_media_differences(manifest.get("media") or {}, media),
        migration_differences=migration_differences,
        code_migrations_differ=manifest["migrations"] != _code_heads(),
    )


def backup_restore(
    *,
    path: Path | str,
    database_url: str | None = None,
    media_root: Path | str | None = None,
    replace: bool = False,
    actor=None,
    progress: Progress = _quiet,
) -> RestoreResult:
    """Restore the backup at `path` into the database at `database_url` (the default database when None) and
    `media_root` (MEDIA_ROOT), then compare what is there with the manifest.

    Refused, with nothing written, when a file of the backup does not match its checksum, when the engines differ,
    when the target already holds our tables or `media_root` files and `replace` is not given, or when the media
    archive holds anything but the listed files under paths inside the directory. With `replace`, the old media
    are removed, not merged with the backup's."""
    _safe_unpacking_available()
    path = Path(path)
    progress("正在校验备份文件……")
    manifest = backup_verify(path)
    db = _database_settings(database_url)
    engine = _engine(db)
    if engine != manifest["engine"]:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise ApplicationError(
            f"备份来自 {names.get(manifest['engine'], manifest['engine'])}，不能恢复到 {names[engine]}"
        )
    ours = set(manifest["tables"]) | {"django_migrations"}
    existing = _pg_has_tables(db, ours) if engine == "postgresql" else _sqlite_has_tables(db, ours)
    if existing and not replace:
        shown = "、".join(existing[:5]) + ("等" if len(existing) > 5 else "")
        raise ApplicationError(
            f"目标数据库“{db['NAME']}”已有本系统的数据表（{shown}，共 {len(existing)} 张），拒绝覆盖；"
            "确需以备份替换其中的数据，请加 --replace"
        )
    media = _media_target(Path(media_root or settings.MEDIA_ROOT), path, replace=replace)
    listing = manifest.get("media") or {}
    progress("正在检查上传文件包……")
    _media_members(path / MEDIA_FILE, listing)
    progress(f"正在解包上传文件到 {media.parent} 下的临时目录……")
    staging = _media_unpack(path / MEDIA_FILE, listing, media)
    try:
        same = _same_database(db)
        if same:
            connections.close_all()  # our own connections do not hold the database open while it is replaced
        if engine == "postgresql":
            progress("正在恢复数据库（pg_restore）……")
            _pg_restore(db, path / PG_DUMP_FILE, replace=bool(existing))
        else:
            progress("正在恢复数据库（SQLite）……")
            _sqlite_restore(db, path / SQLITE_FILE)
        progress(f"正在以备份的上传文件替换 {media} ……")
        _media_swap(staging, media)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # left only when something above failed
    progress("正在核对各表行数与校验和……")
    result = backup_compare(manifest, database_url=database_url, media_root=media)
    details = {
        "path": str(path),
        "database": str(db["NAME"]) if engine == "postgresql" else str(Path(str(db["NAME"])).resolve()),
        "replaced": bool(existing),
        "ok": result.ok,
        "differences": [t.table for t in result.tables if not t.ok] + result.media_differences,
    }
    # recorded after the comparison, so the restored audit table is compared as it was saved; the event goes to the
    # database the system runs on (the restored one when that is the default)
    if actor is not None and getattr(actor, "is_authenticated", False):
        details["requested_by"] = actor.get_username()
    try:
        # in a database just replaced, the actor's id may name someone else (or no one): the name is in details
        audit_log(
            actor=None if same else actor,
            action="backup.restored",
            object_type="backup",
            object_id=path.name,
            object_repr=str(path),
            details=details,
        )
    except DatabaseError:
        progress("注意：恢复已完成，但未能写入审计日志（当前系统数据库不可用）")
    return result
