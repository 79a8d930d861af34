"""Access to cadre records."""

from django.shortcuts import get_object_or_404

from orgdept.core.object_permissions import require_perm

from .models import Cadre


def access_cadre(user, pk: int, perm: str = "cadres.view_cadre") -> Cadre:
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    require_perm(user, perm, cadre)
    return cadre
