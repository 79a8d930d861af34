"""Topic pages (议题管理): the list, entry and editing, the topic page with its status history, gates, cadres,
materials and consultations, the status changes (提交, 书记审定, 退回, 撤回), the watermarked material download and
the members' written opinions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cadres.models import AppointmentProposal, ProposalRound, Unit
from cadres.selectors import cadre_list
from committees.selectors import current_term, seat_of
from orgdept.core import roles
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.listing import FilteredListView

from ..forms_topics import (
    ConsultationForm,
    MaterialForm,
    OpinionForm,
    RoundTopicForm,
    TopicCadreForm,
    TopicFilterForm,
    TopicForm,
    TopicTransitionForm,
    default_deadline,
)
from ..materials import material_reading_pdf, watermark_pdf
from ..models import MeetingType, Topic
from ..permissions import (
    access_consultation,
    access_material,
    access_topic,
    access_topic_cadre,
    is_meeting_staff,
    readable_items,
    visible_topics,
)
from ..selectors.topics import (
    askable_members,
    cadre_suggestions,
    consultation_state,
    topic_page,
)
from ..selectors.topics import (
    topic_list as topic_list_query,
)
from ..services import topics as services
from ..services.appointments import needs_plenary, proposal_wording, round_topic_create
from ..services.topics import (
    CONSULTABLE,
    EDITABLE,
    MATERIALS_ADDABLE,
    MATERIALS_REMOVABLE,
    STATUS_WORDS,
    consultation_members,
    topic_secretary,
)

Status = Topic.Status
CHANGE = "meetings.change_topic"
GATED = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.DEFERRED)
# withdrawing is possible while the topic is open
WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED, Status.DEFERRED)


def is_secretary_of(user, topic: Topic) -> bool:
    """Whether `user` is the serving secretary, who alone approves (书记审定) the topics of their committee."""
    secretary = topic_secretary(topic)
    return secretary is not None and user.pk is not None and secretary.cadre.user_id == user.pk


def may_list_topics(user) -> bool:
    return (
        is_meeting_staff(user, "meetings.view_topic")
        or roles.has_role(user, roles.STANDING_MEMBER, roles.MEMBER)
        or seat_of(user) is not None
    )


# --- the list --------------------------------------------------------------------------------------------------


class TopicListView(UserPassesTestMixin, FilteredListView):
    template_name = "meetings/topics/topic_list.html"
    results_template_name = "meetings/topics/topic_list_results.html"
    filter_form_class = TopicFilterForm

    def test_func(self):
        return self.request.user.is_authenticated and may_list_topics(self.request.user)

    def selector(self):
        return topic_list_query(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = user.has_perm("meetings.add_topic")
        context["submitted_count"] = visible_topics(user).filter(status=Status.SUBMITTED).count()
        context["status_filter"] = self.request.GET.get("status", "")
        context["staff"] = is_meeting_staff(user, "meetings.view_topic")
        return context


topic_list = TopicListView.as_view()


# --- entry -----------------------------------------------------------------------------------------------------


def _route_hint(form: TopicForm) -> dict:
    """Where the topic would go with the category and meeting picked: routed to the 全委会, refused, or as asked."""
    category, requested = form.chosen("category"), form.chosen("requested_type")
    hint = {"show_posts": bool(category and category.cadre_item), "routed": "", "refused": ""}
    if category is None or requested is None or "category" in form.errors:
        return hint
    try:
        routed = services.topic_route(category=category, requested_type=requested)
    except ApplicationError as exc:
        hint["refused"] = exc.message
    else:
        if routed != requested:
            hint["routed"] = routing_words(routed)
    return hint


def routing_words(routed: MeetingType) -> str:
    return _("Matters of this kind must be decided by the %(type)s: the topic goes to the %(type)s.") % {
        "type": routed.name
    }


def _topic_form_page(request, form: TopicForm, topic: Topic | None):
    url = reverse("meetings:topic_edit", args=[topic.pk]) if topic else reverse("meetings:topic_create")
    form.live(url)
    hint = _route_hint(form)
    context = {"form": form, "topic": topic, **hint}
    if request.htmx and request.method == "GET":
        return render(request, "meetings/topics/topic_route.html", context)
    return render(request, "meetings/topics/topic_form.html", context, status=form_status(form))


def _routed_message(request, topic: Topic) -> None:
    if topic.meeting_type_id != topic.requested_type_id:
        messages.warning(request, routing_words(topic.meeting_type))


@login_required
def topic_create(request):
    if not request.user.has_perm("meetings.add_topic"):
        raise PermissionDenied
    if request.htmx and request.method == "GET":
        return _topic_form_page(request, TopicForm(initial=request.GET.dict()), None)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = current_term()
        if term is None:
            form.add_error(None, _("There is no current term of the committee: topics cannot be entered yet."))
        else:
            try:
                topic = services.topic_create(committee=term.committee, actor=request.user, **form.topic_values())
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Topic “%(title)s” entered as a draft.") % {"title": topic.title})
                _routed_message(request, topic)
                return redirect("meetings:topic_detail", pk=topic.pk)
    return _topic_form_page(request, form, None)


@login_required
def round_topic_new(request, round_pk: int):
    """讨论决定: a round of appointment proposals before the committee becomes one cadre topic with its forms."""
    user = request.user
    # the topic carries every cadre's 任免审批表: only those who may read cadre files may make it
    if not all(user.has_perm(p) for p in ("meetings.add_topic", "cadres.view_proposalround", "cadres.view_cadre")):
        raise PermissionDenied
    proposal_round = get_object_or_404(ProposalRound, pk=round_pk)
    submitted = list(
        proposal_round.proposals.filter(status=AppointmentProposal.Status.SUBMITTED)
        .select_related("cadre", "target_position__unit", "current_position__unit")
        .order_by("pk")
    )
    initial = {"unit": Unit.objects.filter(name__contains="组织部").values_list("pk", flat=True).first()}
    # heads of district units go to the 全委会, the rest to the 常委会
    code = MeetingType.Code.PLENARY if any(needs_plenary(p) for p in submitted) else MeetingType.Code.STANDING
    meeting_type = MeetingType.objects.filter(code=code).first()
    if meeting_type is not None:
        initial["requested_type"] = meeting_type.pk
        categories = meeting_type.scope.filter(cadre_item=True).order_by("order", "pk")
        if code == MeetingType.Code.PLENARY:
            categories = categories.filter(plenary_only=True)
        initial["category"] = categories.values_list("pk", flat=True).first()
    form = RoundTopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        term = current_term()
        if term is None:
            form.add_error(None, _("There is no current term of the committee: topics cannot be entered yet."))
        else:
            try:
                topic = round_topic_create(
                    proposal_round=proposal_round, committee=term.committee, actor=user, **form.cleaned_data
                )
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Topic “%(title)s” entered as a draft.") % {"title": topic.title})
                _routed_message(request, topic)
                return redirect("meetings:topic_detail", pk=topic.pk)
    context = {
        "form": form,
        "proposal_round": proposal_round,
        "submitted": [(p, proposal_wording(p)) for p in submitted],
    }
    return render(request, "meetings/topics/round_topic_form.html", context, status=form_status(form))


@login_required
def topic_edit(request, pk: int):
    topic = access_topic(request.user, pk, CHANGE)
    if topic.status not in EDITABLE:
        messages.error(
            request,
            _("The topic is %(status)s and can no longer be changed; it must be returned to a draft first.")
            % {"status": STATUS_WORDS[topic.status]},
        )
        return redirect("meetings:topic_detail", pk=topic.pk)
    if request.htmx and request.method == "GET":
        return _topic_form_page(request, TopicForm(initial=request.GET.dict()), topic)
    initial = {
        "title": topic.title,
        "summary": topic.summary,
        "category": topic.category_id,
        "requested_type": topic.requested_type_id,
        "unit": topic.unit_id,
        "work_area": topic.work_area_id,
        "posts": topic.posts,
    }
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_update(topic=topic, actor=request.user, **form.topic_values())
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Topic “%(title)s” saved.") % {"title": topic.title})
            _routed_message(request, topic)
            return redirect("meetings:topic_detail", pk=topic.pk)
    return _topic_form_page(request, form, topic)


# --- the topic page --------------------------------------------------------------------------------------------


def _transitions_allowed(user, topic: Topic, *, secretary: bool) -> list[str]:
    """The status changes the page offers this user: only those the table and their role allow."""
    allowed = Topic.TRANSITIONS[topic.status]
    can_change = user.has_perm(CHANGE)
    actions = []
    if can_change and topic.status == Status.DRAFT:
        actions.append("submit")
    if secretary and topic.status == Status.SUBMITTED:
        actions.append("approve")
    if (can_change or secretary) and topic.status == Status.SUBMITTED:
        actions.append("return")
    if can_change and topic.status in WITHDRAWABLE and Status.WITHDRAWN in allowed:
        actions.append("withdraw")
    return actions


def _may_read_materials(user, topic: Topic, page) -> bool:
    """Staff, the secretary reviewing it, or a member reading it through a meeting or a consultation and not
    recused from it (the same rule as `access_material`, which every download applies)."""
    if is_meeting_staff(user, "meetings.view_topicmaterial"):
        return True
    if not page.materials:
        return False
    try:
        access_material(user, page.materials[0].pk)
    except Http404:
        return False
    return True


def _detail(request, topic: Topic, *, status: int = 200, **forms):
    user = request.user
    page = topic_page(topic, user=user)
    secretary = is_secretary_of(user, topic)
    staff = is_meeting_staff(user, "meetings.view_topic")
    can_change = user.has_perm(CHANGE)
    editable = topic.status in EDITABLE
    transitions = _transitions_allowed(user, topic, secretary=secretary)
    for action in ("return", "withdraw"):
        forms.setdefault(f"{action}_form", TopicTransitionForm(initial={"action": action}, auto_id=f"{action}-%s"))
    if can_change and editable and topic.category.cadre_item:
        forms.setdefault("cadre_form", TopicCadreForm())
    if user.has_perm("meetings.add_topicmaterial") and topic.status in MATERIALS_ADDABLE:
        forms.setdefault("material_form", MaterialForm())
    opinion_rows = []
    for state in page.consultations:
        row = state.row_of(user)
        if row is not None:
            opinion_rows.append((state, row, _opinion_form(row, state.consultation.pk)))
    context = {
        "topic": topic,
        "page": page,
        "staff": staff,
        "secretary": secretary,
        "may_see_history": staff or secretary,
        # the gates matter until the topic is on an agenda
        "show_gates": (staff or secretary) and topic.status in GATED,
        "can_change": can_change,
        "can_edit": can_change and editable,
        "can_change_cadres": can_change and editable and topic.category.cadre_item,
        "can_remove_materials": user.has_perm("meetings.change_topicmaterial") and topic.status in MATERIALS_REMOVABLE,
        "may_read_materials": _may_read_materials(user, topic, page),
        "can_consult": user.has_perm("meetings.add_consultation") and topic.status in CONSULTABLE,
        "transitions": transitions,
        "opinion_rows": opinion_rows,
        "routed": routing_words(topic.meeting_type) if topic.meeting_type_id != topic.requested_type_id else "",
        "statuses": Status,
        **forms,
    }
    return render(request, "meetings/topics/topic_detail.html", context, status=status)


def _opinion_form(row, consultation_pk: int) -> OpinionForm:
    text = row.opinion.text if row.opinion else ""
    return OpinionForm(initial={"text": text}, auto_id=f"opinion-{consultation_pk}-%s")


@login_required
def topic_detail(request, pk: int):
    topic = access_topic(request.user, pk)
    return _detail(request, topic)


def _back(topic: Topic, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:topic_detail", args=[topic.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


TRANSITION_DONE = {
    "submit": gettext_lazy("The topic has been submitted for the secretary's approval."),
    "approve": gettext_lazy("The topic is approved and may be put on an agenda."),
    "return": gettext_lazy("The topic has been returned to its draft."),
    "withdraw": gettext_lazy("The topic has been withdrawn."),
}


@login_required
@require_POST
def topic_transition(request, pk: int):
    """提交 / 审定 / 退回 / 撤回: POST `action` and, for returning and withdrawing, `reason`."""
    topic = access_topic(request.user, pk)
    form = TopicTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return _back(topic)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    user = request.user
    secretary = is_secretary_of(user, topic)
    if action in ("submit", "withdraw") and not user.has_perm(CHANGE):
        raise PermissionDenied
    if action == "return" and not (user.has_perm(CHANGE) or secretary):
        raise PermissionDenied
    try:
        if action == "submit":
            services.topic_submit(topic=topic, actor=user)
        elif action == "approve":
            services.topic_approve(topic=topic, actor=user)
        elif action == "return":
            services.topic_return(topic=topic, actor=user, reason=reason)
        else:
            services.topic_withdraw(topic=topic, actor=user, reason=reason)
    except ApplicationError as exc:
        if exc.field == "reason":
            form.auto_id = f"{action}-%s"
            add_service_error(form, exc)
            return _detail(request, topic, status=400, **{f"{action}_form": form})
        messages.error(request, exc.message)
        return _back(topic)
    messages.success(request, TRANSITION_DONE[action])
    return _back(topic)


# --- cadres concerned ------------------------------------------------------------------------------------------


@login_required
def topic_cadre_add(request, pk: int):
    topic = access_topic(request.user, pk, CHANGE)
    cadres = cadre_list(user=request.user)
    if request.method == "GET":
        if not request.htmx:
            return _back(topic, "cadres")
        found, listed = cadre_suggestions(user=request.user, text=request.GET.get("cadre_search", ""), topic=topic)
        context = {"cadres": found, "listed": listed, "text": request.GET.get("cadre_search", "").strip()}
        return render(request, "meetings/topics/cadre_suggestions.html", context)
    form = TopicCadreForm(request.POST, cadres=cadres)
    if form.is_valid():
        try:
            row = services.topic_cadre_add(
                topic=topic,
                cadre=form.cleaned_data["cadre"],
                proposal=form.cleaned_data["proposal"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s added to the topic.") % {"name": row.cadre.name})
            return _back(topic, "cadres")
    if "cadre" in form.errors:  # the service names the cadre: show it by the search box
        for error in form.errors.pop("cadre"):
            form.add_error("cadre_search", error)
    return _detail(request, topic, status=400, cadre_form=form)


@login_required
@require_POST
def topic_cadre_remove(request, pk: int):
    row = access_topic_cadre(request.user, pk)
    topic = row.topic
    try:
        services.topic_cadre_remove(row=row, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s removed from the topic.") % {"name": row.cadre.name})
    return _back(topic, "cadres")


# --- materials -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def material_upload(request, pk: int):
    topic = access_topic(request.user, pk, "meetings.add_topicmaterial")
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = services.material_add(topic=topic, upload=form.cleaned_data["file"], actor=request.user)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Material %(name)s uploaded.") % {"name": material.name})
            return _back(topic, "materials")
    return _detail(request, topic, status=400, material_form=form)


@login_required
@require_POST
def material_remove(request, pk: int):
    material = access_material(request.user, pk, "meetings.change_topicmaterial")
    topic = material.topic
    try:
        services.material_remove(material=material, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Material %(name)s removed.") % {"name": material.name})
    return _back(topic, "materials")


def viewer_name(user) -> str:
    """The reader's full name for the watermark: family then given name, else their cadre's name, else the login."""
    name = f"{user.last_name}{user.first_name}".strip()
    if not name:
        cadre = getattr(user, "cadre", None)
        name = cadre.name if cadre is not None else ""
    return name or user.get_username()


def pdf_file_name(name: str) -> str:
    stem, dot, _suffix = name.rpartition(".")
    return f"{stem if dot else name}.pdf"


@login_required
def material_download(request, pk: int):
    """A material to read: a PDF (a DOCX converted), watermarked with the reader's name and the time, audited."""
    material = access_material(request.user, pk)
    topic = material.topic
    try:
        now = timezone.localtime()
        text = f"{viewer_name(request.user)} {now:%Y-%m-%d %H:%M}"
        pdf = watermark_pdf(material_reading_pdf(material), text)
    except (ApplicationError, OSError):
        messages.error(request, _("The material cannot be opened: ask the department to upload it again."))
        return _back(topic, "materials")
    item = (
        readable_items(request.user)
        .filter(topic=topic)
        .select_related("meeting__meeting_type")
        .order_by("-meeting__starts_at")
        .first()
    )
    details = {"material": material.name, "topic": topic.pk, "topic_title": topic.title, "watermark": text}
    if item is not None:
        details.update(meeting=item.meeting_id, meeting_title=item.meeting.title)
    audit_log(actor=request.user, action="material.downloaded", obj=material, details=details)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_file_name(material.name))
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- consultations ---------------------------------------------------------------------------------------------


@login_required
def consultation_create(request, pk: int):
    topic = access_topic(request.user, pk, "meetings.add_consultation")
    if topic.status not in CONSULTABLE:
        messages.error(
            request,
            _("The topic is %(status)s: no consultation can be started.") % {"status": STATUS_WORDS[topic.status]},
        )
        return _back(topic, "consultations")
    members = askable_members(topic)
    initial = {
        "deadline": timezone.localtime(default_deadline()),
        "members": [m.pk for m in consultation_members(topic)],
    }
    form = ConsultationForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.consultation_request(
                topic=topic,
                deadline=data["deadline"],
                question=data["question"],
                members=list(data["members"]),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The members have been asked for their opinions."))
            return redirect("meetings:consultation_detail", pk=consultation.pk)
    context = {"form": form, "topic": topic}
    return render(request, "meetings/topics/consultation_form.html", context, status=form_status(form))


def _consultation_page(request, consultation, *, status: int = 200, opinion_form=None):
    user = request.user
    state = consultation_state(consultation)
    staff = is_meeting_staff(user, "meetings.view_consultation")
    row = state.row_of(user)
    if row is not None and opinion_form is None:
        opinion_form = _opinion_form(row, consultation.pk)
    context = {
        "consultation": state.consultation,
        "topic": state.consultation.topic,
        "state": state,
        "staff": staff,
        "row": row,
        "opinion_form": opinion_form if row is not None else None,
        "can_close": user.has_perm("meetings.change_consultation") and not state.closed,
    }
    return render(request, "meetings/topics/consultation_detail.html", context, status=status)


@login_required
def consultation_detail(request, pk: int):
    consultation = access_consultation(request.user, pk)
    return _consultation_page(request, consultation)


@login_required
@require_POST
def opinion_submit(request, pk: int):
    consultation = access_consultation(request.user, pk)
    member = consultation.asked.filter(cadre__user=request.user).select_related("cadre").first()
    asked = member is not None
    member = member or seat_of(request.user)  # not asked: the service says so
    if member is None:
        raise PermissionDenied
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.opinion_submit(
                consultation=consultation, member=member, text=form.cleaned_data["text"], actor=request.user
            )
        except ApplicationError as exc:
            if not asked or exc.field is None:  # not asked, or past the deadline: no form to show it by
                messages.error(request, exc.message)
                return redirect("meetings:consultation_detail", pk=consultation.pk)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your opinion has been recorded. You may revise it until the deadline."))
            return redirect("meetings:consultation_detail", pk=consultation.pk)
    return _consultation_page(request, consultation, status=400, opinion_form=form)


@login_required
@require_POST
def consultation_close(request, pk: int):
    consultation = access_consultation(request.user, pk, "meetings.change_consultation")
    try:
        services.consultation_close(consultation=consultation, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The consultation is closed."))
    return redirect("meetings:consultation_detail", pk=consultation.pk)
