"""Calendar periods of the plans: a quarter is its first day up to the first day after it."""

from __future__ import annotations

from datetime import date


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The half-open window ``[first day, first day of the next quarter)``."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"a quarter is 1 to 4, got {quarter}")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end
