"""Satisfaction indices with 95% confidence intervals: no Django; Student's t from SciPy.

For a set of scores: the mean with a t-based interval, the share satisfied (top-two-box)
with a Wilson score interval, and the Net Promoter Score with a normal interval built from
the variance of the promoter (+1) / passive (0) / detractor (-1) scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (SciPy's inverse of
    the distribution function)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if df <= 0:
        raise ValueError("df must be positive")
    from scipy.special import stdtrit  # imported on first use: SciPy is slow to load

    return float(stdtrit(df, p))


@dataclass(frozen=True)
class Estimate:
    """A figure and its 95% interval; ``low``/``high`` are None when n is too small."""

    n: int
    value: float | None
    low: float | None = None
    high: float | None = None


def mean_ci(values: Sequence[float]) -> Estimate:
    n = len(values)
    if n == 0:
        return Estimate(0, None)
    mean = math.fsum(values) / n
    if n < 2:
        return Estimate(1, mean)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.975, n - 1) * math.sqrt(var / n)
    return Estimate(n, mean, mean - half, mean + half)


def wilson_ci(successes: int, n: int, z: float = Z_95) -> Estimate:
    """The share ``successes / n`` with the Wilson score interval."""
    if n == 0:
        return Estimate(0, None)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(n, p, max(0.0, centre - half), min(1.0, centre + half))


def top_box_threshold(low: int, high: int) -> int:
    """The lowest score counted as satisfied: the two highest points of the scale."""
    return high - 1 if high > low else high


def top_two_box(values: Sequence[float], low: int, high: int) -> Estimate:
    threshold = top_box_threshold(low, high)
    return wilson_ci(sum(1 for v in values if v >= threshold), len(values))


def nps_ci(recommend: Sequence[int], z: float = Z_95) -> Estimate:
    """NPS on 0-10 answers (promoters 9-10, detractors 0-6), in points from -100 to 100."""
    n = len(recommend)
    if n == 0:
        return Estimate(0, None)
    promoters = sum(1 for r in recommend if r >= 9) / n
    detractors = sum(1 for r in recommend if r <= 6) / n
    nps = promoters - detractors
    if n < 2:
        return Estimate(n, 100 * nps)
    variance = promoters + detractors - nps * nps  # of the +1/0/-1 scores
    half = z * math.sqrt(max(variance, 0.0) / n)
    return Estimate(n, 100 * nps, 100 * max(-1.0, nps - half), 100 * min(1.0, nps + half))


@dataclass(frozen=True)
class Observation:
    """One answered question: who was evaluated, in which segment, which dimension, score."""

    unit: Hashable
    segment: Hashable
    dimension: Hashable
    score: float


@dataclass(frozen=True)
class IndexRow:
    unit: Hashable
    segment: Hashable
    dimension: Hashable
    mean: Estimate
    satisfied: Estimate


def index_table(observations: Iterable[Observation], low: int, high: int) -> list[IndexRow]:
    """One row per unit × segment × dimension present in ``observations``, in first-seen order."""
    groups: dict[tuple[Hashable, Hashable, Hashable], list[float]] = defaultdict(list)
    for o in observations:
        groups[(o.unit, o.segment, o.dimension)].append(o.score)
    return [
        IndexRow(unit, segment, dimension, mean_ci(values), top_two_box(values, low, high))
        for (unit, segment, dimension), values in groups.items()
    ]


def nps_table(
    answers: Iterable[tuple[Hashable, Hashable, int]],
) -> dict[tuple[Hashable, Hashable], Estimate]:
    """NPS per (unit, segment) from (unit, segment, recommend) triples."""
    groups: dict[tuple[Hashable, Hashable], list[int]] = defaultdict(list)
    for unit, segment, value in answers:
        groups[(unit, segment)].append(value)
    return {key: nps_ci(values) for key, values in groups.items()}


def trend(
    series: Iterable[tuple[Hashable, Sequence[float]]],
) -> list[tuple[Hashable, Estimate, float | None]]:
    """Mean per period (in the given order) with its change from the previous period."""
    result: list[tuple[Hashable, Estimate, float | None]] = []
    previous: float | None = None
    for period, values in series:
        estimate = mean_ci(values)
        change = (
            estimate.value - previous
            if estimate.value is not None and previous is not None
            else None
        )
        result.append((period, estimate, change))
        if estimate.value is not None:
            previous = estimate.value
    return result
