"""Celery tasks of the meetings app: thin wrappers that call the reminder services."""

from celery import shared_task

from .reminders import cadence_reminders_schedule


@shared_task(name="meetings.tasks.cadence_check")
def cadence_check() -> int:
    """Daily: 组织科 are told, once per body and day, which bodies fall behind their cadence (safe to repeat)."""
    return cadence_reminders_schedule()
