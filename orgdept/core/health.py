"""System health for administrators: database, broker, calendar coverage, failed documents."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from .models import CalendarYear, Document, Notification
from .roles import SYSTEM_ADMIN


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("数据库", True, connection.vendor)
    except Exception as exc:  # health page must render whatever fails
        return Check("数据库", False, str(exc))


def broker_check() -> Check:
    from celery import current_app as app

    url = settings.CELERY_BROKER_URL
    label = "文件队列（内置）" if url.startswith("filesystem://") else url.split("@")[-1]
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check("任务队列", True, "同步执行")
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return Check("任务队列", True, label)
    except Exception as exc:
        return Check("任务队列", False, f"{label}: {exc}")


def calendar_coverage(today=None) -> Check:
    today = today or timezone.localdate()
    years = set(CalendarYear.objects.values_list("year", flat=True))
    missing = [y for y in (today.year, today.year + 1) if y not in years]
    if today.year in missing:
        return Check("节假日安排", False, f"缺少{today.year}年的节假日安排，工作日期限无法计算")
    if missing and today.month >= 11:
        return Check("节假日安排", False, f"缺少{today.year + 1}年的节假日安排，请在国务院公布后导入")
    return Check("节假日安排", True, f"已录入至{max(years)}年")


def failed_documents_check() -> Check:
    count = Document.objects.filter(status=Document.Status.FAILED).count()
    return Check("文件生成", count == 0, f"{count} 个文件生成失败" if count else "正常")


def system_checks() -> list[Check]:
    return [database_check(), broker_check(), calendar_coverage(), failed_documents_check()]


def calendar_coverage_warn_admins() -> int:
    """Notifies each administrator once a day while the calendar is incomplete."""
    from .notifications import notify

    check = calendar_coverage()
    if check.ok:
        return 0
    title = f"节假日安排需要更新：{check.detail}"
    today = timezone.localdate()
    sent = 0
    for user in get_user_model().objects.filter(groups__name=SYSTEM_ADMIN, is_active=True).distinct():
        if Notification.objects.filter(recipient=user, title=title, created_at__date=today).exists():
            continue
        notify(recipient=user, title=title, url=reverse("core:calendar"))
        sent += 1
    return sent
