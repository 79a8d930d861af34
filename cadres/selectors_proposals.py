"""Reads of the appointment procedure for its pages: the work queue with each proposal's deadline and time in its
stage, rounds with their proposals, one proposal with everything its page shows, recommendations. Lists return
only what the user may see; a page's query count does not grow with its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orgdept.core.workdays import ScheduleMissing, WorkCalendar

from .models import (
    AppointmentProposal,
    Inspection,
    MandatoryCheck,
    PositionQuota,
    ProposalRound,
    ProposalTransition,
    Recommendation,
    RecommendationCandidate,
)
from .services.proposals import (
    CHECKS,
    INSPECTION,
    NOTICE,
    PROBATION,
    RECOMMENDATION,
    probation_reminder_on,
    quota_waiting,
    recommendation_expires_on,
    required_steps,
)

Status = AppointmentProposal.Status

VIEW_PROPOSAL = "cadres.view_appointmentproposal"
VIEW_ROUND = "cadres.view_proposalround"
VIEW_RECOMMENDATION = "cadres.view_recommendation"

# the stages before the committee's decision: a recommendation's year still matters there
BEFORE_DECISION = (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED, Status.SUBMITTED, Status.DEFERRED)
# the work queue's default: what still needs the department, an appointment on probation included (it ends with
# 转正); an appointment or removal without probation is done
IN_PROGRESS = Q(status__in=AppointmentProposal.OPEN_STATUSES) | Q(
    status=Status.APPOINTED, probation_ends_on__isnull=False
)
FINISHED = (Status.REJECTED, Status.CONFIRMED, Status.RETURNED, Status.WITHDRAWN)
# a deadline this close is shown as a warning
DEADLINE_WARNING_DAYS = 30
CHECK_COUNT = len(MandatoryCheck.Kind.values)
CHECK_ORDER = {kind: i for i, kind in enumerate(MandatoryCheck.Kind.values)}


# --- the work queue ------------------------------------------------------------------------------------------


def proposal_queue(*, user) -> QuerySet[AppointmentProposal]:
    """Every proposal the user may see with what its row shows, the longest in its stage first."""
    if not user.has_perm(VIEW_PROPOSAL):
        return AppointmentProposal.objects.none()
    return AppointmentProposal.objects.select_related(
        "cadre__unit", "target_position__unit", "current_position__unit", "round", "recommendation"
    ).order_by("stage_since", "pk")


def in_progress(proposal: AppointmentProposal) -> bool:
    if proposal.status == Status.APPOINTED:
        return proposal.probation_ends_on is not None
    return proposal.status in AppointmentProposal.OPEN_STATUSES


def stage_counts(proposals: QuerySet[AppointmentProposal]) -> tuple[dict[str, int], int]:
    """How many proposals are in each stage, and how many are in progress (one query)."""
    rows = (
        proposals.order_by()
        .values("status")
        .annotate(n=Count("pk"), on_probation=Count("pk", filter=Q(probation_ends_on__isnull=False)))
    )
    counts, progressing = {}, 0
    for row in rows:
        counts[row["status"]] = row["n"]
        if row["status"] in AppointmentProposal.OPEN_STATUSES:
            progressing += row["n"]
        elif row["status"] == Status.APPOINTED:
            progressing += row["on_probation"]
    return counts, progressing


def stalled_since(today: date, workdays: int, calendar: WorkCalendar) -> date:
    """The last day a proposal may have entered its stage and count as stalled on `today`: more than `workdays`
    working days in it (the day it entered not counted, today counted when it is a working day)."""
    day, counted = today, 0
    while counted <= workdays:
        counted += calendar.is_workday(day)
        day -= timedelta(days=1)
    return day


def stalled_filter(proposals: QuerySet, today: date, calendar: WorkCalendar) -> QuerySet:
    last = stalled_since(today, settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS, calendar)
    start_of_next = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return proposals.filter(stage_since__lt=start_of_next)


def stage_workdays(since: datetime, today: date, calendar: WorkCalendar) -> int | None:
    """Working days a proposal has spent in its stage; None when the calendar of a year is missing."""
    try:
        return calendar.workdays_between(timezone.localdate(since), today)
    except ScheduleMissing:
        return None


@dataclass(frozen=True)
class Deadline:
    label: str
    on: date
    level: str = ""  # "", "warning" (within DEADLINE_WARNING_DAYS), "danger" (passed)


def next_deadline(proposal: AppointmentProposal, today: date) -> Deadline | None:
    """The date the proposal must keep in view: its recommendation's expiry before the decision, the end of its
    notice, the end of its probation."""
    if proposal.status in BEFORE_DECISION and proposal.recommendation_id:
        expires = recommendation_expires_on(proposal.recommendation)
        return Deadline(_("Recommendation valid until"), expires, _level(expires, today))
    if proposal.status == Status.NOTICE and proposal.notice_ends_on:
        return Deadline(_("Notice until"), proposal.notice_ends_on)
    if proposal.status == Status.APPOINTED and proposal.probation_ends_on:
        reminder = probation_reminder_on(proposal)
        level = "danger" if proposal.probation_ends_on < today else ("warning" if today >= reminder else "")
        return Deadline(_("Probation ends"), proposal.probation_ends_on, level)
    return None


def _level(day: date, today: date) -> str:
    if day < today:
        return "danger"
    return "warning" if day <= today + timedelta(days=DEADLINE_WARNING_DAYS) else ""


@dataclass
class QueueRow:
    proposal: AppointmentProposal
    workdays: int | None
    stalled: bool
    deadline: Deadline | None


def queue_rows(proposals, today: date, calendar: WorkCalendar) -> list[QueueRow]:
    limit = settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS
    rows = []
    for proposal in proposals:
        # a finished proposal has no time in a stage worth counting
        days = stage_workdays(proposal.stage_since, today, calendar) if in_progress(proposal) else None
        stalled = days is not None and days > limit and proposal.status in AppointmentProposal.OPEN_STATUSES
        rows.append(QueueRow(proposal, days, stalled, next_deadline(proposal, today)))
    return rows


# --- what comes next ------------------------------------------------------------------------------------------


def next_step(proposal: AppointmentProposal, *, checks_done: int, inspected: bool) -> str:
    """The step the proposal waits for, in words, from its stage and what it has recorded."""
    steps = required_steps(proposal)
    status = proposal.status
    if status == Status.INITIATED:
        if RECOMMENDATION in steps:
            return _("Record the democratic recommendation")
        if INSPECTION in steps:
            return _("Inspection")
        return _("Put before the committee")
    if status == Status.RECOMMENDED:
        return _("Inspection")
    if status == Status.INSPECTED or (status == Status.INITIATED and inspected):
        if CHECKS in steps and checks_done < CHECK_COUNT:
            return _("The four mandatory checks (%(n)s missing)") % {"n": CHECK_COUNT - checks_done}
        return _("Put before the committee")
    if status == Status.SUBMITTED:
        return _("Awaiting the committee's decision")
    if status == Status.DEFERRED:
        return _("Deferred: to be put before a later meeting")
    if status == Status.DECIDED:
        if NOTICE in steps and not proposal.notice_exempt_reason:
            return _("Pre-appointment notice")
        return _("Appointment")
    if status == Status.NOTICE:
        return _("Appointment once the notice has ended")
    if status == Status.APPOINTED and proposal.probation_ends_on:
        return _("Confirmation at the end of probation")
    return ""


# --- rounds ---------------------------------------------------------------------------------------------------


def round_list(*, user) -> QuerySet[ProposalRound]:
    """Rounds with their number of proposals, those before the committee and those still under way."""
    if not user.has_perm(VIEW_ROUND):
        return ProposalRound.objects.none()
    return (
        ProposalRound.objects.select_related("created_by")
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            submitted_count=Count("proposals", filter=Q(proposals__status=Status.SUBMITTED), distinct=True),
            open_count=Count(
                "proposals",
                filter=Q(proposals__status__in=AppointmentProposal.OPEN_STATUSES)
                | Q(proposals__status=Status.APPOINTED, proposals__probation_ends_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-pk")
    )


def with_progress(proposals: QuerySet[AppointmentProposal]) -> QuerySet[AppointmentProposal]:
    """Proposals with what their next step depends on: `checks_done` and `inspected`."""
    return proposals.annotate(
        checks_done=Count("mandatory_checks", distinct=True),
        inspected=Exists(Inspection.objects.filter(proposal=OuterRef("pk"))),
    )


def round_proposals(proposal_round: ProposalRound) -> list[tuple[AppointmentProposal, str]]:
    """The round's proposals in entry order, each with its next step."""
    proposals = with_progress(
        proposal_round.proposals.select_related(
            "cadre__unit", "target_position__unit", "current_position__unit", "recommendation"
        ).order_by("pk")
    )
    return [(p, next_step(p, checks_done=p.checks_done, inspected=p.inspected)) for p in proposals]


# --- one proposal ---------------------------------------------------------------------------------------------


def proposal_page(*, pk: int) -> AppointmentProposal:
    """One proposal with its history, checks, objections, documents, inspection and committee topics loaded."""
    return (
        AppointmentProposal.objects.select_related(
            "cadre__unit",
            "target_position__unit",
            "current_position__unit",
            "round",
            "recommendation__position__unit",
            "recommendation__recorded_by",
            "created_by",
            "inspection__recorded_by",
        )
        .prefetch_related(
            Prefetch("transitions", queryset=ProposalTransition.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("mandatory_checks", queryset=MandatoryCheck.objects.select_related("recorded_by")),
            "objections",
            Prefetch("documents", queryset=proposal_documents_query()),
            "topic_rows__topic",
            Prefetch(
                "recommendation__candidates",
                queryset=RecommendationCandidate.objects.select_related("cadre").order_by("-votes", "pk"),
            ),
        )
        .get(pk=pk)
    )


def proposal_documents_query():
    from .models import ProposalDocument

    return ProposalDocument.objects.select_related("uploaded_by").order_by("step", "pk")


def checks_in_order(proposal: AppointmentProposal) -> list[MandatoryCheck]:
    """The checks recorded, in the order the four are named (档案, 个人有关事项, 纪检监察机关意见, 信访举报)."""
    return sorted(proposal.mandatory_checks.all(), key=lambda check: CHECK_ORDER.get(check.kind, 99))


def inspection_of(proposal: AppointmentProposal) -> Inspection | None:
    try:
        return proposal.inspection
    except Inspection.DoesNotExist:
        return None


@dataclass
class StripStep:
    """One step of the procedure strip: done, current, to do, or failed/stopped, with what was recorded."""

    key: str
    label: str
    state: str
    when: str = ""
    actor: str = ""
    lines: list[str] = field(default_factory=list)


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _who(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def procedure_strip(proposal: AppointmentProposal, inspection: Inspection | None) -> list[StripStep]:
    """The steps the action needs in procedure order, each with its state and what was recorded for it."""
    steps = required_steps(proposal)
    moves = {}
    for move in proposal.transitions.all():
        moves[move.to_status] = move  # the latest move into each stage
    checks = checks_in_order(proposal)
    status = proposal.status

    strip = [
        StripStep(
            "initiation",
            _("Initiation"),
            "done",
            _day(proposal.initiated_on),
            proposal.initiated_by,
            [proposal.reason],
        )
    ]
    if RECOMMENDATION in steps:
        recommendation = proposal.recommendation
        step = StripStep("recommendation", _("Democratic recommendation"), "todo")
        if recommendation is not None:
            step.state = "done"
            step.when = _day(recommendation.held_on)
            move = moves.get(Status.RECOMMENDED)
            step.actor = _who(move.actor if move else recommendation.recorded_by)
            step.lines = [
                _("%(kind)s, %(n)s participants; valid until %(until)s")
                % {
                    "kind": recommendation.get_kind_display(),
                    "n": recommendation.participants,
                    "until": _day(recommendation_expires_on(recommendation)),
                }
            ]
        strip.append(step)
    if INSPECTION in steps:
        step = StripStep("inspection", _("Inspection"), "todo")
        if inspection is not None:
            step.state = "done"
            step.when = f"{_day(inspection.started_on)}—{_day(inspection.ended_on)}"
            step.actor = _who(inspection.recorded_by)
            step.lines = [inspection.team, inspection.conclusion]
        strip.append(step)
    if CHECKS in steps:
        step = StripStep("checks", _("Four mandatory checks"), "todo")
        if checks:
            step.lines = [f"{c.get_kind_display()}：{c.result}" for c in checks]
            step.actor = "、".join(sorted({c.done_by for c in checks}))
        if len(checks) == CHECK_COUNT:
            step.state = "done"
            step.when = _day(max(c.done_on for c in checks))
        elif checks:
            step.when = _("%(done)s of %(all)s done") % {"done": len(checks), "all": CHECK_COUNT}
        strip.append(step)

    decision = StripStep("decision", _("Discussion and decision"), "todo")
    if proposal.decided_on:
        decision.state = "failed" if status == Status.REJECTED else "done"
        decision.when = _day(proposal.decided_on)
        decision.actor = proposal.decided_by
        move = moves.get(Status.REJECTED if status == Status.REJECTED else Status.DECIDED)
        if move is not None:
            decision.lines = [move.get_to_status_display() + (f"：{move.reason}" if move.reason else "")]
    elif Status.DEFERRED in moves:
        decision.lines = [_("Deferred on %(day)s") % {"day": _day(timezone.localdate(moves[Status.DEFERRED].at))}]
    strip.append(decision)

    if NOTICE in steps:
        step = StripStep("notice", _("Pre-appointment notice"), "todo")
        if proposal.notice_starts_on:
            step.when = f"{_day(proposal.notice_starts_on)}—{_day(proposal.notice_ends_on)}"
            move = moves.get(Status.NOTICE)
            step.actor = _who(move.actor) if move else ""
            objections = list(proposal.objections.all())
            if objections:
                open_count = sum(1 for o in objections if o.resolved_on is None)
                step.lines = [_("%(n)s objections, %(open)s open") % {"n": len(objections), "open": open_count}]
            if status != Status.NOTICE:
                step.state = "done"
        elif proposal.notice_exempt_reason:
            step.state = "done"
            step.lines = [_("No notice: %(reason)s") % {"reason": proposal.notice_exemption}]
        strip.append(step)

    appointment = StripStep("appointment", _("Removal") if not proposal.target_position else _("Appointment"), "todo")
    if proposal.appointed_on:
        appointment.state = "done"
        appointment.when = _day(proposal.appointed_on)
        move = moves.get(Status.APPOINTED)
        appointment.actor = _who(move.actor) if move else ""
    strip.append(appointment)

    if PROBATION in steps:
        step = StripStep("probation", _("Probation"), "todo")
        if proposal.probation_ends_on:
            step.when = f"{_day(proposal.appointed_on)}—{_day(proposal.probation_ends_on)}"
        if proposal.closed_on:
            step.state = "done" if status == Status.CONFIRMED else "failed"
            move = moves.get(status)
            step.actor = _who(move.actor) if move else ""
            step.lines = [f"{proposal.get_status_display()}（{_day(proposal.closed_on)}）"]
            if move and move.reason:
                step.lines.append(move.reason)
        strip.append(step)

    # the first step not done is where the proposal stands; a withdrawn or rejected one stops there
    for step in strip:
        if step.state == "todo":
            if status == Status.WITHDRAWN:
                step.state = "stopped"
            elif status not in FINISHED:
                step.state = "current"
            break
    return strip


def recommendations_for(proposal: AppointmentProposal) -> list[Recommendation]:
    """The recommendations for the post proposed that name the proposal's cadre, newest first, each with
    `cadre_votes` (the cadre's votes) and `expires_on`."""
    if proposal.target_position_id is None:
        return []
    votes = RecommendationCandidate.objects.filter(recommendation=OuterRef("pk"), cadre=proposal.cadre_id)
    rows = list(
        Recommendation.objects.filter(position=proposal.target_position_id, candidates__cadre=proposal.cadre_id)
        .annotate(cadre_votes=votes.values("votes")[:1])
        .order_by("-held_on", "-pk")
    )
    for row in rows:
        row.expires_on = recommendation_expires_on(row)
    return rows


# --- the post proposed and its quota ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaView:
    """The quota line of a post's unit and level: approved, occupied, and open proposals heading for it."""

    unit: object
    level: str
    approved: int | None
    occupied: int
    under_way: int
    # the proposal whose page shows the line is one of those under way
    including: bool = False

    @property
    def free(self) -> int:
        """Posts still open to a new proposal (counting the shown proposal's as taken)."""
        return (self.approved or 0) - self.occupied - self.under_way

    @property
    def full(self) -> bool:
        """No room: for a new proposal none left, for the shown one more taken than approved."""
        if self.approved is None:
            return True
        return self.free < 0 if self.including else self.free <= 0


def quota_view(position, *, including: bool = False) -> QuotaView | None:
    """None for a post no quota counts (not a leading post, or without a level)."""
    if position is None or not position.leading or not position.level:
        return None
    occupied, under_way = quota_waiting(position.unit_id, position.level)
    approved = (
        PositionQuota.objects.filter(unit_id=position.unit_id, level=position.level)
        .values_list("approved", flat=True)
        .first()
    )
    return QuotaView(position.unit, position.level, approved, occupied, under_way, including)


# --- recommendations -------------------------------------------------------------------------------------------


def recommendation_list(*, user) -> QuerySet[Recommendation]:
    """Recommendations with their post, candidates (with their cadre) and the proposals relying on them."""
    if not user.has_perm(VIEW_RECOMMENDATION):
        return Recommendation.objects.none()
    return (
        Recommendation.objects.select_related("position__unit", "recorded_by")
        .prefetch_related(
            Prefetch(
                "candidates", queryset=RecommendationCandidate.objects.select_related("cadre").order_by("-votes", "pk")
            ),
            Prefetch("proposals", queryset=AppointmentProposal.objects.select_related("cadre").order_by("pk")),
        )
        .order_by("-held_on", "-pk")
    )
