"""The 教育培训 qualification check registered by the training app in the cadres registry: PASS with the figures
when the cadre's requirement is met on the day, WARNING with the shortfall and the one-year deadline otherwise,
nothing for a cadre without a rank."""

from __future__ import annotations

from datetime import date

import pytest

from cadres.extensions import CheckOutcome, QualificationContext, qualification_checks, qualification_checks_run
from cadres.models import Rank
from tests.cadres.factories import make_cadre
from tests.training.factories import COUNTY, SECTION, TODAY, online
from training.checks import check_training

pytestmark = pytest.mark.usefixtures("frozen")


def context(cadre, level=Rank.ZHENG_CHU, on=TODAY):
    return QualificationContext(cadre=cadre, target_level=level, on_date=on)


def test_the_check_is_registered_in_the_cadres_registry():
    registered = {check.code: check for check in qualification_checks()}
    assert registered["training"].label == "教育培训"


def test_a_met_requirement_passes_with_the_figures(unit, staff):
    cadre = make_cadre(unit, "李明", rank=COUNTY)
    online(cadre, staff, 300, date(2024, 6, 1))
    online(cadre, staff, 260, date(2025, 6, 1))
    result = check_training(context(cadre))
    assert (result.code, result.label, result.outcome) == ("training", "教育培训", CheckOutcome.PASS)
    assert result.reason == "近5年累计学时560/550，达到县处级以上领导干部每5年累计不少于550学时的要求"


def test_a_shortfall_warns_with_the_figures_and_the_deadline_a_year_after(unit, staff):
    cadre = make_cadre(unit, "李明", rank=COUNTY)
    online(cadre, staff, 540, date(2024, 6, 1))
    result = check_training(context(cadre))
    assert result.outcome == CheckOutcome.WARNING
    assert result.passed
    assert result.reason == (
        "近5年累计学时540/550，尚差10学时（县处级以上领导干部每5年累计不少于550学时）；"
        "须在任职后一年内（2027-11-22前）补足"
    )


def test_a_section_level_cadre_is_judged_on_the_calendar_year(unit, staff):
    cadre = make_cadre(unit, "王芳", rank=SECTION)
    online(cadre, staff, "95.5", date(2026, 3, 1))
    result = check_training(context(cadre, level=Rank.FU_CHU))
    assert (result.outcome, result.reason) == (
        CheckOutcome.PASS,
        "2026年度学时95.5/90，达到乡科级及以下干部每年不少于90学时的要求",
    )
    on_leap_day = check_training(context(cadre, level=Rank.FU_CHU, on=date(2028, 2, 29)))
    assert on_leap_day.reason == (
        "2028年度学时0/90，尚差90学时（乡科级及以下干部每年不少于90学时）；须在任职后一年内（2029-02-28前）补足"
    )


def test_no_rank_no_result(unit):
    cadre = make_cadre(unit, "无职级")
    assert check_training(context(cadre)) is None
    assert "training" not in {r.code for r in qualification_checks_run(context(cadre))}


def test_a_move_known_not_to_be_a_promotion_is_not_judged(unit, staff):
    cadre = make_cadre(unit, "李明", rank=COUNTY)
    lateral = QualificationContext(cadre=cadre, target_level=Rank.FU_CHU, on_date=TODAY, promotion=False)
    assert check_training(lateral) is None
    unknown = QualificationContext(cadre=cadre, target_level=Rank.FU_CHU, on_date=TODAY, promotion=None)
    assert check_training(unknown).outcome == CheckOutcome.WARNING
