"""Call-ups (调训): cadres enrolled in a class of an approved plan, never beyond its capacity and never into two
classes on overlapping dates unless a reason is given (重复培训、多头调训, seed 002); withdrawals; and the training
load of the cadres the call-up page shows.

Dates overlap inclusively: a class ending on 3 May and one starting on 3 May share that day. A withdrawn
enrolment does not count anywhere (capacity, overlap) and is reactivated when the cadre is called up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from cadres.models import Cadre, Unit
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import CreditEntry, Enrolment, TrainingClass, TrainingPlan
from .classes import lock_class, require_open
from .common import period, require_text

ACTIVE = ~Q(status=Enrolment.Status.WITHDRAWN)
MAX_NAMED = 5  # cadres named in one refusal before "等N人"
REASON_MAX = Enrolment._meta.get_field("overlap_reason").max_length


def _pk(value) -> int:
    return value if isinstance(value, int) else value.pk


def overlapping_enrolments(
    *, cadre, start_date: date, end_date: date, exclude_class: TrainingClass | None = None
) -> list[Enrolment]:
    """The cadre's enrolments (not withdrawn) in classes sharing at least one day with start_date–end_date, with
    their classes, earliest first."""
    found = (
        Enrolment.objects.filter(ACTIVE, cadre_id=_pk(cadre))
        .filter(training_class__start_date__lte=end_date, training_class__end_date__gte=start_date)
        .select_related("training_class")
        .order_by("training_class__start_date", "training_class__name", "pk")
    )
    if exclude_class is not None:
        found = found.exclude(training_class_id=_pk(exclude_class))
    return list(found)


def _overlaps_of(cadre_ids: list[int], training_class: TrainingClass) -> dict[int, list[Enrolment]]:
    """overlapping_enrolments for many cadres in one query."""
    found: dict[int, list[Enrolment]] = {}
    rows = (
        Enrolment.objects.filter(ACTIVE, cadre_id__in=cadre_ids)
        .filter(
            training_class__start_date__lte=training_class.end_date,
            training_class__end_date__gte=training_class.start_date,
        )
        .exclude(training_class_id=training_class.pk)
        .select_related("training_class")
        .order_by("training_class__start_date", "training_class__name", "pk")
    )
    for enrolment in rows:
        found.setdefault(enrolment.cadre_id, []).append(enrolment)
    return found


def overlap_words(cadre_name: str, other: TrainingClass) -> str:
    return f"{cadre_name}已参加「{other.name}」（{period(other.start_date, other.end_date)}），日期重叠"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMED])
    return f"{shown}等{len(names)}人" if len(names) > MAX_NAMED else shown


@transaction.atomic
def call_up(*, training_class: TrainingClass, cadres, actor, overlap_reason: str = "") -> list[Enrolment]:
    """Calls `cadres` up to the class, all or none. Refused when the plan is not approved, the class is closed,
    the capacity (counting enrolments not withdrawn) would be exceeded, a cadre is already enrolled, or a cadre
    has a class on overlapping dates — that refusal names the cadre and the other class with its dates. With
    `overlap_reason` the overlap is allowed: the reason is kept on the enrolments that overlap and their audit
    events name the other classes. A withdrawn enrolment is reactivated. Returns the enrolments, in the order
    the cadres were given.

    The class and the cadres are locked (cadres in pk order), so two call-ups of one cadre to two overlapping
    classes at once cannot both pass, nor two call-ups beyond the capacity.
    """
    training_class = lock_class(training_class)
    plan = training_class.plan
    if plan.status != TrainingPlan.Status.APPROVED:
        raise ApplicationError("培训计划尚未审批，不能调训")
    require_open(training_class, "调训")
    wanted: list[int] = []
    for cadre in cadres:
        pk = _pk(cadre)
        if pk not in wanted:
            wanted.append(pk)
    if not wanted:
        raise ApplicationError("请选择要调训的干部", field="cadres")
    reason = (overlap_reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"日期重叠的理由不能超过{REASON_MAX}个字", field="overlap_reason")
    locked = {c.pk: c for c in Cadre.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    missing = [pk for pk in wanted if pk not in locked]
    if missing:
        raise ApplicationError("所选干部不存在或已被删除", field="cadres")
    # "self" only and pk order: the model's default ordering joins the cadres, which must not be locked here
    existing = {
        e.cadre_id: e
        for e in Enrolment.objects.select_for_update(of=("self",)).filter(training_class=training_class).order_by("pk")
    }
    already = [locked[pk].name for pk in wanted if pk in existing and existing[pk].status != Enrolment.Status.WITHDRAWN]
    if already:
        raise ApplicationError(f"{_names(already)}已在本班，不能重复调训", field="cadres")
    active = sum(1 for e in existing.values() if e.status != Enrolment.Status.WITHDRAWN)
    if active + len(wanted) > training_class.capacity:
        raise ApplicationError(
            f"培训班容量为{training_class.capacity}人，已调训{active}人，本次调训{len(wanted)}人将超出容量",
            field="cadres",
        )
    overlaps = _overlaps_of(wanted, training_class)
    if overlaps and not reason:
        words = [overlap_words(locked[pk].name, e.training_class) for pk in wanted for e in overlaps.get(pk, [])]
        more = f"等{len(words)}处" if len(words) > MAX_NAMED else ""
        raise ApplicationError("；".join(words[:MAX_NAMED]) + more + "。如确需调训，请说明理由", field="overlap_reason")
    enrolments = []
    for pk in wanted:
        cadre = locked[pk]
        others = overlaps.get(pk, [])
        stored_reason = reason if others else ""
        enrolment = existing.get(pk)
        reactivated = enrolment is not None
        if enrolment is None:
            enrolment = Enrolment.objects.create(
                training_class=training_class, cadre=cadre, called_by=actor, overlap_reason=stored_reason
            )
        else:
            enrolment.status = Enrolment.Status.ENROLLED
            enrolment.called_by = actor
            enrolment.overlap_reason = stored_reason
            enrolment.withdrawal_reason = ""
            enrolment.absent_hours = None
            enrolment.save(
                update_fields=[
                    "status",
                    "called_by",
                    "overlap_reason",
                    "withdrawal_reason",
                    "absent_hours",
                    "updated_at",
                ]
            )
        enrolment.cadre = cadre
        enrolment.training_class = training_class
        details = {"class": training_class.pk, "class_name": training_class.name, "cadre": cadre.name}
        if reactivated:
            details["reactivated"] = True
        if others:
            details["overlap_override"] = {
                "reason": reason,
                "classes": [
                    {
                        "pk": e.training_class_id,
                        "name": e.training_class.name,
                        "start_date": e.training_class.start_date.isoformat(),
                        "end_date": e.training_class.end_date.isoformat(),
                    }
                    for e in others
                ],
            }
        audit_log(
            actor=actor,
            action="enrolment.called_up_overlapping" if others else "enrolment.called_up",
            obj=enrolment,
            details=details,
        )
        enrolments.append(enrolment)
    return enrolments


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, actor) -> Enrolment:
    """Takes a cadre off a class that has not closed; the place frees up. A withdrawn enrolment returns as it is."""
    reason = require_text(reason, field="reason", what="退训理由", max_length=300)
    training_class = lock_class(enrolment.training_class)
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        return enrolment
    require_open(training_class, "退训")
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawal_reason = reason
    enrolment.save(update_fields=["status", "withdrawal_reason", "updated_at"])
    audit_log(
        actor=actor,
        action="enrolment.withdrawn",
        obj=enrolment,
        details={
            "class": training_class.pk,
            "class_name": training_class.name,
            "cadre": enrolment.cadre.name,
            "reason": reason,
        },
    )
    return enrolment


# --- what the call-up page shows ------------------------------------------------------------------------


@dataclass
class TrainingLoad:
    """One cadre's training this year: the classes they are called to (not withdrawn) that fall in the year, and
    the credit hours earned in it."""

    cadre: Cadre
    enrolments: list[Enrolment] = field(default_factory=list)  # with training_class, earliest first
    hours: Decimal = Decimal("0")

    @property
    def class_count(self) -> int:
        return len(self.enrolments)


def _cadres_of(units_or_cadres) -> list[Cadre]:
    """The cadres given and those of the units given, with their units, in one query."""
    if isinstance(units_or_cadres, QuerySet) and units_or_cadres.model in (Cadre, Unit):
        wanted = (
            Q(pk__in=units_or_cadres.values("pk"))
            if units_or_cadres.model is Cadre
            else Q(unit__in=units_or_cadres.values("pk"))
        )
    else:
        items = list(units_or_cadres)
        if not all(isinstance(i, (Cadre, Unit, int)) for i in items):
            raise TypeError("units_or_cadres must hold units or cadres")
        cadre_ids = [i if isinstance(i, int) else i.pk for i in items if not isinstance(i, Unit)]
        unit_ids = [i.pk for i in items if isinstance(i, Unit)]
        if not cadre_ids and not unit_ids:
            return []
        wanted = Q(pk__in=cadre_ids) | Q(unit_id__in=unit_ids)
    return list(Cadre.objects.filter(wanted).select_related("unit"))


def unit_training_load(*, units_or_cadres, year: int) -> dict[int, TrainingLoad]:
    """{cadre pk: TrainingLoad} for the cadres given, or the cadres of the units given (units and cadres may be
    mixed; a queryset of either works), in the order of the units and names.

    TrainingLoad.enrolments: the cadre's enrolments not withdrawn in classes that share a day with the calendar
    year (a class from December into January counts in both years), with `training_class`; `class_count` is
    their number. TrainingLoad.hours: the credit hours (Decimal) earned in the year, every source. Three queries
    at most, whatever the number of cadres.
    """
    cadres = _cadres_of(units_or_cadres)
    cadres.sort(key=lambda c: (c.unit.order, c.unit.name, c.name, c.pk))
    loads = {c.pk: TrainingLoad(cadre=c) for c in cadres}
    if not loads:
        return loads
    first, last = date(year, 1, 1), date(year, 12, 31)
    enrolments = (
        Enrolment.objects.filter(ACTIVE, cadre_id__in=list(loads))
        .filter(training_class__start_date__lte=last, training_class__end_date__gte=first)
        .select_related("training_class")
        .order_by("training_class__start_date", "training_class__name", "pk")
    )
    for enrolment in enrolments:
        loads[enrolment.cadre_id].enrolments.append(enrolment)
    hours = (
        CreditEntry.objects.filter(cadre_id__in=list(loads), earned_on__gte=first, earned_on__lte=last)
        .values("cadre_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in hours:
        loads[row["cadre_id"]].hours = row["total"] or Decimal("0")
    return loads
