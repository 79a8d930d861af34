"""Votes through the services with a 40-member 全委会 (and its 5 alternates): the 2/3 quorum of cadre items, passing
on 应到会 whatever the attendance, who may vote, 差额票决, paper ballots entered twice, duplicates refused by the
database, reconsideration and the follow-up of a decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees.models import TermMember
from committees.selectors import Responsibility
from committees.services import leave_record
from meetings.models import AgendaItem, FollowUp, ItemResult, MeetingType, Topic, Vote
from meetings.services import meetings as services
from meetings.services import votes
from meetings.services.rules import meeting_type_update
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from tests.cadres.factories import make_cadre, make_unit
from tests.committees.test_responsibility import build_board
from tests.meetings.factories import (
    CADRE_PLENARY,
    CADRE_STANDING,
    PARTY_BUILDING,
    SECRETARIES,
    full_members_of,
    make_committee_term,
    make_meeting,
    make_topic,
    standing_of,
)

R = TermMember.Role
Outcome = AgendaItem.Outcome
FOR, AGAINST, ABSTAIN = "同意", "不同意", "弃权"


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def staff2(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")


@pytest.fixture
def plenary(db):
    """The 1st term with 40 members (11 on the standing committee) and 5 alternates."""
    term, seats = make_committee_term(standing=11, members=40, alternates=5)
    return term, seats


def in_session(meeting, present, actor):
    """Takes attendance (the `present` members present, everyone else away on business) and opens the meeting."""
    present_pks = {m.pk for m in present}
    reasons = {a.member_id: "出差" for a in meeting.attendances.all() if a.member_id not in present_pks}
    services.attendance_take(meeting=meeting, present=present_pks, reasons=reasons, actor=actor)
    return services.meeting_open(meeting=meeting, actor=actor)


def candidate(name: str, post: str = "区发展和改革局局长"):
    return (make_cadre(make_unit(f"{name}所在单位"), name), f"拟任{post}")


def plenary_cadre_item(term, staff, *names: str, posts: int | None = None):
    topic = make_topic(
        term,
        actor=staff,
        category=CADRE_PLENARY,
        type_code="plenary",
        title="关于公推公选区管职位人选的议题",
        cadres=[candidate(n) for n in names or ("候选人甲",)],
        posts=posts,
    )
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    return meeting, meeting.items.get()


def plenary_item(term, staff):
    """A matter (not about cadres) the plenary votes on openly: 同意 / 不同意 / 弃权."""
    topic = make_topic(term, actor=staff, category=PARTY_BUILDING, type_code="plenary", title="关于加强党的建设的决定")
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    return meeting, meeting.items.get()


def enter_twice(item, first, second, *, present: int, counts: dict):
    for actor in (first, second):
        votes.tally_enter(
            item=item, actor=actor, ballots_issued=present, ballots_returned=present, ballots_invalid=0, counts=counts
        )


def cadre_counts(item, favour: dict[str, int], present: int) -> dict:
    """Tally counts by cadre name: `favour` 同意, the rest of the ballots 不同意."""
    rows = {row.cadre.name: row.pk for row in item.topic.cadres.select_related("cadre")}
    return {str(rows[name]): {FOR: n, AGAINST: present - n, ABSTAIN: 0} for name, n in favour.items()}


# --- the quorum of a cadre item: at least 2/3 of the 40 ---------------------------------------------------------


@pytest.mark.parametrize(("present", "allowed"), [(26, False), (27, True)])
def test_a_cadre_item_needs_27_of_the_40_present(plenary, staff, present, allowed):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff)
    in_session(meeting, full_members_of(seats)[:present], staff)

    if allowed:
        item = votes.voting_open(item=item, actor=staff)
        assert item.outcome == Outcome.VOTING
    else:
        with pytest.raises(ApplicationError) as refused:
            votes.voting_open(item=item, actor=staff)
        assert refused.value.message == (
            "讨论决定干部任免事项，应到会成员40人，须有三分之二以上即至少27人到会；实到26人，不能表决"
        )
        item.refresh_from_db()
        assert item.outcome == Outcome.PENDING


def test_a_member_arriving_late_completes_the_quorum(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff)
    members = full_members_of(seats)
    in_session(meeting, members[:26], staff)
    with pytest.raises(ApplicationError, match="实到26人"):
        votes.voting_open(item=item, actor=staff)

    late = meeting.attendances.get(member=members[26])
    services.attendance_set(attendance=late, presence="present", actor=staff)
    assert votes.voting_open(item=item, actor=staff).outcome == Outcome.VOTING


# --- passing: more than half of 应到会 (40), not of those present ---------------------------------------------------


@pytest.mark.parametrize(
    ("present", "favour", "passed"),
    [(27, 21, True), (27, 20, False), (40, 21, True), (40, 20, False)],
)
def test_21_votes_pass_a_cadre_item_and_20_do_not_whatever_the_attendance(
    plenary, staff, staff2, present, favour, passed
):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff)
    in_session(meeting, full_members_of(seats)[:present], staff)
    votes.voting_open(item=item, actor=staff)
    enter_twice(item, staff, staff2, present=present, counts=cadre_counts(item, {"候选人甲": favour}, present))

    item = votes.voting_close(item=item, actor=staff)

    result = ItemResult.objects.get(item=item)
    assert (result.expected, result.present, result.votes_for, result.needed, result.passed) == (
        40,
        present,
        favour,
        21,
        passed,
    )
    assert result.counts == {FOR: favour, AGAINST: present - favour, ABSTAIN: 0}
    assert result.rule == "赞成票超过应到会成员40人的半数，即至少21票为通过"
    assert item.outcome == (Outcome.PASSED if passed else Outcome.NOT_PASSED)
    assert Topic.objects.get(pk=item.topic_id).status == Topic.Status.DECIDED
    if passed:
        assert item.decision.text == "同意候选人甲同志任区发展和改革局局长。"
    else:
        assert not hasattr(AgendaItem.objects.get(pk=item.pk), "decision")


@pytest.mark.parametrize(("present", "favour", "passed"), [(27, 21, True), (40, 20, False)])
def test_an_open_vote_passes_on_21_of_40_whoever_is_present(plenary, staff, present, favour, passed):
    term, seats = plenary
    meeting, item = plenary_item(term, staff)
    voters = full_members_of(seats)[:present]
    in_session(meeting, voters, staff)
    votes.voting_open(item=item, actor=staff)
    for i, member in enumerate(voters):
        choice = FOR if i < favour else (AGAINST if i % 2 else ABSTAIN)
        votes.vote_record(item=item, member=member, choice=choice, actor=staff)

    item = votes.voting_close(item=item, actor=staff)

    result = item.results.get()
    assert (result.expected, result.present, result.votes_for, result.passed) == (40, present, favour, passed)
    assert sum(result.counts.values()) == present


# --- who may vote ----------------------------------------------------------------------------------------------


def test_an_alternate_attends_without_a_vote(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_item(term, staff)
    alternate = seats[R.ALTERNATE][0]
    in_session(meeting, [*full_members_of(seats), alternate], staff)
    votes.voting_open(item=item, actor=staff)

    with pytest.raises(ApplicationError) as refused:
        votes.vote_record(item=item, member=alternate, choice=FOR, actor=staff)
    assert refused.value.message == f"{alternate.cadre.name}列席会议，没有表决权"
    assert refused.value.field == "member"
    # alternates are not among those who should attend: 应到会 stays 40
    assert votes.item_counts(item).expected == 40


def test_an_absent_member_cannot_vote_by_proxy(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_item(term, staff)
    members = full_members_of(seats)
    in_session(meeting, members[:30], staff)
    votes.voting_open(item=item, actor=staff)

    with pytest.raises(ApplicationError, match="未出席，不能表决（不得委托表决）"):
        votes.vote_record(item=item, member=members[35], choice=FOR, actor=staff)


def test_the_plenary_votes_on_cadres_by_secret_ballot_only(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff)
    in_session(meeting, full_members_of(seats), staff)
    votes.voting_open(item=item, actor=staff)
    with pytest.raises(ApplicationError, match="本议题无记名投票，请录入计票结果"):
        votes.vote_record(
            item=item, member=seats[R.MEMBER][0], choice=FOR, candidate=item.topic.cadres.get(), actor=staff
        )


@pytest.fixture
def standing_term(db):
    term, seats = make_committee_term(standing=11, members=15, alternates=0)
    return term, seats


def recusal_item(term, staff, subject: TermMember):
    """A 常委会 cadre item about one of its own members (who is recused from it)."""
    topic = make_topic(
        term,
        actor=staff,
        category=CADRE_STANDING,
        type_code="standing",
        title="关于调整区管干部职务的议题",
        cadres=[(subject.cadre, "拟任区人大常委会副主任")],
    )
    meeting = make_meeting(term, actor=staff, type_code="standing", topics=[topic])
    return meeting, meeting.items.get()


def test_a_recused_member_cannot_vote_and_still_counts_among_those_who_should_attend(standing_term, staff):
    term, seats = standing_term
    standing = standing_of(seats)
    subject = standing[5]
    meeting, item = recusal_item(term, staff, subject)
    assert item.recusals.get().reason == "本人为议题涉及的干部"
    in_session(meeting, standing, staff)
    votes.voting_open(item=item, actor=staff)

    with pytest.raises(ApplicationError) as refused:
        votes.vote_record(item=item, member=subject, choice=FOR, candidate=item.topic.cadres.get(), actor=staff)
    assert refused.value.message == f"{subject.cadre.name}须回避本议题，不能参加表决"
    counts = votes.item_counts(item)
    # 11 should attend (the recused member included); 10 are present for the item
    assert (counts.expected, counts.present, counts.recused) == (11, 10, frozenset({subject.pk}))


def test_when_recused_members_do_not_count_the_expected_count_drops(standing_term, staff):
    term, seats = standing_term
    meeting_type_update(
        meeting_type=MeetingType.objects.get(code="standing"), recused_count_as_expected=False, actor=None
    )
    standing = standing_of(seats)
    subject = standing[5]
    meeting, item = recusal_item(term, staff, subject)
    in_session(meeting, standing, staff)
    votes.voting_open(item=item, actor=staff)
    row = item.topic.cadres.get()
    others = [m for m in standing if m != subject]
    for i, member in enumerate(others):
        votes.vote_record(item=item, member=member, choice=FOR if i < 6 else AGAINST, candidate=row, actor=staff)

    item = votes.voting_close(item=item, actor=staff)

    result = item.results.get()
    # 10 should attend: more than half of 10 is 6, and the 6 in favour pass it
    assert (result.expected, result.present, result.votes_for, result.needed, result.passed) == (10, 10, 6, 6, True)
    assert result.rule == "赞成票超过应到会成员10人的半数，即至少6票为通过"


# --- 书记办公会 prepares; it neither votes nor decides -------------------------------------------------------------


def test_the_secretaries_meeting_cannot_vote_or_decide(standing_term, staff):
    term, seats = standing_term
    topic = make_topic(term, actor=staff, category=SECRETARIES, type_code="secretaries", title="研究下次常委会议题")
    meeting = make_meeting(term, actor=staff, type_code="secretaries", topics=[topic])
    item = meeting.items.get()
    # the secretary and the two deputies attend, none with a vote; present, they make the meeting
    assert sorted(meeting.attendances.values_list("voting", flat=True)) == [False, False, False]
    in_session(meeting, [*seats[R.SECRETARY], *seats[R.DEPUTY_SECRETARY]], staff)

    with pytest.raises(ApplicationError, match=r"^书记办公会不是决策机构，不能表决或作出决定$"):
        votes.voting_open(item=item, actor=staff)
    with pytest.raises(ApplicationError, match=r"^书记办公会不是决策机构，不能作出决定$"):
        votes.decision_record(item=item, text="同意", actor=staff)

    item = votes.item_discuss(item=item, note="同意提交常委会研究", actor=staff)
    assert (item.outcome, item.note) == (Outcome.DISCUSSED, "同意提交常委会研究")
    assert not hasattr(AgendaItem.objects.get(pk=item.pk), "decision")
    services.meeting_adjourn(meeting=meeting, actor=staff)


def test_a_decision_body_votes_instead_of_recording_a_discussion(standing_term, staff):
    term, seats = standing_term
    topic = make_topic(term, actor=staff)
    meeting = make_meeting(term, actor=staff, topics=[topic])
    in_session(meeting, standing_of(seats), staff)
    with pytest.raises(ApplicationError, match=r"^常委会的议题须表决$"):
        votes.item_discuss(item=meeting.items.get(), note="研究", actor=staff)


# --- 差额票决 -------------------------------------------------------------------------------------------------------


def competitive(plenary, staff, staff2, favour: dict[str, int]):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff, *favour, posts=2)
    in_session(meeting, full_members_of(seats), staff)
    votes.voting_open(item=item, actor=staff)
    enter_twice(item, staff, staff2, present=40, counts=cadre_counts(item, favour, 40))
    item = votes.voting_close(item=item, actor=staff)
    passed = {r.candidate.cadre.name: r.passed for r in item.results.select_related("candidate__cadre")}
    return item, passed


def test_competitive_vote_exactly_at_the_threshold_wins_one_short_does_not(plenary, staff, staff2):
    item, passed = competitive(plenary, staff, staff2, {"甲": 30, "乙": 21, "丙": 20})
    assert passed == {"甲": True, "乙": True, "丙": False}
    assert item.outcome == Outcome.PASSED
    assert item.decision.text == "同意甲同志任区发展和改革局局长；同意乙同志任区发展和改革局局长。"
    rule = item.results.first().rule
    assert rule.startswith("2个职位，3名候选人差额票决；赞成票须超过应到会成员40人的半数即至少21票")


def test_competitive_vote_tie_for_the_last_post_leaves_it_open(plenary, staff, staff2):
    item, passed = competitive(plenary, staff, staff2, {"甲": 30, "乙": 25, "丙": 25})
    assert passed == {"甲": True, "乙": False, "丙": False}
    assert item.results.first().rule.endswith("；乙、丙得票相同，1个职位须另行票决")
    assert item.decision.text == "同意甲同志任区发展和改革局局长。"


def test_competitive_vote_three_tied_at_the_threshold_for_two_posts(plenary, staff, staff2):
    item, passed = competitive(plenary, staff, staff2, {"甲": 21, "乙": 21, "丙": 21})
    assert passed == {"甲": False, "乙": False, "丙": False}
    assert item.outcome == Outcome.NOT_PASSED
    assert "甲、乙、丙得票相同，2个职位须另行票决" in item.results.first().rule


def test_competitive_vote_each_ballot_approves_at_most_the_posts(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff, "甲", "乙", "丙", posts=2)
    in_session(meeting, full_members_of(seats), staff)
    votes.voting_open(item=item, actor=staff)
    with pytest.raises(ApplicationError, match="差额票决每票至多赞成2人，赞成票总数超出"):
        votes.tally_enter(
            item=item,
            actor=staff,
            ballots_issued=40,
            ballots_returned=40,
            ballots_invalid=0,
            counts=cadre_counts(item, {"甲": 40, "乙": 30, "丙": 11}, 40),
        )


# --- paper ballots entered twice -------------------------------------------------------------------------------


def test_two_entries_by_two_users_must_agree(plenary, staff, staff2):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff, "候选人甲")
    in_session(meeting, full_members_of(seats)[:38], staff)
    votes.voting_open(item=item, actor=staff)
    first = cadre_counts(item, {"候选人甲": 25}, 38)
    votes.tally_enter(item=item, actor=staff, ballots_issued=38, ballots_returned=38, ballots_invalid=0, counts=first)

    with pytest.raises(ApplicationError, match=r"^两次录入须由不同的工作人员完成$"):
        votes.tally_enter(
            item=item, actor=staff, ballots_issued=38, ballots_returned=38, ballots_invalid=0, counts=first
        )
    # the second user misreads one ballot and the invalid count
    second = cadre_counts(item, {"候选人甲": 24}, 37)
    votes.tally_enter(item=item, actor=staff2, ballots_issued=38, ballots_returned=38, ballots_invalid=1, counts=second)

    with pytest.raises(ApplicationError) as refused:
        votes.voting_close(item=item, actor=staff)
    # the differences are named: the invalid ballots and the votes for the cadre (不同意 13 in both)
    assert refused.value.message == "两次录入的计票结果不一致，不能确定结果：废票：0≠1；候选人甲同意：25≠24"
    assert not item.results.exists()

    with pytest.raises(ApplicationError, match="计票结果已录入两次"):
        votes.tally_enter(
            item=item, actor=staff, ballots_issued=38, ballots_returned=38, ballots_invalid=0, counts=first
        )
    assert votes.tally_clear(item=item, reason="第二次录入有误", actor=staff) == 2
    enter_twice(item, staff2, staff, present=38, counts=first)
    item = votes.voting_close(item=item, actor=staff)
    result = item.results.get()
    assert (result.expected, result.present, result.votes_for, result.passed) == (40, 38, 25, True)


def test_a_count_cannot_exceed_the_ballots(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_cadre_item(term, staff)
    in_session(meeting, full_members_of(seats)[:30], staff)
    votes.voting_open(item=item, actor=staff)
    with pytest.raises(ApplicationError, match="发出选票31张，多于可表决的到会成员30人") as refused:
        votes.tally_enter(item=item, actor=staff, ballots_issued=31, ballots_returned=30, ballots_invalid=0, counts={})
    assert refused.value.field == "ballots_issued"
    with pytest.raises(ApplicationError, match="各项票数之和不能多于有效票29张"):
        votes.tally_enter(
            item=item,
            actor=staff,
            ballots_issued=30,
            ballots_returned=30,
            ballots_invalid=1,
            counts=cadre_counts(item, {"候选人甲": 20}, 30),
        )


# --- one vote per member per item, kept by the database ---------------------------------------------------------


def test_a_second_vote_is_refused_by_the_database_and_by_the_service(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_item(term, staff)
    members = full_members_of(seats)
    in_session(meeting, members, staff)
    votes.voting_open(item=item, actor=staff)
    voter = members[12]
    votes.vote_record(item=item, member=voter, choice=FOR, actor=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(item=item, member=voter, choice=AGAINST)
    with pytest.raises(ApplicationError) as refused:
        votes.vote_record(item=item, member=voter, choice=AGAINST, actor=staff)
    assert refused.value.message == f"已记录{voter.cadre.name}的表决意见，不能重复表决"
    assert list(item.votes.values_list("choice", flat=True)) == [FOR]


def test_a_second_vote_on_the_same_cadre_is_refused(standing_term, staff):
    term, seats = standing_term
    standing = standing_of(seats)
    topic = make_topic(
        term, actor=staff, category=CADRE_STANDING, title="关于干部任免的议题", cadres=[candidate("候选人乙")]
    )
    meeting = make_meeting(term, actor=staff, topics=[topic])
    item = meeting.items.get()
    in_session(meeting, standing, staff)
    votes.voting_open(item=item, actor=staff)
    row = topic.cadres.get()
    votes.vote_record(item=item, member=standing[3], choice="缓议", candidate=row, actor=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(item=item, candidate=row, member=standing[3], choice=FOR)
    with pytest.raises(ApplicationError, match=f"^已记录{standing[3].cadre.name}对候选人乙的表决意见，不能重复表决$"):
        votes.vote_record(item=item, member=standing[3], choice=FOR, candidate=row, actor=staff)


# --- reconsideration and follow-up -----------------------------------------------------------------------------


def test_reconsidering_a_decision_needs_more_than_half_of_all_40_members(plenary, staff):
    term, seats = plenary
    meeting, item = plenary_item(term, staff)
    members = full_members_of(seats)
    in_session(meeting, members[:30], staff)
    votes.voting_open(item=item, actor=staff)
    for member in members[:30]:
        votes.vote_record(item=item, member=member, choice=FOR, actor=staff)
    decision = votes.voting_close(item=item, actor=staff).decision

    with pytest.raises(ApplicationError) as refused:
        votes.decision_reconsider(decision=decision, votes_for=20, reason="情况发生变化", actor=staff)
    assert refused.value.message == "复议须经全体成员40人的半数以上同意，即至少21票；同意20票，不能复议"
    decision = votes.decision_reconsider(decision=decision, votes_for=21, reason="情况发生变化", actor=staff)
    assert decision.reconsidered_on is not None
    assert "同意21票" in decision.reconsideration


def test_the_follow_up_goes_to_the_substitute_when_the_lead_is_on_leave(make_user, staff):
    secretary = make_user(roles.STANDING_MEMBER, username="shuji")
    board = build_board(staff=staff, users={"wang": secretary})
    starts_at = timezone.now() + timedelta(days=3)
    day = timezone.localtime(starts_at).date()
    # 张常委 leads 组织 and is away on the day of the meeting; 赵常委 is his substitute
    leave_record(
        member=board.zhang,
        starts_on=day - timedelta(days=1),
        ends_on=day + timedelta(days=2),
        reason="参加省委党校培训",
        actor=staff,
    )
    topic = make_topic(board.term, actor=staff, title="关于加强组织工作的意见", work_area=board.area("组织"))
    meeting = make_meeting(board.term, actor=staff, starts_at=starts_at, topics=[topic])
    services.leave_request(meeting=meeting, member=board.zhang, reason="参加省委党校培训", actor=staff)
    present = [board.wang, board.li, board.zhao, board.sun]
    services.attendance_take(meeting=meeting, present={m.pk for m in present}, reasons={}, actor=staff)
    services.meeting_open(meeting=meeting, actor=staff)
    item = meeting.items.get()
    votes.voting_open(item=item, actor=staff)
    for member in present:
        votes.vote_record(item=item, member=member, choice=FOR, actor=staff)

    item = votes.voting_close(
        item=item, actor=staff, decision_text="同意《关于加强组织工作的意见》，由组织部抓好落实。"
    )

    follow_up = FollowUp.objects.get(decision=item.decision)
    assert follow_up.member == board.zhao
    assert follow_up.responsibility == Responsibility.SUBSTITUTE
    assert follow_up.area == board.area("组织")
    assert item.decision.decided_on == day
