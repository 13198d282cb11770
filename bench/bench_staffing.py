"""How long window staffing takes: a week of half-hour slots for 1,000 outlets.

Run it alone: ``.venv/bin/python bench/bench_staffing.py [--outlets N] [--seed N] [--repeat N]``.
Each outlet opens 08:00-20:00 seven days a week: 7 × 24 half-hour slots, 168,000 slots for
1,000 outlets, with demand shaped like a bank outlet's (morning and afternoon peaks, quieter
weekends, outlets of different sizes) and a target of 80% served within 5 minutes. It prints:

* the time to size every slot with ``recommend_windows`` (the production path: validation,
  the search, and every figure for the chosen number), with Erlang C and with Erlang A (a
  10-minute mean patience);
* the search alone (``erlang_c_windows``, Erlang B carried from one window count to the next)
  against the naive search that recomputes Erlang C from scratch with factorials and powers for
  every window count tried, on the same slots, with their ratio and a check that both give the
  same windows; then the same pair on large pools (40 to 120 Erlangs: a whole sub-branch's
  demand or a call centre), where the naive cost grows with the square of the windows (and
  its powers overflow a float beyond about 140 windows, which the recursion never does).

Times are CPU seconds of this process (``time.process_time``), so that other work on a shared
machine does not inflate them; each is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ventanilla.counters.staffing import (  # noqa: E402
    ServiceTarget,
    SlotDemand,
    erlang_c_windows,
    recommend_windows,
)

OPEN_MINUTE = 8 * 60
SLOTS_PER_DAY = 24
TARGET = ServiceTarget(target_seconds=300.0, service_level=0.8)
PATIENCE_SECONDS = 600.0
T = TypeVar("T")
WEEKDAY_FACTOR = (1.15, 1.0, 0.95, 1.0, 1.1, 0.7, 0.55)


def week_of_demand(rng: random.Random, patience: float | None) -> list[SlotDemand]:
    """One outlet: 2 to 60 customers a half hour, mean handling 2.5 to 5.5 minutes."""
    size = rng.lognormvariate(math.log(18.0), 0.5)
    handling = rng.uniform(150.0, 330.0)
    slots = []
    for weekday in range(7):
        for index in range(SLOTS_PER_DAY):
            hour = 8 + index / 2
            peaks = math.exp(-((hour - 10.0) ** 2) / 2) + 0.8 * math.exp(-((hour - 15.0) ** 2) / 3)
            arrivals = size * WEEKDAY_FACTOR[weekday] * (0.35 + peaks) * rng.uniform(0.85, 1.15)
            slots.append(
                SlotDemand(
                    weekday=weekday,
                    start_minute=OPEN_MINUTE + 30 * index,
                    arrivals=round(arrivals, 1),
                    handling_seconds=round(handling * rng.uniform(0.9, 1.1), 1),
                    patience_seconds=patience,
                )
            )
    return slots


def naive_erlang_c(servers: int, load: float) -> float:
    """Erlang C straight from its textbook form (overflows beyond 170 windows)."""
    head = sum(load**k / math.factorial(k) for k in range(servers))
    tail = load**servers / math.factorial(servers) * servers / (servers - load)
    return tail / (head + tail)


def naive_windows(slot: SlotDemand, interval_seconds: float = 1800.0) -> int:
    rate = slot.arrivals / interval_seconds
    if rate == 0:
        return 0
    load = rate * slot.handling_seconds
    servers = math.floor(load) + 1
    while True:
        wait = naive_erlang_c(servers, load)
        drain = servers / slot.handling_seconds - rate
        if 1 - wait * math.exp(-drain * TARGET.target_seconds) >= TARGET.service_level:
            return servers
        servers += 1


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    started = time.process_time()
    result = work()
    best = time.process_time() - started
    for _ in range(repeat - 1):
        started = time.process_time()
        result = work()
        best = min(best, time.process_time() - started)
    return best, result


def search(slots: list[SlotDemand], interval_seconds: float = 1800.0) -> list[int]:
    return [
        erlang_c_windows(
            arrival_rate=slot.arrivals / interval_seconds,
            handling_seconds=slot.handling_seconds,
            target=TARGET,
        )
        for slot in slots
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--outlets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing (best kept)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    erlang_c_weeks = [week_of_demand(rng, None) for _ in range(args.outlets)]
    erlang_a_weeks = [
        [
            SlotDemand(s.weekday, s.start_minute, s.arrivals, s.handling_seconds, PATIENCE_SECONDS)
            for s in week
        ]
        for week in erlang_c_weeks
    ]
    flat = [slot for week in erlang_c_weeks for slot in week]
    slots = len(flat)
    large = [
        SlotDemand(0, 0, rng.uniform(40.0, 120.0) * 1800.0 / 240.0, 240.0) for _ in range(2000)
    ]

    rows: list[tuple[str, float, int]] = []
    c_seconds, c_plans = best_of(
        args.repeat, lambda: [recommend_windows(week, target=TARGET) for week in erlang_c_weeks]
    )
    rows.append(("recommend_windows, Erlang C", c_seconds, slots))
    a_seconds, a_plans = best_of(
        args.repeat, lambda: [recommend_windows(week, target=TARGET) for week in erlang_a_weeks]
    )
    rows.append(("recommend_windows, Erlang A", a_seconds, slots))
    fast_seconds, fast = best_of(args.repeat, lambda: search(flat))
    rows.append(("search, Erlang B recursion", fast_seconds, slots))
    naive_seconds, naive = best_of(args.repeat, lambda: [naive_windows(slot) for slot in flat])
    rows.append(("search, naive factorials", naive_seconds, slots))
    assert naive == fast, "the naive and the recursive search disagree"
    assert fast == [r.windows for plan in c_plans for r in plan]
    large_fast_seconds, large_fast = best_of(args.repeat, lambda: search(large))
    rows.append(("large pools: recursion", large_fast_seconds, len(large)))
    large_naive_seconds, large_naive = best_of(
        args.repeat, lambda: [naive_windows(slot) for slot in large]
    )
    rows.append(("large pools: naive factorials", large_naive_seconds, len(large)))
    assert large_naive == large_fast, "the naive and the recursive search disagree"

    c_windows = fast
    a_windows = [r.windows for plan in a_plans for r in plan]
    print(f"outlets {args.outlets}, slots {slots} (7 days x {SLOTS_PER_DAY} half hours), "
          f"target {TARGET.service_level:.0%} within {TARGET.target_seconds:.0f} s")  # fmt: skip
    print(
        f"windows per slot: Erlang C mean {sum(c_windows) / slots:.2f}, max {max(c_windows)}; "
        f"Erlang A (patience {PATIENCE_SECONDS:.0f} s) mean {sum(a_windows) / slots:.2f}; "
        f"large pools {min(large_fast)}-{max(large_fast)} windows"
    )
    print(f"{'CPU time':<32} {'seconds':>8} {'per second':>11} {'us each':>8}")
    for label, seconds, count in rows:
        print(f"{label:<32} {seconds:>8.3f} {count / seconds:>11.0f} {seconds / count * 1e6:>8.1f}")
    print(f"ratio naive / recursion, outlet slots: {naive_seconds / fast_seconds:.2f}x")
    print(f"ratio naive / recursion, large pools:  {large_naive_seconds / large_fast_seconds:.1f}x")
    print(f"ratio Erlang A / Erlang C, recommend_windows: {a_seconds / c_seconds:.1f}x")


if __name__ == "__main__":
    main()
