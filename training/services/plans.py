"""Annual training plans (年度培训计划): drafted and amended by 培训科, submitted, approved by 部领导 (or returned
with a reason) before any of their classes may take call-ups.

The state is TrainingPlan.status, moved only by `_transition` following TRANSITIONS: the plan row is locked, a
move already made returns at once (a second click does nothing), any other move is refused in Chinese, and the
audit event records who, from, to and why.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import TrainingPlan
from .common import optional_text, require_text

Status = TrainingPlan.Status
STATUS_WORDS = {Status.DRAFT: "草稿", Status.SUBMITTED: "待审批", Status.APPROVED: "已审批"}

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.APPROVED, Status.DRAFT},
    Status.APPROVED: set(),
}
APPROVE_PERMISSION = "training.approve_trainingplan"
EARLIEST_YEAR = 2000
TITLE_MAX = TrainingPlan._meta.get_field("title").max_length


def _lock(plan: TrainingPlan) -> TrainingPlan:
    return TrainingPlan.objects.select_for_update().get(pk=plan.pk)


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError("请填写计划年度", field="year") from None
    latest = timezone.localdate().year + 1
    if not EARLIEST_YEAR <= year <= latest:
        raise ApplicationError(f"计划年度应在{EARLIEST_YEAR}年至{latest}年之间", field="year")
    return year


def _check_title_free(year: int, title: str, *, excluding: int | None = None) -> None:
    taken = TrainingPlan.objects.filter(year=year, title=title)
    if excluding is not None:
        taken = taken.exclude(pk=excluding)
    if taken.exists():
        raise ApplicationError(f"{year}年度已有名为“{title}”的培训计划", field="title")


@transaction.atomic
def plan_create(*, year: int, title: str, notes: str = "", actor) -> TrainingPlan:
    year = _check_year(year)
    title = require_text(title, field="title", what="计划名称", max_length=TITLE_MAX)
    notes = optional_text(notes, field="notes", what="说明", max_length=5000)
    _check_title_free(year, title)
    plan = TrainingPlan.objects.create(year=year, title=title, notes=notes, created_by=actor)
    audit_log(actor=actor, action="training_plan.created", obj=plan, details={"year": year, "title": title})
    return plan


@transaction.atomic
def plan_update(*, plan: TrainingPlan, title: str, notes: str, actor) -> TrainingPlan:
    """Title and notes of a draft; a plan submitted or approved is changed through its classes (see classes.py)."""
    plan = _lock(plan)
    if plan.status != Status.DRAFT:
        raise ApplicationError(f"培训计划处于“{STATUS_WORDS[plan.status]}”状态，只有草稿可以修改名称和说明")
    title = require_text(title, field="title", what="计划名称", max_length=TITLE_MAX)
    notes = optional_text(notes, field="notes", what="说明", max_length=5000)
    changes = {}
    if title != plan.title:
        _check_title_free(plan.year, title, excluding=plan.pk)
        changes["title"] = [plan.title, title]
    if notes != plan.notes:
        changes["notes"] = [plan.notes, notes]
    if not changes:
        return plan
    plan.title, plan.notes = title, notes
    plan.save(update_fields=["title", "notes", "updated_at"])
    audit_log(actor=actor, action="training_plan.updated", obj=plan, details={"changes": changes})
    return plan


def _transition(
    plan: TrainingPlan, to: str, *, actor, action: str, doing: str, reason: str = "", **fields
) -> TrainingPlan:
    """Moves a locked plan along TRANSITIONS and audits it."""
    if to not in TRANSITIONS[plan.status]:
        raise ApplicationError(f"培训计划处于“{STATUS_WORDS[plan.status]}”状态，不能{doing}")
    before = plan.status
    plan.status = to
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save(update_fields=["status", *fields, "updated_at"])
    details = {"from": before, "to": to, "year": plan.year, "title": plan.title}
    if reason:
        details["reason"] = reason
    audit_log(actor=actor, action=action, obj=plan, details=details)
    return plan


@transaction.atomic
def plan_submit(*, plan: TrainingPlan, actor) -> TrainingPlan:
    """Draft → submitted, for 部领导 to approve; a plan needs at least one class."""
    plan = _lock(plan)
    if plan.status == Status.SUBMITTED:
        return plan
    if plan.status == Status.DRAFT and not plan.classes.exists():
        raise ApplicationError("培训计划中还没有培训班，不能报送审批")
    return _transition(
        plan,
        Status.SUBMITTED,
        actor=actor,
        action="training_plan.submitted",
        doing="报送审批",
        submitted_at=timezone.now(),
    )


def may_approve(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_perm(APPROVE_PERMISSION))


@transaction.atomic
def plan_approve(*, plan: TrainingPlan, actor) -> TrainingPlan:
    """Submitted → approved, by a holder of training.approve_trainingplan (部领导); 培训科 cannot approve its own
    plans."""
    if not may_approve(actor):
        raise ApplicationError("只有部领导可以审批培训计划")
    plan = _lock(plan)
    if plan.status == Status.APPROVED:
        return plan
    return _transition(
        plan,
        Status.APPROVED,
        actor=actor,
        action="training_plan.approved",
        doing="审批",
        approved_by=actor,
        approved_at=timezone.now(),
    )


@transaction.atomic
def plan_return(*, plan: TrainingPlan, reason: str, actor) -> TrainingPlan:
    """Submitted → draft with the reason, for 培训科 to revise and submit again."""
    if not may_approve(actor):
        raise ApplicationError("只有部领导可以退回培训计划")
    reason = require_text(reason, field="reason", what="退回理由", max_length=300)
    plan = _lock(plan)
    return _transition(
        plan, Status.DRAFT, actor=actor, action="training_plan.returned", doing="退回", reason=reason, submitted_at=None
    )
