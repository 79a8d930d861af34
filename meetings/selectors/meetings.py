"""Reads of the meeting pages: the list, the agenda with everything its items show, attendance and the quorum,
one item with its votes and counts, the recusal registry. Each page's query count is fixed, whatever its rows."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from cadres.models import Cadre, Unit
from committees.models import Term, TermMember

from ..models import (
    AgendaItem,
    Attendance,
    Decision,
    ItemResult,
    Meeting,
    MemberRelation,
    Recusal,
    TallyEntry,
    Topic,
    TopicCadre,
    TopicCategory,
    TopicMaterial,
    Vote,
)
from ..permissions import visible_meetings
from ..rules import QuorumResult, quorum
from ..services.meetings import expected_members, meeting_quorum
from ..services.topics import topic_gates
from ..services.votes import ItemCounts, item_counts, item_is_secret, item_options

Presence = Attendance.Presence


def meetings_list(user) -> QuerySet[Meeting]:
    """The meetings the user may see, latest first, with what the list shows."""
    return (
        visible_meetings(user)
        .select_related("meeting_type", "term__committee", "presided_by__cadre")
        .annotate(
            item_count=Count("items", distinct=True),
            voting_count=Count("attendances", filter=Q(attendances__voting=True), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def meeting_years() -> list[int]:
    return sorted({d.year for d in Meeting.objects.dates("starts_at", "year")}, reverse=True)


def attendances_prefetch() -> Prefetch:
    return Prefetch("attendances", queryset=Attendance.objects.select_related("member__cadre"))


def meeting_with_attendance(meeting: Meeting) -> Meeting:
    """The meeting with its attendance rows (and their members) loaded once, for the counts that read them."""
    prefetch_related_objects([meeting], attendances_prefetch())
    return meeting


@dataclass
class AgendaRow:
    item: AgendaItem
    counts: ItemCounts
    # the viewing member's seat is recused: no materials, no votes
    viewer_recused: bool
    cadre_item: bool
    secret: bool


@dataclass
class Agenda:
    meeting: Meeting
    voting: list[Attendance]
    nonvoting: list[Attendance]
    on_leave: list[Attendance]
    rows: list[AgendaRow]
    # the viewing user's own attendance row, when they attend
    mine: Attendance | None = None
    # the member seats the viewing user holds (normally one)
    seats: set[int] = field(default_factory=set)


def agenda_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda in order with everything the page shows of each item, in a fixed number of queries."""
    return meeting.items.select_related(
        "topic__category", "topic__unit", "topic__work_area", "decision"
    ).prefetch_related(
        Prefetch("topic__materials", queryset=TopicMaterial.objects.order_by("order", "id")),
        Prefetch("topic__cadres", queryset=TopicCadre.objects.select_related("cadre").order_by("order", "id")),
        Prefetch("recusals", queryset=Recusal.objects.select_related("member__cadre").order_by("id")),
        Prefetch("results", queryset=ItemResult.objects.select_related("candidate__cadre")),
    )


def meeting_presider(meeting: Meeting) -> TermMember | None:
    """Who presides: the member registered for the meeting, else the term's secretary serving on its date (the
    meeting form offers the secretary as the default, not registered apart)."""
    if meeting.presided_by_id:
        return meeting.presided_by
    on = timezone.localdate(meeting.starts_at)
    return (
        meeting.term.members.filter(role=TermMember.Role.SECRETARY, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("cadre")
        .first()
    )


def meeting_agenda(meeting: Meeting, user, *, rows: bool = True) -> Agenda:
    """The agenda page of one meeting for `user`: attendees with and without a vote, leave asked, and the ordered
    items with their category, unit, cadres, materials, recusals, results and decision (`rows=False` leaves the
    items out, for a page that shows them from the cache). Materials are left out of the items the user's seat is
    recused from."""
    meeting_with_attendance(meeting)
    attendances = list(meeting.attendances.all())
    seats = {a.member_id for a in attendances if user.is_authenticated and a.member.cadre.user_id == user.pk}
    return Agenda(
        meeting=meeting,
        voting=[a for a in attendances if a.voting],
        nonvoting=[a for a in attendances if not a.voting],
        on_leave=[a for a in attendances if a.leave_requested_at is not None],
        rows=agenda_rows(meeting, seats) if rows else [],
        mine=next((a for a in attendances if a.member_id in seats), None),
        seats=seats,
    )


def agenda_rows(meeting: Meeting, seats: set[int]) -> list[AgendaRow]:
    """The ordered items of a meeting whose attendance is loaded, as the member holding `seats` reads them."""
    rows = []
    for item in agenda_items(meeting).order_by("order", "id"):
        item.meeting = meeting
        recused = any(r.member_id in seats for r in item.recusals.all())
        options = item_options(item)
        for result in item.results.all():  # the counts in the order of the type's options, not as stored
            result.option_counts = [(option, result.counts.get(option, 0)) for option in options]
        rows.append(
            AgendaRow(
                item=item,
                counts=item_counts(item),
                viewer_recused=recused,
                cadre_item=item.topic.category.cadre_item,
                secret=item_is_secret(item),
            )
        )
    return rows


@functools.cache
def _stamp_sql() -> str:
    """One statement that stamps every kind of row the agenda section reads: per kind its count, the sum of its
    ids (any row added, removed or swapped changes one of them) and its latest change (every service saves
    `updated_at` with what it changes). The rows are reached from the meeting's items (alias i)."""
    items = f"{AgendaItem._meta.db_table} i"
    topics, topic_cadres = Topic._meta.db_table, TopicCadre._meta.db_table
    # (kind, the table of its rows, how they join the items) — each kind's rows are aliased x
    parts = [
        ("topic", Topic, "JOIN {items} ON i.topic_id = x.id"),
        ("category", TopicCategory, f"JOIN {topics} t ON t.category_id = x.id JOIN {{items}} ON i.topic_id = t.id"),
        ("unit", Unit, f"JOIN {topics} t ON t.unit_id = x.id JOIN {{items}} ON i.topic_id = t.id"),
        ("material", TopicMaterial, "JOIN {items} ON i.topic_id = x.topic_id"),
        ("topic_cadre", TopicCadre, "JOIN {items} ON i.topic_id = x.topic_id"),
        ("cadre", Cadre, f"JOIN {topic_cadres} c ON c.cadre_id = x.id JOIN {{items}} ON i.topic_id = c.topic_id"),
        ("recusal", Recusal, "JOIN {items} ON i.id = x.item_id"),
        ("result", ItemResult, "JOIN {items} ON i.id = x.item_id"),
        ("decision", Decision, "JOIN {items} ON i.id = x.item_id"),
    ]
    where = "WHERE i.meeting_id = %(meeting)s"
    # table names from the models, the meeting as a parameter
    selects = [f"SELECT 'item', COUNT(*), SUM(i.id), MAX(i.updated_at) FROM {items} {where}"]  # noqa: S608
    selects += [
        f"SELECT '{kind}', COUNT(*), SUM(x.id), MAX(x.updated_at) FROM {model._meta.db_table} x "  # noqa: S608
        f"{join.format(items=items)} {where}"
        for kind, model, join in parts
    ]
    return " UNION ALL ".join(selects)


def agenda_stamp(meeting: Meeting, seats: set[int]) -> tuple[str, frozenset[int]]:
    """A stamp of everything the agenda section of a meeting shows, which changes whenever any of it does, and
    the items the viewer holding `seats` is recused from: one query (the meeting, its type and its attendance
    are already loaded)."""
    sql = _stamp_sql()
    params: dict[str, object] = {"meeting": meeting.pk}
    if seats:
        placeholders = ", ".join(f"%(seat{n})s" for n in range(len(seats)))
        recusals, items = Recusal._meta.db_table, AgendaItem._meta.db_table
        # table names from the models, values as parameters
        sql += (
            f" UNION ALL SELECT 'recused', x.item_id, 0, NULL FROM {recusals} x JOIN {items} i ON i.id = x.item_id"  # noqa: S608
            f" WHERE i.meeting_id = %(meeting)s AND x.member_id IN ({placeholders})"
        )
        params.update({f"seat{n}": seat for n, seat in enumerate(sorted(seats))})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    recused = frozenset(row[1] for row in found if row[0] == "recused")
    attendances = meeting.attendances.all()
    parts = [
        f"meeting:{meeting.updated_at.isoformat()}:{meeting.meeting_type.updated_at.isoformat()}",
        "attendance:" + ",".join(f"{a.pk}@{a.updated_at.isoformat()}" for a in attendances),
        *(f"{kind}:{n}:{ids}:{last}" for kind, n, ids, last in found if kind != "recused"),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest(), recused


@dataclass
class Candidate:
    topic: Topic
    problems: list[str]


def agenda_candidates(meeting: Meeting) -> tuple[list[Topic], list[Candidate]]:
    """The approved (or deferred) topics of the meeting's committee going to its type of meeting: those that may
    go on the agenda, and the others with what stands in their way."""
    topics = Topic.objects.filter(
        committee_id=meeting.term.committee_id,
        meeting_type_id=meeting.meeting_type_id,
        status__in=(Topic.Status.APPROVED, Topic.Status.DEFERRED),
    ).select_related("category", "unit")
    on = timezone.localtime(meeting.starts_at).date()
    eligible, blocked = [], []
    for topic in topics.order_by("approved_at", "id"):
        problems = topic_gates(topic, on=on)
        if problems:
            blocked.append(Candidate(topic=topic, problems=problems))
        else:
            eligible.append(topic)
    return eligible, blocked


def eligible_topics(meeting: Meeting) -> QuerySet[Topic]:
    eligible, _blocked = agenda_candidates(meeting)
    return Topic.objects.filter(pk__in=[t.pk for t in eligible]).select_related("category", "unit")


@dataclass
class QuorumPanel:
    expected: int
    present: int
    absent: int
    unknown: int
    meeting: QuorumResult
    cadre: QuorumResult | None
    # the cadre items on the agenda: their own counts (recused members leave) and quorum
    items: list[tuple[AgendaItem, QuorumResult]]


def quorum_state(meeting: Meeting) -> QuorumPanel:
    """应到会 and 实到会 now, and whether they make the quorum of the meeting and of its cadre items."""
    meeting_with_attendance(meeting)
    voting = [a for a in meeting.attendances.all() if a.voting]
    result = meeting_quorum(meeting)
    meeting_type = meeting.meeting_type
    items = []
    cadre = None
    if meeting_type.decides:
        cadre = quorum(meeting_type, expected=result.expected, present=result.present, cadre_item=True)
        cadre_items = (
            meeting.items.filter(topic__category__cadre_item=True)
            .select_related("topic__category")
            .prefetch_related("recusals")
            .order_by("order")
        )
        for item in cadre_items:
            item.meeting = meeting
            counts = item_counts(item)
            items.append(
                (item, quorum(meeting_type, expected=counts.expected, present=counts.present, cadre_item=True))
            )
    return QuorumPanel(
        expected=result.expected,
        present=result.present,
        absent=sum(1 for a in voting if a.presence == Presence.ABSENT),
        unknown=sum(1 for a in voting if a.presence == Presence.UNKNOWN),
        meeting=result,
        cadre=cadre,
        items=items,
    )


def expected_attendees(term: Term, meeting_type, on) -> tuple[list[TermMember], list[TermMember]]:
    """Who a meeting of `meeting_type` on `on` would have, with a vote and without (the scheduling preview)."""
    rows = expected_members(term, meeting_type, on)
    return [m for m, voting in rows if voting], [m for m, voting in rows if not voting]


def presiding_candidates(term: Term) -> QuerySet[TermMember]:
    """Who may preside: the serving standing members, the secretary first."""
    return (
        term.members.filter(role__in=TermMember.STANDING_ROLES, left_on__isnull=True)
        .select_related("cadre")
        .order_by("role", "order", "id")
    )


@dataclass
class ItemSheet:
    """Everything the item page shows: counts, recusals, votes by member, the tally entries, results."""

    item: AgendaItem
    counts: ItemCounts
    options: list[str]
    secret: bool
    cadre_item: bool
    candidates: list[TopicCadre]
    recusals: list[Recusal]
    voters: list[Attendance]
    # member pk -> {candidate pk or None: Vote}
    votes: dict[int, dict[int | None, Vote]]
    tallies: list[TallyEntry]
    results: list[ItemResult]
    attendances: list[Attendance]


def item_sheet(item: AgendaItem) -> ItemSheet:
    """One agenda item with its counts, recusals, votes, tallies and results, in a fixed number of queries."""
    item = (
        AgendaItem.objects.select_related(
            "meeting__meeting_type", "meeting__term__committee", "topic__category", "topic__unit", "topic__work_area"
        )
        .select_related("decision__recorded_by")
        .prefetch_related(
            Prefetch("recusals", queryset=Recusal.objects.select_related("member__cadre").order_by("id")),
            Prefetch("topic__cadres", queryset=TopicCadre.objects.select_related("cadre").order_by("order", "id")),
            Prefetch("topic__materials", queryset=TopicMaterial.objects.order_by("order", "id")),
            Prefetch("votes", queryset=Vote.objects.select_related("member__cadre", "candidate__cadre", "recorded_by")),
            Prefetch("tallies", queryset=TallyEntry.objects.select_related("entered_by").order_by("seq")),
            Prefetch("results", queryset=ItemResult.objects.select_related("candidate__cadre")),
        )
        .get(pk=item.pk)
    )
    meeting_with_attendance(item.meeting)
    attendances = list(item.meeting.attendances.all())
    counts = item_counts(item)
    votes: dict[int, dict[int | None, Vote]] = {}
    for vote in item.votes.all():
        votes.setdefault(vote.member_id, {})[vote.candidate_id] = vote
    options = item_options(item)
    results = list(item.results.all())
    for result in results:
        # in the type's option order, for the results table
        result.count_list = [result.counts.get(option, 0) for option in options]
    return ItemSheet(
        item=item,
        counts=counts,
        options=options,
        secret=item_is_secret(item),
        cadre_item=item.topic.category.cadre_item,
        candidates=list(item.topic.cadres.all()),
        recusals=list(item.recusals.all()),
        voters=[a for a in attendances if a.member_id in counts.voters],
        votes=votes,
        tallies=list(item.tallies.all()),
        results=results,
        attendances=attendances,
    )


def relations_list() -> QuerySet[MemberRelation]:
    return MemberRelation.objects.select_related("member_cadre__unit", "cadre__unit", "created_by").order_by(
        "ended_at", "member_cadre__name", "id"
    )


def relation_members(term: Term) -> QuerySet[TermMember]:
    """The serving members (with alternates) whose relations the registry keeps."""
    return term.members.filter(left_on__isnull=True).select_related("cadre").order_by("role", "order", "id")
