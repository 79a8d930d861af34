"""Units, their positions and quotas (职数): lists, the unit page and the forms that change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from ..forms_units import PositionForm, QuotaFilterForm, QuotaForm, UnitFilterForm, UnitForm
from ..models import Cadre, Position, Rank, Unit
from ..permissions import access_unit
from ..selectors import unit_list_with_counts, unit_positions, unit_quota_lines
from ..services import position_create, position_update, quota_set, unit_create, unit_update
from ..services.positions import QuotaLine


def quota_status(line: QuotaLine) -> str:
    """over: more holders than approved (or holders with no approved number); vacant; full; empty."""
    if line.approved is None:
        return "over" if line.occupied else "empty"
    if line.occupied > line.approved:
        return "over"
    return "vacant" if line.occupied < line.approved else "full"


def quota_rows(lines: list[QuotaLine]) -> list[dict]:
    rows = []
    for line in lines:
        status = quota_status(line)
        excess = line.occupied - (line.approved or 0)
        rows.append({"line": line, "status": status, "excess": excess if status == "over" else 0})
    return rows


# --- units -----------------------------------------------------------------------------------------------


class UnitListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "cadres.view_unit"
    template_name = "cadres/unit_list.html"
    results_template_name = "cadres/unit_list_results.html"
    filter_form_class = UnitFilterForm

    def selector(self):
        return unit_list_with_counts()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page_units = list(ctx["object_list"])
        ctx["over_units"] = {
            row["line"].unit.pk for row in quota_rows(unit_quota_lines(units=page_units)) if row["status"] == "over"
        }
        ctx["can_add"] = self.request.user.has_perm("cadres.add_unit")
        return ctx


@login_required
def unit_detail(request, pk: int):
    unit = access_unit(request.user, pk)
    positions = unit_positions(unit=unit)
    context = {
        "unit": unit,
        "positions": positions,
        "quota_rows": quota_rows(unit_quota_lines(units=[unit])),
        "cadre_count": Cadre.objects.filter(unit=unit).count(),
        "can_change": request.user.has_perm("cadres.change_unit"),
        "can_view_cadres": request.user.has_perm("cadres.view_cadre"),
    }
    return render(request, "cadres/unit_detail.html", context)


@login_required
@permission_required("cadres.add_unit", raise_exception=True)
def unit_new(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_create(**form.cleaned_data, actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("cadres:unit_detail", pk=unit.pk)
    return render(request, "cadres/unit_form.html", {"form": form, "unit": None}, status=form_status(form))


@login_required
def unit_edit(request, pk: int):
    unit = access_unit(request.user, pk, "cadres.change_unit")
    initial = {f: getattr(unit, f) for f in ("name", "short_name", "kind", "parent", "order")}
    form = UnitForm(request.POST or None, initial=initial, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_update(unit=unit, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Unit %(name)s saved.") % {"name": unit.name})
            return redirect("cadres:unit_detail", pk=unit.pk)
    return render(request, "cadres/unit_form.html", {"form": form, "unit": unit}, status=form_status(form))


# --- positions -------------------------------------------------------------------------------------------


@login_required
def position_new(request, pk: int):
    unit = access_unit(request.user, pk, "cadres.change_unit")
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position = position_create(unit=unit, **form.cleaned_data, actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Position %(title)s created.") % {"title": position.title})
            return redirect("cadres:unit_detail", pk=unit.pk)
    context = {"form": form, "unit": unit, "position": None}
    return render(request, "cadres/position_form.html", context, status=form_status(form))


@login_required
def position_edit(request, pk: int):
    position = get_object_or_404(Position.objects.select_related("unit"), pk=pk)
    unit = access_unit(request.user, position.unit_id, "cadres.change_unit")
    initial = {f: getattr(position, f) for f in ("title", "level", "leading", "role", "rotation_kind", "order")}
    form = PositionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            position = position_update(position=position, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Position %(title)s saved.") % {"title": position.title})
            return redirect("cadres:unit_detail", pk=unit.pk)
    context = {"form": form, "unit": unit, "position": position}
    return render(request, "cadres/position_form.html", context, status=form_status(form))


# --- quotas ----------------------------------------------------------------------------------------------


@login_required
def quota_edit(request, pk: int):
    unit = access_unit(request.user, pk, "cadres.change_unit")
    level = request.GET.get("level")
    initial = {}
    if level in Rank.values:
        current = unit.quotas.filter(level=level).first()
        initial = {"level": level, "approved": current.approved if current else None}
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        level, approved = form.cleaned_data["level"], form.cleaned_data["approved"]
        try:
            quota_set(unit=unit, level=level, approved=approved, actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            line = next((row for row in quota_rows(unit_quota_lines(units=[unit])) if row["line"].level == level), None)
            if approved is None:
                messages.success(request, _("The %(level)s quota was removed.") % {"level": level})
            else:
                messages.success(request, _("%(level)s: %(n)s posts approved.") % {"level": level, "n": approved})
            if line and line["status"] == "over":
                messages.warning(
                    request,
                    _("%(level)s now has %(occupied)s holders, more than approved: the unit is over its quota.")
                    % {"level": level, "occupied": line["line"].occupied},
                )
            return redirect("cadres:unit_detail", pk=unit.pk)
    context = {"form": form, "unit": unit, "quota_rows": quota_rows(unit_quota_lines(units=[unit]))}
    return render(request, "cadres/quota_form.html", context, status=form_status(form))


class QuotaOverviewView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    """Every unit's quota lines; the filters pick units (search, kind) and lines (level, over quota only)."""

    permission_required = "cadres.view_unit"
    template_name = "cadres/quota_overview.html"
    results_template_name = "cadres/quota_overview_results.html"
    filter_form_class = QuotaFilterForm
    paginate_by = 50
    page_sizes = (50, 100, 200)

    def selector(self):
        return Unit.objects.order_by("order", "name", "pk")

    def get_queryset(self):
        units = super().get_queryset()
        rows = quota_rows(unit_quota_lines(units=units))
        data = self.filter_form.cleaned_data if self.filter_form.is_bound and self.filter_form.is_valid() else {}
        if data.get("level"):
            rows = [row for row in rows if row["line"].level == data["level"]]
        if data.get("over_only"):
            rows = [row for row in rows if row["status"] == "over"]
        self.over_count = sum(1 for row in rows if row["status"] == "over")
        return rows

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["over_count"] = self.over_count
        return ctx
