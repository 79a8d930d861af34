"""A cadre's training transcript (学时档案): the requirement status, the ledger, classes not completed, recording
online or external study with its evidence, and the transcript as a PDF. Every view and download is audited; a
cadre whose user account is linked reads their own."""

from __future__ import annotations

import mimetypes
import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.audit import audit_log
from orgdept.core.downloads import PDF, attachment
from orgdept.core.forms import form_service

from ..forms import CreditForm
from ..models import CreditEntry
from ..permissions import ADD_CREDIT, access_transcript, may_read_transcripts
from ..selectors import transcript
from ..services.credits import credit_record
from ..transcript_pdf import render_transcript_pdf
from .common import section_page


def _page(request, cadre, *, form=None, status: int = 200):
    today = timezone.localdate()
    data = transcript(cadre, on=today)
    may_record = request.user.has_perm(ADD_CREDIT)
    if request.method == "GET":
        audit_log(
            actor=request.user,
            action="training.transcript_viewed",
            obj=cadre,
            details={"on": today.isoformat(), "own": cadre.user_id == request.user.pk},
        )
    context = {
        **data,
        "credit_form": (form or CreditForm(prefix="credit")) if may_record else None,
        "staff_view": may_read_transcripts(request.user),
    }
    return section_page(request, "training/transcript.html", context, "", status=status)


@login_required
def transcript_view(request, pk: int):
    return _page(request, access_transcript(request.user, pk))


@login_required
def my_transcript(request):
    """The signed-in cadre's own transcript (a cadre whose user account is linked to their file)."""
    cadre = getattr(request.user, "cadre", None)
    if cadre is None:
        raise Http404
    return redirect("training:transcript", pk=cadre.pk)


@login_required
@require_POST
def credit_new(request, pk: int):
    cadre = access_transcript(request.user, pk)
    if not request.user.has_perm(ADD_CREDIT):
        raise PermissionDenied
    form = CreditForm(request.POST, request.FILES, prefix="credit")
    done = form_service(
        request,
        form,
        lambda d: credit_record(
            cadre=cadre,
            source=d["source"],
            title=d["title"],
            hours=d["hours"],
            earned_on=d["earned_on"],
            organiser=d["organiser"],
            evidence=d["evidence"],
            note=d["note"],
            actor=request.user,
        ),
        lambda entry: (
            _("%(hours)s hours of %(title)s recorded for %(name)s.")
            % {"hours": entry.hours.normalize(), "title": entry.title, "name": cadre.name}
        ),
    )
    if done:
        return redirect(reverse("training:transcript", args=[cadre.pk]) + "#ledger")
    return _page(request, cadre, form=form, status=400)


@login_required
def transcript_pdf(request, pk: int):
    cadre = access_transcript(request.user, pk)
    today = timezone.localdate()
    content, filename = render_transcript_pdf(cadre, on=today)
    audit_log(
        actor=request.user,
        action="training.transcript_exported",
        obj=cadre,
        details={"on": today.isoformat(), "format": "pdf", "own": cadre.user_id == request.user.pk},
    )
    return attachment(content, PDF, filename)


@login_required
def evidence_download(request, pk: int):
    """The evidence of a ledger line, for who may read the cadre's transcript; audited as part of it."""
    entry = get_object_or_404(CreditEntry.objects.select_related("cadre"), pk=pk)
    cadre = access_transcript(request.user, entry.cadre_id)
    if not entry.evidence:
        raise Http404
    try:
        with entry.evidence.open("rb") as handle:
            content = handle.read()
    except OSError:
        raise Http404 from None
    name = os.path.basename(entry.evidence.name)
    audit_log(
        actor=request.user,
        action="training.transcript_exported",
        obj=cadre,
        details={"evidence": entry.evidence.name, "entry": entry.pk, "own": cadre.user_id == request.user.pk},
    )
    return attachment(content, mimetypes.guess_type(name)[0] or "application/octet-stream", name)
