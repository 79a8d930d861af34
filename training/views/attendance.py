"""Attendance of one session: every cadre called up, present unless marked absent, with a note."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from orgdept.core.forms import form_service, form_status

from ..forms import AttendanceForm
from ..permissions import CHANGE_ATTENDANCE, access_session
from ..services.attendance import attendance_record
from .common import section_page
from .queries import session_attendance


@login_required
def session_attendance_view(request, pk: int):
    session = access_session(request.user, pk, CHANGE_ATTENDANCE)
    training_class = session.training_class
    enrolments, recorded = session_attendance(session)
    form = AttendanceForm(request.POST or None, enrolments=enrolments, recorded=recorded)
    if request.method == "POST":
        done = form_service(
            request,
            form,
            lambda _d: attendance_record(
                session=session, present=form.presence(), notes=form.notes(), actor=request.user
            ),
            lambda _r: (
                _("Attendance of %(date)s saved: %(absent)s absent.")
                % {"date": session.date.isoformat(), "absent": sum(1 for v in form.presence().values() if not v)}
            ),
        )
        if done:
            return redirect(reverse("training:class_detail", args=[training_class.pk]) + "#sessions")
    context = {
        "form": form,
        "session": session,
        "training_class": training_class,
        "recorded_count": len(recorded),
        "closed": training_class.closed_at is not None,
    }
    return section_page(request, "training/attendance_form.html", context, "classes", status=form_status(form))
