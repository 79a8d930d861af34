"""Leadership teams (班子) appraised as units and rated 好/较好/一般/较差."""

from __future__ import annotations

import pytest

from appraisal.models import AppraisalGroup, AppraisalResult, TeamRating
from appraisal.services import cycles, ratings
from appraisal.services.scores import score_enter
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import make_cycle
from tests.cadres.factories import make_unit

pytestmark = pytest.mark.usefixtures("frozen")


def test_teams_are_rated_and_publication_waits_for_every_team(office):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    group = cycles.group_create(cycle=cycle, name="班子", kind=AppraisalGroup.Kind.TEAM, actor=office)
    units = [make_unit("区财政局"), make_unit("区审计局")]
    cycles.members_add(group=group, units=units, actor=office)
    cycles.indicator_add(group=group, name="班子建设", kind="qualitative", weight=100, actor=office)
    with pytest.raises(ApplicationError, match="“班子”考核领导班子，只能加入单位"):
        cycles.members_add(group=group, cadres=[object()], actor=office)
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    for member, score in zip(group.members.order_by("pk"), (92, 80), strict=True):
        indicator = member.group.indicators.get()
        score_enter(indicator=indicator, member=member, score=score, actor=office)
    cycles.cycle_close_evaluation(cycle=cycle, actor=office)
    ratings.cycle_start_rating(cycle=cycle, actor=office)
    first, second = AppraisalResult.objects.filter(member__group=group).order_by("rank")
    assert (first.member.unit.name, first.rank, first.proposed_rating) == ("区财政局", 1, "")
    with pytest.raises(ApplicationError, match="领导班子请评定班子等次"):
        ratings.rating_set(result=first, rating="excellent", actor=office)
    ratings.team_rating_set(result=first, team_rating=TeamRating.GOOD, actor=office)
    with pytest.raises(ApplicationError, match="区审计局领导班子还没有评定等次"):
        ratings.cycle_publish(cycle=cycle, actor=office)
    ratings.team_rating_set(result=second, team_rating=TeamRating.FAIRLY_GOOD, actor=office)
    ratings.cycle_publish(cycle=cycle, actor=office)
    assert AppraisalResult.objects.get(pk=second.pk).get_team_rating_display() == "较好"
