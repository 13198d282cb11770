"""Fixed-bucket histograms of durations, and percentiles and shares read from them.

Rollups keep, for each group of tickets, how many fell in each bucket of waiting and
transaction time. Histograms add up, so the percentile of any range (a month, a sub-branch,
all VIPs) comes from the summed buckets, to within one bucket width of the exact value.
No Django import: tested and benchmarked on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

BUCKET_SECONDS = 30
MAX_SECONDS = 7200
# Edges 0, 30, ... 7200: bucket i holds [edge i, edge i+1); the last bucket holds 7200 s and
# more, and its percentile is reported as 7200 s.
BUCKET_EDGES: tuple[int, ...] = tuple(range(0, MAX_SECONDS + 1, BUCKET_SECONDS))
BUCKETS = len(BUCKET_EDGES)

Histogram = dict[int, int]


def bucket_of(seconds: float) -> int:
    """The index of the bucket holding ``seconds`` (negative durations count as 0)."""
    if seconds <= 0:
        return 0
    return min(int(seconds // BUCKET_SECONDS), BUCKETS - 1)


def histogram_of(values: Iterable[float]) -> Histogram:
    histogram: Histogram = {}
    for value in values:
        index = bucket_of(value)
        histogram[index] = histogram.get(index, 0) + 1
    return histogram


def add_into(total: Histogram, other: Mapping[int, int] | Mapping[str, int]) -> Histogram:
    """Add ``other`` (keys may be strings, as stored in JSON) into ``total``; returns it."""
    for key, count in other.items():
        index = int(key)
        total[index] = total.get(index, 0) + int(count)
    return total


def to_json(histogram: Mapping[int, int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(histogram.items()) if v}


def count_of(histogram: Mapping[int, int]) -> int:
    return sum(histogram.values())


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The ``fraction`` quantile (0.5 for the median) by linear interpolation in its bucket.

    The value lies in the same bucket as the exact quantile of the raw data, so the error is
    under one bucket width (30 s), except in the open last bucket (reported as 7200 s).
    None for an empty histogram.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must lie between 0 and 1, got {fraction!r}")
    total = count_of(histogram)
    if total == 0:
        return None
    rank = fraction * total
    seen = 0
    for index in sorted(histogram):
        count = histogram[index]
        if count <= 0:
            continue
        if seen + count >= rank:
            if index >= BUCKETS - 1:
                return float(MAX_SECONDS)
            inside = (rank - seen) / count
            return BUCKET_EDGES[index] + inside * BUCKET_SECONDS
        seen += count
    return float(MAX_SECONDS)


def share_within(histogram: Mapping[int, int], seconds: int) -> float | None:
    """The share of values strictly below ``seconds``, a multiple of the bucket width.

    A service level "waited at most 15 minutes" is read as "under 900 s" at the second's
    resolution a queue machine logs, which the bucket edges make exact.
    """
    if seconds % BUCKET_SECONDS:
        raise ValueError(f"the target must be a multiple of {BUCKET_SECONDS} s, got {seconds}")
    total = count_of(histogram)
    if total == 0:
        return None
    limit = seconds // BUCKET_SECONDS
    within = sum(count for index, count in histogram.items() if index < limit)
    return within / total


def mean(total_seconds: float, count: int) -> float | None:
    return total_seconds / count if count else None


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
