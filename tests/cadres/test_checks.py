"""The built-in qualification checks: work years and education for promotions (central numbers for 正处级/副处级,
local settings for 正科级/副科级), the retirement age for every appointment."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from cadres.checks import (
    BUILT_IN_CHECKS,
    check_education,
    check_retirement_age,
    check_work_years,
    format_age,
    retirement_age_months,
    retirement_month,
)
from cadres.extensions import CheckOutcome, QualificationContext, qualification_checks
from cadres.models import Cadre, Rank
from cadres.selectors import cadre_qualification_results
from cadres.services import EducationEntry
from tests.cadres.factories import make_cadre, make_unit

MALE, FEMALE = Cadre.Gender.MALE, Cadre.Gender.FEMALE
CODES = {check.code for check in BUILT_IN_CHECKS}


def context(cadre, *, on: date, level: str = Rank.FU_CHU, promotion: bool | None = None) -> QualificationContext:
    return QualificationContext(cadre=cadre, target_level=level, on_date=on, promotion=promotion)


def file(**fields) -> Cadre:
    """An unsaved cadre file: the checks only read its fields."""
    defaults = {"gender": MALE, "birth_month": date(1980, 5, 1), "education": "大学", "work_started_month": None}
    return Cadre(**{**defaults, **fields})


# --- retirement_month: the 2025 gradual rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "gender", "age", "retires"),
    [
        # men: 60 for those born before 1965; one month more per four months of birth from 1965-01; at most 63
        (date(1964, 12, 1), MALE, "60岁", date(2024, 12, 1)),
        (date(1965, 1, 1), MALE, "60岁1个月", date(2025, 2, 1)),
        (date(1965, 4, 1), MALE, "60岁1个月", date(2025, 5, 1)),
        (date(1965, 5, 1), MALE, "60岁2个月", date(2025, 7, 1)),
        (date(1971, 1, 1), MALE, "61岁7个月", date(2032, 8, 1)),
        (date(1976, 8, 1), MALE, "62岁11个月", date(2039, 7, 1)),
        (date(1976, 9, 1), MALE, "63岁", date(2039, 9, 1)),
        (date(1990, 6, 1), MALE, "63岁", date(2053, 6, 1)),
        # women cadres: 55 for those born before 1970; the same steps from 1970-01; at most 58
        (date(1969, 12, 1), FEMALE, "55岁", date(2024, 12, 1)),
        (date(1970, 1, 1), FEMALE, "55岁1个月", date(2025, 2, 1)),
        (date(1970, 4, 1), FEMALE, "55岁1个月", date(2025, 5, 1)),
        (date(1970, 5, 1), FEMALE, "55岁2个月", date(2025, 7, 1)),
        (date(1981, 8, 1), FEMALE, "57岁11个月", date(2039, 7, 1)),
        (date(1981, 9, 1), FEMALE, "58岁", date(2039, 9, 1)),
        (date(1995, 2, 1), FEMALE, "58岁", date(2053, 2, 1)),
    ],
)
def test_retirement_month_follows_the_gradual_schedule(born, gender, age, retires):
    assert format_age(retirement_age_months(born, gender)) == age
    assert retirement_month(born, gender) == retires


def test_retirement_month_ignores_the_day_of_a_full_birth_date():
    assert retirement_month(date(1965, 4, 30), MALE) == date(2025, 5, 1)


def test_every_cohort_retires_no_earlier_than_the_one_before():
    for gender, first in ((MALE, 1960), (FEMALE, 1965)):
        months = [date(first + i // 12, i % 12 + 1, 1) for i in range(12 * 25)]
        retires = [retirement_month(m, gender) for m in months]
        assert retires == sorted(retires)
        ages = [retirement_age_months(m, gender) for m in months]
        assert all(0 <= later - earlier <= 1 for earlier, later in itertools.pairwise(ages))


# --- work years --------------------------------------------------------------------------------------


def test_four_years_eleven_months_of_work_fails():
    result = check_work_years(context(file(work_started_month=date(2021, 7, 1)), on=date(2026, 6, 30)))
    assert result.outcome == CheckOutcome.FAIL
    assert not result.passed
    assert "4年11个月" in result.reason
    assert "不足5年" in result.reason


def test_five_years_of_work_passes():
    result = check_work_years(context(file(work_started_month=date(2021, 7, 1)), on=date(2026, 7, 1)))
    assert result.outcome == CheckOutcome.PASS
    assert result.reason == "2021.07参加工作，至今5年，具有5年以上工作经历"


def test_missing_work_start_is_a_warning():
    result = check_work_years(context(file(work_started_month=None), on=date(2026, 7, 1)))
    assert result.outcome == CheckOutcome.WARNING
    assert result.passed
    assert "未填写参加工作时间" in result.reason


# --- education -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("education", "outcome"),
    [
        ("研究生", CheckOutcome.PASS),
        ("大学", CheckOutcome.PASS),
        ("大专", CheckOutcome.PASS),
        ("中专", CheckOutcome.FAIL),
        ("高中及以下", CheckOutcome.FAIL),
        ("", CheckOutcome.WARNING),
    ],
)
def test_education_needs_college_or_above(education, outcome):
    result = check_education(context(file(education=education), on=date(2026, 7, 1)))
    assert result.outcome == outcome
    if outcome == CheckOutcome.FAIL:
        assert result.reason == f"学历为{education}，提拔担任县处级领导职务一般应当具有大学专科以上文化程度"


# --- age against the retirement age -------------------------------------------------------------------------

# born 1966-03: 60 years and 4 months, reached in 2026-07
NEAR_RETIREMENT = {"gender": MALE, "birth_month": date(1966, 3, 1)}


def test_two_years_or_more_before_retirement_passes():
    result = check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2024, 7, 1)))
    assert result.outcome == CheckOutcome.PASS
    assert result.reason == "距法定退休年龄60岁4个月（2026.07）还有2年"


def test_less_than_two_years_before_retirement_is_a_warning():
    result = check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2024, 7, 2)))
    assert result.outcome == CheckOutcome.WARNING
    assert result.reason == "距法定退休年龄60岁4个月（2026.07）仅剩1年11个月，不足2年"


def test_the_month_of_retirement_fails():
    assert check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2026, 6, 30))).outcome == CheckOutcome.WARNING
    result = check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2026, 7, 1)))
    assert result.outcome == CheckOutcome.FAIL
    assert result.reason == "已达到法定退休年龄60岁4个月（2026.07）"


def test_women_cadres_retire_by_their_own_schedule():
    # born 1971-05 (16 months after 1970-01: the fifth step): 55 years and 5 months, reached in 2026-10
    cadre = file(gender=FEMALE, birth_month=date(1971, 5, 1))
    assert check_retirement_age(context(cadre, on=date(2026, 10, 1))).outcome == CheckOutcome.FAIL
    assert "55岁5个月（2026.10）" in check_retirement_age(context(cadre, on=date(2026, 1, 1))).reason


def test_the_warning_period_is_a_setting(settings):
    settings.ORGDEPT_RETIREMENT_WARNING_MONTHS = 36
    result = check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2024, 7, 1)))
    assert result.outcome == CheckOutcome.WARNING
    assert result.reason.endswith("不足3年")


# --- registry and selector ----------------------------------------------------------------------------


def test_the_checks_are_registered():
    registered = {check.code: check for check in qualification_checks()}
    assert registered.keys() >= CODES
    assert [c.code for c in qualification_checks() if c.code in CODES] == ["work_years", "education", "retirement_age"]


@pytest.mark.parametrize(
    ("started", "on", "outcome"),
    [(date(2023, 7, 1), date(2026, 6, 30), CheckOutcome.FAIL), (date(2023, 7, 1), date(2026, 7, 1), CheckOutcome.PASS)],
)
def test_section_level_promotions_need_the_local_years_of_work(started, on, outcome):
    result = check_work_years(context(file(work_started_month=started), on=on, level=Rank.ZHENG_KE))
    assert result.outcome == outcome
    if outcome == CheckOutcome.FAIL:
        assert result.reason == (
            "2023.07参加工作，至今2年11个月，不足3年（提拔担任乡科级（本地规定）领导职务应当具有3年以上工作经历）"
        )


def test_section_level_numbers_are_settings(settings):
    cadre = file(work_started_month=date(2025, 1, 1), education="中专")
    assert check_education(context(cadre, on=date(2026, 7, 1), level=Rank.FU_KE)).outcome == CheckOutcome.FAIL
    settings.ORGDEPT_SECTION_LEVEL_RULES = {"work_months": "0", "education": "中专"}
    assert check_work_years(context(cadre, on=date(2026, 7, 1), level=Rank.FU_KE)) is None
    assert check_education(context(cadre, on=date(2026, 7, 1), level=Rank.FU_KE)).outcome == CheckOutcome.PASS
    settings.ORGDEPT_SECTION_LEVEL_RULES = {"education": ""}
    assert check_education(context(cadre, on=date(2026, 7, 1), level=Rank.FU_KE)) is None


@pytest.mark.parametrize("level", [Rank.DIAOYANYUAN_1, ""])
def test_official_ranks_are_not_judged_for_experience(level):
    cadre = file(work_started_month=date(2025, 1, 1), education="中专")
    assert check_work_years(context(cadre, on=date(2026, 7, 1), level=level)) is None
    assert check_education(context(cadre, on=date(2026, 7, 1), level=level)) is None


@pytest.mark.parametrize("level", [Rank.FU_CHU, Rank.ZHENG_KE])
def test_a_move_that_is_no_promotion_is_judged_for_age_only(level):
    cadre = file(work_started_month=date(2025, 1, 1), education="中专", **NEAR_RETIREMENT)
    on = date(2026, 7, 1)
    assert check_work_years(context(cadre, on=on, level=level, promotion=False)) is None
    assert check_education(context(cadre, on=on, level=level, promotion=False)) is None
    assert check_retirement_age(context(cadre, on=on, level=level, promotion=False)).outcome == CheckOutcome.FAIL


@pytest.mark.parametrize("level", [Rank.ZHENG_KE, Rank.FU_KE, Rank.DIAOYANYUAN_1, ""])
def test_the_retirement_age_binds_every_level(level):
    result = check_retirement_age(context(file(**NEAR_RETIREMENT), on=date(2026, 7, 1), level=level))
    assert result.reason == "已达到法定退休年龄60岁4个月（2026.07）"


def test_cadre_qualification_results_runs_the_checks_on_a_cadre_file(db):
    unit = make_unit("区发展和改革局")
    cadre = make_cadre(
        unit,
        "王平",
        born=date(1966, 3, 9),
        work_started_month=date(1988, 8, 1),
        full_time=EducationEntry(education="中专"),
    )
    results = {r.code: r for r in cadre_qualification_results(cadre, Rank.FU_CHU, date(2026, 1, 15)) if r.code in CODES}
    assert results["work_years"].outcome == CheckOutcome.PASS
    assert results["education"].outcome == CheckOutcome.FAIL
    assert results["retirement_age"].outcome == CheckOutcome.WARNING
    assert "2026.07" in results["retirement_age"].reason
    section = {
        r.code: r for r in cadre_qualification_results(cadre, Rank.ZHENG_KE, date(2026, 1, 15)) if r.code in CODES
    }
    assert {code: r.outcome for code, r in section.items()} == {
        "work_years": CheckOutcome.PASS,
        "education": CheckOutcome.FAIL,
        "retirement_age": CheckOutcome.WARNING,
    }
