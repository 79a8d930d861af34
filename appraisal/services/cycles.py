"""Appraisal cycles and their set-up: groups, the people appraised, indicators, voter groups, voters and
evaluation elements; and the moves of the cycle's state (DESIGN.md transition recipe).

Set-up is changed only while the cycle is in setup. Leaving setup checks what the later steps rely on: every
group has people and indicators whose weights sum to exactly 100, the voter groups' and the elements' weights sum
to 100 too (when the democratic evaluation counts at all), and every voter has a scope.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import Cadre, Unit
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import (
    AppraisalCycle,
    AppraisalGroup,
    CycleTransition,
    EvaluationElement,
    GroupMember,
    Indicator,
    Voter,
    VoterGroup,
)
from .common import HUNDRED, STATUS_WORDS, Status, check_weights, fmt, lock_cycle, parse_decimal, require_status

EARLIEST_YEAR = 2000
MAX_FULL_MARKS = HUNDRED * 10


def _text(value, *, field: str, what: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ApplicationError(f"请填写{what}", field=field)
    if len(text) > max_length:
        raise ApplicationError(f"{what}不能超过{max_length}个字", field=field)
    return text


@transaction.atomic
def cycle_create(*, year: int, scope: str, indicator_weight=60, evaluation_weight=40, actor) -> AppraisalCycle:
    """A cycle in setup; final score = indicator part × indicator_weight% + evaluation × evaluation_weight%."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError("请填写考核年度", field="year") from None
    latest = timezone.localdate().year
    if not EARLIEST_YEAR <= year <= latest:
        raise ApplicationError(f"考核年度应在{EARLIEST_YEAR}年至{latest}年之间", field="year")
    scope = _text(scope, field="scope", what="考核范围", max_length=100)
    w1 = parse_decimal(indicator_weight, field="indicator_weight", what="指标得分权重", maximum=HUNDRED)
    w2 = parse_decimal(evaluation_weight, field="evaluation_weight", what="民主测评权重", maximum=HUNDRED)
    if w1 + w2 != HUNDRED:
        raise ApplicationError(f"指标得分与民主测评的权重合计为{fmt(w1 + w2)}，应为100", field="indicator_weight")
    taken = ApplicationError(f"{year}年度已有“{scope}”的考核", field="scope")
    if AppraisalCycle.objects.filter(year=year, scope=scope).exists():
        raise taken
    try:
        with transaction.atomic():  # two people creating the same cycle at once: the second is told, not a 500
            cycle = AppraisalCycle.objects.create(
                year=year, scope=scope, indicator_weight=w1, evaluation_weight=w2, created_by=actor
            )
    except IntegrityError:
        raise taken from None
    audit_log(actor=actor, action="appraisal_cycle.created", obj=cycle, details={"year": year, "scope": scope})
    return cycle


def _setup_cycle(cycle: AppraisalCycle, doing: str) -> AppraisalCycle:
    cycle = lock_cycle(cycle)
    require_status(cycle, Status.SETUP, doing=doing)
    return cycle


@transaction.atomic
def group_create(*, cycle: AppraisalCycle, name: str, kind: str = AppraisalGroup.Kind.INDIVIDUAL, actor):
    cycle = _setup_cycle(cycle, "增加考核组")
    name = _text(name, field="name", what="考核组名称", max_length=50)
    if kind not in AppraisalGroup.Kind.values:
        raise ApplicationError("考核组类型无效", field="kind")
    if cycle.groups.filter(name=name).exists():
        raise ApplicationError(f"已有名为“{name}”的考核组", field="name")
    group = AppraisalGroup.objects.create(cycle=cycle, name=name, kind=kind, order=cycle.groups.count() + 1)
    audit_log(actor=actor, action="appraisal_group.created", obj=group, details={"cycle": cycle.pk, "kind": kind})
    return group


@transaction.atomic
def members_add(*, group: AppraisalGroup, cadres=(), units=(), actor) -> list[GroupMember]:
    """Adds cadres to an individual group, or units (their leadership teams) to a team group; a person or team is
    appraised in one group of a cycle only."""
    cycle = _setup_cycle(group.cycle, "增加考核对象")
    cadres, units = list(cadres), list(units)
    if group.kind == AppraisalGroup.Kind.TEAM and cadres:
        raise ApplicationError(f"“{group.name}”考核领导班子，只能加入单位", field="cadres")
    if group.kind == AppraisalGroup.Kind.INDIVIDUAL and units:
        raise ApplicationError(f"“{group.name}”考核个人，只能加入干部", field="units")
    taken = GroupMember.objects.filter(cycle=cycle).select_related("group", "cadre", "unit")
    clash = (taken.filter(cadre__in=[c.pk for c in cadres]) | taken.filter(unit__in=[u.pk for u in units])).first()
    if clash is not None:
        raise ApplicationError(f"{clash.label}已在“{clash.group.name}”中参加本次考核")
    added = [GroupMember(group=group, cycle=cycle, cadre=c) for c in cadres if isinstance(c, Cadre)]
    added += [GroupMember(group=group, cycle=cycle, unit=u) for u in units if isinstance(u, Unit)]
    for member in added:
        member.save()
    audit_log(
        actor=actor,
        action="appraisal_group.members_added",
        obj=group,
        details={"cadres": [c.pk for c in cadres], "units": [u.pk for u in units]},
    )
    return added


@transaction.atomic
def indicator_add(*, group: AppraisalGroup, name: str, kind: str, weight, max_score=100, actor) -> Indicator:
    """An indicator of a group; the weights are checked to sum to 100 when the cycle leaves setup."""
    _setup_cycle(group.cycle, "增加考核指标")
    name = _text(name, field="name", what="指标名称", max_length=100)
    if kind not in Indicator.Kind.values:
        raise ApplicationError("请选择定量或定性指标", field="kind")
    weight = parse_decimal(weight, field="weight", what="权重", positive=True, maximum=HUNDRED)
    max_score = parse_decimal(max_score, field="max_score", what="满分", positive=True, maximum=MAX_FULL_MARKS)
    if group.indicators.filter(name=name).exists():
        raise ApplicationError(f"“{group.name}”已有指标“{name}”", field="name")
    indicator = Indicator.objects.create(
        group=group, name=name, kind=kind, weight=weight, max_score=max_score, order=group.indicators.count() + 1
    )
    audit_log(
        actor=actor,
        action="appraisal_indicator.added",
        obj=indicator,
        details={"group": group.pk, "kind": kind, "weight": fmt(weight), "max_score": fmt(max_score)},
    )
    return indicator


@transaction.atomic
def indicator_set_weight(*, indicator: Indicator, weight, actor) -> Indicator:
    _setup_cycle(indicator.group.cycle, "修改指标权重")
    weight = parse_decimal(weight, field="weight", what="权重", positive=True, maximum=HUNDRED)
    if weight == indicator.weight:
        return indicator
    before = indicator.weight
    indicator.weight = weight
    indicator.save(update_fields=["weight"])
    audit_log(
        actor=actor, action="appraisal_indicator.updated", obj=indicator, details={"weight": [fmt(before), fmt(weight)]}
    )
    return indicator


@transaction.atomic
def voter_group_add(*, cycle: AppraisalCycle, code: str, name: str, weight, actor) -> VoterGroup:
    cycle = _setup_cycle(cycle, "增加测评人员类别")
    code = _text(code, field="code", what="类别代号", max_length=5)
    name = _text(name, field="name", what="类别名称", max_length=50)
    weight = parse_decimal(weight, field="weight", what="权重", positive=True, maximum=HUNDRED)
    if cycle.voter_groups.filter(code=code).exists():
        raise ApplicationError(f"已有代号为“{code}”的测评人员类别", field="code")
    voter_group = VoterGroup.objects.create(cycle=cycle, code=code, name=name, weight=weight)
    audit_log(actor=actor, action="appraisal_voter_group.added", obj=voter_group, details={"weight": fmt(weight)})
    return voter_group


@transaction.atomic
def element_add(*, cycle: AppraisalCycle, name: str, weight, scale_max: int = 100, actor) -> EvaluationElement:
    cycle = _setup_cycle(cycle, "增加测评要素")
    name = _text(name, field="name", what="测评要素名称", max_length=50)
    weight = parse_decimal(weight, field="weight", what="权重", positive=True, maximum=HUNDRED)
    try:
        scale_max = int(scale_max)
    except (TypeError, ValueError):
        raise ApplicationError("请填写满分", field="scale_max") from None
    if not 0 < scale_max <= 1000:
        raise ApplicationError("满分应在1至1000之间", field="scale_max")
    if cycle.elements.filter(name=name).exists():
        raise ApplicationError(f"已有测评要素“{name}”", field="name")
    element = EvaluationElement.objects.create(
        cycle=cycle, name=name, weight=weight, scale_max=scale_max, order=cycle.elements.count() + 1
    )
    audit_log(actor=actor, action="appraisal_element.added", obj=element, details={"weight": fmt(weight)})
    return element


@transaction.atomic
def voter_add(*, voter_group: VoterGroup, name: str = "", user=None, groups=(), actor) -> Voter:
    """A real-name voter who evaluates the people of `groups`: a user who fills ballots online (named after the
    account when no name is given) or a named person on paper (no user)."""
    cycle = _setup_cycle(voter_group.cycle, "增加测评人")
    if user is not None and not (name or "").strip():
        name = user.get_full_name() or user.get_username()
    name = _text(name, field="name", what="测评人姓名", max_length=50)
    groups = list(groups)
    if not groups:
        raise ApplicationError("请选择测评人参加测评的考核组", field="groups")
    if any(g.cycle_id != cycle.pk for g in groups):
        raise ApplicationError("考核组不属于本次考核", field="groups")
    if user is not None and cycle.voters.filter(user=user).exists():
        raise ApplicationError(f"账号{user.get_username()}已是本次考核的测评人", field="user")
    if voter_group.voters.filter(name=name).exists():
        raise ApplicationError(f"“{voter_group.name}”中已有测评人“{name}”", field="name")
    voter = Voter.objects.create(cycle=cycle, voter_group=voter_group, name=name, user=user)
    voter.scope.set(groups)
    audit_log(
        actor=actor,
        action="appraisal_voter.added",
        obj=voter,
        details={"voter_group": voter_group.code, "user": user.pk if user else None, "groups": [g.pk for g in groups]},
    )
    return voter


# --- the cycle's state ----------------------------------------------------------------------------------------


def transition(cycle: AppraisalCycle, to: str, *, actor, action: str, doing: str, reason: str = "", **fields):
    """Moves a locked cycle along TRANSITIONS, writes the history row and the audit event."""
    if to not in AppraisalCycle.TRANSITIONS[cycle.status]:
        raise ApplicationError(f"考核处于“{STATUS_WORDS[cycle.status]}”阶段，不能{doing}")
    before = cycle.status
    cycle.status = to
    for name, value in fields.items():
        setattr(cycle, name, value)
    cycle.save(update_fields=["status", *fields, "updated_at"])
    CycleTransition.objects.create(cycle=cycle, from_status=before, to_status=to, reason=reason, actor=actor)
    details = {"from": before, "to": to, "year": cycle.year, "scope": cycle.scope}
    if reason:
        details["reason"] = reason
    audit_log(actor=actor, action=action, obj=cycle, details=details)
    return cycle


def check_setup(cycle: AppraisalCycle) -> None:
    """What leaving setup needs; the first problem is refused in Chinese."""
    groups = list(cycle.groups.prefetch_related("indicators", "members"))
    if not groups:
        raise ApplicationError("还没有设置考核组")
    for group in groups:
        if not group.members.all():
            raise ApplicationError(f"考核组“{group.name}”还没有考核对象")
        check_weights([i.weight for i in group.indicators.all()], what=f"考核组“{group.name}”的考核指标")
    has_voters = cycle.voters.exists()
    # ballots are weighed by their elements even when the evaluation does not count towards the final score
    if cycle.evaluation_weight > 0 or has_voters:
        check_weights([g.weight for g in cycle.voter_groups.all()], what="测评人员类别", field="voter_groups")
        check_weights([e.weight for e in cycle.elements.all()], what="测评要素", field="elements")
    if cycle.evaluation_weight > 0 and not has_voters:
        raise ApplicationError("还没有设置测评人", field="voters")


@transaction.atomic
def cycle_open_evaluation(*, cycle: AppraisalCycle, actor) -> AppraisalCycle:
    """Setup → evaluation open: voters may fill their ballots, staff enter paper ballots and indicator scores."""
    cycle = lock_cycle(cycle)
    if cycle.status == Status.EVALUATION:
        return cycle
    # only forward from setup: reopening from scoring is a step back and needs its reason (cycle_step_back)
    require_status(cycle, Status.SETUP, doing="开始民主测评")
    check_setup(cycle)
    return transition(
        cycle, Status.EVALUATION, actor=actor, action="appraisal_cycle.evaluation_opened", doing="开始民主测评"
    )


@transaction.atomic
def cycle_close_evaluation(*, cycle: AppraisalCycle, actor) -> AppraisalCycle:
    """Evaluation open → scoring: no more ballots."""
    cycle = lock_cycle(cycle)
    if cycle.status == Status.SCORING:
        return cycle
    # only forward from evaluation: a page left open in rating must not send the cycle back and wipe the ratings
    require_status(cycle, Status.EVALUATION, doing="结束民主测评")
    return transition(
        cycle, Status.SCORING, actor=actor, action="appraisal_cycle.evaluation_closed", doing="结束民主测评"
    )


@transaction.atomic
def cycle_step_back(*, cycle: AppraisalCycle, reason: str, actor) -> AppraisalCycle:
    """One step back (scoring → evaluation, rating → scoring, evaluation → setup), with the reason."""
    reason = _text(reason, field="reason", what="退回理由", max_length=300)
    cycle = lock_cycle(cycle)
    back = {Status.EVALUATION: Status.SETUP, Status.SCORING: Status.EVALUATION, Status.RATING: Status.SCORING}
    if cycle.status not in back:
        raise ApplicationError(f"考核处于“{STATUS_WORDS[cycle.status]}”阶段，不能退回")
    if cycle.status == Status.EVALUATION and cycle.voters.filter(ballots__isnull=False).exists():
        raise ApplicationError("已有测评票，不能退回设置阶段")
    return transition(
        cycle, back[cycle.status], actor=actor, action="appraisal_cycle.stepped_back", doing="退回", reason=reason
    )


@transaction.atomic
def cycle_archive(*, cycle: AppraisalCycle, actor) -> AppraisalCycle:
    cycle = lock_cycle(cycle)
    if cycle.status == Status.ARCHIVED:
        return cycle
    return transition(cycle, Status.ARCHIVED, actor=actor, action="appraisal_cycle.archived", doing="归档")
