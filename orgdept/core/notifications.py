"""Notifications (in-app inbox plus email) and reminders delivered at a due time."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .imports import bulk_insert, bulk_update
from .models import Notification, Reminder
from .queueing import enqueue_on_commit, publish


@transaction.atomic
def notify(*, recipient, title: str, body: str = "", url: str = "", email: bool = True) -> Notification:
    """Puts a message in the recipient's inbox and, after commit, emails it if they have an address."""
    emailed = bool(email and recipient.email)
    notification = Notification.objects.create(
        recipient=recipient,
        title=title[:200],
        body=body,
        url=url,
        email_queued_at=timezone.now() if emailed else None,
    )
    if emailed:
        from .tasks import send_notification_email

        enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def notification_send_email(*, notification_id: int) -> bool:
    """Emails a notification once; returns False when it was already sent or cannot be."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.email_sent_at or not notification.recipient.email:
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.ORGDEPT_SITE_URL.rstrip('/')}{notification.url}".strip()
        send_mail(
            subject=f"[{settings.ORGDEPT_SITE_NAME}] {notification.title}",
            message=body or notification.title,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_sent_at", "updated_at"])
    return True


def notification_mark_read(*, notification: Notification, actor) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("只能标记自己的通知")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def reminder_schedule(*, recipient, key: str, due_at: datetime, title: str, body: str = "", url: str = "") -> Reminder:
    """Schedules (or moves) the reminder `key` for `recipient`; a delivered one is scheduled anew."""
    reminder, _created = Reminder.objects.update_or_create(
        recipient=recipient,
        key=key,
        defaults={"due_at": due_at, "title": title, "body": body, "url": url, "delivered_at": None},
    )
    return reminder


@transaction.atomic
def reminders_schedule_new(*, due_at: datetime, rows: list[tuple]) -> int:
    """Schedules, all due at `due_at`, many reminders none of which exists yet: rows of (recipient pk, key, title,
    body, url), for the morning scans that have already looked up which of theirs exist. One that appeared
    meanwhile (a concurrent run) is left as it is. Returns how many rows were given."""
    now = timezone.now()
    bulk_insert(
        Reminder,
        ["created_at", "updated_at", "recipient", "key", "due_at", "title", "body", "url"],
        [(now, now, user_pk, key, due_at, title[:200], body, url) for user_pk, key, title, body, url in rows],
        skip_existing=("recipient", "key"),
    )
    return len(rows)


@transaction.atomic
def reminder_cancel(*, recipient, key: str) -> int:
    deleted, _ = Reminder.objects.filter(recipient=recipient, key=key, delivered_at__isnull=True).delete()
    return deleted


@transaction.atomic
def reminders_cancel(*, pks) -> int:
    """Withdraws the reminders `pks` not yet delivered (a delivered one stays, as a record); one delete."""
    deleted, _ = Reminder.objects.filter(pk__in=list(pks), delivered_at__isnull=True).delete()
    return deleted


def reminders_deliver_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Turns every due, undelivered reminder into a notification exactly once (up to `batch` per call)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(delivered_at__isnull=True, due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", "recipient_id", "recipient__email", "title", "body", "url")[:batch]
        )
        if not due:
            return 0
        # a morning's scan makes thousands: one insert of the notifications and one update of the reminders
        created = timezone.now()
        ids = bulk_insert(
            Notification,
            ["created_at", "updated_at", "recipient", "title", "body", "url", "email_queued_at"],
            [
                (created, created, user_pk, title[:200], body, url, created if email else None)
                for _pk, user_pk, email, title, body, url in due
            ],
            returning=True,
            batch_size=batch,
        )
        emailed = [nid for nid, reminder in zip(ids, due, strict=True) if reminder[2]]
        if emailed:
            from .tasks import send_notification_email

            def send():
                for pk in emailed:
                    publish(send_notification_email, pk)

            transaction.on_commit(send)
        delivered = [
            Reminder(pk=reminder[0], notification_id=nid, delivered_at=now, updated_at=created)
            for reminder, nid in zip(due, ids, strict=True)
        ]
        bulk_update(Reminder, delivered, ["notification", "delivered_at", "updated_at"])
    return len(due)


# An e-mail still unsent this long after it was queued was lost (the broker was down) and is queued again.
EMAIL_REQUEUE_AFTER = timedelta(minutes=10)
# Older ones are given up: news weeks old by e-mail helps no one (the inbox keeps them).
EMAIL_GIVE_UP_AFTER = timedelta(days=2)


def notifications_email_requeue(
    *, older_than: timedelta = EMAIL_REQUEUE_AFTER, now: datetime | None = None, batch: int = 1000
) -> int:
    """Queues again the e-mails of notifications that were to be e-mailed and were not sent: the broker was down
    when they were asked for, or the message was lost. Sending twice is harmless (a sent e-mail is not sent
    again), and each is queued anew at most once per `older_than`. Returns how many were queued."""
    from .tasks import send_notification_email

    now = now or timezone.now()
    with transaction.atomic():
        pks = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                email_sent_at__isnull=True,
                email_queued_at__lte=now - older_than,
                created_at__gte=now - EMAIL_GIVE_UP_AFTER,
            )
            .order_by("email_queued_at")
            .values_list("pk", flat=True)[:batch]
        )
        Notification.objects.filter(pk__in=pks).update(email_queued_at=now, updated_at=now)
    for pk in pks:
        publish(send_notification_email, pk)
    return len(pks)
