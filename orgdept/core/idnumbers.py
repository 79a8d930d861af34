"""Resident ID numbers (GB 11643): check character, birth date and gender, via python-stdnum.

stdnum's `ric.validate()` is deliberately not used: it also checks the area code against the birth
year and so rejects real IDs whose area code was created after the holder was born.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from stdnum.cn import ric

_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_check_char(first17: str) -> str:
    """The check character (0–9 or X) for the first 17 digits.

    stdnum's `calc_check_digit` expects the whole 18-character number and ignores its last
    character; given only 17 digits it would silently compute over 16 of them.
    """
    return ric.calc_check_digit(first17[:17] + "0")


def id_number_birth_date(value: str) -> date:
    return ric.get_birth_date(normalize_id_number(value))


def id_number_gender(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd for men)."""
    return "M" if int(normalize_id_number(value)[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    number = normalize_id_number(value)
    if not _SHAPE.match(number):
        raise ValidationError("身份证号应为18位：前17位为数字，最后一位为数字或X", code="id_shape")
    try:
        born = ric.get_birth_date(number)
    except Exception:
        raise ValidationError("身份证号中的出生日期（第7–14位）无效", code="id_birth") from None
    if born > date.today() or born.year < 1900:
        raise ValidationError("身份证号中的出生日期（第7–14位）不合理", code="id_birth")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号校验位错误，请核对最后一位", code="id_check")
