"""The pages every import kind shares: the upload (the form, the standard columns, the user's recent uploads),
then the page of the batch: progress while a task works on it, then the report of every row (preview or result)
by outcome, a page at a time."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import ApplicationError
from .imports import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportReport,
    import_batch_commit,
    import_batch_create,
    import_batches_of,
)
from .models import ImportBatch

ROWS_PER_PAGE = 100
ERRORS_SHOWN = 200
OUTCOME_FILTERS = [
    ("", gettext_lazy("All rows")),
    (ERROR, gettext_lazy("Errors")),
    (NEW, gettext_lazy("New")),
    (UPDATED, gettext_lazy("Updated")),
    (UNCHANGED, gettext_lazy("Unchanged")),
]


def import_upload_context(request, form, *, kind: str, columns, required_columns) -> dict:
    """What an upload page (partials/import_upload.html) shows: the form, the user's recent uploads of `kind`,
    the standard columns and the size limit."""
    return {
        "form": form,
        "batches": import_batches_of(user=request.user, kind=kind),
        "columns": columns,
        "required_columns": required_columns,
        "max_mb": settings.ORGDEPT_IMPORT_MAX_BYTES // (1024 * 1024),
    }


def import_upload(
    request,
    *,
    form_class,
    kind: str,
    batch_view: str,
    page: Callable[..., HttpResponse],
    params: dict | None = None,
):
    """The upload form (GET) and the upload itself (POST): a file that is read safely becomes a batch of `kind`
    and the user goes on to its preview at `batch_view`; a refusal stands next to the file field (400).
    `page(form, status=...)` renders the upload page."""
    if request.method != "POST":
        return page(form_class())
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = import_batch_create(kind=kind, upload=form.cleaned_data["file"], actor=request.user, params=params)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(batch_view, pk=batch.pk)
    return page(form, status=400)


def batch_report(batch: ImportBatch) -> ImportReport | None:
    """The report to show: the result of a committed batch, the preview of a checked one, else none yet."""
    if batch.status == ImportBatch.Status.COMMITTED:
        return ImportReport.from_dict(batch.result)
    if batch.status == ImportBatch.Status.PREVIEWED:
        return ImportReport.from_dict(batch.preview)
    return None


def import_batch_page(
    request,
    batch: ImportBatch,
    *,
    template: str,
    context: dict | None = None,
    on_report: Callable[[ImportReport], None] | None = None,
):
    """Renders `template` (which extends core/import_batch.html) for `batch`. An htmx poll gets the progress
    bar while the batch runs, and a full refresh once it is done. `on_report` is called when a report is shown
    (to audit that someone looked at stored records). The rows are headed by the cadre's name and ID number
    unless `context` names other headings."""
    if request.htmx:
        if batch.running:
            return render(request, "core/import_progress.html", {"batch": batch})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    report = batch_report(batch)
    context = {
        "batch": batch,
        "report": report,
        "label_heading": _("Name"),
        "key_heading": _("ID number"),
        **(context or {}),
    }
    if report is not None:
        if on_report is not None:
            on_report(report)
        outcome = request.GET.get("outcome", "")
        if outcome not in dict(OUTCOME_FILTERS):
            outcome = ""
        rows = [r for r in report.rows if r.outcome == outcome] if outcome else report.rows
        context.update(
            outcome=outcome,
            outcome_filters=OUTCOME_FILTERS,
            page_obj=Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            errors_shown=report.errors[:ERRORS_SHOWN],
            errors_hidden=max(0, len(report.errors) - ERRORS_SHOWN),
            error_rows=len({e["row"] for e in report.errors if e["row"]}),
            querystring=f"outcome={outcome}" if outcome else "",
        )
    return render(request, template, context)


def import_batch_confirm(request, batch: ImportBatch, *, changed_message: str) -> ImportBatch:
    """确认导入: commits `batch` for the request's user. A refusal, or a commit sent back to the preview because
    the records changed since the check (`changed_message`), is put in the messages; the batch's page shows the
    rest (the result, or an unexpected failure)."""
    try:
        batch = import_batch_commit(batch=batch, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if batch.status == ImportBatch.Status.PREVIEWED and not batch.error:
            messages.error(request, changed_message)
    return batch
