"""调训 on a class's page: the cadres found by name, pinyin initials, unit and rank, each with this year's training
load, ticked and called up at once; an overlap with another class is refused naming it, and goes through when a
reason is given. Withdrawing a cadre with a reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.forms_selection import cadre_search
from cadres.selectors import cadre_list
from orgdept.core.forms import form_service, form_status

from ..forms import CallUpForm, CandidateFilterForm, WithdrawForm
from ..permissions import ADD_ENROLMENT, CHANGE_ENROLMENT, access_class, access_enrolment
from ..services.enrolment import call_up, enrolment_withdraw, unit_training_load
from .common import section_page

# the call-up list shows this many cadres at most: a search narrows it
CANDIDATES_SHOWN = 60


def _filter_form(request) -> CandidateFilterForm:
    data = request.POST if request.method == "POST" else request.GET
    keys = ("q", "unit", "rank")
    return CandidateFilterForm({k: data.get(k, "") for k in keys} if any(data.get(k) for k in keys) else None)


def _candidates(request, training_class, filter_form: CandidateFilterForm, ticked=()) -> dict:
    """The cadres listed for ticking: those matching the filter (at most CANDIDATES_SHOWN) after those already
    ticked, each with their training load in the class's year."""
    visible = cadre_list(user=request.user)
    found = []
    more = False
    if filter_form.chosen():
        data = filter_form.cleaned_data
        matches = visible
        if data.get("q"):
            matches = cadre_search(matches, data["q"])
        if data.get("unit"):
            matches = matches.filter(unit=data["unit"])
        if data.get("rank"):
            matches = matches.filter(rank=data["rank"])
        found = list(matches[: CANDIDATES_SHOWN + 1])
        more = len(found) > CANDIDATES_SHOWN
        found = found[:CANDIDATES_SHOWN]
    ticked_ids = [int(pk) for pk in ticked if str(pk).isdigit()]
    shown = {c.pk for c in found}
    extra = [c for c in visible.filter(pk__in=ticked_ids) if c.pk not in shown] if ticked_ids else []
    candidates = extra + found
    loads = unit_training_load(units_or_cadres=[c.pk for c in candidates], year=training_class.start_date.year)
    enrolled = set(training_class.enrolments.exclude(status="withdrawn").values_list("cadre_id", flat=True))
    targets = set(training_class.target_ranks)
    rows = [
        {
            "cadre": c,
            "load": loads.get(c.pk),
            "enrolled": c.pk in enrolled,
            "ticked": c.pk in ticked_ids,
            "off_target": bool(targets) and c.rank not in targets,
        }
        for c in candidates
    ]
    return {
        "candidate_filter": filter_form,
        "candidates": rows,
        "more_candidates": more,
        "candidates_limit": CANDIDATES_SHOWN,
        "year": training_class.start_date.year,
    }


def callup_context(request, training_class, active, bound: CallUpForm | None) -> dict:
    """What the class page's call-up section needs: the filter, the form (bound after a refusal) and the list."""
    filter_form = _filter_form(request)
    ticked = request.POST.getlist("cadres") if bound is not None else ()
    form = bound or CallUpForm(cadres=cadre_list(user=request.user))
    return {
        "callup_form": form,
        "show_reason": bound is not None
        and bool(bound.errors.get("overlap_reason") or bound.data.get("overlap_reason")),
        "used": len(active),
        **_candidates(request, training_class, filter_form, ticked),
    }


def candidates_partial(request, training_class):
    """The list of cadres under the filter, for htmx as the filter changes."""
    context = {"training_class": training_class, **_candidates(request, training_class, _filter_form(request))}
    return render(request, "training/candidate_rows.html", context)


@login_required
@require_POST
def class_call_up(request, pk: int):
    training_class = access_class(request.user, pk, ADD_ENROLMENT)
    form = CallUpForm(request.POST, cadres=cadre_list(user=request.user))
    done = form_service(
        request,
        form,
        lambda d: call_up(
            training_class=training_class,
            cadres=list(d["cadres"]),
            overlap_reason=d["overlap_reason"],
            actor=request.user,
        ),
        lambda enrolments: (
            _("%(n)s cadres called up: %(names)s.")
            % {"n": len(enrolments), "names": "、".join(e.cadre.name for e in enrolments)}
        ),
    )
    if done:
        return redirect(reverse("training:class_detail", args=[training_class.pk]) + "#enrolments")
    from .classes import class_detail_page

    return class_detail_page(request, training_class, status=form_status(form), bound={"callup": form})


@login_required
def enrolment_withdraw_view(request, pk: int):
    enrolment = access_enrolment(request.user, pk, CHANGE_ENROLMENT)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        done = form_service(
            request,
            form,
            lambda d: enrolment_withdraw(enrolment=enrolment, reason=d["reason"], actor=request.user),
            lambda e: _("%(name)s withdrawn from the class.") % {"name": e.cadre.name},
        )
        if done:
            return redirect(reverse("training:class_detail", args=[enrolment.training_class_id]) + "#enrolments")
    context = {"form": form, "enrolment": enrolment, "training_class": enrolment.training_class}
    return section_page(request, "training/withdraw_form.html", context, "classes", status=form_status(form))
