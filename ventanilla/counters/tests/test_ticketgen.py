"""Tickets generated at scale: rollups equal to the import path's, bounded memory, writing."""

from __future__ import annotations

import tracemalloc
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ventanilla.counters import rollups, ticketgen
from ventanilla.counters.models import BusinessType, QueueDayRollup, QueueTicket, Segment
from ventanilla.counters.rollups import ROW_FIELDS, rollups_from_rows
from ventanilla.org.models import Employee

ZONE = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
TYPES = ticketgen.TypeTable.build(
    [(1, 120, False), (2, 300, False), (3, 600, False), (4, 900, True)], [5, 3, 1, 1]
)


def _plans(count: int, *, monthly: float = 6000, tellers: int = 8) -> list[ticketgen.OutletPlan]:
    rng = np.random.default_rng(7)
    return [
        ticketgen.plan_outlet(
            rng,
            100 + n,
            [1000 * n + t for t in range(tellers)],
            types=TYPES,
            monthly_tickets=monthly,
        )
        for n in range(count)
    ]


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _rollup_key(values: dict) -> tuple:
    return tuple(str(values[k]) for k in ("outlet_id", "service_on", "half_hour",
                                          "business_type_id", "teller_id", "is_vip"))  # fmt: skip


def _as_dicts(rows: list[tuple]) -> dict[tuple, dict]:
    out = {}
    for cell in rollups.cell_rows_of(rollups.cells_of(row[:2] + row[3:] for row in rows)):
        values = {name: getattr(cell, name) for name in rollups.ROLLUP_FIELDS}
        out[_rollup_key(values)] = values
    return out


def test_rollups_of_a_chunk_equal_those_of_the_import_path():
    days = ticketgen.all_days(date(2026, 3, 31), 14)
    chunks = list(ticketgen.ticket_chunks(_plans(3), days, TYPES, zone=ZONE, chunk_rows=10**9))
    assert len(chunks) == 1
    chunk = chunks[0]
    fast = _as_dicts(ticketgen.rollup_rows(chunk, TYPES))
    tickets = [dict(zip(ticketgen.TICKET_FIELDS, row, strict=True)) for row in
               ticketgen.ticket_rows(chunk, TYPES)]  # fmt: skip
    assert len(tickets) == len(chunk) > 2000
    rows = [
        tuple(
            _moment(t[name]) if name.endswith("_at") else
            date.fromisoformat(t[name]) if name == "service_on" else t[name]
            for name in ROW_FIELDS
        )
        for t in tickets
    ]  # fmt: skip
    slow = {}
    for r in rollups_from_rows(rows, zone=ZONE):
        values = {name: getattr(r, name) for name in rollups.ROLLUP_FIELDS}
        slow[_rollup_key(values)] = values
    assert fast.keys() == slow.keys()
    for key, values in slow.items():
        mine = fast[key]
        for name in rollups.ROLLUP_FIELDS:
            if isinstance(values[name], float):
                assert mine[name] == pytest.approx(values[name]), (key, name)
            else:
                assert str(mine[name]) == str(values[name]), (key, name)


def test_tickets_are_plausible_and_ordered():
    days = ticketgen.all_days(date(2026, 3, 31), 28)
    chunk = next(ticketgen.ticket_chunks(_plans(2), days, TYPES, zone=ZONE, chunk_rows=10**9))
    tickets = [dict(zip(ticketgen.TICKET_FIELDS, row, strict=True)) for row in
               ticketgen.ticket_rows(chunk, TYPES)]  # fmt: skip
    # About 6,000 a month per outlet, a tenth VIP, weekdays busier than Sundays.
    assert 2 * 6000 * 28 / 30 * 0.9 < len(tickets) < 2 * 6000 * 28 / 30 * 1.1
    vip = sum(t["is_vip"] for t in tickets) / len(tickets)
    assert 0.08 < vip < 0.12
    per_day: dict[str, int] = {}
    for t in tickets:
        per_day[t["service_on"]] = per_day.get(t["service_on"], 0) + 1
    mondays = [n for d, n in per_day.items() if date.fromisoformat(d).weekday() == 0]
    sundays = [n for d, n in per_day.items() if date.fromisoformat(d).weekday() == 6]
    assert min(mondays) > max(sundays)
    numbers = {(t["outlet_id"], t["service_on"], t["ticket_number"]) for t in tickets}
    assert len(numbers) == len(tickets)
    for t in tickets:
        issued = _moment(t["issued_at"])
        assert issued is not None
        assert 9 <= issued.astimezone(ZONE).hour < 17
        if t["outcome"] == "abandoned":
            assert t["called_at"] is None and t["teller_id"] is None and t["window"] == ""
            continue
        called = _moment(t["called_at"])
        assert called is not None and called >= issued
        assert (t["window"] == "1") == t["is_vip"]  # the VIP window serves VIPs only
        if t["outcome"] == "served":
            started, ended = _moment(t["started_at"]), _moment(t["ended_at"])
            assert started is not None and ended is not None and called <= started <= ended
    outcomes = {t["outcome"] for t in tickets}
    assert outcomes == {"served", "no_show", "abandoned"}


def test_same_plans_give_the_same_tickets():
    days = ticketgen.all_days(date(2026, 3, 31), 5)

    def digest() -> list[tuple]:
        return [
            row
            for chunk in ticketgen.ticket_chunks(_plans(2), days, TYPES, zone=ZONE, chunk_rows=500)
            for row in ticketgen.ticket_rows(chunk, TYPES)
        ]

    assert digest() == digest()


def _peak(outlets: int, days: int) -> tuple[int, int]:
    """Peak traced memory while streaming, and the tickets streamed."""
    plans = _plans(outlets)
    span = ticketgen.all_days(date(2026, 3, 31), days)
    tracemalloc.start()
    rows = 0
    try:
        for chunk in ticketgen.ticket_chunks(plans, span, TYPES, zone=ZONE, chunk_rows=4000):
            for _row in ticketgen.ticket_rows(chunk, TYPES):
                rows += 1
            ticketgen.rollup_rows(chunk, TYPES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, rows


def test_streaming_memory_does_not_grow_with_the_months_or_outlets():
    small_peak, small_rows = _peak(2, 30)
    large_peak, large_rows = _peak(6, 120)
    assert large_rows > 10 * small_rows
    # Twelve times the tickets, the same peak (a chunk and its rows) within noise.
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)


def test_a_plan_sizes_its_windows_from_its_load():
    rng = np.random.default_rng(1)
    tellers = list(range(10))
    quiet = ticketgen.plan_outlet(rng, 1, tellers, types=TYPES, monthly_tickets=1500)
    busy = ticketgen.plan_outlet(rng, 2, tellers, types=TYPES, monthly_tickets=9000)
    assert 1 <= quiet.weekday_windows < busy.weekday_windows <= 9
    assert busy.weekend_windows < busy.weekday_windows
    with pytest.raises(ValueError, match="business type"):
        ticketgen.TypeTable.build([], [])


@pytest.mark.django_db
def test_written_chunks_read_back_as_the_same_rollups(network):
    types = list(BusinessType.objects.filter(is_active=True).order_by("code"))
    table = ticketgen.TypeTable.build(
        [(t.pk, t.standard_seconds, t.segment == Segment.VIP) for t in types], [1] * len(types)
    )
    tellers = list(Employee.objects.order_by("pk").values_list("pk", flat=True)[:4])
    rng = np.random.default_rng(3)
    plans = [
        ticketgen.plan_outlet(rng, network.outlet_a.pk, tellers, types=table, monthly_tickets=3000),
        ticketgen.plan_outlet(rng, network.outlet_b.pk, tellers, types=table, monthly_tickets=3000),
    ]
    days = ticketgen.all_days(date(2026, 3, 31), 6)
    written = ticketgen.write_chunks(
        ticketgen.ticket_chunks(plans, days, table, zone=ZONE, chunk_rows=300), table
    )
    assert written.tickets == QueueTicket.objects.count() > 300
    assert written.rollups == QueueDayRollup.objects.count() == 12  # outlets × days
    stored = list(QueueTicket.objects.order_by().values_list(*ROW_FIELDS))
    assert min(t[2] for t in stored).astimezone(ZONE).hour >= 9
    assert {t[1] for t in stored} == set(days)
    expected = rollups_from_rows(stored, zone=ZONE)
    assert len(expected) == len(rollups.cell_rows())
    fields = ("outlet_id", "service_on", "half_hour", "business_type_id", "teller_id", "is_vip")
    got = {tuple(getattr(r, f) for f in fields): r for r in rollups.cell_rows()}
    for r in expected:
        mine = got[tuple(getattr(r, f) for f in fields)]
        assert mine.tickets == r.tickets and mine.served == r.served
        assert mine.wait_histogram == r.wait_histogram
        assert mine.handle_histogram == r.handle_histogram
        assert mine.windows == r.windows
        assert mine.handle_seconds == pytest.approx(r.handle_seconds)
