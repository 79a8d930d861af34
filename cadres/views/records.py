"""Cadre pages."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import render

from orgdept.core.audit import audit_log
from orgdept.core.listing import FilteredListView

from ..forms import CadreFilterForm
from ..permissions import access_cadre
from ..selectors import cadre_list


class CadreListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "cadres.view_cadre"
    # no raise_exception: the anonymous are sent to sign in, the signed-in without the permission get 403
    template_name = "cadres/cadre_list.html"
    results_template_name = "cadres/partials/cadre_results.html"
    filter_form_class = CadreFilterForm

    def selector(self):
        return cadre_list(user=self.request.user)


@login_required
def cadre_detail(request, pk: int):
    cadre = access_cadre(request.user, pk)
    audit_log(actor=request.user, action="cadre.viewed", obj=cadre)
    return render(request, "cadres/cadre_detail.html", {"cadre": cadre})
