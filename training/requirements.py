"""The credit-hour requirements of the 干部教育培训工作条例 as pure rules (no database): which rule a rank falls
under, the window of days it counts on a given day, and the status figures.

The numbers are the setting ORGDEPT_TRAINING_REQUIREMENTS (read when asked, so tests and deployments may change
them): 县处级 and above (cadres.models.COUNTY_LEVEL_RANKS) 550 hours in a rolling 5 years, every other rank 90
hours per calendar year. A cadre with no rank has no rule.

The rolling window asked about on day D is (D − 5 years, D]: it starts the day after the same date five years
earlier (29 February falls back to 28 February, so asked on 2028-02-29 it starts on 2023-03-01) and ends on D,
which is also the due date. The calendar-year window is 1 January to 31 December of D's year, due on 31 December.
Either way hours count from the window's start up to D: what was earned by the day asked about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from cadres.models import COUNTY_LEVEL_RANKS
from cadres.structure import years_before

from .services.common import format_hours

COUNTY, SECTION = "county", "section"
ROLLING, CALENDAR_YEAR = "rolling", "calendar_year"
ZERO = Decimal("0")


@dataclass(frozen=True)
class Rule:
    key: str  # COUNTY or SECTION
    group: str  # who it is for, in Chinese
    period: str  # ROLLING or CALENDAR_YEAR
    hours: Decimal
    years: int = 1

    @property
    def label(self) -> str:
        if self.period == ROLLING:
            return f"{self.group}每{self.years}年累计不少于{format_hours(self.hours)}学时"
        return f"{self.group}每年不少于{format_hours(self.hours)}学时"

    def window(self, on: date) -> tuple[date, date]:
        """(first day, last day) of the period the rule looks at on `on`."""
        if self.period == ROLLING:
            return years_before(on, self.years) + timedelta(days=1), on
        return date(on.year, 1, 1), date(on.year, 12, 31)

    def due_date(self, on: date) -> date:
        return on if self.period == ROLLING else date(on.year, 12, 31)

    def counted_from(self, on: date) -> date:
        return self.window(on)[0]


def rules() -> dict[str, Rule]:
    configured = settings.ORGDEPT_TRAINING_REQUIREMENTS
    out = {}
    for key, spec in configured.items():
        period = spec.get("period", CALENDAR_YEAR)
        out[key] = Rule(
            key=key,
            group=spec.get("label", key),
            period=period,
            hours=Decimal(str(spec["hours"])),
            years=int(spec.get("years", 1)) if period == ROLLING else 1,
        )
    return out


def rule_for_rank(rank: str | None) -> Rule | None:
    """The rule of a rank: 县处级 and above, or any other rank; None for a cadre with no rank on file."""
    if not rank:
        return None
    return rules().get(COUNTY if rank in COUNTY_LEVEL_RANKS else SECTION)


@dataclass(frozen=True)
class RequirementStatus:
    """Where a cadre stands against their rule on a day."""

    rule: str  # the rule's key
    label: str  # the rule in Chinese (县处级以上领导干部每5年累计不少于550学时)
    required: Decimal
    earned: Decimal  # hours earned from window_start up to the day asked about
    shortfall: Decimal  # required − earned, never below 0
    window_start: date
    window_end: date
    due_date: date
    met: bool
    period: str = CALENDAR_YEAR
    years: int = 1  # the rolling window's length

    @property
    def period_words(self) -> str:
        """近5年 or 2026年度, as the figures are introduced."""
        if self.period == ROLLING:
            return f"近{self.years}年"
        return f"{self.window_start.year}年度"

    @property
    def figures(self) -> str:
        """近5年累计学时560/550, 2026年度学时95/90."""
        kind = "累计学时" if self.period == ROLLING else "学时"
        return f"{self.period_words}{kind}{format_hours(self.earned)}/{format_hours(self.required)}"


def requirement_from(rule: Rule, on: date, earned: Decimal | None) -> RequirementStatus:
    """The status figures of `rule` on `on` given the hours earned in its window up to `on`."""
    earned = Decimal(earned or 0)
    start, end = rule.window(on)
    shortfall = max(rule.hours - earned, ZERO)
    return RequirementStatus(
        rule=rule.key,
        label=rule.label,
        required=rule.hours,
        earned=earned,
        shortfall=shortfall,
        window_start=start,
        window_end=end,
        due_date=rule.due_date(on),
        met=shortfall == 0,
        period=rule.period,
        years=rule.years,
    )
