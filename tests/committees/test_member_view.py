"""我的分工 and the home page: a standing member sees their areas, substitute, cover, leave and quarterly report
duty; 组织科 sees what to fix; the pages keep their query counts whatever the data."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.home import committee_sections
from committees.models import TermMember
from committees.services import (
    leave_record,
    portfolio_plan_create,
    quarterly_report_record,
    term_member_add,
    work_area_create,
)
from orgdept.core import roles
from orgdept.core.shell import nav_for
from tests.cadres.factories import make_cadre, make_unit

from .test_responsibility import STARTS, Board, build_board

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 11, 4, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
MINE = reverse("committees:my_portfolio")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def users(make_user):
    return {key: make_user(roles.STANDING_MEMBER, username=key) for key in ("wang", "zhang", "zhao", "sun")}


@pytest.fixture
def board(make_user, users) -> Board:
    return build_board(staff=make_user(roles.ORGANIZATION_SECTION, username="zuzhike"), users=users)


def by_testid(page: str, name: str) -> str:
    """The text of the element marked data-testid=`name`, tags removed."""
    import re

    chunk = page.split(f'data-testid="{name}"', 1)[1].split(">", 1)[1]
    tag = re.search(r"</(ul|p|strong|section)>", chunk)
    return re.sub(r"<[^>]+>", " ", chunk[: tag.start()]).split()


# --- 我的分工 ---------------------------------------------------------------------------------------------------


def test_a_standing_member_sees_their_areas_and_substitute(client, board, users):
    client.force_login(users["zhang"])
    response = client.get(MINE)
    assert response.status_code == 200
    page = response.content.decode()
    assert sorted(by_testid(page, "my-leads")) == board.leads_of(board.zhang)
    assert by_testid(page, "my-substitute") == ["赵常委"]
    assert "赵常委" in " ".join(by_testid(page, "my-covers-for"))
    portfolio = response.context["portfolio"]
    assert (portfolio.member, portfolio.plan, portfolio.substitute) == (board.zhang, board.plan, board.zhao)
    assert portfolio.covers_for == [board.zhao]
    assert response.context["own"] is True


def test_the_member_s_page_shows_cover_and_leave_of_today(client, board, users):
    leave_record(member=board.zhao, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 5), reason="学习", actor=None)
    leave_record(member=board.zhang, starts_on=date(2024, 12, 1), ends_on=date(2024, 12, 3), reason="出差", actor=None)
    client.force_login(users["zhang"])
    response = client.get(MINE)
    portfolio = response.context["portfolio"]
    assert sorted(r.area.name for r in portfolio.covering_now) == board.leads_of(board.zhao)
    assert [(leave.starts_on, leave.reason) for leave in portfolio.upcoming_leaves] == [(date(2024, 12, 1), "出差")]
    page = response.content.decode()
    assert "赵常委请假（学习，11月03日至11月05日）" in page
    # and 赵, on leave, sees who answers for their areas meanwhile
    client.force_login(users["zhao"])
    portfolio = client.get(MINE).context["portfolio"]
    assert portfolio.leave_now.reason == "学习"
    assert {(r.area.name, r.member) for r in portfolio.covered_by} == {
        (name, board.zhang) for name in board.leads_of(board.zhao)
    }


def test_the_quarterly_report_duty(client, board, users):
    client.force_login(users["zhang"])
    duty = client.get(MINE).context["duty"]
    assert (duty.year, duty.quarter, duty.due_on, duty.reported, duty.days_left) == (
        2024,
        4,
        date(2024, 12, 31),
        False,
        57,
    )
    assert duty.level == ""
    with time_machine.travel(datetime(2024, 12, 17, 10, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(users["zhang"])  # the session of 4 November has expired
        late = client.get(MINE)
        assert late.context["duty"].level == "warning"  # the last 14 days of the quarter
    quarterly_report_record(member=board.zhang, year=2024, quarter=3, reported_on=date(2024, 9, 25), actor=None)
    quarterly_report_record(member=board.zhang, year=2024, quarter=4, reported_on=date(2024, 11, 1), actor=None)
    response = client.get(MINE)
    assert response.context["duty"].reported and response.context["duty"].report.reported_on == date(2024, 11, 1)
    assert [(r.year, r.quarter) for r in response.context["past_reports"]] == [(2024, 3)]


def test_organization_section_looks_at_any_standing_member(client, board, make_user, users):
    staff = board.staff
    client.force_login(staff)
    response = client.get(MINE)
    assert response.context["member"] is None
    assert [m.cadre.name for m in response.context["choices"]] == ["王书记", "李副书记", "张常委", "赵常委", "孙常委"]
    response = client.get(MINE, {"member": board.sun.pk})
    assert response.context["member"] == board.sun and response.context["own"] is False
    page = response.content.decode()
    assert by_testid(page, "my-substitute-missing")
    assert by_testid(page, "my-assists") == ["组织"]
    # an ordinary member has no portfolio
    member = term_member_add(
        term=board.term,
        cadre=make_cadre(make_unit(), "钱委员"),
        role=TermMember.Role.MEMBER,
        joined_on=STARTS,
        actor=None,
    )
    assert client.get(MINE, {"member": member.pk}).status_code == 404
    # a standing member cannot look at another's page: they see their own
    client.force_login(users["zhang"])
    assert client.get(MINE, {"member": board.sun.pk}).context["member"] == board.zhang


def test_who_has_no_seat_gets_an_explanation_or_403(client, board, make_user):
    client.force_login(make_user(roles.DEPARTMENT_LEADER))
    response = client.get(MINE)
    assert response.status_code == 200 and response.context["member"] is None
    assert response.context["choices"] == []
    assert 'data-testid="no-portfolio"' in response.content.decode()
    weiyuan = make_user(roles.MEMBER)
    seat = term_member_add(
        term=board.term,
        cadre=make_cadre(make_unit(), "钱委员", user=weiyuan),
        role=TermMember.Role.MEMBER,
        joined_on=STARTS,
        actor=None,
    )
    client.force_login(weiyuan)
    response = client.get(MINE)
    assert response.status_code == 200 and response.context["seat"] == seat and response.context["member"] is None
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(MINE).status_code == 403


def test_the_nav_entry_is_for_standing_members(board, make_user, users):
    def entries(user):
        return [item.url_name for item in nav_for(user)]

    assert "committees:my_portfolio" in entries(users["zhang"])
    assert "committees:my_portfolio" not in entries(board.staff)
    assert "committees:my_portfolio" not in entries(make_user(roles.DEPARTMENT_LEADER))
    assert "committees:substitute_list" in entries(board.staff)
    assert "committees:substitute_list" not in entries(make_user(roles.TRAINING_SECTION))


def test_my_portfolio_queries_do_not_grow_with_areas_leaves_and_reports(client, board, users):
    client.force_login(users["zhang"])
    client.get(MINE)
    with CaptureQueriesContext(connection) as before:
        client.get(MINE)
    for i in range(4):
        work_area_create(name=f"新增领域{i}", actor=None)
    leave_record(member=board.zhao, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 5), reason="学习", actor=None)
    leave_record(member=board.zhang, starts_on=date(2024, 12, 1), ends_on=date(2024, 12, 3), reason="出差", actor=None)
    leave_record(
        member=board.zhang, starts_on=date(2024, 12, 10), ends_on=date(2024, 12, 11), reason="出差", actor=None
    )
    for quarter in (1, 2, 3):
        quarterly_report_record(
            member=board.zhang, year=2024, quarter=quarter, reported_on=date(2024, 9, 25), actor=None
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(MINE)
    assert len(response.context["portfolio"].covering_now) == len(board.leads_of(board.zhao))
    assert len(after) == len(before) == 22


# --- the home page --------------------------------------------------------------------------------------------


def labels(sections, title):
    section = next(s for s in sections if s.title == title)
    return [(item.label, item.level) for item in section.items]


def test_home_sections_of_a_standing_member(board, users):
    leave_record(member=board.zhao, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 5), reason="学习", actor=None)
    sections = committee_sections(users["zhang"])
    assert [s.title for s in sections] == ["我的任职", "我的分工"]
    assert labels(sections, "我的任职") == [("本届区委成员：云岭区委第15届常委", "")]
    assert sections[0].items[0].detail == "2021.09起"
    mine = labels(sections, "我的分工")
    assert mine[0] == (f"分管领域{len(board.leads_of(board.zhang))}个", "")
    assert mine[1] == ("缺位互补：赵常委", "")
    zhao_areas = [name for name in board.areas if name in board.leads_of(board.zhao)]  # in the catalogue's order
    assert mine[2] == ("今日代为负责：" + "、".join(zhao_areas), "warning")
    assert mine[3] == ("2024年第4季度工作报告未报告", "")


def test_the_report_duty_turns_to_a_warning_in_the_last_days(board, users):
    with time_machine.travel(datetime(2024, 12, 16, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert labels(committee_sections(users["sun"]), "我的分工")[-1] == ("2024年第4季度工作报告未报告", "")
    with time_machine.travel(datetime(2024, 12, 17, 10, 0, tzinfo=SHANGHAI), tick=False):
        item = next(s for s in committee_sections(users["sun"]) if s.title == "我的分工").items[-1]
        assert (item.label, item.level) == ("2024年第4季度工作报告未报告", "warning")
        assert item.detail == "请于12月31日前向常委会报告分管领域工作（还有14天）"
        quarterly_report_record(member=board.sun, year=2024, quarter=4, reported_on=date(2024, 12, 17), actor=None)
        assert labels(committee_sections(users["sun"]), "我的分工")[-1] == ("2024年第4季度工作报告", "")
    # 孙 has no substitute: flagged on their own home page
    assert ("尚未安排缺位互补人", "warning") in labels(committee_sections(users["sun"]), "我的分工")


def test_home_section_of_an_ordinary_member(board, make_user):
    weiyuan = make_user(roles.MEMBER)
    term_member_add(
        term=board.term,
        cadre=make_cadre(make_unit(), "钱委员", user=weiyuan),
        role=TermMember.Role.MEMBER,
        joined_on=date(2023, 3, 1),
        actor=None,
    )
    sections = committee_sections(weiyuan)
    assert [(s.title, [(i.label, i.detail) for i in s.items]) for s in sections] == [
        ("我的任职", [("本届区委成员：云岭区委第15届委员", "2023.03起")])
    ]
    assert committee_sections(make_user(roles.TRAINING_SECTION)) == []


def test_home_section_of_the_organization_section(board):
    problems = labels(committee_sections(board.staff), "常委分工与缺位互补")
    assert problems == [("王书记未安排缺位互补人", "warning"), ("孙常委未安排缺位互补人", "warning")]
    # an area taken into use is a gap in the plan in force
    work_area_create(name="数据和政务服务", actor=None)
    problems = labels(committee_sections(board.staff), "常委分工与缺位互补")
    assert problems[0] == ("空挡（没有牵头常委）：数据和政务服务", "danger")
    # near the quarter's end, the reports still missing
    with time_machine.travel(datetime(2024, 12, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        quarterly_report_record(member=board.zhang, year=2024, quarter=4, reported_on=date(2024, 12, 19), actor=None)
        problems = labels(committee_sections(board.staff), "常委分工与缺位互补")
        assert problems[-1] == ("2024年第4季度尚有4名常委未报告工作", "warning")


def test_home_section_without_a_plan_in_force(make_user, db):
    from committees.services import committee_create, term_create

    staff = make_user(roles.ORGANIZATION_SECTION)
    term = term_create(
        committee=committee_create(name="中共测试区委员会", actor=None), number=1, starts_on=STARTS, actor=None
    )
    portfolio_plan_create(term=term, actor=staff)  # a draft is not in force
    assert labels(committee_sections(staff), "常委分工与缺位互补") == [("没有生效的常委分工", "danger")]


def test_the_home_page_renders_the_sections(client, board, users):
    client.force_login(users["zhang"])
    page = client.get(reverse("core:home")).content.decode()
    assert "我的分工" in page and "缺位互补：赵常委" in page
    client.force_login(board.staff)
    page = client.get(reverse("core:home")).content.decode()
    assert "孙常委未安排缺位互补人" in page
