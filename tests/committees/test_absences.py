"""Substitutes, leave and quarterly reports through the services: refusals in Chinese, notifications, audit
events, and the quarterly report reminders (scheduled once, cancelled by the report, delivered when due)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from committees.models import Leave, SubstituteArrangement, TermMember
from committees.services import (
    leave_record,
    quarterly_report_record,
    quarterly_report_reminders_schedule,
    substitute_designate,
    term_change,
    term_member_add,
    term_member_leave,
)
from committees.services.absences import report_reminder_key
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Notification, Reminder
from orgdept.core.notifications import reminders_deliver_due
from tests.cadres.factories import make_cadre, make_unit

from .test_responsibility import STARTS, Board, build_board, cancel_in_time

R = TermMember.Role
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def board(make_user) -> Board:
    """The shared board, with accounts for 王书记, 张常委, 赵常委 and 孙常委 (李副书记 has none)."""
    users = {key: make_user(roles.STANDING_MEMBER, username=key) for key in ("wang", "zhang", "zhao", "sun")}
    return build_board(staff=make_user(roles.ORGANIZATION_SECTION, username="zuzhike"), users=users)


def record(board, member, starts_on, ends_on, reason="外出考察"):
    return leave_record(member=member, starts_on=starts_on, ends_on=ends_on, reason=reason, actor=board.staff)


def inbox(member: TermMember, about: str = "请假") -> list[tuple[str, str]]:
    """The member's notifications about leave (activating the plan also notified every standing member)."""
    mine = Notification.objects.filter(recipient=member.cadre.user, title__contains=about)
    return list(mine.order_by("pk").values_list("title", "body"))


# --- leave -----------------------------------------------------------------------------------------------


def test_an_overlapping_leave_is_refused_and_adjacent_ones_are_not(board):
    record(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7), reason="培训")
    for starts_on, ends_on in [
        (date(2024, 11, 7), date(2024, 11, 9)),  # the last day is still on leave
        (date(2024, 11, 1), date(2024, 11, 3)),
        (date(2024, 11, 4), date(2024, 11, 5)),
        (date(2024, 10, 1), date(2024, 12, 1)),
    ]:
        with pytest.raises(ApplicationError) as excinfo:
            record(board, board.zhang, starts_on, ends_on)
        assert excinfo.value.message == "与已登记的请假（2024-11-03至2024-11-07，培训）时间重叠"
        assert excinfo.value.field_errors == {"starts_on": excinfo.value.message}
    record(board, board.zhang, date(2024, 11, 8), date(2024, 11, 9))
    record(board, board.zhang, date(2024, 11, 1), date(2024, 11, 2))
    assert Leave.objects.filter(member=board.zhang).count() == 3


def test_a_cancelled_leave_no_longer_blocks_its_days(board):
    first = record(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    cancel_in_time(first, board.staff)
    again = record(board, board.zhang, date(2024, 11, 4), date(2024, 11, 6))
    assert again.pk != first.pk


def test_leave_is_only_for_serving_standing_members(board):
    member = term_member_add(
        term=board.term, cadre=make_cadre(make_unit(), "钱委员"), role=R.MEMBER, joined_on=STARTS, actor=board.staff
    )
    with pytest.raises(ApplicationError, match=r"^钱委员不是常委$"):
        record(board, member, date(2024, 11, 3), date(2024, 11, 7))
    term_member_leave(member=board.sun, left_on=date(2024, 10, 1), reason="调离", actor=board.staff)
    with pytest.raises(ApplicationError, match=r"^孙常委已于2024-10-01离任$"):
        record(board, board.sun, date(2024, 11, 3), date(2024, 11, 7))
    assert not Leave.objects.exists()


def test_leave_dates_and_reason_are_checked(board):
    with pytest.raises(ApplicationError) as excinfo:
        record(board, board.zhang, date(2024, 11, 7), date(2024, 11, 3), reason="  ")
    assert excinfo.value.field_errors == {"reason": "请填写请假事由", "ends_on": "结束日期不能早于开始日期"}
    with pytest.raises(ApplicationError, match="开始日期不能早于张常委进入本届的日期"):
        record(board, board.zhang, date(2021, 9, 1), date(2021, 9, 30))


def test_the_substitute_is_notified_when_a_leave_is_recorded_and_cancelled(board):
    leave = record(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    ((title, body),) = inbox(board.zhao)
    assert title == "张常委2024年11月03日至2024年11月07日请假，由您补位"
    assert body.startswith("请假期间，张常委分管的") and body.endswith("工作由您负责。")
    assert all(name in body for name in board.leads_of(board.zhang))
    assert inbox(board.zhang) == [] and inbox(board.wang) == []

    cancel_in_time(leave, board.staff)
    title, body = inbox(board.zhao)[-1]
    assert title == "张常委2024年11月03日至2024年11月07日的请假已取消"
    assert body.startswith("您不再代为负责其分管的")
    # cancelling twice changes nothing and notifies nobody again
    cancel_in_time(leave, board.staff)
    assert len(inbox(board.zhao)) == 2


def test_the_secretary_is_notified_when_the_lead_has_no_substitute(board):
    record(board, board.sun, date(2024, 11, 3), date(2024, 11, 4))
    ((title, body),) = inbox(board.wang)
    assert title == "孙常委2024年11月03日至2024年11月04日请假，由您补位"
    assert "纪检监察" in body


def test_leave_record_and_cancel_are_audited(board):
    leave = record(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7), reason="参加培训")
    cancel_in_time(leave, board.staff)
    recorded = AuditEvent.objects.get(action="leave.recorded")
    assert (recorded.actor, recorded.object_type, recorded.object_id) == (
        board.staff,
        "committees.leave",
        str(leave.pk),
    )
    assert recorded.details == {
        "member": "张常委",
        "starts_on": "2024-11-03",
        "ends_on": "2024-11-07",
        "reason": "参加培训",
    }
    cancelled = AuditEvent.objects.get(action="leave.cancelled")
    assert (cancelled.actor, cancelled.object_id) == (board.staff, str(leave.pk))
    assert cancelled.details == {"starts_on": "2024-11-03", "ends_on": "2024-11-07"}


# --- substitutes -------------------------------------------------------------------------------------------


def test_designating_a_substitute_replaces_the_one_in_force_and_is_audited(board):
    old = SubstituteArrangement.objects.get(member=board.zhang, superseded_on__isnull=True)
    new = substitute_designate(
        member=board.zhang, substitute=board.sun, effective_from=date(2024, 11, 5), actor=board.staff
    )
    old.refresh_from_db()
    assert old.superseded_on == date(2024, 11, 5)
    assert (new.substitute, new.effective_from, new.superseded_on, new.actor) == (
        board.sun,
        date(2024, 11, 5),
        None,
        board.staff,
    )
    event = AuditEvent.objects.filter(action="substitute.designated").latest("pk")
    assert (event.actor, event.object_type, event.object_id) == (
        board.staff,
        "committees.termmember",
        str(board.zhang.pk),
    )
    assert event.details == {
        "substitute": "孙常委",
        "substitute_id": board.sun.pk,
        "previous_substitute_id": board.zhao.pk,
        "effective_from": "2024-11-05",
    }
    # the same substitute again is no change, and writes nothing
    count = AuditEvent.objects.count()
    again = substitute_designate(
        member=board.zhang, substitute=board.sun, effective_from=date(2024, 12, 1), actor=board.staff
    )
    assert again == new and AuditEvent.objects.count() == count


def test_substitute_refusals(board):
    member = term_member_add(
        term=board.term, cadre=make_cadre(make_unit(), "钱委员"), role=R.MEMBER, joined_on=STARTS, actor=board.staff
    )
    cases = [
        ({"member": board.zhang, "substitute": board.zhang}, "substitute", "不能安排本人为自己的补位人"),
        ({"member": board.zhang, "substitute": member}, "substitute", "钱委员不是常委"),
        ({"member": member, "substitute": board.zhang}, "member", "钱委员不是常委"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ApplicationError) as excinfo:
            substitute_designate(effective_from=date(2024, 11, 5), actor=board.staff, **kwargs)
        assert excinfo.value.field_errors == {field: message}
    with pytest.raises(ApplicationError, match="生效日期不能早于现行安排的生效日期2021-10-08"):
        substitute_designate(
            member=board.zhang, substitute=board.sun, effective_from=date(2021, 10, 1), actor=board.staff
        )
    assert SubstituteArrangement.objects.filter(member=board.zhang).count() == 1


def test_substitutes_come_from_the_same_term_and_end_with_it(board):
    new_term = term_change(committee=board.term.committee, starts_on=date(2026, 9, 28), actor=board.staff)
    assert not SubstituteArrangement.objects.filter(member__term=board.term, superseded_on__isnull=True).exists()
    newcomer = term_member_add(
        term=new_term,
        cadre=make_cadre(make_unit(), "周常委"),
        role=R.STANDING_MEMBER,
        joined_on=new_term.starts_on,
        actor=board.staff,
    )
    with pytest.raises(ApplicationError, match=r"^云岭区委第15届已换届$"):
        substitute_designate(member=board.zhang, substitute=board.zhao, effective_from=date(2026, 10, 1), actor=None)
    with pytest.raises(ApplicationError) as excinfo:
        substitute_designate(member=newcomer, substitute=board.zhao, effective_from=date(2026, 10, 1), actor=None)
    assert excinfo.value.field_errors == {"substitute": "云岭区委第15届已换届"}


# --- quarterly reports ---------------------------------------------------------------------------------------


def test_a_report_is_recorded_once_per_quarter_and_audited(board):
    report = quarterly_report_record(
        member=board.zhang, year=2024, quarter=3, reported_on=date(2024, 9, 20), summary="组织工作", actor=board.staff
    )
    event = AuditEvent.objects.get(action="quarterly_report.recorded")
    assert (event.actor, event.object_id) == (board.staff, str(board.zhang.pk))
    assert event.details == {"year": 2024, "quarter": 3, "reported_on": "2024-09-20"}
    assert (report.summary, report.actor) == ("组织工作", board.staff)
    with pytest.raises(ApplicationError, match=r"^张常委2024年第3季度的报告已登记$"):
        quarterly_report_record(member=board.zhang, year=2024, quarter=3, reported_on=date(2024, 9, 21), actor=None)


def test_report_refusals(board):
    member = term_member_add(
        term=board.term, cadre=make_cadre(make_unit(), "钱委员"), role=R.MEMBER, joined_on=STARTS, actor=board.staff
    )
    cases = [
        ({"member": member, "year": 2024, "quarter": 3, "reported_on": date(2024, 9, 20)}, "member", "钱委员不是常委"),
        (
            {"member": board.zhang, "year": 2024, "quarter": 5, "reported_on": date(2024, 9, 20)},
            "quarter",
            "季度须为1至4",
        ),
        (
            {"member": board.zhang, "year": 2024, "quarter": 3, "reported_on": date(2024, 6, 30)},
            "reported_on",
            "报告日期不能早于2024年第3季度",
        ),
        (
            {"member": board.zhang, "year": 2024, "quarter": 4, "reported_on": timezone.localdate().replace(year=2999)},
            "reported_on",
            "报告日期不能晚于今天",
        ),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ApplicationError) as excinfo:
            quarterly_report_record(actor=board.staff, **kwargs)
        assert excinfo.value.field_errors == {field: message}


# --- reminders -------------------------------------------------------------------------------------------------

DAILY_RUN = datetime(2024, 12, 1, 6, 40, tzinfo=SHANGHAI)
DUE = datetime(2024, 12, 17, 9, 0, tzinfo=SHANGHAI)  # 14 days before 31 December
KEY = report_reminder_key(2024, 4)


def reminded() -> set[str]:
    return set(Reminder.objects.filter(key=KEY).values_list("recipient__username", flat=True))


def test_the_reminder_is_due_fourteen_days_before_the_quarter_ends_at_nine(board):
    with time_machine.travel(DAILY_RUN, tick=False):
        assert quarterly_report_reminders_schedule() == 4
    assert reminded() == {"wang", "zhang", "zhao", "sun"}  # 李副书记 has no account
    reminder = Reminder.objects.get(key=KEY, recipient__username="zhang")
    assert reminder.due_at == DUE
    assert timezone.localtime(reminder.due_at).strftime("%Y-%m-%d %H:%M") == "2024-12-17 09:00"
    assert reminder.title == "请于12月31日前向常委会报告本季度分管领域工作"
    assert reminder.url == "/committees/mine/"
    assert reminder.delivered_at is None


def test_scheduling_again_changes_nothing(board):
    with time_machine.travel(DAILY_RUN, tick=False):
        quarterly_report_reminders_schedule()
    first = list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "updated_at"))
    for day in (2, 10, 20):
        with time_machine.travel(DAILY_RUN.replace(day=day), tick=False):
            assert quarterly_report_reminders_schedule() == 0
    assert list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "updated_at")) == first


def test_no_reminder_for_who_has_reported_or_has_left(board):
    with time_machine.travel(DAILY_RUN, tick=False):
        quarterly_report_record(member=board.zhao, year=2024, quarter=4, reported_on=date(2024, 11, 28), actor=None)
        # reports of other quarters do not count, even one of the same year and one of the same quarter number
        quarterly_report_record(member=board.sun, year=2024, quarter=3, reported_on=date(2024, 9, 28), actor=None)
        quarterly_report_record(member=board.sun, year=2023, quarter=4, reported_on=date(2023, 12, 28), actor=None)
        term_member_leave(member=board.wang, left_on=date(2024, 11, 30), reason="调任", actor=None)
        assert quarterly_report_reminders_schedule() == 2
    assert reminded() == {"zhang", "sun"}


def test_late_in_the_quarter_the_reminder_is_due_the_same_morning(board):
    with time_machine.travel(datetime(2024, 12, 28, 6, 40, tzinfo=SHANGHAI), tick=False):
        quarterly_report_reminders_schedule()
    assert set(Reminder.objects.filter(key=KEY).values_list("due_at", flat=True)) == {
        datetime(2024, 12, 28, 9, 0, tzinfo=SHANGHAI)
    }


def test_recording_the_report_cancels_the_reminder(board):
    with time_machine.travel(DAILY_RUN, tick=False):
        quarterly_report_reminders_schedule()
        quarterly_report_record(member=board.zhang, year=2024, quarter=4, reported_on=date(2024, 12, 1), actor=None)
    assert reminded() == {"wang", "zhao", "sun"}
    with time_machine.travel(DAILY_RUN.replace(day=2), tick=False):
        assert quarterly_report_reminders_schedule() == 0
    assert "zhang" not in reminded()


def test_the_reminder_becomes_a_notification_when_due_and_only_once(board):
    with time_machine.travel(DAILY_RUN, tick=False):
        quarterly_report_reminders_schedule()
    with time_machine.travel(datetime(2024, 12, 17, 8, 59, tzinfo=SHANGHAI), tick=False):
        assert reminders_deliver_due() == 0
    with time_machine.travel(datetime(2024, 12, 17, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert reminders_deliver_due() == 4
        assert reminders_deliver_due() == 0
    title, body = inbox(board.zhang, about="报告")[-1]
    assert title == "请于12月31日前向常委会报告本季度分管领域工作"
    assert body.startswith("2024年第4季度即将结束。")
    # delivered reminders are not scheduled again by the next daily run
    with time_machine.travel(datetime(2024, 12, 18, 6, 40, tzinfo=SHANGHAI), tick=False):
        assert quarterly_report_reminders_schedule() == 0
    assert Notification.objects.filter(recipient=board.zhang.cadre.user, title=title).count() == 1


def test_the_daily_task_schedules_the_reminders(board):
    from committees.tasks import schedule_quarterly_report_reminders
    from orgdept.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == schedule_quarterly_report_reminders.name)
    assert entry["task"] == "committees.schedule_quarterly_report_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({6}, {40})  # every day, before the 09:00 reminders
    with time_machine.travel(DAILY_RUN, tick=False):
        assert schedule_quarterly_report_reminders.delay().get() == 4
        assert schedule_quarterly_report_reminders.delay().get() == 0
    assert reminded() == {"wang", "zhang", "zhao", "sun"}


def test_the_reminder_days_are_a_setting(board, settings):
    settings.ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS = 7
    with time_machine.travel(DAILY_RUN, tick=False):
        quarterly_report_reminders_schedule()
    assert Reminder.objects.filter(key=KEY).first().due_at == datetime(2024, 12, 24, 9, 0, tzinfo=SHANGHAI)
