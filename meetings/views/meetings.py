"""Meeting pages: the list, scheduling, the agenda page (staff and attending members), attendance with the live
quorum, opening, adjourning and cancelling, leave, the item page with recusals, open votes, paper-ballot tallies,
results and the decision, and the recusal registry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.selectors import cadre_list
from committees.selectors import current_term
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_service, form_status
from orgdept.core.listing import FilteredListView

from ..forms_meetings import (
    AgendaAddForm,
    AgendaMoveForm,
    AgendaRemoveForm,
    AttendanceForm,
    AttendanceSetForm,
    CloseForm,
    DecisionForm,
    DiscussForm,
    LeaveRequestForm,
    MeetingFilterForm,
    MeetingForm,
    ReasonForm,
    RecusalForm,
    RelationFilterForm,
    RelationForm,
    TallyForm,
    VoteForm,
)
from ..models import AgendaItem, Attendance, Meeting, MeetingType, Topic
from ..pdf import AGENDA_PACK, BALLOTS, MINUTES, NOTICE, document_refusal
from ..permissions import access_item, access_meeting, access_relation, is_meeting_staff
from ..selectors.meetings import (
    agenda_candidates,
    agenda_rows,
    agenda_stamp,
    expected_attendees,
    item_sheet,
    meeting_agenda,
    meeting_presider,
    meeting_with_attendance,
    meeting_years,
    meetings_list,
    presiding_candidates,
    quorum_state,
    relation_members,
    relations_list,
)
from ..services import meetings as services
from ..services import votes
from ..services.votes import ITEM_KEY

Status = Meeting.Status
Outcome = AgendaItem.Outcome
ADD_MEETING, CHANGE_MEETING = "meetings.add_meeting", "meetings.change_meeting"
CHANGE_AGENDA = "meetings.change_agendaitem"
CHANGE_ATTENDANCE = "meetings.change_attendance"
ADD_RECUSAL = "meetings.add_recusal"
ADD_VOTE, ADD_TALLY, ADD_RESULT = "meetings.add_vote", "meetings.add_tallyentry", "meetings.add_itemresult"
CHANGE_DECISION = "meetings.change_decision"
VIEW_RELATION, ADD_RELATION = "meetings.view_memberrelation", "meetings.add_memberrelation"
CHANGE_RELATION = "meetings.change_memberrelation"
# the documents of a meeting, rendered by the documents pages
DOCUMENT_KINDS = (
    ("notice", gettext_lazy("Meeting notice")),
    ("agenda_pack", gettext_lazy("Agenda pack")),
    ("minutes", gettext_lazy("Minutes")),
    ("ballots", gettext_lazy("Ballots")),
)
# the kind as the address names it -> the document service's kind
DOCUMENT_KIND = {"notice": NOTICE, "agenda_pack": AGENDA_PACK, "minutes": MINUTES, "ballots": BALLOTS}
SUGGESTIONS = 8


def _meeting(request, pk: int, perm: str | None = None) -> Meeting:
    """The meeting for whoever may see it (else 404); a change needs `perm` too (else 403)."""
    meeting = access_meeting(request.user, pk)
    if perm is not None and not request.user.has_perm(perm):
        raise PermissionDenied
    return meeting


def _item(request, pk: int, perm: str | None = None) -> AgendaItem:
    item = access_item(request.user, pk)
    if perm is not None and not request.user.has_perm(perm):
        raise PermissionDenied
    return item


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def may_see_meetings(user) -> bool:
    return is_meeting_staff(user) or roles.has_role(user, roles.STANDING_MEMBER, roles.MEMBER)


# --- the list ------------------------------------------------------------------------------------------------


class MeetingListView(LoginRequiredMixin, FilteredListView):
    """Staff see every meeting; a member sees the meetings they attend."""

    template_name = "meetings/meetings/meeting_list.html"
    results_template_name = "meetings/meetings/meeting_list_results.html"
    filter_form_class = MeetingFilterForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_see_meetings(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.filter_form = MeetingFilterForm(self.request.GET or None, years=meeting_years())
        qs = meetings_list(self.request.user)
        if self.request.GET:
            qs = self.filter_form.apply(qs)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = self.request.user.has_perm(ADD_MEETING)
        ctx["staff"] = is_meeting_staff(self.request.user)
        return ctx


meeting_list = MeetingListView.as_view()


# --- scheduling ----------------------------------------------------------------------------------------------


def _no_term(request):
    return render(request, "meetings/meetings/no_term.html", status=200)


def _preview_context(term, form: MeetingForm) -> dict:
    """Who will attend, under the rules of the type typed so far, on the day typed (today if none)."""
    meeting_type = starts_at = None
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        meeting_type, starts_at = data.get("meeting_type"), data.get("starts_at")
    else:
        pk = form.initial.get("meeting_type")
        meeting_type = MeetingType.objects.filter(pk=pk).first() if pk else None
    if meeting_type is None:
        return {"preview_type": None}
    on = timezone.localtime(starts_at).date() if starts_at else timezone.localdate()
    voting, nonvoting = expected_attendees(term, meeting_type, on)
    return {"preview_type": meeting_type, "preview_voting": voting, "preview_nonvoting": nonvoting, "preview_on": on}


@login_required
@permission_required(ADD_MEETING, raise_exception=True)
def meeting_create(request):
    term = current_term()
    if term is None:
        return _no_term(request)
    presiding = presiding_candidates(term)
    if request.method == "GET" and request.GET.get("preview") and request.htmx:
        form = MeetingForm(request.GET, presiding=presiding)
        context = _preview_context(term, form)
        # a new type brings its own observers: the field is replaced out of band
        context["observers_swap"] = request.htmx.trigger_name == "meeting_type" and context["preview_type"]
        return render(request, "meetings/meetings/meeting_preview.html", context)
    initial = {}
    type_pk = request.GET.get("meeting_type", "")
    if type_pk.isdigit():
        chosen = MeetingType.objects.filter(pk=int(type_pk)).first()
        if chosen is not None:
            initial = {"meeting_type": chosen.pk, "observers": chosen.observers}
    preview_url = f"{reverse('meetings:meeting_create')}?preview=1"
    form = MeetingForm(request.POST or None, presiding=presiding, initial=initial, preview_url=preview_url)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(term=term, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(title)s scheduled; %(n)s members are expected.")
                % {"title": meeting.title, "n": meeting.attendances.count()},
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    context = {"form": form, "term": term, "meeting": None, **_preview_context(term, form)}
    return render(request, "meetings/meetings/meeting_form.html", context, status=form_status(form))


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting(request, pk, CHANGE_MEETING)
    if meeting.status != Status.SCHEDULED:
        messages.error(request, _("Only a meeting not yet held can be changed."))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "observers": meeting.observers,
        "presided_by": meeting.presided_by_id,
    }
    form = MeetingForm(
        request.POST or None, presiding=presiding_candidates(meeting.term), with_type=False, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(title)s saved.") % {"title": meeting.title})
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    context = {"form": form, "term": meeting.term, "meeting": meeting, "preview_type": None}
    return render(request, "meetings/meetings/meeting_form.html", context, status=form_status(form))


# --- the agenda page -----------------------------------------------------------------------------------------


def _documents(user, meeting: Meeting) -> list[tuple[str, str]]:
    """The documents the page offers: those that can be made now (no minutes before the meeting ends, no ballots
    for a body that votes openly); for a member who attends, the notice and the agenda pack made out to them."""
    kinds = DOCUMENT_KINDS if is_meeting_staff(user) else DOCUMENT_KINDS[:2]
    return [(kind, label) for kind, label in kinds if document_refusal(DOCUMENT_KIND[kind], meeting) is None]


# how long a rendered agenda section is kept at most; its stamp retires it at once when anything it shows changes
AGENDA_SECTION_SECONDS = 600
AGENDA_SECTION = "meetings/meetings/agenda_section.html"


def _agenda_section(agenda, *, staff: bool, manage: bool, scheduled: bool) -> str | None:
    """The agenda section of the page, rendered once per stamp of what it shows and per kind of viewer, or None
    when the page renders it itself (a scheduled meeting's staff get forms with their own CSRF token in it)."""
    meeting = agenda.meeting
    if manage and scheduled:
        agenda.rows = agenda_rows(meeting, agenda.seats)
        return None
    stamp, recused = agenda_stamp(meeting, agenda.seats)
    # staff see every item's materials; a member's section differs by the items their seat is recused from
    viewer = "staff" if staff else ",".join(map(str, sorted(recused)))
    key = f"meetings:agenda:{meeting.pk}:{stamp}:{viewer}:{manage:d}:{scheduled:d}:{get_language()}"
    html = cache.get(key)
    if html is None:
        agenda.rows = agenda_rows(meeting, agenda.seats)
        html = get_template(AGENDA_SECTION).render(
            {"agenda": agenda, "staff": staff, "manage": manage, "scheduled": scheduled}
        )
        cache.set(key, html, AGENDA_SECTION_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when it was rendered


def _detail_page(request, meeting: Meeting, *, status: int = 200, **forms):
    user = request.user
    agenda = meeting_agenda(meeting, user, rows=False)
    manage = user.has_perm(CHANGE_MEETING)
    staff = is_meeting_staff(user)
    scheduled = meeting.status == Status.SCHEDULED
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "agenda_section": _agenda_section(agenda, staff=staff, manage=manage, scheduled=scheduled),
        "staff": staff,
        "manage": manage,
        "can_attendance": user.has_perm(CHANGE_ATTENDANCE),
        "documents": _documents(user, meeting),
        "presider": meeting_presider(meeting),
        "scheduled": scheduled,
        "cancel_form": forms.get("cancel_form") or ReasonForm(label=_("Reason for cancelling")),
    }
    if manage and scheduled:
        eligible, blocked = agenda_candidates(meeting)
        add_form = forms.get("add_form") or AgendaAddForm()
        add_form.fields["topic"].queryset = Topic.objects.filter(pk__in=[t.pk for t in eligible]).select_related(
            "category", "unit"
        )
        context.update(add_form=add_form, blocked=blocked, eligible_count=len(eligible))
    if agenda.mine is not None and scheduled:
        context["leave_form"] = forms.get("leave_form") or LeaveRequestForm(
            initial={"next": request.get_full_path(), "reason": agenda.mine.leave_reason}
        )
    return render(request, "meetings/meetings/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, pk: int):
    meeting = access_meeting(request.user, pk)
    return _detail_page(request, meeting)


@login_required
@require_POST
def agenda_add(request, pk: int):
    meeting = _meeting(request, pk, CHANGE_MEETING)
    topics = Topic.objects.filter(committee_id=meeting.term.committee_id).select_related("category", "unit")
    form = AgendaAddForm(request.POST, topics=topics)
    if form.is_valid():
        try:
            item = services.agenda_item_add(meeting=meeting, topic=form.cleaned_data["topic"], actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(topic)s is item %(n)s of the agenda.") % {"topic": item.topic.title, "n": item.order}
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return _detail_page(request, meeting, add_form=form, status=400)


@login_required
@require_POST
def agenda_remove(request, pk: int):
    item = _item(request, pk, CHANGE_MEETING)
    form = AgendaRemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.agenda_item_remove(item=item, actor=request.user, reason=reason)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(topic)s was taken off the agenda; it awaits another meeting.") % {"topic": item.topic.title}
        )
    return redirect("meetings:meeting_detail", pk=item.meeting_id)


@login_required
@require_POST
def agenda_move(request, pk: int):
    item = _item(request, pk, CHANGE_MEETING)
    form = AgendaMoveForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_move(item=item, up=form.cleaned_data["direction"] == "up", actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(f"{reverse('meetings:meeting_detail', args=[item.meeting_id])}#item-{item.pk}")


# --- attendance and the quorum -------------------------------------------------------------------------------


def _attendance_row(request, meeting: Meeting, attendance: Attendance, *, error: str = ""):
    response = render(
        request,
        "meetings/meetings/attendance_row.html",
        {"meeting": meeting, "attendance": attendance, "error": error, "editable": _attendance_open(meeting)},
    )
    if not error:
        response["HX-Trigger"] = "quorum-changed"
    return response


def _attendance_open(meeting: Meeting) -> bool:
    return meeting.status in (Status.SCHEDULED, Status.IN_SESSION)


@login_required
def attendance(request, pk: int):
    """Everyone's presence at once, or one member's (an htmx toggle), with the quorum beside it."""
    meeting = meeting_with_attendance(_meeting(request, pk, CHANGE_ATTENDANCE))
    rows = list(meeting.attendances.all())
    if request.method == "POST" and "attendance" in request.POST:
        return _attendance_set(request, meeting, rows)
    form = AttendanceForm(request.POST or None, attendances=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_take(
                meeting=meeting, present=form.present(), reasons=form.reasons(), actor=request.user
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("meetings:attendance", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "panel": quorum_state(meeting),
        "editable": _attendance_open(meeting),
        "manage": request.user.has_perm(CHANGE_MEETING),
        "cancel_form": ReasonForm(label=_("Reason for cancelling")),
    }
    return render(request, "meetings/meetings/attendance.html", context, status=form_status(form))


def _attendance_set(request, meeting: Meeting, rows: list[Attendance]):
    form = AttendanceSetForm(request.POST)
    if not form.is_valid():
        raise Http404
    attendance = next((a for a in rows if a.pk == form.cleaned_data["attendance"]), None)
    if attendance is None:
        raise Http404
    reason = request.POST.get(f"reason_{attendance.member_id}", "")
    error = ""
    try:
        attendance = services.attendance_set(
            attendance=attendance, presence=form.cleaned_data["presence"], reason=reason, actor=request.user
        )
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:
        # htmx swaps only successful responses: a refusal comes back as the row showing it
        return _attendance_row(request, meeting, attendance, error=error)
    if error:
        messages.error(request, error)
    return redirect("meetings:attendance", pk=meeting.pk)


@login_required
def quorum_panel(request, pk: int):
    meeting = _meeting(request, pk, "meetings.view_attendance")
    return render(request, "meetings/meetings/quorum_panel.html", {"meeting": meeting, "panel": quorum_state(meeting)})


@login_required
def leave_request(request, pk: int):
    """A member asks for leave from a meeting they attend; 组织科 may record it for any attendee."""
    meeting = meeting_with_attendance(access_meeting(request.user, pk))
    rows = list(meeting.attendances.all())
    own = next((a for a in rows if a.member.cadre.user_id == request.user.pk), None)
    staff = request.user.has_perm(CHANGE_ATTENDANCE)
    if not staff and own is None:
        raise PermissionDenied
    members = None
    if staff:
        members = meeting.term.members.filter(pk__in=[a.member_id for a in rows]).select_related("cadre")
    initial = {"next": request.GET.get("next", ""), "member": own.member_id if own else None}
    form = LeaveRequestForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data.get("member") or own.member
        try:
            services.leave_request(
                meeting=meeting, member=member, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Leave from %(title)s recorded for %(name)s.") % {"title": meeting.title, "name": member.cadre.name},
            )
            return redirect(_safe_next(request, reverse("meetings:meeting_detail", args=[meeting.pk])))
    context = {"meeting": meeting, "form": form, "own": own}
    return render(request, "meetings/meetings/leave_form.html", context, status=form_status(form))


def _back_to(request, meeting: Meeting) -> str:
    return _safe_next(request, reverse("meetings:meeting_detail", args=[meeting.pk]))


def _session_step(request, pk: int, step, done: str):
    """Opening or adjourning from a button: the service's refusal, or `done`, as the message."""
    meeting = _meeting(request, pk, CHANGE_MEETING)
    try:
        step(meeting=meeting, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"title": meeting.title})
    return redirect(_back_to(request, meeting))


@login_required
@require_POST
def meeting_open(request, pk: int):
    return _session_step(request, pk, services.meeting_open, _("%(title)s is in session."))


@login_required
@require_POST
def meeting_adjourn(request, pk: int):
    return _session_step(request, pk, services.meeting_adjourn, _("%(title)s is adjourned."))


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    meeting = _meeting(request, pk, CHANGE_MEETING)
    form = ReasonForm(request.POST, label=_("Reason for cancelling"))
    if form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(title)s is cancelled; its topics await another meeting.") % {"title": meeting.title}
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    meeting.refresh_from_db()
    return _detail_page(request, meeting, cancel_form=form, status=400)


# --- one item: recusal, votes, tallies, results and the decision ---------------------------------------------


def _item_action(request, item: AgendaItem, form, form_name: str, act, success) -> HttpResponse:
    """One action on an item from its page: when `form` is valid, `act(cleaned_data)` calls the service and the page
    comes back with `success(result)`; the form's errors, or the service's refusal next to the field it concerns,
    are shown on the item's page."""
    if form_service(request, form, act, success):
        return redirect("meetings:item_detail", pk=item.pk)
    return _item_page(request, item, status=400, **{form_name: form})


def _tally_keys(sheet) -> list[tuple[str, str]]:
    if sheet.cadre_item:
        return [(str(c.pk), f"{c.cadre.name}（{c.proposal}）") for c in sheet.candidates]
    return [(ITEM_KEY, sheet.item.topic.title)]


def _vote_forms(sheet, bound: VoteForm | None = None) -> list[tuple]:
    """A row per member who may vote: their votes so far and the form for the rest."""
    rows = []
    for attendance in sheet.voters:
        member = attendance.member
        cast = sheet.votes.get(member.pk, {})
        if bound is not None and bound.member_obj is not None and bound.member_obj.pk == member.pk:
            form = bound
        else:
            pending = [c for c in sheet.candidates if c.pk not in cast] if sheet.cadre_item else []
            done = not pending if sheet.cadre_item else None in cast
            form = (
                None
                if done
                else VoteForm(
                    member=member,
                    candidates=pending,
                    options=sheet.options,
                    cadre_item=sheet.cadre_item,
                    auto_id=f"id_vote_{member.pk}_%s",
                )
            )
        rows.append((attendance, cast, form))
    return rows


def _item_page(request, item: AgendaItem, *, status: int = 200, **forms):
    user = request.user
    sheet = item_sheet(item)
    item = sheet.item
    meeting = item.meeting
    in_session = meeting.status == Status.IN_SESSION
    voting = item.outcome == Outcome.VOTING
    can = {
        "recusal": user.has_perm(ADD_RECUSAL)
        and meeting.status in (Status.SCHEDULED, Status.IN_SESSION)
        and item.outcome in (Outcome.PENDING, Outcome.VOTING),
        "open": user.has_perm(ADD_VOTE) and in_session and item.outcome == Outcome.PENDING,
        "vote": user.has_perm(ADD_VOTE) and voting and not sheet.secret,
        "tally": user.has_perm(ADD_TALLY) and voting and sheet.secret,
        "close": user.has_perm(ADD_RESULT) and voting,
        # once a vote is cast or counted the item is decided by it, not deferred
        "defer": user.has_perm(CHANGE_AGENDA)
        and in_session
        and item.outcome in (Outcome.PENDING, Outcome.VOTING)
        and not (sheet.votes or sheet.tallies),
        "discuss": user.has_perm(CHANGE_AGENDA)
        and in_session
        and item.outcome == Outcome.PENDING
        and not meeting.meeting_type.decides,
        "decision": user.has_perm(CHANGE_DECISION)
        and getattr(item, "decision", None) is not None
        and meeting.status != Status.ADJOURNED,
    }
    recused_ids = {r.member_id for r in sheet.recusals}
    context = {
        "item": item,
        "meeting": meeting,
        "sheet": sheet,
        "can": can,
        "staff": is_meeting_staff(user),
        "open_error": forms.get("open_error", ""),
    }
    if can["recusal"]:
        members = meeting.term.members.filter(
            pk__in=[a.member_id for a in sheet.attendances if a.member_id not in recused_ids]
        ).select_related("cadre")
        context["recusal_form"] = forms.get("recusal_form") or RecusalForm()
        context["recusal_form"].fields["member"].queryset = members
    if can["vote"]:
        context["vote_rows"] = rows = _vote_forms(sheet, forms.get("vote_form"))
        context["voted_count"] = sum(1 for _attendance, _cast, form in rows if form is None)
    elif context["staff"] and sheet.votes and not sheet.secret:
        # an open vote, once closed: who voted how stays on the record
        context["vote_roll"] = [(a, list(sheet.votes.get(a.member_id, {}).values())) for a in sheet.voters]
    if sheet.secret:
        context["tally_differences"] = (
            votes.tally_differences(sheet.tallies[0], sheet.tallies[1]) if len(sheet.tallies) == 2 else []
        )
    if can["tally"]:
        context["tally_form"] = forms.get("tally_form") or TallyForm(keys=_tally_keys(sheet), options=sheet.options)
        context["clear_form"] = forms.get("clear_form") or ReasonForm(label=_("Reason for clearing"))
    if can["close"]:
        context["close_form"] = forms.get("close_form") or CloseForm()
    if can["defer"]:
        context["defer_form"] = forms.get("defer_form") or ReasonForm(label=_("Reason for deferring"))
    if can["discuss"]:
        context["discuss_form"] = forms.get("discuss_form") or DiscussForm()
    if forms.get("decision_form") is not None:
        context["decision_form"] = forms["decision_form"]
    elif can["decision"]:
        context["decision_form"] = DecisionForm(initial={"text": item.decision.text})
    return render(request, "meetings/meetings/item_detail.html", context, status=status)


@login_required
def item_detail(request, pk: int):
    """The item page; a POST changes the decision text (until the meeting is adjourned)."""
    if request.method == "POST":
        item = _item(request, pk, CHANGE_DECISION)
        decision = getattr(item, "decision", None)
        if decision is None:
            raise Http404
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                votes.decision_update(decision=decision, text=form.cleaned_data["text"], actor=request.user)
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The decision was saved."))
                return redirect("meetings:item_detail", pk=item.pk)
        return _item_page(request, item, decision_form=form, status=400)
    return _item_page(request, _item(request, pk))


@login_required
@require_POST
def voting_open(request, pk: int):
    item = _item(request, pk, ADD_VOTE)
    try:
        votes.voting_open(item=item, actor=request.user)
    except ApplicationError as exc:
        return _item_page(request, item, open_error=exc.message, status=400)
    messages.success(request, _("Voting on item %(n)s is open.") % {"n": item.order})
    return redirect("meetings:item_detail", pk=item.pk)


@login_required
@require_POST
def vote_record(request, pk: int):
    """One member's open vote (on each cadre of a cadre item), all recorded or none."""
    item = _item(request, pk, ADD_VOTE)
    sheet = item_sheet(item)
    voters = {a.member_id: a.member for a in sheet.voters}
    member_pk = request.POST.get("member", "")
    member = voters.get(int(member_pk)) if member_pk.isdigit() else None
    if member is None:
        messages.error(request, _("This member cannot vote on the item."))
        return redirect("meetings:item_detail", pk=item.pk)
    cast = sheet.votes.get(member.pk, {})
    pending = [c for c in sheet.candidates if c.pk not in cast]
    form = VoteForm(
        request.POST,
        member=member,
        candidates=pending if pending else sheet.candidates,
        options=sheet.options,
        cadre_item=sheet.cadre_item,
        auto_id=f"id_vote_{member.pk}_%s",
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                for candidate, choice in form.choices():
                    votes.vote_record(item=item, member=member, choice=choice, candidate=candidate, actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The vote of %(name)s was recorded.") % {"name": member.cadre.name})
            return redirect(f"{reverse('meetings:item_detail', args=[item.pk])}#votes")
    return _item_page(request, item, vote_form=form, status=400)


@login_required
@require_POST
def tally_enter(request, pk: int):
    """An entry of the paper-ballot count, or clearing the entries (with a reason) to enter them again."""
    item = _item(request, pk, ADD_TALLY)
    if request.POST.get("action") == "clear":
        return _item_action(
            request,
            item,
            ReasonForm(request.POST, label=_("Reason for clearing")),
            "clear_form",
            lambda data: votes.tally_clear(item=item, reason=data["reason"], actor=request.user),
            lambda _result: _("The entries of the count were cleared: enter them again."),
        )
    sheet = item_sheet(item)
    form = TallyForm(request.POST, keys=_tally_keys(sheet), options=sheet.options)
    return _item_action(
        request,
        item,
        form,
        "tally_form",
        lambda data: votes.tally_enter(
            item=item,
            ballots_issued=data["ballots_issued"],
            ballots_returned=data["ballots_returned"],
            ballots_invalid=data["ballots_invalid"] or 0,
            counts=form.counts(),
            actor=request.user,
        ),
        lambda entry: _("Entry %(n)s of the count was saved.") % {"n": entry.seq},
    )


@login_required
@require_POST
def voting_close(request, pk: int):
    item = _item(request, pk, ADD_RESULT)
    return _item_action(
        request,
        item,
        CloseForm(request.POST),
        "close_form",
        lambda data: votes.voting_close(item=item, decision_text=data["decision_text"], actor=request.user),
        lambda closed: _("Item %(n)s: %(outcome)s.") % {"n": closed.order, "outcome": closed.get_outcome_display()},
    )


@login_required
@require_POST
def item_defer(request, pk: int):
    item = _item(request, pk, CHANGE_AGENDA)
    return _item_action(
        request,
        item,
        ReasonForm(request.POST, label=_("Reason for deferring")),
        "defer_form",
        lambda data: votes.item_defer(item=item, reason=data["reason"], actor=request.user),
        lambda _result: _("Item %(n)s is deferred (缓议).") % {"n": item.order},
    )


@login_required
@require_POST
def item_discuss(request, pk: int):
    item = _item(request, pk, CHANGE_AGENDA)
    return _item_action(
        request,
        item,
        DiscussForm(request.POST),
        "discuss_form",
        lambda data: votes.item_discuss(item=item, note=data["note"], actor=request.user),
        lambda _result: _("The discussion of item %(n)s was recorded.") % {"n": item.order},
    )


@login_required
@require_POST
def recusal_add(request, pk: int):
    item = _item(request, pk, ADD_RECUSAL)
    return _item_action(
        request,
        item,
        RecusalForm(request.POST, members=item.meeting.term.members.select_related("cadre")),
        "recusal_form",
        lambda data: services.recusal_add(item=item, member=data["member"], reason=data["reason"], actor=request.user),
        lambda recusal: (
            _("%(name)s is recused from item %(n)s.") % {"name": recusal.member.cadre.name, "n": item.order}
        ),
    )


# --- the recusal registry ------------------------------------------------------------------------------------


class RelationListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = VIEW_RELATION
    template_name = "meetings/meetings/relation_list.html"
    results_template_name = "meetings/meetings/relation_list_results.html"
    filter_form_class = RelationFilterForm

    def selector(self):
        return relations_list()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = self.request.user.has_perm(ADD_RELATION)
        ctx["can_change"] = self.request.user.has_perm(CHANGE_RELATION)
        ctx["term"] = current_term()
        return ctx


relation_list = RelationListView.as_view()


@login_required
@permission_required(ADD_RELATION, raise_exception=True)
def relation_create(request):
    term = current_term()
    if term is None:
        return _no_term(request)
    cadres = cadre_list(user=request.user)
    if request.method == "GET" and request.htmx:
        return _cadre_suggestions(request, cadres)
    form = RelationForm(request.POST or None, members=relation_members(term), cadres=cadres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.relation_add(
                member_cadre=data["member"].cadre, cadre=data["cadre"], relation=data["relation"], actor=request.user
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(member)s — %(cadre)s (%(relation)s) is in the registry.")
                % {"member": data["member"].cadre.name, "cadre": data["cadre"].name, "relation": data["relation"]},
            )
            return redirect("meetings:relation_list")
    picked = getattr(form, "cleaned_data", {}).get("cadre")
    context = {"form": form, "picked": picked if hasattr(picked, "pk") else None}
    return render(request, "meetings/meetings/relation_form.html", context, status=form_status(form))


def _cadre_suggestions(request, cadres):
    from cadres.forms import CadreFilterForm

    text = (request.GET.get("cadre_search") or "").strip()
    found = list(CadreFilterForm().search(cadres, text).select_related("unit")[:SUGGESTIONS]) if text else []
    context = {"cadres": found, "text": text, "limit": SUGGESTIONS}
    return render(request, "meetings/meetings/cadre_suggestions.html", context)


@login_required
@require_POST
@permission_required(CHANGE_RELATION, raise_exception=True)
def relations_refresh(request):
    term = current_term()
    if term is None:
        messages.error(request, _("There is no current term."))
        return redirect("meetings:relation_list")
    added = services.relations_refresh(term=term, actor=request.user)
    if added:
        messages.success(request, _("%(n)s relations found in the cadre files were added.") % {"n": added})
    else:
        messages.info(request, _("The cadre files show no relation that is not in the registry already."))
    return redirect("meetings:relation_list")


@login_required
@require_POST
def relation_end(request, pk: int):
    relation = access_relation(request.user, pk, CHANGE_RELATION)
    relation = services.relation_end(relation=relation, actor=request.user)
    messages.success(
        request,
        _("%(member)s — %(cadre)s was removed from the registry.")
        % {"member": relation.member_cadre.name, "cadre": relation.cadre.name},
    )
    return redirect(_safe_next(request, reverse("meetings:relation_list")))
