"""Meetings pages: decisions (决定事项) with their results and reconsideration; follow-up (督办) with progress notes,
deadline changes and closure; the follow-up report per member and per area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_service, form_status
from orgdept.core.listing import FilteredListView

from ..forms_followups import (
    DecisionFilterForm,
    FollowUpCloseForm,
    FollowUpDeadlineForm,
    FollowUpFilterForm,
    FollowUpNoteForm,
    FollowUpReportForm,
    ReconsiderForm,
)
from ..models import Decision, FollowUp
from ..permissions import access_decision, access_follow_up, is_meeting_staff
from ..selectors import followups as reads
from ..selectors.followups import (
    decision_follow_up,
    decision_results,
    decisions_list,
    follow_up_deadline_changes,
    follow_up_page,
    follow_ups_list,
)
from ..services import followups as services
from ..services.votes import decision_reconsider as reconsider
from ..services.votes import item_options

VIEW_DECISION, CHANGE_DECISION = "meetings.view_decision", "meetings.change_decision"
VIEW_FOLLOW_UP, CHANGE_FOLLOW_UP, ADD_NOTE = (
    "meetings.view_followup",
    "meetings.change_followup",
    "meetings.add_followupnote",
)


def _member(user) -> bool:
    return roles.has_role(user, roles.STANDING_MEMBER, roles.MEMBER)


def _show_portal(user) -> bool:
    """Members reach their portal from these pages' tabs; the department staff have no portal."""
    return _member(user) and not is_meeting_staff(user)


# --- decisions -------------------------------------------------------------------------------------------------


class DecisionListView(LoginRequiredMixin, FilteredListView):
    """The decisions the user may read: all of them for the department staff, those of the meetings they attend
    (not of items they were recused from) for a member."""

    template_name = "meetings/followups/decision_list.html"
    results_template_name = "meetings/followups/decision_list_results.html"
    filter_form_class = DecisionFilterForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (is_meeting_staff(user, VIEW_DECISION) or _member(user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def selector(self):
        return decisions_list(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(tab="decisions", show_portal=_show_portal(self.request.user))
        return ctx


decision_list = DecisionListView.as_view()


def _result_rows(decision: Decision, results) -> list[tuple]:
    """Each result with its counts in the meeting type's option order (the stored counts keep no order)."""
    options = item_options(decision.item)
    rows = []
    for result in results:
        counts = [(option, result.counts.get(option, 0)) for option in options]
        counts += [(option, n) for option, n in result.counts.items() if option not in options]
        rows.append((result, counts))
    return rows


def _decision_page(request, decision: Decision, form: ReconsiderForm | None = None):
    user = request.user
    can_reconsider = decision.reconsidered_on is None and user.has_perm(CHANGE_DECISION)
    if can_reconsider and form is None:
        form = ReconsiderForm()
    results = decision_results(decision)
    context = {
        "decision": decision,
        "item": decision.item,
        "meeting": decision.item.meeting,
        "topic": decision.item.topic,
        "result_rows": _result_rows(decision, results),
        "follow_up": decision_follow_up(decision),
        "form": form if can_reconsider else None,
        "can_reconsider": can_reconsider,
        "today": timezone.localdate(),
        "tab": "decisions",
        "show_portal": _show_portal(user),
    }
    status = form_status(form) if form is not None else 200
    return render(request, "meetings/followups/decision_detail.html", context, status=status)


@login_required
def decision_detail(request, pk: int):
    return _decision_page(request, access_decision(request.user, pk))


@login_required
@require_POST
def decision_reconsider(request, pk: int):
    """复议 (组织科 records it): the votes in favour of reconsidering and the reason; refused, with the rule, without
    more than half of all the body's members."""
    decision = access_decision(request.user, pk)
    if not request.user.has_perm(CHANGE_DECISION):
        raise PermissionDenied
    form = ReconsiderForm(request.POST)
    if form.is_valid():
        try:
            reconsider(decision=decision, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The decision has been reconsidered."))
            return redirect("meetings:decision_detail", pk=decision.pk)
    decision.refresh_from_db()
    return _decision_page(request, decision, form)


# --- follow-up ----------------------------------------------------------------------------------------------------


class FollowUpListView(LoginRequiredMixin, FilteredListView):
    """The follow-ups the user may read: all of them for the department staff; for a member, their own and those of
    the decisions they may read."""

    template_name = "meetings/followups/follow_up_list.html"
    results_template_name = "meetings/followups/follow_up_list_results.html"
    filter_form_class = FollowUpFilterForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (is_meeting_staff(user, VIEW_FOLLOW_UP) or _member(user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def selector(self):
        return follow_ups_list(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(today=timezone.localdate(), tab="follow_ups", show_portal=_show_portal(self.request.user))
        return ctx


follow_up_list = FollowUpListView.as_view()


def _responsible(user, follow_up: FollowUp) -> bool:
    return follow_up.member is not None and follow_up.member.cadre.user_id == user.pk


def _follow_up_page(request, follow_up: FollowUp, *, note_form=None, close_form=None, deadline_form=None):
    user = request.user
    follow_up = follow_up_page(follow_up)
    is_open = follow_up.status == FollowUp.Status.OPEN
    can_note = is_open and (_responsible(user, follow_up) or user.has_perm(ADD_NOTE))
    can_manage = is_open and user.has_perm(CHANGE_FOLLOW_UP)
    if can_note and note_form is None:
        note_form = FollowUpNoteForm()
    if can_manage:
        close_form = close_form or FollowUpCloseForm()
        deadline_form = deadline_form or FollowUpDeadlineForm(initial={"deadline": follow_up.deadline})
    today = timezone.localdate()
    context = {
        "follow_up": follow_up,
        "decision": follow_up.decision,
        "meeting": follow_up.decision.item.meeting,
        "notes": follow_up.notes.all(),
        "deadline_changes": follow_up_deadline_changes(follow_up),
        "note_form": note_form if can_note else None,
        "close_form": close_form if can_manage else None,
        "deadline_form": deadline_form if can_manage else None,
        "overdue": is_open and follow_up.deadline < today,
        "closed_late": not is_open and timezone.localtime(follow_up.closed_at).date() > follow_up.deadline,
        "today": today,
        "tab": "follow_ups",
        "show_portal": _show_portal(user),
    }
    forms = [f for f in (note_form, close_form, deadline_form) if f is not None]
    status = 400 if any(f.is_bound and f.errors for f in forms) else 200
    return render(request, "meetings/followups/follow_up_detail.html", context, status=status)


@login_required
def follow_up_detail(request, pk: int):
    """A follow-up with its decision and progress; a POST changes the deadline, with a reason (组织科)."""
    follow_up = access_follow_up(request.user, pk)
    if request.method != "POST":
        return _follow_up_page(request, follow_up)
    if not request.user.has_perm(CHANGE_FOLLOW_UP):
        raise PermissionDenied
    form = FollowUpDeadlineForm(request.POST)
    act = lambda data: services.follow_up_deadline_change(follow_up=follow_up, actor=request.user, **data)  # noqa: E731
    if form_service(request, form, act, lambda _result: _("The deadline has been changed.")):
        return redirect("meetings:follow_up_detail", pk=follow_up.pk)
    return _follow_up_page(request, follow_up, deadline_form=form)


@login_required
@require_POST
def follow_up_note(request, pk: int):
    """A progress note, by the responsible member or 组织科."""
    follow_up = access_follow_up(request.user, pk)
    if not (_responsible(request.user, follow_up) or request.user.has_perm(ADD_NOTE)):
        raise PermissionDenied
    form = FollowUpNoteForm(request.POST)
    act = lambda data: services.follow_up_note_add(follow_up=follow_up, actor=request.user, **data)  # noqa: E731
    if form_service(request, form, act, lambda _result: _("The progress note has been added.")):
        return redirect("meetings:follow_up_detail", pk=follow_up.pk)
    return _follow_up_page(request, follow_up, note_form=form)


@login_required
@require_POST
def follow_up_close(request, pk: int):
    """办结, with a note on how the decision was carried out (组织科)."""
    follow_up = access_follow_up(request.user, pk)
    if not request.user.has_perm(CHANGE_FOLLOW_UP):
        raise PermissionDenied
    form = FollowUpCloseForm(request.POST)
    act = lambda data: services.follow_up_close(follow_up=follow_up, actor=request.user, **data)  # noqa: E731
    if form_service(request, form, act, lambda _result: _("The follow-up has been closed.")):
        return redirect("meetings:follow_up_detail", pk=follow_up.pk)
    return _follow_up_page(request, follow_up, close_form=form)


@login_required
@permission_required(VIEW_FOLLOW_UP, raise_exception=True)
def follow_up_report(request):
    """督办统计: for the decisions of a year, each member's and each area's follow-ups that are in progress, overdue,
    closed on time and closed late, as they stand today."""
    today = timezone.localdate()
    form = FollowUpReportForm(request.GET or None, initial={"year": today.year})
    year = form.year_shown()
    report = reads.follow_up_report(year=year, today=today)
    tables = [
        (_("By member"), _("Responsible member"), report.by_member, "member", "report-members"),
        (_("By work area"), _("Work area"), report.by_area, "area", "report-areas"),
    ]
    context = {"form": form, "report": report, "year": year, "tables": tables, "tab": "report"}
    return render(request, "meetings/followups/follow_up_report.html", context)
