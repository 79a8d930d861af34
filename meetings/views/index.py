"""Meetings pages: the entry of the meetings area, which sends each user to their own page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from orgdept.core import roles

from ..permissions import is_meeting_staff
from .portal import may_use_portal

INDEX_ROLES = roles.COMMITTEE_BUSINESS


@login_required
def index(request):
    """The department staff go to the meetings; a committee member to their portal; an administrator who keeps
    the rules of procedure to the rules."""
    user = request.user
    if is_meeting_staff(user):
        return redirect("meetings:meeting_list")
    if may_use_portal(user):
        return redirect("meetings:portal")
    if user.has_perm("meetings.view_meetingtype") and roles.has_role(user, *INDEX_ROLES):
        return redirect("meetings:rule_list")
    raise PermissionDenied
