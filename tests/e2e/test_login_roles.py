"""Every demo account signs in through the real login page in Chromium, reaches its home page and signs out."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from orgdept.core import roles
from orgdept.demo.management.commands.load_demo import DEMO_PASSWORD

# pytest-playwright runs an event loop in the test thread; Django's ORM refuses that without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/orgdept-shots")
TIMEOUT_MS = 15_000
SITE_NAME = "组织部干部工作系统"

DEMO_ACCOUNTS = [
    ("admin", roles.SYSTEM_ADMIN),
    ("buzhang", roles.DEPARTMENT_LEADER),
    ("ganbu", roles.CADRE_SECTION),
    ("zuzhi", roles.ORGANIZATION_SECTION),
    ("peixun", roles.TRAINING_SECTION),
    ("kaohe", roles.APPRAISAL_OFFICE),
    ("changwei", roles.STANDING_MEMBER),
    ("weiyuan", roles.MEMBER),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # The department's browsers ask for Chinese.
    return {**browser_context_args, "locale": "zh-CN"}


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("load")


def test_every_demo_account_signs_in_and_out(live_server, page):
    call_command("load_demo", stdout=io.StringIO())
    page.set_default_timeout(TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    failures = []
    for username, role in DEMO_ACCOUNTS:
        try:
            _sign_in(page, base, username, DEMO_PASSWORD)
            assert _path(page.url) == "/", f"after sign-in the browser is at {page.url}"
            page.locator("[data-testid=work-queue]").wait_for(state="visible")
            who = page.locator("[data-testid=current-user]").inner_text()
            assert role in who, f"current-user shows {who!r}, expected the role {role!r}"
            health = page.locator("[data-testid=system-health]")
            if username == "admin":
                assert health.is_visible(), "the administrator's home page has no system-health panel"
            else:
                assert health.count() == 0, "system health is shown to a non-administrator"
            if username == "ganbu":
                page.screenshot(path=str(SHOTS / "home-ganbu.png"), full_page=True)
            page.locator('form[action="/logout/"] button').click()
            page.wait_for_load_state("load")
            assert _path(page.url) == "/login/", f"after sign-out the browser is at {page.url}"
            # Signed out for real: the home page sends us back to the login page.
            page.goto(base + "/")
            assert _path(page.url) == "/login/", f"signed-out home page stayed at {page.url}"
        except Exception as exc:
            failures.append(f"{username} ({role}): {type(exc).__name__}: {exc}")
            page.context.clear_cookies()
    assert not failures, "\n".join(failures)


def test_wrong_password_stays_on_login_page_with_an_error(live_server, page, make_user):
    make_user(roles.CADRE_SECTION, username="ganbu2", password="right-password-2026")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_server.url + "/login/")
    assert SITE_NAME in page.locator("h1").inner_text()
    assert SITE_NAME in page.title()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login.png"), full_page=True)

    _sign_in(page, live_server.url, "ganbu2", "wrong-password-2026")

    assert _path(page.url) == "/login/"
    error = page.locator(".form-errors[role=alert]")
    error.wait_for(state="visible")
    assert error.inner_text().strip()
    assert page.locator("[data-testid=current-user]").count() == 0
    assert page.locator("input[name=username]").input_value() == "ganbu2"
