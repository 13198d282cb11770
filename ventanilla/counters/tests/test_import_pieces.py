"""A large clean file on PostgreSQL is read and stored in pieces (``_import_pieces``): the
same tickets, rollups and monthly tables as read whole, and every check still made."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from ventanilla.core.testing import need
from ventanilla.counters import services
from ventanilla.counters.models import QueueDayRollup, QueueTicket
from ventanilla.counters.tests.test_import_columns import (
    assert_same_rollups,
    csv_of,
    import_file,
    rebuilt_rollups,
    stored_rollups,
    stored_tickets,
    varied_rows,
)
from ventanilla.counters.tests.test_importing import messages

DAYS = [date(2026, 3, d) for d in range(2, 10)]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def pieces(monkeypatch):
    """Any file read in pieces; reading it whole counted."""
    need(connection.vendor == "postgresql", "the pieces are sent by COPY (DATABASE_URL)")
    monkeypatch.setattr(services, "_PIECES_FROM_BYTES", 0)
    whole = {"reads": 0}
    read_clean = services._read_clean

    def counted(*args, **kwargs):
        whole["reads"] += 1
        return read_clean(*args, **kwargs)

    monkeypatch.setattr(services, "_read_clean", counted)
    return whole


def rows_without_quotes(staff: str, prefix: str = "A", days: list[date] = DAYS) -> list:
    return varied_rows(days, 60, staff, prefix=prefix)


def test_pieces_store_what_a_whole_read_stores(network, pieces, monkeypatch):
    from ventanilla.counters.tests.test_monthly import _tables

    staff = network.teller_a.employee.staff_number
    data = csv_of(rows_without_quotes(staff))
    assert b'"' not in data
    result = import_file(network.outlet_a, data, "q.csv")
    assert pieces["reads"] == 0  # stored piece by piece
    assert result.counts["tickets"].created == 480
    assert QueueDayRollup.objects.filter(outlet=network.outlet_a).count() == len(DAYS)
    monkeypatch.setattr(services, "_PIECES_FROM_BYTES", 1 << 40)
    import_file(network.outlet_b, data, "q.csv")
    assert pieces["reads"] == 1
    assert stored_tickets(network.outlet_a) == stored_tickets(network.outlet_b)
    mine = stored_rollups(network.outlet_a)
    assert_same_rollups(mine, stored_rollups(network.outlet_b))
    assert_same_rollups(mine, rebuilt_rollups(network.outlet_a))
    figures, tellers = _tables()[:2]
    a, b = network.outlet_a.pk, network.outlet_b.pk
    assert [r[1:] for r in figures if r[0] == a] == [r[1:] for r in figures if r[0] == b]
    assert [r[1:] for r in tellers if r[0] == a] == [r[1:] for r in tellers if r[0] == b]


def test_a_ticket_twice_in_two_pieces_writes_nothing_and_is_named(network, pieces):
    staff = network.teller_a.employee.staff_number
    rows = rows_without_quotes(staff)
    rows.append(list(rows[0]))  # the first piece's first ticket again, in the last piece
    result = services.ticket_import(
        actor=None,
        outlet=network.outlet_a,
        data=csv_of(rows),
        filename="q.csv",
        mapping=services.TicketMapping.objects.get(name="ventanilla"),
    )
    assert not result.is_applied
    assert any("appears twice" in message for message in messages(result)), messages(result)
    assert not QueueTicket.objects.exists() and not QueueDayRollup.objects.exists()


def test_a_bad_row_in_a_later_piece_writes_nothing_and_is_named(network, pieces):
    staff = network.teller_a.employee.staff_number
    rows = rows_without_quotes(staff)
    rows[-3][8] = rows[-3][5][:11] + "00:00:01"  # ends before it is issued
    result = services.ticket_import(
        actor=None,
        outlet=network.outlet_a,
        data=csv_of(rows),
        filename="q.csv",
        mapping=services.TicketMapping.objects.get(name="ventanilla"),
    )
    assert not result.is_applied
    assert any(f"line {len(rows) - 1}:" in message for message in messages(result))
    assert not QueueTicket.objects.exists() and not QueueDayRollup.objects.exists()


def test_a_stored_day_in_a_later_piece_hands_the_file_to_the_row_checks(network, pieces):
    staff = network.teller_a.employee.staff_number
    rows = rows_without_quotes(staff)
    last_day = [row for row in rows if row[0] == DAYS[-1].isoformat()]
    import_file(network.outlet_a, csv_of(last_day[:10]), "first.csv")
    result = import_file(network.outlet_a, csv_of(rows), "q.csv")
    assert result.counts["tickets"].created == 470
    assert result.counts["tickets"].unchanged == 10
    assert QueueTicket.objects.count() == 480
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))
