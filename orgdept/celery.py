"""The Celery application; periodic schedules are defined here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgdept.settings.base")

app = Celery("orgdept")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["orgdept.core"])

app.conf.beat_schedule = {
    # Reminders that services scheduled (deadlines, probation ends) become notifications.
    "deliver-due-reminders": {"task": "core.deliver_due_reminders", "schedule": 60.0},
    # Documents left PENDING by a lost worker are queued again.
    "requeue-stale-documents": {"task": "core.requeue_stale_documents", "schedule": 300.0},
    # Notification e-mails that could not be queued (the broker was down) or were lost are queued again.
    "requeue-unsent-notification-emails": {"task": "core.requeue_unsent_notification_emails", "schedule": 300.0},
    # Imports left half-way by a lost worker are queued again (a batch's steps are safe to repeat).
    "requeue-stale-import-batches": {"task": "core.requeue_stale_import_batches", "schedule": 300.0},
    # Each night: uploaded spreadsheets of imports done or abandoned days ago are deleted (personal data).
    "purge-old-import-batches": {"task": "core.purge_old_import_batches", "schedule": crontab(hour=3, minute=15)},
    # Each morning: warn administrators when next year's holiday schedule is missing.
    "check-calendar-coverage": {"task": "core.check_calendar_coverage", "schedule": crontab(hour=7, minute=30)},
    # Each morning: standing members who have not reported on the quarter get a reminder before it ends.
    "schedule-quarterly-report-reminders": {
        "task": "committees.schedule_quarterly_report_reminders",
        "schedule": crontab(hour=6, minute=40),
    },
    # Each morning: 组织科 hear which bodies fall behind their cadence (no 常委会 for 15 days …).
    "meetings-cadence-check": {"task": "meetings.tasks.cadence_check", "schedule": crontab(hour=7, minute=45)},
    # Each morning: 干部科 hear of notices ending, objections open, probations ending, recommendation results
    # expiring and proposals stalled (due at 09:00; a second run the same day sends nothing again).
    "cadres-proposal-reminders": {"task": "cadres.tasks.proposal_reminders", "schedule": crontab(hour=8, minute=30)},
    # Each morning: class start notices to the cadres called up, from 1 October the year's shortfalls (cadres weekly,
    # 培训科 a summary per unit), and plans awaiting 部领导's approval (each sent once for its class, week or day).
    "training-reminders": {"task": "training.tasks.reminders", "schedule": crontab(hour=8, minute=40)},
}
