"""Training classes: the list of every class, a class's page (sessions, the cadres called up, attendance taken,
the call-up form and closing), creating and changing a class within its plan, adding and removing sessions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_service, form_status

from ..forms import ActionForm, ClassFilterForm, ClassForm, SessionForm
from ..models import TrainingClass, TrainingPlan
from ..permissions import (
    ADD_CLASS,
    ADD_ENROLMENT,
    CHANGE_ATTENDANCE,
    CHANGE_CLASS,
    CHANGE_ENROLMENT,
    CHANGE_SESSION,
    VIEW_CLASS,
    VIEW_CREDIT,
    access_class,
    access_plan,
    access_session,
    require_list,
)
from ..selectors import class_list
from ..services import attendance as attendance_svc
from ..services import classes as svc
from .callup import callup_context, candidates_partial
from .common import SectionListView, section_page
from .queries import class_page


class ClassListView(SectionListView):
    template_name = "training/class_list.html"
    results_template_name = "training/class_list_results.html"
    filter_form_class = ClassFilterForm
    list_perm = VIEW_CLASS
    section_current = "classes"

    def selector(self):
        return class_list()


# --- creating and changing a class --------------------------------------------------------------------------------


def _class_values(data: dict) -> dict:
    return {
        "name": data["name"],
        "organiser": data["organiser"],
        "category": data["category"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "place": data["place"],
        "capacity": data["capacity"],
        "target_ranks": list(data["target_ranks"]),
    }


@login_required
def class_new(request, plan_pk: int):
    plan = access_plan(request.user, plan_pk)
    require_list(request.user, ADD_CLASS)
    initial = {"start_date": None, "capacity": 50}
    form = ClassForm(request.POST or None, initial=initial)
    if request.method == "POST":
        created = {}

        def act(data):
            created["class"] = svc.class_create(plan=plan, actor=request.user, **_class_values(data))
            return created["class"]

        if form_service(
            request, form, act, lambda c: _("Class %(name)s created: now add its sessions.") % {"name": c.name}
        ):
            return redirect("training:class_detail", pk=created["class"].pk)
    context = {"form": form, "plan": plan, "training_class": None}
    return section_page(request, "training/class_form.html", context, "classes", status=form_status(form))


@login_required
def class_edit(request, pk: int):
    training_class = access_class(request.user, pk, CHANGE_CLASS)
    form = ClassForm(request.POST or None, initial=ClassForm.initial_of(training_class))
    if request.method == "POST":

        def act(data):
            return svc.class_update(training_class=training_class, actor=request.user, **_class_values(data))

        if form_service(request, form, act, lambda c: _("Class %(name)s saved.") % {"name": c.name}):
            return redirect("training:class_detail", pk=training_class.pk)
    context = {"form": form, "plan": training_class.plan, "training_class": training_class}
    return section_page(request, "training/class_form.html", context, "classes", status=form_status(form))


# --- a class's page -------------------------------------------------------------------------------------------


def class_detail_page(request, training_class: TrainingClass, *, status: int = 200, bound: dict | None = None):
    """The class's page; `bound` holds the forms posted with errors (session, callup, close)."""
    user = request.user
    bound = bound or {}
    page = class_page(training_class)
    is_open = training_class.closed_at is None
    today = timezone.localdate()
    may_change = user.has_perm(CHANGE_CLASS) and is_open
    context = {
        "training_class": training_class,
        "plan": training_class.plan,
        **page,
        "may_edit": may_change,
        "may_sessions": user.has_perm(CHANGE_SESSION) and is_open,
        "may_attendance": user.has_perm(CHANGE_ATTENDANCE) and is_open,
        "may_withdraw": user.has_perm(CHANGE_ENROLMENT) and is_open,
        "may_close": may_change and user.has_perm(CHANGE_ATTENDANCE),
        "class_ended": training_class.end_date <= today,
        "may_transcripts": user.has_perm(VIEW_CREDIT),
        "session_form": bound.get("session")
        or SessionForm(prefix="session", initial={"date": training_class.start_date}),
        "close_errors": bound.get("close", []),
        "remove_errors": bound.get("remove", []),
        "rank_labels": "、".join(training_class.target_ranks),
        "plan_approved": training_class.plan.status == TrainingPlan.Status.APPROVED,
    }
    if user.has_perm(ADD_ENROLMENT) and is_open:
        context.update(callup_context(request, training_class, page["active"], bound.get("callup")))
    return section_page(request, "training/class_detail.html", context, "classes", status=status)


@login_required
def class_detail(request, pk: int):
    training_class = access_class(request.user, pk)
    if request.htmx and request.GET.get("candidates"):
        return candidates_partial(request, training_class)
    return class_detail_page(request, training_class)


@login_required
@require_POST
def session_add(request, pk: int):
    training_class = access_class(request.user, pk, CHANGE_SESSION)
    form = SessionForm(request.POST, prefix="session")
    done = form_service(
        request,
        form,
        lambda d: svc.session_add(
            training_class=training_class, date=d["date"], topic=d["topic"], hours=d["hours"], actor=request.user
        ),
        lambda s: _("Session of %(date)s added.") % {"date": s.date.isoformat()},
    )
    if done:
        return redirect(reverse("training:class_detail", args=[training_class.pk]) + "#sessions")
    return class_detail_page(request, training_class, status=400, bound={"session": form})


@login_required
@require_POST
def session_remove(request, pk: int):
    session = access_session(request.user, pk, CHANGE_SESSION)
    training_class = session.training_class
    try:
        svc.session_remove(session=session, actor=request.user)
    except ApplicationError as exc:
        return class_detail_page(request, training_class, status=400, bound={"remove": [exc.message]})
    messages.success(request, _("Session of %(date)s removed.") % {"date": session.date.isoformat()})
    return redirect(reverse("training:class_detail", args=[training_class.pk]) + "#sessions")


@login_required
@require_POST
def class_close(request, pk: int):
    """结班: completion and credit for every cadre called up; the page then shows who completed."""
    training_class = access_class(request.user, pk, CHANGE_CLASS)
    require_list(request.user, CHANGE_ATTENDANCE)
    form = ActionForm(request.POST)
    try:
        result = attendance_svc.class_close(training_class=training_class, actor=request.user)
    except ApplicationError as exc:
        add_service_error(form, exc)
        return class_detail_page(request, training_class, status=400, bound={"close": form.non_field_errors()})
    messages.success(request, close_message(result))
    return redirect(reverse("training:class_detail", args=[training_class.pk]) + "#enrolments")


def close_message(result: dict) -> str:
    return _("Class closed: %(completed)s completed and earned their hours, %(not_completed)s did not complete.") % {
        "completed": result.get("completed", 0),
        "not_completed": result.get("not_completed", 0),
    }
