"""Reminders of meetings, consultations and follow-up: due at the exact times, moved with the meeting, withdrawn
when it is cancelled or answered, and never sent twice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from committees.models import WorkArea
from committees.services import (
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    work_area_create,
)
from meetings import reminders
from meetings.models import FollowUp
from meetings.services.followups import follow_up_close, follow_up_deadline_change
from meetings.services.meetings import attendance_take, leave_request, meeting_cancel, meeting_open, meeting_update
from meetings.services.topics import consultation_close, consultation_request, opinion_submit, topic_submit
from meetings.services.votes import vote_record, voting_close, voting_open
from orgdept.core import roles
from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import reminders_deliver_due

from .factories import make_committee_term, make_meeting, make_topic, standing_of, user_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 11, 10, 10, 0, tzinfo=SHANGHAI)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def board(db):
    """A small term whose standing members all have accounts; its members without a seat on the standing
    committee have none."""
    term, seats = make_committee_term(standing=5, members=7, alternates=2, starts=date(2021, 9, 28), users=True)
    return term, seats


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhike")


def due(key_part: str) -> dict[tuple[int, str], datetime]:
    """{(recipient pk, kind): due} of the undelivered reminders whose key contains `key_part`."""
    return {
        (r.recipient_id, r.key.split(":")[2]): r.due_at
        for r in Reminder.objects.filter(key__contains=key_part, delivered_at__isnull=True)
    }


def users_of(members) -> list:
    return [m.cadre.user for m in members]


# --- meeting notices -------------------------------------------------------------------------------------------


def test_each_attending_member_is_reminded_3_days_ahead_and_the_day_before(
    board, staff, django_capture_on_commit_callbacks
):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    standing = users_of(standing_of(seats))
    reminders_now = Reminder.objects.filter(key__startswith=f"meeting:{meeting.pk}:")
    assert {(r.recipient_id, r.key, r.due_at) for r in reminders_now} == {
        *((u.pk, f"meeting:{meeting.pk}:notice:{u.pk}", local(2024, 11, 17, 9, 30)) for u in standing),
        *((u.pk, f"meeting:{meeting.pk}:eve:{u.pk}", local(2024, 11, 19, 9, 30)) for u in standing),
    }
    notice = reminders_now.get(key=f"meeting:{meeting.pk}:notice:{standing[0].pk}")
    assert notice.title == "会议通知：第1次常委会定于11月20日 09:30在区委常委会议室召开"
    assert notice.url == f"/meetings/{meeting.pk}/"
    # members of the plenary who have no account get none; the staff who scheduled it neither
    assert not Reminder.objects.filter(recipient=staff).exists()


@override_settings(ORGDEPT_MEETING_NOTICE_DAYS=5)
def test_the_days_ahead_are_a_setting(board, staff, django_capture_on_commit_callbacks):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 15, 0))
    user = seats["secretary"][0].cadre.user
    assert due(f"meeting:{meeting.pk}:")[(user.pk, "notice")] == local(2024, 11, 15, 15, 0)


def test_a_moved_meeting_moves_its_reminders(board, staff, django_capture_on_commit_callbacks):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    count = Reminder.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, starts_at=local(2024, 11, 25, 15, 0), actor=staff)
    assert Reminder.objects.count() == count
    user = seats["secretary"][0].cadre.user
    moved = due(f"meeting:{meeting.pk}:")
    assert (moved[(user.pk, "notice")], moved[(user.pk, "eve")]) == (
        local(2024, 11, 22, 15, 0),
        local(2024, 11, 24, 15, 0),
    )
    assert Reminder.objects.get(recipient=user, key__contains=":notice:").title == (
        "会议通知：第1次常委会定于11月25日 15:00在区委常委会议室召开"
    )


def test_a_cancelled_meeting_withdraws_its_reminders(board, staff, django_capture_on_commit_callbacks):
    term, _seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
        other = make_meeting(term, actor=staff, starts_at=local(2024, 11, 27, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, actor=staff, reason="议题准备不足")
    assert not Reminder.objects.filter(key__startswith=f"meeting:{meeting.pk}:").exists()
    assert Reminder.objects.filter(key__startswith=f"meeting:{other.pk}:").count() == 10


def test_scheduling_twice_changes_nothing_and_a_delivered_notice_is_not_sent_again(
    board, staff, frozen, django_capture_on_commit_callbacks
):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    before = list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "updated_at"))
    assert reminders.meeting_notice_reminders_schedule(meeting) == 0
    assert list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "updated_at")) == before
    frozen.move_to(local(2024, 11, 17, 9, 31))
    assert reminders_deliver_due() == 5
    assert reminders.meeting_notice_reminders_schedule(meeting) == 0
    assert reminders_deliver_due() == 0
    user = seats["secretary"][0].cadre.user
    assert Notification.objects.filter(recipient=user).count() == 1
    frozen.move_to(local(2024, 11, 19, 9, 31))
    assert reminders_deliver_due() == 5
    assert Notification.objects.filter(recipient=user).count() == 2
    assert Notification.objects.filter(recipient=user).order_by("pk").last().title.startswith("明天开会：")


def test_a_notice_delivered_before_the_meeting_moved_is_sent_again_with_the_new_time(
    board, staff, frozen, django_capture_on_commit_callbacks
):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    frozen.move_to(local(2024, 11, 17, 10, 0))
    reminders_deliver_due()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, starts_at=local(2024, 11, 19, 15, 0), actor=staff)
    user = seats["secretary"][0].cadre.user
    notice = Reminder.objects.get(recipient=user, key=f"meeting:{meeting.pk}:notice:{user.pk}")
    # its day has passed: due at once, with the new time
    assert (notice.delivered_at, notice.due_at) == (None, local(2024, 11, 17, 10, 0))
    assert "11月19日 15:00" in notice.title
    eve = Reminder.objects.get(recipient=user, key=f"meeting:{meeting.pk}:eve:{user.pk}")
    assert eve.due_at == local(2024, 11, 18, 15, 0)


def test_a_meeting_scheduled_for_tomorrow_gets_one_notice_at_once(board, staff, django_capture_on_commit_callbacks):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 11, 9, 0))
    user = seats["secretary"][0].cadre.user
    assert due(f"meeting:{meeting.pk}:") == {(u.pk, "notice"): NOW for u in users_of(standing_of(seats))}
    assert reminders_deliver_due() == 5
    assert (
        Notification.objects.get(recipient=user).title == "会议通知：第1次常委会定于11月11日 09:00在区委常委会议室召开"
    )


def test_two_days_ahead_the_notice_goes_at_once_and_the_eve_one_the_day_before(
    board, staff, django_capture_on_commit_callbacks
):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 12, 9, 0))
    user = seats["secretary"][0].cadre.user
    assert {k: v for k, v in due(f"meeting:{meeting.pk}:").items() if k[0] == user.pk} == {
        (user.pk, "notice"): NOW,
        (user.pk, "eve"): local(2024, 11, 11, 9, 0),
    }


def test_a_member_on_leave_is_not_reminded(board, staff, django_capture_on_commit_callbacks):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    away = seats["standing_member"][0]
    leave_request(meeting=meeting, member=away, reason="外出学习", actor=away.cadre.user)
    reminders.meeting_notice_reminders_schedule(meeting)
    assert not Reminder.objects.filter(recipient=away.cadre.user).exists()
    assert Reminder.objects.filter(key__startswith=f"meeting:{meeting.pk}:").count() == 8


def test_the_plenary_reminds_every_member_with_an_account(board, staff, django_capture_on_commit_callbacks):
    term, seats = board
    alternate = seats["alternate"][0]
    user_for(alternate)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, type_code="plenary", starts_at=local(2024, 11, 20, 9, 30))
    notice = Reminder.objects.get(recipient=alternate.cadre.user, key__contains=":notice:")
    assert notice.body == "请按时出席（无表决权）。"
    assert Reminder.objects.filter(key__startswith=f"meeting:{meeting.pk}:").count() == 12


def test_a_meeting_that_has_begun_has_no_reminders_left(board, staff, frozen, django_capture_on_commit_callbacks):
    term, seats = board
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 20, 9, 30))
    frozen.move_to(local(2024, 11, 20, 9, 0))
    reminders_deliver_due()
    frozen.move_to(local(2024, 11, 20, 9, 40))
    attendance_take(meeting=meeting, present={m.pk for m in standing_of(seats)}, reasons={}, actor=staff)
    meeting_open(meeting=meeting, actor=staff)
    assert reminders.meeting_notice_reminders_schedule(meeting) == 0
    assert not Reminder.objects.filter(key__startswith=f"meeting:{meeting.pk}:", delivered_at__isnull=True).exists()


# --- consultations ---------------------------------------------------------------------------------------------


def test_members_asked_are_reminded_a_day_before_the_deadline_until_they_answer(
    board, staff, django_capture_on_commit_callbacks
):
    term, seats = board
    topic = make_topic(term, actor=staff, ready=False)
    topic_submit(topic=topic, actor=staff)
    asked = standing_of(seats)[:3]
    with django_capture_on_commit_callbacks(execute=True):
        consultation = consultation_request(
            topic=topic, deadline=local(2024, 11, 15, 17, 0), members=asked, actor=staff, question="请提出意见"
        )
    key = f"consultation:{consultation.pk}:opinion"
    stored = Reminder.objects.filter(key=key)
    assert {(r.recipient_id, r.due_at) for r in stored} == {
        (m.cadre.user.pk, local(2024, 11, 14, 17, 0)) for m in asked
    }
    assert stored.first().title == "请于11月15日 17:00前对议题“关于加强基层党组织建设的意见”提出意见"
    with django_capture_on_commit_callbacks(execute=True):
        opinion_submit(consultation=consultation, member=asked[0], text="同意", actor=asked[0].cadre.user)
    assert sorted(Reminder.objects.filter(key=key).values_list("recipient_id", flat=True)) == sorted(
        m.cadre.user.pk for m in asked[1:]
    )
    # scheduling again does not bring back the one who answered
    assert reminders.consultation_reminders_schedule(consultation) == 0
    assert Reminder.objects.filter(key=key).count() == 2
    for member in asked[1:]:
        opinion_submit(consultation=consultation, member=member, text="同意", actor=member.cadre.user)
    consultation_close(consultation=consultation, actor=staff)
    reminders.consultation_reminders_schedule(consultation)
    assert not Reminder.objects.filter(key=key).exists()


# --- follow-up -------------------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(board, staff, frozen, django_capture_on_commit_callbacks) -> FollowUp:
    """A passed item of the 常委会 of 12 November about an area 常委成员04 leads: its follow-up, due
    30 days later (12 December)."""
    term, seats = board
    standing = standing_of(seats)
    lead = standing[3]
    area = work_area_create(name="基层党建", actor=None)
    plan = portfolio_plan_create(term=term, actor=None)
    for each in WorkArea.objects.filter(active=True):
        portfolio_assignment_set(plan=plan, area=each, member=lead, kind="lead", actor=None)
    portfolio_plan_activate(plan=plan, effective_from=date(2024, 1, 1), actor=None)
    topic = make_topic(term, actor=staff, work_area=area)
    meeting = make_meeting(term, actor=staff, starts_at=local(2024, 11, 12, 9, 0), topics=[topic])
    frozen.move_to(local(2024, 11, 12, 9, 0))
    attendance_take(meeting=meeting, present={m.pk for m in standing}, reasons={}, actor=staff)
    meeting_open(meeting=meeting, actor=staff)
    item = meeting.items.get()
    voting_open(item=item, actor=staff)
    for member in standing:
        vote_record(item=item, member=member, choice="同意", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        voting_close(item=item, actor=staff)
    return FollowUp.objects.select_related("member__cadre__user").get(decision__item=item)


def test_the_responsible_member_and_the_organization_section_are_reminded(follow_up, staff, make_user):
    assert follow_up.deadline == date(2024, 12, 12)
    lead_user = follow_up.member.cadre.user
    stored = due(f"follow_up:{follow_up.pk}:")
    assert stored == {
        (lead_user.pk, "before"): local(2024, 12, 5, 9, 0),
        (lead_user.pk, "overdue"): local(2024, 12, 13, 9, 0),
        (staff.pk, "before"): local(2024, 12, 5, 9, 0),
        (staff.pk, "overdue"): local(2024, 12, 13, 9, 0),
    }
    before = Reminder.objects.get(recipient=lead_user, key=f"follow_up:{follow_up.pk}:before")
    assert before.title == "督办事项“关于加强基层党组织建设的意见”将于12月12日到期"
    assert before.url == f"/meetings/followups/{follow_up.pk}/"
    # idempotent
    assert reminders.follow_up_reminders_schedule(follow_up) == 0
    # a new 组织科 colleague is included the next time it is scheduled
    colleague = make_user(roles.ORGANIZATION_SECTION)
    assert reminders.follow_up_reminders_schedule(follow_up) == 2
    assert (colleague.pk, "overdue") in due(f"follow_up:{follow_up.pk}:")


@override_settings(ORGDEPT_FOLLOW_UP_REMINDER_DAYS=3)
def test_the_days_before_the_deadline_are_a_setting(follow_up):
    lead_user = follow_up.member.cadre.user
    reminders.follow_up_reminders_schedule(follow_up)
    assert due(f"follow_up:{follow_up.pk}:")[(lead_user.pk, "before")] == local(2024, 12, 9, 9, 0)


def test_a_new_deadline_moves_the_reminders(follow_up, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_deadline_change(follow_up=follow_up, deadline=date(2025, 1, 10), reason="需跨年实施", actor=staff)
    stored = due(f"follow_up:{follow_up.pk}:")
    assert set(stored.values()) == {local(2025, 1, 3, 9, 0), local(2025, 1, 11, 9, 0)}
    assert len(stored) == 4


def test_the_overdue_reminder_comes_the_day_after_and_closing_withdraws_it(
    follow_up, staff, frozen, django_capture_on_commit_callbacks
):
    lead_user = follow_up.member.cadre.user
    frozen.move_to(local(2024, 12, 5, 9, 1))
    assert reminders_deliver_due() == 2
    frozen.move_to(local(2024, 12, 13, 9, 1))
    assert reminders_deliver_due() == 2
    assert Notification.objects.filter(recipient=lead_user).order_by("pk").last().title == (
        "督办事项“关于加强基层党组织建设的意见”已超过办理期限（12月12日）"
    )
    # closed before its deadline: nothing more
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_deadline_change(follow_up=follow_up, deadline=date(2024, 12, 31), reason="延期", actor=staff)
    frozen.move_to(local(2024, 12, 20, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_close(follow_up=follow_up, note="已落实", actor=staff)
    assert not Reminder.objects.filter(key__startswith=f"follow_up:{follow_up.pk}:", delivered_at__isnull=True).exists()
    frozen.move_to(local(2025, 1, 2, 10, 0))
    assert reminders_deliver_due() == 0


def test_a_follow_up_scheduled_after_its_deadline_warns_at_once(follow_up, frozen):
    frozen.move_to(local(2024, 12, 20, 10, 0))
    Reminder.objects.all().delete()
    reminders.follow_up_reminders_schedule(follow_up)
    stored = due(f"follow_up:{follow_up.pk}:")
    # the day before the deadline has passed: only the overdue reminder, due at once
    assert {kind for _user, kind in stored} == {"overdue"}
    assert (follow_up.member.cadre.user.pk, "overdue") in stored
    assert set(stored.values()) == {local(2024, 12, 20, 10, 0)}
    assert reminders.follow_up_reminders_schedule(follow_up) == 0
