"""The appointment procedure (党政领导干部选拔任用工作条例): proposals moved through their steps, each step recorded
with its date and actor, every statutory rule checked before the move it guards. Moves lock the proposal, follow
the transition table, write a history row and an audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.workdays import add_workdays
from orgdept.core.yearmonth import format_year_month

from ..extensions import CheckOutcome, CheckResult, QualificationContext, qualification_checks_run
from ..models import (
    AppointmentProposal,
    Cadre,
    Inspection,
    MandatoryCheck,
    NoticeObjection,
    Position,
    PositionQuota,
    PositionTenure,
    ProposalRound,
    ProposalTransition,
    Rank,
    Recommendation,
    RecommendationCandidate,
)
from ..structure import add_months, same_day_months_later
from .positions import occupancy, quota_check
from .records import cadre_assign_position, cadre_leave_position, cadre_update

Status = AppointmentProposal.Status
Action = AppointmentProposal.Action

STATUS_WORDS = dict(Status.choices)

# the levels in order, leading levels with the official ranks (职级) that stand at the same height
LEVEL_HEIGHT = {
    Rank.KEYUAN_1: 0,
    Rank.KEYUAN_2: 0,
    Rank.FU_KE: 1,
    Rank.ZHUREN_KEYUAN_3: 1,
    Rank.ZHUREN_KEYUAN_4: 1,
    Rank.ZHENG_KE: 2,
    Rank.ZHUREN_KEYUAN_1: 2,
    Rank.ZHUREN_KEYUAN_2: 2,
    Rank.FU_CHU: 3,
    Rank.DIAOYANYUAN_3: 3,
    Rank.DIAOYANYUAN_4: 3,
    Rank.ZHENG_CHU: 4,
    Rank.DIAOYANYUAN_1: 4,
    Rank.DIAOYANYUAN_2: 4,
    Rank.XUNSHIYUAN_2: 5,
    Rank.XUNSHIYUAN_1: 6,
}

# the steps an action may need, in procedure order
RECOMMENDATION, INSPECTION, CHECKS, NOTICE, PROBATION = "recommendation", "inspection", "checks", "notice", "probation"

# the qualification checks an approved exceptional promotion (破格) may set aside
EXCEPTION_WAIVES = frozenset({"work_years", "grassroots", "level_years", "education"})


def level_height(level: str) -> int | None:
    return LEVEL_HEIGHT.get(level)


def promotes(action: str, level: str, target_position: Position | None) -> bool:
    """Whether the post proposed stands higher than `level`, the cadre's level (提拔), whatever the action is called:
    an exchange or a transfer into a higher post is a promotion and goes through the whole procedure."""
    if action in (Action.REMOVE, Action.CONFIRM) or target_position is None:
        return False
    target = level_height(target_position.level)
    if target is None:
        return False
    current = level_height(level)
    return current is None or target > current


def is_promotion(proposal: AppointmentProposal) -> bool:
    return proposal.promotion


def levels_skipped(proposal: AppointmentProposal) -> int:
    """How many levels the promotion passes over: 0 for the next level up, 1 for 越级, 2 for 越两级."""
    current = level_height(proposal.former_level)
    if not proposal.promotion or current is None:
        return 0
    return max(0, level_height(proposal.target_position.level) - current - 1)


def required_steps(proposal: AppointmentProposal) -> tuple[str, ...]:
    """The steps the action needs: a promotion the whole procedure (with probation into a leading post); another
    appointment, an exchange, a transfer or a confirmation an inspection; a removal goes to the committee."""
    if is_promotion(proposal):
        steps = (RECOMMENDATION, INSPECTION, CHECKS, NOTICE)
        target = proposal.target_position
        # 试用期: promotions into leading posts that are not filled by election
        return (*steps, PROBATION) if target.leading and not target.elected else steps
    if proposal.action == Action.REMOVE:
        return ()
    return (INSPECTION,)


# --- reading what a proposal has done -------------------------------------------------------------------------


def recommendation_expires_on(recommendation: Recommendation) -> date:
    """The last day a recommendation's result may be used: a year after it was held."""
    return same_day_months_later(recommendation.held_on, settings.ORGDEPT_RECOMMENDATION_VALID_MONTHS)


def recommendation_problem(proposal: AppointmentProposal, on: date) -> str | None:
    """Why the proposal's recommendation cannot carry it on `on` (missing, for another post, expired)."""
    recommendation = proposal.recommendation
    if recommendation is None:
        return "尚未记录民主推荐结果"
    if recommendation.position_id != proposal.target_position_id:
        return f"民主推荐是针对{recommendation.position}的，只能用于该职位"
    expires = recommendation_expires_on(recommendation)
    if on > expires:
        return f"民主推荐结果（{recommendation.held_on:%Y年%m月%d日}）有效期一年，已于{expires:%Y年%m月%d日}到期"
    return None


def missing_checks(proposal: AppointmentProposal) -> list[str]:
    done = set(proposal.mandatory_checks.values_list("kind", flat=True))
    return [str(label) for kind, label in MandatoryCheck.Kind.choices if kind not in done]


def qualification_results(proposal: AppointmentProposal, on: date) -> list[CheckResult]:
    if proposal.target_position is None:
        return []
    context = QualificationContext(
        cadre=proposal.cadre,
        target_level=proposal.target_position.level,
        on_date=on,
        target_position=proposal.target_position,
        promotion=proposal.promotion,
        extra={"proposal": proposal},
    )
    return qualification_checks_run(context)


@dataclass(frozen=True)
class Gate:
    """What stands between a proposal and the committee, in Chinese; empty when it may go."""

    problems: list[str]
    failed_checks: list[CheckResult]

    @property
    def open(self) -> bool:
        return not self.problems


def decision_gate(proposal: AppointmentProposal, on: date) -> Gate:
    """Everything 讨论决定 needs: each step the action requires, the recommendation still valid, the four checks,
    and no failed qualification unless the promotion is exceptional (破格) and approved by the higher department."""
    steps = required_steps(proposal)
    problems = []
    if RECOMMENDATION in steps and (problem := recommendation_problem(proposal, on)):
        problems.append(problem)
    if INSPECTION in steps and not Inspection.objects.filter(proposal=proposal).exists():
        problems.append("尚未完成考察")
    if CHECKS in steps:
        if missing := missing_checks(proposal):
            problems.append("凡提四必尚未完成：" + "、".join(missing))
        for check in proposal.mandatory_checks.filter(clear=False):
            problems.append(f"凡提四必发现问题（{check.get_kind_display()}：{check.result}），须查清后重新记录")
    failed = [r for r in qualification_results(proposal, on) if r.outcome == CheckOutcome.FAIL]
    # an approved 破格 lets a promotion past the experience and education conditions only: avoidance, the home
    # area and the retirement age bind every appointment
    approved = proposal.exceptional and proposal.exceptional_approved_on
    blocking = [r for r in failed if not (approved and r.code in EXCEPTION_WAIVES)]
    if blocking:
        reasons = "；".join(f"{r.label}：{r.reason}" for r in blocking)
        hint = (
            "（确需破格提拔的，须标明破格并经上级组织部门同意）"
            if all(r.code in EXCEPTION_WAIVES for r in blocking)
            else ""
        )
        problems.append(f"任职资格条件不符合：{reasons}{hint}")
    # the 破格 limits bind on the day of the decision too: probation or a promotion within the year since the mark
    if proposal.exceptional and is_promotion(proposal) and (problem := exception_problem(proposal, on)):
        problems.append(problem)
    if skipped := levels_skipped(proposal):
        if skipped >= 2:
            problems.append("不得越两级提拔")
        elif not (proposal.exceptional and proposal.exceptional_approved_on):
            problems.append("越级提拔属于破格提拔，须标明破格并经上级组织部门同意")
    return Gate(problems, failed)


# --- the transition ------------------------------------------------------------------------------------------


def _lock(proposal: AppointmentProposal) -> AppointmentProposal:
    return (
        AppointmentProposal.objects.select_for_update(of=("self",))
        .select_related("cadre", "target_position__unit", "current_position__unit", "recommendation", "round")
        .get(pk=proposal.pk)
    )


def _transition(proposal: AppointmentProposal, to: str, *, actor, reason: str = "", **fields) -> AppointmentProposal:
    """Moves a locked proposal: the table decides; the history row and the audit event record it."""
    if to not in AppointmentProposal.TRANSITIONS[proposal.status]:
        raise ApplicationError(
            f"{proposal.cadre.name}的任免事项处于“{STATUS_WORDS[proposal.status]}”阶段，不能转入“{STATUS_WORDS[to]}”"
        )
    before = proposal.status
    proposal.status = to
    proposal.stage_since = timezone.now()
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", "stage_since", *fields, "updated_at"])
    ProposalTransition.objects.create(
        proposal=proposal, from_status=before, to_status=to, reason=reason[:300], actor=actor
    )
    audit_log(
        actor=actor,
        action=f"proposal.{to}",
        obj=proposal,
        details={"cadre": proposal.cadre.name, "from": before, "to": to, **({"reason": reason} if reason else {})},
    )
    return proposal


def _require_status(proposal: AppointmentProposal, allowed, doing: str) -> None:
    if proposal.status not in allowed:
        raise ApplicationError(f"{proposal.cadre.name}的任免事项处于“{STATUS_WORDS[proposal.status]}”阶段，不能{doing}")


def _not_future(day: date, what: str, field: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(f"{what}不能晚于今天", field=field)


# --- rounds and 动议 ------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, title: str, actor, note: str = "") -> ProposalRound:
    title = title.strip()
    if not title:
        raise ApplicationError("请填写批次名称", field="title")
    proposal_round = ProposalRound.objects.create(title=title, note=note.strip(), created_by=actor)
    audit_log(actor=actor, action="proposal_round.created", obj=proposal_round, details={"title": title})
    return proposal_round


def _pending_for(unit_id: int, level: str, *, excluding: int | None = None) -> int:
    """Open proposals (not yet appointed) that would each take a post of `level` in the unit."""
    pending = AppointmentProposal.objects.filter(
        status__in=AppointmentProposal.OPEN_STATUSES,
        target_position__unit_id=unit_id,
        target_position__level=level,
        target_position__leading=True,
    )
    if excluding is not None:
        pending = pending.exclude(pk=excluding)
    return pending.count()


def _quota_for_initiation(proposal: AppointmentProposal) -> None:
    """动议 is refused beyond the unit's approved posts of the level, counting the posts other open proposals
    are already heading for; a post the same proposal frees (任免) is counted back."""
    target = proposal.target_position
    if target is None or not target.leading or not target.level:
        return
    releasing = 0
    current = proposal.current_position
    if current is not None and current.unit_id == target.unit_id and current.level == target.level:
        releasing = 1
    # the quota row is the lock every initiation for this unit and level takes: taken before the open proposals
    # are counted, so that one committed meanwhile is counted too (quota_check takes it again)
    PositionQuota.objects.select_for_update(of=("self",)).filter(unit_id=target.unit_id, level=target.level).first()
    pending = _pending_for(target.unit_id, target.level, excluding=proposal.pk)
    try:
        quota_check(unit=target.unit, level=target.level, adding=1 + pending, releasing=releasing, cadre=proposal.cadre)
    except ApplicationError as exc:
        waiting = f"（另有{pending}件在办的任免事项拟配备该职级）" if pending else ""
        raise ApplicationError(f"{exc.message}{waiting}", field="target_position") from exc


@transaction.atomic
def proposal_create(
    *,
    proposal_round: ProposalRound,
    cadre: Cadre,
    action: str,
    initiated_on: date,
    initiated_by: str,
    reason: str,
    actor,
    target_position: Position | None = None,
    current_position: Position | None = None,
) -> AppointmentProposal:
    """分析研判和动议: who proposed, why, and the posts; refused beyond the unit's approved number of the level."""
    if action not in Action.values:
        raise ApplicationError("请选择任免类别", field="action")
    if action in (Action.APPOINT, Action.APPOINT_REMOVE, Action.EXCHANGE, Action.TRANSFER) and target_position is None:
        raise ApplicationError("请选择拟任职务", field="target_position")
    if action in (Action.REMOVE, Action.APPOINT_REMOVE, Action.CONFIRM) and current_position is None:
        raise ApplicationError("请选择拟免（现任）职务", field="current_position")
    if (
        current_position is not None
        and not PositionTenure.objects.filter(cadre=cadre, position=current_position, is_current=True).exists()
    ):
        raise ApplicationError(f"{cadre.name}现未担任{current_position}", field="current_position")
    if (
        target_position is not None
        and PositionTenure.objects.filter(cadre=cadre, position=target_position, is_current=True).exists()
    ):
        raise ApplicationError(f"{cadre.name}已担任{target_position}", field="target_position")
    _not_future(initiated_on, "动议时间", "initiated_on")
    initiated_by, reason = initiated_by.strip(), reason.strip()
    if not initiated_by:
        raise ApplicationError("请填写动议提出人", field="initiated_by")
    if not reason:
        raise ApplicationError("请填写动议理由", field="reason")
    # the level on file as it is now, held until the proposal is saved
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    confirms = None
    if action == Action.CONFIRM:
        # 转正 put to the committee: it ends the probation of the appointment to that post
        confirms = (
            AppointmentProposal.objects.filter(
                cadre=cadre, target_position=current_position, status=Status.APPOINTED, probation_ends_on__isnull=False
            )
            .order_by("-appointed_on", "-pk")
            .first()
        )
        if confirms is None:
            raise ApplicationError(f"{cadre.name}任{current_position}不在试用期，无须转正", field="current_position")
        if confirms.confirmations.filter(status__in=AppointmentProposal.OPEN_STATUSES).exists():
            raise ApplicationError(f"{cadre.name}的转正事项已在办理中", field="current_position")
    if target_position is not None:
        clash = AppointmentProposal.objects.filter(
            cadre=cadre, target_position=target_position, status__in=AppointmentProposal.OPEN_STATUSES
        )
        if clash.exists():
            raise ApplicationError(f"{cadre.name}拟任{target_position}的事项已在办理中", field="target_position")
    if target_position is not None and level_height(target_position.level) is not None and not cadre.rank:
        # without the present level nobody can tell a promotion, or a level skipped, from a move
        raise ApplicationError(f"请先在{cadre.name}的干部档案中填写现职级", field="cadre")
    proposal = AppointmentProposal(
        round=proposal_round,
        cadre=cadre,
        action=action,
        target_position=target_position,
        current_position=current_position,
        initiated_on=initiated_on,
        initiated_by=initiated_by,
        reason=reason,
        promotion=promotes(action, cadre.rank, target_position),
        former_level=cadre.rank,
        confirms=confirms,
        created_by=actor,
    )
    _quota_for_initiation(proposal)
    proposal.save()
    ProposalTransition.objects.create(
        proposal=proposal, from_status="", to_status=Status.INITIATED, reason=reason[:300], actor=actor
    )
    audit_log(
        actor=actor,
        action="proposal.initiated",
        obj=proposal,
        details={
            "cadre": cadre.name,
            "action": action,
            "target": str(target_position or ""),
            "current": str(current_position or ""),
            "round": proposal_round.pk,
        },
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: AppointmentProposal, reason: str, actor) -> AppointmentProposal:
    proposal = _lock(proposal)
    if proposal.status == Status.WITHDRAWN:
        return proposal
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明撤回的理由", field="reason")
    return _transition(proposal, Status.WITHDRAWN, actor=actor, reason=reason)


# --- 民主推荐 ----------------------------------------------------------------------------------------------


@transaction.atomic
def recommendation_record(
    *,
    position: Position,
    kind: str,
    held_on: date,
    participants: int,
    candidates: list[tuple[Cadre, int]],
    actor,
    posts: int = 1,
    note: str = "",
) -> Recommendation:
    """One recommendation for a post with every candidate's votes. At a recommendation meeting the shortlist must
    have more candidates than posts."""
    if kind not in Recommendation.Kind.values:
        raise ApplicationError("请选择推荐方式", field="kind")
    if posts < 1:
        raise ApplicationError("职位数至少为1", field="posts")
    if participants < 1:
        raise ApplicationError("参加推荐人数至少为1", field="participants")
    _not_future(held_on, "推荐时间", "held_on")
    if not candidates:
        raise ApplicationError("请列出推荐的人选及其得票", field="candidates")
    if kind == Recommendation.Kind.MEETING and len(candidates) <= posts:
        raise ApplicationError(
            f"会议推荐的候选人（{len(candidates)}人）应当多于拟任职位数（{posts}个）", field="candidates"
        )
    seen = set()
    for cadre, votes in candidates:
        if cadre.pk in seen:
            raise ApplicationError(f"{cadre.name}重复列出", field="candidates")
        seen.add(cadre.pk)
        if votes < 0 or votes > participants:
            raise ApplicationError(f"{cadre.name}的得票数须在0到参加人数{participants}之间", field="candidates")
    recommendation = Recommendation.objects.create(
        kind=kind,
        position=position,
        posts=posts,
        held_on=held_on,
        participants=participants,
        note=note.strip(),
        recorded_by=actor,
    )
    RecommendationCandidate.objects.bulk_create(
        RecommendationCandidate(recommendation=recommendation, cadre=cadre, votes=votes) for cadre, votes in candidates
    )
    audit_log(
        actor=actor,
        action="recommendation.recorded",
        obj=recommendation,
        details={
            "position": str(position),
            "kind": kind,
            "held_on": held_on.isoformat(),
            "participants": participants,
            "votes": {cadre.name: votes for cadre, votes in candidates},
        },
    )
    return recommendation


@transaction.atomic
def proposal_recommend(
    *, proposal: AppointmentProposal, recommendation: Recommendation, actor, on: date | None = None
) -> AppointmentProposal:
    """Takes a recommendation's result for the proposal: for its post, naming its cadre, still valid."""
    proposal = _lock(proposal)
    on = on or timezone.localdate()
    if proposal.status == Status.RECOMMENDED and proposal.recommendation_id == recommendation.pk:
        return proposal
    _require_status(proposal, (Status.INITIATED,), "记录民主推荐")
    if RECOMMENDATION not in required_steps(proposal):
        raise ApplicationError("该任免事项不需要民主推荐")
    proposal.recommendation = recommendation
    if problem := recommendation_problem(proposal, on):
        raise ApplicationError(problem, field="recommendation")
    if not recommendation.candidates.filter(cadre=proposal.cadre).exists():
        raise ApplicationError(f"{proposal.cadre.name}不在该次推荐的人选之中", field="recommendation")
    return _transition(proposal, Status.RECOMMENDED, actor=actor, recommendation=recommendation)


# --- 考察 -------------------------------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    proposal: AppointmentProposal,
    team: str,
    started_on: date,
    ended_on: date,
    report: str,
    conclusion: str,
    actor,
) -> Inspection:
    """考察: the team, the dates, the report and the conclusion; the recommendation must still be valid."""
    proposal = _lock(proposal)
    steps = required_steps(proposal)
    if INSPECTION not in steps:
        raise ApplicationError("该任免事项不需要考察")
    _require_status(proposal, (Status.RECOMMENDED,) if RECOMMENDATION in steps else (Status.INITIATED,), "记录考察")
    team, report, conclusion = team.strip(), report.strip(), conclusion.strip()
    for value, field, label in (
        (team, "team", "考察组"),
        (report, "report", "考察报告"),
        (conclusion, "conclusion", "考察结论"),
    ):
        if not value:
            raise ApplicationError(f"请填写{label}", field=field)
    if ended_on < started_on:
        raise ApplicationError("考察结束时间不能早于开始时间", field="ended_on")
    _not_future(ended_on, "考察结束时间", "ended_on")
    if RECOMMENDATION in steps:
        if started_on < proposal.recommendation.held_on:
            raise ApplicationError("考察不能早于民主推荐", field="started_on")
        if problem := recommendation_problem(proposal, started_on):
            raise ApplicationError(problem, field="started_on")
    elif started_on < proposal.initiated_on:
        raise ApplicationError("考察不能早于动议", field="started_on")
    inspection = Inspection.objects.create(
        proposal=proposal,
        team=team,
        started_on=started_on,
        ended_on=ended_on,
        report=report,
        conclusion=conclusion,
        recorded_by=actor,
    )
    _transition(proposal, Status.INSPECTED, actor=actor, reason=conclusion)
    return inspection


# --- 凡提四必 -----------------------------------------------------------------------------------------------


@transaction.atomic
def mandatory_check_record(
    *,
    proposal: AppointmentProposal,
    kind: str,
    done_on: date,
    done_by: str,
    result: str,
    actor,
    clear: bool = True,
) -> MandatoryCheck:
    """One of the four mandatory checks, with its date, result and who made it; recorded once each. A check that
    found a problem blocks the decision until it is recorded again with the outcome of the follow-up."""
    proposal = _lock(proposal)
    _require_status(proposal, (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED), "记录凡提四必")
    if kind not in MandatoryCheck.Kind.values:
        raise ApplicationError("请选择核查事项", field="kind")
    done_by, result = done_by.strip(), result.strip()
    if not done_by:
        raise ApplicationError("请填写核查人或核查单位", field="done_by")
    if not result:
        raise ApplicationError("请填写核查结果", field="result")
    _not_future(done_on, "核查时间", "done_on")
    if done_on < proposal.initiated_on:
        raise ApplicationError("核查时间不能早于动议", field="done_on")
    earlier = proposal.mandatory_checks.filter(kind=kind).first()
    if earlier is not None and earlier.clear:
        raise ApplicationError(f"“{MandatoryCheck.Kind(kind).label}”已经记录", field="kind")
    details = {"check": kind, "done_on": done_on.isoformat(), "clear": clear, "result": result}
    if earlier is None:
        check = MandatoryCheck.objects.create(
            proposal=proposal,
            kind=kind,
            done_on=done_on,
            done_by=done_by,
            result=result,
            clear=clear,
            recorded_by=actor,
        )
    else:
        # the follow-up of a problem found: the earlier finding stays in the audit trail
        if done_on < earlier.done_on:
            raise ApplicationError("复核时间不能早于原核查时间", field="done_on")
        details["earlier"] = {"done_on": earlier.done_on.isoformat(), "result": earlier.result}
        check = earlier
        check.done_on, check.done_by, check.result, check.clear, check.recorded_by = (
            done_on,
            done_by,
            result,
            clear,
            actor,
        )
        check.save(update_fields=["done_on", "done_by", "result", "clear", "recorded_by", "updated_at"])
    audit_log(
        actor=actor,
        action="proposal.check_recorded" if earlier is None else "proposal.check_rerecorded",
        obj=proposal,
        details=details,
    )
    return check


# --- 破格 ---------------------------------------------------------------------------------------------------


def exception_problem(proposal: AppointmentProposal, on: date) -> str | None:
    """Why the proposal cannot be an exceptional promotion: not a promotion, two levels skipped, on probation,
    or within a year of the cadre's last promotion."""
    if not is_promotion(proposal):
        return "只有提拔任职才能破格"
    if levels_skipped(proposal) >= 2:
        return "破格提拔不得越两级"
    on_probation = AppointmentProposal.objects.filter(
        cadre=proposal.cadre, status=Status.APPOINTED, probation_ends_on__gt=on
    ).exclude(pk=proposal.pk)
    if on_probation.exists():
        return f"{proposal.cadre.name}尚在试用期内，不得破格提拔"
    since = proposal.cadre.rank_since_month
    if since is not None and on < add_months(since, 12):
        return f"{proposal.cadre.name}任现职级（{format_year_month(since)}）未满一年，不得破格提拔"
    return None


@transaction.atomic
def proposal_mark_exceptional(
    *,
    proposal: AppointmentProposal,
    reason: str,
    actor,
    approved_on: date | None = None,
    approval_ref: str = "",
) -> AppointmentProposal:
    """Flags a promotion as exceptional (破格) with its reason; the higher department's approval, when recorded,
    lets it past failed qualifications and a level skipped, never two."""
    proposal = _lock(proposal)
    _require_status(proposal, (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED), "标明破格提拔")
    reason, approval_ref = reason.strip(), approval_ref.strip()
    if not reason:
        raise ApplicationError("请说明破格提拔的理由", field="reason")
    if approved_on is not None:
        _not_future(approved_on, "上级组织部门同意时间", "approved_on")
        if not approval_ref:
            raise ApplicationError("请填写上级组织部门的批复文号", field="approval_ref")
    if problem := exception_problem(proposal, approved_on or timezone.localdate()):
        raise ApplicationError(problem)
    proposal.exceptional = True
    proposal.exceptional_reason = reason
    proposal.exceptional_approved_on = approved_on
    proposal.exceptional_approval_ref = approval_ref
    proposal.save(
        update_fields=[
            "exceptional",
            "exceptional_reason",
            "exceptional_approved_on",
            "exceptional_approval_ref",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action="proposal.exceptional",
        obj=proposal,
        details={
            "reason": reason,
            "approved_on": approved_on.isoformat() if approved_on else None,
            "approval_ref": approval_ref,
        },
    )
    return proposal


# --- 讨论决定 -------------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, proposal: AppointmentProposal, actor, on: date | None = None) -> AppointmentProposal:
    """Puts the proposal before the committee once every step it needs is done (decision_gate)."""
    proposal = _lock(proposal)
    if proposal.status == Status.SUBMITTED:
        return proposal
    on = on or timezone.localdate()
    _require_status(proposal, (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED, Status.DEFERRED), "提交讨论决定")
    if proposal.status != Status.DEFERRED:
        steps = required_steps(proposal)
        if INSPECTION in steps and proposal.status != Status.INSPECTED:
            raise ApplicationError("须先完成考察，才能提交讨论决定")
    gate = decision_gate(proposal, on)
    if not gate.open:
        raise ApplicationError("；".join(gate.problems))
    return _transition(proposal, Status.SUBMITTED, actor=actor)


class DecisionOutcome:
    PASSED = "passed"
    REJECTED = "rejected"
    DEFERRED = "deferred"


@transaction.atomic
def proposal_record_decision(
    *,
    proposal: AppointmentProposal,
    outcome: str,
    decided_on: date,
    decided_by: str,
    actor,
    note: str = "",
    plenary: bool = False,
) -> AppointmentProposal:
    """The committee's vote on the cadre moves the proposal: passed, not passed, or deferred (缓议). The meetings
    app calls this when it closes the vote on the cadre; `plenary` when the 全委会 decided."""
    proposal = _lock(proposal)
    target = {
        DecisionOutcome.PASSED: Status.DECIDED,
        DecisionOutcome.REJECTED: Status.REJECTED,
        DecisionOutcome.DEFERRED: Status.DEFERRED,
    }
    if outcome not in target:
        raise ValueError(f"unknown outcome {outcome}")
    if proposal.status == target[outcome] and proposal.decided_on == decided_on:
        return proposal
    _require_status(proposal, (Status.SUBMITTED,), "记录讨论决定结果")
    submitted_on = timezone.localdate(proposal.stage_since)
    if decided_on < submitted_on:
        raise ApplicationError(f"讨论决定的时间不能早于提交讨论决定的时间（{submitted_on:%Y年%m月%d日}）")
    _not_future(decided_on, "讨论决定时间", "decided_on")
    fields = (
        {"decided_on": decided_on, "decided_by": decided_by[:100], "decided_at_plenary": plenary}
        if outcome != DecisionOutcome.DEFERRED
        else {}
    )
    return _transition(proposal, target[outcome], actor=actor, reason=note or decided_by, **fields)


# --- 任前公示 -------------------------------------------------------------------------------------------------


def notice_end(starts_on: date) -> date:
    """The last day of a notice from `starts_on`: it lasts at least the statutory number of working days, counting
    the first day when it is one (a notice started on a holiday begins counting on the next working day)."""
    return add_workdays(starts_on - timedelta(days=1), settings.ORGDEPT_NOTICE_WORKDAYS)


@transaction.atomic
def notice_start(*, proposal: AppointmentProposal, starts_on: date, actor) -> AppointmentProposal:
    proposal = _lock(proposal)
    if proposal.status == Status.NOTICE and proposal.notice_starts_on == starts_on:
        return proposal
    _require_status(proposal, (Status.DECIDED,), "开始任前公示")
    if NOTICE not in required_steps(proposal):
        raise ApplicationError("该任免事项不需要任前公示")
    if starts_on < proposal.decided_on:
        raise ApplicationError("任前公示不能早于讨论决定", field="starts_on")
    ends_on = notice_end(starts_on)
    return _transition(
        proposal,
        Status.NOTICE,
        actor=actor,
        notice_starts_on=starts_on,
        notice_ends_on=ends_on,
        notice_exempt_ground="",
        notice_exempt_reason="",
    )


@transaction.atomic
def notice_exempt(*, proposal: AppointmentProposal, ground: str, reason: str, actor) -> AppointmentProposal:
    """Records that a decided promotion is not put to notice, on one of the grounds the 条例 allows (a special post,
    or a candidate already put to notice in the general-election inspection), with the particulars, so it may be
    appointed without one."""
    proposal = _lock(proposal)
    _require_status(proposal, (Status.DECIDED,), "免予公示")
    if ground not in AppointmentProposal.NoticeExemption.values:
        raise ApplicationError("请选择免予公示的情形", field="ground")
    reason = reason.strip()
    if not reason:
        needed = (
            "换届考察公示的时间和范围" if ground == AppointmentProposal.NoticeExemption.ELECTION else "岗位特殊的依据"
        )
        raise ApplicationError(f"请填写{needed}", field="reason")
    proposal.notice_exempt_ground = ground
    proposal.notice_exempt_reason = reason[:300]
    proposal.save(update_fields=["notice_exempt_ground", "notice_exempt_reason", "updated_at"])
    audit_log(
        actor=actor,
        action="proposal.notice_exempted",
        obj=proposal,
        details={"ground": AppointmentProposal.NoticeExemption(ground).label, "reason": reason},
    )
    return proposal


@transaction.atomic
def objection_record(
    *, proposal: AppointmentProposal, received_on: date, content: str, actor, source: str = ""
) -> NoticeObjection:
    proposal = _lock(proposal)
    _require_status(proposal, (Status.NOTICE,), "登记公示期间的反映")
    content = content.strip()
    if not content:
        raise ApplicationError("请填写反映的内容", field="content")
    if received_on < proposal.notice_starts_on:
        raise ApplicationError("反映的时间不能早于公示开始", field="received_on")
    _not_future(received_on, "收到时间", "received_on")
    objection = NoticeObjection.objects.create(
        proposal=proposal, received_on=received_on, content=content, source=source.strip(), recorded_by=actor
    )
    audit_log(
        actor=actor,
        action="proposal.objection_recorded",
        obj=proposal,
        details={"objection": objection.pk, "received_on": received_on.isoformat()},
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, objection: NoticeObjection, resolved_on: date, resolution: str, upheld: bool, actor
) -> NoticeObjection:
    """The outcome of looking into an objection; one upheld stops the appointment (the proposal is withdrawn)."""
    proposal = _lock(objection.proposal)
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolved_on is not None:
        raise ApplicationError("该反映已经办结")
    resolution = resolution.strip()
    if not resolution:
        raise ApplicationError("请填写核查处理结果", field="resolution")
    if resolved_on < objection.received_on:
        raise ApplicationError("办结时间不能早于收到时间", field="resolved_on")
    _not_future(resolved_on, "办结时间", "resolved_on")
    objection.resolved_on, objection.resolution, objection.upheld = resolved_on, resolution, upheld
    objection.save(update_fields=["resolved_on", "resolution", "upheld", "updated_at"])
    audit_log(
        actor=actor,
        action="proposal.objection_resolved",
        obj=proposal,
        details={"objection": objection.pk, "upheld": upheld, "resolution": resolution},
    )
    if upheld and proposal.status == Status.NOTICE:
        _transition(proposal, Status.WITHDRAWN, actor=actor, reason=f"公示期间反映的问题经核查属实：{resolution}")
    return objection


# --- 任职 and 试用期 -------------------------------------------------------------------------------------------


def appointment_problems(proposal: AppointmentProposal, on: date) -> list[str]:
    problems = []
    if proposal.status == Status.NOTICE:
        if on <= proposal.notice_ends_on:
            problems.append(f"任前公示至{proposal.notice_ends_on:%Y年%m月%d日}，公示期满后才能任职")
        open_objections = proposal.objections.filter(resolved_on__isnull=True).count()
        if open_objections:
            problems.append(f"公示期间有{open_objections}件反映尚未核查办结")
    elif proposal.status == Status.DECIDED and NOTICE in required_steps(proposal) and not proposal.notice_exempt_reason:
        problems.append("须经任前公示（或记录免予公示的理由）后才能任职")
    if proposal.decided_on and on < proposal.decided_on:
        problems.append("任职时间不能早于讨论决定")
    return problems


@transaction.atomic
def proposal_appoint(*, proposal: AppointmentProposal, appointed_on: date, actor) -> AppointmentProposal:
    """任职: the position history, the cadre's current post and level, and the quota's occupancy change in one
    transaction; a promotion into a leading post starts its probation."""
    proposal = _lock(proposal)
    if proposal.status in (Status.APPOINTED, Status.CONFIRMED):
        return proposal
    _require_status(proposal, (Status.DECIDED, Status.NOTICE), "任职")
    _not_future(appointed_on, "任职时间", "appointed_on")
    if problems := appointment_problems(proposal, appointed_on):
        raise ApplicationError("；".join(problems), field="appointed_on")
    if proposal.action == Action.CONFIRM:
        # 试用期满转正 decided by the committee: the post and the level stay; the appointment's probation ends with it
        original = _lock(proposal.confirms)
        if original.status == Status.APPOINTED:
            if original.probation_ends_on and appointed_on < original.probation_ends_on:
                raise ApplicationError(
                    f"试用期至{original.probation_ends_on:%Y年%m月%d日}，期满后才能转正", field="appointed_on"
                )
            _transition(
                original,
                Status.CONFIRMED,
                actor=actor,
                reason=f"经{proposal.decided_by}讨论决定转正",
                closed_on=appointed_on,
            )
        elif original.status != Status.CONFIRMED:
            raise ApplicationError(f"原任职已按“{STATUS_WORDS[original.status]}”办结，不能再转正")
        return _transition(proposal, Status.CONFIRMED, actor=actor, appointed_on=appointed_on, closed_on=appointed_on)
    # the cadre as it is now, held until the appointment is written: the level left is the one on file today
    cadre = Cadre.objects.select_for_update().get(pk=proposal.cadre_id)
    target, current = proposal.target_position, proposal.current_position
    promotion = is_promotion(proposal)
    month = appointed_on.replace(day=1)
    holds = PositionTenure.objects.filter(cadre=cadre, position=current, is_current=True)
    if current is not None and not holds.exists():
        raise ApplicationError(f"{cadre.name}现已不担任{current}")
    fields = {"appointed_on": appointed_on, "former_level": cadre.rank, "former_level_since": cadre.rank_since_month}
    if target is not None:
        if target.leading and target.level:
            releasing = int(current is not None and current.unit_id == target.unit_id and current.level == target.level)
            quota_check(unit=target.unit, level=target.level, releasing=releasing, cadre=cadre)
        cadre_assign_position(cadre=cadre, position=target, start_month=month, actor=actor)
        cadre.refresh_from_db()
        # 任免: the post left ends now, unless assigning the new one has closed it already
        if current is not None and current.pk != target.pk and holds.exists():
            cadre_leave_position(cadre=cadre, position=current, end_month=month, actor=actor)
        if promotion:
            cadre_update(cadre=cadre, rank=target.level, rank_since_month=month, actor=actor)
    elif current is not None and proposal.action == Action.REMOVE:
        cadre_leave_position(cadre=cadre, position=current, end_month=month, actor=actor)
    if PROBATION in required_steps(proposal):
        fields["probation_ends_on"] = same_day_months_later(appointed_on, settings.ORGDEPT_PROBATION_MONTHS)
    return _transition(proposal, Status.APPOINTED, actor=actor, **fields)


@transaction.atomic
def probation_close(
    *, proposal: AppointmentProposal, confirmed: bool, closed_on: date, reason: str, actor
) -> AppointmentProposal:
    """At the end of probation: confirmed (转正), or returned to the former level and the date held since. Where the
    confirmation is put to the committee instead (a 转正 proposal), that proposal closes it."""
    proposal = _lock(proposal)
    done = Status.CONFIRMED if confirmed else Status.RETURNED
    if proposal.status == done:
        return proposal
    _require_status(proposal, (Status.APPOINTED,), "办理试用期满转正")
    if proposal.probation_ends_on is None:
        raise ApplicationError("该任职没有试用期")
    pending = proposal.confirmations.filter(status__in=AppointmentProposal.OPEN_STATUSES).first()
    if pending is not None:
        raise ApplicationError(f"转正已作为任免事项提请讨论决定（{pending.round}），须按该事项办理")
    if closed_on < proposal.probation_ends_on:
        raise ApplicationError(f"试用期至{proposal.probation_ends_on:%Y年%m月%d日}，期满后才能办理", field="closed_on")
    _not_future(closed_on, "办理时间", "closed_on")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请填写试用期考核情况", field="reason")
    if not confirmed:
        # 试用期不合格: back to the level held before the promotion; the post itself is a further decision
        cadre_update(
            cadre=proposal.cadre,
            rank=proposal.former_level,
            rank_since_month=proposal.former_level_since,
            actor=actor,
        )
    return _transition(proposal, done, actor=actor, reason=reason, closed_on=closed_on)


# --- what the meetings app asks before a cadre item goes on an agenda --------------------------------------


def proposal_readiness(cadres: list[Cadre], on: date) -> dict[int, list[CheckResult]]:
    """For `cadres.extensions.decision_readiness`: a cadre whose proposal is under way may be put to the committee
    once a proposal of theirs is before it and its gate is still open on the meeting's date; another proposal of
    the same cadre at an earlier stage (a second post being prepared) does not hold that one back. A cadre with only
    proposals still being prepared may not go yet. One query for cadres with no proposal under way."""
    results: dict[int, list[CheckResult]] = {}
    under_way = AppointmentProposal.objects.filter(
        cadre__in=[c.pk for c in cadres], status__in=AppointmentProposal.OPEN_STATUSES
    ).select_related("cadre", "target_position__unit", "recommendation")
    by_cadre: dict[int, list[AppointmentProposal]] = {}
    for proposal in under_way:
        by_cadre.setdefault(proposal.cadre_id, []).append(proposal)
    for cadre_id, proposals in by_cadre.items():
        found = results.setdefault(cadre_id, [])
        before = [p for p in proposals if p.status in (Status.SUBMITTED, Status.DEFERRED)]
        for proposal in before:
            for problem in decision_gate(proposal, on).problems:
                found.append(CheckResult("proposal", "任免程序", CheckOutcome.FAIL, problem))
        if before:
            continue
        for proposal in proposals:
            if proposal.status in (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED):
                found.append(
                    CheckResult(
                        "proposal",
                        "任免程序",
                        CheckOutcome.FAIL,
                        f"任免事项处于“{STATUS_WORDS[proposal.status]}”阶段，尚未提交讨论决定",
                    )
                )
    return results


# --- reading for pages, queues and reminders ---------------------------------------------------------------


def probation_reminder_on(proposal: AppointmentProposal) -> date | None:
    if proposal.probation_ends_on is None:
        return None
    return proposal.probation_ends_on - timedelta(days=settings.ORGDEPT_PROBATION_REMINDER_DAYS)


def quota_waiting(unit_id: int, level: str) -> tuple[int, int]:
    """(occupied, open proposals heading for the level) of a unit, for the quota line on the proposal page."""
    return occupancy([unit_id]).get((unit_id, level), 0), _pending_for(unit_id, level)
