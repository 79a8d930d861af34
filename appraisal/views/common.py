"""What the appraisal pages share: who sees the section, the cycle looked up for a permission, downloads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from orgdept.core import roles

from ..models import AppraisalCycle

# who sees 考核 in the main menu; the pages themselves check the model permissions each role holds
INDEX_ROLES = (roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.APPRAISAL_OFFICE)

VIEW_CYCLE = "appraisal.view_appraisalcycle"
CHANGE_CYCLE = "appraisal.change_appraisalcycle"
ADD_CYCLE = "appraisal.add_appraisalcycle"
ADD_BALLOT = "appraisal.add_ballot"
CHANGE_RESULT = "appraisal.change_appraisalresult"
ADD_TALK = "appraisal.add_talk"
VIEW_RESULT = "appraisal.view_appraisalresult"


def require(user, perm: str) -> None:
    """A list page or a form: 403 unless the user holds `perm`."""
    if not user.has_perm(perm):
        raise PermissionDenied


def access_cycle(user, pk: int, perm: str = VIEW_CYCLE) -> AppraisalCycle:
    """404 to who may not see cycles at all, 403 to who sees them but may not do `perm`."""
    if not user.has_perm(VIEW_CYCLE):
        raise Http404
    cycle = get_object_or_404(AppraisalCycle.objects.select_related("created_by", "published_by"), pk=pk)
    require(user, perm)
    return cycle
