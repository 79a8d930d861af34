"""Reminders of the appointment procedure, worked out every morning from the proposals' dates: a notice about to
end, objections still open after it ended, a probation about to end, a recommendation result about to expire before
the decision, a proposal stalled in its stage.

Each reminder is for one proposal and one date (the notice's end, the probation's end, the result's expiry, the
day the stage began), so it is sent once however often the task runs; one missed on its day (the worker was down)
is sent on the next run while its window lasts. Those scheduled but not yet delivered are withdrawn when the
proposal has moved on. Recipients: the 干部科 staff, and whoever entered the proposal while they may still see it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from orgdept.core import roles
from orgdept.core.models import Reminder
from orgdept.core.notifications import reminders_cancel, reminders_schedule_new, reminders_stored
from orgdept.core.workdays import ScheduleMissing, WorkCalendar

from .home import BEFORE_DECISION, post_label, proposal_label, proposal_url
from .models import AppointmentProposal
from .services.proposals import STATUS_WORDS, probation_reminder_on, recommendation_expires_on

logger = logging.getLogger(__name__)

Status = AppointmentProposal.Status

PREFIX = "proposal:"
# the hour of the day the reminders of a day are due (the task runs a little before)
MORNING = time(9, 0)
NOTICE_ENDING, OBJECTIONS, PROBATION, RECOMMENDATION, STALLED = (
    "notice_ending",
    "objections",
    "probation_ending",
    "recommendation_expiring",
    "stalled",
)
# a proposal in probation waits a year by design: its own reminder is the probation's end
STALL_STATUSES = AppointmentProposal.OPEN_STATUSES


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Due:
    """One reminder a proposal should have today."""

    proposal: AppointmentProposal
    kind: str
    on: date  # the date it is about: with the proposal and kind, what makes it one reminder
    title: str
    body: str

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.proposal.pk}:{self.kind}:{self.on.isoformat()}"


def _proposals():
    return AppointmentProposal.objects.select_related(
        "cadre", "target_position__unit", "current_position__unit", "recommendation__position__unit", "created_by"
    ).order_by("pk")


def notice_reminders(today: date) -> list[Due]:
    """The day before a notice ends (and on its last day, if that run was missed): the appointment may follow."""
    due = []
    proposals = _proposals().filter(
        status=Status.NOTICE, notice_ends_on__gte=today, notice_ends_on__lte=today + timedelta(days=1)
    )
    for p in proposals.annotate(open_objections=Count("objections", filter=Q(objections__resolved_on__isnull=True))):
        pending = f"目前有{p.open_objections}件反映尚未办结。" if p.open_objections else "目前没有未办结的反映。"
        due.append(
            Due(
                p,
                NOTICE_ENDING,
                p.notice_ends_on,
                f"任前公示将于{_day(p.notice_ends_on)}期满：{proposal_label(p)}",
                f"{p.cadre.name}同志的任前公示自{_day(p.notice_starts_on)}起至{_day(p.notice_ends_on)}止。公示期满后方可"
                f"办理任职；公示期间收到的反映须在任职前核查办结。{pending}",
            )
        )
    return due


def objection_reminders(today: date) -> list[Due]:
    """From the day after a notice ended: objections received during it and not yet resolved block the
    appointment."""
    due = []
    proposals = _proposals().filter(status=Status.NOTICE, notice_ends_on__lt=today)
    proposals = proposals.annotate(open_objections=Count("objections", filter=Q(objections__resolved_on__isnull=True)))
    for p in proposals.filter(open_objections__gt=0):
        due.append(
            Due(
                p,
                OBJECTIONS,
                p.notice_ends_on,
                f"任前公示已于{_day(p.notice_ends_on)}期满，{p.cadre.name}尚有{p.open_objections}件反映未办结",
                f"{proposal_label(p)}：公示期间收到的反映须核查办结后才能办理任职；反映问题经核查属实的，终止任职程序。",
            )
        )
    return due


def probation_reminders(today: date) -> list[Due]:
    """ORGDEPT_PROBATION_REMINDER_DAYS before a probation ends, until it ends: prepare its assessment."""
    due = []
    days = settings.ORGDEPT_PROBATION_REMINDER_DAYS
    proposals = _proposals().filter(
        status=Status.APPOINTED, probation_ends_on__gte=today, probation_ends_on__lte=today + timedelta(days=days)
    )
    for p in proposals:
        if probation_reminder_on(p) > today:
            continue
        post = post_label(p.target_position) if p.target_position_id else ""
        due.append(
            Due(
                p,
                PROBATION,
                p.probation_ends_on,
                f"{p.cadre.name}的试用期将于{_day(p.probation_ends_on)}期满",
                f"{p.cadre.name}同志任{post}，试用期自{_day(p.appointed_on)}起至{_day(p.probation_ends_on)}止。"
                f"请在期满前组织考核，期满后办理转正，考核不合格的恢复原职级。",
            )
        )
    return due


def recommendation_reminders(today: date) -> list[Due]:
    """ORGDEPT_RECOMMENDATION_REMINDER_DAYS before a recommendation result expires, until it does, for proposals
    still before the decision: an expired result means recommending again."""
    due = []
    days = settings.ORGDEPT_RECOMMENDATION_REMINDER_DAYS
    months = settings.ORGDEPT_RECOMMENDATION_VALID_MONTHS
    # only results held when one could expire in the window (months last 28 to 31 days, a month-end moves the
    # expiry by up to 3): the exact test follows
    held = (today - timedelta(days=31 * months), today + timedelta(days=days + 3 - 28 * months))
    proposals = _proposals().filter(
        status__in=BEFORE_DECISION, recommendation__isnull=False, recommendation__held_on__range=held
    )
    for p in proposals:
        expires = recommendation_expires_on(p.recommendation)
        if not expires - timedelta(days=days) <= today <= expires:
            continue
        due.append(
            Due(
                p,
                RECOMMENDATION,
                expires,
                f"{p.cadre.name}的民主推荐结果将于{_day(expires)}到期",
                f"{proposal_label(p)}：{_day(p.recommendation.held_on)}的民主推荐结果有效期一年，至{_day(expires)}止，"
                f"过期后须重新推荐。该事项目前处于“{STATUS_WORDS[p.status]}”阶段，请在到期前提交讨论决定。",
            )
        )
    return due


def stalled_reminders(today: date, calendar: WorkCalendar) -> list[Due]:
    """A proposal in one stage more than ORGDEPT_PROPOSAL_STALLED_WORKDAYS working days (the day it entered not
    counted): once per stage it entered."""
    limit = settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS
    due = []
    # N working days take at least N calendar days: the rest cannot be stalled yet
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=limit), time.min))
    counted: dict[date, int | ScheduleMissing] = {}  # many proposals entered their stage on the same day
    for p in _proposals().filter(status__in=STALL_STATUSES, stage_since__lt=cutoff):
        since = timezone.localdate(p.stage_since)
        days = counted.get(since)
        if days is None:
            try:
                days = calendar.workdays_between(since, today)
            except ScheduleMissing as exc:
                days = exc
            counted[since] = days
        if isinstance(days, ScheduleMissing):
            # the administrators are warned of a missing year by the calendar check; nothing is guessed here
            logger.warning("proposal %s not checked for stalling: %s", p.pk, days.message)
            continue
        if days <= limit:
            continue
        stage = STATUS_WORDS[p.status]
        due.append(
            Due(
                p,
                f"{STALLED}_{p.status}",
                since,
                f"{p.cadre.name}的任免事项在“{stage}”阶段已停留{days}个工作日",
                f"{proposal_label(p)}自{_day(since)}进入“{stage}”阶段，已超过{limit}个工作日没有进展，请推进办理或说明原因。",
            )
        )
    return due


def reminders_due(today: date) -> list[Due]:
    calendar = WorkCalendar()
    return [
        *notice_reminders(today),
        *objection_reminders(today),
        *probation_reminders(today),
        *recommendation_reminders(today),
        *stalled_reminders(today, calendar),
    ]


def cadre_section_users() -> list:
    return list(
        get_user_model().objects.filter(groups__name=roles.CADRE_SECTION, is_active=True).distinct().order_by("pk")
    )


def recipients(proposal: AppointmentProposal, staff: list) -> list:
    """干部科, and whoever entered the proposal while they may still see proposals (a right taken away also
    takes the reminders)."""
    people = list(staff)
    author = proposal.created_by
    if (
        author is not None
        and author.is_active
        and all(user.pk != author.pk for user in people)
        and author.has_perm("cadres.view_appointmentproposal")
    ):
        people.append(author)
    return people


@transaction.atomic
def proposal_reminders_schedule(*, today: date | None = None) -> int:
    """Schedules today's reminders (due at 09:00, or at once later in the day) that were never scheduled, and
    withdraws those not yet delivered whose proposal has moved on. Returns how many it scheduled; a second run
    the same day schedules none."""
    today = today or timezone.localdate()
    now = timezone.now()
    due_at = max(now, timezone.make_aware(datetime.combine(today, MORNING)))
    staff = cadre_section_users()
    wanted = {}
    for due in reminders_due(today):
        for user in recipients(due.proposal, staff):
            wanted[(user.pk, due.key)] = (user, due)
    keys = {key for _pk, key in wanted}
    known = reminders_stored(keys)
    scheduled = reminders_schedule_new(
        due_at=due_at,
        rows=[
            (user_pk, key, due.title, due.body, proposal_url(due.proposal.pk))
            for (user_pk, key), (_user, due) in wanted.items()
            if (user_pk, key) not in known
        ],
    )
    stale = Reminder.objects.filter(key__startswith=PREFIX, delivered_at__isnull=True).values_list(
        "pk", "recipient_id", "key"
    )
    reminders_cancel(pks=[pk for pk, user_pk, key in stale if (user_pk, key) not in wanted])
    return scheduled
