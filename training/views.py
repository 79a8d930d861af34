"""Training pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from orgdept.core import roles

INDEX_ROLES = (roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.TRAINING_SECTION)


@login_required
def index(request):
    if not (request.user.is_superuser or roles.has_role(request.user, *INDEX_ROLES)):
        raise PermissionDenied
    return render(request, "training/index.html")
