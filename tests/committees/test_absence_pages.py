"""The pages of 缺位互补, leave, who answers for each area and quarterly reports: who may see and change them,
what they show, Chinese errors next to fields, and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Leave, QuarterlyReport, SubstituteArrangement
from committees.services import leave_cancel, leave_record, quarterly_report_record, work_area_create
from orgdept.core import roles
from orgdept.core.models import AuditEvent

from .test_responsibility import Board, build_board

NOW = datetime(2024, 11, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
VIEW_PAGES = ["substitute_list", "leave_list", "responsibility", "report_list"]
MANAGE_PAGES = ["leave_create", "report_record"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhike")


@pytest.fixture
def board(staff, make_user) -> Board:
    return build_board(staff=staff, users={"zhang": make_user(roles.STANDING_MEMBER, username="zhang")})


def url(name, *args):
    return reverse(f"committees:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


# --- permissions -------------------------------------------------------------------------------------------


def test_organization_section_sees_and_changes(client, board, staff):
    client.force_login(staff)
    for name in VIEW_PAGES + MANAGE_PAGES:
        assert client.get(url(name)).status_code == 200, name
    assert client.get(url("substitute_edit", board.sun.pk)).status_code == 200
    page = text(client.get(url("substitute_list")))
    assert url("substitute_edit", board.sun.pk) in page
    assert url("leave_create") in text(client.get(url("leave_list")))
    assert url("report_record") in text(client.get(url("report_list")))


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.DEPARTMENT_LEADER, roles.CADRE_SECTION, roles.MEMBER])
def test_committee_business_roles_view_without_changing(client, board, make_user, role):
    leave = leave_record(member=board.zhao, starts_on=TODAY, ends_on=TODAY, reason="开会", actor=board.staff)
    client.force_login(make_user(role))
    for name in VIEW_PAGES:
        response = client.get(url(name))
        assert response.status_code == 200, name
        assert url("leave_create") not in text(response) and url("substitute_edit", board.sun.pk) not in text(response)
        assert url("leave_cancel", leave.pk) not in text(response)
    for name in MANAGE_PAGES:
        assert client.get(url(name)).status_code == 403, name
    assert client.get(url("substitute_edit", board.sun.pk)).status_code == 403
    response = client.post(
        url("substitute_edit", board.sun.pk), {"substitute": board.li.pk, "effective_from": "2024-11-04"}
    )
    assert response.status_code == 403
    assert client.post(url("leave_cancel", leave.pk)).status_code == 403
    assert not SubstituteArrangement.objects.filter(member=board.sun).exists()
    assert Leave.objects.get(pk=leave.pk).cancelled_at is None


def test_training_section_gets_403_everywhere(client, board, make_user):
    client.force_login(make_user(roles.TRAINING_SECTION))
    for name in VIEW_PAGES + MANAGE_PAGES + ["my_portfolio"]:
        assert client.get(url(name)).status_code == 403, name
    assert client.get(url("substitute_edit", board.zhang.pk)).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, board):
    for name in VIEW_PAGES + MANAGE_PAGES + ["my_portfolio"]:
        response = client.get(url(name))
        assert response.status_code == 302 and "login" in response["Location"], name


# --- 缺位互补 -------------------------------------------------------------------------------------------------


def test_substitute_list_shows_substitutes_cover_and_flags(client, board, staff):
    client.force_login(staff)
    response = client.get(url("substitute_list"))
    rows = {row.member.cadre.name: row for row in response.context["rows"]}
    assert list(rows) == ["王书记", "李副书记", "张常委", "赵常委", "孙常委"]
    assert rows["张常委"].arrangement.substitute == board.zhao
    assert rows["赵常委"].covers_for == [board.zhang]
    assert rows["孙常委"].covers_for == [board.li]
    assert [name for name, row in rows.items() if row.problems] == ["王书记", "孙常委"]
    assert response.context["missing"] == 2
    page = text(response)
    assert 'data-testid="substitute-problems"' in page
    assert page.count('class="over" data-member=') == 2


def test_a_substitute_who_is_no_longer_a_standing_member_is_flagged(client, board, staff):
    from committees.services import term_member_change_role

    term_member_change_role(
        member=board.zhao, role="member", changed_on=date(2024, 11, 1), reason="不再担任常委", actor=staff
    )
    client.force_login(staff)
    rows = {row.member.cadre.name: row for row in client.get(url("substitute_list")).context["rows"]}
    assert "赵常委" not in rows
    (problem,) = rows["张常委"].problems  # named, whatever the interface language
    assert problem.startswith("赵常委")
    assert rows["张常委"].arrangement.substitute == board.zhao


def test_changing_a_substitute_keeps_the_history(client, board, staff):
    client.force_login(staff)
    response = client.post(
        url("substitute_edit", board.zhang.pk), {"substitute": board.sun.pk, "effective_from": "2024-11-10"}
    )
    assert response.status_code == 302 and response["Location"] == url("substitute_list")
    history = list(SubstituteArrangement.objects.filter(member=board.zhang).order_by("effective_from"))
    assert [(a.substitute, a.effective_from, a.superseded_on) for a in history] == [
        (board.zhao, date(2021, 10, 8), date(2024, 11, 10)),
        (board.sun, date(2024, 11, 10), None),
    ]
    event = AuditEvent.objects.filter(action="substitute.designated", object_id=str(board.zhang.pk)).latest("pk")
    assert (event.actor, event.details["substitute"], event.details["effective_from"]) == (
        staff,
        "孙常委",
        "2024-11-10",
    )
    # until the 10th, 赵 still covers; the list says who takes over and when
    response = client.get(url("substitute_list"))
    row = next(r for r in response.context["rows"] if r.member == board.zhang)
    assert (row.arrangement.substitute, row.upcoming.substitute) == (board.zhao, board.sun)
    history_table = text(client.get(url("substitute_edit", board.zhang.pk))).split('data-testid="substitute-history"')[
        1
    ]
    assert history_table.index("孙常委") < history_table.index("赵常委")  # latest first


def test_the_substitute_form_shows_chinese_errors_next_to_the_fields(client, board, staff):
    client.force_login(staff)
    response = client.post(
        url("substitute_edit", board.zhang.pk), {"substitute": board.sun.pk, "effective_from": "2021-10-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"effective_from": ["生效日期不能早于现行安排的生效日期2021-10-08"]}
    assert "生效日期不能早于现行安排的生效日期2021-10-08" in text(response)
    # the member cannot be their own substitute: not even offered
    form = client.get(url("substitute_edit", board.zhang.pk)).context["form"]
    assert board.zhang not in form.fields["substitute"].queryset
    assert set(form.fields["substitute"].queryset) == {board.wang, board.li, board.zhao, board.sun}
    response = client.post(url("substitute_edit", board.zhang.pk), {"substitute": board.zhang.pk, "effective_from": ""})
    assert set(response.context["form"].errors) == {"substitute", "effective_from"}
    assert SubstituteArrangement.objects.filter(member=board.zhang).count() == 1


def test_substitute_list_queries_do_not_grow_with_members_and_arrangements(client, board, staff, make_user):
    client.force_login(staff)
    client.get(url("substitute_list"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as before:
        client.get(url("substitute_list"))
    from committees.services import substitute_designate

    for member, substitute in ((board.sun, board.wang), (board.wang, board.li), (board.zhang, board.sun)):
        substitute_designate(member=member, substitute=substitute, effective_from=TODAY, actor=staff)
    leave_record(member=board.li, starts_on=TODAY, ends_on=TODAY, reason="开会", actor=staff)
    with CaptureQueriesContext(connection) as after:
        client.get(url("substitute_list"))
    assert len(after) == len(before) == 12


# --- leave -----------------------------------------------------------------------------------------------------


def test_recording_a_leave_shows_who_answers_for_each_area(client, board, staff):
    client.force_login(staff)
    response = client.post(
        url("leave_create"),
        {"member": board.zhang.pk, "starts_on": "2024-11-10", "ends_on": "2024-11-14", "reason": "赴省委党校学习"},
    )
    leave = Leave.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url('leave_create')}?recorded={leave.pk}"
    response = client.get(response["Location"])
    covers = response.context["recorded_covers"]
    assert sorted(c.area.name for c in covers) == board.leads_of(board.zhang)
    assert {(p.starts_on, p.ends_on, p.responsibility.member) for c in covers for p in c.periods} == {
        (date(2024, 11, 10), date(2024, 11, 14), board.zhao)
    }
    page = text(response)
    assert 'data-testid="leave-coverage"' in page and "赵常委" in page and "缺位互补" in page


def test_the_coverage_changes_with_the_substitute_s_own_leave(client, board, staff):
    leave_record(
        member=board.zhao, starts_on=date(2024, 11, 12), ends_on=date(2024, 11, 20), reason="病假", actor=staff
    )
    client.force_login(staff)
    response = client.post(
        url("leave_create"),
        {"member": board.zhang.pk, "starts_on": "2024-11-10", "ends_on": "2024-11-14", "reason": "出差"},
    )
    covers = client.get(response["Location"]).context["recorded_covers"]
    periods = [(p.starts_on, p.ends_on, p.responsibility.member, p.responsibility.reason) for p in covers[0].periods]
    assert periods == [
        (date(2024, 11, 10), date(2024, 11, 11), board.zhao, "substitute"),
        (date(2024, 11, 12), date(2024, 11, 14), board.wang, "secretary"),
    ]


def test_the_leave_form_previews_the_cover_before_saving(client, board, staff):
    client.force_login(staff)
    response = client.get(
        url("leave_create"),
        {"preview": "1", "member": board.zhang.pk, "starts_on": "2024-11-10", "ends_on": "2024-11-11", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["committees/leave_coverage.html"]
    assert response.context["preview"] is True
    assert {p.responsibility.member for c in response.context["covers"] for p in c.periods} == {board.zhao}
    assert not Leave.objects.exists()  # a preview saves nothing
    incomplete = client.get(url("leave_create"), {"preview": "1", "member": board.zhang.pk}, HTTP_HX_REQUEST="true")
    assert incomplete.context["leave"] is None


def test_the_leave_form_shows_chinese_errors_next_to_the_fields(client, board, staff):
    leave_record(
        member=board.zhang, starts_on=date(2024, 11, 10), ends_on=date(2024, 11, 14), reason="出差", actor=staff
    )
    client.force_login(staff)
    response = client.post(
        url("leave_create"),
        {"member": board.zhang.pk, "starts_on": "2024-11-14", "ends_on": "2024-11-16", "reason": "学习"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"starts_on": ["与已登记的请假（2024-11-10至2024-11-14，出差）时间重叠"]}
    response = client.post(
        url("leave_create"),
        {"member": board.zhang.pk, "starts_on": "2024-11-16", "ends_on": "2024-11-15", "reason": ""},
    )
    assert response.context["form"].errors["ends_on"] == ["结束日期不能早于开始日期"]
    assert "reason" in response.context["form"].errors
    assert Leave.objects.count() == 1


def test_the_leave_list_searches_filters_and_pages(client, board, staff):
    leave_record(
        member=board.zhang, starts_on=date(2024, 11, 1), ends_on=date(2024, 11, 10), reason="学习", actor=staff
    )
    leave_record(member=board.zhao, starts_on=date(2024, 12, 1), ends_on=date(2024, 12, 2), reason="出差", actor=staff)
    past = leave_record(
        member=board.sun, starts_on=date(2024, 10, 1), ends_on=date(2024, 10, 2), reason="病假", actor=staff
    )
    cancelled = leave_record(
        member=board.sun, starts_on=date(2024, 11, 20), ends_on=date(2024, 11, 21), reason="考察", actor=staff
    )
    leave_cancel(leave=cancelled, actor=staff)
    client.force_login(staff)

    def names(**params):
        response = client.get(url("leave_list"), params)
        return [(leave.member.cadre.name, leave.reason) for leave in response.context["object_list"]]

    assert len(names()) == 4
    assert names(state="current") == [("张常委", "学习")]
    assert names(state="upcoming") == [("赵常委", "出差")]
    assert names(state="past") == [("孙常委", "病假")]
    assert names(state="cancelled") == [("孙常委", "考察")]
    assert names(q="孙") == [("孙常委", "考察"), ("孙常委", "病假")]
    assert names(q="出差") == [("赵常委", "出差")]
    response = client.get(url("leave_list"), {"per_page": "25", "page": "1"}, HTTP_HX_REQUEST="true")
    assert next(t.name for t in response.templates) == "committees/leave_list_results.html"
    page = text(client.get(url("leave_list")))
    assert url("leave_cancel", past.pk) not in page  # an ended leave is history
    assert url("leave_cancel", cancelled.pk) not in page


def test_the_leave_list_pages_by_25(client, board, staff):
    for day in range(1, 28):
        leave_record(
            member=board.zhang, starts_on=date(2023, 1, day), ends_on=date(2023, 1, day), reason="外出", actor=staff
        )
    client.force_login(staff)
    first = client.get(url("leave_list"))
    assert first.context["paginator"].count == 27 and len(first.context["object_list"]) == 25
    assert len(client.get(url("leave_list"), {"page": 2}).context["object_list"]) == 2


def test_cancelling_a_leave(client, board, staff):
    leave = leave_record(member=board.zhang, starts_on=TODAY, ends_on=date(2024, 11, 6), reason="开会", actor=staff)
    client.force_login(staff)
    assert client.get(url("leave_cancel", leave.pk)).status_code == 405
    response = client.post(url("leave_cancel", leave.pk), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == url("leave_list")
    leave.refresh_from_db()
    assert leave.cancelled_at is not None
    assert AuditEvent.objects.filter(action="leave.cancelled", object_id=str(leave.pk)).count() == 1
    response = client.post(url("leave_cancel", leave.pk), {"next": url("leave_list") + "?state=cancelled"})
    assert response["Location"] == url("leave_list") + "?state=cancelled"
    assert AuditEvent.objects.filter(action="leave.cancelled").count() == 1


def test_an_ended_leave_is_not_cancelled_from_the_page(client, board, staff):
    leave = leave_record(
        member=board.zhang, starts_on=date(2024, 10, 8), ends_on=date(2024, 10, 9), reason="开会", actor=staff
    )
    client.force_login(staff)
    response = client.post(url("leave_cancel", leave.pk), follow=True)
    assert response.status_code == 200
    assert "已结束的请假不能取消" in [str(m) for m in response.context["messages"]]
    leave.refresh_from_db()
    assert leave.cancelled_at is None


# --- who answers -------------------------------------------------------------------------------------------------


def test_the_responsibility_page_answers_for_the_chosen_day(client, board, staff):
    leave_record(member=board.zhang, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 7), reason="出差", actor=staff)
    client.force_login(staff)

    def answer(area, **params):
        rows = client.get(url("responsibility"), params).context["rows"]
        r = next(r for r in rows if r.area.name == area)
        return r.member.cadre.name if r.member else None, r.reason

    assert answer("组织") == ("赵常委", "substitute")  # today, the 4th
    assert answer("组织", on="2024-11-08") == ("张常委", "lead")
    assert answer("组织", on="2021-10-01") == (None, "nobody")
    response = client.get(url("responsibility"), {"on": "2024-11-07"})
    page = text(response)
    assert "张常委请假（出差，11月03日至11月07日）" in page and "2024年11月7日" in page
    assert response.context["plan"] == board.plan
    assert response.context["counts"]["substitute"] == len(board.leads_of(board.zhang))
    partial = client.get(url("responsibility"), {"on": "2024-11-07"}, HTTP_HX_REQUEST="true")
    assert next(t.name for t in partial.templates) == "committees/responsibility_results.html"
    # outside any term, the page says so
    assert client.get(url("responsibility"), {"on": "2000-01-01"}).context["term"] is None
    # a date that is not one falls back to today, with the error shown
    bad = client.get(url("responsibility"), {"on": "2024-13-45"})
    assert bad.context["on"] == TODAY and bad.context["form"].errors


def test_the_responsibility_page_queries_do_not_grow_with_areas(client, board, staff):
    leave_record(member=board.zhang, starts_on=date(2024, 11, 3), ends_on=date(2024, 11, 7), reason="出差", actor=staff)
    client.force_login(staff)
    client.get(url("responsibility"))
    with CaptureQueriesContext(connection) as before:
        client.get(url("responsibility"))
    for i in range(5):
        work_area_create(name=f"新增领域{i}", actor=staff)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url("responsibility"))
    assert len(response.context["rows"]) == 25
    assert len(after) == len(before) == 15


# --- quarterly reports --------------------------------------------------------------------------------------------


def test_the_report_list_shows_who_has_reported_this_quarter(client, board, staff):
    quarterly_report_record(member=board.zhao, year=2024, quarter=4, reported_on=date(2024, 11, 1), actor=staff)
    quarterly_report_record(member=board.sun, year=2024, quarter=3, reported_on=date(2024, 9, 20), actor=staff)
    client.force_login(staff)
    response = client.get(url("report_list"))
    assert (response.context["year"], response.context["quarter"]) == (2024, 4)
    reported = {row.member.cadre.name: row.report is not None for row in response.context["rows"]}
    assert reported == {"王书记": False, "李副书记": False, "张常委": False, "赵常委": True, "孙常委": False}
    assert response.context["reported"] == 1
    past = client.get(url("report_list"), {"year": 2024, "quarter": 3})
    levels = {row.member.cadre.name: row.level for row in past.context["rows"]}
    assert levels == {"王书记": "danger", "李副书记": "danger", "张常委": "danger", "赵常委": "danger", "孙常委": ""}


def test_recording_a_report_from_the_list(client, board, staff):
    client.force_login(staff)
    form = client.get(url("report_record"), {"member": board.zhang.pk, "year": 2024, "quarter": 4}).context["form"]
    assert (form.initial["member"], form.initial["year"], form.initial["quarter"]) == (board.zhang.pk, 2024, 4)
    assert form.initial["reported_on"] == TODAY
    data = {"member": board.zhang.pk, "year": 2024, "quarter": 4, "reported_on": "2024-11-04", "summary": "组织工作"}
    response = client.post(url("report_record"), data)
    assert response.status_code == 302 and response["Location"] == f"{url('report_list')}?year=2024&quarter=4"
    report = QuarterlyReport.objects.get()
    assert (report.member, report.summary, report.actor) == (board.zhang, "组织工作", staff)
    again = client.post(url("report_record"), data)
    assert again.status_code == 400
    assert again.context["form"].errors == {"quarter": ["张常委2024年第4季度的报告已登记"]}
    future = client.post(url("report_record"), {**data, "quarter": 1, "year": 2025, "reported_on": "2025-01-05"})
    assert future.context["form"].errors == {"reported_on": ["报告日期不能晚于今天"]}
