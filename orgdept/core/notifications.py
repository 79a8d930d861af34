"""Notifications (in-app inbox plus email) and reminders delivered at a due time."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
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
    if not rows:
        return 0
    if _set_based():
        _schedule_new_postgresql(now, due_at, rows)
        return len(rows)
    bulk_insert(
        Reminder,
        ["created_at", "updated_at", "recipient", "key", "due_at", "title", "body", "url"],
        [(now, now, user_pk, key, due_at, title[:200], body, url) for user_pk, key, title, body, url in rows],
        skip_existing=("recipient", "key"),
    )
    return len(rows)


def _set_based() -> bool:
    """Whether the database takes the bulk statements of PostgreSQL below; another (the embedded default's
    SQLite) takes the portable path, which does the same in a few more statements."""
    return connection.vendor == "postgresql"


def _schedule_new_postgresql(now: datetime, due_at: datetime, rows: list[tuple]) -> None:
    """The rows are copied (COPY, the bulk path of PostgreSQL) into a scratch table and inserted from there in one
    statement: a morning's eleven thousand reminders as statement parameters cost more to quote and parse than
    to store, and the times go once rather than once per row."""
    data = io.StringIO(
        "".join(
            f"{user_pk}\t{_copy_text(key)}\t{_copy_text(title)}\t{_copy_text(body)}\t{_copy_text(url)}\n"
            for user_pk, key, title, body, url in rows
        )
    )
    table = _table(Reminder)
    with connection.cursor() as cursor:
        # dropped at the end of the transaction at the latest, whatever happens in between
        cursor.execute(
            "CREATE TEMPORARY TABLE reminders_incoming"
            " (recipient_id integer, key text, title text, body text, url text) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY reminders_incoming FROM STDIN", data)
        cursor.execute(
            f"""
            INSERT INTO {table} (created_at, updated_at, recipient_id, key, due_at, title, body, url)
            SELECT %s, %s, r.recipient_id, r.key, %s, left(r.title, 200), r.body, r.url FROM reminders_incoming r
            ON CONFLICT (recipient_id, key) DO NOTHING
            """,  # noqa: S608 - the table name from the model, every value a parameter
            [now, now, due_at],
        )
        cursor.execute("DROP TABLE reminders_incoming")


def _copy_text(value: str) -> str:
    """A value in COPY's text format: the backslash, and the characters that end a field or a row, escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def reminders_stored(keys) -> set[tuple[int, str]]:
    """(recipient pk, key) of every reminder stored under one of `keys`, delivered or not: what a morning scan
    must not schedule again. One query, with the keys as a single array on PostgreSQL (a morning's eleven
    thousand keys as separate parameters cost more to prepare than to look up)."""
    keys = list(keys)
    if not keys:
        return set()
    if not _set_based():
        return set(Reminder.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    sql = f"SELECT recipient_id, key FROM {_table(Reminder)} WHERE key = ANY(%s::text[])"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [keys])
        return set(cursor.fetchall())


@transaction.atomic
def reminder_cancel(*, recipient, key: str) -> int:
    deleted, _ = Reminder.objects.filter(recipient=recipient, key=key, delivered_at__isnull=True).delete()
    return deleted


@transaction.atomic
def reminders_cancel(*, pks) -> int:
    """Withdraws the reminders `pks` not yet delivered (a delivered one stays, as a record); one delete."""
    deleted, _ = Reminder.objects.filter(pk__in=list(pks), delivered_at__isnull=True).delete()
    return deleted


def reminders_deliver_due(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Turns every due, undelivered reminder into a notification exactly once (up to `batch` per call): each
    is locked (skipping those another delivery holds), given its notification and marked delivered in the same
    transaction. The e-mails of those whose recipient has an address are queued after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        delivered = _deliver_due_postgresql(now, batch) if _set_based() else _deliver_due(now, batch)
        emailed = [notification_pk for notification_pk, email in delivered if email]
        if emailed:
            from .tasks import send_notification_email

            def send():
                for pk in emailed:
                    publish(send_notification_email, pk)

            transaction.on_commit(send)
    return len(delivered)


def _deliver_due_postgresql(now: datetime, batch: int) -> list[tuple[int, bool]]:
    """One statement for a batch: the due reminders locked, a notification made for each and the reminder
    pointed at it. Each notification's key is drawn from its sequence beforehand so the reminder knows it
    without a round trip (INSERT … RETURNING cannot say which source row a key came from). Returns (notification
    pk, whether it is to be e-mailed) per reminder delivered."""
    reminders, notifications = _table(Reminder), _table(Notification)
    users = _table(Reminder._meta.get_field("recipient").related_model)
    created = timezone.now()
    sql = f"""
        WITH due AS MATERIALIZED (
            SELECT r.id, r.recipient_id, r.title, r.body, r.url
            FROM {reminders} r
            WHERE r.delivered_at IS NULL AND r.due_at <= %(now)s
            ORDER BY r.due_at
            LIMIT %(batch)s
            FOR UPDATE OF r SKIP LOCKED
        ), numbered AS MATERIALIZED (
            SELECT due.*, COALESCE(u.email, '') <> '' AS emailed,
                   nextval(pg_get_serial_sequence(%(notifications)s, 'id')) AS notification_id
            FROM due JOIN {users} u ON u.id = due.recipient_id
        ), made AS (
            INSERT INTO {notifications} (id, created_at, updated_at, recipient_id, title, body, url, email_queued_at)
            SELECT n.notification_id, %(created)s, %(created)s, n.recipient_id, left(n.title, 200), n.body, n.url,
                   CASE WHEN n.emailed THEN %(created)s::timestamptz END
            FROM numbered n
        )
        UPDATE {reminders} r
        SET notification_id = n.notification_id, delivered_at = %(now)s, updated_at = %(created)s
        FROM numbered n
        WHERE r.id = n.id
        RETURNING n.notification_id, n.emailed
    """  # noqa: S608 - table names from the models, every value a parameter
    params = {"now": now, "batch": batch, "created": created, "notifications": Notification._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def _deliver_due(now: datetime, batch: int) -> list[tuple[int, bool]]:
    """The same for a database without data-modifying WITH: one select, one insert, one update."""
    due = list(
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(delivered_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", "recipient_id", "recipient__email", "title", "body", "url")[:batch]
    )
    if not due:
        return []
    created = timezone.now()
    ids = bulk_insert(
        Notification,
        ["created_at", "updated_at", "recipient", "title", "body", "url", "email_queued_at"],
        [
            (created, created, user_pk, title[:200], body, url, created if email else None)
            for _pk, user_pk, email, title, body, url in due
        ],
        returning=True,
    )
    delivered = [
        Reminder(pk=reminder[0], notification_id=nid, delivered_at=now, updated_at=created)
        for reminder, nid in zip(due, ids, strict=True)
    ]
    bulk_update(Reminder, delivered, ["notification", "delivered_at", "updated_at"])
    return [(nid, bool(reminder[2])) for reminder, nid in zip(due, ids, strict=True)]


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
