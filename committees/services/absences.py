"""Writes for 缺位互补: substitutes, leave records, and the quarterly report duty of standing members."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import Reminder
from orgdept.core.notifications import notify, reminder_cancel, reminder_schedule

from ..models import Leave, QuarterlyReport, SubstituteArrangement, TermMember


def _standing_serving(member: TermMember, field: str) -> None:
    if member.left_on is not None:
        raise ApplicationError(f"{member.cadre.name}已于{member.left_on:%Y-%m-%d}离任", field=field)
    if member.role not in TermMember.STANDING_ROLES:
        raise ApplicationError(f"{member.cadre.name}不是常委", field=field)
    if member.term.ends_on is not None:
        raise ApplicationError(f"{member.term}已换届", field=field)


def _lock_member(member: TermMember) -> TermMember:
    return TermMember.objects.select_for_update(of=("self",)).select_related("term", "cadre").get(pk=member.pk)


@transaction.atomic
def substitute_designate(
    *, member: TermMember, substitute: TermMember, effective_from: date, actor
) -> SubstituteArrangement:
    """Names who covers `member`'s areas while `member` is away, from `effective_from` on."""
    member = _lock_member(member)
    substitute = TermMember.objects.select_related("term", "cadre").get(pk=substitute.pk)
    _standing_serving(member, "member")
    _standing_serving(substitute, "substitute")
    if substitute.term_id != member.term_id:
        raise ApplicationError("缺位互补只能在本届常委之间安排", field="substitute")
    if substitute.pk == member.pk:
        raise ApplicationError("不能安排本人为自己的补位人", field="substitute")
    if effective_from < member.term.starts_on:
        raise ApplicationError(f"生效日期不能早于{member.term}的起始日期", field="effective_from")
    current = (
        SubstituteArrangement.objects.select_for_update().filter(member=member, superseded_on__isnull=True).first()
    )
    ended = (
        SubstituteArrangement.objects.filter(member=member, superseded_on__isnull=False)
        .order_by("-superseded_on")
        .values_list("superseded_on", flat=True)
        .first()
    )
    if ended is not None and effective_from < ended:
        # two arrangements in force on one day would leave open who covers
        raise ApplicationError(f"生效日期不能早于上一安排结束的日期{ended:%Y-%m-%d}", field="effective_from")
    if current is not None:
        if current.substitute_id == substitute.pk:
            return current
        if effective_from < current.effective_from:
            raise ApplicationError(
                f"生效日期不能早于现行安排的生效日期{current.effective_from:%Y-%m-%d}", field="effective_from"
            )
        current.superseded_on = effective_from
        current.save(update_fields=["superseded_on", "updated_at"])
    arrangement = SubstituteArrangement.objects.create(
        member=member, substitute=substitute, effective_from=effective_from, actor=actor
    )
    audit_log(
        actor=actor,
        action="substitute.designated",
        obj=member,
        details={
            "substitute": substitute.cadre.name,
            "substitute_id": substitute.pk,
            "previous_substitute_id": current.substitute_id if current else None,
            "effective_from": effective_from.isoformat(),
        },
    )
    return arrangement


@transaction.atomic
def leave_record(*, member: TermMember, starts_on: date, ends_on: date, reason: str, actor) -> Leave:
    """Records an absence (first to last day). While it lasts, the member's areas go to their substitute."""
    member = _lock_member(member)  # two leaves of one member are recorded one after the other
    _standing_serving(member, "member")
    errors = {}
    if not reason.strip():
        errors["reason"] = "请填写请假事由"
    if ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    elif starts_on < member.joined_on:
        errors["starts_on"] = f"开始日期不能早于{member.cadre.name}进入本届的日期"
    if errors:
        raise ApplicationError.from_errors(errors)
    clash = (
        Leave.objects.filter(member=member, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash:
        raise ApplicationError(
            f"与已登记的请假（{clash.starts_on:%Y-%m-%d}至{clash.ends_on:%Y-%m-%d}，{clash.reason}）时间重叠",
            field="starts_on",
        )
    leave = Leave.objects.create(
        member=member, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(), actor=actor
    )
    audit_log(
        actor=actor,
        action="leave.recorded",
        obj=leave,
        details={
            "member": member.cadre.name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reason": leave.reason,
        },
    )
    _notify_leave(leave, _covering(leave), cancelled=False)
    return leave


@transaction.atomic
def leave_cancel(*, leave: Leave, actor) -> Leave:
    leave = (
        Leave.objects.select_for_update(of=("self",)).select_related("member__cadre", "member__term").get(pk=leave.pk)
    )
    if leave.cancelled_at is not None:
        return leave
    if leave.ends_on < timezone.localdate():
        # who answered on those days is on record; rewriting it afterwards is not a cancellation
        raise ApplicationError("已结束的请假不能取消")
    covering = _covering(leave)  # asked while the leave still counts
    leave.cancelled_at = timezone.now()
    leave.save(update_fields=["cancelled_at", "updated_at"])
    audit_log(
        actor=actor,
        action="leave.cancelled",
        obj=leave,
        details={"starts_on": leave.starts_on.isoformat(), "ends_on": leave.ends_on.isoformat()},
    )
    _notify_leave(leave, covering, cancelled=True)
    return leave


def _covering(leave: Leave) -> dict[TermMember, list[str]]:
    """Who answers, on the leave's first day, for the areas the absent member leads (as `area_responsibility`
    answers), with those areas."""
    from ..selectors import responsibilities_on

    member = leave.member
    covering: dict[TermMember, list[str]] = {}
    for r in responsibilities_on(leave.starts_on, term=member.term).values():
        if r.lead is not None and r.lead.pk == member.pk and r.member is not None and r.member.pk != member.pk:
            covering.setdefault(r.member, []).append(r.area.name)
    return covering


def _notify_leave(leave: Leave, covering: dict[TermMember, list[str]], *, cancelled: bool) -> None:
    name = leave.member.cadre.name
    span = f"{leave.starts_on:%Y年%m月%d日}至{leave.ends_on:%Y年%m月%d日}"
    url = reverse("committees:my_portfolio")
    for person, areas in covering.items():
        user = person.cadre.user
        if user is None:
            continue
        if cancelled:
            title = f"{name}{span}的请假已取消"
            body = f"您不再代为负责其分管的{'、'.join(areas)}工作。"
        else:
            title = f"{name}{span}请假，由您补位"
            body = f"请假期间，{name}分管的{'、'.join(areas)}工作由您负责。"
        notify(recipient=user, title=title, body=body, url=url)


# -- the quarterly report duty (seed 001: 每季常委向常委会报告工作完成情况)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_last_day(year: int, quarter: int) -> date:
    first_of_next = date(year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def report_reminder_key(year: int, quarter: int) -> str:
    return f"committees.quarterly_report.{year}Q{quarter}"


@transaction.atomic
def quarterly_report_record(
    *, member: TermMember, year: int, quarter: int, reported_on: date, actor, summary: str = ""
) -> QuarterlyReport:
    member = _lock_member(member)
    if member.role not in TermMember.STANDING_ROLES:
        raise ApplicationError(f"{member.cadre.name}不是常委", field="member")
    if quarter not in (1, 2, 3, 4):
        raise ApplicationError("季度须为1至4", field="quarter")
    if reported_on < date(year, (quarter - 1) * 3 + 1, 1):
        raise ApplicationError(f"报告日期不能早于{year}年第{quarter}季度", field="reported_on")
    if reported_on > timezone.localdate():
        raise ApplicationError("报告日期不能晚于今天", field="reported_on")
    if QuarterlyReport.objects.filter(member=member, year=year, quarter=quarter).exists():
        raise ApplicationError(f"{member.cadre.name}{year}年第{quarter}季度的报告已登记", field="quarter")
    report = QuarterlyReport.objects.create(
        member=member, year=year, quarter=quarter, reported_on=reported_on, summary=summary.strip(), actor=actor
    )
    audit_log(
        actor=actor,
        action="quarterly_report.recorded",
        obj=member,
        details={"year": year, "quarter": quarter, "reported_on": reported_on.isoformat()},
    )
    if member.cadre.user_id:
        reminder_cancel(recipient=member.cadre.user, key=report_reminder_key(year, quarter))
    return report


def _reminder_days() -> int:
    return int(getattr(settings, "ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS", 14))


def quarterly_report_reminders_schedule(*, today: date | None = None) -> int:
    """Schedules, once per member and quarter, the reminder due `ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS`
    before the quarter ends, for every serving standing member with an account who has not reported yet.
    Safe to run every day: a reminder already scheduled (or delivered) is left as it is."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    last_day = quarter_last_day(year, quarter)
    due_day = max(today, last_day - timedelta(days=_reminder_days()))
    due_at = timezone.make_aware(datetime.combine(due_day, time(9, 0)))
    key = report_reminder_key(year, quarter)
    members = (
        TermMember.objects.filter(
            term__ends_on__isnull=True,
            left_on__isnull=True,
            role__in=TermMember.STANDING_ROLES,
            cadre__user__isnull=False,
        )
        # one subquery: exclude() with two conditions on a multi-valued relation may match them on different rows
        .exclude(pk__in=QuarterlyReport.objects.filter(year=year, quarter=quarter).values("member_id"))
        .select_related("cadre__user")
    )
    scheduled = 0
    url = reverse("committees:my_portfolio")
    for member in members:
        user = member.cadre.user
        if Reminder.objects.filter(recipient=user, key=key).exists():
            continue
        reminder_schedule(
            recipient=user,
            key=key,
            due_at=due_at,
            title=f"请于{last_day:%m月%d日}前向常委会报告本季度分管领域工作",
            body=f"{year}年第{quarter}季度即将结束。按照常委分工负责制，常委每季度向常委会报告分管领域工作完成情况。",
            url=url,
        )
        scheduled += 1
    return scheduled
