"""VIP window selection: candidates ranked on business skill, speed, marketing, service and
image, with weights the manager chooses.

Pure computation, no Django. Business skill, marketing, service and image are a manager's
scores from 0 to 100. Speed comes from the teller's transaction times: the ratio of the time
the teller took to the standard time of the same transactions (1 = the benchmark bank's
pace) becomes a score ``100 × (1.5 − ratio)``, kept within 0 and 100: 50 at par, 100 at half
the standard time or faster, 0 at one and a half times the standard or slower. A teller with
too few timed transactions has no speed score and is listed unranked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CRITERIA = ("business_skill", "speed", "marketing", "service", "image")
MAX_WEIGHT = 10


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts; whole numbers from 0 to ``MAX_WEIGHT``, not all 0."""

    business_skill: int
    speed: int
    marketing: int
    service: int
    image: int

    def __post_init__(self) -> None:
        for name in CRITERIA:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"weight {name} must be a whole number, got {value!r}")
            if not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"weight {name} must be from 0 to {MAX_WEIGHT}, got {value!r}")
        if self.total == 0:
            raise ValueError("at least one weight must be above 0")

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in CRITERIA)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in CRITERIA}


def speed_score(dwell_ratio: float | None) -> float | None:
    """0 to 100 from transaction time against standard (see the module docstring)."""
    if dwell_ratio is None or dwell_ratio < 0:
        return None
    return max(0.0, min(100.0, 100.0 * (1.5 - dwell_ratio)))


def weighted_score(scores: Mapping[str, float | None], weights: Weights) -> float | None:
    """The weighted mean of the five scores; None when a weighted criterion has no score."""
    total = 0.0
    for name in CRITERIA:
        weight = getattr(weights, name)
        if weight == 0:
            continue
        value = scores.get(name)
        if value is None:
            return None
        total += weight * value
    return total / weights.total


def competition_ranks(totals: Sequence[float | None]) -> list[int | None]:
    """Ranks 1, 2, 2, 4 by descending total, None for a missing total; in input order."""
    order = sorted(
        (i for i, t in enumerate(totals) if t is not None),
        key=lambda i: -(totals[i] or 0.0),
    )
    ranks: list[int | None] = [None] * len(totals)
    previous: float | None = None
    rank = 0
    for position, index in enumerate(order, start=1):
        value = round(totals[index] or 0.0, 9)
        if value != previous:
            rank = position
            previous = value
        ranks[index] = rank
    return ranks
