"""Backup and restore drills: a backup restored into a fresh database brings back every row and file, and a damaged
backup, a hostile media archive or an occupied target is refused before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import stat
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from cadres.models import Cadre
from orgdept.core.backups import backup_compare, backup_create, backup_restore, backup_verify
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.platform.authz_world import SECRET_NAMES, build_world
from tests.platform.procs import clean_env, database_url, manage
from tests.platform.tally import tally
from tests.seeds import migration_data_reseed

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
    """The services building the data need what the migrations seeded; an earlier transactional test's flush
    removed it."""
    migration_data_reseed()


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


def _signed_in_session() -> str:
    session = SessionStore()
    session["_auth_user_id"] = "1"
    session.create()
    return session.session_key


def test_postgres_drill_restores_every_row_and_file(media, tmp_path, fresh_database):
    name, url = fresh_database
    world = build_world()
    saved_name = default_storage.save(UPLOAD_NAME, ContentFile(UPLOAD))
    cadres = sorted(Cadre.objects.values_list("pk", "name", "id_number"))
    audit_before = AuditEvent.objects.count()
    session_key = _signed_in_session()

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
    assert "django_session" not in manifest["tables"]
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
    # a session is a live sign-in: the table comes back empty, while the source still holds it
    assert _query(
        connection.settings_dict["NAME"], "SELECT count(*) FROM django_session WHERE session_key = %s", (session_key,)
    ) == [(1,)]
    assert _query(name, "SELECT count(*) FROM django_session") == [(0,)]
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
    # a file that is not in the backup: replaced means it goes, not merged with the backup's files
    (restored_media / "stale" / "旧文件.pdf").parent.mkdir()
    (restored_media / "stale" / "旧文件.pdf").write_bytes(b"stale")
    replaced = backup_restore(path=result.path, database_url=url, media_root=restored_media, replace=True)
    assert replaced.ok, [t for t in replaced.tables if not t.ok]
    assert _query(name, "SELECT count(*) FROM auth_group WHERE name = '多出的角色'") == [(0,)]
    assert (restored_media / saved_name).read_bytes() == UPLOAD
    assert {p.relative_to(restored_media).as_posix() for p in restored_media.rglob("*") if p.is_file()} == set(uploaded)
    # nothing of the unpacking or of the old directory is left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "media", "restored-media"]
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
def test_tampered_backup_is_refused_before_anything_is_written(
    damaged, media, tmp_path, fresh_database, capsys, monkeypatch
):
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

    # the command says the same in Chinese and exits non-zero (the target given as the environment variable)
    monkeypatch.setenv("RESTORE_DATABASE_URL", url)
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore", str(backup), "--media-root", str(restored_media))
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


def test_restore_command_takes_no_password_on_its_command_line(media, tmp_path, fresh_database, capsys, monkeypatch):
    """A password in `--database-url` is readable by every user of the machine (ps): refused before anything is
    read; the target comes from RESTORE_DATABASE_URL, or a URL without a password and PGPASSWORD."""
    name, url = fresh_database
    password = connection.settings_dict["PASSWORD"]
    assert password and f":{password}@" in url
    backup = _small_backup(tmp_path).path
    restored_media = tmp_path / "restored-media"
    monkeypatch.delenv("RESTORE_DATABASE_URL", raising=False)

    for given in (url, url.replace(f":{password}@", "@") + f"?password={password}"):
        with pytest.raises(SystemExit) as exit_info:
            call_command("restore", str(backup), "--database-url", given, "--media-root", str(restored_media))
        assert exit_info.value.code != 0
        err = capsys.readouterr().err
        assert "--database-url 中含有密码" in err
        assert "RESTORE_DATABASE_URL" in err and "PGPASSWORD" in err and ".pgpass" in err
        assert password not in err
        assert _tables(name) == []
        assert not restored_media.exists()
        tally("backup")

    # the whole URL in the environment: restored into that database (the default one is occupied: it would refuse)
    monkeypatch.setenv("RESTORE_DATABASE_URL", url)
    call_command("restore", str(backup), "--media-root", str(restored_media))
    assert "恢复完成" in capsys.readouterr().out
    assert "cadres_cadre" in _tables(name)
    assert (restored_media / UPLOAD_NAME).read_bytes() == UPLOAD
    tally("backup")

    # a URL without the password, the password from libpq's environment variable
    monkeypatch.delenv("RESTORE_DATABASE_URL")
    monkeypatch.setenv("PGPASSWORD", password)
    _query(name, "INSERT INTO auth_group (name) VALUES ('多出的角色')")
    call_command(
        "restore",
        str(backup),
        "--database-url",
        url.replace(f":{password}@", "@"),
        "--media-root",
        str(restored_media),
        "--replace",
    )
    assert "恢复完成" in capsys.readouterr().out
    assert _query(name, "SELECT count(*) FROM auth_group WHERE name = '多出的角色'") == [(0,)]
    tally("backup")


def _rewrite_media(backup: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    """Replace the backup's media.tar with `members`, listed in the manifest with matching SHA-256s, so only the
    restore's own look at the members can refuse it."""
    archive = backup / "media.tar"
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["media"] = {
        info.name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for info, data in members
    }
    manifest["files"]["media.tar"] = {
        "size": archive.stat().st_size,
        "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_hostile_media_archive_is_refused_before_the_database(kind, media, tmp_path, fresh_database):
    """A media.tar that would write outside MEDIA_ROOT, with a manifest made to match it: refused, nothing written
    outside, the old media left as they were and the target database untouched (the members are checked first)."""
    name, url = fresh_database
    backup = _small_backup(tmp_path).path
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = b"planted by a hostile archive"
    members = [_file(UPLOAD_NAME, UPLOAD)]
    if kind == "dotdot":
        members.append(_file("../escape", planted))
        written = [tmp_path / "escape", tmp_path.parent / "escape"]
    elif kind == "absolute":
        members.append(_file(str(outside / "absolute-escape"), planted))
        written = [outside / "absolute-escape"]
    else:
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, str(outside)
        members += [(link, b""), _file("link/planted.txt", planted)]
        written = [outside / "planted.txt"]
    _rewrite_media(backup, members)
    assert backup_verify(backup)["media"]  # the checksums hold: only the members give it away
    with tarfile.open(backup / "media.tar") as tar:
        assert tar.getnames()[1] == members[1][0].name  # stored as written, leading "/" included
    restored_media = tmp_path / "restored-media"
    (restored_media / "old.txt").parent.mkdir()
    (restored_media / "old.txt").write_bytes(b"old")

    with pytest.raises(ApplicationError, match=r"上传文件包中的.*拒绝恢复"):
        backup_restore(path=backup, database_url=url, media_root=restored_media, replace=True)

    assert _tables(name) == []
    assert [p.name for p in restored_media.iterdir()] == ["old.txt"]
    assert not any(path.exists() or path.is_symlink() for path in written)
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "media", "outside", "restored-media"]
    tally("hostile")


def test_restore_needs_the_safe_unpacking_of_tarfile(media, tmp_path, fresh_database, monkeypatch):
    """Without tarfile's extraction filters (Python before 3.11.4) an archive could write anywhere: refused before
    anything is written."""
    name, url = fresh_database
    backup = _small_backup(tmp_path).path
    monkeypatch.delattr(tarfile, "data_filter")
    with pytest.raises(ApplicationError, match=r"不支持安全解包（需要 Python 3\.11\.4"):
        backup_restore(path=backup, database_url=url, media_root=tmp_path / "restored-media")
    assert _tables(name) == []
    assert not (tmp_path / "restored-media").exists()
    tally("backup")


def test_restore_into_media_with_files_needs_replace(media, tmp_path, fresh_database):
    name, url = fresh_database
    backup = _small_backup(tmp_path).path
    restored_media = tmp_path / "restored-media"
    (restored_media / "old.txt").parent.mkdir()
    (restored_media / "old.txt").write_bytes(b"old")
    with pytest.raises(ApplicationError, match=r"上传文件目录.*已有文件.*请加 --replace"):
        backup_restore(path=backup, database_url=url, media_root=restored_media)
    assert _tables(name) == []
    assert [p.name for p in restored_media.iterdir()] == ["old.txt"]
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
    session_key = "k10livesession" + "x" * 18
    # an old session deleted without zeroing (as on SQLite builds without secure_delete): its bytes stay in the
    # source file, and the online backup copies every page as it is
    # (pages of them, so the pages go to the free list where no later DELETE touches them)
    old_keys = [f"k10oldsession{n:04d}".ljust(32, "y") for n in range(200)]
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA secure_delete = OFF")
    with conn:
        conn.executemany(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, '2099-01-01')",
            [(key, "signed-in" * 50) for key in old_keys],
        )
    with conn:
        conn.execute("DELETE FROM django_session")
        conn.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, '2099-01-01')",
            (session_key, "signed-in"),
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert any(key.encode() in source.read_bytes() for key in old_keys)

    made = manage("backup", env=env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.parent == tmp_path / "backups"  # BACKUP_DIR from the environment
    assert "备份完成" in made.stdout
    assert sorted(p.name for p in backup.iterdir()) == ["db.sqlite3", "manifest.json", "media.tar"]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in backup.iterdir())
    # the session is not in the copy, not even in a free page of the file
    assert _sqlite_rows(backup / "db.sqlite3", "django_session") == []
    copied = (backup / "db.sqlite3").read_bytes()
    assert session_key.encode() not in copied
    assert not any(key.encode() in copied for key in old_keys)
    assert len(_sqlite_rows(source, "django_session")) == 1

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
    assert _sqlite_rows(target, "django_session") == []
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
