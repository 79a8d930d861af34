"""In Chromium, one appointment from 动议 to 任职: 干部科 create a round and propose 李明 (区财政局副局长) for 局长,
seeing the quota; record the democratic recommendation (李明 and another candidate), take its result, record the
inspection and the four mandatory checks, see the qualifications and put the proposal before the committee once the
gate is open; the round becomes a cadre topic, approved by the secretary; 组织科 schedule a 常委会, take attendance
and record each vote; the proposal is decided, the pre-appointment notice runs its 5 working days, and after it
李明 is appointed: the cadre's file shows 局长 and 正科级, the quota overview 区财政局 正科级 1/1, and the round's
任免审批表 pack and summary table name him with both posts.

The pages date every step by today. The notice cannot end on the day the committee decides, so once it has started
the test travels (time_machine, which the live server's thread shares) to the first working day after its end, as
a user would come back to the page then; everything before that happens on the real today. The working-day
calendar must know the year the notice ends in (the seeded schedule), as the application itself requires."""

from __future__ import annotations

import importlib
import subprocess
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import AppointmentProposal, Position, PositionTenure, Rank
from cadres.services import EducationEntry, cadre_assign_position, cadre_replace_family, position_create, quota_set
from meetings.models import Meeting
from meetings.services.topics import consultation_close, consultation_request, opinion_submit
from orgdept.core import roles
from orgdept.core.workdays import WorkCalendar
from tests.cadres.factories import make_cadre, make_unit
from tests.e2e.test_meeting_journey import (  # noqa: F401 (fixtures)
    SHOTS,
    TIMEOUT_MS,
    browser_context_args,
    download,
    flat,
    meeting_rules,
    pdf_text,
    sign_in,
    submit,
)
from tests.meetings.factories import CADRE_STANDING, R, make_committee_term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Status = AppointmentProposal.Status
UNIT = "区财政局"
SUBMITTING_UNIT = "区委组织部"
CADRE = "李明"
OTHER = "王强"
ROUND = "干部任免第一批"
TOPIC = f"关于{CADRE}同志任免的议题"
URGENT = "原局长突发疾病离岗，年度预算执行关键期急需主持全面工作，距下次全委会尚有三个月。"
REASON = "原局长到龄退休，局长岗位空缺，李明同志分管预算工作多年，熟悉财政业务。"
TEAM = "区委组织部考察组（组长：周干部）"
CONCLUSION = "政治坚定，熟悉财政工作，群众公认度高，建议任用。"
PLACE = "区委常委会议室"
# eleven members present: 9 同意, 1 不同意, 1 缓议 (at least 6 in favour pass)
VOTES = ["同意"] * 9 + ["不同意", "缓议"]
CHECKS = {
    "archive": ("区委组织部干部科", "干部档案经审核，出生日期、参加工作时间、学历等信息准确。"),
    "personal_matters": ("区委组织部干部监督科", "个人有关事项报告经抽查核实，未发现问题。"),
    "discipline": ("区纪委监委", "未发现违纪违法问题，无正在调查的问题线索。"),
    "petitions": ("区委组织部干部监督科", "近三年无反映该同志问题的信访举报。"),
}


@pytest.fixture
def calendar_seeded(transactional_db):
    """The holiday calendar the migration seeds (an earlier transactional test's flush removes it)."""
    migration = importlib.import_module("orgdept.core.migrations.0002_roles_calendar_audit_guard")
    migration.seed_calendar(django_apps, None)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_last_day(start: date, calendar: WorkCalendar) -> date:
    """The fifth working day counted from `start` (itself counted when it is a working day)."""
    day, counted = start, 0
    while True:
        counted += calendar.is_workday(day)
        if counted == settings.ORGDEPT_NOTICE_WORKDAYS:
            return day
        day += timedelta(days=1)


def first_workday_after(day: date, calendar: WorkCalendar) -> date:
    day += timedelta(days=1)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def setup_bureau():
    """区财政局 with its head and deputy posts and quotas; 李明, deputy since 2020 (his family recorded, so that
    the avoidance check can be made), and 王强, another 副科级 cadre."""
    bureau = make_unit(UNIT, order=1)
    make_unit(SUBMITTING_UNIT, order=2)
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
    head = position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    deputy = position_create(unit=bureau, title="副局长", level=Rank.FU_KE, role=Position.Role.DEPUTY, actor=None)
    cadre = make_cadre(
        bureau,
        CADRE,
        born=date(1982, 5, 14),
        rank=Rank.FU_KE,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2005, 7, 1),
        full_time=EducationEntry(education="大学", degree="经济学学士", school_major="西南财经大学财政学专业"),
    )
    cadre_assign_position(cadre=cadre, position=deputy, start_month=date(2020, 1, 1), actor=None)
    family = [
        {"relation": "妻子", "name": "陈静", "birth_month": date(1984, 3, 1), "work_and_post": "区实验小学教师"},
        {"relation": "女儿", "name": "李悦", "birth_month": date(2012, 9, 1), "work_and_post": "学生"},
    ]
    cadre_replace_family(cadre=cadre, members=family, actor=None)
    make_cadre(bureau, OTHER, born=date(1985, 3, 2), rank=Rank.FU_KE, rank_since_month=date(2021, 6, 1))
    return head, deputy, cadre


@pytest.mark.usefixtures("meeting_rules", "calendar_seeded")
def test_an_appointment_from_initiation_to_the_cadres_file(live_server, page, make_user):
    _term, seats = make_committee_term(standing=11, members=40, alternates=5, users=True)
    secretary = seats[R.SECRETARY][0]
    secretary.cadre.user.username = "shuji"
    secretary.cadre.user.save(update_fields=["username"])
    # 干部科 holds both meetings.add_topic and cadres.view_proposalround: it puts the round before the committee
    ganbu = make_user(roles.CADRE_SECTION, username="ganbu", last_name="周", first_name="干部")
    make_user(roles.ORGANIZATION_SECTION, username="zuzhi", last_name="吴", first_name="组织")
    head, deputy, cadre = setup_bureau()
    calendar = WorkCalendar()
    today = timezone.localdate()
    initiated_on = today - timedelta(days=30)
    recommended_on = today - timedelta(days=25)
    inspected = (today - timedelta(days=20), today - timedelta(days=14))
    checked_on = today - timedelta(days=10)
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 1. 干部科 open 干部任免 from the main menu, create a round and propose 李明 for 局长
    sign_in(page, base, "ganbu")
    page.click('nav.mainnav a[href="/cadres/proposals/"]')
    page.wait_for_url("**/cadres/proposals/")
    page.click('a.button[href="/cadres/proposals/rounds/new/"]')
    form = page.locator("[data-testid=round-form]")
    form.locator("input[name=title]").fill(ROUND)
    form.locator("textarea[name=note]").fill("拟提交区委常委会研究")
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/cadres/proposals/rounds/*/")
    round_url = page.url
    assert page.locator("h1").inner_text() == ROUND
    assert page.locator("[data-testid=round-proposals] tbody td.empty").count() == 1

    form = page.locator("[data-testid=proposal-form]")
    form.locator("input[name=cadre_search]").fill(CADRE)
    picked = form.locator("[data-testid=cadre-suggestions] input[type=radio]:checked")
    picked.wait_for()
    assert picked.get_attribute("value") == str(cadre.pk)
    form.locator("select[name=action]").select_option(label="任免")
    form.locator("select[name=target_unit]").select_option(label=UNIT)
    expect(form.locator("select[name=target_position] optgroup")).to_have_count(0)  # only the unit's posts now
    form.locator("select[name=target_position]").select_option(label="局长（正科级）")
    quota_line = form.locator("[data-testid=quota-line]")
    quota_line.wait_for()
    assert flat(quota_line.inner_text()) == "区财政局正科级领导职数：核定1名，已配备0名，在办任免事项0件；尚可动议1名"
    form.locator("select[name=current_unit]").select_option(label=UNIT)
    expect(form.locator("select[name=current_position] optgroup")).to_have_count(0)
    form.locator("select[name=current_position]").select_option(label="副局长（副科级）")
    form.locator("input[name=initiated_on]").fill(initiated_on.isoformat())
    form.locator("input[name=initiated_by]").fill("区委书记")
    form.locator("textarea[name=reason]").fill(REASON)
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/cadres/proposals/*/")
    proposal = AppointmentProposal.objects.get()
    proposal_url = page.url
    assert proposal_url.endswith(f"/cadres/proposals/{proposal.pk}/")
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.INITIATED
    facts = flat(page.locator("[data-testid=proposal-facts]").inner_text())
    assert "区财政局局长" in facts and "区财政局副局长" in facts and "区委书记" in facts
    assert f"{initiated_on.year}年{initiated_on.month}月{initiated_on.day}日" in facts
    assert "提拔" in facts  # 副科级 to a 正科级 post
    strip = page.locator("[data-testid=procedure-strip] li")
    assert [strip.nth(i).get_attribute("data-step") for i in range(strip.count())] == [
        "initiation",
        "recommendation",
        "inspection",
        "checks",
        "decision",
        "notice",
        "appointment",
        "probation",
    ]
    # nothing may go to the committee yet: the gate lists what is missing and the button is disabled
    problems = page.locator("[data-testid=gate-problems] li")
    assert problems.count() == 3, problems.all_inner_texts()
    assert "尚未记录民主推荐结果" in problems.nth(0).inner_text()
    assert page.locator("[data-testid=submit-form] button").is_disabled()

    # 2. the democratic recommendation for 局长, recorded from the proposal, two candidates with their votes
    assert page.locator("[data-testid=no-recommendation]").count() == 1
    page.click("[data-testid=recommendation-new]")
    page.wait_for_url("**/cadres/proposals/recommendations/new/?*")
    form = page.locator("[data-testid=recommendation-form]")
    assert form.locator("select[name=position] option:checked").inner_text() == "局长（正科级）"
    assert form.locator("input[name=candidates-0-cadre]").input_value() == CADRE
    form.locator("select[name=kind]").select_option(label="会议推荐")
    form.locator("input[name=held_on]").fill(recommended_on.isoformat())
    form.locator("input[name=participants]").fill("45")
    form.locator("input[name=candidates-0-votes]").fill("38")
    form.locator("input[name=candidates-1-cadre]").fill(OTHER)
    form.locator("input[name=candidates-1-votes]").fill("7")
    submit(form.locator("button[type=submit]"))
    page.wait_for_url(f"{proposal_url}#step-recommendation")
    pick = page.locator("[data-testid=recommend-form]")
    choice = pick.locator("input[type=radio]")
    assert choice.count() == 1 and choice.is_checked()
    assert "38" in pick.inner_text() and "45" in pick.inner_text()
    submit(pick.locator("button[type=submit]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.RECOMMENDED
    votes = page.locator("[data-testid=recommendation-facts]").inner_text()
    assert "会议推荐" in votes and f"{CADRE} 38" in votes and f"{OTHER} 7" in votes

    # the inspection
    form = page.locator("[data-testid=inspection-form]")
    form.locator("input[name=inspection-team]").fill(TEAM)
    form.locator("input[name=inspection-started_on]").fill(inspected[0].isoformat())
    form.locator("input[name=inspection-ended_on]").fill(inspected[1].isoformat())
    form.locator("textarea[name=inspection-report]").fill("经个别谈话、民主测评和实地走访，该同志德才表现良好。")
    form.locator("input[name=inspection-conclusion]").fill(CONCLUSION)
    submit(form.locator("button[type=submit]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.INSPECTED
    facts = page.locator("[data-testid=inspection-facts]").inner_text()
    assert TEAM in facts and CONCLUSION in facts

    # the four mandatory checks (凡提四必), one form each
    for kind, (done_by, result) in CHECKS.items():
        form = page.locator(f"[data-testid=check-form-{kind}]")
        form.locator(f"input[name=check-{kind}-done_on]").fill(checked_on.isoformat())
        form.locator(f"input[name=check-{kind}-done_by]").fill(done_by)
        form.locator(f"textarea[name=check-{kind}-result]").fill(result)
        assert form.locator(f"input[name=check-{kind}-clear]").is_checked()
        submit(form.locator("button[type=submit]"))
        assert page.locator(f"[data-testid=checks-done] tr[data-check={kind}]").count() == 1
    assert page.locator("[data-testid=checks-done] tbody tr").count() == 4
    assert page.locator("[data-testid^=check-form-]").count() == 0
    assert page.locator("[data-testid=procedure-strip] li[data-step=checks]").get_attribute("data-state") == "done"

    # the qualifications pass, the gate is open
    qualifications = page.locator("[data-testid=qualifications] li")
    outcomes = {
        qualifications.nth(i).get_attribute("data-check"): qualifications.nth(i).get_attribute("data-outcome")
        for i in range(qualifications.count())
    }
    # for a 正科级 post: the local 乡科级 numbers for work years, education and time at 副科级, the retirement age,
    # avoidance; no training hours on file yet is a warning (they may be made up within a year of the promotion)
    assert outcomes == {
        "work_years": "pass",
        "education": "pass",
        "level_years": "pass",
        "retirement_age": "pass",
        "avoidance": "pass",
        "training": "warning",
    }, qualifications.all_inner_texts()
    assert "2020.01任副科级" in page.locator("[data-testid=qualifications] li[data-check=level_years]").inner_text()
    assert page.locator("[data-testid=gate-problems]").count() == 0
    assert page.locator("[data-testid=gate-open]").is_visible()
    page.screenshot(path=str(SHOTS / "appointment-proposal-ready.png"), full_page=True)
    submit(page.locator("[data-testid=submit-form] button"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.SUBMITTED

    # 3. the round goes before the committee as one cadre topic, with the round's 任免审批表 as its material
    page.click(f'.page-head a[href$="/cadres/proposals/rounds/{proposal.round_id}/"]')
    page.wait_for_url(round_url)
    row = page.locator(f"[data-testid=round-proposals] tr[data-proposal='{proposal.pk}']")
    assert row.locator("[data-status]").get_attribute("data-status") == Status.SUBMITTED
    page.click("[data-testid=round-topic-link]")
    page.wait_for_url(f"**/meetings/topics/from-round/{proposal.round_id}/")
    assert (
        f"{CADRE}：拟任区财政局局长，免去区财政局副局长职务"
        in page.locator("[data-testid=round-proposals]").inner_text()
    )
    form = page.locator("[data-testid=round-topic-form]")
    # 局长 is the head of a district unit: the form offers the 全委会 first
    assert form.locator("select[name=requested_type] option:checked").inner_text() == "全委会"
    form.locator("select[name=category]").select_option(label=CADRE_STANDING)
    form.locator("select[name=requested_type]").select_option(label="常委会")
    assert form.locator("select[name=unit] option:checked").inner_text() == SUBMITTING_UNIT
    submit(form.locator("button[type=submit]"))
    # to the 常委会 only as an urgent case between plenaries, with the reason stated
    form = page.locator("[data-testid=round-topic-form]")
    assert "须提交全委会决定" in form.locator(".field-error").first.inner_text()
    form.locator("textarea[name=urgent_reason]").fill(URGENT)
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/meetings/topics/*/")
    topic_url = page.url
    assert page.locator("h1").inner_text().startswith(TOPIC)
    cadres_rows = page.locator("[data-testid=topic-cadres] tbody tr")
    assert cadres_rows.count() == 1
    assert "拟任区财政局局长，免去区财政局副局长职务" in cadres_rows.inner_text()
    assert page.locator("[data-testid=material-download]").inner_text() == f"{ROUND}干部任免审批表.pdf"
    submit(page.locator("[data-testid=topic-actions] [data-action=submit]"))
    gates = page.locator("[data-testid=gates]")
    failing = [g.get_attribute("data-gate") for g in gates.locator("li.fail").all()]
    assert sorted(failing) == ["approval", "consultation", "plenary_consulted"], gates.inner_text()

    # the consultation (酝酿) of every full member, as an urgent plenary matter needs: its pages are the meeting
    # journey's, here through the services
    topic = proposal.topic_rows.get().topic
    consultation = consultation_request(topic=topic, deadline=timezone.now() + timedelta(days=1), actor=ganbu)
    assert consultation.asked.count() == 40
    for asked in consultation.asked.select_related("cadre__user"):
        opinion_submit(consultation=consultation, member=asked, text="同意提交常委会研究。", actor=asked.cadre.user)
    consultation_close(consultation=consultation, actor=ganbu)
    page.reload()
    failing = [g.get_attribute("data-gate") for g in page.locator("[data-testid=gates] li.fail").all()]
    assert failing == ["approval"], page.locator("[data-testid=gates]").inner_text()

    # the secretary approves it (书记审定)
    sign_in(page, base, "shuji")
    page.goto(topic_url)
    submit(page.locator("[data-testid=topic-actions] [data-action=approve]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "approved"

    # 4. 组织科 schedule a 常委会, put the topic on its agenda, take attendance, open the meeting and the vote
    sign_in(page, base, "zuzhi")
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/list/")
    page.click('a.button[href="/meetings/new/"]')
    form = page.locator("[data-testid=meeting-form]")
    form.locator("select[name=meeting_type]").select_option(label="常委会")
    page.locator("[data-testid=preview-voting] li").first.wait_for()
    starts = timezone.localtime() + timedelta(hours=1)
    form.locator("input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=place]").fill(PLACE)
    page.wait_for_load_state("networkidle")
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/meetings/*/")
    meeting = Meeting.objects.get()
    meeting_url = page.url
    add = page.locator("[data-testid=agenda-add]")
    add.locator("select[name=topic]").select_option(label=f"{TOPIC}（{CADRE_STANDING}，{SUBMITTING_UNIT}）")
    submit(add.locator("button[type=submit]"))
    agenda = page.locator("[data-testid=agenda] article.agenda-item")
    assert agenda.count() == 1
    assert f"{CADRE}：拟任区财政局局长" in agenda.inner_text()

    page.click("[data-testid=meeting-actions] a[href$='/attendance/']")
    page.wait_for_url("**/attendance/")
    sheet = page.locator("[data-testid=attendance-form]")
    assert sheet.locator("input[type=checkbox]:checked").count() == 11
    submit(sheet.locator(".form-actions button[type=submit]"))
    panel = page.locator("[data-testid=quorum-panel]")
    assert panel.locator("[data-testid=present]").inner_text() == "11"
    submit(page.locator("[data-testid=session-controls] form[action$='/open/'] button"))
    assert Meeting.objects.get().status == Meeting.Status.IN_SESSION

    page.goto(meeting_url)
    page.locator("[data-testid=agenda] article.agenda-item h3 a").click()
    page.wait_for_url("**/meetings/items/*/")
    item_url = page.url
    submit(page.locator("[data-testid=voting-open] button[type=submit]"))
    voters = page.locator("[data-testid=vote-sheet] tr[data-voter]")
    assert voters.count() == 11
    voter_ids = [voters.nth(i).get_attribute("data-voter") for i in range(voters.count())]
    for voter, vote in zip(voter_ids, VOTES, strict=True):
        row = page.locator(f"[data-testid=vote-sheet] tr[data-voter='{voter}']")
        row.locator("select").select_option(vote)
        submit(row.locator("button[type=submit]"))
        assert page.locator(f"[data-testid=vote-sheet] tr[data-voter='{voter}'] form").count() == 0
    submit(page.locator("[data-testid=voting-close] button[type=submit]"))
    page.wait_for_url(item_url)
    assert page.locator("[data-testid=item-outcome]").inner_text() == "通过"
    cells = [c.strip() for c in page.locator("[data-testid=results] tr[data-result] td").all_inner_texts()]
    assert cells[0].startswith(CADRE)
    assert cells[1:8] == ["9", "1", "1", "11", "11", "6", "通过"]
    page.goto(meeting_url)
    submit(page.locator("[data-testid=session-controls] form[action$='/adjourn/'] button"))
    assert Meeting.objects.get().status == Meeting.Status.ADJOURNED

    # 5. 干部科 find the proposal decided and start the pre-appointment notice: five working days
    sign_in(page, base, "ganbu")
    page.goto(proposal_url)
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.DECIDED
    decision = flat(page.locator("[data-testid=decision-facts]").inner_text())
    assert "通过" in decision and cn_date(today) in decision and meeting.title in decision
    assert page.locator("[data-testid=topic-link]").inner_text() == topic.title
    notice_ends = notice_last_day(today, calendar)
    form = page.locator("[data-testid=notice-form]")
    assert form.locator("input[name=notice-starts_on]").input_value() == today.isoformat()
    assert flat(form.locator("[data-testid=notice-end]").inner_text()) == (
        f"自{cn_date(today)}起公示，至{cn_date(notice_ends)}止。"
    )
    submit(form.locator("button[type=submit]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.NOTICE
    notice = flat(page.locator("[data-testid=notice-facts]").inner_text())
    assert cn_date(today) in notice and cn_date(notice_ends) in notice
    assert calendar.workdays_between(today - timedelta(days=1), notice_ends) == settings.ORGDEPT_NOTICE_WORKDAYS
    # appointing now is refused: the notice has not ended
    problems = page.locator("[data-testid=appointment-problems] li")
    assert problems.count() == 1
    assert f"任前公示至{notice_ends:%Y年%m月%d日}，公示期满后才能任职" in problems.inner_text()
    submit(page.locator("[data-testid=appoint-form] button[type=submit]"))
    assert page.locator("[data-testid=appoint-form] .field-error").count() == 1
    assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.NOTICE

    # later: the first working day after the notice, 李明 is appointed with that day's date
    appointed_on = first_workday_after(notice_ends, calendar)
    later = datetime.combine(appointed_on, time(9, 30), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(later, tick=True):
        sign_in(page, base, "ganbu")  # days later: the earlier session has expired
        page.goto(proposal_url)
        assert page.locator("[data-testid=appointment-problems]").count() == 0
        form = page.locator("[data-testid=appoint-form]")
        assert form.locator("input[name=appoint-appointed_on]").input_value() == appointed_on.isoformat()
        submit(form.locator("button[type=submit]"))
        assert page.locator("h1 [data-status]").get_attribute("data-status") == Status.APPOINTED
        facts = flat(page.locator("[data-testid=appointment-facts]").inner_text())
        assert cn_date(appointed_on) in facts and "区财政局局长" in facts and "区财政局副局长" in facts
        probation = flat(page.locator("[data-testid=probation-facts]").inner_text())
        assert f"{appointed_on.year + 1}年{appointed_on.month}月" in probation  # a year's probation
        history = page.locator("[data-testid=history] tbody tr")
        assert history.count() == 7  # 动议, 推荐, 考察, 提交讨论决定, 决定, 公示, 任职
        page.screenshot(path=str(SHOTS / "appointment-proposal-appointed.png"), full_page=True)

        # 6. the cadre's file: 局长 now, at 正科级, 副局长 closed in the position history
        page.click(f"[data-testid=proposal-facts] a[href='/cadres/{cadre.pk}/']")
        page.wait_for_url(f"**/cadres/{cadre.pk}/")
        assert flat(page.locator("h1").inner_text()) == f"{CADRE}{UNIT}·局长"
        cadre_facts = page.locator("[data-testid=cadre-facts]")
        assert cadre_facts.locator("dt:text-is('现任职务') + dd").inner_text() == "局长"
        assert cadre_facts.locator("dt:text-is('职级') + dd").inner_text() == "正科级"
        current = page.locator("[data-testid=position-history] tbody tr.current")
        assert current.count() == 1
        assert [c.strip() for c in current.locator("td").all_inner_texts()] == [
            f"{UNIT} 局长",
            "正科级",
            f"{appointed_on:%Y.%m}",
            "至今",
        ]
        assert PositionTenure.objects.get(cadre=cadre, is_current=True).position == head
        assert not PositionTenure.objects.get(cadre=cadre, position=deputy).is_current

        # the quota overview: 区财政局 正科级 1 approved, 1 held
        page.click('nav.mainnav a[href="/cadres/units/"]')
        page.wait_for_url("**/cadres/units/")
        page.click('nav.tabs a[href="/cadres/quotas/"]')
        page.wait_for_url("**/cadres/quotas/")
        line = (
            page.locator("[data-testid=quota-table] tbody tr")
            .filter(has_text=UNIT)
            .filter(has=page.locator("td", has_text="正科级"))
        )
        assert line.count() == 1
        assert [c.strip() for c in line.locator("td").all_inner_texts()] == [UNIT, "正科级", "1", "1", "已配满"]
        deputies = page.locator("[data-testid=quota-table] tbody tr").filter(has_text="副科级").filter(has_text=UNIT)
        assert [c.strip() for c in deputies.locator("td").all_inner_texts()][2:4] == ["2", "0"]

        # 7. the round's 任免审批表 pack and summary table, asked from the round page
        page.goto(round_url)
        row = page.locator(f"[data-testid=round-proposals] tr[data-proposal='{proposal.pk}']")
        assert row.locator("[data-status]").get_attribute("data-status") == Status.APPOINTED
        page.screenshot(path=str(SHOTS / "appointment-round.png"), full_page=True)
        links = page.locator("[data-testid=round-documents] a")
        assert links.all_inner_texts()[:2] == ["干部任免审批表", "干部任免情况汇总表"]
        links.filter(has_text="干部任免审批表").click()
        page.wait_for_url("**/documents/*/")
        pack = download(page, page.locator("[data-testid=download]"))
        assert pack.startswith(b"%PDF")
        pack_path = SHOTS / "appointment-approval-forms.pdf"
        pack_path.write_bytes(pack)
        text = flat(pdf_text(pack))
        assert CADRE in text and "区财政局局长" in text and "区财政局副局长" in text, text
        page.goto(round_url)
        page.locator("[data-testid=round-documents] a").filter(has_text="干部任免情况汇总表").click()
        page.wait_for_url("**/documents/*/")
        summary = download(page, page.locator("[data-testid=download]"))
        summary_path = SHOTS / "appointment-summary.pdf"
        summary_path.write_bytes(summary)
        text = flat(pdf_text(summary))
        assert CADRE in text and "拟任区财政局局长" in text and "拟免区财政局副局长" in text, text
        assert "38/45" in text, text

    for old in SHOTS.glob("appointment-pack-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pack_path), str(SHOTS / "appointment-pack")], check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(summary_path), str(SHOTS / "appointment-summary")], check=True)
    assert list(SHOTS.glob("appointment-pack-*.png"))
