"""The working-day calendar: counting, the seeded schedule, CSV import (all or nothing) and the `calendar` command."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from orgdept.core import roles
from orgdept.core.models import AuditEvent, CalendarDay, CalendarYear
from orgdept.core.workdays import (
    CalendarImportError,
    ScheduleMissing,
    WorkCalendar,
    add_workdays,
    calendar_export,
    calendar_import,
    is_workday,
    scheduled_years,
    workdays_between,
)

# A made-up 2027 schedule in the official shape (the real one is published late in 2026).
CSV_2027 = """date,type,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-20,workday,春节调休上班
"""


def snapshot():
    """Everything the import may touch, to prove a refused import changed nothing."""
    return (
        sorted(CalendarYear.objects.values_list("year", "source", "updated_at")),
        sorted(CalendarDay.objects.values_list("date", "kind", "name", "updated_at")),
    )


# --- counting -------------------------------------------------------------------------------


def test_five_workdays_across_national_day_end_on_the_make_up_saturday(db):
    # 9-29, 9-30, (10-01..10-07 holiday), 10-08, 10-09, 10-10 (Saturday worked in exchange)
    assert add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 10)


def test_weekends_holidays_and_make_up_days(db):
    assert is_workday(date(2026, 9, 28))  # Monday
    assert not is_workday(date(2026, 10, 17))  # Saturday
    assert not is_workday(date(2026, 10, 18))  # Sunday
    assert not is_workday(date(2026, 10, 1))  # National Day, a Thursday
    assert is_workday(date(2026, 10, 10))  # make-up Saturday
    assert is_workday(date(2026, 9, 20))  # make-up Sunday before National Day


def test_zero_returns_the_date_and_negative_counts_back(db):
    assert add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert add_workdays(date(2026, 10, 10), -5) == date(2026, 9, 28)
    assert add_workdays(date(2026, 10, 12), -1) == date(2026, 10, 10)
    assert workdays_between(date(2026, 9, 28), date(2026, 10, 10)) == 5
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0


def test_an_unscheduled_year_is_refused_naming_the_year(db):
    with pytest.raises(ScheduleMissing, match="2027年") as excinfo:
        add_workdays(date(2027, 3, 1), 5)
    assert excinfo.value.year == 2027
    assert "尚未录入" in excinfo.value.message
    # crossing into an unscheduled year is refused too, not guessed
    with pytest.raises(ScheduleMissing, match="2027"):
        add_workdays(date(2026, 12, 30), 2)


def test_a_year_is_loaded_once_per_calendar(db, django_assert_num_queries):
    cal = WorkCalendar()
    with django_assert_num_queries(2):  # CalendarYear exists + that year's days
        assert cal.add_workdays(date(2026, 3, 2), 60) > date(2026, 3, 2)
    with django_assert_num_queries(0):
        cal.is_workday(date(2026, 7, 1))


def test_years_2004_to_2026_are_seeded_from_chinese_calendar(db):
    years = set(scheduled_years())
    assert set(range(2004, 2027)) <= years
    assert 2027 not in years
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.SEEDED
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (CalendarDay.Kind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY


# --- import ---------------------------------------------------------------------------------


def test_importing_a_year_makes_it_countable(make_user):
    admin = make_user(username="caladmin")

    result = calendar_import(text=CSV_2027, actor=admin)

    assert result.years == [2027]
    assert (result.added, result.changed, result.removed, result.unchanged) == (9, 0, 0, 0)
    assert result.changed_anything
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.IMPORTED
    assert add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)  # 12-31, (1-1 holiday, weekend), 1-4
    assert is_workday(date(2027, 2, 20))
    assert not is_workday(date(2027, 2, 8))
    event = AuditEvent.objects.get(action="calendar.imported")
    assert event.actor == admin
    assert event.details == {"added": 9, "changed": 0, "removed": 0}


def test_importing_the_same_file_again_changes_nothing(db):
    calendar_import(text=CSV_2027, actor=None)
    before = snapshot()
    events = AuditEvent.objects.count()

    again = calendar_import(text=CSV_2027, actor=None)

    assert not again.changed_anything
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 9)
    assert snapshot() == before
    assert AuditEvent.objects.count() == events  # a no-op import writes no audit event


def test_a_seeded_year_round_trips_through_export_and_import(db):
    before = snapshot()
    result = calendar_import(text=calendar_export(2026), actor=None)
    assert result.years == [2026]
    assert not result.changed_anything
    assert snapshot() == before


def test_a_corrected_file_replaces_that_years_days_only(db):
    calendar_import(text=CSV_2027, actor=None)
    days_2026 = CalendarDay.objects.filter(date__year=2026).count()
    corrected = (
        "date,type,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节假期\n2027-02-21,workday,春节调休上班\n"
    )

    result = calendar_import(text=corrected, actor=None)

    assert (result.added, result.changed, result.removed, result.unchanged) == (1, 1, 7, 1)
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind", "name")) == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 2, 6), "holiday", "春节假期"),
        (date(2027, 2, 21), "workday", "春节调休上班"),
    ]
    assert CalendarDay.objects.filter(date__year=2026).count() == days_2026
    assert is_workday(date(2027, 2, 8))  # no longer a holiday


def test_chinese_type_aliases_and_a_byte_order_mark_are_accepted(db):
    result = calendar_import(text="\ufeffdate,type\n2027-10-01,休\n2027-10-09,班\n", actor=None)
    assert result.added == 2
    assert CalendarDay.objects.get(date=date(2027, 10, 9)).kind == CalendarDay.Kind.WORKDAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,type\n2027-01-01,holiday\n2027-13-01,holiday\n", "第3行：日期“2027-13-01”无效"),
        ("date,type\n2027-01-01,vacation\n", "第2行：类型“vacation”无效"),
        ("day,kind\n2027-01-01,holiday\n", "第1行：表头应为 date,type"),
        ("date,type\n2027-01-01,holiday\n2027-01-01,workday\n", "第3行：日期 2027-01-01 重复出现"),
        ("date,type\n2027-01-01,holiday,元旦\n", "第2行：应有 2 列，实际 3 列"),
        ("date,type\n2027-01-01\n", "第2行：应有 2 列，实际 1 列"),
        ("", "文件为空"),
        ("date,type\n", "没有任何日期行"),
    ],
    ids=[
        "bad-date-row-3",
        "bad-type",
        "wrong-header",
        "duplicate-date",
        "extra-column",
        "missing-column",
        "empty",
        "header-only",
    ],
)
def test_a_malformed_file_is_refused_naming_the_row_and_writes_nothing(db, text, expected):
    before = snapshot()
    events = AuditEvent.objects.count()

    with pytest.raises(CalendarImportError) as excinfo:
        calendar_import(text=text, actor=None)

    assert expected in excinfo.value.message
    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert 2027 not in scheduled_years()


def test_an_error_late_in_a_file_keeps_the_valid_rows_before_it_out_too(db):
    before = snapshot()
    text = "date,type\n2026-10-01,workday\n2027-01-01,holiday\n2027-01-02,holiday\n2027-02-30,holiday\n"
    with pytest.raises(CalendarImportError, match="第5行"):
        calendar_import(text=text, actor=None)
    assert snapshot() == before
    assert not is_workday(date(2026, 10, 1))


# --- the `calendar` management command --------------------------------------------------------


def test_cli_add_workdays_prints_only_the_date(db, capsys):
    call_command("calendar", "add-workdays", "2026-09-28", "5")
    out, err = capsys.readouterr()
    assert out == "2026-10-10\n"
    assert err == ""


def test_cli_add_workdays_in_an_unscheduled_year_fails_in_chinese(db, capsys):
    with pytest.raises(SystemExit) as excinfo:
        call_command("calendar", "add-workdays", "2027-03-01", "5")
    assert excinfo.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "2027年的节假日安排尚未录入" in err


def test_cli_add_workdays_with_a_bad_date_fails(db, capsys):
    with pytest.raises(SystemExit) as excinfo:
        call_command("calendar", "add-workdays", "2026-02-30", "5")
    assert excinfo.value.code == 1
    assert "日期“2026-02-30”无效" in capsys.readouterr().err


def test_cli_import_is_idempotent(db, capsys, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")

    call_command("calendar", "import", str(path))
    first = capsys.readouterr().out
    assert "已导入 2027 年：新增 9，修改 0，删除 0，未变 0" in first
    before = snapshot()

    call_command("calendar", "import", str(path))
    second = capsys.readouterr().out
    assert "新增 0，修改 0，删除 0，未变 9" in second
    assert snapshot() == before

    call_command("calendar", "add-workdays", "2026-12-30", "2")
    assert capsys.readouterr().out == "2027-01-04\n"


def test_cli_import_reads_gbk_files(db, capsys, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("date,type,name\n2027-05-01,holiday,劳动节\n".encode("gbk"))
    call_command("calendar", "import", str(path))
    assert CalendarDay.objects.get(date=date(2027, 5, 1)).name == "劳动节"


def test_cli_import_of_a_malformed_file_exits_1_naming_the_row(db, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,type\n2027-01-01,holiday\n2027-01-32,holiday\n", encoding="utf-8")
    before = snapshot()

    with pytest.raises(SystemExit) as excinfo:
        call_command("calendar", "import", str(path))

    assert excinfo.value.code == 1
    out, err = capsys.readouterr()
    assert "第3行" in err
    assert "未做任何修改" in err
    assert out == ""
    assert snapshot() == before


def test_cli_import_of_a_missing_file_exits_1(db, capsys, tmp_path):
    with pytest.raises(SystemExit) as excinfo:
        call_command("calendar", "import", str(tmp_path / "nope.csv"))
    assert excinfo.value.code == 1
    assert "无法读取文件" in capsys.readouterr().err


def test_cli_export_and_years(db, capsys):
    call_command("calendar", "export", "2026")
    out = capsys.readouterr().out
    assert out.startswith("date,type,name\n")
    assert "2026-10-10,workday," in out
    call_command("calendar", "years")
    years = capsys.readouterr().out.split()
    assert years[0] == "2004"
    assert "2026" in years


@pytest.mark.postgres
def test_cli_contract_in_a_real_process(db):
    """The exact bytes and exit codes a script sees; PostgreSQL only, where a child process can reach the test DB."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a child process cannot see the in-memory SQLite test database")
    db_settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orgdept.settings.test",
        "DATABASE_URL": (
            f"postgres://{db_settings['USER']}:{db_settings['PASSWORD']}@{db_settings['HOST']}:{db_settings['PORT']}"
            f"/{db_settings['NAME']}"
        ),
    }
    manage = Path(__file__).resolve().parents[2] / "manage.py"

    def run(*args):
        return subprocess.run(
            [sys.executable, str(manage), "calendar", *args], capture_output=True, env=env, timeout=60, check=False
        )

    ok = run("add-workdays", "2026-09-28", "5")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, b"2026-10-10\n", b"")

    missing = run("add-workdays", "2027-03-01", "5")
    assert missing.returncode == 1
    assert missing.stdout == b""
    assert "2027年的节假日安排尚未录入" in missing.stderr.decode()


# --- the calendar pages -------------------------------------------------------------------------


def test_calendar_page_shows_a_year_and_refuses_an_unscheduled_one(client, make_user):
    client.force_login(make_user(roles.CADRE_SECTION))
    response = client.get(reverse("core:calendar"), {"year": 2026})
    assert response.status_code == 200
    october = response.context["months"][9]
    assert october["workdays"] == 18  # 22 weekdays, 5 of them holidays, plus the make-up Saturday
    assert response.context["import_form"] is None  # staff read; administrators maintain

    missing = client.get(reverse("core:calendar"), {"year": 2027})
    assert missing.status_code == 200
    assert missing.context["months"] is None
    assert "2027年的节假日安排尚未录入" in missing.content.decode()


def test_administrators_import_through_the_page(client, make_user):
    admin = make_user(roles.SYSTEM_ADMIN, username="caladmin")
    client.force_login(admin)
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode("utf-8"), content_type="text/csv")

    response = client.post(reverse("core:calendar_import"), {"file": upload})

    assert response.status_code == 302
    assert response["Location"] == "/calendar/?year=2027"
    assert 2027 in scheduled_years()
    assert AuditEvent.objects.get(action="calendar.imported").actor == admin


def test_a_malformed_upload_shows_the_row_and_writes_nothing(client, make_user):
    client.force_login(make_user(roles.SYSTEM_ADMIN))
    before = snapshot()
    upload = SimpleUploadedFile("bad.csv", b"date,type\n2027-01-01,holiday\n2027-01-01,holiday\n")

    response = client.post(reverse("core:calendar_import"), {"file": upload})

    assert response.status_code == 400
    assert "第3行：日期 2027-01-01 重复出现" in response.content.decode()
    assert snapshot() == before


def test_staff_cannot_import_the_calendar(client, make_user):
    client.force_login(make_user(roles.CADRE_SECTION))
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode("utf-8"))
    assert client.post(reverse("core:calendar_import"), {"file": upload}).status_code == 403
    assert 2027 not in scheduled_years()


def test_calendar_csv_export_round_trips(client, make_user):
    client.force_login(make_user(roles.CADRE_SECTION))
    response = client.get(reverse("core:calendar_export", args=[2026]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="calendar-2026.csv"'
    assert not calendar_import(text=response.content.decode(), actor=None).changed_anything
