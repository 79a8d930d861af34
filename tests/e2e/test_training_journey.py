"""In Chromium, one training class from the plan to the cadres' transcripts: 培训科 draft the year's plan with a
class of three sessions (14 hours) and submit it; 部领导 approve it; 培训科 call up 李明 and 王芳 of 区财政局 — 李明 is
refused once because he is already called to another class on overlapping dates, then called up with a reason —
and 赵刚 found by his pinyin initials; after the class, attendance is taken for every session (王芳 misses a 3-hour
session: 3 × 7 > 14, more than 1/7), the class is closed, 李明's transcript shows his 14 hours and 王芳's shows no
credit and the class not completed; 李明's transcript PDF names him and his hours.

The pages date every step by today: the class is set a week ahead, and attendance can only be taken on sessions
that have taken place, so after the call-up the test travels (time_machine, which the live server's thread shares)
to the morning after the class ends, as staff would come back to the page then."""

from __future__ import annotations

import subprocess
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cadres.models import Rank
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit
from tests.e2e.test_meeting_journey import (  # noqa: F401 (fixtures)
    SHOTS,
    TIMEOUT_MS,
    browser_context_args,
    download,
    flat,
    pdf_text,
    sign_in,
    submit,
)
from tests.training.factories import approved_class, call
from training.models import CreditEntry, Enrolment, TrainingClass, TrainingPlan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UNIT = "区财政局"
PLAN = "年度干部教育培训计划"
CLASS = "中青年干部培训班"
OTHER_CLASS = "乡镇党委书记专题班"
ORGANISER = "区委党校"
REASON = "两班均为必训班次，经部领导同意交叉参训"
# (day of the class, topic, hours): 14 hours in all
SESSIONS = ((0, "习近平新时代中国特色社会主义思想", "4"), (0, "党史专题", "3"), (2, "基层治理能力", "7"))


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"training-{name}.png"), full_page=True)


def setup_people(make_user):
    """培训科 and 部领导 users; 李明 and 王芳 (区财政局, 副科级), 赵刚 (城关镇, 正科级)."""
    make_user(roles.TRAINING_SECTION, username="peixun", last_name="周", first_name="培训")
    make_user(roles.DEPARTMENT_LEADER, username="buzhang", last_name="吴", first_name="部长")
    bureau = make_unit(UNIT, order=1)
    township = make_unit("城关镇", order=2)
    li = make_cadre(bureau, "李明", rank=Rank.FU_KE, current_post="区财政局副局长")
    wang = make_cadre(bureau, "王芳", rank=Rank.FU_KE, current_post="区财政局副局长")
    zhao = make_cadre(township, "赵刚", rank=Rank.ZHENG_KE, current_post="城关镇镇长")
    return li, wang, zhao


def test_a_training_class_from_the_plan_to_the_transcripts(live_server, page, make_user):
    li, wang, zhao = setup_people(make_user)
    today = timezone.localdate()
    start = today + timedelta(days=7)
    end = start + timedelta(days=2)
    # 李明 is already called to another class of an approved plan that shares the class's last day
    staff, leader = (get_user(name) for name in ("peixun", "buzhang"))
    other = approved_class(staff, leader, start=end, end=end + timedelta(days=2), hours=("6",), name=OTHER_CLASS)
    call(other, [li], staff)
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    plan_title = f"{start.year}{PLAN}"

    # 1. 培训科 open 培训 from the main menu and draft the plan
    sign_in(page, base, "peixun")
    page.click('nav.mainnav a[href="/training/"]')
    page.wait_for_url("**/training/")
    page.click("[data-testid=plan-new]")
    form = page.locator("[data-testid=plan-form]")
    assert form.locator("input[name=year]").input_value() == str(today.year)
    form.locator("input[name=year]").fill(str(start.year))
    form.locator("input[name=title]").fill(plan_title)
    form.locator("textarea[name=notes]").fill("全年举办主体班次3期，网络培训2期。")
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/training/plans/*/")
    plan = TrainingPlan.objects.get(title=plan_title)
    plan_url = page.url
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "draft"

    # the class, for 正科级 and 副科级 cadres
    page.click("[data-testid=class-new]")
    form = page.locator("[data-testid=class-form]")
    form.locator("input[name=name]").fill(CLASS)
    form.locator("select[name=category]").select_option(TrainingClass.Category.PARTY_SCHOOL)
    form.locator("input[name=organiser]").fill(ORGANISER)
    form.locator("input[name=place]").fill("区委党校101教室")
    form.locator("input[name=start_date]").fill(start.isoformat())
    form.locator("input[name=end_date]").fill(end.isoformat())
    form.locator("input[name=capacity]").fill("30")
    form.locator(f"input[name=target_ranks][value={Rank.ZHENG_KE}]").check()
    form.locator(f"input[name=target_ranks][value={Rank.FU_KE}]").check()
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/training/classes/*/")
    training_class = TrainingClass.objects.get(name=CLASS)
    class_url = page.url
    assert training_class.plan == plan and training_class.target_ranks == [Rank.ZHENG_KE, Rank.FU_KE]
    for offset, topic, hours in SESSIONS:
        form = page.locator("[data-testid=session-form]")
        form.locator("input[name=session-date]").fill((start + timedelta(days=offset)).isoformat())
        form.locator("input[name=session-topic]").fill(topic)
        form.locator("input[name=session-hours]").fill(hours)
        submit(form.locator("button[type=submit]"))
    assert page.locator("[data-testid=sessions] tbody tr").count() == 3
    assert page.locator("[data-testid=total-hours]").inner_text() == "14"
    assert page.locator("[data-testid=plan-not-approved]").is_visible()

    # submitted for approval from the plan's page
    page.goto(plan_url)
    assert page.locator("[data-testid=plan-classes] tbody tr").count() == 1
    submit(page.locator("[data-testid=plan-submit] button"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "submitted"
    shot(page, "plan-submitted")

    # 2. 部领导 approve it
    sign_in(page, base, "buzhang")
    page.goto(plan_url)
    assert page.locator("[data-testid=class-new]").count() == 0
    submit(page.locator("[data-testid=plan-approve] button"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "approved"
    assert "吴部长" in page.locator("[data-testid=approved]").inner_text()
    actions = [r.get_attribute("data-action") for r in page.locator("[data-testid=plan-history] tbody tr").all()]
    assert actions == ["training_plan.created", "training_plan.submitted", "training_plan.approved"]
    shot(page, "plan-approved")

    # 3. 培训科 call up 区财政局's 李明 and 王芳: 李明's other class overlaps, refused, then called up with a reason
    sign_in(page, base, "peixun")
    page.goto(class_url)
    page.locator("[data-testid=candidate-filter] select[name=unit]").select_option(label=UNIT)
    rows = page.locator("[data-testid=candidates] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    li_row = page.locator(f"[data-testid=candidates] tr[data-cadre='{li.pk}']")
    assert flat(li_row.locator("[data-testid=load-classes]").inner_text()).startswith(f"1：{OTHER_CLASS}")
    li_row.locator("input[name=cadres]").check()
    page.locator(f"[data-testid=candidates] tr[data-cadre='{wang.pk}'] input[name=cadres]").check()
    shot(page, "callup-candidates")
    submit(page.locator("[data-testid=callup-submit]"))
    refusal = page.locator("[data-testid=overlap-error]")
    assert refusal.inner_text() == (
        f"李明已参加「{OTHER_CLASS}」（{end.isoformat()}至{(end + timedelta(days=2)).isoformat()}），日期重叠。"
        "如确需调训，请说明理由"
    )
    assert not Enrolment.objects.filter(training_class=training_class).exists()
    ticked = page.locator("[data-testid=candidates] input[name=cadres]:checked")
    assert sorted(ticked.evaluate_all("els => els.map(e => e.value)")) == sorted([str(li.pk), str(wang.pk)])
    shot(page, "callup-overlap-refused")
    page.locator("[data-testid=overlap-reason] textarea[name=overlap_reason]").fill(REASON)
    submit(page.locator("[data-testid=callup-submit]"))
    enrolled = {e.cadre.name: e.overlap_reason for e in training_class.enrolments.select_related("cadre")}
    assert enrolled == {"李明": REASON, "王芳": ""}
    # 赵刚, of another unit, found by his pinyin initials
    page.locator("[data-testid=candidate-filter] input[name=q]").fill("zg")
    page.locator(f"[data-testid=candidates] tr[data-cadre='{zhao.pk}']").wait_for()
    page.locator(f"[data-testid=candidates] tr[data-cadre='{zhao.pk}'] input[name=cadres]").check()
    submit(page.locator("[data-testid=callup-submit]"))
    assert page.locator("[data-testid=enrolments] tbody tr").count() == 3
    assert page.locator(".class-facts [data-testid=capacity]").inner_text() == "3/30"

    # 4. the morning after the class: attendance of each session, 王芳 absent from the 3-hour one, then 结班
    later = datetime.combine(end + timedelta(days=1), time(9, 30), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(later, tick=True):
        sign_in(page, base, "peixun")
        page.goto(class_url)
        sessions = page.locator("[data-testid=sessions] tbody tr")
        assert [sessions.nth(i).get_attribute("data-attendance") for i in range(3)] == ["none"] * 3
        for index in range(3):
            page.locator("[data-testid=attendance-link]").nth(index).click()
            page.wait_for_url("**/attendance/")
            sheet = page.locator("[data-testid=attendance-form]")
            assert sheet.locator("input[type=radio][value='1']:checked").count() == 3  # present by default
            if index == 1:
                row = sheet.locator("tbody tr", has_text="王芳")
                row.locator("input[type=radio][value='0']").check()
                row.locator("input[type=text]").fill("请假")
                shot(page, "attendance")
            submit(sheet.locator("button[type=submit]"))
            page.wait_for_url(f"{class_url}#sessions")
        assert [sessions.nth(i).get_attribute("data-attendance") for i in range(3)] == ["done"] * 3
        submit(page.locator("[data-testid=class-close] button"))
        statuses = {
            r.locator("td").first.inner_text(): r.get_attribute("data-status")
            for r in page.locator("[data-testid=enrolments] tbody tr").all()
        }
        assert statuses == {"李明": "completed", "王芳": "not_completed", "赵刚": "completed"}
        wang_row = page.locator(f"[data-testid=enrolments] tr[data-cadre='{wang.pk}']")
        assert wang_row.locator("[data-testid=absent-hours]").inner_text() == "3"
        assert wang_row.locator("[data-testid=credit-hours]").inner_text() == "—"
        li_row = page.locator(f"[data-testid=enrolments] tr[data-cadre='{li.pk}']")
        assert li_row.locator("[data-testid=credit-hours]").inner_text() == "14"
        assert page.locator("[data-testid=closed]").count() == 1
        shot(page, "class-closed")
        assert CreditEntry.objects.filter(enrolment__training_class=training_class).count() == 2

        # 5. the transcripts: 李明's 14 hours; 王芳 no credit and the class not completed
        li_row.locator("a").first.click()
        page.wait_for_url(f"**/training/cadres/{li.pk}/")
        transcript_url = page.url
        assert page.locator("[data-testid=earned]").inner_text() == "14"
        assert page.locator("[data-testid=shortfall]").inner_text() == "76"  # 副科级: 90 hours a year
        ledger = page.locator("[data-testid=ledger] tbody tr")
        assert ledger.count() == 1
        assert CLASS in ledger.inner_text() and ledger.locator("[data-testid=line-hours]").inner_text() == "14"
        shot(page, "transcript")
        page.goto(f"{base}/training/cadres/{wang.pk}/")
        assert page.locator("[data-testid=no-credit]").count() == 1
        assert page.locator("[data-testid=earned]").inner_text() == "0"
        assert CLASS in page.locator("[data-testid=not-completed]").inner_text()
        shot(page, "transcript-not-completed")

        # the transcript PDF of 李明
        page.goto(transcript_url)
        content = download(page, page.locator("[data-testid=transcript-pdf]"))
        assert content.startswith(b"%PDF")
        pdf_path = SHOTS / "training-transcript.pdf"
        pdf_path.write_bytes(content)
        text = flat(pdf_text(content))
        assert "干部教育培训学时证明" in text and "李明" in text and CLASS in text, text
        assert "已修14学时" in text and "尚差76学时" in text, text

    for old in SHOTS.glob("training-transcript-pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf_path), str(SHOTS / "training-transcript-pdf")], check=True)
    assert list(SHOTS.glob("training-transcript-pdf-*.png"))


def get_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
