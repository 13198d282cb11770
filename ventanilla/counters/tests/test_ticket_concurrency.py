"""A ticket stays unique per outlet, date and number when imports and pushes of the same
tickets run at the same moment: the writers hold the outlet's ticket lock, not a unique
index."""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, connections

from ventanilla.core.testing import need
from ventanilla.counters.models import QueueDayRollup, QueueTicket, TicketMapping
from ventanilla.counters.rollups import cell_rows
from ventanilla.counters.services import tickets_push
from ventanilla.counters.tests.factories import BusinessTypeFactory
from ventanilla.counters.tests.test_import_columns import csv_of, import_file, varied_rows

WORKERS = 4


def seeded_mappings() -> None:
    """The seeded mappings, which an earlier test that commits may have flushed."""
    seed = importlib.import_module("ventanilla.counters.migrations.0003_seed_ticket_mappings")
    for values in seed.MAPPINGS:
        TicketMapping.objects.update_or_create(name=values["name"], defaults=values)


def run_together(work: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(WORKERS)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def assert_each_ticket_once(expected: int) -> None:
    keys = Counter(QueueTicket.objects.values_list("outlet_id", "service_on", "ticket_number"))
    assert len(keys) == expected
    assert max(keys.values()) == 1
    assert sum(cell.tickets for cell in cell_rows()) == expected
    days = QueueDayRollup.objects.values_list("outlet_id", "service_on")
    assert len(list(days)) == len(set(days))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_at_once_stores_each_ticket_once(network):
    need(connection.vendor == "postgresql", "advisory locks need PostgreSQL (DATABASE_URL)")
    seeded_mappings()
    BusinessTypeFactory(code="P03")
    BusinessTypeFactory(code="P07")
    rows = varied_rows([date(2026, 3, 2), date(2026, 3, 3)], 150, "")
    data = csv_of(rows)
    results, errors = run_together(lambda: import_file(network.outlet_a, data, "q.csv"))
    assert errors == []
    created = sorted(result.counts["tickets"].created for result in results)  # type: ignore[attr-defined]
    assert created == [0] * (WORKERS - 1) + [300]
    assert_each_ticket_once(300)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_tickets_pushed_at_once_are_stored_once(network):
    need(connection.vendor == "postgresql", "advisory locks need PostgreSQL (DATABASE_URL)")
    from datetime import datetime, timedelta

    from django.utils import timezone

    code = BusinessTypeFactory().code
    opening = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_default_timezone())
    items = [
        {
            "service_on": date(2026, 3, 2),
            "ticket_number": f"A{i:03d}",
            "business_type": code,
            "issued_at": opening + timedelta(minutes=i),
            "called_at": opening + timedelta(minutes=i + 4),
            "ended_at": opening + timedelta(minutes=i + 9),
        }
        for i in range(40)
    ]
    results, errors = run_together(
        lambda: tickets_push(actor=network.admin, outlet=network.outlet_a, tickets=items)
    )
    assert errors == []
    assert [result.errors for result in results] == [[]] * WORKERS  # type: ignore[attr-defined]
    assert_each_ticket_once(40)


@pytest.mark.postgres
@pytest.mark.django_db
def test_ticket_ids_are_drawn_a_thousand_at_a_time():
    need(connection.vendor == "postgresql", "identity caches are PostgreSQL's (DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seqcache FROM pg_sequence WHERE seqrelid = "
            "pg_get_serial_sequence('counters_queueticket', 'id')::regclass"
        )
        assert cursor.fetchone() == (1000,)
