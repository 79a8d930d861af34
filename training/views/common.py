"""What the training pages share: the page with the section's links, the step from a form to a service, downloads."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render

from orgdept.core import roles
from orgdept.core.listing import FilteredListView

from ..permissions import require_list

# who sees 培训 in the main menu; the pages themselves check the model permissions each role holds
INDEX_ROLES = (roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.TRAINING_SECTION)


class SectionListView(LoginRequiredMixin, FilteredListView):
    """A filtered list of the training section: 403 without `list_perm`, its link `section_current` marked."""

    list_perm: str
    section_current: str

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_list(request.user, self.list_perm)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section_current": self.section_current}


def section_page(request, template: str, context: dict, current: str, status: int = 200):
    """A page of the training section, its link `current` marked in the section's links."""
    return render(request, template, {**context, "section_current": current}, status=status)
