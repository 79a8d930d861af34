"""Writes to the follow-up (督办) of decisions: progress notes, deadline changes and closure."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from .. import reminders
from ..models import FollowUp, FollowUpNote


def _lock(follow_up: FollowUp) -> FollowUp:
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("decision__item__meeting", "member__cadre")
        .get(pk=follow_up.pk)
    )


def _require_open(follow_up: FollowUp) -> None:
    if follow_up.status != FollowUp.Status.OPEN:
        raise ApplicationError("督办事项已办结")


@transaction.atomic
def follow_up_note_add(*, follow_up: FollowUp, text: str, actor) -> FollowUpNote:
    follow_up = _lock(follow_up)
    _require_open(follow_up)
    text = text.strip()
    if not text:
        raise ApplicationError("请填写进展情况", field="text")
    note = FollowUpNote.objects.create(follow_up=follow_up, text=text, actor=actor)
    audit_log(
        actor=actor, action="follow_up.noted", obj=follow_up.decision.item.meeting, details={"follow_up": follow_up.pk}
    )
    return note


@transaction.atomic
def follow_up_deadline_change(*, follow_up: FollowUp, deadline: date, reason: str, actor) -> FollowUp:
    follow_up = _lock(follow_up)
    _require_open(follow_up)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明调整期限的原因", field="reason")
    if deadline < follow_up.decision.decided_on:
        raise ApplicationError("办理期限不能早于决定日期", field="deadline")
    before = follow_up.deadline
    if before == deadline:
        return follow_up
    follow_up.deadline = deadline
    follow_up.save(update_fields=["deadline", "updated_at"])
    audit_log(
        actor=actor,
        action="follow_up.deadline_changed",
        obj=follow_up.decision.item.meeting,
        details={"follow_up": follow_up.pk, "from": before.isoformat(), "to": deadline.isoformat(), "reason": reason},
    )
    transaction.on_commit(lambda: reminders.follow_up_reminders_schedule(follow_up))
    return follow_up


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, note: str, actor) -> FollowUp:
    """办结: the decision has been carried out, as the closing note says."""
    follow_up = _lock(follow_up)
    _require_open(follow_up)
    note = note.strip()
    if not note:
        raise ApplicationError("请填写办结情况", field="note")
    follow_up.status = FollowUp.Status.CLOSED
    follow_up.closed_at = timezone.now()
    follow_up.closing_note = note
    follow_up.save(update_fields=["status", "closed_at", "closing_note", "updated_at"])
    audit_log(
        actor=actor,
        action="follow_up.closed",
        obj=follow_up.decision.item.meeting,
        # the deadline is a local date: closing at 00:30 in Beijing the day after it is late
        details={"follow_up": follow_up.pk, "late": timezone.localdate(follow_up.closed_at) > follow_up.deadline},
    )
    transaction.on_commit(lambda: reminders.follow_up_reminders_cancel(follow_up))
    return follow_up
