"""The cycle's forward moves go only forward: a page left open on an earlier stage cannot send the cycle back (a
step back needs its reason), and many people pressing the same button at once move it once."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection

from appraisal.models import AppraisalCycle, CycleTransition
from appraisal.services import cycles, ratings
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import TODAY, make_cycle, make_group, make_people, score_all
from tests.platform.tally import tally

S = AppraisalCycle.Status
pytestmark = pytest.mark.usefixtures("frozen")


def _cycle_in(status, office, unit):
    """An indicator-only cycle of two people taken forward to `status`."""
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    group = make_group(cycle, office, make_people(unit, 2))
    steps = [
        (S.EVALUATION, lambda: cycles.cycle_open_evaluation(cycle=cycle, actor=office)),
        (S.SCORING, lambda: cycles.cycle_close_evaluation(cycle=cycle, actor=office)),
    ]
    for reached, step in steps:
        if status == S.SETUP:
            break
        if reached == S.SCORING:
            score_all(group, office, {m.cadre_id: 90 for m in group.members.all()})
        step()
        if reached == status:
            break
    if status == S.RATING:
        ratings.cycle_start_rating(cycle=cycle, actor=office)
    return AppraisalCycle.objects.get(pk=cycle.pk)


@pytest.mark.parametrize(
    ("status", "move", "refusal"),
    [
        (S.SCORING, "open", "考核处于“计分”阶段，不能开始民主测评"),
        (S.RATING, "open", "考核处于“评定等次”阶段，不能开始民主测评"),
        (S.SETUP, "close", "考核处于“设置”阶段，不能结束民主测评"),
        (S.RATING, "close", "考核处于“评定等次”阶段，不能结束民主测评"),
    ],
)
def test_a_forward_move_never_goes_back(office, unit, status, move, refusal):
    cycle = _cycle_in(status, office, unit)
    service = {"open": cycles.cycle_open_evaluation, "close": cycles.cycle_close_evaluation}[move]
    moves = CycleTransition.objects.filter(cycle=cycle).count()
    with pytest.raises(ApplicationError, match=refusal):
        service(cycle=cycle, actor=office)
    cycle.refresh_from_db()
    assert cycle.status == status
    assert CycleTransition.objects.filter(cycle=cycle).count() == moves


def test_going_back_takes_the_step_back_with_its_reason(office, unit):
    cycle = _cycle_in(S.RATING, office, unit)
    cycles.cycle_step_back(cycle=cycle, reason="补录指标得分", actor=office)
    cycles.cycle_step_back(cycle=cycle, reason="补充测评", actor=office)
    last_two = CycleTransition.objects.filter(cycle=cycle).order_by("-pk")[:2]
    assert [(t.from_status, t.to_status, t.reason) for t in reversed(last_two)] == [
        (S.RATING, S.SCORING, "补录指标得分"),
        (S.SCORING, S.EVALUATION, "补充测评"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_people_closing_the_evaluation_at_once_close_it_once(office, unit):
    cycle = _cycle_in(S.EVALUATION, office, unit)
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def close():
        try:
            start.wait()
            with time_machine.travel(TODAY, tick=False):
                moved = cycles.cycle_close_evaluation(cycle=AppraisalCycle.objects.get(pk=cycle.pk), actor=office)
            outcomes.append(moved.status)
        except Exception as exc:  # every outcome is recorded and asserted below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [S.SCORING] * 16
    assert CycleTransition.objects.filter(cycle=cycle, to_status=S.SCORING).count() == 1
    assert AuditEvent.objects.filter(action="appraisal_cycle.evaluation_closed").count() == 1
    tally("concurrent")
