"""The working-day calendar of one year as a PDF (a document kind of the kernel)."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from .documents import DocumentKind, register_document_kind
from .models import Document
from .pdf import render_pdf
from .workdays import WorkCalendar


def calendar_months(year: int) -> list[dict]:
    cal = WorkCalendar()
    overrides = cal._overrides(year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                kind = overrides.get(day)
                cells.append(
                    {
                        "day": day.day,
                        "workday": cal.is_workday(day),
                        "holiday": kind == "holiday",
                        "makeup": kind == "workday",
                    }
                )
            weeks.append(cells)
        workdays = sum(1 for w in weeks for c in w if c and c["workday"])
        months.append({"month": month, "weeks": weeks, "workdays": workdays})
    return months


def render_calendar_year(document: Document) -> tuple[bytes, str]:
    year = int(document.params["year"])
    from .selectors import calendar_days_of

    pdf = render_pdf(
        "core/pdf/calendar_year.html",
        {
            "year": year,
            "months": calendar_months(year),
            "days": calendar_days_of(year),
            "printed": date.today(),
            "title": document.title,
        },
    )
    return pdf, f"{year}年工作日历.pdf"


def may_request_calendar(user, params) -> bool:
    return user.is_authenticated


def register():
    register_document_kind(
        DocumentKind(
            name="calendar_year",
            label="年度工作日历",
            render=render_calendar_year,
            may_request=may_request_calendar,
        )
    )
