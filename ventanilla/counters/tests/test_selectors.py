"""Figures read from rollups: the same as computed from the raw tickets, scoped, few queries."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date, timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied

from ventanilla.core.scoping import Role, forget_scope
from ventanilla.counters import rollups, selectors
from ventanilla.counters.models import (
    BusinessType,
    ErrorKind,
    Outcome,
    QueueDayRollup,
    QueueTicket,
    Severity,
    TellerError,
)
from ventanilla.counters.rollups import rollups_rebuild
from ventanilla.counters.tests.factories import at
from ventanilla.org.models import Post, PostAssignment
from ventanilla.org.tests.factories import EmployeeFactory

MONDAY = date(2026, 3, 2)


def make_tickets(network, *, days=3, per_day=60, seed=1):
    """Tickets at both Xiangcheng outlets and at the other sub-branch's outlet."""
    rng = random.Random(seed)
    kinds = list(BusinessType.objects.filter(code__in=["P03", "P07", "C01"]))
    tellers = {
        network.outlet_a.pk: [network.teller_a.employee, EmployeeFactory(unit=network.outlet_a)],
        network.outlet_b.pk: [EmployeeFactory(unit=network.outlet_b)],
        network.other_outlet.pk: [network.other_teller.employee],
    }
    tickets = []
    for outlet in (network.outlet_a, network.outlet_b, network.other_outlet):
        for d in range(days):
            day = MONDAY + timedelta(days=7 * d)
            for n in range(per_day):
                issued = at(day, 9, 0) + timedelta(seconds=rng.randint(0, 6 * 3600))
                outcome = rng.choices(
                    [Outcome.SERVED, Outcome.NO_SHOW, Outcome.ABANDONED], [0.85, 0.1, 0.05]
                )[0]
                called = started = ended = None
                teller = None
                if outcome == Outcome.SERVED:
                    called = issued + timedelta(seconds=rng.lognormvariate(5.5, 0.9))
                    started = called + timedelta(seconds=15)
                    ended = started + timedelta(seconds=rng.lognormvariate(5.7, 0.5))
                    teller = rng.choice(tellers[outlet.pk])
                tickets.append(
                    QueueTicket(
                        outlet=outlet,
                        service_on=day,
                        ticket_number=f"{n:04d}",
                        business_type=rng.choice(kinds),
                        is_vip=rng.random() < 0.1,
                        issued_at=issued,
                        called_at=called,
                        started_at=started,
                        ended_at=ended,
                        window=str(rng.randint(1, 4)) if called else "",
                        teller=teller,
                        outcome=outcome,
                    )
                )
    QueueTicket.objects.bulk_create(tickets)
    rollups_rebuild(days={(t.outlet_id, t.service_on) for t in tickets})
    return tickets


def exact(tickets, outlet):
    mine = [t for t in tickets if t.outlet_id == outlet.pk]
    waits = [t.waiting_seconds for t in mine if t.called_at]
    handles = [t.transaction_seconds for t in mine if t.ended_at]
    within = sum(1 for t in mine if t.called_at and t.waiting_seconds < (300 if t.is_vip else 900))
    return mine, waits, handles, within


@pytest.mark.django_db
class TestQueueFigures:
    def test_per_outlet_figures_match_the_raw_tickets(self, network, django_assert_num_queries):
        tickets = make_tickets(network)
        user = network.subbranch_manager
        selectors.queue_figures(  # loads the user's grants once
            user=user, unit=None, start=MONDAY, end=MONDAY, group_by="outlet"
        )
        with django_assert_num_queries(2):
            report = selectors.queue_figures(
                user=user,
                unit=network.subbranch,
                start=MONDAY,
                end=MONDAY + timedelta(days=30),
                group_by="outlet",
            )
        assert [r.key for r in report.rows] == [network.outlet_a.pk, network.outlet_b.pk]
        row = report.rows[0]
        mine, waits, handles, within = exact(tickets, network.outlet_a)
        assert row.tickets == len(mine) == 180
        assert row.mean_wait == pytest.approx(statistics.mean(waits))
        assert row.mean_handle == pytest.approx(statistics.mean(handles))
        for fraction, value in ((0.5, row.median_wait), (0.9, row.p90_wait)):
            assert abs(value - np.quantile(waits, fraction, method="inverted_cdf")) <= 30
        assert abs(row.p90_handle - np.quantile(handles, 0.9, method="inverted_cdf")) <= 30
        assert row.service_level == pytest.approx(within / len(waits))
        assert row.no_show_rate == pytest.approx(
            sum(t.outcome == Outcome.NO_SHOW for t in mine) / len(mine)
        )
        assert row.abandon_rate == pytest.approx(
            sum(t.outcome == Outcome.ABANDONED for t in mine) / len(mine)
        )
        assert report.total.tickets == 360

    @pytest.mark.parametrize("group_by", ["outlet", "teller"])
    def test_half_hours_come_from_the_same_rows(self, network, group_by, django_assert_num_queries):
        make_tickets(network, days=2, per_day=30)
        user = network.subbranch_manager
        span = {"unit": None, "start": MONDAY, "end": MONDAY + timedelta(days=30)}
        alone = selectors.queue_figures(user=user, group_by="half_hour", **span)
        with django_assert_num_queries(2):
            report = selectors.queue_figures(user=user, group_by=group_by, half_hours=True, **span)
        assert [r.key for r in report.rows] == [
            r.key for r in selectors.queue_figures(user=user, group_by=group_by, **span).rows
        ]
        assert [(f.label, f.tickets, f.p90_wait) for f in report.by_half_hour] == [
            (f.label, f.tickets, f.p90_wait) for f in alone.rows
        ]
        assert sum(f.tickets for f in report.by_half_hour) == report.total.tickets == 120
        assert selectors.queue_figures(user=user, group_by=group_by, **span).by_half_hour == []

    @pytest.mark.parametrize("group_by", selectors.GROUPINGS)
    def test_every_grouping_adds_up_to_the_total(self, network, group_by):
        make_tickets(network, days=2, per_day=30)
        report = selectors.queue_figures(
            user=network.subbranch_manager,
            unit=None,
            start=MONDAY,
            end=MONDAY + timedelta(days=30),
            group_by=group_by,
        )
        assert sum(r.tickets for r in report.rows) == report.total.tickets == 120
        assert all(r.label for r in report.rows)

    def test_vip_filter_and_scope(self, network):
        tickets = make_tickets(network, days=1)
        vip = selectors.queue_figures(
            user=network.teller_a,
            unit=None,
            start=MONDAY,
            end=MONDAY,
            group_by="vip",
            is_vip=True,
        )
        # A teller's own tickets only, never a colleague's.
        mine = network.teller_a.employee.pk
        expected = sum(1 for t in tickets if t.is_vip and t.teller_id == mine)
        assert vip.total.tickets == expected
        by_teller = selectors.queue_figures(
            user=network.teller_a, unit=None, start=MONDAY, end=MONDAY, group_by="teller"
        )
        assert [row.key for row in by_teller.rows] == [mine]
        other = selectors.queue_figures(
            user=network.other_teller,
            unit=network.outlet_a,
            start=MONDAY,
            end=MONDAY,
            group_by="outlet",
        )
        assert other.rows == []

    def test_unknown_grouping_is_refused(self, network):
        with pytest.raises(ValueError, match="group_by"):
            selectors.queue_figures(
                user=network.admin, unit=None, start=MONDAY, end=MONDAY, group_by="colour"
            )


@pytest.mark.django_db
def test_rollups_rebuild_is_idempotent(network):
    tickets = make_tickets(network, days=1, per_day=20)
    before = sorted(
        (c.outlet_id, c.half_hour, c.tickets, c.wait_seconds) for c in rollups.cell_rows()
    )
    stored = QueueDayRollup.objects.count()
    rollups_rebuild(days={(t.outlet_id, t.service_on) for t in tickets})
    after = sorted(
        (c.outlet_id, c.half_hour, c.tickets, c.wait_seconds) for c in rollups.cell_rows()
    )
    assert before == after
    assert QueueDayRollup.objects.count() == stored
    assert sum(r[2] for r in after) == 60


@pytest.mark.django_db
def test_staffing_plan_from_rollups(network, django_assert_max_num_queries):
    make_tickets(network, days=3, per_day=80)
    with django_assert_max_num_queries(3):
        plan = selectors.staffing_plan(
            user=network.manager_a,
            outlet=network.outlet_a,
            weekday=0,
            start=MONDAY,
            end=MONDAY + timedelta(days=20),
        )
    assert plan.days == 3
    assert sum(s.arrivals for s in plan.slots) <= 80 + 1e-9
    assert all(s.windows_needed >= 1 for s in plan.slots)
    assert all(0 < s.windows_open <= 4 for s in plan.slots)
    assert [s.half_hour for s in plan.slots] == sorted(s.half_hour for s in plan.slots)


def test_weekdays_between():
    assert selectors.weekdays_between(date(2026, 3, 1), date(2026, 3, 16), 0) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert selectors.weekdays_between(date(2026, 3, 3), date(2026, 3, 8), 0) == []


@pytest.mark.django_db
def test_league_table_ranks_tellers(network, django_assert_num_queries):
    tickets = make_tickets(network, days=2, per_day=50)
    star = network.teller_a.employee
    TellerError.objects.create(
        outlet=network.outlet_a,
        teller=star,
        business_type=BusinessType.objects.get(code="P03"),
        occurred_on=MONDAY,
        kind=ErrorKind.WRONG_AMOUNT,
        severity=Severity.MINOR,
    )
    user = network.subbranch_manager
    selectors.league_table(user=user, unit=network.subbranch, month=MONDAY)
    with django_assert_num_queries(3):
        rows = selectors.league_table(user=user, unit=network.subbranch, month=MONDAY)
    served = {}
    for t in tickets:
        if t.teller_id and t.outlet_id != network.other_outlet.pk:
            served[t.teller_id] = served.get(t.teller_id, 0) + (t.outcome == Outcome.SERVED)
    assert {r.teller.pk: r.served for r in rows} == served
    assert sorted(r.rank_overall for r in rows) == [1, 2, 3]
    a_rows = [r for r in rows if r.outlet.pk == network.outlet_a.pk]
    assert sorted(r.rank_in_outlet for r in a_rows) == [1, 2]
    mine = next(r for r in rows if r.teller.pk == star.pk)
    assert mine.errors == 1
    assert mine.error_rate == pytest.approx(1000 / mine.served)
    for teller, unit in (
        (network.other_teller, network.subbranch),
        (network.teller_a, network.outlet_a),
    ):
        with pytest.raises(PermissionDenied):  # tellers read the published tables
            selectors.league_table(user=teller, unit=unit, month=MONDAY)


def make_paced_tickets(network, paces, *, per_teller=80, seed=3):
    """Served tickets of P03/P07 at outlet A, each teller at their pace (1.0 = peers)."""
    rng = random.Random(seed)
    kinds = list(BusinessType.objects.filter(code__in=["P03", "P07"]))
    tickets = []
    number = 0
    for teller, pace in paces.items():
        for n in range(per_teller):
            number += 1
            kind = kinds[n % 2]
            day = MONDAY + timedelta(days=n % 5)
            called = at(day, 9, 0) + timedelta(minutes=n)
            handle = rng.lognormvariate(math.log(kind.standard_seconds * pace), 0.3)
            tickets.append(
                QueueTicket(
                    outlet=teller.unit,
                    service_on=day,
                    ticket_number=f"S{number:05d}",
                    business_type=kind,
                    issued_at=called - timedelta(minutes=5),
                    called_at=called,
                    started_at=called,
                    ended_at=called + timedelta(seconds=handle),
                    teller=teller,
                    window="1",
                    outcome=Outcome.SERVED,
                )
            )
    QueueTicket.objects.bulk_create(tickets)
    rollups_rebuild(days={(t.outlet_id, t.service_on) for t in tickets})


@pytest.mark.django_db
def test_slow_teller_list_flags_the_slow_one(network, django_assert_num_queries):
    slow = network.teller_a.employee
    peers = [EmployeeFactory(unit=network.outlet_a) for _ in range(3)]
    make_paced_tickets(network, {slow: 1.5, **{p: 1.0 for p in peers}})
    user = network.manager_a
    selectors.slow_teller_list(user=user, unit=None, start=MONDAY, end=MONDAY)
    with django_assert_num_queries(3):
        rows = selectors.slow_teller_list(
            user=user, unit=network.outlet_a, start=MONDAY, end=MONDAY + timedelta(days=10)
        )
    assert rows[0].teller == slow
    assert rows[0].result.is_slow
    assert rows[0].result.ratio_to_peers == pytest.approx(1.5, rel=0.1)
    assert not any(r.result.is_slow for r in rows[1:])
    assert (
        selectors.slow_teller_list(
            user=network.other_teller, unit=None, start=MONDAY, end=MONDAY + timedelta(days=10)
        )
        == []
    )


@pytest.mark.django_db
def test_slow_teller_list_leaves_out_units_the_user_does_not_manage(network):
    """A manager who also holds a lower post elsewhere sees only the tellers they manage."""
    employee = network.manager_a.employee
    PostAssignment.objects.create(
        employee=employee,
        unit=network.other_outlet,
        post=Post.objects.get(code="teller"),
        role=Role.STAFF,
    )
    forget_scope(network.manager_a)
    peers = [EmployeeFactory(unit=network.outlet_a) for _ in range(3)]
    others = [EmployeeFactory(unit=network.other_outlet) for _ in range(3)]
    make_paced_tickets(
        network,
        {p: 1.0 for p in peers} | {network.other_teller.employee: 1.5, **{o: 1.0 for o in others}},
    )
    rows = selectors.slow_teller_list(
        user=network.manager_a, unit=None, start=MONDAY, end=MONDAY + timedelta(days=10)
    )
    assert {r.teller for r in rows} == set(peers)
    everyone = selectors.slow_teller_list(
        user=network.admin, unit=None, start=MONDAY, end=MONDAY + timedelta(days=10)
    )
    assert network.other_teller.employee in {r.teller for r in everyone}
