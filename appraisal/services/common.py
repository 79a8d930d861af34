"""Small rules the appraisal services share: exact decimal weights and scores, the cycle lock and state guard,
the 优秀 quota."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings

from orgdept.core.exceptions import ApplicationError

from ..models import AppraisalCycle

Status = AppraisalCycle.Status
STATUS_WORDS = {
    Status.SETUP: "设置",
    Status.EVALUATION: "民主测评",
    Status.SCORING: "计分",
    Status.RATING: "评定等次",
    Status.PUBLISHED: "已公布",
    Status.ARCHIVED: "已归档",
}
HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


def parse_decimal(value, *, field: str, what: str, minimum=Decimal("0"), maximum=None, positive=False) -> Decimal:
    """A number with at most two decimal places; refused in Chinese. Floats go through their shortest text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(f"请填写{what}", field=field)
    if isinstance(value, bool):
        raise ApplicationError(f"{what}应为数字", field=field)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"{what}“{value}”不是有效的数字", field=field) from None
    if not number.is_finite():
        raise ApplicationError(f"{what}“{value}”不是有效的数字", field=field)
    if positive and number <= 0:
        raise ApplicationError(f"{what}应大于0", field=field)
    if number < minimum:
        raise ApplicationError(f"{what}不能小于{fmt(minimum)}", field=field)
    if maximum is not None and number > maximum:
        raise ApplicationError(f"{what}不能超过{fmt(maximum)}", field=field)
    if number != number.quantize(TWO_PLACES):
        raise ApplicationError(f"{what}最多保留两位小数", field=field)
    return number.quantize(TWO_PLACES)


def fmt(number: Decimal | int | None) -> str:
    """100 rather than 100.00, 33.5 rather than 33.50."""
    if number is None:
        return ""
    value = Decimal(number)
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return format(value.normalize(), "f")


def check_weights(weights, *, what: str, field: str = "weight") -> None:
    """Weights must sum to exactly 100 (Decimal, no rounding); the refusal names the sum."""
    total = sum((Decimal(w) for w in weights), Decimal("0"))
    if not weights:
        raise ApplicationError(f"{what}还没有设置权重", field=field)
    if total != HUNDRED:
        raise ApplicationError(f"{what}的权重合计为{fmt(total)}，应为100", field=field)


def lock_cycle(cycle: AppraisalCycle) -> AppraisalCycle:
    return AppraisalCycle.objects.select_for_update().get(pk=cycle.pk)


def require_status(cycle: AppraisalCycle, *statuses: str, doing: str) -> None:
    if cycle.status not in statuses:
        raise ApplicationError(f"考核处于“{STATUS_WORDS[cycle.status]}”阶段，不能{doing}")


def excellent_percent() -> int:
    return int(getattr(settings, "ORGDEPT_APPRAISAL_EXCELLENT_PERCENT", 20))


def excellent_quota(group_size: int, percent: int | None = None) -> int:
    """At most `percent`% of the group may be rated 优秀, rounded down: 11 → 2, 15 → 3, 4 → 0 at 20%."""
    percent = excellent_percent() if percent is None else percent
    return int((Decimal(group_size) * Decimal(percent) / HUNDRED).to_integral_value(rounding=ROUND_DOWN))


def lowest_ranked_count() -> int:
    return int(getattr(settings, "ORGDEPT_APPRAISAL_LOWEST_RANKED", 1))
