"""Writes to the work-area catalogue and the portfolio plans (分工): drafts, assignments, activation."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import PortfolioAssignment, PortfolioPlan, Term, TermMember, WorkArea
from ..selectors import plan_coverage

Status = PortfolioPlan.Status
# how refusals name a plan's status, whatever the interface language ("已生效，不能再修改")
STATUS_WORDS = {Status.DRAFT: "起草", Status.ACTIVE: "生效", Status.SUPERSEDED: "被取代"}


@transaction.atomic
def work_area_create(
    *, name: str, actor, description: str = "", order: int | None = None, active: bool = True
) -> WorkArea:
    name = name.strip()
    if not name:
        raise ApplicationError("请填写领域名称", field="name")
    if WorkArea.objects.filter(name=name).exists():
        raise ApplicationError(f"已有名为“{name}”的领域", field="name")
    if order is None:
        order = (WorkArea.objects.aggregate(m=Max("order"))["m"] or 0) + 10
    area = WorkArea.objects.create(name=name, description=description.strip(), order=order, active=active)
    audit_log(actor=actor, action="work_area.created", obj=area, details={"name": name, "active": active})
    return area


@transaction.atomic
def work_area_update(*, area: WorkArea, actor, **values) -> WorkArea:
    """Renames, reorders or takes an area in or out of use. Plans in force keep their assignments; an area
    taken into use must be covered by the next plan activated."""
    area = WorkArea.objects.select_for_update().get(pk=area.pk)
    allowed = {"name", "description", "order", "active"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown work area fields: {sorted(unknown)}")
    if "name" in values:
        values["name"] = values["name"].strip()
        if not values["name"]:
            raise ApplicationError("请填写领域名称", field="name")
        if WorkArea.objects.filter(name=values["name"]).exclude(pk=area.pk).exists():
            raise ApplicationError(f"已有名为“{values['name']}”的领域", field="name")
    if "description" in values:
        values["description"] = values["description"].strip()
    changes = {f: [getattr(area, f), v] for f, v in values.items() if getattr(area, f) != v}
    if not changes:
        return area
    for field, (_old, new) in changes.items():
        setattr(area, field, new)
    area.save(update_fields=[*changes, "updated_at"])
    audit_log(actor=actor, action="work_area.updated", obj=area, details={"changes": changes})
    return area


def _lock_plan(plan: PortfolioPlan) -> PortfolioPlan:
    return (
        PortfolioPlan.objects.select_for_update(of=("self",)).select_related("term", "term__committee").get(pk=plan.pk)
    )


def _require_draft(plan: PortfolioPlan) -> None:
    if plan.status != Status.DRAFT:
        raise ApplicationError(f"{plan}已{STATUS_WORDS[plan.status]}，不能再修改；请在其基础上起草新版本")


@transaction.atomic
def portfolio_plan_create(
    *, term: Term, actor, based_on: PortfolioPlan | None = None, title: str = "", note: str = ""
) -> PortfolioPlan:
    """Drafts the term's next version, copying the assignments of `based_on` (by default the plan in force)."""
    term = Term.objects.select_for_update().select_related("committee").get(pk=term.pk)
    if term.ends_on is not None:
        raise ApplicationError(f"{term}已换届，不能再起草分工")
    draft = term.portfolio_plans.filter(status=Status.DRAFT).first()
    if draft is not None:
        raise ApplicationError(f"已有未生效的草稿（第{draft.version}版），请先完成或废弃它")
    if based_on is None:
        based_on = term.portfolio_plans.filter(status=Status.ACTIVE).first()
    elif based_on.term_id != term.pk:
        raise ApplicationError("只能在本届的分工基础上起草")
    version = (term.portfolio_plans.aggregate(m=Max("version"))["m"] or 0) + 1
    plan = PortfolioPlan.objects.create(
        term=term, version=version, title=title.strip(), note=note.strip(), based_on=based_on, created_by=actor
    )
    copied = 0
    if based_on is not None:
        serving = set(
            term.members.filter(left_on__isnull=True, role__in=TermMember.STANDING_ROLES).values_list("pk", flat=True)
        )
        rows = [
            PortfolioAssignment(plan=plan, area_id=a.area_id, member_id=a.member_id, kind=a.kind)
            for a in based_on.assignments.all()
            if a.member_id in serving  # who has left or is no longer a standing member is not carried over
        ]
        PortfolioAssignment.objects.bulk_create(rows)
        copied = len(rows)
    audit_log(
        actor=actor,
        action="portfolio_plan.drafted",
        obj=plan,
        details={"version": version, "based_on": based_on.pk if based_on else None, "assignments_copied": copied},
    )
    return plan


@transaction.atomic
def portfolio_plan_update(
    *, plan: PortfolioPlan, actor, title: str | None = None, note: str | None = None
) -> PortfolioPlan:
    plan = _lock_plan(plan)
    _require_draft(plan)
    changes = {}
    for field, value in (("title", title), ("note", note)):
        if value is not None and getattr(plan, field) != value.strip():
            changes[field] = [getattr(plan, field), value.strip()]
            setattr(plan, field, value.strip())
    if changes:
        plan.save(update_fields=[*changes, "updated_at"])
        audit_log(actor=actor, action="portfolio_plan.updated", obj=plan, details={"changes": changes})
    return plan


@transaction.atomic
def portfolio_assignment_set(
    *, plan: PortfolioPlan, area: WorkArea, member: TermMember, kind: str | None, actor
) -> PortfolioAssignment | None:
    """Sets `member`'s part in `area` on a draft: lead, assisting, or none (kind None). Overlaps are allowed
    while drafting, so the matrix can show them; activation refuses them."""
    plan = _lock_plan(plan)
    _require_draft(plan)
    if kind is not None and kind not in PortfolioAssignment.Kind.values:
        raise ApplicationError(f"未知的分工类型：{kind}", field="kind")
    # the rules below are checked on the rows as stored, not on copies loaded before a change (离任, 停用)
    member = TermMember.objects.select_related("cadre").get(pk=member.pk)
    area = WorkArea.objects.get(pk=area.pk)
    if member.term_id != plan.term_id:
        raise ApplicationError(f"{member.cadre.name}不是{plan.term}的成员", field="member")
    existing = PortfolioAssignment.objects.filter(plan=plan, area=area, member=member).first()
    previous = existing.kind if existing else None
    if previous == kind:
        return existing
    if kind is not None:
        if member.left_on is not None:
            raise ApplicationError(f"{member.cadre.name}已于{member.left_on:%Y-%m-%d}离任", field="member")
        if member.role not in TermMember.STANDING_ROLES:
            raise ApplicationError(f"{member.cadre.name}不是常委，不能分管领域", field="member")
        if not area.active and previous is None:
            raise ApplicationError(f"领域“{area.name}”已停用", field="area")
    if kind is None:
        existing.delete()
        result = None
    elif existing is None:
        result = PortfolioAssignment.objects.create(plan=plan, area=area, member=member, kind=kind)
    else:
        existing.kind = kind
        existing.save(update_fields=["kind", "updated_at"])
        result = existing
    plan.save(update_fields=["updated_at"])
    audit_log(
        actor=actor,
        action="portfolio_assignment.set",
        obj=plan,
        details={"area": area.name, "member": member.cadre.name, "member_id": member.pk, "from": previous, "to": kind},
    )
    return result


@transaction.atomic
def portfolio_plan_activate(*, plan: PortfolioPlan, effective_from: date, actor) -> PortfolioPlan:
    """Puts a draft in force from `effective_from`, superseding the plan in force that day.

    Refused, naming every one, while an area in use has no lead (空挡) or more than one (重叠), or a lead
    does not serve as a standing member on `effective_from`.
    """
    # the term first, then its plans: the order 换届 locks them in
    term = Term.objects.select_for_update().get(pk=plan.term_id)
    plan = _lock_plan(plan)
    if plan.status == Status.ACTIVE:
        return plan
    if Status.ACTIVE not in PortfolioPlan.TRANSITIONS[plan.status]:
        raise ApplicationError(f"{plan}已{STATUS_WORDS[plan.status]}，不能再生效")
    if term.ends_on is not None:
        raise ApplicationError(f"{term}已换届，分工不能再生效")
    if effective_from < term.starts_on:
        raise ApplicationError(f"生效日期不能早于{term}的起始日期{term.starts_on:%Y-%m-%d}", field="effective_from")
    current = PortfolioPlan.objects.select_for_update().filter(term=term, status=Status.ACTIVE).first()
    if current is not None and effective_from < current.effective_from:
        raise ApplicationError(
            f"生效日期不能早于现行分工（第{current.version}版）的生效日期{current.effective_from:%Y-%m-%d}",
            field="effective_from",
        )
    coverage = plan_coverage(plan, on=effective_from)
    if not coverage.complete:
        raise ApplicationError(
            "分工不能生效：" + "；".join(coverage.problems()),
            field="effective_from",
            extra={
                "gaps": [a.area.name for a in coverage.gaps],
                "overlaps": {a.area.name: [m.cadre.name for m in a.leads] for a in coverage.overlaps},
            },
        )
    if current is not None:
        current.status = Status.SUPERSEDED
        current.superseded_on = effective_from
        current.save(update_fields=["status", "superseded_on", "updated_at"])
        audit_log(
            actor=actor,
            action="portfolio_plan.superseded",
            obj=current,
            details={
                "from": Status.ACTIVE,
                "to": Status.SUPERSEDED,
                "superseded_on": effective_from.isoformat(),
                "by_version": plan.version,
            },
        )
    plan.status = Status.ACTIVE
    plan.effective_from = effective_from
    plan.activated_by = actor
    plan.activated_at = timezone.now()
    plan.save(update_fields=["status", "effective_from", "activated_by", "activated_at", "updated_at"])
    audit_log(
        actor=actor,
        action="portfolio_plan.activated",
        obj=plan,
        details={
            "from": Status.DRAFT,
            "to": Status.ACTIVE,
            "effective_from": effective_from.isoformat(),
            "superseded_version": current.version if current else None,
        },
    )
    _notify_standing_members(plan)
    return plan


def _notify_standing_members(plan: PortfolioPlan) -> None:
    from django.urls import reverse

    from orgdept.core.notifications import notify

    members = plan.term.members.filter(
        left_on__isnull=True, role__in=TermMember.STANDING_ROLES, cadre__user__isnull=False
    ).select_related("cadre__user")
    url = reverse("committees:my_portfolio")
    for member in members:
        notify(
            recipient=member.cadre.user,
            title=f"常委分工第{plan.version}版自{plan.effective_from:%Y年%m月%d日}起施行",
            body="请查看您的分管领域和缺位互补安排。",
            url=url,
        )


@transaction.atomic
def portfolio_plan_discard(*, plan: PortfolioPlan, actor) -> None:
    """Throws away a draft that was never in force."""
    plan = _lock_plan(plan)
    _require_draft(plan)
    audit_log(
        actor=actor,
        action="portfolio_plan.discarded",
        obj=plan,
        details={"version": plan.version, "assignments": plan.assignments.count()},
    )
    plan.delete()
