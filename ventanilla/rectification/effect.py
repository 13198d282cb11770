"""Did a measure move its figure? Before/after and difference in differences.

Pure computation, no Django. An :class:`Observation` is an indicator's value over a window
with the number of observations behind it and its standard error. The effect of a measure
is the change of the treated unit's figure from the window before its completion to an
equal window after; where peer units (the same kind of unit under the same parent) did not
run the measure, their average change over the same windows is subtracted (difference in
differences), which removes what moved everyone (season, a new queue machine, a campaign).

The verdict is "improved" or "worse" only when the estimated effect, in the direction the
measure was meant to move the figure, is at least 1.96 standard errors from zero (a
two-sided 95% test under a normal approximation), and "no clear change" otherwise; with no
observations on either side it is "not enough data".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Observation:
    value: float | None
    n: int
    se: float | None  # None when it cannot be estimated (e.g. one observation)

    @property
    def is_empty(self) -> bool:
        return self.value is None or self.n == 0


@dataclass(frozen=True)
class Effect:
    before: Observation
    after: Observation
    peer_before: float | None
    peer_after: float | None
    peers: int
    change: float | None  # after - before, for the treated unit
    did: float | None  # change - peers' change, when peers have data on both sides
    se: float | None  # standard error of the estimate used for the verdict
    z: float | None  # estimate / se, signed so that positive means "as intended"
    verdict: str  # improved / no_change / worse / no_data

    @property
    def estimate(self) -> float | None:
        return self.did if self.did is not None else self.change


def mean_observation(values: Sequence[float]) -> Observation:
    """The mean of raw values with the standard error of a mean."""
    n = len(values)
    if n == 0:
        return Observation(None, 0, None)
    mean = sum(values) / n
    if n < 2:
        return Observation(mean, n, None)
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return Observation(mean, n, math.sqrt(var / n))


def mean_from_sums(count: int, total: float, squares: float) -> Observation:
    """The mean from a count, a sum and a sum of squares (what rollups keep)."""
    if count == 0:
        return Observation(None, 0, None)
    mean = total / count
    if count < 2:
        return Observation(mean, count, None)
    var = max(squares - count * mean * mean, 0.0) / (count - 1)
    return Observation(mean, count, math.sqrt(var / count))


def share_observation(hits: int, n: int, *, scale: float = 1.0) -> Observation:
    """A share (e.g. on time) with its binomial standard error; ``scale=100`` for percent."""
    if n == 0:
        return Observation(None, 0, None)
    p = hits / n
    return Observation(p * scale, n, math.sqrt(p * (1 - p) / n) * scale)


def rate_observation(events: int, exposure: float, *, per: float = 1.0) -> Observation:
    """Events per unit of exposure (e.g. complaints per 30 days) with a Poisson error."""
    if exposure <= 0:
        return Observation(None, 0, None)
    return Observation(events / exposure * per, events, math.sqrt(events) / exposure * per)


def _combine_se(*ses: float | None) -> float | None:
    if any(s is None for s in ses):
        return None
    return math.sqrt(sum(s * s for s in ses if s is not None))


def _peer_mean(observations: Sequence[Observation]) -> tuple[float | None, float | None]:
    """Unweighted mean of the peers' values and its standard error."""
    if not observations:
        return None, None
    values = [o.value for o in observations if o.value is not None]
    mean = sum(values) / len(values)
    se = _combine_se(*(o.se for o in observations))
    return mean, (se / len(observations) if se is not None else None)


def effect(
    before: Observation,
    after: Observation,
    *,
    higher_is_better: bool,
    peers: Sequence[tuple[Observation, Observation]] = (),
) -> Effect:
    """The effect of a measure on its indicator, with the verdict.

    ``peers`` holds each peer unit's (before, after); a peer with no data on either side
    is left out, as it cannot say what would have happened without the measure.
    """
    usable = [(b, a) for b, a in peers if not b.is_empty and not a.is_empty]
    peer_before, se_pb = _peer_mean([b for b, _ in usable])
    peer_after, se_pa = _peer_mean([a for _, a in usable])
    if before.is_empty or after.is_empty:
        return Effect(
            before, after, peer_before, peer_after, len(usable), None, None, None, None, "no_data"
        )
    assert before.value is not None and after.value is not None  # noqa: S101 - is_empty
    change = after.value - before.value
    did = None
    if usable and peer_before is not None and peer_after is not None:
        did = change - (peer_after - peer_before)
        se = _combine_se(before.se, after.se, se_pb, se_pa)
    else:
        se = _combine_se(before.se, after.se)
    estimate = did if did is not None else change
    sign = 1.0 if higher_is_better else -1.0
    z: float | None
    if se is None:
        z = None
    elif se == 0:  # no spread at all: any change in the intended direction is certain
        z = math.copysign(math.inf, sign * estimate) if estimate else 0.0
    else:
        z = sign * estimate / se
    if z is None:
        verdict = "no_change"
    elif z >= Z_95:
        verdict = "improved"
    elif z <= -Z_95:
        verdict = "worse"
    else:
        verdict = "no_change"
    return Effect(before, after, peer_before, peer_after, len(usable), change, did, se, z, verdict)
