"""Reads of the training app for pages, PDFs, reminders and the appraisal app: requirement status per cadre in one
aggregate query, shortfalls per unit, a cadre's transcript, yearly hours; and the querysets the pages list.

Every function here runs a fixed number of queries whatever the number of cadres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cadres.models import COUNTY_LEVEL_RANKS, Cadre, Unit

from .models import Attendance, ClassSession, CreditEntry, Enrolment, TrainingClass, TrainingPlan
from .requirements import COUNTY, SECTION, ZERO, RequirementStatus, Rule, requirement_from, rule_for_rank, rules

# --- requirement status -----------------------------------------------------------------------------------


def _cadre_list(cadres) -> list:
    return list(cadres)


def requirement_statuses(cadres, on: date) -> dict[int, RequirementStatus | None]:
    """{cadre pk: status on `on`, or None for a cadre without a rank}. `cadres`: Cadre objects or a queryset
    of them. One query for the hours (one sum per distinct window), plus one to load a queryset."""
    cadres = _cadre_list(cadres)
    # a rule per rank, not per cadre: the morning scan asks about every cadre at once
    by_rank: dict[str, Rule | None] = {}
    rules: dict[int, Rule | None] = {}
    for c in cadres:
        if c.rank not in by_rank:
            by_rank[c.rank] = rule_for_rank(c.rank)
        rules[c.pk] = by_rank[c.rank]
    starts = sorted({rule.counted_from(on) for rule in rules.values() if rule is not None})
    sums: dict[int, dict[date, Decimal]] = {}
    if starts:
        counted = [pk for pk, rule in rules.items() if rule is not None]
        aggregates = {
            f"from_{i}": Sum("hours", filter=Q(earned_on__gte=start), default=ZERO) for i, start in enumerate(starts)
        }
        rows = (
            CreditEntry.objects.filter(cadre_id__in=counted, earned_on__gte=starts[0], earned_on__lte=on)
            .values("cadre_id")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            sums[row["cadre_id"]] = {start: row[f"from_{i}"] for i, start in enumerate(starts)}
    out: dict[int, RequirementStatus | None] = {}
    for pk, rule in rules.items():
        if rule is None:
            out[pk] = None
            continue
        earned = sums.get(pk, {}).get(rule.counted_from(on), ZERO)
        out[pk] = requirement_from(rule, on, earned)
    return out


def requirement_status(cadre: Cadre, on: date) -> RequirementStatus | None:
    """The cadre's status against their rule on `on`; None without a rank."""
    return requirement_statuses([cadre], on)[cadre.pk]


def yearly_hours(cadres, year: int) -> dict[int, Decimal]:
    """{cadre pk: credit hours earned in the calendar year} (0 for none), every source. One query (plus one to load
    a queryset) — for the appraisal app."""
    cadres = _cadre_list(cadres)
    out = {c.pk: ZERO for c in cadres}
    if not out:
        return out
    rows = (
        CreditEntry.objects.filter(
            cadre_id__in=list(out), earned_on__gte=date(year, 1, 1), earned_on__lte=date(year, 12, 31)
        )
        .values("cadre_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in rows:
        out[row["cadre_id"]] = row["total"] or ZERO
    return out


def year_shortfall(cadres, year: int) -> dict[int, Decimal]:
    """{cadre pk: hours short of the year's requirement as of 31 December of `year`} — for 乡科级 the calendar
    year's 90 hours, for 县处级 the 550 of the rolling window ending that day; 0 when met and for a cadre without
    a rank (no rule binds them). For the appraisal app."""
    statuses = requirement_statuses(cadres, date(year, 12, 31))
    return {pk: (status.shortfall if status else ZERO) for pk, status in statuses.items()}


# --- shortfalls per unit -----------------------------------------------------------------------------------


@dataclass
class CadreShortfall:
    cadre: Cadre
    status: RequirementStatus


@dataclass
class UnitShortfall:
    """A unit's cadres against their requirements: those with a rank are counted; the short ones are listed with
    their figures, the largest shortfall first."""

    unit: Unit
    counted: int = 0
    short: int = 0
    total_shortfall: Decimal = ZERO
    cadres_short: list[CadreShortfall] = field(default_factory=list)

    @property
    def met(self) -> int:
        return self.counted - self.short


def unit_shortfalls(*, units=None, on: date) -> list[UnitShortfall]:
    """Per unit (all units when None, else those given, in unit order), how many cadres with a rank it has, how
    many are short of their requirement on `on`, the hours short in all, and the cadres short. Three queries."""
    if units is None:
        unit_list = list(Unit.objects.order_by("order", "name", "pk"))
    else:
        unit_list = sorted(_cadre_list(units), key=lambda u: (u.order, u.name, u.pk))
    lines = {u.pk: UnitShortfall(unit=u) for u in unit_list}
    if not lines:
        return []
    cadres = list(
        Cadre.objects.filter(unit_id__in=list(lines)).exclude(rank="").select_related("unit").order_by("name", "pk")
    )
    return list(shortfall_lines(cadres, on, lines).values())


def shortfalls_in_windows(on: date) -> tuple[list[tuple], dict[int, int]]:
    """The cadres short of their requirement on `on`, for the morning scan that looks at every cadre at once: one
    aggregate query for the short, one count per unit, plain tuples and no model instances. Returns the rows
    (pk, unit pk, name, rank, account pk or None, account active, hours earned in the rule's window up to `on`,
    hours short) and {unit pk: cadres with a rule}. Cadres without a rank, or whose rule is not configured, are
    not counted."""
    configured = rules()
    county_ranks = [str(rank) for rank in COUNTY_LEVEL_RANKS]
    in_county = f"c.rank IN ({', '.join(['%s'] * len(county_ranks))})"
    groups = []  # (the cadres it is for, its parameters, rule)
    if configured.get(COUNTY) is not None:
        groups.append((in_county, county_ranks, configured[COUNTY]))
    if configured.get(SECTION) is not None:
        groups.append((f"NOT {in_county}", county_ranks, configured[SECTION]))
    if not groups:
        return [], {}
    quote = connection.ops.quote_name
    cadre_table, credit_table = quote(Cadre._meta.db_table), quote(CreditEntry._meta.db_table)
    user_table = quote(Cadre._meta.get_field("user").related_model._meta.db_table)

    # the credit is summed per cadre first, once per rule's window, and only then joined to the cadres: joining
    # a million entries to the cadres before summing carries every cadre's columns through the aggregate, which
    # then no longer fits in memory and spills to disk
    sums = ", ".join(f"SUM(e.hours) FILTER (WHERE e.earned_on >= %s) AS w{i}" for i in range(len(groups)))
    sums_params = [rule.counted_from(on) for _condition, _params, rule in groups]
    earned_sql, earned_params = "CASE", []
    required_sql, required_params = "CASE", []
    for i, (condition, condition_params, rule) in enumerate(groups):
        earned_sql += f" WHEN {condition} THEN COALESCE(s.w{i}, 0)"
        earned_params += condition_params
        required_sql += f" WHEN {condition} THEN %s"
        # as a number, not a Decimal: SQLite would compare a Decimal parameter as text
        required_params += [*condition_params, float(rule.hours)]
    earned_sql += " END"
    required_sql += " END"
    ruled_sql = " OR ".join(f"({condition})" for condition, _params, _rule in groups)
    ruled_params = [value for _condition, condition_params, _rule in groups for value in condition_params]
    short_sql = f"""
        SELECT per.id, per.unit_id, per.name, per.rank, per.user_id, u.is_active, per.earned
        FROM (
            SELECT c.id, c.unit_id, c.name, c.rank, c.user_id, {earned_sql} AS earned, {required_sql} AS required
            FROM {cadre_table} c
            LEFT JOIN (
                SELECT e.cadre_id, {sums} FROM {credit_table} e
                WHERE e.earned_on >= %s AND e.earned_on <= %s
                GROUP BY e.cadre_id
            ) s ON s.cadre_id = c.id
            WHERE c.rank <> '' AND ({ruled_sql})
        ) per
        LEFT JOIN {user_table} u ON u.id = per.user_id
        WHERE per.earned < per.required
    """  # noqa: S608 - table names from the models, values as parameters
    counted_sql = (
        f"SELECT c.unit_id, count(*) FROM {cadre_table} c WHERE c.rank <> '' AND ({ruled_sql}) GROUP BY c.unit_id"  # noqa: S608
    )
    by_rank: dict[str, Rule | None] = {}
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(short_sql, [*earned_params, *required_params, *sums_params, min(sums_params), on, *ruled_params])
        for pk, unit_pk, name, rank, user_pk, active, earned in cursor.fetchall():
            if rank not in by_rank:
                by_rank[rank] = rule_for_rank(rank)
            earned = earned if isinstance(earned, Decimal) else Decimal(str(earned))  # SQLite sums to a float
            rows.append((pk, unit_pk, name, rank, user_pk, bool(active), earned, by_rank[rank].hours - earned))
        cursor.execute(counted_sql, ruled_params)
        counted = dict(cursor.fetchall())
    return rows, counted


def shortfall_lines(cadres: list[Cadre], on: date, lines: dict[int, UnitShortfall] | None = None):
    """Counts each of `cadres` (their units loaded) into its unit's line in `lines` (by unit pk; a line is added
    for a unit without one), a cadre without a rank not at all; the cadres short end up largest shortfall
    first. One query for the credit."""
    lines = {} if lines is None else lines
    statuses = requirement_statuses(cadres, on)
    for cadre in cadres:
        status = statuses[cadre.pk]
        if status is None:
            continue
        line = lines.get(cadre.unit_id)
        if line is None:
            line = lines[cadre.unit_id] = UnitShortfall(unit=cadre.unit)
        line.counted += 1
        if not status.met:
            line.short += 1
            line.total_shortfall += status.shortfall
            line.cadres_short.append(CadreShortfall(cadre, status))
    for line in lines.values():
        line.cadres_short.sort(key=lambda c: (-c.status.shortfall, c.cadre.name, c.cadre.pk))
    return lines


# --- a cadre's transcript ------------------------------------------------------------------------------------


def transcript(cadre: Cadre, *, on: date) -> dict:
    """What the transcript page and PDF show, as of `on`:

    - "cadre", "on";
    - "lines": the ledger up to `on`, newest first, each a dict with "pk", "source", "source_label", "title",
      "training_class" (the class for class credit, else None), "organiser", "hours", "earned_on", "note",
      "evidence" (the FieldFile, or None), "entry" (the CreditEntry);
    - "not_completed": classes closed without completion, each with "training_class", "absent_hours",
      "total_hours", "enrolment";
    - "enrolled": classes the cadre is called up to and not yet closed, each with "training_class", "enrolment";
    - "status": the RequirementStatus on `on` (None without a rank);
    - "years": hours per calendar year, newest first: [{"year": 2026, "hours": Decimal}];
    - "total_hours": the sum of the lines.
    Three queries.
    """
    entries = list(
        CreditEntry.objects.filter(cadre=cadre, earned_on__lte=on)
        .select_related("enrolment__training_class")
        .order_by("-earned_on", "-pk")
    )
    labels = dict(CreditEntry.Source.choices)
    lines = [
        {
            "pk": e.pk,
            "source": e.source,
            "source_label": labels.get(e.source, e.source),
            "title": e.title,
            "training_class": e.enrolment.training_class if e.enrolment_id else None,
            "organiser": e.organiser,
            "hours": e.hours,
            "earned_on": e.earned_on,
            "note": e.note,
            "evidence": e.evidence if e.evidence else None,
            "entry": e,
        }
        for e in entries
    ]
    enrolments = list(
        Enrolment.objects.filter(cadre=cadre, status__in=[Enrolment.Status.NOT_COMPLETED, Enrolment.Status.ENROLLED])
        .select_related("training_class")
        .annotate(class_hours=Sum("training_class__sessions__hours"))
        .order_by("-training_class__start_date", "-pk")
    )
    not_completed = [
        {
            "training_class": e.training_class,
            "absent_hours": e.absent_hours or ZERO,
            "total_hours": e.class_hours or ZERO,
            "enrolment": e,
        }
        for e in enrolments
        if e.status == Enrolment.Status.NOT_COMPLETED and e.training_class.end_date <= on
    ]
    enrolled = [
        {"training_class": e.training_class, "enrolment": e}
        for e in enrolments
        if e.status == Enrolment.Status.ENROLLED
    ]
    years: dict[int, Decimal] = {}
    for e in entries:
        years[e.earned_on.year] = years.get(e.earned_on.year, ZERO) + e.hours
    return {
        "cadre": cadre,
        "on": on,
        "lines": lines,
        "not_completed": not_completed,
        "enrolled": enrolled,
        "status": requirement_status(cadre, on),
        "years": [{"year": y, "hours": h} for y, h in sorted(years.items(), reverse=True)],
        "total_hours": sum((e.hours for e in entries), ZERO),
    }


# --- lists for the pages -------------------------------------------------------------------------------------


def plan_list(*, year: int | None = None, status: str | None = None) -> QuerySet[TrainingPlan]:
    """Plans, newest year first, with `class_count`, and who created and approved them."""
    plans = TrainingPlan.objects.select_related("created_by", "approved_by").annotate(
        class_count=Count("classes", distinct=True)
    )
    if year:
        plans = plans.filter(year=year)
    if status:
        plans = plans.filter(status=status)
    return plans.order_by("-year", "title", "pk")


def class_list(
    *, plan: TrainingPlan | None = None, year: int | None = None, open_only: bool = False
) -> QuerySet[TrainingClass]:
    """Classes with their plan, `enrolled` (called up, not withdrawn), `session_count` and `total_hours`."""
    # counted in a subquery: joined with the sessions, a count of enrolments would be multiplied by them
    enrolled = (
        Enrolment.objects.filter(training_class=OuterRef("pk"))
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("training_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    classes = TrainingClass.objects.select_related("plan").annotate(
        enrolled=Coalesce(Subquery(enrolled, output_field=IntegerField()), 0),
        session_count=Count("sessions", distinct=True),
        total_hours=Sum("sessions__hours", default=ZERO),
    )
    if plan is not None:
        classes = classes.filter(plan=plan)
    if year:
        classes = classes.filter(plan__year=year)
    if open_only:
        classes = classes.filter(closed_at__isnull=True)
    return classes.order_by("-start_date", "name", "pk")


def class_detail(pk: int) -> TrainingClass:
    """A class with its plan, sessions and enrolments (with cadres and units) prefetched."""
    return (
        TrainingClass.objects.select_related("plan", "closed_by")
        .prefetch_related(
            Prefetch("sessions", queryset=ClassSession.objects.order_by("date", "order", "pk")),
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("cadre__unit", "called_by").order_by("cadre__name", "pk"),
            ),
        )
        .get(pk=pk)
    )


def attendance_sheet(training_class: TrainingClass) -> dict:
    """The attendance grid of a class: {"sessions": [...], "rows": [{"enrolment", "marks": {session pk: Attendance
    or None}, "absent_hours": Decimal recorded so far}], "missing": count of (active enrolment, session) pairs
    without a mark}. Active enrolments only (called up, not withdrawn). Three queries."""
    sessions = list(training_class.sessions.order_by("date", "order", "pk"))
    enrolments = list(
        Enrolment.objects.filter(training_class=training_class)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cadre__unit")
        .order_by("cadre__name", "pk")
    )
    marks: dict[tuple[int, int], Attendance] = {
        (a.enrolment_id, a.session_id): a for a in Attendance.objects.filter(session__training_class=training_class)
    }
    hours = {s.pk: s.hours for s in sessions}
    rows, missing = [], 0
    for enrolment in enrolments:
        row_marks = {s.pk: marks.get((enrolment.pk, s.pk)) for s in sessions}
        missing += sum(1 for m in row_marks.values() if m is None)
        absent = sum((hours[pk] for pk, m in row_marks.items() if m is not None and not m.present), ZERO)
        rows.append({"enrolment": enrolment, "marks": row_marks, "absent_hours": absent})
    return {"sessions": sessions, "rows": rows, "missing": missing}


def credit_entries(*, cadre: Cadre | None = None, source: str | None = None) -> QuerySet[CreditEntry]:
    """Ledger lines with their cadre, unit and class, newest first."""
    entries = CreditEntry.objects.select_related("cadre__unit", "enrolment__training_class", "recorded_by")
    if cadre is not None:
        entries = entries.filter(cadre=cadre)
    if source:
        entries = entries.filter(source=source)
    return entries.order_by("-earned_on", "-pk")
