"""The credit-hour ledger (学时档案) outside classes: online study (网络培训) and external training recorded one by
one, with their evidence, and removed with a reason.

Class credit is written only by closing the class (attendance.py), and imported credit only by the credit import
(training.imports): those two sources are refused here. Removal is allowed for every line except class credit —
imported lines included, since a wrong row in an imported file must be correctable — and the audit event keeps
the removed values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import Cadre
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import CreditEntry
from .common import format_hours, optional_text, parse_hours, require_text

Source = CreditEntry.Source
RECORDABLE = (Source.ONLINE, Source.EXTERNAL)
REMOVABLE = (Source.ONLINE, Source.EXTERNAL, Source.IMPORTED)
# one line of the ledger holds at most a 3-month full-time course, which the 条例 counts as the whole 5-year
# requirement of 550 hours; more in one line is a typing slip
MAX_ENTRY_HOURS = Decimal("550")
EARLIEST = date(1950, 1, 1)
SOURCE_WORDS = {Source.CLASS: "培训班", Source.ONLINE: "网络培训", Source.EXTERNAL: "其他培训", Source.IMPORTED: "导入"}
_MAX = {name: CreditEntry._meta.get_field(name).max_length for name in ("title", "organiser", "note")}


def check_earned_on(value, *, field: str = "earned_on") -> date:
    if not isinstance(value, date):
        raise ApplicationError("请填写日期", field=field)
    if value > timezone.localdate():
        raise ApplicationError("学时的取得日期不能晚于今天", field=field)
    if value < EARLIEST:
        raise ApplicationError(f"日期{value.isoformat()}过早，请核对", field=field)
    return value


def duplicate_words(cadre_name: str, earned_on: date, title: str) -> str:
    return f"{cadre_name}已有{earned_on.isoformat()}「{title}」的学时记录，不能重复登记"


@transaction.atomic
def credit_record(
    *,
    cadre: Cadre,
    source: str,
    title: str,
    hours,
    earned_on: date,
    organiser: str = "",
    evidence=None,
    note: str = "",
    actor,
) -> CreditEntry:
    """One line of online or external study: hours more than 0 and at most 550 (one decimal place), a date not
    after today; the same course on the same day for the same cadre and source only once."""
    if source not in RECORDABLE:
        raise ApplicationError(
            "只能登记网络培训或其他培训的学时；培训班学时在结业时生成，批量学时请用导入", field="source"
        )
    title = require_text(title, field="title", what="课程或培训名称", max_length=_MAX["title"])
    hours = parse_hours(hours, field="hours", maximum=MAX_ENTRY_HOURS)
    earned_on = check_earned_on(earned_on)
    organiser = optional_text(organiser, field="organiser", what="主办单位", max_length=_MAX["organiser"])
    note = optional_text(note, field="note", what="备注", max_length=_MAX["note"])
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if CreditEntry.objects.filter(cadre=cadre, source=source, title=title, earned_on=earned_on).exists():
        raise ApplicationError(duplicate_words(cadre.name, earned_on, title), field="title")
    entry = CreditEntry(
        cadre=cadre,
        source=source,
        title=title,
        organiser=organiser,
        hours=hours,
        earned_on=earned_on,
        note=note,
        recorded_by=actor,
    )
    if evidence:
        entry.evidence = evidence
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ApplicationError(duplicate_words(cadre.name, earned_on, title), field="title") from None
    audit_log(
        actor=actor,
        action="credit.recorded",
        obj=entry,
        details={
            "cadre": cadre.name,
            "source": source,
            "title": title,
            "organiser": organiser,
            "hours": format_hours(hours),
            "earned_on": earned_on.isoformat(),
            "evidence": entry.evidence.name if entry.evidence else "",
        },
    )
    return entry


@transaction.atomic
def credit_remove(*, entry: CreditEntry, reason: str, actor) -> None:
    """Removes a line that is not class credit (that one follows the class's attendance), with the reason; the
    audit event keeps every removed value. Its evidence file is deleted after commit."""
    reason = require_text(reason, field="reason", what="删除理由", max_length=300)
    entry = CreditEntry.objects.select_for_update(of=("self",)).select_related("cadre").filter(pk=entry.pk).first()
    if entry is None:
        return  # removed meanwhile
    if entry.source not in REMOVABLE:
        raise ApplicationError("培训班学时由结业考勤生成，不能删除")
    evidence = entry.evidence.name if entry.evidence else ""
    storage = entry.evidence.storage
    details = {
        "reason": reason,
        "cadre": entry.cadre.name,
        "cadre_id": entry.cadre_id,
        "source": entry.source,
        "title": entry.title,
        "organiser": entry.organiser,
        "hours": format_hours(entry.hours),
        "earned_on": entry.earned_on.isoformat(),
        "note": entry.note,
        "import_batch": entry.import_batch_id,
        "evidence": evidence,
        "recorded_by": entry.recorded_by_id,
    }
    audit_log(actor=actor, action="credit.removed", obj=entry, details=details)
    entry.delete()
    if evidence:
        transaction.on_commit(lambda: storage.delete(evidence))
