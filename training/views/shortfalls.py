"""The units' credit-hour shortfalls on a day (学时缺口): per unit the cadres counted, those short and the hours
short; a unit's cadres short with their figures; the whole as a spreadsheet (audited)."""

from __future__ import annotations

import io
from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from cadres.models import Cadre, Unit
from orgdept.core.audit import audit_log
from orgdept.core.downloads import XLSX, attachment
from orgdept.core.spreadsheets import escape_cell

from ..forms import ShortfallFilterForm
from ..permissions import VIEW_CREDIT, require_list
from ..requirements import ZERO
from ..selectors import UnitShortfall, shortfall_lines
from ..services.common import format_hours
from .common import section_page


def unit_lines(*, on: date, group: str = "", unit: Unit | None = None) -> list[UnitShortfall]:
    """training.selectors.unit_shortfalls narrowed to a rank group (县处级及以上 or 乡科级及以下) and, for the
    drill-down, to one unit: the units with cadres counted, in unit order. Three queries."""
    cadres = Cadre.objects.exclude(rank="").select_related("unit").order_by("name", "pk")
    condition = ShortfallFilterForm.rank_condition(group)
    if condition is not None:
        cadres = cadres.filter(condition)
    if unit is not None:
        cadres = cadres.filter(unit=unit)
    lines = shortfall_lines(list(cadres), on).values()
    return sorted(lines, key=lambda line: (line.unit.order, line.unit.name, line.unit.pk))


def _filtered(request, unit: Unit | None = None):
    """The filter as asked (the day, the rank group), its day and group, and the units' lines they give."""
    form = ShortfallFilterForm(request.GET or None)
    on, group = form.day(), form.group_value()
    return form, on, group, unit_lines(on=on, group=group, unit=unit)


def _totals(lines: list[UnitShortfall]) -> dict:
    return {
        "counted": sum(line.counted for line in lines),
        "short": sum(line.short for line in lines),
        "total_shortfall": sum((line.total_shortfall for line in lines), ZERO),
    }


@login_required
def shortfalls(request):
    require_list(request.user, VIEW_CREDIT)
    form, on, _group, lines = _filtered(request)
    context = {
        "filter_form": form,
        "on": on,
        "lines": lines,
        "totals": _totals(lines),
        "querystring": request.GET.urlencode(),
    }
    return section_page(request, "training/shortfalls.html", context, "shortfalls")


@login_required
def shortfalls_unit(request, pk: int):
    require_list(request.user, VIEW_CREDIT)
    unit = get_object_or_404(Unit, pk=pk)
    form, on, _group, lines = _filtered(request, unit)
    line = lines[0] if lines else UnitShortfall(unit=unit)
    context = {"filter_form": form, "on": on, "unit": unit, "line": line, "querystring": request.GET.urlencode()}
    return section_page(request, "training/shortfalls_unit.html", context, "shortfalls")


EXPORT_COLUMNS = (
    "单位",
    "姓名",
    "现任职务",
    "职级",
    "学时要求",
    "统计起始日",
    "统计截止日",
    "应修学时",
    "已修学时",
    "差额学时",
    "完成期限",
)


def _workbook(lines: list[UnitShortfall], on: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    summary = workbook.active
    summary.title = "各单位汇总"
    summary.append(["单位", "统计人数", "未达标人数", "差额学时合计"])
    for line in lines:
        summary.append([escape_cell(line.unit.name), line.counted, line.short, float(line.total_shortfall)])
    detail = workbook.create_sheet("未达标干部")
    detail.append(list(EXPORT_COLUMNS))
    for line in lines:
        for item in line.cadres_short:
            cadre, status = item.cadre, item.status
            detail.append(
                [
                    escape_cell(line.unit.name),
                    escape_cell(cadre.name),
                    escape_cell(cadre.current_post),
                    cadre.rank,
                    status.label,
                    status.window_start.isoformat(),
                    status.window_end.isoformat(),
                    float(status.required),
                    float(status.earned),
                    float(status.shortfall),
                    status.due_date.isoformat(),
                ]
            )
    for sheet, widths in ((summary, (30, 10, 12, 14)), (detail, (26, 10, 28, 12, 36, 12, 12, 10, 10, 10, 12))):
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    note = workbook.create_sheet("说明")
    note.append([f"统计日期：{on.isoformat()}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@login_required
def shortfalls_export(request):
    require_list(request.user, VIEW_CREDIT)
    _form, on, group, lines = _filtered(request)
    content = _workbook(lines, on)
    totals = _totals(lines)
    audit_log(
        actor=request.user,
        action="training.shortfalls_exported",
        object_type="training.shortfalls",
        object_repr="学时缺口统计",
        details={
            "on": on.isoformat(),
            "group": group,
            "units": len(lines),
            "cadres_short": totals["short"],
            "hours_short": format_hours(totals["total_shortfall"]),
        },
    )
    return attachment(content, XLSX, f"学时缺口（{on:%Y%m%d}）.xlsx")
