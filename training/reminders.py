"""Reminders of the training app, worked out every morning: class start notices to the cadres called up, the
year's shortfalls from the fourth quarter (to the cadres short and, per unit, to 培训科), and plans waiting for
部领导's approval.

Each reminder has a key naming what it is about and the period it belongs to — the class and its start date, the
cadre and the ISO week, the plan and the day — so a second run sends nothing new, a cadre hears of a shortfall at
most once a week, and 部领导 hear of a waiting plan once a day. Reminders scheduled but not yet delivered whose
reason has gone (the cadre withdrawn, the plan approved) are withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre
from orgdept.core import roles
from orgdept.core.models import Reminder
from orgdept.core.notifications import reminder_cancel, reminder_schedule

from .models import Enrolment, TrainingClass, TrainingPlan
from .selectors import requirement_statuses, unit_shortfalls
from .services.common import format_hours, period

PREFIX = "training:"
MORNING = time(9, 0)
UNITS_SHOWN = 30  # units named in 培训科's weekly summary
NAMES_SHOWN = 10  # cadres named per unit


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def class_notice_days() -> int:
    return int(settings.ORGDEPT_TRAINING_CLASS_NOTICE_DAYS)


def shortfall_reminders_start(year: int) -> date:
    """The first day of `year` on which shortfall reminders go out (ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM)."""
    month, day = (int(part) for part in str(settings.ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM).split("-"))
    return date(year, month, day)


def _week(today: date) -> str:
    year, week, _weekday = today.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Wanted:
    recipient: object
    key: str
    title: str
    body: str = ""
    url: str = ""


def _active_users_in(role: str) -> list:
    return list(get_user_model().objects.filter(groups__name=role, is_active=True).distinct().order_by("pk"))


def class_start_reminders(today: date) -> list[Wanted]:
    """Cadres with an account called up to a class of an approved plan starting within
    ORGDEPT_TRAINING_CLASS_NOTICE_DAYS days (a run missed is made up until the first day): once per class and start
    date."""
    last = today + timedelta(days=class_notice_days())
    enrolments = (
        Enrolment.objects.filter(
            status=Enrolment.Status.ENROLLED,
            training_class__closed_at__isnull=True,
            training_class__plan__status=TrainingPlan.Status.APPROVED,
            training_class__start_date__gte=today,
            training_class__start_date__lte=last,
            cadre__user__isnull=False,
            cadre__user__is_active=True,
        )
        .select_related("training_class", "cadre__user")
        .order_by("training_class__start_date", "pk")
    )
    wanted = []
    for enrolment in enrolments:
        c: TrainingClass = enrolment.training_class
        where = f"，地点：{c.place}" if c.place else ""
        wanted.append(
            Wanted(
                enrolment.cadre.user,
                f"{PREFIX}class:{c.pk}:start:{c.start_date.isoformat()}",
                f"开班通知：「{c.name}」将于{_day(c.start_date)}开班",
                f"{enrolment.cadre.name}同志：您已被调训参加{c.organiser}举办的「{c.name}」"
                f"（{period(c.start_date, c.end_date)}{where}），请按时报到、全程参训。"
                "缺勤超过总学时七分之一的不予结业，不计学时。",
            )
        )
    return wanted


def shortfall_reminders(today: date) -> list[Wanted]:
    """From ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM (1 October) to the year's end: each cadre with an account who
    is short of the requirement as it stands on 31 December, at most once per ISO week."""
    if today < shortfall_reminders_start(today.year):
        return []
    year_end = date(today.year, 12, 31)
    cadres = list(
        Cadre.objects.filter(user__isnull=False, user__is_active=True).exclude(rank="").select_related("user")
    )
    statuses = requirement_statuses(cadres, year_end)
    wanted = []
    week = _week(today)
    for cadre in cadres:
        status = statuses[cadre.pk]
        if status is None or status.met:
            continue
        wanted.append(
            Wanted(
                cadre.user,
                f"{PREFIX}short:{cadre.pk}:{week}",
                f"{today.year}年度培训学时尚差{format_hours(status.shortfall)}学时",
                f"{cadre.name}同志：按{status.label}的要求，截至{_day(year_end)}{status.figures}，"
                f"尚差{format_hours(status.shortfall)}学时。请在年底前参加培训或网络学习补足学时。",
                _url("training:transcript", cadre.pk),
            )
        )
    return wanted


def unit_summary_reminders(today: date) -> list[Wanted]:
    """From the same day: 培训科 get one summary a week of the units whose cadres are short of the year's hours,
    with the cadres short and their shortfalls."""
    if today < shortfall_reminders_start(today.year):
        return []
    staff = _active_users_in(roles.TRAINING_SECTION)
    if not staff:
        return []
    lines = [line for line in unit_shortfalls(on=date(today.year, 12, 31)) if line.short]
    if not lines:
        return []
    lines.sort(key=lambda line: (-line.short, -line.total_shortfall, line.unit.order, line.unit.name))
    short = sum(line.short for line in lines)
    body = []
    for line in lines[:UNITS_SHOWN]:
        names = "、".join(
            f"{entry.cadre.name}差{format_hours(entry.status.shortfall)}" for entry in line.cadres_short[:NAMES_SHOWN]
        )
        more = f"等{line.short}人" if line.short > NAMES_SHOWN else ""
        body.append(
            f"{line.unit.name}：{line.short}/{line.counted}人未达标，合计差{format_hours(line.total_shortfall)}学时"
            f"（{names}{more}）"
        )
    if len(lines) > UNITS_SHOWN:
        body.append(f"另有{len(lines) - UNITS_SHOWN}个单位，详见学时达标情况页面。")
    title = f"{today.year}年度培训学时：{len(lines)}个单位{short}名干部尚未达标"
    url = _url("training:shortfalls")
    key = f"{PREFIX}units:{_week(today)}"
    return [Wanted(user, key, title, "\n".join(body), url) for user in staff]


def plan_pending_reminders(today: date) -> list[Wanted]:
    """Each plan submitted and not yet approved: 部领导 are told once a day."""
    plans = list(TrainingPlan.objects.filter(status=TrainingPlan.Status.SUBMITTED).order_by("submitted_at", "pk"))
    if not plans:
        return []
    leaders = _active_users_in(roles.DEPARTMENT_LEADER)
    wanted = []
    for plan in plans:
        since = timezone.localdate(plan.submitted_at) if plan.submitted_at else today
        for user in leaders:
            wanted.append(
                Wanted(
                    user,
                    f"{PREFIX}plan:{plan.pk}:pending:{today.isoformat()}",
                    f"培训计划待审批：{plan.year}年度{plan.title}",
                    f"培训科于{_day(since)}报送的{plan.year}年度培训计划“{plan.title}”等待审批；"
                    "计划审批后，其中的培训班方可调训。",
                    _url("training:plan_detail", plan.pk),
                )
            )
    return wanted


def reminders_due(today: date) -> list[Wanted]:
    return [
        *class_start_reminders(today),
        *shortfall_reminders(today),
        *unit_summary_reminders(today),
        *plan_pending_reminders(today),
    ]


@transaction.atomic
def training_reminders_schedule(*, today: date | None = None) -> int:
    """Schedules today's reminders (due at 09:00, or at once later in the day) not scheduled before, and withdraws
    undelivered ones no longer due. Returns how many it scheduled: a second run the same day schedules none."""
    today = today or timezone.localdate()
    now = timezone.now()
    due_at = max(now, timezone.make_aware(datetime.combine(today, MORNING)))
    wanted = {(w.recipient.pk, w.key): w for w in reminders_due(today)}
    known = set(Reminder.objects.filter(key__in={key for _pk, key in wanted}).values_list("recipient_id", "key"))
    scheduled = 0
    for (user_pk, key), w in wanted.items():
        if (user_pk, key) in known:
            continue
        reminder_schedule(recipient=w.recipient, key=key, due_at=due_at, title=w.title[:200], body=w.body, url=w.url)
        scheduled += 1
    stale = Reminder.objects.filter(key__startswith=PREFIX, delivered_at__isnull=True).select_related("recipient")
    for reminder in stale:
        if (reminder.recipient_id, reminder.key) not in wanted:
            reminder_cancel(recipient=reminder.recipient, key=reminder.key)
    return scheduled
