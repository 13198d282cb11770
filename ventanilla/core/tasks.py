"""Periodic work of the core: thin, idempotent wrappers around services."""

from celery import shared_task
from django.conf import settings

from ventanilla.core.audit import audit_entries_purge


@shared_task(name="ventanilla.core.tasks.purge_expired_audit_entries")
def purge_expired_audit_entries() -> int:
    """Delete audit entries older than the retention period (safe to run any number of times)."""
    return audit_entries_purge(older_than_days=settings.AUDIT_RETENTION_DAYS)
