"""Writes to units and cadre records; each one validated and audited."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import id_number_birth_date, id_number_gender, normalize_id_number

from .models import Cadre, Unit


def name_initials(name: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()


@transaction.atomic
def unit_create(
    *, name: str, kind: str, short_name: str = "", parent: Unit | None = None, order: int = 0, actor
) -> Unit:
    unit = Unit(name=name, kind=kind, short_name=short_name, parent=parent, order=order)
    unit.full_clean()
    unit.save()
    audit_log(actor=actor, action="unit.created", obj=unit)
    return unit


@transaction.atomic
def cadre_create(*, actor, unit: Unit, name: str, id_number: str, **fields) -> Cadre:
    """Creates a cadre record; gender and birth month come from the ID number unless they agree with it."""
    id_number = normalize_id_number(id_number)
    cadre = Cadre(unit=unit, name=name, id_number=id_number, **fields)
    cadre.name_initials = name_initials(name)
    try:
        cadre.full_clean(exclude=["gender", "birth_month"])
    except Exception as exc:
        raise ApplicationError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
    born: date = id_number_birth_date(id_number)
    gender = id_number_gender(id_number)
    if cadre.gender and cadre.gender != gender:
        raise ApplicationError("性别与身份证号第17位不一致", field="gender")
    if cadre.birth_month and (cadre.birth_month.year, cadre.birth_month.month) != (born.year, born.month):
        raise ApplicationError("出生年月与身份证号中的出生日期不一致", field="birth_month")
    cadre.gender = gender
    cadre.birth_month = born.replace(day=1)
    cadre.save()
    audit_log(actor=actor, action="cadre.created", obj=cadre)
    return cadre
