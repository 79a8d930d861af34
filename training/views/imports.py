"""学时导入: upload a spreadsheet of credit hours, the preview of every row with its errors, 确认导入 (all or
nothing), the blank template; through the kernel's import pages and the credit import kind."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.exceptions import ApplicationError
from orgdept.core.import_pages import import_batch_confirm, import_batch_page
from orgdept.core.imports import access_import_batch, import_batch_create, import_batches_of

from ..forms import CreditImportForm
from ..imports import COLUMNS, CREDIT_IMPORT_KIND, REQUIRED_COLUMNS, credit_template, may_import_credits
from .common import XLSX, attachment, section_page

KIND = CREDIT_IMPORT_KIND.name


def _require(user) -> None:
    if not may_import_credits(user):
        raise PermissionDenied


def _upload_page(request, form, *, status: int = 200):
    context = {
        "form": form,
        "batches": import_batches_of(user=request.user, kind=KIND),
        "columns": COLUMNS,
        "required_columns": REQUIRED_COLUMNS,
        "max_mb": settings.ORGDEPT_IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return section_page(request, "training/credit_import.html", context, "import", status=status)


@login_required
def credit_import(request):
    _require(request.user)
    if request.method != "POST":
        return _upload_page(request, CreditImportForm())
    form = CreditImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = import_batch_create(kind=KIND, upload=form.cleaned_data["file"], actor=request.user)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("training:credit_batch", pk=batch.pk)
    return _upload_page(request, form, status=400)


@login_required
def credit_batch(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    context = {
        "upload_form": CreditImportForm(),
        "reupload_url": reverse("training:credit_import"),
        "reupload_testid": "credit-reupload",
        "commit_url": reverse("training:credit_commit", args=[batch.pk]),
        "label_heading": _("Name"),
        "key_heading": _("ID number"),
        "section_current": "import",
    }
    return import_batch_page(request, batch, template="training/credit_batch.html", context=context)


@login_required
@require_POST
def credit_commit(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    batch = import_batch_confirm(
        request, batch, changed_message=_("The ledger changed since the check; see the new errors below.")
    )
    return redirect("training:credit_batch", pk=batch.pk)


@login_required
def credit_template_view(request):
    _require(request.user)
    content, _content_type = credit_template(fmt="xlsx")
    return attachment(content, XLSX, "学时导入模板.xlsx")
