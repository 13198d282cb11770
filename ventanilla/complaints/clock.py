"""The complaint clock: working days of the Chinese calendar, due times, pauses, extensions.

Pure computation, no Django: the services call it with plain values, and it is tested and
benchmarked on its own.

The calendar follows the State Council's notices on public holidays. A public holiday is a
day off even on a weekday; a make-up working day (调休上班) is a working Saturday or Sunday.
Every other Saturday and Sunday is a day off.

Counting rule: the day of receipt is day 0; a limit of N days ends at the end (23:59:59,
local time) of the N-th day after it, counted in calendar days or in working days as the
policy says. Time spent in a paused state (external appraisal, testing) does not count: the
due time moves later by the paused duration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CALENDAR = "calendar"
WORKING = "working"


def _span(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号).
_HOLIDAYS_2025 = [
    date(2025, 1, 1),  # New Year
    *_span(date(2025, 1, 28), date(2025, 2, 4)),  # Spring Festival
    *_span(date(2025, 4, 4), date(2025, 4, 6)),  # Qingming
    *_span(date(2025, 5, 1), date(2025, 5, 5)),  # Labour Day
    *_span(date(2025, 5, 31), date(2025, 6, 2)),  # Dragon Boat
    *_span(date(2025, 10, 1), date(2025, 10, 8)),  # National Day and Mid-Autumn
]
_MAKEUP_2025 = [
    date(2025, 1, 26),  # Sunday, Spring Festival
    date(2025, 2, 8),  # Saturday, Spring Festival
    date(2025, 4, 27),  # Sunday, Labour Day
    date(2025, 9, 28),  # Sunday, National Day
    date(2025, 10, 11),  # Saturday, National Day
]

# 国务院办公厅关于2026年部分节假日安排的通知 (published November 2025).
_HOLIDAYS_2026 = [
    *_span(date(2026, 1, 1), date(2026, 1, 3)),  # New Year
    *_span(date(2026, 2, 15), date(2026, 2, 23)),  # Spring Festival
    *_span(date(2026, 4, 4), date(2026, 4, 6)),  # Qingming
    *_span(date(2026, 5, 1), date(2026, 5, 5)),  # Labour Day
    *_span(date(2026, 6, 19), date(2026, 6, 21)),  # Dragon Boat
    *_span(date(2026, 9, 25), date(2026, 9, 27)),  # Mid-Autumn
    *_span(date(2026, 10, 1), date(2026, 10, 7)),  # National Day
]
_MAKEUP_2026 = [
    date(2026, 1, 4),  # Sunday, New Year
    date(2026, 2, 14),  # Saturday, Spring Festival
    date(2026, 2, 28),  # Saturday, Spring Festival
    date(2026, 5, 9),  # Saturday, Labour Day
    date(2026, 9, 20),  # Sunday, National Day
    date(2026, 10, 10),  # Saturday, National Day
]

# 2027 is PROVISIONAL: the State Council publishes the schedule late in the previous year.
# Until then only the statutory holidays of the 2025 rules are listed (on their lunar
# dates: Spring Festival eve 5 February, Qingming 5 April, Dragon Boat 9 June,
# Mid-Autumn 15 September), without bridging days or make-up working days. Replace these
# lists with the published notice when it appears.
_HOLIDAYS_2027 = [
    date(2027, 1, 1),  # New Year
    *_span(date(2027, 2, 5), date(2027, 2, 8)),  # Spring Festival (eve to 3rd day)
    date(2027, 4, 5),  # Qingming
    *_span(date(2027, 5, 1), date(2027, 5, 2)),  # Labour Day
    date(2027, 6, 9),  # Dragon Boat
    date(2027, 9, 15),  # Mid-Autumn
    *_span(date(2027, 10, 1), date(2027, 10, 3)),  # National Day
]
_MAKEUP_2027: list[date] = []

HOLIDAYS: frozenset[date] = frozenset(_HOLIDAYS_2025 + _HOLIDAYS_2026 + _HOLIDAYS_2027)
MAKEUP_WORKDAYS: frozenset[date] = frozenset(_MAKEUP_2025 + _MAKEUP_2026 + _MAKEUP_2027)
PROVISIONAL_YEARS = frozenset({2027})


def is_working_day(day: date) -> bool:
    if day in MAKEUP_WORKDAYS:
        return True
    if day in HOLIDAYS:
        return False
    return day.weekday() < 5


def add_days(start: date, days: int, kind: str) -> date:
    """The date ``days`` calendar or working days after ``start`` (``start`` is day 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    if kind == CALENDAR:
        return start + timedelta(days=days)
    if kind != WORKING:
        raise ValueError(f"unknown day kind {kind!r}")
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


@dataclass(frozen=True)
class Pause:
    """An interval in which the clock stood still; ``end`` is None while it still does."""

    start: datetime
    end: datetime | None = None

    def duration(self, now: datetime) -> timedelta:
        end = self.end if self.end is not None else now
        return max(end - self.start, timedelta(0))


def paused_time(pauses: Iterable[Pause], now: datetime) -> timedelta:
    total = timedelta(0)
    for pause in pauses:
        total += pause.duration(now)
    return total


def limit_days(base_days: int, extension_days: Sequence[int], extensions_granted: int) -> int:
    """The limit after the first ``extensions_granted`` extension steps."""
    if extensions_granted < 0 or extensions_granted > len(extension_days):
        raise ValueError("more extensions granted than the policy has steps")
    return base_days + sum(extension_days[:extensions_granted])


def due_at(
    *,
    received_at: datetime,
    days: int,
    kind: str,
    tz: ZoneInfo,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> datetime:
    """When a limit of ``days`` from ``received_at`` runs out, after the paused time.

    An open pause keeps moving the due time until ``now`` (required when a pause is open).
    """
    pauses = list(pauses)
    if any(p.end is None for p in pauses) and now is None:
        raise ValueError("now is required while a pause is open")
    local_day = received_at.astimezone(tz).date()
    base = end_of_day(add_days(local_day, days, kind), tz)
    return base + paused_time(pauses, now or received_at)


def remaining(due: datetime, now: datetime) -> timedelta:
    """Time left until ``due``; negative once it has passed."""
    return due - now


def elapsed_share(received_at: datetime, due: datetime, now: datetime) -> float:
    """How much of the allowed time is used up (0.0 at receipt, 1.0 at the due time)."""
    total = (due - received_at).total_seconds()
    if total <= 0:
        return 1.0
    return max((now - received_at).total_seconds() / total, 0.0)
