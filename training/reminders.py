"""Reminders of the training app, worked out every morning: class start notices to the cadres called up, the
year's shortfalls from the fourth quarter (to the cadres short and, per unit, to 培训科), and plans waiting for
部领导's approval.

Each reminder has a key naming what it is about and the period it belongs to — the class and its start date, the
cadre and the ISO week, the plan and the day — so a second run sends nothing new, a cadre hears of a shortfall at
most once a week, and 部领导 hear of a waiting plan once a day. Reminders scheduled but not yet delivered whose
reason has gone (the cadre withdrawn, the plan approved) are withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cadres.models import Unit
from orgdept.core import roles
from orgdept.core.models import Reminder
from orgdept.core.notifications import reminders_cancel, reminders_schedule_new, reminders_stored

from .models import Enrolment, TrainingClass, TrainingPlan
from .requirements import ZERO, requirement_from, rule_for_rank
from .selectors import shortfalls_in_windows
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
    recipient: object  # a user, or a user's pk
    key: str
    title: str
    body: str = ""
    url: str = ""

    @property
    def recipient_id(self) -> int:
        return getattr(self.recipient, "pk", self.recipient)


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


@dataclass
class UnitLine:
    """A unit in 培训科's summary (units with cadres short): cadres with a rank, those short, the hours short, the
    short ones' (shortfall, name, pk)."""

    counted: int = 0
    short: int = 0
    total_shortfall: Decimal = ZERO
    cadres_short: list = field(default_factory=list)


@dataclass
class YearEndShortfalls:
    """Every cadre against their requirement on 31 December, worked out once a morning for both the cadres'
    reminders and 培训科's summary: per unit, and the cadres short who have an active account."""

    on: date
    units: dict  # unit pk -> UnitLine
    accounts_short: list  # (cadre pk, name, account pk, RequirementStatus)


def year_end_shortfalls(today: date) -> YearEndShortfalls | None:
    """None before the shortfall reminders start (ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM)."""
    if today < shortfall_reminders_start(today.year):
        return None
    on = date(today.year, 12, 31)
    by_rank = {}
    # tens of thousands of cadres share a few hundred (rank, hours earned): each status (frozen) is made once
    statuses = {}
    units: dict[int, UnitLine] = {}
    accounts_short = []
    rows, counted = shortfalls_in_windows(on)
    for pk, unit_pk, name, rank, user_pk, active, earned, shortfall in rows:
        line = units.get(unit_pk)
        if line is None:
            line = units[unit_pk] = UnitLine(counted=counted[unit_pk])
        line.short += 1
        line.total_shortfall += shortfall
        line.cadres_short.append((shortfall, name, pk))
        if user_pk is not None and active:
            status = statuses.get((rank, earned))
            if status is None:
                if rank not in by_rank:
                    by_rank[rank] = rule_for_rank(rank)
                status = statuses[rank, earned] = requirement_from(by_rank[rank], on, earned)
            accounts_short.append((pk, name, user_pk, status))
    for line in units.values():
        line.cadres_short.sort(key=lambda c: (-c[0], c[1], c[2]))
    return YearEndShortfalls(on=on, units=units, accounts_short=accounts_short)


def shortfall_reminders(today: date, shortfalls: YearEndShortfalls | None = None) -> list[Wanted]:
    """From ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM (1 October) to the year's end: each cadre with an account who
    is short of the requirement as it stands on 31 December, at most once per ISO week. `shortfalls`: the morning's
    year_end_shortfalls, when already worked out."""
    shortfalls = shortfalls or year_end_shortfalls(today)
    if shortfalls is None:
        return []
    year_end = shortfalls.on
    wanted = []
    week = _week(today)
    # the transcript's address once, with a placeholder for the cadre (reversing it per cadre adds up)
    head, _sep, tail = _url("training:transcript", 0).rpartition("/0/")
    # the title and the body after the name, once per status (year_end_shortfalls shares each among many cadres)
    texts = {}
    for pk, name, user_pk, status in shortfalls.accounts_short:
        text = texts.get(status)
        if text is None:
            short = format_hours(status.shortfall)
            text = texts[status] = (
                f"{today.year}年度培训学时尚差{short}学时",
                f"同志：按{status.label}的要求，截至{_day(year_end)}{status.figures}，"
                f"尚差{short}学时。请在年底前参加培训或网络学习补足学时。",
            )
        wanted.append(Wanted(user_pk, f"{PREFIX}short:{pk}:{week}", text[0], name + text[1], f"{head}/{pk}/{tail}"))
    return wanted


def unit_summary_reminders(today: date, shortfalls: YearEndShortfalls | None = None) -> list[Wanted]:
    """From the same day: 培训科 get one summary a week of the units whose cadres are short of the year's hours,
    with the cadres short and their shortfalls. `shortfalls` as for shortfall_reminders."""
    if today < shortfall_reminders_start(today.year):
        return []
    staff = _active_users_in(roles.TRAINING_SECTION)
    if not staff:
        return []
    shortfalls = shortfalls or year_end_shortfalls(today)
    short_units = {pk: line for pk, line in shortfalls.units.items() if line.short}
    if not short_units:
        return []
    units = Unit.objects.only("name", "order").in_bulk(list(short_units))
    lines = sorted(
        ((units[pk], line) for pk, line in short_units.items()),
        key=lambda pair: (-pair[1].short, -pair[1].total_shortfall, pair[0].order, pair[0].name),
    )
    short = sum(line.short for _unit, line in lines)
    body = []
    for unit, line in lines[:UNITS_SHOWN]:
        names = "、".join(f"{name}差{format_hours(hours)}" for hours, name, _pk in line.cadres_short[:NAMES_SHOWN])
        more = f"等{line.short}人" if line.short > NAMES_SHOWN else ""
        body.append(
            f"{unit.name}：{line.short}/{line.counted}人未达标，合计差{format_hours(line.total_shortfall)}学时"
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
    shortfalls = year_end_shortfalls(today)
    return [
        *class_start_reminders(today),
        *shortfall_reminders(today, shortfalls),
        *unit_summary_reminders(today, shortfalls),
        *plan_pending_reminders(today),
    ]


@transaction.atomic
def training_reminders_schedule(*, today: date | None = None) -> int:
    """Schedules today's reminders (due at 09:00, or at once later in the day) not scheduled before, and withdraws
    undelivered ones no longer due. Returns how many it scheduled: a second run the same day schedules none."""
    today = today or timezone.localdate()
    now = timezone.now()
    due_at = max(now, timezone.make_aware(datetime.combine(today, MORNING)))
    wanted = {(w.recipient_id, w.key): w for w in reminders_due(today)}
    known = reminders_stored({key for _pk, key in wanted})
    scheduled = reminders_schedule_new(
        due_at=due_at,
        rows=[
            (user_pk, key, w.title, w.body, w.url)
            for (user_pk, key), w in wanted.items()
            if (user_pk, key) not in known
        ],
    )
    stale = Reminder.objects.filter(key__startswith=PREFIX, delivered_at__isnull=True).values_list(
        "pk", "recipient_id", "key"
    )
    reminders_cancel(pks=[pk for pk, user_pk, key in stale if (user_pk, key) not in wanted])
    return scheduled
