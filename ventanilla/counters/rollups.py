"""Rollups of queue tickets, rebuilt for the (outlet, day) pairs an import touched.

A rollup sums the tickets of one outlet, day, half hour (by issue time, in local time),
business type, teller and VIP flag; pages read rollups, never the raw tickets. The monthly
tables (``MonthlyQueueFigures``, ``MonthlyTellerFigures``) sum a month's rollups per outlet,
teller and unit above the outlets, and are rebuilt with the rollups of the month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ventanilla.counters import histogram, monthly
from ventanilla.counters.bulk import insert_rows
from ventanilla.counters.models import (
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    Outcome,
    QueueRollup,
    QueueTicket,
)
from ventanilla.org.models import OrgUnit

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
    """Replace the rollups of each (outlet id, day) with sums of its tickets, and the
    monthly tables of those months; idempotent.

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
    monthly_rebuild(
        months={(outlet_id, day) for outlet_id, dates in by_outlet.items() for day in dates}
    )
    return written


_CHUNK = 500


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def monthly_rebuild(*, months: Iterable[tuple[int, date]]) -> int:
    """Replace the monthly tables of each (outlet id, month) with sums of its daily rollups,
    then re-sum the subtree rows of every unit above those outlets for those months, from
    their children's rows; idempotent.

    Call inside the transaction that wrote the rollups. Returns the monthly rows written.
    """
    by_month: dict[date, set[int]] = {}
    for outlet_id, day in months:
        by_month.setdefault(monthly.month_of(day), set()).add(outlet_id)
    written = 0
    for month, outlet_ids in sorted(by_month.items()):
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        figures: list[tuple[Any, ...]] = []
        tellers: list[tuple[Any, ...]] = []
        for outlet_id in sorted(outlet_ids):
            summed = monthly.outlet_month(_raw_rollups(outlet_id, month, last))
            figures += [
                (outlet_id, month, False, type_id, is_vip, *sums.values())
                for (type_id, is_vip), sums in summed.figures.items()
            ]
            tellers += [
                (outlet_id, teller_id, month, sums.tickets, sums.served, sums.handle_count,
                 sums.handle_seconds, sums.types_blob())
                for teller_id, sums in summed.tellers.items()
            ]  # fmt: skip
        for chunk in _chunks(outlet_ids):
            MonthlyQueueFigures.objects.filter(
                month=month, is_subtree=False, unit_id__in=chunk
            ).delete()
            MonthlyTellerFigures.objects.filter(month=month, outlet_id__in=chunk).delete()
        insert_rows(MonthlyQueueFigures, _FIGURES_FIELDS, figures)
        insert_rows(MonthlyTellerFigures, _TELLER_FIELDS, tellers)
        written += len(figures) + len(tellers) + _tree_rebuild(month, outlet_ids)
    return written


def _raw_rollups(outlet_id: int, first: date, last: date) -> list[tuple[Any, ...]]:
    """The outlet's rollups of ``first`` to ``last`` in ``monthly.ROLLUP_FIELDS`` order, as
    the database gives them: histograms as JSON text, read in bulk by ``monthly``."""
    query = (
        QueueRollup.objects.filter(outlet_id=outlet_id, service_on__range=(first, last))
        .order_by()
        .values_list(*monthly.ROLLUP_FIELDS)
        .query
    )
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_FIGURES_FIELDS = ("unit_id", "month", "is_subtree", "business_type_id", "is_vip",
                   *monthly.VALUE_FIELDS)  # fmt: skip
_TELLER_FIELDS = ("outlet_id", "teller_id", "month", "tickets", "served", "handle_count",
                  "handle_seconds", "by_type")  # fmt: skip
_STORED = ("unit_id", "is_subtree", "business_type_id", "is_vip", *monthly.VALUE_FIELDS)


def _tree_rebuild(month: date, outlet_ids: set[int]) -> int:
    """Re-sum the month's subtree rows of every unit above ``outlet_ids``, deepest first,
    each from its own rows and its children's (subtree rows where a child has them)."""
    steplen = OrgUnit.steplen
    above: set[str] = set()
    for chunk in _chunks(outlet_ids):
        for path in OrgUnit.objects.filter(pk__in=chunk).values_list("path", flat=True):
            above.update(path[:end] for end in range(steplen, len(path), steplen))
    units = [
        unit
        for chunk in _chunks(above)
        for unit in OrgUnit.objects.filter(path__in=chunk).values_list("pk", "path", "depth")
    ]
    written = 0
    for unit_id, path, depth in sorted(units, key=lambda u: -u[2]):
        rows = (
            MonthlyQueueFigures.objects.filter(month=month)
            .filter(
                Q(unit_id=unit_id, is_subtree=False)
                | Q(unit__path__startswith=path, unit__depth=depth + 1)
            )
            .order_by()
            .values(*_STORED)
        )
        by_unit: dict[int, dict[bool, list[dict[str, Any]]]] = {}
        for row in rows:
            by_unit.setdefault(row["unit_id"], {}).setdefault(row["is_subtree"], []).append(row)
        # A child's subtree rows where it has them (a unit above outlets), else its own.
        chosen = [
            row
            for kinds in by_unit.values()
            for row in (kinds[True] if True in kinds else kinds[False])
        ]
        total = monthly.tree_sums(
            ((row["business_type_id"], row["is_vip"]), monthly.Figures.stored(row))
            for row in chosen
        )
        MonthlyQueueFigures.objects.filter(unit_id=unit_id, month=month, is_subtree=True).delete()
        insert_rows(
            MonthlyQueueFigures,
            _FIGURES_FIELDS,
            [
                (unit_id, month, True, type_id, is_vip, *sums.values())
                for (type_id, is_vip), sums in total.items()
            ],
        )
        written += len(total)
    return written
