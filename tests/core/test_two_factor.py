"""Two-factor sign-in for administrators and department leaders: the RFC 6238 codes, setting an authenticator up,
the code step after the password (wrong, replayed, too many, too late), the required mode and the reset."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from orgdept.core import roles
from orgdept.core.models import AuditEvent, TwoFactorDevice
from orgdept.core.twofactor import current_step, totp, two_factor_begin, two_factor_confirm

PASSWORD = "correct-horse-battery"
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_are_those_of_rfc_6238(unix_time, code):
    # the RFC's SHA-1 vectors are eight digits; the six-digit code is their last six
    assert totp(RFC_SECRET, current_step(unix_time)) == code


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


def _enable(user) -> TwoFactorDevice:
    device = two_factor_begin(user=user)
    two_factor_confirm(user=user, code=totp(device.secret, current_step()))
    device.refresh_from_db()
    return device


def _now_code(device, offset=0) -> str:
    return totp(device.secret, current_step() + offset)


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_setting_up_takes_one_right_code(client, leader):
    client.force_login(leader)
    url = reverse("core:two_factor")
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="two-factor-begin"' in page.content
    refused = client.post(url, {"action": "begin", "password": "wrong"})
    assert refused.status_code == 200 and "密码不正确" in refused.content.decode()
    assert not TwoFactorDevice.objects.filter(user=leader).exists()
    client.post(url, {"action": "begin", "password": PASSWORD})
    page = client.get(url)
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    assert b"data:image/svg+xml" in page.content  # the QR code, made here: no request leaves the intranet
    device = TwoFactorDevice.objects.get(user=leader)
    assert secret.replace(" ", "") == device.secret

    wrong = client.post(url, {"action": "confirm", "code": "000000" if _now_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.context["form"].errors["code"][0]
    device.refresh_from_db()
    assert device.confirmed_at is None

    client.post(url, {"action": "confirm", "code": _now_code(device)})
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert AuditEvent.objects.filter(action="auth.two_factor_enabled", object_id=str(leader.pk)).count() == 1


@pytest.mark.parametrize("role", [roles.CADRE_SECTION, roles.STANDING_MEMBER])
def test_other_roles_are_not_offered_it(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("core:two_factor")).status_code == 403
    assert b"two-factor-link" not in client.get("/").content


def test_the_password_alone_does_not_sign_in(client, leader):
    device = _enable(leader)
    response = client.post(reverse("login") + "?next=/cadres/", {"username": "buzhang", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login_verify")
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # still signed out

    page = client.get(reverse("login_verify"))
    assert page.status_code == 200 and b'autocomplete="one-time-code"' in page.content
    wrong = client.post(reverse("login_verify"), {"code": _now_code(device, offset=5)})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert not _signed_in(client)

    session_before = client.session.session_key
    # the code of the step the setup used is spent: the next one, half a minute later
    with time_machine.travel((current_step() + 1) * 30 + 1, tick=False):
        done = client.post(reverse("login_verify"), {"code": _now_code(device)})
    assert done.status_code == 302 and done["Location"] == "/cadres/"
    assert _signed_in(client)
    assert client.session.session_key != session_before  # a new session at sign-in
    actions = list(AuditEvent.objects.filter(object_id=str(leader.pk)).values_list("action", flat=True))
    assert actions.count("auth.two_factor_failed") == 1 and actions.count("auth.two_factor_passed") == 1


def test_a_code_cannot_be_used_twice(client, leader):
    device = _enable(leader)
    step = current_step()
    with time_machine.travel(step * 30 + 40, tick=False):  # the step after the one confirmed
        code = totp(device.secret, step + 1)
        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        assert client.post(reverse("login_verify"), {"code": code}).status_code == 302
        assert _signed_in(client)
        client.post(reverse("logout"))

        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        again = client.post(reverse("login_verify"), {"code": code})
        assert again.status_code == 200 and not _signed_in(client)


def test_codes_one_step_away_are_accepted_two_are_not(client, leader):
    device = _enable(leader)
    step = current_step() + 10
    with time_machine.travel(step * 30 + 1, tick=False):
        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        assert client.post(reverse("login_verify"), {"code": totp(device.secret, step - 2)}).status_code == 200
        assert client.post(reverse("login_verify"), {"code": totp(device.secret, step + 2)}).status_code == 200
        assert not _signed_in(client)
        assert client.post(reverse("login_verify"), {"code": totp(device.secret, step + 1)}).status_code == 302
        assert _signed_in(client)


def test_five_wrong_codes_send_back_to_the_password(client, leader):
    device = _enable(leader)
    client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
    wrong = str((int(_now_code(device)) + 500_000) % 1_000_000).zfill(6)
    for _ in range(4):
        assert client.post(reverse("login_verify"), {"code": wrong}).status_code == 200
    fifth = client.post(reverse("login_verify"), {"code": wrong})
    # the fifth is also the fifth failed sign-in of this name and address: the lockout page
    assert fifth.status_code == 429
    # the right code no longer helps: the password step must be done again
    assert client.post(reverse("login_verify"), {"code": _now_code(device, offset=1)})["Location"] == reverse("login")
    assert not _signed_in(client)


def test_the_code_step_expires_after_five_minutes(client, leader):
    device = _enable(leader)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        traveller.shift(timedelta(seconds=301))
        late = client.post(reverse("login_verify"), {"code": _now_code(device)})
    assert late.status_code == 302 and late["Location"] == reverse("login")
    assert not _signed_in(client)


def test_users_without_an_authenticator_sign_in_with_the_password(client, leader):
    response = client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)


def test_required_mode_sends_the_role_to_set_it_up_first(client, leader, make_user, settings):
    settings.ORGDEPT_TWO_FACTOR_REQUIRED = True
    client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
    response = client.get(reverse("cadres:cadre_list"))
    assert response.status_code == 302 and response["Location"] == reverse("core:two_factor")
    assert client.get(reverse("core:two_factor")).status_code == 200
    client.post(reverse("core:two_factor"), {"action": "begin", "password": PASSWORD})
    device = TwoFactorDevice.objects.get(user=leader)
    client.post(reverse("core:two_factor"), {"action": "confirm", "code": _now_code(device)})
    assert client.get(reverse("cadres:cadre_list")).status_code == 200

    # another role is not held up
    other = make_user(roles.CADRE_SECTION, username="ganbu")
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": other.username, "password": PASSWORD})
    assert client.get(reverse("cadres:cadre_list")).status_code == 200


@pytest.mark.parametrize("required", [False, True])
def test_a_session_that_skipped_the_code_is_ended(client, leader, settings, required):
    settings.ORGDEPT_TWO_FACTOR_REQUIRED = required
    _enable(leader)
    client.force_login(leader)  # signed in by a script, past the code step
    response = client.get(reverse("cadres:cadre_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _signed_in(client)


def test_the_admin_sites_login_is_our_sign_in(client, leader):
    _enable(leader)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?next=/admin/"
    client.post("/admin/login/?next=/admin/", {"username": "buzhang", "password": PASSWORD})
    assert not _signed_in(client)


def test_guessing_is_stopped_across_sessions_and_counted_by_the_lockout(client_factory, leader, settings):
    """Ten wrong codes in a row, from any number of sign-ins, lock the authenticator for 15 minutes: even the right
    code is refused meanwhile. Each wrong code is also a failed sign-in for the user name's lockout."""
    settings.AXES_FAILURE_LIMIT = 100  # here the authenticator's own lock is under test
    device = _enable(leader)
    wrong = str((int(_now_code(device)) + 500_000) % 1_000_000).zfill(6)
    for _attempt in range(10):
        client = client_factory()
        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        response = client.post(reverse("login_verify"), {"code": wrong})
        assert not _signed_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("login")  # the tenth: locked
    device.refresh_from_db()
    assert device.failed_count == 10 and device.locked_until > timezone.now() + timedelta(minutes=14)
    client = client_factory()
    client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
    with time_machine.travel((current_step() + 1) * 30 + 1, tick=False):
        client.post(reverse("login_verify"), {"code": _now_code(device)})
    assert not _signed_in(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        client = client_factory()
        client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
        client.post(reverse("login_verify"), {"code": _now_code(device)})
        assert _signed_in(client)
    device.refresh_from_db()
    assert device.failed_count == 0 and device.locked_until is None


def test_wrong_codes_count_towards_the_sign_in_lockout(client, leader, settings):
    from axes.models import AccessAttempt

    device = _enable(leader)
    wrong = str((int(_now_code(device)) + 500_000) % 1_000_000).zfill(6)
    client.post(reverse("login"), {"username": "buzhang", "password": PASSWORD})
    for _ in range(3):
        client.post(reverse("login_verify"), {"code": wrong})
    assert AccessAttempt.objects.get(username="buzhang").failures_since_start == 3


def _sign_in_with_code(client, device, step_offset=1):
    client.post(reverse("login"), {"username": device.user.username, "password": PASSWORD})
    with time_machine.travel((current_step() + step_offset) * 30 + 1, tick=False):
        client.post(reverse("login_verify"), {"code": _now_code(device)})
    assert _signed_in(client)


def test_turning_it_off_needs_a_current_code(client, leader):
    device = _enable(leader)
    _sign_in_with_code(client, device)
    url = reverse("core:two_factor")
    refused = client.post(url, {"action": "disable", "code": _now_code(device, offset=7)})
    assert refused.status_code == 200 and TwoFactorDevice.objects.filter(user=leader).exists()
    with time_machine.travel((current_step() + 2) * 30 + 1, tick=False):
        client.post(url, {"action": "disable", "code": totp(device.secret, current_step())})
    assert not TwoFactorDevice.objects.filter(user=leader).exists()


def test_a_lost_phone_is_reset_from_the_command_line_with_a_reason(leader):
    _enable(leader)
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "buzhang", "--reason", "  ", stdout=StringIO())
    assert TwoFactorDevice.objects.filter(user=leader).exists()
    out = StringIO()
    call_command("two_factor_reset", "buzhang", "--reason", "手机丢失", stdout=out)
    assert "已停用" in out.getvalue()
    assert not TwoFactorDevice.objects.filter(user=leader).exists()
    event = AuditEvent.objects.get(action="auth.two_factor_disabled")
    assert event.actor is None and event.details == {"reason": "手机丢失"}
