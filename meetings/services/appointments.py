"""Cadre items that come from the appointment procedure: a round of proposals put to the committee as one topic,
and the vote on each cadre carried back to their proposal through the cadres app's service."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cadres.approval_form import cadres_for_forms, render_forms_pdf
from cadres.models import AppointmentProposal, Position, ProposalRound
from cadres.proposal_pdf import department_name, form_options
from cadres.services import proposals as procedure
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.templatetags.orgdept import display_name

from ..models import AgendaItem, ItemResult, MeetingType, Topic, TopicCadre, TopicCategory
from .topics import material_add, topic_cadre_add, topic_create, topic_route

Action = AppointmentProposal.Action
DEFER_OPTION = "缓议"
AGAINST_OPTION = "不同意"


def proposal_wording(proposal: AppointmentProposal) -> str:
    """The proposal as the topic and the decision word it: 拟任区财政局局长，免去区财政局副局长职务."""
    target, current = proposal.target_position, proposal.current_position
    match proposal.action:
        case Action.APPOINT:
            return f"拟任{target}"
        case Action.REMOVE:
            return f"拟免去{current}职务"
        case Action.APPOINT_REMOVE:
            return f"拟任{target}，免去{current}职务"
        case Action.EXCHANGE:
            return f"拟交流任{target}" + (f"，免去{current}职务" if current else "")
        case Action.TRANSFER:
            return f"拟转任{target}" + (f"，免去{current}职务" if current else "")
        case Action.CONFIRM:
            return f"拟任{current}试用期满转正"
    raise ValueError(proposal.action)


def round_forms_pdf(proposals: list[AppointmentProposal], *, filled_by: str) -> bytes:
    """The 任免审批表 of every cadre in the round, one page each, as one PDF for the meeting's materials."""
    cadres = {c.pk: c for c in cadres_for_forms([p.cadre_id for p in proposals])}
    forms = [
        (cadres[p.cadre_id], form_options(p, reporting_unit=department_name(), filled_by=filled_by)) for p in proposals
    ]
    return render_forms_pdf(forms, today=timezone.localdate())


def needs_plenary(proposal: AppointmentProposal) -> bool:
    """区管单位正职: appointing or removing the head of a district unit is the 全委会's to decide (seed 000)."""
    if proposal.action == Action.CONFIRM:
        return False
    posts = []
    if proposal.action != Action.REMOVE:
        posts.append(proposal.target_position)
    if proposal.action in (Action.REMOVE, Action.APPOINT_REMOVE, Action.EXCHANGE, Action.TRANSFER):
        posts.append(proposal.current_position)
    return any(post is not None and post.leading and post.role == Position.Role.HEAD for post in posts)


@transaction.atomic
def round_topic_create(
    *,
    proposal_round: ProposalRound,
    committee,
    category: TopicCategory,
    requested_type: MeetingType,
    unit,
    actor,
    title: str = "",
    urgent_reason: str = "",
) -> Topic:
    """讨论决定: the round's proposals that are before the committee become one cadre topic, each cadre with its
    proposal, the round's 任免审批表 attached as its material. The topic then goes through 书记审定 and onto an
    agenda as any other.

    Heads of district units go to the 全委会; between plenaries the 常委会 may decide them only in an urgent case,
    stated here, and after consulting every full member (checked before the topic is scheduled)."""
    if not category.cadre_item:
        raise ApplicationError("干部任免事项须选择干部任免类的议题类别", field="category")
    # the round and its proposals are held until the topic exists: none is withdrawn or put on a second topic meanwhile
    ProposalRound.objects.select_for_update().get(pk=proposal_round.pk)
    proposals = list(
        AppointmentProposal.objects.select_for_update(of=("self",))
        .filter(round=proposal_round, status=AppointmentProposal.Status.SUBMITTED)
        .select_related("cadre__unit", "target_position__unit", "current_position__unit")
        .order_by("pk")
    )
    if not proposals:
        raise ApplicationError("该批次没有已提交讨论决定的任免事项")
    on_topics = TopicCadre.objects.filter(
        appointment_proposal__in=proposals, topic__status__in=Topic.OPEN_STATUSES
    ).select_related("cadre", "topic")
    if clash := on_topics.first():
        raise ApplicationError(f"{clash.cadre.name}的任免事项已在议题《{clash.topic.title}》中")
    urgent_reason = urgent_reason.strip()
    plenary = [p for p in proposals if needs_plenary(p)]
    routed = topic_route(category=category, requested_type=requested_type)
    if not plenary or routed.code == MeetingType.Code.PLENARY:
        urgent_reason = ""
    elif not urgent_reason:
        names = "、".join(f"{p.cadre.name}（{proposal_wording(p)}）" for p in plenary)
        raise ApplicationError(
            f"{names}属区管单位正职任免，须提交全委会决定；全委会闭会期间确需及时调整的，"
            "须说明紧急情况，由常委会在征求全体委员意见后决定",
            field="category",
        )
    names = "、".join(p.cadre.name for p in proposals)
    topic = topic_create(
        committee=committee,
        title=title.strip() or f"关于{names}同志任免的议题",
        summary=f"{proposal_round.title}，共{len(proposals)}人。",
        category=category,
        requested_type=requested_type,
        unit=unit,
        actor=actor,
    )
    if urgent_reason:
        topic.urgent_reason = urgent_reason
        topic.save(update_fields=["urgent_reason", "updated_at"])
        audit_log(
            actor=actor,
            action="topic.urgent_plenary_matter",
            obj=topic,
            details={"reason": urgent_reason, "cadres": [p.cadre.name for p in plenary]},
        )
    for proposal in proposals:
        topic_cadre_add(
            topic=topic,
            cadre=proposal.cadre,
            proposal=proposal_wording(proposal),
            appointment_proposal=proposal,
            actor=actor,
        )
    pdf = round_forms_pdf(proposals, filled_by=display_name(actor) if actor else "")
    # the forms carry every cadre's personal file: each one is recorded as requested, as a download of it would be
    for proposal in proposals:
        audit_log(
            actor=actor,
            action="cadre.approval_form_requested",
            obj=proposal.cadre,
            details={"topic": topic.pk, "round": proposal_round.title},
        )
    forms = SimpleUploadedFile(f"{proposal_round.title}干部任免审批表.pdf", pdf)
    material_add(topic=topic, upload=forms, actor=actor)
    return topic


def _decided_on(item: AgendaItem):
    """The meeting's date: the day it opened, even when the vote is entered later."""
    opened = item.meeting.opened_at
    return timezone.localdate(opened) if opened else timezone.localdate()


def _decided_by(item: AgendaItem) -> str:
    meeting = item.meeting
    return f"{meeting.term.committee.short_name or meeting.term.committee.name}{meeting.title}"


def _cadre_outcome(result: ItemResult, tied: bool) -> str:
    """Passed → decided. Not passed → deferred (缓议) when a tie for the last post leaves it open or more members
    asked to defer than voted against; otherwise not passed."""
    if result.passed:
        return procedure.DecisionOutcome.PASSED
    deferrals = result.counts.get(DEFER_OPTION, 0)
    against = result.counts.get(AGAINST_OPTION, 0)
    if tied or deferrals > against:
        return procedure.DecisionOutcome.DEFERRED
    return procedure.DecisionOutcome.REJECTED


def _plenary(item: AgendaItem) -> bool:
    return item.meeting.meeting_type.code == MeetingType.Code.PLENARY


def proposals_follow_vote(*, item: AgendaItem, tied: set[int], actor) -> None:
    """After the vote on a cadre item closes: each cadre's result moves their proposal."""
    results = {r.candidate_id: r for r in item.results.all()}
    # a proposal withdrawn while its item waited (an objection upheld, a change of plan) is no longer for the vote
    rows = item.topic.cadres.filter(appointment_proposal__status=AppointmentProposal.Status.SUBMITTED).select_related(
        "appointment_proposal"
    )
    for row in rows:
        result = results.get(row.pk)
        if result is None:
            continue
        procedure.proposal_record_decision(
            proposal=row.appointment_proposal,
            outcome=_cadre_outcome(result, row.pk in tied),
            decided_on=_decided_on(item),
            decided_by=_decided_by(item),
            plenary=_plenary(item),
            actor=actor,
            note=result.rule,
        )


def proposals_follow_deferral(*, item: AgendaItem, reason: str, actor) -> None:
    """The whole item put off (缓议): every proposal on it waits for a later meeting."""
    submitted = AppointmentProposal.Status.SUBMITTED
    for row in item.topic.cadres.filter(appointment_proposal__status=submitted).select_related("appointment_proposal"):
        procedure.proposal_record_decision(
            proposal=row.appointment_proposal,
            outcome=procedure.DecisionOutcome.DEFERRED,
            decided_on=_decided_on(item),
            decided_by=_decided_by(item),
            plenary=_plenary(item),
            actor=actor,
            note=reason,
        )


def proposals_back_before_the_committee(*, topic: Topic, actor) -> None:
    """A deferred topic put on a later agenda: its deferred proposals are before the committee again, once their
    gate is still open (a recommendation may have expired meanwhile)."""
    for row in topic.cadres.filter(appointment_proposal__status=AppointmentProposal.Status.DEFERRED).select_related(
        "appointment_proposal"
    ):
        procedure.proposal_submit(proposal=row.appointment_proposal, actor=actor)
