"""Changes to seats, roles and arrangements are recorded once they happened, and never leave two answers for a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import SubstituteArrangement, TermMember
from committees.selectors import responsibilities_on
from committees.services import (
    alternate_promote,
    leave_cancel,
    leave_record,
    substitute_designate,
    term_change,
    term_member_add,
    term_member_change_role,
    term_member_leave,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

from .test_responsibility import build_board

R = TermMember.Role


@pytest.fixture
def board(make_user):
    return build_board(staff=make_user(roles.ORGANIZATION_SECTION))


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def test_seats_and_roles_change_only_once_the_change_happened(board):
    newcomer = make_cadre(make_unit("区发展改革局"), "钱委员")
    with pytest.raises(ApplicationError, match="任职日期不能晚于今天") as joined:
        term_member_add(term=board.term, cadre=newcomer, role=R.MEMBER, joined_on=tomorrow(), actor=board.staff)
    assert joined.value.field == "joined_on"
    with pytest.raises(ApplicationError, match="身份变动日期不能晚于今天"):
        term_member_change_role(member=board.sun, role=R.MEMBER, changed_on=tomorrow(), actor=board.staff)
    with pytest.raises(ApplicationError, match="离任日期不能晚于今天"):
        term_member_leave(member=board.sun, left_on=tomorrow(), reason="调离", actor=board.staff)
    with pytest.raises(ApplicationError, match="起始日期不能晚于今天"):
        term_change(committee=board.term.committee, starts_on=tomorrow(), actor=board.staff)

    board.sun.refresh_from_db()
    assert (board.sun.role, board.sun.left_on) == (R.STANDING_MEMBER, None)
    assert not board.sun.role_changes.exists()
    assert board.term.members.count() == 5


def test_a_promotion_is_dated_no_later_than_today(board, make_user):
    cadre = make_cadre(make_unit("区财政局"), "周候补")
    alternate = term_member_add(
        term=board.term,
        cadre=cadre,
        role=R.ALTERNATE,
        joined_on=board.term.starts_on,
        election_votes=200,
        actor=board.staff,
    )
    with pytest.raises(ApplicationError, match="身份变动日期不能晚于今天"):
        alternate_promote(alternate=alternate, on=tomorrow(), actor=board.staff)
    alternate.refresh_from_db()
    assert alternate.role == R.ALTERNATE


def test_a_term_change_ends_a_substitute_arrangement_that_had_not_started(board):
    later = timezone.localdate() + timedelta(days=30)
    arrangement = substitute_designate(member=board.sun, substitute=board.zhang, effective_from=later, actor=None)
    today = timezone.localdate()
    term_change(committee=board.term.committee, starts_on=today, actor=board.staff)

    arrangement.refresh_from_db()
    # it never came into force: it ends the day it would have started, and no day has two arrangements
    assert (arrangement.effective_from, arrangement.superseded_on) == (later, later)
    assert not SubstituteArrangement.objects.filter(member__term=board.term, superseded_on__isnull=True).exists()
    assert (
        AuditEvent.objects.get(action="term.changed").details["substitute_arrangements_ended"] == 4
    )  # 张↔赵, 李→孙 and this one


def test_a_substitute_cannot_be_back_dated_over_an_ended_arrangement(board):
    # 张's substitute 赵 leaves: that arrangement ends on the day he left
    left_on = date(2024, 5, 6)
    term_member_leave(member=board.zhao, left_on=left_on, reason="调离", actor=board.staff)
    ended = SubstituteArrangement.objects.get(member=board.zhang, substitute=board.zhao)
    assert ended.superseded_on == left_on

    with pytest.raises(ApplicationError, match="生效日期不能早于上一安排结束的日期2024-05-06") as refused:
        substitute_designate(member=board.zhang, substitute=board.sun, effective_from=date(2024, 3, 1), actor=None)
    assert refused.value.field == "effective_from"

    substitute_designate(member=board.zhang, substitute=board.sun, effective_from=left_on, actor=None)
    for day in (left_on - timedelta(days=1), left_on):
        in_force = [a for a in SubstituteArrangement.objects.filter(member=board.zhang) if a.in_force_on(day)]
        assert len(in_force) == 1
    assert [
        a.substitute for a in SubstituteArrangement.objects.filter(member=board.zhang) if a.in_force_on(left_on)
    ] == [board.sun]


def test_a_member_who_left_keeps_their_substitute_for_the_areas_they_still_lead(board):
    # 张 leads 组织 and 赵 covers for him; 张 leaves before a new plan hands 组织 on
    left_on = date(2024, 5, 6)
    term_member_leave(member=board.zhang, left_on=left_on, reason="调任外地", actor=board.staff)
    area = board.area("组织")
    assert (
        responsibilities_on(left_on - timedelta(days=1), term=board.term, areas=[area])[area.pk].member == board.zhang
    )
    after = responsibilities_on(left_on, term=board.term, areas=[area])[area.pk]
    assert (after.member, after.reason) == (board.zhao, "substitute")
    assert after.absences == ["张常委已离任"]


def test_a_leave_that_has_ended_is_not_cancelled(board):
    leave = leave_record(
        member=board.sun, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 7), reason="出差", actor=board.staff
    )
    with pytest.raises(ApplicationError, match="已结束的请假不能取消"):
        leave_cancel(leave=leave, actor=board.staff)
    leave.refresh_from_db()
    assert leave.cancelled_at is None
    assert not AuditEvent.objects.filter(action="leave.cancelled").exists()


def test_votes_beyond_any_election_are_refused_next_to_the_field(board, client, make_user):
    cadre = make_cadre(make_unit("区财政局"), "周候补")
    alternate = term_member_add(
        term=board.term,
        cadre=cadre,
        role=R.ALTERNATE,
        joined_on=board.term.starts_on,
        election_votes=200,
        actor=board.staff,
    )
    client.force_login(board.staff)
    response = client.post(
        reverse("committees:member_edit", args=[alternate.pk]),
        {"order": 1, "concurrent_post": "", "election_votes": 99_999_999_999},
    )
    assert response.status_code in (200, 400)
    assert "election_votes" in response.context["form"].errors
    alternate.refresh_from_db()
    assert alternate.election_votes == 200
