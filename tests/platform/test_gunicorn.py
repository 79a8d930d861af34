"""gunicorn serves the WSGI application on the test database, with static files through WhiteNoise."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.platform.procs import GUNICORN, clean_env, database_url, free_port, processes, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL built here
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _up(url: str) -> bool:
    try:
        _get(url)
        return True
    except OSError:
        return False


def test_gunicorn_serves_login_page_and_static_files(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="orgdept.settings.test",
        DATABASE_URL=database_url(connection.settings_dict),
        ORGDEPT_VAR_DIR=str(tmp_path / "var"),
    )
    with processes(tmp_path) as start:
        server = start(
            "gunicorn",
            [GUNICORN, "orgdept.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            env,
        )
        wait_until(lambda: _up(base + "/login/") or not server.running(), 30, what="gunicorn to listen")
        assert server.running(), "gunicorn exited"

        status, _headers, body = _get(base + "/login/")
        assert status == 200, body[:2000]
        html = body.decode("utf-8")
        assert "组织部干部工作系统" in html
        assert 'name="username"' in html and 'name="password"' in html
        assert "csrfmiddlewaretoken" in html

        status, headers, body = _get(base + "/static/css/orgdept.css")
        assert status == 200
        assert headers.get("Content-Type", "").startswith("text/css")
        assert len(body) > 100

        # Anonymous requests to the home page are sent to the login page.
        status, _headers, body = _get(base + "/")
        assert status == 200 and "组织部干部工作系统" in body.decode("utf-8")
