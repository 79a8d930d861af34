"""Kernel reads used by views and tasks."""

from django.db.models import QuerySet

from .models import AuditEvent, CalendarDay, CalendarYear, Document, Notification


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor")


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def document_list(*, user) -> QuerySet[Document]:
    return Document.objects.filter(requested_by=user)


def calendar_year_list() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.all()


def calendar_days_of(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year).order_by("date")
