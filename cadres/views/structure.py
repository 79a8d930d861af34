"""Team structure (班子结构) page and PDF; the rotation watch (cadres long in the same post)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.listing import FilteredListView

from ..forms_units import RotationFilterForm, StructureForm
from ..models import Position
from ..selectors import rotation_due, rotation_years, team_member_list, team_structure, team_structure_title
from ..structure import format_months, months_between, team_structure_charts


def _structure_options(data) -> tuple[StructureForm, dict]:
    if data and not data.get("on"):
        data = data.copy()
        data["on"] = date.today().isoformat()  # shown in the form, so the date the ages are computed on is visible
    form = StructureForm(data or None, initial={"on": date.today()})
    if form.is_bound and form.is_valid():
        return form, form.params()
    return form, {"unit": None, "scope": "team", "on_date": date.today()}


@login_required
@permission_required("cadres.view_cadre", raise_exception=True)
def structure_view(request):
    form, options = _structure_options(request.GET)
    structure = team_structure(**options)
    unit = options["unit"]
    context = {
        "form": form,
        "options": options,
        "structure": structure,
        "charts": team_structure_charts(structure),
        "members": team_member_list(**options) if unit is not None else None,
        "pdf_params": {
            "unit": unit.pk if unit else "",
            "scope": options["scope"],
            "on": options["on_date"].isoformat(),
        },
    }
    template = "cadres/structure_results.html" if request.htmx else "cadres/structure.html"
    return render(request, template, context)


@login_required
@permission_required("cadres.view_cadre", raise_exception=True)
@require_POST
def structure_pdf(request):
    form, options = _structure_options(request.POST)
    if form.errors:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("cadres:structure")
    unit = options["unit"]
    params = {"unit": unit.pk if unit else None, "scope": options["scope"], "on": options["on_date"].isoformat()}
    title = f"{team_structure_title(unit=unit, scope=options['scope'])}结构分析（{options['on_date']:%Y.%m.%d}）"
    try:
        document = document_request(kind="team_structure", params=params, title=title, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cadres:structure"))
    return redirect("core:document_detail", pk=document.pk)


class RotationListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    """Cadres whose current tenure on a watched post reached the set number of years."""

    permission_required = "cadres.view_cadre"
    template_name = "cadres/rotation_list.html"
    results_template_name = "cadres/rotation_results.html"
    filter_form_class = RotationFilterForm

    def get_queryset(self):
        self.today = date.today()
        self.kinds = rotation_years()
        self.filter_form = self.filter_form_class(self.request.GET or None, kinds=self.kinds)
        tenures = rotation_due(on_date=self.today)
        if self.request.GET:
            tenures = self.filter_form.apply(tenures)
        return tenures

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        labels = dict(Position.RotationKind.choices)
        ctx["rows"] = [
            {
                "tenure": tenure,
                "in_post": format_months(months_between(tenure.since, self.today)),
                "rule": f"{labels[tenure.position.rotation_kind]}满{self.kinds[tenure.position.rotation_kind]}年",
            }
            for tenure in ctx["object_list"]
        ]
        ctx["rules"] = "；".join(f"{labels[kind]}满{years}年" for kind, years in self.kinds.items())
        ctx["today"] = self.today
        return ctx
