"""The credit-hour import: all or nothing, every error with its row and column, rows already in the ledger
skipped (so a file imported twice writes nothing the second time), dates as people and spreadsheets write them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import import_batch_commit, import_batch_create
from orgdept.core.models import AuditEvent, ImportBatch
from orgdept.core.spreadsheets import read_spreadsheet
from tests.cadres.factories import make_cadre, make_unit
from tests.training.factories import COUNTY, TODAY, credit_xlsx
from training.imports import credit_import, credit_template, parse_credit_date
from training.models import CreditEntry

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def cadres(db):
    unit = make_unit("区发改局")
    return make_cadre(unit, "李明", rank=COUNTY), make_cadre(unit, "王芳", rank=COUNTY)


def good_rows(li, wang):
    return [
        (li.id_number, "李明", "学习贯彻党的二十届四中全会精神", 12, "2026-05-03", "中国干部网络学院", "网络培训"),
        (li.id_number, "李 明", "数字政府专题", "4.5", "2026/5/3", "", ""),
        (wang.id_number, "王芳", "数字政府专题", 4, "20260503", "省委党校", "其他"),
        (wang.id_number, "王芳", "乡村振兴专题", "8", datetime(2026, 6, 1), "", None),
    ]


def entries():
    return sorted(CreditEntry.objects.values_list("cadre__name", "source", "title", "hours", "earned_on"))


def test_a_good_file_writes_every_row(cadres, staff):
    li, wang = cadres
    preview = credit_import(source=credit_xlsx(good_rows(li, wang)), dry_run=True, actor=staff)
    assert (preview.ok, preview.total, preview.new, preview.unchanged, preview.written) == (True, 4, 4, 0, False)
    assert not CreditEntry.objects.exists()
    report = credit_import(source=credit_xlsx(good_rows(li, wang)), dry_run=False, actor=staff)
    assert (report.ok, report.new, report.written) == (True, 4, True)
    assert entries() == [
        ("李明", "imported", "数字政府专题", Decimal("4.5"), date(2026, 5, 3)),
        ("李明", "online", "学习贯彻党的二十届四中全会精神", Decimal("12"), date(2026, 5, 3)),
        ("王芳", "imported", "乡村振兴专题", Decimal("8"), date(2026, 6, 1)),
        ("王芳", "imported", "数字政府专题", Decimal("4"), date(2026, 5, 3)),
    ]
    online_line = CreditEntry.objects.get(source="online")
    assert (online_line.organiser, online_line.recorded_by, online_line.import_batch) == (
        "中国干部网络学院",
        staff,
        None,
    )
    assert AuditEvent.objects.filter(action="credit.imported", object_type="cadres.cadre").count() == 4
    assert AuditEvent.objects.get(action="credits.imported").details["new"] == 4


def test_importing_the_same_file_again_skips_every_row(cadres, staff):
    li, wang = cadres
    credit_import(source=credit_xlsx(good_rows(li, wang)), dry_run=False, actor=staff)
    again = credit_import(source=credit_xlsx(good_rows(li, wang)), dry_run=False, actor=staff)
    assert (again.ok, again.new, again.unchanged, again.written) == (True, 0, 4, True)
    assert [w["message"] for w in again.warnings] == [
        "李明2026-05-03「学习贯彻党的二十届四中全会精神」已存在，跳过",
        "李明2026-05-03「数字政府专题」已存在，跳过",
        "王芳2026-05-03「数字政府专题」已存在，跳过",
        "王芳2026-06-01「乡村振兴专题」已存在，跳过",
    ]
    assert [w["row"] for w in again.warnings] == [2, 3, 4, 5]
    assert CreditEntry.objects.count() == 4
    assert AuditEvent.objects.filter(action="credits.imported").count() == 1


def test_a_file_with_bad_rows_writes_nothing_and_names_each_row_and_column(cadres, staff):
    li, wang = cadres
    rows = [
        *good_rows(li, wang),
        (li.id_number, "王芳", "党史专题", 2, "2026-05-04", "", ""),  # row 6: the ID is 李明's
        (wang.id_number, "王芳", "党史专题", "两", "2026-05-04", "", ""),  # row 7
        ("110101199001011237", "赵强", "党史专题", 2, "2026-05-04", "", ""),  # row 8: nobody's ID
        (wang.id_number, "王芳", "乡村振兴专题", 8, "2026-06-01", "", ""),  # row 9: repeats row 5
        (wang.id_number, "王芳", "党纪专题", 2, "2026-11-23", "", "线下"),  # row 10: future, unknown source
    ]
    report = credit_import(source=credit_xlsx(rows), dry_run=False, actor=staff)
    assert (report.ok, report.written) == (False, False)
    assert [(e["row"], e["column"], e["message"]) for e in report.errors] == [
        (6, "姓名", f"姓名“王芳”与身份证号{li.id_number}对应的干部“李明”不一致"),
        (7, "学时", "学时“两”不是有效的数字"),
        (8, "身份证号", "身份证号110101199001011237在干部档案中没有找到"),
        (9, "课程/班次名称", "与第5行重复（同一人、同一课程、同一日期）"),
        (10, "日期", "日期2026-11-23晚于今天"),
        (10, "来源", "来源“线下”无法识别：请填写“网络培训”或“其他”，也可以不填"),
    ]
    assert [r.outcome for r in report.rows] == ["new"] * 4 + ["error"] * 5
    assert not CreditEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["credits.imported", "credit.imported"]).exists()


@pytest.mark.parametrize(
    ("value", "hours_error"),
    [
        ("0", "学时应大于0"),
        ("-2", "学时应大于0"),
        ("2.25", "学时最多保留一位小数"),
        ("551", "学时不能超过550"),
        ("", "请填写学时"),
    ],
)
def test_bad_hours_are_row_errors(cadres, staff, value, hours_error):
    li, _wang = cadres
    report = credit_import(
        source=credit_xlsx([(li.id_number, "李明", "党史专题", value, "2026-05-04", "", "")]),
        dry_run=False,
        actor=staff,
    )
    assert [(e["row"], e["column"], e["message"]) for e in report.errors] == [(2, "学时", hours_error)]


def test_missing_columns_are_reported_on_the_header(staff, cadres):
    report = credit_import(source=credit_xlsx([("x", "李明")], headers=("身份证号", "姓名")), dry_run=True, actor=staff)
    assert [(e["row"], e["column"]) for e in report.errors] == [(1, "课程/班次名称"), (1, "学时"), (1, "日期")]


def test_other_headers_for_the_same_columns_are_accepted(staff, cadres):
    li, _wang = cadres
    headers = ("身份证号", "姓名", "课程名称", "学时数", "培训日期")
    report = credit_import(
        source=credit_xlsx([(li.id_number, "李明", "党史", 3, "2026.5.4")], headers=headers), dry_run=False, actor=staff
    )
    assert (report.ok, report.new) == (True, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-03", date(2026, 5, 3)),
        ("2026/5/3", date(2026, 5, 3)),
        ("20260503", date(2026, 5, 3)),
        (20260503, date(2026, 5, 3)),
        ("2026年5月3日", date(2026, 5, 3)),
        ("2026-05-03 00:00:00", date(2026, 5, 3)),
        (date(2026, 5, 3), date(2026, 5, 3)),
        (datetime(2026, 5, 3, 8, 30), date(2026, 5, 3)),
        (46145, date(2026, 5, 3)),  # a date cell that lost its format: the spreadsheet's day number
    ],
)
def test_dates_as_people_and_spreadsheets_write_them(value, expected):
    assert parse_credit_date(value, today=TODAY) == expected


@pytest.mark.parametrize("value", ["2026-02-30", "5/3/2026", "2026-13-01", "明天", 2026.5])
def test_dates_that_are_not_dates(value):
    with pytest.raises(ValueError, match="不是有效的日期"):
        parse_credit_date(value, today=TODAY)


def test_the_pages_path_links_the_lines_to_their_batch(cadres, staff):
    li, wang = cadres
    upload = SimpleUploadedFile("学时.xlsx", credit_xlsx(good_rows(li, wang)))
    batch = import_batch_create(kind="training_credits", upload=upload, actor=staff)
    assert (batch.status, batch.preview["new"], batch.preview["errors"]) == (ImportBatch.Status.PREVIEWED, 4, [])
    committed = import_batch_commit(batch=batch, actor=staff)
    assert committed.status == ImportBatch.Status.COMMITTED
    assert set(CreditEntry.objects.values_list("import_batch", flat=True)) == {batch.pk}
    assert import_batch_commit(batch=committed, actor=staff).status == ImportBatch.Status.COMMITTED
    assert CreditEntry.objects.count() == 4


def test_only_those_who_may_add_credit_import(cadres, make_user):
    cadre_section = make_user(roles.CADRE_SECTION, username="ganbu")
    with pytest.raises(ApplicationError, match="您没有导入培训学时的权限"):
        import_batch_create(
            kind="training_credits", upload=SimpleUploadedFile("a.xlsx", credit_xlsx([])), actor=cadre_section
        )
    for role in (roles.TRAINING_SECTION, roles.SYSTEM_ADMIN):
        assert make_user(role).has_perm("training.add_creditentry")
    assert not make_user(roles.DEPARTMENT_LEADER).has_perm("training.add_creditentry")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_columns(fmt):
    content, _content_type = credit_template(fmt=fmt)
    sheet = read_spreadsheet(content)
    assert sheet.headers == ["身份证号", "姓名", "课程/班次名称", "学时", "日期", "主办单位", "来源"]
    assert sheet.rows == []
