"""Indicator scores imported from a spreadsheet: one import kind of the kernel's machinery (orgdept.core.imports),
previewed and then committed all or nothing, for one cycle (params {"cycle": pk}).

Columns: 身份证号, 姓名 (must be the name on that ID's cadre file), 考核指标 (the indicator's name in the person's
group), 得分 (0 to the indicator's full marks, at most two decimals). A score equal to the one stored is unchanged;
a different one replaces it (updated); the same person and indicator twice in one file is an error. Leadership
teams (班子) are scored by hand. Any error writes nothing. The rows are written by the scores service
(services.scores), one audit event per changed score besides the import's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import ERROR, NEW, UNCHANGED, UPDATED, ImportKind, ImportProgress, ImportReport, RowOutcome
from orgdept.core.spreadsheets import fold_width, read_spreadsheet

from .models import AppraisalCycle, GroupMember, Indicator, IndicatorScore
from .services.common import Status, fmt, lock_cycle, parse_decimal, require_status
from .services.scores import cycle_scores_enter

ID, NAME, INDICATOR, SCORE = "身份证号", "姓名", "考核指标", "得分"
COLUMNS = (ID, NAME, INDICATOR, SCORE)
ALIASES = {"指标": INDICATOR, "指标名称": INDICATOR, "分数": SCORE, "指标得分": SCORE}
PERMISSION = "appraisal.add_indicatorscore"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", fold_width(str(value))).strip()


@dataclass
class _Row:
    number: int
    id_number: str
    name: str
    indicator: str
    score: Decimal | None = None
    member: GroupMember | None = None
    target: object | None = None  # the Indicator

    def __post_init__(self):
        self.errors: list[dict] = []

    def error(self, column, message):
        self.errors.append({"row": self.number, "column": column, "message": message})


def _cycle(params: dict | None) -> AppraisalCycle:
    try:
        return AppraisalCycle.objects.get(pk=int((params or {}).get("cycle")))
    except (TypeError, ValueError, AppraisalCycle.DoesNotExist):
        raise ApplicationError("请选择要导入得分的考核") from None


def _columns(sheet, report: ImportReport) -> dict[str, int] | None:
    for column, message in sheet.header_errors:
        report.error(message, row=1, column=column or None)
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        column = header if header in COLUMNS else ALIASES.get(header)
        if column is None:
            if header:
                report.warn(f"未知的列“{header}”，已忽略", row=1, column=header)
        elif column in found:
            report.error(f"第{index + 1}列“{header}”与另一列都表示“{column}”，请只保留一列", row=1, column=header)
        else:
            found[column] = index
    for column in COLUMNS:
        if column not in found:
            report.error(f"缺少必需的列“{column}”（表头应在第1行）", row=1, column=column)
    return None if report.errors else found


def _compare(cycle: AppraisalCycle, sheet, columns: dict[str, int], report: ImportReport) -> list[_Row]:
    members = {
        m.cadre.id_number: m
        for m in GroupMember.objects.filter(cycle=cycle, cadre__isnull=False).select_related("cadre", "group")
    }
    # every group's indicators in one read, by name within the group
    indicators: dict[int, dict] = {m.group_id: {} for m in members.values()}
    for indicator in Indicator.objects.filter(group__cycle=cycle):
        indicators.setdefault(indicator.group_id, {})[indicator.name] = indicator
    stored = {(s.member_id, s.indicator_id): s.score for s in IndicatorScore.objects.filter(member__cycle=cycle)}
    seen: dict[tuple, int] = {}
    to_write = []
    for source in sheet.rows:
        values = source.values

        def cell(column, values=values):
            index = columns[column]
            return values[index] if index < len(values) else None

        row = _Row(
            source.number,
            _text(cell(ID)).replace(" ", "").upper(),
            _text(cell(NAME)).replace(" ", ""),
            _text(cell(INDICATOR)),
        )
        member = members.get(row.id_number)
        if not row.id_number:
            row.error(ID, "请填写身份证号")
        elif member is None:
            row.error(ID, f"身份证号{row.id_number}不是本次考核的考核对象")
        elif row.name != member.cadre.name:
            row.error(NAME, f"姓名“{row.name}”与身份证号{row.id_number}对应的干部“{member.cadre.name}”不一致")
        if member is not None:
            row.member = member
            row.target = indicators[member.group_id].get(row.indicator)
            if row.target is None:
                row.error(INDICATOR, f"“{member.group.name}”没有考核指标“{row.indicator}”")
            else:
                try:
                    row.score = parse_decimal(cell(SCORE), field="score", what="得分", maximum=row.target.max_score)
                except ApplicationError as exc:
                    row.error(SCORE, exc.message)
                key = (member.pk, row.target.pk)
                if key in seen:
                    row.error(INDICATOR, f"与第{seen[key]}行重复（同一人、同一指标）")
                else:
                    seen[key] = row.number
        label = member.cadre.name if member is not None else row.name
        if row.errors:
            outcome = RowOutcome(row.number, ERROR, label=label, key=row.id_number, errors=row.errors)
            report.errors.extend(row.errors)
        else:
            before = stored.get((row.member.pk, row.target.pk))
            kind = NEW if before is None else UNCHANGED if before == row.score else UPDATED
            changes = {} if kind == UNCHANGED else {f"{row.indicator}{SCORE}": [fmt(before), fmt(row.score)]}
            outcome = RowOutcome(row.number, kind, label=label, key=row.id_number, changes=changes)
            if kind != UNCHANGED:
                to_write.append(row)
        report.rows.append(outcome)
        report.count(outcome.outcome)
    report.total = len(sheet.rows)
    return to_write


def score_import(
    *,
    source,
    dry_run: bool,
    actor,
    progress: ImportProgress | None = None,
    preview: ImportReport | None = None,
    params: dict | None = None,
    source_name: str = "",
) -> ImportReport:
    """Imports indicator scores into the cycle named by params["cycle"] while evaluation is open or in scoring.
    Returns the report of every row; with any error nothing is written. SpreadsheetError for an unreadable file."""
    progress = progress or ImportProgress()
    cycle = _cycle(params)
    sheet = read_spreadsheet(source)
    report = ImportReport(dry_run=dry_run)
    columns = _columns(sheet, report)
    if columns is None:
        report.total = len(sheet.rows)
        return report
    if not sheet.rows:
        report.warn("文件中只有表头，没有数据行")
    progress.start(len(sheet.rows))
    if dry_run:
        require_status(cycle, Status.EVALUATION, Status.SCORING, doing="导入指标得分")
        _compare(cycle, sheet, columns, report)
        return report
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_status(cycle, Status.EVALUATION, Status.SCORING, doing="导入指标得分")
        progress.writing()
        to_write = _compare(cycle, sheet, columns, report)
        if report.errors:
            return report
        summary = audit_log(
            actor=actor,
            action="appraisal_scores.imported",
            obj=cycle,
            details={"file": source_name, "total": report.total, "new": report.new, "updated": report.updated},
        )
        # the rows were checked above; the service writes them as the score page does, each change audited
        # with a link to this import
        cycle_scores_enter(
            cycle=cycle,
            entries=[(row.member, row.target, row.score) for row in to_write],
            actor=actor,
            details={"import": summary.pk},
        )
        report.written = True
        progress.written(report)
    return report


def may_import_scores(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


SCORE_IMPORT_KIND = ImportKind(
    name="appraisal_scores", label="考核指标得分", run=score_import, may_import=may_import_scores
)
