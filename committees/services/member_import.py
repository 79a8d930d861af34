"""Import of a term's member list (委员名单) from a spreadsheet: every row checked, the file checked as a whole
against the term's quotas, then written all or nothing through the member services.

A row names an existing cadre file by its 公民身份号码 (the name must agree with the file) and gives the
seat it holds in the term. A cadre without a seat gets one (term_member_add); a member already serving
is brought to what the row says (term_member_change_role, term_member_update). Members serving but absent
from the file are left as they are: the import never removes anyone. Importing the same file again
changes nothing and reports every row unchanged.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import Cadre
from cadres.normalize import clean_name, clean_text
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import validate_id_number
from orgdept.core.imports import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportKind,
    ImportProgress,
    ImportReport,
    RowOutcome,
)
from orgdept.core.spreadsheets import read_spreadsheet

from ..models import Term, TermMember
from .terms import role_label, term_member_add, term_member_change_role, term_member_update

R = TermMember.Role
KIND = "term_members"

# the columns, in the order the template writes them (a file may have them in any order)
COLUMNS = ("姓名", "公民身份号码", "身份", "专职副书记", "党政交叉任职", "排序", "得票数", "任职日期")
REQUIRED_COLUMNS = ("姓名", "公民身份号码", "身份")
# other headers people write for the same column
HEADER_ALIASES = {"身份证号": "公民身份号码", "身份证号码": "公民身份号码", "党政交叉任职情况": "党政交叉任职"}
ROLE_NAMES = {
    "书记": R.SECRETARY,
    "副书记": R.DEPUTY_SECRETARY,
    "专职副书记": R.DEPUTY_SECRETARY,
    "常委": R.STANDING_MEMBER,
    "常务委员": R.STANDING_MEMBER,
    "委员": R.MEMBER,
    "候补委员": R.ALTERNATE,
    "候补": R.ALTERNATE,
}
YES = {"是", "Y", "YES", "√", "✓", "TRUE", "1", "专职"}
NO = {"否", "N", "NO", "×", "FALSE", "0"}
CONCURRENT_POST_MAX = TermMember._meta.get_field("concurrent_post").max_length
ORDER_MAX = 32767
IMPORT_REASON = "导入委员名单"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = 2958465
# 2021-09-28, 2021/9/28, 2021.9.28, 2021年9月28日, optionally followed by a time of day
_DAY = re.compile(
    r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?$")


def parse_day(value) -> date | None:
    """A full date from a cell: a date cell, an Excel serial number, 20210928, or text such as 2021-09-28,
    2021/9/28, 2021.9.28, 2021年9月28日. None when blank; ValueError with a Chinese message otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是日期")
    if isinstance(value, float):
        value = int(value)  # an Excel serial, perhaps with a time of day
    if isinstance(value, int):
        text = str(value)
        if len(text) == 8:
            return _day(int(text[:4]), int(text[4:6]), int(text[6:]), text)
        if 1 <= value <= _MAX_SERIAL:
            return _EXCEL_EPOCH + timedelta(days=value)
        raise ValueError(f"“{text}”不是有效的日期，应为 2021-09-28 的形式")
    text = clean_text(value)
    if not text:
        return None
    if text.isdigit():
        return parse_day(int(text))
    m = _DAY.match(text)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if _YEAR_MONTH.match(text):
        raise ValueError(f"“{text}”只有年月，请写完整的日期，如 2021-09-28")
    raise ValueError(f"“{text}”不是有效的日期，应为 2021-09-28 的形式")


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}”不是有效的日期") from None
    if year < 1900:
        raise ValueError(f"“{text}”的年份早于1900年")
    return value


def _show_day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


# --- reading the rows (no database) ---------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    name: str = ""
    id_number: str = ""
    role: str | None = None
    full_time: bool | None = None  # None: not stated (a member keeps what is recorded)
    concurrent_post: str | None = None  # None: the column is missing
    order: int | None = None  # None: the row's place among the file's rows of its role
    votes: int | None = None
    joined_on: date | None = None
    duplicate: bool = False  # the ID number of an earlier row again
    errors: list[dict] = field(default_factory=list)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append({"row": self.number, "column": column, "message": message})


def _whole_number(raw, column: str, row: _Row, *, maximum: int) -> int | None:
    if raw is None or (isinstance(raw, str) and not clean_text(raw)):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = clean_text(raw).replace(",", "").replace("票", "").strip() if isinstance(raw, str) else raw
    try:
        value = int(text)
    except (TypeError, ValueError):
        row.error(column, f"{column}“{raw}”应为不小于0的整数")
        return None
    if not 0 <= value <= maximum:
        row.error(column, f"{column}“{raw}”应为0到{maximum}之间的整数")
        return None
    return value


def _read_id_number(raw, row: _Row) -> None:
    column = "公民身份号码"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        row.id_number = str(int(raw))
        row.error(
            column,
            f"公民身份号码被Excel存成了数字（{row.id_number}），末几位可能已变成0；请把这一列设为“文本”格式后重新填写",
        )
        return
    row.id_number = clean_text(raw).replace(" ", "").upper()
    if not row.id_number:
        row.error(column, "请填写公民身份号码")


def _read_role(raw, row: _Row) -> None:
    text = clean_text(raw).replace(" ", "")
    if not text:
        row.error("身份", "请填写身份（书记、副书记、常委、委员或候补委员）")
        return
    role = ROLE_NAMES.get(text)
    if role is None:
        row.error("身份", f"身份“{text}”无法识别，应为书记、副书记、常委、委员或候补委员")
        return
    row.role = role
    if text == "专职副书记":
        if row.full_time is False:
            row.error("专职副书记", "身份为专职副书记，专职副书记一栏却填了“否”")
        row.full_time = True


def _read_full_time(raw, row: _Row) -> None:
    text = clean_text(raw).replace(" ", "").upper()
    if not text:
        return
    if text in YES:
        row.full_time = True
    elif text in NO:
        row.full_time = False
    else:
        row.error("专职副书记", f"专职副书记一栏应填“是”或“否”，不是“{clean_text(raw)}”")


def _read_row(source, columns: dict[str, int], order_in_role: dict[str, int]) -> _Row:
    row = _Row(source.number)

    def cell(column: str):
        index = columns.get(column)
        return None if index is None else source.values[index]

    row.name = clean_name(cell("姓名"))
    if not row.name:
        row.error("姓名", "请填写姓名")
    _read_id_number(cell("公民身份号码"), row)
    if "专职副书记" in columns:
        _read_full_time(cell("专职副书记"), row)
    _read_role(cell("身份"), row)
    if row.full_time and row.role not in (None, R.DEPUTY_SECRETARY):
        row.error("专职副书记", f"只有副书记可以是专职副书记（此行身份为{role_label(row.role)}）")
    if "党政交叉任职" in columns:
        row.concurrent_post = clean_text(cell("党政交叉任职"))
        if len(row.concurrent_post) > CONCURRENT_POST_MAX:
            row.error("党政交叉任职", f"党政交叉任职不能超过{CONCURRENT_POST_MAX}个字")
    row.order = _whole_number(cell("排序"), "排序", row, maximum=ORDER_MAX)
    row.votes = _whole_number(cell("得票数"), "得票数", row, maximum=10_000_000)
    if row.role is not None:
        order_in_role[row.role] = order_in_role.get(row.role, 0) + 1
        if row.order is None:
            row.order = order_in_role[row.role]
    if row.role == R.ALTERNATE and row.votes is None and not any(e["column"] == "得票数" for e in row.errors):
        row.error("得票数", "候补委员须填写得票数：递补按得票多少依次进行")
    try:
        row.joined_on = parse_day(cell("任职日期"))
    except ValueError as exc:
        row.error("任职日期", str(exc))
    return row


def _columns(sheet, report: ImportReport) -> dict[str, int] | None:
    for column, message in sheet.header_errors:
        report.error(message, row=1, column=column or None)
    for column, message in sheet.header_warnings:
        report.warn(message, row=1, column=column or None)
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        name = HEADER_ALIASES.get(header, header)
        if name not in COLUMNS:
            report.warn(f"未知的列“{header}”，已忽略；可用的列见导入说明", row=1, column=header)
        elif name in found:
            report.error(f"“{header}”与另一列都是{name}，只能保留一列", row=1, column=header)
        else:
            found[name] = index
    for column in REQUIRED_COLUMNS:
        if column not in found:
            report.error(f"缺少必需的列“{column}”（表头应在第1行）", row=1, column=column)
    return None if report.errors else found


# --- comparing with the term ------------------------------------------------------------------------------


@dataclass
class _Pending:
    row: _Row
    cadre: Cadre
    seat: TermMember | None
    role: str
    full_time: bool
    concurrent_post: str
    order: int
    votes: int | None
    joined_on: date
    changes: dict[str, list[str]] = field(default_factory=dict)


# the seats a term limits: the roles in each and how many it allows
def _seat_groups(term: Term) -> dict[str, tuple[tuple[str, ...], int, str]]:
    return {
        "members": (TermMember.FULL_MEMBER_ROLES, term.members_quota, "委员（含常委）"),
        "alternates": ((R.ALTERNATE,), term.alternates_quota, "候补委员"),
        "standing": (TermMember.STANDING_ROLES, term.standing_quota, "常委（含书记、副书记）"),
        "deputies": ((R.DEPUTY_SECRETARY,), term.deputy_secretaries_quota, "副书记"),
        "secretary": ((R.SECRETARY,), 1, "书记"),
    }


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _compare(pending: _Pending) -> None:
    seat = pending.seat
    if seat is None:
        return
    pairs = [
        ("身份", role_label(seat.role), role_label(pending.role)),
        ("专职副书记", _yes_no(seat.full_time_deputy), _yes_no(pending.full_time)),
        ("党政交叉任职", seat.concurrent_post, pending.concurrent_post),
        ("排序", str(seat.order), str(pending.order)),
        (
            "得票数",
            "" if seat.election_votes is None else str(seat.election_votes),
            "" if pending.votes is None else str(pending.votes),
        ),
    ]
    pending.changes = {column: [old, new] for column, old, new in pairs if old != new}


def _derive_row(row: _Row, term: Term, cadre: Cadre | None, seat: TermMember | None, report) -> _Pending | None:
    if cadre is None:
        try:
            validate_id_number(row.id_number)
        except Exception as exc:
            message = getattr(exc, "messages", [str(exc)])[0].replace("身份证号", "号码")
            row.error("公民身份号码", f"公民身份号码“{row.id_number}”有误：{message}")
        else:
            row.error(
                "公民身份号码",
                f"干部档案中没有公民身份号码为{row.id_number}的干部；请先录入其干部档案（或导入花名册）",
            )
        return None
    if row.name and clean_name(cadre.name) != row.name:
        row.error("姓名", f"姓名“{row.name}”与公民身份号码对应的干部档案（{cadre.name}）不符")
    if seat is not None and seat.left_on is not None:
        row.error(
            "公民身份号码", f"{cadre.name}已于{seat.left_on:%Y-%m-%d}离任（{seat.left_reason}），不能再次进入{term}"
        )
    if row.joined_on is not None and row.joined_on < term.starts_on:
        row.error("任职日期", f"任职日期不能早于{term}的起始日期{term.starts_on:%Y-%m-%d}")
    if seat is not None and seat.left_on is None and row.role is not None and row.role != seat.role:
        if seat.role == R.ALTERNATE:
            row.error(
                "身份",
                f"{cadre.name}现为候补委员：候补委员按得票多少依次递补为委员，须在届次页面逐一递补，不能通过导入改变",
            )
        elif row.role == R.ALTERNATE:
            row.error("身份", f"{cadre.name}现为{role_label(seat.role)}，委员不能改为候补委员")
    if row.errors:
        return None
    role = row.role
    if seat is None:
        full_time = bool(row.full_time)
    elif row.full_time is not None:
        full_time = row.full_time
    else:
        full_time = seat.full_time_deputy and role == R.DEPUTY_SECRETARY
    seat_post = seat.concurrent_post if seat else ""
    pending = _Pending(
        row=row,
        cadre=cadre,
        seat=seat,
        role=role,
        full_time=full_time,
        concurrent_post=seat_post if row.concurrent_post is None else row.concurrent_post,
        order=row.order,
        votes=row.votes if row.votes is not None else (seat.election_votes if seat else None),
        joined_on=row.joined_on or (seat.joined_on if seat else term.starts_on),
    )
    if seat is not None and row.joined_on is not None and row.joined_on != seat.joined_on:
        report.warn(
            f"{cadre.name}已登记于{seat.joined_on:%Y-%m-%d}进入本届，导入不修改任职日期",
            row=row.number,
            column="任职日期",
        )
    _compare(pending)
    return pending


@dataclass
class _Plan:
    term: Term
    pending: list[_Pending] = field(default_factory=list)
    # the writes in an order the quotas allow at every step
    steps: list[_Pending] = field(default_factory=list)


def _check_file(rows: list[_Row], plan: _Plan, seats: dict[int, TermMember], cadres: dict[str, Cadre], report):
    """The term as it would be after the import (the file's roles plus those serving and not in the file),
    against the quotas and the single secretary; warnings for no secretary and several full-time deputies."""
    term = plan.term
    in_file = {cadres[r.id_number].pk for r in rows if r.id_number in cadres}
    others = [m for m in seats.values() if m.left_on is None and m.cadre_id not in in_file]
    report.extra["not_in_file"] = [f"{m.cadre.name}（{role_label(m.role)}）" for m in _sorted(others)]
    counted = [r for r in rows if r.role is not None and not r.duplicate]
    for key, (roles, quota, label) in _seat_groups(term).items():
        file_count = sum(1 for r in counted if r.role in roles)
        other_count = sum(1 for m in others if m.role in roles)
        total = file_count + other_count
        if total <= quota:
            continue
        if key == "secretary":
            names = [f"{r.name}（第{r.number}行）" for r in counted if r.role == R.SECRETARY]
            names += [f"{m.cadre.name}（在任，未列入文件）" for m in others if m.role == R.SECRETARY]
            message = f"书记只能有1名，导入后将有{total}名：{'、'.join(names)}"
            for r in counted:
                if r.role == R.SECRETARY:
                    report.error(message, row=r.number, column="身份")
                    r.errors.append({"row": r.number, "column": "身份", "message": message})
            continue
        where = f"文件中{file_count}名" + (f"，未列入文件的在任成员{other_count}名" if other_count else "")
        report.error(f"导入后{label}将有{total}名，超过{term}的名额{quota}名（{where}）", column="身份")
    secretaries = sum(1 for r in counted if r.role == R.SECRETARY) + sum(1 for m in others if m.role == R.SECRETARY)
    if not secretaries:
        report.warn("导入后本届没有书记", column="身份")
    full_time = [p.cadre.name for p in plan.pending if p.full_time]
    full_time += [m.cadre.name for m in others if m.full_time_deputy]
    if len(full_time) > 1:
        report.warn(
            f"导入后将有{len(full_time)}名专职副书记：{'、'.join(full_time)}；通常只设一名", column="专职副书记"
        )


def _order_steps(plan: _Plan, seats: dict[int, TermMember], report) -> None:
    """Role changes first, each as soon as the quotas allow it (as term_member_change_role checks them), then
    new seats, then the other changes. A ring of changes no order allows is refused."""
    groups = _seat_groups(plan.term).values()
    counts = [sum(1 for m in seats.values() if m.left_on is None and m.role in roles) for roles, _q, _l in groups]

    def fits(old: str | None, new: str) -> bool:
        for (roles, quota, _label), count in zip(groups, counts, strict=True):
            if new in roles and count - (1 if old in roles else 0) >= quota:
                return False
        return True

    def move(old: str | None, new: str) -> None:
        for i, (roles, _quota, _label) in enumerate(groups):
            counts[i] += (new in roles) - (old in roles if old else 0)

    changes = [p for p in plan.pending if p.seat is not None and p.role != p.seat.role]
    while changes:
        ready = next((p for p in changes if fits(p.seat.role, p.role)), None)
        if ready is None:
            names = "、".join(f"{p.cadre.name}（{role_label(p.seat.role)}→{role_label(p.role)}）" for p in changes)
            report.error(
                f"以下身份变动受名额所限无法依次完成：{names}；请先导入其中一部分，再导入其余的", column="身份"
            )
            return
        move(ready.seat.role, ready.role)
        plan.steps.append(ready)
        changes.remove(ready)
    plan.steps += [p for p in plan.pending if p.seat is None]
    plan.steps += [p for p in plan.pending if p.seat is not None and p.role == p.seat.role and p.changes]


def _sorted(members) -> list[TermMember]:
    return sorted(members, key=lambda m: (TermMember.ROLE_ORDER[m.role], m.order, m.pk))


def _outcome(row: _Row, pending: _Pending | None) -> RowOutcome:
    if row.errors or pending is None:
        return RowOutcome(row.number, ERROR, row.name, row.id_number, {}, list(row.errors))
    if pending.seat is None:
        outcome = NEW
    elif pending.changes:
        outcome = UPDATED
    else:
        outcome = UNCHANGED
    return RowOutcome(row.number, outcome, pending.cadre.name, row.id_number, dict(pending.changes), [])


def _derive(rows: list[_Row], term: Term, report: ImportReport, *, lock: bool) -> _Plan:
    plan = _Plan(term)
    numbers = sorted({r.id_number for r in rows if r.id_number})
    cadres = {c.id_number: c for c in Cadre.objects.filter(id_number__in=numbers)}
    members = term.members.select_related("cadre").order_by("pk")
    if lock:
        members = members.select_for_update(of=("self",))
    seats = {m.cadre_id: m for m in members}
    by_row: dict[int, _Pending | None] = {}
    for row in rows:
        pending = None
        if not row.errors:
            cadre = cadres.get(row.id_number)
            pending = _derive_row(row, term, cadre, seats.get(cadre.pk) if cadre else None, report)
        if pending is not None:
            plan.pending.append(pending)
        by_row[row.number] = pending
    _check_file(rows, plan, seats, cadres, report)
    for row in rows:
        report.errors.extend(e for e in row.errors if e not in report.errors)
    if not report.errors:
        _order_steps(plan, seats, report)
    for row in rows:
        outcome = _outcome(row, by_row[row.number])
        report.rows.append(outcome)
        report.count(outcome.outcome)
    report.total = len(rows)
    return plan


# --- writing ----------------------------------------------------------------------------------------------


def _write(plan: _Plan, report: ImportReport, *, actor) -> None:
    term = plan.term
    today = timezone.localdate()
    for p in plan.steps:
        if p.seat is None:
            term_member_add(
                term=term,
                cadre=p.cadre,
                role=p.role,
                joined_on=p.joined_on,
                order=p.order,
                full_time_deputy=p.full_time,
                concurrent_post=p.concurrent_post,
                election_votes=p.votes,
                actor=actor,
            )
            continue
        member = p.seat
        if p.role != member.role:
            last = max((c.changed_on for c in member.role_changes.all()), default=term.starts_on)
            member = term_member_change_role(
                member=member,
                role=p.role,
                changed_on=max(today, term.starts_on, member.joined_on, last),
                reason=IMPORT_REASON,
                full_time_deputy=p.full_time,
                actor=actor,
            )
        term_member_update(
            member=member,
            order=p.order,
            concurrent_post=p.concurrent_post,
            election_votes=p.votes,
            full_time_deputy=p.full_time if p.role == member.role else None,
            actor=actor,
        )
    audit_log(
        actor=actor,
        action="term_members.imported",
        obj=term,
        details={
            "total": report.total,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "not_in_file": len(report.extra.get("not_in_file", [])),
        },
    )


def _changed_since(preview: ImportReport, report: ImportReport) -> list[str]:
    """The rows that would now be written differently from what the user confirmed."""
    before = {r.row: (r.outcome, r.changes) for r in preview.rows}
    return [r.label or r.key for r in report.rows if before.get(r.row) != (r.outcome, r.changes)]


def _term_of(params: dict | None, report: ImportReport) -> Term | None:
    pk = (params or {}).get("term")
    term = Term.objects.select_related("committee").filter(pk=pk).first() if pk else None
    if term is None:
        report.error("没有指定要导入的届次")
        return None
    report.extra.update(term=term.pk, term_label=str(term))
    if term.ends_on is not None:
        report.error(f"{term}已于{term.ends_on:%Y年%m月%d日}换届，只能向本届导入委员名单")
        return None
    return term


def term_members_import(
    *,
    source,
    dry_run: bool,
    actor,
    progress: ImportProgress | None = None,
    preview: ImportReport | None = None,
    params: dict | None = None,
) -> ImportReport:
    """Imports a member list into the term `params["term"]`: `source` is a path, bytes or an open file.

    Nothing is written with any error, nor in a dry run. `preview` is the dry run the user confirmed: when
    the term's members changed since so that a row would be written differently, nothing is written and the
    report (the rows as they compare now) says so in `conflict`.
    """
    progress = progress or ImportProgress()
    report = ImportReport(dry_run=dry_run, extra={"term": None, "term_label": "", "not_in_file": []})
    term = _term_of(params, report)
    if term is None:
        return report
    sheet = read_spreadsheet(source)
    columns = _columns(sheet, report)
    if columns is None:
        report.total = len(sheet.rows)
        return report
    if not sheet.rows:
        report.warn("文件中只有表头，没有数据行")
    progress.start(len(sheet.rows))
    rows: list[_Row] = []
    first_row_of: dict[str, int] = {}
    order_in_role: dict[str, int] = {}
    for done, source_row in enumerate(sheet.rows, start=1):
        row = _read_row(source_row, columns, order_in_role)
        if row.id_number:
            if row.id_number in first_row_of:
                row.duplicate = True
                row.error("公民身份号码", f"公民身份号码与第{first_row_of[row.id_number]}行重复（{row.id_number}）")
            else:
                first_row_of[row.id_number] = row.number
        rows.append(row)
        progress.advance(done)
    if dry_run:
        _derive(rows, term, report, lock=False)
        return report
    try:
        with transaction.atomic():
            progress.writing()
            term = Term.objects.select_for_update().select_related("committee").get(pk=term.pk)
            if term.ends_on is not None:
                report.error(f"{term}已换届，只能向本届导入委员名单")
                return report
            plan = _derive(rows, term, report, lock=True)
            if preview is not None and not report.errors:
                changed = _changed_since(preview, report)
                if changed:
                    report.dry_run = True
                    report.conflict = f"预览之后本届成员已有变动（{'、'.join(changed[:20])}）；请重新检查后再导入"
                    return report
            if report.errors:
                return report
            if report.new or report.updated:  # the same file imported again writes nothing at all
                _write(plan, report, actor=actor)
            report.written = True
            progress.written(report)
    except IntegrityError:
        failed = ImportReport(dry_run=dry_run, total=report.total, extra=dict(report.extra))
        failed.error("导入时有人同时修改了本届成员，本次没有写入任何数据；请重新导入")
        return failed
    except ApplicationError as exc:
        failed = ImportReport(dry_run=dry_run, total=report.total, extra=dict(report.extra))
        failed.error(f"导入时出错，本次没有写入任何数据：{exc.message}；请重新导入")
        return failed
    return report


def may_import_members(user) -> bool:
    """组织科 keeps the member lists: adding and changing members."""
    return user.has_perm("committees.add_termmember") and user.has_perm("committees.change_termmember")


def member_import_template() -> tuple[bytes, str]:
    """An empty member list with the columns (the ID number column formatted as text), to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "委员名单"
    sheet.append(list(COLUMNS))
    widths = {"公民身份号码": 22, "党政交叉任职": 24, "任职日期": 14}
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(column, 12)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        if column == "公民身份号码":
            for row in range(2, 202):  # typed numbers stay text: Excel would round an 18-digit number
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), XLSX_TYPE


MEMBER_IMPORT_KIND = ImportKind(
    name=KIND,
    label="委员名单",
    run=term_members_import,
    may_import=may_import_members,
    extra_keys={"term": None, "term_label": "", "not_in_file": []},
)
