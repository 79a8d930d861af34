"""The rules of procedure with their exact numbers: quorum, passing on 应到会, 差额票决, reconsideration."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from meetings.models import MeetingType, TopicCategory
from meetings.rules import (
    at_least,
    competitive_vote,
    fewest_at_least,
    fewest_more_than,
    more_than,
    passing,
    quorum,
    reconsideration,
)


@pytest.fixture
def plenary(db) -> MeetingType:
    return MeetingType.objects.get(code=MeetingType.Code.PLENARY)


@pytest.fixture
def standing(db) -> MeetingType:
    return MeetingType.objects.get(code=MeetingType.Code.STANDING)


def test_the_seeded_types_decide_what_seed_000_says(db):
    scope = {t.code: t.scope.count() for t in MeetingType.objects.all()}
    assert scope == {"secretaries": 5, "standing": 13, "plenary": 7, "joint": 3}
    secretaries = MeetingType.objects.get(code="secretaries")
    assert not secretaries.decides and secretaries.voting_roles == []
    plenary = MeetingType.objects.get(code="plenary")
    assert plenary.voting_roles == ["secretary", "deputy_secretary", "standing_member", "member"]
    assert plenary.nonvoting_roles == ["alternate"]  # alternates attend without a vote
    assert (plenary.cadence_count, plenary.cadence_period, plenary.secret_ballot) == (4, "year", True)
    assert plenary.cadre_vote_options == ["同意", "不同意", "弃权"]
    standing = MeetingType.objects.get(code="standing")
    assert (standing.cadence_count, standing.cadence_period, standing.cadence_gap_days) == (2, "month", 15)
    assert standing.cadre_vote_options == ["同意", "不同意", "缓议"]
    # the items the plenary must decide are routed there only
    plenary_only = set(TopicCategory.objects.filter(plenary_only=True).values_list("name", flat=True))
    assert {"区管中层正职领导干部任免", "市管后备干部推荐", "公推公选重要区管职位人选表决"} <= plenary_only
    for category in TopicCategory.objects.filter(plenary_only=True):
        assert list(category.meeting_types.values_list("code", flat=True)) == ["plenary"]


@pytest.mark.parametrize(
    ("present", "met"),
    [(26, False), (27, True), (40, True)],
)
def test_a_40_member_plenary_takes_a_cadre_item_with_27_present_not_26(plenary, present, met):
    result = quorum(plenary, expected=40, present=present, cadre_item=True)
    assert (result.needed, result.met) == (27, met)
    assert result.rule == "讨论决定干部任免事项，应到会成员40人，须有三分之二以上即至少27人到会"


@pytest.mark.parametrize(("present", "met"), [(20, False), (21, True)])
def test_a_meeting_needs_more_than_half_present(plenary, present, met):
    result = quorum(plenary, expected=40, present=present, cadre_item=False)
    assert (result.needed, result.met) == (21, met)


def test_two_thirds_of_a_multiple_of_three_is_reached_exactly(standing):
    # 11 standing members: 2/3 is 7.33, so 8; with 12, exactly 8 suffices
    assert quorum(standing, expected=11, present=7, cadre_item=True).met is False
    assert quorum(standing, expected=11, present=8, cadre_item=True).met is True
    assert quorum(standing, expected=12, present=8, cadre_item=True).met is True
    assert quorum(standing, expected=12, present=7, cadre_item=True).met is False


@pytest.mark.parametrize("present", [21, 27, 33, 40])
def test_21_votes_in_favour_pass_and_20_do_not_whatever_the_attendance(plenary, present):
    assert passing(plenary, expected=40, votes_for=21).passed is True
    assert passing(plenary, expected=40, votes_for=20).passed is False
    result = passing(plenary, expected=40, votes_for=21)
    assert result.rule == "赞成票超过应到会成员40人的半数，即至少21票为通过"


def test_half_of_an_odd_number(standing):
    # 11 members: more than half is 6
    assert passing(standing, expected=11, votes_for=5).passed is False
    assert passing(standing, expected=11, votes_for=6).passed is True


def test_reconsideration_needs_more_than_half_of_all_members(plenary):
    assert reconsideration(plenary, all_members=40, votes_for=20).passed is False
    assert reconsideration(plenary, all_members=40, votes_for=21).passed is True


def test_whole_number_comparisons():
    assert more_than(21, 40, 1, 2) and not more_than(20, 40, 1, 2)
    assert at_least(27, 40, 2, 3) and not at_least(26, 40, 2, 3)
    assert at_least(8, 12, 2, 3)
    assert (fewest_more_than(40, 1, 2), fewest_more_than(41, 1, 2)) == (21, 21)
    assert (fewest_at_least(40, 2, 3), fewest_at_least(39, 2, 3), fewest_at_least(0, 2, 3)) == (27, 26, 0)


def test_competitive_vote_takes_the_top_n_among_those_who_pass(plenary):
    # 2 posts, 4 candidates, 40 members should attend: at least 21 votes to win
    result = competitive_vote(plenary, expected=40, posts=2, votes={"甲": 30, "乙": 22, "丙": 25, "丁": 12})
    assert result.needed == 21
    assert result.winners == ["甲", "丙"] and result.complete
    assert [c for c, _n in result.ranking] == ["甲", "丙", "乙", "丁"]


def test_competitive_vote_a_tie_at_the_threshold_does_not_win(plenary):
    # 乙 and 丙 have 20 each: exactly half of 40 is not more than half, so only 甲 wins; one post stays open
    result = competitive_vote(plenary, expected=40, posts=2, votes={"甲": 26, "乙": 20, "丙": 20})
    assert result.winners == ["甲"] and result.tied == [] and result.complete
    assert result.open_posts == 1


def test_competitive_vote_a_tie_for_the_last_post_goes_to_another_ballot(plenary):
    result = competitive_vote(plenary, expected=40, posts=2, votes={"甲": 30, "乙": 24, "丙": 24, "丁": 10})
    assert result.winners == ["甲"]
    assert result.tied == ["乙", "丙"] and not result.complete and result.open_posts == 1
    # when the tied candidates all fit, they all win
    result = competitive_vote(plenary, expected=40, posts=3, votes={"甲": 30, "乙": 24, "丙": 24, "丁": 10})
    assert result.winners == ["甲", "乙", "丙"] and result.complete


def test_competitive_vote_needs_more_candidates_than_posts(plenary):
    with pytest.raises(ValueError, match="候选人须多于职位数"):
        competitive_vote(plenary, expected=40, posts=2, votes={"甲": 30, "乙": 24})


def test_the_database_refuses_a_quorum_of_a_whole_or_more(plenary):
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingType.objects.filter(pk=plenary.pk).update(quorum_num=2, quorum_den=2)
