"""Talks held after an appraisal (提醒谈话, 诫勉谈话): recorded with the date, who held them and notes."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cadres.models import Cadre
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import AppraisalCycle, Talk


@transaction.atomic
def talk_record(
    *, cadre: Cadre, kind: str, held_on: date, held_by: str, notes: str = "", cycle: AppraisalCycle | None = None, actor
) -> Talk:
    if kind not in Talk.Kind.values:
        raise ApplicationError("请选择提醒谈话或诫勉谈话", field="kind")
    if not isinstance(held_on, date):
        raise ApplicationError("请填写谈话日期", field="held_on")
    if held_on > timezone.localdate():
        raise ApplicationError(f"谈话日期{held_on.isoformat()}晚于今天", field="held_on")
    held_by = (held_by or "").strip()
    if not held_by:
        raise ApplicationError("请填写谈话人", field="held_by")
    if len(held_by) > 100:
        raise ApplicationError("谈话人不能超过100个字", field="held_by")
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise ApplicationError("谈话记录不能超过5000个字", field="notes")
    if cycle is not None and cycle.year > held_on.year:
        raise ApplicationError(f"谈话日期早于{cycle.year}年度考核", field="held_on")
    talk = Talk.objects.create(
        cadre=cadre, cycle=cycle, kind=kind, held_on=held_on, held_by=held_by, notes=notes, recorded_by=actor
    )
    audit_log(
        actor=actor,
        action="appraisal_talk.recorded",
        obj=cadre,
        details={
            "kind": kind,
            "held_on": held_on.isoformat(),
            "held_by": held_by,
            "cycle": cycle.pk if cycle else None,
        },
    )
    return talk
