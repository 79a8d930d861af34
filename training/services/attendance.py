"""Attendance per session and the closing of a class (结业): who completed it and the credit hours they earned.

干部教育培训工作条例: a cadre absent from more than 1/7 of a class's hours has not completed it and earns no credit.
The comparison is exact (absent × 7 > total, in Decimal): exactly 1/7 absent still completes. The credit is the
hours attended, earned on the class's last day. Closing is done once: the class row is locked and its closed_at
checked, and the ledger's one line per enrolment (a OneToOne) guards it again.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import audit_log_many

from ..models import Attendance, ClassSession, CreditEntry, Enrolment
from .classes import lock_class, require_open
from .common import format_hours

ABSENCE_DIVISOR = 7  # more than 1/7 of the hours absent: not completed
MISSING_SHOWN = 5  # missing attendance entries named in the refusal
NOTE_MAX = Attendance._meta.get_field("note").max_length


def completes(absent: Decimal, total: Decimal) -> bool:
    """Whether a cadre absent `absent` of a class's `total` hours completed it: absent × 7 must not exceed total."""
    return absent * ABSENCE_DIVISOR <= total


@transaction.atomic
def attendance_record(
    *, session: ClassSession, present: dict[int, bool], notes: dict[int, str] | None = None, actor
) -> dict:
    """Records who was present at a session: `present` maps enrolment pks (active enrolments of the session's
    class) to True/False; `notes` optional remarks by the same keys (e.g. 请假). Recording again overwrites.
    Refused once the class is closed, for a session still to come, and for an enrolment not active in the class.
    Returns {"present": n, "absent": m, "changed": k}."""
    training_class = lock_class(session.training_class)
    require_open(training_class, "记录考勤")
    session = ClassSession.objects.filter(pk=session.pk, training_class=training_class).first()
    if session is None:
        raise ApplicationError("该课次已被删除")
    if session.date > timezone.localdate():
        raise ApplicationError(f"{session.date.isoformat()}的课次还没有开始，不能记录考勤")
    notes = notes or {}
    keys = {int(k) for k in present}
    if not keys:
        raise ApplicationError("没有要记录的考勤")
    stray = {int(k) for k in notes} - keys
    if stray:
        raise ApplicationError("备注须对应本次记录考勤的学员")
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(
            pk__in=keys, training_class=training_class, status=Enrolment.Status.ENROLLED
        ).select_related("cadre")
    }
    if len(enrolments) != len(keys):
        raise ApplicationError("考勤中有不在本班的学员或已退训的学员，请刷新页面后重新记录")
    cleaned_notes = {}
    for key, note in notes.items():
        text = (note or "").strip()
        if len(text) > NOTE_MAX:
            name = enrolments[int(key)].cadre.name
            raise ApplicationError(f"{name}的考勤备注不能超过{NOTE_MAX}个字", field="notes")
        cleaned_notes[int(key)] = text
    stored = {
        a.enrolment_id: a for a in Attendance.objects.select_for_update().filter(session=session, enrolment_id__in=keys)
    }
    changed = []
    for key, value in ((int(k), bool(v)) for k, v in present.items()):
        note = cleaned_notes.get(key, stored[key].note if key in stored else "")
        row = stored.get(key)
        if row is None:
            Attendance.objects.create(enrolment_id=key, session=session, present=value, note=note, recorded_by=actor)
        elif (row.present, row.note) != (value, note):
            row.present, row.note, row.recorded_by = value, note, actor
            row.save(update_fields=["present", "note", "recorded_by", "recorded_at"])
        else:
            continue
        changed.append(key)
    absent = sorted(enrolments[k].cadre.name for k, v in present.items() if not v)
    result = {"present": len(keys) - len(absent), "absent": len(absent), "changed": len(changed)}
    if changed:
        audit_log(
            actor=actor,
            action="attendance.recorded",
            obj=training_class,
            details={
                "session": session.pk,
                "date": session.date.isoformat(),
                **result,
                "absent_names": absent,
                "changed_names": sorted(enrolments[k].cadre.name for k in changed),
            },
        )
    return result


def _missing_words(missing: list[tuple[ClassSession, Enrolment]]) -> str:
    by_session: dict[int, tuple[ClassSession, list[str]]] = {}
    for session, enrolment in missing:
        by_session.setdefault(session.pk, (session, []))[1].append(enrolment.cadre.name)
    parts = []
    for session, names in list(by_session.values())[:MISSING_SHOWN]:
        shown = "、".join(names[:MISSING_SHOWN]) + (f"等{len(names)}人" if len(names) > MISSING_SHOWN else "")
        parts.append(f"{session.date.isoformat()}（{session.topic}）{shown}")
    more = f"等共{len(missing)}项" if len(by_session) > MISSING_SHOWN else f"共{len(missing)}项"
    return "；".join(parts) + f"，{more}"


@transaction.atomic
def class_close(*, training_class, actor) -> dict:
    """Closes an ended class (end_date ≤ today) whose attendance is recorded for every active enrolment on every
    session: each enrolment becomes COMPLETED, with one CreditEntry of the hours attended, or NOT_COMPLETED
    (absent more than 1/7 of the hours), with no credit; the absent hours are kept on the enrolment.

    Returns {"completed": n, "not_completed": m, "hours": credit hours written in all (Decimal),
    "total_hours": the class's hours}. Closing a closed class is refused and writes nothing.
    """
    training_class = lock_class(training_class)
    if training_class.closed_at is not None:
        closed_on = timezone.localdate(training_class.closed_at).isoformat()
        raise ApplicationError(f"培训班“{training_class.name}”已于{closed_on}结业，不能重复结业")
    today = timezone.localdate()
    if training_class.end_date > today:
        raise ApplicationError(f"培训班到{training_class.end_date.isoformat()}才结束，结束后方可结业")
    sessions = list(training_class.sessions.all())
    if not sessions:
        raise ApplicationError("培训班没有安排课次，不能结业")
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(training_class=training_class, status=Enrolment.Status.ENROLLED)
        .select_related("cadre")
        .order_by("cadre__name", "pk")
    )
    marks = {
        (a.enrolment_id, a.session_id): a.present
        for a in Attendance.objects.filter(session__training_class=training_class, enrolment__in=enrolments)
    }
    missing = [(s, e) for s in sessions for e in enrolments if (e.pk, s.pk) not in marks]
    if missing:
        raise ApplicationError("考勤尚未记录完整，不能结业：" + _missing_words(missing))
    total = sum((s.hours for s in sessions), Decimal("0"))
    now = timezone.now()
    completed, not_completed, credit = [], [], Decimal("0")
    entries = []
    for enrolment in enrolments:
        enrolment.training_class = training_class
        absent = sum((s.hours for s in sessions if not marks[(enrolment.pk, s.pk)]), Decimal("0"))
        enrolment.absent_hours = absent
        if completes(absent, total):
            enrolment.status = Enrolment.Status.COMPLETED
            attended = total - absent
            entries.append(
                CreditEntry(
                    cadre=enrolment.cadre,
                    source=CreditEntry.Source.CLASS,
                    title=training_class.name,
                    organiser=training_class.organiser,
                    hours=attended,
                    earned_on=training_class.end_date,
                    enrolment=enrolment,
                    recorded_by=actor,
                )
            )
            completed.append(enrolment)
            credit += attended
        else:
            enrolment.status = Enrolment.Status.NOT_COMPLETED
            not_completed.append(enrolment)
        enrolment.updated_at = now
    Enrolment.objects.bulk_update(enrolments, ["status", "absent_hours", "updated_at"], batch_size=500)
    # completing means attending at least 6/7 of hours that are more than 0: every credit line is positive
    CreditEntry.objects.bulk_create(entries, batch_size=500)
    training_class.closed_at = now
    training_class.closed_by = actor
    training_class.save(update_fields=["closed_at", "closed_by", "updated_at"])
    result = {
        "completed": len(completed),
        "not_completed": len(not_completed),
        "hours": credit,
        "total_hours": total,
    }
    audit_log(
        actor=actor,
        action="training_class.closed",
        obj=training_class,
        details={
            "completed": len(completed),
            "not_completed": len(not_completed),
            "hours": format_hours(credit),
            "total_hours": format_hours(total),
        },
    )
    audit_log_many(
        actor=actor,
        action="enrolment.closed",
        entries=[
            (
                e,
                {
                    "status": e.status,
                    "absent_hours": format_hours(e.absent_hours),
                    "credit_hours": format_hours(total - e.absent_hours)
                    if e.status == Enrolment.Status.COMPLETED
                    else "0",
                },
            )
            for e in enrolments
        ],
    )
    return result
