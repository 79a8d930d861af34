"""In Chromium, a cadre item from entry to the minutes: 干部科 enters the topic, names the cadre, uploads a material and
asks a standing member's opinion; the member reads the watermarked material and gives it; the secretary approves
the topic (书记审定); 组织科 schedules a 常委会 and puts it on the agenda; the member reads the agenda and the material
again; 组织科 takes attendance (one absent with a reason), opens the meeting and the vote, records each vote, closes
it and adjourns; the minutes PDF states the votes, 应到会 and 实到会, the result and the rule applied."""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from pypdf import PdfReader

from meetings.materials import watermark_text_of
from meetings.models import AgendaItem, Attendance, Meeting, Topic, Vote
from orgdept.core import roles
from orgdept.core.pdf import html_to_pdf
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import CADRE_STANDING, R, make_committee_term

# pytest-playwright runs an event loop in the test thread; Django's ORM refuses that without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/orgdept-shots")
TIMEOUT_MS = 15_000
PASSWORD = "correct-horse-battery"

TITLE = "关于赵明远同志任职的议题"
UNIT = "区财政局"
CANDIDATE = "赵明远"
PROPOSAL = "拟任区财政局局长"
OPINION = "同意提交常委会研究，赵明远同志熟悉财政工作。"
ABSENCE = "赴市委党校参加专题培训"
PLACE = "区委常委会议室"
# the ten members present vote: 7 同意, 2 不同意, 1 缓议 (11 should attend: at least 6 in favour pass)
VOTES = ["同意"] * 7 + ["不同意"] * 2 + ["缓议"]
RULE = "赞成票超过应到会成员11人的半数，即至少6票为通过"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 1400, "height": 1000},
        "accept_downloads": True,
    }


@pytest.fixture
def meeting_rules(transactional_db):
    """The meeting types and topic categories the migration seeds (an earlier transactional test's flush removes
    them)."""
    migration = importlib.import_module("meetings.migrations.0002_seed_meeting_rules")
    migration.seed(django_apps, None)


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("load")


def submit(locator):
    """Clicks a submit button and waits for the page it leads to."""
    page = locator.page
    with page.expect_navigation():
        locator.click()


def download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def material_file(tmp_path: Path) -> Path:
    path = tmp_path / "考察材料.pdf"
    html = f'<html lang="zh-CN"><body><h1>{CANDIDATE}同志考察材料</h1><p>{PROPOSAL}。</p></body></html>'
    path.write_bytes(html_to_pdf(html))
    return path


def test_a_cadre_item_from_entry_to_the_minutes(live_server, page, make_user, meeting_rules, tmp_path):
    _term, seats = make_committee_term(standing=11, members=40, alternates=5, users=True)
    secretary = seats[R.SECRETARY][0]
    member = seats[R.STANDING_MEMBER][0]
    away = seats[R.STANDING_MEMBER][-1]
    for seat, username in ((secretary, "shuji"), (member, "changwei")):
        seat.cadre.user.username = username
        seat.cadre.user.save(update_fields=["username"])
    member_name = member.cadre.name
    make_user(roles.CADRE_SECTION, username="ganbu", last_name="周", first_name="干部")
    make_user(roles.ORGANIZATION_SECTION, username="zuzhi", last_name="吴", first_name="组织")
    make_cadre(make_unit(UNIT), CANDIDATE, current_post="区财政局副局长")
    material = material_file(tmp_path)
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 1. 干部科 enters the topic through the menu and the section links
    sign_in(page, base, "ganbu")
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/list/")
    page.click("nav.subnav a[data-key=topics]")
    page.wait_for_url("**/meetings/topics/")
    page.click('a.button[href="/meetings/topics/new/"]')
    form = page.locator("[data-testid=topic-form]")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=category]").select_option(label=CADRE_STANDING)
    form.locator("#topic-route input[name=posts]").wait_for()  # a cadre item: the page offers 差额票决
    form.locator("select[name=requested_type]").select_option(label="常委会")
    form.locator("select[name=unit]").select_option(label=UNIT)
    form.locator("textarea[name=summary]").fill("区财政局局长出缺，经民主推荐和考察，拟提名赵明远同志。")
    page.wait_for_load_state("networkidle")
    assert page.locator("#topic-route [data-testid=refused]").count() == 0
    submit(form.locator("button[type=submit]"))
    page.wait_for_url("**/meetings/topics/*/")
    topic_url = page.url
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "draft"
    facts = page.locator("[data-testid=topic-facts]").inner_text()
    assert CADRE_STANDING in facts and UNIT in facts

    # the cadre concerned, picked from the suggestions
    cadre_form = page.locator("[data-testid=cadre-form]")
    cadre_form.locator("input[name=cadre_search]").fill(CANDIDATE)
    cadre_form.locator("[data-testid=cadre-suggestions] input[type=radio]:checked").wait_for()
    cadre_form.locator("input[name=proposal]").fill(PROPOSAL)
    submit(cadre_form.locator("button[type=submit]"))
    rows = page.locator("[data-testid=topic-cadres] tbody tr")
    assert rows.count() == 1
    assert CANDIDATE in rows.inner_text() and PROPOSAL in rows.inner_text()

    # the material
    page.locator("[data-testid=material-form] input[type=file]").set_input_files(str(material))
    submit(page.locator("[data-testid=material-form] button[type=submit]"))
    assert page.locator("[data-testid=material-download]").inner_text() == material.name

    # the consultation (酝酿): one standing member is asked, with a deadline
    page.click("#consultations a[href$='/consultations/new/']")
    page.wait_for_url("**/consultations/new/")
    consult = page.locator("[data-testid=consultation-form]")
    ticked = consult.locator("input[name=members]:checked")
    assert ticked.count() == 11  # by default every member with a vote at the 常委会
    while ticked.count():
        ticked.first.uncheck()
    consult.locator(f'input[name=members][value="{member.pk}"]').check()
    deadline = timezone.localtime() + timedelta(days=2)
    consult.locator("input[name=deadline]").fill(deadline.strftime("%Y-%m-%dT18:00"))
    consult.locator("textarea[name=question]").fill("请对赵明远同志任职提出意见。")
    submit(consult.locator("button[type=submit]"))
    page.wait_for_url("**/meetings/consultations/*/")
    consultation_url = page.url
    answers = page.locator("[data-testid=consultation-answers] tbody tr")
    assert answers.count() == 1 and member_name in answers.inner_text()

    # 2. the member finds the consultation on their portal, reads the material, gives an opinion
    sign_in(page, base, "changwei")
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/portal/")
    asked = page.locator("[data-testid=portal-consultations] tr[data-consultation]")
    assert asked.count() == 1
    assert TITLE in asked.inner_text() and asked.get_attribute("data-answered") == "no"
    asked.locator("a").click()
    page.wait_for_url(consultation_url)
    page.click(".page-head a")  # ← the topic
    page.wait_for_url(topic_url)
    pdf = download(page, page.locator("[data-testid=material-download]"))
    assert pdf.startswith(b"%PDF")
    assert watermark_text_of(pdf).startswith(f"{member_name} ")
    page.go_back()
    page.wait_for_url(consultation_url)
    opinion = page.locator("[data-testid=opinion-form]")
    opinion.locator("textarea[name=text]").fill(OPINION)
    submit(opinion.locator("button[type=submit]"))
    page.wait_for_url(consultation_url)
    assert page.locator("[data-testid=opinion-form] textarea[name=text]").input_value() == OPINION
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/portal/")
    assert (
        page.locator("[data-testid=portal-consultations] tr[data-consultation]").get_attribute("data-answered") == "yes"
    )

    # 3. 干部科 sees the opinion, closes the consultation and submits the topic; the secretary approves it
    sign_in(page, base, "ganbu")
    page.goto(topic_url)
    assert OPINION in page.locator("[data-testid=opinions]").inner_text()
    page.click("#consultations .consultation-summary a")
    page.wait_for_url(consultation_url)
    submit(page.locator("[data-testid=consultation-close]"))
    assert page.locator("[data-testid=consultation-close]").count() == 0
    page.goto(topic_url)
    submit(page.locator("[data-testid=topic-actions] [data-action=submit]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "submitted"
    gates = page.locator("[data-testid=gates]")
    # only the secretary's approval is missing now
    assert [g.get_attribute("data-gate") for g in gates.locator("li.fail").all()] == ["approval"], gates.inner_text()

    sign_in(page, base, "shuji")
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/portal/")
    page.click("nav.subnav a[data-key=topics]")
    page.click("[data-testid=preset-submitted]")
    page.wait_for_url("**/meetings/topics/?status=submitted")
    page.locator("[data-testid=topic-table]").get_by_role("link", name=TITLE).click()
    page.wait_for_url(topic_url)
    submit(page.locator("[data-testid=topic-actions] [data-action=approve]"))
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "approved"

    # 4. 组织科 schedules a 常委会 and puts the topic on its agenda
    sign_in(page, base, "zuzhi")
    page.click('nav.mainnav a[href="/meetings/"]')
    page.wait_for_url("**/meetings/list/")
    page.click('a.button[href="/meetings/new/"]')
    meeting_form = page.locator("[data-testid=meeting-form]")
    meeting_form.locator("select[name=meeting_type]").select_option(label="常委会")
    page.locator("[data-testid=preview-voting] li").first.wait_for()
    assert page.locator("[data-testid=preview-voting] li").count() == 11
    starts = timezone.localtime() + timedelta(hours=1)
    meeting_form.locator("input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    meeting_form.locator("input[name=place]").fill(PLACE)
    page.wait_for_load_state("networkidle")
    submit(meeting_form.locator("button[type=submit]"))
    page.wait_for_url("**/meetings/*/")
    meeting = Meeting.objects.get()
    meeting_url = page.url
    assert meeting_url.endswith(f"/meetings/{meeting.pk}/")
    assert page.locator("[data-testid=attendees-voting] li").count() == 11
    add = page.locator("[data-testid=agenda-add]")
    add.locator("select[name=topic]").select_option(label=f"{TITLE}（{CADRE_STANDING}，{UNIT}）")
    submit(add.locator("button[type=submit]"))
    agenda = page.locator("[data-testid=agenda] article.agenda-item")
    assert agenda.count() == 1
    assert TITLE in agenda.locator("h3").inner_text()
    assert f"{CANDIDATE}：{PROPOSAL}" in agenda.inner_text()
    assert Topic.objects.get().status == Topic.Status.SCHEDULED
    page.screenshot(path=str(SHOTS / "meeting-agenda-staff.png"), full_page=True)

    # 5. the member opens the meeting from the portal, reads the agenda and the material
    sign_in(page, base, "changwei")
    page.goto(base + "/meetings/portal/")
    upcoming = page.locator(f"[data-testid=portal-meetings] tr[data-meeting='{meeting.pk}']")
    assert upcoming.locator("[data-testid=item-count]").inner_text() == "1"
    upcoming.get_by_role("link", name=meeting.title).click()
    page.wait_for_url(meeting_url)
    agenda = page.locator("[data-testid=agenda] article.agenda-item")
    assert agenda.count() == 1
    assert TITLE in agenda.locator("h3").inner_text()
    assert "您出席会议并有表决权。" in page.locator("[data-testid=my-attendance]").inner_text()
    documents = page.locator("[data-testid=meeting-documents] a")
    assert [documents.nth(i).get_attribute("data-kind") for i in range(documents.count())] == [
        "notice",
        "agenda_pack",
    ]  # the minutes and ballots are the staff's
    page.screenshot(path=str(SHOTS / "meeting-agenda-member.png"), full_page=True)
    pdf = download(page, agenda.locator("ul.materials a"))
    assert pdf.startswith(b"%PDF")
    assert watermark_text_of(pdf).startswith(f"{member_name} ")
    page.locator("[data-testid=meeting-documents] a[data-kind=agenda_pack]").click()
    page.wait_for_url("**/documents/*/")
    pack = download(page, page.locator("[data-testid=download]"))
    assert watermark_text_of(pack).startswith(f"{member_name} ")
    assert TITLE in flat(pdf_text(pack)) and CANDIDATE in flat(pdf_text(pack))
    (SHOTS / "material-member.pdf").write_bytes(pdf)

    # 6. 组织科 takes attendance: one member is away, with the reason
    sign_in(page, base, "zuzhi")
    page.goto(meeting_url)
    page.click("[data-testid=meeting-actions] a[href$='/attendance/']")
    page.wait_for_url("**/attendance/")
    sheet = page.locator("[data-testid=attendance-form]")
    assert sheet.locator("input[type=checkbox]:checked").count() == 11
    sheet.locator(f"#id_present_{away.pk}").uncheck()
    sheet.locator(f"#id_reason_{away.pk}").fill(ABSENCE)
    submit(sheet.locator(".form-actions button[type=submit]"))
    panel = page.locator("[data-testid=quorum-panel]")
    assert panel.locator("[data-testid=expected]").inner_text() == "11"
    assert panel.locator("[data-testid=present]").inner_text() == "10"
    assert "ok" in panel.locator("[data-testid=quorum-cadre]").get_attribute("class")
    submit(page.locator("[data-testid=session-controls] form[action$='/open/'] button"))
    assert Meeting.objects.get().status == Meeting.Status.IN_SESSION

    # the item: the vote is opened, each member's vote recorded, then closed
    page.goto(meeting_url)
    page.locator("[data-testid=agenda] article.agenda-item h3 a").click()
    page.wait_for_url("**/meetings/items/*/")
    item_url = page.url
    assert page.locator("[data-testid=item-expected]").inner_text() == "11"
    assert page.locator("[data-testid=item-present]").inner_text().startswith("10")
    submit(page.locator("[data-testid=voting-open] button[type=submit]"))
    voters = page.locator("[data-testid=vote-sheet] tr[data-voter]")
    assert voters.count() == 10
    assert page.locator(f"[data-testid=vote-sheet] tr[data-voter='{away.pk}']").count() == 0
    voter_ids = [voters.nth(i).get_attribute("data-voter") for i in range(voters.count())]
    for voter, choice in zip(voter_ids, VOTES, strict=True):
        row = page.locator(f"[data-testid=vote-sheet] tr[data-voter='{voter}']")
        row.locator("select").select_option(choice)
        submit(row.locator("button[type=submit]"))
        row = page.locator(f"[data-testid=vote-sheet] tr[data-voter='{voter}']")
        assert choice in row.locator("td").nth(1).inner_text()
        assert row.locator("form").count() == 0
    assert Vote.objects.count() == 10
    submit(page.locator("[data-testid=voting-close] button[type=submit]"))
    page.wait_for_url(item_url)
    assert page.locator("[data-testid=item-outcome]").inner_text() == "通过"
    result = page.locator("[data-testid=results] tr[data-result]")
    assert result.count() == 1
    cells = [c.strip() for c in result.locator("td").all_inner_texts()]
    assert cells[0].startswith(CANDIDATE)
    assert cells[1:7] == ["7", "2", "1", "11", "10", "6"]
    assert cells[7] == "通过"
    assert cells[8] == RULE
    assert f"同意{CANDIDATE}同志任区财政局局长" in page.locator("[data-testid=decision] .decision-text").inner_text()
    page.screenshot(path=str(SHOTS / "meeting-item-result.png"), full_page=True)

    page.goto(meeting_url)
    submit(page.locator("[data-testid=session-controls] form[action$='/adjourn/'] button"))
    assert Meeting.objects.get().status == Meeting.Status.ADJOURNED
    assert AgendaItem.objects.get().outcome == AgendaItem.Outcome.PASSED
    assert Attendance.objects.get(member=away).leave_reason == ABSENCE
    summary = page.locator("[data-testid=agenda] .results-summary li").inner_text()
    assert summary.startswith(f"{CANDIDATE}：")
    assert "同意 7 · 不同意 2 · 缓议 1" in summary and "通过" in summary  # in the type's order of options
    page.screenshot(path=str(SHOTS / "meeting-agenda-adjourned.png"), full_page=True)

    # 7. the minutes (会议纪要), asked of the document service from the meeting page
    page.locator("[data-testid=meeting-documents] a[href$='/documents/minutes/']").click()
    page.wait_for_url("**/documents/*/")
    minutes = download(page, page.locator("[data-testid=download]"))
    assert minutes.startswith(b"%PDF")
    minutes_path = SHOTS / "minutes.pdf"
    minutes_path.write_bytes(minutes)
    text = flat(pdf_text(minutes))
    assert f"{meeting.title}纪要" in text
    assert f"主持{secretary.cadre.name}" in text  # nobody registered apart: the secretary presides
    assert "应到会11人" in text and "实到会10人" in text
    assert f"{away.cadre.name}（{ABSENCE}）" in text
    assert TITLE in text
    assert "人选同意不同意缓议应到会实到会结果" in text
    assert f"{CANDIDATE}（{PROPOSAL}）7211110通过" in text
    assert RULE in text
    assert f"同意{CANDIDATE}同志任区财政局局长" in text
    for old in SHOTS.glob("minutes-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(minutes_path), str(SHOTS / "minutes")], check=True)
    assert list(SHOTS.glob("minutes-*.png"))
