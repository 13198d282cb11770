"""Satisfaction indices with 95% confidence intervals: plain Python, no Django.

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


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _betai(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * _betai(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (bisection on the CDF; 1e-10 precise)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if df <= 0:
        raise ValueError("df must be positive")
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return (lo + hi) / 2.0


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
