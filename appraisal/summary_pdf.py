"""The documents of a cycle's results: the group summary (考核结果汇总表: per group its people, scores, ranks and
ratings) as a PDF through the kernel's renderer, and the same figures as an xlsx workbook."""

from __future__ import annotations

import io
from datetime import date

from cadres.proposal_pdf import department_name
from orgdept.core.pdf import render_pdf
from orgdept.core.spreadsheets import escape_cell
from orgdept.core.yearmonth import cn_date

from .models import AppraisalCycle, AppraisalResult
from .services.common import fmt

TITLE = "考核结果汇总表"
COLUMNS = ("考核组", "名次", "姓名", "单位", "指标得分", "民主测评得分", "综合得分", "建议等次", "评定等次", "备注")


def summary_rows(cycle: AppraisalCycle) -> list[dict]:
    """Per group (in the cycle's order) its results by rank, as the documents print them. Two queries."""
    results = (
        AppraisalResult.objects.filter(member__cycle=cycle)
        .select_related("member__group", "member__cadre__unit", "member__unit")
        .order_by("member__group__order", "member__group_id", "rank", "member_id")
    )
    groups: dict[int, dict] = {g.pk: {"name": g.name, "rows": []} for g in cycle.groups.all()}
    for result in results:
        member = result.member
        rating = result.get_rating_display() if member.cadre_id else result.get_team_rating_display()
        groups[member.group_id]["rows"].append(
            {
                "rank": result.rank,
                "name": member.label,
                "unit": member.cadre.unit.name if member.cadre_id else member.unit.name,
                "indicator": fmt(result.indicator_score),
                "evaluation": fmt(result.evaluation_score) if result.evaluation_score is not None else "—",
                "final": fmt(result.final_score),
                "proposed": result.get_proposed_rating_display(),
                "rating": rating,
                "note": result.note,
            }
        )
    return list(groups.values())


def render_summary_pdf(cycle: AppraisalCycle, *, on: date) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the cycle's summary as of `on`."""
    context = {
        "title": TITLE,
        "cycle": cycle,
        "groups": summary_rows(cycle),
        "weights": f"指标得分占{fmt(cycle.indicator_weight)}%，民主测评占{fmt(cycle.evaluation_weight)}%",
        "department": department_name(),
        "printed": cn_date(on),
    }
    return render_pdf("appraisal/pdf/summary.html", context), f"{cycle}{TITLE}（{on:%Y%m%d}）.pdf"


def summary_workbook(cycle: AppraisalCycle) -> tuple[bytes, str]:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "考核结果"
    sheet.append(list(COLUMNS))
    for group in summary_rows(cycle):
        for row in group["rows"]:
            sheet.append(
                [
                    escape_cell(group["name"]),
                    row["rank"],
                    escape_cell(row["name"]),
                    escape_cell(row["unit"]),
                    row["indicator"],
                    row["evaluation"],
                    row["final"],
                    row["proposed"],
                    row["rating"],
                    escape_cell(row["note"]),
                ]
            )
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate((14, 6, 12, 24, 10, 12, 10, 10, 10, 36), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), f"{cycle}考核结果.xlsx"
