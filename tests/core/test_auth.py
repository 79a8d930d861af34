"""Sign-in, lockout (by username and address), the idle timeout and password change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from orgdept.core import roles

PASSWORD = "correct-horse-battery"
FIRST_IP = "203.0.113.10"
SECOND_IP = "203.0.113.20"


@pytest.fixture
def alice(make_user):
    return make_user(roles.CADRE_SECTION, username="alice")


def sign_in(client, username, password, ip=FIRST_IP):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_login_page_is_served_in_chinese(client, settings):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    # the site name is Chinese in the settings, so this holds whether or not translations are compiled
    assert settings.ORGDEPT_SITE_NAME == "组织部干部工作系统"
    assert "<h1>组织部干部工作系统</h1>" in html
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-CN">' in html
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_sign_in_with_the_right_password(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, alice):
    response = sign_in(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert not signed_in(client)
    form = response.context["form"]
    assert form.errors["__all__"] == [form.error_messages["invalid_login"]]


def test_sign_in_follows_next_but_never_off_site(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD, "next": "/calendar/"}, REMOTE_ADDR=FIRST_IP
    )
    assert response["Location"] == "/calendar/"
    client.logout()
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
        REMOTE_ADDR=FIRST_IP,
    )
    assert response["Location"] == reverse("core:home")


def test_lockout_after_five_failures_refuses_even_the_right_password(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        sign_in(client, "alice", "wrong-password")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert not signed_in(client)


def test_lockout_is_keyed_on_username_and_address(client, make_user, alice):
    bob = make_user(roles.CADRE_SECTION, username="bob")
    for _ in range(5):
        sign_in(client, "alice", "wrong-password", ip=FIRST_IP)
    assert sign_in(client, "alice", PASSWORD, ip=FIRST_IP).status_code == 429

    # the same account from another computer
    response = sign_in(client, "alice", PASSWORD, ip=SECOND_IP)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)
    client.logout()

    # another account from the first computer
    response = sign_in(client, "bob", PASSWORD, ip=FIRST_IP)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, alice):
    for _ in range(5):
        sign_in(client, "alice", "wrong-password")
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=FIRST_IP,
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_four_failures_then_success_resets_the_count(client, alice):
    for _ in range(4):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_idle_session_is_signed_out(client, alice, settings):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(alice)
        assert client.get("/").status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get("/").status_code == 200  # activity within the timeout keeps the session

        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
        response = client.get("/notifications/")
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/notifications/"
        assert not signed_in(client)
        assert client.get("/").status_code == 302  # stays signed out


def test_logout(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_password_change(client, alice):
    assert client.get(reverse("password_change")).status_code == 302  # anonymous: sign in first
    client.force_login(alice)
    assert client.get(reverse("password_change")).status_code == 200

    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Zuzhibu-2026-xin", "new_password2": "Zuzhibu-2026-xin"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    alice.refresh_from_db()
    assert alice.check_password("Zuzhibu-2026-xin")
    assert signed_in(client)  # the session survives its own password change


def test_the_last_request_is_recorded_once_a_minute(client, alice):
    """Requests within a minute of the last one recorded do not write the session again."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(alice)  # signing in records the time with the new session
        first = client.session["_orgdept_last_seen"]
        assert first == int(start.timestamp())
        client.get("/")
        assert client.session["_orgdept_last_seen"] == first
        traveller.shift(timedelta(seconds=59))
        client.get("/")
        assert client.session["_orgdept_last_seen"] == first
        traveller.shift(timedelta(seconds=1))
        client.get("/")
        assert client.session["_orgdept_last_seen"] == first + 60
