"""Reads of the member portal (the standing members' main screen) and of their home-page sections: the meetings
they attend, the consultations addressed to them, their follow-ups and the decisions of their meetings. Each is
one query (or two with the member's attendance), whatever the number of meetings."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from committees.models import TermMember
from committees.selectors import seat_of

from ..models import Attendance, Consultation, Decision, FollowUp, Meeting, Opinion
from ..permissions import asked_consultations, attended_meetings, recused_item_ids

UPCOMING = (Meeting.Status.SCHEDULED, Meeting.Status.IN_SESSION)


def _cadre_id(user) -> int | None:
    return getattr(getattr(user, "cadre", None), "pk", None)


def portal_seat(user) -> TermMember | None:
    """The member's serving seat in the current term; the portal is for those who have one. Looked up once per
    request: the page and its section links share it on the request's user."""
    if not hasattr(user, "_portal_seat"):
        user._portal_seat = seat_of(user)
    return user._portal_seat


def upcoming_meetings(user) -> QuerySet[Meeting]:
    """The meetings the member attends that are still to be held (or in session), soonest first, each with its
    number of agenda items and the member's own attendance row as `mine` (a list of at most one)."""
    mine = Attendance.objects.filter(member__cadre_id=_cadre_id(user))
    return (
        attended_meetings(user)
        .filter(status__in=UPCOMING)
        .select_related("meeting_type", "term")
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("attendances", queryset=mine, to_attr="mine"))
        .order_by("starts_at", "pk")
    )


def member_consultations(user) -> QuerySet[Consultation]:
    """The consultations (酝酿) addressed to the member and not yet closed, by deadline, each with `answered`:
    whether the member has given a written opinion."""
    cadre_id = _cadre_id(user)
    answered = Opinion.objects.filter(consultation=OuterRef("pk"), member__cadre_id=cadre_id)
    return (
        asked_consultations(user)
        .filter(closed_at__isnull=True)
        .select_related("topic__meeting_type")
        .annotate(answered=Exists(answered))
        .distinct()
        .order_by("deadline", "pk")
    )


def member_follow_ups(user) -> QuerySet[FollowUp]:
    """The open follow-ups (督办) the member answers for, nearest deadline first."""
    cadre_id = _cadre_id(user)
    if cadre_id is None:
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(member__cadre_id=cadre_id, status=FollowUp.Status.OPEN)
        .select_related("decision__item__meeting__meeting_type", "decision__item__topic", "area")
        .order_by("deadline", "pk")
    )


def member_decisions(user) -> QuerySet[Decision]:
    """The decisions of the meetings the member attends, except those of items they were recused from, newest
    first."""
    return (
        Decision.objects.filter(item__meeting__in=attended_meetings(user))
        .exclude(item_id__in=recused_item_ids(user))
        .select_related("item__meeting__meeting_type", "item__topic", "follow_up")
        .order_by("-decided_on", "-id")
    )
