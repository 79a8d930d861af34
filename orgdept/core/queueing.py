"""Queueing Celery tasks after commit, so that a broker outage never undoes or fails what was committed."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# After a failed publish, further publishes in this process are skipped for this long: during an outage each
# attempt costs a connection timeout, and a request that queues several tasks would add them all up.
BROKER_DOWN_PAUSE = 10.0

_broker_down_until = 0.0


def enqueue_on_commit(task, *args) -> None:
    """Queues `task(*args)` once the current transaction commits.

    The committed data is what counts: when the broker cannot be reached the failure is logged, not raised, and
    the periodic sweeper that looks for work left undone (documents_requeue_stale, import_batches_requeue_stale,
    notifications_email_requeue) queues it again once the broker is back. Tasks are idempotent, so work queued
    both ways is done once.
    """
    transaction.on_commit(lambda: publish(task, *args))


def publish(task, *args) -> bool:
    """Queues `task(*args)` now; returns False, after logging, when the broker cannot be reached."""
    global _broker_down_until
    if task.app.conf.task_always_eager:
        # run inline (tests, the embedded default): a task's own errors must reach the caller
        task.apply_async(args)
        return True
    if time.monotonic() < _broker_down_until:
        logger.warning("broker unavailable a moment ago: %s%r not queued, left to the periodic sweep", task.name, args)
        return False
    try:
        task.apply_async(args)
    except OperationalError as exc:
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning("broker unavailable (%s): %s%r not queued, left to the periodic sweep", exc, task.name, args)
        return False
    except Exception:
        # whatever else goes wrong in publishing, what was committed stands: the sweep queues the work again
        logger.exception("%s%r could not be queued, left to the periodic sweep", task.name, args)
        return False
    _broker_down_until = 0.0
    return True


def broker_pause_clear() -> None:
    """Forgets a recent broker failure: the next publish tries the broker at once."""
    global _broker_down_until
    _broker_down_until = 0.0
