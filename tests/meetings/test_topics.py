"""Topics (议题) through their services: entry and routing to the 全委会, scope refusals, every allowed and every
forbidden status change, 书记审定 by the secretary only, the gates before an agenda, consultations and opinions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from committees.models import TermMember
from meetings.models import Opinion, Topic, TopicCategory, TopicTransition
from meetings.selectors.topics import consultation_state, topic_checklist
from meetings.services.meetings import agenda_item_add, agenda_item_remove, attendance_take, meeting_open
from meetings.services.topics import (
    consultation_close,
    consultation_members,
    consultation_request,
    material_add,
    material_remove,
    opinion_submit,
    topic_approve,
    topic_cadre_add,
    topic_cadre_remove,
    topic_create,
    topic_gates,
    topic_return,
    topic_set_status,
    topic_submit,
    topic_update,
    topic_withdraw,
)
from meetings.services.votes import item_defer, item_discuss
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import (
    CADRE_PLENARY,
    CADRE_STANDING,
    PARTY_BUILDING,
    SECRETARIES,
    make_committee_term,
    make_meeting,
    make_topic,
    meeting_type,
    pdf_upload,
    secretary_user,
    user_for,
)

S = Topic.Status
R = TermMember.Role


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, last_name="干部科", first_name="小王")


@pytest.fixture
def term_seats(db):
    return make_committee_term(standing=5, members=7, alternates=1)


@pytest.fixture
def term(term_seats):
    return term_seats[0]


@pytest.fixture
def seats(term_seats):
    return term_seats[1]


@pytest.fixture
def secretary(term):
    return secretary_user(term)


def category(name: str) -> TopicCategory:
    return TopicCategory.objects.get(name=name)


def events(action: str, topic: Topic) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=action, object_type="meetings.topic", object_id=str(topic.pk)).order_by("id")
    )


def last_change(topic: Topic) -> TopicTransition:
    return topic.transitions.order_by("-created_at", "-id").first()


# --- entry, routing and scope ----------------------------------------------------------------------------------


def test_create_enters_a_draft_for_the_meeting_asked_and_audits_it(term, staff):
    unit = make_unit("区发改委")
    topic = topic_create(
        committee=term.committee,
        title="  关于加强基层党组织建设的意见 ",
        category=category(PARTY_BUILDING),
        requested_type=meeting_type("standing"),
        unit=unit,
        summary="说明",
        actor=staff,
    )
    assert topic.status == S.DRAFT and topic.title == "关于加强基层党组织建设的意见"
    assert topic.meeting_type == topic.requested_type == meeting_type("standing")
    assert topic.created_by == staff and topic.submitted_at is None and topic.approved_at is None
    (event,) = events("topic.created", topic)
    assert event.actor == staff
    assert event.details == {
        "title": topic.title,
        "category": PARTY_BUILDING,
        "meeting_type": "常委会",
        "unit": "区发改委",
    }


def test_create_refuses_a_blank_title(term, staff):
    with pytest.raises(ApplicationError) as excinfo:
        topic_create(
            committee=term.committee,
            title="   ",
            category=category(PARTY_BUILDING),
            requested_type=meeting_type("standing"),
            unit=make_unit(),
            actor=staff,
        )
    assert (excinfo.value.field, excinfo.value.message) == ("title", "请填写议题名称")


def test_a_plenary_only_category_asked_for_the_standing_committee_goes_to_the_plenary(term, staff):
    topic = topic_create(
        committee=term.committee,
        title="关于区管中层正职领导干部任免的议题",
        category=category("区管中层正职领导干部任免"),
        requested_type=meeting_type("standing"),
        unit=make_unit(),
        actor=staff,
    )
    assert topic.requested_type.code == "standing"
    assert topic.meeting_type.code == "plenary"
    (event,) = events("topic.created", topic)
    assert event.details["routed_from"] == "常委会" and event.details["meeting_type"] == "全委会"


def test_a_category_outside_the_scope_of_the_meeting_asked_is_refused(term, staff):
    with pytest.raises(ApplicationError) as excinfo:
        topic_create(
            committee=term.committee,
            title="关于表彰优秀干部的议题",
            category=category("干部奖惩"),
            requested_type=meeting_type("joint"),
            unit=make_unit(),
            actor=staff,
        )
    assert excinfo.value.field == "category"
    assert excinfo.value.message == "“干部奖惩”不属于党政联席会的议事范围（可由常委会决定）"
    assert not Topic.objects.exists()


def test_posts_belong_to_cadre_items_only(term, staff):
    with pytest.raises(ApplicationError) as excinfo:
        topic_create(
            committee=term.committee,
            title="议题",
            category=category(PARTY_BUILDING),
            requested_type=meeting_type("standing"),
            unit=make_unit(),
            posts=2,
            actor=staff,
        )
    assert (excinfo.value.field, excinfo.value.message) == ("posts", "只有干部任免事项可以差额票决")


def test_update_routes_again_and_records_what_changed(term, staff):
    topic = make_topic(term, actor=staff, ready=False, material=False)
    topic_update(topic=topic, category=category("区管中层正职领导干部任免"), actor=staff)
    topic.refresh_from_db()
    assert topic.meeting_type.code == "plenary" and topic.requested_type.code == "standing"
    (event,) = events("topic.updated", topic)
    assert event.details["changed"]["meeting_type"] == ["常委会", "全委会"]
    # nothing changed: nothing recorded
    topic_update(topic=topic, title=topic.title, actor=staff)
    assert len(events("topic.updated", topic)) == 1


def test_update_of_a_submitted_topic_is_refused(term, staff):
    topic = make_topic(term, actor=staff, ready=False)
    topic_submit(topic=topic, actor=staff)
    with pytest.raises(ApplicationError, match="议题已提交，不能修改"):
        topic_update(topic=topic, title="新名称", actor=staff)


# --- cadres and materials --------------------------------------------------------------------------------------


def test_cadres_are_listed_on_cadre_items_of_a_draft_only(term, staff):
    unit = make_unit()
    cadre = make_cadre(unit, "李四")
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, ready=False)
    row = topic_cadre_add(topic=topic, cadre=cadre, proposal="拟任区发改委主任", actor=staff)
    assert row.order == 1
    with pytest.raises(ApplicationError, match="李四已在本议题中"):
        topic_cadre_add(topic=topic, cadre=cadre, proposal="拟任", actor=staff)
    with pytest.raises(ApplicationError) as excinfo:
        topic_cadre_add(topic=topic, cadre=make_cadre(unit, "王五"), proposal=" ", actor=staff)
    assert excinfo.value.field == "proposal"
    other = make_topic(term, actor=staff, ready=False, material=False)
    with pytest.raises(ApplicationError, match="只有干部任免事项列出涉及的干部"):
        topic_cadre_add(topic=other, cadre=cadre, proposal="拟任", actor=staff)
    assert [e.details for e in events("topic.cadre_added", topic)] == [
        {"cadre": "李四", "proposal": "拟任区发改委主任"}
    ]
    topic_submit(topic=topic, actor=staff)
    with pytest.raises(ApplicationError, match="议题已提交，不能修改涉及的干部"):
        topic_cadre_remove(row=row, actor=staff)


def test_materials_are_removed_only_before_approval(term, staff):
    topic = make_topic(term, actor=staff, material=False, ready=False)
    material = material_add(topic=topic, upload=pdf_upload("说明.pdf"), actor=staff)
    assert (material.name, material.kind) == ("说明.pdf", "pdf")
    material_remove(material=material, actor=staff)
    assert not topic.materials.exists()
    assert [e.details["material"] for e in events("topic.material_removed", topic)] == ["说明.pdf"]
    approved = make_topic(term, actor=staff, title="已审定的议题")
    with pytest.raises(ApplicationError, match="议题书记已审定，不能删除材料"):
        material_remove(material=approved.materials.get(), actor=staff)


def test_a_material_that_is_not_pdf_or_docx_is_refused(term, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    topic = make_topic(term, actor=staff, material=False, ready=False)
    with pytest.raises(ApplicationError) as excinfo:
        material_add(topic=topic, upload=SimpleUploadedFile("a.pdf", b"just some words\n" * 10), actor=staff)
    assert excinfo.value.field == "file"
    assert "不是PDF或Word文档" in excinfo.value.message


# --- the status procedure: every allowed change ----------------------------------------------------------------


def _open(meeting, staff):
    attendance_take(meeting=meeting, present={a.member_id for a in meeting.attendances.all()}, reasons={}, actor=staff)
    return meeting_open(meeting=meeting, actor=staff)


def topic_in(status: str, term, staff) -> Topic:
    """A topic brought to `status` by the services that move it there in real use."""
    if status == S.DECIDED:
        topic = make_topic(term, actor=staff, category=SECRETARIES, type_code="secretaries")
        meeting = _open(make_meeting(term, actor=staff, type_code="secretaries", topics=[topic]), staff)
        item_discuss(item=meeting.items.get(), actor=staff, note="原则同意，提交常委会")
    elif status in (S.SCHEDULED, S.DEFERRED):
        topic = make_topic(term, actor=staff)
        meeting = make_meeting(term, actor=staff, topics=[topic])
        if status == S.DEFERRED:
            _open(meeting, staff)
            item_defer(item=meeting.items.get(), actor=staff, reason="待进一步调研")
    elif status == S.APPROVED:
        topic = make_topic(term, actor=staff)
    else:
        topic = make_topic(term, actor=staff, ready=False)
        if status == S.SUBMITTED:
            topic_submit(topic=topic, actor=staff)
        elif status == S.WITHDRAWN:
            topic_withdraw(topic=topic, actor=staff, reason="单位撤回")
    topic.refresh_from_db()
    assert topic.status == status
    return topic


def assert_moved(topic: Topic, before: str, after: str, actor, reason: str = "") -> None:
    topic.refresh_from_db()
    assert topic.status == after
    change = last_change(topic)
    assert (change.from_status, change.to_status, change.actor) == (before, after, actor)
    if reason:
        assert change.reason == reason
    event = events(f"topic.{after}", topic)[-1]
    assert event.actor == actor and event.details["from"] == before and event.details["to"] == after


def test_draft_to_submitted(term, staff):
    topic = topic_in(S.DRAFT, term, staff)
    topic_submit(topic=topic, actor=staff)
    assert_moved(topic, S.DRAFT, S.SUBMITTED, staff)
    assert topic.submitted_at is not None


def test_draft_to_withdrawn(term, staff):
    topic = topic_in(S.DRAFT, term, staff)
    topic_withdraw(topic=topic, actor=staff, reason="单位撤回")
    assert_moved(topic, S.DRAFT, S.WITHDRAWN, staff, "单位撤回")


def test_submitted_to_approved_by_the_secretary(term, staff, secretary):
    topic = topic_in(S.SUBMITTED, term, staff)
    topic_approve(topic=topic, actor=secretary)
    assert_moved(topic, S.SUBMITTED, S.APPROVED, secretary)
    assert topic.approved_by == secretary and topic.approved_at is not None


def test_submitted_returned_to_draft_with_a_reason(term, staff, secretary):
    topic = topic_in(S.SUBMITTED, term, staff)
    topic_return(topic=topic, actor=secretary, reason="请补充调研报告")
    assert_moved(topic, S.SUBMITTED, S.DRAFT, secretary, "请补充调研报告")
    assert topic.submitted_at is None
    assert events("topic.draft", topic)[-1].details["reason"] == "请补充调研报告"


def test_submitted_to_withdrawn(term, staff):
    topic = topic_in(S.SUBMITTED, term, staff)
    topic_withdraw(topic=topic, actor=staff, reason="不再提交")
    assert_moved(topic, S.SUBMITTED, S.WITHDRAWN, staff, "不再提交")


def test_approved_to_scheduled_on_an_agenda(term, staff):
    topic = topic_in(S.APPROVED, term, staff)
    meeting = make_meeting(term, actor=staff)
    agenda_item_add(meeting=meeting, topic=topic, actor=staff)
    assert_moved(topic, S.APPROVED, S.SCHEDULED, staff, meeting.title)


def test_approved_to_withdrawn(term, staff):
    topic = topic_in(S.APPROVED, term, staff)
    topic_withdraw(topic=topic, actor=staff, reason="情况变化")
    assert_moved(topic, S.APPROVED, S.WITHDRAWN, staff, "情况变化")


def test_scheduled_to_decided_when_the_meeting_takes_it(term, staff):
    topic = make_topic(term, actor=staff, category=SECRETARIES, type_code="secretaries")
    meeting = _open(make_meeting(term, actor=staff, type_code="secretaries", topics=[topic]), staff)
    item_discuss(item=meeting.items.get(), actor=staff, note="原则同意")
    assert_moved(topic, S.SCHEDULED, S.DECIDED, staff, "原则同意")


def test_scheduled_to_deferred(term, staff):
    topic = topic_in(S.SCHEDULED, term, staff)
    meeting = _open(topic.agenda_items.get().meeting, staff)
    item_defer(item=meeting.items.get(), actor=staff, reason="待进一步调研")
    assert_moved(topic, S.SCHEDULED, S.DEFERRED, staff, "待进一步调研")


def test_scheduled_back_to_approved_when_taken_off_the_agenda(term, staff):
    topic = topic_in(S.SCHEDULED, term, staff)
    agenda_item_remove(item=topic.agenda_items.get(), actor=staff, reason="调整到下次会议")
    assert_moved(topic, S.SCHEDULED, S.APPROVED, staff, "调整到下次会议")
    assert not topic.agenda_items.exists()


def test_scheduled_to_withdrawn_takes_it_off_the_agenda(term, staff):
    topic = topic_in(S.SCHEDULED, term, staff)
    topic_withdraw(topic=topic, actor=staff, reason="情况变化")
    assert_moved(topic, S.APPROVED, S.WITHDRAWN, staff, "情况变化")
    assert not topic.agenda_items.exists()
    assert [c.to_status for c in topic.transitions.all()][-2:] == [S.APPROVED, S.WITHDRAWN]


def test_deferred_to_scheduled_on_a_later_agenda(term, staff):
    topic = topic_in(S.DEFERRED, term, staff)
    later = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(days=10))
    agenda_item_add(meeting=later, topic=topic, actor=staff)
    assert_moved(topic, S.DEFERRED, S.SCHEDULED, staff, later.title)


def test_deferred_to_withdrawn(term, staff):
    topic = topic_in(S.DEFERRED, term, staff)
    topic_withdraw(topic=topic, actor=staff, reason="不再研究")
    assert_moved(topic, S.DEFERRED, S.WITHDRAWN, staff, "不再研究")


ALLOWED = {(a, b) for a, targets in Topic.TRANSITIONS.items() for b in targets}
FORBIDDEN = sorted((a, b) for a in Topic.TRANSITIONS for b in Topic.TRANSITIONS if a != b and (a, b) not in ALLOWED)


def test_the_table_has_thirteen_allowed_changes_and_each_has_its_test():
    assert len(ALLOWED) == 13 and len(FORBIDDEN) == 29


# --- every forbidden change ------------------------------------------------------------------------------------

WORDS = {
    S.DRAFT: "草稿",
    S.SUBMITTED: "已提交",
    S.APPROVED: "书记已审定",
    S.SCHEDULED: "已列入议程",
    S.DECIDED: "已决定",
    S.DEFERRED: "缓议",
    S.WITHDRAWN: "已撤回",
}


@pytest.mark.parametrize(("before", "after"), FORBIDDEN, ids=[f"{a}-{b}" for a, b in FORBIDDEN])
def test_a_forbidden_change_is_refused_and_leaves_no_trace(term, staff, before, after):
    topic = topic_in(before, term, staff)
    changes = topic.transitions.count()
    with pytest.raises(ApplicationError) as excinfo:
        topic_set_status(topic=topic, to=after, actor=staff)
    assert excinfo.value.message == f"议题{WORDS[before]}，不能改为“{WORDS[after]}”"
    topic.refresh_from_db()
    assert topic.status == before and topic.transitions.count() == changes


@pytest.mark.parametrize("before", [S.APPROVED, S.SCHEDULED, S.DECIDED, S.DEFERRED, S.WITHDRAWN])
def test_submitting_is_refused_once_past_the_draft(term, staff, before):
    topic = topic_in(before, term, staff)
    with pytest.raises(ApplicationError, match=f"议题{WORDS[before]}，不能改为“已提交”"):
        topic_submit(topic=topic, actor=staff)


@pytest.mark.parametrize("before", [S.DRAFT, S.SCHEDULED, S.DECIDED, S.DEFERRED, S.WITHDRAWN])
def test_the_secretary_approves_submitted_topics_only(term, staff, secretary, before):
    topic = topic_in(before, term, staff)
    changes = topic.transitions.count()
    # a scheduled topic may fall back to approved when taken off its agenda, but never by 审定
    with pytest.raises(ApplicationError, match=f"议题{WORDS[before]}，不能改为“书记已审定”"):
        topic_approve(topic=topic, actor=secretary)
    topic.refresh_from_db()
    assert topic.status == before and topic.transitions.count() == changes


@pytest.mark.parametrize("before", [S.APPROVED, S.SCHEDULED, S.DECIDED, S.DEFERRED, S.WITHDRAWN])
def test_returning_is_refused_unless_submitted(term, staff, before):
    topic = topic_in(before, term, staff)
    with pytest.raises(ApplicationError, match=f"议题{WORDS[before]}，不能改为“草稿”"):
        topic_return(topic=topic, actor=staff, reason="退回")


@pytest.mark.parametrize("before", [S.DECIDED])
def test_a_decided_topic_cannot_be_withdrawn(term, staff, before):
    topic = topic_in(before, term, staff)
    with pytest.raises(ApplicationError, match="议题已决定，不能改为“已撤回”"):
        topic_withdraw(topic=topic, actor=staff, reason="撤回")


def test_returning_and_withdrawing_need_a_reason(term, staff, secretary):
    topic = topic_in(S.SUBMITTED, term, staff)
    with pytest.raises(ApplicationError) as excinfo:
        topic_return(topic=topic, actor=secretary, reason="  ")
    assert (excinfo.value.field, excinfo.value.message) == ("reason", "请说明退回的理由")
    with pytest.raises(ApplicationError) as excinfo:
        topic_withdraw(topic=topic, actor=staff, reason="")
    assert (excinfo.value.field, excinfo.value.message) == ("reason", "请说明撤回的理由")
    topic.refresh_from_db()
    assert topic.status == S.SUBMITTED


def test_submitting_twice_changes_nothing(term, staff):
    topic = topic_in(S.SUBMITTED, term, staff)
    topic_submit(topic=topic, actor=staff)
    assert topic.transitions.count() == 1 and len(events("topic.submitted", topic)) == 1


# --- 书记审定 ---------------------------------------------------------------------------------------------------


def test_only_the_serving_secretary_approves(term, seats, staff, make_user):
    topic = topic_in(S.SUBMITTED, term, staff)
    deputy = user_for(seats[R.DEPUTY_SECRETARY][0])
    leader = make_user(roles.DEPARTMENT_LEADER)
    for actor in (staff, deputy, leader, None):
        with pytest.raises(ApplicationError, match="议题须由书记审定"):
            topic_approve(topic=topic, actor=actor)
    topic.refresh_from_db()
    assert topic.status == S.SUBMITTED and not events("topic.approved", topic)
    topic_approve(topic=topic, actor=secretary_user(term))
    topic.refresh_from_db()
    assert topic.status == S.APPROVED


def test_a_secretary_who_left_no_longer_approves(term, seats, staff):
    from committees.services import term_member_leave

    topic = topic_in(S.SUBMITTED, term, staff)
    former = secretary_user(term)
    term_member_leave(member=seats[R.SECRETARY][0], left_on=timezone.localdate(), reason="工作调动", actor=None)
    with pytest.raises(ApplicationError, match="议题须由书记审定"):
        topic_approve(topic=topic, actor=former)


# --- the gates before an agenda --------------------------------------------------------------------------------


def test_gates_a_topic_without_material(term, staff):
    topic = make_topic(term, actor=staff, material=False)
    assert topic_gates(topic) == ["尚未上传议题材料"]
    meeting = make_meeting(term, actor=staff)
    with pytest.raises(ApplicationError, match="议题尚不能列入议程：尚未上传议题材料"):
        agenda_item_add(meeting=meeting, topic=topic, actor=staff)


def test_gates_a_consultation_required_but_not_closed(term, staff, seats):
    cadre = make_cadre(make_unit(), "赵六")
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, cadres=[(cadre, "拟任区财政局局长")], ready=False)
    assert topic_gates(topic) == [f"“{CADRE_STANDING}”须先酝酿征求意见，尚未完成"]
    consultation = consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=2), members=seats[R.SECRETARY], actor=staff
    )
    assert topic_gates(topic) == [f"“{CADRE_STANDING}”须先酝酿征求意见，尚未完成"]
    opinion_submit(consultation=consultation, member=seats[R.SECRETARY][0], text="同意", actor=secretary_user(term))
    consultation_close(consultation=consultation, actor=staff)
    assert topic_gates(topic) == []


def test_gates_a_cadre_item_without_cadres(term, staff):
    topic = make_topic(term, actor=staff, category=CADRE_PLENARY, type_code="plenary", ready=False)
    assert topic_gates(topic) == [f"“{CADRE_PLENARY}”须先酝酿征求意见，尚未完成", "干部任免事项尚未列出涉及的干部"]
    with pytest.raises(ApplicationError, match="干部任免事项须列出涉及的干部后才能提交"):
        topic_submit(topic=topic, actor=staff)


def test_gates_a_competitive_vote_with_too_few_candidates(term, staff):
    unit = make_unit()
    cadres = [(make_cadre(unit, name), "拟任副局长") for name in ("甲", "乙")]
    topic = make_topic(
        term, actor=staff, category=CADRE_PLENARY, type_code="plenary", cadres=cadres, posts=2, ready=False
    )
    assert "差额票决的候选人（2人）须多于职位数（2个）" in topic_gates(topic)
    with pytest.raises(ApplicationError, match=r"差额票决的候选人须多于职位数（2个）"):
        topic_submit(topic=topic, actor=staff)
    topic_cadre_add(topic=topic, cadre=make_cadre(unit, "丙"), proposal="拟任副局长", actor=staff)
    assert not [p for p in topic_gates(topic) if p.startswith("差额票决")]


def test_the_checklist_shows_passed_gates_and_fails_with_the_gates_words(term, staff):
    unit = make_unit()
    topic = make_topic(
        term, actor=staff, category=CADRE_PLENARY, type_code="plenary", material=False, ready=False, posts=1
    )
    topic_cadre_add(topic=topic, cadre=make_cadre(unit, "甲"), proposal="拟任局长", actor=staff)

    def checklist():
        return topic_checklist(
            topic,
            materials=list(topic.materials.all()),
            consultations=list(topic.consultations.all()),
            cadres=list(topic.cadres.select_related("cadre")),
        )

    checks = checklist()
    assert [c.code for c in checks] == ["approval", "materials", "consultation", "cadres", "competitive"]
    assert [c.detail for c in checks if not c.ok and c.code != "approval"] == topic_gates(topic)
    assert {c.code: c.ok for c in checks} == {
        "approval": False,
        "materials": False,
        "consultation": False,
        "cadres": True,
        "competitive": False,
    }
    material_add(topic=topic, upload=pdf_upload(), actor=staff)
    topic_cadre_add(topic=topic, cadre=make_cadre(unit, "乙"), proposal="拟任局长", actor=staff)
    checks = checklist()
    assert {c.code: c.ok for c in checks}["materials"] and {c.code: c.ok for c in checks}["competitive"]
    assert [c.detail for c in checks if not c.ok and c.code != "approval"] == topic_gates(topic)


# --- consultations and opinions --------------------------------------------------------------------------------


@pytest.fixture
def consulted(term, seats, staff):
    """A submitted topic with a consultation asking the secretary and one deputy, due in two days."""
    topic = topic_in(S.SUBMITTED, term, staff)
    asked = [seats[R.SECRETARY][0], seats[R.DEPUTY_SECRETARY][0]]
    for member in asked:
        user_for(member)
    consultation = consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=2), question="请提出意见", members=asked, actor=staff
    )
    return consultation, asked


def test_the_default_members_asked_are_those_who_vote_where_the_topic_goes(term, seats, staff):
    standing = make_topic(term, actor=staff, ready=False)
    assert {m.role for m in consultation_members(standing)} == {R.SECRETARY, R.DEPUTY_SECRETARY, R.STANDING_MEMBER}
    assert len(consultation_members(standing)) == 5
    plenary = make_topic(term, actor=staff, category=CADRE_PLENARY, type_code="plenary", ready=False)
    assert len(consultation_members(plenary)) == 7  # members vote at the 全委会; the alternate does not
    consultation = consultation_request(topic=standing, deadline=timezone.now() + timedelta(hours=3), actor=staff)
    assert consultation.asked.count() == 5


def test_a_consultation_needs_a_deadline_ahead_and_someone_to_ask(term, staff):
    topic = topic_in(S.DRAFT, term, staff)
    with pytest.raises(ApplicationError) as excinfo:
        consultation_request(topic=topic, deadline=timezone.now() - timedelta(minutes=1), actor=staff)
    assert (excinfo.value.field, excinfo.value.message) == ("deadline", "截止时间须晚于现在")
    with pytest.raises(ApplicationError) as excinfo:
        consultation_request(topic=topic, deadline=timezone.now() + timedelta(days=1), members=[], actor=staff)
    assert (excinfo.value.field, excinfo.value.message) == ("members", "没有可征求意见的成员")


@pytest.mark.parametrize("before", [S.SCHEDULED, S.DECIDED, S.WITHDRAWN])
def test_no_consultation_once_on_an_agenda_or_closed(term, staff, before):
    topic = topic_in(before, term, staff)
    with pytest.raises(ApplicationError, match=f"议题{WORDS[before]}，不能征求意见"):
        consultation_request(topic=topic, deadline=timezone.now() + timedelta(days=1), actor=staff)


def test_the_consultation_is_audited(consulted, staff):
    consultation, _asked = consulted
    (event,) = events("consultation.requested", consultation.topic)
    assert event.actor == staff
    assert event.details["consultation"] == consultation.pk and event.details["asked"] == 2


def test_a_member_asked_gives_and_revises_an_opinion_until_the_deadline(consulted):
    consultation, asked = consulted
    member = asked[0]
    opinion_submit(consultation=consultation, member=member, text="同意", actor=member.cadre.user)
    opinion_submit(consultation=consultation, member=member, text="同意，建议补充材料", actor=member.cadre.user)
    assert Opinion.objects.get(consultation=consultation, member=member).text == "同意，建议补充材料"
    topic = consultation.topic
    opinions = AuditEvent.objects.filter(object_id=str(topic.pk), action__startswith="opinion.").order_by("id")
    assert [e.action for e in opinions] == [
        "opinion.submitted",
        "opinion.revised",
    ]
    with (
        time_machine.travel(consultation.deadline + timedelta(minutes=1)),
        pytest.raises(ApplicationError, match="征求意见已截止"),
    ):
        opinion_submit(consultation=consultation, member=member, text="改为不同意", actor=member.cadre.user)
    assert Opinion.objects.get(consultation=consultation, member=member).text == "同意，建议补充材料"


def test_an_opinion_needs_text(consulted):
    consultation, asked = consulted
    with pytest.raises(ApplicationError) as excinfo:
        opinion_submit(consultation=consultation, member=asked[0], text="  ", actor=asked[0].cadre.user)
    assert (excinfo.value.field, excinfo.value.message) == ("text", "请填写意见")


def test_an_opinion_from_someone_not_asked_is_refused(consulted, seats):
    consultation, _asked = consulted
    other = seats[R.STANDING_MEMBER][0]
    with pytest.raises(ApplicationError, match="未向您征求本议题的意见"):
        opinion_submit(consultation=consultation, member=other, text="同意", actor=user_for(other))
    assert not consultation.opinions.exists()


def test_closing_before_the_deadline_waits_for_every_answer(consulted, staff):
    consultation, asked = consulted
    with pytest.raises(ApplicationError, match="征求意见尚未截止，还有2人未反馈意见"):
        consultation_close(consultation=consultation, actor=staff)
    opinion_submit(consultation=consultation, member=asked[0], text="同意", actor=asked[0].cadre.user)
    with pytest.raises(ApplicationError, match="还有1人未反馈意见"):
        consultation_close(consultation=consultation, actor=staff)
    opinion_submit(consultation=consultation, member=asked[1], text="同意", actor=asked[1].cadre.user)
    consultation_close(consultation=consultation, actor=staff)
    consultation.refresh_from_db()
    assert consultation.closed_at is not None
    (event,) = events("consultation.closed", consultation.topic)
    assert event.details == {"consultation": consultation.pk, "asked": 2, "answered": 2}


def test_closing_after_the_deadline_whoever_answered(consulted, staff):
    consultation, _asked = consulted
    with time_machine.travel(consultation.deadline + timedelta(hours=1)):
        consultation_close(consultation=consultation, actor=staff)
        consultation_close(consultation=consultation, actor=staff)  # once closed, closing again changes nothing
    consultation.refresh_from_db()
    assert consultation.closed_at is not None
    assert len(events("consultation.closed", consultation.topic)) == 1
    state = consultation_state(consultation)
    assert (state.asked, state.answered, state.closed, state.open) == (2, 0, True, False)


def test_no_opinion_after_closing(consulted, staff):
    consultation, asked = consulted
    for member in asked:
        opinion_submit(consultation=consultation, member=member, text="同意", actor=member.cadre.user)
    consultation_close(consultation=consultation, actor=staff)
    with pytest.raises(ApplicationError, match="征求意见已截止"):
        opinion_submit(consultation=consultation, member=asked[0], text="补充意见", actor=asked[0].cadre.user)


def test_the_consultation_state_names_who_answered(consulted):
    consultation, asked = consulted
    opinion_submit(consultation=consultation, member=asked[1], text="同意", actor=asked[1].cadre.user)
    state = consultation_state(consultation)
    assert [(r.member.role, r.opinion is not None) for r in state.rows] == [
        (R.SECRETARY, False),
        (R.DEPUTY_SECRETARY, True),
    ]
    assert state.open and state.may_close is False
    assert state.row_of(asked[1].cadre.user).opinion.text == "同意"


# --- audit -----------------------------------------------------------------------------------------------------


def test_every_step_of_a_topic_is_audited(term, staff, secretary):
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, cadres=[(make_cadre(make_unit(), "钱七"), "拟任")])
    actions = list(
        AuditEvent.objects.filter(object_type="meetings.topic", object_id=str(topic.pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [
        ("topic.created", staff.pk),
        ("topic.cadre_added", staff.pk),
        ("topic.material_added", staff.pk),
        ("topic.submitted", staff.pk),
        ("consultation.requested", staff.pk),
        ("opinion.submitted", secretary.pk),
        ("consultation.closed", staff.pk),
        ("topic.approved", secretary.pk),
    ]


def test_the_audit_actions_have_chinese_labels():
    from orgdept.core.audit_actions import audit_action_label

    for action in (
        "topic.created",
        "topic.submitted",
        "topic.approved",
        "topic.draft",
        "topic.withdrawn",
        "consultation.requested",
        "opinion.submitted",
        "consultation.closed",
        "material.downloaded",
    ):
        assert audit_action_label(action) != action
