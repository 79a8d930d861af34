"""The command-line contract of import_roster / export_roster (checks outside the suite rely on it)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cadres.models import Cadre, Unit
from orgdept.core.models import AuditEvent
from orgdept.core.spreadsheets import read_spreadsheet
from tests.cadres.factories import make_unit
from tests.fixtures import make_roster_fixtures as fx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KEYS = ["dry_run", "total", "new", "updated", "unchanged", "errors", "warnings", "new_units"]


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.fixture
def units(db):
    for name in ("区财政局", "区住房和城乡建设局"):
        make_unit(name)


def test_json_dry_run_of_a_correct_file_exits_0_and_writes_nothing(units):
    code, out = run("import_roster", str(FIXTURES / "roster_valid.xlsx"), "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)  # one JSON object and nothing else
    assert list(report) == KEYS
    assert report["dry_run"] is True
    assert (report["total"], report["new"], report["updated"], report["unchanged"]) == (4, 4, 0, 0)
    assert report["errors"] == []
    assert report["new_units"] == ["区数据资源管理局"]
    assert report["warnings"][0] == {
        "row": 1,
        "column": "备用字段",
        "message": "未知的列“备用字段”，已忽略；标准列名见导入说明",
    }
    assert not Cadre.objects.exists()


def test_json_import_exits_0_writes_and_a_second_run_is_all_unchanged(units):
    code, out = run("import_roster", str(FIXTURES / "roster_valid.xlsx"), "--json")
    assert code == 0 and json.loads(out)["new"] == 4 and json.loads(out)["dry_run"] is False
    assert Cadre.objects.count() == 4
    code, out = run("import_roster", str(FIXTURES / "roster_valid.xlsx"), "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 4


def test_errors_exit_1_with_row_and_column_and_nothing_written(units):
    audit_before = AuditEvent.objects.count()
    code, out = run("import_roster", str(FIXTURES / "roster_errors.xlsx"), "--json")
    assert code == 1
    report = json.loads(out)
    assert {"row": 5, "column": "身份证号", "message": f"身份证号与第2行重复（{fx.ZHANG_SAN}）"} in report["errors"]
    assert all(isinstance(e["row"], int) and e["column"] for e in report["errors"])
    assert not Cadre.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_missing_column_exits_1_with_an_error_on_row_1(units):
    code, out = run("import_roster", str(FIXTURES / "roster_missing_column.csv"), "--dry-run", "--json")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {"row": 1, "column": "身份证号", "message": "缺少必需的列“身份证号”（表头应在第1行）"}
    ]


@pytest.mark.parametrize("name", ["roster_empty.csv", "does-not-exist.xlsx"])
def test_an_unreadable_file_exits_2_with_one_error_without_a_row(units, name):
    code, out = run("import_roster", str(FIXTURES / name), "--json")
    assert code == 2
    report = json.loads(out)
    assert list(report) == KEYS
    assert len(report["errors"]) == 1
    assert report["errors"][0]["row"] is None and report["errors"][0]["column"] is None
    assert (report["total"], report["new_units"]) == (0, [])


def test_an_old_xls_exits_2(units, tmp_path):
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    code, out = run("import_roster", str(path), "--json")
    assert code == 2 and ".xls" in json.loads(out)["errors"][0]["message"]


def test_without_json_a_readable_chinese_summary_is_printed(units):
    code, out = run("import_roster", str(FIXTURES / "roster_errors.xlsx"), "--dry-run")
    assert code == 1
    assert "有错误，未写入任何数据" in out
    assert "第5行“身份证号”列：身份证号与第2行重复" in out
    code, out = run("import_roster", str(FIXTURES / "roster_valid.xlsx"))
    assert code == 0 and "导入完成" in out and "已新建单位：区数据资源管理局" in out


def test_the_user_option_names_the_actor_in_the_audit_log(units, make_user):
    make_user(username="ganbu")
    run("import_roster", str(FIXTURES / "roster_gb18030.csv"), "--user", "ganbu")
    assert AuditEvent.objects.get(action="roster.imported").actor_username == "ganbu"


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_roster_writes_the_format_of_the_extension(units, tmp_path, suffix):
    run("import_roster", str(FIXTURES / "roster_valid.xlsx"))
    path = tmp_path / f"roster.{suffix}"
    code, out = run("export_roster", str(path))
    assert code == 0 and "4" in out
    sheet = read_spreadsheet(path)
    assert sheet.format == ("xlsx" if suffix == "xlsx" else "csv-utf8")
    assert len(sheet.rows) == 4
    code, out = run("import_roster", str(path), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_real_command_in_a_subprocess(tmp_path):
    from tests.platform.procs import clean_env, database_url, manage

    make_unit("区财政局")
    make_unit("区住房和城乡建设局")
    env = clean_env(
        DJANGO_SETTINGS_MODULE="orgdept.settings.test",
        DATABASE_URL=database_url(connection.settings_dict),
        ORGDEPT_VAR_DIR=str(tmp_path),
    )
    done = manage("import_roster", str(FIXTURES / "roster_valid.xlsx"), "--dry-run", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["dry_run"], report["new"], report["new_units"]) == (True, 4, ["区数据资源管理局"])
    done = manage("import_roster", str(FIXTURES / "roster_errors.xlsx"), "--json", env=env)
    assert done.returncode == 1 and json.loads(done.stdout)["errors"]
    done = manage("import_roster", str(FIXTURES / "roster_empty.csv"), "--json", env=env)
    assert done.returncode == 2 and json.loads(done.stdout)["errors"][0]["row"] is None
    assert not Cadre.objects.exists()


# --- paths that cannot be read, and writes a service refuses ---------------------------------------


def _unreadable(out: str) -> dict:
    report = json.loads(out)
    assert list(report) == KEYS
    assert len(report["errors"]) == 1 and report["errors"][0]["row"] is None
    assert (report["total"], report["new"], report["new_units"]) == (0, 0, [])
    return report


def test_a_folder_exits_2_with_one_error(units, tmp_path):
    code, out = run("import_roster", str(tmp_path), "--json")
    assert code == 2
    assert "文件夹" in _unreadable(out)["errors"][0]["message"]
    code, out = run("import_roster", str(tmp_path))
    assert code == 2 and "无法读取文件" in out


def _denied_path(tmp_path) -> Path:
    """A file this process may not read: one without permissions, or (for root) a write-only kernel file."""
    if os.geteuid() != 0:
        path = tmp_path / "roster.xlsx"
        path.write_bytes((FIXTURES / "roster_valid.xlsx").read_bytes())
        path.chmod(0)
        return path
    for candidate in ("/sys/bus/cpu/uevent", "/sys/bus/pci/rescan", "/sys/bus/pci/drivers_probe"):
        try:
            Path(candidate).open("rb").close()
        except PermissionError:
            return Path(candidate)
        except OSError:
            continue
    pytest.skip("no file here that this user may not read")


def test_a_file_without_read_permission_exits_2_with_one_error(units, tmp_path):
    code, out = run("import_roster", str(_denied_path(tmp_path)), "--json")
    assert code == 2 and "没有读取" in _unreadable(out)["errors"][0]["message"]


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_whose_reading_fails_exits_2_with_one_error(units):
    code, out = run("import_roster", "/proc/self/mem", "--json")  # opens, then every read fails (EIO)
    assert code == 2 and "无法读取文件" in _unreadable(out)["errors"][0]["message"]


def test_a_write_a_service_refuses_exits_1_with_nothing_written(units, monkeypatch):
    """A unit the file names is created by someone else just before the import creates it."""
    from cadres.services import roster

    real_unit_create = roster.unit_create

    def unit_created_meanwhile(*, name, kind, actor):
        real_unit_create(name=name, kind=kind, actor=None)
        return real_unit_create(name=name, kind=kind, actor=actor)

    monkeypatch.setattr(roster, "unit_create", unit_created_meanwhile)
    units_before, audit_before = Unit.objects.count(), AuditEvent.objects.count()
    code, out = run("import_roster", str(FIXTURES / "roster_valid.xlsx"), "--json")
    assert code == 1
    report = json.loads(out)
    assert list(report) == KEYS
    assert report["errors"] == [
        {
            "row": None,
            "column": None,
            "message": "导入时出错，本次没有写入任何数据：单位“区数据资源管理局”已存在；请重新导入",
        }
    ]
    assert not Cadre.objects.exists()
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units_before, audit_before)
