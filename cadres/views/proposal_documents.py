"""The appointment procedure's documents, asked of the document service from a round's or a proposal's page and
followed on the document's own page. Asking only queues a file for the one who asks (audited), so a link (GET)
may ask as a button (POST) does, as for a meeting's documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from orgdept.core.exceptions import ApplicationError

from ..permissions import access_proposal, access_round
from ..proposal_pdf import PROPOSAL_KINDS, ROUND_KINDS, proposal_document_request


@login_required
@require_http_methods(["GET", "POST"])
def round_document(request, pk: int, kind: str):
    """kind: approval-forms, summary, public-notice or appointment-notice."""
    document_kind = ROUND_KINDS.get(kind)
    if document_kind is None:
        raise Http404
    proposal_round = access_round(request.user, pk)
    try:
        document = proposal_document_request(kind=document_kind, proposal_round=proposal_round, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("cadres:round_detail", pk=pk)
    return redirect("core:document_detail", pk=document.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_document(request, pk: int, kind: str):
    """kind: approval-form, public-notice or appointment-notice."""
    document_kind = PROPOSAL_KINDS.get(kind)
    if document_kind is None:
        raise Http404
    proposal = access_proposal(request.user, pk)
    try:
        document = proposal_document_request(kind=document_kind, proposal=proposal, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("cadres:proposal_detail", pk=pk)
    return redirect("core:document_detail", pk=document.pk)
