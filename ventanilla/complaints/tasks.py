"""Periodic work of complaints: thin, idempotent wrappers around services.

The broker may deliver a message twice; the escalation run records each level once per
complaint (a unique constraint), so a second delivery announces nothing more.
"""

import logging

from celery import shared_task

from ventanilla.complaints.services import complaint_escalations_run, rapid_alerts_run

logger = logging.getLogger(__name__)


@shared_task(name="ventanilla.complaints.tasks.escalate_complaints", ignore_result=True)
def escalate_complaints() -> int:
    """Remind, escalate and report breaches of the complaint time limits."""
    announced = complaint_escalations_run()
    logger.info("Complaint escalation: %d notices announced.", announced)
    return announced


@shared_task(name="ventanilla.complaints.tasks.alert_backup_contacts", ignore_result=True)
def alert_backup_contacts() -> int:
    """Alert the backup (B) of every major complaint whose primary (A) has not acknowledged."""
    alerted = rapid_alerts_run()
    logger.info("Rapid handling: %d backup contacts alerted.", alerted)
    return alerted
