"""Training plans and their classes: drafting, submission, approval by 部领导 only, returns; class dates within the
plan's year, amendments of an approved plan, sessions within the class's dates."""

from __future__ import annotations

from datetime import date

import pytest

from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.training.factories import approve, call, make_class, make_plan, record_all
from training.models import ClassSession, TrainingPlan
from training.services import attendance, classes, plans

S = TrainingPlan.Status
pytestmark = pytest.mark.usefixtures("frozen")


def test_a_plan_is_created_as_a_draft_and_audited(staff):
    plan = plans.plan_create(year=2027, title=" 2027年度干部教育培训计划 ", notes="全区", actor=staff)
    assert (plan.year, plan.title, plan.status, plan.created_by) == (2027, "2027年度干部教育培训计划", S.DRAFT, staff)
    event = AuditEvent.objects.get(action="training_plan.created", object_id=str(plan.pk))
    assert event.details == {"year": 2027, "title": "2027年度干部教育培训计划"}


@pytest.mark.parametrize(
    ("year", "message"),
    [(2028, "计划年度应在2000年至2027年之间"), (1999, "计划年度应在2000年至2027年之间"), ("", "请填写计划年度")],
)
def test_a_plan_year_beyond_next_year_is_refused(staff, year, message):
    with pytest.raises(ApplicationError, match=message) as exc:
        plans.plan_create(year=year, title="计划", actor=staff)
    assert exc.value.field == "year"


def test_the_same_title_twice_in_a_year_is_refused(staff):
    plans.plan_create(year=2026, title="年度计划", actor=staff)
    with pytest.raises(ApplicationError, match="2026年度已有名为“年度计划”的培训计划"):
        plans.plan_create(year=2026, title="年度计划", actor=staff)
    assert plans.plan_create(year=2027, title="年度计划", actor=staff).year == 2027


def test_only_a_draft_is_edited(staff, leader):
    plan = make_plan(staff)
    plans.plan_update(plan=plan, title="新名称", notes="说明", actor=staff)
    plan.refresh_from_db()
    assert (plan.title, plan.notes) == ("新名称", "说明")
    make_class(plan, staff, start=date(2026, 5, 1), hours=[2])
    plans.plan_submit(plan=plan, actor=staff)
    with pytest.raises(ApplicationError, match="培训计划处于“待审批”状态，只有草稿可以修改名称和说明"):
        plans.plan_update(plan=plan, title="再改", notes="", actor=staff)


def test_a_plan_without_classes_cannot_be_submitted(staff):
    plan = make_plan(staff)
    with pytest.raises(ApplicationError, match="培训计划中还没有培训班，不能报送审批"):
        plans.plan_submit(plan=plan, actor=staff)


def test_submitting_twice_moves_once(staff):
    plan = make_plan(staff)
    make_class(plan, staff, start=date(2026, 5, 1))
    plans.plan_submit(plan=plan, actor=staff)
    plans.plan_submit(plan=plan, actor=staff)
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED and plan.submitted_at is not None
    assert AuditEvent.objects.filter(action="training_plan.submitted", object_id=str(plan.pk)).count() == 1


def test_the_training_section_cannot_approve_a_plan_and_the_leader_can(staff, leader):
    plan = make_plan(staff)
    make_class(plan, staff, start=date(2026, 5, 1))
    plans.plan_submit(plan=plan, actor=staff)
    assert not staff.has_perm("training.approve_trainingplan")
    with pytest.raises(ApplicationError, match="只有部领导可以审批培训计划"):
        plans.plan_approve(plan=plan, actor=staff)
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED
    assert leader.has_perm("training.approve_trainingplan")
    approved = plans.plan_approve(plan=plan, actor=leader)
    assert (approved.status, approved.approved_by, approved.approved_at is not None) == (S.APPROVED, leader, True)
    event = AuditEvent.objects.get(action="training_plan.approved", object_id=str(plan.pk))
    assert (event.actor, event.details["from"], event.details["to"]) == (leader, "submitted", "approved")
    # a second approval changes nothing
    plans.plan_approve(plan=plan, actor=leader)
    assert AuditEvent.objects.filter(action="training_plan.approved").count() == 1


def test_a_draft_cannot_be_approved(staff, leader):
    plan = make_plan(staff)
    with pytest.raises(ApplicationError, match="培训计划处于“草稿”状态，不能审批"):
        plans.plan_approve(plan=plan, actor=leader)


def test_a_returned_plan_is_a_draft_again_with_the_reason_audited(staff, leader):
    plan = make_plan(staff)
    make_class(plan, staff, start=date(2026, 5, 1))
    plans.plan_submit(plan=plan, actor=staff)
    with pytest.raises(ApplicationError, match="请填写退回理由"):
        plans.plan_return(plan=plan, reason=" ", actor=leader)
    with pytest.raises(ApplicationError, match="只有部领导可以退回培训计划"):
        plans.plan_return(plan=plan, reason="重复", actor=staff)
    returned = plans.plan_return(plan=plan, reason="与市委党校班次重复", actor=leader)
    assert (returned.status, returned.submitted_at) == (S.DRAFT, None)
    event = AuditEvent.objects.get(action="training_plan.returned")
    assert event.details["reason"] == "与市委党校班次重复"
    with pytest.raises(ApplicationError, match="培训计划处于“草稿”状态，不能退回"):
        plans.plan_return(plan=plan, reason="再退", actor=leader)


# --- classes ------------------------------------------------------------------------------------------------


def test_a_class_starts_in_its_plans_year_and_may_end_in_the_next(staff):
    plan = make_plan(staff, year=2026)
    crossing = make_class(plan, staff, start=date(2026, 12, 31), end=date(2027, 1, 8))
    assert (crossing.start_date, crossing.end_date) == (date(2026, 12, 31), date(2027, 1, 8))
    with pytest.raises(ApplicationError, match="培训班须在计划年度（2026年）内开班") as exc:
        make_class(plan, staff, start=date(2027, 1, 1))
    assert exc.value.field == "start_date"
    with pytest.raises(ApplicationError, match="培训班须在计划年度（2026年）内开班"):
        make_class(plan, staff, start=date(2025, 12, 31), end=date(2026, 1, 5))


def test_a_class_ending_before_it_starts_is_refused(staff):
    plan = make_plan(staff)
    with pytest.raises(ApplicationError, match="结业日期不能早于开班日期"):
        make_class(plan, staff, start=date(2026, 5, 3), end=date(2026, 5, 2))


def test_a_class_of_a_plan_awaiting_approval_cannot_be_added(staff):
    plan = make_plan(staff)
    make_class(plan, staff, start=date(2026, 5, 1))
    plans.plan_submit(plan=plan, actor=staff)
    with pytest.raises(ApplicationError, match="正在报送审批，不能增加或修改培训班"):
        make_class(plan, staff, start=date(2026, 6, 1))


def test_a_class_added_to_an_approved_plan_is_an_audited_amendment(staff, leader):
    plan = make_plan(staff)
    first = make_class(plan, staff, start=date(2026, 5, 1))
    approve(plan, staff, leader)
    added = make_class(plan, staff, start=date(2026, 9, 1), name="补充班次")
    assert AuditEvent.objects.get(object_id=str(first.pk), object_type="training.trainingclass").action == (
        "training_class.created"
    )
    event = AuditEvent.objects.get(object_id=str(added.pk), object_type="training.trainingclass")
    assert (event.action, event.details["plan_status"]) == ("training_class.added_to_approved_plan", "approved")
    classes.class_update(training_class=added, place="区行政中心", actor=staff)
    amended = AuditEvent.objects.get(action="training_class.amended")
    assert amended.details["changes"] == {"place": ["区委党校教学楼", "区行政中心"]}


def test_the_dates_of_a_class_cannot_leave_out_a_session(staff):
    plan = make_plan(staff)
    training_class = make_class(plan, staff, start=date(2026, 5, 1), end=date(2026, 5, 5), hours=[2, 2, 2])
    with pytest.raises(ApplicationError, match="2026-05-03已安排课次，培训班日期须包含所有课次") as exc:
        classes.class_update(training_class=training_class, end_date=date(2026, 5, 2), actor=staff)
    assert exc.value.field == "end_date"
    with pytest.raises(ApplicationError, match="2026-05-01已安排课次"):
        classes.class_update(training_class=training_class, start_date=date(2026, 5, 2), actor=staff)
    moved = classes.class_update(training_class=training_class, end_date=date(2026, 5, 3), actor=staff)
    assert moved.end_date == date(2026, 5, 3)


def test_unknown_class_fields_are_a_programming_error(staff):
    training_class = make_class(make_plan(staff), staff, start=date(2026, 5, 1))
    with pytest.raises(TypeError):
        classes.class_update(training_class=training_class, colour="red", actor=staff)


def test_the_capacity_cannot_fall_below_those_called_up(staff, leader):
    plan = make_plan(staff)
    training_class = make_class(plan, staff, start=date(2026, 5, 1), capacity=3)
    approve(plan, staff, leader)
    unit = make_unit()
    call(training_class, [make_cadre(unit, "甲"), make_cadre(unit, "乙")], staff)
    with pytest.raises(ApplicationError, match="本班已调训2人，容量不能少于2人"):
        classes.class_update(training_class=training_class, capacity=1, actor=staff)
    assert classes.class_update(training_class=training_class, capacity=2, actor=staff).capacity == 2


def test_moving_a_class_onto_another_class_of_a_cadre_needs_a_reason(staff, leader):
    plan = make_plan(staff)
    may = make_class(plan, staff, start=date(2026, 5, 1), end=date(2026, 5, 3), name="五月班")
    june = make_class(plan, staff, start=date(2026, 6, 1), end=date(2026, 6, 3), name="六月班")
    approve(plan, staff, leader)
    cadre = make_cadre(make_unit(), "李明")
    call(may, [cadre], staff)
    call(june, [cadre], staff)
    with pytest.raises(ApplicationError, match=r"李明已参加「五月班」（2026-05-01至2026-05-03），调整后日期重叠"):
        classes.class_update(training_class=june, start_date=date(2026, 5, 3), actor=staff)
    moved = classes.class_update(
        training_class=june, start_date=date(2026, 5, 3), overlap_reason="两班合并授课", actor=staff
    )
    assert moved.start_date == date(2026, 5, 3)
    event = AuditEvent.objects.get(action="training_class.amended", object_id=str(june.pk))
    assert event.details["overlap_override"]["reason"] == "两班合并授课"


def test_sessions_lie_within_the_class_dates_with_positive_hours(staff):
    training_class = make_class(make_plan(staff), staff, start=date(2026, 5, 1), end=date(2026, 5, 3))
    add = classes.session_add
    for day, hours, message in [
        (date(2026, 4, 30), 2, "课次日期须在培训班日期（2026-05-01至2026-05-03）之内"),
        (date(2026, 5, 4), 2, "课次日期须在培训班日期"),
        (date(2026, 5, 1), 0, "课次学时应大于0"),
        (date(2026, 5, 1), "-1", "课次学时应大于0"),
        (date(2026, 5, 1), "2.25", "课次学时最多保留一位小数"),
        (date(2026, 5, 1), "12.5", "课次学时不能超过12"),
        (date(2026, 5, 1), "两", "课次学时“两”不是有效的数字"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            add(training_class=training_class, date=day, topic="党课", hours=hours, actor=staff)
    first = add(training_class=training_class, date=date(2026, 5, 1), topic="党课", hours="3.5", actor=staff)
    last = add(training_class=training_class, date=date(2026, 5, 3), topic="党史", hours=12, actor=staff)
    assert (str(first.hours), first.order, str(last.hours), last.order) == ("3.5", 1, "12.0", 2)


def test_a_session_with_attendance_cannot_be_removed(staff, leader):
    plan = make_plan(staff)
    training_class = make_class(plan, staff, start=date(2026, 5, 1), end=date(2026, 5, 2), hours=[2, 2])
    approve(plan, staff, leader)
    call(training_class, [make_cadre(make_unit(), "李明")], staff)
    first, second = training_class.sessions.order_by("date")
    enrolment = training_class.enrolments.get()
    attendance.attendance_record(session=first, present={enrolment.pk: True}, actor=staff)
    with pytest.raises(ApplicationError, match="2026-05-01的课次已记录考勤，不能删除"):
        classes.session_remove(session=first, actor=staff)
    classes.session_remove(session=second, actor=staff)
    assert list(ClassSession.objects.filter(training_class=training_class)) == [first]
    assert AuditEvent.objects.filter(action="class_session.removed").count() == 1


def test_a_closed_class_is_not_changed(staff, leader):
    plan = make_plan(staff)
    training_class = make_class(plan, staff, start=date(2026, 5, 1), hours=[2])
    approve(plan, staff, leader)
    call(training_class, [make_cadre(make_unit(), "李明")], staff)
    record_all(training_class, staff)
    attendance.class_close(training_class=training_class, actor=staff)
    for change, message in [
        (lambda: classes.class_update(training_class=training_class, place="别处", actor=staff), "已结业，不能修改"),
        (
            lambda: classes.session_add(
                training_class=training_class, date=date(2026, 5, 1), topic="补课", hours=1, actor=staff
            ),
            "已结业，不能增加课次",
        ),
        (
            lambda: classes.session_remove(session=training_class.sessions.get(), actor=staff),
            "已结业，不能删除课次",
        ),
    ]:
        with pytest.raises(ApplicationError, match=message):
            change()
