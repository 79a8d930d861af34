"""Meetings pages: the member portal, the standing members' main screen — the meetings they attend with a leave
request for each, the consultations awaiting their written opinion, their follow-ups and the decisions of their
meetings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from orgdept.core import roles

from ..forms_followups import LeaveRequestForm
from ..models import Attendance, Meeting
from ..selectors.portal import (
    member_consultations,
    member_decisions,
    member_follow_ups,
    portal_seat,
    upcoming_meetings,
)

PORTAL_ROLES = (roles.STANDING_MEMBER, roles.MEMBER)
PAST_DECISIONS = 10


def may_use_portal(user) -> bool:
    return roles.has_role(user, *PORTAL_ROLES) and portal_seat(user) is not None


@login_required
def portal(request):
    user = request.user
    seat = portal_seat(user) if roles.has_role(user, *PORTAL_ROLES) else None
    if seat is None:
        raise PermissionDenied
    here = reverse("meetings:portal")
    meetings = list(upcoming_meetings(user))
    for meeting in meetings:
        meeting.attendance = meeting.mine[0] if meeting.mine else None
        attendance = meeting.attendance
        meeting.may_ask_leave = (
            meeting.status == Meeting.Status.SCHEDULED
            and attendance is not None
            and attendance.leave_requested_at is None
            and attendance.presence != Attendance.Presence.PRESENT
        )
        if meeting.may_ask_leave:
            meeting.leave_form = LeaveRequestForm(initial={"next": here}, auto_id=f"id_leave_{meeting.pk}_%s")
    context = {
        "seat": seat,
        "meetings": meetings,
        "consultations": list(member_consultations(user)),
        "follow_ups": list(member_follow_ups(user)),
        "decisions": list(member_decisions(user)[:PAST_DECISIONS]),
        "now": timezone.now(),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/portal/portal.html", context)
