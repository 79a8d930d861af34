"""Committee pages: the committee at a glance, its terms (届) and 换届, members and their roles, alternates'
succession (递补), and the import of a term's member list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.forms import CadreFilterForm
from cadres.models import Cadre
from cadres.selectors import cadre_list
from cadres.structure import years_before
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.import_pages import import_batch_confirm, import_batch_page, import_upload, import_upload_context
from orgdept.core.imports import access_import_batch, import_batches_of
from orgdept.core.listing import FilteredListView
from orgdept.core.models import ImportBatch
from orgdept.core.object_permissions import require_perm

from .. import services
from ..forms_terms import (
    QUOTA_FIELDS,
    MemberAddForm,
    MemberEditForm,
    MemberImportForm,
    MemberLeaveForm,
    MemberRoleForm,
    PromoteForm,
    TermChangeForm,
    TermCreateForm,
    TermFilterForm,
    TermQuotasForm,
)
from ..models import Committee, Term, TermMember
from ..permissions import access_member, access_term, may_manage
from ..selectors import (
    alternates_in_succession,
    current_term,
    departed_members,
    members_by_role,
    next_order_in_role,
    term_role_changes,
    term_rule_checks,
    term_structure,
    terms_overview_list,
)
from ..services.member_import import COLUMNS, KIND, REQUIRED_COLUMNS, may_import_members
from ..services.member_import import member_import_template as build_template

SUGGESTIONS = 10
TERM_YEARS = 5
R = TermMember.Role


def _current_or_back(request, term: Term):
    """None when `term` is current; else a redirect to it saying why (an old term stays as it was)."""
    if term.is_current:
        return None
    messages.error(request, _("%(term)s has ended; its records can no longer be changed.") % {"term": term})
    return redirect("committees:term_detail", pk=term.pk)


def _serving_or_back(request, member: TermMember):
    back = _current_or_back(request, member.term)
    if back is None and member.left_on is not None:
        messages.error(request, _("%(name)s has left the term.") % {"name": member.cadre.name})
        back = redirect("committees:term_detail", pk=member.term_id)
    return back


# --- the committee at a glance and its terms ------------------------------------------------------------------


@login_required
def term_overview(request):
    """结构一览: the current term's members by role with age, gender and posts, the seats and the rule checks."""
    require_perm(request.user, "committees.view_term")
    term = current_term()
    context = {
        "term": term,
        "can_manage": may_manage(request.user),
        "can_create": request.user.has_perm("committees.add_term"),
        "can_view_cadres": request.user.has_perm("cadres.view_cadre"),
        "can_import": may_import_members(request.user),
    }
    if term is not None:
        members = members_by_role(term=term)
        context["structure"] = term_structure(term, members=members)
        context["checks"] = term_rule_checks(term, members=members)
    return render(request, "committees/term_overview.html", context)


class TermListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "committees.view_term"
    template_name = "committees/term_list.html"
    results_template_name = "committees/term_list_results.html"
    filter_form_class = TermFilterForm

    def selector(self):
        return terms_overview_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = self.request.user.has_perm("committees.add_term")
        context["can_manage"] = may_manage(self.request.user)
        context["has_current"] = Term.objects.filter(ends_on__isnull=True).exists()
        return context


term_list = TermListView.as_view()


@login_required
def term_detail(request, pk: int):
    """A term, current or past: members by role, those who left, role changes, alternates in succession order."""
    term = access_term(request.user, pk)
    members = members_by_role(term=term)
    structure = term_structure(term, members=members)
    succession = alternates_in_succession(term)
    vacancies = next(s for s in structure.seats if s.key == "members").free
    can_manage = may_manage(request.user) and term.is_current
    context = {
        "term": term,
        "structure": structure,
        "serving_count": len(members),
        "departed": departed_members(term=term),
        "role_changes": list(term_role_changes(term=term)),
        "succession": succession,
        "vacancies": vacancies,
        "next_alternate": succession[0] if vacancies and succession else None,
        "promote_form": PromoteForm(initial={"on": timezone.localdate()}),
        "can_manage": can_manage,
        "can_import": can_manage and may_import_members(request.user),
        "can_view_cadres": request.user.has_perm("cadres.view_cadre"),
    }
    return render(request, "committees/term_detail.html", context)


def _committee_field_error(form, exc: ApplicationError) -> None:
    """committee_create names its field `name`: on this form it is `committee_name`."""
    if exc.field == "name":
        form.add_error("committee_name", exc.message)
    else:
        add_service_error(form, exc)


@login_required
def term_create(request):
    """The committee's first term in the system (later terms come from 换届)."""
    require_perm(request.user, "committees.add_term")
    existing = current_term()
    if existing is not None:
        messages.info(request, _("There is a current term already; a new term comes from a term change."))
        return redirect("committees:term_change")
    committee = Committee.objects.order_by("pk").first()
    initial = {f: Term._meta.get_field(f).default for f in QUOTA_FIELDS}
    if committee is not None:
        last = committee.terms.order_by("-number").values_list("number", flat=True).first()
        initial.update(committee_name=committee.name, committee_short_name=committee.short_name, number=(last or 0) + 1)
    form = TermCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused term leaves no committee behind
                committee = Committee.objects.filter(name=data["committee_name"]).first()
                if committee is None:
                    committee = services.committee_create(
                        name=data["committee_name"], short_name=data["committee_short_name"], actor=request.user
                    )
                term = services.term_create(
                    committee=committee,
                    number=data["number"],
                    starts_on=data["starts_on"],
                    actor=request.user,
                    **{f: data[f] for f in QUOTA_FIELDS},
                )
        except ApplicationError as exc:
            _committee_field_error(form, exc)
        else:
            messages.success(request, _("%(term)s created. Add or import its members now.") % {"term": term})
            return redirect("committees:term_detail", pk=term.pk)
    return render(request, "committees/term_form.html", {"form": form, "term": None}, status=form_status(form))


@login_required
def term_edit(request, pk: int):
    term = access_term(request.user, pk, "committees.change_term")
    back = _current_or_back(request, term)
    if back is not None:
        return back
    form = TermQuotasForm(request.POST or None, initial=TermQuotasForm.initial_from(term))
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_update(term=term, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(term)s saved.") % {"term": term})
            return redirect("committees:term_detail", pk=term.pk)
    return render(request, "committees/term_form.html", {"form": form, "term": term}, status=form_status(form))


@login_required
def term_change(request):
    """换届: the current term ends the day the new one starts; the new one takes its quotas unless changed."""
    require_perm(request.user, "committees.change_term")
    require_perm(request.user, "committees.add_term")
    term = current_term()
    if term is None:
        messages.info(request, _("There is no term yet: create the first term."))
        return redirect("committees:term_create")
    initial = {
        **TermQuotasForm.initial_from(term),
        "starts_on": min(years_before(term.starts_on, -TERM_YEARS), timezone.localdate()),
    }
    form = TermChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        quotas = {f: form.cleaned_data[f] for f in QUOTA_FIELDS}
        try:
            new = services.term_change(
                committee=term.committee, starts_on=form.cleaned_data["starts_on"], actor=request.user, **quotas
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(term)s has begun. Add or import its members now.") % {"term": new})
            return redirect("committees:term_detail", pk=new.pk)
    members = members_by_role(term=term)
    context = {"form": form, "term": term, "serving": len(members), "next_number": term.number + 1}
    return render(request, "committees/term_change.html", context, status=form_status(form))


# --- members ---------------------------------------------------------------------------------------------------


def _suggestions(request, term: Term, cadres):
    """The cadres matching what was typed (name, pinyin initials or ID number), those with a seat marked."""
    text = (request.GET.get("cadre_search") or "").strip()
    found = []
    if text:
        found = list(CadreFilterForm().search(cadres, text).select_related("unit")[:SUGGESTIONS])
    seated = set(term.members.filter(cadre__in=[c.pk for c in found]).values_list("cadre_id", flat=True))
    context = {"cadres": found, "seated": seated, "text": text, "limit": SUGGESTIONS}
    return render(request, "committees/member_cadre_suggestions.html", context)


@login_required
def member_add(request, pk: int):
    term = access_term(request.user, pk, "committees.add_termmember")
    back = _current_or_back(request, term)
    if back is not None:
        return back
    cadres = cadre_list(user=request.user)
    if request.htmx and request.method == "GET":
        return _suggestions(request, term, cadres)
    role = request.GET.get("role")
    initial = {"joined_on": term.starts_on, "role": role if role in R.values else R.MEMBER}
    form = MemberAddForm(request.POST or None, initial=initial, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = data["order"] if data["order"] is not None else next_order_in_role(term, data["role"])
        try:
            member = services.term_member_add(
                term=term,
                cadre=data["cadre"],
                role=data["role"],
                joined_on=data["joined_on"],
                order=order,
                full_time_deputy=data["full_time_deputy"],
                concurrent_post=data["concurrent_post"],
                election_votes=data["election_votes"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s added as %(role)s.") % {"name": member.cadre.name, "role": member.get_role_display()},
            )
            if "add_another" in request.POST:
                return redirect(f"{reverse('committees:member_add', args=[term.pk])}?role={member.role}")
            return redirect("committees:term_detail", pk=term.pk)
    picked = getattr(form, "cleaned_data", {}).get("cadre")
    context = {"form": form, "term": term, "picked": picked if isinstance(picked, Cadre) else None}
    return render(request, "committees/member_add.html", context, status=form_status(form))


def _member_page(request, form, member: TermMember, *, title: str, intro: str = "", submit: str = ""):
    context = {"form": form, "member": member, "term": member.term, "title": title, "intro": intro, "submit": submit}
    return render(request, "committees/member_form.html", context, status=form_status(form))


@login_required
def member_edit(request, pk: int):
    """Order within role, concurrent post, votes and the full-time flag (a role has its own page)."""
    member = access_member(request.user, pk, "committees.change_termmember")
    back = _serving_or_back(request, member)
    if back is not None:
        return back
    initial = {f: getattr(member, f) for f in ("order", "concurrent_post", "election_votes", "full_time_deputy")}
    form = MemberEditForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.term_member_update(
                member=member,
                order=data["order"],
                concurrent_post=data["concurrent_post"],
                election_votes=data["election_votes"],
                full_time_deputy=data.get("full_time_deputy"),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": member.cadre.name})
            return redirect("committees:term_detail", pk=member.term_id)
    title = _("Edit %(name)s") % {"name": member.cadre.name}
    return _member_page(request, form, member, title=title)


@login_required
def member_role(request, pk: int):
    """A change of role within the term (增选常委, 不再担任常委 …), kept in the term's history."""
    member = access_member(request.user, pk, "committees.change_termmember")
    back = _serving_or_back(request, member)
    if back is not None:
        return back
    initial = {
        "role": member.role if member.role != R.ALTERNATE else R.MEMBER,
        "full_time_deputy": member.full_time_deputy,
        "changed_on": timezone.localdate(),
    }
    form = MemberRoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.term_member_change_role(
                member=member,
                role=data["role"],
                changed_on=data["changed_on"],
                reason=data["reason"],
                full_time_deputy=data["full_time_deputy"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is now %(role)s.") % {"name": member.cadre.name, "role": member.title}
            )
            return redirect("committees:term_detail", pk=member.term_id)
    intro = ""
    if member.role == R.ALTERNATE:
        intro = _("An alternate becomes a member only by succession, in the order of votes: use 递补 on the term page.")
    title = _("Change the role of %(name)s") % {"name": member.cadre.name}
    return _member_page(request, form, member, title=title, intro=intro)


@login_required
def member_leave(request, pk: int):
    """A member leaves the term; a full member's seat becomes vacant for the next alternate."""
    member = access_member(request.user, pk, "committees.change_termmember")
    back = _serving_or_back(request, member)
    if back is not None:
        return back
    form = MemberLeaveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.term_member_leave(
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["left_reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s has left the term.") % {"name": member.cadre.name})
            return redirect("committees:term_detail", pk=member.term_id)
    title = _("%(name)s leaves the term") % {"name": member.cadre.name}
    intro = _(
        "The member's record stays in the term with the date and reason. Whom they covered for needs a new substitute."
    )
    return _member_page(request, form, member, title=title, intro=intro)


@login_required
@require_POST
def alternate_promote(request, pk: int):
    """递补: the alternate with the most votes fills a vacant member seat; anyone else is refused."""
    member = access_member(request.user, pk, "committees.change_termmember")
    form = PromoteForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    if on is None:
        messages.error(request, _("Enter the date the succession takes effect."))
    else:
        try:
            services.alternate_promote(alternate=member, on=on, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s has become a member by succession.") % {"name": member.cadre.name})
    return redirect("committees:term_detail", pk=member.term_id)


# --- the member list import -------------------------------------------------------------------------------------


def _require_import(user) -> None:
    if not may_import_members(user):
        raise PermissionDenied


def _upload_page(request, form, term: Term, *, status: int = 200):
    batches = [b for b in import_batches_of(user=request.user, kind=KIND, limit=50) if b.params.get("term") == term.pk]
    context = {
        **import_upload_context(request, form, kind=KIND, columns=COLUMNS, required_columns=REQUIRED_COLUMNS),
        "term": term,
        "batches": batches[:10],
    }
    return render(request, "committees/import_upload.html", context, status=status)


@login_required
def member_import(request, pk: int):
    """The upload of a member list for the current term; every row is checked before anything is written."""
    _require_import(request.user)
    term = access_term(request.user, pk, "committees.add_termmember")
    back = _current_or_back(request, term)
    if back is not None:
        return back
    return import_upload(
        request,
        form_class=MemberImportForm,
        kind=KIND,
        batch_view="committees:member_import_batch",
        page=lambda form, status=200: _upload_page(request, form, term, status=status),
        params={"term": term.pk},
    )


def _batch_term(batch: ImportBatch) -> Term | None:
    return Term.objects.select_related("committee").filter(pk=batch.params.get("term")).first()


@login_required
def member_import_batch(request, pk: int):
    _require_import(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    term = _batch_term(batch)
    context = {
        "term": term,
        "upload_form": MemberImportForm(),
        "reupload_url": reverse("committees:member_import", args=[term.pk]) if term else "",
        "reupload_testid": "member-import-reupload",
        "commit_url": reverse("committees:member_import_commit", args=[batch.pk]),
    }
    return import_batch_page(
        request,
        batch,
        template="committees/import_batch.html",
        context=context,
        on_report=lambda report: audit_log(
            actor=request.user,
            action="term_members.previewed",
            obj=batch,
            details={"status": batch.status, "rows": report.total, "term": term.pk if term else None},
        ),
    )


@login_required
@require_POST
def member_import_commit(request, pk: int):
    _require_import(request.user)
    batch = access_import_batch(request.user, pk, kind=KIND)
    batch = import_batch_confirm(
        request, batch, changed_message=_("The term's members changed since the check; see the new result below.")
    )
    return redirect("committees:member_import_batch", pk=batch.pk)


@login_required
def member_import_template(request):
    _require_import(request.user)
    content, content_type = build_template()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="term-members-template.xlsx"'
    return response
