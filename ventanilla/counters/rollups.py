"""Rollups of queue tickets, rebuilt for the (outlet, day) pairs an import touched.

A rollup sums the tickets of one outlet, day, half hour (by issue time, in local time),
business type, teller and VIP flag; pages read rollups, never the raw tickets. The monthly
tables (``MonthlyQueueFigures``, ``MonthlyTellerFigures``) sum a month's rollups per outlet,
teller and unit above the outlets, and are rebuilt with the rollups of the month.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ventanilla.core.bulk import insert_rows
from ventanilla.counters import histogram, monthly
from ventanilla.counters.models import (
    MonthlyHalfHourFigures,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    MonthlyTellerQueueFigures,
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


# Outcomes as codes in ``TicketColumns.outcome``, in this order.
OUTCOME_CODES = (Outcome.SERVED, Outcome.NO_SHOW, Outcome.ABANDONED, Outcome.TRANSFERRED)


@dataclass
class TicketColumns:
    """Tickets as numpy columns of equal length, as the rollups group and sum them."""

    outlet_id: np.ndarray
    day: np.ndarray  # proleptic ordinal of the service date
    half_hour: np.ndarray  # of the issue time, in local time (0-47)
    type_id: np.ndarray  # business type pk
    teller_id: np.ndarray  # employee pk, -1: none
    is_vip: np.ndarray
    outcome: np.ndarray  # index into ``OUTCOME_CODES``, -1 for any other value
    wait: np.ndarray  # seconds from issue to call, NaN when never called
    handle: np.ndarray  # seconds from service start (or call) to end, NaN without both
    window: np.ndarray  # index into ``window_labels``; 0 is no window
    window_labels: Sequence[str]  # the window of each code, "" first


def _histograms(groups: np.ndarray, seconds: np.ndarray, count: int) -> list[str]:
    """Per group, the JSON of its sparse histogram of ``seconds`` (as ``histogram.to_json``)."""
    buckets = np.where(
        seconds <= 0, 0, np.minimum(seconds // histogram.BUCKET_SECONDS, histogram.BUCKETS - 1)
    ).astype(np.int64)
    pairs, counts = np.unique(groups * histogram.BUCKETS + buckets, return_counts=True)
    owner = (pairs // histogram.BUCKETS).tolist()
    index = (pairs % histogram.BUCKETS).tolist()
    # Written out directly (as json.dumps would, keys in bucket order): json.dumps on these
    # small dicts costs a third of the building of the rows.
    made: list[list[str]] = [[] for _ in range(count)]
    for g, b, c in zip(owner, index, counts.tolist(), strict=True):
        made[g].append(f'"{b}": {c}')
    return ["{" + ", ".join(parts) + "}" for parts in made]


def day_texts(days: np.ndarray) -> list[str]:
    """ISO dates of proleptic ordinals, each distinct date formatted once."""
    cache: dict[int, str] = {}
    out = []
    for ordinal in days.tolist():
        text = cache.get(ordinal)
        if text is None:
            text = cache[ordinal] = date.fromordinal(ordinal).isoformat()
        out.append(text)
    return out


def rollup_rows_of_columns(tickets: TicketColumns) -> list[tuple]:
    """The rollups of ``tickets`` in ``ROLLUP_FIELDS`` order, values ready for the database
    (dates and JSON as text): what ``rollups_from_rows`` gives, summed with numpy."""
    if tickets.outlet_id.size == 0:
        return []
    keys = np.stack(
        [
            tickets.outlet_id.astype(np.int64),
            tickets.day.astype(np.int64),
            tickets.half_hour.astype(np.int64),
            tickets.type_id.astype(np.int64),
            tickets.teller_id.astype(np.int64),
            tickets.is_vip.astype(np.int64),
        ],
        axis=1,
    )
    unique, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.reshape(-1)
    n = unique.shape[0]

    def count(mask: np.ndarray) -> list[int]:
        return np.bincount(group[mask], minlength=n).tolist()

    def total(mask: np.ndarray, values: np.ndarray) -> list[float]:
        return np.bincount(group[mask], weights=values[mask], minlength=n).tolist()

    wait = tickets.wait.astype(np.float64)
    handle = tickets.handle.astype(np.float64)
    waited = ~np.isnan(wait)
    handled = ~np.isnan(handle)
    wait_hist = _histograms(group[waited], wait[waited], n)
    handle_hist = _histograms(group[handled], handle[handled], n)
    # Distinct windows of the called tickets per group, in the order of their text.
    labels = list(tickets.window_labels)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    texts = [json.dumps(labels[i], ensure_ascii=False) for i in order]
    has_window = waited & (tickets.window > 0)
    width = len(labels)
    pairs = np.unique(group[has_window] * width + rank[tickets.window[has_window]])
    windows: list[list[str]] = [[] for _ in range(n)]
    for g, w in zip((pairs // width).tolist(), (pairs % width).tolist(), strict=True):
        windows[g].append(texts[w])
    tickets_count = np.bincount(group, minlength=n).tolist()
    outcomes = [count(tickets.outcome == code) for code in range(len(OUTCOME_CODES))]
    wait_count = count(waited)
    wait_seconds = total(waited, wait)
    handle_count = count(handled)
    handle_seconds = total(handled, handle)
    handle_squares = total(handled, handle * handle)
    days = day_texts(unique[:, 1])
    served, no_show, abandoned, transferred = outcomes
    return [
        (
            outlet_id,
            days[g],
            half,
            type_id,
            teller if teller >= 0 else None,
            bool(vip),
            tickets_count[g],
            served[g],
            no_show[g],
            abandoned[g],
            transferred[g],
            wait_count[g],
            wait_seconds[g],
            wait_hist[g],
            handle_count[g],
            handle_seconds[g],
            handle_squares[g],
            handle_hist[g],
            "[" + ", ".join(windows[g]) + "]",
        )
        for g, (outlet_id, _day, half, type_id, teller, vip) in enumerate(unique.tolist())
    ]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def ticket_columns_of_rows(rows: Sequence[Row], *, zone: tzinfo | None = None) -> TicketColumns:
    """``rows`` (tuples in ``ROW_FIELDS`` order, aware datetimes) as ``TicketColumns``.

    Durations are taken between the instants (as between the UTC values read back from the
    database), not between the wall-clock times.
    """
    zone = zone or timezone.get_default_timezone()
    n = len(rows)
    ints = {name: np.empty(n, dtype=np.int64) for name in ("outlet", "day", "half", "type")}
    teller = np.empty(n, dtype=np.int64)
    vip = np.empty(n, dtype=bool)
    outcome = np.empty(n, dtype=np.int64)
    window = np.empty(n, dtype=np.int64)
    wait = np.full(n, np.nan)
    handle = np.full(n, np.nan)
    codes = {str(value): i for i, value in enumerate(OUTCOME_CODES)}
    labels: dict[str, int] = {"": 0}
    for i, (outlet_id, day, issued, called, started, ended, type_id, teller_id, is_vip,
            result, label) in enumerate(rows):  # fmt: skip
        ints["outlet"][i] = outlet_id
        ints["day"][i] = day.toordinal()
        ints["half"][i] = half_hour_of(issued, zone)
        ints["type"][i] = type_id
        teller[i] = -1 if teller_id is None else teller_id
        vip[i] = is_vip
        outcome[i] = codes.get(str(result), -1)
        window[i] = labels.setdefault(label, len(labels))
        if called is not None:
            wait[i] = (_micros(called) - _micros(issued)) / 10**6
        begin = started or called
        if begin is not None and ended is not None:
            handle[i] = (_micros(ended) - _micros(begin)) / 10**6
    return TicketColumns(
        outlet_id=ints["outlet"],
        day=ints["day"],
        half_hour=ints["half"],
        type_id=ints["type"],
        teller_id=teller,
        is_vip=vip,
        outcome=outcome,
        wait=wait,
        handle=handle,
        window=window,
        window_labels=list(labels),
    )


def rollups_rows_insert(rows: Iterable[Sequence], *, batch_size: int = 5000) -> None:
    """Write rollup rows from ``rollup_rows_of_columns`` (values ready for the database)."""
    insert_rows(QueueRollup, ROLLUP_FIELDS, rows, batch_size=batch_size, prepared=True)


def rollups_rows_delete(*, outlet_id: int, days: Iterable[date]) -> None:
    """Delete the rollups of ``days`` at one outlet, before they are written again."""
    ordered = sorted(set(days))
    for start in range(0, len(ordered), 500):
        QueueRollup.objects.filter(
            outlet_id=outlet_id, service_on__in=ordered[start : start + 500]
        ).delete()


def rollups_insert(rollups: Iterable[QueueRollup], *, batch_size: int = 5000) -> None:
    """Write unsaved rollups by the bulk path (COPY on PostgreSQL)."""
    insert_rows(
        QueueRollup,
        ROLLUP_FIELDS,
        ([getattr(r, name) for name in ROLLUP_FIELDS] for r in rollups),
        batch_size=batch_size,
    )


def rollups_rebuild(
    *, days: Iterable[tuple[int, date]], batch_size: int = 5000, with_monthly: bool = True
) -> int:
    """Replace the rollups of each (outlet id, day) with sums of its tickets, and (unless the
    caller rebuilds them itself, once for all it wrote) the monthly tables of those months;
    idempotent.

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
    if with_monthly:
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
        halves: list[tuple[Any, ...]] = []
        by_teller: list[tuple[Any, ...]] = []
        for outlet_id in sorted(outlet_ids):
            rollups = _raw_rollups(outlet_id, month, last)
            summed = monthly.outlet_month(rollups)
            halves += [
                (outlet_id, month, half_hour, is_vip, *sums.values())
                for (half_hour, is_vip), sums in monthly.half_hour_figures(rollups).items()
            ]
            by_teller += [
                (outlet_id, month, teller_id, is_vip, *sums.values())
                for (teller_id, is_vip), sums in monthly.teller_figures(rollups).items()
            ]
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
            MonthlyHalfHourFigures.objects.filter(month=month, outlet_id__in=chunk).delete()
            MonthlyTellerQueueFigures.objects.filter(month=month, outlet_id__in=chunk).delete()
        insert_rows(MonthlyQueueFigures, _FIGURES_FIELDS, figures)
        insert_rows(MonthlyTellerFigures, _TELLER_FIELDS, tellers)
        insert_rows(MonthlyHalfHourFigures, _HALF_HOUR_FIELDS, halves)
        insert_rows(MonthlyTellerQueueFigures, _TELLER_QUEUE_FIELDS, by_teller)
        written += len(figures) + len(tellers) + len(halves) + len(by_teller)
        written += _tree_rebuild(month, outlet_ids)
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
_HALF_HOUR_FIELDS = ("outlet_id", "month", "half_hour", "is_vip", *monthly.VALUE_FIELDS)
_TELLER_QUEUE_FIELDS = ("outlet_id", "month", "teller_id", "is_vip", *monthly.VALUE_FIELDS)
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
