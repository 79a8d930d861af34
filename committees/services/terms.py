"""Writes to committees, terms and their members: quotas, role changes, alternates' succession, term changes."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import Cadre
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import Committee, PortfolioPlan, SubstituteArrangement, Term, TermMember, TermMemberRoleChange
from ..selectors import alternates_in_succession, vacant_member_seats

R = TermMember.Role
QUOTA_FIELDS = ("members_quota", "alternates_quota", "standing_quota", "deputy_secretaries_quota")
ROLE_LABELS = {
    R.SECRETARY: "书记",
    R.DEPUTY_SECRETARY: "副书记",
    R.STANDING_MEMBER: "常委",
    R.MEMBER: "委员",
    R.ALTERNATE: "候补委员",
}


def role_label(role: str) -> str:
    """The statutory Chinese name of a role, used in refusals whatever the interface language."""
    return ROLE_LABELS.get(role, role)


@transaction.atomic
def committee_create(*, name: str, short_name: str = "", actor) -> Committee:
    name = name.strip()
    if not name:
        raise ApplicationError("请填写委员会名称", field="name")
    if Committee.objects.filter(name=name).exists():
        raise ApplicationError(f"已有名为“{name}”的委员会", field="name")
    committee = Committee.objects.create(name=name, short_name=short_name.strip())
    audit_log(actor=actor, action="committee.created", obj=committee)
    return committee


def _check_quotas(quotas: dict) -> None:
    errors = {}
    for field in QUOTA_FIELDS:
        value = quotas.get(field)
        if value is None or value < 0:
            errors[field] = "名额须为不小于0的整数"
    if errors:
        raise ApplicationError.from_errors(errors)
    if quotas["standing_quota"] > quotas["members_quota"]:
        errors["standing_quota"] = "常委名额不能多于委员名额（常委也是委员）"
    if quotas["deputy_secretaries_quota"] >= max(quotas["standing_quota"], 1):
        errors["deputy_secretaries_quota"] = "副书记名额须少于常委名额（书记、副书记都是常委）"
    if errors:
        raise ApplicationError.from_errors(errors)


def _locked_current_term(committee: Committee) -> Term | None:
    return Term.objects.select_for_update().filter(committee=committee, ends_on__isnull=True).first()


@transaction.atomic
def term_create(*, committee: Committee, number: int, starts_on: date, actor, **quotas) -> Term:
    """The committee's first term in the system (later terms come from `term_change`)."""
    defaults = {field: Term._meta.get_field(field).default for field in QUOTA_FIELDS}
    unknown = set(quotas) - set(QUOTA_FIELDS)
    if unknown:
        raise TypeError(f"unknown term fields: {sorted(unknown)}")
    values = {**defaults, **quotas}
    _check_quotas(values)
    if number < 1:
        raise ApplicationError("届次须为正整数", field="number")
    Committee.objects.select_for_update().get(pk=committee.pk)
    if Term.objects.filter(committee=committee, number=number).exists():
        raise ApplicationError(f"{committee.short_name or committee.name}第{number}届已存在", field="number")
    if _locked_current_term(committee) is not None:
        raise ApplicationError("该委员会已有本届；新一届请通过“换届”产生", field="number")
    term = Term.objects.create(committee=committee, number=number, starts_on=starts_on, **values)
    audit_log(actor=actor, action="term.created", obj=term, details={"number": number, **values})
    return term


def _serving(term: Term, roles) -> int:
    return term.members.filter(left_on__isnull=True, role__in=roles).count()


def _check_seat(term: Term, role: str, *, leaving_role: str | None = None) -> None:
    """Refuses a seat in `role` when the term's quota for it is full (a member changing role frees `leaving_role`)."""
    checks = [
        (role in TermMember.FULL_MEMBER_ROLES, TermMember.FULL_MEMBER_ROLES, term.members_quota, "委员"),
        (role == R.ALTERNATE, (R.ALTERNATE,), term.alternates_quota, "候补委员"),
        (role in TermMember.STANDING_ROLES, TermMember.STANDING_ROLES, term.standing_quota, "常委"),
        (role == R.DEPUTY_SECRETARY, (R.DEPUTY_SECRETARY,), term.deputy_secretaries_quota, "副书记"),
        (role == R.SECRETARY, (R.SECRETARY,), 1, "书记"),
    ]
    for applies, roles, quota, label in checks:
        if not applies:
            continue
        taken = _serving(term, roles) - (1 if leaving_role in roles else 0)
        if taken >= quota:
            raise ApplicationError(f"{term}的{label}名额为{quota}名，已满", field="role")


def _check_role(role: str, full_time_deputy: bool) -> None:
    if role not in R.values:
        raise ApplicationError(f"未知的委员身份：{role}", field="role")
    if full_time_deputy and role != R.DEPUTY_SECRETARY:
        raise ApplicationError("只有副书记可以是专职副书记", field="full_time_deputy")


def _lock_term(term: Term) -> Term:
    term = Term.objects.select_for_update().select_related("committee").get(pk=term.pk)
    if term.ends_on is not None:
        raise ApplicationError(f"{term}已于{term.ends_on:%Y年%m月%d日}换届，不能再变动成员")
    return term


def _check_in_term(term: Term, on: date, field: str) -> None:
    if on < term.starts_on:
        raise ApplicationError(f"日期不能早于{term}的起始日期{term.starts_on:%Y-%m-%d}", field=field)


@transaction.atomic
def term_member_add(
    *,
    term: Term,
    cadre: Cadre,
    role: str,
    joined_on: date,
    actor,
    order: int = 0,
    full_time_deputy: bool = False,
    concurrent_post: str = "",
    election_votes: int | None = None,
) -> TermMember:
    """Adds a member, refusing more members, alternates, standing members or deputies than the term allows."""
    _check_role(role, full_time_deputy)
    term = _lock_term(term)
    _check_in_term(term, joined_on, "joined_on")
    _not_after_today(joined_on, "joined_on", "任职日期")
    if role == R.ALTERNATE and election_votes is None:
        raise ApplicationError("候补委员须填写当选时的得票数，递补按得票多少依次进行", field="election_votes")
    _check_seat(term, role)
    if term.members.filter(cadre=cadre).exists():
        raise ApplicationError(f"{cadre.name}已是{term}的成员", field="cadre")
    member = TermMember.objects.create(
        term=term,
        cadre=cadre,
        role=role,
        joined_on=joined_on,
        order=order,
        full_time_deputy=full_time_deputy,
        concurrent_post=concurrent_post.strip(),
        election_votes=election_votes,
    )
    audit_log(actor=actor, action="term_member.added", obj=member, details={"role": role, "cadre": cadre.pk})
    return member


def _lock_member(member: TermMember) -> TermMember:
    locked = TermMember.objects.select_for_update(of=("self",)).select_related("term", "cadre").get(pk=member.pk)
    if locked.left_on is not None:
        raise ApplicationError(f"{locked.cadre.name}已于{locked.left_on:%Y-%m-%d}离任")
    return locked


@transaction.atomic
def term_member_update(
    *,
    member: TermMember,
    actor,
    order: int | None = None,
    concurrent_post: str | None = None,
    election_votes: int | None = None,
    full_time_deputy: bool | None = None,
) -> TermMember:
    """Changes what is not a role: order within role, concurrent government post, votes, full-time deputy."""
    _lock_term(member.term)
    member = _lock_member(member)
    changes = {}
    new = {
        "order": order,
        "concurrent_post": concurrent_post.strip() if concurrent_post is not None else None,
        "election_votes": election_votes,
        "full_time_deputy": full_time_deputy,
    }
    for field, value in new.items():
        if value is not None and getattr(member, field) != value:
            changes[field] = [getattr(member, field), value]
            setattr(member, field, value)
    if "full_time_deputy" in changes:
        _check_role(member.role, member.full_time_deputy)
    if member.role == R.ALTERNATE and member.election_votes is None:
        raise ApplicationError("候补委员须填写当选时的得票数", field="election_votes")
    if not changes:
        return member
    member.save(update_fields=[*changes, "updated_at"])
    audit_log(actor=actor, action="term_member.updated", obj=member, details={"changes": changes})
    return member


def _not_after_today(on: date, field: str, what: str) -> None:
    """Roles and seats are read as they stand today across the system: a change is recorded once it happened."""
    if on > timezone.localdate():
        raise ApplicationError(f"{what}不能晚于今天；请在变动发生后登记", field=field)


def _record_role_change(member: TermMember, role: str, on: date, reason: str, actor) -> TermMemberRoleChange:
    _not_after_today(on, "changed_on", "身份变动日期")
    if on < member.joined_on:
        raise ApplicationError("身份变动日期不能早于进入本届的日期", field="changed_on")
    last = member.role_changes.order_by("-changed_on").first()
    if last and on < last.changed_on:
        raise ApplicationError(f"身份变动日期不能早于上一次变动（{last.changed_on:%Y-%m-%d}）", field="changed_on")
    return TermMemberRoleChange.objects.create(
        member=member, from_role=member.role, to_role=role, changed_on=on, reason=reason.strip(), actor=actor
    )


@transaction.atomic
def term_member_change_role(
    *, member: TermMember, role: str, changed_on: date, actor, reason: str = "", full_time_deputy: bool = False
) -> TermMember:
    """Moves a serving member to another role (增选常委, 不再担任常委 …) within the quotas; history is kept."""
    _check_role(role, full_time_deputy)
    term = _lock_term(member.term)
    member = _lock_member(member)
    if member.role == role and member.full_time_deputy == full_time_deputy:
        return member
    if role == R.ALTERNATE:
        raise ApplicationError("委员不能改为候补委员", field="role")
    if member.role == R.ALTERNATE and role != R.ALTERNATE:
        raise ApplicationError("候补委员成为委员须按得票多少依次递补，请使用“递补”", field="role")
    _check_in_term(term, changed_on, "changed_on")
    if member.role != role:
        _check_seat(term, role, leaving_role=member.role)
        _record_role_change(member, role, changed_on, reason, actor)
    previous = member.role
    member.role, member.full_time_deputy = role, full_time_deputy
    member.save(update_fields=["role", "full_time_deputy", "updated_at"])
    audit_log(
        actor=actor,
        action="term_member.role_changed",
        obj=member,
        details={"from": previous, "to": role, "on": changed_on.isoformat(), "reason": reason},
    )
    return member


@transaction.atomic
def term_member_leave(*, member: TermMember, left_on: date, reason: str, actor) -> TermMember:
    """Records that a member left the term (调离、辞职、退休 …). Whom they covered for needs a new substitute
    (those arrangements end that day); their own substitute keeps answering for the areas they led until a
    new portfolio plan hands them on."""
    if not reason.strip():
        raise ApplicationError("请填写离任原因", field="left_reason")
    _lock_term(member.term)
    member = _lock_member(member)
    if left_on <= member.joined_on:
        raise ApplicationError("离任日期须晚于进入本届的日期", field="left_on")
    _not_after_today(left_on, "left_on", "离任日期")
    member.left_on, member.left_reason = left_on, reason.strip()
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    ended = list(
        SubstituteArrangement.objects.select_for_update()
        .filter(substitute=member, superseded_on__isnull=True)
        .select_related("member__cadre")
        .order_by("pk")
    )
    for arrangement in ended:
        arrangement.superseded_on = max(left_on, arrangement.effective_from)
        arrangement.save(update_fields=["superseded_on", "updated_at"])
    audit_log(
        actor=actor,
        action="term_member.left",
        obj=member,
        details={
            "left_on": left_on.isoformat(),
            "reason": reason,
            "no_longer_substitute_for": [a.member.cadre.name for a in ended],
        },
    )
    return member


@transaction.atomic
def alternate_promote(*, alternate: TermMember, on: date, actor) -> TermMember:
    """候补委员按得票多少依次递补: fills a vacant member seat with the next alternate, and only with them."""
    term = _lock_term(alternate.term)
    alternate = _lock_member(alternate)
    if alternate.role != R.ALTERNATE:
        raise ApplicationError(f"{alternate.cadre.name}不是候补委员")
    if vacant_member_seats(term) == 0:
        raise ApplicationError(f"{term}委员名额（{term.members_quota}名）已满，没有可递补的空缺")
    queue = alternates_in_succession(term)
    if queue[0].pk != alternate.pk:
        nxt = queue[0]
        raise ApplicationError(
            f"应由得票最多的候补委员{nxt.cadre.name}（{nxt.election_votes}票）先递补，"
            f"{alternate.cadre.name}得{alternate.election_votes}票"
        )
    _check_in_term(term, on, "changed_on")
    _record_role_change(alternate, R.MEMBER, on, "候补委员递补为委员", actor)
    alternate.role = R.MEMBER
    alternate.order = (
        term.members.filter(role=R.MEMBER).order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    alternate.save(update_fields=["role", "order", "updated_at"])
    audit_log(
        actor=actor,
        action="term_member.alternate_promoted",
        obj=alternate,
        details={"on": on.isoformat(), "votes": alternate.election_votes},
    )
    return alternate


@transaction.atomic
def term_update(*, term: Term, actor, **values) -> Term:
    """Corrects a current term's start date or quotas; a quota below the seats already taken is refused."""
    term = _lock_term(term)
    allowed = {"starts_on", *QUOTA_FIELDS}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown term fields: {sorted(unknown)}")
    merged = {field: values.get(field, getattr(term, field)) for field in QUOTA_FIELDS}
    _check_quotas(merged)
    taken = {
        "members_quota": (_serving(term, TermMember.FULL_MEMBER_ROLES), "委员"),
        "alternates_quota": (_serving(term, (R.ALTERNATE,)), "候补委员"),
        "standing_quota": (_serving(term, TermMember.STANDING_ROLES), "常委"),
        "deputy_secretaries_quota": (_serving(term, (R.DEPUTY_SECRETARY,)), "副书记"),
    }
    errors = {
        field: f"现有{label}{count}名，名额不能少于{count}"
        for field, (count, label) in taken.items()
        if merged[field] < count
    }
    starts_on = values.get("starts_on", term.starts_on)
    earliest = term.members.order_by("joined_on").values_list("joined_on", flat=True).first()
    if earliest and starts_on > earliest:
        errors["starts_on"] = f"已有成员自{earliest:%Y-%m-%d}起任职，起始日期不能晚于该日"
    previous = Term.objects.filter(committee=term.committee, ends_on__isnull=False).order_by("-number").first()
    if previous and starts_on != term.starts_on:
        errors["starts_on"] = "由换届产生的一届，起始日期即上一届结束日期，不能单独修改"
    if errors:
        raise ApplicationError.from_errors(errors)
    changes = {}
    for field in ("starts_on", *QUOTA_FIELDS):
        new = starts_on if field == "starts_on" else merged[field]
        if getattr(term, field) != new:
            changes[field] = [str(getattr(term, field)), str(new)]
            setattr(term, field, new)
    if changes:
        term.save(update_fields=[*changes, "updated_at"])
        audit_log(actor=actor, action="term.updated", obj=term, details={"changes": changes})
    return term


@transaction.atomic
def term_change(*, committee: Committee, starts_on: date, actor, **quotas) -> Term:
    """换届: ends the current term the day the new one starts and opens the next term (quotas carried over
    unless given). The old term, its members, plans and substitutes stay as they were, readable."""
    Committee.objects.select_for_update().get(pk=committee.pk)
    old = _locked_current_term(committee)
    if old is None:
        raise ApplicationError("该委员会还没有届次，请先建立第一届")
    if starts_on <= old.starts_on:
        raise ApplicationError(f"新一届的起始日期须晚于{old}的起始日期{old.starts_on:%Y-%m-%d}", field="starts_on")
    if starts_on > timezone.localdate():
        # the serving committee stays the current one until the new one is elected
        raise ApplicationError("换届须在新一届选举产生后登记，起始日期不能晚于今天", field="starts_on")
    late = old.members.filter(joined_on__gte=starts_on).select_related("cadre").first()
    if late:
        raise ApplicationError(
            f"{late.cadre.name}于{late.joined_on:%Y-%m-%d}进入{old}，换届日期须晚于该日", field="starts_on"
        )
    values = {field: quotas.get(field, getattr(old, field)) for field in QUOTA_FIELDS}
    unknown = set(quotas) - set(QUOTA_FIELDS)
    if unknown:
        raise TypeError(f"unknown term fields: {sorted(unknown)}")
    _check_quotas(values)
    old.ends_on = starts_on
    old.save(update_fields=["ends_on", "updated_at"])
    plans = list(
        PortfolioPlan.objects.select_for_update()
        .filter(term=old)
        .exclude(status=PortfolioPlan.Status.SUPERSEDED)
        .order_by("pk")
    )
    for plan in plans:
        if plan.status == PortfolioPlan.Status.DRAFT:
            # an unfinished draft of the old term has nothing to keep
            audit_log(
                actor=actor,
                action="portfolio_plan.discarded",
                obj=plan,
                details={"version": plan.version, "assignments": plan.assignments.count(), "by": "term.changed"},
            )
            plan.delete()
            continue
        plan.status = PortfolioPlan.Status.SUPERSEDED
        plan.superseded_on = max(starts_on, plan.effective_from)
        plan.save(update_fields=["status", "superseded_on", "updated_at"])
        audit_log(
            actor=actor,
            action="portfolio_plan.superseded",
            obj=plan,
            details={
                "from": "active",
                "to": "superseded",
                "superseded_on": plan.superseded_on.isoformat(),
                "by": "term.changed",
            },
        )
    arrangements = list(
        SubstituteArrangement.objects.select_for_update()
        .filter(member__term=old, superseded_on__isnull=True)
        .order_by("pk")
    )
    for arrangement in arrangements:
        arrangement.superseded_on = max(starts_on, arrangement.effective_from)
        arrangement.save(update_fields=["superseded_on", "updated_at"])
    try:
        with transaction.atomic():
            new = Term.objects.create(committee=committee, number=old.number + 1, starts_on=starts_on, **values)
    except IntegrityError:
        raise ApplicationError(f"第{old.number + 1}届已存在") from None
    audit_log(
        actor=actor,
        action="term.changed",
        obj=new,
        details={
            "previous_term": old.pk,
            "previous_number": old.number,
            "starts_on": starts_on.isoformat(),
            "substitute_arrangements_ended": len(arrangements),
            **values,
        },
    )
    return new
