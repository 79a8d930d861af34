"""Consequences over the years, on exact histories of published results, each with the rule that applies; talks."""

from __future__ import annotations

from datetime import date

import pytest

from appraisal.models import Rating, Talk
from appraisal.selectors import consequences
from appraisal.services import ratings
from appraisal.services.talks import talk_record
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import indicator_only_cycle, make_people, publish_year, result_of
from tests.cadres.factories import make_cadre

pytestmark = pytest.mark.usefixtures("frozen")
EXCELLENT, COMPETENT, BASIC, INCOMPETENT = Rating.EXCELLENT, Rating.COMPETENT, Rating.BASIC, Rating.INCOMPETENT


@pytest.fixture
def fillers(unit):
    """Four cadres rated 称职 every year, so that each year's group of five has one 优秀 place."""
    return make_people(unit, 4, prefix="同事")


def _history(office, cadre, fillers, ratings: dict[int, str]) -> None:
    for year, rating in sorted(ratings.items()):
        publish_year(office, year, {cadre: rating}, fillers)


def _listed(year: int) -> list[tuple[str, str, str]]:
    return [(c.cadre.name, c.action, c.rule) for c in consequences(year)]


def test_two_consecutive_incompetent_years_lead_to_dismissal_proceedings(office, unit, fillers):
    cadre = make_cadre(unit, "赵甲")
    _history(office, cadre, fillers, {2024: INCOMPETENT, 2025: INCOMPETENT})
    assert _listed(2025) == [
        ("赵甲", "降级或调整职务", "2025年度考核为不称职"),
        ("赵甲", "启动辞退或免职程序", "2024、2025年度连续两年考核为不称职"),
    ]
    assert _listed(2024) == [("赵甲", "降级或调整职务", "2024年度考核为不称职")]


@pytest.mark.parametrize("between", [COMPETENT, None], ids=["a competent year between", "a year not appraised"])
def test_incompetent_years_that_are_not_consecutive_lead_to_demotion_only(office, unit, fillers, between):
    cadre = make_cadre(unit, "钱乙")
    history = {2023: INCOMPETENT, 2025: INCOMPETENT}
    if between:
        history[2024] = between
    _history(office, cadre, fillers, history)
    assert _listed(2025) == [("钱乙", "降级或调整职务", "2025年度考核为不称职")]


def test_three_consecutive_excellent_years_earn_a_merit(office, unit, fillers):
    cadre = make_cadre(unit, "孙丙")
    _history(office, cadre, fillers, {2023: EXCELLENT, 2024: EXCELLENT, 2025: EXCELLENT})
    assert _listed(2025) == [("孙丙", "记三等功", "2023至2025年度连续三年考核为优秀")]
    assert _listed(2024) == []


def test_the_merit_is_earned_once_per_three_excellent_years(office, unit, fillers):
    cadre = make_cadre(unit, "孙丙")
    years = dict.fromkeys(range(2020, 2026), EXCELLENT)  # six years in a row: 2020–2025
    _history(office, cadre, fillers, years)
    assert _listed(2022) == [("孙丙", "记三等功", "2020至2022年度连续三年考核为优秀")]
    # the fourth and fifth years start the next three; the sixth completes them
    assert _listed(2023) == [] and _listed(2024) == []
    assert _listed(2025) == [("孙丙", "记三等功", "2023至2025年度连续三年考核为优秀")]


def test_three_excellent_years_broken_by_a_competent_year_earn_nothing(office, unit, fillers):
    cadre = make_cadre(unit, "李丁")
    _history(office, cadre, fillers, {2022: EXCELLENT, 2023: EXCELLENT, 2024: COMPETENT, 2025: EXCELLENT})
    assert _listed(2025) == []
    assert _listed(2023) == []


def test_basically_competent_leads_to_an_admonishment_talk_which_is_recorded(office, unit, fillers):
    cadre = make_cadre(unit, "周戊")
    cycle = publish_year(office, 2025, {cadre: BASIC}, fillers)
    assert _listed(2025) == [("周戊", "诫勉谈话", "2025年度考核为基本称职")]
    talk = talk_record(
        cadre=cadre,
        kind=Talk.Kind.ADMONISHMENT,
        held_on=date(2026, 2, 3),
        held_by="区委组织部副部长",
        notes="指出问题，提出整改要求",
        cycle=cycle,
        actor=office,
    )
    assert (talk.get_kind_display(), talk.held_on, talk.recorded_by) == ("诫勉谈话", date(2026, 2, 3), office)
    with pytest.raises(ApplicationError, match="谈话日期2026-11-23晚于今天"):
        talk_record(cadre=cadre, kind=Talk.Kind.REMINDER, held_on=date(2026, 11, 23), held_by="部长", actor=office)


def test_only_published_cycles_count(office, unit, fillers):
    cadre = make_cadre(unit, "吴己")
    _cycle, group = indicator_only_cycle(office, [cadre, *fillers], year=2026)
    ratings.rating_set(result=result_of(group, cadre), rating=BASIC, actor=office)
    assert _listed(2026) == []
