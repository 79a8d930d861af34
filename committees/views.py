"""Committee pages."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .models import TermMember
from .selectors import current_term, term_members


@login_required
@permission_required("committees.view_term", raise_exception=True)
def term_overview(request):
    term = current_term()
    groups = []
    if term:
        members = list(term_members(term=term))
        for role, label in TermMember.Role.choices:
            groups.append((label, [m for m in members if m.role == role]))
    return render(request, "committees/term_overview.html", {"term": term, "groups": groups})
