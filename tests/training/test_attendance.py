"""Attendance and closing a class: absence over 1/7 of the class's hours means not completed and no credit (exactly
1/7 still completes); the credit is the hours attended; closing needs every mark and the class ended, and is
done once — also when 16 requests close the same class at once."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre
from tests.platform.tally import tally
from tests.training.factories import TODAY, approved_class, call, record_all
from training.models import Attendance, CreditEntry, Enrolment, TrainingClass
from training.services import attendance

E = Enrolment.Status
pytestmark = pytest.mark.usefixtures("frozen")


def closed_results(training_class: TrainingClass):
    return {
        e.cadre.name: (e.status, e.absent_hours, e.credit.hours if e.status == E.COMPLETED else None)
        for e in training_class.enrolments.select_related("cadre", "credit")
    }


def test_a_14_hour_class_completes_with_2_hours_absent_and_not_with_4(staff, leader, unit):
    # 7 sessions of 2 hours: 2 × 7 = 14 is not more than 14; 4 × 7 = 28 is
    training_class = approved_class(
        staff, leader, start=date(2026, 5, 4), end=date(2026, 5, 10), hours=[2] * 7, name="中青班"
    )
    full, one_off, two_off = (make_cadre(unit, name) for name in ("全勤", "缺一次", "缺两次"))
    call(training_class, [full, one_off, two_off], staff)
    record_all(training_class, staff, absent={one_off.pk: {3}, two_off.pk: {0, 6}})
    result = attendance.class_close(training_class=training_class, actor=staff)
    assert result == {"completed": 2, "not_completed": 1, "hours": Decimal("26"), "total_hours": Decimal("14")}
    assert closed_results(training_class) == {
        "全勤": (E.COMPLETED, Decimal("0"), Decimal("14")),
        "缺一次": (E.COMPLETED, Decimal("2"), Decimal("12")),
        "缺两次": (E.NOT_COMPLETED, Decimal("4"), None),
    }
    assert not CreditEntry.objects.filter(cadre=two_off).exists()
    credit = CreditEntry.objects.get(cadre=one_off)
    assert (credit.source, credit.title, credit.organiser, credit.earned_on, credit.recorded_by) == (
        "class",
        "中青班",
        "区委党校",
        date(2026, 5, 10),
        staff,
    )


def test_a_21_hour_class_completes_with_3_hours_absent_and_not_with_3_and_a_half(staff, leader, unit):
    # 3 + 3.5 × 4 + 4 = 21 hours: 3 × 7 = 21 completes; 3.5 × 7 = 24.5 does not
    training_class = approved_class(
        staff, leader, start=date(2026, 6, 1), end=date(2026, 6, 6), hours=["3", "3.5", "3.5", "3.5", "3.5", "4"]
    )
    three, three_and_half = make_cadre(unit, "缺三学时"), make_cadre(unit, "缺三个半学时")
    call(training_class, [three, three_and_half], staff)
    record_all(training_class, staff, absent={three.pk: {0}, three_and_half.pk: {1}})
    attendance.class_close(training_class=training_class, actor=staff)
    assert closed_results(training_class) == {
        "缺三学时": (E.COMPLETED, Decimal("3"), Decimal("18")),
        "缺三个半学时": (E.NOT_COMPLETED, Decimal("3.5"), None),
    }


@pytest.mark.parametrize(
    ("absent", "total", "completes"),
    [("2", "14", True), ("2.1", "14", False), ("3", "21", True), ("3.1", "21", False), ("0", "1", True)],
)
def test_the_one_seventh_rule_is_exact(absent, total, completes):
    assert attendance.completes(Decimal(absent), Decimal(total)) is completes


def test_closing_is_refused_while_attendance_is_missing_naming_what_is_missing(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 5, 4), end=date(2026, 5, 5), hours=[2, 2])
    li, wang = make_cadre(unit, "李明"), make_cadre(unit, "王芳")
    call(training_class, [li, wang], staff)
    first, _second = training_class.sessions.order_by("date")
    enrolments = {e.cadre_id: e.pk for e in training_class.enrolments.all()}
    attendance.attendance_record(session=first, present={enrolments[li.pk]: True}, actor=staff)
    with pytest.raises(ApplicationError) as exc:
        attendance.class_close(training_class=training_class, actor=staff)
    assert exc.value.message == (
        "考勤尚未记录完整，不能结业：2026-05-04（第1讲）王芳；2026-05-05（第2讲）李明、王芳，共3项"
    )
    training_class.refresh_from_db()
    assert training_class.closed_at is None
    assert not CreditEntry.objects.exists()


def test_a_class_still_running_cannot_be_closed(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 11, 20), end=date(2026, 11, 23), hours=[2])
    call(training_class, [make_cadre(unit, "李明")], staff)
    record_all(training_class, staff)
    with pytest.raises(ApplicationError, match="培训班到2026-11-23才结束，结束后方可结业"):
        attendance.class_close(training_class=training_class, actor=staff)
    with time_machine.travel(date(2026, 11, 23), tick=False):
        assert attendance.class_close(training_class=training_class, actor=staff)["completed"] == 1


def test_closing_twice_is_refused_and_writes_no_second_credit(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 5, 4), hours=[3])
    call(training_class, [make_cadre(unit, "李明")], staff)
    record_all(training_class, staff)
    attendance.class_close(training_class=training_class, actor=staff)
    with pytest.raises(ApplicationError, match="已于2026-11-22结业，不能重复结业"):
        attendance.class_close(training_class=training_class, actor=staff)
    assert CreditEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="training_class.closed").count() == 1


def test_a_withdrawn_cadre_needs_no_attendance_and_earns_nothing(staff, leader, unit):
    from training.services.enrolment import enrolment_withdraw

    training_class = approved_class(staff, leader, start=date(2026, 5, 4), hours=[2])
    li, wang = make_cadre(unit, "李明"), make_cadre(unit, "王芳")
    _mine, hers = call(training_class, [li, wang], staff)
    enrolment_withdraw(enrolment=hers, reason="借调外地", actor=staff)
    record_all(training_class, staff)
    assert attendance.class_close(training_class=training_class, actor=staff)["completed"] == 1
    assert list(CreditEntry.objects.values_list("cadre__name", flat=True)) == ["李明"]


def test_attendance_is_upserted_and_audited_when_it_changes(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 5, 4), hours=[2])
    [made] = call(training_class, [make_cadre(unit, "李明")], staff)
    session = training_class.sessions.get()
    assert attendance.attendance_record(
        session=session, present={made.pk: False}, notes={made.pk: "病假"}, actor=staff
    ) == {
        "present": 0,
        "absent": 1,
        "changed": 1,
    }
    assert attendance.attendance_record(session=session, present={made.pk: True}, actor=staff)["changed"] == 1
    assert attendance.attendance_record(session=session, present={made.pk: True}, actor=staff)["changed"] == 0
    mark = Attendance.objects.get()
    assert (mark.present, mark.note) == (True, "病假")
    assert AuditEvent.objects.filter(action="attendance.recorded").count() == 2


def test_attendance_is_refused_for_a_stranger_a_future_session_and_a_closed_class(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 11, 20), end=date(2026, 11, 24), hours=[2, 2, 2, 2])
    [made] = call(training_class, [make_cadre(unit, "李明")], staff)
    other = approved_class(staff, leader, start=date(2026, 3, 1), hours=[2])
    [stranger] = call(other, [make_cadre(unit, "王芳")], staff)
    sessions = list(training_class.sessions.order_by("date"))
    with pytest.raises(ApplicationError, match="考勤中有不在本班的学员或已退训的学员"):
        attendance.attendance_record(session=sessions[0], present={stranger.pk: True}, actor=staff)
    with pytest.raises(ApplicationError, match="2026-11-23的课次还没有开始，不能记录考勤"):
        attendance.attendance_record(session=sessions[3], present={made.pk: True}, actor=staff)
    record_all(other, staff)
    attendance.class_close(training_class=other, actor=staff)
    with pytest.raises(ApplicationError, match="已结业，不能记录考勤"):
        attendance.attendance_record(session=other.sessions.get(), present={stranger.pk: False}, actor=staff)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_closing_one_class_write_the_credit_once(staff, leader, unit):
    training_class = approved_class(staff, leader, start=date(2026, 5, 4), end=date(2026, 5, 5), hours=[3, 4])
    call(training_class, [make_cadre(unit, "李明"), make_cadre(unit, "王芳")], staff)
    record_all(training_class, staff)
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def close():
        try:
            start.wait()
            with time_machine.travel(TODAY, tick=False):
                result = attendance.class_close(
                    training_class=TrainingClass.objects.get(pk=training_class.pk), actor=staff
                )
            outcomes.append(f"closed {result['completed']}")
        except ApplicationError as exc:
            outcomes.append(exc.message)
        except Exception as exc:  # every outcome is recorded and asserted below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["closed 2"] + [f"培训班“{training_class.name}”已于2026-11-22结业，不能重复结业"] * 15
    assert CreditEntry.objects.count() == 2
    assert sorted(CreditEntry.objects.values_list("hours", flat=True)) == [Decimal("7"), Decimal("7")]
    assert AuditEvent.objects.filter(action="training_class.closed").count() == 1
    tally("concurrent")
