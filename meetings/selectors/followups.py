"""Reads of decisions (决定事项) and their follow-up (督办): lists, a decision with its results, a follow-up with its
progress, and the follow-up report per member and per area for a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet

from committees.models import TermMember, WorkArea
from committees.selectors import Responsibility
from orgdept.core.models import AuditEvent

from ..models import Decision, FollowUp, FollowUpNote, ItemResult
from ..permissions import visible_decisions, visible_follow_ups

OPEN, CLOSED = FollowUp.Status.OPEN, FollowUp.Status.CLOSED
# why a member answers for a follow-up (FollowUp.responsibility), as committees' Responsibility names it
RESPONSIBILITY_LABELS = {
    Responsibility.LEAD: "牵头常委",
    Responsibility.SUBSTITUTE: "缺位互补",
    Responsibility.SECRETARY: "书记（牵头常委和补位人均不在岗）",
    Responsibility.NOBODY: "未明确",
}


def _labelled(follow_up: FollowUp | None) -> FollowUp | None:
    if follow_up is not None:
        follow_up.responsibility_label = RESPONSIBILITY_LABELS.get(follow_up.responsibility, follow_up.responsibility)
    return follow_up


def decisions_list(user) -> QuerySet[Decision]:
    """The decisions the user may read, newest first, with what their rows show."""
    return (
        visible_decisions(user)
        .select_related("item__meeting__meeting_type", "item__topic__category", "follow_up__member__cadre")
        .order_by("-decided_on", "-id")
    )


def decision_years() -> list[int]:
    return [d.year for d in Decision.objects.dates("decided_on", "year", order="DESC")]


def decision_results(decision: Decision) -> list[ItemResult]:
    """The result rows of the decision's item (one per cadre of a cadre item), in the cadres' order."""
    return list(
        ItemResult.objects.filter(item_id=decision.item_id)
        .select_related("candidate__cadre")
        .order_by("candidate__order", "id")
    )


def decision_follow_up(decision: Decision) -> FollowUp | None:
    return _labelled(FollowUp.objects.filter(decision=decision).select_related("member__cadre", "area").first())


def follow_ups_list(user) -> QuerySet[FollowUp]:
    """The follow-ups the user may read, the nearest deadline first, open ones before closed ones."""
    return (
        visible_follow_ups(user)
        .select_related("decision__item__meeting__meeting_type", "decision__item__topic", "member__cadre", "area")
        .order_by("-status", "deadline", "id")  # "open" sorts after "closed": descending puts open first
    )


def follow_up_page(follow_up: FollowUp) -> FollowUp:
    """One follow-up with its decision, meeting and progress notes (with who wrote them)."""
    return _labelled(
        FollowUp.objects.select_related(
            "decision__item__meeting__meeting_type",
            "decision__item__meeting__term__committee",
            "decision__item__topic__category",
            "member__cadre",
            "area",
        )
        .prefetch_related(Prefetch("notes", queryset=FollowUpNote.objects.select_related("actor")))
        .get(pk=follow_up.pk)
    )


def follow_up_deadline_changes(follow_up: FollowUp) -> QuerySet[AuditEvent]:
    """The deadline changes of a follow-up, as its audit events record them (from, to, reason, who, when)."""
    return AuditEvent.objects.filter(
        action="follow_up.deadline_changed",
        object_type="meetings.meeting",
        object_id=str(follow_up.decision.item.meeting_id),
        details__follow_up=follow_up.pk,
    ).order_by("occurred_at", "id")


def follow_up_members() -> QuerySet[TermMember]:
    """The members who answer for a follow-up, for the list's filter."""
    return (
        TermMember.objects.filter(pk__in=FollowUp.objects.filter(member__isnull=False).values("member_id"))
        .select_related("cadre")
        .order_by("cadre__name", "pk")
    )


def follow_up_years() -> list[int]:
    return [d.year for d in Decision.objects.filter(follow_up__isnull=False).dates("decided_on", "year", order="DESC")]


# -- the report --------------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    """The follow-ups of one member (or area) for a year: open within their deadline, open past it (overdue),
    closed by the deadline, closed after it."""

    key: int | None
    label: str
    note: str = ""
    open: int = 0
    overdue: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def total(self) -> int:
        return self.open + self.overdue + self.on_time + self.late

    @property
    def closed(self) -> int:
        return self.on_time + self.late


@dataclass
class FollowUpReport:
    year: int
    today: date
    by_member: list[ReportRow]
    by_area: list[ReportRow]
    totals: ReportRow


def _counts(today: date) -> dict:
    return {
        "open": Count("pk", filter=Q(status=OPEN, deadline__gte=today)),
        "overdue": Count("pk", filter=Q(status=OPEN, deadline__lt=today)),
        "on_time": Count("pk", filter=Q(status=CLOSED, closed_at__date__lte=F("deadline"))),
        "late": Count("pk", filter=Q(status=CLOSED, closed_at__date__gt=F("deadline"))),
    }


def _row(key, label, values: dict, note: str = "") -> ReportRow:
    return ReportRow(
        key=key,
        label=label,
        note=note,
        open=values["open"],
        overdue=values["overdue"],
        on_time=values["on_time"],
        late=values["late"],
    )


def follow_up_report(*, year: int, today: date) -> FollowUpReport:
    """The follow-ups of the decisions made in `year`, counted per responsible member and per work area as they
    stand on `today`: a follow-up is overdue while it is open after its deadline, and closed late when it was
    closed (in local time) after its deadline. Three queries, whatever the numbers of members and areas."""
    qs = FollowUp.objects.filter(decision__decided_on__year=year)
    counts = _counts(today)
    member_rows = list(qs.values("member_id").annotate(**counts).order_by())
    members = {
        m.pk: m
        for m in TermMember.objects.filter(
            pk__in=[r["member_id"] for r in member_rows if r["member_id"]]
        ).select_related("cadre")
    }
    by_member = []
    for values in member_rows:
        member = members.get(values["member_id"])
        if member is None:
            by_member.append(_row(None, "", values))
        else:
            by_member.append(_row(member.pk, member.cadre.name, values, note=member.title))
    by_member.sort(
        key=lambda r: (
            r.key is None,
            TermMember.ROLE_ORDER.get(members[r.key].role, 99) if r.key else 99,
            members[r.key].order if r.key else 0,
            r.label,
        )
    )
    area_rows = list(qs.values("area_id").annotate(**counts).order_by())
    areas = {a.pk: a for a in WorkArea.objects.filter(pk__in=[r["area_id"] for r in area_rows if r["area_id"]])}
    by_area = []
    for values in area_rows:
        area = areas.get(values["area_id"])
        by_area.append(_row(area.pk if area else None, area.name if area else "", values))
    by_area.sort(key=lambda r: (r.key is None, areas[r.key].order if r.key else 0, r.key or 0))
    totals = ReportRow(
        key=None,
        label="",
        open=sum(r.open for r in by_member),
        overdue=sum(r.overdue for r in by_member),
        on_time=sum(r.on_time for r in by_member),
        late=sum(r.late for r in by_member),
    )
    return FollowUpReport(year=year, today=today, by_member=by_member, by_area=by_area, totals=totals)
