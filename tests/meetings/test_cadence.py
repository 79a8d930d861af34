"""Cadence compliance with exact dates: 15 days since the last 常委会 is fine and 16 warn; months and quarters
count once they have ended; the home page and the daily beat task tell 组织科 once a day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from committees.models import Committee
from meetings.cadence import cadence_warnings, committee_cadence, quarter_required
from meetings.home import cadence_sections
from meetings.services.meetings import meeting_cancel, meeting_schedule
from meetings.tasks import cadence_check
from orgdept.core import roles
from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import reminders_deliver_due
from orgdept.core.shell import work_queue_for

from .factories import make_committee_term, meeting_type

SHANGHAI = ZoneInfo("Asia/Shanghai")
CADENCE = reverse("meetings:cadence")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def hold(term, code: str, *days: date) -> list:
    return [
        meeting_schedule(
            term=term, meeting_type=meeting_type(code), starts_at=at(d), place="区委常委会议室", actor=None
        )
        for d in days
    ]


def small_term(starts: date):
    term, _seats = make_committee_term(standing=5, members=7, alternates=2, starts=starts)
    return term


def standing_of(result):
    return next(tc for tc in result.types if tc.meeting_type.code == "standing")


def of(result, code: str):
    return next(tc for tc in result.types if tc.meeting_type.code == code)


# --- days since the last meeting -------------------------------------------------------------------------------


def test_15_days_since_the_last_standing_meeting_is_fine_16_warn(db):
    term = small_term(date(2024, 11, 1))
    hold(term, "standing", date(2024, 11, 1))
    committee = term.committee
    assert cadence_warnings(committee, date(2024, 11, 16)) == []
    warnings = cadence_warnings(committee, date(2024, 11, 17))
    assert [(w.meeting_type.code, w.text, w.level) for w in warnings] == [
        ("standing", "已有16天未召开常委会（规定不超过15天）", "danger")
    ]
    assert [w.text for w in cadence_warnings(committee, date(2024, 11, 19))] == [
        "已有18天未召开常委会（规定不超过15天）"
    ]


def test_a_meeting_scheduled_ahead_is_mentioned_but_does_not_count_until_its_day(db):
    term = small_term(date(2024, 11, 1))
    hold(term, "standing", date(2024, 11, 1), date(2024, 11, 22))
    assert [w.text for w in cadence_warnings(term.committee, date(2024, 11, 19))] == [
        "已有18天未召开常委会（规定不超过15天），已安排于11月22日召开"
    ]
    assert cadence_warnings(term.committee, date(2024, 11, 22)) == []


def test_a_new_term_counts_its_days_from_its_start(db):
    term = small_term(date(2024, 11, 1))
    assert cadence_warnings(term.committee, date(2024, 11, 16)) == []
    assert [w.text for w in cadence_warnings(term.committee, date(2024, 11, 17))] == [
        "本届尚未召开常委会，距本届开始已有16天（规定不超过15天）"
    ]


def test_a_cancelled_meeting_is_not_held(db):
    term = small_term(date(2024, 11, 1))
    _held, cancelled = hold(term, "standing", date(2024, 11, 1), date(2024, 11, 10))
    meeting_cancel(meeting=cancelled, actor=None, reason="议题准备不足")
    assert [w.text for w in cadence_warnings(term.committee, date(2024, 11, 17))] == [
        "已有16天未召开常委会（规定不超过15天）"
    ]


# --- months and quarters ---------------------------------------------------------------------------------------


def test_months_count_once_they_have_ended(db):
    term = small_term(date(2021, 9, 28))
    hold(term, "standing", date(2024, 1, 8), date(2024, 1, 22), date(2024, 2, 19), date(2024, 3, 4))
    result = committee_cadence(term, year=2024, on=date(2024, 3, 10))
    standing = standing_of(result)
    assert [(c.held, c.state) for c in standing.months[:4]] == [(2, "ok"), (1, "behind"), (1, "open"), (0, "future")]
    assert (standing.held, standing.required, standing.year_required) == (4, 4, 24)
    assert not standing.behind  # the month under way may make up for February
    assert standing.current == "本月已开1次/应开2次"
    assert standing.months[1].note == "已开1次/应开2次"
    # on 1 April March has ended: 4 held, 6 required
    result = committee_cadence(term, year=2024, on=date(2024, 4, 1))
    standing = standing_of(result)
    assert (standing.held, standing.required, standing.shortfall) == (4, 6, 2)
    assert standing.months[2].state == "behind"
    texts = {w.meeting_type.code: w.text for w in cadence_warnings(term.committee, date(2024, 4, 1))}
    assert texts["standing"] == (
        "已有28天未召开常委会（规定不超过15天）；2024年已召开常委会4次，截至3月底应开6次（每月至少2次），尚差2次"
    )


def test_the_last_day_of_a_month_is_still_the_month_under_way(db):
    term = small_term(date(2021, 9, 28))
    hold(term, "standing", date(2024, 1, 8))
    standing = standing_of(committee_cadence(term, year=2024, on=date(2024, 1, 31)))
    assert (standing.months[0].state, standing.required) == ("open", 0)
    standing = standing_of(committee_cadence(term, year=2024, on=date(2024, 2, 1)))
    assert (standing.months[0].state, standing.required) == ("behind", 2)


def test_the_plenary_s_four_a_year_are_spread_over_the_quarters(db):
    term = small_term(date(2021, 9, 28))
    hold(term, "plenary", date(2024, 2, 20))
    plenary = of(committee_cadence(term, year=2024, on=date(2024, 6, 30)), "plenary")
    assert (plenary.held, plenary.required, plenary.year_required) == (1, 1, 4)
    assert plenary.current == "今年已开1次/全年应开4次"
    assert [c.state for c in plenary.months[:6]] == ["", "", "ok", "", "", "open"]
    assert plenary.months[2].note == "第1季度末累计已开1次/应开1次"
    assert "plenary" not in {w.meeting_type.code for w in cadence_warnings(term.committee, date(2024, 6, 30))}
    # the second quarter ended without one
    plenary = of(committee_cadence(term, year=2024, on=date(2024, 7, 1)), "plenary")
    assert (plenary.held, plenary.required, plenary.months[5].state) == (1, 2, "behind")
    texts = {w.meeting_type.code: w.text for w in cadence_warnings(term.committee, date(2024, 7, 1))}
    assert texts["plenary"] == "2024年已召开全委会1次，截至第2季度末应开2次（每年至少4次），尚差1次"
    # two in the third quarter make up for it
    hold(term, "plenary", date(2024, 7, 10), date(2024, 9, 25))
    plenary = of(committee_cadence(term, year=2024, on=date(2024, 10, 1)), "plenary")
    assert (plenary.held, plenary.required, plenary.behind) == (3, 3, False)


def test_quarters_before_the_term_require_nothing(db):
    term = small_term(date(2024, 5, 10))
    hold(term, "plenary", date(2024, 8, 1))
    plenary = of(committee_cadence(term, year=2024, on=date(2024, 12, 31)), "plenary")
    assert [c.state for c in plenary.months[:6]] == ["outside"] * 6
    # the third quarter and the fourth (not over on 31 December): 4 × 2 ÷ 4
    assert (plenary.required, plenary.year_required) == (1, 2)
    standing = standing_of(committee_cadence(term, year=2024, on=date(2024, 12, 31)))
    assert [c.state for c in standing.months[:5]] == ["outside"] * 5
    assert standing.year_required == 14  # June to December
    assert (quarter_required(4, 1), quarter_required(2, 1), quarter_required(2, 2), quarter_required(3, 4)) == (
        1,
        0,
        1,
        3,
    )


def test_a_past_year_is_seen_whole(db):
    term = small_term(date(2021, 9, 28))
    hold(term, "plenary", date(2023, 3, 1), date(2023, 6, 1), date(2023, 9, 1), date(2023, 12, 1))
    plenary = of(committee_cadence(term, year=2023, on=date(2024, 3, 10)), "plenary")
    assert (plenary.held, plenary.required, plenary.months[11].state) == (4, 4, "ok")
    standing = standing_of(committee_cadence(term, year=2023, on=date(2024, 3, 10)))
    assert (standing.required, standing.days_since, standing.current) == (24, None, "")


# --- the page --------------------------------------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(at(date(2024, 11, 19), 9), tick=False):
        yield


def test_the_cadence_page_for_the_organization_section(client, make_user, frozen):
    term = small_term(date(2024, 11, 1))
    hold(term, "standing", date(2024, 11, 1))
    client.force_login(make_user(roles.ORGANIZATION_SECTION))
    response = client.get(CADENCE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已有18天未召开常委会（规定不超过15天）" in page
    assert response.context["years"] == [2024]
    standing = standing_of(response.context["result"])
    assert (standing.months[10].held, standing.months[10].state) == (1, "open")
    assert 'data-month="11" data-state="open"' in page
    assert "本月已开1次/应开2次" in page


def test_the_year_picker(client, make_user, frozen):
    term = small_term(date(2022, 3, 1))
    hold(term, "standing", date(2023, 5, 4))
    client.force_login(make_user(roles.SYSTEM_ADMIN))
    response = client.get(CADENCE, {"year": 2023})
    assert response.context["years"] == [2024, 2023, 2022]
    assert response.context["result"].year == 2023
    assert standing_of(response.context["result"]).months[4].held == 1
    assert response.context["warnings"] == []  # a past year states what happened; today's warnings are for today
    assert client.get(CADENCE, {"year": 2019}).context["result"].year == 2024


def test_members_do_not_see_the_cadence_page(client, make_user):
    client.force_login(make_user(roles.STANDING_MEMBER))
    assert client.get(CADENCE).status_code == 403


def test_the_page_without_a_term(client, make_user):
    client.force_login(make_user(roles.ORGANIZATION_SECTION))
    response = client.get(CADENCE)
    assert response.status_code == 200
    assert response.context["result"] is None


# --- the home page ---------------------------------------------------------------------------------------------


def test_the_home_page_warns_the_organization_section_and_the_leaders(client, make_user, frozen):
    term = small_term(date(2024, 11, 1))
    hold(term, "standing", date(2024, 11, 1))
    staff = make_user(roles.ORGANIZATION_SECTION)
    [section] = cadence_sections(staff)
    assert section.title == "会议召开频次"
    assert [(i.label, i.level, i.url) for i in section.items] == [
        ("已有18天未召开常委会（规定不超过15天）", "danger", CADENCE)
    ]
    assert "会议召开频次" in [s.title for s in work_queue_for(staff)]
    client.force_login(staff)
    page = client.get(reverse("core:home")).content.decode()
    assert "会议召开频次" in page and "已有18天未召开常委会（规定不超过15天）" in page
    for role in (roles.STANDING_MEMBER, roles.CADRE_SECTION, roles.SYSTEM_ADMIN):
        assert cadence_sections(make_user(role)) == []
    leader = cadence_sections(make_user(roles.DEPARTMENT_LEADER))
    assert [i.label for i in leader[0].items] == ["已有18天未召开常委会（规定不超过15天）"]


def test_the_home_section_says_when_all_is_well(make_user, frozen):
    term = small_term(date(2024, 11, 1))
    hold(term, "standing", date(2024, 11, 12))
    [section] = cadence_sections(make_user(roles.ORGANIZATION_SECTION))
    assert section.items == []
    assert section.empty_text == "各会议均按议事规则规定的频次召开"


# --- the daily task --------------------------------------------------------------------------------------------


def test_the_beat_task_tells_the_organization_section_once_a_day(make_user):
    staff = [make_user(roles.ORGANIZATION_SECTION), make_user(roles.ORGANIZATION_SECTION)]
    make_user(roles.DEPARTMENT_LEADER)
    with time_machine.travel(at(date(2024, 11, 19), 7), tick=False):
        term = small_term(date(2024, 11, 1))
        hold(term, "standing", date(2024, 11, 1))
        assert cadence_check() == 2
        assert cadence_check() == 0  # run again the same day: nothing more
        assert cadence_check.apply().get() == 0  # as beat runs it
        reminders = Reminder.objects.filter(key__startswith="cadence:")
        assert sorted(r.recipient_id for r in reminders) == sorted(u.pk for u in staff)
        assert {r.key for r in reminders} == {f"cadence:{term.committee.pk}:standing:2024-11-19"}
        assert reminders_deliver_due() == 2
        assert cadence_check() == 0  # delivered: still not again today
        titles = Notification.objects.filter(recipient__in=staff).values_list("title", flat=True)
        assert list(titles) == ["已有18天未召开常委会（规定不超过15天）"] * 2
        body = Notification.objects.filter(recipient=staff[0]).get().body
        assert body == "常委会的召开频次：每月至少2次；超过15天未召开即提醒。"
    with time_machine.travel(at(date(2024, 11, 20), 7), tick=False):
        assert cadence_check() == 2  # the next day, once more
        reminders_deliver_due()
        assert Notification.objects.filter(recipient=staff[0]).count() == 2
    with time_machine.travel(at(date(2024, 11, 21), 7), tick=False):
        hold(term, "standing", date(2024, 11, 21))
        assert cadence_check() == 0


def test_the_task_is_on_the_beat_schedule():
    from orgdept.celery import app

    entries = {e["task"]: e for e in app.conf.beat_schedule.values()}
    assert "meetings.tasks.cadence_check" in entries


def test_no_committee_no_warnings(db):
    assert cadence_check() == 0
    assert Committee.objects.count() == 0


def test_the_cadence_page_s_queries_do_not_grow_with_the_meetings(client, make_user, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    term = small_term(date(2024, 1, 1))
    hold(term, "standing", date(2024, 1, 10))
    client.force_login(make_user(roles.ORGANIZATION_SECTION))
    client.get(CADENCE)
    with CaptureQueriesContext(connection) as before:
        client.get(CADENCE)
    hold(term, "standing", *(date(2024, m, 12) for m in range(2, 12)))
    hold(term, "plenary", date(2024, 3, 1), date(2024, 6, 1))
    with CaptureQueriesContext(connection) as after:
        client.get(CADENCE)
    assert len(after) == len(before)
