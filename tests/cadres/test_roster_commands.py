"""The command-line contract of import_roster / export_roster (checks outside the suite rely on it)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cadres.models import Cadre
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
