"""Reminders scheduled and delivered in bulk, as the morning scans do: each due reminder becomes one notification
however the work is split into batches and however many deliveries run at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orgdept.core import notifications
from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import (
    reminder_schedule,
    reminders_deliver_due,
    reminders_schedule_new,
    reminders_stored,
)


@pytest.fixture(autouse=True, params=["set-based", "portable"])
def path(request, monkeypatch):
    """Each test down the PostgreSQL statements and down the portable path the embedded SQLite default takes
    (forced here on PostgreSQL: the same rows must come out)."""
    if request.param == "portable":
        monkeypatch.setattr(notifications, "_set_based", lambda: False)
    return request.param


def schedule(people, count: int, due_at) -> None:
    for i in range(count):
        person = people[i % len(people)]
        reminder_schedule(
            recipient=person, key=f"k:{i}", due_at=due_at, title=f"提醒{i}", body=f"正文{i}", url=f"/r/{i}/"
        )


def assert_each_delivered_once(now) -> None:
    reminders = list(Reminder.objects.select_related("notification", "recipient").order_by("pk"))
    assert reminders and all(r.delivered_at == now for r in reminders)
    assert Notification.objects.count() == len(reminders)
    assert len({r.notification_id for r in reminders}) == len(reminders)
    for r in reminders:
        n = r.notification
        assert (n.recipient_id, n.title, n.body, n.url) == (r.recipient_id, r.title, r.body, r.url)
        assert n.read_at is None
        # an e-mail is wanted only for a recipient with an address
        assert (n.email_queued_at is not None) == bool(r.recipient.email)


def test_delivery_in_several_batches_delivers_each_reminder_once(alice, django_capture_on_commit_callbacks):
    now = timezone.now()
    schedule([alice], 7, now - timedelta(minutes=5))
    reminder_schedule(recipient=alice, key="later", due_at=now + timedelta(days=1), title="以后")

    with django_capture_on_commit_callbacks() as callbacks:
        assert [reminders_deliver_due(now=now, batch=3) for _ in range(4)] == [3, 3, 1, 0]
    # the e-mails are queued once a batch has committed: one callback per batch
    assert len(callbacks) == 3

    assert Reminder.objects.get(key="later").delivered_at is None
    Reminder.objects.filter(key="later").delete()
    assert_each_delivered_once(now)


def test_only_recipients_with_an_address_are_emailed_after_commit(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    schedule([alice, bob], 4, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_deliver_due(now=now) == 4
    assert sorted(mail.subject.rsplit(" ", 1)[-1] for mail in mailoutbox) == ["提醒0", "提醒2"]
    assert all(mail.to == ["alice@example.org"] for mail in mailoutbox)
    assert Notification.objects.filter(recipient=alice, email_sent_at__isnull=False).count() == 2
    assert not Notification.objects.filter(recipient=bob, email_queued_at__isnull=False).exists()


def test_scheduling_new_reminders_leaves_those_stored_as_they_are(alice, bob):
    now = timezone.now()
    kept = reminder_schedule(recipient=alice, key="known", due_at=now, title="原来的")
    reminders_deliver_due(now=now)

    rows = [
        (alice.pk, "known", "不应覆盖", "", ""),
        (bob.pk, "known", "乙的", "第一行\n第二行\t制表\\反斜杠\r\\n", "/b/"),
        (alice.pk, "fresh", "长" * 250, "", "/a/"),
    ]
    assert reminders_schedule_new(due_at=now + timedelta(hours=1), rows=rows) == 3
    assert reminders_schedule_new(due_at=now, rows=[]) == 0

    kept.refresh_from_db()
    assert (kept.title, kept.delivered_at) == ("原来的", now)  # neither moved nor scheduled anew
    fresh = Reminder.objects.get(recipient=alice, key="fresh")
    assert (len(fresh.title), fresh.url, fresh.due_at, fresh.delivered_at) == (
        200,
        "/a/",
        now + timedelta(hours=1),
        None,
    )
    # stored as given, the characters that delimit bulk-loaded fields and rows included
    assert Reminder.objects.get(recipient=bob, key="known").body == "第一行\n第二行\t制表\\反斜杠\r\\n"
    assert reminders_stored({"known", "fresh", "missing"}) == {
        (alice.pk, "known"),
        (bob.pk, "known"),
        (alice.pk, "fresh"),
    }
    assert reminders_stored(set()) == set()


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_skips_the_reminders_the_first_holds(make_user):
    """Two deliveries at once (two beat workers): the second neither waits for the first nor takes its
    reminders; once the first commits, every reminder has exactly one notification."""
    alice = make_user(username="alice", email="alice@example.org")
    now = timezone.now()
    schedule([alice], 6, now - timedelta(minutes=1))
    holding = threading.Barrier(2, timeout=15)
    done = threading.Barrier(2, timeout=15)
    counts: dict[str, list[int]] = {"first": [], "second": []}
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                counts["first"].append(reminders_deliver_due(now=now, batch=4))
                holding.wait()  # its four reminders stay locked until it commits
                done.wait()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
            holding.abort()
            done.abort()
        finally:
            connection.close()

    def second():
        try:
            holding.wait()
            counts["second"].append(reminders_deliver_due(now=now, batch=4))
            counts["second"].append(reminders_deliver_due(now=now, batch=4))
            done.wait()
        except BaseException as exc:
            errors.append(exc)
            holding.abort()
            done.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert counts == {"first": [4], "second": [2, 0]}
    assert reminders_deliver_due(now=now) == 0
    assert_each_delivered_once(now)
