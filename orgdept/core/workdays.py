"""The working-day calendar: Monday–Friday, overridden by the official holidays and make-up workdays.

Only years with a known schedule (CalendarYear) can be counted in: the State Council publishes each
year's schedule late in the year before, so a deadline in an unknown year is refused, not guessed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from .audit import audit_log
from .exceptions import ApplicationError
from .models import CalendarDay, CalendarYear
from .spreadsheets import escape_cell, unescape_cell


class ScheduleMissing(ApplicationError):
    def __init__(self, year: int):
        super().__init__(
            f"{year}年的节假日安排尚未录入，无法计算该年的工作日。请系统管理员先导入{year}年的节假日安排。"
        )
        self.year = year


class WorkCalendar:
    """Answers working-day questions, loading each year's overrides once."""

    def __init__(self):
        self._years: dict[int, dict[date, str] | None] = {}

    def _overrides(self, year: int) -> dict[date, str]:
        if year not in self._years:
            if CalendarYear.objects.filter(year=year).exists():
                self._years[year] = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
            else:
                self._years[year] = None
        overrides = self._years[year]
        if overrides is None:
            raise ScheduleMissing(year)
        return overrides

    def is_workday(self, day: date) -> bool:
        kind = self._overrides(day.year).get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The date `n` working days after `start` (start itself not counted); negative n counts back."""
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        day = start
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def is_workday(day: date) -> bool:
    return WorkCalendar().is_workday(day)


def add_workdays(start: date, n: int) -> date:
    return WorkCalendar().add_workdays(start, n)


def workdays_between(start: date, end: date) -> int:
    return WorkCalendar().workdays_between(start, end)


@dataclass
class CalendarImportResult:
    years: list[int] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class CalendarImportError(ApplicationError):
    pass


_KIND_ALIASES = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "班": CalendarDay.Kind.WORKDAY,
}


def parse_calendar_csv(text: str) -> dict[date, tuple[str, str]]:
    """Reads `date,type[,name]` rows; raises CalendarImportError naming the first bad row."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CalendarImportError("文件为空：第1行应为表头 date,type") from None
    if header[:2] != ["date", "type"] or len(header) > 3 or (len(header) == 3 and header[2] != "name"):
        raise CalendarImportError(f"第1行：表头应为 date,type（可选第三列 name），实际为 {','.join(header)}")
    days: dict[date, tuple[str, str]] = {}
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < 2 or len(row) > len(header):
            raise CalendarImportError(f"第{line_no}行：应有 {len(header)} 列，实际 {len(row)} 列")
        raw_date, raw_type = row[0].strip(), row[1].strip().lower()
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            raise CalendarImportError(f"第{line_no}行：日期“{raw_date}”无效，应为 YYYY-MM-DD") from None
        if raw_type not in _KIND_ALIASES:
            raise CalendarImportError(f"第{line_no}行：类型“{row[1].strip()}”无效，应为 holiday 或 workday")
        if not 1990 <= day.year <= 2100:
            raise CalendarImportError(f"第{line_no}行：年份 {day.year} 超出 1990–2100 的范围")
        if day in days:
            raise CalendarImportError(f"第{line_no}行：日期 {day} 重复出现")
        # a name the export escaped (a leading ') is read back as it was stored
        name = unescape_cell(row[2].strip()) if len(row) > 2 else ""
        days[day] = (_KIND_ALIASES[raw_type], name[:50])
    if not days:
        raise CalendarImportError("文件中没有任何日期行")
    return days


@transaction.atomic
def calendar_import(*, text: str, actor, source: str = CalendarYear.Source.IMPORTED) -> CalendarImportResult:
    """Replaces the schedule of every year in the file with the file's dates; all or nothing.

    Importing the same file again changes nothing.
    """
    days = parse_calendar_csv(text)
    result = CalendarImportResult(years=sorted({d.year for d in days}))
    for year in result.years:
        wanted = {d: v for d, v in days.items() if d.year == year}
        calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": source}
        )
        existing = {cd.date: cd for cd in CalendarDay.objects.select_for_update().filter(date__year=year)}
        stale = [cd.pk for d, cd in existing.items() if d not in wanted]
        if stale:
            CalendarDay.objects.filter(pk__in=stale).delete()
            result.removed += len(stale)
        for day, (kind, name) in wanted.items():
            current = existing.get(day)
            if current is None:
                CalendarDay.objects.create(date=day, kind=kind, name=name)
                result.added += 1
            elif current.kind != kind or current.name != name:
                current.kind, current.name = kind, name
                current.save(update_fields=["kind", "name", "updated_at"])
                result.changed += 1
            else:
                result.unchanged += 1
        if not created and calendar_year.source != source and result.changed_anything:
            calendar_year.source = source
            calendar_year.save(update_fields=["source", "updated_at"])
    if result.changed_anything:
        audit_log(
            actor=actor,
            action="calendar.imported",
            object_type="core.calendaryear",
            object_id=",".join(str(y) for y in result.years),
            object_repr="、".join(f"{y}年" for y in result.years),
            details={"added": result.added, "changed": result.changed, "removed": result.removed},
        )
    return result


def calendar_export(year: int) -> str:
    """The CSV of one year's schedule, in the format calendar_import reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "type", "name"])
    for cd in CalendarDay.objects.filter(date__year=year).order_by("date"):
        # a name a spreadsheet program would run as a formula goes out as text
        writer.writerow([cd.date.isoformat(), cd.kind, escape_cell(cd.name)])
    return out.getvalue()


def scheduled_years() -> list[int]:
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
