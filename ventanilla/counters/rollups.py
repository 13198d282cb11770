"""Rollups of queue tickets: each outlet-day's tickets summed per cell (half hour of issue,
business type, teller, VIP flag), packed in one ``QueueDayRollup`` row and read back as
numpy columns (``Cells``); and the monthly tables summed from them.

Pages read rollups, never the raw tickets. A day of a busy outlet holds about as many cells
as tickets, so the cells are stored column-wise in one row per outlet and day rather than
one row each: an import writes a thousand rows for a million tickets instead of a million.
The monthly tables (``MonthlyQueueFigures``, ``MonthlyTellerFigures``...) sum a month's
cells per outlet, teller and unit above the outlets, and are rebuilt with the month.
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

from ventanilla.core.bulk import copy_rows_binary, insert_rows
from ventanilla.counters import histogram, monthly
from ventanilla.counters.models import (
    MonthlyHalfHourFigures,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    MonthlyTellerQueueFigures,
    Outcome,
    QueueDayRollup,
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
class CellRow:
    """One cell's sums as plain values: what ``rollups_from_rows`` computes ticket by ticket
    (the reference the packed cells are tested against) and ``cell_rows`` reads back."""

    outlet_id: int
    service_on: date
    half_hour: int
    business_type_id: int
    teller_id: int | None
    is_vip: bool
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    abandoned: int = 0
    transferred: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    wait_histogram: dict[str, int] = field(default_factory=dict)
    handle_count: int = 0
    handle_seconds: float = 0.0
    handle_squares: float = 0.0
    handle_histogram: dict[str, int] = field(default_factory=dict)
    windows: list[str] = field(default_factory=list)  # distinct windows that called, sorted

    def key(self) -> tuple[Any, ...]:
        return (self.outlet_id, self.service_on, self.half_hour, self.business_type_id,
                self.teller_id, self.is_vip)  # fmt: skip


# The values of a ``CellRow``, in order.
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


def half_hour_of(moment: datetime, zone: tzinfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 2 + local.minute // 30


def rollups_from_rows(rows: Iterable[Row], *, zone: tzinfo | None = None) -> list[CellRow]:
    """The cells of ``rows`` (tuples in ``ROW_FIELDS`` order), summed ticket by ticket: the
    plain reference of what ``day_rollup_rows`` packs with numpy."""
    zone = zone or timezone.get_default_timezone()
    groups: dict[tuple[Any, ...], CellRow] = {}
    waits: dict[tuple[Any, ...], dict[int, int]] = {}
    handles: dict[tuple[Any, ...], dict[int, int]] = {}
    windows: dict[tuple[Any, ...], set[str]] = {}
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
        cell = groups.get(key)
        if cell is None:
            cell = groups[key] = CellRow(*key)
            waits[key], handles[key], windows[key] = {}, {}, set()
        cell.tickets += 1
        if outcome == Outcome.SERVED:
            cell.served += 1
        elif outcome == Outcome.NO_SHOW:
            cell.no_show += 1
        elif outcome == Outcome.ABANDONED:
            cell.abandoned += 1
        elif outcome == Outcome.TRANSFERRED:
            cell.transferred += 1
        if called_at is not None:
            wait = (called_at - issued_at).total_seconds()
            cell.wait_count += 1
            cell.wait_seconds += wait
            index = histogram.bucket_of(wait)
            waits[key][index] = waits[key].get(index, 0) + 1
            if window:
                windows[key].add(window)
        begin = started_at or called_at
        if begin is not None and ended_at is not None:
            handle = (ended_at - begin).total_seconds()
            cell.handle_count += 1
            cell.handle_seconds += handle
            cell.handle_squares += handle * handle
            index = histogram.bucket_of(handle)
            handles[key][index] = handles[key].get(index, 0) + 1
    for key, cell in groups.items():
        cell.wait_histogram = histogram.to_json(waits[key])
        cell.handle_histogram = histogram.to_json(handles[key])
        cell.windows = sorted(windows[key])
    return list(groups.values())


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


def _cell_dtype(count: str) -> np.dtype:
    """A cell as stored: its key and sums (``monthly.COUNT_FIELDS`` as ``count`` integers,
    ``monthly.SECOND_FIELDS``)."""
    return np.dtype(
        [
            ("half_hour", "u1"),
            ("is_vip", "u1"),
            ("type_id", "<i4"),
            ("teller_id", "<i4"),  # -1: no teller
            ("counts", count, (len(monthly.COUNT_FIELDS),)),
            ("seconds", "<f8", (len(monthly.SECOND_FIELDS),)),
        ]
    )


@dataclass(frozen=True)
class Layout:
    """How a day's cells are packed. A non-empty histogram bucket of a cell holds the cell's
    index in the day's cells; a window that called tickets of a cell, an index into the
    row's ``window_labels``."""

    cell: np.dtype
    bucket: np.dtype
    window: np.dtype
    most: int  # the largest window index it holds


# Small fields keep a busy outlet's day small (about 60 bytes a cell): fewer than 65,536
# cells in the day and tickets in any cell, fewer than 256 windows. A day beyond these
# (a call centre's, a synthetic file's) is packed wide, marked by the row's ``wide`` flag.
COMPACT = Layout(
    cell=_cell_dtype("<u2"),
    bucket=np.dtype([("cell", "<u2"), ("bucket", "u1"), ("count", "<u2")]),
    window=np.dtype([("cell", "<u2"), ("window", "u1")]),
    most=255,
)
WIDE = Layout(
    cell=_cell_dtype("<u4"),
    bucket=np.dtype([("cell", "<u4"), ("bucket", "u1"), ("count", "<u4")]),
    window=np.dtype([("cell", "<u4"), ("window", "<u2")]),
    most=65_535,
)
_COMPACT_MOST = 65_535


def layout_of(wide: bool) -> Layout:
    return WIDE if wide else COMPACT


def _is_wide(cells: int, most_count: int, windows: int) -> bool:
    if windows > WIDE.most + 1:
        raise ValueError("more than 65,535 windows at one outlet")
    return cells > _COMPACT_MOST + 1 or most_count > _COMPACT_MOST or windows > COMPACT.most + 1


# ``QueueDayRollup`` fields as ``day_rollup_rows`` gives them.
DAY_FIELDS = (
    "outlet_id",
    "service_on",
    "tickets",
    "cells",
    "wait_buckets",
    "handle_buckets",
    "windows",
    "window_labels",
    "wide",
)

_DAY_BITS = 40  # the key of a cell: outlet-day, half hour, business type, teller, VIP flag
_HALF_BITS = 34
_TYPE_BITS = 21
_TELLER_BITS = 1


def _buckets(seconds: np.ndarray) -> np.ndarray:
    return np.where(
        seconds <= 0, 0, np.minimum(seconds // histogram.BUCKET_SECONDS, histogram.BUCKETS - 1)
    ).astype(np.int64)


def day_rollup_rows(tickets: TicketColumns) -> list[tuple[Any, ...]]:
    """The ``QueueDayRollup`` rows (``DAY_FIELDS`` order) of every outlet-day of ``tickets``,
    summed with numpy: the cells ``rollups_from_rows`` gives, packed."""
    if tickets.outlet_id.size == 0:
        return []
    outlet = tickets.outlet_id.astype(np.int64)
    day = tickets.day.astype(np.int64)
    pairs, outlet_day = monthly.distinct(outlet * 4_000_000 + day)
    types, type_index = monthly.distinct(tickets.type_id.astype(np.int64))
    tellers, teller_index = monthly.distinct(tickets.teller_id.astype(np.int64))
    if (
        pairs.size >= 1 << (63 - _DAY_BITS)
        or types.size >= 1 << (_HALF_BITS - _TYPE_BITS)
        or tellers.size >= 1 << (_TYPE_BITS - _TELLER_BITS)
    ):
        raise ValueError("too many outlet-days, business types or tellers in one batch")
    key = (
        (outlet_day.reshape(-1).astype(np.int64) << _DAY_BITS)
        | (tickets.half_hour.astype(np.int64) << _HALF_BITS)
        | (type_index.reshape(-1).astype(np.int64) << _TYPE_BITS)
        | (teller_index.reshape(-1).astype(np.int64) << _TELLER_BITS)
        | tickets.is_vip.astype(np.int64)
    )
    keys, cell = np.unique(key, return_inverse=True)
    cell = cell.reshape(-1)
    n = keys.size
    records = np.zeros(n, dtype=WIDE.cell)
    records["half_hour"] = (keys >> _HALF_BITS) & 63
    records["is_vip"] = keys & 1
    records["type_id"] = types[(keys >> _TYPE_BITS) & ((1 << (_HALF_BITS - _TYPE_BITS)) - 1)]
    records["teller_id"] = tellers[(keys >> _TELLER_BITS) & ((1 << (_TYPE_BITS - 1)) - 1)]
    wait = tickets.wait.astype(np.float64)
    handle = tickets.handle.astype(np.float64)
    waited = ~np.isnan(wait)
    handled = ~np.isnan(handle)
    counts = np.zeros((n, len(monthly.COUNT_FIELDS)), dtype=np.int64)
    counts[:, 0] = np.bincount(cell, minlength=n)
    for i in range(len(OUTCOME_CODES)):
        counts[:, 1 + i] = np.bincount(cell[tickets.outcome == i], minlength=n)
    counts[:, 5] = np.bincount(cell[waited], minlength=n)
    counts[:, 6] = np.bincount(cell[handled], minlength=n)
    if counts.max(initial=0) > 2**32 - 1:
        raise ValueError("more than 4,294,967,295 tickets in one cell")
    records["counts"] = counts
    seconds = records["seconds"]
    seconds[:, 0] = np.bincount(cell[waited], weights=wait[waited], minlength=n)
    seconds[:, 1] = np.bincount(cell[handled], weights=handle[handled], minlength=n)
    seconds[:, 2] = np.bincount(cell[handled], weights=handle[handled] ** 2, minlength=n)
    wait_cells, wait_bins, wait_counts = _bucket_counts(cell[waited], _buckets(wait[waited]))
    handle_cells, handle_bins, handle_counts = _bucket_counts(
        cell[handled], _buckets(handle[handled])
    )
    with_window = waited & (tickets.window > 0)
    width = len(tickets.window_labels)
    window_pairs = monthly.unique(cell[with_window] * width + tickets.window[with_window])
    window_cells, window_codes = window_pairs // width, window_pairs % width

    # Cells are sorted by outlet-day first: each day's cells, buckets and windows are runs.
    day_of_cell = keys >> _DAY_BITS
    bounds = np.searchsorted(day_of_cell, np.arange(pairs.size + 1))
    wait_bounds = np.searchsorted(wait_cells, bounds)
    handle_bounds = np.searchsorted(handle_cells, bounds)
    window_bounds = np.searchsorted(window_cells, bounds)
    labels = list(tickets.window_labels)
    most = np.maximum.reduceat(counts.max(axis=1), bounds[:-1]) if n else np.zeros(0, np.int64)
    rows = []
    for index, pair in enumerate(pairs.tolist()):
        first, last = int(bounds[index]), int(bounds[index + 1])
        wide = _is_wide(last - first, int(most[index]), len(labels))
        layout = layout_of(wide)
        own = slice(int(window_bounds[index]), int(window_bounds[index + 1]))
        windows = np.empty(own.stop - own.start, dtype=layout.window)
        windows["cell"] = window_cells[own] - first
        windows["window"] = window_codes[own]
        rows.append(
            (
                pair // 4_000_000,
                date.fromordinal(pair % 4_000_000),
                int(counts[first:last, 0].sum()),
                records[first:last].astype(layout.cell).tobytes(),
                _packed_buckets(
                    layout, wait_cells, wait_bins, wait_counts, wait_bounds, index, first
                ),
                _packed_buckets(
                    layout, handle_cells, handle_bins, handle_counts, handle_bounds, index, first
                ),
                windows.tobytes(),
                labels,  # the batch's windows: the cells' window codes index them
                wide,
            )
        )
    return rows


def _bucket_counts(cells: np.ndarray, buckets: np.ndarray) -> tuple[np.ndarray, ...]:
    """The non-empty (cell, bucket) pairs and their counts, in order of cell and bucket."""
    pairs, counts = np.unique(cells * histogram.BUCKETS + buckets, return_counts=True)
    return pairs // histogram.BUCKETS, pairs % histogram.BUCKETS, counts


def _packed_buckets(
    layout: Layout,
    cells: np.ndarray,
    buckets: np.ndarray,
    counts: np.ndarray,
    bounds: np.ndarray,
    index: int,
    first: int,
) -> bytes:
    own = slice(int(bounds[index]), int(bounds[index + 1]))
    packed = np.empty(own.stop - own.start, dtype=layout.bucket)
    packed["cell"] = cells[own] - first
    packed["bucket"] = buckets[own]
    packed["count"] = counts[own]
    return packed.tobytes()


@dataclass
class Cells:
    """Cells of many outlet-days as numpy columns, with their histograms' non-empty buckets
    and their windows as (cell index, value) columns."""

    outlet_id: np.ndarray
    day: np.ndarray  # proleptic ordinal
    half_hour: np.ndarray
    type_id: np.ndarray
    teller_id: np.ndarray  # -1: no teller
    is_vip: np.ndarray  # bool
    counts: np.ndarray  # (cells, len(monthly.COUNT_FIELDS)) int64
    seconds: np.ndarray  # (cells, len(monthly.SECOND_FIELDS)) float64
    wait_cell: np.ndarray
    wait_bucket: np.ndarray
    wait_count: np.ndarray
    handle_cell: np.ndarray
    handle_bucket: np.ndarray
    handle_count: np.ndarray
    window_cell: np.ndarray
    window: np.ndarray  # index into ``window_labels``
    window_labels: list[str]

    def __len__(self) -> int:
        return int(self.outlet_id.size)

    def count(self, name: str) -> np.ndarray:
        return self.counts[:, monthly.COUNT_FIELDS.index(name)]

    def second(self, name: str) -> np.ndarray:
        return self.seconds[:, monthly.SECOND_FIELDS.index(name)]

    def take(self, keep: np.ndarray) -> Cells:
        """The cells where ``keep`` (a boolean mask) holds, with their buckets and windows."""
        where = np.full(len(self) + 1, -1, dtype=np.int64)
        chosen = np.flatnonzero(keep)
        where[chosen] = np.arange(chosen.size)

        def moved(cells: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
            new = where[cells]
            kept = new >= 0
            return [new[kept], *(v[kept] for v in values)]

        wait = moved(self.wait_cell, self.wait_bucket, self.wait_count)
        handle = moved(self.handle_cell, self.handle_bucket, self.handle_count)
        window = moved(self.window_cell, self.window)
        return Cells(
            **{name: getattr(self, name)[chosen] for name in _CELL_COLUMNS[:8]},
            wait_cell=wait[0],
            wait_bucket=wait[1],
            wait_count=wait[2],
            handle_cell=handle[0],
            handle_bucket=handle[1],
            handle_count=handle[2],
            window_cell=window[0],
            window=window[1],
            window_labels=self.window_labels,
        )

    def reordered(self, order: np.ndarray) -> Cells:
        """The cells in the order ``order`` (a permutation of their indexes) gives."""
        where = np.empty(len(self), dtype=np.int64)
        where[order] = np.arange(len(self))
        return Cells(
            **{name: getattr(self, name)[order] for name in _CELL_COLUMNS[:8]},
            wait_cell=where[self.wait_cell],
            wait_bucket=self.wait_bucket,
            wait_count=self.wait_count,
            handle_cell=where[self.handle_cell],
            handle_bucket=self.handle_bucket,
            handle_count=self.handle_count,
            window_cell=where[self.window_cell],
            window=self.window,
            window_labels=self.window_labels,
        )

    def histograms(self, kind: str, group: np.ndarray, groups: int) -> np.ndarray:
        """Per group (``group[i]`` of cell ``i``), the dense bucket counts of ``kind``
        ("wait" or "handle"): one line of ``histogram.BUCKETS`` per group."""
        cells, buckets, counts = (
            (self.wait_cell, self.wait_bucket, self.wait_count)
            if kind == "wait"
            else (self.handle_cell, self.handle_bucket, self.handle_count)
        )
        flat = np.bincount(
            group[cells] * histogram.BUCKETS + buckets,
            weights=counts,
            minlength=groups * histogram.BUCKETS,
        )
        return flat.round().astype(np.int64).reshape(groups, histogram.BUCKETS)

    def sums(self, group: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
        """Per group, the summed counts (int64) and seconds, one line per group."""
        counts = np.zeros((groups, self.counts.shape[1]))
        seconds = np.zeros((groups, self.seconds.shape[1]))
        for column, line in enumerate(self.counts.T):
            counts[:, column] = np.bincount(group, weights=line, minlength=groups)
        for column, line in enumerate(self.seconds.T):
            seconds[:, column] = np.bincount(group, weights=line, minlength=groups)
        return counts.round().astype(np.int64), seconds


# ``QueueDayRollup`` fields as ``cells_of`` reads them.
READ_FIELDS = (
    "outlet_id",
    "service_on",
    "cells",
    "wait_buckets",
    "handle_buckets",
    "windows",
    "window_labels",
    "wide",
)


def cell_count(cells: bytes | memoryview, wide: bool) -> int:
    """How many cells a day rollup's packed ``cells`` hold."""
    return len(cells) // layout_of(wide).cell.itemsize


def cells_of(rows: Iterable[Sequence[Any]]) -> Cells:
    """The cells of day rollup rows (``READ_FIELDS`` values), one ``Cells``, in the order of
    the rows."""
    rows = list(rows)
    wide = [bool(row[7]) for row in rows]
    if all(wide) or not any(wide):
        return _cells_of(rows, layout_of(bool(rows) and wide[0]))
    parts = [[row for row, flag in zip(rows, wide, strict=True) if flag is kind]
             for kind in (False, True)]  # fmt: skip
    joined = concat_cells([_cells_of(parts[0], COMPACT), _cells_of(parts[1], WIDE)])
    # Back to the order of the rows.
    index = [[i for i, flag in enumerate(wide) if flag is kind] for kind in (False, True)]
    row_of_cell = np.concatenate(
        [np.repeat(np.array(index[k], dtype=np.int64),
                   [cell_count(row[2], bool(k)) for row in parts[k]]) for k in (0, 1)]
    )  # fmt: skip
    return joined.reordered(np.argsort(row_of_cell, kind="stable"))


def _cells_of(rows: list[Sequence[Any]], layout: Layout) -> Cells:
    blobs = [bytes(row[2]) for row in rows]
    sizes = np.array([len(blob) // layout.cell.itemsize for blob in blobs], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    records = np.frombuffer(b"".join(blobs), dtype=layout.cell)
    outlets = np.array([row[0] for row in rows], dtype=np.int64)
    days = np.array([_ordinal(row[1]) for row in rows], dtype=np.int64)

    def sparse(at: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        parts = [bytes(row[at]) for row in rows]
        counts = np.array([len(p) // dtype.itemsize for p in parts], dtype=np.int64)
        packed = np.frombuffer(b"".join(parts), dtype=dtype)
        return packed, packed["cell"].astype(np.int64) + np.repeat(starts, counts)

    wait, wait_cell = sparse(3, layout.bucket)
    handle, handle_cell = sparse(4, layout.bucket)
    windows, window_cell = sparse(5, layout.window)
    labels: dict[str, int] = {}
    codes = []
    for row in rows:
        own = [labels.setdefault(label, len(labels)) for label in _labels(row[6])]
        codes.append(np.array(own, dtype=np.int64))
    window_counts = [len(bytes(row[5])) // layout.window.itemsize for row in rows]
    window = (
        np.concatenate([own[windows["window"][a:b]] for own, a, b in _runs(codes, window_counts)])
        if windows.size
        else np.zeros(0, dtype=np.int64)
    )
    return Cells(
        outlet_id=np.repeat(outlets, sizes),
        day=np.repeat(days, sizes),
        half_hour=records["half_hour"].astype(np.int64),
        type_id=records["type_id"].astype(np.int64),
        teller_id=records["teller_id"].astype(np.int64),
        is_vip=records["is_vip"].astype(bool),
        counts=records["counts"].astype(np.int64).reshape(-1, len(monthly.COUNT_FIELDS)),
        seconds=records["seconds"].astype(np.float64).reshape(-1, len(monthly.SECOND_FIELDS)),
        wait_cell=wait_cell,
        wait_bucket=wait["bucket"].astype(np.int64),
        wait_count=wait["count"].astype(np.int64),
        handle_cell=handle_cell,
        handle_bucket=handle["bucket"].astype(np.int64),
        handle_count=handle["count"].astype(np.int64),
        window_cell=window_cell,
        window=window,
        window_labels=list(labels),
    )


def concat_cells(parts: Sequence[Cells]) -> Cells:
    """One ``Cells`` of several, in order (window labels merged); the one part that holds
    cells when the others hold none, as it is."""
    holding = [part for part in parts if len(part)]
    if len(holding) == 1:
        return holding[0]
    labels: dict[str, int] = {}
    codes = [
        np.array([labels.setdefault(label, len(labels)) for label in part.window_labels],
                 dtype=np.int64)
        for part in parts
    ]  # fmt: skip
    offsets = np.cumsum([0, *(len(part) for part in parts)])

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(part, name) for part in parts])

    def cells_at(name: str) -> np.ndarray:
        return np.concatenate(
            [getattr(part, name) + offset for part, offset in zip(parts, offsets, strict=False)]
        )

    return Cells(
        **{name: joined(name) for name in _CELL_COLUMNS},
        wait_cell=cells_at("wait_cell"),
        handle_cell=cells_at("handle_cell"),
        window_cell=cells_at("window_cell"),
        window=np.concatenate(
            [own[part.window] for part, own in zip(parts, codes, strict=True)]
        ).astype(np.int64),
        window_labels=list(labels),
    )


_CELL_COLUMNS = (
    "outlet_id", "day", "half_hour", "type_id", "teller_id", "is_vip", "counts", "seconds",
    "wait_bucket", "wait_count", "handle_bucket", "handle_count",
)  # fmt: skip


def _runs(codes: list[np.ndarray], counts: list[int]) -> Iterable[tuple[np.ndarray, int, int]]:
    start = 0
    for own, count in zip(codes, counts, strict=True):
        yield own, start, start + count
        start += count


def _ordinal(value: date | str) -> int:
    return (date.fromisoformat(value) if isinstance(value, str) else value).toordinal()


def _labels(value: list[str] | str) -> list[str]:
    return json.loads(value) if isinstance(value, str) else value


def read_cells(queryset: Any) -> Cells:
    """The cells of a ``QueueDayRollup`` queryset (already filtered by the caller's scope)."""
    return cells_of(queryset.order_by().values_list(*READ_FIELDS))


def cell_rows(queryset: Any = None) -> list[CellRow]:
    """The stored cells (of ``queryset``, all without one) as ``CellRow`` values: for
    inspection and tests, not for pages."""
    return cell_rows_of(read_cells(QueueDayRollup.objects.all() if queryset is None else queryset))


def cell_rows_of(cells: Cells) -> list[CellRow]:
    """``cells`` as ``CellRow`` values."""
    waits: list[dict[str, int]] = [{} for _ in range(len(cells))]
    for c, b, n in zip(cells.wait_cell.tolist(), cells.wait_bucket.tolist(),
                       cells.wait_count.tolist(), strict=True):  # fmt: skip
        waits[c][str(b)] = n
    handles: list[dict[str, int]] = [{} for _ in range(len(cells))]
    for c, b, n in zip(cells.handle_cell.tolist(), cells.handle_bucket.tolist(),
                       cells.handle_count.tolist(), strict=True):  # fmt: skip
        handles[c][str(b)] = n
    windows: list[list[str]] = [[] for _ in range(len(cells))]
    for c, w in zip(cells.window_cell.tolist(), cells.window.tolist(), strict=True):
        windows[c].append(cells.window_labels[w])
    out = []
    for i in range(len(cells)):
        counts = cells.counts[i].tolist()
        seconds = cells.seconds[i].tolist()
        teller = int(cells.teller_id[i])
        out.append(
            CellRow(
                outlet_id=int(cells.outlet_id[i]),
                service_on=date.fromordinal(int(cells.day[i])),
                half_hour=int(cells.half_hour[i]),
                business_type_id=int(cells.type_id[i]),
                teller_id=None if teller < 0 else teller,
                is_vip=bool(cells.is_vip[i]),
                tickets=counts[0],
                served=counts[1],
                no_show=counts[2],
                abandoned=counts[3],
                transferred=counts[4],
                wait_count=counts[5],
                wait_seconds=seconds[0],
                wait_histogram=waits[i],
                handle_count=counts[6],
                handle_seconds=seconds[1],
                handle_squares=seconds[2],
                handle_histogram=handles[i],
                windows=sorted(windows[i]),
            )
        )
    return out


def day_rows_of_cells(cells: Iterable[CellRow]) -> list[tuple[Any, ...]]:
    """``CellRow`` values packed as day rollup rows (``DAY_FIELDS`` order), one per outlet
    and day: for cells summed elsewhere (an upgrade, a test)."""
    by_day: dict[tuple[int, date], list[CellRow]] = {}
    for cell in cells:
        by_day.setdefault((cell.outlet_id, cell.service_on), []).append(cell)
    rows = []
    for (outlet_id, day), own in sorted(by_day.items()):
        own.sort(key=lambda c: (c.half_hour, c.business_type_id, c.teller_id or -1, c.is_vip))
        most = max((getattr(c, name) for c in own for name in monthly.COUNT_FIELDS), default=0)
        labels_used = {w for c in own for w in c.windows}
        wide = _is_wide(len(own), most, len(labels_used) + 1)
        layout = layout_of(wide)
        records = np.zeros(len(own), dtype=layout.cell)
        waits: list[tuple[int, int, int]] = []
        handles: list[tuple[int, int, int]] = []
        windows: list[tuple[int, int]] = []
        labels: dict[str, int] = {}
        for i, cell in enumerate(own):
            records[i] = (
                cell.half_hour,
                cell.is_vip,
                cell.business_type_id,
                -1 if cell.teller_id is None else cell.teller_id,
                [getattr(cell, name) for name in monthly.COUNT_FIELDS],
                [getattr(cell, name) for name in monthly.SECOND_FIELDS],
            )
            waits += [
                (i, int(b), n)
                for b, n in sorted(histogram.add_into({}, cell.wait_histogram).items())
            ]
            handles += [
                (i, int(b), n)
                for b, n in sorted(histogram.add_into({}, cell.handle_histogram).items())
            ]
            windows += [(i, labels.setdefault(w, len(labels))) for w in sorted(set(cell.windows))]
        rows.append(
            (
                outlet_id,
                day,
                int(records["counts"][:, 0].sum()),
                records.tobytes(),
                np.array(waits, dtype=layout.bucket).tobytes(),
                np.array(handles, dtype=layout.bucket).tobytes(),
                np.array(windows, dtype=layout.window).tobytes(),
                list(labels),
                wide,
            )
        )
    return rows


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


def day_rollups_insert(rows: Iterable[Sequence[Any]]) -> int:
    """Write day rollup rows from ``day_rollup_rows``; returns how many."""
    if connection.vendor == "postgresql":
        return copy_rows_binary(QueueDayRollup, DAY_FIELDS, rows)
    rows = list(rows)
    insert_rows(QueueDayRollup, DAY_FIELDS, rows, batch_size=500)
    return len(rows)


def day_rollups_delete(*, outlet_id: int, days: Iterable[date]) -> None:
    """Delete the rollups of ``days`` at one outlet, before they are written again."""
    for chunk in _chunks(set(days)):
        QueueDayRollup.objects.filter(outlet_id=outlet_id, service_on__in=chunk).delete()


def rollups_rebuild(*, days: Iterable[tuple[int, date]], with_monthly: bool = True) -> int:
    """Replace the rollups of each (outlet id, day) with sums of its tickets, and (unless the
    caller rebuilds them itself, once for all it wrote) the monthly tables of those months;
    idempotent.

    Call inside the transaction that wrote the tickets. Returns the day rows written.
    """
    by_outlet: dict[int, set[date]] = {}
    for outlet_id, day in days:
        by_outlet.setdefault(outlet_id, set()).add(day)
    written = 0
    zone = timezone.get_default_timezone()
    for outlet_id, dates in sorted(by_outlet.items()):
        for chunk in _chunks(dates):
            QueueDayRollup.objects.filter(outlet_id=outlet_id, service_on__in=chunk).delete()
            rows = list(
                QueueTicket.objects.filter(outlet_id=outlet_id, service_on__in=chunk)
                .order_by()
                .values_list(*ROW_FIELDS)
            )
            written += day_rollups_insert(day_rollup_rows(ticket_columns_of_rows(rows, zone=zone)))
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


def monthly_rebuild(*, months: Iterable[tuple[int, date]], fresh: Cells | None = None) -> int:
    """Replace the monthly tables of each (outlet id, month) with sums of its days' cells,
    then re-sum the subtree rows of every unit above those outlets for those months, from
    their children's rows; idempotent.

    Each outlet's cells are read in one query for all its months, and outlets with the same
    months are cleared together. ``fresh`` are cells the caller has just written (an
    import's days): they are taken as they are and only the other days are read. Call
    inside the transaction that wrote the rollups. Returns the monthly rows written.
    """
    by_outlet: dict[int, set[date]] = {}
    for outlet_id, day in months:
        by_outlet.setdefault(outlet_id, set()).add(monthly.month_of(day))
    parts = []
    for outlet_id, its_months in sorted(by_outlet.items()):
        own = None if fresh is None else fresh.take(fresh.outlet_id == outlet_id)
        besides = (
            [] if own is None else [date.fromordinal(d) for d in monthly.unique(own.day).tolist()]
        )
        stored = month_cells_read(outlet_id, its_months, besides=besides)
        cells = stored if own is None else concat_cells([stored, own])
        parts.append(monthly_sums(outlet_id, its_months, cells))
    return monthly_store(parts)


def month_cells_read(
    outlet_id: int, months: Iterable[date], *, besides: Sequence[date] = ()
) -> Cells:
    """The stored cells of the outlet's ``months``, but for the days ``besides``."""
    within = Q(pk__in=[])
    for month in months:
        within |= Q(service_on__range=(month, _month_end(month)))
    stored = QueueDayRollup.objects.filter(within, outlet_id=outlet_id)
    for chunk in _chunks(besides):
        stored = stored.exclude(service_on__in=chunk)
    return read_cells(stored)


@dataclass
class MonthlyRows:
    """An outlet's monthly table rows for some months, summed and not yet written."""

    outlet_id: int
    months: set[date]
    figures: list[tuple[Any, ...]] = field(default_factory=list)
    tellers: list[tuple[Any, ...]] = field(default_factory=list)
    halves: list[tuple[Any, ...]] = field(default_factory=list)
    by_teller: list[tuple[Any, ...]] = field(default_factory=list)


def monthly_sums(outlet_id: int, months: set[date], cells: Cells) -> MonthlyRows:
    """The monthly table rows of the outlet's ``months`` from all their ``cells``, summed in
    one pass for all months; no database access."""
    made = MonthlyRows(outlet_id=outlet_id, months=set(months))
    period = _month_ordinals(cells.day)
    summed = monthly.outlet_months(cells, period)
    halves = monthly.half_hour_figures(cells, period)
    by_teller = monthly.teller_figures(cells, period)
    for month in sorted(months):
        key = month.toordinal()
        made.halves += [
            (outlet_id, month, half_hour, is_vip, *sums.values())
            for (half_hour, is_vip), sums in halves.get(key, {}).items()
        ]
        made.by_teller += [
            (outlet_id, month, teller_id, is_vip, *sums.values())
            for (teller_id, is_vip), sums in by_teller.get(key, {}).items()
        ]
        if key not in summed:
            continue
        made.figures += [
            (outlet_id, month, False, type_id, is_vip, *sums.values())
            for (type_id, is_vip), sums in summed[key].figures.items()
        ]
        made.tellers += [
            (outlet_id, teller_id, month, sums.tickets, sums.served, sums.handle_count,
             sums.handle_seconds, sums.types_blob())
            for teller_id, sums in summed[key].tellers.items()
        ]  # fmt: skip
    return made


def monthly_store(parts: Sequence[MonthlyRows]) -> int:
    """Replace the outlets' rows of their months with ``parts``, outlets with the same months
    cleared together, then re-sum the units above them; returns the rows written."""
    alike: dict[frozenset[date], list[int]] = {}
    for part in parts:
        alike.setdefault(frozenset(part.months), []).append(part.outlet_id)
    for its_months, outlet_ids in alike.items():
        for chunk in _chunks(outlet_ids):
            MonthlyQueueFigures.objects.filter(
                month__in=its_months, is_subtree=False, unit_id__in=chunk
            ).delete()
            for model in (MonthlyTellerFigures, MonthlyHalfHourFigures, MonthlyTellerQueueFigures):
                model.objects.filter(month__in=its_months, outlet_id__in=chunk).delete()
    written = 0
    tables: tuple[tuple[Any, tuple[str, ...], str], ...] = (
        (MonthlyQueueFigures, _FIGURES_FIELDS, "figures"),
        (MonthlyTellerFigures, _TELLER_FIELDS, "tellers"),
        (MonthlyHalfHourFigures, _HALF_HOUR_FIELDS, "halves"),
        (MonthlyTellerQueueFigures, _TELLER_QUEUE_FIELDS, "by_teller"),
    )
    for model, fields, name in tables:
        rows = [row for part in parts for row in getattr(part, name)]
        insert_rows(model, fields, rows)
        written += len(rows)
    every_month = {month for part in parts for month in part.months}
    return written + _tree_rebuild(every_month, {part.outlet_id for part in parts})


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _month_ordinals(days: np.ndarray) -> np.ndarray:
    """The ordinal of the first day of the month of each day (ordinals)."""
    distinct, inverse = np.unique(days, return_inverse=True)
    firsts = np.array(
        [date.fromordinal(d).replace(day=1).toordinal() for d in distinct.tolist()],
        dtype=np.int64,
    )
    return firsts[inverse.reshape(-1)] if days.size else np.zeros(0, dtype=np.int64)


_FIGURES_FIELDS = ("unit_id", "month", "is_subtree", "business_type_id", "is_vip",
                   *monthly.VALUE_FIELDS)  # fmt: skip
_TELLER_FIELDS = ("outlet_id", "teller_id", "month", "tickets", "served", "handle_count",
                  "handle_seconds", "by_type")  # fmt: skip
_HALF_HOUR_FIELDS = ("outlet_id", "month", "half_hour", "is_vip", *monthly.VALUE_FIELDS)
_TELLER_QUEUE_FIELDS = ("outlet_id", "month", "teller_id", "is_vip", *monthly.VALUE_FIELDS)
_STORED = ("unit_id", "is_subtree", "business_type_id", "is_vip", *monthly.VALUE_FIELDS)


def _tree_rebuild(months: set[date], outlet_ids: set[int]) -> int:
    """Re-sum the subtree rows of ``months`` of every unit above ``outlet_ids``, deepest
    first, each from its own rows and its children's (subtree rows where a child has them);
    three queries a unit, whatever the number of months."""
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
            MonthlyQueueFigures.objects.filter(month__in=months)
            .filter(
                Q(unit_id=unit_id, is_subtree=False)
                | Q(unit__path__startswith=path, unit__depth=depth + 1)
            )
            .order_by()
            .values("month", *_STORED)
        )
        found: dict[date, dict[int, dict[bool, list[dict[str, Any]]]]] = {}
        for row in rows:
            by_unit = found.setdefault(row["month"], {})
            by_unit.setdefault(row["unit_id"], {}).setdefault(row["is_subtree"], []).append(row)
        made = []
        for month, by_unit in sorted(found.items()):
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
            made += [
                (unit_id, month, True, type_id, is_vip, *sums.values())
                for (type_id, is_vip), sums in total.items()
            ]
        MonthlyQueueFigures.objects.filter(
            unit_id=unit_id, month__in=months, is_subtree=True
        ).delete()
        insert_rows(MonthlyQueueFigures, _FIGURES_FIELDS, made)
        written += len(made)
    return written
