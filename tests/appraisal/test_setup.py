"""Cycle set-up: weights that must sum to exactly 100, and the moves of the cycle's state with their history."""

from __future__ import annotations

import re

import pytest

from appraisal.models import AppraisalCycle, CycleTransition
from appraisal.services import cycles
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import add_voter, make_cycle, make_evaluation, make_group, make_people

pytestmark = pytest.mark.usefixtures("frozen")
S = AppraisalCycle.Status


@pytest.mark.parametrize(("weights", "total"), [((60, 39), "99"), ((60, 41), "101"), ((33.33, 33.33, 33.33), "99.99")])
def test_indicator_weights_not_summing_to_100_keep_the_cycle_in_setup(office, unit, weights, total):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    make_group(cycle, office, make_people(unit, 2), name="正职", weights=weights)
    with pytest.raises(ApplicationError) as refused:
        cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    assert refused.value.message == f"考核组“正职”的考核指标的权重合计为{total}，应为100"
    cycle.refresh_from_db()
    assert cycle.status == S.SETUP


@pytest.mark.parametrize("weights", [(60, 40), (33.33, 33.33, 33.34), (100,)])
def test_indicator_weights_of_exactly_100_open_the_evaluation(office, unit, weights):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    make_group(cycle, office, make_people(unit, 2), weights=weights)
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    cycle.refresh_from_db()
    assert cycle.status == S.EVALUATION


@pytest.mark.parametrize(("c_weight", "outcome"), [(29, "99"), (30, None), (31, "101")])
def test_voter_group_weights_must_sum_to_100(office, unit, c_weight, outcome):
    cycle = make_cycle(office)
    group = make_group(cycle, office, make_people(unit, 2))
    voter_groups, _elements = make_evaluation(
        cycle, office, voter_weights=(("A", "领导", 40), ("B", "同级", 30), ("C", "工作人员", c_weight))
    )
    add_voter(voter_groups["A"], office, [group], name="李书记")
    if outcome is None:
        cycles.cycle_open_evaluation(cycle=cycle, actor=office)
        assert AppraisalCycle.objects.get(pk=cycle.pk).status == S.EVALUATION
    else:
        with pytest.raises(ApplicationError, match=f"测评人员类别的权重合计为{outcome}，应为100"):
            cycles.cycle_open_evaluation(cycle=cycle, actor=office)


def test_element_weights_must_sum_to_100(office, unit):
    cycle = make_cycle(office)
    group = make_group(cycle, office, make_people(unit, 2))
    voter_groups, _elements = make_evaluation(cycle, office)
    cycles.element_add(cycle=cycle, name="创新", weight="0.01", actor=office)
    add_voter(voter_groups["A"], office, [group], name="李书记")
    with pytest.raises(ApplicationError, match=re.escape("测评要素的权重合计为100.01，应为100")):
        cycles.cycle_open_evaluation(cycle=cycle, actor=office)


def test_a_weight_must_be_positive_and_the_cycle_weights_sum_to_100(office):
    with pytest.raises(ApplicationError, match="指标得分与民主测评的权重合计为99，应为100"):
        make_cycle(office, indicator_weight=60, evaluation_weight=39)
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    group = cycles.group_create(cycle=cycle, name="正职", actor=office)
    with pytest.raises(ApplicationError, match="权重应大于0"):
        cycles.indicator_add(group=group, name="实绩", kind="quantitative", weight=0, actor=office)


def test_the_cycle_moves_along_its_table_and_keeps_its_history(office, leader, unit):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    make_group(cycle, office, make_people(unit, 2))
    with pytest.raises(ApplicationError, match="考核处于“设置”阶段，不能归档"):
        cycles.cycle_archive(cycle=cycle, actor=office)
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)  # a second click does nothing
    cycles.cycle_step_back(cycle=cycle, reason="补充考核对象", actor=office)
    history = list(CycleTransition.objects.filter(cycle=cycle).values_list("from_status", "to_status", "reason"))
    assert history == [(S.SETUP, S.EVALUATION, ""), (S.EVALUATION, S.SETUP, "补充考核对象")]


def test_set_up_is_closed_once_the_evaluation_is_open(office, unit):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    group = make_group(cycle, office, make_people(unit, 2))
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    with pytest.raises(ApplicationError, match="考核处于“民主测评”阶段，不能增加考核指标"):
        cycles.indicator_add(group=group, name="新指标", kind="quantitative", weight=10, actor=office)


def test_a_cadre_is_appraised_in_one_group_of_a_cycle(office, unit):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    people = make_people(unit, 2)
    make_group(cycle, office, people, name="正职")
    other = cycles.group_create(cycle=cycle, name="副职", actor=office)
    with pytest.raises(ApplicationError, match="干部1已在“正职”中参加本次考核"):
        cycles.members_add(group=other, cadres=[people[0]], actor=office)
