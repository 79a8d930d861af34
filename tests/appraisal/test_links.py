"""What the cadres app gets from appraisal: the 年度考核结果 line of the 任免审批表 and the 年度考核 qualification
check, both on the years published by the date asked about."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from appraisal.models import Rating
from cadres.approval_form import FormOptions, cadres_for_forms, render_forms_pdf
from cadres.extensions import CheckOutcome, QualificationContext, appraisal_summary, qualification_checks
from tests.appraisal.factories import make_people, publish_year
from tests.cadres.factories import make_cadre

pytestmark = pytest.mark.usefixtures("frozen")


def _check(cadre, on_date):
    check = next(c for c in qualification_checks() if c.code == "appraisal")
    assert check.label == "年度考核"
    return check.run(QualificationContext(cadre=cadre, target_level="", on_date=on_date))


@pytest.fixture
def history(office, unit):
    """2022 称职, 2023 优秀, 2024 称职, 2025 基本称职, each published on 15 January of the next year."""
    cadre = make_cadre(unit, "郑庚")
    fillers = make_people(unit, 4, prefix="同事")
    for year, rating in ((2022, Rating.COMPETENT), (2023, Rating.EXCELLENT), (2024, Rating.COMPETENT)):
        publish_year(office, year, {cadre: rating}, fillers)
    publish_year(office, 2025, {cadre: Rating.BASIC}, fillers)
    return cadre


def test_the_summary_line_names_the_last_three_years_published_by_the_date(history):
    assert appraisal_summary(history, date(2026, 1, 14)) == "2022年度称职，2023年度优秀，2024年度称职"
    assert appraisal_summary(history, date(2026, 1, 15)) == "2023年度优秀，2024年度称职，2025年度基本称职"
    assert appraisal_summary(history, date(2023, 1, 14)) == ""


def test_the_check_follows_the_last_published_year(history):
    passed = _check(history, date(2026, 1, 14))
    assert (passed.outcome, passed.reason) == (CheckOutcome.PASS, "2022年度称职，2023年度优秀，2024年度称职")
    warned = _check(history, date(2026, 1, 15))
    assert (warned.outcome, warned.reason) == (CheckOutcome.WARNING, "2025年度考核为基本称职")
    assert _check(history, date(2023, 1, 14)) is None


def test_an_incompetent_last_year_fails_the_check(office, unit):
    cadre = make_cadre(unit, "冯辛")
    publish_year(office, 2025, {cadre: Rating.INCOMPETENT}, make_people(unit, 4, prefix="同事"))
    failed = _check(cadre, date(2026, 3, 1))
    assert (failed.outcome, failed.reason, failed.passed) == (CheckOutcome.FAIL, "2025年度考核为不称职", False)
    assert _check(make_cadre(unit, "陈壬"), date(2026, 3, 1)) is None


def test_an_old_result_is_no_verdict_on_the_last_year(office, unit):
    cadre = make_cadre(unit, "褚癸")
    publish_year(office, 2023, {cadre: Rating.INCOMPETENT}, make_people(unit, 4, prefix="同事"))
    # on 1 March 2026 the last year is 2025 (2024 while 2025 is unpublished): 2023 is older than both
    assert _check(cadre, date(2025, 12, 31)).outcome == CheckOutcome.FAIL
    warned = _check(cadre, date(2026, 1, 1))
    assert (warned.outcome, warned.reason) == (
        CheckOutcome.WARNING,
        "最近的年度考核结果为2023年度不称职，缺少近年考核结果",
    )


def test_a_batch_of_forms_asks_for_the_appraisal_lines_once(office, unit):
    """The 年度考核结果 of every form of a batch comes from one query, whatever the number of forms."""
    people = make_people(unit, 5, prefix="同事")
    publish_year(office, 2025, {people[0]: Rating.EXCELLENT}, people[1:])

    def render(count):
        forms = [(c, FormOptions(age_on=date(2026, 3, 1))) for c in cadres_for_forms([p.pk for p in people[:count]])]
        with CaptureQueriesContext(connection) as queries:
            pdf = render_forms_pdf(forms, today=date(2026, 3, 1))
        return len(queries), pdf

    few, _pdf = render(1)
    many, pdf = render(3)
    assert few == many
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert text.count("2025年度优秀") == 1 and text.count("2025年度称职") == 2
