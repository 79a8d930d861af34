"""In Chromium: an administrator uploads a roster, sees a row error, uploads the fixed file, imports it,
and finds the new cadre by pinyin initials in the cadre list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cadres.models import Cadre
from orgdept.core import roles

# pytest-playwright runs an event loop in the test thread; Django's ORM refuses that without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOTS = Path("/tmp/orgdept-shots")
TIMEOUT_MS = 15_000


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_an_administrator_fixes_a_roster_imports_it_and_finds_the_cadre(live_server, page, make_user):
    make_user(roles.SYSTEM_ADMIN, username="admin2", password="roster-import-2026")
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    page.goto(base + "/login/")
    page.fill("input[name=username]", "admin2")
    page.fill("input[name=password]", "roster-import-2026")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("load")

    # the navigation leads to the import page
    page.click('nav.mainnav a[href="/cadres/roster/"]')
    page.wait_for_load_state("load")
    page.set_input_files("[data-testid=roster-upload] input[type=file]", str(FIXTURES / "roster_e2e_bad.xlsx"))
    page.click("[data-testid=roster-upload] button[type=submit]")
    page.wait_for_load_state("load")

    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for(state="visible")
    bad_cell = errors.locator('tr[data-row="3"][data-column="身份证号"]')
    assert bad_cell.count() == 1, errors.inner_text()
    assert "校验位错误" in bad_cell.inner_text()
    assert page.locator("[data-testid=confirm-import]").count() == 0
    page.screenshot(path=str(SHOTS / "roster-preview-error.png"), full_page=True)

    # the corrected file, uploaded from the same page
    page.set_input_files("[data-testid=roster-reupload] input[type=file]", str(FIXTURES / "roster_e2e_fixed.xlsx"))
    page.click("[data-testid=roster-reupload] button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=import-errors]").count() == 0
    assert "区委组织部" in page.locator("[data-testid=new-units]").inner_text()
    page.screenshot(path=str(SHOTS / "roster-preview-ok.png"), full_page=True)
    page.click("[data-testid=confirm-import]")
    page.wait_for_load_state("load")
    page.locator("[data-testid=import-done]").wait_for(state="visible")
    assert Cadre.objects.count() == 2

    # typed into the list's search box, as a user would
    page.click('nav.mainnav a[href="/cadres/"]')
    page.wait_for_load_state("load")
    page.fill("input[name=q]", "zs")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/cadres/?*q=zs*")
    table = page.locator("[data-testid=cadre-table]")
    table.wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('[data-testid=cadre-table]').innerText.includes('李四')")
    assert "张三" in table.inner_text()
    assert "李四" not in table.inner_text()
    page.screenshot(path=str(SHOTS / "roster-found.png"), full_page=True)
