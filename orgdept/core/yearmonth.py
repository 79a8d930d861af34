"""Year-month dates of cadre records (出生年月 etc.): parsed from the ways Chinese rosters write them,
stored as the first of the month, shown as 1975.03."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# 1975.03 1975.3 1975-03 1975/03 1975年3月 1975年03月, and the same with a day: 1975-03-15 1975年3月15日,
# which exports from other systems follow with a time of day: 1975/3/15 0:00, 1975-03-15 00:00:00
_SEPARATED = re.compile(
    r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:月)?"
    r"(?:\s*[.\-/]?\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?\s*$"
)
_DIGITS = re.compile(r"^\d+$")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's serial day 0 (it counts a 1900-02-29 that never was)
_MAX_SERIAL = 2958465  # 9999-12-31


class YearMonthError(ValueError):
    pass


def _from_serial(serial: float) -> date:
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _check(year: int, month: int, day: int | None, text: str, today: date) -> date:
    if not 1 <= month <= 12:
        raise YearMonthError(f"“{text}”的月份应在1到12之间")
    if year < 1900:
        raise YearMonthError(f"“{text}”的年份早于1900年")
    if day is not None:
        try:
            date(year, month, day)
        except ValueError:
            raise YearMonthError(f"“{text}”不是有效的日期") from None
    if date(year, month, day or 1) > today:  # a full date is compared as a full date
        raise YearMonthError(f"“{text}”晚于今天")
    return date(year, month, 1)


def _from_digits(text: str, today: date) -> date:
    if len(text) == 4:
        raise YearMonthError(f"“{text}”只有年份，请写明月份，如 {text}.03")
    if len(text) == 6:
        return _check(int(text[:4]), int(text[4:]), None, text, today)
    if len(text) == 8:
        return _check(int(text[:4]), int(text[4:6]), int(text[6:]), text, today)
    serial = int(text)
    if 1 <= serial <= _MAX_SERIAL:
        value = _from_serial(serial)
        return _check(value.year, value.month, value.day, text, today)
    raise YearMonthError(f"“{text}”不是有效的年月，应为 1975.03 的形式")


def parse_year_month(value, *, today: date | None = None) -> date | None:
    """The first day of the month `value` names, or None when blank; YearMonthError (Chinese) otherwise.

    Accepts date cells, Excel serial numbers, numbers typed as 1975.03 or 197503, and text in the
    usual styles with or without a day.
    """
    today = today or date.today()
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _check(value.year, value.month, value.day, value.isoformat(), today)
    if isinstance(value, bool):
        raise YearMonthError(f"“{value}”不是有效的年月")
    if isinstance(value, float) and not value.is_integer():
        # a cell typed 1975.03 arrives as the number 1975.03; between 1800 and 2200 it is year.month
        if 1800 <= value < 2200:
            year_text, _, month_text = repr(value).partition(".")
            return _check(int(year_text), int(month_text), None, f"{year_text}.{month_text}", today)
        value = int(value)  # an Excel serial with a time of day
    if isinstance(value, (int, float)):
        return _from_digits(str(int(value)), today)
    text = str(value).strip()
    if not text:
        return None
    if _DIGITS.match(text):
        return _from_digits(text, today)
    m = _SEPARATED.match(text)
    if m:
        day = int(m.group(3)) if m.group(3) else None
        return _check(int(m.group(1)), int(m.group(2)), day, text, today)
    raise YearMonthError(f"“{text}”不是有效的年月，应为 1975.03 的形式")


def format_year_month(value: date | None) -> str:
    return f"{value.year}.{value.month:02d}" if value else ""


def format_year_month_compact(value: date | None) -> str:
    """yyyyMM, as the national form software writes dates."""
    return f"{value.year}{value.month:02d}" if value else ""


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def cn_date(value: date | None) -> str:
    """A full date as documents write it: 2026年11月21日 (blank for none)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
