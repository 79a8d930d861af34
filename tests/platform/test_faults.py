"""Faults on real services: Redis down while saving, a worker killed mid-PDF, a rolled-back task, a lost database.

Each test runs the project's real processes (Celery workers, gunicorn) against the test database and injects the
fault from outside: stopping a Redis server, SIGKILL, a transaction that rolls back, pg_terminate_backend.
"""

from __future__ import annotations

import email.policy
import http.cookiejar
import importlib
import os
import re
import signal
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from email.parser import BytesParser
from pathlib import Path

import kombu.pools
import psycopg2
import pytest
import redis
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermission

from orgdept.core.models import AuditEvent, Document, Notification
from tests.platform.procs import (
    GUNICORN,
    celery_argv,
    clean_env,
    database_url,
    free_port,
    processes,
    redis_server_argv,
    wait_until,
    worker_env,
)
from tests.platform.tally import tally

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORK_TIMEOUT = 90
YEAR = 2026


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """A media directory of the test's own, shared with the processes it starts: its files are this test's only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def calendar_seeded(transactional_db):
    """The holiday calendar the migration seeds (an earlier transactional test's flush removes it)."""
    migration = importlib.import_module("orgdept.core.migrations.0002_roles_calendar_audit_guard")
    migration.seed_calendar(django_apps, None)


def _point_celery_at(url: str) -> dict:
    """Makes this process publish to `url` for real (not eagerly); returns what to restore.

    The app's own configuration is changed, not Django's settings: the app reads those once, so a changed setting
    could leak into the configuration restored for the tests that follow.
    """
    from orgdept.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    return saved


def _restore_celery(saved: dict) -> None:
    from orgdept.celery import app
    from orgdept.core.queueing import broker_pause_clear

    try:
        app.pool.force_close_all()
        # the producer pools are kombu's, shared per broker URL: a closed one would be handed to the next test
        kombu.pools.reset()
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        broker_pause_clear()


@pytest.fixture
def shared_broker():
    """The shared Redis of the test run (REDIS_URL), emptied, as this process's real broker."""
    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    saved = _point_celery_at(url)
    yield url
    _restore_celery(saved)


def _env(broker_url: str, settings, **extra: str) -> dict[str, str]:
    return worker_env(broker_url, settings.MEDIA_ROOT, **extra)


def _worker(name: str, mail_dir: Path | None = None, *, pool: str = "solo") -> list[str]:
    overrides = None
    if mail_dir is not None:
        # each e-mail the worker sends becomes a file the test can count
        overrides = {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    return celery_argv(
        "-A",
        "orgdept",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "-l",
        "INFO",
        "-n",
        f"{name}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        settings=overrides,
    )


def _drained(url: str) -> bool:
    """Nothing waits in the default queue and nothing is held unacknowledged by a worker."""
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def _received(worker_log: str, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[0-9a-f-]+\] received", worker_log))


def _mail_subjects(mail_dir: Path) -> list[str]:
    """The subjects of the e-mails the file backend wrote (each file holds messages separated by a line of dashes)."""
    parser = BytesParser(policy=email.policy.default)
    subjects = []
    for path in sorted(mail_dir.iterdir()):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                subjects.append(str(parser.parsebytes(raw.strip() + b"\n")["Subject"]))
    return subjects


def _connect(dsn: str, *, autocommit: bool = False):
    """A connection of the test's own, besides Django's, to hold locks and end other sessions."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = autocommit
    return conn


def _one(conn, sql: str, params=None):
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _document_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# -- 1. Redis down while saving


def test_redis_down_while_saving_commits_answers_and_delivers_once_after(
    calendar_seeded, make_user, settings, tmp_path
):
    from orgdept.core.notifications import notify
    from orgdept.core.tasks import requeue_stale_documents, requeue_unsent_notification_emails

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    saved = _point_celery_at(url)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    user = make_user("干部科", username="outage-user", email="outage@example.org")
    client = Client()
    client.force_login(user)
    try:
        with processes(tmp_path) as start:
            server = start("redis", redis_server_argv(port), clean_env())
            server.wait_for_log("Ready to accept connections", timeout=30)
            server.stop()  # the broker goes away

            response = client.post(reverse("core:calendar_pdf", args=[YEAR]))
            # the commit stands and the user is sent on to the document's page, not to a 500
            assert response.status_code == 302, response.content[:2000]
            document = Document.objects.get(requested_by=user)
            assert response["Location"] == reverse("core:document_detail", args=[document.pk])
            assert document.status == Document.Status.PENDING
            assert client.get(response["Location"]).status_code == 200

            with transaction.atomic():
                notification = notify(recipient=user, title="停机期间的通知", body="经办事项")
            notification.refresh_from_db()
            assert notification.email_queued_at is not None and notification.email_sent_at is None

            # Redis is back (empty: nothing was queued while it was down); a worker starts
            server = start("redis-again", redis_server_argv(port), clean_env())
            server.wait_for_log("Ready to accept connections", timeout=30)
            assert redis.Redis.from_url(url).llen("celery") == 0
            worker = start("worker", _worker("outage", mail_dir), _env(url, settings))
            worker.wait_for_log("ready.", timeout=60)

            # The periodic sweeps, as beat starts them once their grace period has passed: the outage "lasted"
            # eleven minutes. Run twice: the second finds nothing left to do, or queues work done already.
            eleven_minutes_ago = timezone.now() - timedelta(minutes=11)
            Document.objects.filter(pk=document.pk).update(updated_at=eleven_minutes_ago)
            Notification.objects.filter(pk=notification.pk).update(email_queued_at=eleven_minutes_ago)
            for _ in range(2):
                requeue_stale_documents.delay()
                requeue_unsent_notification_emails.delay()

            def done():
                document.refresh_from_db()
                notification.refresh_from_db()
                return document.status != Document.Status.PENDING and notification.email_sent_at and _drained(url)

            wait_until(done, WORK_TIMEOUT, what="the sweeps and the worker to finish the work left undone")
            log = worker.log()
    finally:
        _restore_celery(saved)

    assert document.status == Document.Status.READY, document.error
    assert document.attempts == 1  # rendered once, however many times the sweeps queued it
    assert len(_document_files(settings)) == 1
    assert Notification.objects.filter(recipient=user, title__startswith="文件已生成").count() == 1
    assert _received(log, "core.requeue_stale_documents") == 2
    subjects = _mail_subjects(mail_dir)
    assert sum("停机期间的通知" in subject for subject in subjects) == 1, subjects
    tally("fault")


def test_email_sweep_queues_each_lost_email_once_per_grace_period(make_user, settings, mailoutbox):
    """The sweep behind the test above, on its edges: only e-mails wanted, unsent, past the grace period and not
    given up; each queued again once per grace period."""
    from orgdept.core.notifications import EMAIL_GIVE_UP_AFTER, notifications_email_requeue, notify

    user = make_user("干部科", username="sweep-user", email="sweep@example.org")
    no_address = make_user("干部科", username="sweep-no-address")
    saved = _point_celery_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        lost = notify(recipient=user, title="丢失的邮件")
        old = notify(recipient=user, title="太旧的邮件")
        inbox_only = notify(recipient=user, title="只在站内", email=False)
        notify(recipient=no_address, title="无邮箱")
    finally:
        _restore_celery(saved)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - EMAIL_GIVE_UP_AFTER - timedelta(hours=1))
    assert Notification.objects.filter(email_sent_at__isnull=False).count() == 0
    assert inbox_only.email_queued_at is None

    assert notifications_email_requeue() == 0  # within the grace period the first queueing may still arrive
    later = timezone.now() + timedelta(minutes=11)
    assert notifications_email_requeue(now=later) == 1
    assert [m.subject for m in mailoutbox] == [f"[{settings.ORGDEPT_SITE_NAME}] 丢失的邮件"]
    lost.refresh_from_db()
    assert lost.email_sent_at is not None
    assert notifications_email_requeue(now=later + timedelta(minutes=11)) == 0
    assert len(mailoutbox) == 1


# -- 2. A worker killed with SIGKILL mid-PDF


def _kill_mid_render(worker, user, *, kill) -> Document:
    """Requests a calendar document and, while `worker` renders it, calls `kill(worker)`.

    The calendar is locked meanwhile, so the render stops at its first read of it: the worker is surely mid-render
    (the attempt is counted, no file yet) when it is killed, however fast the machine.
    """
    from orgdept.core.documents import document_request

    dsn = database_url(connection.settings_dict)
    blocker, watcher = _connect(dsn), _connect(dsn, autocommit=True)
    try:
        blocker.cursor().execute("LOCK TABLE core_calendaryear IN ACCESS EXCLUSIVE MODE")
        document = document_request(kind="calendar_year", params={"year": YEAR}, title="被中断的日历", actor=user)

        def render_blocked():
            # from another session: a transaction sees pg_stat_activity as it was at its first look
            return _one(
                watcher,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%core_calendaryear%"],
            )

        wait_until(render_blocked, WORK_TIMEOUT, what="the worker to start rendering")
        kill(worker)
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    return document


def _assert_one_ready(document: Document, user, settings) -> None:
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    assert not Document.objects.filter(status=Document.Status.FAILED).exists()
    assert Document.objects.count() == 1
    assert len(_document_files(settings)) == 1
    with document.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    assert document.attempts == 2  # the killed render and the one that finished; a later delivery found it READY
    assert Notification.objects.filter(recipient=user, title__startswith="文件已生成").count() == 1


def test_worker_killed_mid_pdf_leaves_one_ready_document(calendar_seeded, shared_broker, make_user, settings, tmp_path):
    """The whole worker dies (solo pool: the process that renders is the one that holds the message)."""
    from orgdept.core.documents import documents_requeue_stale

    user = make_user("干部科", username="killed-worker-user")
    with processes(tmp_path) as start:
        first = start("worker-killed", _worker("killed"), _env(shared_broker, settings))
        first.wait_for_log("ready.", timeout=60)

        def kill(worker):
            os.kill(worker.popen.pid, signal.SIGKILL)
            worker.popen.wait(timeout=10)

        document = _kill_mid_render(first, user, kill=kill)
        document.refresh_from_db()
        assert (document.status, document.attempts, document.file.name) == (Document.Status.PENDING, 1, "")
        assert redis.Redis.from_url(shared_broker).hlen("unacked") == 1  # the message the dead worker held

        # The stale-document sweep (as if ten minutes passed; run here, as the beat task would run it) queues the
        # render again, and a new worker hands back the message the dead worker held (held for over a second and
        # never acknowledged): the render is delivered twice.
        Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
        assert documents_requeue_stale() == 1
        second = start("worker-new", _worker("new"), _env(shared_broker, settings, CELERY_VISIBILITY_TIMEOUT="1"))
        second.wait_for_log("ready.", timeout=60)

        def done():
            document.refresh_from_db()
            return (
                document.status != Document.Status.PENDING
                and _received(second.log(), "core.render_document") == 2
                and _drained(shared_broker)
            )

        wait_until(done, WORK_TIMEOUT, what="the redelivered render and the sweep's to finish")

    _assert_one_ready(document, user, settings)
    tally("fault")


def test_pool_process_killed_mid_pdf_leaves_one_ready_document(
    calendar_seeded, shared_broker, make_user, settings, tmp_path
):
    """Only the pool process that renders dies (prefork, as in production; what the OOM killer picks): the worker
    hands the message back at once (acks_late with task_reject_on_worker_lost) and renders it again."""
    user = make_user("干部科", username="killed-child-user")
    with processes(tmp_path) as start:
        worker = start("worker-prefork", _worker("prefork", pool="prefork"), _env(shared_broker, settings))
        worker.wait_for_log("ready.", timeout=60)

        def kill_child(worker):
            children = Path(f"/proc/{worker.popen.pid}/task/{worker.popen.pid}/children").read_text().split()
            assert len(children) == 1, children
            os.kill(int(children[0]), signal.SIGKILL)

        document = _kill_mid_render(worker, user, kill=kill_child)

        def done():
            document.refresh_from_db()
            return document.status != Document.Status.PENDING and _drained(shared_broker)

        wait_until(done, WORK_TIMEOUT, what="the worker to render the document again")
        log = worker.log()
        assert worker.running()

    assert "WorkerLostError" in log
    assert _received(log, "core.render_document") == 2
    _assert_one_ready(document, user, settings)
    tally("fault")


# -- 3. A task queued inside a transaction that rolls back


def test_task_queued_in_a_rolled_back_transaction_never_runs(
    calendar_seeded, shared_broker, make_user, settings, tmp_path
):
    from orgdept.core.documents import document_request
    from orgdept.core.notifications import notify

    emailed = make_user("干部科", username="rolled-back-user", email="rb@example.org")
    marker_user = make_user("干部科", username="marker-user")
    with processes(tmp_path) as start:
        worker = start("worker", _worker("rollback"), _env(shared_broker, settings))
        worker.wait_for_log("ready.", timeout=60)

        class Abandon(Exception):
            pass

        with pytest.raises(Abandon), transaction.atomic():
            document_request(kind="calendar_year", params={"year": YEAR}, title="回滚的日历", actor=emailed)
            notify(recipient=emailed, title="回滚的通知")
            raise Abandon

        assert not Document.objects.exists() and not Notification.objects.exists()
        # A committed request after it: the worker takes tasks in order, so once this one is done and the queue
        # is empty, anything the rolled-back transaction had queued would have run.
        marker = document_request(kind="calendar_year", params={"year": YEAR}, title="提交的日历", actor=marker_user)

        def done():
            marker.refresh_from_db()
            return marker.status != Document.Status.PENDING and _drained(shared_broker)

        wait_until(done, WORK_TIMEOUT, what="the worker to drain its queue")
        log = worker.log()

    assert marker.status == Document.Status.READY, marker.error
    assert _received(log, "core.render_document") == 1
    assert _received(log, "core.send_notification_email") == 0
    assert list(Document.objects.values_list("title", flat=True)) == ["提交的日历"]
    assert not Notification.objects.filter(recipient=emailed).exists()
    tally("fault")


# -- 4. The database connection lost mid-request

_SLEEP_TRIGGER = """
CREATE FUNCTION faults_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(120);
    RETURN NEW;
END $$;
CREATE TRIGGER faults_test_hold BEFORE INSERT ON core_auditevent
    FOR EACH ROW WHEN (NEW.action = 'document.requested') EXECUTE FUNCTION faults_test_hold();
"""
_DROP_TRIGGER = """
DROP TRIGGER IF EXISTS faults_test_hold ON core_auditevent;
DROP FUNCTION IF EXISTS faults_test_hold();
"""


def _opener(base: str, session_cookie: tuple[str, str]) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    host = urllib.parse.urlsplit(base).hostname
    name, value = session_cookie
    jar.set_cookie(
        http.cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {}
        )
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def _call(opener, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - loopback URL built here
    try:
        with opener.open(request, timeout=150) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def test_database_connection_lost_mid_request_shows_error_page_and_writes_nothing(
    calendar_seeded, make_user, settings, tmp_path
):
    user = make_user("干部科", username="db-lost-user")
    client = Client()
    client.force_login(user)
    session_cookie = (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="orgdept.settings.test",
        DATABASE_URL=database_url(connection.settings_dict),
        ORGDEPT_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    dsn = database_url(connection.settings_dict)
    calendar_url = base + reverse("core:calendar") + f"?year={YEAR}"
    pdf_url = base + reverse("core:calendar_pdf", args=[YEAR])
    admin = _connect(dsn, autocommit=True)
    with processes(tmp_path) as start:
        # one worker process: the request after the failure is served by the process whose connection was lost
        server = start(
            "gunicorn",
            [GUNICORN, "orgdept.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "180"],
            env,
        )
        opener = _opener(base, session_cookie)

        def page():
            try:
                return _call(opener, calendar_url)
            except OSError:
                assert server.running(), "gunicorn exited"
                return None

        status, _headers, html = wait_until(page, 60, what="gunicorn to serve the calendar page")
        assert status == 200, html[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        post_headers = {"Referer": calendar_url, "X-CSRFToken": token}

        admin.cursor().execute(_SLEEP_TRIGGER)
        try:
            answer: list = []
            request = threading.Thread(
                target=lambda: answer.append(_call(opener, pdf_url, {"csrfmiddlewaretoken": token}, post_headers))
            )
            request.start()

            # The service has written the document and its permission and stops at its audit event: end the
            # web process's database session right there.
            def held_backend():
                return _one(
                    admin,
                    "SELECT max(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event = 'PgSleep'",
                )

            pid = wait_until(held_backend, 60, what="the request to reach the audit event")
            assert _one(admin, "SELECT pg_terminate_backend(%s)", [pid]) is True
            request.join(timeout=60)
            assert not request.is_alive()
        finally:
            admin.cursor().execute(_DROP_TRIGGER)
            admin.close()

        status, _headers, body = answer[0]
        assert status in (500, 503)
        assert "系统暂时无法处理您的请求" in body
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
        assert not Document.objects.exists()
        assert not UserObjectPermission.objects.filter(content_type__model="document").exists()
        assert not AuditEvent.objects.filter(action="document.requested").exists()

        # the same process answers the next request on a new connection
        status, headers, body = _call(opener, pdf_url, {"csrfmiddlewaretoken": token}, post_headers)
        assert status == 302, body[:2000]
        document = Document.objects.get()
        assert headers["Location"] == reverse("core:document_detail", args=[document.pk])
        assert AuditEvent.objects.filter(action="document.requested").count() == 1
        assert server.running()
    tally("fault")
