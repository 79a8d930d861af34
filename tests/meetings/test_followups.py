"""Follow-up (督办) of decisions through the services: who answers for it on the decision date (the lead, the
substitute while the lead is on leave, the secretary when both are away, nobody without an area), progress notes,
deadline changes and closure with their refusals in Chinese, and the audit events.

The helpers at the top (`Scene`, `decide`) are shared by the portal and follow-up page tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from committees.models import TermMember
from committees.services import leave_record, term_member_add
from meetings.models import Decision, FollowUp, Meeting
from meetings.services.followups import follow_up_close, follow_up_deadline_change, follow_up_note_add
from meetings.services.meetings import attendance_take, meeting_adjourn, meeting_open
from meetings.services.votes import vote_record, voting_close, voting_open
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.committees.test_responsibility import Board, build_board
from tests.meetings.factories import make_meeting, make_topic

SHANGHAI = ZoneInfo("Asia/Shanghai")
R = TermMember.Role


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Scene:
    """The committees' board (王书记, 李副书记, 张常委, 赵常委, 孙常委; 组织 led by 张 with 赵 as substitute, 宣传 by
    赵 with 张) with an account for every standing member, a 委员 (周委员) with an account, and 组织科 staff."""

    board: Board
    staff: object
    users: dict[str, object]
    weiyuan: TermMember

    @property
    def term(self):
        return self.board.term

    @property
    def standing(self) -> list[TermMember]:
        b = self.board
        return [b.wang, b.li, b.zhang, b.zhao, b.sun]

    def user(self, key: str):
        return self.users[key]


def make_scene(make_user) -> Scene:
    users = {key: make_user(roles.STANDING_MEMBER, username=key) for key in ("wang", "li", "zhang", "zhao", "sun")}
    staff = make_user(roles.ORGANIZATION_SECTION, username="zuzhike")
    board = build_board(staff=staff, users=users)
    users["zhou"] = make_user(roles.MEMBER, username="zhou")
    cadre = make_cadre(make_unit("区发展改革委"), "周委员", user=users["zhou"])
    weiyuan = term_member_add(term=board.term, cadre=cadre, role=R.MEMBER, joined_on=board.term.starts_on, actor=staff)
    return Scene(board=board, staff=staff, users=users, weiyuan=weiyuan)


@pytest.fixture
def scene(make_user) -> Scene:
    return make_scene(make_user)


def hold(scene: Scene, meeting: Meeting, *, absent: dict | None = None) -> Meeting:
    """Takes attendance (everyone present but `absent`: {member: reason}) and opens the meeting."""
    absent = absent or {}
    present = {a.member_id for a in meeting.attendances.all() if a.member not in absent}
    reasons = {m.pk: reason for m, reason in absent.items()}
    attendance_take(meeting=meeting, present=present, reasons=reasons, actor=scene.staff)
    return meeting_open(meeting=meeting, actor=scene.staff)


def pass_items(scene: Scene, meeting: Meeting) -> list[Decision]:
    """Every voter present votes 同意 on every item; the decisions made."""
    decisions = []
    for item in meeting.items.select_related("topic__category").order_by("order"):
        voting_open(item=item, actor=scene.staff)
        candidates = list(item.topic.cadres.all()) if item.topic.category.cadre_item else [None]
        for attendance in meeting.attendances.filter(voting=True, presence="present").select_related("member"):
            if not item.recusals.filter(member=attendance.member).exists():
                for candidate in candidates:
                    vote_record(
                        item=item, member=attendance.member, choice="同意", candidate=candidate, actor=scene.staff
                    )
        voting_close(item=item, actor=scene.staff)
        decisions.append(Decision.objects.select_related("item__topic").get(item=item))
    return decisions


def decide(
    scene: Scene, *areas: str | None, on: date, type_code: str = "standing", absent: dict | None = None
) -> list[Decision]:
    """A meeting on `on` at 9:00 deciding one topic per area given (None: a topic without an area), adjourned."""
    staff = scene.staff
    with time_machine.travel(at(on, 8) - timedelta(days=3), tick=False):
        topics = [
            make_topic(
                scene.term,
                actor=staff,
                type_code=type_code,
                title=f"关于{area or '综合'}工作的意见（{i}）",
                work_area=scene.board.area(area) if area else None,
            )
            for i, area in enumerate(areas, start=1)
        ]
        meeting = make_meeting(scene.term, actor=staff, type_code=type_code, starts_at=at(on), topics=topics)
    with time_machine.travel(at(on, 9, 30), tick=False):
        hold(scene, meeting, absent=absent)
        decisions = pass_items(scene, meeting)
        meeting_adjourn(meeting=meeting, actor=staff)
    return decisions


def away(scene: Scene, member: TermMember, first: date, last: date, reason: str = "参加省委党校培训"):
    return leave_record(member=member, starts_on=first, ends_on=last, reason=reason, actor=scene.staff)


DAY = date(2024, 11, 5)


# --- who follows a decision up -------------------------------------------------------------------------------


def test_the_lead_of_the_topic_s_area_follows_the_decision_up(scene, settings):
    settings.ORGDEPT_FOLLOW_UP_DAYS = 30
    (decision,) = decide(scene, "组织", on=DAY)

    follow_up = decision.follow_up
    assert decision.decided_on == DAY
    assert (follow_up.member, follow_up.responsibility) == (scene.board.zhang, "lead")
    assert follow_up.area == scene.board.area("组织")
    assert follow_up.deadline == date(2024, 12, 5)
    assert follow_up.status == FollowUp.Status.OPEN


def test_the_substitute_follows_up_while_the_lead_is_on_leave_on_the_decision_date(scene):
    board = scene.board
    away(scene, board.zhang, date(2024, 11, 3), date(2024, 11, 7))

    (during,) = decide(scene, "组织", on=DAY, absent={board.zhang: "请假"})
    (last_day,) = decide(scene, "组织", on=date(2024, 11, 7), absent={board.zhang: "请假"})
    (after,) = decide(scene, "组织", on=date(2024, 11, 8))

    assert (during.follow_up.member, during.follow_up.responsibility) == (board.zhao, "substitute")
    assert (last_day.follow_up.member, last_day.follow_up.responsibility) == (board.zhao, "substitute")
    assert (after.follow_up.member, after.follow_up.responsibility) == (board.zhang, "lead")


def test_the_secretary_follows_up_when_the_lead_and_the_substitute_are_both_away(scene):
    board = scene.board
    away(scene, board.zhang, date(2024, 11, 1), date(2024, 11, 10))
    away(scene, board.zhao, date(2024, 11, 4), date(2024, 11, 6), reason="出国考察")

    (decision,) = decide(scene, "组织", on=DAY, absent={board.zhang: "请假", board.zhao: "请假"})

    assert (decision.follow_up.member, decision.follow_up.responsibility) == (board.wang, "secretary")


def test_a_decision_without_a_work_area_has_no_follow_up(scene):
    (decision,) = decide(scene, None, on=DAY)

    assert not FollowUp.objects.filter(decision=decision).exists()
    assert not AuditEvent.objects.filter(action="follow_up.assigned").exists()


def test_assigning_the_follow_up_is_audited(scene):
    board = scene.board
    away(scene, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    (decision,) = decide(scene, "组织", on=DAY, absent={board.zhang: "请假"})

    event = AuditEvent.objects.get(action="follow_up.assigned")
    assert event.object_type == "meetings.meeting"
    assert event.object_id == str(decision.item.meeting_id)
    assert event.details == {
        "decision": decision.pk,
        "area": "组织",
        "member": "赵常委",
        "as": "substitute",
        "deadline": decision.follow_up.deadline.isoformat(),
    }
    assert event.actor_username == "zuzhike"


# --- progress notes, deadline, closure ----------------------------------------------------------------------


@pytest.fixture
def follow_up(scene) -> FollowUp:
    (decision,) = decide(scene, "组织", on=DAY)
    return decision.follow_up


def test_progress_notes_are_kept_in_order_and_audited(scene, follow_up):
    zhang = scene.user("zhang")
    with time_machine.travel(at(date(2024, 11, 10)), tick=False):
        follow_up_note_add(follow_up=follow_up, text="  已召开专题会议部署  ", actor=zhang)
    with time_machine.travel(at(date(2024, 11, 20)), tick=False):
        follow_up_note_add(follow_up=follow_up, text="完成第一阶段任务", actor=scene.staff)

    notes = list(follow_up.notes.all())
    assert [(n.text, n.actor) for n in notes] == [("已召开专题会议部署", zhang), ("完成第一阶段任务", scene.staff)]
    events = AuditEvent.objects.filter(action="follow_up.noted").order_by("id")
    assert [(e.actor_username, e.details) for e in events] == [
        ("zhang", {"follow_up": follow_up.pk}),
        ("zuzhike", {"follow_up": follow_up.pk}),
    ]


def test_an_empty_note_is_refused(follow_up, scene):
    with pytest.raises(ApplicationError) as refused:
        follow_up_note_add(follow_up=follow_up, text="   ", actor=scene.staff)
    assert refused.value.field_errors == {"text": "请填写进展情况"}
    assert not follow_up.notes.exists()


def test_closing_needs_a_note_and_records_when(scene, follow_up):
    with pytest.raises(ApplicationError) as refused:
        follow_up_close(follow_up=follow_up, note=" ", actor=scene.staff)
    assert refused.value.field_errors == {"note": "请填写办结情况"}

    closing = at(date(2024, 12, 5), 17)
    with time_machine.travel(closing, tick=False):
        closed = follow_up_close(follow_up=follow_up, note="已全面完成", actor=scene.staff)

    follow_up.refresh_from_db()
    assert closed.status == follow_up.status == FollowUp.Status.CLOSED
    assert follow_up.closed_at == closing
    assert follow_up.closing_note == "已全面完成"
    event = AuditEvent.objects.get(action="follow_up.closed")
    assert event.details == {"follow_up": follow_up.pk, "late": False}


def test_closing_after_the_deadline_in_local_time_is_audited_as_late(scene, follow_up):
    """The deadline is 2024-12-05; 00:30 in Beijing on the 6th is still the 5th in UTC."""
    with time_machine.travel(at(date(2024, 12, 6), 0, 30), tick=False):
        follow_up_close(follow_up=follow_up, note="已完成", actor=scene.staff)

    assert AuditEvent.objects.get(action="follow_up.closed").details["late"] is True


def test_a_closed_follow_up_takes_no_note_deadline_or_second_closure(scene, follow_up):
    follow_up_close(follow_up=follow_up, note="已完成", actor=scene.staff)

    for attempt in (
        lambda: follow_up_note_add(follow_up=follow_up, text="补充", actor=scene.staff),
        lambda: follow_up_deadline_change(
            follow_up=follow_up, deadline=date(2025, 1, 31), reason="延期", actor=scene.staff
        ),
        lambda: follow_up_close(follow_up=follow_up, note="再次办结", actor=scene.staff),
    ):
        with pytest.raises(ApplicationError, match="督办事项已办结"):
            attempt()
    assert AuditEvent.objects.filter(action="follow_up.closed").count() == 1


def test_the_deadline_changes_with_a_reason_and_is_audited(scene, follow_up):
    follow_up_deadline_change(
        follow_up=follow_up, deadline=date(2025, 1, 15), reason=" 涉及多个部门，需延期 ", actor=scene.staff
    )

    follow_up.refresh_from_db()
    assert follow_up.deadline == date(2025, 1, 15)
    event = AuditEvent.objects.get(action="follow_up.deadline_changed")
    assert event.details == {
        "follow_up": follow_up.pk,
        "from": "2024-12-05",
        "to": "2025-01-15",
        "reason": "涉及多个部门，需延期",
    }


def test_deadline_change_refusals(scene, follow_up):
    with pytest.raises(ApplicationError) as no_reason:
        follow_up_deadline_change(follow_up=follow_up, deadline=date(2025, 1, 15), reason="", actor=scene.staff)
    assert no_reason.value.field_errors == {"reason": "请说明调整期限的原因"}

    with pytest.raises(ApplicationError) as too_early:
        follow_up_deadline_change(follow_up=follow_up, deadline=date(2024, 11, 4), reason="提前", actor=scene.staff)
    assert too_early.value.field_errors == {"deadline": "办理期限不能早于决定日期"}

    # the decision date itself is allowed; the same deadline again changes nothing
    follow_up_deadline_change(follow_up=follow_up, deadline=DAY, reason="当日办结", actor=scene.staff)
    follow_up_deadline_change(follow_up=follow_up, deadline=DAY, reason="当日办结", actor=scene.staff)
    follow_up.refresh_from_db()
    assert follow_up.deadline == DAY
    assert AuditEvent.objects.filter(action="follow_up.deadline_changed").count() == 1
