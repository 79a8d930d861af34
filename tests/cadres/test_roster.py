"""The roster import and export: every rule of the issue on the sample files in tests/fixtures."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from faker import Faker

from cadres.models import Cadre, Education, Position, PositionTenure, Unit
from cadres.selectors import EVERYONE, team_structure
from cadres.services import (
    EducationEntry,
    cadre_create,
    cadre_update,
    name_initials,
    roster_export,
    roster_import,
    roster_template,
)
from cadres.services.roster import COLUMNS, _initials
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from orgdept.core.spreadsheets import SpreadsheetError, read_spreadsheet
from tests.cadres.factories import make_unit
from tests.fixtures import make_roster_fixtures as fx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.django_db


def fixture(name: str) -> Path:
    return FIXTURES / name


def table_counts() -> dict[str, int]:
    """Rows in every table of the cadres app, and audit events."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_app_config("cadres").get_models()}
    counts["audit"] = AuditEvent.objects.count()
    return counts


@pytest.fixture
def admin(make_user):
    return make_user(roles.SYSTEM_ADMIN, username="admin1")


@pytest.fixture
def units(db):
    return {name: make_unit(name) for name in ("区财政局", "区住房和城乡建设局", "区教育局", "区审计局")}


def cadre(number: str) -> Cadre:
    return Cadre.objects.select_related("unit").get(id_number=number.upper())


def education(c: Cadre, kind: str) -> EducationEntry:
    e = Education.objects.filter(cadre=c, kind=kind).first()
    return EducationEntry(e.education, e.degree, e.school_major) if e else EducationEntry()


# --- the sample files are what the generator writes --------------------------------------------------


def test_the_committed_sample_files_are_what_the_generator_writes(tmp_path):
    written = fx.make(tmp_path)
    assert len(written) >= 11
    for path in written:
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), f"{path.name} differs: rerun the generator"


# --- a correct roster ------------------------------------------------------------------------------


def test_a_dry_run_reports_every_row_and_the_new_units_and_writes_nothing(units, admin):
    before = table_counts()
    report = roster_import(source=fixture("roster_valid.xlsx"), dry_run=True, actor=admin)
    assert report.summary() == {
        "dry_run": True,
        "total": 4,  # the blank row is not counted
        "new": 4,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [{"row": 1, "column": "备用字段", "message": "未知的列“备用字段”，已忽略；标准列名见导入说明"}],
        "new_units": ["区数据资源管理局"],
    }
    assert [(r.row, r.outcome, r.label) for r in report.rows] == [
        (2, "new", "张三"),
        (3, "new", "王伟"),
        (5, "new", "李四"),  # row 4 is blank: the numbers stay those of the sheet
        (6, "new", "赵敏"),
    ]
    assert table_counts() == before


def test_a_commit_stores_every_value_cleaned(units, admin):
    report = roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    assert report.ok and report.written and report.new == 4

    zhang = cadre(fx.ZHANG_SAN)
    assert zhang.name_initials == "zs"
    assert zhang.birth_month == date(1975, 3, 1)  # a date cell
    assert zhang.work_started_month == date(1997, 8, 1)  # an Excel serial number
    assert zhang.party_joined_month == date(1998, 7, 1)
    assert zhang.rank == "正处级"  # 正处
    assert (zhang.post_since_month, zhang.rank_since_month) == (date(2015, 3, 1), date(2015, 3, 1))
    assert zhang.phone == "+86 13800000001"  # looks like a formula: stored as text
    assert zhang.remarks == "=SUM(A1:A2)"
    assert zhang.unit == units["区财政局"]
    assert zhang.education == "研究生"
    assert education(zhang, Education.Kind.FULL_TIME) == EducationEntry("大学", "法学学士", "浙江大学法学院法学专业")
    assert education(zhang, Education.Kind.IN_SERVICE) == EducationEntry(
        "研究生", "法学硕士", "中央党校研究生院法学专业"
    )
    assert zhang.version == 1

    wang = cadre(fx.WANG_WEI)
    assert wang.name == "王伟"  # padded with an ideographic space
    assert wang.id_number.endswith("X")  # x in lower case
    assert (wang.gender, wang.birth_month) == ("F", date(1980, 5, 1))  # from the ID number
    assert wang.ethnicity == "汉族"
    assert wang.political_status == "中共党员"  # 党员
    assert wang.party_joined_month == date(2003, 7, 1)
    assert wang.work_started_month == date(2002, 8, 1)
    assert wang.post_since_month == date(2021, 3, 1)  # 2021/3/15
    assert wang.rank_since_month == date(2021, 3, 1)  # 2021.3
    assert wang.unit.name == "区数据资源管理局"  # created on commit
    assert (wang.phone, wang.remarks) == ("-", "@所有人 请核对")

    li = cadre(fx.LI_SI)
    assert li.name == "李四"  # padded with two spaces
    assert li.birth_month == date(1978, 6, 1)  # the number 1978.06
    assert li.party_joined_month == date(2001, 6, 1)  # the number 200106
    assert li.work_started_month == date(2000, 7, 1)  # 2000.07.01
    assert li.post_since_month == date(2018, 6, 1)  # a datetime cell
    assert li.rank_since_month == date(2018, 6, 1)  # 201806
    assert li.unit == units["区财政局"]  # " 区财政局 "
    assert li.phone == "0571-88888888"  # full-width folded
    assert li.education == "大学"

    zhao = cadre(fx.ZHAO_MIN)
    assert (zhao.political_status, zhao.party_joined_month) == ("群众", None)
    assert zhao.work_started_month == date(2007, 7, 1)  # 2007年7月1日
    assert zhao.rank == "一级主任科员"


def test_a_commit_opens_the_position_history_and_creates_units_and_posts(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    new_unit = Unit.objects.get(name="区数据资源管理局")
    assert new_unit.kind == Unit.Kind.OTHER
    tenure = PositionTenure.objects.select_related("position").get(cadre=cadre(fx.ZHANG_SAN))
    assert tenure.is_current and tenure.start_month == date(2015, 3, 1)
    assert tenure.position.title == "区财政局局长" and tenure.position.unit == units["区财政局"]
    assert tenure.position.level == "正处级" and tenure.position.role == Position.Role.HEAD
    deputy = PositionTenure.objects.select_related("position").get(cadre=cadre(fx.WANG_WEI)).position
    assert (deputy.unit, deputy.role) == (new_unit, Position.Role.DEPUTY)


def test_a_commit_writes_one_summary_event_and_one_event_per_cadre(units, admin):
    before = AuditEvent.objects.count()
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin, source_name="roster_valid.xlsx")
    summary = AuditEvent.objects.get(action="roster.imported")
    assert summary.actor == admin
    assert summary.details["new"] == 4 and summary.details["new_units"] == ["区数据资源管理局"]
    per_cadre = AuditEvent.objects.filter(action="cadre.imported")
    assert per_cadre.count() == 4
    event = per_cadre.get(object_id=str(cadre(fx.LI_SI).pk))
    assert event.object_type == "cadres.cadre" and event.actor_username == "admin1"
    assert event.details == {"outcome": "new", "row": 5, "import": summary.pk}
    unit_created = AuditEvent.objects.filter(action="unit.created", object_repr="区数据资源管理局").count()
    assert AuditEvent.objects.count() - before == 1 + 4 + unit_created


def test_importing_the_same_file_again_reports_every_row_unchanged_and_changes_nothing(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    before = table_counts()
    versions = dict(Cadre.objects.values_list("pk", "version"))
    for dry_run in (True, False):
        report = roster_import(source=fixture("roster_valid.xlsx"), dry_run=dry_run, actor=admin)
        assert (report.total, report.new, report.updated, report.unchanged) == (4, 0, 0, 4)
        assert report.extra["new_units"] == []
    assert table_counts() == before
    assert dict(Cadre.objects.values_list("pk", "version")) == versions


def test_a_later_roster_updates_the_changed_fields_and_moves_the_post(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    report = roster_import(source=fixture("roster_update.csv"), dry_run=False, actor=admin)
    assert (report.new, report.updated, report.unchanged) == (0, 2, 1)
    assert report.extra["new_units"] == ["区发展和改革局"]
    changes = {r.label: r.changes for r in report.rows}
    assert changes["张三"] == {"联系电话": ["+86 13800000001", "13800000009"]}
    assert changes["王伟"] == {}
    assert changes["赵敏"] == {
        "现任职务": ["区住房和城乡建设局一级主任科员", "区发展和改革局副局长"],
        "任现职时间": ["2019.10", "2024.01"],
        "工作单位": ["区住房和城乡建设局", "区发展和改革局"],
    }
    zhang = cadre(fx.ZHANG_SAN)
    assert (zhang.phone, zhang.version) == ("13800000009", 2)
    assert zhang.remarks == "=SUM(A1:A2)"  # not in this file: kept
    assert cadre(fx.WANG_WEI).version == 1
    zhao = cadre(fx.ZHAO_MIN)
    assert (zhao.unit.name, zhao.current_post, zhao.version) == ("区发展和改革局", "区发展和改革局副局长", 2)
    tenures = list(PositionTenure.objects.filter(cadre=zhao).select_related("position").order_by("start_month"))
    assert [(t.position.title, t.start_month, t.end_month, t.is_current) for t in tenures] == [
        ("区住房和城乡建设局一级主任科员", date(2019, 10, 1), date(2024, 1, 1), False),
        ("区发展和改革局副局长", date(2024, 1, 1), None, True),
    ]
    event = AuditEvent.objects.filter(action="cadre.imported", object_id=str(zhang.pk)).order_by("-id").first()
    assert event.details["changes"] == {"phone": ["+86 13800000001", "13800000009"]}


def test_the_position_history_moves_as_cadre_update_moves_it(units, admin):
    """The same change through the form's service and through a roster leaves the same history."""
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    other = make_unit("区发展和改革局")
    via_form = cadre_create(
        actor=admin,
        unit=units["区住房和城乡建设局"],
        name="赵二",
        id_number=fx.id_number(date(1986, 1, 1), male=False, seq=5),
        current_post="区住房和城乡建设局一级主任科员",
        post_since_month=date(2019, 10, 1),
        rank="一级主任科员",
    )
    cadre_update(
        cadre=via_form,
        actor=admin,
        unit=other,
        current_post="区发展和改革局副局长",
        post_since_month=date(2024, 1, 1),
    )
    roster_import(source=fixture("roster_update.csv"), dry_run=False, actor=admin)

    def history(c):
        return [
            (t.position.unit.name, t.position.title, t.start_month, t.end_month, t.is_current)
            for t in PositionTenure.objects.filter(cadre=c).select_related("position__unit").order_by("start_month")
        ]

    assert history(cadre(fx.ZHAO_MIN)) == history(via_form)


def test_gb18030_csv_with_columns_in_another_order(units, admin):
    report = roster_import(source=fixture("roster_gb18030.csv"), dry_run=False, actor=admin)
    assert (report.total, report.new, report.errors) == (2, 2, [])
    liu = cadre(fx.LIU_YAN)
    assert (liu.name, liu.rank, liu.phone, liu.birth_month) == ("刘䶮", "正处级", "=1+1", date(1972, 12, 1))
    assert liu.name_initials == name_initials("刘䶮")
    assert cadre(fx.ZHOU_QIANG).name == "周强"


def test_a_file_without_some_columns_records_blanks_and_invents_nothing(units, admin):
    report = roster_import(source=fixture("roster_utf8_bom.csv"), dry_run=False, actor=admin)
    assert (report.new, report.errors) == (2, [])
    assert not [w for w in report.warnings if w["column"] in ("民族", "政治面貌")]
    wu = cadre(fx.WU_FANG)
    assert (wu.gender, wu.birth_month, wu.rank) == ("F", date(1988, 2, 1), "二级科员")  # from the ID number
    assert (wu.ethnicity, wu.political_status) == ("", "")  # the file says nothing: no 汉族, no 中共党员


def test_blank_political_status_and_ethnicity_stay_blank_for_new_files_and_clear_existing_ones(units, admin):
    someone = fx.id_number(date(1992, 2, 2), male=False, seq=7)
    data = f"姓名,身份证号,工作单位,民族,政治面貌\r\n钱丽,{someone},区教育局,,\r\n".encode()
    report = roster_import(source=data, dry_run=False, actor=admin)
    assert (report.new, report.errors, report.warnings) == (1, [], [])
    qian = cadre(someone)
    assert (qian.ethnicity, qian.political_status) == ("", "")
    # a file on record: a blank cell clears the field, as a blank cell in any other column does
    filled = f"姓名,身份证号,民族,政治面貌\r\n钱丽,{someone},回族,中共党员\r\n".encode()
    assert roster_import(source=filled, dry_run=False, actor=admin).updated == 1
    qian.refresh_from_db()
    assert (qian.ethnicity, qian.political_status) == ("回族", "中共党员")
    cleared = roster_import(source=data, dry_run=False, actor=admin)
    assert cleared.updated == 1
    assert cleared.rows[0].changes == {"民族": ["回族", ""], "政治面貌": ["中共党员", ""]}
    qian.refresh_from_db()
    assert (qian.ethnicity, qian.political_status) == ("", "")
    # importing it again changes nothing; the team structure counts the blanks as 未填写
    assert roster_import(source=data, dry_run=False, actor=admin).unchanged == 1
    structure = team_structure(unit=units["区教育局"], scope=EVERYONE)
    assert structure.total == 1
    assert [(s.label, s.count) for s in structure.ethnicity] == [("汉族", 0), ("少数民族", 0), ("未填写", 1)]
    assert [(s.label, s.count) for s in structure.political_status] == [("未填写", 1)]


# --- rows with errors ------------------------------------------------------------------------------

EXPECTED_ERRORS = [
    (3, "身份证号", "身份证号校验位错误"),
    (4, "身份证号", "15位的旧号码，请填写18位身份证号"),
    (5, "身份证号", "身份证号与第2行重复"),
    (7, "出生年月", "“1990.13”的月份应在1到12之间"),
    (8, "参加工作时间", "“1899.05”的年份早于1900年"),
    (9, "任现职时间", "“2999.01”晚于今天"),
    (10, "入党时间", "入党时间2004.01早于年满18周岁的月份（2006.02）"),
    (11, "性别", "性别与身份证号不一致"),
    (12, "职级", "未知的职级“正厅”"),
    (13, "姓名", "请填写姓名"),
    (14, "出生年月", "出生年月与身份证号中的出生日期（1986.07）不一致"),
    (15, "身份证号", "被Excel存成了数字"),
]


@pytest.mark.parametrize("dry_run", [True, False])
def test_every_error_is_reported_on_its_row_and_column(units, admin, dry_run):
    report = roster_import(source=fixture("roster_errors.xlsx"), dry_run=dry_run, actor=admin)
    found = [(e["row"], e["column"], e["message"]) for e in report.errors]
    assert len(found) == len(EXPECTED_ERRORS), found
    for (row, column, fragment), (got_row, got_column, message) in zip(EXPECTED_ERRORS, found, strict=True):
        assert (got_row, got_column) == (row, column), message
        assert fragment in message
    assert report.total == 13  # the blank row 6 is not counted
    assert (report.new, report.updated, report.unchanged) == (1, 0, 0)
    assert [r.outcome for r in report.rows].count("error") == 12
    assert not report.written


def test_a_failing_import_leaves_the_database_unchanged(units, admin):
    roster_import(source=fixture("roster_gb18030.csv"), dry_run=False, actor=admin)
    before = table_counts()
    versions = dict(Cadre.objects.values_list("pk", "version"))
    report = roster_import(source=fixture("roster_errors.xlsx"), dry_run=False, actor=admin)
    assert report.errors and not report.written
    assert table_counts() == before
    assert dict(Cadre.objects.values_list("pk", "version")) == versions
    assert not Cadre.objects.filter(id_number=fx.ZHANG_SAN).exists()  # row 2 was correct, and still not written


def test_a_missing_required_column_is_an_error_on_row_1(units, admin):
    report = roster_import(source=fixture("roster_missing_column.csv"), dry_run=False, actor=admin)
    assert report.errors == [{"row": 1, "column": "身份证号", "message": "缺少必需的列“身份证号”（表头应在第1行）"}]
    assert report.total == 1 and not Cadre.objects.exists()


def test_duplicate_headers_are_an_error_on_row_1(units, admin):
    report = roster_import(source=fixture("roster_duplicate_headers.csv"), dry_run=True, actor=admin)
    assert [(e["row"], e["column"]) for e in report.errors] == [(1, "姓名")]
    assert "重复" in report.errors[0]["message"]


def test_a_header_only_file_imports_nothing_and_says_so(units, admin):
    report = roster_import(source=fixture("roster_header_only.xlsx"), dry_run=False, actor=admin)
    assert (report.total, report.errors) == (0, [])
    assert report.warnings == [{"row": None, "column": None, "message": "文件中只有表头，没有数据行"}]


def test_an_unreadable_file_raises(units, admin):
    with pytest.raises(SpreadsheetError, match="空的"):
        roster_import(source=fixture("roster_empty.csv"), dry_run=True, actor=admin)


def test_a_new_cadre_needs_a_unit(units, admin):
    data = f"姓名,身份证号\r\n孙丽,{fx.SUN_LI}\r\n".encode()
    report = roster_import(source=data, dry_run=True, actor=admin)
    assert report.errors == [
        {"row": 2, "column": "工作单位", "message": "新增的干部须填写工作单位（文件中没有“工作单位”列）"}
    ]


def test_an_existing_cadre_is_found_by_id_number_and_needs_no_unit(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    data = f"姓名,身份证号,联系电话\r\n张三,{fx.ZHANG_SAN},010-1234\r\n".encode()
    report = roster_import(source=data, dry_run=False, actor=admin)
    assert (report.updated, report.errors) == (1, [])
    assert cadre(fx.ZHANG_SAN).phone == "010-1234"


def test_too_long_values_are_errors(units, admin):
    data = f"姓名,身份证号,工作单位,备注\r\n孙丽,{fx.SUN_LI},区教育局,{'很' * 501}\r\n".encode()
    report = roster_import(source=data, dry_run=True, actor=admin)
    assert report.errors == [{"row": 2, "column": "备注", "message": "备注不能超过500个字"}]


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1975/3/15 0:00", "1975-03-15 00:00:00", "1975-03-15 00:00:00.000", "1975年3月15日", "1975.3", "197503"],
)
def test_dates_written_by_other_systems_with_a_time_of_day_are_read(text):
    from orgdept.core.yearmonth import parse_year_month

    assert parse_year_month(text, today=date(2026, 6, 1)) == date(1975, 3, 1)


def test_a_number_cell_that_may_have_lost_its_trailing_zero_is_flagged(units, admin):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号", "工作单位", "出生年月", "入党时间"])
    workbook.active.append(["钱丽", fx.SUN_LI, "区教育局", 1990.09, 2012.1])
    out = io.BytesIO()
    workbook.save(out)
    report = roster_import(source=out.getvalue(), dry_run=True, actor=admin)
    assert report.errors == []
    (warning,) = [w for w in report.warnings if w["column"] == "入党时间"]
    assert warning["row"] == 2 and "2012.10" in warning["message"] and "1月" in warning["message"]


# --- export, and importing the export ----------------------------------------------------------------


def _odd_cadre(unit, admin):
    """A file entered through the forms with values a spreadsheet program would run or mangle."""
    return cadre_create(
        actor=admin,
        unit=unit,
        name="欧阳 娜娜",
        id_number=fx.id_number(date(1991, 4, 4), male=False, seq=3),
        remarks='=HYPERLINK("http://x")\n第二行\t带制表符',
        phone="+8613900000000",
        current_post="-",
        health="'健康",
        professional_title="'=1",
        full_time=EducationEntry("大学", "", "@某大学"),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exporting_and_importing_the_export_reports_every_row_unchanged(units, admin, fmt):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    roster_import(source=fixture("roster_gb18030.csv"), dry_run=False, actor=admin)
    _odd_cadre(units["区教育局"], admin)
    before = table_counts()
    content, _type = roster_export(cadres=Cadre.objects.all(), fmt=fmt, actor=admin)
    assert table_counts()["audit"] == before["audit"] + 1
    report = roster_import(source=content, dry_run=False, actor=admin)
    assert (report.total, report.unchanged, report.errors) == (Cadre.objects.count(), Cadre.objects.count(), [])
    before["audit"] += 1
    assert table_counts() == before


def test_the_export_has_the_standard_headers_dates_and_neutralised_cells(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    _odd_cadre(units["区教育局"], admin)
    content, content_type = roster_export(cadres=Cadre.objects.all(), fmt="csv", actor=admin)
    assert content_type.startswith("text/csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    by_name = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    zhang = by_name["张三"]
    assert (zhang["出生年月"], zhang["参加工作时间"], zhang["职级"]) == ("1975.03", "1997.08", "正处级")
    assert (zhang["身份证号"], zhang["性别"]) == (fx.ZHANG_SAN, "男")
    assert (zhang["联系电话"], zhang["备注"]) == ("'+86 13800000001", "'=SUM(A1:A2)")
    odd = by_name["欧阳娜娜"]
    assert odd["现任职务"] == "'-" and odd["全日制毕业院校系及专业"] == "'@某大学"
    assert odd["健康状况"] == "''健康" and odd["专业技术职务"] == "''=1"
    assert odd["备注"].startswith("'=HYPERLINK")
    assert by_name["王伟"]["联系电话"] == "'-"
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    event = AuditEvent.objects.get(action="roster.exported")
    assert event.details == {"format": "csv", "count": 5} and event.actor == admin


def test_the_xlsx_export_is_text_only_in_the_standard_order(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    content, content_type = roster_export(cadres=Cadre.objects.filter(name="张三"), fmt="xlsx", actor=admin)
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_spreadsheet(content)
    assert sheet.headers == list(COLUMNS)
    (row,) = sheet.rows
    values = dict(zip(COLUMNS, row.values, strict=True))
    assert values["身份证号"] == fx.ZHANG_SAN and values["出生年月"] == "1975.03"
    assert values["备注"] == "=SUM(A1:A2)"  # read back through the escape


def test_the_blank_template_has_only_the_headers():
    content, _type = roster_template(fmt="xlsx")
    sheet = read_spreadsheet(content)
    assert (sheet.headers, sheet.rows) == (list(COLUMNS), [])


def test_an_unknown_export_format_is_refused(admin):
    from orgdept.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="xlsx或csv"):
        roster_export(cadres=Cadre.objects.all(), fmt="pdf", actor=admin)


# --- speed without per-row queries -------------------------------------------------------------------


def _roster_csv(n: int, *, phone: str = "138") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "工作单位", "现任职务", "职级", "联系电话", "全日制学历"])
    for i in range(n):
        number = fx.id_number(date(1970 + i % 25, 1 + i % 12, 1 + i % 28), male=bool(i % 2), seq=i % 400)
        writer.writerow([f"测试{i}", number, f"单位{i % 7}", f"单位{i % 7}科员", "一级科员", f"{phone}{i:08d}", "大学"])
    return out.getvalue().encode()


def test_the_number_of_queries_does_not_grow_with_the_rows(db, admin, django_assert_max_num_queries):
    small, large = _roster_csv(20), _roster_csv(400)
    roster_import(source=small, dry_run=False, actor=admin)  # units and posts exist from here on
    with django_assert_max_num_queries(12):
        roster_import(source=large, dry_run=True, actor=admin)
    with django_assert_max_num_queries(40):
        report = roster_import(source=large, dry_run=False, actor=admin)
    assert (report.new, report.unchanged) == (380, 20)
    with django_assert_max_num_queries(40):
        report = roster_import(source=_roster_csv(400, phone="139"), dry_run=False, actor=admin)
    assert report.updated == 400
    assert Cadre.objects.filter(phone__startswith="139").count() == 400
    assert set(Cadre.objects.values_list("version", flat=True)) == {2}


# --- pinyin initials -------------------------------------------------------------------------------


def test_the_fast_initials_agree_with_name_initials():
    fake = Faker("zh_CN")
    fake.seed_instance(20261121)
    names = [fake.name() for _ in range(3000)]
    names += ["长孙无忌", "单田芳", "曾国藩", "解缙", "尉迟恭", "欧阳娜娜", "刘䶮", "Li Ming", "阿卜杜·热合曼", "重庆"]
    for name in names:
        assert _initials(name) == name_initials(name), name


# --- a commit checks that the files are still as the preview saw them ------------------------------


def test_a_commit_after_someone_edited_a_matched_file_writes_nothing_and_names_the_people(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    data = "姓名,身份证号,联系电话\r\n" + "".join(
        f"{name},{number},13900000000\r\n" for name, number in (("张三", fx.ZHANG_SAN), ("李四", fx.LI_SI))
    )
    changed = data.encode()
    preview = roster_import(source=changed, dry_run=True, actor=admin)
    assert preview.updated == 2 and [r.version for r in preview.rows] == [1, 1]
    zhang = cadre(fx.ZHANG_SAN)
    cadre_update(cadre=zhang, actor=admin, expected_version=1, health="良好")
    li = cadre(fx.LI_SI)
    cadre_update(cadre=li, actor=admin, expected_version=1, remarks="刚刚修改")
    before = table_counts()
    report = roster_import(source=changed, dry_run=False, actor=admin, preview=preview)
    assert not report.written and report.errors == []
    assert report.conflict == "预览之后以下干部的档案已被修改：张三、李四；请重新检查后再导入"
    assert table_counts() == before  # nothing written
    assert cadre(fx.ZHANG_SAN).phone != "13900000000" and cadre(fx.LI_SI).remarks == "刚刚修改"
    # the report is the new preview, with the versions as they are now: confirming it writes
    assert [r.version for r in report.rows] == [2, 2]
    again = roster_import(source=changed, dry_run=False, actor=admin, preview=report)
    assert again.written and again.updated == 2 and not again.conflict
    assert cadre(fx.LI_SI).phone == "13900000000"


def test_a_commit_after_someone_entered_a_previewed_new_person_writes_nothing(units, admin):
    preview = roster_import(source=fixture("roster_valid.xlsx"), dry_run=True, actor=admin)
    assert preview.new == 4
    cadre_create(actor=admin, unit=units["区审计局"], name="王伟", id_number=fx.WANG_WEI)
    before = table_counts()
    report = roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin, preview=preview)
    assert report.conflict == "预览之后以下干部的档案已被修改：王伟；请重新检查后再导入"
    assert (report.new, report.updated, report.written) == (3, 1, False)
    assert table_counts() == before


def test_the_command_line_checks_and_writes_in_one_call_without_a_preview(units, admin):
    roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    cadre_update(cadre=cadre(fx.ZHANG_SAN), actor=admin, health="良好")
    report = roster_import(source=fixture("roster_valid.xlsx"), dry_run=False, actor=admin)
    assert report.written and not report.conflict and report.updated == 1


def test_the_import_reads_surnames_with_their_own_reading(db, tmp_path):
    import csv

    from cadres.models import Cadre
    from cadres.services import roster_import
    from tests.cadres.factories import id_number

    path = tmp_path / "surnames.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "身份证号", "工作单位"])
        writer.writerow(["曾伟", id_number(date(1980, 1, 1)), "区财政局"])
        writer.writerow(["张乐", id_number(date(1981, 1, 1)), "区财政局"])
    report = roster_import(source=path, dry_run=False, actor=None)
    assert not report.errors
    assert dict(Cadre.objects.values_list("name", "name_initials")) == {"曾伟": "zw", "张乐": "zl"}
