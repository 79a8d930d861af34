"""A real Celery worker (and beat) on Redis against the test database: documents render, reminders arrive."""

from __future__ import annotations

import importlib
import os
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from orgdept.core.models import Document, Notification
from tests.platform import procs
from tests.platform.procs import CELERY, processes, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOCUMENT_TIMEOUT = 60
REMINDER_TIMEOUT = 90


@pytest.fixture
def calendar_seeded(transactional_db):
    """The holiday calendar the migration seeds (an earlier transactional test's flush removes it)."""
    migration = importlib.import_module("orgdept.core.migrations.0002_roles_calendar_audit_guard")
    migration.seed_calendar(django_apps, None)


@pytest.fixture
def redis_broker(settings):
    """Points this process's Celery app at Redis, not eager, and empties the Redis database first."""
    import redis

    from orgdept.celery import app

    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None
    app.amqp._producer_pool = None
    yield url
    try:
        app.pool.force_close_all()
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


@pytest.fixture
def worker_env(redis_broker, settings):
    return procs.worker_env(redis_broker, settings.MEDIA_ROOT)


def worker_argv(name: str) -> list[str]:
    return [
        CELERY,
        "-A",
        "orgdept",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "INFO",
        "-n",
        f"{name}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
    ]


def test_worker_renders_a_requested_document(calendar_seeded, worker_env, make_user, tmp_path):
    from orgdept.core.documents import document_request

    user = make_user("干部科", username="worker-user")
    with processes(tmp_path) as start:
        worker = start("worker", worker_argv("render"), worker_env)
        worker.wait_for_log("ready.", timeout=30)

        document = document_request(kind="calendar_year", params={"year": 2026}, title="2026年工作日历", actor=user)
        assert Document.objects.get(pk=document.pk).status == Document.Status.PENDING

        def finished():
            document.refresh_from_db()
            return document.status != Document.Status.PENDING

        wait_until(finished, DOCUMENT_TIMEOUT, what="the worker to render the document")
        assert document.status == Document.Status.READY, document.error
        assert "core.render_document" in worker.log()

    with document.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    assert document.attempts == 1
    assert Notification.objects.filter(recipient=user, title__contains="2026年工作日历").exists()


def _schedule_last_ran(schedule_path, entry: str, ago: timedelta) -> None:
    """Writes beat's schedule file as if `entry` last ran `ago` (beat was down since): it is due at once.

    Beat gives a new interval entry a last run of "now", so without this the first delivery would wait
    a full interval (60 s).
    """
    from celery.beat import PersistentScheduler

    from orgdept.celery import app

    scheduler = PersistentScheduler(app=app, schedule_filename=str(schedule_path), lazy=True)
    scheduler.setup_schedule()
    try:
        scheduler.schedule[entry].last_run_at = app.now() - ago
        scheduler.sync()
    finally:
        scheduler._store.close()


def test_beat_and_worker_deliver_a_due_reminder(worker_env, make_user, tmp_path):
    from orgdept.core.notifications import reminder_schedule

    user = make_user("干部科", username="reminded")
    reminder = reminder_schedule(
        recipient=user,
        key="platform-test",
        due_at=timezone.now() - timedelta(minutes=5),
        title="试用期将满：平台测试",
        url="/",
    )
    schedule = tmp_path / "celerybeat-schedule"
    _schedule_last_ran(schedule, "deliver-due-reminders", ago=timedelta(minutes=2))

    with processes(tmp_path) as start:
        worker = start("worker", worker_argv("beat"), worker_env)
        beat = start(
            "beat",
            [CELERY, "-A", "orgdept", "beat", "-s", str(schedule), "--max-interval", "1", "-l", "INFO"],
            worker_env,
        )
        wait_until(
            lambda: Notification.objects.filter(recipient=user, title="试用期将满：平台测试").exists(),
            REMINDER_TIMEOUT,
            what="beat and the worker to deliver the reminder",
        )
        assert "deliver-due-reminders" in beat.log()
        assert "core.deliver_due_reminders" in worker.log()

    reminder.refresh_from_db()
    assert reminder.delivered_at is not None
    assert reminder.notification.recipient == user
