"""Two-factor sign-in with a time-based one-time password (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps).

Offered to the roles in settings.ORGDEPT_TWO_FACTOR_ROLES (administrators and department leaders); when
settings.ORGDEPT_TWO_FACTOR_REQUIRED is on, users of those roles must set it up before they can work. Any
authenticator app that reads an otpauth:// key (or the key typed in) works; nothing leaves the intranet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import audit_log
from .exceptions import ApplicationError
from .models import TwoFactorDevice
from .roles import has_role

# session keys: who passed the password step and waits for the code; that this session passed the code step
SESSION_PENDING = "_orgdept_two_factor_pending"
SESSION_PASSED = "_orgdept_two_factor_passed"
# set when a user with an authenticator was signed in some other way (the admin site's login, a script): the
# middleware signs such a session out at its next request
SESSION_NEEDS_CODE = "_orgdept_two_factor_needed"
# every MAX_FAILURES wrong codes in a row lock the authenticator for LOCK_MINUTES
MAX_FAILURES = 10
LOCK_MINUTES = 15

STEP_SECONDS = 30
DIGITS = 6
# a code from the step before or after is accepted too: phones' clocks drift
DRIFT_STEPS = 1


def totp(secret: str, step: int) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def two_factor_offered(user) -> bool:
    return bool(user.is_authenticated) and (user.is_superuser or has_role(user, *settings.ORGDEPT_TWO_FACTOR_ROLES))


def two_factor_required(user) -> bool:
    return settings.ORGDEPT_TWO_FACTOR_REQUIRED and two_factor_offered(user)


def two_factor_device(user) -> TwoFactorDevice | None:
    """The user's confirmed authenticator, or None."""
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def provisioning_uri(device: TwoFactorDevice) -> str:
    issuer = settings.ORGDEPT_SITE_NAME
    label = quote(f"{issuer}:{device.user.get_username()}")
    query = urlencode({"secret": device.secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


@transaction.atomic
def two_factor_begin(*, user) -> TwoFactorDevice:
    """A new unconfirmed key for `user`, replacing an unconfirmed one; a confirmed authenticator must be removed
    first."""
    if not two_factor_offered(user):
        raise ApplicationError("您的角色不使用双因素登录")
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ApplicationError("已启用双因素登录；如需更换手机，请先停用再重新绑定")
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=secret)
    else:
        device.secret = secret
        device.last_step = 0
        device.save(update_fields=["secret", "last_step", "updated_at"])
    return device


def _accept(device: TwoFactorDevice, code: str, now: float | None) -> bool:
    """Whether `code` is right for a step not used before; records the step. The device row is locked."""
    code = _normalise(code)
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if candidate > device.last_step and hmac.compare_digest(totp(device.secret, candidate), code):
            device.last_step = candidate
            device.save(update_fields=["last_step", "updated_at"])
            return True
    return False


@transaction.atomic
def two_factor_confirm(*, user, code: str, now: float | None = None) -> TwoFactorDevice:
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ApplicationError("请先生成密钥", field="code")
    if not _accept(device, code, now):
        raise ApplicationError("验证码不正确：请输入验证器当前显示的 6 位数字，并确认手机时间准确", field="code")
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at", "updated_at"])
    audit_log(actor=user, action="auth.two_factor_enabled", obj=user)
    return device


def two_factor_locked(user) -> bool:
    return TwoFactorDevice.objects.filter(user=user, locked_until__gt=timezone.now()).exists()


@transaction.atomic
def two_factor_verify(*, user, code: str, now: float | None = None) -> bool:
    """The second step of signing in: True when `code` is right and was not used before. Every tenth wrong code in
    a row locks the authenticator for a quarter of an hour, whichever session or address the codes came from.
    Audited either way."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        audit_log(actor=user, action="auth.two_factor_failed", obj=user)
        return False
    moment = timezone.now()
    if device.locked_until is not None and device.locked_until > moment:
        audit_log(
            actor=user, action="auth.two_factor_locked", obj=user, details={"until": device.locked_until.isoformat()}
        )
        return False
    accepted = _accept(device, code, now)
    if accepted:
        device.failed_count, device.locked_until = 0, None
    else:
        device.failed_count += 1
        if device.failed_count % MAX_FAILURES == 0:
            device.locked_until = moment + timedelta(minutes=LOCK_MINUTES)
    device.save(update_fields=["failed_count", "locked_until", "updated_at"])
    audit_log(actor=user, action="auth.two_factor_passed" if accepted else "auth.two_factor_failed", obj=user)
    return accepted


def mark_sign_in_without_code(sender, request, user, **kwargs) -> None:
    """user_logged_in: a sign-in that did not go through the code step (the admin site's login form, a script
    calling login()) of a user who has an authenticator is marked, and the middleware ends it."""
    if request is None or getattr(request, "two_factor_verified", False) or not hasattr(request, "session"):
        return
    if TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        request.session[SESSION_NEEDS_CODE] = True


@transaction.atomic
def two_factor_disable(*, user, actor, reason: str = "") -> bool:
    """Removes `user`'s authenticator: the user themselves, or an administrator when a phone was lost (with the
    reason on record). `actor` None is the server's command line (`manage.py two_factor_reset`)."""
    own = actor is not None and actor.pk == user.pk
    if (
        actor is not None
        and not own
        and not (actor.is_superuser or has_role(actor, *settings.ORGDEPT_TWO_FACTOR_RESETTERS))
    ):
        raise ApplicationError("只有系统管理员可以停用他人的双因素登录")
    if not own and not reason.strip():
        raise ApplicationError("停用他人的双因素登录须写明原因", field="reason")
    deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
    if deleted:
        audit_log(actor=actor, action="auth.two_factor_disabled", obj=user, details={"reason": reason.strip()})
    return bool(deleted)
