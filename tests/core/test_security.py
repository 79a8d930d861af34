"""Security settings users rely on without seeing them: the Content-Security-Policy on every page and templates that
need no inline script; a new session at sign-in and none left at sign-out; the cookies' flags in production."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from orgdept.core import roles
from tests.platform.procs import clean_env, manage
from tests.platform.test_settings import PRODUCTION_ENV

PASSWORD = "correct-horse-battery"
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", ["/login/", "/", "/cadres/", "/no-such-page/"])
def test_every_response_carries_the_policy(client, make_user, path):
    client.force_login(make_user(roles.CADRE_SECTION))
    response = client.get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]  # no <style> element; only style attributes are allowed
    assert "camera=()" in response["Permissions-Policy"]


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        # PDF templates are rendered by WeasyPrint, which runs no script; the policy is for browsers
        if "/pdf/" in f"/{relative}" or relative.startswith("pdf/"):
            continue
        yield relative, path.read_text(encoding="utf-8")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def test_page_templates_need_no_inline_script():
    offenders = []
    for name, text in _page_templates():
        for pattern, what in [
            (INLINE_SCRIPT, "inline <script>"),
            (HANDLER, "on…= handler"),
            (STYLE_ELEMENT, "<style>"),
        ]:
            offenders += [f"{name}: {what} {m.group(0)!r}" for m in pattern.finditer(text)]
        if "javascript:" in text or "hx-on" in text:
            offenders.append(f"{name}: javascript: URL or hx-on")
    assert not offenders, "\n".join(offenders)


def test_the_scan_finds_an_inline_handler():
    # the patterns above are what keeps the policy's promise: they must see what they look for
    assert HANDLER.search('<button onclick="go()">') and INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/orgdept.js" defer></script>')


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, make_user):
    client.force_login(make_user(roles.CADRE_SECTION))
    page = client.get("/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(client, make_user):
    make_user(roles.CADRE_SECTION, username="alice")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    after = client.session.session_key
    assert after and after != before, "an attacker who planted a session id must not inherit the sign-in"
    assert not Session.objects.filter(session_key=before).exists()

    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=after).exists()
    # the old cookie is worth nothing now
    client.cookies["sessionid"] = after
    assert client.get("/").status_code == 302


def test_production_cookies_are_secure_httponly_and_same_site(tmp_path):
    env = clean_env(**PRODUCTION_ENV, ORGDEPT_VAR_DIR=str(tmp_path))
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SECURE',"
        "'CSRF_COOKIE_HTTPONLY','CSRF_COOKIE_SAMESITE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS',"
        "'X_FRAME_OPTIONS','SESSION_EXPIRE_AT_BROWSER_CLOSE']}))"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }
