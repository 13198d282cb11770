"""The audit trail: every create, update and delete of a tracked model, with who and when.

django-auditlog writes the entries from model signals; the request middleware names the
actor for web requests, and ``acting_as`` names it for commands and jobs. Each tracked
model stores its unit path in the entry, so that administrators browse only the entries
of their own subtree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import pre_save
from django.utils import timezone

from ventanilla.core.scoping import Role, scope_for, scope_path_of


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


def audit_created_many(objects: Sequence[Any], *, batch_size: int = 500) -> None:
    """The entries auditlog writes when each of ``objects`` is created, written in batches.

    For rows inserted with ``bulk_create``, which sends no signals. Built with auditlog's own
    diff; ``pre_save`` is sent for every entry, as ``save()`` would, so that the actor and
    address of the current audit context are filled in.
    """
    entries = []
    for obj in objects:
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=str(obj),
            action=LogEntry.Action.CREATE,
            changes=model_instance_diff(
                None,
                obj,
                use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
            ),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(obj),
            additional_data=obj.get_additional_data(),
            cid=get_cid(),
        )
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=None, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=batch_size)


class AuditedInTree:
    """A model whose audit entries carry the unit path of the row (``scope_path_field``),
    so that administrators browse the entries of their own subtree."""

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": scope_path_of(self)}  # type: ignore[arg-type]
