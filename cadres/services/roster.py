"""The roster (花名册): the 25 standard columns imported into cadre files all or nothing, and exported alike.

The pages and the commands call the same two functions. An import reads the file, checks every row
without touching the database, then compares the rows with the cadre files — in a dry run as they
are, in a commit inside one transaction with those files locked — and writes only when no row has an
error. A few queries load what is needed and bulk inserts and updates write it: no query per row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from types import SimpleNamespace
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.audit_actions import register_audit_action
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import id_number_birth_date, id_number_gender
from orgdept.core.imports import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportKind,
    ImportProgress,
    ImportReport,
    RowOutcome,
    audit_log_many,
    bulk_insert,
    bulk_update,
)
from orgdept.core.spreadsheets import Spreadsheet, escape_cell, read_spreadsheet
from orgdept.core.yearmonth import YearMonthError, format_year_month, parse_year_month

from ..models import Cadre, Education, Position, PositionTenure, Unit
from ..normalize import (
    clean_ethnicity,
    clean_name,
    clean_text,
    fold_width,
    highest_education,
    parse_gender,
    parse_political_status,
    parse_rank,
)
from .records import (
    SURNAME_INITIALS,
    cadre_check,
    name_initials,
    new_position,
    pinyin_letters,
    tenure_moves,
    unit_create,
)

# the standard columns, in the standard order (exports write them so; imports accept any order)
COLUMNS = (
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "籍贯",
    "出生地",
    "身份证号",
    "政治面貌",
    "入党时间",
    "参加工作时间",
    "全日制学历",
    "全日制学位",
    "全日制毕业院校系及专业",
    "在职学历",
    "在职学位",
    "在职毕业院校系及专业",
    "工作单位",
    "现任职务",
    "职级",
    "任现职时间",
    "任现职级时间",
    "专业技术职务",
    "健康状况",
    "联系电话",
    "备注",
)
REQUIRED_COLUMNS = ("姓名", "身份证号")

# column -> Cadre field
FIELDS = {
    "姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "出生年月": "birth_month",
    "籍贯": "native_place",
    "出生地": "birthplace",
    "身份证号": "id_number",
    "政治面貌": "political_status",
    "入党时间": "party_joined_month",
    "参加工作时间": "work_started_month",
    "工作单位": "unit",
    "现任职务": "current_post",
    "职级": "rank",
    "任现职时间": "post_since_month",
    "任现职级时间": "rank_since_month",
    "专业技术职务": "professional_title",
    "健康状况": "health",
    "联系电话": "phone",
    "备注": "remarks",
}
COLUMN_OF = {f: c for c, f in FIELDS.items()}
FULL_TIME, IN_SERVICE = Education.Kind.FULL_TIME, Education.Kind.IN_SERVICE
EDUCATION_COLUMNS = {
    "全日制学历": (FULL_TIME, "education"),
    "全日制学位": (FULL_TIME, "degree"),
    "全日制毕业院校系及专业": (FULL_TIME, "school_major"),
    "在职学历": (IN_SERVICE, "education"),
    "在职学位": (IN_SERVICE, "degree"),
    "在职毕业院校系及专业": (IN_SERVICE, "school_major"),
}
EDUCATION_ATTRS = ("education", "degree", "school_major")
DATE_FIELDS = ("birth_month", "party_joined_month", "work_started_month", "post_since_month", "rank_since_month")
TEXT_FIELDS = ("native_place", "birthplace", "current_post", "professional_title", "health", "phone")
# a new file records what the roster says: a blank or missing column stays blank (no invented 汉族 or 中共党员)
BLANK_WHEN_MISSING = ("ethnicity", "political_status")
MAX_NAMES_SHOWN = 20
MAX_LENGTH = {f.name: f.max_length for f in Cadre._meta.get_fields() if getattr(f, "max_length", None)}
EDUCATION_MAX_LENGTH = {a: Education._meta.get_field(a).max_length for a in EDUCATION_ATTRS}
UNIT_NAME_MAX_LENGTH = Unit._meta.get_field("name").max_length
POSITION_TITLE_MAX_LENGTH = Position._meta.get_field("title").max_length
IN_CHUNK = 900  # ids per IN (...) query where the database sets no limit of its own
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

register_audit_action("roster.imported", "导入花名册")
register_audit_action("roster.exported", "导出花名册")
register_audit_action("roster.previewed", "查看花名册导入预览")
register_audit_action("cadre.imported", "通过花名册导入干部档案")

_LINE_SPACES = re.compile(r"[ \t\f\v]+")


def clean_multiline(value) -> str:
    """Remarks keep their line breaks; every line is cleaned like any other cell."""
    if value is None:
        return ""
    text = fold_width(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _text_cleaner(field: str):
    return clean_multiline if field == "remarks" else clean_text


_initials_of_char: dict[str, str] = {}


def _initials(name: str) -> str:
    """`name_initials`, faster for the usual name: without a phrase in it, each character reads on its own.

    Anything else (a phrase such as 长孙, a surname with its own reading such as 曾, letters, other signs) goes
    through `name_initials` itself.
    """
    from pypinyin.constants import PHRASES_DICT, RE_HANS

    n = len(name)
    if (
        not name
        or not RE_HANS.match(name)
        or any(name[i:j] in PHRASES_DICT for i in range(n) for j in range(i + 2, n + 1))
        or any(name.startswith(surname) for surname in SURNAME_INITIALS)
    ):
        return name_initials(name)
    out = []
    for char in name:
        initial = _initials_of_char.get(char)
        if initial is None:
            initial = _initials_of_char[char] = pinyin_letters(char)
        out.append(initial)
    return "".join(out)


def _unit_key(name: str) -> str:
    return clean_text(name).replace(" ", "")


def _display(field: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_year_month(value)
    if field == "gender":
        return {"M": "男", "F": "女"}.get(value, value)
    return str(value)


# --- reading the rows (no database) ---------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)  # field -> value, for the columns the file has
    education: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> {attr: value}
    unit_name: str | None = None  # None: no 工作单位 column; "": blank
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    @property
    def id_number(self) -> str:
        return self.values.get("id_number", "")

    def error(self, column: str | None, message: str) -> None:
        issue = {"row": self.number, "column": column, "message": message}
        if issue not in self.errors:  # the file's checks and the shared cadre rules may say the same thing
            self.errors.append(issue)


class _Cleaner:
    """The cell cleaners of one import, remembering text already cleaned (rosters repeat units, posts, schools)."""

    def __init__(self):
        self.today = date.today()
        self._text: dict[str, str] = {}
        self._multiline: dict[str, str] = {}

    def text(self, raw) -> str:
        if raw.__class__ is str:
            try:
                return self._text[raw]
            except KeyError:
                value = self._text[raw] = clean_text(raw)
                return value
        return clean_text(raw)

    def multiline(self, raw) -> str:
        if raw.__class__ is str:
            try:
                return self._multiline[raw]
            except KeyError:
                value = self._multiline[raw] = clean_multiline(raw)
                return value
        return clean_multiline(raw)

    def field(self, name: str, raw) -> str:
        return self.multiline(raw) if name == "remarks" else self.text(raw)

    def year_month(self, raw) -> date | None:
        return parse_year_month(self.text(raw) if isinstance(raw, str) else raw, today=self.today)

    @staticmethod
    def remembering(parse):
        """`parse`, remembering its result for each text it was given (errors are not remembered)."""
        seen: dict[str, Any] = {}

        def run(raw):
            if raw.__class__ is str:
                try:
                    return seen[raw]
                except KeyError:
                    value = seen[raw] = parse(raw)
                    return value
            return parse(raw)

        return run


def _parse_id_number(row: _Row, raw, clean: _Cleaner) -> None:
    """The ID number as stored (its check character and birth date are checked with the other cadre rules)."""
    column = "身份证号"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        digits = str(int(raw))
        if len(digits) == 15:
            row.error(column, f"身份证号“{digits}”是15位的旧号码，请填写18位身份证号")
        elif len(digits) >= 16:
            row.error(
                column,
                f"身份证号被Excel存成了数字（{digits}），末几位可能已变成0；请把这一列设为“文本”格式，重新填写后再导入",
            )
        else:
            row.error(column, f"身份证号“{digits}”位数不对，应为18位")
        row.values["id_number"] = digits
        return
    text = clean.text(raw).replace(" ", "").upper()
    row.values["id_number"] = text
    if not text:
        row.error(column, "请填写身份证号")
    elif len(text) == 15 and text.isdigit():
        row.error(column, f"身份证号“{text}”是15位的旧号码，请填写18位身份证号")


def _cell_reader(column: str, clean: _Cleaner):
    """(row, cell) -> None: reads one standard column's cell into the row, or records the row's error there."""
    if column in EDUCATION_COLUMNS:
        kind, attr = EDUCATION_COLUMNS[column]
        limit = EDUCATION_MAX_LENGTH[attr]

        def read_education(row: _Row, raw) -> None:
            value = clean.text(raw)
            if len(value) > limit:
                row.error(column, f"{column}不能超过{limit}个字")
            row.education.setdefault(kind, {})[attr] = value

        return read_education
    name = FIELDS[column]
    if name == "id_number":
        return lambda row, raw: _parse_id_number(row, raw, clean)
    if name == "unit":

        def read_unit(row: _Row, raw) -> None:
            row.unit_name = clean.text(raw)
            if len(row.unit_name) > UNIT_NAME_MAX_LENGTH:
                row.error(column, f"工作单位名称不能超过{UNIT_NAME_MAX_LENGTH}个字")

        return read_unit
    parse = {
        "name": clean_name,
        "gender": clean.remembering(lambda raw: parse_gender(raw) or None),  # None: from the ID number
        "ethnicity": clean.remembering(clean_ethnicity),
        "political_status": clean.remembering(parse_political_status),
        "rank": clean.remembering(parse_rank),
    }.get(name)
    if parse is None and name in DATE_FIELDS:
        parse = clean.remembering(clean.year_month)
    elif parse is None:
        parse = clean.multiline if name == "remarks" else clean.text
    limit = min(MAX_LENGTH.get(name) or 10_000, POSITION_TITLE_MAX_LENGTH if name == "current_post" else 10_000)

    def read(row: _Row, raw) -> None:
        try:
            value = parse(raw)
        except (YearMonthError, ValueError) as exc:
            row.error(column, str(exc))
            return
        if raw.__class__ is float and name in DATE_FIELDS and repr(raw).endswith(".1") and 1800 <= raw < 2200:
            # Excel shows 1975.10 typed into a number cell as 1975.1: October cannot be told from January
            row.warnings.append(
                {
                    "row": row.number,
                    "column": column,
                    "message": f"“{raw}”是数字单元格，可能是{raw}0（10月）被Excel省去了末尾的0；已按1月记录，请核对",
                }
            )
        if not value:
            if name == "name":
                row.error(column, "请填写姓名")
        elif value.__class__ is str and len(value) > limit:
            row.error(column, f"{column}不能超过{limit}个字")
            return
        row.values[name] = value

    return read


def _columns(sheet: Spreadsheet, report: ImportReport) -> dict[str, int] | None:
    """The standard columns the file has, by index; None when the header makes the rows unreadable."""
    for column, message in sheet.header_errors:
        report.error(message, row=1, column=column or None)
    for column, message in sheet.header_warnings:
        report.warn(message, row=1, column=column or None)
    found = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        if header in FIELDS or header in EDUCATION_COLUMNS:
            found.setdefault(header, index)
        else:
            report.warn(f"未知的列“{header}”，已忽略；标准列名见导入说明", row=1, column=header)
    for column in REQUIRED_COLUMNS:
        if column not in found:
            report.error(f"缺少必需的列“{column}”（表头应在第1行）", row=1, column=column)
    return None if report.errors else found


def _read_rows(sheet: Spreadsheet, columns: dict[str, int], progress: ImportProgress, clean: _Cleaner) -> list[_Row]:
    rows = []
    first_row_of: dict[str, int] = {}
    progress.start(len(sheet.rows))
    readers = [(index, _cell_reader(column, clean)) for column, index in sorted(columns.items(), key=lambda i: i[1])]
    sources = sheet.rows
    for done in range(1, len(sources) + 1):
        source = sources[done - 1]
        sources[done - 1] = None  # read rows take its place: the sheet's copy goes as they are made
        row = _Row(source.number)
        values = source.values
        for index, read in readers:
            read(row, values[index])
        number = row.id_number
        if number:
            if number in first_row_of:
                row.error("身份证号", f"身份证号与第{first_row_of[number]}行重复（{number}）")
            else:
                first_row_of[number] = row.number
        rows.append(row)
        progress.advance(done)
    return rows


# --- comparing with the cadre files --------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    row: _Row
    cadre: Cadre | None  # the file to update; a new one is built when it is written (a dry run needs none)
    unit: Unit | str | None  # a Unit, the name of a unit created on commit, or None (the unit stays)
    education: dict[str, dict[str, str]]
    changes: dict[str, list[str]] = field(default_factory=dict)  # field or education label -> [old, new]
    values: dict[str, Any] = field(default_factory=dict)  # the fields of a new file


@dataclass
class _Plan:
    clean: _Cleaner
    new: list[_Pending] = field(default_factory=list)
    updated: list[_Pending] = field(default_factory=list)
    new_units: dict[str, str] = field(default_factory=dict)  # key -> name, in order of appearance
    existing_education: dict[tuple[int, str], Education] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)  # key -> unit
    unit_names: dict[int, str] = field(default_factory=dict)  # pk -> name

    def stored(self, name: str, cadre: Cadre):
        """A stored value as the import compares it: cleaned the way a cell is, so a clean-up is no change."""
        value = getattr(cadre, name)
        if name == "name":
            return clean_name(value)
        if name == "ethnicity":
            return clean_ethnicity(value)
        if name in TEXT_FIELDS or name == "remarks":
            return self.clean.field(name, value)
        return value

    def entry(self, cadre_pk: int | None, kind: str) -> dict[str, str]:
        education = self.existing_education.get((cadre_pk, kind))
        if education is None:
            return dict.fromkeys(EDUCATION_ATTRS, "")
        return {a: self.clean.text(getattr(education, a)) for a in EDUCATION_ATTRS}

    def merged_education(self, row: _Row, cadre_pk: int | None) -> dict[str, dict[str, str]]:
        """Each education entry as the file gives it; columns the file lacks keep what is stored."""
        return {kind: {**self.entry(cadre_pk, kind), **row.education.get(kind, {})} for kind in (FULL_TIME, IN_SERVICE)}

    def unit_of(self, row: _Row) -> Unit | str | None:
        """The row's unit: a known Unit, the name of a new one, or None when the row gives none."""
        if not row.unit_name:
            return None
        return self.units.get(_unit_key(row.unit_name), row.unit_name)


def _chunks(items: list, size: int | None = None):
    size = size or IN_CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _describe(entry: dict[str, str]) -> str:
    return " ".join(v for v in entry.values() if v)


def _has_id_error(row: _Row) -> bool:
    return not row.id_number or any(e["column"] == "身份证号" for e in row.errors)


def _check(row: _Row, **values) -> None:
    """The rules every cadre file keeps (the forms' very messages), on the row as it would be stored."""
    for name, message in cadre_check(SimpleNamespace(**values)).items():
        row.error(COLUMN_OF.get(name), message)


def _outcome(row: _Row, outcome: str, pending: _Pending | None = None) -> RowOutcome:
    changes = {}
    if pending is not None:
        changes = {COLUMN_OF.get(k, k): v for k, v in pending.changes.items()}
    cadre = pending.cadre if pending is not None else None
    name = cadre.name if cadre is not None else row.values.get("name", "")
    version = cadre.version if cadre is not None else None
    return RowOutcome(row.number, outcome, name, row.id_number, changes, list(row.errors), version)


def _derive_new(row: _Row, plan: _Plan) -> RowOutcome:
    values = row.values
    _check(
        row,
        name=values.get("name", ""),
        id_number=row.id_number,
        gender=values.get("gender") or "",
        birth_month=values.get("birth_month"),
        party_joined_month=values.get("party_joined_month"),
        work_started_month=values.get("work_started_month"),
    )
    unit = plan.unit_of(row)
    if unit is None:
        missing = "" if row.unit_name is not None else "（文件中没有“工作单位”列）"
        row.error("工作单位", f"新增的干部须填写工作单位{missing}")
    if row.errors:
        return _outcome(row, ERROR)
    # the row's own values and education become the new file's (completed in place: no second copy of each row)
    for name in [k for k, v in values.items() if v is None]:
        del values[name]
    values["gender"] = values.get("gender") or id_number_gender(row.id_number)
    values["birth_month"] = values.get("birth_month") or id_number_birth_date(row.id_number).replace(day=1)
    for name in BLANK_WHEN_MISSING:
        values.setdefault(name, "")
    education = row.education
    for kind in (FULL_TIME, IN_SERVICE):
        entry = education.get(kind)
        if entry is None:
            education[kind] = dict.fromkeys(EDUCATION_ATTRS, "")
        else:
            for attr in EDUCATION_ATTRS:
                entry.setdefault(attr, "")
    values["education"] = highest_education(education[FULL_TIME]["education"], education[IN_SERVICE]["education"])
    if isinstance(unit, str):
        plan.new_units.setdefault(_unit_key(unit), unit)
    pending = _Pending(row, None, unit, education, values=values)
    plan.new.append(pending)
    return _outcome(row, NEW, pending)


def _derive_update(row: _Row, cadre: Cadre, plan: _Plan) -> RowOutcome:
    incoming = {}
    for name, value in row.values.items():
        if name == "id_number":
            continue
        if name == "gender" and value is None:
            value = id_number_gender(cadre.id_number)
        elif name == "birth_month" and value is None:
            value = id_number_birth_date(cadre.id_number).replace(day=1)
        incoming[name] = value
    _check(
        row,
        id_number=cadre.id_number,
        **{
            f: incoming.get(f, getattr(cadre, f))
            for f in ("name", "gender", "birth_month", "party_joined_month", "work_started_month")
        },
    )
    if row.errors:
        return _outcome(row, ERROR)
    changes: dict[str, list[str]] = {}
    for name, value in incoming.items():
        if plan.stored(name, cadre) != value:
            changes[name] = [_display(name, getattr(cadre, name)), _display(name, value)]
            setattr(cadre, name, value)
    unit = plan.unit_of(row)
    if unit is not None and (isinstance(unit, str) or unit.pk != cadre.unit_id):
        changes["unit"] = [plan.unit_names.get(cadre.unit_id, ""), unit if isinstance(unit, str) else unit.name]
    else:
        unit = None
    education = plan.merged_education(row, cadre.pk)
    for kind in (FULL_TIME, IN_SERVICE):
        old = plan.entry(cadre.pk, kind)
        if education[kind] != old:
            changes[Education.Kind(kind).label] = [_describe(old), _describe(education[kind])]
    if not changes:
        return _outcome(row, UNCHANGED, _Pending(row, cadre, None, education))
    cadre.education = highest_education(education[FULL_TIME]["education"], education[IN_SERVICE]["education"])
    if "name" in changes:
        cadre.name_initials = _initials(cadre.name)
    if isinstance(unit, str):
        plan.new_units.setdefault(_unit_key(unit), unit)
    pending = _Pending(row, cadre, unit, education, changes)
    plan.updated.append(pending)
    return _outcome(row, UPDATED, pending)


def _derive(rows: list[_Row], report: ImportReport, *, lock: bool, clean: _Cleaner) -> _Plan:
    """Sorts every row into new / updated / unchanged / error against the files (locked when committing)."""
    plan = _Plan(clean)
    size = (connection.features.max_query_params or 10_000) - 10
    numbers = [r.id_number for r in rows if not _has_id_error(r)]
    existing: dict[str, Cadre] = {}
    for chunk in _chunks(numbers, size):
        qs = Cadre.objects.filter(id_number__in=chunk)
        existing.update((c.id_number, c) for c in (qs.select_for_update(of=("self",)).order_by("pk") if lock else qs))
    for chunk in _chunks([c.pk for c in existing.values()], size):
        for education in Education.objects.filter(cadre_id__in=chunk):
            plan.existing_education[(education.cadre_id, education.kind)] = education
    for unit in Unit.objects.all():
        plan.units[_unit_key(unit.name)] = unit
        plan.unit_names[unit.pk] = unit.name
    for row in rows:
        if _has_id_error(row):
            outcome = _outcome(row, ERROR)
        elif row.id_number in existing:
            outcome = _derive_update(row, existing[row.id_number], plan)
        else:
            outcome = _derive_new(row, plan)
        report.rows.append(outcome)
        report.count(outcome.outcome)
        report.errors.extend(outcome.errors)
        report.warnings.extend(row.warnings)
    report.total = len(rows)
    report.extra["new_units"] = list(plan.new_units.values())
    return plan


# --- writing ---------------------------------------------------------------------------------------


class _Created:
    """A file the import created: what the rest of the write and its audit event need, without a model instance."""

    __slots__ = ("current_post", "name", "pk", "post_since_month", "rank", "unit", "unit_id")
    _meta = Cadre._meta

    def __init__(self, pk: int, values: dict, unit: Unit):
        self.pk = pk
        self.name = values["name"]
        self.unit = unit
        self.unit_id = unit.pk
        self.current_post = values.get("current_post", "")
        self.rank = values.get("rank", "")
        self.post_since_month = values.get("post_since_month")

    def __str__(self) -> str:
        return self.name


def _stored_defaults(model, now) -> dict[str, Any]:
    """Each concrete field's value when a row does not give one, as a save would store it."""
    defaults = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        defaults[f.name] = now if stamped else f.get_default()
    return defaults


def _insert_new(new: list[_Pending], resolve, now) -> None:
    """Inserts the new files as rows of values (no model instance each); each pending gets a `_Created`."""
    if not new:
        return
    defaults = _stored_defaults(Cadre, now)
    names = list(defaults)
    rows = []
    for pending in new:
        values = pending.values
        own = {**values, "unit": resolve(pending.unit).pk, "name_initials": _initials(values["name"])}
        rows.append(tuple(own[n] if n in own else defaults[n] for n in names))
    keys = bulk_insert(Cadre, names, rows, returning=True)
    del rows
    for pending, pk in zip(new, keys, strict=True):
        pending.cadre = _Created(pk, pending.values, resolve(pending.unit))


def _insert_instances(model, objs: list, now) -> None:
    """Inserts unsaved instances as bulk_create would (timestamps set, defaults kept) and gives each its pk."""
    if not objs:
        return
    defaults = _stored_defaults(model, now)
    fields = [model._meta.get_field(n) for n in defaults]
    stamped = {f.name for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    rows = [tuple(now if f.name in stamped else getattr(obj, f.attname) for f in fields) for obj in objs]
    for obj, pk in zip(objs, bulk_insert(model, list(defaults), rows, returning=True), strict=True):
        obj.pk = pk
        obj._state.adding = False


def _write(plan: _Plan, report: ImportReport, *, actor, source_name: str) -> None:
    now = timezone.now()
    created_units = {
        key: unit_create(name=name, kind=Unit.Kind.OTHER, actor=actor) for key, name in plan.new_units.items()
    }

    def resolve(unit):
        return created_units[_unit_key(unit)] if isinstance(unit, str) else unit

    for pending in plan.updated:
        if pending.unit is not None:
            pending.cadre.unit = resolve(pending.unit)
    _insert_new(plan.new, resolve, now)

    # education entries
    creates, updates, deletes = [], [], []
    for pending in plan.new + plan.updated:
        for kind in (FULL_TIME, IN_SERVICE):
            entry = pending.education[kind]
            old = plan.existing_education.get((pending.cadre.pk, kind))
            if plan.entry(pending.cadre.pk, kind) == entry:
                continue
            if any(entry.values()):
                if old is None:
                    creates.append((pending.cadre.pk, str(kind), *(entry[a] for a in EDUCATION_ATTRS)))
                else:
                    for attr, value in entry.items():
                        setattr(old, attr, value)
                    updates.append(old)
            elif old is not None:
                deletes.append(old.pk)
    bulk_insert(Education, ["cadre", "kind", *EDUCATION_ATTRS], creates)
    bulk_update(Education, updates, list(EDUCATION_ATTRS))
    for chunk in _chunks(deletes):
        Education.objects.filter(pk__in=chunk).delete()

    # cadres already on file
    changed_fields = {name for p in plan.updated for name in p.changes if name in FIELDS.values()}
    if any("name" in p.changes for p in plan.updated):
        changed_fields.add("name_initials")
    for pending in plan.updated:
        pending.cadre.version += 1
        pending.cadre.updated_at = now
    fields = sorted(changed_fields | {"education", "version", "updated_at"})
    bulk_update(Cadre, [p.cadre for p in plan.updated], fields)

    # position history, as cadre_update moves it
    moved = [p.cadre for p in plan.updated if {"unit", "current_post"} & p.changes.keys()]
    holders = [p.cadre for p in plan.new if p.cadre.current_post] + [c for c in moved if c.current_post]
    positions: dict[tuple[int, str], Position] = {}
    for chunk in _chunks(sorted({c.unit_id for c in holders})):
        positions.update(((p.unit_id, p.title), p) for p in Position.objects.filter(unit_id__in=chunk))
    missing: dict[tuple[int, str], Position] = {}
    for cadre in holders:
        key = (cadre.unit_id, cadre.current_post)
        if key not in positions and key not in missing:
            missing[key] = new_position(cadre.unit, cadre.current_post, cadre.rank)
    _insert_instances(Position, list(missing.values()), now)
    positions.update(missing)
    opened = [
        (p.cadre.pk, positions[(p.cadre.unit_id, p.cadre.current_post)].pk, p.cadre.post_since_month, None, True)
        for p in plan.new
        if p.cadre.current_post
    ]
    current: dict[int, list[PositionTenure]] = {}
    for chunk in _chunks([c.pk for c in moved]):
        for tenure in (
            PositionTenure.objects.select_for_update(of=("self",))
            .filter(cadre_id__in=chunk, is_current=True)
            .order_by("pk")
        ):
            current.setdefault(tenure.cadre_id, []).append(tenure)
    closed = []
    for cadre in moved:
        target = positions[(cadre.unit_id, cadre.current_post)] if cadre.current_post else None
        ended, open_new = tenure_moves(current.get(cadre.pk, []), target, cadre.post_since_month)
        closed.extend(ended)
        if open_new:
            opened.append((cadre.pk, target.pk, cadre.post_since_month, None, True))
    bulk_update(PositionTenure, closed, ["is_current", "end_month"])
    bulk_insert(PositionTenure, ["cadre", "position", "start_month", "end_month", "is_current"], opened)

    summary = audit_log(
        actor=actor,
        action="roster.imported",
        object_type="cadres.roster",
        object_repr=source_name or "花名册",
        details={
            "source": source_name,
            "total": report.total,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "new_units": report.extra.get("new_units", []),
        },
    )
    # made as they are inserted, a thousand at a time
    entries = chain(
        ((p.cadre, {"outcome": NEW, "row": p.row.number, "import": summary.pk}) for p in plan.new),
        (
            (p.cadre, {"outcome": UPDATED, "row": p.row.number, "import": summary.pk, "changes": p.changes})
            for p in plan.updated
        ),
    )
    audit_log_many(actor=actor, action="cadre.imported", entries=entries)


def _changed_since(preview: ImportReport, report: ImportReport) -> list[str]:
    """The people whose files changed since `preview` was made: edited (another version), created or deleted.

    Compared under the commit's row locks, so nothing can change between this check and the write.
    """
    before = {r.key: r for r in preview.rows if r.key and r.outcome != ERROR}
    changed = []
    for row in report.rows:
        old = before.get(row.key)
        if old is None or row.outcome == ERROR:
            continue
        created = old.outcome == NEW and row.outcome != NEW  # a file with this ID number was entered meanwhile
        # edited (or deleted) meanwhile; a preview stored before versions were recorded has none to compare
        edited = old.outcome != NEW and old.version is not None and row.version != old.version
        if created or edited:
            changed.append(old.label or row.label or row.key)
    return changed


def _conflict_message(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMES_SHOWN])
    if len(names) > MAX_NAMES_SHOWN:
        shown += f"等{len(names)}人"
    return f"预览之后以下干部的档案已被修改：{shown}；请重新检查后再导入"


def roster_import(
    *,
    source,
    dry_run: bool,
    actor,
    progress: ImportProgress | None = None,
    source_name: str = "",
    preview: ImportReport | None = None,
    params: dict | None = None,
) -> ImportReport:
    """Imports a roster: `source` is a path, bytes or an open file. Returns the report of every row.

    With any error nothing is written (also when not `dry_run`). A file that cannot be read at all
    raises SpreadsheetError. Importing the same file again reports every row unchanged.

    `preview` is the dry run the user confirmed (the pages' two-step import): when any file it compared
    with has changed since (see `_changed_since`), nothing is written and the returned report, the rows
    as they compare now, carries the names in `conflict`. The command line checks and writes in one call
    and passes none. A roster needs no `params` (the batch's are ignored).
    """
    progress = progress or ImportProgress()
    sheet = read_spreadsheet(source)
    report = ImportReport(dry_run=dry_run, extra={"new_units": []})
    columns = _columns(sheet, report)
    if columns is None:
        report.total = len(sheet.rows)
        return report
    if not sheet.rows:
        report.warn("文件中只有表头，没有数据行")
    clean = _Cleaner()
    rows = _read_rows(sheet, columns, progress, clean)
    if dry_run:
        _derive(rows, report, lock=False, clean=clean)
        return report
    try:
        with transaction.atomic():
            progress.writing()
            plan = _derive(rows, report, lock=True, clean=clean)
            if preview is not None:
                changed = _changed_since(preview, report)
                if changed:
                    # what the user confirmed is no longer what would be written: the rows as they compare
                    # now become the new preview
                    report.dry_run = True
                    report.conflict = _conflict_message(changed)
                    return report
            if report.errors:
                return report
            if report.new or report.updated:  # a file imported again writes nothing at all
                _write(plan, report, actor=actor, source_name=source_name)
            # only the report is kept from here (the batch stores it): the rows and the plan go first
            del plan, rows, clean
            report.written = True
            progress.written(report)
    except IntegrityError:
        # someone saved one of these files meanwhile (e.g. created the same ID number): nothing was written
        written = ImportReport(dry_run=dry_run, total=report.total, extra={"new_units": []})
        written.error("导入时有人同时修改了干部档案（如刚录入了同一身份证号），本次没有写入任何数据；请重新导入")
        return written
    except ApplicationError as exc:
        # a service refused a write (e.g. a unit of that name was created meanwhile): everything was undone
        written = ImportReport(dry_run=dry_run, total=report.total, extra={"new_units": []})
        written.error(f"导入时出错，本次没有写入任何数据：{exc.message}；请重新导入")
        return written
    return report


def may_import_roster(user) -> bool:
    """The import shows stored cadre files (in its preview) and writes them: it needs all three permissions."""
    return all(user.has_perm(p) for p in ("cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre"))


def roster_preview_viewed(*, batch, report: ImportReport, actor) -> None:
    """Records that someone looked at an import's report that shows stored cadre files (their old values)."""
    existing = report.updated + report.unchanged
    if not existing:
        return
    audit_log(
        actor=actor,
        action="roster.previewed",
        obj=batch,
        details={"status": batch.status, "existing": existing, "updated": report.updated},
    )


ROSTER_IMPORT_KIND = ImportKind(
    name="roster", label="干部花名册", run=roster_import, may_import=may_import_roster, extra_keys={"new_units": []}
)


# --- export ----------------------------------------------------------------------------------------


def _export_row(cadre: Cadre) -> list[str]:
    educations = {e.kind: e for e in cadre.educations.all()}
    full_time = educations.get(FULL_TIME)
    in_service = educations.get(IN_SERVICE)

    def edu(entry, attr):
        return getattr(entry, attr) if entry else ""

    values = {
        "姓名": cadre.name,
        "性别": cadre.get_gender_display(),
        "民族": cadre.ethnicity,
        "出生年月": format_year_month(cadre.birth_month),
        "籍贯": cadre.native_place,
        "出生地": cadre.birthplace,
        "身份证号": cadre.id_number,
        "政治面貌": cadre.political_status,
        "入党时间": format_year_month(cadre.party_joined_month),
        "参加工作时间": format_year_month(cadre.work_started_month),
        "全日制学历": edu(full_time, "education"),
        "全日制学位": edu(full_time, "degree"),
        "全日制毕业院校系及专业": edu(full_time, "school_major"),
        "在职学历": edu(in_service, "education"),
        "在职学位": edu(in_service, "degree"),
        "在职毕业院校系及专业": edu(in_service, "school_major"),
        "工作单位": cadre.unit.name,
        "现任职务": cadre.current_post,
        "职级": cadre.rank,
        "任现职时间": format_year_month(cadre.post_since_month),
        "任现职级时间": format_year_month(cadre.rank_since_month),
        "专业技术职务": cadre.professional_title,
        "健康状况": cadre.health,
        "联系电话": cadre.phone,
        "备注": cadre.remarks,
    }
    return [escape_cell(values[column]) for column in COLUMNS]


_COLUMN_WIDTHS = {
    "身份证号": 21,
    "全日制毕业院校系及专业": 30,
    "在职毕业院校系及专业": 30,
    "工作单位": 22,
    "现任职务": 26,
}


def _write_xlsx(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _COLUMN_WIDTHS.get(column, 12)
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _roster_file(rows, fmt: str) -> tuple[bytes, str]:
    if fmt == "xlsx":
        return _write_xlsx(rows), XLSX_TYPE
    if fmt == "csv":
        return _write_csv(rows), CSV_TYPE
    raise ApplicationError(f"不支持的导出格式“{fmt}”：请选择xlsx或csv")


def roster_export(*, cadres: QuerySet[Cadre] | None = None, fmt: str = "xlsx", actor) -> tuple[bytes, str]:
    """The roster of `cadres` (every cadre when None) as (file content, content type); audited.

    Standard headers in the standard order, year-month dates as 1975.03, every cell as text, and text
    that a spreadsheet program would run as a formula neutralised with a leading '.
    """
    qs = Cadre.objects.all() if cadres is None else cadres
    if not qs.ordered:
        qs = qs.order_by("unit__order", "unit__name", "name", "pk")
    qs = qs.select_related("unit").prefetch_related("educations")
    rows = [_export_row(c) for c in qs.iterator(chunk_size=2000)]
    content, content_type = _roster_file(rows, fmt)
    audit_log(
        actor=actor,
        action="roster.exported",
        object_type="cadres.roster",
        object_repr="花名册",
        details={"format": fmt, "count": len(rows)},
    )
    return content, content_type


def roster_template(*, fmt: str = "xlsx") -> tuple[bytes, str]:
    """An empty roster with the standard headers, to fill in."""
    return _roster_file([], fmt)


__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ROSTER_IMPORT_KIND",
    "may_import_roster",
    "roster_export",
    "roster_import",
    "roster_preview_viewed",
    "roster_template",
]
