"""The democratic evaluation's ballots: a voter's own page (the people they are to evaluate, a form each, their
ballots once cast) and the office's entry of a named voter's paper ballots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.audit import audit_log
from orgdept.core.forms import form_service, form_status

from ..forms import BallotForm, PaperBallotForm
from ..models import AppraisalCycle, Ballot, GroupMember, Voter
from ..permissions import voter_members
from ..services import ballots as svc
from .common import ADD_BALLOT, CHANGE_CYCLE, access_cycle

Status = AppraisalCycle.Status


def _voters(user):
    return list(
        Voter.objects.filter(user=user)
        .select_related("cycle", "voter_group")
        .prefetch_related("scope")
        .order_by("-cycle__year", "cycle__scope")
    )


def _sheets(user, bound: dict | None = None) -> list[dict]:
    """Per cycle the user votes in: each person to evaluate with their ballot, or a form while evaluation is open."""
    bound = bound or {}
    sheets = []
    for voter in _voters(user):
        cycle = voter.cycle
        elements = list(cycle.elements.all())
        cast = {b.member_id: b for b in Ballot.objects.filter(voter=voter).prefetch_related("lines__element")}
        members = voter_members(voter)
        rows = []
        for member in members:
            ballot = cast.get(member.pk)
            form, sent = None, bound.get(member.pk)
            if ballot is None and cycle.status == Status.EVALUATION:
                form = sent or BallotForm(prefix=f"b{member.pk}", elements=elements)
            # a refusal of a ballot already cast (the second one) is shown next to the ballot that stands
            errors = sent.non_field_errors() if sent is not None and form is None else []
            rows.append({"member": member, "ballot": ballot, "form": form, "errors": errors})
        sheets.append({"voter": voter, "cycle": cycle, "rows": rows, "open": cycle.status == Status.EVALUATION})
    return sheets


@login_required
def my_ballots(request):
    """Only the user's own ballots: 403 to who is not a voter of any appraisal."""
    if not Voter.objects.filter(user=request.user).exists():
        raise PermissionDenied
    return render(request, "appraisal/my_ballots.html", {"sheets": _sheets(request.user)})


@login_required
@require_POST
def ballot_submit(request, voter_pk: int, member_pk: int):
    voter = get_object_or_404(Voter.objects.select_related("cycle"), pk=voter_pk, user=request.user)
    member = get_object_or_404(GroupMember.objects.select_related("cadre", "unit"), pk=member_pk, cycle=voter.cycle)
    form = BallotForm(request.POST, prefix=f"b{member.pk}", elements=list(voter.cycle.elements.all()))

    def act(data):
        return svc.ballot_submit(voter=voter, member=member, scores=form.scores(), actor=request.user)

    if form_service(request, form, act, lambda b: _("Your ballot on %(name)s is saved.") % {"name": member.label}):
        return redirect("appraisal:my_ballots")
    context = {"sheets": _sheets(request.user, {member.pk: form})}
    return render(request, "appraisal/my_ballots.html", context, status=400)


@login_required
def paper_ballots(request, pk: int):
    """考核办 enter the paper ballots of named voters, one at a time, while evaluation is open."""
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    if not request.user.has_perm(ADD_BALLOT):
        raise PermissionDenied
    elements = list(cycle.elements.all())
    voters = cycle.voters.filter(user__isnull=True).select_related("voter_group")
    members = GroupMember.objects.filter(cycle=cycle).select_related("group", "cadre", "unit")
    form = PaperBallotForm(request.POST or None, elements=elements, voters=voters, members=members)
    if request.method == "POST":

        def act(data):
            return svc.ballot_enter_paper(
                voter=data["voter"], member=data["member"], scores=form.scores(), actor=request.user
            )

        message = _("Paper ballot of %(voter)s on %(name)s entered.")
        if form_service(request, form, act, lambda b: message % {"voter": b.voter.name, "name": b.member.label}):
            return redirect("appraisal:paper_ballots", pk=cycle.pk)
    ballots = Ballot.objects.filter(voter__cycle=cycle, paper=True).select_related(
        "voter__voter_group", "member__cadre", "member__unit"
    )
    if request.method == "GET":  # real-name ballots with their totals: personnel data
        audit_log(actor=request.user, action="appraisal_ballots.viewed", obj=cycle, details={"paper": True})
    context = {"cycle": cycle, "form": form, "ballots": ballots, "open": cycle.status == Status.EVALUATION}
    return render(request, "appraisal/paper_ballots.html", context, status=form_status(form))
