"""Access to cadre files: who may not see a file gets 404; who may see it but not change it gets 403."""

from django.shortcuts import get_object_or_404

from orgdept.core.object_permissions import require_perm

from .models import Cadre, Unit

VIEW = "cadres.view_cadre"


def access_cadre(user, pk: int, perm: str = VIEW) -> Cadre:
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    require_perm(user, VIEW, cadre)
    if perm != VIEW:
        require_perm(user, perm, cadre, hide=False)
    return cadre


def access_unit(user, pk: int, perm: str = "cadres.view_unit") -> Unit:
    """Units are not secret within the department: who lacks the permission gets 403, not 404."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    require_perm(user, perm, unit, hide=False)
    return unit
