"""指标得分导入: upload a spreadsheet of one cycle's indicator scores, the preview of every row with its errors, then
确认导入 (all or nothing); through the kernel's import pages and the score import kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.import_pages import import_batch_confirm, import_batch_page, import_upload, import_upload_context
from orgdept.core.imports import access_import_batch

from ..forms import ScoreImportForm
from ..imports import COLUMNS, SCORE_IMPORT_KIND, may_import_scores
from ..models import AppraisalCycle
from .common import access_cycle

KIND = SCORE_IMPORT_KIND.name


def _require(user) -> None:
    if not may_import_scores(user):
        raise PermissionDenied


@login_required
def score_import(request, pk: int):
    cycle = access_cycle(request.user, pk)
    _require(request.user)

    def page(form, *, status: int = 200):
        context = import_upload_context(request, form, kind=KIND, columns=COLUMNS, required_columns=COLUMNS)
        return render(request, "appraisal/score_import.html", {**context, "cycle": cycle}, status=status)

    return import_upload(
        request,
        form_class=ScoreImportForm,
        kind=KIND,
        batch_view="appraisal:score_batch",
        page=page,
        params={"cycle": cycle.pk},
    )


def _cycle_of(batch) -> AppraisalCycle | None:
    return AppraisalCycle.objects.filter(pk=(batch.params or {}).get("cycle")).first()


@login_required
def score_batch(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    cycle = _cycle_of(batch)
    context = {
        "cycle": cycle,
        "upload_form": ScoreImportForm(),
        "reupload_url": reverse("appraisal:score_import", args=[cycle.pk]) if cycle else "",
        "reupload_testid": "score-reupload",
        "commit_url": reverse("appraisal:score_commit", args=[batch.pk]),
    }
    return import_batch_page(request, batch, template="appraisal/score_batch.html", context=context)


@login_required
@require_POST
def score_commit(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    batch = import_batch_confirm(
        request, batch, changed_message=_("The scores changed since the check; see the new errors below.")
    )
    return redirect("appraisal:score_batch", pk=batch.pk)
