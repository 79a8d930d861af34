"""A cadre's training transcript as a PDF (干部教育培训学时证明): who, the requirement and where the cadre stands,
every ledger line, the hours per year, classes not completed; rendered on request from the transcript selector."""

from __future__ import annotations

from datetime import date

from cadres.proposal_pdf import department_name
from orgdept.core.pdf import render_pdf
from orgdept.core.yearmonth import cn_date

from .selectors import transcript
from .services.common import format_hours
from .services.credits import SOURCE_WORDS

TITLE = "干部教育培训学时证明"


def transcript_document(cadre, *, on: date) -> dict:
    """The PDF's context: the transcript's figures written as the document prints them."""
    data = transcript(cadre, on=on)
    status = data["status"]
    requirement = None
    if status is not None:
        requirement = {
            "rule": status.label,
            "window": f"{cn_date(status.window_start)}至{cn_date(status.window_end)}",
            "required": format_hours(status.required),
            "earned": format_hours(status.earned),
            "shortfall": format_hours(status.shortfall),
            "due": cn_date(status.due_date),
            "met": status.met,
        }
    lines = [
        {
            "number": i,
            "date": line["earned_on"].strftime("%Y.%m.%d"),
            "title": line["title"],
            "organiser": line["organiser"],
            "source": SOURCE_WORDS.get(line["source"], line["source"]),
            "hours": format_hours(line["hours"]),
        }
        for i, line in enumerate(data["lines"], start=1)
    ]
    not_completed = [
        {
            "title": row["training_class"].name,
            "dates": f"{row['training_class'].start_date:%Y.%m.%d}—{row['training_class'].end_date:%Y.%m.%d}",
            "absent": format_hours(row["absent_hours"]),
            "total": format_hours(row["total_hours"]),
        }
        for row in data["not_completed"]
    ]
    return {
        "title": TITLE,
        "cadre": cadre,
        "unit": cadre.unit.name,
        "post": cadre.current_post,
        "rank": cadre.rank,
        "requirement": requirement,
        "lines": lines,
        "years": [{"year": y["year"], "hours": format_hours(y["hours"])} for y in data["years"]],
        "total": format_hours(data["total_hours"]),
        "not_completed": not_completed,
        "department": department_name(),
        "printed": cn_date(on),
    }


def render_transcript_pdf(cadre, *, on: date) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the cadre's transcript as of `on`."""
    pdf = render_pdf("training/pdf/transcript.html", transcript_document(cadre, on=on))
    return pdf, f"{cadre.name}{TITLE}（{on:%Y%m%d}）.pdf"
