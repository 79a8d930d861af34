"""In Chromium: 组织科 drafts a portfolio plan by clicking cells of the coverage matrix, sees a gap and an overlap
marked, is refused activation naming both, fixes the cells and puts the plan in force; then a standing member
signs in and finds their areas and their substitute under 我的分工."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from committees.models import PortfolioPlan
from committees.services import substitute_designate
from orgdept.core import roles
from tests.committees.test_portfolios import AREAS, STANDING, V1_FROM, make_standing_term, use_areas

# pytest-playwright runs an event loop in the test thread; Django's ORM refuses that without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/orgdept-shots")
TIMEOUT_MS = 15_000
PASSWORD = "portfolio-plan-2026"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("load")


def cell(page, area, member):
    return page.locator(f'tr[data-area="{area}"] td[data-member="{member}"]')


def press_cell(page, area, member, expect):
    """Clicks a cell and waits until the re-rendered matrix shows it as `expect` (lead, assist, none)."""
    cell(page, area, member).locator("button").click()
    page.locator(f'tr[data-area="{area}"] td[data-member="{member}"][data-kind="{expect}"]').wait_for()


def test_staff_build_a_plan_in_the_matrix_and_a_standing_member_sees_their_areas(live_server, page, make_user):
    make_user(roles.ORGANIZATION_SECTION, username="zuzhi", password=PASSWORD)
    wang = make_user(roles.STANDING_MEMBER, username="wangzz", password=PASSWORD, last_name="王", first_name="组织")
    term, m = make_standing_term(STANDING, users={"王组织": wang})
    use_areas(*AREAS)
    substitute_designate(member=m["王组织"], substitute=m["赵宣传"], effective_from=V1_FROM, actor=None)
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 常委分工 in the navigation: no plan yet, so the term's versions, where a draft is started
    sign_in(page, base, "zuzhi")
    page.click('nav.mainnav a[href="/committees/portfolio/"]')
    page.wait_for_url(f"**/committees/portfolio/terms/{term.pk}/")
    page.click("[data-testid=plan-create] button[type=submit]")
    page.wait_for_url("**/committees/portfolio/plans/*/")
    matrix = page.locator("[data-testid=coverage-matrix]")
    matrix.wait_for()
    assert page.locator("tr[data-testid=matrix-row]").count() == 3

    # leads by clicking cells: 组织 twice over, 经济 once, 宣传 not at all
    press_cell(page, "组织", "王组织", "lead")
    press_cell(page, "组织", "赵宣传", "lead")
    press_cell(page, "经济", "钱经济", "lead")
    press_cell(page, "经济", "李区长", "lead")
    press_cell(page, "经济", "李区长", "assist")  # a second press makes the lead an assistant
    gap_row = page.locator('tr[data-area="宣传"]')
    overlap_row = page.locator('tr[data-area="组织"]')
    assert "row-gap" in gap_row.get_attribute("class")
    assert "row-overlap" in overlap_row.get_attribute("class")
    assert gap_row.locator("[data-testid=gap-marker]").count() == 1
    assert overlap_row.locator("[data-testid=overlap-marker]").count() == 1
    assert "row-gap" not in page.locator('tr[data-area="经济"]').get_attribute("class")
    problems = page.locator("[data-testid=coverage-problems]").inner_text()
    assert "空挡（没有牵头常委）：宣传" in problems
    assert "重叠：组织有2名牵头常委（王组织、赵宣传）" in problems
    # each cell names area, member and state for the keyboard and screen readers
    label = cell(page, "组织", "赵宣传").locator("button").get_attribute("aria-label")
    assert "组织" in label and "赵宣传" in label
    page.screenshot(path=str(SHOTS / "portfolio-gap-overlap.png"), full_page=True)

    # activation is refused, naming the gap and the overlap
    activate = page.locator("[data-testid=plan-activate]")
    assert activate.locator("input[name=effective_from]").input_value() == timezone.localdate().isoformat()
    activate.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    refusal = page.locator("[data-testid=plan-activate] .field-error").inner_text()
    assert refusal == "分工不能生效：空挡（没有牵头常委）：宣传；重叠：组织有2名牵头常委（王组织、赵宣传）"
    assert PortfolioPlan.objects.get().status == "draft"
    page.screenshot(path=str(SHOTS / "portfolio-refused.png"), full_page=True)

    # fixed in the cells: 赵宣传 assists 组织 and leads 宣传
    press_cell(page, "组织", "赵宣传", "assist")
    press_cell(page, "宣传", "赵宣传", "lead")
    page.locator("[data-testid=coverage-ok]").wait_for()
    assert page.locator("[data-testid=coverage-problems]").count() == 0
    assert page.locator("tr.row-gap, tr.row-overlap").count() == 0

    page.locator("[data-testid=plan-activate] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator("[data-testid=effective-from]").wait_for()
    today = timezone.localdate()
    assert page.locator("[data-testid=effective-from]").inner_text() == f"{today.year}年{today.month}月{today.day}日"
    assert page.locator("[data-testid=plan-activate]").count() == 0
    assert page.locator("[data-testid=coverage-matrix] button").count() == 0  # in force: read-only
    plan = PortfolioPlan.objects.get()
    assert (plan.status, plan.effective_from) == ("active", today)
    page.screenshot(path=str(SHOTS / "portfolio-in-force.png"), full_page=True)

    # the standing member's own page
    sign_in(page, base, "wangzz")
    page.goto(base + "/committees/mine/")
    leads = page.locator("[data-testid=my-leads]")
    leads.wait_for()
    assert leads.inner_text().split() == ["组织"]
    assert page.locator("[data-testid=my-substitute]").inner_text() == "赵宣传"
    page.screenshot(path=str(SHOTS / "portfolio-mine.png"), full_page=True)
