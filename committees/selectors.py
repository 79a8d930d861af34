"""Reads of committees, terms, portfolio plans, substitutes and leave — and who answers for an area on a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .coverage import Coverage, coverage_of
from .models import (
    Leave,
    PortfolioAssignment,
    PortfolioPlan,
    QuarterlyReport,
    SubstituteArrangement,
    Term,
    TermMember,
    TermMemberRoleChange,
    WorkArea,
)

R = TermMember.Role


def current_term() -> Term | None:
    return Term.objects.select_related("committee").filter(ends_on__isnull=True).order_by("-starts_on").first()


def term_on(on: date) -> Term | None:
    """The term in office on `on` (the latest started, for a system holding one committee)."""
    return (
        Term.objects.select_related("committee")
        .filter(starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))
        .order_by("-starts_on")
        .first()
    )


def terms_list() -> QuerySet[Term]:
    return Term.objects.select_related("committee").order_by("committee__name", "-number")


def _role_sorted(members) -> list[TermMember]:
    return sorted(members, key=lambda m: (TermMember.ROLE_ORDER[m.role], m.order, m.pk))


def term_members(*, term: Term, serving: bool = True) -> QuerySet[TermMember]:
    qs = term.members.select_related("cadre", "cadre__unit").order_by("role", "order")
    return qs.filter(left_on__isnull=True) if serving else qs


def members_by_role(*, term: Term, serving: bool = True) -> list[TermMember]:
    """Members in the statutory order: 书记, 副书记, 常委, 委员, 候补委员; within a role by their order."""
    return _role_sorted(term_members(term=term, serving=serving))


def standing_members(*, term: Term, on: date | None = None) -> list[TermMember]:
    """The term's standing members serving on `on` (today by default), in statutory order."""
    on = on or timezone.localdate()
    qs = term.members.filter(role__in=TermMember.STANDING_ROLES, joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    return _role_sorted(qs.select_related("cadre", "cadre__user"))


def alternates_in_succession(term: Term) -> list[TermMember]:
    """Serving alternates in the order they fill vacant seats: most votes first (ties by their order)."""
    return list(
        term.members.filter(role=R.ALTERNATE, left_on__isnull=True)
        .select_related("cadre")
        .order_by("-election_votes", "order", "pk")
    )


def vacant_member_seats(term: Term) -> int:
    taken = term.members.filter(left_on__isnull=True, role__in=TermMember.FULL_MEMBER_ROLES).count()
    return max(0, term.members_quota - taken)


def role_on(member: TermMember, on: date) -> str:
    """The member's role on `on`, from its role changes (prefetched as `role_changes` when many are asked)."""
    for change in sorted(member.role_changes.all(), key=lambda c: (c.changed_on, c.pk)):
        if change.changed_on > on:
            return change.from_role
    return member.role


# -- portfolio plans


def portfolio_plans(*, term: Term) -> QuerySet[PortfolioPlan]:
    return term.portfolio_plans.select_related("created_by", "activated_by").order_by("-version")


def plan_in_force(*, term: Term, on: date | None = None) -> PortfolioPlan | None:
    on = on or timezone.localdate()
    return (
        term.portfolio_plans.exclude(status=PortfolioPlan.Status.DRAFT)
        .filter(effective_from__lte=on)
        .filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
        .order_by("-effective_from", "-version")
        .first()
    )


def plan_coverage(plan: PortfolioPlan, *, on: date | None = None) -> Coverage:
    """The matrix of `plan`: areas in use × the term's standing members serving on `on` (today by default;
    members who left still show while they hold an area), with its gaps, overlaps and unavailable leads."""
    on = on or timezone.localdate()
    members = [
        m
        for m in plan.term.members.filter(role__in=TermMember.STANDING_ROLES).select_related("cadre")
        if m.left_on is None or on < m.left_on
    ]
    assignments = list(plan.assignments.select_related("area", "member", "member__cadre"))
    areas = list(WorkArea.objects.filter(active=True))
    return coverage_of(areas=areas, members=_role_sorted(members), assignments=assignments, on=on)


# -- who answers for an area on a day


@dataclass
class Responsibility:
    """Who is responsible for `area` on `on`, and why: the lead, their substitute, or the secretary."""

    LEAD = "lead"
    SUBSTITUTE = "substitute"
    SECRETARY = "secretary"
    NOBODY = "nobody"

    area: WorkArea
    on: date
    member: TermMember | None
    reason: str
    lead: TermMember | None = None
    substitute: TermMember | None = None
    plan: PortfolioPlan | None = None
    # why the lead (and the substitute) could not answer: "请假（事由）", "已离任"
    absences: list[str] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return {
            self.LEAD: "牵头常委",
            self.SUBSTITUTE: "缺位互补",
            self.SECRETARY: "书记（牵头常委和补位人均不在岗）",
            self.NOBODY: "未明确",
        }[self.reason]


def _absence(member: TermMember, on: date, leaves: dict[int, list[Leave]]) -> str | None:
    """Why `member` cannot answer on `on`, or None when present."""
    if member.joined_on > on or (member.left_on is not None and member.left_on <= on):
        return (
            f"{member.cadre.name}已离任" if member.left_on and member.left_on <= on else f"{member.cadre.name}尚未到任"
        )
    if role_on(member, on) not in TermMember.STANDING_ROLES:
        return f"{member.cadre.name}已不是常委"
    for leave in leaves.get(member.pk, ()):
        if leave.covers(on):
            return f"{member.cadre.name}请假（{leave.reason}，{leave.starts_on:%m月%d日}至{leave.ends_on:%m月%d日}）"
    return None


def responsibilities_on(
    on: date, *, term: Term | None = None, areas: list[WorkArea] | None = None
) -> dict[int, Responsibility]:
    """For every area in use (or `areas`), who answers on `on`: the lead of the plan in force; while the
    lead is away (on leave, left, no longer standing), the lead's substitute in force that day; when both
    are away, the secretary. In a fixed number of queries, whatever the number of areas."""
    term = term or term_on(on)
    if areas is None:
        areas = list(WorkArea.objects.filter(active=True))
    result = {a.pk: Responsibility(area=a, on=on, member=None, reason=Responsibility.NOBODY) for a in areas}
    if term is None:
        return result
    plan = plan_in_force(term=term, on=on)
    members = {
        m.pk: m
        for m in term.members.filter(Q(role__in=TermMember.STANDING_ROLES) | Q(role_changes__isnull=False))
        .distinct()
        .select_related("cadre", "cadre__user")
        .prefetch_related(Prefetch("role_changes", queryset=TermMemberRoleChange.objects.order_by("changed_on")))
    }
    leaves: dict[int, list[Leave]] = {}
    for leave in Leave.objects.filter(member__term=term, cancelled_at__isnull=True, starts_on__lte=on, ends_on__gte=on):
        leaves.setdefault(leave.member_id, []).append(leave)
    substitutes = {
        s.member_id: s.substitute_id
        for s in SubstituteArrangement.objects.filter(member__term=term, effective_from__lte=on).filter(
            Q(superseded_on__isnull=True) | Q(superseded_on__gt=on)
        )
    }
    secretary = next(
        (m for m in _role_sorted(members.values()) if m.serves_on(on) and role_on(m, on) == R.SECRETARY), None
    )
    leads: dict[int, TermMember] = {}
    if plan is not None:
        for a in PortfolioAssignment.objects.filter(
            plan=plan, area__in=[a.pk for a in areas], kind=PortfolioAssignment.Kind.LEAD
        ).order_by("pk"):
            leads.setdefault(a.area_id, members.get(a.member_id))
    for area_pk, responsibility in result.items():
        responsibility.plan = plan
        lead = leads.get(area_pk)
        if lead is None:
            continue
        responsibility.lead = lead
        why = _absence(lead, on, leaves)
        if why is None:
            responsibility.member, responsibility.reason = lead, Responsibility.LEAD
            continue
        responsibility.absences.append(why)
        substitute = members.get(substitutes.get(lead.pk))
        responsibility.substitute = substitute
        if substitute is not None:
            why_substitute = _absence(substitute, on, leaves)
            if why_substitute is None:
                responsibility.member, responsibility.reason = substitute, Responsibility.SUBSTITUTE
                continue
            responsibility.absences.append(why_substitute)
        else:
            responsibility.absences.append(f"{lead.cadre.name}没有安排补位人")
        if secretary is not None:
            responsibility.member, responsibility.reason = secretary, Responsibility.SECRETARY
    return result


def area_responsibility(area: WorkArea, on: date | None = None) -> Responsibility:
    """Who is responsible for `area` on `on` (today by default): notifications and follow-up items ask this."""
    on = on or timezone.localdate()
    return responsibilities_on(on, areas=[area])[area.pk]


# -- a member's own view


@dataclass
class MemberPortfolio:
    member: TermMember
    on: date
    plan: PortfolioPlan | None
    leads: list[WorkArea]
    assists: list[WorkArea]
    substitute: TermMember | None
    covers_for: list[TermMember]
    # areas this member answers for today in someone else's place (area name -> the absent lead)
    covering_now: list[Responsibility]
    leave_now: Leave | None
    upcoming_leaves: list[Leave]
    reports: list[QuarterlyReport]


def member_portfolio(member: TermMember, *, on: date | None = None) -> MemberPortfolio:
    on = on or timezone.localdate()
    term = member.term
    plan = plan_in_force(term=term, on=on)
    leads, assists = [], []
    if plan is not None:
        for a in plan.assignments.filter(member=member).select_related("area").order_by("area__order", "area_id"):
            (leads if a.kind == PortfolioAssignment.Kind.LEAD else assists).append(a.area)
    in_force = Q(effective_from__lte=on) & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
    arrangement = (
        SubstituteArrangement.objects.filter(in_force, member=member).select_related("substitute__cadre").first()
    )
    covers_for = [
        s.member
        for s in SubstituteArrangement.objects.filter(in_force, substitute=member)
        .select_related("member__cadre")
        .order_by("member__role", "member__order")
    ]
    covering_now = [
        r
        for r in responsibilities_on(on, term=term).values()
        if r.member is not None and r.member.pk == member.pk and r.reason != Responsibility.LEAD
    ]
    leaves = list(member.leaves.filter(cancelled_at__isnull=True, ends_on__gte=on).order_by("starts_on"))
    leave_now = next((leave for leave in leaves if leave.covers(on)), None)
    return MemberPortfolio(
        member=member,
        on=on,
        plan=plan,
        leads=leads,
        assists=assists,
        substitute=arrangement.substitute if arrangement else None,
        covers_for=covers_for,
        covering_now=covering_now,
        leave_now=leave_now,
        upcoming_leaves=[leave for leave in leaves if leave is not leave_now],
        reports=list(member.quarterly_reports.order_by("-year", "-quarter")[:8]),
    )


def seat_of(user, *, term: Term | None = None) -> TermMember | None:
    """The signed-in user's serving seat in the current term, if they have one."""
    cadre = getattr(user, "cadre", None) if getattr(user, "is_authenticated", False) else None
    if cadre is None:
        return None
    term = term or current_term()
    if term is None:
        return None
    return term.members.filter(cadre=cadre, left_on__isnull=True).select_related("term", "cadre").first()


def leaves_list(*, term: Term) -> QuerySet[Leave]:
    return Leave.objects.filter(member__term=term).select_related("member__cadre", "actor").order_by("-starts_on")


def substitute_arrangements(*, term: Term, on: date | None = None) -> dict[int, SubstituteArrangement]:
    """The arrangement in force on `on` for each standing member of `term`, by member pk."""
    on = on or timezone.localdate()
    qs = SubstituteArrangement.objects.filter(member__term=term, effective_from__lte=on).filter(
        Q(superseded_on__isnull=True) | Q(superseded_on__gt=on)
    )
    return {s.member_id: s for s in qs.select_related("substitute__cadre")}
