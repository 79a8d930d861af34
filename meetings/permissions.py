"""Access to meetings, topics and their materials. The department staff who prepare meetings see them all (model
permissions by role); a committee member sees only the meetings they attend (the object permission the scheduling
service grants) and never the materials or votes of an item they are recused from. What a user may not see is a
404: its existence is not revealed."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from committees.models import TermMember
from orgdept.core.object_permissions import require_perm

from .models import (
    AgendaItem,
    Attendance,
    Consultation,
    Decision,
    FollowUp,
    Meeting,
    MemberRelation,
    Recusal,
    Topic,
    TopicCadre,
    TopicMaterial,
)

ATTEND = "meetings.attend_meeting"


def is_meeting_staff(user, perm: str = "meetings.view_meeting") -> bool:
    return user.has_perm(perm)


def attended_meetings(user) -> QuerySet[Meeting]:
    """The meetings a member attends (and so may read): by the object permission the scheduling service grants,
    and by their seat's attendance, so that an account linked to its cadre record after the meeting was scheduled
    reads it as well."""
    granted = get_objects_for_user(user, ATTEND, klass=Meeting, accept_global_perms=False)
    cadre_id = getattr(getattr(user, "cadre", None), "pk", None)
    if cadre_id is None:
        return granted
    return Meeting.objects.filter(
        Q(pk__in=granted.values("pk"))
        | Q(pk__in=Attendance.objects.filter(member__cadre_id=cadre_id).values("meeting_id"))
    )


def attends(user, meeting: Meeting) -> bool:
    """Whether `user` attends `meeting`, as `attended_meetings` decides it (the grant to them or to one of their
    groups, or their seat's attendance), in one query."""
    if user.is_superuser:
        return True
    content_type = ContentType.objects.get_for_model(Meeting)
    codename = ATTEND.split(".")[1]
    grant = {
        "content_type": content_type,
        "object_pk": str(meeting.pk),
        "permission__codename": codename,
        "permission__content_type": content_type,
    }
    return (
        Meeting.objects.filter(pk=meeting.pk)
        .filter(
            Exists(UserObjectPermission.objects.filter(user_id=user.pk, **grant))
            | Exists(GroupObjectPermission.objects.filter(group__user=user.pk, **grant))
            | Exists(Attendance.objects.filter(meeting_id=OuterRef("pk"), member__cadre__user_id=user.pk))
        )
        .exists()
    )


def visible_meetings(user) -> QuerySet[Meeting]:
    if is_meeting_staff(user):
        return Meeting.objects.all()
    return attended_meetings(user)


def recused_item_ids(user) -> QuerySet:
    """The agenda items the user's seat is recused from."""
    cadre_id = getattr(getattr(user, "cadre", None), "pk", None)
    return Recusal.objects.filter(member__cadre_id=cadre_id).values("item_id") if cadre_id else Recusal.objects.none()


def readable_items(user) -> QuerySet[AgendaItem]:
    """Agenda items whose materials and votes the user may read."""
    if is_meeting_staff(user):
        return AgendaItem.objects.all()
    return AgendaItem.objects.filter(meeting__in=attended_meetings(user)).exclude(pk__in=recused_item_ids(user))


def asked_consultations(user) -> QuerySet[Consultation]:
    cadre_id = getattr(getattr(user, "cadre", None), "pk", None)
    if cadre_id is None:
        return Consultation.objects.none()
    return Consultation.objects.filter(asked__cadre_id=cadre_id)


def secretary_topics(user) -> QuerySet[Topic]:
    """The topics the serving secretary reviews for 书记审定: their committee's, once submitted (drafts stay with the
    department)."""
    cadre_id = getattr(getattr(user, "cadre", None), "pk", None)
    if cadre_id is None:
        return Topic.objects.none()
    seats = TermMember.objects.filter(
        cadre_id=cadre_id, role=TermMember.Role.SECRETARY, left_on__isnull=True, term__ends_on__isnull=True
    )
    return Topic.objects.filter(committee_id__in=seats.values("term__committee_id")).exclude(status=Topic.Status.DRAFT)


def visible_topics(user) -> QuerySet[Topic]:
    if is_meeting_staff(user, "meetings.view_topic"):
        return Topic.objects.all()
    return Topic.objects.filter(
        Q(pk__in=readable_items(user).values("topic_id"))
        | Q(pk__in=asked_consultations(user).values("topic_id"))
        | Q(pk__in=secretary_topics(user).values("pk"))
    )


def access_meeting(user, pk: int, perm: str = "meetings.view_meeting") -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("meeting_type", "term__committee"), pk=pk)
    if perm == "meetings.view_meeting" and not is_meeting_staff(user):
        if not attends(user, meeting):
            raise Http404
    else:
        require_perm(user, perm, meeting)
    return meeting


def access_item(user, pk: int, perm: str = "meetings.view_agendaitem") -> AgendaItem:
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__meeting_type", "meeting__term", "topic__category"), pk=pk
    )
    if perm == "meetings.view_agendaitem" and not is_meeting_staff(user, perm):
        if not readable_items(user).filter(pk=item.pk).exists():
            raise Http404
        return item
    require_perm(user, perm, item)
    return item


def access_topic(user, pk: int, perm: str = "meetings.view_topic") -> Topic:
    topic = get_object_or_404(
        Topic.objects.select_related("category", "meeting_type", "requested_type", "unit", "work_area", "committee"),
        pk=pk,
    )
    if perm == "meetings.view_topic" and not is_meeting_staff(user, perm):
        if not visible_topics(user).filter(pk=topic.pk).exists():
            raise Http404
        return topic
    require_perm(user, perm, topic)
    return topic


def access_topic_cadre(user, pk: int, perm: str = "meetings.change_topic") -> TopicCadre:
    row = get_object_or_404(TopicCadre.objects.select_related("topic", "cadre"), pk=pk)
    require_perm(user, perm, row.topic)
    return row


def access_material(user, pk: int, perm: str = "meetings.view_topicmaterial") -> TopicMaterial:
    """A material: for staff; for a member, when its topic is on the agenda of a meeting they attend and they are
    not recused from it, when they are asked for their opinion on the topic, or when they are the secretary
    reviewing it."""
    material = get_object_or_404(TopicMaterial.objects.select_related("topic"), pk=pk)
    if perm == "meetings.view_topicmaterial" and not is_meeting_staff(user, perm):
        topic_id = material.topic_id
        if recused_item_ids(user).filter(item__topic_id=topic_id).exists():
            raise Http404
        readable = readable_items(user).filter(topic_id=topic_id).exists()
        consulted = asked_consultations(user).filter(topic_id=topic_id).exists()
        if not (readable or consulted or secretary_topics(user).filter(pk=topic_id).exists()):
            raise Http404
        return material
    require_perm(user, perm, material.topic)
    return material


def access_consultation(user, pk: int, perm: str = "meetings.view_consultation") -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("topic__category"), pk=pk)
    if perm == "meetings.view_consultation" and not is_meeting_staff(user, perm):
        if not asked_consultations(user).filter(pk=consultation.pk).exists():
            raise Http404
        return consultation
    require_perm(user, perm, consultation)
    return consultation


def visible_decisions(user) -> QuerySet[Decision]:
    if is_meeting_staff(user, "meetings.view_decision"):
        return Decision.objects.all()
    return Decision.objects.filter(item__in=readable_items(user))


def access_decision(user, pk: int, perm: str = "meetings.view_decision") -> Decision:
    decision = get_object_or_404(Decision.objects.select_related("item__meeting__meeting_type", "item__topic"), pk=pk)
    if perm == "meetings.view_decision" and not is_meeting_staff(user, perm):
        if not visible_decisions(user).filter(pk=decision.pk).exists():
            raise Http404
        return decision
    require_perm(user, perm, decision)
    return decision


def visible_follow_ups(user) -> QuerySet[FollowUp]:
    if is_meeting_staff(user, "meetings.view_followup"):
        return FollowUp.objects.all()
    return FollowUp.objects.filter(Q(member__cadre__user=user) | Q(decision__in=visible_decisions(user)))


def access_follow_up(user, pk: int, perm: str = "meetings.view_followup") -> FollowUp:
    """A follow-up: for staff; the responsible member may read it and add progress notes."""
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("decision__item__meeting__meeting_type", "member__cadre", "area"), pk=pk
    )
    responsible = follow_up.member is not None and follow_up.member.cadre.user_id == getattr(user, "pk", None)
    if perm in ("meetings.view_followup", "meetings.add_followupnote") and responsible:
        return follow_up
    if perm == "meetings.view_followup" and not is_meeting_staff(user, perm):
        if not visible_follow_ups(user).filter(pk=follow_up.pk).exists():
            raise Http404
        return follow_up
    require_perm(user, perm, follow_up)
    return follow_up


def access_relation(user, pk: int, perm: str = "meetings.change_memberrelation") -> MemberRelation:
    relation = get_object_or_404(MemberRelation.objects.select_related("member_cadre", "cadre"), pk=pk)
    require_perm(user, perm, relation)
    return relation
