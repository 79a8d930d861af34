"""Appraisal cycles: the list by year, a new cycle, the cycle's page with its set-up (groups and people, indicators
and their weights, voter groups, elements, voters) and the buttons that move it along."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.forms import form_service, form_status

from ..forms import (
    ActionForm,
    CycleForm,
    ElementForm,
    GroupForm,
    IndicatorForm,
    MembersForm,
    StepBackForm,
    VoterForm,
    VoterGroupForm,
)
from ..models import AppraisalCycle, AppraisalGroup
from ..selectors import cycles_list
from ..services import cycles as svc
from ..services import ratings
from ..services.common import fmt
from .common import ADD_CYCLE, CHANGE_CYCLE, VIEW_CYCLE, access_cycle, require

Status = AppraisalCycle.Status


@login_required
def index(request):
    require(request.user, VIEW_CYCLE)
    context = {"cycles": cycles_list(), "can_add": request.user.has_perm(ADD_CYCLE)}
    return render(request, "appraisal/index.html", context)


@login_required
def cycle_new(request):
    require(request.user, VIEW_CYCLE)
    require(request.user, ADD_CYCLE)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        created = {}

        def act(data):
            created["cycle"] = svc.cycle_create(
                year=data["year"],
                scope=data["scope"],
                indicator_weight=data["indicator_weight"],
                evaluation_weight=data["evaluation_weight"],
                actor=request.user,
            )
            return created["cycle"]

        if form_service(request, form, act, lambda c: _("Appraisal %(cycle)s created.") % {"cycle": c}):
            return redirect("appraisal:cycle", pk=created["cycle"].pk)
    return render(request, "appraisal/cycle_form.html", {"form": form}, status=form_status(form))


def _groups(cycle: AppraisalCycle) -> list[dict]:
    groups = []
    for group in cycle.groups.prefetch_related("members__cadre__unit", "members__unit", "indicators"):
        indicators = list(group.indicators.all())
        total = sum((i.weight for i in indicators), Decimal("0"))
        groups.append(
            {
                "group": group,
                "members": list(group.members.all()),
                "indicators": indicators,
                "weight_sum": fmt(total),
                "weight_ok": total == 100,
            }
        )
    return groups


def _sum(items) -> tuple[str, bool]:
    total = sum((i.weight for i in items), Decimal("0"))
    return fmt(total), total == 100


def cycle_page(request, cycle: AppraisalCycle, *, status: int = 200, bound: dict | None = None):
    """The cycle's page; `bound` holds the forms sent back with their errors (keyed as in the template)."""
    user = request.user
    bound = bound or {}
    cycle = AppraisalCycle.objects.select_related("created_by", "published_by").get(pk=cycle.pk)
    may_change = user.has_perm(CHANGE_CYCLE)
    setup = may_change and cycle.status == Status.SETUP
    voter_groups = list(cycle.voter_groups.all())
    elements = list(cycle.elements.all())
    groups = _groups(cycle)
    for entry in groups:
        group = entry["group"]
        entry["indicator_form"] = bound.get(f"indicator-{group.pk}") or IndicatorForm(prefix=f"i{group.pk}")
        entry["members_form"] = bound.get(f"members-{group.pk}") or MembersForm(prefix=f"m{group.pk}", group=group)
    voter_sum, voter_ok = _sum(voter_groups)
    element_sum, element_ok = _sum(elements)
    context = {
        "cycle": cycle,
        "groups": groups,
        "voter_groups": voter_groups,
        "voter_sum": voter_sum,
        "voter_ok": voter_ok,
        "elements": elements,
        "element_sum": element_sum,
        "element_ok": element_ok,
        "voters": list(cycle.voters.select_related("voter_group", "user").prefetch_related("scope")),
        "history": list(cycle.transitions.select_related("actor")),
        "setup": setup,
        "may_change": may_change,
        "may_publish": ratings.may_publish(user) and cycle.status == Status.RATING,
        "group_form": bound.get("group") or GroupForm(prefix="g"),
        "voter_group_form": bound.get("voter_group") or VoterGroupForm(prefix="vg"),
        "element_form": bound.get("element") or ElementForm(prefix="e"),
        "voter_form": bound.get("voter") or VoterForm(prefix="v", cycle=cycle),
        "step_back_form": bound.get("step_back") or StepBackForm(prefix="back"),
        "state_errors": bound.get("state", []),
        "evaluation_counts": cycle.evaluation_weight > 0,
    }
    return render(request, "appraisal/cycle_detail.html", context, status=status)


@login_required
def cycle_detail(request, pk: int):
    return cycle_page(request, access_cycle(request.user, pk))


def _setup_post(request, pk: int, key: str, make_form, act, message):
    """A set-up form on the cycle's page: saved, back to the page; refused, the page again with the form's errors."""
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    form = make_form(cycle)
    if form_service(request, form, lambda data: act(cycle, data), message):
        return redirect("appraisal:cycle", pk=cycle.pk)
    return cycle_page(request, cycle, status=400, bound={key(cycle) if callable(key) else key: form})


@login_required
@require_POST
def group_add(request, pk: int):
    return _setup_post(
        request,
        pk,
        "group",
        lambda cycle: GroupForm(request.POST, prefix="g"),
        lambda cycle, d: svc.group_create(cycle=cycle, name=d["name"], kind=d["kind"], actor=request.user),
        lambda g: _("Group %(name)s added.") % {"name": g.name},
    )


def _group_of(cycle, group_pk: int) -> AppraisalGroup:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(AppraisalGroup, pk=group_pk, cycle=cycle)


@login_required
@require_POST
def members_add(request, pk: int, group_pk: int):
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    group = _group_of(cycle, group_pk)
    form = MembersForm(request.POST, prefix=f"m{group.pk}", group=group)

    def act(data):
        return svc.members_add(
            group=group, cadres=data.get("cadres") or (), units=data.get("units") or (), actor=request.user
        )

    if form_service(request, form, act, lambda added: _("%(count)s added.") % {"count": len(added)}):
        return redirect("appraisal:cycle", pk=cycle.pk)
    return cycle_page(request, cycle, status=400, bound={f"members-{group.pk}": form})


@login_required
@require_POST
def indicator_add(request, pk: int, group_pk: int):
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    group = _group_of(cycle, group_pk)
    form = IndicatorForm(request.POST, prefix=f"i{group.pk}")

    def act(data):
        return svc.indicator_add(
            group=group,
            name=data["name"],
            kind=data["kind"],
            weight=data["weight"],
            max_score=data["max_score"],
            actor=request.user,
        )

    if form_service(request, form, act, lambda i: _("Indicator %(name)s added.") % {"name": i.name}):
        return redirect("appraisal:cycle", pk=cycle.pk)
    return cycle_page(request, cycle, status=400, bound={f"indicator-{group.pk}": form})


@login_required
@require_POST
def voter_group_add(request, pk: int):
    return _setup_post(
        request,
        pk,
        "voter_group",
        lambda cycle: VoterGroupForm(request.POST, prefix="vg"),
        lambda cycle, d: svc.voter_group_add(
            cycle=cycle, code=d["code"], name=d["name"], weight=d["weight"], actor=request.user
        ),
        lambda g: _("Voter group %(name)s added.") % {"name": g.name},
    )


@login_required
@require_POST
def element_add(request, pk: int):
    return _setup_post(
        request,
        pk,
        "element",
        lambda cycle: ElementForm(request.POST, prefix="e"),
        lambda cycle, d: svc.element_add(
            cycle=cycle, name=d["name"], weight=d["weight"], scale_max=d["scale_max"], actor=request.user
        ),
        lambda e: _("Element %(name)s added.") % {"name": e.name},
    )


@login_required
@require_POST
def voter_add(request, pk: int):
    return _setup_post(
        request,
        pk,
        "voter",
        lambda cycle: VoterForm(request.POST, prefix="v", cycle=cycle),
        lambda cycle, d: svc.voter_add(
            voter_group=d["voter_group"], name=d["name"], user=d["user"], groups=d["groups"], actor=request.user
        ),
        lambda v: _("Voter %(name)s added.") % {"name": v.name},
    )


# the state buttons: (service, the permission the button needs)
MOVES = {
    "open": (svc.cycle_open_evaluation, CHANGE_CYCLE),
    "close": (svc.cycle_close_evaluation, CHANGE_CYCLE),
    "rate": (ratings.cycle_start_rating, CHANGE_CYCLE),
    "publish": (ratings.cycle_publish, ratings.PUBLISH_PERMISSION),
    "archive": (svc.cycle_archive, CHANGE_CYCLE),
}
MOVE_MESSAGES = {
    "open": lambda: _("Democratic evaluation opened."),
    "close": lambda: _("Evaluation closed: the scores may be computed."),
    "rate": lambda: _("Results computed and ratings proposed."),
    "publish": lambda: _("Results published."),
    "archive": lambda: _("Appraisal archived."),
}


@login_required
@require_POST
def cycle_move(request, pk: int, move: str):
    if move not in MOVES:
        from django.http import Http404

        raise Http404
    service, perm = MOVES[move]
    cycle = access_cycle(request.user, pk, perm)
    form = ActionForm(request.POST)
    if form_service(request, form, lambda d: service(cycle=cycle, actor=request.user), lambda c: MOVE_MESSAGES[move]()):
        return redirect("appraisal:cycle", pk=cycle.pk)
    return cycle_page(request, cycle, status=400, bound={"state": form.non_field_errors()})


@login_required
@require_POST
def cycle_step_back(request, pk: int):
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    form = StepBackForm(request.POST, prefix="back")

    def act(data):
        return svc.cycle_step_back(cycle=cycle, reason=data["reason"], actor=request.user)

    if form_service(request, form, act, lambda c: _("Appraisal sent back one step.")):
        return redirect("appraisal:cycle", pk=cycle.pk)
    return cycle_page(request, cycle, status=400, bound={"step_back": form})
