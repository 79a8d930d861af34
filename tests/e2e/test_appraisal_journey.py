"""In Chromium, one year's appraisal from set-up to an appraised cadre's own result: 考核办 set up the cycle (group
正职 of five cadres, indicators 60 + 40 summing to 100, voter groups A and B, two elements, two voters with user
accounts) and open the democratic evaluation; the two voters sign in and fill their ballots; 考核办 enter the
indicator scores, close the evaluation, compute and accept the proposed ratings (one 优秀: 20% of five); 部领导
publish; 干部2 signs in and sees their own score and rank; the summary PDF names the group, the people and ratings.

Figures: indicator part 99 − i; both voters mark 95 − 5i on both elements, so the evaluation is 95 − 5i; final =
(99 − i) × 60% + (95 − 5i) × 40% = 97.4 − 2.6i: 97.4, 94.8, 92.2, 89.6, 87."""

from __future__ import annotations

import subprocess

import pytest
from django.utils import timezone

from appraisal.models import AppraisalCycle, AppraisalResult, Ballot
from orgdept.core import roles
from tests.appraisal.factories import make_people
from tests.cadres.factories import make_unit
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

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCOPE = "全区科级正职领导干部"


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"appraisal-{name}.png"), full_page=True)


def test_an_appraisal_from_set_up_to_the_cadres_own_result(live_server, page, make_user):
    make_user(roles.APPRAISAL_OFFICE, username="kaohe", last_name="孙", first_name="考核")
    make_user(roles.DEPARTMENT_LEADER, username="buzhang", last_name="吴", first_name="部长")
    voters = [make_user(username="toupiao1", last_name="钱", first_name="一"), make_user(username="toupiao2")]
    people = make_people(make_unit("区发改局", order=1), 5)
    people[1].user = make_user(username="ganbu2")
    people[1].save(update_fields=["user"])
    year = timezone.localdate().year
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 1. 考核办 set the cycle up
    sign_in(page, base, "kaohe")
    page.click('nav.mainnav a[href="/appraisal/"]')
    page.wait_for_url("**/appraisal/")
    submit(page.locator("[data-testid=cycle-new]"))
    form = page.locator("[data-testid=cycle-form]")
    assert form.locator("input[name=year]").input_value() == str(year)
    form.locator("input[name=scope]").fill(SCOPE)
    submit(form.locator("button[type=submit]"))
    cycle = AppraisalCycle.objects.get(scope=SCOPE)
    group_form = page.locator("[data-testid=group-form]")
    group_form.locator("input[name=g-name]").fill("正职")
    submit(group_form.locator("button[type=submit]"))
    members = page.locator("[data-testid=members-form]")
    members.locator("select").select_option(label=[f"{p.name}（区发改局）" for p in people])
    submit(members.locator("button[type=submit]"))
    assert flat(page.locator("[data-testid=members]").inner_text()) == "干部1、干部2、干部3、干部4、干部5"
    for name, kind, weight in (("工作实绩", "quantitative", "60"), ("德才表现", "qualitative", "40")):
        indicator = page.locator("[data-testid=indicator-form]")
        indicator.locator("input[name$=-name]").fill(name)
        indicator.locator("select[name$=-kind]").select_option(kind)
        indicator.locator("input[name$=-weight]").fill(weight)
        submit(indicator.locator("button[type=submit]"))
        if weight == "60":
            assert page.locator("[data-testid=weight-sum]").inner_text() == "60"
            assert page.locator("[data-testid=weight-note]").is_visible()
            shot(page, "setup-weights-60")
    assert page.locator("[data-testid=weight-sum]").inner_text() == "100"
    for code, name, weight in (("A", "领导", "50"), ("B", "同级", "50")):
        vg = page.locator("[data-testid=voter-group-form]")
        vg.locator("input[name=vg-code]").fill(code)
        vg.locator("input[name=vg-name]").fill(name)
        vg.locator("input[name=vg-weight]").fill(weight)
        submit(vg.locator("button[type=submit]"))
    for name, weight in (("工作实绩", "60"), ("政治素质", "40")):
        element = page.locator("[data-testid=element-form]")
        element.locator("input[name=e-name]").fill(name)
        element.locator("input[name=e-weight]").fill(weight)
        submit(element.locator("button[type=submit]"))
    for user, code in zip(voters, ("A", "B"), strict=True):
        voter = page.locator("[data-testid=voter-form]")
        voter.locator("select[name=v-voter_group]").select_option(label=f"{code} {'领导' if code == 'A' else '同级'}")
        voter.locator("select[name=v-user]").select_option(label=user.username)
        voter.get_by_label("正职").check()
        submit(voter.locator("button[type=submit]"))
    assert page.locator("[data-testid=voters] tbody tr").count() == 2
    shot(page, "setup")
    submit(page.locator("[data-testid=open-evaluation]"))
    assert page.locator("[data-testid=close-evaluation]").is_visible()

    # 2. the two voters fill their ballots
    for user in voters:
        sign_in(page, base, user.username)
        # a voter holds no role: the home page tells them what is left and the navigation leads to the ballots
        assert "尚有5人未测评（共5人）" in page.content()
        submit(page.locator("nav.mainnav").get_by_role("link", name="我的测评票"))
        for i, person in enumerate(people):
            ballot = page.locator(f"[data-testid=ballot][data-person={person.name}]")
            for select in ballot.locator("select").all():
                select.select_option(str(95 - 5 * i))
            submit(ballot.locator("button[type=submit]"))
        assert page.locator("[data-testid=ballot-cast]").count() == 5
        shot(page, f"ballots-{user.username}")
    assert Ballot.objects.filter(voter__cycle=cycle).count() == 10

    # 3. 考核办 enter the scores, close the evaluation, compute and rate
    sign_in(page, base, "kaohe")
    page.goto(f"{base}/appraisal/{cycle.pk}/")
    submit(page.locator("[data-testid=results-link]"))
    submit(page.locator("[data-testid=scores-link]"))
    for i, person in enumerate(people):
        for cell in page.locator(f"tr[data-person={person.name}] input").all():
            cell.fill(str(99 - i))
    shot(page, "scores")
    submit(page.locator("[data-testid=scores-form] button[type=submit]"))
    page.goto(f"{base}/appraisal/{cycle.pk}/")
    submit(page.locator("[data-testid=close-evaluation]"))
    submit(page.locator("[data-testid=start-rating]"))
    page.goto(f"{base}/appraisal/{cycle.pk}/results/")
    submit(page.locator("[data-testid=accept-proposed]"))
    shot(page, "results")
    figures = [
        (r.member.cadre.name, str(r.final_score), r.rank, r.rating)
        for r in AppraisalResult.objects.filter(member__cycle=cycle).order_by("rank")
    ]
    assert figures == [
        ("干部1", "97.40", 1, "excellent"),
        ("干部2", "94.80", 2, "competent"),
        ("干部3", "92.20", 3, "competent"),
        ("干部4", "89.60", 4, "competent"),
        ("干部5", "87.00", 5, "competent"),
    ]

    # 4. 部领导 publish
    sign_in(page, base, "buzhang")
    page.goto(f"{base}/appraisal/{cycle.pk}/")
    submit(page.locator("[data-testid=publish]"))
    cycle.refresh_from_db()
    assert cycle.status == AppraisalCycle.Status.PUBLISHED

    # 5. 干部2 sees their own result only
    sign_in(page, base, "ganbu2")
    submit(page.locator("nav.mainnav").get_by_role("link", name="我的考核结果"))
    row = flat(page.locator("[data-testid=my-results] tbody").inner_text())
    assert "94.80" in row and "2/5" in row and "称职" in row
    assert "干部1" not in page.content()
    shot(page, "mine")
    assert page.goto(f"{base}/appraisal/{cycle.pk}/results/").status == 404

    # 6. the summary PDF
    sign_in(page, base, "kaohe")
    page.goto(f"{base}/appraisal/{cycle.pk}/results/")
    summary = download(page, page.locator("[data-testid=summary-pdf]"))
    text = flat(pdf_text(summary))
    for expected in (f"{year}年度{SCOPE}考核结果汇总表", "正职（5人）", "干部1", "97.4", "优秀", "干部5", "87"):
        assert expected in text, expected
    # rendered as pages to look at, as the office would print it
    for old in SHOTS.glob("appraisal-summary-*.png"):
        old.unlink()
    (SHOTS / "appraisal-summary.pdf").write_bytes(summary)
    pages = SHOTS / "appraisal-summary"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(SHOTS / "appraisal-summary.pdf"), str(pages)], check=True)
    assert list(SHOTS.glob("appraisal-summary-*.png"))
