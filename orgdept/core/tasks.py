"""Celery tasks of the kernel: thin wrappers that take ids and call services."""

from celery import shared_task

from . import documents, imports, notifications


def _run_with_retries(task, attempts: int, run) -> None:
    """Runs a service whose failures are retried until it records the final failure itself.

    In eager mode (tests, the single-process default) the retries happen inline: Celery refuses to wait
    on a subtask's result (apply().get()) inside a task.
    """
    tries = attempts if task.request.is_eager else 1
    for attempt in range(1, tries + 1):
        try:
            run()
            return
        except Exception as exc:
            if not task.request.is_eager:
                raise task.retry(exc=exc) from exc
            if attempt == tries:
                raise


@shared_task(
    name="core.render_document",
    bind=True,
    max_retries=documents.MAX_ATTEMPTS,
    default_retry_delay=5,
    acks_late=True,
)
def render_document(self, document_id: int):
    _run_with_retries(self, documents.MAX_ATTEMPTS, lambda: documents.document_render(document_id=document_id))


@shared_task(name="core.send_notification_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int):
    notifications.notification_send_email(notification_id=notification_id)


@shared_task(name="core.deliver_due_reminders")
def deliver_due_reminders():
    return notifications.reminders_deliver_due()


@shared_task(name="core.requeue_stale_documents")
def requeue_stale_documents():
    return documents.documents_requeue_stale()


@shared_task(name="core.check_calendar_coverage")
def check_calendar_coverage():
    from .health import calendar_coverage_warn_admins

    return calendar_coverage_warn_admins()


@shared_task(
    name="core.run_import_batch",
    bind=True,
    max_retries=imports.MAX_ATTEMPTS,
    default_retry_delay=5,
    acks_late=True,
)
def run_import_batch(self, batch_id: int):
    _run_with_retries(self, imports.MAX_ATTEMPTS, lambda: imports.import_batch_run(batch_id=batch_id))


@shared_task(name="core.requeue_stale_import_batches")
def requeue_stale_import_batches():
    return imports.import_batches_requeue_stale()


@shared_task(name="core.purge_old_import_batches")
def purge_old_import_batches():
    return imports.import_batches_purge()


@shared_task(name="core.requeue_unsent_notification_emails")
def requeue_unsent_notification_emails():
    return notifications.notifications_email_requeue()
