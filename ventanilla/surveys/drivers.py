"""Key drivers: which dimensions explain the overall score. Plain Python, no Django.

The R² of the linear regression of the overall score on the dimension scores is split
among the dimensions by its Shapley decomposition (the average gain in R² a dimension
brings over every order of entering the model; equal to the LMG measure). With at most a
dozen dimensions the 2^p sub-models are cheap, each solved from the correlation matrix,
so no numerical library is needed. Answers missing any of the dimensions are left out
(listwise deletion).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

MAX_PREDICTORS = 14
RIDGE = 1e-9  # keeps perfectly collinear answers solvable


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is small and copied)."""
    size = len(rhs)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-15:
            a[col][col] = 1e-15
        for r in range(col + 1, size):
            factor = a[r][col] / a[col][col]
            for c in range(col, size + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * size
    for r in range(size - 1, -1, -1):
        x[r] = (a[r][size] - math.fsum(a[r][c] * x[c] for c in range(r + 1, size))) / a[r][r]
    return x


def r_squared(corr: list[list[float]], target: list[float], subset: Sequence[int]) -> float:
    """R² of the regression on ``subset`` from predictor correlations and r(x, y)."""
    if not subset:
        return 0.0
    sub = [[corr[i][j] + (RIDGE if i == j else 0.0) for j in subset] for i in subset]
    r = [target[i] for i in subset]
    beta = _solve(sub, r)
    return max(0.0, min(1.0, math.fsum(b * ri for b, ri in zip(beta, r, strict=True))))


def shapley_r2(
    rows: Sequence[Sequence[float]], outcome: Sequence[float]
) -> tuple[float, list[float]]:
    """The model R² and each predictor's Shapley share of it (the shares sum to R²)."""
    p = len(rows[0]) if rows else 0
    if p == 0:
        return 0.0, []
    if p > MAX_PREDICTORS:
        raise ValueError(f"at most {MAX_PREDICTORS} predictors")
    columns = [[row[j] for row in rows] for j in range(p)]
    corr = [
        [1.0 if i == j else _correlation(columns[i], columns[j]) for j in range(p)]
        for i in range(p)
    ]
    target = [_correlation(columns[j], outcome) for j in range(p)]
    cache: dict[tuple[int, ...], float] = {}
    for size in range(p + 1):
        for subset in combinations(range(p), size):
            cache[subset] = r_squared(corr, target, subset)
    fact = [math.factorial(k) for k in range(p + 1)]
    shares = []
    for j in range(p):
        total = 0.0
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = fact[size] * fact[p - size - 1] / fact[p]
            for subset in combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                total += weight * (cache[with_j] - cache[subset])
        shares.append(total)
    return cache[tuple(range(p))], shares


@dataclass(frozen=True)
class Driver:
    dimension: Hashable
    importance: float  # share of the explained variance, summing to 1 over the dimensions
    raw_r2: float  # the Shapley share of R² itself
    performance: float  # mean score
    is_fix_first: bool


@dataclass(frozen=True)
class DriverAnalysis:
    n: int
    r_squared: float
    drivers: list[Driver]

    @property
    def fix_first(self) -> list[Driver]:
        return [d for d in self.drivers if d.is_fix_first]


def key_drivers(
    answers: Sequence[Mapping[Any, float | None]],
    dimensions: Sequence[Hashable],
    outcome: Hashable,
    min_answers: int | None = None,
) -> DriverAnalysis | None:
    """Importance × performance of ``dimensions`` for ``outcome``; None with too few answers.

    A dimension is "fix first" when its importance is above the average (1/p) and its
    performance below the average of the dimensions' means; the list is by importance.
    """
    complete = [
        a
        for a in answers
        if a.get(outcome) is not None and all(a.get(d) is not None for d in dimensions)
    ]
    needed = min_answers if min_answers is not None else len(dimensions) + 2
    if not dimensions or len(complete) < max(needed, 3):
        return None
    rows = [[float(a[d]) for d in dimensions] for a in complete]  # type: ignore[arg-type]
    y = [float(a[outcome]) for a in complete]  # type: ignore[arg-type]
    total, shares = shapley_r2(rows, y)
    importance = [s / total if total > 0 else 0.0 for s in shares]
    performance = [math.fsum(row[j] for row in rows) / len(rows) for j in range(len(dimensions))]
    imp_bar = 1.0 / len(dimensions)
    perf_bar = math.fsum(performance) / len(performance)
    drivers = [
        Driver(
            dimension=d,
            importance=importance[j],
            raw_r2=shares[j],
            performance=performance[j],
            is_fix_first=total > 0 and importance[j] > imp_bar and performance[j] < perf_bar,
        )
        for j, d in enumerate(dimensions)
    ]
    drivers.sort(key=lambda d: -d.importance)
    return DriverAnalysis(len(complete), total, drivers)
