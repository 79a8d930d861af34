"""缺位互补 and absences: substitutes, leave, who answers for each area on a day, the member's own page (我的分工)
and the quarterly reports of standing members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from ..forms_absences import (
    LeaveFilterForm,
    LeaveForm,
    ReportFilterForm,
    ReportForm,
    ResponsibilityForm,
    SubstituteForm,
)
from ..models import Leave, PortfolioAssignment, QuarterlyReport, SubstituteArrangement, Term, TermMember
from ..permissions import access_leave, access_member, may_manage
from ..selectors import (
    Responsibility,
    current_term,
    leave_coverage,
    leaves_list,
    member_portfolio,
    responsibilities_on,
    seat_of,
    standing_members,
    substitute_arrangements,
    term_on,
)
from ..services import leave_cancel as cancel_leave
from ..services import leave_record, quarterly_report_record, substitute_designate
from ..services.absences import quarter_last_day, quarter_of

VIEW_SUBSTITUTES, ADD_SUBSTITUTE = "committees.view_substitutearrangement", "committees.add_substitutearrangement"
VIEW_LEAVE, ADD_LEAVE, CHANGE_LEAVE = "committees.view_leave", "committees.add_leave", "committees.change_leave"
VIEW_REPORTS, ADD_REPORT = "committees.view_quarterlyreport", "committees.add_quarterlyreport"
VIEW_MEMBERS = "committees.view_termmember"


def _no_term(request, title: str):
    return render(request, "committees/responsibility_no_term.html", {"title": title})


def reminder_days() -> int:
    return int(getattr(settings, "ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS", 14))


# --- 缺位互补 --------------------------------------------------------------------------------------------------


@dataclass
class SubstituteRow:
    member: TermMember
    arrangement: SubstituteArrangement | None
    covers_for: list[TermMember]
    history: list[SubstituteArrangement]
    upcoming: SubstituteArrangement | None = None
    on_leave: Leave | None = None
    problems: list[str] = field(default_factory=list)


def substitute_rows(term: Term, today: date) -> list[SubstituteRow]:
    """Every serving standing member with the substitute in force today, whom they cover for, their
    arrangements over the term, and what is wrong (no substitute, a substitute who no longer serves)."""
    members = standing_members(term=term, on=today)
    serving = {m.pk for m in members}
    in_force = substitute_arrangements(term=term, on=today)
    history: dict[int, list[SubstituteArrangement]] = {}
    arrangements = SubstituteArrangement.objects.filter(member__term=term).select_related("substitute__cadre", "actor")
    for arrangement in arrangements.order_by("-effective_from", "-pk"):
        # superseded_on is the first day the arrangement no longer holds; people read the last day it did
        arrangement.last_day = arrangement.superseded_on - timedelta(days=1) if arrangement.superseded_on else None
        history.setdefault(arrangement.member_id, []).append(arrangement)
    by_pk = {m.pk: m for m in members}
    covers_for: dict[int, list[TermMember]] = {}
    for arrangement in in_force.values():
        if arrangement.member_id in by_pk:
            covers_for.setdefault(arrangement.substitute_id, []).append(by_pk[arrangement.member_id])
    leaves = {
        leave.member_id: leave
        for leave in Leave.objects.filter(
            member__term=term, cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today
        )
    }
    rows = []
    for member in members:
        arrangement = in_force.get(member.pk)
        row = SubstituteRow(
            member=member,
            arrangement=arrangement,
            covers_for=covers_for.get(member.pk, []),
            history=history.get(member.pk, []),
            on_leave=leaves.get(member.pk),
        )
        row.upcoming = next((a for a in row.history if a.effective_from > today), None)
        if arrangement is None:
            row.problems.append(_("No substitute designated"))
        elif arrangement.substitute_id not in serving:
            row.problems.append(
                _("%(name)s no longer serves as a standing member") % {"name": arrangement.substitute.cadre.name}
            )
        rows.append(row)
    return rows


@login_required
@permission_required(VIEW_SUBSTITUTES, raise_exception=True)
def substitute_list(request):
    term = current_term()
    if term is None:
        return _no_term(request, _("Substitutes"))
    today = timezone.localdate()
    rows = substitute_rows(term, today)
    context = {
        "term": term,
        "today": today,
        "rows": rows,
        "missing": sum(1 for row in rows if row.problems),
        "can_change": request.user.has_perm(ADD_SUBSTITUTE),
        "tab": "substitutes",
    }
    return render(request, "committees/substitute_list.html", context)


@login_required
def substitute_edit(request, pk: int):
    member = access_member(request.user, pk, ADD_SUBSTITUTE)
    term = member.term
    candidates = standing_members(term=term)
    form = SubstituteForm(request.POST or None, member=member, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = substitute_designate(member=member, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(substitute)s covers for %(member)s from %(day)s.")
                % {
                    "substitute": arrangement.substitute.cadre.name,
                    "member": member.cadre.name,
                    "day": f"{arrangement.effective_from:%Y-%m-%d}",
                },
            )
            return redirect("committees:substitute_list")
    history = (
        SubstituteArrangement.objects.filter(member=member)
        .select_related("substitute__cadre", "actor")
        .order_by("-effective_from", "-pk")
    )
    context = {
        "member": member,
        "form": form,
        "history": history,
        "today": timezone.localdate(),
        "tab": "substitutes",
    }
    return render(request, "committees/substitute_form.html", context, status=form_status(form))


# --- leave -----------------------------------------------------------------------------------------------------


class LeaveListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = VIEW_LEAVE
    template_name = "committees/leave_list.html"
    results_template_name = "committees/leave_list_results.html"
    filter_form_class = LeaveFilterForm

    def selector(self):
        self.term = current_term()
        if self.term is None:
            return Leave.objects.none()
        return leaves_list(term=self.term)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object_list"] = leaves = list(ctx["object_list"])
        for leave in leaves:
            leave.days = (leave.ends_on - leave.starts_on).days + 1
        ctx.update(
            term=self.term,
            today=timezone.localdate(),
            can_add=self.request.user.has_perm(ADD_LEAVE),
            can_cancel=self.request.user.has_perm(CHANGE_LEAVE),
            tab="leaves",
        )
        return ctx


leave_list = LeaveListView.as_view()


def _leave_from_form(form: LeaveForm) -> Leave | None:
    """The leave as typed so far, unsaved, once the form names a member and a valid span (for the preview;
    the reason may still be missing)."""
    form.is_valid()
    needed = ("member", "starts_on", "ends_on")
    if any(name in form.errors or not form.cleaned_data.get(name) for name in needed):
        return None
    data = form.cleaned_data
    return Leave(
        member=data["member"], starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data.get("reason", "")
    )


@login_required
@permission_required(ADD_LEAVE, raise_exception=True)
def leave_create(request):
    """Records a leave. The page shows who will answer for the member's areas: as a preview while the form is
    filled in (htmx), and, once saved, period by period for the whole leave."""
    term = current_term()
    if term is None:
        return _no_term(request, _("Record a leave"))
    candidates = standing_members(term=term)
    if request.GET.get("preview") and getattr(request, "htmx", False):
        form = LeaveForm(request.GET, candidates=candidates)
        leave = _leave_from_form(form)
        context = {"leave": leave, "covers": leave_coverage(leave) if leave else None, "preview": True}
        return render(request, "committees/leave_coverage.html", context)
    recorded = None
    if request.method == "GET" and request.GET.get("recorded", "").isdigit():
        recorded = access_leave(request.user, int(request.GET["recorded"]))
        if recorded.member.term_id != term.pk:
            recorded = None
    initial = {"member": request.GET.get("member")} if request.GET.get("member", "").isdigit() else {}
    form = LeaveForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            leave = leave_record(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Leave of %(name)s recorded, %(start)s to %(end)s.")
                % {
                    "name": leave.member.cadre.name,
                    "start": f"{leave.starts_on:%Y-%m-%d}",
                    "end": f"{leave.ends_on:%Y-%m-%d}",
                },
            )
            return redirect(f"{reverse('committees:leave_create')}?recorded={leave.pk}")
    typed = _leave_from_form(form) if form.is_bound else None  # a refused form keeps its preview
    context = {
        "form": form,
        "preview_leave": typed,
        "preview_covers": leave_coverage(typed) if typed else None,
        "recorded": recorded,
        "recorded_covers": leave_coverage(recorded) if recorded and recorded.cancelled_at is None else None,
        "tab": "leaves",
    }
    return render(request, "committees/leave_form.html", context, status=form_status(form))


@login_required
@require_POST
def leave_cancel(request, pk: int):
    leave = access_leave(request.user, pk, CHANGE_LEAVE)
    if leave.cancelled_at is not None:
        messages.info(request, _("This leave was already cancelled."))
    else:
        try:
            cancel_leave(leave=leave, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("committees:leave_list")
        messages.success(
            request,
            _("Leave of %(name)s (%(start)s to %(end)s) cancelled.")
            % {
                "name": leave.member.cadre.name,
                "start": f"{leave.starts_on:%Y-%m-%d}",
                "end": f"{leave.ends_on:%Y-%m-%d}",
            },
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("committees:leave_list")
    return redirect(target)


# --- who answers for each area on a day -------------------------------------------------------------------------


@login_required
def responsibility(request):
    """谁负责: for each area in use, who answers on the chosen day and why, and the plan in force that day."""
    if not (request.user.has_perm("committees.view_portfolioplan") and request.user.has_perm(VIEW_LEAVE)):
        raise PermissionDenied
    form = ResponsibilityForm(request.GET or None)
    on = form.day()
    term = term_on(on)
    rows = list(responsibilities_on(on, term=term).values()) if term else []
    plan = next((r.plan for r in rows if r.plan), None)
    reasons = (Responsibility.SUBSTITUTE, Responsibility.SECRETARY, Responsibility.NOBODY)
    counts = {reason: sum(1 for r in rows if r.reason == reason) for reason in reasons}
    context = {
        "form": form,
        "on": on,
        "today": timezone.localdate(),
        "term": term,
        "plan": plan,
        "rows": rows,
        "counts": counts,
        "tab": "responsibility",
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "committees/responsibility_results.html", context)
    return render(request, "committees/responsibility.html", context)


# --- 我的分工 ----------------------------------------------------------------------------------------------------


@dataclass
class ReportDuty:
    """A standing member's report for one quarter: due by the quarter's last day."""

    year: int
    quarter: int
    due_on: date
    report: QuarterlyReport | None
    days_left: int

    @property
    def reported(self) -> bool:
        return self.report is not None

    @property
    def level(self) -> str:
        if self.reported:
            return ""
        return "warning" if self.days_left <= reminder_days() else ""


def report_duty(reports: list[QuarterlyReport], today: date) -> ReportDuty:
    year, quarter = quarter_of(today)
    due_on = quarter_last_day(year, quarter)
    report = next((r for r in reports if (r.year, r.quarter) == (year, quarter)), None)
    return ReportDuty(year=year, quarter=quarter, due_on=due_on, report=report, days_left=(due_on - today).days)


@login_required
def my_portfolio(request):
    """我的分工: a standing member's own areas, substitute, whom they cover for, leave and report duty.
    组织科 may look at any serving standing member's page with ?member=<pk>."""
    user = request.user
    seat = seat_of(user)
    member = seat if seat is not None and seat.is_standing else None
    asked = request.GET.get("member", "")
    if asked.isdigit() and may_manage(user):
        member = access_member(user, int(asked), VIEW_MEMBERS)
        if not member.is_standing:
            raise Http404
    if member is None:
        if not user.has_perm(VIEW_MEMBERS):
            raise PermissionDenied
        term = current_term()
        choices = standing_members(term=term) if term and may_manage(user) else []
        return render(request, "committees/my_portfolio.html", {"member": None, "seat": seat, "choices": choices})
    today = timezone.localdate()
    portfolio = member_portfolio(member, on=today)
    duty = report_duty(portfolio.reports, today)
    areas: dict[int, list[str]] = {}
    if portfolio.plan is not None and portfolio.covers_for:
        for a in (
            portfolio.plan.assignments.filter(kind=PortfolioAssignment.Kind.LEAD, member__in=portfolio.covers_for)
            .select_related("area")
            .order_by("area__order", "area_id")
        ):
            areas.setdefault(a.member_id, []).append(a.area.name)
    context = {
        "member": member,
        "own": seat is not None and seat.pk == member.pk,
        "portfolio": portfolio,
        "covers_for": [(m, areas.get(m.pk, [])) for m in portfolio.covers_for],
        "duty": duty,
        "past_reports": [r for r in portfolio.reports if r is not duty.report],
        "today": today,
        "can_manage": may_manage(user),
    }
    return render(request, "committees/my_portfolio.html", context)


# --- quarterly reports -----------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    member: TermMember
    report: QuarterlyReport | None
    level: str = ""


def quarter_members(year: int, quarter: int) -> tuple[Term | None, list[TermMember]]:
    """The standing members who served during the quarter (of the term in office at its end, or today)."""
    first, last = date(year, (quarter - 1) * 3 + 1, 1), quarter_last_day(year, quarter)
    term = term_on(min(last, timezone.localdate())) or term_on(last)
    if term is None:
        return None, []
    members = [
        m
        for m in standing_members(term=term, on=min(last, timezone.localdate()))
        if m.joined_on <= last and (m.left_on is None or m.left_on > first)
    ]
    return term, members


@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
def report_list(request):
    """季度报告: for one quarter (the current one by default), which standing members have reported."""
    today = timezone.localdate()
    current_year, current_quarter = quarter_of(today)
    form = ReportFilterForm(request.GET or None, initial={"year": current_year, "quarter": current_quarter})
    year, quarter = form.quarter_shown(today)
    term, members = quarter_members(year, quarter)
    reports = {
        r.member_id: r
        for r in QuarterlyReport.objects.filter(year=year, quarter=quarter, member__term=term).select_related(
            "member__cadre", "actor"
        )
    }
    due_on = quarter_last_day(year, quarter)
    shown = {m.pk for m in members}
    members += [r.member for r in reports.values() if r.member_id not in shown]  # reported, then left
    rows = []
    for member in members:
        report = reports.get(member.pk)
        level = ""
        if report is None:
            if due_on < today:
                level = "danger"
            elif (due_on - today).days <= reminder_days():
                level = "warning"
        rows.append(ReportRow(member=member, report=report, level=level))
    context = {
        "form": form,
        "term": term,
        "year": year,
        "quarter": quarter,
        "due_on": due_on,
        "rows": rows,
        "reported": len(reports),
        "is_current": (year, quarter) == quarter_of(today),
        "is_past": due_on < today,
        "can_add": request.user.has_perm(ADD_REPORT),
        "tab": "reports",
    }
    return render(request, "committees/report_list.html", context)


@login_required
@permission_required(ADD_REPORT, raise_exception=True)
def report_record(request):
    term = current_term()
    if term is None:
        return _no_term(request, _("Record a quarterly report"))
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    initial = {"year": year, "quarter": quarter, "reported_on": today}
    for key in ("member", "year", "quarter"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = ReportForm(request.POST or None, candidates=standing_members(term=term), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = quarterly_report_record(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s's report for %(year)s Q%(quarter)s recorded.")
                % {"name": report.member.cadre.name, "year": report.year, "quarter": report.quarter},
            )
            return redirect(f"{reverse('committees:report_list')}?year={report.year}&quarter={report.quarter}")
    context = {"form": form, "tab": "reports"}
    return render(request, "committees/report_form.html", context, status=form_status(form))
