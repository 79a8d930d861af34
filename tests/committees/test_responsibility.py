"""Who answers for a work area on a given day: the lead, their substitute (缺位互补) or the secretary, on exact dates.

The `board` fixture is shared by the other tests of substitutes, leave, reports and the member's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import PortfolioAssignment, PortfolioPlan, Term, TermMember, WorkArea
from committees.selectors import Responsibility, area_responsibility, plan_coverage, responsibilities_on
from committees.services import (
    committee_create,
    leave_cancel,
    leave_record,
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    substitute_designate,
    term_create,
    term_member_add,
    term_member_change_role,
    term_member_leave,
)
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit

R = TermMember.Role
LEAD, SUBSTITUTE, SECRETARY, NOBODY = (
    Responsibility.LEAD,
    Responsibility.SUBSTITUTE,
    Responsibility.SECRETARY,
    Responsibility.NOBODY,
)
STARTS = date(2021, 9, 28)
PLAN_FROM = date(2021, 10, 8)
# the areas each standing member leads in the first plan; the remaining areas in use go round the five of them
LEADS = {"zhang": ["组织"], "zhao": ["宣传"], "sun": ["纪检监察"], "li": ["经济"], "wang": ["党校"]}


def cancel_in_time(leave, actor):
    """Cancels `leave` on its first day: a leave that has ended is not cancelled any more."""
    with time_machine.travel(datetime.combine(leave.starts_on, time(9, 0)), tick=False):
        return leave_cancel(leave=leave, actor=actor)


@dataclass
class Board:
    """The 15th term of a district committee: a secretary, a deputy and three standing members, a plan in force
    from PLAN_FROM covering every area in use, and substitutes 张 ↔ 赵, 李 → 孙 (孙 and 王 have none)."""

    term: Term
    wang: TermMember  # 书记
    li: TermMember  # 副书记
    zhang: TermMember
    zhao: TermMember
    sun: TermMember
    plan: PortfolioPlan
    areas: dict[str, WorkArea]
    staff: object  # a 组织科 user

    def area(self, name: str) -> WorkArea:
        return self.areas[name]

    def leads_of(self, member: TermMember) -> list[str]:
        return sorted(
            a.area.name
            for a in self.plan.assignments.filter(member=member, kind=PortfolioAssignment.Kind.LEAD).select_related(
                "area"
            )
        )


def build_board(*, staff, users: dict[str, object] | None = None) -> Board:
    users = users or {}
    committee = committee_create(name="中共云岭区委员会", short_name="云岭区委", actor=staff)
    term = term_create(
        committee=committee, number=15, starts_on=STARTS, actor=staff, standing_quota=7, deputy_secretaries_quota=2
    )
    unit = make_unit("区委办公室")
    names = {"wang": "王书记", "li": "李副书记", "zhang": "张常委", "zhao": "赵常委", "sun": "孙常委"}
    member_roles = {
        "wang": R.SECRETARY,
        "li": R.DEPUTY_SECRETARY,
        "zhang": R.STANDING_MEMBER,
        "zhao": R.STANDING_MEMBER,
        "sun": R.STANDING_MEMBER,
    }
    members = {}
    for order, (key, name) in enumerate(names.items()):
        cadre = make_cadre(unit, name, user=users.get(key))
        members[key] = term_member_add(
            term=term, cadre=cadre, role=member_roles[key], joined_on=STARTS, order=order, actor=staff
        )
    areas = {a.name: a for a in WorkArea.objects.filter(active=True)}
    plan = portfolio_plan_create(term=term, actor=staff, title="第十五届区委常委分工")
    fixed = {name: key for key, names_ in LEADS.items() for name in names_}
    keys = list(names)
    for i, area in enumerate(areas.values()):
        key = fixed.get(area.name, keys[i % len(keys)])
        portfolio_assignment_set(plan=plan, area=area, member=members[key], kind="lead", actor=staff)
    portfolio_assignment_set(plan=plan, area=areas["组织"], member=members["sun"], kind="assist", actor=staff)
    plan = portfolio_plan_activate(plan=plan, effective_from=PLAN_FROM, actor=staff)
    for member, substitute in (("zhang", "zhao"), ("zhao", "zhang"), ("li", "sun")):
        substitute_designate(
            member=members[member], substitute=members[substitute], effective_from=PLAN_FROM, actor=staff
        )
    return Board(term=term, plan=plan, areas=areas, staff=staff, **members)


@pytest.fixture
def board(make_user):
    return build_board(staff=make_user(roles.ORGANIZATION_SECTION, username="zuzhike"))


def who(area: WorkArea, on: date) -> tuple[str | None, str]:
    r = area_responsibility(area, on)
    return (r.member.cadre.name if r.member else None, r.reason)


def leave(board: Board, member: TermMember, starts_on: date, ends_on: date, reason: str = "外出学习"):
    return leave_record(member=member, starts_on=starts_on, ends_on=ends_on, reason=reason, actor=board.staff)


# --- the lead, their substitute during a leave, the lead again ----------------------------------------------


def test_substitute_answers_from_the_first_to_the_last_day_of_the_leave(board):
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7), reason="参加省委党校培训")
    organization = board.area("组织")

    assert who(organization, date(2024, 11, 2)) == ("张常委", LEAD)
    assert who(organization, date(2024, 11, 3)) == ("赵常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 7)) == ("赵常委", SUBSTITUTE)  # ends_on is the last day of the leave
    assert who(organization, date(2024, 11, 8)) == ("张常委", LEAD)

    during = area_responsibility(organization, date(2024, 11, 5))
    assert during.lead == board.zhang and during.substitute == board.zhao
    assert during.absences == ["张常委请假（参加省委党校培训，11月03日至11月07日）"]
    assert during.plan == board.plan
    assert during.reason_label == "缺位互补"
    # the substitute's own areas stay theirs, and other members' areas are untouched
    assert who(board.area("宣传"), date(2024, 11, 5)) == ("赵常委", LEAD)
    assert who(board.area("纪检监察"), date(2024, 11, 5)) == ("孙常委", LEAD)


def test_every_area_of_the_absent_lead_goes_to_the_substitute(board):
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    on_leave = responsibilities_on(date(2024, 11, 4), term=board.term)
    covered = sorted(r.area.name for r in on_leave.values() if r.reason == SUBSTITUTE)
    assert covered == board.leads_of(board.zhang)
    assert {r.member for r in on_leave.values() if r.reason == SUBSTITUTE} == {board.zhao}
    assert all(r.reason == LEAD for r in responsibilities_on(date(2024, 11, 8), term=board.term).values())


def test_secretary_answers_while_the_substitute_is_away_too(board):
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7), reason="出差")
    leave(board, board.zhao, date(2024, 11, 5), date(2024, 11, 10), reason="病假")
    organization, propaganda = board.area("组织"), board.area("宣传")

    assert who(organization, date(2024, 11, 4)) == ("赵常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 5)) == ("王书记", SECRETARY)
    assert who(organization, date(2024, 11, 7)) == ("王书记", SECRETARY)
    assert who(organization, date(2024, 11, 8)) == ("张常委", LEAD)
    # and the other way round: 赵's areas go to 张 once 张 is back
    assert who(propaganda, date(2024, 11, 7)) == ("王书记", SECRETARY)
    assert who(propaganda, date(2024, 11, 8)) == ("张常委", SUBSTITUTE)
    assert who(propaganda, date(2024, 11, 10)) == ("张常委", SUBSTITUTE)
    assert who(propaganda, date(2024, 11, 11)) == ("赵常委", LEAD)

    both_away = area_responsibility(organization, date(2024, 11, 6))
    assert both_away.absences == [
        "张常委请假（出差，11月03日至11月07日）",
        "赵常委请假（病假，11月05日至11月10日）",
    ]
    assert both_away.reason_label == "书记（牵头常委和补位人均不在岗）"


def test_secretary_answers_for_a_lead_without_a_substitute(board):
    leave(board, board.sun, date(2024, 11, 3), date(2024, 11, 3))  # a one-day leave
    discipline = board.area("纪检监察")
    assert who(discipline, date(2024, 11, 2)) == ("孙常委", LEAD)
    assert who(discipline, date(2024, 11, 3)) == ("王书记", SECRETARY)
    assert who(discipline, date(2024, 11, 4)) == ("孙常委", LEAD)
    r = area_responsibility(discipline, date(2024, 11, 3))
    assert r.substitute is None
    assert r.absences[1] == "孙常委没有安排补位人"


def test_a_secretary_on_leave_is_named_when_answering_in_the_end(board):
    leave(board, board.sun, date(2024, 11, 3), date(2024, 11, 5))
    leave(board, board.wang, date(2024, 11, 5), date(2024, 11, 6), reason="赴京开会")
    assert area_responsibility(board.area("纪检监察"), date(2024, 11, 4)).absences[-1] == "孙常委没有安排补位人"
    r = area_responsibility(board.area("纪检监察"), date(2024, 11, 5))
    assert (r.member, r.reason) == (board.wang, SECRETARY)
    assert r.absences[-1] == "王书记请假（赴京开会，11月05日至11月06日）"


def test_a_cancelled_leave_does_not_count(board):
    record = leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    assert who(board.area("组织"), date(2024, 11, 4)) == ("赵常委", SUBSTITUTE)
    cancel_in_time(record, board.staff)
    for day in (date(2024, 11, 3), date(2024, 11, 4), date(2024, 11, 7)):
        assert who(board.area("组织"), day) == ("张常委", LEAD)
    # nor does a cancelled leave of the substitute: the substitute answers again
    other = leave(board, board.zhao, date(2024, 11, 3), date(2024, 11, 7))
    leave(board, board.zhang, date(2024, 11, 4), date(2024, 11, 4))
    assert who(board.area("组织"), date(2024, 11, 4)) == ("王书记", SECRETARY)
    cancel_in_time(other, board.staff)
    assert who(board.area("组织"), date(2024, 11, 4)) == ("赵常委", SUBSTITUTE)


# --- members leaving or changing role, arrangements and plans changing -------------------------------------


def test_the_substitute_answers_from_the_day_the_lead_left(board):
    term_member_leave(member=board.zhang, left_on=date(2024, 12, 1), reason="调任市委组织部", actor=board.staff)
    organization = board.area("组织")
    assert who(organization, date(2024, 11, 30)) == ("张常委", LEAD)
    assert who(organization, date(2024, 12, 1)) == ("赵常委", SUBSTITUTE)  # left_on is the first day not serving
    assert who(organization, date(2025, 3, 1)) == ("赵常委", SUBSTITUTE)
    assert area_responsibility(organization, date(2024, 12, 1)).absences == ["张常委已离任"]
    # the plan in force still names 张 as lead: the coverage shows it, for 组织科 to draft the next version
    problems = plan_coverage(board.plan, on=date(2024, 12, 1)).problems()
    assert "组织的牵头常委张常委已于2024-12-01离任" in problems
    # 赵 no longer has a substitute (张 left): 赵's areas fall to the secretary while 赵 is away
    leave(board, board.zhao, date(2024, 12, 10), date(2024, 12, 12))
    assert who(organization, date(2024, 12, 10)) == ("王书记", SECRETARY)
    assert who(board.area("宣传"), date(2024, 12, 10)) == ("王书记", SECRETARY)


def test_the_substitute_answers_from_the_day_the_lead_stopped_being_a_standing_member(board):
    term_member_change_role(
        member=board.zhang, role=R.MEMBER, changed_on=date(2024, 11, 5), reason="不再担任常委", actor=board.staff
    )
    organization = board.area("组织")
    assert who(organization, date(2024, 11, 4)) == ("张常委", LEAD)
    assert who(organization, date(2024, 11, 5)) == ("赵常委", SUBSTITUTE)
    assert area_responsibility(organization, date(2024, 11, 5)).absences == ["张常委已不是常委"]
    # and as 赵's substitute, 张 no longer answers: the secretary does
    leave(board, board.zhao, date(2024, 11, 1), date(2024, 11, 10))
    assert who(board.area("宣传"), date(2024, 11, 4)) == ("张常委", SUBSTITUTE)
    assert who(board.area("宣传"), date(2024, 11, 5)) == ("王书记", SECRETARY)


def test_a_changed_substitute_answers_from_its_date(board):
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    substitute_designate(member=board.zhang, substitute=board.sun, effective_from=date(2024, 11, 5), actor=board.staff)
    organization = board.area("组织")
    assert who(organization, date(2024, 11, 4)) == ("赵常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 5)) == ("孙常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 7)) == ("孙常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 8)) == ("张常委", LEAD)
    # asked about a past date, the answer is the arrangement in force then
    assert area_responsibility(organization, date(2024, 11, 3)).substitute == board.zhao


def test_a_new_plan_takes_over_on_its_date(board):
    draft = portfolio_plan_create(term=board.term, actor=board.staff)
    organization = board.area("组织")
    portfolio_assignment_set(plan=draft, area=organization, member=board.zhang, kind="assist", actor=board.staff)
    portfolio_assignment_set(plan=draft, area=organization, member=board.zhao, kind="lead", actor=board.staff)
    new_plan = portfolio_plan_activate(plan=draft, effective_from=date(2024, 11, 5), actor=board.staff)

    before, after = (
        area_responsibility(organization, date(2024, 11, 4)),
        area_responsibility(organization, date(2024, 11, 5)),
    )
    assert (before.member, before.reason, before.plan) == (board.zhang, LEAD, board.plan)
    assert (after.member, after.reason, after.plan) == (board.zhao, LEAD, new_plan)
    # a leave of 张 across the change: substitute under the old plan, nothing to cover under the new one
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    assert who(organization, date(2024, 11, 4)) == ("赵常委", SUBSTITUTE)
    assert who(organization, date(2024, 11, 5)) == ("赵常委", LEAD)


def test_the_secretary_of_the_day_answers_after_a_change_of_secretary(board):
    leave(board, board.zhang, date(2024, 11, 1), date(2024, 11, 10))
    leave(board, board.zhao, date(2024, 11, 1), date(2024, 11, 10))
    term_member_leave(member=board.wang, left_on=date(2024, 11, 5), reason="调任", actor=board.staff)
    term_member_change_role(member=board.li, role=R.SECRETARY, changed_on=date(2024, 11, 5), actor=board.staff)
    organization = board.area("组织")
    assert who(organization, date(2024, 11, 4)) == ("王书记", SECRETARY)
    assert who(organization, date(2024, 11, 5)) == ("李副书记", SECRETARY)
    assert who(organization, date(2024, 11, 10)) == ("李副书记", SECRETARY)


def test_nobody_answers_before_the_first_plan_or_outside_any_term(board):
    organization = board.area("组织")
    for day in (STARTS, PLAN_FROM.replace(day=PLAN_FROM.day - 1)):
        r = area_responsibility(organization, day)
        assert (r.member, r.reason, r.plan, r.lead) == (None, NOBODY, None, None)
        assert r.reason_label == "未明确"
    assert who(organization, PLAN_FROM) == ("张常委", LEAD)
    assert who(organization, date(2020, 1, 1)) == (None, NOBODY)  # before the term


def test_an_area_taken_into_use_after_the_plan_has_nobody(board):
    from committees.services import work_area_create

    new_area = work_area_create(name="数据和政务服务", actor=board.staff)
    r = area_responsibility(new_area, date(2024, 11, 4))
    assert (r.member, r.reason, r.plan) == (None, NOBODY, board.plan)
    assert responsibilities_on(date(2024, 11, 4))[new_area.pk].reason == NOBODY


def test_responsibilities_are_found_in_a_fixed_number_of_queries(board):
    leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    leave(board, board.sun, date(2024, 11, 3), date(2024, 11, 7))
    areas = list(board.areas.values())
    with CaptureQueriesContext(connection) as one:
        responsibilities_on(date(2024, 11, 4), term=board.term, areas=areas[:1])
    with CaptureQueriesContext(connection) as every:
        result = responsibilities_on(date(2024, 11, 4), term=board.term)
    assert len(result) == len(areas) == 20
    assert len(every) == len(one) + 1  # the areas in use are loaded once, not asked for
    assert len(every) <= 9


def test_the_cover_of_a_leave_period_by_period(board):
    """leave_coverage asks only the days something changes, and merges the days with the same answer."""
    from committees.selectors import leave_coverage

    draft = portfolio_plan_create(term=board.term, actor=board.staff)
    organization = board.area("组织")
    portfolio_assignment_set(plan=draft, area=organization, member=board.zhang, kind=None, actor=board.staff)
    portfolio_assignment_set(plan=draft, area=organization, member=board.zhao, kind="lead", actor=board.staff)
    portfolio_plan_activate(plan=draft, effective_from=date(2024, 11, 8), actor=board.staff)
    substitute_designate(member=board.zhang, substitute=board.sun, effective_from=date(2024, 11, 5), actor=board.staff)
    leave(board, board.sun, date(2024, 11, 9), date(2024, 11, 9))
    record = leave(board, board.zhang, date(2024, 11, 3), date(2024, 11, 10))

    covers = {c.area.name: c.periods for c in leave_coverage(record)}
    assert sorted(covers) == board.leads_of(board.zhang)  # 组织 included: 张 led it until the 8th

    def periods(name):
        return [(p.starts_on.day, p.ends_on.day, p.responsibility.member.cadre.name) for p in covers[name]]

    assert periods("组织") == [(3, 4, "赵常委"), (5, 7, "孙常委")]  # from the 8th 赵 leads it: not 张's to cover
    other = next(name for name in covers if name != "组织")
    assert periods(other) == [(3, 4, "赵常委"), (5, 8, "孙常委"), (9, 9, "王书记"), (10, 10, "孙常委")]
    # the same for a leave not saved yet (the form's preview)
    from committees.models import Leave

    typed = Leave(member=board.li, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 4), reason="")
    assert [(c.area.name, [p.responsibility.member for p in c.periods]) for c in leave_coverage(typed)] == [
        (name, [board.sun]) for name in [a for a in board.areas if a in board.leads_of(board.li)]
    ]
    assert not Leave.objects.filter(member=board.li).exists()
