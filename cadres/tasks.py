"""Celery tasks of the cadres app: thin wrappers that call the services."""

from celery import shared_task

from .reminders import proposal_reminders_schedule


@shared_task(name="cadres.tasks.proposal_reminders")
def proposal_reminders() -> int:
    """Daily: the appointment procedure's reminders of the day for 干部科 (safe to repeat: each is sent once)."""
    return proposal_reminders_schedule()
