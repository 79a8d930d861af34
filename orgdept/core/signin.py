"""Signing in: the password step (Django's LoginView), the one-time-code step for users with an authenticator,
and the page where administrators and department leaders set their authenticator up."""

from __future__ import annotations

import time

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .exceptions import ApplicationError
from .forms_auth import LoginForm
from .models import TwoFactorDevice
from .twofactor import (
    SESSION_PASSED,
    SESSION_PENDING,
    provisioning_uri,
    two_factor_begin,
    two_factor_confirm,
    two_factor_device,
    two_factor_disable,
    two_factor_locked,
    two_factor_offered,
    two_factor_verify,
)

# the password step is good for this long, and for this many wrong codes
PENDING_SECONDS = 300
MAX_TRIES = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
        help_text=gettext_lazy("The 6 digits your authenticator app shows now."),
    )


class SignInView(auth_views.LoginView):
    """The password step. A user with a confirmed authenticator is not signed in yet: the session remembers who
    passed the password (for five minutes) and the code page finishes the sign-in."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor_device(user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[SESSION_PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("login_verify")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request):
    pending = request.session.get(SESSION_PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        if pending:
            messages.info(request, _("The sign-in took too long. Please enter your password again."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(SESSION_PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor_verify(user=user, code=form.cleaned_data["code"]):
            request.session.pop(SESSION_PENDING, None)
            request.two_factor_verified = True
            login(request, user, backend=pending["backend"])
            request.session[SESSION_PASSED] = True
            return redirect(pending["next"])
        pending["tries"] += 1
        # taken out while the failure is recorded: a lockout page raised by the recording (django-axes counts a
        # wrong code as a failed sign-in of this user name and address) leaves no half-done sign-in behind
        request.session.pop(SESSION_PENDING, None)
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        if two_factor_locked(user):
            messages.error(request, _("Too many wrong codes: two-factor sign-in is locked for 15 minutes."))
            return redirect("login")
        if pending["tries"] >= MAX_TRIES:
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("login")
        request.session[SESSION_PENDING] = pending
        form.add_error("code", _("The code is wrong or was already used. Enter the code your app shows now."))
    return render(request, "registration/login_verify.html", {"form": form, "site_name": settings.ORGDEPT_SITE_NAME})


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@login_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_settings(request):
    """Set up, confirm or remove one's own authenticator."""
    user = request.user
    if not two_factor_offered(user):
        raise PermissionDenied
    device = TwoFactorDevice.objects.filter(user=user).first()
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    password_error = ""
    if request.method == "POST":
        try:
            if action == "begin":
                # the password again: a session left open must not be enough to bind someone else's phone
                if not user.check_password(request.POST.get("password", "")):
                    raise ApplicationError("密码不正确", field="password")
                two_factor_begin(user=user)
                return redirect("core:two_factor")
            if action == "confirm" and form.is_valid():
                two_factor_confirm(user=user, code=form.cleaned_data["code"])
                request.session[SESSION_PASSED] = True
                messages.success(request, _("Two-factor sign-in is on. From now on you sign in with a code as well."))
                return redirect("core:two_factor")
            if action == "disable" and form.is_valid():
                if not two_factor_verify(user=user, code=form.cleaned_data["code"]):
                    raise ApplicationError("验证码不正确，未停用", field="code")
                two_factor_disable(user=user, actor=user)
                request.session.pop(SESSION_PASSED, None)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("core:two_factor")
        except ApplicationError as error:
            if error.field == "password":
                password_error = error.message
            else:
                form.add_error("code" if error.field == "code" else None, error.message)
    pending_setup = device is not None and device.confirmed_at is None
    context = {
        "device": device,
        "form": form,
        "pending_setup": pending_setup,
        "required": settings.ORGDEPT_TWO_FACTOR_REQUIRED,
        "password_error": password_error,
    }
    if pending_setup:
        uri = provisioning_uri(device)
        context["qr"] = _qr_data_uri(uri)
        context["secret_groups"] = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
    return render(request, "core/two_factor.html", context)
