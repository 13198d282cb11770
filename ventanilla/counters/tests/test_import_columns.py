"""The column-wise import of clean text files, and rollups summed in memory: the same tickets
and rollups as the row-by-row path and as a rebuild from the stored tickets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from ventanilla.core.tabular import write_xlsx
from ventanilla.counters import services
from ventanilla.counters.models import Outcome, QueueDayRollup, QueueTicket, TicketMapping
from ventanilla.counters.rollups import (
    ROLLUP_FIELDS,
    ROW_FIELDS,
    cell_rows,
    cell_rows_of,
    cells_of,
    day_rollup_rows,
    rollups_from_rows,
    ticket_columns_of_rows,
)
from ventanilla.counters.services import ticket_import

HEADER = [
    "service_on", "ticket_number", "business_type", "is_vip", "customer_ref", "issued_at",
    "called_at", "started_at", "ended_at", "window", "teller", "outcome",
]  # fmt: skip
TICKET_FIELDS = (
    "service_on", "ticket_number", "business_type_id", "is_vip", "customer_ref", "issued_at",
    "called_at", "started_at", "ended_at", "window", "teller_id", "outcome",
)  # fmt: skip
KEY = ("service_on", "half_hour", "business_type_id", "teller_id", "is_vip")


def stamp(day: date, seconds: int) -> str:
    moment = datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def varied_rows(days: list[date], per_day: int, staff: str, prefix: str = "A") -> list[list[str]]:
    """Tickets of every kind: VIP or not, never called, no start time, every outcome, odd
    window names, with and without a teller; text that COPY's format escapes."""
    windows = ["3", "10", "A 2", "vip", "", "2", "B\\1"]
    outcomes = ["完成", "过号", "弃号", "转移", ""]
    rows = []
    for day in days:
        for i in range(per_day):
            issued = 9 * 3600 + i * 97
            called = issued + (i * 53) % 1500 if i % 7 else None
            started = called + 20 if called is not None and i % 5 else None
            ended = (started or called) + 60 + (i * 31) % 900 if called is not None else None
            rows.append(
                [
                    day.isoformat(),
                    f"{prefix}{i:04d}",
                    "P03" if i % 3 else "P07",
                    "是" if i % 4 == 0 else "",
                    (f"C{i % 11}" if i % 22 != 1 else "C\\1\t号") if i % 2 else "",
                    stamp(day, issued),
                    "" if called is None else stamp(day, called),
                    "" if started is None else stamp(day, started),
                    "" if ended is None else stamp(day, ended),
                    windows[i % len(windows)] if called is not None else "",
                    staff if i % 3 == 1 else "",
                    outcomes[i % len(outcomes)] if called is not None else "弃号",
                ]
            )
    return rows


def csv_of(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def import_file(outlet, data: bytes, filename: str, mapping: str = "ventanilla", **kwargs):
    result = ticket_import(
        actor=None,
        outlet=outlet,
        data=data,
        filename=filename,
        mapping=TicketMapping.objects.get(name=mapping),
        **kwargs,
    )
    assert result.errors == []
    return result


def stored_tickets(outlet) -> list[tuple]:
    return list(
        QueueTicket.objects.filter(outlet=outlet)
        .order_by("service_on", "ticket_number")
        .values_list(*TICKET_FIELDS)
    )


def stored_rollups(outlet) -> dict[tuple, dict]:
    out = {}
    for cell in cell_rows(QueueDayRollup.objects.filter(outlet=outlet)):
        values = {name: getattr(cell, name) for name in ROLLUP_FIELDS}
        key = tuple(values[k] for k in KEY)
        assert key not in out
        out[key] = {k: v for k, v in values.items() if k != "outlet_id"}
    return out


def rebuilt_rollups(outlet) -> dict[tuple, dict]:
    """The rollups a rebuild from every stored ticket of the outlet gives."""
    rows = QueueTicket.objects.filter(outlet=outlet).values_list(*ROW_FIELDS)
    out = {}
    for rollup in rollups_from_rows(list(rows)):
        values = {name: getattr(rollup, name) for name in ROLLUP_FIELDS if name != "outlet_id"}
        out[tuple(values[k] for k in KEY)] = values
    return out


def assert_same_rollups(mine: dict, expected: dict) -> None:
    assert mine.keys() == expected.keys()
    for key, values in expected.items():
        for name, value in values.items():
            if isinstance(value, float):
                assert mine[key][name] == pytest.approx(value), (key, name)
            else:
                assert mine[key][name] == value, (key, name)


@pytest.fixture
def no_row_path(monkeypatch):
    """Fails any import that falls back to the row-by-row checks."""

    def refuse(*args, **kwargs):
        raise AssertionError("the row-by-row path was taken")

    monkeypatch.setattr(services, "_plan", refuse)


@pytest.mark.django_db
def test_csv_by_columns_and_xlsx_by_rows_store_the_same_tickets_and_rollups(network, monkeypatch):
    staff = network.teller_a.employee.staff_number
    rows = varied_rows([date(2026, 3, 2), date(2026, 3, 3)], 120, staff)
    with monkeypatch.context() as patched:
        patched.setattr(services, "_plan", lambda *a, **k: pytest.fail("row path taken"))
        by_columns = import_file(network.outlet_a, csv_of(rows), "q.csv")
    by_rows = import_file(network.outlet_b, write_xlsx([("tickets", HEADER, rows)]), "q.xlsx")
    assert by_columns.counts["tickets"].created == by_rows.counts["tickets"].created == 240
    assert stored_tickets(network.outlet_a) == stored_tickets(network.outlet_b)
    mine = stored_rollups(network.outlet_a)
    assert_same_rollups(mine, stored_rollups(network.outlet_b))
    assert_same_rollups(mine, rebuilt_rollups(network.outlet_a))
    assert sum(r["transferred"] for r in mine.values()) > 0
    assert any(r["windows"] == ["A 2"] for r in mine.values())
    escaped = QueueTicket.objects.filter(outlet=network.outlet_a, customer_ref="C\\1\t号")
    assert escaped.count() == 12
    assert QueueTicket.objects.filter(outlet=network.outlet_a, window="B\\1").exists()


@pytest.mark.django_db
def test_rollups_after_overlapping_imports_equal_a_rebuild(network):
    staff = network.teller_a.employee.staff_number
    first = varied_rows([date(2026, 3, 2), date(2026, 3, 3)], 80, staff)
    import_file(network.outlet_a, csv_of(first), "first.csv")
    # The second file adds tickets to a stored day, changes one stored ticket and brings a
    # new day.
    second = varied_rows([date(2026, 3, 3), date(2026, 3, 4)], 60, staff, prefix="B")
    changed = list(first[5])
    changed[10] = staff
    second.append(changed)
    result = import_file(network.outlet_a, csv_of(second), "second.csv")
    assert (result.counts["tickets"].created, result.counts["tickets"].updated) == (120, 1)
    assert QueueTicket.objects.filter(outlet=network.outlet_a).count() == 280
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))
    # Imported again, the second file writes nothing and leaves the rollups as they were.
    before = stored_rollups(network.outlet_a)
    again = import_file(network.outlet_a, csv_of(second), "second.csv")
    assert again.counts["tickets"].unchanged == 121
    assert_same_rollups(stored_rollups(network.outlet_a), before)


@pytest.mark.django_db
def test_rollups_of_a_new_day_replace_stale_ones(network):
    staff = network.teller_a.employee.staff_number
    rows = varied_rows([date(2026, 3, 2)], 30, staff)
    import_file(network.outlet_a, csv_of(rows), "q.csv")
    QueueTicket.objects.filter(outlet=network.outlet_a).delete()
    import_file(network.outlet_a, csv_of(rows[:10]), "q.csv")
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["q.csv", "q.xlsx"])
def test_times_around_a_change_of_daylight_saving_time(network, settings, filename):
    """Madrid's clocks go forward at 02:00 on 29 March 2026 and back at 03:00 on 25 October:
    a wait across the change is its real length, a repeated hour is read as its first pass
    (as ``make_aware`` does), and the rollups are those of a rebuild."""
    settings.TIME_ZONE = "Europe/Madrid"
    spring, autumn, plain = date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 27)
    rows = [
        [spring.isoformat(), "A001", "P03", "", "", f"{spring} 01:50:00", f"{spring} 03:05:00",
         f"{spring} 03:06:00", f"{spring} 03:10:00", "3", "", "完成"],
        [autumn.isoformat(), "A001", "P03", "", "", f"{autumn} 02:30:00", f"{autumn} 02:45:00",
         "", f"{autumn} 03:15:00", "3", "", "完成"],
        [plain.isoformat(), "A001", "P03", "", "", f"{plain} 09:00:00", f"{plain} 09:05:00",
         "", f"{plain} 09:08:00", "3", "", "完成"],
    ]  # fmt: skip
    data = csv_of(rows) if filename.endswith(".csv") else write_xlsx([("t", HEADER, rows)])
    import_file(network.outlet_a, data, filename)
    tickets = {t.service_on: t for t in QueueTicket.objects.all()}
    zone = timezone.get_default_timezone()
    first = tickets[spring]
    assert first.issued_at == datetime(2026, 3, 29, 0, 50, tzinfo=UTC)
    assert first.called_at == datetime(2026, 3, 29, 1, 5, tzinfo=UTC)
    assert first.waiting_seconds == 15 * 60
    second = tickets[autumn]
    assert second.issued_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.ended_at == datetime(2026, 10, 25, 2, 15, tzinfo=UTC)
    assert second.transaction_seconds == 90 * 60
    assert tickets[plain].issued_at == datetime(2026, 3, 27, 9, 0, tzinfo=zone)
    rollups = stored_rollups(network.outlet_a)
    assert_same_rollups(rollups, rebuilt_rollups(network.outlet_a))
    spring_rollup = next(r for k, r in rollups.items() if k[0] == spring)
    assert (spring_rollup["half_hour"], spring_rollup["wait_seconds"]) == (3, 900)


@pytest.mark.django_db
def test_times_of_day_roll_over_midnight_on_the_column_path(network, no_row_path):
    TicketMapping.objects.create(
        name="timeonly",
        ticket_number_column="no",
        business_type_column="type",
        issued_at_column="in",
        called_at_column="call",
        ended_at_column="out",
        times_have_dates=False,
        times_roll_over_midnight=True,
    )
    data = b"no,type,in,call,out\n1,P03,23:50:00,23:59:00,00:10:00\n2,P03,09:00:00,,09:30:00\n"
    import_file(network.outlet_a, data, "q.csv", mapping="timeonly", file_date=date(2026, 3, 2))
    first = QueueTicket.objects.get(ticket_number="1")
    assert first.ended_at == datetime(2026, 3, 2, 16, 10, tzinfo=UTC)
    assert first.transaction_seconds == 11 * 60
    second = QueueTicket.objects.get(ticket_number="2")
    assert second.called_at is None
    assert second.ended_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert_same_rollups(stored_rollups(network.outlet_a), rebuilt_rollups(network.outlet_a))


@pytest.mark.django_db
def test_a_bad_row_sends_a_clean_looking_file_to_the_row_checks(network):
    staff = network.teller_a.employee.staff_number
    rows = varied_rows([date(2026, 3, 2)], 200, staff)
    rows[150][6] = stamp(date(2026, 3, 2), 3600)  # called before it was issued
    result = ticket_import(
        actor=None,
        outlet=network.outlet_a,
        data=csv_of(rows),
        filename="q.csv",
        mapping=TicketMapping.objects.get(name="ventanilla"),
    )
    assert [str(e) for e in result.errors] == [
        "line 152: The ticket is called before it is issued."
    ]
    assert not QueueTicket.objects.exists()
    assert not QueueDayRollup.objects.exists()


def test_rollups_of_columns_equal_those_of_rows():
    zone = timezone.get_default_timezone()
    base = datetime(2026, 3, 2, 9, 0, tzinfo=zone)
    outcomes = [Outcome.SERVED, Outcome.NO_SHOW, Outcome.TRANSFERRED, Outcome.ABANDONED]
    windows = ["", "1", "10", "2", "a b", "a", "VIP窗口"]
    rows = []
    for i in range(600):
        issued = base + timedelta(seconds=i * 41, microseconds=(i * 7919) % 1_000_000)
        called = issued + timedelta(seconds=(i * 13) % 3000, microseconds=i) if i % 6 else None
        started = called + timedelta(seconds=15) if called is not None and i % 4 else None
        ended = (started or called) + timedelta(seconds=(i * 17) % 800) if called else None
        rows.append(
            (1 + i % 2, date(2026, 3, 2 + i % 3), issued, called, started, ended, 7 + i % 3,
             None if i % 5 == 0 else 40 + i % 4, i % 9 == 0, outcomes[i % 4],
             windows[i % len(windows)])
        )  # fmt: skip
    fast = {}
    packed = day_rollup_rows(ticket_columns_of_rows(rows, zone=zone))
    assert len(packed) == 6  # one row per outlet and day
    for cell in cell_rows_of(cells_of(row[:2] + row[3:] for row in packed)):
        named = {name: getattr(cell, name) for name in ROLLUP_FIELDS}
        fast[tuple(str(named[k]) for k in ("outlet_id", *KEY))] = named
    slow = {}
    for rollup in rollups_from_rows(rows, zone=zone):
        named = {name: getattr(rollup, name) for name in ROLLUP_FIELDS}
        slow[tuple(str(named[k]) for k in ("outlet_id", *KEY))] = named
    assert fast.keys() == slow.keys()
    for key, values in slow.items():
        for name, value in values.items():
            if isinstance(value, float):
                assert fast[key][name] == pytest.approx(value, abs=1e-6), (key, name)
            else:
                assert fast[key][name] == value, (key, name)


@pytest.mark.django_db
def test_both_import_paths_keep_the_monthly_tables_equal_to_a_rebuild(network, monkeypatch):
    from ventanilla.counters.models import MonthlyQueueFigures, MonthlyTellerFigures
    from ventanilla.counters.rollups import monthly_rebuild
    from ventanilla.counters.tests.test_monthly import _tables

    staff = network.teller_a.employee.staff_number
    march = varied_rows([date(2026, 3, 2), date(2026, 3, 3)], 80, staff)
    with monkeypatch.context() as patched:
        patched.setattr(services, "_plan", lambda *a, **k: pytest.fail("row path taken"))
        import_file(network.outlet_a, csv_of(march), "march.csv")
    # A day already stored, by the row-by-row path, and a new month.
    more = varied_rows([date(2026, 3, 3), date(2026, 4, 1)], 30, staff, prefix="B")
    import_file(network.outlet_a, csv_of(more), "more.csv")
    # A new day of a month with days stored: column-wise, summed with the stored days.
    later = varied_rows([date(2026, 3, 4)], 40, staff, prefix="C")
    with monkeypatch.context() as patched:
        patched.setattr(services, "_plan", lambda *a, **k: pytest.fail("row path taken"))
        import_file(network.outlet_a, csv_of(later), "later.csv")
    written = _tables()
    assert {row[1] for row in written[0]} == {date(2026, 3, 1), date(2026, 4, 1)}
    assert sum(r[5] for r in written[0] if r[2] is False and r[3] is None) == 260
    MonthlyQueueFigures.objects.all().delete()
    MonthlyTellerFigures.objects.all().delete()
    monthly_rebuild(
        months={(network.outlet_a.pk, date(2026, 3, 1)), (network.outlet_a.pk, date(2026, 4, 1))}
    )
    assert _tables() == written
