"""Under the Content-Security-Policy, in Chromium: no page breaks a rule of the policy, and the behaviours that used
inline handlers (confirmation before a destructive action, a select that submits itself, the live sum of the
selection weights) still work from orgdept.js."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.models import AgendaItem, Meeting
from orgdept.demo.management.commands.load_demo import DEMO_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("load")


def _sign_out(page) -> None:
    page.locator('form[action="/logout/"] button').click()
    page.wait_for_load_state("load")


def _watch(page) -> list[str]:
    """Collects every policy violation and script error the page reports."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def test_pages_keep_the_policy_and_their_behaviours(live_server, page):
    call_command("load_demo", stdout=io.StringIO())
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server.url
    problems = _watch(page)

    # The policy is sent with the pages.
    response = page.goto(base + "/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]

    # An administrator walks through pages of every app, the admin site among them.
    _sign_in(page, base, "admin")
    for path in [
        "/",
        reverse("core:calendar"),
        reverse("core:audit_list"),
        reverse("cadres:cadre_list"),
        reverse("committees:term_list"),
        "/admin/",
        "/admin/auth/user/",
    ]:
        page.goto(base + path)
        page.wait_for_load_state("load")

    # The language select submits itself: English, then back to Chinese.
    page.goto(base + "/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator('form[action="/logout/"] button').inner_text().strip() == "Sign out"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator('form[action="/logout/"] button').inner_text().strip() == "退出"
    _sign_out(page)

    # The selection weights add up as they are typed.
    _sign_in(page, base, "ganbu")
    page.goto(base + reverse("cadres:selection_create"))
    weights = page.locator("form[data-weights-total] input.weight")
    assert weights.count() == 3
    for field, value in zip(range(3), ["30", "30", "30"], strict=True):
        weights.nth(field).fill(value)
    total = page.locator("[data-testid=weights-total]")
    assert page.locator("#weights-total").inner_text() == "90%"
    assert "bad" in total.get_attribute("class")
    weights.nth(2).fill("40")
    assert page.locator("#weights-total").inner_text() == "100%"
    assert "bad" not in total.get_attribute("class")
    _sign_out(page)

    # Taking a topic off an agenda asks first: declined, nothing happens; accepted, the item is gone.
    meeting = (
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED, items__isnull=False).distinct().order_by("pk").first()
    )
    assert meeting is not None, "the demo has a scheduled meeting with an agenda"
    items = AgendaItem.objects.filter(meeting=meeting).count()
    _sign_in(page, base, "zuzhi")
    page.goto(base + reverse("meetings:meeting_detail", kwargs={"pk": meeting.pk}))
    remove = page.locator("form[data-confirm] button.danger").first
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    page.wait_for_timeout(300)
    assert AgendaItem.objects.filter(meeting=meeting).count() == items
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        remove.click()
    assert AgendaItem.objects.filter(meeting=meeting).count() == items - 1
    _sign_out(page)

    assert not problems, "\n".join(problems)
