"""Positions and their quotas (职数): approved numbers are set here, occupancy is counted from who holds the posts."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import Cadre, Position, PositionQuota, PositionTenure, Rank, Unit


def _refuse_taken_title(position: Position) -> None:
    taken = Position.objects.filter(unit=position.unit, title=position.title).exclude(pk=position.pk)
    if position.title and taken.exists():
        raise ApplicationError(f"{position.unit.name}已有名为“{position.title}”的职务", field="title")


@transaction.atomic
def position_create(
    *,
    unit: Unit,
    title: str,
    level: str,
    leading: bool = True,
    role: str = Position.Role.OTHER,
    rotation_kind: str = Position.RotationKind.NONE,
    order: int = 0,
    actor,
) -> Position:
    position = Position(
        unit=unit, title=title, level=level, leading=leading, role=role, rotation_kind=rotation_kind, order=order
    )
    _refuse_taken_title(position)
    try:
        position.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_validation(exc) from exc
    position.save()
    audit_log(actor=actor, action="position.created", obj=position)
    return position


@transaction.atomic
def position_update(*, position: Position, actor, **fields) -> Position:
    position = Position.objects.select_for_update(of=("self",)).get(pk=position.pk)
    changes = {f: [str(getattr(position, f)), str(v)] for f, v in fields.items() if getattr(position, f) != v}
    if not changes:
        return position
    for field, value in fields.items():
        setattr(position, field, value)
    _refuse_taken_title(position)
    try:
        position.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_validation(exc) from exc
    position.save()
    audit_log(actor=actor, action="position.updated", obj=position, details={"changes": changes})
    return position


@transaction.atomic
def quota_set(*, unit: Unit, level: str, approved: int, actor) -> PositionQuota | None:
    """Sets the approved number of `level` posts in `unit` (None removes the quota line)."""
    if level not in Rank.values:
        raise ApplicationError(f"未知的职务层次“{level}”", field="level")
    if approved is not None and approved < 0:
        raise ApplicationError("核定职数不能为负数", field="approved")
    quota = PositionQuota.objects.select_for_update(of=("self",)).filter(unit=unit, level=level).order_by("pk").first()
    old = quota.approved if quota else None
    if old == approved:
        return quota
    if approved is None:
        quota.delete()
        quota = None
    elif quota:
        quota.approved = approved
        quota.save(update_fields=["approved", "updated_at"])
    else:
        quota = PositionQuota.objects.create(unit=unit, level=level, approved=approved)
    audit_log(
        actor=actor,
        action="quota.changed",
        obj=unit,
        details={"level": level, "from": old, "to": approved},
    )
    return quota


@dataclass(frozen=True)
class QuotaLine:
    unit: Unit
    level: str
    approved: int | None  # None: no quota set for this level
    occupied: int

    @property
    def over(self) -> bool:
        return self.approved is not None and self.occupied > self.approved

    @property
    def vacant(self) -> int:
        return max(0, (self.approved or 0) - self.occupied)


def occupancy(units=None) -> dict[tuple[int, str], int]:
    """Cadres holding a leading post, by (unit id, level); one cadre counts once per unit and level."""
    tenures = PositionTenure.objects.filter(is_current=True, position__leading=True).exclude(position__level="")
    if units is not None:
        tenures = tenures.filter(position__unit__in=units)
    rows = tenures.values("position__unit_id", "position__level").annotate(n=Count("cadre", distinct=True))
    return {(r["position__unit_id"], r["position__level"]): r["n"] for r in rows}


def quota_lines(units) -> list[QuotaLine]:
    """Approved and occupied per unit and level, for levels that have a quota or an occupant."""
    units = list(units)
    counts = occupancy(units)
    quotas = {(q.unit_id, q.level): q.approved for q in PositionQuota.objects.filter(unit__in=units)}
    order = {level: i for i, level in enumerate(Rank.values)}
    lines = []
    for unit in units:
        levels = {lv for (uid, lv) in counts.keys() | quotas.keys() if uid == unit.pk}
        for level in sorted(levels, key=order.__getitem__):
            lines.append(QuotaLine(unit, level, quotas.get((unit.pk, level)), counts.get((unit.pk, level), 0)))
    return lines


def quota_check(
    *, unit: Unit, level: str, adding: int = 1, releasing: int = 0, cadre: Cadre | None = None
) -> QuotaLine:
    """Refuses (ApplicationError) an appointment that would put `unit` over its approved `level` posts.

    Call it inside the transaction that makes the appointment, after locking: the quota row is locked
    so two appointments cannot both take the last post. `releasing` counts posts of the level that the
    same decision frees (e.g. the holder being removed at the same time). `cadre`, when given, is the one
    being appointed: one who already holds a leading post of the level in the unit is counted already
    (a cadre counts once per unit and level), so they are not added again.
    """
    if adding < 1 or releasing < 0:
        raise ValueError("adding must be at least 1 and releasing not negative")
    quota = PositionQuota.objects.select_for_update(of=("self",)).filter(unit=unit, level=level).order_by("pk").first()
    occupied = occupancy([unit]).get((unit.pk, level), 0)
    line = QuotaLine(unit, level, quota.approved if quota else None, occupied)
    if quota is None:
        raise ApplicationError(f"{unit.name}未核定{level}领导职数，不能配备（超职数配备）", extra={"line": line})
    if cadre is not None and _counted(cadre, unit, level):
        adding -= 1
        if adding == 0:
            return line  # the appointment takes no further post of the level
    after = occupied - releasing + adding
    if after > quota.approved:
        # the count after the decision, so that a removal made at the same time is visible in the message
        freed = f"，本次免去{releasing}名" if releasing else ""
        raise ApplicationError(
            f"超职数配备：{unit.name}{level}领导职数核定{quota.approved}名，已配备{occupied}名{freed}，"
            f"再配备{adding}名将达到{after}名",
            extra={"line": line},
        )
    return line


def _counted(cadre: Cadre, unit: Unit, level: str) -> bool:
    """Whether `occupancy` already counts the cadre for this unit and level."""
    return PositionTenure.objects.filter(
        cadre=cadre, is_current=True, position__leading=True, position__unit=unit, position__level=level
    ).exists()


def units_over_quota() -> list[QuotaLine]:
    counts = occupancy()
    over = []
    quotas = PositionQuota.objects.select_related("unit")
    for q in quotas:
        n = counts.get((q.unit_id, q.level), 0)
        if n > q.approved:
            over.append(QuotaLine(q.unit, q.level, q.approved, n))
    return over


__all__ = [
    "QuotaLine",
    "occupancy",
    "position_create",
    "position_update",
    "quota_check",
    "quota_lines",
    "quota_set",
    "units_over_quota",
]
