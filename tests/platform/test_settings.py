"""Settings as processes see them: production's deploy checks and refusals, and the embedded default
(SQLite plus a filesystem Celery broker under ORGDEPT_VAR_DIR) really working with no services."""

from __future__ import annotations

import secrets
import textwrap

import pytest

from tests.platform.procs import CELERY, clean_env, manage, processes

PRODUCTION_SECRET = secrets.token_urlsafe(64)[:64]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "orgdept.settings.production",
    "SECRET_KEY": PRODUCTION_SECRET,
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "orgdept.example.gov.cn",
}


def _explain(result) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = clean_env(**PRODUCTION_ENV, ORGDEPT_VAR_DIR=str(tmp_path))
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, _explain(result)
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": "too-short-secret"}, "SECRET_KEY 必须"),
        ({"SECRET_KEY": "embedded-default-not-secret-change-me-in-production-0123456789"}, "SECRET_KEY 必须"),
        ({"DATABASE_URL": "sqlite:////tmp/orgdept-production.sqlite3"}, "必须通过 DATABASE_URL 使用 PostgreSQL"),
        ({"REDIS_URL": None}, "必须通过 REDIS_URL 使用 Redis"),
    ],
    ids=["short-secret", "embedded-secret", "sqlite", "no-redis"],
)
def test_production_settings_refuse_to_load(tmp_path, change, message):
    env = clean_env(**PRODUCTION_ENV, ORGDEPT_VAR_DIR=str(tmp_path))
    for key, value in change.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    result = manage("check", env=env)
    assert result.returncode != 0, _explain(result)
    assert message in result.stderr, _explain(result)
    assert "ImproperlyConfigured" in result.stderr


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """An embedded-default installation: no DATABASE_URL, REDIS_URL or settings module; var/ elsewhere."""
    var_dir = tmp_path_factory.mktemp("embedded-var")
    env = clean_env(ORGDEPT_VAR_DIR=str(var_dir))
    migrated = manage("migrate", "--noinput", env=env)
    return var_dir, env, migrated


def test_embedded_default_runs_with_no_services(embedded):
    var_dir, env, migrated = embedded
    assert migrated.returncode == 0, _explain(migrated)
    assert (var_dir / "orgdept.sqlite3").is_file()

    added = manage("calendar", "add-workdays", "2026-09-28", "5", env=env)
    assert added.returncode == 0, _explain(added)
    assert added.stdout.strip() == "2026-10-10"  # over the National Day holiday and its make-up days

    checked = manage("check", env=env)
    assert checked.returncode == 0, _explain(checked)

    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print('BROKER', settings.CELERY_BROKER_URL); print('DB', settings.DATABASES['default']['NAME'])",
        env=env,
    )
    assert shown.returncode == 0, _explain(shown)
    lines = dict(line.split(" ", 1) for line in shown.stdout.splitlines() if line.startswith(("BROKER", "DB")))
    assert lines["BROKER"] == "filesystem://"
    assert lines["DB"] == str(var_dir / "orgdept.sqlite3")
    assert (var_dir / "celery" / "queue").is_dir()


REQUEST_AND_WAIT = textwrap.dedent(
    """
    import time
    from django.contrib.auth import get_user_model
    from orgdept.core.documents import document_request
    from orgdept.core.models import Document

    user = get_user_model().objects.create_user("embedded-worker-user", password="embedded-pass-2026")
    document = document_request(kind="calendar_year", params={"year": 2026}, title="2026年工作日历", actor=user)
    deadline = time.monotonic() + 60
    while document.status == Document.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.25)
        document.refresh_from_db()
    print("STATUS", document.status)
    print("ERROR", document.error or "-")
    if document.status == Document.Status.READY:
        with document.file.open("rb") as f:
            print("MAGIC", f.read(5).decode("latin-1"))
    """
)


def test_embedded_default_worker_renders_documents_without_redis(embedded, tmp_path):
    _var_dir, env, migrated = embedded
    assert migrated.returncode == 0, _explain(migrated)
    # As scripts/run-embedded starts it: one process, worker with embedded beat, filesystem broker.
    argv = [
        CELERY,
        "-A",
        "orgdept",
        "worker",
        "--beat",
        "--pool=solo",
        "--loglevel=INFO",
        "--schedule",
        str(tmp_path / "celerybeat-schedule"),
    ]
    with processes(tmp_path) as start:
        worker = start("embedded-worker", argv, env)
        worker.wait_for_log("ready.", timeout=30)
        result = manage("shell", "-c", REQUEST_AND_WAIT, env=env, timeout=90)
        assert result.returncode == 0, _explain(result)
        assert "STATUS ready" in result.stdout, _explain(result)
        assert "MAGIC %PDF-" in result.stdout, _explain(result)
        assert "core.render_document" in worker.log()
        assert "filesystem://" in worker.log()
