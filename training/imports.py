"""Credit hours imported from spreadsheets (online platforms, other organisers): one import kind of the kernel's
machinery (orgdept.core.imports), previewed and then committed all or nothing.

Columns: 身份证号, 姓名 (must be the name on that ID's cadre file), 课程/班次名称, 学时, 日期 (2026-05-03, 2026/5/3,
20260503 or a spreadsheet date), optional 主办单位 and 来源 (网络培训 → online; 其他 or blank → imported). A row
the ledger already holds (same cadre, source, course and day) is skipped ("已存在，跳过"), so importing a file
again writes nothing; the same row twice in one file is an error. Any error writes nothing at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import Cadre
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import (
    ERROR,
    NEW,
    UNCHANGED,
    ImportKind,
    ImportProgress,
    ImportReport,
    RowOutcome,
    audit_log_many,
    bulk_insert,
)
from orgdept.core.spreadsheets import Spreadsheet, fold_width, read_spreadsheet

from .models import CreditEntry
from .services.common import format_hours, parse_hours
from .services.credits import EARLIEST, MAX_ENTRY_HOURS

ID, NAME, TITLE, HOURS, DAY, ORGANISER, SOURCE = "身份证号", "姓名", "课程/班次名称", "学时", "日期", "主办单位", "来源"
COLUMNS = (ID, NAME, TITLE, HOURS, DAY, ORGANISER, SOURCE)
REQUIRED_COLUMNS = (ID, NAME, TITLE, HOURS, DAY)
# other headers the platforms' exports use for the same columns
ALIASES = {
    "课程名称": TITLE,
    "班次名称": TITLE,
    "培训名称": TITLE,
    "课程或班次名称": TITLE,
    "课程/培训名称": TITLE,
    "学时数": HOURS,
    "获得学时": HOURS,
    "培训日期": DAY,
    "完成日期": DAY,
    "主办单位（培训机构）": ORGANISER,
    "培训机构": ORGANISER,
    "学时来源": SOURCE,
}
ONLINE_WORDS = ("网络培训",)
OTHER_WORDS = ("", "其他")
TITLE_MAX = CreditEntry._meta.get_field("title").max_length
ORGANISER_MAX = CreditEntry._meta.get_field("organiser").max_length
# spreadsheet serial days of 1970-01-01 and 2099-12-31: a bare number in that range is a date cell that lost its format
SERIAL_RANGE = (25569, 73050)
_EXCEL_EPOCH = date(1899, 12, 30)
_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
IN_CHUNK = 900
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
PERMISSION = "training.add_creditentry"
SKIPPED = "已存在，跳过"


class _CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", fold_width(str(value))).strip()


def parse_credit_date(value, *, today: date) -> date:
    """A 日期 cell: a spreadsheet date, 2026-05-03, 2026/5/3, 2026.5.3, 2026年5月3日 or 20260503; not after today."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if number != value:
            raise _CellError(f"“{value}”不是有效的日期，请写成2026-05-03")
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            day = _EXCEL_EPOCH + timedelta(days=number)
        else:
            day = _from_text(str(number))
    else:
        text = _text(value)
        if not text:
            raise _CellError("请填写日期")
        day = _from_text(text)
    if day > today:
        raise _CellError(f"日期{day.isoformat()}晚于今天")
    if day < EARLIEST:
        raise _CellError(f"日期{day.isoformat()}过早，请核对")
    return day


def _from_text(text: str) -> date:
    match = _SEPARATED.match(text) or _COMPACT.match(text)
    if not match:
        raise _CellError(f"“{text}”不是有效的日期，请写成2026-05-03")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _CellError(f"“{text}”不是有效的日期") from None


def _source(value) -> str:
    text = _text(value)
    if text in ONLINE_WORDS:
        return CreditEntry.Source.ONLINE
    if text in OTHER_WORDS:
        return CreditEntry.Source.IMPORTED
    raise _CellError(f"来源“{text}”无法识别：请填写“网络培训”或“其他”，也可以不填")


def _id_number(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _CellError(
            f"身份证号被Excel存成了数字（{int(value)}），末几位可能已变成0；请把这一列设为“文本”格式，重新填写后再导入"
        )
    text = _text(value).replace(" ", "").upper()
    if not text:
        raise _CellError("请填写身份证号")
    return text


@dataclass
class _Row:
    number: int
    id_number: str = ""
    name: str = ""
    title: str = ""
    hours: Decimal | None = None
    earned_on: date | None = None
    organiser: str = ""
    source: str = CreditEntry.Source.IMPORTED
    cadre: Cadre | None = None

    def __post_init__(self):
        self.errors: list[dict] = []

    def error(self, column: str | None, message: str) -> None:
        self.errors.append({"row": self.number, "column": column, "message": message})

    @property
    def key(self) -> tuple:
        return (self.id_number, self.source, self.title, self.earned_on)


def _columns(sheet: Spreadsheet, report: ImportReport) -> dict[str, int] | None:
    for column, message in sheet.header_errors:
        report.error(message, row=1, column=column or None)
    for column, message in sheet.header_warnings:
        report.warn(message, row=1, column=column or None)
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        column = header if header in COLUMNS else ALIASES.get(header)
        if column is None:
            report.warn(f"未知的列“{header}”，已忽略", row=1, column=header)
        elif column in found:
            report.error(f"第{index + 1}列“{header}”与另一列都表示“{column}”，请只保留一列", row=1, column=header)
        else:
            found[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in found:
            report.error(f"缺少必需的列“{column}”（表头应在第1行）", row=1, column=column)
    return None if report.errors else found


def _read(sheet: Spreadsheet, columns: dict[str, int], progress: ImportProgress, today: date) -> list[_Row]:
    rows = []
    progress.start(len(sheet.rows))
    for done, source in enumerate(sheet.rows, start=1):
        row = _Row(source.number)
        values = source.values

        def cell(column, values=values):
            index = columns.get(column)
            return values[index] if index is not None else None

        try:
            row.id_number = _id_number(cell(ID))
        except _CellError as exc:
            row.error(ID, str(exc))
        row.name = _text(cell(NAME)).replace(" ", "")
        if not row.name:
            row.error(NAME, "请填写姓名")
        row.title = _text(cell(TITLE))
        if not row.title:
            row.error(TITLE, "请填写课程/班次名称")
        elif len(row.title) > TITLE_MAX:
            row.error(TITLE, f"课程/班次名称不能超过{TITLE_MAX}个字")
        try:
            row.hours = parse_hours(cell(HOURS), field="hours", maximum=MAX_ENTRY_HOURS)
        except ApplicationError as exc:
            row.error(HOURS, exc.message)
        try:
            row.earned_on = parse_credit_date(cell(DAY), today=today)
        except _CellError as exc:
            row.error(DAY, str(exc))
        row.organiser = _text(cell(ORGANISER))
        if len(row.organiser) > ORGANISER_MAX:
            row.error(ORGANISER, f"主办单位不能超过{ORGANISER_MAX}个字")
        try:
            row.source = _source(cell(SOURCE))
        except _CellError as exc:
            row.error(SOURCE, str(exc))
        rows.append(row)
        progress.advance(done)
    return rows


def _chunks(items: list, size: int = IN_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _compare(rows: list[_Row], report: ImportReport) -> list[_Row]:
    """Matches the rows with the cadre files and the ledger; returns the rows to write. Two queries per 900 IDs."""
    numbers = sorted({r.id_number for r in rows if r.id_number})
    cadres: dict[str, Cadre] = {}
    for chunk in _chunks(numbers):
        cadres.update((c.id_number, c) for c in Cadre.objects.filter(id_number__in=chunk))
    existing: set[tuple] = set()
    cadre_ids = sorted({c.pk for c in cadres.values()})
    days = [r.earned_on for r in rows if r.earned_on]
    if cadre_ids and days:
        for chunk in _chunks(cadre_ids):
            existing.update(
                CreditEntry.objects.filter(
                    cadre_id__in=chunk,
                    source__in=[CreditEntry.Source.ONLINE, CreditEntry.Source.IMPORTED],
                    earned_on__gte=min(days),
                    earned_on__lte=max(days),
                ).values_list("cadre_id", "source", "title", "earned_on")
            )
    first_row: dict[tuple, int] = {}
    to_write = []
    for row in rows:
        cadre = cadres.get(row.id_number) if row.id_number else None
        if row.id_number and cadre is None:
            row.error(ID, f"身份证号{row.id_number}在干部档案中没有找到")
        if cadre is not None and row.name and row.name != cadre.name:
            row.error(NAME, f"姓名“{row.name}”与身份证号{row.id_number}对应的干部“{cadre.name}”不一致")
        row.cadre = cadre
        if row.id_number and row.title and row.earned_on:
            if row.key in first_row:
                row.error(TITLE, f"与第{first_row[row.key]}行重复（同一人、同一课程、同一日期）")
            else:
                first_row[row.key] = row.number
        label = cadre.name if cadre is not None else row.name
        if row.errors:
            outcome = RowOutcome(row.number, ERROR, label=label, key=row.id_number, errors=row.errors)
            report.errors.extend(row.errors)
        elif (cadre.pk, row.source, row.title, row.earned_on) in existing:
            outcome = RowOutcome(row.number, UNCHANGED, label=label, key=row.id_number)
            report.warn(f"{label}{row.earned_on.isoformat()}「{row.title}」{SKIPPED}", row=row.number)
        else:
            outcome = RowOutcome(
                row.number,
                NEW,
                label=label,
                key=row.id_number,
                changes={
                    TITLE: ["", row.title],
                    HOURS: ["", format_hours(row.hours)],
                    DAY: ["", row.earned_on.isoformat()],
                },
            )
            to_write.append(row)
        report.rows.append(outcome)
        report.count(outcome.outcome)
    report.total = len(rows)
    return to_write


def _write(rows: list[_Row], report: ImportReport, *, actor, batch_id: int | None, source_name: str) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    columns = [
        "created_at",
        "updated_at",
        "cadre",
        "source",
        "title",
        "organiser",
        "hours",
        "earned_on",
        "enrolment",
        "evidence",
        "import_batch",
        "recorded_by",
        "note",
    ]
    note = "批量导入"
    values = [
        (now, now, r.cadre.pk, r.source, r.title, r.organiser, r.hours, r.earned_on, None, "", batch_id, actor_id, note)
        for r in rows
    ]
    bulk_insert(CreditEntry, columns, values)
    summary = audit_log(
        actor=actor,
        action="credits.imported",
        object_type="training.credits",
        object_id=str(batch_id or ""),
        object_repr=source_name or "学时导入",
        details={
            "batch": batch_id,
            "total": report.total,
            "new": report.new,
            "skipped": report.unchanged,
            "hours": format_hours(sum((r.hours for r in rows), Decimal("0"))),
        },
    )
    audit_log_many(
        actor=actor,
        action="credit.imported",
        entries=[
            (
                r.cadre,
                {
                    "row": r.number,
                    "source": r.source,
                    "title": r.title,
                    "organiser": r.organiser,
                    "hours": format_hours(r.hours),
                    "earned_on": r.earned_on.isoformat(),
                    "import": summary.pk,
                    "batch": batch_id,
                },
            )
            for r in rows
        ],
    )


def credit_import(
    *,
    source,
    dry_run: bool,
    actor,
    progress: ImportProgress | None = None,
    preview: ImportReport | None = None,
    params: dict | None = None,
    source_name: str = "",
) -> ImportReport:
    """Imports credit hours: `source` is a path, bytes or an open file. Returns the report of every row (row and
    column of each error); with any error nothing is written. Rows already in the ledger are skipped, so the
    same file imported twice writes nothing the second time. SpreadsheetError for a file that cannot be read.

    Run through an import batch, the lines written point to it (the batch's progress carries its id). A row
    written by someone else between the preview and the commit is simply skipped: no conflict to report.
    """
    progress = progress or ImportProgress()
    sheet = read_spreadsheet(source)
    report = ImportReport(dry_run=dry_run)
    columns = _columns(sheet, report)
    if columns is None:
        report.total = len(sheet.rows)
        return report
    if not sheet.rows:
        report.warn("文件中只有表头，没有数据行")
    rows = _read(sheet, columns, progress, timezone.localdate())
    if dry_run:
        _compare(rows, report)
        return report
    try:
        with transaction.atomic():
            progress.writing()
            to_write = _compare(rows, report)
            if report.errors:
                return report
            if to_write:
                batch_id = getattr(progress, "batch_id", None)
                _write(to_write, report, actor=actor, batch_id=batch_id, source_name=source_name)
            report.written = True
            progress.written(report)
    except IntegrityError:
        # the same lines were written meanwhile (another import of this file, or one entered by hand)
        written = ImportReport(dry_run=dry_run, total=report.total)
        written.error("导入时有人同时登记了相同的学时记录，本次没有写入任何数据；请重新导入")
        return written
    return report


def may_import_credits(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


CREDIT_IMPORT_KIND = ImportKind(
    name="training_credits", label="培训学时", run=credit_import, may_import=may_import_credits
)


def credit_template(*, fmt: str = "xlsx") -> tuple[bytes, str]:
    """An empty credit-hour sheet with the columns in order, as (content, content type); the ID column is text, so
    Excel keeps all 18 characters."""
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(COLUMNS)
        return out.getvalue().encode("utf-8-sig"), CSV_TYPE
    if fmt != "xlsx":
        raise ApplicationError(f"不支持的格式“{fmt}”：请选择xlsx或csv")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学时"
    sheet.append(list(COLUMNS))
    widths = {ID: 21, NAME: 10, TITLE: 36, HOURS: 8, DAY: 12, ORGANISER: 24, SOURCE: 10}
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = widths[column]
        if column in (ID, DAY):
            # text cells for the ID number (no rounding to 15 digits) and for dates typed as 2026-05-03
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), XLSX_TYPE


__all__ = ["COLUMNS", "CREDIT_IMPORT_KIND", "credit_import", "credit_template", "may_import_credits"]
