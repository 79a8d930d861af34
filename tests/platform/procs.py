"""Helpers for platform tests that run the project's real processes (worker, beat, gunicorn, manage.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
CELERY = str(VENV_BIN / "celery")
GUNICORN = str(VENV_BIN / "gunicorn")

# Variables of the surrounding shell that would change what the child processes configure.
_PROJECT_VARS = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "ORGDEPT_VAR_DIR",
    "MEDIA_ROOT",
    "CACHE_URL",
    "DJANGO_DEBUG",
    "SECURE_SSL_REDIRECT",
    "PYTEST_CURRENT_TEST",
    "PYTEST_VERSION",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def clean_env(**overrides: str) -> dict[str, str]:
    """The current environment without the project's settings variables, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in _PROJECT_VARS}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (inside a test: the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def worker_env(broker_url: str, media_root, **extra: str) -> dict[str, str]:
    """The environment of a real Celery worker (or beat) on `broker_url`, sharing this test's database and media."""
    from django.db import connection

    return clean_env(
        DJANGO_SETTINGS_MODULE="orgdept.settings.test",
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_BROKER_URL=broker_url,
        REDIS_URL=broker_url,
        DATABASE_URL=database_url(connection.settings_dict),
        MEDIA_ROOT=str(media_root),
        **extra,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


class Proc:
    """A background process whose combined output goes to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if not self.running():
                raise AssertionError(f"{self.name} exited with {self.popen.returncode} before logging {text!r}")
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not log {text!r} within {timeout} s")

    def stop(self, timeout: float = 15) -> None:
        if self.running():
            # The process group: celery and gunicorn fork children of their own.
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        self._log.close()


@contextmanager
def processes(log_dir: Path) -> Iterator[Callable[..., Proc]]:
    """Starts processes with the yielded function; stops them all on exit and prints their logs on failure."""
    started: list[Proc] = []

    def start(name: str, argv: list[str], env: dict[str, str]) -> Proc:
        proc = Proc(name, argv, env, log_dir)
        started.append(proc)
        return proc

    failed = True
    try:
        yield start
        failed = False
    finally:
        for proc in reversed(started):
            proc.stop()
        if failed:
            for proc in started:
                print(f"\n----- {proc.name} (exit {proc.popen.returncode}) log -----\n{proc.log()}")


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# Runs the celery command line with some Django settings replaced first (argv[1] is a JSON object of them), so a
# worker can, say, write e-mails to files that the test counts instead of keeping them in its own memory.
_CELERY_WITH_SETTINGS = """
import json, sys
from django.conf import settings
for key, value in json.loads(sys.argv[1]).items():
    setattr(settings, key, value)
from celery.__main__ import main
sys.argv = ["celery", *sys.argv[2:]]
main()
"""


def celery_argv(*args: str, settings: dict | None = None) -> list[str]:
    """The argv of `celery *args`, with the Django settings in `settings` replaced in that process."""
    if not settings:
        return [CELERY, *args]
    return [PYTHON, "-c", _CELERY_WITH_SETTINGS, json.dumps(settings), *args]


def redis_server_argv(port: int) -> list[str]:
    """A throwaway Redis on loopback that keeps nothing on disk (stop it and its data is gone)."""
    return ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
