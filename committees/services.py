"""Writes to committees, terms and members; validated and audited."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from cadres.models import Cadre
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from .models import Committee, Term, TermMember


@transaction.atomic
def committee_create(*, name: str, short_name: str = "", actor) -> Committee:
    committee = Committee.objects.create(name=name, short_name=short_name)
    audit_log(actor=actor, action="committee.created", obj=committee)
    return committee


@transaction.atomic
def term_create(*, committee: Committee, number: int, starts_on: date, actor, **quotas) -> Term:
    term = Term(committee=committee, number=number, starts_on=starts_on, **quotas)
    term.full_clean()
    term.save()
    audit_log(actor=actor, action="term.created", obj=term)
    return term


def _seats(term: Term, role_filter) -> int:
    return term.members.filter(left_on__isnull=True, role__in=role_filter).count()


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
    R = TermMember.Role
    if role not in R.values:
        raise ApplicationError(f"未知的委员身份：{role}", field="role")
    if full_time_deputy and role != R.DEPUTY_SECRETARY:
        raise ApplicationError("只有副书记可以是专职副书记", field="full_time_deputy")
    term = Term.objects.select_for_update().get(pk=term.pk)
    full_members = (R.SECRETARY, R.DEPUTY_SECRETARY, R.STANDING_MEMBER, R.MEMBER)
    checks = [
        (role in full_members, full_members, term.members_quota, "委员"),
        (role == R.ALTERNATE, (R.ALTERNATE,), term.alternates_quota, "候补委员"),
        (role in TermMember.STANDING_ROLES, TermMember.STANDING_ROLES, term.standing_quota, "常委"),
        (role == R.DEPUTY_SECRETARY, (R.DEPUTY_SECRETARY,), term.deputy_secretaries_quota, "副书记"),
        (role == R.SECRETARY, (R.SECRETARY,), 1, "书记"),
    ]
    for applies, roles, quota, label in checks:
        if applies and _seats(term, roles) >= quota:
            raise ApplicationError(f"{term}的{label}名额为{quota}名，已满")
    if term.members.filter(cadre=cadre, left_on__isnull=True).exists():
        raise ApplicationError(f"{cadre.name}已是{term}的成员")
    member = TermMember.objects.create(
        term=term,
        cadre=cadre,
        role=role,
        joined_on=joined_on,
        order=order,
        full_time_deputy=full_time_deputy,
        concurrent_post=concurrent_post,
        election_votes=election_votes,
    )
    audit_log(actor=actor, action="term_member.added", obj=member, details={"role": role})
    return member
