"""A cadre's appraisal record, linked from their file: every published result with its scores, rank and rating, and
the talks held with them. Staff who see results read anyone's; a cadre linked to the login reads their own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from cadres.models import Cadre
from orgdept.core.audit import audit_log

from ..selectors import cadre_results, talks_of
from .common import VIEW_RESULT


@login_required
def cadre_history(request, pk: int):
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    own = cadre.user_id is not None and cadre.user_id == request.user.pk
    if not (request.user.has_perm(VIEW_RESULT) or own):
        raise Http404
    results = list(cadre_results(cadre))
    audit_log(actor=request.user, action="appraisal_history.viewed", obj=cadre, details={"own": own})
    context = {"cadre": cadre, "results": results, "talks": list(talks_of(cadre).order_by("-held_on"))}
    return render(request, "appraisal/cadre_history.html", context)
