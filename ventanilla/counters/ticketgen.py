"""Queue tickets generated at scale: a stream of chunks, each written with its rollups.

An outlet's day is simulated as a queue: arrivals with a weekday pattern and morning and
afternoon peaks, one VIP window (too few for the VIPs' stricter target) beside shared
windows served in order of arrival, handling times lognormal around each business type's
standard time and longer at slow tellers, customers who give up or miss their call. The
random draws of a day are made with numpy; only the queue itself (which window frees
first) is a loop over the day's tickets.

``ticket_chunks`` yields chunks of whole outlet-days, so the rollups of a chunk are complete
and memory stays bounded by the chunk size whatever the number of months or outlets;
``write_chunks`` inserts each chunk's tickets and rollups by the bulk path (``COPY`` on
PostgreSQL, ``executemany`` elsewhere) and lets it go.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import numpy as np
from django.db import connection, models

from ventanilla.core.bulk import insert_rows
from ventanilla.counters import rollups
from ventanilla.counters.models import Outcome, QueueTicket
from ventanilla.counters.rollups import day_texts

OPEN_SECOND, CLOSE_SECOND = 9 * 3600, 17 * 3600
# Relative volume by weekday (Monday first): Monday and Friday busiest, Sunday quietest.
WEEKDAY_FACTORS = (1.15, 1.0, 0.95, 0.95, 1.1, 0.6, 0.45)
MEAN_WEEKDAY_FACTOR = sum(WEEKDAY_FACTORS) / 7
VIP_SHARE = 0.1
NO_SHOW_SHARE = 0.03
MEDIAN_PATIENCE_SECONDS = 30 * 60  # lognormal: few leave within minutes
HANDLING_SIGMA = 0.35
NO_SHOW_SECONDS = 60  # the window waits this long for a customer who does not come
CHUNK_ROWS = 50_000

# Outcome codes in the arrays, and their stored values.
SERVED, NO_SHOW, ABANDONED = 0, 1, 2
OUTCOME_VALUES = (str(Outcome.SERVED), str(Outcome.NO_SHOW), str(Outcome.ABANDONED))

TICKET_FIELDS = (
    "outlet_id",
    "service_on",
    "ticket_number",
    "business_type_id",
    "is_vip",
    "customer_ref",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller_id",
    "outcome",
)


@dataclass(frozen=True)
class TypeTable:
    """The business types tickets are drawn from: regular ones by weight, VIP ones evenly."""

    ids: np.ndarray  # business type pks
    standard: np.ndarray  # standard handling seconds, same order
    regular: np.ndarray  # indexes into ``ids`` of the types regular customers come for
    regular_p: np.ndarray  # their probabilities
    vip: np.ndarray  # indexes of the VIP types

    @classmethod
    def build(
        cls,
        types: Sequence[tuple[int, int, bool]],
        weights: Sequence[float],
    ) -> TypeTable:
        """``types``: (pk, standard seconds, is a VIP type); ``weights`` for every type (used
        for the regular ones)."""
        if not types:
            raise ValueError("at least one business type is needed")
        ids = np.array([t[0] for t in types], dtype=np.int64)
        standard = np.array([max(1, t[1]) for t in types], dtype=np.float64)
        is_vip = np.array([t[2] for t in types], dtype=bool)
        regular = np.flatnonzero(~is_vip)
        if regular.size == 0:
            regular = np.arange(len(types))
        vip = np.flatnonzero(is_vip)
        if vip.size == 0:
            vip = regular
        w = np.array(weights, dtype=np.float64)[regular]
        return cls(ids=ids, standard=standard, regular=regular, regular_p=w / w.sum(), vip=vip)


@dataclass(frozen=True)
class OutletPlan:
    """How busy an outlet is and who works its windows."""

    outlet_id: int
    tellers: tuple[int, ...]  # employee pks of its active tellers
    speed: tuple[float, ...]  # each teller's handling time factor (1.3 and more: slow)
    daily_tickets: float  # mean tickets a day over the week
    weekday_windows: int  # shared windows open on weekdays, besides the VIP window
    weekend_windows: int
    seed: int


@dataclass
class Chunk:
    """Tickets of whole outlet-days, as columns. Times are seconds after local midnight
    (-1: none); ``utc_midnight`` is the epoch second of each ticket's local midnight."""

    outlet_id: np.ndarray
    day: np.ndarray  # proleptic ordinal of the service date
    utc_midnight: np.ndarray
    number: np.ndarray  # the ticket's number within its day and queue (VIP or regular)
    type_index: np.ndarray  # into ``TypeTable.ids``
    is_vip: np.ndarray
    issued: np.ndarray
    called: np.ndarray
    started: np.ndarray
    ended: np.ndarray
    window: np.ndarray  # 0: none; 1 the VIP window, 2... the shared ones
    teller_id: np.ndarray  # -1: none
    outcome: np.ndarray

    def __len__(self) -> int:
        return int(self.outlet_id.size)


def plan_outlet(
    rng: np.random.Generator,
    outlet_id: int,
    tellers: Sequence[int],
    *,
    types: TypeTable,
    monthly_tickets: float,
    slow_share: float = 0.15,
) -> OutletPlan:
    """An outlet of about ``monthly_tickets`` a month with windows enough for its mean load
    but not its peaks; about ``slow_share`` of its tellers are slow."""
    daily = monthly_tickets / 30
    slow = rng.random(len(tellers)) < slow_share
    speed = np.where(
        slow, rng.uniform(1.3, 1.6, len(tellers)), rng.uniform(0.85, 1.1, len(tellers))
    )
    # Windows for a Monday's mean load of regular customers, and some room for its peaks.
    handling = float((types.regular_p * types.standard[types.regular]).sum())
    handling *= math.exp(HANDLING_SIGMA**2 / 2) * float(speed.mean())
    mean_load = daily * (1 - VIP_SHARE) * WEEKDAY_FACTORS[0] / MEAN_WEEKDAY_FACTOR
    busy = mean_load * handling / (CLOSE_SECOND - OPEN_SECOND)
    shared = max(1, min(len(tellers) - 1, math.ceil(busy * 1.5)))
    return OutletPlan(
        outlet_id=outlet_id,
        tellers=tuple(int(t) for t in tellers),
        speed=tuple(float(s) for s in speed),
        daily_tickets=daily,
        weekday_windows=shared,
        weekend_windows=max(1, shared - 1),
        seed=int(rng.integers(2**31)),
    )


def _arrivals(rng: np.random.Generator, count: int) -> np.ndarray:
    """Seconds after midnight, sorted: peaks at 10:00 and 15:00 over a flat base."""
    pick = rng.random(count)
    seconds = np.where(
        pick < 0.4,
        rng.normal(10 * 3600, 2400, count),
        np.where(
            pick < 0.75,
            rng.normal(15 * 3600, 2700, count),
            rng.uniform(OPEN_SECOND, CLOSE_SECOND - 900, count),
        ),
    )
    return np.sort(np.clip(np.rint(seconds), OPEN_SECOND, CLOSE_SECOND - 300).astype(np.int64))


def simulate_day(
    rng: np.random.Generator, plan: OutletPlan, day: date, types: TypeTable
) -> dict[str, np.ndarray]:
    """One outlet's tickets of one day, as columns (see ``Chunk``)."""
    weekday = day.weekday()
    mean = plan.daily_tickets * WEEKDAY_FACTORS[weekday] / MEAN_WEEKDAY_FACTOR
    count = max(1, int(rng.poisson(mean)))
    issued = _arrivals(rng, count)
    is_vip = rng.random(count) < VIP_SHARE
    kinds = np.where(
        is_vip,
        rng.choice(types.vip, count),
        rng.choice(types.regular, count, p=types.regular_p),
    )
    patience = rng.lognormal(math.log(MEDIAN_PATIENCE_SECONDS), 0.5, count)
    no_show = rng.random(count) < NO_SHOW_SHARE
    delay = rng.uniform(10, 40, count)
    handling = types.standard[kinds] * rng.lognormal(0.0, HANDLING_SIGMA, count)
    shared_count = plan.weekend_windows if weekday >= 5 else plan.weekday_windows
    on_duty = rng.permutation(len(plan.tellers))[: shared_count + 1]
    window_teller = [plan.tellers[i] for i in on_duty]
    window_speed = [plan.speed[i] for i in on_duty]
    # Window 1 (index 0) serves VIPs; an outlet with one teller on duty serves everyone there.
    has_vip_window = len(on_duty) > 1
    shared = [(0.0, w) for w in range(1, len(on_duty))] or [(0.0, 0)]
    heapq.heapify(shared)
    vip_free = 0.0
    called = np.full(count, -1, dtype=np.int64)
    started = np.full(count, -1, dtype=np.int64)
    ended = np.full(count, -1, dtype=np.int64)
    window = np.zeros(count, dtype=np.int64)
    teller = np.full(count, -1, dtype=np.int64)
    outcome = np.zeros(count, dtype=np.int64)
    issued_list = issued.tolist()
    vip_list = is_vip.tolist()
    patience_list = patience.tolist()
    no_show_list = no_show.tolist()
    delay_list = delay.tolist()
    handling_list = handling.tolist()
    for i in range(count):
        at_vip = vip_list[i] and has_vip_window
        if at_vip:
            free, w = vip_free, 0
        else:
            free, w = heapq.heappop(shared)
        arrived = issued_list[i]
        call = max(arrived, free)
        if call - arrived > patience_list[i]:
            outcome[i] = ABANDONED
            busy_until = free
        else:
            called[i] = round(call)
            window[i] = w + 1
            teller[i] = window_teller[w]
            if no_show_list[i]:
                outcome[i] = NO_SHOW
                busy_until = call + NO_SHOW_SECONDS
            else:
                begin = round(call + delay_list[i])
                end = round(begin + handling_list[i] * window_speed[w])
                started[i], ended[i] = begin, end
                busy_until = end
        if at_vip:
            vip_free = busy_until
        else:
            heapq.heappush(shared, (busy_until, w))
    number = np.empty(count, dtype=np.int64)
    number[is_vip] = np.arange(1, int(is_vip.sum()) + 1)
    number[~is_vip] = np.arange(1, int((~is_vip).sum()) + 1)
    return {
        "number": number,
        "type_index": kinds,
        "is_vip": is_vip,
        "issued": issued,
        "called": called,
        "started": started,
        "ended": ended,
        "window": window,
        "teller_id": teller,
        "outcome": outcome,
    }


def _utc_midnight(day: date, zone: tzinfo) -> int:
    return int(datetime.combine(day, time(0), tzinfo=zone).timestamp())


def ticket_chunks(
    plans: Iterable[OutletPlan],
    days: Sequence[date],
    types: TypeTable,
    *,
    zone: tzinfo,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Chunks of about ``chunk_rows`` tickets (whole outlet-days) for every plan and day.

    Deterministic: each outlet's draws come from its plan's seed.
    """
    midnights = {day: _utc_midnight(day, zone) for day in days}
    parts: list[dict[str, np.ndarray]] = []
    rows = 0
    for plan in plans:
        rng = np.random.default_rng(plan.seed)
        for day in days:
            columns = simulate_day(rng, plan, day, types)
            n = columns["issued"].size
            columns["outlet_id"] = np.full(n, plan.outlet_id, dtype=np.int64)
            columns["day"] = np.full(n, day.toordinal(), dtype=np.int64)
            columns["utc_midnight"] = np.full(n, midnights[day], dtype=np.int64)
            parts.append(columns)
            rows += n
            if rows >= chunk_rows:
                yield _join(parts)
                parts, rows = [], 0
    if parts:
        yield _join(parts)


def _join(parts: list[dict[str, np.ndarray]]) -> Chunk:
    return Chunk(**{name: np.concatenate([p[name] for p in parts]) for name in parts[0]})


# Rows for the database ---------------------------------------------------------------------


def _stamps(chunk: Chunk, seconds: np.ndarray, suffix: str) -> list[str | None]:
    """UTC timestamps as text, None where ``seconds`` is -1."""
    epoch = (chunk.utc_midnight + seconds).astype("datetime64[s]")
    text = np.datetime_as_string(epoch, unit="s").tolist()
    missing = (seconds < 0).tolist()
    return [
        None if gone else f"{value[:10]} {value[11:]}{suffix}"
        for value, gone in zip(text, missing, strict=True)
    ]


def ticket_rows(chunk: Chunk, types: TypeTable, *, suffix: str = "") -> Iterator[tuple]:
    """The chunk's tickets in ``TICKET_FIELDS`` order, values ready for the database (UTC
    timestamps as text, with ``suffix`` such as "+00" for PostgreSQL)."""
    issued = _stamps(chunk, chunk.issued, suffix)
    called = _stamps(chunk, chunk.called, suffix)
    started = _stamps(chunk, chunk.started, suffix)
    ended = _stamps(chunk, chunk.ended, suffix)
    days = day_texts(chunk.day)
    type_ids = types.ids[chunk.type_index].tolist()
    vip = chunk.is_vip.tolist()
    numbers = chunk.number.tolist()
    windows = chunk.window.tolist()
    tellers = chunk.teller_id.tolist()
    outcomes = chunk.outcome.tolist()
    for i, outlet_id in enumerate(chunk.outlet_id.tolist()):
        yield (
            outlet_id,
            days[i],
            f"{'V' if vip[i] else 'A'}{numbers[i]:03d}",
            type_ids[i],
            vip[i],
            "",
            issued[i],
            called[i],
            started[i],
            ended[i],
            str(windows[i]) if windows[i] else "",
            tellers[i] if tellers[i] >= 0 else None,
            OUTCOME_VALUES[outcomes[i]],
        )


def rollup_rows(chunk: Chunk, types: TypeTable) -> list[tuple]:
    """The chunk's day rollups in ``rollups.DAY_FIELDS`` order (the cells
    ``rollups_from_rows`` gives, packed)."""
    begin = np.where(chunk.started >= 0, chunk.started, chunk.called)
    return rollups.day_rollup_rows(
        rollups.TicketColumns(
            outlet_id=chunk.outlet_id,
            day=chunk.day,
            half_hour=chunk.issued // 1800,
            type_id=types.ids[chunk.type_index],
            teller_id=chunk.teller_id,
            is_vip=chunk.is_vip,
            outcome=chunk.outcome,
            wait=np.where(chunk.called >= 0, chunk.called - chunk.issued, np.nan),
            handle=np.where(chunk.ended >= 0, chunk.ended - begin, np.nan),
            window=chunk.window,
            window_labels=[""] + [str(w) for w in range(1, int(chunk.window.max(initial=0)) + 1)],
        )
    )


def insert_prepared(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert one chunk's rows, whose values are already in the database's form (text,
    numbers and booleans), by the bulk path; returns how many."""
    chunk = list(rows)
    insert_rows(model, fields, chunk, prepared=True)
    return len(chunk)


@dataclass
class Written:
    tickets: int = 0
    rollups: int = 0


def write_chunks(chunks: Iterable[Chunk], types: TypeTable) -> Written:
    """Insert each chunk's tickets and rollups, then drop it."""
    suffix = "+00" if connection.vendor == "postgresql" else ""
    written = Written()
    for chunk in chunks:
        written.tickets += insert_prepared(
            QueueTicket, TICKET_FIELDS, ticket_rows(chunk, types, suffix=suffix)
        )
        written.rollups += rollups.day_rollups_insert(rollup_rows(chunk, types))
    return written


def all_days(last: date, count: int) -> list[date]:
    """``count`` days ending with ``last``, oldest first."""
    return [last - timedelta(days=n) for n in range(count - 1, -1, -1)]
