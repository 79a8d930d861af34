"""Access to the committee's records. They are not personnel files: the committee's business roles see them
(who may not gets 403); 组织科 keeps them. Leave records name reasons, so only the same roles see them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from orgdept.core.object_permissions import require_perm

from .models import Leave, PortfolioPlan, Term, TermMember, WorkArea


def access_term(user, pk: int, perm: str = "committees.view_term") -> Term:
    term = get_object_or_404(Term.objects.select_related("committee"), pk=pk)
    require_perm(user, perm, term, hide=False)
    return term


def access_member(user, pk: int, perm: str = "committees.view_termmember") -> TermMember:
    member = get_object_or_404(TermMember.objects.select_related("term", "term__committee", "cadre"), pk=pk)
    require_perm(user, perm, member, hide=False)
    return member


def access_plan(user, pk: int, perm: str = "committees.view_portfolioplan") -> PortfolioPlan:
    plan = get_object_or_404(PortfolioPlan.objects.select_related("term", "term__committee"), pk=pk)
    require_perm(user, perm, plan, hide=False)
    return plan


def access_work_area(user, pk: int, perm: str = "committees.view_workarea") -> WorkArea:
    area = get_object_or_404(WorkArea, pk=pk)
    require_perm(user, perm, area, hide=False)
    return area


def access_leave(user, pk: int, perm: str = "committees.view_leave") -> Leave:
    leave = get_object_or_404(Leave.objects.select_related("member__cadre", "member__term"), pk=pk)
    require_perm(user, perm, leave, hide=False)
    return leave


def may_manage(user) -> bool:
    """组织科's right to keep terms, members, plans, substitutes and leave."""
    return user.has_perm("committees.change_term")
