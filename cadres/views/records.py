"""Cadre list, the cadre file page and the forms that edit it section by section."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error
from orgdept.core.listing import SeekListView

from ..forms import (
    CadreFilterForm,
    CadreForm,
    EducationForm,
    FamilyMemberForm,
    PhotoForm,
    ResumeLineForm,
    RewardPunishmentForm,
    section_formset,
)
from ..models import Education, Rank
from ..permissions import access_cadre
from ..selectors import cadre_change_history, cadre_file, cadre_list, cadre_qualification_results
from ..services import (
    EducationEntry,
    cadre_create,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_set_education,
    cadre_set_photo,
    cadre_update,
    roster_export,
)
from ..services import records as record_services


class CadreListView(LoginRequiredMixin, PermissionRequiredMixin, SeekListView):
    permission_required = "cadres.view_cadre"
    # the selector's order; cadres_unit has an index on it, so a page is read from where it starts
    seek_order = ("unit__order", "unit__name", "name", "pk")
    # no raise_exception: the anonymous are sent to sign in, the signed-in without the permission get 403
    template_name = "cadres/cadre_list.html"
    results_template_name = "cadres/partials/cadre_results.html"
    filter_form_class = CadreFilterForm

    def selector(self):
        return cadre_list(user=self.request.user)


@login_required
def cadre_export(request):
    """The list as filtered on the page, as a roster spreadsheet (xlsx, or csv with ?format=csv)."""
    if not request.user.has_perm("cadres.view_cadre"):
        raise PermissionDenied
    form = CadreFilterForm(request.GET or None)
    cadres = cadre_list(user=request.user)
    if request.GET:
        cadres = form.apply(cadres)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content, content_type = roster_export(cadres=cadres, fmt=fmt, actor=request.user)
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = content_disposition_header(True, f"干部名册-{stamp}.{fmt}")
    return response


@login_required
def cadre_detail(request, pk: int):
    access_cadre(request.user, pk)
    cadre = cadre_file(pk=pk)
    audit_log(actor=request.user, action="cadre.viewed", obj=cadre)
    educations = {e.kind: e for e in cadre.educations.all()}
    return render(
        request,
        "cadres/cadre_detail.html",
        {
            "cadre": cadre,
            "full_time": educations.get(Education.Kind.FULL_TIME),
            "in_service": educations.get(Education.Kind.IN_SERVICE),
            "history": cadre_change_history(cadre=cadre),
            "promotion": _promotion_checks(cadre),
            "may_change": request.user.has_perm("cadres.change_cadre"),
        },
    )


# the next leading level up, for the qualification panel of the file page
_NEXT_LEVEL = {Rank.FU_KE: Rank.ZHENG_KE, Rank.ZHENG_KE: Rank.FU_CHU, Rank.FU_CHU: Rank.ZHENG_CHU}


def _promotion_checks(cadre):
    target = _NEXT_LEVEL.get(cadre.rank)
    if not target:
        return None
    return {"level": target, "results": cadre_qualification_results(cadre, target)}


def _audit_view(request, cadre) -> None:
    """The edit pages show the file's contents: opening one is a view of the file."""
    if request.method == "GET":
        audit_log(
            actor=request.user, action="cadre.viewed", obj=cadre, details={"page": request.resolver_match.url_name}
        )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_new(request):
    if not request.user.has_perm("cadres.add_cadre"):
        raise PermissionDenied
    form = CadreForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        fields = form.cadre_fields()
        try:
            cadre = cadre_create(actor=request.user, **fields)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The cadre file of %(name)s was created.") % {"name": cadre.name})
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "title": _("New cadre file")})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit(request, pk: int):
    cadre = access_cadre(request.user, pk, "cadres.change_cadre")
    _audit_view(request, cadre)
    initial = {field: getattr(cadre, field) for field in CadreForm.base_fields if field != "version"}
    initial["unit"] = cadre.unit_id
    initial["version"] = cadre.version
    form = CadreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cadre_update(
                cadre=cadre, actor=request.user, expected_version=form.cleaned_data["version"], **form.cadre_fields()
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "title": _("Basic information")})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit_education(request, pk: int):
    cadre = access_cadre(request.user, pk, "cadres.change_cadre")
    _audit_view(request, cadre)
    initial = {"version": cadre.version}
    for entry in cadre.educations.all():
        for part in ("education", "degree", "school_major"):
            initial[f"{entry.kind}_{part}"] = getattr(entry, part)
    form = EducationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def entry(kind):
            return EducationEntry(*(data[f"{kind}_{part}"].strip() for part in ("education", "degree", "school_major")))

        try:
            cadre_set_education(
                cadre=cadre,
                actor=request.user,
                full_time=entry("full_time"),
                in_service=entry("in_service"),
                expected_version=data["version"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "title": _("Education")})


# section name → (form, title, related rows, fields, service and its keyword)
_SECTIONS = {
    "resume": (ResumeLineForm, gettext_lazy("Resume"), "resume_lines", cadre_replace_resume, "lines"),
    "rewards": (
        RewardPunishmentForm,
        gettext_lazy("Rewards and punishments"),
        "rewards_punishments",
        cadre_replace_rewards,
        "items",
    ),
    "family": (
        FamilyMemberForm,
        gettext_lazy("Family members and social relations"),
        "family_members",
        cadre_replace_family,
        "members",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit_section(request, pk: int, section: str):
    if section not in _SECTIONS:
        raise Http404
    form_class, title, related, service, keyword = _SECTIONS[section]
    cadre = access_cadre(request.user, pk, "cadres.change_cadre")
    _audit_view(request, cadre)
    fields = list(form_class._meta.fields)
    FormSet = section_formset(form_class)
    rows = [{f: getattr(obj, f) for f in fields} for obj in getattr(cadre, related).all()]
    formset = FormSet(request.POST or None, initial=rows, prefix=section)
    version_form = _version_form(request, cadre)
    if request.method == "POST" and formset.is_valid() and version_form.is_valid():
        kept = [
            {f: f_form.cleaned_data.get(f) for f in fields}
            for f_form in formset.forms
            if f_form.has_changed() or f_form.initial
            if f_form.cleaned_data and not f_form.cleaned_data.get("DELETE")
        ]
        kept = [row for row in kept if any(v not in (None, "") for v in row.values())]
        try:
            service(
                cadre=cadre,
                actor=request.user,
                expected_version=version_form.cleaned_data["version"],
                **{keyword: kept},
            )
        except ApplicationError as exc:
            version_form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(
        request,
        "cadres/cadre_section_form.html",
        {"formset": formset, "version_form": version_form, "cadre": cadre, "title": title},
    )


def _version_form(request, cadre):
    from ..forms import VersionedForm

    return VersionedForm(request.POST or None, initial={"version": cadre.version})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit_photo(request, pk: int):
    cadre = access_cadre(request.user, pk, "cadres.change_cadre")
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("photo")
        if not upload and not form.cleaned_data.get("remove"):
            form.add_error("photo", _("Choose a photo, or tick removal."))
        else:
            try:
                # never more than one byte past the limit in memory: the service refuses what is longer
                content = upload.read(record_services.PHOTO_MAX_BYTES + 1) if upload else None
                cadre_set_photo(cadre=cadre, content=content, actor=request.user)
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(
        request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "title": _("Photo"), "multipart": True}
    )


@login_required
def cadre_photo(request, pk: int):
    """The photo, only for those who may see the file (it is not under a public media URL)."""
    cadre = access_cadre(request.user, pk)
    if not cadre.photo:
        raise Http404
    response = FileResponse(cadre.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response
