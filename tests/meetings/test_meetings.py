"""Meetings through the services: who attends each type and with what right, numbering, the attendees' permission
to read the meeting, the rules of the agenda, taking topics off it, attendance and opening, recusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cadres.services.records import cadre_replace_family
from committees.models import TermMember
from meetings.models import AgendaItem, Attendance, Meeting, MeetingType, MemberRelation, Topic, TopicCategory
from meetings.services import meetings as services
from meetings.services.rules import topic_category_update
from meetings.services.topics import topic_withdraw
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import (
    CADRE_PLENARY,
    CADRE_STANDING,
    JOINT,
    PARTY_BUILDING,
    full_members_of,
    make_committee_term,
    make_meeting,
    make_topic,
    meeting_type,
    standing_of,
    user_for,
)

R = TermMember.Role
ATTEND = "meetings.attend_meeting"


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def committee(db):
    """A term with 15 members (7 on the standing committee) and 3 alternates."""
    return make_committee_term(standing=7, members=15, alternates=3)


def schedule(term, code: str, staff, **kwargs):
    return services.meeting_schedule(
        term=term,
        meeting_type=meeting_type(code),
        starts_at=kwargs.pop("starts_at", timezone.now() + timedelta(days=5)),
        place=kwargs.pop("place", "区委第一会议室"),
        actor=staff,
        **kwargs,
    )


def attendees(meeting) -> dict[str, list[str]]:
    rows = meeting.attendances.select_related("member__cadre").order_by("-voting", "member__order")
    return {
        "voting": [a.member.cadre.name for a in rows if a.voting],
        "nonvoting": [a.member.cadre.name for a in rows if not a.voting],
    }


def names(members) -> list[str]:
    return [m.cadre.name for m in members]


# --- scheduling ------------------------------------------------------------------------------------------------


def test_the_plenary_expects_every_member_with_a_vote_and_the_alternates_without(committee, staff):
    term, seats = committee
    meeting = schedule(term, "plenary", staff)
    assert attendees(meeting) == {"voting": names(full_members_of(seats)), "nonvoting": names(seats[R.ALTERNATE])}
    assert meeting.observers == MeetingType.objects.get(code="plenary").observers


def test_each_type_expects_its_own_members(committee, staff):
    term, seats = committee
    standing = schedule(term, "standing", staff)
    assert attendees(standing) == {"voting": names(standing_of(seats)), "nonvoting": []}
    joint = schedule(term, "joint", staff)
    assert attendees(joint) == {"voting": names(standing_of(seats)), "nonvoting": []}
    # the 书记办公会: the secretary and the deputies, none of them with a vote
    secretaries = schedule(term, "secretaries", staff)
    assert attendees(secretaries) == {
        "voting": [],
        "nonvoting": names([*seats[R.SECRETARY], *seats[R.DEPUTY_SECRETARY]]),
    }


def test_a_member_who_left_before_the_day_is_not_expected(committee, staff):
    from committees.services import term_member_leave

    term, seats = committee
    leaving = seats[R.MEMBER][0]
    term_member_leave(member=leaving, left_on=timezone.localdate(), reason="调离", actor=staff)
    meeting = schedule(term, "plenary", staff, starts_at=timezone.now() + timedelta(days=2))
    assert leaving.cadre.name not in attendees(meeting)["voting"]
    assert meeting.attendances.filter(voting=True).count() == 14


def test_meetings_are_numbered_per_type_within_the_term(committee, staff):
    term, _seats = committee
    first = schedule(term, "standing", staff)
    plenary = schedule(term, "plenary", staff)
    second = schedule(term, "standing", staff)
    assert (first.number, second.number, plenary.number) == (1, 2, 1)
    assert (first.title, second.title, plenary.title) == ("第1次常委会", "第2次常委会", "第1次全委会")


def test_attendees_users_may_read_the_meeting_and_nobody_else(committee, staff, make_user):
    term, seats = committee
    standing_user = user_for(standing_of(seats)[3])
    member_user = user_for(seats[R.MEMBER][0])
    alternate_user = user_for(seats[R.ALTERNATE][0])
    outsider = make_user(roles.STANDING_MEMBER)

    standing = schedule(term, "standing", staff)
    plenary = schedule(term, "plenary", staff)

    def may(user, meeting):
        # a fresh user object: django-guardian caches the permissions it read
        return get_user_model().objects.get(pk=user.pk).has_perm(ATTEND, meeting)

    assert may(standing_user, standing) and may(standing_user, plenary)
    assert not may(member_user, standing) and may(member_user, plenary)
    assert not may(alternate_user, standing) and may(alternate_user, plenary)
    assert not may(outsider, standing) and not may(outsider, plenary)
    granted = AuditEvent.objects.filter(action="permission.granted", object_id=str(plenary.pk))
    assert granted.count() == 4  # the secretary's user and the three linked above


def test_scheduling_is_refused_without_a_place_or_before_the_term(committee, staff):
    term, _seats = committee
    with pytest.raises(ApplicationError) as refused:
        schedule(term, "standing", staff, place="  ")
    assert (refused.value.message, refused.value.field) == ("请填写会议地点", "place")
    with pytest.raises(ApplicationError, match="会议时间早于本届开始") as refused:
        schedule(term, "standing", staff, starts_at=timezone.now().replace(year=2020))
    assert refused.value.field == "starts_at"
    assert not Meeting.objects.exists()


def test_changing_a_scheduled_meeting_is_audited_and_refused_once_held(committee, staff):
    term, seats = committee
    meeting = schedule(term, "standing", staff)
    services.meeting_update(meeting=meeting, place="区委第二会议室", presided_by=seats[R.SECRETARY][0], actor=staff)
    meeting.refresh_from_db()
    assert (meeting.place, meeting.presided_by) == ("区委第二会议室", seats[R.SECRETARY][0])
    event = AuditEvent.objects.filter(action="meeting.updated").get()
    assert event.details["changed"]["place"] == ["区委第一会议室", "区委第二会议室"]
    services.meeting_cancel(meeting=meeting, reason="改期", actor=staff)
    with pytest.raises(ApplicationError, match="第1次常委会已取消，不能修改"):
        services.meeting_update(meeting=meeting, place="别处", actor=staff)


# --- the agenda ------------------------------------------------------------------------------------------------


def test_only_an_approved_topic_goes_on_an_agenda(committee, staff):
    term, _seats = committee
    meeting = schedule(term, "standing", staff)
    draft = make_topic(term, actor=staff, ready=False)
    with pytest.raises(ApplicationError) as refused:
        services.agenda_item_add(meeting=meeting, topic=draft, actor=staff)
    assert (refused.value.message, refused.value.field) == ("议题须经书记审定后才能列入议程", "topic")
    withdrawn = make_topic(term, actor=staff, title="已撤回的议题")
    topic_withdraw(topic=withdrawn, reason="不再需要", actor=staff)
    with pytest.raises(ApplicationError, match="议题已撤回，不能列入议程"):
        services.agenda_item_add(meeting=meeting, topic=withdrawn, actor=staff)
    assert not meeting.items.exists()


def test_a_topic_goes_only_to_the_meeting_type_that_decides_it(committee, staff):
    term, _seats = committee
    plenary_topic = make_topic(
        term,
        actor=staff,
        category=CADRE_PLENARY,
        type_code="standing",  # asked for the 常委会, routed to the 全委会
        cadres=[(make_cadre(make_unit(), "候选人甲"), "拟任区财政局局长")],
    )
    assert plenary_topic.meeting_type.code == "plenary"
    standing = schedule(term, "standing", staff)
    with pytest.raises(ApplicationError) as refused:
        services.agenda_item_add(meeting=standing, topic=plenary_topic, actor=staff)
    assert refused.value.message == "该议题须提交全委会，不能列入第1次常委会"
    plenary = schedule(term, "plenary", staff)
    services.agenda_item_add(meeting=plenary, topic=plenary_topic, actor=staff)


def test_a_topic_outside_the_scope_of_the_meeting_is_refused(committee, staff):
    term, _seats = committee
    topic = make_topic(term, actor=staff, category=PARTY_BUILDING, type_code="standing")
    # the administrators later leave party building to the plenary alone
    topic_category_update(
        category=TopicCategory.objects.get(name=PARTY_BUILDING), meeting_types=[meeting_type("plenary")], actor=None
    )
    meeting = schedule(term, "standing", staff)
    with pytest.raises(ApplicationError) as refused:
        services.agenda_item_add(meeting=meeting, topic=topic, actor=staff)
    assert refused.value.message == f"“{PARTY_BUILDING}”不属于常委会的议事范围"


def test_a_topic_that_has_not_passed_its_gates_is_refused(committee, staff):
    term, _seats = committee
    topic = make_topic(term, actor=staff, category=JOINT, type_code="joint", material=False)
    meeting = schedule(term, "joint", staff)
    with pytest.raises(ApplicationError) as refused:
        services.agenda_item_add(meeting=meeting, topic=topic, actor=staff)
    assert refused.value.message == "议题尚不能列入议程：尚未上传议题材料"
    assert Topic.objects.get(pk=topic.pk).status == Topic.Status.APPROVED


def test_the_agenda_keeps_its_order_when_moved_and_removed(committee, staff):
    term, _seats = committee
    topics = [make_topic(term, actor=staff, title=f"议题{i}") for i in range(1, 4)]
    meeting = make_meeting(term, actor=staff, topics=topics)
    assert [t.status for t in Topic.objects.filter(pk__in=[t.pk for t in topics])] == [Topic.Status.SCHEDULED] * 3

    def order():
        return list(meeting.items.order_by("order").values_list("topic__title", "order"))

    third = meeting.items.get(topic=topics[2])
    services.agenda_item_move(item=third, up=True, actor=staff)
    assert order() == [("议题1", 1), ("议题3", 2), ("议题2", 3)]
    services.agenda_item_remove(item=meeting.items.get(topic=topics[0]), reason="材料需补充", actor=staff)
    assert order() == [("议题3", 1), ("议题2", 2)]
    # the topic taken off goes back to the approved topics, for another meeting
    assert Topic.objects.get(pk=topics[0].pk).status == Topic.Status.APPROVED
    later = schedule(term, "standing", staff)
    services.agenda_item_add(meeting=later, topic=topics[0], actor=staff)


def test_cancelling_a_meeting_sends_its_topics_back(committee, staff):
    term, _seats = committee
    topics = [make_topic(term, actor=staff, title=f"议题{i}") for i in range(1, 3)]
    meeting = make_meeting(term, actor=staff, topics=topics)

    with pytest.raises(ApplicationError) as refused:
        services.meeting_cancel(meeting=meeting, reason=" ", actor=staff)
    assert refused.value.field == "reason"
    meeting = services.meeting_cancel(meeting=meeting, reason="书记外出", actor=staff)

    assert meeting.status == Meeting.Status.CANCELLED
    assert not meeting.items.exists()
    assert set(Topic.objects.filter(pk__in=[t.pk for t in topics]).values_list("status", flat=True)) == {"approved"}
    with pytest.raises(ApplicationError, match="第1次常委会已取消，不能调整议程"):
        services.agenda_item_add(meeting=meeting, topic=topics[0], actor=staff)
    with pytest.raises(ApplicationError, match="第1次常委会已取消，不能开始"):
        services.meeting_open(meeting=meeting, actor=staff)


# --- attendance and opening ------------------------------------------------------------------------------------


def test_a_meeting_opens_only_with_everyones_presence_taken_and_a_quorum(committee, staff):
    term, seats = committee
    meeting = schedule(term, "standing", staff)
    standing = standing_of(seats)
    with pytest.raises(ApplicationError, match=r"^请先登记出席情况：") as refused:
        services.meeting_open(meeting=meeting, actor=staff)
    assert standing[0].cadre.name in refused.value.message

    first = meeting.attendances.get(member=standing[0])
    with pytest.raises(ApplicationError) as refused:
        services.attendance_set(attendance=first, presence=Attendance.Presence.ABSENT, actor=staff)
    assert (refused.value.message, refused.value.field) == (f"请填写{standing[0].cadre.name}缺席的原因", "reason")

    # 4 of 7 is more than half; 3 is not
    present = {m.pk for m in standing[:3]}
    reasons = {m.pk: "出差" for m in standing[3:]}
    services.attendance_take(meeting=meeting, present=present, reasons=reasons, actor=staff)
    with pytest.raises(ApplicationError) as refused:
        services.meeting_open(meeting=meeting, actor=staff)
    assert (
        refused.value.message == "应到会成员7人，须有超过半数即至少4人到会方能召开；实到3人，不足法定人数，会议不能召开"
    )
    assert services.meeting_quorum(meeting).met is False

    services.attendance_set(
        attendance=meeting.attendances.get(member=standing[3]), presence=Attendance.Presence.PRESENT, actor=staff
    )
    meeting = services.meeting_open(meeting=meeting, actor=staff)
    assert meeting.status == Meeting.Status.IN_SESSION and meeting.opened_at is not None
    assert AuditEvent.objects.filter(action="meeting.opened").get().details == {"expected": 7, "present": 4}


def test_leave_is_asked_before_the_meeting_and_recorded_as_an_absence(committee, staff):
    term, seats = committee
    meeting = schedule(term, "standing", staff)
    member = standing_of(seats)[2]
    with pytest.raises(ApplicationError) as refused:
        services.leave_request(meeting=meeting, member=member, reason="", actor=staff)
    assert refused.value.field == "reason"
    with pytest.raises(ApplicationError, match="您不是本次会议的出席人员"):
        services.leave_request(meeting=meeting, member=seats[R.MEMBER][0], reason="出差", actor=staff)

    attendance = services.leave_request(meeting=meeting, member=member, reason="参加市委全会", actor=staff)
    assert (attendance.presence, attendance.leave_reason) == ("absent", "参加市委全会")
    assert attendance.leave_requested_at is not None

    # present after all: the reason is cleared
    attendance = services.attendance_set(attendance=attendance, presence="present", actor=staff)
    assert (attendance.presence, attendance.leave_reason) == ("present", "")


def test_adjourning_needs_every_item_taken(committee, staff):
    term, seats = committee
    meeting = make_meeting(term, actor=staff, topics=[make_topic(term, actor=staff)])
    with pytest.raises(ApplicationError, match="第1次常委会尚未召开，不能结束"):
        services.meeting_adjourn(meeting=meeting, actor=staff)
    services.attendance_take(meeting=meeting, present={m.pk for m in standing_of(seats)}, reasons={}, actor=staff)
    services.meeting_open(meeting=meeting, actor=staff)
    with pytest.raises(ApplicationError, match="以下议程尚未处理（表决、缓议或研究）：第1项"):
        services.meeting_adjourn(meeting=meeting, actor=staff)


def test_the_secretaries_meeting_opens_with_its_secretaries(committee, staff):
    term, seats = committee
    meeting = schedule(term, "secretaries", staff)
    secretaries = [*seats[R.SECRETARY], *seats[R.DEPUTY_SECRETARY]]
    services.attendance_take(
        meeting=meeting, present={m.pk for m in secretaries[:2]}, reasons={secretaries[2].pk: "出差"}, actor=staff
    )
    quorum = services.meeting_quorum(meeting)
    assert (quorum.expected, quorum.present, quorum.needed, quorum.met) == (3, 2, 2, True)
    assert services.meeting_open(meeting=meeting, actor=staff).status == Meeting.Status.IN_SESSION


# --- recusal ---------------------------------------------------------------------------------------------------


def test_a_member_is_recused_from_an_item_about_themselves(committee, staff):
    term, seats = committee
    member = standing_of(seats)[4]
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, cadres=[(member.cadre, "拟任区政协副主席")])
    meeting = make_meeting(term, actor=staff, topics=[topic])
    recusal = meeting.items.get().recusals.get()
    assert (recusal.member, recusal.reason) == (member, "本人为议题涉及的干部")


def test_a_member_is_recused_from_an_item_about_a_relative_in_the_cadre_files(committee, staff):
    term, seats = committee
    member = standing_of(seats)[5]
    unit = make_unit("区教育局")
    relative = make_cadre(unit, "王小明", current_post="区教育局副局长")
    cadre_replace_family(
        cadre=member.cadre,
        members=[
            {"relation": "妻子", "name": "李华", "work_and_post": "区人民医院医生"},
            {"relation": "弟弟", "name": "王小明", "work_and_post": "区教育局副局长"},
        ],
        actor=staff,
    )
    assert services.relations_refresh(term=term, actor=staff) == 1
    relation = MemberRelation.objects.get()
    assert (relation.member_cadre, relation.cadre, relation.relation, relation.source) == (
        member.cadre,
        relative,
        "弟弟",
        MemberRelation.Source.FAMILY,
    )
    # refreshing again finds nothing new
    assert services.relations_refresh(term=term, actor=staff) == 0

    topic = make_topic(term, actor=staff, category=CADRE_STANDING, cadres=[(relative, "拟任区教育局局长")])
    meeting = make_meeting(term, actor=staff, topics=[topic])
    recusal = meeting.items.get().recusals.get()
    assert (recusal.member, recusal.reason) == (member, "与王小明系弟弟关系")


def test_a_relation_entered_by_hand_and_a_recusal_declared_at_the_meeting(committee, staff):
    term, seats = committee
    standing = standing_of(seats)
    other = make_cadre(make_unit("区民政局"), "赵同学")
    relation = services.relation_add(member_cadre=standing[6].cadre, cadre=other, relation="同学", actor=staff)
    with pytest.raises(ApplicationError, match="已登记") as refused:
        services.relation_add(member_cadre=standing[6].cadre, cadre=other, relation="同学", actor=staff)
    assert refused.value.field == "cadre"
    with pytest.raises(ApplicationError, match="不能登记与本人的关系"):
        services.relation_add(member_cadre=other, cadre=other, relation="本人", actor=staff)

    topic = make_topic(term, actor=staff, category=CADRE_STANDING, cadres=[(other, "拟任区民政局局长")])
    meeting = make_meeting(term, actor=staff, topics=[topic])
    item = meeting.items.get()
    assert item.recusals.get().member == standing[6]

    services.relation_end(relation=relation, actor=staff)
    assert MemberRelation.objects.get().ended_at is not None
    with pytest.raises(ApplicationError) as refused:
        services.recusal_add(item=item, member=standing[1], reason=" ", actor=staff)
    assert refused.value.field == "reason"
    with pytest.raises(ApplicationError, match="该成员不是本次会议的出席人员"):
        services.recusal_add(item=item, member=seats[R.MEMBER][0], reason="亲属", actor=staff)
    services.recusal_add(item=item, member=standing[1], reason="与拟任人选曾为上下级", actor=staff)
    assert sorted(item.recusals.values_list("member__order", flat=True)) == [2, 7]
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.PENDING
