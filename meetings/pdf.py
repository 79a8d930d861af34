"""A meeting's documents: the notice (会议通知), the agenda pack (议程 and every item's materials in one PDF,
watermarked for its reader), the minutes (会议纪要) and the paper ballots (选票) of its secret-ballot cadre items."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from committees.services.terms import role_label
from orgdept.core.audit import audit_log
from orgdept.core.audit_actions import register_audit_action
from orgdept.core.documents import DocumentKind, register_document_kind
from orgdept.core.exceptions import ApplicationError
from orgdept.core.pdf import render_pdf
from orgdept.core.templatetags.orgdept import display_name
from orgdept.core.yearmonth import cn_date

from .materials import material_reading_pdf, merge_pdfs, watermark_pdf
from .models import AgendaItem, Attendance, Meeting
from .permissions import attends, is_meeting_staff, readable_items
from .rules import fraction_words
from .selectors.documents import document_attendances, document_items, document_meeting
from .selectors.meetings import meeting_presider

NOTICE = "meeting_notice"
AGENDA_PACK = "agenda_pack"
MINUTES = "minutes"
BALLOTS = "ballots"
LABELS = {NOTICE: "会议通知", AGENDA_PACK: "会议材料汇编", MINUTES: "会议纪要", BALLOTS: "选票"}
BALLOTS_PER_PAGE = (1, 2)

Outcome = AgendaItem.Outcome
Presence = Attendance.Presence
WEEKDAYS = "一二三四五六日"
NUMERALS = "一二三四五六七八九十"
OUTCOME_WORDS = {
    Outcome.PENDING: "未处理",
    Outcome.VOTING: "正在表决",
    Outcome.PASSED: "通过",
    Outcome.NOT_PASSED: "未通过",
    Outcome.DEFERRED: "缓议",
    Outcome.DISCUSSED: "已研究",
}
RESPONSIBILITY_WORDS = {
    "lead": "牵头常委",
    "substitute": "缺位互补常委",
    "secretary": "书记",
    "nobody": "未明确",
}


# --- words and dates ---------------------------------------------------------------------------------------


def cn_datetime(value: datetime) -> str:
    """2026年11月21日（星期六）上午9:00"""
    local = timezone.localtime(value)
    hour = local.hour
    if hour < 12:
        period, shown = "上午", hour
    elif hour < 18:
        period, shown = "下午", hour if hour == 12 else hour - 12
    else:
        period, shown = "晚上", hour - 12
    return f"{cn_date(local.date())}（星期{WEEKDAYS[local.weekday()]}）{period}{shown}:{local.minute:02d}"


def cn_number(n: int) -> str:
    """一 … 九十九: how sections of a document are numbered."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{NUMERALS[tens - 1] if tens > 1 else ''}十{NUMERALS[ones - 1] if ones else ''}"


def watermark_text(user, when: datetime) -> str:
    """Who the pack was made for and when: printed over every page."""
    return f"{display_name(user)} {timezone.localtime(when):%Y-%m-%d %H:%M}"


# --- who may ask, and when ---------------------------------------------------------------------------------


def _meeting_pk(params: dict) -> int | None:
    try:
        return int((params or {}).get("meeting"))
    except (TypeError, ValueError):
        return None


def _is_staff(user) -> bool:
    return user.has_perm("meetings.change_meeting") or is_meeting_staff(user)


def may_request_staff(user, params: dict) -> bool:
    """Notice, minutes, ballots: the 组织科 who run the meeting and the staff who see meetings."""
    pk = _meeting_pk(params)
    return pk is not None and _is_staff(user) and Meeting.objects.filter(pk=pk).exists()


def may_request_attendee(user, params: dict) -> bool:
    """Notice and agenda pack: the staff, and the members who attend the meeting (object permission)."""
    pk = _meeting_pk(params)
    meeting = Meeting.objects.filter(pk=pk).first() if pk is not None else None
    if meeting is None:
        return False
    return _is_staff(user) or attends(user, meeting)


def ballot_items(meeting: Meeting, items=None) -> list[AgendaItem]:
    """The items voted on by secret ballot still to be voted on: the cadre items of a body that votes so."""
    if not meeting.meeting_type.secret_ballot:
        return []
    items = document_items(meeting) if items is None else items
    return [
        item for item in items if item.topic.category.cadre_item and item.outcome in (Outcome.PENDING, Outcome.VOTING)
    ]


def document_refusal(kind: str, meeting: Meeting) -> str | None:
    """Why `kind` cannot be made for `meeting` now, in Chinese; None when it can."""
    if meeting.status == Meeting.Status.CANCELLED:
        return f"{meeting.title}已取消，不能生成{LABELS[kind]}"
    if kind == MINUTES and meeting.status != Meeting.Status.ADJOURNED:
        return f"{meeting.title}尚未结束，会议结束后才能生成会议纪要"
    if kind == BALLOTS and not ballot_items(meeting):
        return f"{meeting.title}没有待无记名投票表决的干部任免议题，无需印制选票"
    return None


def _meeting_for(document, kind: str) -> Meeting:
    meeting = document_meeting(_meeting_pk(document.params))
    if meeting is None:
        raise ApplicationError("该会议已不存在，无法生成文件")
    refusal = document_refusal(kind, meeting)
    if refusal:
        raise ApplicationError(refusal)
    return meeting


# --- shared pieces -----------------------------------------------------------------------------------------


@dataclass
class RoleGroup:
    label: str
    names: list[str] = field(default_factory=list)


def role_groups(attendances: list[Attendance]) -> list[RoleGroup]:
    """Attendees by role in statutory order: 书记 X；副书记 A、B；常委 …"""
    groups: dict[str, RoleGroup] = {}
    for attendance in attendances:
        role = attendance.member.role
        groups.setdefault(role, RoleGroup(label=role_label(role))).names.append(attendance.member.cadre.name)
    return list(groups.values())


def salutation(meeting: Meeting, attendances: list[Attendance]) -> str:
    """To whom the notice speaks: 云岭区委各位常委, … 各位委员、候补委员."""
    committee = meeting.term.committee
    name = committee.short_name or committee.name
    roles = {a.member.role for a in attendances}
    if roles & {"member", "alternate"}:
        who = "各位委员、候补委员" if "alternate" in roles else "各位委员"
    elif roles & {"standing_member"}:
        who = "各位常委"
    else:
        who = "书记、各位副书记"
    return f"{name}{who}"


def _base_context(meeting: Meeting, title: str) -> dict:
    committee = meeting.term.committee
    return {
        "title": title,
        "meeting": meeting,
        "committee": committee,
        "starts": cn_datetime(meeting.starts_at),
        "presided": presider.cadre.name if (presider := meeting_presider(meeting)) else "",
    }


# --- 会议通知 ------------------------------------------------------------------------------------------------


def notice_context(meeting: Meeting, *, today: date) -> dict:
    attendances = document_attendances(meeting)
    items = list(document_items(meeting))
    voting = [a for a in attendances if a.voting]
    nonvoting = [a for a in attendances if not a.voting]
    secret = any(item.topic.category.cadre_item for item in items) and meeting.meeting_type.secret_ballot
    return {
        **_base_context(meeting, f"关于召开{meeting.title}的通知"),
        "salutation": salutation(meeting, attendances),
        "items": items,
        "voting_groups": role_groups(voting),
        "nonvoting_groups": role_groups(nonvoting),
        "secret": secret,
        "decides": meeting.meeting_type.decides,
        "pass_words": fraction_words(meeting.meeting_type.pass_num, meeting.meeting_type.pass_den),
        "cadre_quorum_words": fraction_words(
            meeting.meeting_type.cadre_quorum_num, meeting.meeting_type.cadre_quorum_den
        ),
        "dated": cn_date(today),
    }


def render_notice(document) -> tuple[bytes, str]:
    meeting = _meeting_for(document, NOTICE)
    context = notice_context(meeting, today=timezone.localdate(document.created_at))
    return render_pdf("meetings/pdf/notice.html", context), f"{meeting.title}会议通知.pdf"


# --- 议程 + 材料 ---------------------------------------------------------------------------------------------


@dataclass
class PackRow:
    item: AgendaItem
    materials: list = field(default_factory=list)
    withheld: bool = False  # the reader is recused from the item: its materials are left out


def pack_rows(meeting: Meeting, user) -> list[PackRow]:
    """The agenda for `user`: every item, with the materials they may read (none of an item they are recused
    from)."""
    readable = set(readable_items(user).filter(meeting=meeting).values_list("pk", flat=True))
    rows = []
    for item in document_items(meeting):
        if item.pk in readable:
            rows.append(PackRow(item=item, materials=list(item.topic.materials.all())))
        else:
            rows.append(PackRow(item=item, withheld=True))
    return rows


def with_bookmarks(pdf: bytes, parts: list[tuple[str, bytes]]) -> bytes:
    """The pack with a bookmark at the first page of each part: stamping the pages leaves the merged outline
    behind, so it is written again on the stamped file."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    if not writer.outline:
        start = 0
        for title, part in parts:
            writer.add_outline_item(title=str(title)[:200], page_number=start)
            start += len(PdfReader(io.BytesIO(part)).pages)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_agenda_pack(document) -> tuple[bytes, str]:
    meeting = _meeting_for(document, AGENDA_PACK)
    reader = document.requested_by
    rows = pack_rows(meeting, reader)
    context = {
        **_base_context(meeting, f"{meeting.title}会议议程"),
        "rows": rows,
        "reader": display_name(reader),
    }
    parts = [("会议议程", render_pdf("meetings/pdf/agenda.html", context))]
    included = []
    for row in rows:
        for material in row.materials:
            title = f"{row.item.order}. {row.item.topic.title}：{material.name}"
            parts.append((title, material_reading_pdf(material)))
            included.append(material.pk)
    pdf = watermark_pdf(merge_pdfs(parts), watermark_text(reader, document.created_at))
    pdf = with_bookmarks(pdf, parts)
    audit_log(
        actor=reader,
        action="agenda_pack.rendered",
        obj=meeting,
        details={
            "document": document.pk,
            "materials": included,
            "withheld_items": [row.item.pk for row in rows if row.withheld],
        },
    )
    return pdf, f"{meeting.title}会议材料（{display_name(reader)}）.pdf"


# --- 会议纪要 ------------------------------------------------------------------------------------------------


@dataclass
class ResultLine:
    label: str  # the cadre and the post, or empty for the item as a whole
    counts: list[tuple[str, int]]
    expected: int
    present: int
    passed: bool
    rule: str
    competitive: bool = False

    @property
    def verdict(self) -> str:
        if self.competitive:
            return "当选" if self.passed else "未当选"
        return "通过" if self.passed else "未通过"

    @property
    def text(self) -> str:
        votes = "，".join(f"{choice}{n}票" for choice, n in self.counts)
        return f"{votes}；应到会{self.expected}人，实到会{self.present}人；{self.verdict}"


@dataclass
class MinutesItem:
    item: AgendaItem
    number: str
    outcome: str
    cadres: list
    recused: list[str]
    results: list[ResultLine]
    expected: int
    present: int
    ballots: str = ""
    decision: object = None
    follow_up: object = None
    follow_up_as: str = ""


def _options(meeting: Meeting, item: AgendaItem) -> list[str]:
    meeting_type = meeting.meeting_type
    return list(meeting_type.cadre_vote_options if item.topic.category.cadre_item else meeting_type.vote_options)


def minutes_item(meeting: Meeting, item: AgendaItem, voting: list[Attendance], number: int) -> MinutesItem:
    recusals = list(item.recusals.all())
    recused_ids = {r.member_id for r in recusals}
    expected = len(voting)
    if not meeting.meeting_type.recused_count_as_expected:
        expected -= sum(1 for a in voting if a.member_id in recused_ids)
    present = sum(1 for a in voting if a.presence == Presence.PRESENT and a.member_id not in recused_ids)
    options = _options(meeting, item)
    competitive = item.topic.posts is not None
    results = []
    for result in item.results.all():
        counts = [(choice, int(result.counts.get(choice, 0))) for choice in options]
        counts += [(choice, int(n)) for choice, n in result.counts.items() if choice not in options]
        label = f"{result.candidate.cadre.name}（{result.candidate.proposal}）" if result.candidate_id else ""
        results.append(
            ResultLine(
                label=label,
                counts=counts,
                expected=result.expected,
                present=result.present,
                passed=result.passed,
                rule=result.rule,
                competitive=competitive,
            )
        )
    tallies = list(item.tallies.all())
    ballots = ""
    if tallies:
        t = tallies[0]
        ballots = f"发出选票{t.ballots_issued}张，收回{t.ballots_returned}张，其中废票{t.ballots_invalid}张"
    decision = getattr(item, "decision", None)
    follow_up = getattr(decision, "follow_up", None) if decision is not None else None
    return MinutesItem(
        item=item,
        number=cn_number(number),
        outcome=OUTCOME_WORDS.get(item.outcome, item.outcome),
        cadres=list(item.topic.cadres.all()),
        recused=[f"{r.member.cadre.name}（{r.reason}）" for r in recusals],
        results=results,
        expected=expected,
        present=present,
        ballots=ballots,
        decision=decision,
        follow_up=follow_up,
        follow_up_as=RESPONSIBILITY_WORDS.get(follow_up.responsibility, follow_up.responsibility) if follow_up else "",
    )


def minutes_context(meeting: Meeting) -> dict:
    attendances = document_attendances(meeting)
    decides = meeting.meeting_type.decides
    # 应到会: the members with a vote; at a body that does not vote (书记办公会), everyone it expects
    voting = [a for a in attendances if a.voting or not decides]
    nonvoting = [a for a in attendances if not (a.voting or not decides)]
    present = [a for a in voting if a.presence == Presence.PRESENT]
    absent = [a for a in voting if a.presence != Presence.PRESENT]
    items = [minutes_item(meeting, item, voting, n) for n, item in enumerate(document_items(meeting), start=1)]
    return {
        **_base_context(meeting, f"{meeting.title}纪要"),
        # the minutes record when the meeting was held, which is when it opened
        "starts": cn_datetime(meeting.opened_at or meeting.starts_at),
        "expected": len(voting),
        "present_count": len(present),
        "present_groups": role_groups(present),
        "absent": [(a.member.cadre.name, a.leave_reason) for a in absent],
        "nonvoting_present": [a.member.cadre.name for a in nonvoting if a.presence == Presence.PRESENT],
        "nonvoting_absent": [
            (a.member.cadre.name, a.leave_reason) for a in nonvoting if a.presence != Presence.PRESENT
        ],
        "items": items,
        "decides": decides,
    }


def render_minutes(document) -> tuple[bytes, str]:
    meeting = _meeting_for(document, MINUTES)
    return render_pdf("meetings/pdf/minutes.html", minutes_context(meeting)), f"{meeting.title}纪要.pdf"


# --- 选票 ----------------------------------------------------------------------------------------------------


@dataclass
class Ballot:
    item: AgendaItem
    options: list[str]
    cadres: list
    posts: int | None
    copies: int


def ballots_of(meeting: Meeting, *, item_pk: int | None = None) -> list[Ballot]:
    """One ballot per secret-ballot item, printed once for each member who may vote on it: attending with a
    vote, not on leave, not recused from it."""
    attendances = document_attendances(meeting)
    ballots = []
    for item in ballot_items(meeting):
        if item_pk is not None and item.pk != item_pk:
            continue
        recused = {r.member_id for r in item.recusals.all()}
        copies = sum(
            1 for a in attendances if a.voting and a.presence != Presence.ABSENT and a.member_id not in recused
        )
        ballots.append(
            Ballot(
                item=item,
                options=_options(meeting, item),
                cadres=list(item.topic.cadres.all()),
                posts=item.topic.posts,
                copies=copies,
            )
        )
    return ballots


def ballot_pages(ballots: list[Ballot], per_page: int) -> list[list[Ballot]]:
    """The sheets to print: every copy of every ballot, `per_page` on a sheet."""
    copies = [ballot for ballot in ballots for _ in range(ballot.copies)]
    return [copies[i : i + per_page] for i in range(0, len(copies), per_page)]


def render_ballots(document) -> tuple[bytes, str]:
    meeting = _meeting_for(document, BALLOTS)
    per_page = int(document.params.get("per_page") or 1)
    if per_page not in BALLOTS_PER_PAGE:
        per_page = 1
    item_pk = document.params.get("item")
    ballots = ballots_of(meeting, item_pk=int(item_pk) if item_pk else None)
    if not ballots:
        raise ApplicationError("没有需要印制选票的议题")
    pages = ballot_pages(ballots, per_page)
    if not pages:
        raise ApplicationError("没有可以表决的到会成员，无需印制选票")
    context = {**_base_context(meeting, f"{meeting.title}选票"), "pages": pages, "per_page": per_page}
    total = sum(b.copies for b in ballots)
    return render_pdf("meetings/pdf/ballots.html", context), f"{meeting.title}选票（{total}张）.pdf"


# --- registration ------------------------------------------------------------------------------------------


def document_title(kind: str, meeting: Meeting) -> str:
    return f"{meeting.title}{LABELS[kind]}"


def register() -> None:
    register_document_kind(
        DocumentKind(name=NOTICE, label=LABELS[NOTICE], render=render_notice, may_request=may_request_attendee)
    )
    register_document_kind(
        DocumentKind(
            name=AGENDA_PACK, label=LABELS[AGENDA_PACK], render=render_agenda_pack, may_request=may_request_attendee
        )
    )
    register_document_kind(
        DocumentKind(name=MINUTES, label=LABELS[MINUTES], render=render_minutes, may_request=may_request_staff)
    )
    register_document_kind(
        DocumentKind(name=BALLOTS, label=LABELS[BALLOTS], render=render_ballots, may_request=may_request_staff)
    )
    register_audit_action("agenda_pack.rendered", "生成会议材料汇编")
