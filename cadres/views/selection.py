"""Competitive selection (竞争上岗): the list, creating a selection, and its page — applicants, their three scores
in one table form, the weighted ranking, and the closing that fixes the winners (a tie for the last place decided
by the leadership)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from ..forms_selection import (
    CadrePickForm,
    ScoreRowForm,
    SelectionFilterForm,
    SelectionForm,
    TieForm,
    position_choices,
)
from ..models import CompetitiveSelection, SelectionApplicant, Unit
from ..permissions import CHANGE_SELECTION, VIEW_SELECTION, access_applicant, access_selection
from ..selectors import cadre_list, reserve_candidates_for
from ..services import selection as selection_services
from ..services.selection import ResultLine
from .proposals import section_links
from .reserve import cadre_suggestions, pick_context, section_page

ADD_SELECTION = "cadres.add_competitiveselection"
ADD_APPLICANT = "cadres.add_selectionapplicant"
CHANGE_SCORES = "cadres.change_selectionapplicant"
TIE_FIELDS = ("tie_winners", "tie_reason")


def selection_rows():
    """Selections with their post, the number of applicants and the winners (three queries for any page)."""
    winners = SelectionApplicant.objects.filter(selected=True).select_related("cadre").order_by("pk")
    return (
        CompetitiveSelection.objects.select_related("position__unit")
        .annotate(applicant_count=Count("applicants"))
        .prefetch_related(Prefetch("applicants", queryset=winners, to_attr="winners"))
        .order_by("-held_on", "-pk")
    )


# --- the list and creating --------------------------------------------------------------------------------------


class SelectionListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = VIEW_SELECTION
    template_name = "cadres/selection/selection_list.html"
    results_template_name = "cadres/selection/selection_list_results.html"
    filter_form_class = SelectionFilterForm

    def selector(self):
        return selection_rows()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            {
                "can_add": user.has_perm(ADD_SELECTION),
                "section_links": section_links(user),
                "section_current": "selections",
            }
        )
        return ctx


@login_required
def selection_create(request):
    if not (request.user.has_perm(VIEW_SELECTION) and request.user.has_perm(ADD_SELECTION)):
        raise PermissionDenied
    form = SelectionForm(request.POST or None)
    weights_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            selection = selection_services.selection_create(**form.service_values(), actor=request.user)
        except ApplicationError as exc:
            if exc.field is None and form.weights_total() != 100:
                # the refusal of the weights' sum belongs beside the sum, which names no single field
                weights_error = exc.message
            else:
                add_service_error(form, exc)
        else:
            messages.success(request, _("Competitive selection “%(title)s” created.") % {"title": selection.title})
            return redirect("cadres:selection_detail", pk=selection.pk)
    form.fields["unit"].widget.attrs.update(
        {
            "hx-get": reverse("cadres:selection_position_options"),
            "hx-trigger": "change",
            "hx-target": f"#{form['position'].auto_id}",
            "hx-include": "this",
        }
    )
    context = {"form": form, "weights_total": form.weights_total(), "weights_error": weights_error}
    status = 400 if weights_error else form_status(form)
    return section_page(request, "cadres/selection/selection_form.html", context, "selections", status=status)


@login_required
@require_GET
def position_options(request):
    """The options of the post select for the unit chosen beside it (htmx)."""
    if not request.user.has_perm(VIEW_SELECTION):
        raise PermissionDenied
    raw = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    groups = []
    for value, label in position_choices(unit):
        groups.append((value, label) if isinstance(label, list) else ("", [(value, label)]))
    return render(request, "cadres/selection/position_options.html", {"groups": groups})


# --- the selection's page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where the ranking stands against the posts, for the page only (closing is decided by the service): who is
    within the posts, and who is tied across the last place with how many places are left to them."""

    within: frozenset[int]
    tied: tuple[ResultLine, ...]
    places: int

    @classmethod
    def of(cls, lines: list[ResultLine], posts: int) -> Standing:
        if len(lines) <= posts or any(not line.complete for line in lines):
            return cls(frozenset(), (), 0)
        cutoff = lines[posts - 1].total
        sure = [line for line in lines if line.total > cutoff]
        tied = [line for line in lines if line.total == cutoff]
        if len(sure) + len(tied) <= posts:
            return cls(frozenset(line.applicant.pk for line in sure + tied), (), 0)
        return cls(frozenset(line.applicant.pk for line in sure), tuple(tied), posts - len(sure))

    @property
    def tied_ids(self) -> frozenset[int]:
        return frozenset(line.applicant.pk for line in self.tied)

    @property
    def tied_names(self) -> str:
        return "、".join(line.cadre.name for line in self.tied)


@dataclass(frozen=True)
class Row:
    line: ResultLine
    form: ScoreRowForm | None
    within: bool
    tied: bool


def _detail(
    request,
    selection: CompetitiveSelection,
    *,
    lines: list[ResultLine] | None = None,
    score_forms: dict[int, ScoreRowForm] | None = None,
    scores_errors: list[str] | None = None,
    pick_form: CadrePickForm | None = None,
    tie_form: TieForm | None = None,
    tie_notice: str = "",
    close_errors: list[str] | None = None,
    status: int = 200,
):
    user = request.user
    today = timezone.localdate()
    closed = selection.closed_at is not None
    lines = selection_services.selection_results(selection) if lines is None else lines
    standing = Standing.of(lines, selection.posts)
    if closed:
        # among equal totals the winners come first (the ranking itself is the service's)
        lines = sorted(lines, key=lambda line: (line.rank is None, line.rank or 0, not line.selected))
    may_score = not closed and user.has_perm(CHANGE_SCORES) and today >= selection.held_on
    if may_score and score_forms is None:
        score_forms = {line.applicant.pk: ScoreRowForm(applicant=line.applicant) for line in lines}
    rows = [
        Row(
            line,
            (score_forms or {}).get(line.applicant.pk) if may_score else None,
            line.applicant.pk in standing.within,
            line.applicant.pk in standing.tied_ids,
        )
        for line in lines
    ]
    may_add = not closed and user.has_perm(ADD_APPLICANT)
    applied = {line.cadre.pk for line in lines}
    reserve = []
    if may_add:
        pick_form = pick_form or CadrePickForm()
        reserve = [entry for entry in reserve_candidates_for(selection.position) if entry.cadre_id not in applied]
    may_close = not closed and user.has_perm(CHANGE_SELECTION)
    if may_close and tie_form is None and tie_notice:
        tie_form = TieForm(tied=[line.applicant for line in standing.tied])
    context = {
        "selection": selection,
        "closed": closed,
        "rows": rows,
        "winners": [line for line in lines if line.selected],
        "standing": standing,
        "complete": all(line.complete for line in lines),
        "enough": len(lines) > selection.posts,
        "weights_total": selection.weight_speech + selection.weight_written + selection.weight_evaluation,
        "may_score": may_score,
        "scores_waiting": not closed and user.has_perm(CHANGE_SCORES) and today < selection.held_on,
        "scores_errors": scores_errors or [],
        "may_add": may_add,
        "may_remove": not closed and user.has_perm(CHANGE_SELECTION),
        "pick_form": pick_form if may_add else None,
        **(pick_context(pick_form, cadre_list(user=user)) if may_add else {}),
        "applied": applied,
        "reserve": reserve,
        "may_close": may_close,
        "tie_form": tie_form if may_close else None,
        "tie_notice": tie_notice,
        "close_errors": close_errors or [],
        "can_view_cadres": user.has_perm("cadres.view_cadre"),
    }
    return section_page(request, "cadres/selection/selection_detail.html", context, "selections", status=status)


@login_required
def selection_detail(request, pk: int):
    selection = access_selection(request.user, pk)
    # applicants' scores and ranks are personnel data: their reading is recorded
    audit_log(actor=request.user, action="selection.viewed", obj=selection)
    return _detail(request, selection)


@login_required
@require_http_methods(["GET", "POST"])
def applicant_add(request, pk: int):
    """Adds the cadre picked by search (or from the reserve list) as an applicant; a GET from the search box
    (htmx) returns the suggestions, those who applied already marked."""
    selection = access_selection(request.user, pk, ADD_APPLICANT)
    cadres = cadre_list(user=request.user)
    if request.method == "GET":
        if not request.htmx:
            return redirect("cadres:selection_detail", pk=selection.pk)
        applied = set(selection.applicants.values_list("cadre_id", flat=True))
        return cadre_suggestions(request, cadres, applied=applied)
    form = CadrePickForm(request.POST, cadres=cadres)
    if form.is_valid():
        try:
            cadre = form.cleaned_data["cadre"]
            applicant = selection_services.applicant_add(selection=selection, cadre=cadre, actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s added as an applicant.") % {"name": applicant.cadre.name})
            return redirect(f"{reverse('cadres:selection_detail', args=[selection.pk])}#applicants")
    return _detail(request, selection, pick_form=form, status=400)


@login_required
@require_POST
def applicant_remove(request, pk: int):
    applicant = access_applicant(request.user, pk, CHANGE_SELECTION)
    selection = applicant.selection
    try:
        selection_services.applicant_remove(applicant=applicant, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is no longer an applicant.") % {"name": applicant.cadre.name})
    return redirect(f"{reverse('cadres:selection_detail', args=[selection.pk])}#applicants")


@login_required
@require_POST
def scores_save(request, pk: int):
    """Every applicant's three scores from the one table form, all saved or none: each row's refusals are shown in
    its cells, a refusal of the whole selection (not held yet, closed) above the table."""
    selection = access_selection(request.user, pk, CHANGE_SCORES)
    lines = selection_services.selection_results(selection)
    forms = {}
    for line in lines:
        form = ScoreRowForm(applicant=line.applicant)
        # an applicant added since the page was shown has no row in it: their scores are left as they are
        if any(form.add_prefix(name) in request.POST for name in form.fields):
            form = ScoreRowForm(request.POST, applicant=line.applicant)
        forms[line.applicant.pk] = form
    # the rows not checked here are checked when the page shows their errors
    valid = all(form.is_valid() for form in forms.values() if form.is_bound)
    page_errors: list[str] = []
    if valid:
        changed = {form.applicant.pk: form for form in forms.values() if form.is_bound and form.has_changed()}
        try:
            selection_services.scores_record_many(
                selection=selection,
                scores={pk: form.cleaned_data for pk, form in changed.items()},
                actor=request.user,
            )
        except ApplicationError as exc:
            if rows := exc.extra.get("rows"):
                for pk, refusal in rows.items():
                    add_service_error(changed[pk], refusal)
            else:
                page_errors.append(exc.message)
        else:
            if changed:
                names = "、".join(form.applicant.cadre.name for form in changed.values())
                messages.success(request, _("Scores saved: %(names)s.") % {"names": names})
            else:
                messages.info(request, _("No score was changed."))
            return redirect(f"{reverse('cadres:selection_detail', args=[selection.pk])}#applicants")
    if not page_errors:
        page_errors.append(_("No score was saved: correct the scores marked below."))
    return _detail(request, selection, lines=lines, score_forms=forms, scores_errors=page_errors, status=400)


@login_required
@require_POST
def selection_close(request, pk: int):
    """Fixes the winners. When applicants are tied across the last place the service refuses: the page then offers
    the tie form, and closing again with the leadership's choice and its reason completes it."""
    selection = access_selection(request.user, pk, CHANGE_SELECTION)
    lines = selection_services.selection_results(selection)
    tie_form = None
    choice = {}
    if "tie" in request.POST:
        tie_form = TieForm(request.POST, tied=[line.applicant for line in Standing.of(lines, selection.posts).tied])
        if not tie_form.is_valid():
            return _detail(request, selection, lines=lines, tie_form=tie_form, status=400)
        choice = {
            "tie_winners": list(tie_form.cleaned_data["tie_winners"]),
            "tie_reason": tie_form.cleaned_data["tie_reason"],
        }
    try:
        winners = selection_services.selection_close(selection=selection, actor=request.user, **choice)
    except ApplicationError as exc:
        if exc.field in TIE_FIELDS:
            if tie_form is None:
                return _detail(request, selection, lines=lines, tie_notice=exc.message, status=400)
            add_service_error(tie_form, exc)
            return _detail(request, selection, lines=lines, tie_form=tie_form, status=400)
        return _detail(request, selection, lines=lines, close_errors=[exc.message], status=400)
    names = "、".join(applicant.cadre.name for applicant in winners)
    messages.success(request, _("The selection is closed. Selected: %(names)s.") % {"names": names})
    return redirect("cadres:selection_detail", pk=selection.pk)
