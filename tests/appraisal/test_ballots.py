"""Democratic evaluation: real-name ballots (one per voter per person, by the service and by the database), who may
fill them and when, who sees them; and the weighted evaluation and final scores worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from appraisal.models import Ballot
from appraisal.permissions import access_ballot, ballots_visible_to, members_to_evaluate
from appraisal.selectors import consequences
from appraisal.services import ballots, cycles, ratings
from appraisal.services.scores import score_enter
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import add_voter, make_cycle, make_evaluation, make_group, make_people, result_of

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def evaluation(office, unit, make_user):
    """A cycle (indicators 60%, evaluation 40%) of one group 正职 (X, Y, Z) and one group 副职 (W); voters a1 and a2
    (A 领导, 40), b1 (B 同级, 30) on 正职 only, c1 (C 工作人员, 30) on both groups; a1 and b1 vote online."""
    cycle = make_cycle(office)
    x, y, z, w = make_people(unit, 4, prefix="对象")
    group = make_group(cycle, office, [x, y, z], name="正职")
    deputies = make_group(cycle, office, [w], name="副职")
    voter_groups, elements = make_evaluation(cycle, office)
    users = {"a1": make_user(username="a1"), "b1": make_user(username="b1")}
    voters = {
        "a1": add_voter(voter_groups["A"], office, [group], user=users["a1"], name="甲一"),
        "a2": add_voter(voter_groups["A"], office, [group], name="甲二"),
        "b1": add_voter(voter_groups["B"], office, [group], user=users["b1"], name="乙一"),
        "c1": add_voter(voter_groups["C"], office, [group, deputies], name="丙一"),
    }
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    members = {c.name: group.members.get(cadre=c) for c in (x, y, z)} | {"对象4": deputies.members.get(cadre=w)}
    return {
        "cycle": cycle,
        "group": group,
        "elements": elements,
        "voters": voters,
        "users": users,
        "members": members,
        "people": (x, y, z, w),
    }


def _vote(e, voter, person, marks, office):
    scores = dict(zip(e["elements"], marks, strict=True))
    v, member = e["voters"][voter], e["members"][person]
    if v.user_id:
        return ballots.ballot_submit(voter=v, member=member, scores=scores, actor=e["users"][voter])
    return ballots.ballot_enter_paper(voter=v, member=member, scores=scores, actor=office)


def test_a_second_ballot_for_the_same_person_is_refused_in_chinese(evaluation, office):
    _vote(evaluation, "a1", "对象1", (90, 80), office)
    with pytest.raises(ApplicationError) as refused:
        _vote(evaluation, "a1", "对象1", (70, 70), office)
    assert refused.value.message == "甲一已对对象1投过测评票，每人只能投一票"
    with pytest.raises(ApplicationError, match="丙一已对对象1投过测评票"):
        _vote(evaluation, "c1", "对象1", (60, 60), office)
        _vote(evaluation, "c1", "对象1", (60, 60), office)
    assert Ballot.objects.filter(member=evaluation["members"]["对象1"]).count() == 2


def test_the_database_holds_one_ballot_per_voter_per_person(evaluation, office):
    first = _vote(evaluation, "a2", "对象2", (90, 80), office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(voter=first.voter, member=first.member, total=Decimal("50"), entered_by=office)


def test_a_voter_fills_only_their_own_ballot_on_people_in_their_scope_while_evaluation_is_open(evaluation, office):
    e = evaluation
    scores = dict(zip(e["elements"], (90, 80), strict=True))
    with pytest.raises(ApplicationError, match="只能填写本人的测评票"):
        ballots.ballot_submit(
            voter=e["voters"]["a1"], member=e["members"]["对象1"], scores=scores, actor=e["users"]["b1"]
        )
    with pytest.raises(ApplicationError, match="对象4不在测评人甲一的测评范围内"):
        _vote(e, "a1", "对象4", (90, 80), office)
    with pytest.raises(ApplicationError, match="“政治素质”得分不能超过100"):
        _vote(e, "a1", "对象1", (90, "100.01"), office)
    assert [m.cadre.name for m in members_to_evaluate(e["users"]["a1"], e["cycle"])] == ["对象1", "对象2", "对象3"]
    cycles.cycle_close_evaluation(cycle=e["cycle"], actor=office)
    with pytest.raises(ApplicationError, match="考核处于“计分”阶段，不能填写测评票"):
        _vote(e, "a1", "对象1", (90, 80), office)


def test_a_voter_sees_only_their_own_ballots_and_staff_see_all(evaluation, office, make_user):
    e = evaluation
    mine = _vote(e, "a1", "对象1", (90, 80), office)
    theirs = _vote(e, "b1", "对象1", (80, 80), office)
    paper = _vote(e, "a2", "对象1", (80, 70), office)
    assert list(ballots_visible_to(e["users"]["a1"])) == [mine]
    assert list(ballots_visible_to(e["users"]["b1"])) == [theirs]
    assert set(ballots_visible_to(office)) == {mine, theirs, paper}
    assert list(ballots_visible_to(make_user())) == []
    assert access_ballot(e["users"]["a1"], mine.pk) == mine
    with pytest.raises(Http404):
        access_ballot(e["users"]["a1"], theirs.pk)


def test_the_weighted_scores_worked_out_by_hand(evaluation, office):
    """Elements 工作实绩 60 and 政治素质 40 (marked out of 100); voter groups A 40, B 30, C 30; cycle 60/40.

    对象1: a1 (90, 80) → 54 + 32 = 86; a2 (80, 70) → 48 + 28 = 76; A's average 81. b1 (100, 90) → 96. No C ballot:
    C is left out and A and B count 40 : 30, so evaluation = (81×40 + 96×30) / 70 = 6120 / 70 = 87.428… → 87.43.
    Indicators 90 and 80 (weights 60, 40) → 86.00; final = 86 × 0.6 + 87.43 × 0.4 = 51.6 + 34.972 → 86.57.
    对象2: a1 (70, 60) → 66; b1 (80, 80) → 80; c1 (60, 50) → 56; evaluation = 66×0.4 + 80×0.3 + 56×0.3 = 67.2.
    Indicators 70 and 70 → 70; final = 42 + 26.88 = 68.88.
    对象3: a1 (60, 60) → 60, only A: evaluation 60. Indicators 60, 60 → 60; final 60. Ranks 1, 2, 3.
    对象4 (副职): no ballot at first — with the evaluation counting 40%, the computation names them; then c1's
    (50, 50) → 50, indicators 80, 80 → 80; final = 48 + 20 = 68, rank 1 of 1.
    """
    e = evaluation
    for voter, person, marks in (
        ("a1", "对象1", (90, 80)),
        ("a2", "对象1", (80, 70)),
        ("b1", "对象1", (100, 90)),
        ("a1", "对象2", (70, 60)),
        ("b1", "对象2", (80, 80)),
        ("c1", "对象2", (60, 50)),
        ("a1", "对象3", (60, 60)),
    ):
        _vote(e, voter, person, marks, office)
    assert Ballot.objects.get(voter=e["voters"]["a1"], member=e["members"]["对象1"]).total == Decimal("86")
    for person, marks in (("对象1", (90, 80)), ("对象2", (70, 70)), ("对象3", (60, 60)), ("对象4", (80, 80))):
        member = e["members"][person]
        for indicator, mark in zip(member.group.indicators.all(), marks, strict=True):
            score_enter(indicator=indicator, member=member, score=mark, actor=office)
    cycles.cycle_close_evaluation(cycle=e["cycle"], actor=office)
    with pytest.raises(ApplicationError, match="对象4还没有民主测评票（副职），无法计算综合得分"):
        ratings.results_compute(cycle=e["cycle"], actor=office)
    # evaluation reopened for the missing ballot: 对象4's evaluation is c1's alone, (50, 50) → 50
    cycles.cycle_step_back(cycle=e["cycle"], reason="补录测评票", actor=office)
    _vote(e, "c1", "对象4", (50, 50), office)
    cycles.cycle_close_evaluation(cycle=e["cycle"], actor=office)
    ratings.results_compute(cycle=e["cycle"], actor=office)
    x, y, z, _w = e["people"]
    figures = [
        (r.indicator_score, r.evaluation_score, r.final_score, r.rank, r.evaluation_rank)
        for r in (result_of(e["group"], c) for c in (x, y, z))
    ]
    assert figures == [
        (Decimal("86.00"), Decimal("87.43"), Decimal("86.57"), 1, 1),
        (Decimal("70.00"), Decimal("67.20"), Decimal("68.88"), 2, 2),
        (Decimal("60.00"), Decimal("60.00"), Decimal("60.00"), 3, 3),
    ]
    deputy = e["members"]["对象4"].result
    assert (deputy.evaluation_score, deputy.final_score, deputy.rank) == (Decimal("50.00"), Decimal("68.00"), 1)
    # published, the lowest-ranked in the democratic evaluation of 正职 is listed for a reminder talk
    ratings.cycle_start_rating(cycle=e["cycle"], actor=office)
    ratings.ratings_accept_proposed(cycle=e["cycle"], actor=office)
    ratings.cycle_publish(cycle=e["cycle"], actor=office)
    listed = [(c.cadre.name, c.action, c.rule) for c in consequences(2026)]
    assert listed == [("对象3", "提醒谈话", "2026年度民主测评在“正职”中排名靠后（第3名，3人，得分60.00）")]
