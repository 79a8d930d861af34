"""Test helpers that build appraisal cycles, ballots and published histories through the services."""

from __future__ import annotations

import itertools
from datetime import date

import time_machine

from appraisal.models import AppraisalCycle, AppraisalGroup, AppraisalResult, Indicator, Rating
from appraisal.services import cycles, ratings
from appraisal.services.scores import score_enter
from tests.cadres.factories import make_cadre

_sequence = itertools.count(1)

# the day the clock stands still on (conftest's `frozen`), as in the training tests
TODAY = date(2026, 11, 22)

QUANT, QUAL = Indicator.Kind.QUANTITATIVE, Indicator.Kind.QUALITATIVE


def make_cycle(office, *, year: int = 2026, scope: str | None = None, indicator_weight=60, evaluation_weight=40):
    return cycles.cycle_create(
        year=year,
        scope=scope or f"测试考核{next(_sequence)}",
        indicator_weight=indicator_weight,
        evaluation_weight=evaluation_weight,
        actor=office,
    )


def make_group(cycle, office, cadres=(), *, name: str | None = None, weights=(60, 40)) -> AppraisalGroup:
    """An individual group with its cadres and indicators 工作实绩 (quantitative) and 德才表现 (qualitative) …"""
    group = cycles.group_create(cycle=cycle, name=name or f"考核组{next(_sequence)}", actor=office)
    if cadres:
        cycles.members_add(group=group, cadres=cadres, actor=office)
    for index, weight in enumerate(weights):
        cycles.indicator_add(
            group=group, name=f"指标{index + 1}", kind=QUANT if index == 0 else QUAL, weight=weight, actor=office
        )
    return group


def make_evaluation(cycle, office, *, voter_weights=(("A", "领导", 40), ("B", "同级", 30), ("C", "工作人员", 30))):
    """Voter groups and two elements: 工作实绩 60 and 政治素质 40, each marked out of 100."""
    groups = {
        code: cycles.voter_group_add(cycle=cycle, code=code, name=n, weight=w, actor=office)
        for code, n, w in voter_weights
    }
    elements = [
        cycles.element_add(cycle=cycle, name="工作实绩", weight=60, actor=office),
        cycles.element_add(cycle=cycle, name="政治素质", weight=40, actor=office),
    ]
    return groups, elements


def add_voter(voter_group, office, groups, *, user=None, name: str = ""):
    return cycles.voter_add(voter_group=voter_group, user=user, name=name, groups=groups, actor=office)


def score_all(group, office, scores: dict) -> None:
    """`scores` maps a member's cadre pk to the score of every indicator (or a list, one per indicator)."""
    indicators = list(group.indicators.all())
    for member in group.members.all():
        given = scores[member.cadre_id]
        values = given if isinstance(given, (list, tuple)) else [given] * len(indicators)
        for indicator, value in zip(indicators, values, strict=True):
            score_enter(indicator=indicator, member=member, score=value, actor=office)


def indicator_only_cycle(office, cadres, *, year: int = 2026, scores: dict | None = None):
    """A cycle counting indicators only (no democratic evaluation), one group of `cadres`, scored (the first cadre
    highest by default), in rating with ratings proposed."""
    cycle = make_cycle(office, year=year, indicator_weight=100, evaluation_weight=0)
    group = make_group(cycle, office, cadres, name="正职")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    score_all(group, office, scores or {c.pk: 99 - i for i, c in enumerate(cadres)})
    cycles.cycle_close_evaluation(cycle=cycle, actor=office)
    ratings.cycle_start_rating(cycle=cycle, actor=office)
    cycle.refresh_from_db()
    return cycle, group


def result_of(group, cadre) -> AppraisalResult:
    return AppraisalResult.objects.get(member__group=group, member__cadre=cadre)


def publish_year(office, year: int, ratings_by_cadre: dict, fillers=(), *, published_on: date | None = None):
    """A published cycle of `year` rating each cadre as given (the fillers 称职, so that the group is large enough
    for its 优秀), published on `published_on` (15 January of the next year by default)."""
    published_on = published_on or date(year + 1, 1, 15)
    people = [*ratings_by_cadre, *fillers]
    with time_machine.travel(published_on, tick=False):
        cycle, group = indicator_only_cycle(office, people, year=year)
        for cadre in people:
            rating = ratings_by_cadre.get(cadre, Rating.COMPETENT)
            ratings.rating_set(result=result_of(group, cadre), rating=rating, actor=office)
        ratings.cycle_publish(cycle=cycle, actor=office)
    return AppraisalCycle.objects.get(pk=cycle.pk)


def make_people(unit, count: int, prefix: str = "干部") -> list:
    return [make_cadre(unit, f"{prefix}{i + 1}") for i in range(count)]
