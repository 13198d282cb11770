"""Periodic work of rectification: a thin, idempotent wrapper around the reminder service.

Each reminder is recorded once per measure, kind and due date (a unique constraint), so a
second delivery of the same message sends nothing more.
"""

import logging

from celery import shared_task

from ventanilla.rectification.services import measure_reminders_run

logger = logging.getLogger(__name__)


@shared_task(name="ventanilla.rectification.tasks.remind_measure_owners", ignore_result=True)
def remind_measure_owners() -> int:
    """Remind owners of due and overdue measures; escalate to the unit head after a week."""
    sent = measure_reminders_run()
    logger.info("Rectification reminders: %d sent.", sent)
    return sent
