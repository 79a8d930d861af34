"""Test helpers that build cadres and units through the services (shared by the cadres and committees tests)."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.cn import ric

from cadres.models import Cadre, Unit
from cadres.services import cadre_create, unit_create

_sequence = itertools.count(1)


def check_char(first17: str) -> str:
    # stdnum's calc_check_digit takes the whole 18-character number and ignores its last character.
    return ric.calc_check_digit(first17 + "?")


def id_number(born: date, *, male: bool = True, area: str = "110101", seq: int | None = None) -> str:
    """A valid 18-character resident ID number for a person born on `born`."""
    seq = next(_sequence) % 50 if seq is None else seq
    gender_digit = 2 * (seq % 5) + (1 if male else 0)
    body = f"{area}{born:%Y%m%d}{seq // 5 % 10}{seq % 10}{gender_digit}"
    assert len(body) == 17
    return body + check_char(body)


def make_unit(name: str | None = None, *, kind: str = Unit.Kind.GOVERNMENT, order: int = 0) -> Unit:
    return unit_create(name=name or f"测试单位{next(_sequence)}", kind=kind, order=order, actor=None)


_unique_births = itertools.count(0)


def make_cadre(
    unit: Unit,
    name: str = "张三",
    *,
    born: date | None = None,
    male: bool = True,
    actor=None,
    **fields,
) -> Cadre:
    """A cadre whose ID number is unique within the test (a distinct birth date per call unless given)."""
    if born is None:
        n = next(_unique_births)
        born = date(1970 + n % 30, 1 + n // 30 % 12, 1 + n // 360 % 28)
    return cadre_create(actor=actor, unit=unit, name=name, id_number=id_number(born, male=male), **fields)
