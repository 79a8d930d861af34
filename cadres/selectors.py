"""Reads of cadre records; list selectors return only what the user may see."""

from datetime import date

from django.conf import settings
from django.db.models import Avg, Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from orgdept.core.models import AuditEvent
from orgdept.core.yearmonth import age_on

from .extensions import CheckResult, QualificationContext, qualification_checks_run
from .models import Cadre, EducationLevel, PoliticalStatus, Position, PositionTenure, ReserveCadre, Unit
from .services.positions import QuotaLine, quota_lines
from .structure import AGE_BANDS, TeamStructure, team_structure_from_counts, years_before

# what the change history of a cadre file shows (views and exports are in the audit log, not here)
CHANGE_ACTIONS = ("cadre.created", "cadre.updated", "cadre.imported", "cadre.position_assigned", "cadre.photo_changed")


def cadre_list(*, user) -> QuerySet[Cadre]:
    if not user.has_perm("cadres.view_cadre"):
        return Cadre.objects.none()
    return Cadre.objects.select_related("unit").order_by("unit__order", "unit__name", "name", "pk")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.select_related("parent")


def cadre_file(*, pk: int) -> Cadre:
    """One cadre with every section of the file loaded (a fixed number of queries)."""
    return (
        Cadre.objects.select_related("unit")
        .prefetch_related(
            "educations",
            "resume_lines",
            "rewards_punishments",
            "family_members",
            Prefetch(
                "tenures",
                queryset=PositionTenure.objects.select_related("position__unit").order_by(
                    "-is_current", "-start_month", "-pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def cadre_change_history(*, cadre: Cadre, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who changed what in the cadre file, newest first."""
    return AuditEvent.objects.filter(
        object_type="cadres.cadre", object_id=str(cadre.pk), action__in=CHANGE_ACTIONS
    ).order_by("-occurred_at", "-id")[:limit]


# --- units, positions and quotas ------------------------------------------------------------------------


def unit_list_with_counts() -> QuerySet[Unit]:
    """Units with their parent and the number of cadres whose unit they are."""
    return (
        Unit.objects.select_related("parent")
        .annotate(cadre_count=Count("cadres", distinct=True))
        .order_by("order", "name", "pk")
    )


def unit_positions(*, unit: Unit) -> list[Position]:
    """The unit's positions in order, each with `current_tenures` (who holds it now, with the cadre)."""
    current = PositionTenure.objects.filter(is_current=True).select_related("cadre").order_by("start_month", "pk")
    return list(
        Position.objects.filter(unit=unit)
        .prefetch_related(Prefetch("tenures", queryset=current, to_attr="current_tenures"))
        .order_by("order", "title", "pk")
    )


def unit_quota_lines(*, units) -> list[QuotaLine]:
    """Approved and occupied posts by unit and level (two queries whatever the number of units)."""
    return quota_lines(units)


# --- rotation watch ---------------------------------------------------------------------------------------


def rotation_years() -> dict[str, int]:
    """Years in the same post after which a cadre should be exchanged, per watched Position.RotationKind."""
    watched = set(Position.RotationKind.values) - {Position.RotationKind.NONE}
    return {
        kind: int(years)
        for kind, years in settings.ORGDEPT_ROTATION_YEARS.items()
        if kind in watched and int(years) > 0
    }


def rotation_due(*, on_date: date | None = None, kind: str = "", unit: Unit | None = None) -> QuerySet[PositionTenure]:
    """Current tenures on watched posts held at least the set number of years on `on_date` (longest first).

    A tenure without a start counts from the cadre's 任现职时间. Each row carries `since` (the start used).
    """
    on = on_date or date.today()
    years = rotation_years()
    if kind:
        years = {k: n for k, n in years.items() if k == kind}
    if not years:
        return PositionTenure.objects.none()
    due = Q()
    for rotation_kind, n in years.items():
        due |= Q(position__rotation_kind=rotation_kind, since__lte=years_before(on, n))
    tenures = (
        PositionTenure.objects.filter(is_current=True)
        .annotate(since=Coalesce("start_month", "cadre__post_since_month"))
        .filter(due)
    )
    if unit is not None:
        tenures = tenures.filter(position__unit=unit)
    return tenures.select_related("cadre__unit", "position__unit").order_by("since", "cadre__name", "pk")


# --- team structure (班子结构) -----------------------------------------------------------------------------

TEAM = "team"  # cadres holding a current leading post (in the unit)
EVERYONE = "all"  # every cadre (of the unit)


def team_members(*, unit: Unit | None = None, scope: str = TEAM) -> QuerySet[Cadre]:
    if scope == TEAM:
        leading = PositionTenure.objects.filter(cadre=OuterRef("pk"), is_current=True, position__leading=True)
        if unit is not None:
            leading = leading.filter(position__unit=unit)
        return Cadre.objects.filter(Exists(leading))
    cadres = Cadre.objects.all()
    return cadres.filter(unit=unit) if unit is not None else cadres


def team_member_list(*, unit: Unit, scope: str = TEAM, on_date: date | None = None, limit: int = 200) -> list[Cadre]:
    """The people of one unit's team, heads first, each with `unit_tenures` (current posts in the unit)
    and `age_at` (whole years on `on_date`, default today)."""
    on = on_date or date.today()
    posts = (
        PositionTenure.objects.filter(is_current=True, position__unit=unit)
        .select_related("position")
        .order_by("position__order", "position__title")
    )
    members = list(
        team_members(unit=unit, scope=scope)
        .prefetch_related(Prefetch("tenures", queryset=posts, to_attr="unit_tenures"))
        .order_by("name", "pk")[:limit]
    )

    def rank(cadre):
        orders = [(t.position.order, t.position.role != Position.Role.HEAD) for t in cadre.unit_tenures]
        return (min(orders) if orders else (1_000_000, True), cadre.name)

    for cadre in members:
        cadre.age_at = age_on(cadre.birth_month, on)
    return sorted(members, key=rank)


def _age_on(on: date):
    """Whole years of age on `on`, computed in the database from 出生年月."""
    birthday_later = Q(birth_month__month__gt=on.month) | Q(birth_month__month=on.month, birth_month__day__gt=on.day)
    return (
        Value(on.year)
        - ExtractYear("birth_month")
        - Case(When(birthday_later, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


def team_structure_title(*, unit: Unit | None, scope: str) -> str:
    if unit is None:
        return "各单位领导班子成员" if scope == TEAM else "全体干部"
    return f"{unit.name}领导班子" if scope == TEAM else f"{unit.name}全体干部"


def team_structure(*, unit: Unit | None = None, scope: str = TEAM, on_date: date | None = None) -> TeamStructure:
    """Age, gender, ethnicity, education and political status of a team, in one aggregate query.

    Ages are whole years on `on_date` (default today). The query's cost grows with the cadres scanned,
    its number and its result's size do not.
    """
    on = on_date or date.today()
    young_age = settings.ORGDEPT_YOUNG_CADRE_AGE
    educations = [*EducationLevel.values, ""]
    statuses = [*PoliticalStatus.values, ""]
    aggregates = {
        "total": Count("pk"),
        "female": Count("pk", filter=Q(gender=Cadre.Gender.FEMALE)),
        "gender_blank": Count("pk", filter=Q(gender="")),
        "young": Count("pk", filter=Q(birth_month__gt=years_before(on, young_age))),
        "han": Count("pk", filter=Q(ethnicity="汉族")),
        "ethnicity_blank": Count("pk", filter=Q(ethnicity="")),
        "average_age": Avg(_age_on(on)),
    }
    for i, band in enumerate(AGE_BANDS):
        after, on_or_before = band.born_range(on)
        condition = Q()
        if after is not None:
            condition &= Q(birth_month__gt=after)
        if on_or_before is not None:
            condition &= Q(birth_month__lte=on_or_before)
        aggregates[f"band_{i}"] = Count("pk", filter=condition)
    for i, value in enumerate(educations):
        aggregates[f"education_{i}"] = Count("pk", filter=Q(education=value))
    for i, value in enumerate(statuses):
        aggregates[f"political_{i}"] = Count("pk", filter=Q(political_status=value))
    row = team_members(unit=unit, scope=scope).aggregate(**aggregates)
    counts = {
        "total": row["total"],
        "female": row["female"],
        "gender_blank": row["gender_blank"],
        "young": row["young"],
        "han": row["han"],
        "ethnicity_blank": row["ethnicity_blank"],
        "minority": row["total"] - row["han"] - row["ethnicity_blank"],
        "average_age": row["average_age"],
        "age_bands": [row[f"band_{i}"] for i in range(len(AGE_BANDS))],
        "education": {value: row[f"education_{i}"] for i, value in enumerate(educations)},
        "political_status": {value: row[f"political_{i}"] for i, value in enumerate(statuses)},
    }
    return team_structure_from_counts(
        counts, title=team_structure_title(unit=unit, scope=scope), on_date=on, young_age=young_age
    )


# --- qualification checks ---------------------------------------------------------------------------------


def cadre_qualification_results(cadre: Cadre, target_level: str, on_date: date | None = None) -> list[CheckResult]:
    """Every registered qualification check that applies to promoting `cadre` to `target_level` on `on_date`."""
    context = QualificationContext(cadre=cadre, target_level=target_level, on_date=on_date or date.today())
    return qualification_checks_run(context)


# --- reserve cadres (后备干部) ------------------------------------------------------------------------------


def reserve_list(
    *, level: str | None = None, unit: Unit | None = None, active: bool | None = True, search: str = ""
) -> QuerySet[ReserveCadre]:
    """Reserve entries with their cadre and unit: active ones by default, removed ones with `active=False`, all
    with `active=None`; filtered by the level reserved for, the cadre's unit, and a name or its pinyin initials."""
    entries = ReserveCadre.objects.select_related("cadre__unit")
    if active is not None:
        entries = entries.filter(removed_on__isnull=active)
    if level:
        entries = entries.filter(target_level=level)
    if unit is not None:
        entries = entries.filter(cadre__unit=unit)
    text = (search or "").strip()
    if text:
        condition = Q(cadre__name__icontains=text)
        if text.isascii() and text.isalpha():
            condition |= Q(cadre__name_initials__startswith=text.lower())
        entries = entries.filter(condition)
    return entries.order_by("-added_on", "-pk")


def reserve_candidates_for(position: Position) -> QuerySet[ReserveCadre]:
    """The active reserve cadres for the post's level, to offer when its candidates are shortlisted; a cadre who
    already holds the post is left out, and so is every cadre when the post has no level."""
    if not position.level:
        return ReserveCadre.objects.none()
    holders = PositionTenure.objects.filter(position=position, is_current=True).values("cadre")
    return (
        reserve_list(level=position.level)
        .exclude(cadre__in=holders)
        .order_by("cadre__unit__order", "cadre__unit__name", "cadre__name", "pk")
    )
