"""Call-ups (调训): not before the plan is approved, within the capacity, never twice, and never into classes on
overlapping dates (inclusive: a class ending on 3 May overlaps one starting that day) unless a reason is given;
withdrawals and reactivation; the training load of a unit's cadres."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.training.factories import approve, approved_class, call, make_class, make_plan, online, record_all
from training.models import Enrolment
from training.services import attendance, enrolment, plans

E = Enrolment.Status
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def li(unit):
    return make_cadre(unit, "李明")


@pytest.fixture
def plan(staff, leader):
    plan = make_plan(staff)
    make_class(plan, staff, start=date(2026, 5, 1), end=date(2026, 5, 3), name="五月班")
    return approve(plan, staff, leader)


def may_class(plan):
    return plan.classes.get(name="五月班")


def test_a_call_up_before_the_plan_is_approved_is_refused(staff, leader, li):
    plan = make_plan(staff)
    training_class = make_class(plan, staff, start=date(2026, 5, 1))
    with pytest.raises(ApplicationError, match=r"^培训计划尚未审批，不能调训$"):
        call(training_class, [li], staff)
    assert plans.plan_submit(plan=plan, actor=staff).status == "submitted"
    with pytest.raises(ApplicationError, match=r"^培训计划尚未审批，不能调训$"):
        call(training_class, [li], staff)
    assert not Enrolment.objects.exists()


def test_a_call_up_enrols_and_audits(plan, staff, li):
    [made] = call(may_class(plan), [li], staff)
    assert (made.cadre, made.status, made.called_by, made.overlap_reason) == (li, E.ENROLLED, staff, "")
    event = AuditEvent.objects.get(action="enrolment.called_up", object_id=str(made.pk))
    assert event.details == {"class": may_class(plan).pk, "class_name": "五月班", "cadre": "李明"}


def test_a_class_ending_on_the_day_another_starts_overlaps_and_is_refused_naming_it(plan, staff, li):
    call(may_class(plan), [li], staff)
    same_day = make_class(plan, staff, start=date(2026, 5, 3), end=date(2026, 5, 10), name="专题班")
    with pytest.raises(ApplicationError) as exc:
        call(same_day, [li], staff)
    assert exc.value.message == "李明已参加「五月班」（2026-05-01至2026-05-03），日期重叠。如确需调训，请说明理由"
    assert exc.value.field == "overlap_reason"
    assert not Enrolment.objects.filter(training_class=same_day).exists()


def test_a_class_starting_the_day_after_another_ends_does_not_overlap(plan, staff, li):
    call(may_class(plan), [li], staff)
    next_day = make_class(plan, staff, start=date(2026, 5, 4), end=date(2026, 5, 10))
    before = make_class(plan, staff, start=date(2026, 4, 25), end=date(2026, 4, 30))
    assert len(call(next_day, [li], staff)) == 1
    assert len(call(before, [li], staff)) == 1


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (date(2026, 5, 3), date(2026, 5, 3), True),
        (date(2026, 4, 20), date(2026, 5, 1), True),
        (date(2026, 4, 20), date(2026, 4, 30), False),
        (date(2026, 5, 4), date(2026, 5, 4), False),
        (date(2026, 4, 1), date(2026, 6, 1), True),
    ],
)
def test_overlapping_enrolments_are_inclusive_on_both_ends(plan, staff, li, start, end, overlaps):
    [made] = call(may_class(plan), [li], staff)
    found = enrolment.overlapping_enrolments(cadre=li, start_date=start, end_date=end)
    assert found == ([made] if overlaps else [])


def test_an_overlap_with_a_reason_is_allowed_stored_and_audited_naming_the_other_class(plan, staff, li, unit):
    other = make_cadre(unit, "王芳")
    call(may_class(plan), [li], staff)
    same_day = make_class(plan, staff, start=date(2026, 5, 3), end=date(2026, 5, 10), name="专题班")
    mine, hers = call(same_day, [li, other], staff, overlap_reason="  市委点名调训，两班时间冲突仅半天  ")
    assert (mine.overlap_reason, hers.overlap_reason) == ("市委点名调训，两班时间冲突仅半天", "")
    event = AuditEvent.objects.get(action="enrolment.called_up_overlapping")
    assert event.object_id == str(mine.pk)
    assert event.details["overlap_override"] == {
        "reason": "市委点名调训，两班时间冲突仅半天",
        "classes": [
            {
                "pk": may_class(plan).pk,
                "name": "五月班",
                "start_date": "2026-05-01",
                "end_date": "2026-05-03",
            }
        ],
    }
    assert AuditEvent.objects.get(action="enrolment.called_up", object_id=str(hers.pk))


def test_a_withdrawn_enrolment_does_not_overlap(plan, staff, li):
    [made] = call(may_class(plan), [li], staff)
    enrolment.enrolment_withdraw(enrolment=made, reason="因公出差", actor=staff)
    same_day = make_class(plan, staff, start=date(2026, 5, 3), end=date(2026, 5, 10))
    assert len(call(same_day, [li], staff)) == 1


def test_the_capacity_counts_active_enrolments_and_a_call_up_is_all_or_nothing(plan, staff, unit):
    training_class = make_class(plan, staff, start=date(2026, 7, 1), capacity=2)
    a, b, c = (make_cadre(unit, name) for name in ("甲", "乙", "丙"))
    with pytest.raises(ApplicationError, match=r"^培训班容量为2人，已调训0人，本次调训3人将超出容量$"):
        call(training_class, [a, b, c], staff)
    assert not Enrolment.objects.filter(training_class=training_class).exists()
    first, _second = call(training_class, [a, b], staff)
    with pytest.raises(ApplicationError, match=r"^培训班容量为2人，已调训2人，本次调训1人将超出容量$"):
        call(training_class, [c], staff)
    enrolment.enrolment_withdraw(enrolment=first, reason="病假", actor=staff)
    assert [e.cadre for e in call(training_class, [c], staff)] == [c]


def test_a_cadre_already_enrolled_is_refused_and_a_withdrawn_one_is_reactivated(plan, staff, li):
    training_class = may_class(plan)
    [made] = call(training_class, [li], staff)
    with pytest.raises(ApplicationError, match=r"^李明已在本班，不能重复调训$"):
        call(training_class, [li], staff)
    enrolment.enrolment_withdraw(enrolment=made, reason="因公出差", actor=staff)
    made.refresh_from_db()
    assert (made.status, made.withdrawal_reason) == (E.WITHDRAWN, "因公出差")
    [again] = call(training_class, [li], staff)
    assert (again.pk, again.status, again.withdrawal_reason) == (made.pk, E.ENROLLED, "")
    assert AuditEvent.objects.get(action="enrolment.called_up", details__reactivated=True).object_id == str(made.pk)


def test_an_empty_call_up_is_refused(plan, staff):
    with pytest.raises(ApplicationError, match="请选择要调训的干部"):
        call(may_class(plan), [], staff)


def test_a_closed_class_takes_no_call_up_and_no_withdrawal(plan, staff, li, unit):
    training_class = make_class(plan, staff, start=date(2026, 6, 1), hours=[2])
    [made] = call(training_class, [li], staff)
    record_all(training_class, staff)
    attendance.class_close(training_class=training_class, actor=staff)
    with pytest.raises(ApplicationError, match="已结业，不能调训"):
        call(training_class, [make_cadre(unit, "王芳")], staff)
    with pytest.raises(ApplicationError, match="已结业，不能退训"):
        enrolment.enrolment_withdraw(enrolment=made, reason="补退", actor=staff)


def test_a_withdrawal_needs_a_reason(plan, staff, li):
    [made] = call(may_class(plan), [li], staff)
    with pytest.raises(ApplicationError, match="请填写退训理由"):
        enrolment.enrolment_withdraw(enrolment=made, reason="", actor=staff)
    enrolment.enrolment_withdraw(enrolment=made, reason="病假", actor=staff)
    enrolment.enrolment_withdraw(enrolment=made, reason="病假", actor=staff)
    assert AuditEvent.objects.filter(action="enrolment.withdrawn").count() == 1


def test_the_training_load_shows_each_cadres_classes_and_hours_of_the_year(
    plan, staff, leader, unit, li, django_assert_num_queries
):
    wang = make_cadre(unit, "王芳")
    elsewhere = make_cadre(make_unit("区财政局", order=2), "赵强")
    call(may_class(plan), [li], staff)
    crossing = make_class(plan, staff, start=date(2026, 12, 28), end=date(2027, 1, 5), name="跨年班")
    call(crossing, [li, wang], staff)
    last_year = approved_class(staff, leader, start=date(2025, 6, 1), name="去年班")
    call(last_year, [li], staff)
    online(li, staff, "12.5", date(2026, 3, 1))
    online(li, staff, 8, date(2026, 11, 20))
    online(li, staff, 40, date(2025, 12, 31))
    with django_assert_num_queries(3):
        load = enrolment.unit_training_load(units_or_cadres=[unit, elsewhere], year=2026)
    assert list(load) == [li.pk, wang.pk, elsewhere.pk]
    assert [e.training_class.name for e in load[li.pk].enrolments] == ["五月班", "跨年班"]
    assert (load[li.pk].class_count, load[li.pk].hours) == (2, Decimal("20.5"))
    assert (load[wang.pk].class_count, load[wang.pk].hours) == (1, Decimal("0"))
    assert (load[elsewhere.pk].class_count, load[elsewhere.pk].hours) == (0, Decimal("0"))
    next_year = enrolment.unit_training_load(units_or_cadres=[li], year=2027)
    assert [e.training_class.name for e in next_year[li.pk].enrolments] == ["跨年班"]


def test_the_training_load_query_count_does_not_grow_with_the_cadres(plan, staff, unit, django_assert_num_queries):
    cadres = [make_cadre(unit, f"干部{i}") for i in range(6)]
    call(may_class(plan), cadres, staff)
    for cadre in cadres:
        online(cadre, staff, 3, date(2026, 2, 1))
    with django_assert_num_queries(3):
        load = enrolment.unit_training_load(units_or_cadres=[unit], year=2026)
    assert {item.hours for item in load.values()} == {Decimal("3")}
