"""Percentiles read from the rollups stay within one bucket width of the exact value for any
range of days, any unit, and any grouping, not only the whole history."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest

from ventanilla.counters import histogram, selectors
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets


@pytest.mark.django_db
def test_percentiles_within_one_bucket_over_random_ranges(network):
    tickets = make_tickets(network, days=6, per_day=150, seed=7)
    rng = random.Random(11)
    user = network.subbranch_manager
    checked = 0
    for _ in range(12):
        first, last = sorted(rng.sample(range(6), 2))
        start, end = MONDAY + timedelta(days=7 * first), MONDAY + timedelta(days=7 * last)
        unit = rng.choice([None, network.subbranch, network.outlet_a, network.outlet_b])
        group_by = rng.choice(["outlet", "business_type", "vip", "half_hour"])
        report = selectors.queue_figures(
            user=user, unit=unit, start=start, end=end, group_by=group_by
        )
        for row in report.rows:
            mine = [
                t
                for t in tickets
                if start <= t.service_on <= end
                and t.outlet.path.startswith((unit or network.subbranch).path)
                and _key(t, group_by) == row.key
            ]
            waits = [t.waiting_seconds for t in mine if t.called_at]
            handles = [t.transaction_seconds for t in mine if t.ended_at]
            assert row.tickets == len(mine)
            for values, median, p90 in (
                (waits, row.median_wait, row.p90_wait),
                (handles, row.median_handle, row.p90_handle),
            ):
                if not values:
                    continue
                for fraction, value in ((0.5, median), (0.9, p90)):
                    exact = np.quantile(values, fraction, method="inverted_cdf")
                    assert abs(value - exact) <= histogram.BUCKET_SECONDS
                    checked += 1
    assert checked > 100


def _key(ticket, group_by):
    from django.utils import timezone

    from ventanilla.counters.rollups import half_hour_of

    return {
        "outlet": ticket.outlet_id,
        "business_type": ticket.business_type_id,
        "vip": ticket.is_vip,
        "half_hour": half_hour_of(ticket.issued_at, timezone.get_default_timezone()),
    }[group_by]
