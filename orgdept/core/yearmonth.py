"""Year-month dates of cadre records (出生年月 etc.): stored as the first of the month, shown as 1975.03."""

from __future__ import annotations

import re
from datetime import date

_PATTERNS = [
    re.compile(r"^(\d{4})[.\-/年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def parse_year_month(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                return date(year, month, 1)
    raise ValueError(f"“{text}”不是有效的年月，应为 1975.03 的形式")


def format_year_month(value: date | None) -> str:
    return f"{value.year}.{value.month:02d}" if value else ""


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
