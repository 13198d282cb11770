"""Slow tellers: each teller's transaction times against peers doing the same business.

A teller who handles many corporate account openings is slower on average than one who
mostly takes deposits; comparing raw means would flag the wrong people. So the comparison
is standardised by mix (indirect standardisation): for each business type the teller
handled, the peers' mean time for that type, weighted by the teller's own count, gives the
time the teller would have taken at the peers' pace. Under the hypothesis that the teller's
transactions come from the peers' distribution per type, the excess of the observed total
over that expectation has variance ``sum(n_type * peer_variance_type)``; the one-sided
z-test of it (normal by the central limit theorem once the sample is large enough) is why a
teller is not flagged on ten tickets. The benchmark bank's standard times give a second,
absolute ratio. No Django import: tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

MIN_TICKETS = 30  # below this the teller is shown, never flagged
MIN_PEER_TICKETS = 10  # a type the peers handled less often is left out of the comparison
ALPHA = 0.01
MIN_EXCESS = 1.10  # flag only a practically relevant slowness: 10% slower than peers


@dataclass(frozen=True)
class Cell:
    """One teller's transactions of one business type: count, sum and sum of squares (s)."""

    teller: Hashable
    business_type: Hashable
    count: int
    total: float
    squares: float


@dataclass
class TellerSlowness:
    teller: Hashable
    tickets: int
    compared: int  # tickets of types the peers also handled enough
    observed_seconds: float
    expected_seconds: float  # at the peers' pace, for the same mix
    standard_seconds: float | None  # at the benchmark's standard times, for the same mix
    z: float | None
    p_value: float | None
    is_slow: bool
    per_type: dict[Hashable, tuple[int, float, float]] = field(default_factory=dict)

    @property
    def ratio_to_peers(self) -> float | None:
        if not self.expected_seconds:
            return None
        return self.observed_seconds / self.expected_seconds

    @property
    def ratio_to_standard(self) -> float | None:
        if not self.standard_seconds:
            return None
        return self.observed_seconds / self.standard_seconds


def normal_upper_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def slow_tellers(
    cells: Iterable[Cell],
    *,
    standards: dict[Hashable, float] | None = None,
    min_tickets: int = MIN_TICKETS,
    min_peer_tickets: int = MIN_PEER_TICKETS,
    alpha: float = ALPHA,
    min_excess: float = MIN_EXCESS,
) -> list[TellerSlowness]:
    """Every teller's mix-adjusted comparison with their peers, slowest (by z) first."""
    cells = [c for c in cells if c.count > 0]
    by_type: dict[Hashable, list[float]] = {}
    for c in cells:
        sums = by_type.setdefault(c.business_type, [0, 0.0, 0.0])
        sums[0] += c.count
        sums[1] += c.total
        sums[2] += c.squares
    by_teller: dict[Hashable, list[Cell]] = {}
    for c in cells:
        by_teller.setdefault(c.teller, []).append(c)
    results = []
    for teller, own in by_teller.items():
        observed = expected = variance = 0.0
        compared = 0
        per_type: dict[Hashable, tuple[int, float, float]] = {}
        for c in own:
            n_all, total_all, squares_all = by_type[c.business_type]
            n_peers = n_all - c.count
            if n_peers < min_peer_tickets:
                continue
            peer_mean = (total_all - c.total) / n_peers
            peer_var = max((squares_all - c.squares) / n_peers - peer_mean**2, 0.0)
            observed += c.total
            expected += c.count * peer_mean
            variance += c.count * peer_var
            compared += c.count
            per_type[c.business_type] = (c.count, c.total / c.count, peer_mean)
        tickets = sum(c.count for c in own)
        standard = None
        if standards is not None and compared:
            standard = sum(
                c.count * standards.get(c.business_type, 0.0)
                for c in own
                if c.business_type in per_type
            )
        z = p_value = None
        if compared and variance > 0:
            z = (observed - expected) / math.sqrt(variance)
            p_value = normal_upper_tail(z)
        is_slow = (
            compared >= min_tickets
            and p_value is not None
            and p_value < alpha
            and expected > 0
            and observed / expected >= min_excess
        )
        results.append(
            TellerSlowness(
                teller=teller,
                tickets=tickets,
                compared=compared,
                observed_seconds=observed,
                expected_seconds=expected,
                standard_seconds=standard,
                z=z,
                p_value=p_value,
                is_slow=is_slow,
                per_type=per_type,
            )
        )
    results.sort(key=lambda r: (-(r.z if r.z is not None else -math.inf), str(r.teller)))
    return results
