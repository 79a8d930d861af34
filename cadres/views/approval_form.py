"""The 干部任免审批表: its preview and PDF (one cadre or a batch), and the .lrmx export and import."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orgdept.core.audit import audit_log
from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.templatetags.orgdept import display_name

from .. import lrmx
from ..approval_form import (
    BATCH_MAX,
    DOCUMENT_KIND,
    FormOptions,
    cadres_for_forms,
    document_params,
    photo_data_uri,
    sheet_context,
)
from ..lrmx import CONTENT_TYPE, LrmxError, lrmx_export, lrmx_parse
from ..models import Cadre, Unit
from ..permissions import access_cadre
from ..services.lrmx import cadre_apply_lrmx, lrmx_match, lrmx_preview

# --- forms -------------------------------------------------------------------------------------------


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FormOptionsForm(forms.Form):
    """What one form states beyond the cadre file."""

    proposed_post = forms.CharField(label=gettext_lazy("Proposed post"), max_length=200, required=False)
    removed_post = forms.CharField(label=gettext_lazy("Post to be removed from"), max_length=200, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the appointment or removal"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reporting_unit = forms.CharField(label=gettext_lazy("Reporting unit"), max_length=100, required=False)
    age_on = forms.DateField(
        label=gettext_lazy("Ages computed on"),
        required=False,
        widget=_DateInput,
        help_text=gettext_lazy("Default: today."),
    )
    filled_on = forms.DateField(label=gettext_lazy("Filled in on"), required=False, widget=_DateInput)
    filled_by = forms.CharField(label=gettext_lazy("Filled in by"), max_length=50, required=False)

    @classmethod
    def initial_for(cls, user) -> dict:
        today = timezone.localdate()
        return {"age_on": today, "filled_on": today, "filled_by": display_name(user)}

    def options(self, **overrides) -> FormOptions:
        data = self.cleaned_data
        values = {name: data.get(name) for name in FormOptions.__dataclass_fields__ if name in self.fields}
        values.update(overrides)
        return FormOptions(**values).resolved(timezone.localdate())


class BatchOptionsForm(FormOptionsForm):
    """The options all forms of a batch share, and each cadre's own proposed and removed posts."""

    def __init__(self, *args, cadres: list[Cadre], **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["proposed_post"]
        del self.fields["removed_post"]
        self.cadres = cadres
        for cadre in cadres:
            self.fields[f"proposed_post_{cadre.pk}"] = forms.CharField(
                label=_("Proposed post"), max_length=200, required=False
            )
            self.fields[f"removed_post_{cadre.pk}"] = forms.CharField(
                label=_("Post to be removed from"), max_length=200, required=False
            )

    def rows(self):
        return [(cadre, self[f"proposed_post_{cadre.pk}"], self[f"removed_post_{cadre.pk}"]) for cadre in self.cadres]

    def shared_fields(self):
        return [self[name] for name in ("reason", "reporting_unit", "age_on", "filled_on", "filled_by")]

    def forms(self) -> tuple[FormOptions, list[tuple[int, FormOptions]]]:
        shared = self.options()
        own = [
            (
                cadre.pk,
                FormOptions(
                    **{
                        **shared.__dict__,
                        "proposed_post": self.cleaned_data[f"proposed_post_{cadre.pk}"],
                        "removed_post": self.cleaned_data[f"removed_post_{cadre.pk}"],
                    }
                ),
            )
            for cadre in self.cadres
        ]
        return shared, own


class LrmxUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy(".lrmx file"),
        help_text=gettext_lazy("A file saved by the appointment approval form software (.lrmx), at most 8 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > lrmx.MAX_BYTES:  # refused before it is read
            raise forms.ValidationError(lrmx.oversize_message(upload.size))
        return upload


class LrmxConfirmForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.all(), required=False)

    def __init__(self, *args, new_cadre: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if new_cadre:
            self.fields["unit"].required = True
            self.fields["unit"].help_text = _("The unit the new cadre belongs to.")
        else:
            del self.fields["unit"]


# --- the form: preview, PDF, .lrmx export ------------------------------------------------------------


def _audit_view(request, cadre: Cadre, page: str) -> None:
    audit_log(actor=request.user, action="cadre.viewed", obj=cadre, details={"page": page})


def _preview_page(request, cadre: Cadre, form: FormOptionsForm, options: FormOptions, *, status: int = 200):
    sheet = sheet_context(cadre, options, photo_uri=photo_data_uri(cadre))
    return render(
        request,
        "cadres/approval_form_preview.html",
        {"cadre": cadre, "form": form, "sheet": sheet, "may_import": request.user.has_perm("cadres.change_cadre")},
        status=status,
    )


@login_required
def approval_form_preview(request, pk: int):
    """The form as it will print, with the options to print it with."""
    access_cadre(request.user, pk)
    cadre = cadres_for_forms([pk])[0]
    _audit_view(request, cadre, "approval_form_preview")
    form = FormOptionsForm(initial=FormOptionsForm.initial_for(request.user))
    options = FormOptions(filled_by=form.initial["filled_by"]).resolved(timezone.localdate())
    return _preview_page(request, cadre, form, options)


def request_forms(request, forms_: list[tuple[int, FormOptions]], shared: FormOptions, cadres: list[Cadre]):
    """Asks the document service for one PDF of these forms; each cadre's file records the request."""
    names = "、".join(c.name for c in cadres[:3]) + ("等" if len(cadres) > 3 else "")
    title = f"干部任免审批表（{names}）" if len(cadres) > 1 else f"干部任免审批表（{cadres[0].name}）"
    document = document_request(
        kind=DOCUMENT_KIND, params=document_params(forms_, shared), title=title, actor=request.user
    )
    for cadre in cadres:
        audit_log(
            actor=request.user,
            action="cadre.approval_form_requested",
            obj=cadre,
            details={"document": document.pk},
        )
    return document


def _lrmx_response(request, cadre: Cadre, options: FormOptions) -> HttpResponse:
    photo = None
    if cadre.photo:
        try:
            with cadre.photo.open("rb") as f:
                photo = f.read()
        except OSError:
            photo = None
    content = lrmx_export(cadre, options, photo=photo)
    audit_log(
        actor=request.user,
        action="cadre.lrmx_exported",
        obj=cadre,
        details={"proposed_post": options.proposed_post, "removed_post": options.removed_post},
    )
    response = HttpResponse(content, content_type=f"{CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{cadre.name}.lrmx")
    return response


@login_required
@require_POST
def approval_form(request, pk: int):
    """The options form posts here: `action` pdf (default) asks for the PDF, preview redraws, lrmx downloads."""
    access_cadre(request.user, pk)
    cadre = cadres_for_forms([pk])[0]
    form = FormOptionsForm(request.POST)
    if not form.is_valid():
        _audit_view(request, cadre, "approval_form_preview")
        options = FormOptions(filled_by=display_name(request.user)).resolved(timezone.localdate())
        return _preview_page(request, cadre, form, options, status=400)
    options = form.options()
    action = request.POST.get("action", "pdf")
    if action == "lrmx":
        return _lrmx_response(request, cadre, options)
    if action == "preview":
        _audit_view(request, cadre, "approval_form_preview")
        return _preview_page(request, cadre, form, options)
    try:
        document = request_forms(request, [(cadre.pk, options)], options, [cadre])
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _preview_page(request, cadre, form, options, status=400)
    return redirect("core:document_detail", pk=document.pk)


@login_required
def cadre_lrmx(request, pk: int):
    """The cadre's file as .lrmx, with the form's options from the query string (all optional)."""
    access_cadre(request.user, pk)
    cadre = cadres_for_forms([pk])[0]
    form = FormOptionsForm(request.GET or None)
    if form.is_bound and form.is_valid():
        options = form.options()
    else:
        options = FormOptions(filled_by=display_name(request.user)).resolved(timezone.localdate())
    return _lrmx_response(request, cadre, options)


def _selected_ids(data) -> list[int]:
    ids: list[int] = []
    for value in data.getlist("cadre"):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk not in ids:
            ids.append(pk)
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def approval_form_batch(request):
    """Several cadres' forms in one PDF. The cadre list posts the selected ids as `cadre` (repeated); this
    page then asks for the options and, posted again with action=pdf, requests the document."""
    if not request.user.has_perm("cadres.view_cadre"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    ids = _selected_ids(data)
    cadres = cadres_for_forms(ids)
    missing = len(ids) - len(cadres)
    errors = []
    if not ids:
        errors.append(_("Select at least one cadre in the list first."))
    if missing:
        errors.append(_("%(n)d of the selected cadres no longer exist.") % {"n": missing})
    if len(cadres) > BATCH_MAX:
        errors.append(_("At most %(max)d forms can be printed at once.") % {"max": BATCH_MAX})
        cadres = cadres[:BATCH_MAX]
    submitted = request.method == "POST" and data.get("action") == "pdf"
    form = BatchOptionsForm(
        data if submitted else None, cadres=cadres, initial=FormOptionsForm.initial_for(request.user)
    )
    if submitted and cadres and not errors and form.is_valid():
        shared, own = form.forms()
        try:
            document = request_forms(request, own, shared, cadres)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("core:document_detail", pk=document.pk)
    return render(
        request,
        "cadres/approval_form_batch.html",
        {"form": form, "cadres": cadres, "errors": errors},
        status=400 if submitted else 200,
    )


# --- .lrmx import ------------------------------------------------------------------------------------

SESSION_KEY = "lrmx_imports"
PENDING_MAX = 5
PENDING_LIFETIME = timedelta(days=1)
UPLOAD_DIR = "lrmx-imports"


def _may_import(user) -> bool:
    # the preview shows the stored file it matches: reading cadre files is needed as well as writing them
    return user.has_perm("cadres.view_cadre") and (
        user.has_perm("cadres.change_cadre") or user.has_perm("cadres.add_cadre")
    )


def _pending(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _forget(request, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry:
        default_storage.delete(entry["path"])
        request.session[SESSION_KEY] = pending


def _sweep() -> None:
    """Removes uploads nobody confirmed or cancelled (their sessions ended long ago)."""
    cutoff = timezone.now() - PENDING_LIFETIME
    try:
        names = default_storage.listdir(UPLOAD_DIR)[1]
    except FileNotFoundError:
        return
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, OSError):
            continue


def _remember(request, content: bytes, filename: str) -> str:
    """Keeps the uploaded file privately (media storage is never served) for the confirm step."""
    _sweep()
    pending = _pending(request)
    while len(pending) >= PENDING_MAX:
        _forget(request, next(iter(pending)))
        pending = _pending(request)
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"{UPLOAD_DIR}/{token}.lrmx", ContentFile(content))
    pending[token] = {"path": path, "filename": filename[:100], "cadre": None, "version": None}
    request.session[SESSION_KEY] = pending
    return token


@login_required
@require_http_methods(["GET", "POST"])
def lrmx_import(request):
    if not _may_import(request.user):
        raise PermissionDenied
    form = LrmxUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            lrmx_parse(content)
        except LrmxError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            token = _remember(request, content, upload.name)
            return redirect("cadres:lrmx_import_preview", token=token)
    return render(request, "cadres/lrmx_import.html", {"form": form}, status=form_status(form))


def _import_refusal(user, new_cadre: bool) -> str:
    if new_cadre and not user.has_perm("cadres.add_cadre"):
        return _("You may not create cadre files; ask the cadre section to import this file.")
    if not new_cadre and not user.has_perm("cadres.change_cadre"):
        return _("You may not change cadre files; ask the cadre section to import this file.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def lrmx_import_preview(request, token: str):
    """The diff between the uploaded file and the cadre file it matches; confirming applies it."""
    if not _may_import(request.user):
        raise PermissionDenied
    entry = _pending(request).get(token)
    if entry is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "cancel":
        _forget(request, token)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("cadres:lrmx_import")
    try:
        with default_storage.open(entry["path"], "rb") as f:
            record = lrmx_parse(f.read())
    except (OSError, LrmxError):
        _forget(request, token)
        messages.error(request, _("The uploaded file is no longer available; upload it again."))
        return redirect("cadres:lrmx_import")
    cadre = lrmx_match(record)
    status = 200
    if request.method == "POST":
        form = LrmxConfirmForm(request.POST, new_cadre=cadre is None)
        valid = form.is_valid()
        stale = entry["cadre"] != (cadre.pk if cadre else None) or (cadre and entry["version"] != cadre.version)
        refusal = _import_refusal(request.user, cadre is None)
        if stale:
            form.add_error(
                None,
                _("The cadre file changed after you looked at the differences; check them again before saving."),
            )
        elif refusal:
            form.add_error(None, refusal)
        elif valid:
            try:
                saved = cadre_apply_lrmx(
                    record=record,
                    actor=request.user,
                    cadre=cadre,
                    unit=form.cleaned_data.get("unit"),
                    expected_version=entry["version"],
                )
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                _forget(request, token)
                messages.success(
                    request, _("The file of %(name)s was saved from the .lrmx file.") % {"name": saved.name}
                )
                return redirect("cadres:cadre_detail", pk=saved.pk)
        status = 400
    else:
        form = LrmxConfirmForm(new_cadre=cadre is None)
    preview = lrmx_preview(record=record, cadre=cadre)
    # the differences shown are the ones the confirmation is checked against
    entry.update({"cadre": cadre.pk if cadre else None, "version": cadre.version if cadre else None})
    pending = _pending(request)
    pending[token] = entry
    request.session[SESSION_KEY] = pending
    if cadre:
        _audit_view(request, cadre, "lrmx_import_preview")
    return render(
        request,
        "cadres/lrmx_preview.html",
        {
            "preview": preview,
            "form": form,
            "token": token,
            "filename": entry["filename"],
            "refusal": _import_refusal(request.user, preview.is_new),
            "post_url": reverse("cadres:lrmx_import_preview", args=[token]),
        },
        status=status,
    )
