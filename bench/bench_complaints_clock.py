"""The complaint clock: due times per second over working days, holidays and pauses.

Run it alone: ``.venv/bin/python bench/bench_complaints_clock.py [--cases N]``.
Pure computation (no database): the same random cases (seeded) are computed in calendar
days and in working days, with and without a pause, as the escalation job does for every
open complaint of a province.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ventanilla.complaints import clock  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(1)
    start = datetime(2025, 1, 1, tzinfo=TZ)
    cases = []
    for _ in range(args.cases):
        received = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        pause_start = received + timedelta(hours=rng.randrange(0, 200))
        pause = clock.Pause(pause_start, pause_start + timedelta(hours=rng.randrange(1, 100)))
        cases.append((received, rng.choice([15, 30, 60]), pause))
    rates: dict[tuple[str, bool], float] = {}
    for kind in (clock.CALENDAR, clock.WORKING):
        for with_pause in (False, True):
            began = time.perf_counter()
            for received, days, pause in cases:
                clock.due_at(
                    received_at=received,
                    days=days,
                    kind=kind,
                    tz=TZ,
                    pauses=[pause] if with_pause else (),
                )
            elapsed = time.perf_counter() - began
            label = f"{kind:8} {'paused' if with_pause else 'plain':6}"
            rates[(kind, with_pause)] = args.cases / elapsed
            print(f"{label}  {args.cases / elapsed:12,.0f} due times/s")
    # The baseline is the plainest case, calendar days without a pause, in this same run.
    baseline = rates[(clock.CALENDAR, False)]
    for (kind, with_pause), rate in rates.items():
        if (kind, with_pause) != (clock.CALENDAR, False):
            label = f"{kind} {'paused' if with_pause else 'plain'}"
            print(f"ratio calendar plain / {label}: {baseline / rate:.1f}x")


if __name__ == "__main__":
    main()
