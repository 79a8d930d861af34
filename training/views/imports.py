"""学时导入: upload a spreadsheet of credit hours, the preview of every row with its errors, 确认导入 (all or
nothing), the blank template; through the kernel's import pages and the credit import kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.downloads import XLSX, attachment
from orgdept.core.import_pages import import_batch_confirm, import_batch_page, import_upload, import_upload_context
from orgdept.core.imports import access_import_batch

from ..forms import CreditImportForm
from ..imports import COLUMNS, CREDIT_IMPORT_KIND, REQUIRED_COLUMNS, credit_template, may_import_credits
from .common import section_page

KIND = CREDIT_IMPORT_KIND.name


def _require(user) -> None:
    if not may_import_credits(user):
        raise PermissionDenied


@login_required
def credit_import(request):
    _require(request.user)

    def page(form, *, status: int = 200):
        context = import_upload_context(request, form, kind=KIND, columns=COLUMNS, required_columns=REQUIRED_COLUMNS)
        return section_page(request, "training/credit_import.html", context, "import", status=status)

    return import_upload(request, form_class=CreditImportForm, kind=KIND, batch_view="training:credit_batch", page=page)


@login_required
def credit_batch(request, pk: int):
    _require(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    context = {
        "upload_form": CreditImportForm(),
        "reupload_url": reverse("training:credit_import"),
        "reupload_testid": "credit-reupload",
        "commit_url": reverse("training:credit_commit", args=[batch.pk]),
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
