"""Small rules the training services share: credit hours as exact decimals, dates and hours as messages show them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from orgdept.core.exceptions import ApplicationError

ONE_PLACE = Decimal("0.1")


def parse_hours(value, *, field: str, maximum: Decimal, what: str = "学时") -> Decimal:
    """A positive number of hours with at most one decimal place, not above `maximum`; refused in Chinese.

    Floats go through their shortest text (2.5, not 2.4999…), so that 1/7 comparisons stay exact.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(f"请填写{what}", field=field)
    if isinstance(value, bool):
        raise ApplicationError(f"{what}应为数字", field=field)
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"{what}“{value}”不是有效的数字", field=field) from None
    if not hours.is_finite():
        raise ApplicationError(f"{what}“{value}”不是有效的数字", field=field)
    if hours <= 0:
        raise ApplicationError(f"{what}应大于0", field=field)
    if hours != hours.quantize(ONE_PLACE):
        raise ApplicationError(f"{what}最多保留一位小数", field=field)
    if hours > maximum:
        raise ApplicationError(f"{what}不能超过{format_hours(maximum)}", field=field)
    return hours.quantize(ONE_PLACE)


def format_hours(hours: Decimal | int | None) -> str:
    """560 rather than 560.0, and 95.5 as it is."""
    if hours is None:
        return "0"
    value = Decimal(hours).quantize(ONE_PLACE)
    return str(value.to_integral_value()) if value == value.to_integral_value() else str(value)


def period(start: date, end: date) -> str:
    """A class's dates as the refusals write them: 2026-05-01至2026-05-10 (one date for a one-day class)."""
    return start.isoformat() if start == end else f"{start.isoformat()}至{end.isoformat()}"


def clean(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def require_text(value, *, field: str, what: str, max_length: int) -> str:
    text = clean(value)
    if not text:
        raise ApplicationError(f"请填写{what}", field=field)
    if len(text) > max_length:
        raise ApplicationError(f"{what}不能超过{max_length}个字", field=field)
    return text


def optional_text(value, *, field: str, what: str, max_length: int) -> str:
    text = clean(value)
    if len(text) > max_length:
        raise ApplicationError(f"{what}不能超过{max_length}个字", field=field)
    return text
