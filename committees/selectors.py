"""Reads of committees, terms, portfolio plans, substitutes and leave — and who answers for an area on a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from orgdept.core.yearmonth import age_on

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


def plan_leads(plan: PortfolioPlan, *, areas: list[WorkArea] | None = None) -> dict[int, list[TermMember]]:
    """The lead standing members of each area under `plan` (area pk -> members), in one query."""
    qs = plan.assignments.filter(kind=PortfolioAssignment.Kind.LEAD).select_related("member__cadre")
    if areas is not None:
        qs = qs.filter(area__in=[a.pk for a in areas])
    leads: dict[int, list[TermMember]] = {}
    for a in qs.order_by("pk"):
        leads.setdefault(a.area_id, []).append(a.member)
    return leads


@dataclass
class LeadChange:
    area: WorkArea
    before: list[TermMember]
    after: list[TermMember]


def plan_lead_changes(plan: PortfolioPlan) -> list[LeadChange]:
    """The areas whose lead differs between `plan` and the version it was based on, in area order."""
    if plan.based_on_id is None:
        return []
    rows = PortfolioAssignment.objects.filter(
        plan__in=[plan.pk, plan.based_on_id], kind=PortfolioAssignment.Kind.LEAD
    ).select_related("area", "member__cadre")
    areas: dict[int, WorkArea] = {}
    leads: dict[tuple[int, int], list[TermMember]] = {}
    for a in rows.order_by("pk"):
        areas[a.area_id] = a.area
        leads.setdefault((a.plan_id, a.area_id), []).append(a.member)
    changes = []
    for area in sorted(areas.values(), key=lambda a: (a.order, a.pk)):
        before, after = leads.get((plan.based_on_id, area.pk), []), leads.get((plan.pk, area.pk), [])
        if {m.pk for m in before} != {m.pk for m in after}:
            changes.append(LeadChange(area=area, before=before, after=after))
    return changes


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


def _substitutes_on(term: Term, on: date) -> dict[int, int]:
    """Each member's substitute on `on` (member pk -> substitute pk). A member who left keeps theirs (leaving
    does not end it), so the substitute answers for the areas they still lead until a new plan is in force."""
    in_force = Q(effective_from__lte=on) & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
    return dict(
        SubstituteArrangement.objects.filter(in_force, member__term=term).values_list("member_id", "substitute_id")
    )


def responsibilities_on(
    on: date, *, term: Term | None = None, areas: list[WorkArea] | None = None, extra_leaves: tuple[Leave, ...] = ()
) -> dict[int, Responsibility]:
    """For every area in use (or `areas`), who answers on `on`: the lead of the plan in force; while the
    lead is away (on leave, left, no longer standing), the lead's substitute in force that day; when both
    are away, the secretary. In a fixed number of queries, whatever the number of areas. `extra_leaves`
    (unsaved) count as recorded: a leave form shows who would answer before the leave is saved."""
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
    for leave in extra_leaves:
        if leave.covers(on):
            leaves.setdefault(leave.member_id, []).append(leave)
    substitutes = _substitutes_on(term, on)
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
            named = {lead.pk, substitute.pk if substitute else None}
            why_secretary = _absence(secretary, on, leaves) if secretary.pk not in named else None
            if why_secretary is not None:
                responsibility.absences.append(why_secretary)  # nobody stands behind the secretary; say so
    return result


def area_responsibility(area: WorkArea, on: date | None = None) -> Responsibility:
    """Who is responsible for `area` on `on` (today by default): notifications and follow-up items ask this."""
    on = on or timezone.localdate()
    return responsibilities_on(on, areas=[area])[area.pk]


@dataclass
class CoverPeriod:
    """Who answers for one of an absent member's areas from `starts_on` to `ends_on` (inclusive)."""

    starts_on: date
    ends_on: date
    responsibility: Responsibility


@dataclass
class AreaCover:
    area: WorkArea
    periods: list[CoverPeriod]


def _change_days(term: Term, first: date, last: date) -> list[date]:
    """The days in `first`..`last` on which who answers may change: `first`, and the days another leave starts
    or ends, a substitute arrangement or plan starts or stops, a member leaves or changes role."""
    days = {first}

    def add(*candidates):
        days.update(d for d in candidates if d is not None and first < d <= last)

    one_day = timedelta(days=1)
    leaves = Leave.objects.filter(member__term=term, cancelled_at__isnull=True, starts_on__lte=last, ends_on__gte=first)
    for starts_on, ends_on in leaves.values_list("starts_on", "ends_on"):
        add(starts_on, ends_on + one_day)
    within = Q(effective_from__gt=first, effective_from__lte=last) | Q(superseded_on__gt=first, superseded_on__lte=last)
    for effective_from, superseded_on in SubstituteArrangement.objects.filter(within, member__term=term).values_list(
        "effective_from", "superseded_on"
    ):
        add(effective_from, superseded_on)
    plans = term.portfolio_plans.exclude(status=PortfolioPlan.Status.DRAFT).filter(within)
    for effective_from, superseded_on in plans.values_list("effective_from", "superseded_on"):
        add(effective_from, superseded_on)
    add(*term.members.filter(left_on__gt=first, left_on__lte=last).values_list("left_on", flat=True))
    add(
        *TermMemberRoleChange.objects.filter(member__term=term, changed_on__gt=first, changed_on__lte=last).values_list(
            "changed_on", flat=True
        )
    )
    return sorted(days)


def leave_coverage(leave: Leave) -> list[AreaCover]:
    """For each area the absent member leads during `leave`, who answers for it, period by period. The answer
    changes only on the days something changes, so only those days are asked. `leave` may be unsaved: the
    leave form shows who would answer before it is recorded."""
    member = leave.member
    term = member.term
    first, last = leave.starts_on, leave.ends_on
    if term.ends_on is not None:
        last = min(last, term.ends_on - timedelta(days=1))
    if last < first:
        return []
    days = _change_days(term, first, last)
    extra = () if leave.pk else (leave,)
    covers: dict[int, AreaCover] = {}
    for i, day in enumerate(days):
        period_end = days[i + 1] - timedelta(days=1) if i + 1 < len(days) else last
        for r in responsibilities_on(day, term=term, extra_leaves=extra).values():
            if r.lead is None or r.lead.pk != member.pk:
                continue
            cover = covers.setdefault(r.area.pk, AreaCover(area=r.area, periods=[]))
            previous = cover.periods[-1] if cover.periods else None
            if (
                previous is not None
                and previous.ends_on == day - timedelta(days=1)
                and previous.responsibility.reason == r.reason
                and previous.responsibility.member == r.member
            ):
                previous.ends_on = period_end
            else:
                cover.periods.append(CoverPeriod(starts_on=day, ends_on=period_end, responsibility=r))
    return sorted(covers.values(), key=lambda c: (c.area.order, c.area.pk))


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
    # the member's own areas that someone else answers for on `on` (while the member is away)
    covered_by: list[Responsibility] = field(default_factory=list)


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
    covering = SubstituteArrangement.objects.filter(in_force, substitute=member).select_related("member__cadre")
    covers_for = _role_sorted(s.member for s in covering)
    responsibilities = list(responsibilities_on(on, term=term).values())
    covering_now = [
        r
        for r in responsibilities
        if r.member is not None and r.member.pk == member.pk and r.reason != Responsibility.LEAD
    ]
    covered_by = [
        r for r in responsibilities if r.lead is not None and r.lead.pk == member.pk and r.reason != Responsibility.LEAD
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
        covered_by=covered_by,
    )


def seat_of(user, *, term: Term | None = None) -> TermMember | None:
    """The signed-in user's serving seat in `term` (else the current term), if they have one: one query."""
    if not getattr(user, "is_authenticated", False):
        return None
    seats = TermMember.objects.filter(cadre__user=user, left_on__isnull=True)
    if term is not None:
        seats = seats.filter(term=term)
    else:
        current = Term.objects.filter(ends_on__isnull=True).order_by("-starts_on")
        seats = seats.filter(term_id=Subquery(current.values("pk")[:1]))
    return seats.select_related("term", "term__committee", "cadre").first()


def leaves_list(*, term: Term) -> QuerySet[Leave]:
    return Leave.objects.filter(member__term=term).select_related("member__cadre", "actor").order_by("-starts_on")


def substitute_arrangements(*, term: Term, on: date | None = None) -> dict[int, SubstituteArrangement]:
    """The arrangement in force on `on` for each standing member of `term`, by member pk."""
    on = on or timezone.localdate()
    qs = SubstituteArrangement.objects.filter(member__term=term, effective_from__lte=on).filter(
        Q(superseded_on__isnull=True) | Q(superseded_on__gt=on)
    )
    return {s.member_id: s for s in qs.select_related("substitute__cadre")}


# -- a term at a glance: members in statutory order, seats, figures and the rule checks


def terms_overview_list() -> QuerySet[Term]:
    """Every term, the current one first, with its serving members counted (one query)."""
    serving = Q(members__left_on__isnull=True)
    return (
        Term.objects.select_related("committee")
        .annotate(
            full_count=Count("members", filter=serving & Q(members__role__in=TermMember.FULL_MEMBER_ROLES)),
            alternate_count=Count("members", filter=serving & Q(members__role=R.ALTERNATE)),
            standing_count=Count("members", filter=serving & Q(members__role__in=TermMember.STANDING_ROLES)),
            left_count=Count("members", filter=Q(members__left_on__isnull=False)),
        )
        .order_by(F("ends_on").desc(nulls_first=True), "committee__name", "-number")
    )


def departed_members(*, term: Term) -> list[TermMember]:
    """Members who left the term, the latest first."""
    return list(term.members.filter(left_on__isnull=False).select_related("cadre").order_by("-left_on", "pk"))


def term_role_changes(*, term: Term) -> QuerySet[TermMemberRoleChange]:
    """Every change of role within the term (递补, 增选常委 …), the latest first."""
    return (
        TermMemberRoleChange.objects.filter(member__term=term)
        .select_related("member__cadre", "actor")
        .order_by("-changed_on", "-pk")
    )


def next_order_in_role(term: Term, role: str) -> int:
    """The order a member added to `role` takes by default: after everyone already in it."""
    last = term.members.filter(role=role).order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _check_day(term: Term, on: date | None) -> date:
    """The day a term is looked at: today, or the last day of a term that has ended."""
    if on is not None:
        return on
    if term.ends_on is not None:
        return term.ends_on - timedelta(days=1)
    return timezone.localdate()


@dataclass(frozen=True)
class SeatCount:
    key: str  # members, alternates, standing, deputies
    label: str
    used: int
    quota: int

    @property
    def over(self) -> bool:
        return self.used > self.quota

    @property
    def free(self) -> int:
        return max(0, self.quota - self.used)


@dataclass(frozen=True)
class GroupFigures:
    """The make-up of a group of members: how many, average age, women, aged 45 or under, concurrent posts."""

    key: str  # standing, full, alternates
    label: str
    count: int
    average_age: float | None
    women: int
    young: int  # aged 45 or under (45岁及以下)
    concurrent: int  # 党政交叉任职


@dataclass
class RoleGroup:
    role: str
    label: str
    members: list[TermMember]


@dataclass
class TermStructure:
    term: Term
    on: date
    groups: list[RoleGroup]
    seats: list[SeatCount]
    figures: list[GroupFigures]


YOUNG_AGE = 45


def _seats(term: Term, members: list[TermMember]) -> list[SeatCount]:
    def used(roles) -> int:
        return sum(1 for m in members if m.role in roles)

    return [
        SeatCount("members", "委员（含常委）", used(TermMember.FULL_MEMBER_ROLES), term.members_quota),
        SeatCount("alternates", "候补委员", used((R.ALTERNATE,)), term.alternates_quota),
        SeatCount("standing", "常委（含书记、副书记）", used(TermMember.STANDING_ROLES), term.standing_quota),
        SeatCount("deputies", "副书记", used((R.DEPUTY_SECRETARY,)), term.deputy_secretaries_quota),
    ]


def _figures(key: str, label: str, members: list[TermMember]) -> GroupFigures:
    ages = [m.age for m in members if m.age is not None]
    return GroupFigures(
        key=key,
        label=label,
        count=len(members),
        average_age=round(sum(ages) / len(ages), 1) if ages else None,
        women=sum(1 for m in members if m.cadre.gender == "F"),
        young=sum(1 for a in ages if a <= YOUNG_AGE),
        concurrent=sum(1 for m in members if m.concurrent_post),
    )


def term_structure(term: Term, *, on: date | None = None, members: list[TermMember] | None = None) -> TermStructure:
    """The serving members by role in statutory order, each with `age` (whole years on `on`, today by default),
    the seats used against the quotas, and the figures of the standing committee, the members and the
    alternates. One query (none when `members`, from `members_by_role`, are given)."""
    on = _check_day(term, on)
    members = members_by_role(term=term) if members is None else members
    for m in members:
        m.age = age_on(m.cadre.birth_month, on) if m.cadre.birth_month else None
    groups = [RoleGroup(role, TermMember.Role(role).label, [m for m in members if m.role == role]) for role in R.values]
    standing = [m for m in members if m.role in TermMember.STANDING_ROLES]
    full = [m for m in members if m.role in TermMember.FULL_MEMBER_ROLES]
    alternates = [m for m in members if m.role == R.ALTERNATE]
    figures = [
        _figures("standing", "常委会", standing),
        _figures("full", "委员（含常委）", full),
        _figures("alternates", "候补委员", alternates),
    ]
    return TermStructure(term=term, on=on, groups=groups, seats=_seats(term, members), figures=figures)


@dataclass(frozen=True)
class RuleCheck:
    """One rule a term keeps, checked: passed or not, with what was found (Chinese, for the page)."""

    code: str
    label: str
    ok: bool
    detail: str
    # where the problem is fixed (a URL name taking no arguments), when not on the term's own pages
    url_name: str = ""


def _names(members) -> str:
    return "、".join(m.cadre.name for m in members)


def term_rule_checks(term: Term, *, on: date | None = None, members: list[TermMember] | None = None) -> list[RuleCheck]:
    """The rules a term keeps, each as a pass/fail line: the four quotas, exactly one secretary, at most one
    full-time deputy, a substitute in force for every serving standing member, and a portfolio plan in force
    without gaps or overlaps. A fixed number of queries whatever the number of members (`members`, from
    `members_by_role`, saves one)."""
    on = _check_day(term, on)
    members = members_by_role(term=term) if members is None else members
    checks = []
    for seat in _seats(term, members):
        label = {
            "members": "委员名额",
            "alternates": "候补委员名额",
            "standing": "常委名额",
            "deputies": "副书记人数在名额内",
        }[seat.key]
        detail = f"{seat.label}{seat.used}名，名额{seat.quota}名"
        if seat.over:
            detail += f"，超出{seat.used - seat.quota}名"
        checks.append(RuleCheck(f"{seat.key}_quota", label, not seat.over, detail))

    secretaries = [m for m in members if m.role == R.SECRETARY]
    if not secretaries:
        detail = "没有书记"
    elif len(secretaries) == 1:
        detail = f"书记：{secretaries[0].cadre.name}"
    else:
        detail = f"有{len(secretaries)}名书记：{_names(secretaries)}"
    checks.append(RuleCheck("one_secretary", "书记有且只有一名", len(secretaries) == 1, detail))

    full_time = [m for m in members if m.full_time_deputy]
    if not full_time:
        detail = "没有专职副书记"
    elif len(full_time) == 1:
        detail = f"专职副书记：{full_time[0].cadre.name}"
    else:
        detail = f"有{len(full_time)}名专职副书记：{_names(full_time)}"
    checks.append(RuleCheck("one_full_time_deputy", "专职副书记至多一名", len(full_time) <= 1, detail))

    standing = [m for m in members if m.role in TermMember.STANDING_ROLES]
    arrangements = substitute_arrangements(term=term, on=on)
    without = [m for m in standing if m.pk not in arrangements]
    if not standing:
        detail = "尚无常委"
    elif without:
        detail = f"未安排补位人：{_names(without)}"
    else:
        detail = f"{len(standing)}名常委都已安排补位人"
    checks.append(
        RuleCheck("substitutes", "每名常委都有缺位互补安排", not without, detail, "committees:substitute_list")
    )

    plan = plan_in_force(term=term, on=on)
    if plan is None:
        ok, detail = False, "没有生效的常委分工"
    else:
        coverage = plan_coverage(plan, on=on)
        ok = coverage.complete
        problems = coverage.problems()
        effective = f"{plan.effective_from.year}年{plan.effective_from.month}月{plan.effective_from.day}日"
        detail = "；".join(problems) or f"第{plan.version}版分工自{effective}起生效，每个领域都有且只有一名牵头常委"
    checks.append(RuleCheck("portfolio", "常委分工不空挡、不交叉、不重叠", ok, detail, "committees:portfolio"))
    return checks
