"""Scores and ratings: a group's indicator scores entered as a table, the computation, the results table per group
with the proposed and the set ratings (the quota and training refusals next to the field), and an appraised
cadre's own published result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import form_service

from ..forms import ActionForm, RatingForm, ScoresForm, TeamRatingForm
from ..models import AppraisalCycle, AppraisalGroup, AppraisalResult, GroupMember, IndicatorScore
from ..permissions import PUBLISHED
from ..services import ratings
from ..services import scores as score_services
from .common import CHANGE_CYCLE, CHANGE_RESULT, VIEW_RESULT, access_cycle

Status = AppraisalCycle.Status


def _group(cycle, group_pk: int) -> AppraisalGroup:
    return get_object_or_404(AppraisalGroup, pk=group_pk, cycle=cycle)


@login_required
def scores_entry(request, pk: int, group_pk: int):
    """The group's scores as a table: one field per person and indicator; saved all together or not at all."""
    cycle = access_cycle(request.user, pk, "appraisal.add_indicatorscore")
    group = _group(cycle, group_pk)
    members = list(group.members.select_related("cadre", "unit"))
    indicators = list(group.indicators.all())
    stored = {(s.member_id, s.indicator_id): s.score for s in IndicatorScore.objects.filter(member__group=group)}
    form = ScoresForm(request.POST or None, members=members, indicators=indicators, scores=stored)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            typed = list(form.entries())
            names = {(member.pk, indicator.pk): name for member, indicator, name, _value in typed}
            try:
                score_services.scores_enter(
                    group=group, entries=[(m, i, value) for m, i, _name, value in typed], actor=request.user
                )
            except ApplicationError as exc:
                cells = exc.extra.get("cells") or {}
                for key, message in cells.items():
                    form.add_error(names.get(key), message)
                if not cells:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": len(typed)})
                return redirect("appraisal:scores", pk=cycle.pk, group_pk=group.pk)
        status = 400
    else:
        # everyone's scores of the group are on the page: who looked is kept, as for the results table
        audit_log(
            actor=request.user,
            action="appraisal_scores.viewed",
            obj=cycle,
            details={"group": group.pk, "group_name": group.name, "members": len(members)},
        )
    open_ = cycle.status in (Status.EVALUATION, Status.SCORING)
    context = {"cycle": cycle, "group": group, "form": form, "indicators": indicators, "open": open_}
    return render(request, "appraisal/scores.html", context, status=status)


def results_page(request, cycle: AppraisalCycle, *, status: int = 200, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    rating_open = cycle.status == Status.RATING and user.has_perm(CHANGE_RESULT)
    results = AppraisalResult.objects.filter(member__cycle=cycle).select_related(
        "member__group", "member__cadre", "member__unit", "rated_by"
    )
    by_group: dict[int, list] = {}
    for result in results.order_by("member__group__order", "member__group_id", "rank", "member_id"):
        form = None
        if rating_open:
            if result.member.cadre_id:
                form = bound.get(result.pk) or RatingForm(prefix=f"r{result.pk}", initial={"rating": result.rating})
            else:
                form = bound.get(result.pk) or TeamRatingForm(
                    prefix=f"r{result.pk}", initial={"team_rating": result.team_rating}
                )
        by_group.setdefault(result.member.group_id, []).append({"result": result, "form": form})
    groups = [{"group": g, "rows": by_group.get(g.pk, [])} for g in cycle.groups.all()]
    audit_log(actor=user, action="appraisal_results.viewed", obj=cycle, details={"results": len(results)})
    context = {
        "cycle": cycle,
        "groups": groups,
        "rating_open": rating_open,
        "may_compute": cycle.status == Status.SCORING and user.has_perm(CHANGE_CYCLE),
        "may_score": cycle.status in (Status.EVALUATION, Status.SCORING) and user.has_perm(CHANGE_CYCLE),
        "action_errors": bound.get("action", []),
    }
    return render(request, "appraisal/results.html", context, status=status)


@login_required
def results(request, pk: int):
    cycle = access_cycle(request.user, pk, VIEW_RESULT)
    return results_page(request, cycle)


@login_required
@require_POST
def results_compute(request, pk: int):
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    form = ActionForm(request.POST)
    act = lambda d: ratings.results_compute(cycle=cycle, actor=request.user)  # noqa: E731
    if form_service(request, form, act, lambda r: _("%(count)s results computed.") % {"count": len(r)}):
        return redirect("appraisal:results", pk=cycle.pk)
    return results_page(request, cycle, status=400, bound={"action": form.non_field_errors()})


@login_required
@require_POST
def ratings_accept(request, pk: int):
    cycle = access_cycle(request.user, pk, CHANGE_RESULT)
    form = ActionForm(request.POST)
    act = lambda d: ratings.ratings_accept_proposed(cycle=cycle, actor=request.user)  # noqa: E731
    if form_service(request, form, act, lambda n: _("%(count)s proposed ratings accepted.") % {"count": n}):
        return redirect("appraisal:results", pk=cycle.pk)
    return results_page(request, cycle, status=400, bound={"action": form.non_field_errors()})


@login_required
@require_POST
def rating_set(request, pk: int):
    """One person's rating (or one team's) set by hand."""
    if not request.user.has_perm("appraisal.view_appraisalcycle"):
        raise Http404
    result = get_object_or_404(AppraisalResult.objects.select_related("member__cycle", "member__cadre"), pk=pk)
    if not request.user.has_perm(CHANGE_RESULT):
        raise PermissionDenied
    cycle = result.member.cycle
    if result.member.cadre_id:
        form = RatingForm(request.POST, prefix=f"r{result.pk}")
        act = lambda d: ratings.rating_set(result=result, rating=d["rating"], actor=request.user)  # noqa: E731
    else:
        form = TeamRatingForm(request.POST, prefix=f"r{result.pk}")
        act = lambda d: ratings.team_rating_set(  # noqa: E731
            result=result, team_rating=d["team_rating"], actor=request.user
        )
    if form_service(request, form, act, lambda r: _("Rating of %(name)s saved.") % {"name": r.member.label}):
        return redirect("appraisal:results", pk=cycle.pk)
    return results_page(request, cycle, status=400, bound={result.pk: form})


# how many people the result's group holds, counted in the one query of the list
_group_sizes = (
    GroupMember.objects.filter(group_id=OuterRef("member__group_id"))
    .order_by()
    .values("group_id")
    .annotate(size=Count("pk"))
    .values("size")
)


@login_required
def my_results(request):
    """An appraised cadre's own results, once published; nothing of anyone else's."""
    mine = list(
        AppraisalResult.objects.filter(member__cadre__user=request.user, member__cycle__status__in=PUBLISHED)
        .select_related("member__group", "member__cycle", "member__cadre")
        .annotate(group_size=Subquery(_group_sizes))
        .order_by("-member__cycle__year", "member__cycle__scope")
    )
    if mine:
        # the cadre is the object, as for a transcript: their file's audit trail shows who read their results
        audit_log(
            actor=request.user,
            action="appraisal_results.viewed_own",
            obj=mine[0].member.cadre,
            details={"results": [r.pk for r in mine]},
        )
    rows = [{"result": r, "size": r.group_size} for r in mine]
    return render(request, "appraisal/mine.html", {"rows": rows})
