"""The reserve-cadre pool (后备干部): the list with its filters, adding a cadre for a level, removing an entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from ..forms_selection import ReserveAddForm, ReserveFilterForm, ReserveRemoveForm, cadre_search
from ..models import ReserveCadre
from ..permissions import VIEW_RESERVE, access_reserve_entry
from ..selectors import cadre_list, reserve_list
from ..services.reserve import reserve_add as add_to_pool
from ..services.reserve import reserve_remove as remove_from_pool
from .proposals import section_links

ADD_RESERVE = "cadres.add_reservecadre"
CHANGE_RESERVE = "cadres.change_reservecadre"
SUGGESTIONS = 10


def section_page(request, template: str, context: dict, current: str, status: int = 200):
    """A page of the appointments section, with the section's links (these pages have no main-menu entry)."""
    context = {**context, "section_links": section_links(request.user), "section_current": current}
    return render(request, template, context, status=status)


def suggested(cadres, text: str) -> list:
    """The first cadres matching a search box (name, pinyin initials or ID number), with their unit."""
    text = (text or "").strip()
    return list(cadre_search(cadres, text).select_related("unit")[:SUGGESTIONS]) if text else []


def cadre_suggestions(request, cadres, **extra):
    """The suggestions under the search box (htmx), as radios inside the form."""
    text = (request.GET.get("cadre_search") or "").strip()
    context = {"cadres": suggested(cadres, text), "text": text, "limit": SUGGESTIONS, **extra}
    return render(request, "cadres/reserve/cadre_suggestions.html", context)


def pick_context(form, cadres) -> dict:
    """The cadre picked, or after an unclear search the suggestions for it, for the page shown again."""
    picked = form.picked() if form.is_bound else None
    suggestions = []
    if form.is_bound and picked is None:
        suggestions = suggested(cadres, form.data.get(form.add_prefix("cadre_search"), ""))
    return {"picked": picked, "suggestions": suggestions, "limit": SUGGESTIONS}


# --- the list ---------------------------------------------------------------------------------------------------


class ReserveListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = VIEW_RESERVE
    template_name = "cadres/reserve/reserve_list.html"
    results_template_name = "cadres/reserve/reserve_list_results.html"
    filter_form_class = ReserveFilterForm

    def get_queryset(self):
        # the selector applies the filters itself (the pool's default is the entries still active)
        form = self.filter_form = self.filter_form_class(self.request.GET or None)
        if form.is_bound and not form.is_valid():
            return ReserveCadre.objects.none()
        return reserve_list(**form.selector_arguments())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            {
                "can_add": user.has_perm(ADD_RESERVE),
                "can_remove": user.has_perm(CHANGE_RESERVE),
                "can_view_cadres": user.has_perm("cadres.view_cadre"),
                "section_links": section_links(user),
                "section_current": "reserve",
            }
        )
        return ctx


# --- adding and removing ----------------------------------------------------------------------------------------


@login_required
def reserve_add(request):
    if not (request.user.has_perm(VIEW_RESERVE) and request.user.has_perm(ADD_RESERVE)):
        raise PermissionDenied
    cadres = cadre_list(user=request.user)
    if request.htmx and request.method == "GET":
        return cadre_suggestions(request, cadres)
    initial = {}
    if request.method == "GET" and str(request.GET.get("cadre", "")).isdigit():
        # from a cadre's page: the cadre is picked already
        cadre = cadres.filter(pk=int(request.GET["cadre"])).first()
        if cadre is not None:
            initial = {"cadre_search": cadre.name, "cadre": cadre.pk}
    form = ReserveAddForm(request.POST or None, initial=initial, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = add_to_pool(
                cadre=data["cadre"],
                target_level=data["target_level"],
                added_on=data["added_on"],
                reason=data["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s added to the reserve cadres for %(level)s.")
                % {"name": entry.cadre.name, "level": entry.target_level},
            )
            if "add_another" in request.POST:
                return redirect("cadres:reserve_add")
            return redirect("cadres:reserve_list")
    context = {"form": form, **pick_context(form, cadres)}
    if initial:
        context["picked"] = cadres.filter(pk=initial["cadre"]).first()
    return section_page(request, "cadres/reserve/reserve_add.html", context, "reserve", status=form_status(form))


@login_required
def reserve_remove(request, pk: int):
    entry = access_reserve_entry(request.user, pk, CHANGE_RESERVE)
    form = ReserveRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            remove_from_pool(
                entry=entry,
                removed_on=form.cleaned_data["removed_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s removed from the reserve cadres.") % {"name": entry.cadre.name})
            return redirect("cadres:reserve_list")
    context = {"form": form, "entry": entry}
    return section_page(request, "cadres/reserve/reserve_remove.html", context, "reserve", status=form_status(form))
