"""Request middleware: security headers, the audit context and the idle-session timeout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from .audit import reset_request_context, set_request_context
from .twofactor import SESSION_NEEDS_CODE, SESSION_PASSED


def client_ip_of(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only when a proxy count is configured."""
    if getattr(settings, "AXES_IPWARE_PROXY_COUNT", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= settings.AXES_IPWARE_PROXY_COUNT:
            return hops[-settings.AXES_IPWARE_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = set_request_context(ip=client_ip_of(request), user=getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            reset_request_context(tokens)


class IdleSessionTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_TIMEOUT seconds without a request (give or take the minute between
    recordings of the last request)."""

    SESSION_KEY = "_orgdept_last_seen"
    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def record_sign_in(cls, sender, request, user, **kwargs):
        """Signing in is activity: recorded with the new session, so the next minute's requests write nothing."""
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.SESSION_KEY] = int(time.time())

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("Your session expired after a period of inactivity. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            # the session is saved only when this changes: once a minute is precise enough for a 30-minute timeout
            # and spares every other request a write to the session table
            if last_seen is None or now - int(last_seen) >= self.TOUCH_SECONDS:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Sets the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) and Permissions-Policy on every
    response that has none: scripts only from our own static files, so an injected <script> or on…= attribute
    does not run even if some page forgot to escape it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class TwoFactorRequiredMiddleware:
    """A session of a user with an authenticator that was opened without the code step is ended. With
    ORGDEPT_TWO_FACTOR_REQUIRED on, a user of a role that signs in with a code can do nothing else until this session
    passed the code step (or set the authenticator up)."""

    ALLOWED = {"core:two_factor", "login", "login_verify", "logout", "set_language", "favicon"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(SESSION_NEEDS_CODE):
            # signed in past the code step (the admin site's login form): ended at once, whatever the setting
            logout(request)
            return redirect_to_login(request.get_full_path())
        if not settings.ORGDEPT_TWO_FACTOR_REQUIRED or request.session.get(SESSION_PASSED):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED:
            return None
        from django.shortcuts import redirect

        from .twofactor import two_factor_device, two_factor_offered

        if not two_factor_offered(user):
            return None
        if two_factor_device(user) is not None:
            logout(request)
            return redirect_to_login(request.get_full_path())
        messages.info(request, _("Your role signs in with a one-time code as well. Set up your authenticator first."))
        return redirect("core:two_factor")
