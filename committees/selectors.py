"""Reads of committees and terms."""

from django.db.models import QuerySet

from .models import Term, TermMember


def current_term() -> Term | None:
    return Term.objects.select_related("committee").filter(ends_on__isnull=True).order_by("-starts_on").first()


def term_members(*, term: Term) -> QuerySet[TermMember]:
    return term.members.filter(left_on__isnull=True).select_related("cadre", "cadre__unit").order_by("role", "order")
