"""Reads for a meeting's documents (notice, agenda pack, minutes, ballots): the meeting with everything its papers
print, in a fixed number of queries whatever the number of items, attendees or materials."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from committees.models import TermMember

from ..models import AgendaItem, Attendance, ItemResult, Meeting, Recusal, TallyEntry, TopicCadre


def document_meeting(pk) -> Meeting | None:
    return Meeting.objects.select_related("meeting_type", "term__committee", "presided_by__cadre").filter(pk=pk).first()


def document_attendances(meeting: Meeting) -> list[Attendance]:
    """Who attends, voters first, in the statutory order of their roles (书记, 副书记, 常委, 委员, 候补委员)."""
    rows = list(meeting.attendances.select_related("member__cadre"))
    rows.sort(key=lambda a: (not a.voting, TermMember.ROLE_ORDER.get(a.member.role, 99), a.member.order, a.pk))
    return rows


def document_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda in order, each item with its topic, cadres, materials, recusals, tallies, results and decision."""
    return (
        meeting.items.select_related(
            "topic__category",
            "topic__unit",
            "topic__work_area",
            "decision__follow_up__member__cadre",
            "decision__follow_up__area",
        )
        .prefetch_related(
            Prefetch("topic__cadres", queryset=TopicCadre.objects.select_related("cadre").order_by("order", "id")),
            "topic__materials",
            Prefetch("recusals", queryset=Recusal.objects.select_related("member__cadre").order_by("id")),
            Prefetch("tallies", queryset=TallyEntry.objects.order_by("seq")),
            Prefetch(
                "results",
                queryset=ItemResult.objects.select_related("candidate__cadre").order_by("candidate__order", "id"),
            ),
        )
        .order_by("order", "id")
    )
