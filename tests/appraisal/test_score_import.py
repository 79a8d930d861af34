"""Indicator scores imported from a spreadsheet: a preview of every row, then all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from appraisal.imports import COLUMNS, score_import
from appraisal.models import IndicatorScore
from appraisal.services import cycles
from orgdept.core.imports import import_kind
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import make_cycle, make_group, make_people

pytestmark = pytest.mark.usefixtures("frozen")


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def scored(office, unit):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    people = make_people(unit, 2)
    make_group(cycle, office, people, name="正职")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    return cycle, people


def test_a_file_with_one_bad_row_writes_nothing(scored, office):
    cycle, (a, b) = scored
    content = _xlsx([(a.id_number, a.name, "指标1", 90), (b.id_number, b.name, "指标1", "100.5")])
    report = score_import(source=content, dry_run=False, actor=office, params={"cycle": cycle.pk})
    assert report.errors == [{"row": 3, "column": "得分", "message": "得分不能超过100"}]
    assert not report.written
    assert IndicatorScore.objects.count() == 0


def test_preview_then_commit_then_the_same_file_again_changes_nothing(scored, office):
    cycle, (a, _b) = scored
    content = _xlsx([(a.id_number, a.name, "指标1", 90), (a.id_number, a.name, "指标2", "85.5")])
    preview = score_import(source=content, dry_run=True, actor=office, params={"cycle": cycle.pk})
    assert (preview.new, preview.errors, IndicatorScore.objects.count()) == (2, [], 0)
    assert import_kind("appraisal_scores").may_import(office)
    done = score_import(source=content, dry_run=False, actor=office, params={"cycle": cycle.pk})
    assert done.written
    assert sorted(IndicatorScore.objects.values_list("indicator__name", "score")) == [
        ("指标1", Decimal("90.00")),
        ("指标2", Decimal("85.50")),
    ]
    again = score_import(source=content, dry_run=True, actor=office, params={"cycle": cycle.pk})
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_a_name_not_matching_the_id_and_an_unknown_indicator_are_named(scored, office):
    cycle, (a, _b) = scored
    content = _xlsx([(a.id_number, "张冠", "指标1", 90), (a.id_number, a.name, "创新", 90)])
    report = score_import(source=content, dry_run=True, actor=office, params={"cycle": cycle.pk})
    assert [e["message"] for e in report.errors] == [
        f"姓名“张冠”与身份证号{a.id_number}对应的干部“干部1”不一致",
        "“正职”没有考核指标“创新”",
    ]


def test_the_commit_writes_through_the_scores_service_each_change_audited_with_the_import(scored, office):
    cycle, (a, b) = scored
    first = _xlsx([(a.id_number, a.name, "指标1", 90), (b.id_number, b.name, "指标1", 80)])
    score_import(source=first, dry_run=False, actor=office, params={"cycle": cycle.pk}, source_name="一.xlsx")
    again = _xlsx([(a.id_number, a.name, "指标1", 90), (b.id_number, b.name, "指标1", "80.5")])
    report = score_import(source=again, dry_run=False, actor=office, params={"cycle": cycle.pk}, source_name="二.xlsx")
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    imports = list(AuditEvent.objects.filter(action="appraisal_scores.imported").order_by("pk"))
    assert [(e.object_id, e.details["file"], e.details["new"], e.details["updated"]) for e in imports] == [
        (str(cycle.pk), "一.xlsx", 2, 0),
        (str(cycle.pk), "二.xlsx", 0, 1),
    ]
    scores = AuditEvent.objects.filter(action="appraisal_score.entered").order_by("pk")
    assert [(e.object_repr, e.details) for e in scores] == [
        ("干部1", {"cycle": cycle.pk, "indicator": "指标1", "score": ["", "90"], "import": imports[0].pk}),
        ("干部2", {"cycle": cycle.pk, "indicator": "指标1", "score": ["", "80"], "import": imports[0].pk}),
        ("干部2", {"cycle": cycle.pk, "indicator": "指标1", "score": ["80", "80.5"], "import": imports[1].pk}),
    ]
    assert IndicatorScore.objects.get(member__cadre=b).score == Decimal("80.50")
