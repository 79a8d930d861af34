"""Meetings pages: a meeting's documents (notice, agenda pack, minutes, ballots), asked of the document service
and followed on the document's own page. The meeting page links here: asking for a document only queues a file
for the one who asks (audited), so a link (GET) may ask as a button (POST) does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError

from ..pdf import BALLOTS, BALLOTS_PER_PAGE, NOTICE, document_refusal, document_title
from ..permissions import access_meeting
from .meetings import DOCUMENT_KIND

# the kind as the address names it -> the document kind
KINDS = {**DOCUMENT_KIND, NOTICE: NOTICE}


def _ballot_params(data, meeting) -> dict:
    """Ballots: one or two to a sheet, and optionally those of one item only."""
    try:
        per_page = int(data.get("per_page") or 1)
    except ValueError:
        per_page = 1
    params = {"per_page": per_page if per_page in BALLOTS_PER_PAGE else 1}
    item = data.get("item")
    if item:
        if not item.isdigit() or not meeting.items.filter(pk=int(item)).exists():
            raise Http404
        params["item"] = int(item)
    return params


@login_required
@require_http_methods(["GET", "POST"])
def meeting_document(request, pk: int, kind: str):
    kind = KINDS.get(kind)
    if kind is None:
        raise Http404
    meeting = access_meeting(request.user, pk)
    refusal = document_refusal(kind, meeting)
    if refusal:
        messages.error(request, refusal)
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    params = {"meeting": meeting.pk}
    if kind == BALLOTS:
        params.update(_ballot_params(request.POST if request.method == "POST" else request.GET, meeting))
    try:
        document = document_request(kind=kind, params=params, title=document_title(kind, meeting), actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    return redirect("core:document_detail", pk=document.pk)
