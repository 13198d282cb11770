"""The counters demo step: a plausible, deterministic year of tickets at Xiangcheng."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count
from django.test import override_settings

from ventanilla.counters import selectors
from ventanilla.counters.demo import DEMO_STEP
from ventanilla.counters.models import Outcome, QueueDayRollup, QueueTicket, TellerError
from ventanilla.demo.generator import build_demo, reset_demo
from ventanilla.org.models import OrgUnit

AS_OF = date(2026, 6, 30)


@pytest.mark.django_db
@override_settings(COUNTERS_DEMO_DAYS=365, COUNTERS_DEMO_OTHER_DAYS=30)
def test_demo_step_builds_a_year_of_tickets_with_rollups_and_resets():
    # How long it takes is measured in BENCHMARKS.md ("Counters demo history"), not here.
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    outlets = ctx.outlets["XC"]
    tickets = QueueTicket.objects.all()
    # About 60,000 a month over Xiangcheng's outlets, for twelve months (365 days).
    month = tickets.filter(service_on__range=(date(2026, 5, 31), date(2026, 6, 29))).count()
    assert 54_000 < month < 66_000, month
    per_outlet = {o.pk: tickets.filter(outlet=o).count() for o in outlets}
    assert all(40_000 <= n <= 110_000 for n in per_outlet.values()), per_outlet
    assert min(tickets.values_list("service_on", flat=True)) == date(2025, 6, 30)
    assert not tickets.exclude(outlet__path__startswith=ctx.units["XC"].path).exists()
    total = tickets.count()
    vip_share = tickets.filter(is_vip=True).count() / total
    assert 0.06 < vip_share < 0.14
    assert tickets.filter(outcome=Outcome.ABANDONED).exists()
    assert tickets.filter(outcome=Outcome.NO_SHOW).exists()
    assert sum(QueueDayRollup.objects.values_list("tickets", flat=True)) == total
    assert TellerError.objects.exists()
    assert max(tickets.values_list("service_on", flat=True)) == date(2026, 6, 29)

    report = selectors.queue_figures(
        user=ctx.logins["admin"],
        unit=OrgUnit.objects.get(code="XC"),
        start=date(2026, 5, 31),
        end=date(2026, 6, 29),
        group_by="vip",
    )
    regular, vip = report.rows
    # One VIP window is too few for their stricter target.
    assert vip.service_level < regular.service_level
    assert 0.005 < report.total.abandon_rate < 0.08
    league = selectors.league_table(
        user=ctx.logins["admin"], unit=OrgUnit.objects.get(code="XC"), month=date(2026, 6, 1)
    )
    assert league and league[0].rank_overall == 1

    reset_demo(history=[DEMO_STEP])
    assert not QueueTicket.objects.exists()
    assert not QueueDayRollup.objects.exists()


@pytest.mark.django_db
@override_settings(COUNTERS_DEMO_DAYS=14, COUNTERS_DEMO_OTHER_DAYS=0)
def test_the_same_seed_gives_the_same_tickets_after_a_reset():
    fields = ("outlet__code", "service_on", "ticket_number", "issued_at", "teller__staff_number")
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    digest = list(QueueTicket.objects.order_by(*fields[:3]).values_list(*fields))
    assert len(digest) > 20_000
    reset_demo(history=[DEMO_STEP])
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    again = list(QueueTicket.objects.order_by(*fields[:3]).values_list(*fields))
    assert again == digest


@pytest.mark.django_db
@override_settings(COUNTERS_DEMO_DAYS=3, COUNTERS_DEMO_OTHER_DAYS=2)
def test_city_scale_gives_every_outlet_tickets():
    ctx = build_demo(scale="city", seed=2, as_of=AS_OF, history=[DEMO_STEP])
    outlets = [o for group in ctx.outlets.values() for o in group]
    assert len(outlets) > 90
    per_outlet = dict(
        QueueTicket.objects.order_by().values_list("outlet_id").annotate(n=Count("pk"))
    )
    # Every outlet with tellers has tickets: about 200 a day (6,000 a month) outside
    # Xiangcheng, whose ten outlets share 2,000 a day.
    assert len(per_outlet) == len(outlets)
    others = [per_outlet[o.pk] for o in outlets if not o.path.startswith(ctx.units["XC"].path)]
    assert 150 < sum(others) / len(others) / 2 < 260
    days = set(QueueTicket.objects.values_list("service_on", flat=True))
    assert days == {date(2026, 6, 27), date(2026, 6, 28), date(2026, 6, 29)}
    other_days = set(
        QueueTicket.objects.exclude(outlet__path__startswith=ctx.units["XC"].path).values_list(
            "service_on", flat=True
        )
    )
    assert other_days == {date(2026, 6, 28), date(2026, 6, 29)}
    assert sum(QueueDayRollup.objects.values_list("tickets", flat=True)) == sum(per_outlet.values())


@pytest.mark.django_db
@override_settings(COUNTERS_DEMO_DAYS=3, COUNTERS_DEMO_OTHER_DAYS=0)
def test_other_outlets_get_no_tickets_when_asked_for_none():
    ctx = build_demo(scale="city", seed=2, as_of=AS_OF, history=[DEMO_STEP])
    assert QueueTicket.objects.exists()
    assert not QueueTicket.objects.exclude(outlet__path__startswith=ctx.units["XC"].path).exists()
