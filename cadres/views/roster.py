"""Roster (花名册) pages: upload, preview of every row, 确认导入 with progress for large files; export, template."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgdept.core.import_pages import import_batch_confirm, import_batch_page, import_upload, import_upload_context
from orgdept.core.imports import access_import_batch

from ..models import Cadre
from ..services.roster import (
    COLUMNS,
    REQUIRED_COLUMNS,
    may_import_roster,
    roster_export,
    roster_preview_viewed,
    roster_template,
)

KIND = "roster"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy(
            "An .xlsx workbook (first sheet) or a .csv file in UTF-8 or GBK; the header must be the first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require(user) -> None:
    if not may_import_roster(user):
        raise PermissionDenied


@login_required
def roster_import(request):
    """The upload form (GET) and the upload itself (POST): a safe file goes on to its preview."""
    _require(request.user)

    def page(form, *, status: int = 200):
        context = import_upload_context(request, form, kind=KIND, columns=COLUMNS, required_columns=REQUIRED_COLUMNS)
        return render(request, "cadres/roster_import.html", context, status=status)

    return import_upload(request, form_class=RosterUploadForm, kind=KIND, batch_view="cadres:roster_batch", page=page)


@login_required
def roster_batch(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    context = {
        "upload_form": RosterUploadForm(),
        "reupload_url": reverse("cadres:roster_import"),
        "reupload_testid": "roster-reupload",
        "commit_url": reverse("cadres:roster_commit", args=[batch.pk]),
    }
    return import_batch_page(
        request,
        batch,
        template="cadres/roster_batch.html",
        context=context,
        on_report=lambda report: roster_preview_viewed(batch=batch, report=report, actor=request.user),
    )


@login_required
@require_POST
def roster_commit(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    batch = import_batch_confirm(
        request, batch, changed_message=_("The cadre files changed since the check; see the new errors below.")
    )
    return redirect("cadres:roster_batch", pk=batch.pk)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def roster_export_view(request, fmt: str):
    """Every cadre as a roster (the import's very format); audited."""
    _require(request.user)
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    content, content_type = roster_export(cadres=Cadre.objects.all(), fmt=fmt, actor=request.user)
    return _download(content, content_type, f"roster.{fmt}")


@login_required
def roster_template_view(request):
    _require(request.user)
    content, content_type = roster_template(fmt="xlsx")
    return _download(content, content_type, "roster-template.xlsx")
