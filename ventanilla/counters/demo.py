"""The counters share of the demo: a month of queue tickets at Xiangcheng's outlets.

Customers arrive with peaks at 9-11 and 14-16 (fewer at weekends), about one in ten is a
VIP served at the one VIP window (too few for them, as the source plan found), handling
times are lognormal around each business type's standard time, a few tellers are slow,
some customers give up or do not answer their call, and tellers make the odd error. The
queue is simulated window by window, so waits and windows open follow from the load.
Tickets and rollups are written in bulk, the rollups built in one pass in memory.
"""

from __future__ import annotations

import heapq
import math
import random
from datetime import date, datetime, timedelta, tzinfo

from django.utils import timezone

from ventanilla.counters.models import (
    BusinessType,
    ErrorKind,
    Outcome,
    QueueRollup,
    QueueTicket,
    Segment,
    Severity,
    TellerError,
)
from ventanilla.counters.rollups import rollups_from_rows, rollups_insert
from ventanilla.counters.services import tickets_insert
from ventanilla.demo.generator import XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import Employee, OrgUnit

DAYS = 30
WEEKDAY_ARRIVALS = 78
WEEKEND_ARRIVALS = 45
OPEN_MINUTE, CLOSE_MINUTE = 9 * 60, 17 * 60
WEEKDAY_WINDOWS = 3  # the VIP window and two shared ones: queues form at the peaks
WEEKEND_WINDOWS = 2
VIP_SHARE = 0.1
SLOW_TELLER_SHARE = 0.15
NO_SHOW_SHARE = 0.03
MEDIAN_PATIENCE_SECONDS = 30 * 60  # lognormal: few leave within minutes
# The most common counter business, by how often customers come for it.
POPULAR = {"P03": 10, "P06": 10, "P07": 8, "P23": 6, "P12": 4, "P04": 4, "P28": 3, "P13": 3}


def _arrival_minute(rng: random.Random) -> float:
    """Minutes after midnight: morning and afternoon peaks over a flat base."""
    pick = rng.random()
    if pick < 0.4:
        minute = rng.gauss(10 * 60, 40)
    elif pick < 0.75:
        minute = rng.gauss(15 * 60, 45)
    else:
        minute = rng.uniform(OPEN_MINUTE, CLOSE_MINUTE - 15)
    return min(max(minute, OPEN_MINUTE), CLOSE_MINUTE - 5)


def build(ctx: DemoContext) -> None:
    types = list(BusinessType.objects.filter(is_active=True).order_by("code"))
    if not types:
        return
    regular = [t for t in types if t.segment != Segment.VIP]
    vip_types = [t for t in types if t.segment == Segment.VIP] or regular
    weights = [POPULAR.get(t.code, 3 if t.segment == Segment.PERSONAL else 1) for t in regular]
    teller_post = ctx.posts["teller"].pk
    zone = timezone.get_default_timezone()
    last_day = ctx.as_of - timedelta(days=1)
    days = [last_day - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    tickets: list[QueueTicket] = []
    errors: list[TellerError] = []
    for outlet in ctx.outlets.get(XIANGCHENG_CODE, []):
        rng = ctx.rng("counters", outlet.code)
        tellers = [e for e in ctx.active_staff(outlet.code) if e.post_id == teller_post]
        if not tellers:
            continue
        speed = {
            e.pk: rng.uniform(1.3, 1.6)
            if rng.random() < SLOW_TELLER_SHARE
            else rng.uniform(0.85, 1.1)
            for e in tellers
        }
        for day in days:
            tickets += _day(rng, outlet.pk, day, tellers, speed, regular, weights, vip_types, zone)
        errors += _errors(rng, outlet, tellers, days, regular)
    tickets_insert(tickets)
    rollups_insert(
        rollups_from_rows(
            (
                (
                    t.outlet_id,
                    t.service_on,
                    t.issued_at,
                    t.called_at,
                    t.started_at,
                    t.ended_at,
                    t.business_type_id,
                    t.teller_id,
                    t.is_vip,
                    t.outcome,
                    t.window,
                )
                for t in tickets
            ),
            zone=zone,
        )
    )
    TellerError.objects.bulk_create(errors, batch_size=1000)


def _day(
    rng: random.Random,
    outlet_id: int,
    day: date,
    tellers: list[Employee],
    speed: dict[int, float],
    regular: list[BusinessType],
    weights: list[int],
    vip_types: list[BusinessType],
    zone: tzinfo,
) -> list[QueueTicket]:
    weekend = day.weekday() >= 5
    count = max(1, round(rng.gauss(WEEKEND_ARRIVALS if weekend else WEEKDAY_ARRIVALS, 8)))
    opened = rng.sample(tellers, min(len(tellers), WEEKEND_WINDOWS if weekend else WEEKDAY_WINDOWS))
    # Window 1 is the VIP window; the others serve everyone else in order of arrival. An
    # outlet with one teller open serves VIPs in the shared queue.
    vip_window = (0.0, "1", opened[0])
    has_vip_window = len(opened) > 1
    shared = [(0.0, str(n + 2), teller) for n, teller in enumerate(opened[1:])] or [vip_window]
    heapq.heapify(shared)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    arrivals = sorted(_arrival_minute(rng) * 60 for _ in range(count))
    vip_free = 0.0
    numbers = {True: 0, False: 0}
    made = []
    for issued in arrivals:
        is_vip = rng.random() < VIP_SHARE
        numbers[is_vip] += 1
        kind = rng.choice(vip_types) if is_vip else rng.choices(regular, weights)[0]
        number = f"{'V' if is_vip else 'A'}{numbers[is_vip]:03d}"
        if is_vip and has_vip_window:
            free, window, teller = vip_free, vip_window[1], vip_window[2]
        else:
            free, window, teller = heapq.heappop(shared)
        called = max(issued, free)
        patience = rng.lognormvariate(math.log(MEDIAN_PATIENCE_SECONDS), 0.5)
        outcome = Outcome.SERVED
        if called - issued > patience:
            outcome, busy_until = Outcome.ABANDONED, free
        elif rng.random() < NO_SHOW_SHARE:
            outcome, busy_until = Outcome.NO_SHOW, called + 60
        else:
            begin = called + rng.uniform(10, 40)
            median = kind.standard_seconds * speed[teller.pk]
            handle = rng.lognormvariate(math.log(median), 0.35)
            busy_until = begin + handle
        if is_vip and has_vip_window:
            vip_free = busy_until
        else:
            heapq.heappush(shared, (busy_until, window, teller))
        served = outcome == Outcome.SERVED
        made.append(
            QueueTicket(
                outlet_id=outlet_id,
                service_on=day,
                ticket_number=number,
                business_type_id=kind.pk,
                is_vip=is_vip,
                issued_at=start + timedelta(seconds=round(issued)),
                called_at=None
                if outcome == Outcome.ABANDONED
                else start + timedelta(seconds=round(called)),
                started_at=start + timedelta(seconds=round(begin)) if served else None,
                ended_at=start + timedelta(seconds=round(busy_until)) if served else None,
                window="" if outcome == Outcome.ABANDONED else window,
                teller_id=None if outcome == Outcome.ABANDONED else teller.pk,
                outcome=outcome,
            )
        )
    return made


def _errors(
    rng: random.Random,
    outlet: OrgUnit,
    tellers: list[Employee],
    days: list[date],
    types: list[BusinessType],
) -> list[TellerError]:
    kinds = list(ErrorKind.values)
    made = []
    for teller in tellers:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            made.append(
                TellerError(
                    outlet=outlet,
                    teller=teller,
                    business_type=rng.choice(types),
                    occurred_on=rng.choice(days),
                    kind=rng.choice(kinds),
                    severity=rng.choices(list(Severity.values), [6, 3, 1])[0],
                )
            )
    return made


def purge(root_path: str) -> None:
    QueueRollup.objects.filter(outlet__path__startswith=root_path).delete()
    QueueTicket.objects.filter(outlet__path__startswith=root_path).delete()
    TellerError.objects.filter(outlet__path__startswith=root_path).delete()


DEMO_STEP = HistoryStep(name="counters", build=build, purge=purge)
