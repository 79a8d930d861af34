"""Reads of cadre records; list selectors return only what the user may see."""

from django.db.models import Prefetch, QuerySet

from orgdept.core.models import AuditEvent

from .models import Cadre, PositionTenure, Unit

# what the change history of a cadre file shows (views and exports are in the audit log, not here)
CHANGE_ACTIONS = ("cadre.created", "cadre.updated", "cadre.imported", "cadre.position_assigned", "cadre.photo_changed")


def cadre_list(*, user) -> QuerySet[Cadre]:
    if not user.has_perm("cadres.view_cadre"):
        return Cadre.objects.none()
    return Cadre.objects.select_related("unit").order_by("unit__order", "unit__name", "name", "pk")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.select_related("parent")


def cadre_file(*, pk: int) -> Cadre:
    """One cadre with every section of the file loaded (a fixed number of queries)."""
    return (
        Cadre.objects.select_related("unit")
        .prefetch_related(
            "educations",
            "resume_lines",
            "rewards_punishments",
            "family_members",
            Prefetch(
                "tenures",
                queryset=PositionTenure.objects.select_related("position__unit").order_by(
                    "-is_current", "-start_month", "-pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def cadre_change_history(*, cadre: Cadre, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who changed what in the cadre file, newest first."""
    return AuditEvent.objects.filter(
        object_type="cadres.cadre", object_id=str(cadre.pk), action__in=CHANGE_ACTIONS
    ).order_by("-occurred_at", "-id")[:limit]
