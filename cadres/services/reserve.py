"""后备干部: cadres put in the reserve pool for a leading level, each entry dated and reasoned, removed the same way.
A cadre has at most one active entry; the pool is read when a post's candidates are shortlisted."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import LEADING_RANKS, Cadre, ReserveCadre
from .proposals import level_height


def _reason(text: str, field: str, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(missing, field=field)
    if len(text) > 300:
        raise ApplicationError("理由不能超过300个字", field=field)
    return text


@transaction.atomic
def reserve_add(*, cadre: Cadre, target_level: str, added_on: date, reason: str, actor) -> ReserveCadre:
    """Puts the cadre in the reserve pool for a leading level above the one held, from `added_on` (not later than
    today), while no other entry of theirs is active."""
    if target_level not in LEADING_RANKS:
        levels = "、".join(LEADING_RANKS)
        raise ApplicationError(f"后备干部的层次应为领导职务层次（{levels}）", field="target_level")
    if added_on is None:
        raise ApplicationError("请填写列入时间", field="added_on")
    if added_on > timezone.localdate():
        raise ApplicationError("列入时间不能晚于今天", field="added_on")
    reason = _reason(reason, "reason", "请填写列为后备干部的理由")
    # the cadre's row is the lock: two additions of the same cadre wait for each other and the second is refused
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    current = level_height(cadre.rank)
    if cadre.rank == target_level or (current is not None and level_height(target_level) < current):
        raise ApplicationError(f"{cadre.name}现为{cadre.rank}，不能列为{target_level}后备干部", field="target_level")
    active = ReserveCadre.objects.filter(cadre=cadre, removed_on__isnull=True).first()
    if active is not None:
        raise ApplicationError(
            f"{cadre.name}已于{active.added_on:%Y年%m月%d日}列为{active.target_level}后备干部，须先移出才能重新列入",
            field="cadre",
        )
    entry = ReserveCadre.objects.create(cadre=cadre, target_level=target_level, added_on=added_on, reason=reason)
    audit_log(
        actor=actor,
        action="reserve.added",
        obj=entry,
        details={"cadre": cadre.pk, "name": cadre.name, "level": target_level, "added_on": added_on.isoformat()},
    )
    return entry


@transaction.atomic
def reserve_remove(*, entry: ReserveCadre, removed_on: date, reason: str, actor) -> ReserveCadre:
    """Takes an entry out of the pool on `removed_on` (not before it was added, not later than today), with the
    reason (promoted, no longer suitable, retired …)."""
    entry = ReserveCadre.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=entry.pk)
    if entry.removed_on is not None:
        raise ApplicationError(f"{entry.cadre.name}已于{entry.removed_on:%Y年%m月%d日}移出后备干部名单")
    reason = _reason(reason, "reason", "请填写移出后备干部名单的理由")
    if removed_on is None:
        raise ApplicationError("请填写移出时间", field="removed_on")
    if removed_on < entry.added_on:
        raise ApplicationError(f"移出时间不能早于列入时间（{entry.added_on:%Y年%m月%d日}）", field="removed_on")
    if removed_on > timezone.localdate():
        raise ApplicationError("移出时间不能晚于今天", field="removed_on")
    entry.removed_on, entry.removal_reason = removed_on, reason
    entry.save(update_fields=["removed_on", "removal_reason", "updated_at"])
    audit_log(
        actor=actor,
        action="reserve.removed",
        obj=entry,
        details={
            "cadre": entry.cadre_id,
            "name": entry.cadre.name,
            "level": entry.target_level,
            "removed_on": removed_on.isoformat(),
            "reason": reason,
        },
    )
    return entry
