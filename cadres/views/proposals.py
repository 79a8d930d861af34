"""The appointment procedure's pages: the work queue, rounds and 动议, the proposal page with its procedure strip
and the form of the step it stands at, democratic recommendations, step documents."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView
from orgdept.core.workdays import ScheduleMissing, WorkCalendar

from ..forms_proposals import (
    AppointForm,
    CandidateFormSet,
    DocumentForm,
    ExceptionalForm,
    InspectionForm,
    MandatoryCheckForm,
    NoticeExemptForm,
    NoticeStartForm,
    ObjectionForm,
    ObjectionResolveForm,
    ProbationCloseForm,
    ProposalFilterForm,
    ProposalForm,
    RecommendationFilterForm,
    RecommendationForm,
    RecommendationPickForm,
    RoundFilterForm,
    RoundForm,
    SubmitForm,
    WithdrawForm,
    cadre_search,
    position_choices,
)
from ..models import AppointmentProposal, MandatoryCheck, Position, Unit
from ..permissions import (
    CHANGE_PROPOSAL,
    VIEW_PROPOSAL,
    access_objection,
    access_proposal,
    access_proposal_document,
    access_round,
)
from ..selectors import cadre_list
from ..selectors_proposals import (
    FINISHED,
    IN_PROGRESS,
    checks_in_order,
    inspection_of,
    procedure_strip,
    proposal_page,
    proposal_queue,
    queue_rows,
    quota_view,
    recommendation_list,
    recommendations_for,
    round_list,
    round_proposals,
    stage_counts,
    stalled_filter,
)
from ..services import proposals as procedure
from ..services.proposal_documents import proposal_document_add, proposal_document_read

Status = AppointmentProposal.Status
SUGGESTIONS = 10
# blank candidate rows offered by the recommendation form (blank ones are ignored)
CANDIDATE_ROWS = 6


# --- the section's links ----------------------------------------------------------------------------------------


def _optional_link(links: list, key: str, label, url_name: str, perm: str, user) -> None:
    """A link to another page of the section, for those who may see it."""
    if not user.has_perm(perm):
        return
    links.append((key, label, reverse(url_name)))


def section_links(user) -> list[tuple[str, str, str]]:
    """(key, label, url) for each part of the appointments section `user` may open."""
    links = []
    if user.has_perm(VIEW_PROPOSAL):
        links.append(("proposals", gettext_lazy("Proposals"), reverse("cadres:proposal_list")))
    if user.has_perm("cadres.view_proposalround"):
        links.append(("rounds", gettext_lazy("Rounds"), reverse("cadres:round_list")))
    if user.has_perm("cadres.view_recommendation"):
        links.append(("recommendations", gettext_lazy("Recommendations"), reverse("cadres:recommendation_list")))
    _optional_link(
        links, "reserve", gettext_lazy("Reserve cadres"), "cadres:reserve_list", "cadres.view_reservecadre", user
    )
    _optional_link(
        links,
        "selections",
        gettext_lazy("Competitive selection"),
        "cadres:selection_list",
        "cadres.view_competitiveselection",
        user,
    )
    return links


# the documents the document service makes of a round and of a proposal (cadres.proposal_pdf), by the kind in
# their URL: (kind, label, the stages in which it applies; empty: always)
ROUND_DOCUMENTS = (
    ("approval-forms", gettext_lazy("Appointment approval forms"), ()),
    ("summary", gettext_lazy("Summary table of the candidates"), ()),
    ("public-notice", gettext_lazy("Pre-appointment public notice"), (Status.NOTICE,)),
    ("appointment-notice", gettext_lazy("Appointment notice"), (Status.DECIDED, Status.NOTICE, Status.APPOINTED)),
)
PROPOSAL_DOCUMENTS = (
    ("approval-form", gettext_lazy("Appointment approval form"), ()),
    (
        "public-notice",
        gettext_lazy("Pre-appointment public notice"),
        (Status.NOTICE, Status.APPOINTED, Status.CONFIRMED),
    ),
    (
        "appointment-notice",
        gettext_lazy("Appointment notice"),
        (Status.DECIDED, Status.NOTICE, Status.APPOINTED, Status.CONFIRMED, Status.RETURNED),
    ),
)


def document_links(url_name: str, pk: int, kinds, statuses: set[str]) -> list[tuple[str, str]]:
    """(label, url) of each document that applies to the stages present."""
    links = []
    for kind, label, stages in kinds:
        if stages and not statuses & set(stages):
            continue
        links.append((label, reverse(url_name, args=[pk, kind])))
    return links


def _page(request, template: str, context: dict, current: str, status: int = 200):
    context = {**context, "section_links": section_links(request.user), "section_current": current}
    return render(request, template, context, status=status)


def _detail_url(proposal, anchor: str = "") -> str:
    url = reverse("cadres:proposal_detail", args=[proposal.pk])
    return f"{url}#{anchor}" if anchor else url


# --- the work queue ---------------------------------------------------------------------------------------------


class ProposalListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = VIEW_PROPOSAL
    template_name = "cadres/proposals/proposal_list.html"
    results_template_name = "cadres/proposals/proposal_list_results.html"
    filter_form_class = ProposalFilterForm

    def selector(self):
        return proposal_queue(user=self.request.user)

    def get_queryset(self):
        proposals = super().get_queryset()
        form = self.filter_form
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        self.today = timezone.localdate()
        self.calendar = WorkCalendar()
        self.calendar_problem = ""
        if data.get("stalled"):
            try:
                proposals = stalled_filter(
                    proposals.filter(status__in=AppointmentProposal.OPEN_STATUSES), self.today, self.calendar
                )
            except ScheduleMissing as exc:
                self.calendar_problem = exc.message
                proposals = proposals.none()
        self.counts, self.in_progress = stage_counts(proposals)
        self.stage = data.get("stage", "")
        if self.stage == ProposalFilterForm.IN_PROGRESS:
            return proposals.filter(IN_PROGRESS)
        if self.stage != ProposalFilterForm.ALL:
            return proposals.filter(status=self.stage)
        return proposals

    def tabs(self) -> list[tuple[str, str, int, str, bool]]:
        """(key, label, count, url, current) per stage tab; the other filters are kept."""
        params = self.request.GET.copy()
        for name in ("page", "stage"):
            params.pop(name, None)

        def url(stage):
            query = params.copy()
            if stage:
                query["stage"] = stage
            text = query.urlencode()
            return f"{self.request.path}?{text}" if text else self.request.path

        counts = self.counts
        tabs = [
            ("", _("In progress"), self.in_progress),
            ("all", _("All"), sum(counts.values())),
        ]
        tabs += [(s, label, counts[s]) for s, label in Status.choices if counts.get(s) or s == self.stage]
        return [(key, label, n, url(key), key == self.stage) for key, label, n in tabs]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = queue_rows(ctx["object_list"], self.today, self.calendar)
        ctx["tabs"] = self.tabs()
        ctx["calendar_problem"] = self.calendar_problem
        ctx["stalled_workdays"] = settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS
        ctx["section_links"] = section_links(self.request.user)
        ctx["section_current"] = "proposals"
        ctx["can_add_round"] = self.request.user.has_perm("cadres.add_proposalround")
        return ctx


# --- rounds -----------------------------------------------------------------------------------------------------


class RoundListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "cadres.view_proposalround"
    template_name = "cadres/proposals/round_list.html"
    results_template_name = "cadres/proposals/round_list_results.html"
    filter_form_class = RoundFilterForm

    def selector(self):
        return round_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["section_links"] = section_links(self.request.user)
        ctx["section_current"] = "rounds"
        ctx["can_add"] = self.request.user.has_perm("cadres.add_proposalround")
        ctx["for_cadre"] = self.for_cadre()
        return ctx

    def for_cadre(self):
        """?cadre=: a cadre from the reserve list or a selection's winners, for whom a round is being chosen."""
        user = self.request.user
        wanted = self.request.GET.get("cadre", "")
        if not (wanted.isdigit() and user.has_perm("cadres.add_appointmentproposal")):
            return None
        return cadre_list(user=user).filter(pk=int(wanted)).first()


@login_required
def round_new(request):
    if not request.user.has_perm("cadres.add_proposalround"):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_round = procedure.round_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Round “%(title)s” created.") % {"title": proposal_round.title})
            return redirect("cadres:round_detail", pk=proposal_round.pk)
    return _page(request, "cadres/proposals/round_form.html", {"form": form}, "rounds", status=form_status(form))


def _round_page(request, proposal_round, form=None, status=200, preset=None):
    """`preset`: a cadre the proposal form starts with (from the reserve list or a selection's winners)."""
    user = request.user
    may_add = user.has_perm("cadres.add_appointmentproposal")
    if may_add and form is None:
        initial = {"cadre": preset.pk, "cadre_search": preset.name} if preset is not None else {}
        form = ProposalForm(cadres=cadre_list(user=user), initial=initial)
    if form is not None:
        _live_posts(form)
    rows = round_proposals(proposal_round)
    submitted = sum(1 for proposal, _step in rows if proposal.status == Status.SUBMITTED)
    target = None
    if form is not None and form.is_bound and str(form.data.get("target_position", "")).isdigit():
        target = Position.objects.select_related("unit").filter(pk=int(form.data["target_position"])).first()
    context = {
        "proposal_round": proposal_round,
        "rows": rows,
        "form": form if may_add else None,
        "submitted_count": submitted,
        "may_put_to_committee": bool(submitted) and user.has_perm("meetings.add_topic"),
        "quota": quota_view(target),
        "document_links": document_links(
            "cadres:round_document", proposal_round.pk, ROUND_DOCUMENTS, {p.status for p, _step in rows}
        )
        if rows
        else [],
        "suggestions": [],
        "picked": None,
    }
    if form is not None and form.is_bound:
        context["suggestions"] = _suggestions(user, form.data.get("cadre_search", ""))
        context["picked"] = _picked(form)
    elif form is not None and preset is not None:
        context["suggestions"], context["picked"] = [preset], preset.pk
    return _page(request, "cadres/proposals/round_detail.html", context, "rounds", status=status)


def _live_posts(form, quota: bool = True) -> None:
    """Asks the page (htmx) for a unit's posts when the unit changes, and for the quota line when the post
    proposed changes."""
    options = reverse("cadres:proposal_position_options")
    for unit_field, position_field in form.position_pairs:
        form.fields[unit_field].widget.attrs.update(
            {
                "hx-get": f"{options}?from={form.add_prefix(unit_field)}",
                "hx-trigger": "change",
                "hx-target": f"#{form[position_field].auto_id}",
                "hx-include": "this",
            }
        )
    if quota and "target_position" in form.fields:
        form.fields["target_position"].widget.attrs.update(
            {
                "hx-get": f"{reverse('cadres:proposal_quota_line')}?from={form.add_prefix('target_position')}",
                "hx-trigger": "change",
                "hx-target": "#quota-line",
                "hx-include": "this",
            }
        )


def _picked(form) -> int | None:
    cadre = getattr(form, "cleaned_data", {}).get("cadre")
    if cadre is not None and hasattr(cadre, "pk"):
        return cadre.pk
    try:
        return int(form.data.get("cadre"))
    except (TypeError, ValueError):
        return None


@login_required
def round_detail(request, pk: int):
    proposal_round = access_round(request.user, pk)
    # the round's page names each cadre with the post proposed: personnel data, so its reading is recorded
    audit_log(actor=request.user, action="proposal_round.viewed", obj=proposal_round)
    preset = None
    if (wanted := request.GET.get("cadre", "")).isdigit():
        preset = cadre_list(user=request.user).select_related("unit").filter(pk=int(wanted)).first()
    return _round_page(request, proposal_round, preset=preset)


@login_required
@require_POST
def proposal_new(request, pk: int):
    """动议: a proposal added to the round; a refusal (the quota among them) is shown next to its field."""
    proposal_round = access_round(request.user, pk, "cadres.add_appointmentproposal")
    form = ProposalForm(request.POST, cadres=cadre_list(user=request.user))
    if form.is_valid():
        try:
            proposal = procedure.proposal_create(
                proposal_round=proposal_round, actor=request.user, **form.service_values()
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Proposal for %(name)s initiated.") % {"name": proposal.cadre.name})
            return redirect("cadres:proposal_detail", pk=proposal.pk)
    return _round_page(request, proposal_round, form=form, status=400)


def _suggestions(user, text: str):
    text = (text or "").strip()
    if not text:
        return []
    return list(cadre_search(cadre_list(user=user), text).select_related("unit")[:SUGGESTIONS])


@login_required
@require_GET
def cadre_suggestions(request):
    """The cadres matching the search box of a form, as radios inside it (htmx)."""
    if not request.user.has_perm(VIEW_PROPOSAL):
        raise PermissionDenied
    text = request.GET.get("cadre_search", "")
    context = {"cadres": _suggestions(request.user, text), "text": text.strip()}
    return render(request, "cadres/proposals/cadre_suggestions.html", context)


@login_required
@require_GET
def position_options(request):
    """The options of a post select for the unit chosen beside it (htmx); `from` names the unit field."""
    if not request.user.has_perm(VIEW_PROPOSAL):
        raise PermissionDenied
    raw = request.GET.get(request.GET.get("from", "unit"), "")
    unit = Unit.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    groups = []
    for value, label in position_choices(unit):
        if isinstance(label, list):
            groups.append((value, label))
        else:
            groups.append(("", [(value, label)]))
    return render(request, "cadres/proposals/position_options.html", {"groups": groups})


@login_required
@require_GET
def quota_line(request):
    """The quota line of the post proposed (htmx): approved, occupied, and proposals under way for the level."""
    if not request.user.has_perm(VIEW_PROPOSAL):
        raise PermissionDenied
    raw = request.GET.get(request.GET.get("from", "target_position"), "")
    position = Position.objects.select_related("unit").filter(pk=int(raw)).first() if raw.isdigit() else None
    return render(request, "cadres/proposals/quota_line.html", {"quota": quota_view(position), "position": position})


# --- the proposal page ------------------------------------------------------------------------------------------


PRE_DECISION = (Status.INITIATED, Status.RECOMMENDED, Status.INSPECTED)


def _offered(proposal, steps, today: date, bound: dict) -> dict:
    """The forms of the steps the proposal may take now, a bound one (with its errors) in place of a new one."""
    status = proposal.status
    forms = {}

    def offer(key, factory):
        forms[key] = bound.get(key) or factory()

    if status == Status.INITIATED and procedure.RECOMMENDATION in steps:
        offer(
            "recommend",
            lambda: RecommendationPickForm(prefix="recommend", recommendations=recommendations_for(proposal)),
        )
    inspecting = Status.RECOMMENDED if procedure.RECOMMENDATION in steps else Status.INITIATED
    if procedure.INSPECTION in steps and status == inspecting:
        offer("inspection", lambda: InspectionForm(prefix="inspection", initial={"ended_on": today}))
    if proposal.promotion and status in PRE_DECISION:
        offer(
            "exceptional",
            lambda: ExceptionalForm(
                prefix="exceptional",
                initial={
                    "reason": proposal.exceptional_reason,
                    "approved_on": proposal.exceptional_approved_on,
                    "approval_ref": proposal.exceptional_approval_ref,
                },
            ),
        )
    if status in (*PRE_DECISION, Status.DEFERRED):
        offer("submit", lambda: SubmitForm(prefix="submit"))
    if status == Status.DECIDED and procedure.NOTICE in steps:
        offer("notice", lambda: NoticeStartForm(prefix="notice"))
        if not proposal.notice_exempt_reason:
            offer("exempt", lambda: NoticeExemptForm(prefix="exempt"))
    if status == Status.NOTICE:
        offer("objection", lambda: ObjectionForm(prefix="objection"))
    # a decided promotion is appointed after its notice, or once its exemption from the notice is recorded
    noticed = procedure.NOTICE not in steps or proposal.notice_exempt_reason
    if status == Status.NOTICE or (status == Status.DECIDED and noticed):
        offer("appoint", lambda: AppointForm(prefix="appoint"))
    if status == Status.APPOINTED and proposal.probation_ends_on:
        offer("probation", lambda: ProbationCloseForm(prefix="probation"))
    if Status.WITHDRAWN in AppointmentProposal.TRANSITIONS[status]:
        offer("withdraw", lambda: WithdrawForm(prefix="withdraw"))
    return forms


def _detail(request, proposal, status: int = 200, bound: dict | None = None, bound_check=None, bound_resolve=None):
    user = request.user
    page = proposal_page(pk=proposal.pk)
    today = timezone.localdate()
    steps = procedure.required_steps(page)
    inspection = inspection_of(page)
    may_change = user.has_perm(CHANGE_PROPOSAL)
    bound = bound or {}
    checks = checks_in_order(page)
    # a check that found a problem is offered again, for the result of the follow-up
    done_kinds = {c.kind for c in checks if c.clear}
    objections = list(page.objections.all())

    forms, check_forms, resolve_forms = {}, [], []
    if may_change:
        forms = _offered(page, steps, today, bound)
        if page.status in PRE_DECISION and (procedure.CHECKS in steps or checks):
            for kind in MandatoryCheck.Kind.values:
                if kind in done_kinds:
                    continue
                if bound_check is not None and bound_check.kind == kind:
                    check_forms.append(bound_check)
                else:
                    check_forms.append(MandatoryCheckForm(kind=kind, initial={"done_on": today}))
        if page.status == Status.NOTICE:
            for objection in objections:
                if objection.resolved_on is None:
                    if bound_resolve is not None and bound_resolve.objection.pk == objection.pk:
                        resolve_forms.append(bound_resolve)
                    else:
                        resolve_forms.append(ObjectionResolveForm(objection=objection))
    gate = None
    qualifications = []
    if page.status in (*PRE_DECISION, Status.SUBMITTED, Status.DEFERRED):
        gate = procedure.decision_gate(page, today)
        qualifications = gate_results(page, today)
    submit_problems = gate.problems if "submit" in forms else []
    notice_preview = None
    if "notice" in forms:
        notice_preview = _notice_preview(forms["notice"], today)
    appointment_problems = []
    if page.status in (Status.DECIDED, Status.NOTICE):
        appointment_problems = procedure.appointment_problems(page, today)
    documents = list(page.documents.all())
    context = {
        "proposal": page,
        "steps": steps,
        "strip": procedure_strip(page, inspection),
        "inspection": inspection,
        "checks": checks,
        "objections": objections,
        "documents": documents,
        "transitions": list(page.transitions.all()),
        "topic_rows": list(page.topic_rows.all()),
        "forms": forms,
        "check_forms": check_forms,
        "resolve_forms": resolve_forms,
        "gate": gate,
        "qualifications": qualifications,
        "submit_problems": submit_problems,
        "notice_preview": notice_preview,
        "appointment_problems": appointment_problems,
        "quota": quota_view(page.target_position, including=True) if page.status in PRE_DECISION else None,
        "may_change": may_change,
        "document_form": bound.get("document")
        or (DocumentForm(prefix="document") if user.has_perm("cadres.add_proposaldocument") else None),
        "probation_reminder_on": procedure.probation_reminder_on(page),
        "probation_due": page.probation_ends_on is not None and today >= procedure.probation_reminder_on(page),
        "recommendation_new_url": _recommendation_new_url(page),
        "finished": page.status in FINISHED,
        "document_links": document_links("cadres:proposal_document", page.pk, PROPOSAL_DOCUMENTS, {page.status}),
        "today": today,
    }
    return _page(request, "cadres/proposals/proposal_detail.html", context, "proposals", status=status)


def gate_results(proposal, today: date) -> list:
    try:
        return procedure.qualification_results(proposal, today)
    except ApplicationError:
        return []


def _recommendation_new_url(proposal) -> str:
    if proposal.target_position_id is None:
        return ""
    query = urlencode({"position": proposal.target_position_id, "proposal": proposal.pk})
    return f"{reverse('cadres:recommendation_new')}?{query}"


def _notice_preview(form, today: date) -> dict:
    """The last day of a notice started on the date in the form (or today), or why it cannot be counted."""
    starts_on = today
    if form.is_bound and form.is_valid():
        starts_on = form.cleaned_data["starts_on"]
    try:
        return {"starts_on": starts_on, "ends_on": procedure.notice_end(starts_on)}
    except ApplicationError as exc:
        return {"starts_on": starts_on, "problem": exc.message}


@login_required
def proposal_detail(request, pk: int):
    proposal = access_proposal(request.user, pk)
    audit_log(
        actor=request.user,
        action="proposal.viewed",
        obj=proposal,
        details={"cadre": proposal.cadre.name, "status": proposal.status},
    )
    return _detail(request, proposal)


@login_required
@require_GET
def notice_end_preview(request, pk: int):
    """The end date a notice started on the date typed would get (htmx)."""
    access_proposal(request.user, pk)
    form = NoticeStartForm(request.GET, prefix="notice")
    return render(
        request, "cadres/proposals/notice_end.html", {"notice_preview": _notice_preview(form, timezone.localdate())}
    )


# each step: (form class, service call with the form's data, message when done, anchor on the page)
def _recommend(proposal, data, actor):
    return procedure.proposal_recommend(proposal=proposal, recommendation=data["recommendation"], actor=actor)


def _inspection(proposal, data, actor):
    return procedure.inspection_record(proposal=proposal, actor=actor, **data)


def _exceptional(proposal, data, actor):
    return procedure.proposal_mark_exceptional(
        proposal=proposal,
        reason=data["reason"],
        approved_on=data["approved_on"],
        approval_ref=data["approval_ref"],
        actor=actor,
    )


def _submit(proposal, data, actor):
    return procedure.proposal_submit(proposal=proposal, actor=actor)


def _notice(proposal, data, actor):
    return procedure.notice_start(proposal=proposal, starts_on=data["starts_on"], actor=actor)


def _exempt(proposal, data, actor):
    return procedure.notice_exempt(proposal=proposal, ground=data["ground"], reason=data["reason"], actor=actor)


def _objection(proposal, data, actor):
    return procedure.objection_record(proposal=proposal, actor=actor, **data)


def _appoint(proposal, data, actor):
    return procedure.proposal_appoint(proposal=proposal, appointed_on=data["appointed_on"], actor=actor)


def _probation(proposal, data, actor):
    return procedure.probation_close(
        proposal=proposal,
        confirmed=data["outcome"] == ProbationCloseForm.CONFIRMED,
        closed_on=data["closed_on"],
        reason=data["reason"],
        actor=actor,
    )


def _withdraw(proposal, data, actor):
    return procedure.proposal_withdraw(proposal=proposal, reason=data["reason"], actor=actor)


STEPS = {
    "recommend": (
        RecommendationPickForm,
        _recommend,
        gettext_lazy("Recommendation result recorded."),
        "step-recommendation",
    ),
    "inspection": (InspectionForm, _inspection, gettext_lazy("Inspection recorded."), "step-inspection"),
    "exceptional": (ExceptionalForm, _exceptional, gettext_lazy("Exceptional promotion recorded."), "exceptional"),
    "submit": (SubmitForm, _submit, gettext_lazy("Put before the committee."), "step-decision"),
    "notice": (NoticeStartForm, _notice, gettext_lazy("Pre-appointment notice started."), "step-notice"),
    "exempt": (NoticeExemptForm, _exempt, gettext_lazy("Exemption from the notice recorded."), "step-notice"),
    "objection": (ObjectionForm, _objection, gettext_lazy("Objection recorded."), "objections"),
    "appoint": (AppointForm, _appoint, gettext_lazy("Appointment recorded."), "step-appointment"),
    "probation": (ProbationCloseForm, _probation, gettext_lazy("End of probation recorded."), "step-probation"),
    "withdraw": (WithdrawForm, _withdraw, gettext_lazy("Proposal withdrawn."), ""),
}


@login_required
@require_POST
def proposal_step(request, pk: int, action: str):
    if action not in STEPS:
        raise Http404
    form_class, run, done, anchor = STEPS[action]
    proposal = access_proposal(request.user, pk, CHANGE_PROPOSAL)
    kwargs = {"prefix": action}
    if action == "recommend":
        kwargs["recommendations"] = recommendations_for(proposal)
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            run(proposal, form.cleaned_data, request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(_detail_url(proposal, anchor))
    return _detail(request, proposal, status=400, bound={action: form})


@login_required
@require_POST
def proposal_check(request, pk: int, kind: str):
    """One of the four mandatory checks (凡提四必)."""
    if kind not in MandatoryCheck.Kind.values:
        raise Http404
    proposal = access_proposal(request.user, pk, CHANGE_PROPOSAL)
    form = MandatoryCheckForm(request.POST, kind=kind)
    if form.is_valid():
        try:
            procedure.mandatory_check_record(proposal=proposal, kind=kind, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("“%(check)s” recorded.") % {"check": form.label})
            return redirect(_detail_url(proposal, "step-checks"))
    return _detail(request, proposal, status=400, bound_check=form)


@login_required
@require_POST
def objection_resolve(request, pk: int):
    objection = access_objection(request.user, pk)
    proposal = objection.proposal
    form = ObjectionResolveForm(request.POST, objection=objection)
    if form.is_valid():
        data = form.cleaned_data
        try:
            procedure.objection_resolve(
                objection=objection,
                resolved_on=data["resolved_on"],
                resolution=data["resolution"],
                upheld=data["outcome"] == ObjectionResolveForm.UPHELD,
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Objection resolved."))
            return redirect(_detail_url(proposal, "objections"))
    return _detail(request, proposal, status=400, bound_resolve=form)


# --- step documents ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk: int):
    proposal = access_proposal(request.user, pk, "cadres.add_proposaldocument")
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        try:
            document = proposal_document_add(
                proposal=proposal, step=form.cleaned_data["step"], upload=form.cleaned_data["file"], actor=request.user
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s uploaded.") % {"name": document.name})
            return redirect(_detail_url(proposal, "documents"))
    return _detail(request, proposal, status=400, bound={"document": form})


@login_required
def document_download(request, pk: int):
    document = access_proposal_document(request.user, pk)
    try:
        data = proposal_document_read(document=document, actor=request.user)
    except OSError:
        messages.error(request, _("The document cannot be opened: upload it again."))
        return redirect(_detail_url(document.proposal, "documents"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- democratic recommendations ---------------------------------------------------------------------------------


class RecommendationListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "cadres.view_recommendation"
    template_name = "cadres/proposals/recommendation_list.html"
    results_template_name = "cadres/proposals/recommendation_list_results.html"
    filter_form_class = RecommendationFilterForm

    def selector(self):
        return recommendation_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for row in ctx["object_list"]:
            row.expires_on = procedure.recommendation_expires_on(row)
        ctx["today"] = timezone.localdate()
        ctx["section_links"] = section_links(self.request.user)
        ctx["section_current"] = "recommendations"
        ctx["can_add"] = self.request.user.has_perm("cadres.add_recommendation")
        return ctx


@login_required
def recommendation_new(request):
    """民主推荐 for a post: its form, the day, the participants and each candidate's votes. Opened from a proposal,
    it starts with the proposal's post and cadre and goes back to the proposal when saved."""
    user = request.user
    if not user.has_perm("cadres.add_recommendation"):
        raise PermissionDenied
    proposal = None
    raw = request.GET.get("proposal", "")
    if raw.isdigit():
        proposal = access_proposal(user, int(raw))
    cadres = cadre_list(user=user)
    initial, rows = {}, [{}] * CANDIDATE_ROWS
    if proposal is not None and proposal.target_position is not None:
        initial = {"unit": proposal.target_position.unit_id, "position": proposal.target_position_id}
        rows = [{"cadre": proposal.cadre.name}] + [{}] * (CANDIDATE_ROWS - 1)
    elif request.GET.get("position", "").isdigit():
        position = Position.objects.filter(pk=int(request.GET["position"])).first()
        if position is not None:
            initial = {"unit": position.unit_id, "position": position.pk}
    form = RecommendationForm(request.POST or None, initial=initial)
    _live_posts(form, quota=False)
    formset = CandidateFormSet(request.POST or None, initial=rows, prefix="candidates", form_kwargs={"cadres": cadres})
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        data = form.cleaned_data
        try:
            recommendation = procedure.recommendation_record(
                position=data["position"],
                kind=data["kind"],
                held_on=data["held_on"],
                participants=data["participants"],
                posts=data["posts"],
                note=data["note"],
                candidates=formset.candidates(),
                actor=user,
            )
        except ApplicationError as exc:
            if exc.field == "candidates":
                formset._non_form_errors = formset.error_class([exc.message])
            else:
                add_service_error(form, exc)
        else:
            messages.success(request, _("Recommendation for %(post)s recorded.") % {"post": recommendation.position})
            if proposal is not None:
                return redirect(_detail_url(proposal, "step-recommendation"))
            return redirect("cadres:recommendation_list")
    context = {"form": form, "formset": formset, "proposal": proposal}
    errors = form.errors or any(formset.errors) or formset.non_form_errors()
    return _page(
        request, "cadres/proposals/recommendation_form.html", context, "recommendations", status=400 if errors else 200
    )
