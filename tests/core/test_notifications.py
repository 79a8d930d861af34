"""Notifications (inbox + email, each sent once) and reminders (delivered once when due, moved by key)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orgdept.core.models import Notification, Reminder
from orgdept.core.notifications import (
    notification_mark_read,
    notification_send_email,
    notify,
    reminder_cancel,
    reminder_schedule,
    reminders_deliver_due,
)

# --- notify and email ---------------------------------------------------------------------------


def test_notify_fills_the_inbox_and_sends_one_email_after_commit(
    alice, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=alice, title="干部任前公示期满", body="请办理任职手续。", url="/cadres/")
        assert mailoutbox == []  # nothing leaves before the transaction commits

    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.recipient == alice
    assert notification.read_at is None
    assert notification.email_sent_at is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.org"]
    assert mail.subject == f"[{settings.ORGDEPT_SITE_NAME}] 干部任前公示期满"
    assert "请办理任职手续。" in mail.body
    assert mail.body.endswith(settings.ORGDEPT_SITE_URL.rstrip("/") + "/cadres/")


def test_no_email_without_an_address_or_when_not_wanted(alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=bob, title="没有邮箱")
        notify(recipient=alice, title="只在站内", email=False)
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=bob, title="没有邮箱").exists()
    assert Notification.objects.filter(recipient=alice, title="只在站内").exists()


def test_send_email_twice_sends_once(alice, mailoutbox):
    notification = notify(recipient=alice, title="一次就够")  # on_commit not run: no email yet

    assert notification_send_email(notification_id=notification.pk) is True
    assert notification_send_email(notification_id=notification.pk) is False

    assert len(mailoutbox) == 1
    assert notification_send_email(notification_id=999_999) is False


def test_long_titles_are_cut_to_fit(alice):
    assert len(notify(recipient=alice, title="长" * 300, email=False).title) == 200


def test_only_the_recipient_may_mark_read(alice, bob):
    notification = notify(recipient=alice, title="私信", email=False)
    with pytest.raises(PermissionError):
        notification_mark_read(notification=notification, actor=bob)
    notification_mark_read(notification=notification, actor=alice)
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    notification_mark_read(notification=notification, actor=alice)
    notification.refresh_from_db()
    assert notification.read_at == first_read  # reading again keeps the first time


# --- reminders ------------------------------------------------------------------------------------


def test_due_reminders_are_delivered_exactly_once(alice, bob):
    now = timezone.now()
    due = reminder_schedule(recipient=alice, key="probation:1", due_at=now - timedelta(hours=1), title="试用期将满")
    later = reminder_schedule(recipient=bob, key="notice:7", due_at=now + timedelta(days=2), title="公示期满")

    assert reminders_deliver_due(now=now) == 1
    assert reminders_deliver_due(now=now) == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.delivered_at == now
    assert due.notification.recipient == alice
    assert due.notification.title == "试用期将满"
    assert later.delivered_at is None
    assert Notification.objects.filter(recipient=alice, title="试用期将满").count() == 1
    assert not Notification.objects.filter(recipient=bob).exists()

    assert reminders_deliver_due(now=now + timedelta(days=3)) == 1
    later.refresh_from_db()
    assert later.notification.title == "公示期满"
    assert reminders_deliver_due(now=now + timedelta(days=3)) == 0


def test_a_reminder_exactly_at_its_due_time_is_delivered(alice):
    now = timezone.now()
    reminder_schedule(recipient=alice, key="edge", due_at=now, title="正点")
    assert reminders_deliver_due(now=now - timedelta(seconds=1)) == 0
    assert reminders_deliver_due(now=now) == 1


def test_scheduling_the_same_key_moves_the_reminder(alice):
    now = timezone.now()
    first = reminder_schedule(recipient=alice, key="deadline:42", due_at=now + timedelta(days=1), title="旧标题")
    moved = reminder_schedule(recipient=alice, key="deadline:42", due_at=now + timedelta(days=5), title="新标题")

    assert moved.pk == first.pk
    assert Reminder.objects.filter(recipient=alice, key="deadline:42").count() == 1
    assert reminders_deliver_due(now=now + timedelta(days=2)) == 0
    assert reminders_deliver_due(now=now + timedelta(days=6)) == 1
    assert Notification.objects.get(recipient=alice).title == "新标题"


def test_the_same_key_for_another_recipient_is_another_reminder(alice, bob):
    now = timezone.now()
    reminder_schedule(recipient=alice, key="k", due_at=now, title="给甲")
    reminder_schedule(recipient=bob, key="k", due_at=now, title="给乙")
    assert Reminder.objects.filter(key="k").count() == 2
    assert reminders_deliver_due(now=now) == 2


def test_a_delivered_reminder_scheduled_again_is_delivered_again(alice):
    now = timezone.now()
    reminder_schedule(recipient=alice, key="quarterly", due_at=now, title="季度汇报")
    assert reminders_deliver_due(now=now) == 1
    reminder_schedule(recipient=alice, key="quarterly", due_at=now + timedelta(days=90), title="季度汇报")
    assert reminders_deliver_due(now=now + timedelta(days=1)) == 0
    assert reminders_deliver_due(now=now + timedelta(days=91)) == 1
    assert Notification.objects.filter(recipient=alice, title="季度汇报").count() == 2


def test_cancelling_removes_only_an_undelivered_reminder(alice):
    now = timezone.now()
    reminder_schedule(recipient=alice, key="a", due_at=now + timedelta(days=1), title="甲")
    reminder_schedule(recipient=alice, key="b", due_at=now, title="乙")
    reminders_deliver_due(now=now)

    assert reminder_cancel(recipient=alice, key="a") == 1
    assert reminder_cancel(recipient=alice, key="b") == 0  # already delivered: kept as a record
    assert reminders_deliver_due(now=now + timedelta(days=2)) == 0
    assert list(Reminder.objects.values_list("key", flat=True)) == ["b"]


def test_the_beat_task_delivers_due_reminders(alice):
    from orgdept.core.tasks import deliver_due_reminders

    reminder_schedule(recipient=alice, key="t", due_at=timezone.now() - timedelta(minutes=1), title="到期")
    assert deliver_due_reminders.delay().get() == 1
    assert Notification.objects.filter(recipient=alice, title="到期").exists()


# --- the inbox pages ------------------------------------------------------------------------------


def unread_badge(response) -> str | None:
    html = response.content.decode()
    marker = 'data-testid="unread-count">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_inbox_shows_the_unread_count_and_opening_marks_read_and_follows_the_link(client, alice):
    first = notify(recipient=alice, title="请查看日历", url="/calendar/?year=2026", email=False)
    notify(recipient=alice, title="第二条", email=False)
    client.force_login(alice)

    inbox = client.get(reverse("core:notification_list"))
    assert inbox.status_code == 200
    assert unread_badge(inbox) == "2"
    assert "请查看日历" in inbox.content.decode()

    opened = client.get(reverse("core:notification_open", args=[first.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == "/calendar/?year=2026"
    first.refresh_from_db()
    assert first.read_at is not None
    assert unread_badge(client.get(reverse("core:notification_list"))) == "1"


def test_unread_filter_and_read_all(client, alice):
    read = notify(recipient=alice, title="已读的", email=False)
    notification_mark_read(notification=read, actor=alice)
    notify(recipient=alice, title="未读的", email=False)
    client.force_login(alice)

    html = client.get(reverse("core:notification_list"), {"unread": "on"}).content.decode()
    assert "未读的" in html
    assert "已读的" not in html

    response = client.post(reverse("core:notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert unread_badge(client.get(reverse("core:notification_list"))) is None


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"])
def test_opening_a_notification_never_redirects_off_site(client, alice, url):
    notification = notify(recipient=alice, title="可疑链接", url=url, email=False)
    client.force_login(alice)
    response = client.get(reverse("core:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notification_list")


def test_a_notification_without_a_link_opens_the_inbox(client, alice):
    notification = notify(recipient=alice, title="无链接", email=False)
    client.force_login(alice)
    response = client.get(reverse("core:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("core:notification_list")


def test_a_user_cannot_open_or_see_another_users_notification(client, alice, bob):
    notification = notify(recipient=alice, title="甲的私信", url="/", email=False)
    client.force_login(bob)

    assert client.get(reverse("core:notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "甲的私信" not in client.get(reverse("core:notification_list")).content.decode()


def test_inbox_htmx_request_gets_only_the_results(client, alice):
    notify(recipient=alice, title="局部刷新", email=False)
    client.force_login(alice)
    response = client.get(reverse("core:notification_list"), {"q": "局部"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "局部刷新" in html
