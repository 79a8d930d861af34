"""The cadres app's sections of the home page."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from orgdept.core import roles
from orgdept.core.shell import QueueItem, QueueSection
from orgdept.core.workdays import ScheduleMissing, WorkCalendar

from .models import AppointmentProposal, Cadre, Position, Rank
from .selectors import rotation_due, rotation_years
from .services.proposals import STATUS_WORDS, recommendation_expires_on
from .structure import format_months, months_between, same_day_months_later


def post_label(position: Position) -> str:
    """The post with its unit, as positions name themselves."""
    return str(position)


def cadre_sections(user) -> list[QueueSection]:
    if not roles.has_role(user, roles.CADRE_SECTION, roles.DEPARTMENT_LEADER):
        return []
    today = date.today()
    incomplete = Cadre.objects.filter(Q(rank="") | Q(education=""))
    items = [
        QueueItem(
            label=f"{c.name}（{c.unit.name}）",
            url=reverse("cadres:cadre_detail", args=[c.pk]),
            detail="职级或学历未填写",
            level="warning",
        )
        for c in incomplete.select_related("unit").order_by("pk")[:5]
    ]
    # the rotation watch's rule: years per kind of post (10 for leaders, local numbers for key posts and staff)
    years = rotation_years()
    kinds = dict(Position.RotationKind.choices)
    rotation = [
        QueueItem(
            label=f"{t.cadre.name}（{post_label(t.position)}）",
            url=reverse("cadres:cadre_detail", args=[t.cadre_id]),
            detail=f"任现职{format_months(months_between(t.since, today))}（{t.since:%Y.%m}起；"
            f"{kinds[t.position.rotation_kind]}满{years[t.position.rotation_kind]}年应交流）",
            level="danger",
        )
        for t in rotation_due(on_date=today)[:5]
    ]
    by_rank = dict(Cadre.objects.values_list("rank").annotate(n=Count("pk")).values_list("rank", "n"))
    order = [value for value, _label in Rank.choices] + [""]
    overview = [
        QueueItem(label=rank or "未定职级", detail=f"{by_rank[rank]} 人") for rank in order if by_rank.get(rank)
    ]
    return [
        QueueSection(
            title="干部信息待完善",
            items=items,
            empty_text="干部信息完整",
            order=10,
            more_url=reverse("cadres:cadre_list"),
        ),
        QueueSection(
            title="同一职位任职满规定年限应交流",
            items=rotation,
            empty_text="暂无应交流的干部",
            order=20,
            more_url=reverse("cadres:rotation"),
        ),
        QueueSection(title="干部队伍概况（按职级）", items=overview, order=30),
        *proposal_sections(user, timezone.localdate()),
    ]


# --- the appointment procedure: proposals by stage, and the dates to keep in view -----------------------------


def proposal_url(pk: int) -> str:
    return reverse("cadres:proposal_detail", args=[pk])


def proposal_label(proposal: AppointmentProposal) -> str:
    """李明（拟任区财政局局长）"""
    if proposal.target_position_id:
        return f"{proposal.cadre.name}（拟任{post_label(proposal.target_position)}）"
    if proposal.current_position_id:
        return f"{proposal.cadre.name}（拟免{post_label(proposal.current_position)}）"
    return proposal.cadre.name


def _md(value: date) -> str:
    return f"{value.month}月{value.day}日"


# the stages shown with their counts: those still needing the department, probation included (it ends with 转正)
QUEUE_STAGES = (*AppointmentProposal.OPEN_STATUSES, AppointmentProposal.Status.APPOINTED)
# before the committee's decision a recommendation result's year still matters
BEFORE_DECISION = (
    AppointmentProposal.Status.RECOMMENDED,
    AppointmentProposal.Status.INSPECTED,
    AppointmentProposal.Status.SUBMITTED,
    AppointmentProposal.Status.DEFERRED,
)
DEADLINES_SHOWN = 10


def proposal_deadlines(today: date, limit: int | None = None) -> list[tuple[date, QueueItem]]:
    """The dates 干部科 keep in view, each with its proposal: notices ending or ended, probations ending within
    ORGDEPT_PROBATION_REMINDER_DAYS, recommendation results expiring within ORGDEPT_RECOMMENDATION_REMINDER_DAYS
    before the decision, and proposals stalled longer than ORGDEPT_PROPOSAL_STALLED_WORKDAYS working days.
    With `limit`, the earliest that many (each kind is read earliest first and no further than needed)."""

    def first(queryset, date_field: str):
        ordered = queryset.order_by(date_field, "pk")
        return ordered[:limit] if limit else ordered

    Status = AppointmentProposal.Status
    proposals = AppointmentProposal.objects.select_related(
        "cadre", "target_position__unit", "current_position__unit", "recommendation"
    ).order_by("pk")
    rows: list[tuple[date, QueueItem]] = []

    def add(on: date, proposal, detail: str, level: str) -> None:
        rows.append((on, QueueItem(proposal_label(proposal), proposal_url(proposal.pk), detail, level=level)))

    notices = proposals.filter(status=Status.NOTICE).annotate(
        open_objections=Count("objections", filter=Q(objections__resolved_on__isnull=True))
    )
    for p in first(notices, "notice_ends_on"):
        ends = p.notice_ends_on
        if today <= ends:
            add(ends, p, f"任前公示至{_md(ends)}", "warning" if (ends - today).days <= 1 else "")
        elif p.open_objections:
            add(ends, p, f"任前公示已于{_md(ends)}期满，{p.open_objections}件反映未办结", "danger")
        else:
            add(ends, p, f"任前公示已于{_md(ends)}期满，可办理任职", "warning")
    probation_days = settings.ORGDEPT_PROBATION_REMINDER_DAYS
    probations = proposals.filter(
        status=Status.APPOINTED, probation_ends_on__lte=today + timedelta(days=probation_days)
    )
    for p in first(probations, "probation_ends_on"):
        ends = p.probation_ends_on
        if ends >= today:
            add(ends, p, f"试用期{_md(ends)}期满", "warning")
        else:
            add(ends, p, f"试用期已于{_md(ends)}期满，待办理转正", "danger")
    recommendation_days = settings.ORGDEPT_RECOMMENDATION_REMINDER_DAYS
    # held no later than this, a result expires within the reminder period (a day's slack for month ends; the
    # exact date is judged below)
    held_by = same_day_months_later(
        today + timedelta(days=recommendation_days + 1), -settings.ORGDEPT_RECOMMENDATION_VALID_MONTHS
    )
    recommended = proposals.filter(status__in=BEFORE_DECISION, recommendation__held_on__lte=held_by)
    for p in first(recommended, "recommendation__held_on"):
        expires = recommendation_expires_on(p.recommendation)
        if expires < today:
            add(expires, p, f"民主推荐结果已于{_md(expires)}过期", "danger")
        elif expires <= today + timedelta(days=recommendation_days):
            add(expires, p, f"民主推荐结果{_md(expires)}到期", "warning")
    stalled_after = settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS
    calendar = WorkCalendar()
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=stalled_after), time.min))
    waiting = proposals.filter(status__in=AppointmentProposal.OPEN_STATUSES, stage_since__lt=cutoff)
    for p in first(waiting, "stage_since"):
        since = timezone.localdate(p.stage_since)
        try:
            days = calendar.workdays_between(since, today)
        except ScheduleMissing:
            continue
        if days > stalled_after:
            add(since, p, f"在“{STATUS_WORDS[p.status]}”阶段已停留{days}个工作日（超过{stalled_after}个）", "danger")
    rows.sort(key=lambda row: row[0])
    return rows[:limit] if limit else rows


def proposal_sections(user, today: date) -> list[QueueSection]:
    """干部科's queue of the appointment procedure: how many proposals stand at each stage, and the nearest
    deadlines, each linking to its proposal."""
    if not user.has_perm("cadres.view_appointmentproposal"):
        return []
    counts = dict(
        AppointmentProposal.objects.filter(status__in=QUEUE_STAGES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    queue = reverse("cadres:proposal_list")
    stages = [
        QueueItem(
            label=str(STATUS_WORDS[status]),
            url=f"{queue}?stage={status}" if queue else "",
            detail=f"{counts[status]} 件",
        )
        for status in QUEUE_STAGES
        if counts.get(status)
    ]
    deadlines = [item for _on, item in proposal_deadlines(today, limit=DEADLINES_SHOWN)]
    return [
        QueueSection(
            title="任免事项（按阶段）", items=stages, empty_text="暂无在办的任免事项", more_url=queue, order=8
        ),
        QueueSection(
            title="任免工作近期节点",
            items=deadlines,
            empty_text="近期没有到期的任免工作节点",
            more_url=queue,
            order=9,
        ),
    ]
