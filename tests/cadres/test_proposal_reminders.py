"""Reminders of the appointment procedure, each on its exact day and not the day before, sent once however often
the daily task runs: a notice ending (the day before its last day), objections open after it ended, a probation
ending (30 days before), a recommendation result expiring (30 days before) while the decision is still to come,
a proposal stalled more than 20 working days in its stage; and 干部科's work queue on the home page."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cadres import reminders
from cadres.home import cadre_sections, proposal_deadlines
from cadres.models import AppointmentProposal
from cadres.services import proposals as svc
from orgdept.core import roles
from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import reminders_deliver_due
from tests.cadres.test_proposal_documents import decide, posts, promotion, removal, serving, to_notice  # noqa: F401
from tests.cadres.test_proposals import recommend

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = AppointmentProposal.Status
A = AppointmentProposal.Action


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def morning(day: date) -> datetime:
    """When the daily task runs (the beat entry: 08:30)."""
    return at(day.year, day.month, day.day, 8, 30)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu", email="ganbu@example.org")


@pytest.fixture
def team(staff, make_user):
    """干部科: two active members and one whose account is disabled; a 组织科 member who is not told."""
    return SimpleNamespace(
        staff=staff,
        colleague=make_user(roles.CADRE_SECTION, username="ganbu2"),
        disabled=make_user(roles.CADRE_SECTION, username="ganbu3", is_active=False),
        other=make_user(roles.ORGANIZATION_SECTION, username="zuzhi"),
    )


@pytest.fixture
def proposal_round(staff):
    return svc.round_create(title="2026年第3批干部任免", actor=staff)


@pytest.fixture
def li(posts, proposal_round, staff):  # noqa: F811
    """李明's promotion, before the committee since 2026-06-01."""
    cadre = serving(posts.finance_deputy, "李明", born=date(1980, 3, 15))
    return promotion(proposal_round, cadre, posts.finance_head, posts.finance_deputy, staff)


def run(day: date, frozen) -> int:
    frozen.move_to(morning(day))
    return reminders.proposal_reminders_schedule()


def reminded(kind: str) -> dict[str, datetime]:
    """{username: due} of the reminders of `kind`."""
    return {
        r.recipient.username: r.due_at
        for r in Reminder.objects.filter(key__contains=f":{kind}").select_related("recipient")
    }


# --- the notice ending -----------------------------------------------------------------------------------------


def test_the_notice_ending_is_told_the_day_before_its_last_day(li, team, frozen):
    decide(li, staff=team.staff)
    (li,) = to_notice(li, staff=team.staff)
    assert li.notice_ends_on == date(2026, 10, 10)  # over the National Day holiday, a Saturday make-up workday
    assert run(date(2026, 10, 8), frozen) == 0
    assert run(date(2026, 10, 9), frozen) == 2
    assert reminded("notice_ending") == {"ganbu": at(2026, 10, 9, 9, 0), "ganbu2": at(2026, 10, 9, 9, 0)}
    reminder = Reminder.objects.get(recipient=team.staff, key__contains="notice_ending")
    assert reminder.key == f"proposal:{li.pk}:notice_ending:2026-10-10"
    assert reminder.title == "任前公示将于2026年10月10日期满：李明（拟任区财政局局长）"
    assert reminder.body.endswith("目前没有未办结的反映。")
    assert reminder.url == f"/cadres/proposals/{li.pk}/"
    # the task running again, that day or the next, sends nothing more
    assert run(date(2026, 10, 9), frozen) == 0
    frozen.move_to(at(2026, 10, 9, 8, 59))
    assert reminders_deliver_due() == 0
    frozen.move_to(at(2026, 10, 9, 9, 0))
    assert reminders_deliver_due() == 2
    assert reminders_deliver_due() == 0
    assert run(date(2026, 10, 10), frozen) == 0
    assert Notification.objects.filter(title__startswith="任前公示将于").count() == 2
    assert not Notification.objects.filter(recipient__in=[team.disabled, team.other]).exists()


def test_a_missed_day_is_caught_up_on_the_last_day_only(li, team, frozen):
    decide(li, staff=team.staff)
    to_notice(li, staff=team.staff)
    assert run(date(2026, 10, 10), frozen) == 2
    assert run(date(2026, 10, 11), frozen) == 0


def test_a_reminder_not_yet_delivered_is_withdrawn_when_the_proposal_moves_on(li, team, frozen):
    decide(li, staff=team.staff)
    (li,) = to_notice(li, staff=team.staff)
    assert run(date(2026, 10, 9), frozen) == 2
    frozen.move_to(at(2026, 10, 9, 8, 45))
    svc.proposal_withdraw(proposal=li, reason="本人申请", actor=team.staff)
    assert reminders.proposal_reminders_schedule() == 0
    assert not Reminder.objects.filter(key__startswith="proposal:").exists()
    frozen.move_to(at(2026, 10, 9, 9, 0))
    assert reminders_deliver_due() == 0


# --- objections open after the notice --------------------------------------------------------------------------


def test_open_objections_are_told_the_day_after_the_notice_ended(li, team, frozen):
    decide(li, staff=team.staff)
    (li,) = to_notice(li, staff=team.staff)
    frozen.move_to(at(2026, 9, 30, 10, 0))
    svc.objection_record(
        proposal=li, received_on=date(2026, 9, 30), content="反映其分管工作中存在问题", actor=team.staff
    )
    assert run(date(2026, 10, 9), frozen) == 2  # the notice ending, with the open objection
    assert Reminder.objects.get(recipient=team.staff).body.endswith("目前有1件反映尚未办结。")
    assert run(date(2026, 10, 10), frozen) == 0  # its last day: not yet
    assert reminded("objections") == {}
    assert run(date(2026, 10, 11), frozen) == 2
    assert reminded("objections") == {"ganbu": at(2026, 10, 11, 9, 0), "ganbu2": at(2026, 10, 11, 9, 0)}
    assert Reminder.objects.get(recipient=team.staff, key__contains="objections").title == (
        "任前公示已于2026年10月10日期满，李明尚有1件反映未办结"
    )
    assert run(date(2026, 10, 11), frozen) == 0
    assert run(date(2026, 10, 12), frozen) == 0


def test_no_objection_reminder_when_they_are_resolved(li, team, frozen):
    decide(li, staff=team.staff)
    (li,) = to_notice(li, staff=team.staff)
    frozen.move_to(at(2026, 10, 9, 10, 0))
    objection = svc.objection_record(proposal=li, received_on=date(2026, 9, 30), content="反映", actor=team.staff)
    svc.objection_resolve(
        objection=objection, resolved_on=date(2026, 10, 9), resolution="经核查不属实", upheld=False, actor=team.staff
    )
    assert run(date(2026, 10, 11), frozen) == 0


# --- probation ---------------------------------------------------------------------------------------------------


def test_the_probation_ending_is_told_30_days_before(li, team, frozen):
    decide(li, staff=team.staff)
    (li,) = to_notice(li, staff=team.staff)
    frozen.move_to(at(2026, 10, 12, 10, 0))
    li = svc.proposal_appoint(proposal=li, appointed_on=date(2026, 10, 12), actor=team.staff)
    assert (li.probation_ends_on, svc.probation_reminder_on(li)) == (date(2027, 10, 12), date(2027, 9, 12))
    assert run(date(2027, 9, 11), frozen) == 0
    assert run(date(2027, 9, 12), frozen) == 2
    assert reminded("probation_ending") == {"ganbu": at(2027, 9, 12, 9, 0), "ganbu2": at(2027, 9, 12, 9, 0)}
    reminder = Reminder.objects.get(recipient=team.staff)
    assert reminder.title == "李明的试用期将于2027年10月12日期满"
    assert "试用期自2026年10月12日起至2027年10月12日止" in reminder.body
    assert run(date(2027, 9, 12), frozen) == 0
    assert run(date(2027, 10, 12), frozen) == 0


# --- a recommendation result expiring --------------------------------------------------------------------------


@pytest.fixture
def recommended(posts, proposal_round, staff):  # noqa: F811
    """赵强's promotion recommended on 2025-07-15 (valid until 2026-07-15), recorded today, 2026-06-01."""
    cadre = serving(posts.education_deputy, "赵强", born=date(1979, 5, 6))
    proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT_REMOVE,
        target_position=posts.education_head,
        current_position=posts.education_deputy,
        initiated_on=date(2025, 7, 1),
        initiated_by="区委书记",
        reason="工作需要",
        actor=staff,
    )
    recommendation = recommend(posts.education_head, [cadre], staff, held_on=date(2025, 7, 15))
    proposal = svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff)
    assert svc.recommendation_expires_on(recommendation) == date(2026, 7, 15)
    return proposal


def test_a_recommendation_expiring_is_told_30_days_before(recommended, team, frozen):
    assert run(date(2026, 6, 14), frozen) == 0
    assert run(date(2026, 6, 15), frozen) == 2
    reminder = Reminder.objects.get(recipient=team.staff)
    assert reminder.key == f"proposal:{recommended.pk}:recommendation_expiring:2026-07-15"
    assert reminder.title == "赵强的民主推荐结果将于2026年7月15日到期"
    assert reminder.body == (
        "赵强（拟任区教育局局长）：2025年7月15日的民主推荐结果有效期一年，至2026年7月15日止，过期后须重新推荐。"
        "该事项目前处于“已推荐”阶段，请在到期前提交讨论决定。"
    )
    assert run(date(2026, 6, 15), frozen) == 0
    run(date(2026, 7, 15), frozen)  # its last day (the proposal is told it is stalled by now)
    assert Reminder.objects.filter(key__contains="recommendation_expiring").count() == 2


def test_no_recommendation_reminder_once_decided(li, team, frozen):
    # 李明's recommendation (2026-03-10) expires 2027-03-10: decided meanwhile, it no longer matters
    decide(li, staff=team.staff)
    assert run(date(2027, 2, 8), frozen) == 0
    assert reminded("recommendation_expiring") == {}


def test_the_recommendation_reminder_runs_until_the_decision(li, team, frozen):
    # still before the committee on 2027-02-08, 30 days before 2027-03-10
    run(date(2027, 2, 7), frozen)
    assert reminded("recommendation_expiring") == {}
    run(date(2027, 2, 8), frozen)
    assert reminded("recommendation_expiring") == {"ganbu": at(2027, 2, 8, 9, 0), "ganbu2": at(2027, 2, 8, 9, 0)}


# --- stalled -------------------------------------------------------------------------------------------------------


def test_a_proposal_stalled_more_than_20_working_days_is_told_once(li, team, frozen):
    # before the committee since Monday 2026-06-01: the 20th working day after is 6-30 (6-19 Dragon Boat Festival)
    assert run(date(2026, 6, 30), frozen) == 0
    assert run(date(2026, 7, 1), frozen) == 2
    reminder = Reminder.objects.get(recipient=team.staff)
    assert reminder.key == f"proposal:{li.pk}:stalled_submitted:2026-06-01"
    assert reminder.title == "李明的任免事项在“提交讨论决定”阶段已停留21个工作日"
    assert "已超过20个工作日没有进展" in reminder.body
    assert run(date(2026, 7, 2), frozen) == 0
    assert run(date(2026, 7, 20), frozen) == 0


def test_the_stalled_limit_is_a_setting(li, team, frozen, settings):
    settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS = 5
    assert run(date(2026, 6, 8), frozen) == 0  # 5 working days: 6-02 … 6-05, 6-08
    assert run(date(2026, 6, 9), frozen) == 2


# --- recipients ----------------------------------------------------------------------------------------------------


def test_whoever_entered_the_proposal_is_told_while_they_may_see_it(posts, proposal_round, team, make_user, frozen):  # noqa: F811
    leader = make_user(roles.DEPARTMENT_LEADER, username="buzhang")
    cadre = serving(posts.finance_deputy2, "王刚", born=date(1966, 2, 3))
    removal(proposal_round, cadre, posts.finance_deputy2, leader)
    assert run(date(2026, 7, 1), frozen) == 3
    assert set(reminded("stalled")) == {"ganbu", "ganbu2", "buzhang"}
    Reminder.objects.all().delete()
    leader.groups.clear()
    assert run(date(2026, 7, 1), frozen) == 2
    assert set(reminded("stalled")) == {"ganbu", "ganbu2"}


# --- the daily task ------------------------------------------------------------------------------------------------


def test_the_daily_task_is_on_the_beat_and_safe_to_repeat(li, team, frozen):
    from cadres.tasks import proposal_reminders
    from orgdept.celery import app

    entry = app.conf.beat_schedule["cadres-proposal-reminders"]
    assert entry["task"] == proposal_reminders.name == "cadres.tasks.proposal_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {30})
    frozen.move_to(morning(date(2026, 7, 1)))
    assert proposal_reminders.delay().get() == 2
    assert proposal_reminders.delay().get() == 0


# --- 干部科's work queue on the home page --------------------------------------------------------------------------


def section(user, title):
    return next(s for s in cadre_sections(user) if s.title == title)


def test_the_work_queue_counts_proposals_by_stage_and_lists_the_nearest_dates(
    posts,  # noqa: F811
    proposal_round,
    li,
    recommended,
    team,
    frozen,
):
    wang = removal(
        proposal_round, serving(posts.finance_deputy2, "王刚", born=date(1966, 2, 3)), posts.finance_deputy2, team.staff
    )
    decide(li, wang, staff=team.staff)
    to_notice(li, staff=team.staff)
    frozen.move_to(at(2026, 10, 9, 10, 0))
    stages = section(team.staff, "任免事项（按阶段）")
    assert [(i.label, i.detail) for i in stages.items] == [("已推荐", "1 件"), ("已决定", "1 件"), ("任前公示", "1 件")]
    # each count opens the work queue on its stage
    assert [i.url for i in stages.items] == [
        f"/cadres/proposals/?stage={stage}" for stage in ("recommended", "decided", "notice")
    ]
    dates = section(team.staff, "任免工作近期节点")
    zhao, li_url = f"/cadres/proposals/{recommended.pk}/", f"/cadres/proposals/{li.pk}/"
    # by date: 赵强 in his stage since 6-01 (88 working days to 10-09), his result expired 7-15, 李明's notice
    # ends tomorrow; 王刚, decided on 9-28, is not yet 20 working days in his stage over the holiday
    assert [(i.label, i.detail, i.level, i.url) for i in dates.items] == [
        ("赵强（拟任区教育局局长）", "在“已推荐”阶段已停留88个工作日（超过20个）", "danger", zhao),
        ("赵强（拟任区教育局局长）", "民主推荐结果已于7月15日过期", "danger", zhao),
        ("李明（拟任区财政局局长）", "任前公示至10月10日", "warning", li_url),
    ]
    # a limit keeps the earliest, as the home page shows them
    limited = proposal_deadlines(date(2026, 10, 9), limit=2)
    assert [item.detail for _on, item in limited] == [i.detail for i in dates.items[:2]]


def test_the_work_queue_is_for_those_who_follow_the_procedure(li, team, make_user):
    assert cadre_sections(team.other) == []
    titles = [s.title for s in cadre_sections(make_user(roles.DEPARTMENT_LEADER, username="buzhang"))]
    assert "任免事项（按阶段）" in titles and "任免工作近期节点" in titles


def test_the_home_page_shows_the_queue(li, team, client):
    client.force_login(team.staff)
    response = client.get(reverse("core:home"))
    content = response.content.decode()
    assert "任免事项（按阶段）" in content and "任免工作近期节点" in content


def test_the_work_queue_reads_a_fixed_number_of_queries(posts, proposal_round, li, team, frozen):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> tuple[int, int]:
        frozen.move_to(at(2026, 7, 1, 10, 0))
        section(team.staff, "任免工作近期节点")  # the user's roles and permissions are read once, then cached
        with CaptureQueriesContext(connection) as captured:
            items = section(team.staff, "任免工作近期节点").items
        frozen.move_to(at(2026, 6, 1, 9, 0))
        return len(items), len(captured)

    shown, one = queries()
    assert shown == 1  # 李明, stalled on 7-01
    for post, name, born in (
        (posts.finance_deputy2, "王刚", date(1966, 2, 3)),
        (posts.education_deputy2, "孙丽", date(1978, 11, 20)),
    ):
        removal(proposal_round, serving(post, name, born=born), post, team.staff)
    assert queries() == (3, one)
