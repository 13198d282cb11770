"""Rollups of queue tickets, rebuilt for the (outlet, day) pairs an import touched.

A rollup sums the tickets of one outlet, day, half hour (by issue time, in local time),
business type, teller and VIP flag; pages read rollups, never the raw tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.utils import timezone

from ventanilla.core.bulk import insert_rows
from ventanilla.counters import histogram
from ventanilla.counters.models import Outcome, QueueRollup, QueueTicket

# The ticket fields the rollups need, in the order ``rollups_from_rows`` reads them.
ROW_FIELDS = (
    "outlet_id",
    "service_on",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "business_type_id",
    "teller_id",
    "is_vip",
    "outcome",
    "window",
)
Row = tuple[
    int, date, datetime, datetime | None, datetime | None, datetime | None, int, int | None,
    bool, str, str,
]  # fmt: skip


@dataclass
class _Sums:
    tickets: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    wait_count: int = 0
    wait_seconds: float = 0.0
    wait_histogram: dict[int, int] = field(default_factory=dict)
    handle_count: int = 0
    handle_seconds: float = 0.0
    handle_squares: float = 0.0
    handle_histogram: dict[int, int] = field(default_factory=dict)
    windows: set[str] = field(default_factory=set)


def half_hour_of(moment: datetime, zone: tzinfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 2 + local.minute // 30


def rollups_from_rows(rows: Iterable[Row], *, zone: tzinfo | None = None) -> list[QueueRollup]:
    """Unsaved rollups summing ``rows`` (tuples in ``ROW_FIELDS`` order), in one pass."""
    zone = zone or timezone.get_default_timezone()
    groups: dict[tuple, _Sums] = {}
    for (
        outlet_id,
        service_on,
        issued_at,
        called_at,
        started_at,
        ended_at,
        type_id,
        teller_id,
        is_vip,
        outcome,
        window,
    ) in rows:
        key = (outlet_id, service_on, half_hour_of(issued_at, zone), type_id, teller_id, is_vip)
        sums = groups.get(key)
        if sums is None:
            sums = groups[key] = _Sums()
        sums.tickets += 1
        sums.outcomes[outcome] = sums.outcomes.get(outcome, 0) + 1
        if called_at is not None:
            wait = (called_at - issued_at).total_seconds()
            sums.wait_count += 1
            sums.wait_seconds += wait
            index = histogram.bucket_of(wait)
            sums.wait_histogram[index] = sums.wait_histogram.get(index, 0) + 1
            if window:
                sums.windows.add(window)
        begin = started_at or called_at
        if begin is not None and ended_at is not None:
            handle = (ended_at - begin).total_seconds()
            sums.handle_count += 1
            sums.handle_seconds += handle
            sums.handle_squares += handle * handle
            index = histogram.bucket_of(handle)
            sums.handle_histogram[index] = sums.handle_histogram.get(index, 0) + 1
    return [
        QueueRollup(
            outlet_id=outlet_id,
            service_on=service_on,
            half_hour=half_hour,
            business_type_id=type_id,
            teller_id=teller_id,
            is_vip=is_vip,
            tickets=sums.tickets,
            served=sums.outcomes.get(Outcome.SERVED, 0),
            no_show=sums.outcomes.get(Outcome.NO_SHOW, 0),
            abandoned=sums.outcomes.get(Outcome.ABANDONED, 0),
            transferred=sums.outcomes.get(Outcome.TRANSFERRED, 0),
            wait_count=sums.wait_count,
            wait_seconds=sums.wait_seconds,
            wait_histogram=histogram.to_json(sums.wait_histogram),
            handle_count=sums.handle_count,
            handle_seconds=sums.handle_seconds,
            handle_squares=sums.handle_squares,
            handle_histogram=histogram.to_json(sums.handle_histogram),
            windows=sorted(sums.windows),
        )
        for (outlet_id, service_on, half_hour, type_id, teller_id, is_vip), sums in groups.items()
    ]


ROLLUP_FIELDS = (
    "outlet_id",
    "service_on",
    "half_hour",
    "business_type_id",
    "teller_id",
    "is_vip",
    "tickets",
    "served",
    "no_show",
    "abandoned",
    "transferred",
    "wait_count",
    "wait_seconds",
    "wait_histogram",
    "handle_count",
    "handle_seconds",
    "handle_squares",
    "handle_histogram",
    "windows",
)


def rollups_insert(rollups: Iterable[QueueRollup], *, batch_size: int = 5000) -> None:
    """Write unsaved rollups by the bulk path (COPY on PostgreSQL)."""
    insert_rows(
        QueueRollup,
        ROLLUP_FIELDS,
        ([getattr(r, name) for name in ROLLUP_FIELDS] for r in rollups),
        batch_size=batch_size,
    )


def rollups_rebuild(*, days: Iterable[tuple[int, date]], batch_size: int = 5000) -> int:
    """Replace the rollups of each (outlet id, day) with sums of its tickets; idempotent.

    Call inside the transaction that wrote the tickets. Returns the rollups written.
    """
    by_outlet: dict[int, set[date]] = {}
    for outlet_id, day in days:
        by_outlet.setdefault(outlet_id, set()).add(day)
    written = 0
    for outlet_id, dates in sorted(by_outlet.items()):
        ordered = sorted(dates)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            QueueRollup.objects.filter(outlet_id=outlet_id, service_on__in=chunk).delete()
            rows = (
                QueueTicket.objects.filter(outlet_id=outlet_id, service_on__in=chunk)
                .order_by()
                .values_list(*ROW_FIELDS)
            )
            rollups = rollups_from_rows(rows.iterator(chunk_size=5000))
            rollups_insert(rollups, batch_size=batch_size)
            written += len(rollups)
    return written
