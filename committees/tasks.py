"""Celery tasks of the committees app: thin wrappers that call the services."""

from celery import shared_task

from .services.absences import quarterly_report_reminders_schedule


@shared_task(name="committees.schedule_quarterly_report_reminders")
def schedule_quarterly_report_reminders() -> int:
    """Daily: the quarter's report reminders for standing members who have not reported (safe to repeat)."""
    return quarterly_report_reminders_schedule()
