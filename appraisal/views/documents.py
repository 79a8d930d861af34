"""The downloads of an appraisal, each audited and never cached: the group summary PDF and the xlsx export, a
person's result sheet, the unit report, the blank paper ballot of a voter group and a voter's own ballots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cadres.models import Unit
from orgdept.core.audit import audit_log
from orgdept.core.downloads import PDF, XLSX, attachment

from ..ballots_pdf import render_blank_ballot_pdf, render_own_ballots_pdf
from ..documents_pdf import render_result_sheet_pdf, render_unit_report_pdf, units_of
from ..models import Voter, VoterGroup
from ..permissions import access_result
from ..summary_pdf import render_summary_pdf, summary_workbook
from .common import ADD_BALLOT, CHANGE_CYCLE, VIEW_RESULT, access_cycle, require


@login_required
def summary_pdf(request, pk: int):
    cycle = access_cycle(request.user, pk, VIEW_RESULT)
    content, filename = render_summary_pdf(cycle, on=timezone.localdate())
    audit_log(actor=request.user, action="appraisal_results.summary_printed", obj=cycle, details={"file": filename})
    return attachment(content, PDF, filename)


@login_required
def results_export(request, pk: int):
    cycle = access_cycle(request.user, pk, VIEW_RESULT)
    content, filename = summary_workbook(cycle)
    audit_log(actor=request.user, action="appraisal_results.exported", obj=cycle, details={"file": filename})
    return attachment(content, XLSX, filename)


@login_required
def result_sheet(request, pk: int):
    """One result's sheet: staff who see the results, any; an appraised cadre, their own once published; anyone
    else 404 (as for every result they may not see)."""
    result = access_result(request.user, pk)
    member = result.member
    content, filename = render_result_sheet_pdf(result, on=timezone.localdate())
    audit_log(
        actor=request.user,
        action="appraisal_results.sheet_printed",
        obj=member.cadre or member.unit,
        details={"cycle": member.cycle_id, "result": result.pk, "file": filename},
    )
    return attachment(content, PDF, filename)


@login_required
def unit_report(request, pk: int):
    """Every unit of the cycle, a section each; `?unit=` one unit appraised in it (404 for any other)."""
    cycle = access_cycle(request.user, pk, VIEW_RESULT)
    unit = None
    if "unit" in request.GET:
        wanted = request.GET["unit"]
        if not wanted.isdigit() or int(wanted) not in units_of(cycle):
            raise Http404
        unit = Unit.objects.get(pk=int(wanted))
    content, filename = render_unit_report_pdf(cycle, on=timezone.localdate(), unit=unit)
    details = {"file": filename, "unit": unit.pk if unit else None}
    audit_log(actor=request.user, action="appraisal_results.unit_report_printed", obj=cycle, details=details)
    return attachment(content, PDF, filename)


@login_required
def blank_ballot(request, pk: int, voter_group_pk: int):
    """The paper ballot of a voter group, or with `?voter=` of one of its voters, named on it: for the office, who
    print and later enter the paper ballots."""
    cycle = access_cycle(request.user, pk, CHANGE_CYCLE)
    require(request.user, ADD_BALLOT)
    voter_group = get_object_or_404(VoterGroup.objects.select_related("cycle"), pk=voter_group_pk, cycle=cycle)
    voter = None
    if "voter" in request.GET:
        wanted = request.GET["voter"]
        if not wanted.isdigit():
            raise Http404
        voter = get_object_or_404(Voter, pk=int(wanted), voter_group=voter_group)
    content, filename = render_blank_ballot_pdf(voter_group, on=timezone.localdate(), voter=voter)
    details = {"cycle": cycle.pk, "voter": voter.pk if voter else None, "file": filename}
    audit_log(actor=request.user, action="appraisal_ballots.blank_printed", obj=voter_group, details=details)
    return attachment(content, PDF, filename)


@login_required
def own_ballots(request, voter_pk: int):
    """A voter's own ballots of one cycle: the voter alone; 404 to anyone else, staff included (as the ballot pages
    of one voter are theirs only)."""
    voter = get_object_or_404(Voter.objects.select_related("cycle", "voter_group"), pk=voter_pk, user=request.user)
    content, filename = render_own_ballots_pdf(voter, on=timezone.localdate())
    details = {"cycle": voter.cycle_id, "ballots": voter.ballots.count(), "file": filename}
    audit_log(actor=request.user, action="appraisal_ballots.own_printed", obj=voter, details=details)
    return attachment(content, PDF, filename)
