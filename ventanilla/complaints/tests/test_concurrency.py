"""References stay unique when several complaints are registered at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ventanilla.complaints.models import Complaint, YearCounter
from ventanilla.complaints.tests.factories import ensure_seed, register
from ventanilla.core.testing import need

WORKERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_references(network):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (DATABASE_URL)")
    ensure_seed()
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            register(network)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = list(Complaint.objects.values_list("reference", flat=True))
    years = {int(r[4:8]) for r in references}
    assert len(years) == 1
    numbers = sorted(int(r[-6:]) for r in references)
    assert numbers == list(range(1, WORKERS + 1))
    assert YearCounter.objects.get(year=years.pop()).last_number == WORKERS
