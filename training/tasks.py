"""Celery tasks of the training app: thin wrappers that call the services."""

from celery import shared_task
from django.db import DatabaseError

from .reminders import training_reminders_schedule


@shared_task(
    name="training.tasks.reminders",
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    max_retries=3,
)
def training_reminders() -> int:
    """Daily: class start notices, the fourth quarter's shortfall reminders and plans awaiting approval (safe to
    repeat: each reminder is sent once for its class, week or day)."""
    return training_reminders_schedule()
