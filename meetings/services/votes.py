"""Votes on agenda items: opening under the quorum, open votes recorded by staff, paper ballots entered twice,
results with the rule applied, decisions, deferral and reconsideration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees.models import TermMember
from committees.selectors import area_responsibility
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from .. import reminders
from ..models import AgendaItem, Attendance, Decision, FollowUp, ItemResult, Meeting, TallyEntry, Topic, Vote
from ..rules import competitive_vote, passing, quorum, reconsideration
from .appointments import proposals_follow_deferral, proposals_follow_vote
from .meetings import lock_meeting, recusals_sync, require_meeting_status
from .topics import topic_set_status

Outcome = AgendaItem.Outcome
ITEM_KEY = "item"  # the key of a tally's counts for an item voted on as a whole


@dataclass(frozen=True)
class ItemCounts:
    """Who counts for one item: 应到会 (expected) and those present for it (recused members have left)."""

    expected: int
    present: int
    voters: frozenset[int]  # member pks who may vote on the item now
    recused: frozenset[int]


def item_counts(item: AgendaItem) -> ItemCounts:
    meeting_type = item.meeting.meeting_type
    # read through the manager so that a page that prefetched the recusals asks nothing more
    recused = frozenset(r.member_id for r in item.recusals.all())
    voting = [a for a in item.meeting.attendances.all() if a.voting]
    expected = len(voting)
    if not meeting_type.recused_count_as_expected:
        expected -= sum(1 for a in voting if a.member_id in recused)
    voters = frozenset(
        a.member_id for a in voting if a.presence == Attendance.Presence.PRESENT and a.member_id not in recused
    )
    return ItemCounts(expected=expected, present=len(voters), voters=voters, recused=recused)


def item_options(item: AgendaItem) -> list[str]:
    meeting_type = item.meeting.meeting_type
    return list(meeting_type.cadre_vote_options if item.topic.category.cadre_item else meeting_type.vote_options)


def item_is_secret(item: AgendaItem) -> bool:
    return item.topic.category.cadre_item and item.meeting.meeting_type.secret_ballot


def _lock_item(item: AgendaItem) -> AgendaItem:
    lock_meeting(item.meeting)
    return (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__meeting_type", "meeting__term", "topic__category", "topic__work_area")
        .get(pk=item.pk)
    )


def _require_outcome(item: AgendaItem, outcomes, doing: str) -> None:
    if item.outcome not in outcomes:
        raise ApplicationError(f"第{item.order}项{item.get_outcome_display()}，不能{doing}")


@transaction.atomic
def voting_open(*, item: AgendaItem, actor) -> AgendaItem:
    """Opens the vote on an item: only at a decision body in session, with the quorum the item needs present
    (a cadre item: at least 2/3 of those who should attend)."""
    item = _lock_item(item)
    meeting_type = item.meeting.meeting_type
    if not meeting_type.decides:
        raise ApplicationError(f"{meeting_type.name}不是决策机构，不能表决或作出决定")
    require_meeting_status(item.meeting, (Meeting.Status.IN_SESSION,), "表决")
    if item.outcome == Outcome.VOTING:
        return item
    _require_outcome(item, (Outcome.PENDING,), "开始表决")
    recusals_sync(item, actor=actor)
    counts = item_counts(item)
    result = quorum(
        meeting_type, expected=counts.expected, present=counts.present, cadre_item=item.topic.category.cadre_item
    )
    if not result.met:
        raise ApplicationError(f"{result.rule}；实到{result.present}人，不能表决")
    item.outcome = Outcome.VOTING
    item.save(update_fields=["outcome", "updated_at"])
    audit_log(
        actor=actor,
        action="vote.opened",
        obj=item.meeting,
        details={"item": item.pk, "topic": item.topic.title, "expected": counts.expected, "present": counts.present},
    )
    return item


def _voter(item: AgendaItem, member: TermMember, counts: ItemCounts) -> None:
    attendance = next((a for a in item.meeting.attendances.all() if a.member_id == member.pk), None)
    name = member.cadre.name
    if attendance is None:
        raise ApplicationError(f"{name}不是本次会议的出席人员", field="member")
    if not attendance.voting:
        raise ApplicationError(f"{name}列席会议，没有表决权", field="member")
    if member.pk in counts.recused:
        raise ApplicationError(f"{name}须回避本议题，不能参加表决", field="member")
    if attendance.presence != Attendance.Presence.PRESENT:
        raise ApplicationError(f"{name}未出席，不能表决（不得委托表决）", field="member")


@transaction.atomic
def vote_record(*, item: AgendaItem, member: TermMember, choice: str, actor, candidate=None) -> Vote:
    """Records one member's open vote on the item, or on one cadre of a cadre item."""
    item = _lock_item(item)
    _require_outcome(item, (Outcome.VOTING,), "记录表决")
    if item_is_secret(item):
        raise ApplicationError("本议题无记名投票，请录入计票结果", field="member")
    counts = item_counts(item)
    _voter(item, member, counts)
    options = item_options(item)
    if choice not in options:
        raise ApplicationError(f"表决意见只能是{'、'.join(options)}", field="choice")
    cadre_item = item.topic.category.cadre_item
    if cadre_item:
        if candidate is None or candidate.topic_id != item.topic_id:
            raise ApplicationError("干部任免事项须逐人表决，请选择干部", field="candidate")
    elif candidate is not None:
        raise ApplicationError("本议题不逐人表决", field="candidate")
    if item.topic.posts is not None and choice == options[0]:
        approvals = Vote.objects.filter(item=item, member=member, choice=options[0]).count()
        if approvals >= item.topic.posts:
            raise ApplicationError(
                f"差额票决每票至多赞成{item.topic.posts}人，{member.cadre.name}已赞成{approvals}人", field="choice"
            )
    try:
        with transaction.atomic():
            vote = Vote.objects.create(item=item, candidate=candidate, member=member, choice=choice, recorded_by=actor)
    except IntegrityError:
        on = f"对{candidate.cadre.name}" if candidate is not None else ""
        raise ApplicationError(f"已记录{member.cadre.name}{on}的表决意见，不能重复表决", field="member") from None
    audit_log(
        actor=actor,
        action="vote.recorded",
        obj=item.meeting,
        details={
            "item": item.pk,
            "member": member.cadre.name,
            "choice": choice,
            **({"cadre": candidate.cadre.name} if candidate is not None else {}),
        },
    )
    return vote


def _tally_keys(item: AgendaItem) -> list[str]:
    if item.topic.category.cadre_item:
        return [str(pk) for pk in item.topic.cadres.values_list("pk", flat=True)]
    return [ITEM_KEY]


@transaction.atomic
def tally_enter(
    *, item: AgendaItem, actor, ballots_issued: int, ballots_returned: int, ballots_invalid: int, counts: dict
) -> TallyEntry:
    """One entry of the count of the paper ballots; a second entry by another user must agree with it. `counts`
    maps the candidate's TopicCadre pk as a string (or "item" for an item not about cadres) to the votes for each
    option."""
    item = _lock_item(item)
    _require_outcome(item, (Outcome.VOTING,), "录入计票结果")
    if not item_is_secret(item):
        raise ApplicationError("本议题记名表决，请逐人记录表决意见")
    entries = list(item.tallies.all())
    if len(entries) >= 2:
        raise ApplicationError("计票结果已录入两次；如有差错请先清除后重新录入")
    if entries and entries[0].entered_by_id == actor.pk:
        raise ApplicationError("两次录入须由不同的工作人员完成")
    item_count = item_counts(item)
    if ballots_issued > item_count.present:
        raise ApplicationError(
            f"发出选票{ballots_issued}张，多于可表决的到会成员{item_count.present}人", field="ballots_issued"
        )
    if ballots_returned > ballots_issued:
        raise ApplicationError("收回选票不能多于发出选票", field="ballots_returned")
    if ballots_invalid > ballots_returned:
        raise ApplicationError("废票不能多于收回选票", field="ballots_invalid")
    valid = ballots_returned - ballots_invalid
    options = item_options(item)
    keys = _tally_keys(item)
    clean: dict[str, dict[str, int]] = {}
    for key in keys:
        row = counts.get(key) or {}
        clean[key] = {}
        for option in options:
            value = row.get(option, 0)
            if not isinstance(value, int) or value < 0:
                raise ApplicationError("票数须为非负整数", field="counts")
            clean[key][option] = value
        if sum(clean[key].values()) > valid:
            raise ApplicationError(f"各项票数之和不能多于有效票{valid}张", field="counts")
    if item.topic.posts is not None and sum(c[options[0]] for c in clean.values()) > valid * item.topic.posts:
        raise ApplicationError(f"差额票决每票至多赞成{item.topic.posts}人，赞成票总数超出", field="counts")
    entry = TallyEntry.objects.create(
        item=item,
        seq=len(entries) + 1,
        ballots_issued=ballots_issued,
        ballots_returned=ballots_returned,
        ballots_invalid=ballots_invalid,
        counts=clean,
        entered_by=actor,
    )
    audit_log(actor=actor, action="tally.entered", obj=item.meeting, details={"item": item.pk, "entry": entry.seq})
    return entry


def tally_differences(first: TallyEntry, second: TallyEntry) -> list[str]:
    """Where two entries of the same count disagree, in Chinese."""
    differences = []
    for field, label in (("ballots_issued", "发出选票"), ("ballots_returned", "收回选票"), ("ballots_invalid", "废票")):
        if getattr(first, field) != getattr(second, field):
            differences.append(f"{label}：{getattr(first, field)}≠{getattr(second, field)}")
    names = dict(first.item.topic.cadres.values_list("pk", "cadre__name"))
    for key in sorted(set(first.counts) | set(second.counts)):
        a, b = first.counts.get(key, {}), second.counts.get(key, {})
        for option in sorted(set(a) | set(b)):
            if a.get(option, 0) != b.get(option, 0):
                who = "" if key == ITEM_KEY else f"{names.get(int(key), key)}"
                differences.append(f"{who}{option}：{a.get(option, 0)}≠{b.get(option, 0)}")
    return differences


@transaction.atomic
def tally_clear(*, item: AgendaItem, actor, reason: str) -> int:
    """Clears the entries of a count that disagree, to enter them again."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明清除的原因", field="reason")
    item = _lock_item(item)
    _require_outcome(item, (Outcome.VOTING,), "清除计票结果")
    removed = item.tallies.count()
    item.tallies.all().delete()
    audit_log(actor=actor, action="tally.cleared", obj=item.meeting, details={"item": item.pk, "reason": reason})
    return removed


def _final_counts(item: AgendaItem, options: list[str]) -> dict[str, dict[str, int]]:
    if item_is_secret(item):
        entries = list(item.tallies.select_related("item__topic").order_by("seq"))
        if len(entries) < 2:
            raise ApplicationError("计票结果须由两名工作人员分别录入并一致后才能确定")
        differences = tally_differences(entries[0], entries[1])
        if differences:
            raise ApplicationError("两次录入的计票结果不一致，不能确定结果：" + "；".join(differences))
        return entries[0].counts
    counts = {key: dict.fromkeys(options, 0) for key in _tally_keys(item)}
    for candidate_id, choice in item.votes.values_list("candidate_id", "choice"):
        counts[str(candidate_id) if candidate_id else ITEM_KEY][choice] += 1
    return counts


@transaction.atomic
def voting_close(*, item: AgendaItem, actor, decision_text: str = "") -> AgendaItem:
    """Counts the votes and states the result: votes for, against and the rest, 应到会, 实到会, whether it passed
    and the rule applied. A passed item becomes a decision, followed up by the member responsible for its area."""
    item = _lock_item(item)
    _require_outcome(item, (Outcome.VOTING,), "确定表决结果")
    meeting_type = item.meeting.meeting_type
    options = item_options(item)
    favour = options[0]
    counts = _final_counts(item, options)
    item_count = item_counts(item)
    topic = item.topic
    rows = {str(r.pk): r for r in topic.cadres.select_related("cadre")}
    passed_keys: set[str] = set()
    tied: set[int] = set()
    rules: dict[str, str] = {}
    if topic.posts is not None:
        competition = competitive_vote(
            meeting_type,
            expected=item_count.expected,
            posts=topic.posts,
            votes={key: counts[key][favour] for key in counts},
        )
        passed_keys = set(competition.winners)
        needed = competition.needed
        rule = competition.rule
        if competition.tied:
            tied = {rows[k].pk for k in competition.tied}
            names = "、".join(rows[k].cadre.name for k in competition.tied)
            rule += f"；{names}得票相同，{competition.open_posts}个职位须另行票决"
        rules = dict.fromkeys(counts, rule)
    else:
        for key, row in counts.items():
            result = passing(meeting_type, expected=item_count.expected, votes_for=row[favour])
            needed = result.needed
            rules[key] = result.rule
            if result.passed:
                passed_keys.add(key)
    for key, row in counts.items():
        ItemResult.objects.create(
            item=item,
            candidate=rows.get(key),
            expected=item_count.expected,
            present=item_count.present,
            counts=row,
            votes_for=row[favour],
            needed=needed,
            passed=key in passed_keys,
            rule=rules[key][:300],
        )
    item.outcome = Outcome.PASSED if passed_keys else Outcome.NOT_PASSED
    item.save(update_fields=["outcome", "updated_at"])
    topic_set_status(topic=topic, to=Topic.Status.DECIDED, actor=actor, reason=item.meeting.title)
    audit_log(
        actor=actor,
        action="vote.closed",
        obj=item.meeting,
        details={
            "item": item.pk,
            "topic": topic.title,
            "outcome": item.outcome,
            "expected": item_count.expected,
            "present": item_count.present,
            "counts": counts,
        },
    )
    if passed_keys:
        text = decision_text.strip() or _decision_text(item, [rows[k] for k in rows if k in passed_keys])
        decision_record(item=item, text=text, actor=actor)
    proposals_follow_vote(item=item, tied=tied, actor=actor)
    return item


def _decision_text(item: AgendaItem, passed_rows) -> str:
    """The decision as the minutes word it: "拟任区财政局局长" is decided as "同意赵明远同志任区财政局局长"."""
    if passed_rows:
        return "；".join(f"同意{row.cadre.name}同志{row.proposal.removeprefix('拟')}" for row in passed_rows) + "。"
    return f"会议同意《{item.topic.title}》。"


@transaction.atomic
def decision_record(*, item: AgendaItem, text: str, actor) -> Decision:
    """Writes the decision of a passed item; a body that does not decide (书记办公会) records none."""
    item = AgendaItem.objects.select_related("meeting__meeting_type", "meeting__term", "topic__work_area").get(
        pk=item.pk
    )
    if not item.meeting.meeting_type.decides:
        raise ApplicationError(f"{item.meeting.meeting_type.name}不是决策机构，不能作出决定")
    if item.outcome != Outcome.PASSED:
        raise ApplicationError("只有表决通过的议题才形成决定")
    text = text.strip()
    if not text:
        raise ApplicationError("请填写决定事项", field="text")
    decided_on = timezone.localtime(item.meeting.starts_at).date()
    try:
        with transaction.atomic():
            decision = Decision.objects.create(item=item, text=text, decided_on=decided_on, recorded_by=actor)
    except IntegrityError:
        raise ApplicationError("该议题已形成决定") from None
    audit_log(actor=actor, action="decision.recorded", obj=item.meeting, details={"item": item.pk, "text": text})
    if item.topic.work_area_id:
        follow_up_create(decision=decision, actor=actor)
    return decision


@transaction.atomic
def decision_update(*, decision: Decision, text: str, actor) -> Decision:
    decision = Decision.objects.select_for_update().select_related("item__meeting").get(pk=decision.pk)
    if decision.item.meeting.status == Meeting.Status.ADJOURNED:
        raise ApplicationError("会议已结束，决定事项不能再修改；如需改变请复议")
    text = text.strip()
    if not text:
        raise ApplicationError("请填写决定事项", field="text")
    if text != decision.text:
        audit_log(
            actor=actor,
            action="decision.updated",
            obj=decision.item.meeting,
            details={"from": decision.text, "to": text},
        )
        decision.text = text
        decision.save(update_fields=["text", "updated_at"])
    return decision


def follow_up_create(*, decision: Decision, actor, deadline=None) -> FollowUp:
    """督办: the standing member responsible for the topic's area on the decision date — the lead, or the
    substitute while the lead is on leave — follows the decision up by a deadline."""
    area = decision.item.topic.work_area
    responsibility = area_responsibility(area, decision.decided_on)
    deadline = deadline or decision.decided_on + timedelta(days=settings.ORGDEPT_FOLLOW_UP_DAYS)
    follow_up = FollowUp.objects.create(
        decision=decision,
        area=area,
        member=responsibility.member,
        responsibility=responsibility.reason,
        deadline=deadline,
    )
    audit_log(
        actor=actor,
        action="follow_up.assigned",
        obj=decision.item.meeting,
        details={
            "decision": decision.pk,
            "area": area.name,
            "member": responsibility.member.cadre.name if responsibility.member else "",
            "as": responsibility.reason,
            "deadline": deadline.isoformat(),
        },
    )
    transaction.on_commit(lambda: reminders.follow_up_reminders_schedule(follow_up))
    return follow_up


@transaction.atomic
def item_defer(*, item: AgendaItem, actor, reason: str) -> AgendaItem:
    """缓议: the meeting puts the item off; the topic may go on a later agenda."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明缓议的理由", field="reason")
    item = _lock_item(item)
    require_meeting_status(item.meeting, (Meeting.Status.IN_SESSION,), "缓议")
    _require_outcome(item, (Outcome.PENDING, Outcome.VOTING), "缓议")
    if item.votes.exists() or item.tallies.exists():
        raise ApplicationError("已有表决记录，不能缓议")
    item.outcome = Outcome.DEFERRED
    item.note = reason[:300]
    item.save(update_fields=["outcome", "note", "updated_at"])
    topic_set_status(topic=item.topic, to=Topic.Status.DEFERRED, actor=actor, reason=reason)
    proposals_follow_deferral(item=item, reason=reason, actor=actor)
    audit_log(actor=actor, action="agenda.item_deferred", obj=item.meeting, details={"item": item.pk, "reason": reason})
    return item


@transaction.atomic
def item_discuss(*, item: AgendaItem, actor, note: str) -> AgendaItem:
    """At a body that does not decide (书记办公会): the item was discussed, with the view reached; no decision."""
    note = note.strip()
    if not note:
        raise ApplicationError("请填写研究意见", field="note")
    item = _lock_item(item)
    if item.meeting.meeting_type.decides:
        raise ApplicationError(f"{item.meeting.meeting_type.name}的议题须表决")
    require_meeting_status(item.meeting, (Meeting.Status.IN_SESSION,), "研究议题")
    _require_outcome(item, (Outcome.PENDING,), "记录研究意见")
    item.outcome = Outcome.DISCUSSED
    item.note = note[:300]
    item.save(update_fields=["outcome", "note", "updated_at"])
    topic_set_status(topic=item.topic, to=Topic.Status.DECIDED, actor=actor, reason=note)
    audit_log(actor=actor, action="agenda.item_discussed", obj=item.meeting, details={"item": item.pk, "note": note})
    return item


@transaction.atomic
def decision_reconsider(*, decision: Decision, votes_for: int, reason: str, actor, on=None) -> Decision:
    """复议: reconsidering a decision needs more than half of all the body's members, present or not."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明复议的理由", field="reason")
    decision = (
        Decision.objects.select_for_update()
        .select_related("item__meeting__meeting_type", "item__meeting__term")
        .get(pk=decision.pk)
    )
    if decision.reconsidered_on is not None:
        raise ApplicationError("该决定已经复议")
    meeting = decision.item.meeting
    on = on or timezone.localdate()
    all_members = (
        meeting.term.members.filter(role__in=meeting.meeting_type.voting_roles, joined_on__lte=on)
        .exclude(left_on__lte=on)
        .count()
    )
    if votes_for < 0 or votes_for > all_members:
        raise ApplicationError(f"同意票须在0到{all_members}之间", field="votes_for")
    result = reconsideration(meeting.meeting_type, all_members=all_members, votes_for=votes_for)
    if not result.passed:
        raise ApplicationError(f"{result.rule}；同意{votes_for}票，不能复议", field="votes_for")
    decision.reconsidered_on = on
    decision.reconsideration = f"{reason}（{result.rule}，同意{votes_for}票）"[:300]
    decision.save(update_fields=["reconsidered_on", "reconsideration", "updated_at"])
    audit_log(
        actor=actor,
        action="decision.reconsidered",
        obj=meeting,
        details={"decision": decision.pk, "votes_for": votes_for, "all_members": all_members, "reason": reason},
    )
    return decision
