"""The audit trail: every create, update and delete of a tracked model, with who and when.

django-auditlog writes the entries from model signals; the request middleware names the
actor for web requests, and ``acting_as`` names it for commands and jobs. Each tracked
model stores its unit path in the entry, so that administrators browse only the entries
of their own subtree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ventanilla.core.scoping import Role, scope_for


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Name ``actor`` in the audit entries written inside the block (outside a request)."""
    if actor is None:
        yield
        return
    with set_actor(actor):
        yield


def audit_entry_list(*, user: Any) -> QuerySet[LogEntry]:
    """Entries of the subtrees where the user is an administrator, newest first."""
    scope = scope_for(user)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if scope.is_global:
        return qs
    return qs.filter(scope.q("additional_data__unit_path", Role.ADMINISTRATOR))


@transaction.atomic
def audit_entries_purge(*, older_than_days: int, now: Any = None) -> int:
    """Delete entries past the retention period; running it twice deletes nothing more."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return deleted
