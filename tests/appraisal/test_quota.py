"""The 优秀 quota (a setting, default 20% of the group, rounded down), in the proposals and when staff rate by hand;
and publication, which needs everyone rated."""

from __future__ import annotations

import pytest

from appraisal.models import AppraisalCycle, AppraisalResult, Rating
from appraisal.services import ratings
from appraisal.services.common import excellent_quota
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import indicator_only_cycle, make_people, result_of

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize(("size", "quota"), [(4, 0), (5, 1), (9, 1), (10, 2), (11, 2), (14, 2), (15, 3)])
def test_the_quota_is_20_percent_rounded_down(size, quota):
    assert excellent_quota(size) == quota


def test_the_quota_is_a_setting(settings):
    settings.ORGDEPT_APPRAISAL_EXCELLENT_PERCENT = 25
    assert (excellent_quota(3), excellent_quota(4), excellent_quota(11)) == (0, 1, 2)


def _proposed(group) -> list[str]:
    return list(
        AppraisalResult.objects.filter(member__group=group)
        .order_by("rank", "pk")
        .values_list("proposed_rating", flat=True)
    )


def test_eleven_people_get_two_excellent_proposed_and_a_third_is_refused_by_hand(office, unit):
    people = make_people(unit, 11)
    cycle, group = indicator_only_cycle(office, people)
    assert _proposed(group) == [Rating.EXCELLENT] * 2 + [Rating.COMPETENT] * 9
    assert [result_of(group, c).rank for c in people] == list(range(1, 12))
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    with pytest.raises(ApplicationError) as refused:
        ratings.rating_set(result=result_of(group, people[2]), rating=Rating.EXCELLENT, actor=office)
    assert refused.value.message == "“正职”共11人，优秀最多2人（20%，向下取整），已有2人评为优秀"
    # moving one 优秀 down frees the place
    ratings.rating_set(result=result_of(group, people[1]), rating=Rating.COMPETENT, actor=office)
    ratings.rating_set(result=result_of(group, people[2]), rating=Rating.EXCELLENT, actor=office)
    ratings.cycle_publish(cycle=cycle, actor=office)
    assert AppraisalCycle.objects.get(pk=cycle.pk).status == AppraisalCycle.Status.PUBLISHED


@pytest.mark.parametrize(("size", "excellent"), [(10, 2), (14, 2), (15, 3)])
def test_the_proposals_follow_the_quota(office, unit, size, excellent):
    _cycle, group = indicator_only_cycle(office, make_people(unit, size))
    assert _proposed(group).count(Rating.EXCELLENT) == excellent


def test_four_people_have_no_excellent_place(office, unit):
    people = make_people(unit, 4)
    _cycle, group = indicator_only_cycle(office, people)
    assert _proposed(group) == [Rating.COMPETENT] * 4
    with pytest.raises(ApplicationError, match="“正职”共4人，优秀最多0人"):
        ratings.rating_set(result=result_of(group, people[0]), rating=Rating.EXCELLENT, actor=office)


def test_people_tied_at_the_edge_of_the_quota_are_left_to_staff(office, unit):
    people = make_people(unit, 10)
    scores = {c.pk: 90 - i for i, c in enumerate(people)}
    scores[people[2].pk] = scores[people[1].pk]  # 2nd and 3rd tied for the last place
    _cycle, group = indicator_only_cycle(office, people, scores=scores)
    assert [result_of(group, c).rank for c in people[:4]] == [1, 2, 2, 4]
    assert [result_of(group, c).proposed_rating for c in people[:3]] == [
        Rating.EXCELLENT,
        Rating.COMPETENT,
        Rating.COMPETENT,
    ]
    assert result_of(group, people[1]).note == "与他人并列第2名，优秀名额不足，请人工评定"


def test_publication_needs_every_person_rated(office, unit):
    people = make_people(unit, 5)
    cycle, group = indicator_only_cycle(office, people)
    ratings.rating_set(result=result_of(group, people[0]), rating=Rating.EXCELLENT, actor=office)
    with pytest.raises(ApplicationError, match="干部2还没有评定等次"):
        ratings.cycle_publish(cycle=cycle, actor=office)


def test_only_holders_of_the_publish_permission_publish(office, unit, make_user):
    people = make_people(unit, 5)
    cycle, _group = indicator_only_cycle(office, people)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    with pytest.raises(ApplicationError, match="没有公布考核结果的权限"):
        ratings.cycle_publish(cycle=cycle, actor=make_user())
