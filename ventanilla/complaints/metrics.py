"""The complaint figures as pure computation: rates, days to decision, percentiles.

No Django here: the selector feeds plain ``Case`` rows in and gets ``Tally`` sums out, so
the definitions can be tested and benchmarked on their own.

Definitions (the figures page, its XLSX and the ledger's summary use these):

- *complaints*: every complaint received in the period (merged and withdrawn included);
- *open*: still awaiting its decision (registered, accepted, investigating, external
  appraisal, reopened);
- *late*: decided after the due time, or still without a decision (clock running) past it;
- *on time*: decided by the due time; the on-time rate is on time ÷ (on time + late);
- *resolved*: the decision was sent (decision sent or closed); the resolution rate is
  resolved ÷ (complaints less merged and withdrawn), target 100%;
- *days to decision*: local calendar days from receipt to the decision (the ledger's
  "days taken"), averaged and at the 90th percentile (nearest rank);
- *repeats*: complaints that repeat an earlier one, with new facts (``repeat_of``) or
  merged into it without; the repeat rate is repeats ÷ complaints;
- *per 10,000 customers*: (complaints less merged) × 10,000 ÷ the customer base.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

OPEN = frozenset({"registered", "accepted", "investigating", "suspended", "reopened"})
RUNNING = frozenset({"registered", "accepted", "investigating", "reopened"})
RESOLVED = frozenset({"decision_sent", "closed"})
NOT_COUNTED = frozenset({"merged", "withdrawn"})


@dataclass(frozen=True)
class Case:
    """One complaint as the figures see it; dates are already local to the unit."""

    status: str
    due_at: datetime
    decision_sent_at: datetime | None
    received_on: date
    decided_on: date | None
    is_repeat: bool


def is_late(case: Case, now: datetime) -> bool:
    if case.decision_sent_at is not None:
        return case.decision_sent_at > case.due_at
    return case.status in RUNNING and case.due_at < now


@dataclass
class Tally:
    """Sums over a group of complaints; the rates are derived from them."""

    total: int = 0
    open: int = 0
    closed: int = 0
    withdrawn: int = 0
    merged: int = 0
    resolved: int = 0
    on_time: int = 0
    late: int = 0
    repeats: int = 0
    days: list[int] = field(default_factory=list)

    def add(self, case: Case, now: datetime) -> None:
        self.total += 1
        self.open += case.status in OPEN
        self.closed += case.status == "closed"
        self.withdrawn += case.status == "withdrawn"
        self.merged += case.status == "merged"
        self.resolved += case.status in RESOLVED
        self.repeats += case.is_repeat
        late = is_late(case, now)
        self.late += late
        if case.decision_sent_at is not None and not late:
            self.on_time += 1
        if case.decided_on is not None and case.status not in NOT_COUNTED:
            self.days.append((case.decided_on - case.received_on).days)

    @property
    def countable(self) -> int:
        """Complaints that need a decision: all but the merged and the withdrawn."""
        return self.total - self.merged - self.withdrawn

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.resolved, self.countable)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.on_time + self.late)

    @property
    def repeat_rate(self) -> float | None:
        return rate(self.repeats, self.total)

    @property
    def average_days(self) -> float | None:
        return sum(self.days) / len(self.days) if self.days else None

    @property
    def p90_days(self) -> int | None:
        return percentile(self.days, 90)

    def per_10k(self, customers: int | None) -> float | None:
        return per_10k(self.total - self.merged, customers)


def rate(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` as a percentage; None when there is nothing to divide."""
    if whole <= 0:
        return None
    return 100.0 * part / whole


def percentile(values: Iterable[int], pct: float) -> int | None:
    """The nearest-rank percentile: the smallest value with ``pct``% of values at or below."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {pct}")
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[rank - 1]


def per_10k(count: int, customers: int | None) -> float | None:
    if not customers:
        return None
    return 10_000 * count / customers


def tally(cases: Iterable[Case], now: datetime) -> Tally:
    result = Tally()
    for case in cases:
        result.add(case, now)
    return result
