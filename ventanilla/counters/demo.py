"""The counters share of the demo: a year of queue tickets at Xiangcheng's outlets.

Xiangcheng's outlets get twelve months of tickets, about 60,000 a month in all; at the city
and province scales every other outlet gets the last month too (about 600,000 and 6 million
tickets). Settings ``COUNTERS_DEMO_DAYS`` (365) and ``COUNTERS_DEMO_OTHER_DAYS`` (30) say
how many days each. Customers arrive with weekday and hour peaks, about one in ten is a
VIP served at the one VIP window (too few for them, as the source plan found), handling
times are lognormal around each business type's standard time, a few tellers are slow,
some customers give up or do not answer their call, and tellers make the odd error. The
queue of each outlet-day is simulated (``counters/ticketgen.py``), and tickets and rollups
are written chunk by chunk, so memory stays bounded whatever the scale; the monthly tables
are then summed from the rollups, as after an import.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from ventanilla.counters import monthly, ticketgen
from ventanilla.counters.models import (
    BusinessType,
    ErrorKind,
    LeaguePublication,
    MonthlyHalfHourFigures,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    MonthlyTellerQueueFigures,
    QueueDayRollup,
    QueueTicket,
    Segment,
    Severity,
    TellerError,
    TicketImport,
    VipCandidateScore,
)
from ventanilla.counters.rollups import monthly_rebuild
from ventanilla.demo.generator import XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import Employee, OrgUnit

DAYS_PER_MONTH = 30
# Days of tickets, ending the day before the demo's date: twelve months (365 days) at
# Xiangcheng, and the last month at every other outlet at the city and province scales
# (0: none). Settings, read at each build, so that a test run may ask for less.
XIANGCHENG_DAYS = 365
OTHER_DAYS = DAYS_PER_MONTH
XIANGCHENG_MONTHLY_TICKETS = 60_000  # all its outlets together
OUTLET_MONTHLY_TICKETS = 6_000  # each other outlet, on average
SLOW_TELLER_SHARE = 0.15
# The most common counter business, by how often customers come for it.
POPULAR = {"P03": 10, "P06": 10, "P07": 8, "P23": 6, "P12": 4, "P04": 4, "P28": 3, "P13": 3}


def type_table() -> ticketgen.TypeTable | None:
    types = list(BusinessType.objects.filter(is_active=True).order_by("code"))
    if not types:
        return None
    return ticketgen.TypeTable.build(
        [(t.pk, t.standard_seconds, t.segment == Segment.VIP) for t in types],
        [POPULAR.get(t.code, 3 if t.segment == Segment.PERSONAL else 1) for t in types],
    )


def _plans(
    ctx: DemoContext,
    outlets: list[OrgUnit],
    types: ticketgen.TypeTable,
    monthly_total: float,
    tag: str,
) -> list[ticketgen.OutletPlan]:
    teller_post = ctx.posts["teller"].pk
    rng = np.random.default_rng(ctx.rng("counters", tag).getrandbits(64))
    # Outlets differ in size; the sizes share ``monthly_total``.
    sizes = rng.uniform(0.7, 1.3, len(outlets))
    sizes = sizes / sizes.sum() * monthly_total
    plans = []
    for outlet, size in zip(outlets, sizes.tolist(), strict=True):
        tellers = [e.pk for e in ctx.active_staff(outlet.code) if e.post_id == teller_post]
        if tellers:
            plans.append(
                ticketgen.plan_outlet(
                    rng,
                    outlet.pk,
                    tellers,
                    types=types,
                    monthly_tickets=size,
                    slow_share=SLOW_TELLER_SHARE,
                )
            )
    return plans


def build(ctx: DemoContext) -> None:
    types = type_table()
    if types is None:
        return
    zone = timezone.get_default_timezone()
    last_day = ctx.as_of - date.resolution
    xiangcheng = ctx.outlets.get(XIANGCHENG_CODE, [])
    year = ticketgen.all_days(last_day, getattr(settings, "COUNTERS_DEMO_DAYS", XIANGCHENG_DAYS))
    plans = _plans(ctx, xiangcheng, types, XIANGCHENG_MONTHLY_TICKETS, XIANGCHENG_CODE)
    ticketgen.write_chunks(ticketgen.ticket_chunks(plans, year, types, zone=zone), types)
    _monthly_rebuild(plans, year)
    errors: list[TellerError] = []
    regular = list(
        BusinessType.objects.filter(is_active=True).exclude(segment=Segment.VIP).order_by("code")
    )
    for outlet in xiangcheng:
        errors += _errors(ctx, outlet, year, regular)
    other_days = getattr(settings, "COUNTERS_DEMO_OTHER_DAYS", OTHER_DAYS)
    if ctx.scale != "subbranch" and other_days > 0:
        others = [
            outlet
            for code, outlets in ctx.outlets.items()
            if code != XIANGCHENG_CODE
            for outlet in outlets
        ]
        month = ticketgen.all_days(last_day, other_days)
        plans = _plans(ctx, others, types, OUTLET_MONTHLY_TICKETS * len(others), "others")
        ticketgen.write_chunks(ticketgen.ticket_chunks(plans, month, types, zone=zone), types)
        _monthly_rebuild(plans, month)
        for outlet in others:
            errors += _errors(ctx, outlet, month, regular)
            if len(errors) >= 5000:
                TellerError.objects.bulk_create(errors, batch_size=1000)
                errors = []
    TellerError.objects.bulk_create(errors, batch_size=1000)
    _publish_and_score(ctx)


def _monthly_rebuild(plans: list[ticketgen.OutletPlan], days: list[date]) -> None:
    """The monthly tables of the months the plans' rollups were written for."""
    months = {monthly.month_of(day) for day in days}
    monthly_rebuild(months={(plan.outlet_id, month) for plan in plans for month in months})


def _publish_and_score(ctx: DemoContext) -> None:
    """Last month's league table published by the president, and the outlet head's scores
    of a few tellers standing for the VIP window."""
    from ventanilla.core.errors import DomainError
    from ventanilla.counters.services import league_publish, vip_score_record

    president, head = ctx.logins.get("president"), ctx.logins.get("outlet_head")
    xiangcheng = ctx.units.get(XIANGCHENG_CODE)
    outlet = ctx.units.get(f"{XIANGCHENG_CODE}01")
    if president is None or head is None or xiangcheng is None or outlet is None:
        return
    last_month = (ctx.as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    # With no tickets that month (an early --as-of) there is nothing to publish.
    with contextlib.suppress(DomainError):
        league_publish(actor=president, unit=xiangcheng, month=last_month)
    rng = ctx.rng("counters", "vip-scores")
    teller_post = ctx.posts["teller"].pk
    tellers = [e for e in ctx.active_staff(outlet.code) if e.post_id == teller_post][:6]
    for teller in tellers:
        vip_score_record(
            actor=head,
            teller=teller,
            scored_on=ctx.as_of,
            scores={
                k: rng.randint(62, 96) for k in ("business_skill", "marketing", "service", "image")
            },
        )


def _errors(
    ctx: DemoContext, outlet: OrgUnit, days: list[date], types: list[BusinessType]
) -> list[TellerError]:
    """A few errors a month for each teller of ``outlet``."""
    rng = ctx.rng("counters", "errors", outlet.code)
    teller_post = ctx.posts["teller"].pk
    tellers: list[Employee] = [e for e in ctx.active_staff(outlet.code) if e.post_id == teller_post]
    kinds = list(ErrorKind.values)
    months = max(1, round(len(days) / DAYS_PER_MONTH))
    made = []
    for teller in tellers:
        for _ in range(sum(rng.choice([0, 0, 1, 1, 2, 3]) for _month in range(months))):
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
    LeaguePublication.objects.filter(unit__path__startswith=root_path).delete()
    VipCandidateScore.objects.filter(teller__unit__path__startswith=root_path).delete()
    TicketImport.objects.filter(outlet__path__startswith=root_path).delete()
    MonthlyTellerFigures.objects.filter(outlet__path__startswith=root_path).delete()
    MonthlyHalfHourFigures.objects.filter(outlet__path__startswith=root_path).delete()
    MonthlyTellerQueueFigures.objects.filter(outlet__path__startswith=root_path).delete()
    MonthlyQueueFigures.objects.filter(unit__path__startswith=root_path).delete()
    QueueDayRollup.objects.filter(outlet__path__startswith=root_path).delete()
    QueueTicket.objects.filter(outlet__path__startswith=root_path).delete()
    TellerError.objects.filter(outlet__path__startswith=root_path).delete()


DEMO_STEP = HistoryStep(name="counters", build=build, purge=purge)
