"""Periodic work of the core: thin, idempotent wrappers around services.

Every job here may be delivered more than once (the broker redelivers a message whose
worker died before acknowledging it), so each one must give the same end state however
many times it runs.
"""

import logging

from celery import shared_task
from django.conf import settings

from ventanilla.core.audit import audit_entries_purge

logger = logging.getLogger(__name__)


# No result backend is configured; the count goes to the worker's log instead.
@shared_task(name="ventanilla.core.tasks.purge_expired_audit_entries", ignore_result=True)
def purge_expired_audit_entries() -> int:
    """Delete audit entries older than the retention period (safe to run any number of times)."""
    days = settings.AUDIT_RETENTION_DAYS
    deleted = audit_entries_purge(older_than_days=days)
    logger.info("Audit retention: deleted %d entries older than %d days.", deleted, days)
    return deleted
