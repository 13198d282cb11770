"""Fair peer rankings: empirical-Bayes shrunk means and competition ranks. No Django.

Each unit's mean is pulled toward the peer mean in proportion to how little it is known
(normal-normal model): with within-unit variance σ² (pooled) and between-unit variance τ²
(method of moments, precision-weighted), unit i's shrunk mean is ``m + B_i (x̄_i - m)``,
``B_i = n_i / (n_i + σ²/τ²)``. A unit with 8 answers therefore moves little from the peer
mean, while one with 300 keeps almost all of its own.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

TIE_DECIMALS = 6


@dataclass(frozen=True)
class UnitSample:
    unit: Hashable
    scores: Sequence[float]


@dataclass(frozen=True)
class RankedUnit:
    unit: Hashable
    n: int
    mean: float
    shrunk: float
    weight: float  # B_i, the share of its own mean a unit keeps
    rank: int


@dataclass(frozen=True)
class Shrinkage:
    peer_mean: float
    within_variance: float  # σ²
    between_variance: float  # τ²


def estimate(samples: Sequence[UnitSample]) -> Shrinkage | None:
    """The peer mean (weighted by n), pooled σ² and τ² by the precision-weighted method of
    moments (DerSimonian-Laird), floored at 0.

    Weighting each unit by its precision ``n/σ²`` keeps a small unit's extreme mean from
    inflating τ², which would otherwise shrink that very unit too little.
    """
    used = [s for s in samples if len(s.scores) > 0]
    if not used:
        return None
    means = [math.fsum(s.scores) / len(s.scores) for s in used]
    sizes = [len(s.scores) for s in used]
    total = sum(sizes)
    peer_mean = math.fsum(m * n for m, n in zip(means, sizes, strict=True)) / total
    dof = total - len(used)
    ss_within = math.fsum((v - m) ** 2 for m, s in zip(means, used, strict=True) for v in s.scores)
    within = ss_within / dof if dof > 0 else 0.0
    k = len(used)
    if k < 2:
        return Shrinkage(peer_mean, within, 0.0)
    if within <= 0.0:  # every unit's answers are constant: the means are known exactly
        spread = math.fsum((m - peer_mean) ** 2 for m in means) / (k - 1)
        return Shrinkage(peer_mean, 0.0, spread)
    weights = [n / within for n in sizes]
    sum_w = math.fsum(weights)
    q = math.fsum(w * (m - peer_mean) ** 2 for w, m in zip(weights, means, strict=True))
    denominator = sum_w - math.fsum(w * w for w in weights) / sum_w
    between = (q - (k - 1)) / denominator if denominator > 0 else 0.0
    return Shrinkage(peer_mean, within, max(between, 0.0))


def shrink_weight(n: int, shrinkage: Shrinkage) -> float:
    if shrinkage.within_variance <= 0.0:
        return 1.0
    if shrinkage.between_variance <= 0.0:
        return 0.0
    return n / (n + shrinkage.within_variance / shrinkage.between_variance)


def competition_ranks(values: Sequence[float]) -> list[int]:
    """Ranks, highest first, where ties share the best place (1, 2, 2, 4)."""
    rounded = [round(v, TIE_DECIMALS) for v in values]
    return [1 + sum(1 for other in rounded if other > v) for v in rounded]


def rank_peers(samples: Sequence[UnitSample]) -> list[RankedUnit]:
    """The units with answers, ordered by shrunk mean (best first); units without answers
    are left out, as there is nothing to rank them on."""
    shrinkage = estimate(samples)
    if shrinkage is None:
        return []
    used = [s for s in samples if len(s.scores) > 0]
    rows = []
    for s in used:
        n = len(s.scores)
        mean = math.fsum(s.scores) / n
        weight = shrink_weight(n, shrinkage)
        rows.append(
            (s.unit, n, mean, shrinkage.peer_mean + weight * (mean - shrinkage.peer_mean), weight)
        )
    ranks = competition_ranks([r[3] for r in rows])
    ranked = [
        RankedUnit(unit, n, mean, shrunk, weight, rank)
        for (unit, n, mean, shrunk, weight), rank in zip(rows, ranks, strict=True)
    ]
    return sorted(ranked, key=lambda r: (r.rank, -r.n))


def gap_to_rank(ranked: Sequence[RankedUnit], unit: Hashable, target: int) -> float | None:
    """How much the unit's shrunk score must rise to reach place ``target`` (0 if there).

    The bar is the shrunk score of the unit now in place ``target`` among the others; None
    when the unit is not ranked or there are fewer than ``target`` other units.
    """
    own = next((r for r in ranked if r.unit == unit), None)
    if own is None or target < 1:
        return None
    if own.rank <= target:
        return 0.0
    others = sorted((r.shrunk for r in ranked if r.unit != unit), reverse=True)
    if len(others) < target:
        return None
    return others[target - 1] - own.shrunk
