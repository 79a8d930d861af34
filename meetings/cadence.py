"""Cadence compliance: how many meetings each body of a committee's current term held against its rules.

The rules, as the page states them:
- a monthly cadence (常委会 at least 2 a month): each month that has ended requires the count; the month under
  way is shown as 本月已开X次/应开N次 and only counts once it has ended;
- a yearly cadence (全委会 at least 4 a year) is spread over the quarters: when a quarter ends, the meetings held
  since 1 January must reach count × quarters ended ÷ 4 (whole meetings, rounded down), i.e. one a quarter for 4;
- periods that began before the term took office require nothing (a new term starts its own count);
- a meeting counts as held when it is not cancelled and its day is on or before the day asked about;
- with `cadence_gap_days` set, more days than that since the last meeting (or since the term began) warn.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from committees.models import Committee, Term

from .models import Meeting, MeetingType

MONTH = MeetingType.CadencePeriod.MONTH
YEAR = MeetingType.CadencePeriod.YEAR


def period_text(meeting_type: MeetingType) -> str:
    """每月至少2次, 每年至少4次, or "" without a periodic cadence."""
    if not (meeting_type.cadence_count and meeting_type.cadence_period):
        return ""
    per = "每月" if meeting_type.cadence_period == MONTH else "每年"
    return f"{per}至少{meeting_type.cadence_count}次"


def cadence_text(meeting_type: MeetingType) -> str:
    """The cadence as the rules state it: 每月至少2次；超过15天未召开即提醒."""
    parts = [period_text(meeting_type)] if period_text(meeting_type) else []
    if meeting_type.cadence_gap_days:
        parts.append(f"超过{meeting_type.cadence_gap_days}天未召开即提醒")
    return "；".join(parts) or "根据需要召开"


def has_cadence(meeting_type: MeetingType) -> bool:
    return bool(meeting_type.cadence_count and meeting_type.cadence_period) or bool(meeting_type.cadence_gap_days)


def _month_last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_required(count: int, quarters: int) -> int:
    """Meetings a yearly cadence of `count` requires by the end of the `quarters`-th quarter counted."""
    return count * quarters // 4


@dataclass
class MonthCell:
    month: int
    held: int
    # ok / behind: the month (monthly) or quarter (yearly, on its last month) has ended and was checked;
    # open: under way; future; outside: before the term; "": not a checkpoint (a yearly type's other months)
    state: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.month}月"


@dataclass
class TypeCadence:
    meeting_type: MeetingType
    year: int
    months: list[MonthCell]
    held: int  # held in the year up to the day asked about
    required: int  # required by the periods of the year that have ended
    year_required: int  # required by the whole year (the periods the term is in office)
    checked_until: date | None  # the last day of the last period that has ended (and was required)
    current: str = ""  # 本月已开1次/应开2次 …
    last_held: date | None = None
    days_since: int | None = None
    gap_exceeded: bool = False
    next_scheduled: date | None = None

    @property
    def rule(self) -> str:
        return cadence_text(self.meeting_type)

    @property
    def behind(self) -> bool:
        return self.held < self.required

    @property
    def periodic(self) -> bool:
        return bool(self.meeting_type.cadence_count and self.meeting_type.cadence_period)

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.held)


@dataclass
class CadenceWarning:
    meeting_type: MeetingType
    text: str
    level: str = "warning"  # warning, danger
    reasons: list[str] = field(default_factory=list)


def current_term_of(committee: Committee) -> Term | None:
    return committee.terms.filter(ends_on__isnull=True).select_related("committee").order_by("-starts_on").first()


def cadence_types() -> list[MeetingType]:
    return [t for t in MeetingType.objects.order_by("order", "pk") if has_cadence(t)]


def _meeting_days(term: Term) -> dict[int, list[date]]:
    """The days of the term's meetings that are not cancelled, by type, in order."""
    days: dict[int, list[date]] = {}
    rows = (
        Meeting.objects.filter(term=term)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .values_list("meeting_type_id", "starts_at")
    )
    for type_id, starts_at in rows:
        days.setdefault(type_id, []).append(timezone.localtime(starts_at).date())
    return days


def _monthly_cell(cell: MonthCell, count: int, first: date, last: date, in_office: bool, as_of: date) -> int:
    """Sets the state of a month of a monthly cadence; returns what the month requires once it has ended."""
    if not in_office:
        cell.state, cell.note = "outside", "本届开始前"
        return 0
    if first > as_of:
        cell.state, cell.note = "future", f"应开{count}次"
    elif last >= as_of:
        cell.state = "ok" if cell.held >= count else "open"
        cell.note = f"本月已开{cell.held}次/应开{count}次"
    else:
        cell.state = "ok" if cell.held >= count else "behind"
        cell.note = f"已开{cell.held}次/应开{count}次"
    return count


def type_cadence(meeting_type: MeetingType, term: Term, year: int, on: date, *, days: list[date]) -> TypeCadence:
    """One type's compliance in `year` as of `on` (a past year is seen whole); `days` are all its meetings
    in the term that are not cancelled, held or scheduled."""
    count, period = meeting_type.cadence_count, meeting_type.cadence_period
    # a month has ended when its last day is before `as_of`: a past year is seen whole
    as_of = on if year >= on.year else date(year + 1, 1, 1)
    held_days = [d for d in days if d <= on]
    in_year = [d for d in held_days if d.year == year and d <= as_of]
    per_month = [0] * 13
    for d in in_year:
        per_month[d.month] += 1
    months: list[MonthCell] = []
    required = year_required = 0
    checked_until = None
    quarters_counted = held_cumulative = 0
    for month in range(1, 13):
        first, last = date(year, month, 1), _month_last_day(year, month)
        cell = MonthCell(month=month, held=per_month[month])
        held_cumulative += cell.held
        months.append(cell)
        if period == MONTH and count:
            needed = _monthly_cell(cell, count, first, last, first >= term.starts_on, as_of)
            year_required += needed
            if needed and last < as_of:
                required += needed
                checked_until = last
            continue
        quarter_start = date(year, month - (month - 1) % 3, 1)
        if first > as_of:
            cell.state = "future"
        if (quarter_start if period == YEAR else first) < term.starts_on:
            cell.state, cell.note = "outside", "本届开始前"
            continue
        if not (period == YEAR and count) or month % 3:
            continue
        # the last month of a quarter in office: the checkpoint of a yearly cadence
        quarters_counted += 1
        quarter = month // 3
        needed = quarter_required(count, quarters_counted)
        if last < as_of:
            required, checked_until = needed, last
            cell.state = "ok" if held_cumulative >= needed else "behind"
            cell.note = f"第{quarter}季度末累计已开{held_cumulative}次/应开{needed}次"
        elif quarter_start <= as_of:
            cell.state = "ok" if held_cumulative >= needed else "open"
            cell.note = f"截至第{quarter}季度末累计应开{needed}次，已开{held_cumulative}次"
        else:
            cell.note = f"第{quarter}季度末累计应开{needed}次"
    if period == YEAR and count:
        year_required = quarter_required(count, quarters_counted)
    result = TypeCadence(
        meeting_type=meeting_type,
        year=year,
        months=months,
        held=len(in_year),
        required=required,
        year_required=year_required,
        checked_until=checked_until,
    )
    if year == on.year:
        if period == MONTH and count and date(year, on.month, 1) >= term.starts_on:
            result.current = f"本月已开{per_month[on.month]}次/应开{count}次"
        elif period == YEAR and count:
            result.current = f"今年已开{len(in_year)}次/全年应开{year_required}次"
    result.last_held = held_days[-1] if held_days else None
    if year == on.year:
        result.next_scheduled = next((d for d in days if d > on), None)
    if meeting_type.cadence_gap_days and year == on.year:
        since = result.last_held or term.starts_on
        result.days_since = (on - since).days
        result.gap_exceeded = result.days_since > meeting_type.cadence_gap_days
    return result


@dataclass
class CommitteeCadence:
    term: Term
    year: int
    on: date
    types: list[TypeCadence]

    @property
    def years(self) -> list[int]:
        return list(range(self.on.year, self.term.starts_on.year - 1, -1))

    @property
    def month_numbers(self) -> list[int]:
        return list(range(1, 13))


def committee_cadence(term: Term, *, year: int | None = None, on: date | None = None) -> CommitteeCadence:
    """Every type with a cadence, for `year` (this year by default) as of `on` (today)."""
    on = on or timezone.localdate()
    year = year or on.year
    days = _meeting_days(term)
    types = [type_cadence(t, term, year, on, days=days.get(t.pk, [])) for t in cadence_types()]
    return CommitteeCadence(term=term, year=year, on=on, types=types)


def _gap_text(tc: TypeCadence) -> str:
    name = tc.meeting_type.name
    limit = f"规定不超过{tc.meeting_type.cadence_gap_days}天"
    if tc.last_held is None:
        text = f"本届尚未召开{name}，距本届开始已有{tc.days_since}天（{limit}）"
    else:
        text = f"已有{tc.days_since}天未召开{name}（{limit}）"
    if tc.next_scheduled is not None:
        text += f"，已安排于{tc.next_scheduled:%m月%d日}召开"
    return text


def _behind_text(tc: TypeCadence) -> str:
    name = tc.meeting_type.name
    until = tc.checked_until
    if tc.meeting_type.cadence_period == MONTH:
        by = f"截至{until.month}月底"
    else:
        by = f"截至第{(until.month - 1) // 3 + 1}季度末"
    rule = period_text(tc.meeting_type)
    return f"{tc.year}年已召开{name}{tc.held}次，{by}应开{tc.required}次（{rule}），尚差{tc.shortfall}次"


def warnings_of(tc: TypeCadence) -> CadenceWarning | None:
    reasons = []
    level = "warning"
    if tc.gap_exceeded:
        reasons.append(_gap_text(tc))
        level = "danger"
    if tc.periodic and tc.behind:
        reasons.append(_behind_text(tc))
    if not reasons:
        return None
    return CadenceWarning(meeting_type=tc.meeting_type, text="；".join(reasons), level=level, reasons=reasons)


def cadence_warnings(committee: Committee, on: date | None = None) -> list[CadenceWarning]:
    """The bodies of the committee's current term that fall behind on `on` (today): too many days without a
    meeting, or fewer meetings this year than the periods that have ended require."""
    on = on or timezone.localdate()
    term = current_term_of(committee)
    if term is None or term.starts_on > on:
        return []
    result = committee_cadence(term, year=on.year, on=on)
    return [w for w in (warnings_of(tc) for tc in result.types) if w is not None]
