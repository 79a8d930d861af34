"""Writes to topics (议题): entry, cadres concerned, materials, the status procedure with 书记审定, consultations."""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cadres.extensions import decision_readiness
from committees.models import TermMember
from committees.selectors import current_term
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from .. import reminders
from ..materials import material_check, reading_path
from ..models import (
    Consultation,
    MeetingType,
    Opinion,
    Topic,
    TopicCadre,
    TopicCategory,
    TopicMaterial,
    TopicTransition,
)
from ..selectors.topics import URGENT_PLENARY_GATE, plenary_members_not_consulted

Status = Topic.Status
# how refusals name a topic's status, whatever the interface language
STATUS_WORDS = {
    Status.DRAFT: "草稿",
    Status.SUBMITTED: "已提交",
    Status.APPROVED: "书记已审定",
    Status.SCHEDULED: "已列入议程",
    Status.DECIDED: "已决定",
    Status.DEFERRED: "缓议",
    Status.WITHDRAWN: "已撤回",
}
EDITABLE = (Status.DRAFT,)
# materials may be added until the topic is decided; none is taken away once members may have read it
MATERIALS_ADDABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED, Status.DEFERRED)
MATERIALS_REMOVABLE = (Status.DRAFT, Status.SUBMITTED)
CONSULTABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.DEFERRED)


def topic_route(*, category: TopicCategory, requested_type: MeetingType) -> MeetingType:
    """The meeting type that decides a topic: the 全委会 for the matters only it decides, else the type asked
    for, which must have the category in its scope."""
    if category.plenary_only:
        return MeetingType.objects.get(code=MeetingType.Code.PLENARY)
    if not category.meeting_types.filter(pk=requested_type.pk).exists():
        allowed = "、".join(t.name for t in category.meeting_types.all()) or "无"
        raise ApplicationError(
            f"“{category.name}”不属于{requested_type.name}的议事范围（可由{allowed}决定）", field="category"
        )
    return requested_type


def _lock(topic: Topic) -> Topic:
    return Topic.objects.select_for_update().select_related("category", "meeting_type").get(pk=topic.pk)


def _require_status(topic: Topic, statuses, doing: str) -> None:
    if topic.status not in statuses:
        raise ApplicationError(f"议题{STATUS_WORDS[topic.status]}，不能{doing}")


@transaction.atomic
def topic_create(
    *,
    committee,
    title: str,
    category: TopicCategory,
    requested_type: MeetingType,
    unit,
    actor,
    summary: str = "",
    work_area=None,
    posts: int | None = None,
) -> Topic:
    title = title.strip()
    if not title:
        raise ApplicationError("请填写议题名称", field="title")
    meeting_type = topic_route(category=category, requested_type=requested_type)
    _check_posts(category, posts)
    topic = Topic.objects.create(
        committee=committee,
        title=title,
        summary=summary.strip(),
        category=category,
        requested_type=requested_type,
        meeting_type=meeting_type,
        unit=unit,
        work_area=work_area,
        posts=posts,
        created_by=actor,
    )
    details = {"title": title, "category": category.name, "meeting_type": meeting_type.name, "unit": unit.name}
    if meeting_type != requested_type:
        details["routed_from"] = requested_type.name
    audit_log(actor=actor, action="topic.created", obj=topic, details=details)
    return topic


def _check_posts(category: TopicCategory, posts: int | None) -> None:
    if posts is not None and not category.cadre_item:
        raise ApplicationError("只有干部任免事项可以差额票决", field="posts")
    if posts is not None and posts < 1:
        raise ApplicationError("差额票决的职位数至少为1", field="posts")


TOPIC_FIELDS = ("title", "summary", "category", "requested_type", "unit", "work_area", "posts")


@transaction.atomic
def topic_update(*, topic: Topic, actor, **values) -> Topic:
    """Changes a draft; the meeting it goes to is routed again from the category and the type asked for."""
    topic = _lock(topic)
    _require_status(topic, EDITABLE, "修改（请先退回为草稿）")
    unknown = set(values) - set(TOPIC_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if "title" in values:
        values["title"] = values["title"].strip()
        if not values["title"]:
            raise ApplicationError("请填写议题名称", field="title")
    if "summary" in values:
        values["summary"] = values["summary"].strip()
    category = values.get("category", topic.category)
    requested = values.get("requested_type", topic.requested_type)
    values["meeting_type"] = topic_route(category=category, requested_type=requested)
    _check_posts(category, values.get("posts", topic.posts))
    if not category.cadre_item and topic.cadres.exists():
        raise ApplicationError("议题已列有涉及的干部，不能改为非干部事项", field="category")
    changed = {}
    for name, value in values.items():
        old = getattr(topic, name)
        if old != value:
            changed[name] = [str(old) if old is not None else "", str(value) if value is not None else ""]
            setattr(topic, name, value)
    if not changed:
        return topic
    topic.save(update_fields=[*[n for n in values if n in changed], "updated_at"])
    audit_log(actor=actor, action="topic.updated", obj=topic, details={"changed": changed})
    return topic


@transaction.atomic
def topic_cadre_add(*, topic: Topic, cadre, proposal: str, actor, appointment_proposal=None) -> TopicCadre:
    """A cadre the topic is about, with what is proposed; `appointment_proposal` links the procedure's proposal,
    whose decision the vote then records."""
    topic = _lock(topic)
    _require_status(topic, EDITABLE, "修改涉及的干部")
    if not topic.category.cadre_item:
        raise ApplicationError("只有干部任免事项列出涉及的干部", field="cadre")
    proposal = proposal.strip()
    if not proposal:
        raise ApplicationError("请填写拟任、拟免或推荐的职务", field="proposal")
    if topic.cadres.filter(cadre=cadre).exists():
        raise ApplicationError(f"{cadre.name}已在本议题中", field="cadre")
    order = (topic.cadres.aggregate(m=Max("order"))["m"] or 0) + 1
    row = TopicCadre.objects.create(
        topic=topic, cadre=cadre, proposal=proposal, order=order, appointment_proposal=appointment_proposal
    )
    audit_log(actor=actor, action="topic.cadre_added", obj=topic, details={"cadre": cadre.name, "proposal": proposal})
    return row


@transaction.atomic
def topic_cadre_remove(*, row: TopicCadre, actor) -> None:
    topic = _lock(row.topic)
    _require_status(topic, EDITABLE, "修改涉及的干部")
    audit_log(actor=actor, action="topic.cadre_removed", obj=topic, details={"cadre": row.cadre.name})
    row.delete()


@transaction.atomic
def material_add(*, topic: Topic, upload, actor) -> TopicMaterial:
    """Attaches a PDF or DOCX after checking what it really is (never by its name)."""
    topic = _lock(topic)
    _require_status(topic, MATERIALS_ADDABLE, "添加材料")
    checked = material_check(upload)
    order = (topic.materials.aggregate(m=Max("order"))["m"] or 0) + 1
    material = TopicMaterial(
        topic=topic,
        name=checked.name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        order=order,
        uploaded_by=actor,
    )
    material.file.save(f"material.{checked.kind}", ContentFile(checked.content), save=False)
    material.save()
    audit_log(
        actor=actor,
        action="topic.material_added",
        obj=topic,
        details={"material": material.name, "size": material.size, "sha256": material.sha256},
    )
    return material


@transaction.atomic
def material_remove(*, material: TopicMaterial, actor) -> None:
    topic = _lock(material.topic)
    _require_status(topic, MATERIALS_REMOVABLE, "删除材料")
    audit_log(actor=actor, action="topic.material_removed", obj=topic, details={"material": material.name})
    stored = [material.file.name, reading_path(material)]
    material.delete()
    storage = material.file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])


def topic_gates(topic: Topic, *, on=None) -> list[str]:
    """What stands between an approved topic and an agenda, in Chinese; empty when it may be scheduled."""
    problems = []
    if not topic.materials.exists():
        problems.append("尚未上传议题材料")
    if topic.category.consultation_required and not topic.consultations.filter(closed_at__isnull=False).exists():
        problems.append(f"“{topic.category.name}”须先酝酿征求意见，尚未完成")
    if topic.urgent_reason and (missing := plenary_members_not_consulted(topic)):
        problems.append(URGENT_PLENARY_GATE.format(missing=missing))
    if topic.category.cadre_item:
        rows = list(topic.cadres.select_related("cadre"))
        if not rows:
            problems.append("干部任免事项尚未列出涉及的干部")
        if topic.posts is not None and len(rows) <= topic.posts:
            problems.append(f"差额票决的候选人（{len(rows)}人）须多于职位数（{topic.posts}个）")
        on = on or timezone.localdate()
        readiness = decision_readiness([row.cadre for row in rows], on)
        for row in rows:
            for result in readiness[row.cadre_id]:
                if not result.passed:
                    problems.append(f"{row.cadre.name}：{result.reason}")
    return problems


def _transition(topic: Topic, to: str, *, actor, reason: str = "", **fields) -> Topic:
    """Moves a locked topic along its procedure: the table decides, history and audit record it."""
    if topic.status == to:
        return topic
    if to not in Topic.TRANSITIONS[topic.status]:
        raise ApplicationError(f"议题{STATUS_WORDS[topic.status]}，不能改为“{STATUS_WORDS[to]}”")
    before = topic.status
    topic.status = to
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.save(update_fields=["status", *fields, "updated_at"])
    TopicTransition.objects.create(topic=topic, from_status=before, to_status=to, reason=reason, actor=actor)
    audit_log(
        actor=actor,
        action=f"topic.{to}",
        obj=topic,
        details={"from": before, "to": to, **({"reason": reason} if reason else {})},
    )
    return topic


def topic_set_status(*, topic: Topic, to: str, actor, reason: str = "") -> Topic:
    """For the meetings' own services (scheduling, deciding, deferring), inside their transaction."""
    return _transition(_lock(topic), to, actor=actor, reason=reason)


@transaction.atomic
def topic_submit(*, topic: Topic, actor) -> Topic:
    topic = _lock(topic)
    if topic.status == Status.SUBMITTED:
        return topic
    if topic.category.cadre_item and not topic.cadres.exists():
        raise ApplicationError("干部任免事项须列出涉及的干部后才能提交")
    if topic.posts is not None and topic.cadres.count() <= topic.posts:
        raise ApplicationError(f"差额票决的候选人须多于职位数（{topic.posts}个）")
    return _transition(topic, Status.SUBMITTED, actor=actor, submitted_at=timezone.now())


def topic_secretary(topic: Topic) -> TermMember | None:
    term = current_term()
    if term is None or term.committee_id != topic.committee_id:
        return None
    return term.members.filter(role=TermMember.Role.SECRETARY, left_on__isnull=True).select_related("cadre").first()


@transaction.atomic
def topic_approve(*, topic: Topic, actor) -> Topic:
    """书记审定: only the serving secretary puts a topic forward for an agenda."""
    topic = _lock(topic)
    if topic.status == Status.APPROVED:
        return topic
    if topic.status != Status.SUBMITTED:
        # the table lets a scheduled topic fall back to approved (taken off an agenda): that is no 审定
        raise ApplicationError(f"议题{STATUS_WORDS[topic.status]}，不能改为“{STATUS_WORDS[Status.APPROVED]}”")
    secretary = topic_secretary(topic)
    if secretary is None or getattr(actor, "pk", None) is None or secretary.cadre.user_id != actor.pk:
        raise ApplicationError("议题须由书记审定")
    return _transition(topic, Status.APPROVED, actor=actor, approved_at=timezone.now(), approved_by=actor)


@transaction.atomic
def topic_return(*, topic: Topic, actor, reason: str) -> Topic:
    """Sends a submitted topic back to its draft for changes, saying why."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明退回的理由", field="reason")
    topic = _lock(topic)
    return _transition(topic, Status.DRAFT, actor=actor, reason=reason, submitted_at=None)


@transaction.atomic
def topic_withdraw(*, topic: Topic, actor, reason: str) -> Topic:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请说明撤回的理由", field="reason")
    topic = _lock(topic)
    if topic.status == Status.SCHEDULED:
        from .meetings import agenda_item_remove  # the agenda belongs to the meetings' services

        item = topic.agenda_items.select_related("meeting").order_by("-meeting__starts_at").first()
        agenda_item_remove(item=item, actor=actor, reason=reason)
        topic.refresh_from_db()
    return _transition(topic, Status.WITHDRAWN, actor=actor, reason=reason)


def consultation_members(topic: Topic) -> list[TermMember]:
    """Who is asked by default: the members who vote at the meeting the topic goes to."""
    term = current_term()
    if term is None:
        return []
    # a plenary matter decided by the standing committee in an urgent case: every full member is consulted
    roles = TermMember.FULL_MEMBER_ROLES if topic.urgent_reason else topic.meeting_type.voting_roles
    return list(term.members.filter(role__in=roles, left_on__isnull=True).select_related("cadre"))


@transaction.atomic
def consultation_request(
    *, topic: Topic, deadline: datetime, actor, question: str = "", members: list[TermMember] | None = None
) -> Consultation:
    topic = _lock(topic)
    _require_status(topic, CONSULTABLE, "征求意见")
    if deadline <= timezone.now():
        raise ApplicationError("截止时间须晚于现在", field="deadline")
    members = consultation_members(topic) if members is None else members
    if not members:
        raise ApplicationError("没有可征求意见的成员", field="members")
    consultation = Consultation.objects.create(
        topic=topic, question=question.strip(), deadline=deadline, requested_by=actor
    )
    consultation.asked.set(members)
    audit_log(
        actor=actor,
        action="consultation.requested",
        obj=topic,
        details={"consultation": consultation.pk, "deadline": deadline.isoformat(), "asked": len(members)},
    )
    transaction.on_commit(lambda: reminders.consultation_reminders_schedule(consultation))
    return consultation


@transaction.atomic
def opinion_submit(*, consultation: Consultation, member: TermMember, text: str, actor) -> Opinion:
    """A member's written opinion, which they may revise until the deadline."""
    consultation = Consultation.objects.select_for_update().select_related("topic").get(pk=consultation.pk)
    text = text.strip()
    if not text:
        raise ApplicationError("请填写意见", field="text")
    if not consultation.asked.filter(pk=member.pk).exists():
        raise ApplicationError("未向您征求本议题的意见")
    if consultation.closed_at is not None or consultation.deadline <= timezone.now():
        raise ApplicationError("征求意见已截止")
    opinion, created = Opinion.objects.update_or_create(
        consultation=consultation, member=member, defaults={"text": text}
    )
    audit_log(
        actor=actor,
        action="opinion.submitted" if created else "opinion.revised",
        obj=consultation.topic,
        details={"consultation": consultation.pk, "member": member.cadre.name},
    )
    transaction.on_commit(lambda: reminders.consultation_reminder_cancel(consultation, member))
    return opinion


@transaction.atomic
def consultation_close(*, consultation: Consultation, actor) -> Consultation:
    """Ends a consultation: after its deadline, or earlier once every member asked has answered."""
    consultation = Consultation.objects.select_for_update().select_related("topic").get(pk=consultation.pk)
    if consultation.closed_at is not None:
        return consultation
    asked = consultation.asked.count()
    answered = consultation.opinions.count()
    if consultation.deadline > timezone.now() and answered < asked:
        raise ApplicationError(f"征求意见尚未截止，还有{asked - answered}人未反馈意见")
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["closed_at", "updated_at"])
    audit_log(
        actor=actor,
        action="consultation.closed",
        obj=consultation.topic,
        details={"consultation": consultation.pk, "asked": asked, "answered": answered},
    )
    transaction.on_commit(lambda: reminders.consultation_reminders_schedule(consultation))
    return consultation
