"""Backup and restore drills: a backup restored into a fresh database brings back every row and file, and a damaged
backup or an occupied target is refused before anything is written."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
import stat
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from cadres.models import Cadre
from orgdept.core import roles
from orgdept.core.backups import backup_compare, backup_create, backup_restore, backup_verify
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.platform.authz_world import SECRET_NAMES, build_world
from tests.platform.procs import clean_env, database_url, manage
from tests.platform.tally import tally

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# every byte value, so a restore that re-encodes or truncates anything shows
UPLOAD = bytes(range(256)) * 64 + "任免审批表".encode()
UPLOAD_NAME = "proposals/2026/任免审批表（欧阳明轩）.pdf"


def _server() -> dict:
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }


def _tables(dbname: str) -> list[str]:
    conn = psycopg2.connect(dbname=dbname, **_server())
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def _query(dbname: str, sql: str, params=()) -> list[tuple]:
    conn = psycopg2.connect(dbname=dbname, **_server())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@pytest.fixture
def fresh_database():
    """An empty database on the same server (named after the test database), dropped at the end."""
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_restore"
    admin = psycopg2.connect(dbname="postgres", **_server())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, database_url({**connection.settings_dict, "NAME": name})
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """The rows the data migrations seed (roles, calendar, work areas, meeting rules): an earlier transactional
    test's flush removes them, and the services building the data need them."""
    core = importlib.import_module("orgdept.core.migrations.0002_roles_calendar_audit_guard")
    core.create_roles(django_apps, None)
    core.seed_calendar(django_apps, None)
    importlib.import_module("committees.migrations.0003_seed_work_areas").seed(django_apps, None)
    importlib.import_module("meetings.migrations.0002_seed_meeting_rules").seed(django_apps, None)
    roles.sync_role_permissions_after_migrate(sender=None)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _small_backup(tmp_path: Path, **kwargs):
    """A backup of a little data: one unit and cadre (through the services) and one uploaded file."""
    make_cadre(make_unit("区财政局"), SECRET_NAMES[0])
    default_storage.save(UPLOAD_NAME, ContentFile(UPLOAD))
    return backup_create(output_dir=tmp_path / "backups", **kwargs)


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_postgres_drill_restores_every_row_and_file(media, tmp_path, fresh_database):
    name, url = fresh_database
    world = build_world()
    saved_name = default_storage.save(UPLOAD_NAME, ContentFile(UPLOAD))
    cadres = sorted(Cadre.objects.values_list("pk", "name", "id_number"))
    audit_before = AuditEvent.objects.count()

    result = backup_create(output_dir=tmp_path / "backups")

    # personnel data: the directory and every file in it are the owner's alone
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o700
    for path in result.path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert sorted(p.name for p in result.path.iterdir()) == ["db.dump", "manifest.json", "media.tar"]
    manifest = backup_verify(result.path)
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"]["cadres_cadre"]["rows"] == len(cadres)
    assert manifest["tables"]["core_auditevent"]["rows"] == audit_before
    assert manifest["tables"]["guardian_userobjectpermission"]["rows"] > 0
    assert manifest["migrations"]["cadres"]
    uploaded = {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    assert saved_name in uploaded
    assert len(uploaded) > 1  # the world's services stored meeting materials too
    assert set(manifest["media"]) == set(uploaded)
    assert AuditEvent.objects.filter(action="backup.created", object_id=result.path.name).exists()

    restored_media = tmp_path / "restored-media"
    outcome = backup_restore(path=result.path, database_url=url, media_root=restored_media)

    assert outcome.ok, [t for t in outcome.tables if not t.ok]
    assert {t.table for t in outcome.tables} == set(manifest["tables"])
    assert all(t.actual_rows == t.expected_rows and t.actual_checksum == t.expected_checksum for t in outcome.tables)
    # checked apart from the module's own statistics, too: the same people, the same file bytes
    assert sorted(_query(name, "SELECT id, name, id_number FROM cadres_cadre")) == cadres
    assert (restored_media / saved_name).read_bytes() == UPLOAD
    assert {name: (restored_media / name).read_bytes() for name in uploaded} == uploaded
    assert AuditEvent.objects.filter(action="backup.restored", object_id=result.path.name).exists()
    # the restored audit table still refuses changes (the trigger came back with it)
    with pytest.raises(psycopg2.Error, match="审计日志只能追加"):
        _query(name, "UPDATE core_auditevent SET action = 'x'")
    tally("backup")

    # the comparison sees a change of content that leaves the count alone, a row too many, and a lost file
    _query(name, "UPDATE cadres_cadre SET name = 'X' || name WHERE id = %s", (world.cadre.pk,))
    _query(name, "INSERT INTO auth_group (name) VALUES ('多出的角色')")
    (restored_media / saved_name).unlink()
    changed = backup_compare(manifest, database_url=url, media_root=restored_media)
    assert not changed.ok
    different = {t.table: t for t in changed.tables if not t.ok}
    assert set(different) == {"cadres_cadre", "auth_group"}
    assert different["cadres_cadre"].actual_rows == different["cadres_cadre"].expected_rows
    assert different["auth_group"].actual_rows == different["auth_group"].expected_rows + 1
    assert changed.media_differences == [f"{saved_name}：恢复后不存在"]
    tally("backup")

    # an occupied target is refused without --replace, and replaced with it
    with pytest.raises(ApplicationError, match=r"已有本系统的数据表.*--replace"):
        backup_restore(path=result.path, database_url=url, media_root=restored_media)
    assert _query(name, "SELECT count(*) FROM auth_group WHERE name = '多出的角色'") == [(1,)]
    replaced = backup_restore(path=result.path, database_url=url, media_root=restored_media, replace=True)
    assert replaced.ok, [t for t in replaced.tables if not t.ok]
    assert _query(name, "SELECT count(*) FROM auth_group WHERE name = '多出的角色'") == [(0,)]
    assert (restored_media / saved_name).read_bytes() == UPLOAD
    tally("backup")


def test_backup_is_one_snapshot_while_others_write(media, tmp_path, fresh_database):
    """Rows committed by others while pg_dump runs and while the rows are counted are in neither the dump nor the
    manifest: both read the snapshot exported at the start, so the restore still compares equal."""
    name, url = fresh_database
    unit = make_unit("区统计局")
    written = []

    def write_meanwhile(message: str) -> None:
        if "pg_dump" in message or "校验和" in message:
            written.append(make_cadre(unit, f"后来者{len(written)}").pk)

    result = _small_backup(tmp_path, progress=write_meanwhile)
    assert len(written) == 2 and Cadre.objects.filter(pk__in=written).count() == 2
    assert result.manifest["tables"]["cadres_cadre"]["rows"] == Cadre.objects.count() - 2

    outcome = backup_restore(path=result.path, database_url=url, media_root=tmp_path / "restored-media")
    assert outcome.ok, [t for t in outcome.tables if not t.ok]
    assert _query(name, "SELECT count(*) FROM cadres_cadre WHERE id = ANY(%s)", (written,)) == [(0,)]
    tally("backup")


@pytest.mark.parametrize("damaged", ["db.dump", "media.tar"])
def test_tampered_backup_is_refused_before_anything_is_written(damaged, media, tmp_path, fresh_database, capsys):
    name, url = fresh_database
    backup = _small_backup(tmp_path).path
    if damaged == "db.dump":
        _flip_byte(backup / "db.dump", (backup / "db.dump").stat().st_size // 2)
    else:
        # one byte inside the uploaded file's contents, as stored in the archive
        archive = backup / "media.tar"
        _flip_byte(archive, archive.read_bytes().index(UPLOAD[:512]) + 100)
    restored_media = tmp_path / "restored-media"

    with pytest.raises(ApplicationError, match=rf"{damaged} 的 SHA-256 校验值与清单不符"):
        backup_restore(path=backup, database_url=url, media_root=restored_media)
    assert _tables(name) == []
    assert not restored_media.exists()

    # the command says the same in Chinese and exits non-zero
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore", str(backup), "--database-url", url, "--media-root", str(restored_media))
    assert exit_info.value.code != 0
    assert f"恢复失败：备份文件 {damaged} 的 SHA-256" in capsys.readouterr().err
    assert _tables(name) == []
    assert not restored_media.exists()
    tally("backup")


def test_restore_into_a_database_with_our_tables_is_refused(media, tmp_path):
    backup = _small_backup(tmp_path).path
    cadres_before = Cadre.objects.count()
    # the test database itself is the occupied target (the default when no URL is given)
    with pytest.raises(ApplicationError, match=r"已有本系统的数据表.*请加 --replace"):
        backup_restore(path=backup, media_root=tmp_path / "restored-media")
    assert Cadre.objects.count() == cadres_before
    assert not (tmp_path / "restored-media").exists()
    assert not AuditEvent.objects.filter(action="backup.restored").exists()
    tally("backup")


def _sqlite_rows(path: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}"))  # noqa: S608
    finally:
        conn.close()


def test_sqlite_drill_through_the_commands(tmp_path):
    """The embedded default: a SQLite file backed up and restored by `manage.py` in processes of their own."""
    source, target = tmp_path / "orgdept.sqlite3", tmp_path / "restored.sqlite3"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="orgdept.settings.base",
        DATABASE_URL=f"sqlite:///{source}",
        ORGDEPT_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
        DJANGO_SUPERUSER_PASSWORD="Backup-drill-2026",
    )
    migrated = manage("migrate", "--no-input", "-v0", env=env, timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    added = manage("createsuperuser", "--no-input", "--username", "管理员", "--email", "admin@example.org", env=env)
    assert added.returncode == 0, added.stderr
    (tmp_path / "media" / "training").mkdir(parents=True)
    (tmp_path / "media" / "training" / "结业证书.pdf").write_bytes(UPLOAD)

    made = manage("backup", env=env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.parent == tmp_path / "backups"  # BACKUP_DIR from the environment
    assert "备份完成" in made.stdout
    assert sorted(p.name for p in backup.iterdir()) == ["db.sqlite3", "manifest.json", "media.tar"]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in backup.iterdir())

    restored = manage(
        "restore", str(backup), "--database-url", f"sqlite:///{target}", "--media-root", str(tmp_path / "m2"), env=env
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "恢复完成：各表行数和校验和与备份清单一致" in restored.stdout
    assert "不一致" not in restored.stdout
    users = _sqlite_rows(source, "auth_user")
    assert [row[4] for row in users] == ["管理员"]  # username
    assert _sqlite_rows(target, "auth_user") == users
    assert _sqlite_rows(target, "core_calendarday") == _sqlite_rows(source, "core_calendarday")
    assert (tmp_path / "m2" / "training" / "结业证书.pdf").read_bytes() == UPLOAD
    tally("backup")

    # one byte of the database copy changed: refused, naming the file, and no target file appears
    tampered = tmp_path / "tampered"
    shutil.copytree(backup, tampered)
    _flip_byte(tampered / "db.sqlite3", (tampered / "db.sqlite3").stat().st_size - 100)
    third = tmp_path / "third.sqlite3"
    refused = manage("restore", str(tampered), "--database-url", f"sqlite:///{third}", env=env)
    assert refused.returncode != 0
    assert "备份文件 db.sqlite3 的 SHA-256 校验值与清单不符" in refused.stderr
    assert not third.exists()
    tally("backup")

    # the restored file now holds our tables: refused without --replace, replaced with it
    again = manage("restore", str(backup), "--database-url", f"sqlite:///{target}", env=env)
    assert again.returncode != 0
    assert "--replace" in again.stderr
    replaced = manage("restore", str(backup), "--database-url", f"sqlite:///{target}", "--replace", env=env)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert _sqlite_rows(target, "auth_user") == users
    tally("backup")
