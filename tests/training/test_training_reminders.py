"""The training reminders: class start notices to cadres called up (3 days before, once), shortfall reminders
from 1 October (cadres weekly, 培训科 a summary per unit), plans awaiting approval (部领导, once a day); a second
run the same day sends nothing new."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from orgdept.celery import app
from orgdept.core import roles
from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import reminders_deliver_due
from tests.cadres.factories import make_cadre
from tests.training.factories import COUNTY, SECTION, approved_class, call, make_class, make_plan, online
from training import reminders
from training.services import enrolment, plans
from training.tasks import training_reminders


def run(day: date) -> int:
    with time_machine.travel(day, tick=False):
        return reminders.training_reminders_schedule()


def keys(prefix: str = reminders.PREFIX) -> list[tuple[str, str]]:
    return sorted(Reminder.objects.filter(key__startswith=prefix).values_list("recipient__username", "key"), key=str)


def test_class_start_notices_go_to_cadres_with_an_account_three_days_before_once(staff, leader, unit, make_user):
    with time_machine.travel(date(2026, 11, 1), tick=False):
        training_class = approved_class(staff, leader, start=date(2026, 11, 25), end=date(2026, 11, 27), name="中青班")
        li = make_cadre(unit, "李明", user=make_user(username="liming"))
        wang = make_cadre(unit, "王芳", user=make_user(username="wangfang"))
        no_account = make_cadre(unit, "赵强")
        _mine, hers, _his = call(training_class, [li, wang, no_account], staff)
        enrolment.enrolment_withdraw(enrolment=hers, reason="借调", actor=staff)
    assert run(date(2026, 11, 21)) == 0
    assert run(date(2026, 11, 22)) == 1
    key = f"training:class:{training_class.pk}:start:2026-11-25"
    assert keys() == [("liming", key)]
    reminder = Reminder.objects.get()
    assert reminder.title == "开班通知：「中青班」将于2026年11月25日开班"
    assert (
        "李明同志：您已被调训参加区委党校举办的「中青班」（2026-11-25至2026-11-27，地点：区委党校教学楼）"
        in reminder.body
    )
    assert run(date(2026, 11, 22)) == 0
    # a missed day is made up until the class starts, still once
    assert run(date(2026, 11, 24)) == 0
    assert Reminder.objects.count() == 1


def test_a_notice_not_yet_delivered_is_withdrawn_with_the_cadre(staff, leader, unit, make_user):
    with time_machine.travel(date(2026, 11, 1), tick=False):
        training_class = approved_class(staff, leader, start=date(2026, 11, 25), name="中青班")
        [made] = call(training_class, [make_cadre(unit, "李明", user=make_user(username="liming"))], staff)
    with time_machine.travel(date(2026, 11, 22), tick=False):
        assert reminders.training_reminders_schedule() == 1
        enrolment.enrolment_withdraw(enrolment=made, reason="病假", actor=staff)
        reminders.training_reminders_schedule()
    assert not Reminder.objects.exists()


def shortfall_setup(staff, unit, make_user):
    with time_machine.travel(date(2026, 9, 1), tick=False):
        short = make_cadre(unit, "李明", rank=SECTION, user=make_user(username="liming"))
        county = make_cadre(unit, "王芳", rank=COUNTY, user=make_user(username="wangfang"))
        met = make_cadre(unit, "赵强", rank=SECTION, user=make_user(username="zhaoqiang"))
        make_cadre(unit, "钱多", rank=SECTION)  # short, no account: only in the unit summary
        online(short, staff, 60, date(2026, 3, 1))
        online(county, staff, 300, date(2023, 3, 1))
        online(county, staff, 300, date(2024, 3, 1))
        online(met, staff, 90, date(2026, 3, 1))
    return short


def test_shortfall_reminders_start_on_1_october_not_30_september(staff, unit, make_user):
    short = shortfall_setup(staff, unit, make_user)
    assert run(date(2026, 9, 30)) == 0
    assert run(date(2026, 10, 1)) == 2
    assert keys() == [("liming", f"training:short:{short.pk}:2026-W40"), ("peixun", "training:units:2026-W40")]
    cadre_reminder = Reminder.objects.get(recipient__username="liming")
    assert cadre_reminder.title == "2026年度培训学时尚差30学时"
    assert "截至2026年12月31日2026年度学时60/90，尚差30学时" in cadre_reminder.body
    summary = Reminder.objects.get(recipient__username="peixun")
    assert summary.title == "2026年度培训学时：1个单位2名干部尚未达标"
    assert summary.body == "区发改局：2/4人未达标，合计差120学时（钱多差90、李明差30）"


def test_shortfall_reminders_go_at_most_once_a_week(staff, unit, make_user):
    shortfall_setup(staff, unit, make_user)
    assert run(date(2026, 10, 1)) == 2  # Thursday of week 40
    with time_machine.travel(datetime(2026, 10, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert reminders_deliver_due() == 2
    assert run(date(2026, 10, 4)) == 0  # Sunday, same week
    assert run(date(2026, 10, 5)) == 2  # Monday of week 41
    assert Reminder.objects.filter(key__startswith="training:short:").count() == 2
    assert Notification.objects.filter(recipient__username="liming").count() == 1


def test_a_plan_awaiting_approval_reminds_the_leaders_once_a_day(staff, leader, make_user):
    other_leader = make_user(roles.DEPARTMENT_LEADER, username="buld2")
    with time_machine.travel(date(2026, 11, 20), tick=False):
        plan = make_plan(staff, year=2027, title="2027年度干部教育培训计划")
        make_class(plan, staff, start=date(2027, 3, 1))
        plans.plan_submit(plan=plan, actor=staff)
    assert run(date(2026, 11, 22)) == 2
    assert run(date(2026, 11, 22)) == 0
    key = f"training:plan:{plan.pk}:pending:2026-11-22"
    assert keys() == [("buld", key), (other_leader.username, key)]
    assert Reminder.objects.first().title == "培训计划待审批：2027年度2027年度干部教育培训计划"
    with time_machine.travel(datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert reminders_deliver_due() == 2
    assert Notification.objects.filter(recipient=leader).count() == 1
    assert run(date(2026, 11, 23)) == 2
    with time_machine.travel(date(2026, 11, 23), tick=False):
        plans.plan_approve(plan=plan, actor=leader)
    assert run(date(2026, 11, 23)) == 0
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()


def test_the_task_runs_the_schedule_and_is_on_the_beat_at_0840(staff, leader, unit, make_user):
    with time_machine.travel(date(2026, 11, 1), tick=False):
        training_class = approved_class(staff, leader, start=date(2026, 11, 25), name="中青班")
        call(training_class, [make_cadre(unit, "李明", user=make_user(username="liming"))], staff)
    with time_machine.travel(date(2026, 11, 22), tick=False):
        assert training_reminders.delay().get() == 1
        assert training_reminders.delay().get() == 0
    entry = app.conf.beat_schedule["training-reminders"]
    assert entry["task"] == "training.tasks.reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {40})
