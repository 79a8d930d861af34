"""Annual training plans: the list by year, a plan with its classes and history, drafting, submitting, and 部领导's
approval or return."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.forms import form_service, form_status

from ..forms import ActionForm, PlanFilterForm, PlanForm, ReturnForm
from ..models import TrainingPlan
from ..permissions import (
    ADD_CLASS,
    ADD_PLAN,
    APPROVE_PLAN,
    CHANGE_PLAN,
    VIEW_CLASS,
    VIEW_PLAN,
    access_plan,
    require_list,
)
from ..selectors import plan_list
from ..services import plans as svc
from .common import SectionListView, section_page
from .queries import plan_classes, plan_history

Status = TrainingPlan.Status


class PlanListView(SectionListView):
    template_name = "training/plan_list.html"
    results_template_name = "training/plan_list_results.html"
    filter_form_class = PlanFilterForm
    list_perm = VIEW_PLAN
    section_current = "plans"

    def selector(self):
        return plan_list()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_add": self.request.user.has_perm(ADD_PLAN)}


index = PlanListView.as_view()


@login_required
def plan_new(request):
    require_list(request.user, VIEW_PLAN)
    require_list(request.user, ADD_PLAN)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        created = {}

        def act(data):
            created["plan"] = svc.plan_create(
                year=data["year"], title=data["title"], notes=data["notes"], actor=request.user
            )
            return created["plan"]

        if form_service(request, form, act, lambda plan: _("Plan %(title)s created.") % {"title": plan.title}):
            return redirect("training:plan_detail", pk=created["plan"].pk)
    context = {"form": form, "plan": None}
    return section_page(request, "training/plan_form.html", context, "plans", status=form_status(form))


@login_required
def plan_edit(request, pk: int):
    plan = access_plan(request.user, pk, CHANGE_PLAN)
    initial = {"title": plan.title, "notes": plan.notes}
    form = PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST":

        def act(data):
            return svc.plan_update(plan=plan, title=data["title"], notes=data["notes"], actor=request.user)

        if form_service(request, form, act, lambda p: _("Plan %(title)s saved.") % {"title": p.title}):
            return redirect("training:plan_detail", pk=plan.pk)
    context = {"form": form, "plan": plan}
    return section_page(request, "training/plan_form.html", context, "plans", status=form_status(form))


def _detail(request, plan: TrainingPlan, *, status: int = 200, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    may_change = user.has_perm(CHANGE_PLAN)
    may_approve = user.has_perm(APPROVE_PLAN)
    context = {
        "plan": plan,
        "classes": plan_classes(plan) if user.has_perm(VIEW_CLASS) else [],
        "history": plan_history(plan),
        "may_edit": may_change and plan.status == Status.DRAFT,
        "may_submit": may_change and plan.status == Status.DRAFT,
        "may_approve": may_approve and plan.status == Status.SUBMITTED,
        "may_add_class": user.has_perm(ADD_CLASS),
        "return_form": bound.get("return") or ReturnForm(prefix="return"),
        "submit_errors": bound.get("submit", []),
        "approve_errors": bound.get("approve", []),
    }
    return section_page(request, "training/plan_detail.html", context, "plans", status=status)


@login_required
def plan_detail(request, pk: int):
    return _detail(request, access_plan(request.user, pk))


def _plan_action(request, pk: int, perm: str, form, act, message: str, bound):
    """A button on the plan's page: done, back to the plan with `message` (about its title); refused, the plan's
    page again (400) with the refusal where `bound(form)` puts it."""
    plan = access_plan(request.user, pk, perm)
    if form_service(request, form, lambda data: act(plan, data), lambda p: message % {"title": p.title}):
        return redirect("training:plan_detail", pk=plan.pk)
    return _detail(request, plan, status=400, bound=bound(form))


@login_required
@require_POST
def plan_submit(request, pk: int):
    return _plan_action(
        request,
        pk,
        CHANGE_PLAN,
        ActionForm(request.POST),
        lambda plan, _d: svc.plan_submit(plan=plan, actor=request.user),
        _("Plan %(title)s submitted for approval."),
        lambda form: {"submit": form.non_field_errors()},
    )


@login_required
@require_POST
def plan_approve(request, pk: int):
    return _plan_action(
        request,
        pk,
        APPROVE_PLAN,
        ActionForm(request.POST),
        lambda plan, _d: svc.plan_approve(plan=plan, actor=request.user),
        _("Plan %(title)s approved: its classes may now take call-ups."),
        lambda form: {"approve": form.non_field_errors()},
    )


@login_required
@require_POST
def plan_return(request, pk: int):
    return _plan_action(
        request,
        pk,
        APPROVE_PLAN,
        ReturnForm(request.POST, prefix="return"),
        lambda plan, d: svc.plan_return(plan=plan, reason=d["reason"], actor=request.user),
        _("Plan %(title)s returned to the training section."),
        lambda form: {"return": form},
    )
