"""Writes to meetings: scheduling with the expected attendees and their object permissions, the agenda, leave,
attendance, opening and adjourning; the recusal registry and recusals."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cadres.models import Cadre, FamilyMember
from committees.models import Term, TermMember
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.object_permissions import object_permission_grant

from .. import reminders
from ..models import AgendaItem, Attendance, Meeting, MeetingType, MemberRelation, Recusal, Topic
from ..rules import quorum
from .appointments import proposals_back_before_the_committee
from .topics import STATUS_WORDS, topic_gates, topic_set_status

ATTEND = "meetings.attend_meeting"
MeetingStatus = Meeting.Status
MEETING_WORDS = {
    MeetingStatus.SCHEDULED: "尚未召开",
    MeetingStatus.IN_SESSION: "正在进行",
    MeetingStatus.ADJOURNED: "已结束",
    MeetingStatus.CANCELLED: "已取消",
}


def lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("meeting_type", "term").get(pk=meeting.pk)


def require_meeting_status(meeting: Meeting, statuses, doing: str) -> None:
    if meeting.status not in statuses:
        raise ApplicationError(f"{meeting.title}{MEETING_WORDS[meeting.status]}，不能{doing}")


def expected_members(term: Term, meeting_type: MeetingType, on) -> list[tuple[TermMember, bool]]:
    """Who attends under the type's rules on `on`: (member, with a vote), voters first."""
    roles = [*meeting_type.voting_roles, *meeting_type.nonvoting_roles]
    members = (
        term.members.filter(role__in=roles, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("cadre")
    )
    rows = [(m, m.role in meeting_type.voting_roles) for m in members]
    rows.sort(key=lambda r: (not r[1], TermMember.ROLE_ORDER[r[0].role], r[0].order))
    return rows


def _grant_attendance(meeting: Meeting, members, actor) -> None:
    for member in members:
        user = member.cadre.user
        if user is not None:
            object_permission_grant(perm=ATTEND, to=user, obj=meeting, actor=actor)


@transaction.atomic
def meeting_schedule(
    *,
    term: Term,
    meeting_type: MeetingType,
    starts_at: datetime,
    place: str,
    actor,
    observers: str = "",
    presided_by: TermMember | None = None,
) -> Meeting:
    """Schedules the next meeting of a body: its number in the term, the attendees the rules expect (with or
    without a vote) and their permission to read the meeting."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.ends_on is not None:
        raise ApplicationError("该届已结束，不能再安排会议")
    place = place.strip()
    if not place:
        raise ApplicationError("请填写会议地点", field="place")
    on = timezone.localtime(starts_at).date()
    if on < term.starts_on:
        raise ApplicationError("会议时间早于本届开始", field="starts_at")
    attendees = expected_members(term, meeting_type, on)
    if not any(voting for _m, voting in attendees) and meeting_type.decides:
        raise ApplicationError(f"本届没有{meeting_type.name}的表决成员")
    number = (Meeting.objects.filter(term=term, meeting_type=meeting_type).aggregate(m=Max("number"))["m"] or 0) + 1
    meeting = Meeting.objects.create(
        term=term,
        meeting_type=meeting_type,
        number=number,
        starts_at=starts_at,
        place=place,
        observers=observers.strip() or meeting_type.observers,
        presided_by=presided_by,
        created_by=actor,
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m, voting=v) for m, v in attendees)
    _grant_attendance(meeting, [m for m, _v in attendees], actor)
    audit_log(
        actor=actor,
        action="meeting.scheduled",
        obj=meeting,
        details={
            "starts_at": starts_at.isoformat(),
            "place": place,
            "voting": sum(1 for _m, v in attendees if v),
            "nonvoting": sum(1 for _m, v in attendees if not v),
        },
    )
    transaction.on_commit(lambda: reminders.meeting_notice_reminders_schedule(meeting))
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **values) -> Meeting:
    meeting = lock_meeting(meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "修改")
    allowed = {"starts_at", "place", "observers", "presided_by"}
    if set(values) - allowed:
        raise ValueError(f"unknown fields {sorted(set(values) - allowed)}")
    if "place" in values:
        values["place"] = values["place"].strip()
        if not values["place"]:
            raise ApplicationError("请填写会议地点", field="place")
    changed = {}
    for name, value in values.items():
        old = getattr(meeting, name)
        if old != value:
            changed[name] = [str(old or ""), str(value or "")]
            setattr(meeting, name, value)
    if not changed:
        return meeting
    meeting.save(update_fields=[*[n for n in values if n in changed], "updated_at"])
    audit_log(actor=actor, action="meeting.updated", obj=meeting, details={"changed": changed})
    if "starts_at" in changed:
        transaction.on_commit(lambda: reminders.meeting_notice_reminders_schedule(meeting))
    return meeting


def recusal_reasons(item: AgendaItem) -> dict[int, str]:
    """Attending member pk -> why they are recused from the item: it is about them or about a relation."""
    cadre_ids = {row.cadre_id: row.cadre for row in item.topic.cadres.select_related("cadre")}
    if not cadre_ids:
        return {}
    members = {a.member.cadre_id: a.member for a in item.meeting.attendances.select_related("member__cadre")}
    reasons: dict[int, str] = {}
    for cadre_id, member in members.items():
        if cadre_id in cadre_ids:
            reasons[member.pk] = "本人为议题涉及的干部"
    relations = MemberRelation.objects.filter(
        ended_at__isnull=True, member_cadre_id__in=members, cadre_id__in=cadre_ids
    ).select_related("cadre")
    for relation in relations:
        member = members[relation.member_cadre_id]
        reasons.setdefault(member.pk, f"与{relation.cadre.name}系{relation.relation}关系")
    return reasons


def recusals_sync(item: AgendaItem, *, actor) -> list[Recusal]:
    """Adds the recusals the registry calls for (never removes one entered by hand)."""
    have = set(item.recusals.values_list("member_id", flat=True))
    added = [
        Recusal(item=item, member_id=member_id, reason=reason)
        for member_id, reason in recusal_reasons(item).items()
        if member_id not in have
    ]
    if added:
        Recusal.objects.bulk_create(added)
        audit_log(
            actor=actor,
            action="recusal.added",
            obj=item.meeting,
            details={"item": item.pk, "members": [r.member_id for r in added], "reasons": [r.reason for r in added]},
        )
    return added


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, topic: Topic, actor) -> AgendaItem:
    """Puts a topic the secretary approved on the agenda of a meeting of the body that decides it, once it
    passes every gate (materials, consultation, the cadre checks)."""
    meeting = lock_meeting(meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "调整议程")
    topic = Topic.objects.select_for_update().select_related("category", "meeting_type").get(pk=topic.pk)
    if topic.committee_id != meeting.term.committee_id:
        raise ApplicationError("议题不属于本委员会", field="topic")
    if topic.status not in (Topic.Status.APPROVED, Topic.Status.DEFERRED):
        if topic.status in (Topic.Status.DRAFT, Topic.Status.SUBMITTED):
            raise ApplicationError("议题须经书记审定后才能列入议程", field="topic")
        raise ApplicationError(f"议题{STATUS_WORDS[topic.status]}，不能列入议程", field="topic")
    if topic.meeting_type_id != meeting.meeting_type_id:
        raise ApplicationError(f"该议题须提交{topic.meeting_type.name}，不能列入{meeting.title}", field="topic")
    if not meeting.meeting_type.scope.filter(pk=topic.category_id).exists():
        raise ApplicationError(f"“{topic.category.name}”不属于{meeting.meeting_type.name}的议事范围", field="topic")
    problems = topic_gates(topic, on=timezone.localtime(meeting.starts_at).date())
    if problems:
        raise ApplicationError("议题尚不能列入议程：" + "；".join(problems), field="topic")
    if topic.status == Topic.Status.DEFERRED:
        proposals_back_before_the_committee(topic=topic, actor=actor)
    order = (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, topic=topic, order=order)
    topic_set_status(topic=topic, to=Topic.Status.SCHEDULED, actor=actor, reason=meeting.title)
    audit_log(actor=actor, action="agenda.item_added", obj=meeting, details={"topic": topic.title, "order": order})
    recusals_sync(item, actor=actor)
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor, reason: str = "") -> None:
    """Takes a topic off the agenda of a meeting not yet held; it goes back to the approved topics."""
    meeting = lock_meeting(item.meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "调整议程")
    item = AgendaItem.objects.select_related("topic").get(pk=item.pk)
    topic = item.topic
    audit_log(
        actor=actor,
        action="agenda.item_removed",
        obj=meeting,
        details={"topic": topic.title, **({"reason": reason} if reason else {})},
    )
    item.recusals.all().delete()
    item.delete()
    _renumber(meeting)
    if topic.status == Topic.Status.SCHEDULED:
        topic_set_status(topic=topic, to=Topic.Status.APPROVED, actor=actor, reason=reason or "移出议程")


def _renumber(meeting: Meeting) -> None:
    items = list(meeting.items.order_by("order", "id"))
    for index, item in enumerate(items, start=1):
        if item.order != index:
            item.order = index
            item.save(update_fields=["order", "updated_at"])


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool, actor) -> None:
    meeting = lock_meeting(item.meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "调整议程")
    _renumber(meeting)
    items = list(meeting.items.order_by("order"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    a, b = items[index], items[other]
    a.order, b.order = b.order, a.order
    AgendaItem.objects.bulk_update([a, b], ["order"])
    audit_log(actor=actor, action="agenda.reordered", obj=meeting, details={"topic": a.topic.title, "order": a.order})


@transaction.atomic
def leave_request(*, meeting: Meeting, member: TermMember, reason: str, actor) -> Attendance:
    """A member asks for leave from a meeting (请假), before it opens; recorded as an absence with its reason."""
    meeting = lock_meeting(meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "请假")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请填写请假事由", field="reason")
    attendance = meeting.attendances.select_for_update().filter(member=member).first()
    if attendance is None:
        raise ApplicationError("您不是本次会议的出席人员")
    attendance.presence = Attendance.Presence.ABSENT
    attendance.leave_reason = reason
    attendance.leave_requested_at = timezone.now()
    attendance.save(update_fields=["presence", "leave_reason", "leave_requested_at", "updated_at"])
    audit_log(actor=actor, action="meeting.leave_requested", obj=meeting, details={"member": member.cadre.name})
    transaction.on_commit(lambda: reminders.meeting_notice_reminders_schedule(meeting))
    return attendance


@transaction.atomic
def attendance_set(*, attendance: Attendance, presence: str, actor, reason: str = "") -> Attendance:
    """Takes one member's presence at the meeting (also during it: who arrives late or leaves)."""
    meeting = lock_meeting(attendance.meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION), "登记出席")
    attendance = Attendance.objects.select_for_update().select_related("member__cadre").get(pk=attendance.pk)
    if presence not in Attendance.Presence.values:
        raise ApplicationError("出席情况不正确", field="presence")
    reason = reason.strip()
    if presence == Attendance.Presence.ABSENT and not (reason or attendance.leave_reason):
        raise ApplicationError(f"请填写{attendance.member.cadre.name}缺席的原因", field="reason")
    before = attendance.presence
    attendance.presence = presence
    if reason:
        attendance.leave_reason = reason
    if presence == Attendance.Presence.PRESENT:
        attendance.leave_reason = ""
    attendance.save(update_fields=["presence", "leave_reason", "updated_at"])
    if before != presence:
        audit_log(
            actor=actor,
            action="meeting.attendance_taken",
            obj=meeting,
            details={"member": attendance.member.cadre.name, "from": before, "to": presence},
        )
    return attendance


@transaction.atomic
def attendance_take(*, meeting: Meeting, present: set[int], reasons: dict[int, str], actor) -> None:
    """Takes everyone's presence at once: member pks present; the others absent with their reasons."""
    for attendance in meeting.attendances.select_related("member__cadre"):
        if attendance.member_id in present:
            attendance_set(attendance=attendance, presence=Attendance.Presence.PRESENT, actor=actor)
        else:
            attendance_set(
                attendance=attendance,
                presence=Attendance.Presence.ABSENT,
                reason=reasons.get(attendance.member_id, ""),
                actor=actor,
            )


def meeting_quorum(meeting: Meeting):
    """The meeting's quorum now: more than half of the voting members who should attend are present. A body
    that does not decide (书记办公会) has no voting members: everyone it expects counts."""
    rows = [a for a in meeting.attendances.all() if a.voting or not meeting.meeting_type.decides]
    present = sum(1 for a in rows if a.presence == Attendance.Presence.PRESENT)
    return quorum(meeting.meeting_type, expected=len(rows), present=present, cadre_item=False)


@transaction.atomic
def meeting_open(*, meeting: Meeting, actor) -> Meeting:
    meeting = lock_meeting(meeting)
    if meeting.status == MeetingStatus.IN_SESSION:
        return meeting
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "开始")
    unknown = [
        a.member.cadre.name for a in meeting.attendances.select_related("member__cadre") if a.presence == "unknown"
    ]
    if unknown:
        raise ApplicationError("请先登记出席情况：" + "、".join(unknown))
    result = meeting_quorum(meeting)
    if not result.met:
        raise ApplicationError(f"{result.rule}；实到{result.present}人，不足法定人数，会议不能召开")
    meeting.status = MeetingStatus.IN_SESSION
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["status", "opened_at", "updated_at"])
    audit_log(
        actor=actor,
        action="meeting.opened",
        obj=meeting,
        details={"expected": result.expected, "present": result.present},
    )
    return meeting


@transaction.atomic
def meeting_adjourn(*, meeting: Meeting, actor) -> Meeting:
    meeting = lock_meeting(meeting)
    if meeting.status == MeetingStatus.ADJOURNED:
        return meeting
    require_meeting_status(meeting, (MeetingStatus.IN_SESSION,), "结束")
    open_items = [
        f"第{i.order}项"
        for i in meeting.items.all()
        if i.outcome in (AgendaItem.Outcome.PENDING, AgendaItem.Outcome.VOTING)
    ]
    if open_items:
        raise ApplicationError("以下议程尚未处理（表决、缓议或研究）：" + "、".join(open_items))
    meeting.status = MeetingStatus.ADJOURNED
    meeting.adjourned_at = timezone.now()
    meeting.save(update_fields=["status", "adjourned_at", "updated_at"])
    audit_log(actor=actor, action="meeting.adjourned", obj=meeting, details={"items": meeting.items.count()})
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明取消的原因", field="reason")
    meeting = lock_meeting(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED,), "取消")
    for item in list(meeting.items.select_related("topic")):
        agenda_item_remove(item=item, actor=actor, reason=f"会议取消：{reason}")
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="meeting.cancelled", obj=meeting, details={"reason": reason})
    transaction.on_commit(lambda: reminders.meeting_reminders_cancel(meeting))
    return meeting


# -- the recusal registry -------------------------------------------------------------------------------------


@transaction.atomic
def relation_add(*, member_cadre: Cadre, cadre: Cadre, relation: str, actor, source: str = "manual") -> MemberRelation:
    relation = relation.strip()
    if not relation:
        raise ApplicationError("请填写关系", field="relation")
    if member_cadre.pk == cadre.pk:
        raise ApplicationError("不能登记与本人的关系", field="cadre")
    if MemberRelation.objects.filter(member_cadre=member_cadre, cadre=cadre, ended_at__isnull=True).exists():
        raise ApplicationError(f"已登记{member_cadre.name}与{cadre.name}的关系", field="cadre")
    row = MemberRelation.objects.create(
        member_cadre=member_cadre, cadre=cadre, relation=relation, source=source, created_by=actor
    )
    audit_log(
        actor=actor,
        action="member_relation.added",
        obj=row,
        object_repr=f"{member_cadre.name}—{cadre.name}",
        details={"member": member_cadre.name, "cadre": cadre.name, "relation": relation, "source": source},
    )
    return row


@transaction.atomic
def relation_end(*, relation: MemberRelation, actor) -> MemberRelation:
    relation = MemberRelation.objects.select_for_update().select_related("member_cadre", "cadre").get(pk=relation.pk)
    if relation.ended_at is not None:
        return relation
    relation.ended_at = timezone.now()
    relation.save(update_fields=["ended_at", "updated_at"])
    audit_log(
        actor=actor,
        action="member_relation.ended",
        obj=relation,
        object_repr=f"{relation.member_cadre.name}—{relation.cadre.name}",
        details={"member": relation.member_cadre.name, "cadre": relation.cadre.name},
    )
    return relation


def _family_matches(family: FamilyMember, other: Cadre) -> bool:
    """A family entry names this cadre: same name, and the entry's employer names the cadre's unit or post."""
    if family.name.strip() != other.name:
        return False
    work = family.work_and_post or ""
    return bool(work) and (other.unit.name in work or (other.current_post and other.current_post in work))


@transaction.atomic
def relations_refresh(*, term: Term, actor) -> int:
    """Adds to the registry the relations the cadre files show between the term's members and other cadres:
    a member's family entry naming a cadre, or a cadre's family entry naming a member. Returns how many."""
    members = {m.cadre_id: m.cadre for m in term.members.filter(left_on__isnull=True).select_related("cadre__unit")}
    have = set(MemberRelation.objects.filter(ended_at__isnull=True).values_list("member_cadre_id", "cadre_id"))
    found: dict[tuple[int, int], str] = {}
    member_names = {c.name: c for c in members.values()}
    # the members' own files
    families = FamilyMember.objects.filter(cadre_id__in=members).exclude(name="")
    names = {f.name.strip() for f in families}
    candidates: dict[str, list[Cadre]] = {}
    for cadre in Cadre.objects.filter(name__in=names).select_related("unit"):
        candidates.setdefault(cadre.name, []).append(cadre)
    for family in families:
        for other in candidates.get(family.name.strip(), []):
            if other.pk != family.cadre_id and _family_matches(family, other):
                found.setdefault((family.cadre_id, other.pk), family.relation)
    # other cadres' files naming a member
    for family in FamilyMember.objects.filter(name__in=member_names):
        member = member_names.get(family.name.strip())
        if member is not None and member.pk != family.cadre_id and _family_matches(family, member):
            found.setdefault((member.pk, family.cadre_id), f"其{family.relation}")
    added = 0
    for (member_id, cadre_id), relation in found.items():
        if (member_id, cadre_id) in have:
            continue
        MemberRelation.objects.create(
            member_cadre_id=member_id,
            cadre_id=cadre_id,
            relation=relation,
            source=MemberRelation.Source.FAMILY,
            created_by=actor,
        )
        added += 1
    audit_log(actor=actor, action="member_relations.refreshed", obj=term, details={"added": added, "found": len(found)})
    return added


@transaction.atomic
def recusal_add(*, item: AgendaItem, member: TermMember, reason: str, actor) -> Recusal:
    """A recusal entered by hand (a relation not in the files, a conflict declared at the meeting)."""
    meeting = lock_meeting(item.meeting)
    require_meeting_status(meeting, (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION), "登记回避")
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)  # as it stands under the meeting's lock
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请填写回避的原因", field="reason")
    if not meeting.attendances.filter(member=member).exists():
        raise ApplicationError("该成员不是本次会议的出席人员", field="member")
    if item.outcome not in (AgendaItem.Outcome.PENDING, AgendaItem.Outcome.VOTING):
        raise ApplicationError(f"该议题已{item.get_outcome_display()}，不能再登记回避")
    if item.votes.filter(member=member).exists():
        raise ApplicationError(f"{member.cadre.name}已对该议题表决，不能再登记回避", field="member")
    recusal, created = Recusal.objects.get_or_create(item=item, member=member, defaults={"reason": reason})
    if created:
        audit_log(
            actor=actor,
            action="recusal.added",
            obj=meeting,
            details={"item": item.pk, "members": [member.pk], "reasons": [reason]},
        )
    return recusal
