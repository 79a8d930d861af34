"""What follows a published appraisal: who falls under each rule (with the rule and its years), and the talks
(提醒谈话, 诫勉谈话) recorded against them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.audit import audit_log
from orgdept.core.forms import form_service

from ..forms import TalkForm
from ..models import AppraisalCycle, Talk
from ..permissions import PUBLISHED
from ..selectors import consequences
from ..services.talks import talk_record
from .common import ADD_TALK, VIEW_RESULT, require

TALK_CODES = {"reminder": Talk.Kind.REMINDER, "admonishment": Talk.Kind.ADMONISHMENT}


def _published_years() -> list[int]:
    return sorted(set(AppraisalCycle.objects.filter(status__in=PUBLISHED).values_list("year", flat=True)), reverse=True)


def _year(request) -> int:
    """The year asked for, or the latest published one (this year when none is)."""
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        years = _published_years()
        return years[0] if years else timezone.localdate().year


def _page(request, year: int, *, status: int = 200, bound: dict | None = None):
    bound = bound or {}
    years = _published_years()
    found = consequences(year)
    talks = {}
    # a talk answers the appraisal it was held for: last year's talk does not stand for this year's
    for talk in Talk.objects.filter(cycle__year=year, cadre__in=[c.cadre.pk for c in found]):
        talks.setdefault((talk.cadre_id, talk.kind), []).append(talk)
    may_talk = request.user.has_perm(ADD_TALK)
    rows = []
    for item in found:
        kind = TALK_CODES.get(item.code)
        form = None
        if may_talk and kind:
            key = f"{item.cadre.pk}-{kind}"
            form = bound.get(key) or TalkForm(prefix=f"t{key}")
        rows.append({"item": item, "talks": talks.get((item.cadre.pk, kind), []), "form": form, "kind": kind})
    context = {"year": year, "years": years, "rows": rows}
    return render(request, "appraisal/consequences.html", context, status=status)


@login_required
def consequence_list(request):
    require(request.user, VIEW_RESULT)
    year = _year(request)
    audit_log(actor=request.user, action="appraisal_consequences.viewed", details={"year": year})
    return _page(request, year)


@login_required
@require_POST
def talk_new(request, cadre_pk: int, kind: str):
    """A talk with a cadre on the year's list under a rule that calls for that kind of talk; 404 for anyone else."""
    if not request.user.has_perm(VIEW_RESULT) or kind not in TALK_CODES:
        raise Http404
    require(request.user, ADD_TALK)
    year = _year(request)
    listed = [c for c in consequences(year) if c.cadre.pk == cadre_pk and TALK_CODES.get(c.code) == TALK_CODES[kind]]
    if not listed:
        raise Http404
    cadre = listed[0].cadre
    key = f"{cadre.pk}-{kind}"
    form = TalkForm(request.POST, prefix=f"t{key}")
    cycle = (
        AppraisalCycle.objects.filter(year=year, status__in=PUBLISHED, groups__members__cadre=cadre)
        .order_by("-published_at")
        .first()
    )

    def act(data):
        return talk_record(
            cadre=cadre,
            kind=TALK_CODES[kind],
            held_on=data["held_on"],
            held_by=data["held_by"],
            notes=data["notes"],
            cycle=cycle,
            actor=request.user,
        )

    if form_service(request, form, act, lambda t: _("Talk with %(name)s recorded.") % {"name": cadre.name}):
        return redirect(f"{reverse('appraisal:consequences')}?year={year}")
    return _page(request, year, status=400, bound={key: form})
