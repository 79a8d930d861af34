"""Work areas and portfolio plans (分工): the catalogue, the versions of a term, the coverage matrix and its PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from .. import services
from ..coverage import AreaCoverage, Coverage
from ..forms_portfolios import (
    PlanActivateForm,
    PlanCellForm,
    PlanFilterForm,
    PlanForm,
    WorkAreaFilterForm,
    WorkAreaForm,
)
from ..models import PortfolioAssignment, PortfolioPlan, TermMember, WorkArea
from ..pdf import KIND as PDF_KIND
from ..permissions import access_plan, access_term, access_work_area
from ..selectors import current_term, plan_coverage, plan_in_force, plan_lead_changes, plan_leads, portfolio_plans

Kind = PortfolioAssignment.Kind
VIEW_PLAN, CHANGE_PLAN, ADD_PLAN = (
    "committees.view_portfolioplan",
    "committees.change_portfolioplan",
    "committees.add_portfolioplan",
)
# a click on a cell moves it on: empty → lead → assisting → empty
NEXT_KIND = {None: Kind.LEAD, Kind.LEAD: Kind.ASSIST, Kind.ASSIST: None}
CELL_LABELS = {
    Kind.LEAD: gettext_lazy("Lead"),
    Kind.ASSIST: gettext_lazy("Assisting"),
    None: gettext_lazy("not assigned"),
}


# --- the entry point -------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_PLAN, raise_exception=True)
def portfolio(request):
    """常委分工: the draft being prepared (for who may change it), else the plan in force, else the versions."""
    term = current_term()
    if term is None:
        return render(request, "committees/plan_none.html")
    if request.user.has_perm(CHANGE_PLAN):
        draft = term.portfolio_plans.filter(status=PortfolioPlan.Status.DRAFT).first()
        if draft is not None:
            return redirect("committees:plan_detail", pk=draft.pk)
    in_force = plan_in_force(term=term)
    if in_force is not None:
        return redirect("committees:plan_detail", pk=in_force.pk)
    return redirect("committees:plan_list", pk=term.pk)


# --- the work-area catalogue -----------------------------------------------------------------------------------


class WorkAreaListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "committees.view_workarea"
    template_name = "committees/work_area_list.html"
    results_template_name = "committees/work_area_list_results.html"
    filter_form_class = WorkAreaFilterForm

    def selector(self):
        return WorkArea.objects.order_by("order", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        areas = list(ctx["object_list"])
        term = current_term()
        plan = plan_in_force(term=term) if term is not None else None
        leads = plan_leads(plan, areas=areas) if plan is not None else {}
        ctx["rows"] = [{"area": area, "leads": leads.get(area.pk, [])} for area in areas]
        ctx["plan"] = plan
        ctx["term"] = term
        ctx["can_add"] = self.request.user.has_perm("committees.add_workarea")
        ctx["can_change"] = self.request.user.has_perm("committees.change_workarea")
        return ctx


work_area_list = WorkAreaListView.as_view()


@login_required
@permission_required("committees.add_workarea", raise_exception=True)
def work_area_create(request):
    form = WorkAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.work_area_create(**form.cleaned_data, actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Work area %(name)s added.") % {"name": area.name})
            return redirect("committees:work_area_list")
    status = form_status(form)
    return render(request, "committees/work_area_form.html", {"form": form, "area": None}, status=status)


@login_required
def work_area_edit(request, pk: int):
    area = access_work_area(request.user, pk, "committees.change_workarea")
    initial = {f: getattr(area, f) for f in ("name", "description", "order", "active")}
    form = WorkAreaForm(request.POST or None, initial=initial, area=area)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.work_area_update(area=area, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Work area %(name)s saved.") % {"name": area.name})
            return redirect("committees:work_area_list")
    status = form_status(form)
    return render(request, "committees/work_area_form.html", {"form": form, "area": area}, status=status)


# --- a term's versions -----------------------------------------------------------------------------------------


class PlanListView(LoginRequiredMixin, FilteredListView):
    template_name = "committees/plan_list.html"
    results_template_name = "committees/plan_list_results.html"
    filter_form_class = PlanFilterForm

    def selector(self):
        self.term = access_term(self.request.user, self.kwargs["pk"], VIEW_PLAN)
        return portfolio_plans(term=self.term)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["term"] = self.term
        ctx["draft"] = self.term.portfolio_plans.filter(status=PortfolioPlan.Status.DRAFT).first()
        ctx["in_force"] = plan_in_force(term=self.term)
        ctx["can_draft"] = self.term.is_current and user.has_perm(ADD_PLAN)
        ctx["can_change"] = user.has_perm(CHANGE_PLAN)
        ctx["today"] = timezone.localdate()
        return ctx


plan_list = PlanListView.as_view()


@login_required
@require_POST
def plan_create(request, pk: int):
    term = access_term(request.user, pk, ADD_PLAN)
    try:
        plan = services.portfolio_plan_create(term=term, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("committees:plan_list", pk=term.pk)
    if plan.based_on is not None:
        messages.success(
            request,
            _("Version %(version)s drafted from version %(based_on)s: change the cells, then put it in force.")
            % {"version": plan.version, "based_on": plan.based_on.version},
        )
    else:
        messages.success(
            request,
            _("Version %(version)s drafted: assign a lead to every area, then put it in force.")
            % {"version": plan.version},
        )
    return redirect("committees:plan_detail", pk=plan.pk)


# --- the coverage matrix ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    area: WorkArea
    member: TermMember
    kind: str | None
    next_kind: str | None
    unavailable: bool

    @property
    def label(self) -> str:
        return str(CELL_LABELS[self.kind])

    @property
    def css(self) -> str:
        return self.kind or "none"

    @property
    def next_value(self) -> str:
        return self.next_kind or "none"

    @property
    def aria_label(self) -> str:
        return _("%(area)s, %(member)s: %(state)s. Press to change to %(next)s.") % {
            "area": self.area.name,
            "member": self.member.cadre.name,
            "state": CELL_LABELS[self.kind],
            "next": CELL_LABELS[self.next_kind] if self.next_kind else _("not assigned"),
        }


@dataclass
class Row:
    coverage: AreaCoverage
    cells: list[Cell]

    @property
    def area(self) -> WorkArea:
        return self.coverage.area

    @property
    def is_gap(self) -> bool:
        return self.coverage.is_gap

    @property
    def is_overlap(self) -> bool:
        return self.coverage.is_overlap

    @property
    def css(self) -> str:
        classes = []
        if self.is_gap:
            classes.append("row-gap")
        if self.is_overlap:
            classes.append("row-overlap")
        if not self.area.active:
            classes.append("row-retired")
        return " ".join(classes)


def coverage_day(plan: PortfolioPlan):
    """The day the matrix is checked on: today for a draft or the plan in force, its first day for an old one."""
    today = timezone.localdate()
    if plan.status == PortfolioPlan.Status.SUPERSEDED:
        return plan.effective_from
    if plan.effective_from and plan.effective_from > today:
        return plan.effective_from
    return today


def matrix_rows(coverage: Coverage) -> list[Row]:
    unavailable = {(a.area.pk, m.pk) for a, m, _why in coverage.unavailable_leads}
    rows = []
    for area_coverage in coverage.areas:
        area = area_coverage.area
        cells = []
        for member in coverage.members:
            kind = coverage.cells.get((member.pk, area.pk))
            cells.append(
                Cell(
                    area=area,
                    member=member,
                    kind=kind,
                    next_kind=NEXT_KIND[kind],
                    unavailable=(area.pk, member.pk) in unavailable,
                )
            )
        rows.append(Row(coverage=area_coverage, cells=cells))
    return rows


def may_edit(user, plan: PortfolioPlan) -> bool:
    return plan.is_draft and plan.term.is_current and user.has_perm(CHANGE_PLAN)


def matrix_context(request, plan: PortfolioPlan, *, cell_error: str = "") -> dict:
    on = coverage_day(plan)
    coverage = plan_coverage(plan, on=on)
    departed = {m.pk for m in coverage.members if not m.serves_on(on) or m.role not in TermMember.STANDING_ROLES}
    return {
        "plan": plan,
        "on": on,
        "coverage": coverage,
        "rows": matrix_rows(coverage),
        "problems": coverage.problems(),
        "idle_members": [m for m in coverage.members_without_areas() if m.pk not in departed],
        "departed": departed,
        "editable": may_edit(request.user, plan),
        "cell_error": cell_error,
    }


def detail_context(request, plan: PortfolioPlan, *, plan_form=None, activate_form=None) -> dict:
    user = request.user
    editable = may_edit(user, plan)
    if editable and plan_form is None:
        plan_form = PlanForm(initial={"title": plan.title, "note": plan.note})
    ctx = matrix_context(request, plan)
    ctx.update(
        {
            "lead_changes": plan_lead_changes(plan),
            "plan_form": plan_form,
            "activate_form": activate_form or (PlanActivateForm() if editable else None),
            "can_discard": editable,
            "may_draft": plan.term.is_current and not plan.is_draft and user.has_perm(ADD_PLAN),
            "today": timezone.localdate(),
        }
    )
    return ctx


@login_required
def plan_detail(request, pk: int):
    """The coverage matrix; on a draft, 组织科 also edits its title and note here (POST)."""
    if request.method == "POST":
        plan = access_plan(request.user, pk, CHANGE_PLAN)
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.portfolio_plan_update(plan=plan, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("committees:plan_detail", pk=plan.pk)
        return render(request, "committees/plan_detail.html", detail_context(request, plan, plan_form=form), status=400)
    plan = access_plan(request.user, pk, VIEW_PLAN)
    return render(request, "committees/plan_detail.html", detail_context(request, plan))


@login_required
@require_POST
def plan_cell(request, pk: int):
    """Sets one member's part in one area; htmx gets the matrix back, a plain form post is redirected."""
    plan = access_plan(request.user, pk, CHANGE_PLAN)
    form = PlanCellForm(request.POST, plan=plan)
    error = ""
    area = None
    if form.is_valid():
        area = form.cleaned_data["area"]
        try:
            services.portfolio_assignment_set(
                plan=plan,
                area=area,
                member=form.cleaned_data["member"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        return render(request, "committees/plan_matrix.html", matrix_context(request, plan, cell_error=error))
    if error:
        messages.error(request, error)
    url = reverse("committees:plan_detail", args=[plan.pk])
    return redirect(f"{url}#area-{area.pk}" if area is not None else url)


@login_required
@require_POST
def plan_activate(request, pk: int):
    plan = access_plan(request.user, pk, CHANGE_PLAN)
    form = PlanActivateForm(request.POST)
    if form.is_valid():
        try:
            plan = services.portfolio_plan_activate(
                plan=plan, effective_from=form.cleaned_data["effective_from"], actor=request.user
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s is in force from %(date)s.")
                % {"version": plan.version, "date": f"{plan.effective_from:%Y-%m-%d}"},
            )
            return redirect("committees:plan_detail", pk=plan.pk)
    ctx = detail_context(request, plan, activate_form=form if may_edit(request.user, plan) else None)
    return render(request, "committees/plan_detail.html", ctx, status=400)


@login_required
@require_POST
def plan_discard(request, pk: int):
    plan = access_plan(request.user, pk, CHANGE_PLAN)
    term_pk, version = plan.term_id, plan.version
    try:
        services.portfolio_plan_discard(plan=plan, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("committees:plan_detail", pk=plan.pk)
    messages.success(request, _("The draft of version %(version)s was discarded.") % {"version": version})
    return redirect("committees:plan_list", pk=term_pk)


@login_required
@require_POST
def plan_pdf(request, pk: int):
    plan = access_plan(request.user, pk, VIEW_PLAN)
    title = f"{plan}分工表" + ("（草稿）" if plan.is_draft else "")
    try:
        document = document_request(kind=PDF_KIND, params={"plan": plan.pk}, title=title, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("committees:plan_detail", pk=plan.pk)
    return redirect("core:document_detail", pk=document.pk)
