"""The counters demo step: a plausible, deterministic month of tickets at Xiangcheng."""

from __future__ import annotations

import time
from datetime import date

import pytest

from ventanilla.counters import selectors
from ventanilla.counters.demo import DEMO_STEP
from ventanilla.counters.models import Outcome, QueueRollup, QueueTicket, TellerError
from ventanilla.demo.generator import build_demo, reset_demo
from ventanilla.org.models import OrgUnit

AS_OF = date(2026, 6, 30)


@pytest.mark.django_db
def test_demo_step_builds_a_month_of_tickets_with_rollups_and_resets():
    started = time.perf_counter()
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    elapsed = time.perf_counter() - started
    assert elapsed < 60
    outlets = ctx.outlets["XC"]
    tickets = QueueTicket.objects.all()
    per_outlet = {o.pk: tickets.filter(outlet=o).count() for o in outlets}
    assert all(1500 <= n <= 2600 for n in per_outlet.values()), per_outlet
    assert not tickets.exclude(outlet__path__startswith=ctx.units["XC"].path).exists()
    total = tickets.count()
    vip_share = tickets.filter(is_vip=True).count() / total
    assert 0.06 < vip_share < 0.14
    assert tickets.filter(outcome=Outcome.ABANDONED).exists()
    assert tickets.filter(outcome=Outcome.NO_SHOW).exists()
    assert sum(QueueRollup.objects.values_list("tickets", flat=True)) == total
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

    fields = ("outlet__code", "service_on", "ticket_number", "issued_at", "teller__staff_number")
    digest = list(tickets.order_by(*fields[:3]).values_list(*fields))
    reset_demo(history=[DEMO_STEP])
    assert not QueueTicket.objects.exists()
    assert not QueueRollup.objects.exists()
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    again = list(QueueTicket.objects.order_by(*fields[:3]).values_list(*fields))
    assert again == digest
