"""A month's queue figures summed from its daily rollups, and the sums of the org tree.

Monthly tables answer the month's league table and the percentile tables per outlet and
per business type from a few rows per outlet, teller or unit instead of the month's
cells (about one a ticket). Histograms are stored as dense bucket counts, little-endian
unsigned 32-bit, with the trailing empty buckets cut off; they add up exactly, so a month's
percentiles are those of its rollups. No Django import (the cells'
type only): tested and benchmarked on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ventanilla.counters import histogram

if TYPE_CHECKING:
    from ventanilla.counters.rollups import Cells

# Stored counts: unsigned 32-bit, little-endian whatever the machine.
COUNT_DTYPE = np.dtype("<u4")
# A teller's month by business type: (type id, tickets served, timed transactions).
TYPE_DTYPE = np.dtype([("type_id", "<i4"), ("served", "<u4"), ("handle_count", "<u4")])

# The counters and sums of a figures row, in the order ``Figures.counts`` keeps them.
COUNT_FIELDS = (
    "tickets",
    "served",
    "no_show",
    "abandoned",
    "transferred",
    "wait_count",
    "handle_count",
)
SECOND_FIELDS = ("wait_seconds", "handle_seconds", "handle_squares")
# A figures row's values, as ``Figures.values`` gives them and ``Figures.stored`` reads them.
VALUE_FIELDS = (*COUNT_FIELDS, *SECOND_FIELDS, "wait_histogram", "handle_histogram")


def unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of integers, by sorting. numpy from 2.3 finds the distinct values
    of a plain call by hashing, which takes about 40 times as long as a sort for a million
    values that are nearly all distinct (a day's cells, windows by cell)."""
    ordered = np.sort(values, axis=None)
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, by counting rather than sorting when the
    values span a range not much wider than their number (ids, days)."""
    if values.size == 0:
        return np.unique(values, return_inverse=True)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * values.size + 4096:
        found, inverse = np.unique(values, return_inverse=True)
        return found, inverse.reshape(-1)
    shifted = values - low
    present = np.flatnonzero(np.bincount(shifted, minlength=span))
    lookup = np.zeros(span, dtype=np.int64)
    lookup[present] = np.arange(present.size)
    return present + low, lookup[shifted]


def month_of(day: date) -> date:
    """The first day of ``day``'s month, which names the month in the tables."""
    return day.replace(day=1)


def split_range(
    start: date, end: date
) -> tuple[tuple[date, date] | None, list[date], tuple[date, date] | None]:
    """``start`` to ``end`` as the days before its first whole calendar month, its whole
    months, and the days after them: ``(head, months, tail)``, head and tail None where
    there are no such days. No whole month: ``(None, [], None)``."""
    first = start if start.day == 1 else (start + timedelta(days=32)).replace(day=1)
    after = end + timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # the day after the last month
    if first >= stop:
        return None, [], None
    months = months_between(first, stop - timedelta(days=1)) or []
    head = (start, first - timedelta(days=1)) if start < first else None
    tail = (stop, end) if stop <= end else None
    return head, months, tail


def months_between(start: date, end: date) -> list[date] | None:
    """The months ``start`` to ``end`` covers when it is exactly whole calendar months,
    None otherwise."""
    if start.day != 1 or end < start:
        return None
    if (end + timedelta(days=1)).day != 1:
        return None
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def encode(counts: np.ndarray) -> bytes:
    """Bucket counts as stored: trailing empty buckets cut off."""
    filled = np.flatnonzero(counts)
    if filled.size == 0:
        return b""
    return counts[: int(filled[-1]) + 1].astype(COUNT_DTYPE).tobytes()


def decode(blob: bytes | memoryview | None) -> np.ndarray:
    """Stored bucket counts as a full-length int64 array."""
    counts = np.zeros(histogram.BUCKETS, dtype=np.int64)
    if blob:
        stored = np.frombuffer(blob, dtype=COUNT_DTYPE)
        counts[: stored.size] = stored
    return counts


def as_histogram(counts: np.ndarray) -> dict[int, int]:
    """Bucket counts as the sparse histogram ``histogram`` reads (non-empty buckets only)."""
    filled = np.flatnonzero(counts)
    return dict(zip(filled.tolist(), counts[filled].tolist(), strict=True))


def stored_sums(
    blobs: Sequence[bytes | memoryview],
    group: np.ndarray,
    groups: int,
    below: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the sum of the stored bucket counts ``blobs`` (row ``i`` belongs to group
    ``group[i]``), one line of ``histogram.BUCKETS`` per group; and per group the counts in
    each row's buckets before ``below[i]``, a bucket index (a service-level target; none
    without ``below``)."""
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    sizes //= COUNT_DTYPE.itemsize
    counts = np.frombuffer(b"".join(blobs), dtype=COUNT_DTYPE)
    starts = np.cumsum(sizes) - sizes
    # Bucket j of row i goes to place j of its group's line: group * BUCKETS + j.
    places = np.repeat(group * histogram.BUCKETS - starts, sizes) + np.arange(counts.size)
    # Float sums are exact: counts stay far below 2**53.
    sums = np.bincount(places, weights=counts, minlength=groups * histogram.BUCKETS)
    within = np.zeros(groups, dtype=np.int64)
    if below is not None:
        running = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        each = running[starts + np.minimum(below, sizes)] - running[starts]
        within += np.bincount(group, weights=each, minlength=groups).round().astype(np.int64)
    return sums.round().astype(np.int64).reshape(groups, histogram.BUCKETS), within


_EDGES = np.array(histogram.BUCKET_EDGES, dtype=np.float64)


def percentiles(counts: np.ndarray, fraction: float) -> list[float | None]:
    """``histogram.percentile`` of each line of dense bucket counts, all lines at once: the
    same values, to the last bit (the same float operations in the same order)."""
    return _percentiles(counts, np.cumsum(counts, axis=1), fraction)


def _percentiles(counts: np.ndarray, cumulative: np.ndarray, fraction: float) -> list[float | None]:
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must lie between 0 and 1, got {fraction!r}")
    lines = np.arange(len(counts))
    totals = cumulative[:, -1]
    ranks = fraction * totals
    # The first bucket where the running count reaches the rank.
    index = np.minimum((cumulative < ranks[:, None]).sum(axis=1), histogram.BUCKETS - 1)
    if fraction == 0:
        # A rank of 0 is reached before any bucket: ``histogram.percentile`` skips empty ones.
        index = np.maximum(index, (counts > 0).argmax(axis=1))
    seen = np.where(index > 0, cumulative[lines, index - 1], 0)
    count = counts[lines, index]
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (ranks - seen) / count
    values = np.where(
        index >= histogram.BUCKETS - 1,
        float(histogram.MAX_SECONDS),
        _EDGES[index] + inside * histogram.BUCKET_SECONDS,
    )
    return [
        None if total == 0 else value
        for value, total in zip(values.tolist(), totals.tolist(), strict=True)
    ]


class Buckets(Mapping[int, int]):
    """One line of dense bucket counts read as the sparse histogram ``histogram`` reads
    (non-empty buckets only, built on first use), with percentiles worked out beforehand
    for a whole table by ``percentiles``."""

    __slots__ = ("_sparse", "counts", "known")

    def __init__(self, counts: np.ndarray, known: Mapping[float, float | None]) -> None:
        self.counts = counts
        self.known = known
        self._sparse: dict[int, int] | None = None

    def _histogram(self) -> dict[int, int]:
        if self._sparse is None:
            self._sparse = as_histogram(self.counts)
        return self._sparse

    def __getitem__(self, index: int) -> int:
        return self._histogram()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._histogram())

    def __len__(self) -> int:
        return len(self._histogram())

    def percentile(self, fraction: float) -> float | None:
        if fraction in self.known:
            return self.known[fraction]
        return percentiles(self.counts[None, :], fraction)[0]


def bucket_lines(counts: np.ndarray, fractions: Iterable[float]) -> list[Buckets]:
    """Each line of ``counts`` as ``Buckets``, its ``fractions`` percentiles worked out."""
    fractions = list(fractions)
    cumulative = np.cumsum(counts, axis=1)
    known = [_percentiles(counts, cumulative, fraction) for fraction in fractions]
    return [
        Buckets(line, dict(zip(fractions, values, strict=True)))
        for line, *values in zip(counts, *known, strict=True)
    ]


@dataclass
class Figures:
    """The sums of one row of the monthly figures table."""

    counts: np.ndarray = field(default_factory=lambda: np.zeros(len(COUNT_FIELDS), np.int64))
    seconds: np.ndarray = field(default_factory=lambda: np.zeros(len(SECOND_FIELDS)))
    wait: np.ndarray = field(default_factory=lambda: np.zeros(histogram.BUCKETS, np.int64))
    handle: np.ndarray = field(default_factory=lambda: np.zeros(histogram.BUCKETS, np.int64))

    def add(self, other: Figures) -> None:
        self.counts += other.counts
        self.seconds += other.seconds
        self.wait += other.wait
        self.handle += other.handle

    def values(self) -> tuple[Any, ...]:
        """The row's values in ``VALUE_FIELDS`` order, histograms encoded for storage."""
        return (
            *self.counts.tolist(),
            *self.seconds.tolist(),
            encode(self.wait),
            encode(self.handle),
        )

    @classmethod
    def stored(cls, row: Mapping[str, Any]) -> Figures:
        """A row read back from the table (a mapping with the ``VALUE_FIELDS``)."""
        return cls(
            counts=np.array([row[name] for name in COUNT_FIELDS], dtype=np.int64),
            seconds=np.array([row[name] for name in SECOND_FIELDS], dtype=np.float64),
            wait=decode(row["wait_histogram"]),
            handle=decode(row["handle_histogram"]),
        )


# (business type id or None for all types, VIP flag)
FiguresKey = tuple[int | None, bool]


@dataclass
class TellerMonth:
    """One teller's month at one outlet, by business type for the standard times."""

    tickets: int = 0
    served: int = 0
    handle_count: int = 0
    handle_seconds: float = 0.0
    by_type: dict[int, list[int]] = field(default_factory=dict)  # type -> [served, timed]
    packed: bytes | None = None  # ``by_type`` already packed (``TYPE_DTYPE``, by type)

    def types_blob(self) -> bytes:
        if self.packed is not None:
            return self.packed
        ordered = sorted(self.by_type.items())
        packed = np.array(
            [(type_id, served, timed) for type_id, (served, timed) in ordered], dtype=TYPE_DTYPE
        )
        return packed.tobytes()


@dataclass
class OutletMonth:
    """An outlet's month summed from its rollups: figures per (type, VIP) and per teller."""

    figures: dict[FiguresKey, Figures]
    tellers: dict[int, TellerMonth]


def outlet_months(cells: Cells, period: np.ndarray) -> dict[int, OutletMonth]:
    """Sum an outlet's cells per period (``period[i]`` of cell ``i``: a month) into each
    period's figures per business type and VIP flag, per VIP flag for all types (business
    type None), and per teller; one pass over the cells for all periods."""
    months: dict[int, OutletMonth] = {}
    if not len(cells):
        return months
    width = (int(cells.type_id.max()) + 1) * 2
    for (when, key), own in _grouped(cells, period, cells.type_id * 2 + cells.is_vip, width):
        month = months.setdefault(when, OutletMonth(figures={}, tellers={}))
        type_id, vip = divmod(key, 2)
        month.figures[(type_id, bool(vip))] = own
        month.figures.setdefault((None, bool(vip)), Figures()).add(own)
    for when, tellers in _teller_months(cells, period).items():
        months.setdefault(when, OutletMonth(figures={}, tellers={})).tellers = tellers
    return months


def half_hour_figures(
    cells: Cells, period: np.ndarray
) -> dict[int, dict[tuple[int, bool], Figures]]:
    """Sum an outlet's cells per period, half hour of issue and VIP flag."""
    found: dict[int, dict[tuple[int, bool], Figures]] = {}
    if len(cells):
        codes = cells.half_hour * 2 + cells.is_vip
        for (when, key), own in _grouped(cells, period, codes, 48 * 2):
            found.setdefault(when, {})[(key // 2, bool(key % 2))] = own
    return found


def teller_figures(
    cells: Cells, period: np.ndarray
) -> dict[int, dict[tuple[int | None, bool], Figures]]:
    """Sum an outlet's cells per period, teller (None for the tickets no teller called) and
    VIP flag."""
    found: dict[int, dict[tuple[int | None, bool], Figures]] = {}
    if len(cells):
        codes = (cells.teller_id + 1) * 2 + cells.is_vip
        width = (int(cells.teller_id.max()) + 2) * 2
        for (when, key), own in _grouped(cells, period, codes, width):
            teller = key // 2 - 1 if key // 2 else None
            found.setdefault(when, {})[(teller, bool(key % 2))] = own
    return found


def _grouped(
    cells: Cells, period: np.ndarray, codes: np.ndarray, width: int
) -> list[tuple[tuple[int, int], Figures]]:
    """The ``Figures`` of the cells per distinct (period, code), codes below ``width``."""
    keys, group = distinct(period * width + codes)
    groups = len(keys)
    counts, seconds = cells.sums(group, groups)
    wait = cells.histograms("wait", group, groups)
    handle = cells.histograms("handle", group, groups)
    return [
        (
            divmod(key, width),
            Figures(counts=counts[g], seconds=seconds[g], wait=wait[g], handle=handle[g]),
        )
        for g, key in enumerate(keys.tolist())
    ]


def _teller_months(cells: Cells, period: np.ndarray) -> dict[int, dict[int, TellerMonth]]:
    has = cells.teller_id >= 0
    if not has.any():
        return {}
    types = cells.type_id[has]
    width = int(types.max()) + 1
    tellers = int(cells.teller_id.max()) + 1
    keys, cell = distinct((period[has] * tellers + cells.teller_id[has]) * width + types)

    def total(line: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=line[has], minlength=len(keys)).round()

    served = total(cells.count("served")).astype(np.int64)
    timed = total(cells.count("handle_count")).astype(np.int64)
    packed = np.empty(len(keys), dtype=TYPE_DTYPE)
    packed["type_id"] = keys % width
    packed["served"] = served
    packed["handle_count"] = timed
    # Keys are sorted by period, teller, then type: each teller-month is a run.
    pairs = keys // width
    starts = np.flatnonzero(np.diff(pairs, prepend=-1))
    sums = [
        np.add.reduceat(line, starts).tolist()
        for line in (total(cells.count("tickets")), served, timed)
    ]
    handled = np.add.reduceat(
        np.bincount(cell, weights=cells.second("handle_seconds")[has], minlength=len(keys)),
        starts,
    ).tolist()
    stops = [*starts[1:].tolist(), len(keys)]
    months: dict[int, dict[int, TellerMonth]] = {}
    for run, (start, stop, pair) in enumerate(
        zip(starts.tolist(), stops, pairs[starts].tolist(), strict=True)
    ):
        when, teller_id = divmod(pair, tellers)
        months.setdefault(when, {})[teller_id] = TellerMonth(
            tickets=round(sums[0][run]),
            served=round(sums[1][run]),
            handle_count=round(sums[2][run]),
            handle_seconds=handled[run],
            packed=packed[start:stop].tobytes(),
        )
    return months


def standard_seconds(
    blobs: Sequence[bytes | memoryview], standard: Mapping[int, int]
) -> tuple[list[int], list[int]]:
    """For each teller-month's ``by_type`` blob: the standard seconds of the tickets served
    and of the timed transactions, at today's standard time of each business type."""
    if not blobs:
        return [], []
    # The three fields as contiguous lines, faster to read than the records (type ids are
    # positive, so all three read as unsigned).
    type_ids, served_by, timed_by = (
        np.frombuffer(b"".join(blobs), dtype=TYPE_DTYPE).view("<u4").reshape(-1, 3).T.copy()
    )
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // TYPE_DTYPE.itemsize
    lookup = np.zeros(max([*standard, int(type_ids.max(initial=0))]) + 1, dtype=np.int64)
    lookup[list(standard)] = list(standard.values())
    each = lookup[type_ids]
    # A teller-month's types lie side by side: each non-empty run is summed in one pass.
    filled = sizes > 0
    starts = (np.cumsum(sizes) - sizes)[filled]
    served = np.zeros(len(blobs), dtype=np.int64)
    timed = np.zeros(len(blobs), dtype=np.int64)
    if starts.size:
        served[filled] = np.add.reduceat(served_by * each, starts)
        timed[filled] = np.add.reduceat(timed_by * each, starts)
    return served.tolist(), timed.tolist()


def tree_sums(rows: Iterable[tuple[FiguresKey, Figures]]) -> dict[FiguresKey, Figures]:
    """A unit's subtree figures: the sum, key by key, of its own rows and of each child
    unit's subtree rows (the child's own rows where it has no subtree rows)."""
    total: dict[FiguresKey, Figures] = {}
    for key, figures in rows:
        total.setdefault(key, Figures()).add(figures)
    return total
