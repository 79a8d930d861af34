"""Reads of cadre records; list selectors return only what the user may see."""

from django.db.models import QuerySet

from .models import Cadre, Unit


def cadre_list(*, user) -> QuerySet[Cadre]:
    if not user.has_perm("cadres.view_cadre"):
        return Cadre.objects.none()
    return Cadre.objects.select_related("unit").order_by("unit__order", "unit__name", "name", "pk")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.select_related("parent")
