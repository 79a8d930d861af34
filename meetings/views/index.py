"""Meetings pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from orgdept.core import roles

INDEX_ROLES = roles.COMMITTEE_BUSINESS


@login_required
def index(request):
    if not (request.user.is_superuser or roles.has_role(request.user, *INDEX_ROLES)):
        raise PermissionDenied
    return render(request, "meetings/index.html")
