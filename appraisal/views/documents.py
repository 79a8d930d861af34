"""The downloads of a cycle's results: the summary PDF and the xlsx export, audited, never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone

from orgdept.core.audit import audit_log

from ..summary_pdf import render_summary_pdf, summary_workbook
from .common import PDF, VIEW_RESULT, XLSX, access_cycle, attachment


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
