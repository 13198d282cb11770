"""A clean text file read and written a piece at a time on PostgreSQL: each piece's tickets go
to the database while the next is read, and the result is the file's, as if read at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from ventanilla.core.testing import need
from ventanilla.counters import services
from ventanilla.counters.models import (
    MonthlyHalfHourFigures,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    MonthlyTellerQueueFigures,
    QueueTicket,
)
from ventanilla.counters.rollups import monthly_rebuild
from ventanilla.counters.tests.test_import_columns import (
    HEADER,
    assert_same_rollups,
    csv_of,
    import_file,
    rebuilt_rollups,
    stored_rollups,
    stored_tickets,
    varied_rows,
)
from ventanilla.counters.tests.test_monthly import assert_same_tables
from ventanilla.counters.tests.test_ticket_concurrency import seeded_mappings

DAYS = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 4, 1)]


def on_postgres(test):
    return pytest.mark.postgres(pytest.mark.django_db(test))


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of a few dozen rows, so that a file of a few hundred is read in many."""
    need(connection.vendor == "postgresql", "the file is read in pieces on PostgreSQL only")
    seeded_mappings()
    monkeypatch.setattr(services, "_FIRST_PIECE_BYTES", 3_000)
    monkeypatch.setattr(services, "_PIECE_BYTES", 5_000)


@pytest.fixture
def read_pieces(monkeypatch):
    """The pieces each import reads, as (start, end) byte ranges."""
    seen: list[list[tuple[int, int]]] = []
    cut = services._Text.pieces

    def pieces(text, first, size):
        found = cut(text, first, size)
        seen.append(found)
        return found

    monkeypatch.setattr(services._Text, "pieces", pieces)
    return seen


@pytest.fixture
def row_path(monkeypatch):
    """Counts the imports that fell back to the row-by-row checks."""
    taken = []
    plan = services._plan

    def counted(*args, **kwargs):
        taken.append(True)
        return plan(*args, **kwargs)

    monkeypatch.setattr(services, "_plan", counted)
    return taken


def refused(outlet, rows: list[list[str]]):
    """The result of importing ``rows``, which has errors."""
    result = services.ticket_import(
        actor=None,
        outlet=outlet,
        data=csv_of(rows),
        filename="q.csv",
        mapping=services.TicketMapping.objects.get(name="ventanilla"),
    )
    assert result.errors
    return result


def monthly_tables(outlet) -> list[list[tuple]]:
    tables = [
        MonthlyQueueFigures.objects.filter(unit=outlet),
        MonthlyTellerFigures.objects.filter(outlet=outlet),
        MonthlyHalfHourFigures.objects.filter(outlet=outlet),
        MonthlyTellerQueueFigures.objects.filter(outlet=outlet),
    ]
    out = []
    for rows in tables:
        fields = [f.attname for f in rows.model._meta.concrete_fields if f.name != "id"]
        out.append(sorted(rows.values_list(*fields), key=repr))
    return out


@on_postgres
def test_a_file_in_pieces_stores_its_tickets_rollups_and_months(
    network, small_pieces, read_pieces, row_path
):
    staff = network.teller_a.employee.staff_number
    rows = varied_rows(DAYS, 150, staff)
    result = import_file(network.outlet_a, csv_of(rows), "q.csv")
    assert len(read_pieces[0]) >= 6  # and days cut between pieces
    assert row_path == []
    assert result.counts["tickets"].created == 450
    assert len(stored_tickets(network.outlet_a)) == 450
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))
    months = monthly_tables(network.outlet_a)
    assert all(months)
    monthly_rebuild(months={(network.outlet_a.pk, day) for day in DAYS})
    assert_same_tables(months, monthly_tables(network.outlet_a))
    # Read at once by the row-by-row checks (XLSX), the same file stores the same tickets.
    from ventanilla.core.tabular import write_xlsx

    import_file(network.outlet_b, write_xlsx([("tickets", HEADER, rows)]), "q.xlsx")
    assert stored_tickets(network.outlet_a) == stored_tickets(network.outlet_b)


@on_postgres
def test_the_same_ticket_in_two_pieces_is_reported_and_nothing_is_written(
    network, small_pieces, read_pieces
):
    rows = varied_rows(DAYS, 150, "")
    rows.append(list(rows[3]))  # the last piece repeats a ticket of the first
    result = refused(network.outlet_a, rows)
    assert len(read_pieces[0]) >= 6
    assert len(result.errors) == 1
    assert result.errors[0].line == 452
    assert "5" in str(result.errors[0])  # the row it repeats
    assert not QueueTicket.objects.exists()


@on_postgres
def test_a_bad_row_in_the_last_piece_writes_nothing(network, small_pieces, read_pieces):
    rows = varied_rows(DAYS, 150, "")
    rows[-1][1] = ""  # no ticket number
    result = refused(network.outlet_a, rows)
    assert len(read_pieces[0]) >= 6
    assert [issue.line for issue in result.errors] == [451]
    assert not QueueTicket.objects.exists()


@on_postgres
def test_a_stored_day_met_in_a_later_piece_is_compared(network, small_pieces, row_path):
    rows = varied_rows(DAYS, 150, "")
    import_file(network.outlet_a, csv_of(rows[300:]), "april.csv")
    assert row_path == []
    result = import_file(network.outlet_a, csv_of(rows), "all.csv")
    assert row_path == [True]
    counts = result.counts["tickets"]
    assert (counts.created, counts.updated, counts.unchanged) == (300, 0, 150)
    assert QueueTicket.objects.filter(outlet=network.outlet_a).count() == 450
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))


@on_postgres
def test_a_ragged_row_in_a_later_piece_is_read_on_one_thread(
    network, small_pieces, read_pieces, row_path
):
    rows = varied_rows(DAYS, 150, "")
    rows[400] = [*rows[400], ""]  # one cell too many, empty: the row is kept
    data = csv_of(rows)
    result = import_file(network.outlet_a, data, "q.csv")
    assert row_path == []
    assert result.counts["tickets"].created == 450
    first, _last = read_pieces[0][-2]
    assert data.count(b"\n", 0, first) < 400  # the row lies in a later piece
    assert QueueTicket.objects.filter(
        outlet=network.outlet_a, service_on=DAYS[2], ticket_number=rows[400][1]
    ).exists()


def test_pieces_are_cut_after_line_breaks_and_cover_the_rows():
    body = b"".join(b"2026-03-02,A%05d,P03\n" % i for i in range(1000))
    data = b"service_on,ticket_number,business_type\n" + body
    text = services._text(data, "q.csv")
    pieces = text.pieces(1_000, 3_000)
    assert pieces[0][0] == text.start
    assert pieces[-1][1] == len(data)
    assert all(end == start for (_s, end), (start, _e) in zip(pieces, pieces[1:], strict=False))
    assert all(data[end - 1 : end] == b"\n" for _start, end in pieces[:-1])
    sizes = [end - start for start, end in pieces]
    # Each half as large again as the one before, up to the most; the last up to three times
    # that. A piece ends at the first line break past its size (lines of 21 bytes here).
    wanted = [1_000, 1_500, 2_250] + [3_000] * (len(sizes) - 4)
    assert all(0 <= size - want < 21 for size, want in zip(sizes, wanted, strict=False))
    assert 3_000 < sizes[-1] < 3_000 * 3
    # A cell may hold a line break where a quote is: the file is one piece.
    with_quote = data + b'2026-03-02,"A\n9",P03\n'
    quoted = services._text(with_quote, "q.csv")
    assert quoted.pieces(1_000, 3_000) == [(quoted.start, len(with_quote))]
    # A small file is one piece.
    assert text.pieces(1 << 22, 1 << 24) == [(text.start, len(data))]
