"""The audit-retention job, the beat schedule, and enqueueing only after commit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from celery.signals import task_prerun
from django.conf import settings
from django.db import transaction

from ventanilla import celery_app
from ventanilla.core.tasks import purge_expired_audit_entries
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.org.tests.factories import unit

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
RETENTION_DAYS = 30


@pytest.fixture
def retention(settings):
    settings.AUDIT_RETENTION_DAYS = RETENTION_DAYS
    return RETENTION_DAYS


@pytest.fixture
def tasks_run():
    """Names of the tasks that started running during the test."""
    names: list[str] = []

    def record(sender, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def unit_created_at(moment: datetime, code: str) -> OrgUnit:
    """An org unit whose creation (and so its audit entry) happened at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return unit(code, f"网点 {code}", OrgUnitKind.HEAD_OFFICE)


def entries_of(obj: OrgUnit) -> int:
    return LogEntry.objects.get_for_object(obj).count()


def test_purge_deletes_only_entries_older_than_the_retention(retention):
    old = unit_created_at(START, "OLD")
    at_limit = unit_created_at(START + timedelta(days=10), "LIMIT")
    recent = unit_created_at(START + timedelta(days=25), "NEW")

    with time_machine.travel(START + timedelta(days=10 + retention), tick=False):
        deleted = purge_expired_audit_entries()

    assert deleted == 1
    assert entries_of(old) == 0
    # Exactly as old as the retention is not yet past it.
    assert entries_of(at_limit) == 1
    assert entries_of(recent) == 1


def test_purge_twice_deletes_nothing_more(retention):
    unit_created_at(START, "OLD")
    unit_created_at(START + timedelta(days=1), "OLDER")
    kept = unit_created_at(START + timedelta(days=40), "NEW")

    with time_machine.travel(START + timedelta(days=45), tick=False):
        first = purge_expired_audit_entries()
        second = purge_expired_audit_entries()

    assert (first, second) == (2, 0)
    assert list(LogEntry.objects.values_list("object_pk", flat=True)) == [str(kept.pk)]


def test_purge_keeps_everything_inside_the_retention(retention):
    unit_created_at(START, "A")
    unit_created_at(START + timedelta(days=5), "B")

    with time_machine.travel(START + timedelta(days=retention - 1), tick=False):
        assert purge_expired_audit_entries() == 0

    assert LogEntry.objects.count() == 2


def test_task_enqueued_in_a_rolled_back_transaction_never_runs(
    retention, django_capture_on_commit_callbacks, tasks_run
):
    old = unit_created_at(START, "OLD")

    with (
        time_machine.travel(START + timedelta(days=retention + 1), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="abandon"),
        transaction.atomic(),
    ):
        purge_expired_audit_entries.delay_on_commit()
        raise RuntimeError("abandon the transaction")

    assert callbacks == []
    assert tasks_run == []
    assert entries_of(old) == 1


def test_task_enqueued_in_a_committed_transaction_runs_after_commit(
    retention, django_capture_on_commit_callbacks, tasks_run
):
    old = unit_created_at(START, "OLD")

    with (
        time_machine.travel(START + timedelta(days=retention + 1), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        purge_expired_audit_entries.delay_on_commit()
        # Not before the commit: the job must see what the transaction wrote.
        assert tasks_run == []
        assert entries_of(old) == 1

    assert len(callbacks) == 1
    assert tasks_run == [purge_expired_audit_entries.name]
    assert entries_of(old) == 0


def test_every_scheduled_job_names_a_registered_task():
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled
    assert scheduled <= set(celery_app.tasks)


def test_tasks_have_enqueue_after_commit():
    # The Django fixup gives every task delay_on_commit; a custom base class would lose it.
    assert callable(getattr(purge_expired_audit_entries, "delay_on_commit", None))
