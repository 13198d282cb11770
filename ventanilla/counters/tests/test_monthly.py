"""Monthly tables: the same figures as the daily rollups and the raw tickets, kept up to date
by every rebuild, summed up the org tree, and scoped."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.counters import histogram, monthly, selectors
from ventanilla.counters.models import (
    BusinessType,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    Outcome,
    QueueDayRollup,
    QueueTicket,
)
from ventanilla.counters.rollups import monthly_rebuild, rollups_rebuild
from ventanilla.counters.services import tickets_push
from ventanilla.counters.tests.factories import at
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets
from ventanilla.org.models import Employee, OrgUnit

MARCH = date(2026, 3, 1)
END_OF_MARCH = date(2026, 3, 31)


class _Close(float):
    """A mean summed in another order: equal within floating-point error."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and math.isclose(self, other, rel_tol=1e-9)

    __hash__ = float.__hash__


def _figures(report):
    """Everything a figures row says, means within floating-point error (sums taken in
    another order)."""
    return [
        (
            f.key,
            f.tickets,
            f.no_show,
            f.abandoned,
            f.wait_count,
            f.within_target,
            f.handle_count,
            f.wait_histogram,
            f.handle_histogram,
            f.median_wait,
            f.p90_wait,
            f.median_handle,
            f.p90_handle,
            f.service_level,
            _Close(f.mean_wait or 0),
            _Close(f.mean_handle or 0),
        )
        for f in [*report.rows, report.total]
    ]


def _daily(user, unit, group_by, is_vip=None, start=MARCH, end=END_OF_MARCH):
    """The figures of ``start`` to ``end`` read from the daily rollups alone."""
    groups, halves = {}, {}
    total = selectors.QueueFigures(key=None, label="Total")
    selectors._add_daily(user, unit, (start, end), is_vip, group_by, groups, total, halves)
    return selectors.QueueReport(
        rows=selectors._labelled(group_by, groups),
        total=total,
        by_half_hour=selectors._labelled("half_hour", halves),
    )


def _both(user, unit, group_by, is_vip=None):
    """The month from the monthly tables, and from the daily rollups."""
    span = {"user": user, "unit": unit, "start": MARCH, "end": END_OF_MARCH}
    month = selectors.queue_figures(group_by=group_by, is_vip=is_vip, **span)
    return month, _daily(user, unit, group_by, is_vip)


def _as_report(rows):
    """Half-hour rows as a report, to compare them as ``_figures`` does."""
    return selectors.QueueReport(rows=rows, total=selectors.QueueFigures(key=None, label=""))


def assert_same_tables(mine: list[list[tuple]], expected: list[list[tuple]]) -> None:
    """Monthly table rows equal, but for sums of seconds, which may differ in their last bit
    when a rebuild reads the same tickets or rows in another order."""
    assert [len(rows) for rows in mine] == [len(rows) for rows in expected]
    for rows, others in zip(mine, expected, strict=True):
        for row, other in zip(rows, others, strict=True):
            for value, wanted in zip(row, other, strict=True):
                if isinstance(value, float):
                    assert math.isclose(value, wanted, rel_tol=1e-12), (row, other)
                else:
                    assert value == wanted, (row, other)


def _tables():
    figures = sorted(
        MonthlyQueueFigures.objects.values_list(
            "unit_id", "month", "is_subtree", "business_type_id", "is_vip", "tickets", "served",
            "no_show", "abandoned", "wait_count", "wait_seconds", "wait_histogram",
            "handle_count", "handle_seconds", "handle_histogram",
        ),
        key=lambda r: (r[0], r[1], r[2], r[3] or 0, r[4]),
    )  # fmt: skip
    tellers = sorted(
        MonthlyTellerFigures.objects.values_list(
            "outlet_id", "teller_id", "month", "tickets", "served", "handle_count", "by_type"
        )
    )
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in figures], [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in tellers
    ]


@pytest.mark.django_db
class TestSameFiguresEitherWay:
    @pytest.mark.parametrize("group_by", ["outlet", "business_type", "vip", "half_hour", "teller"])
    @pytest.mark.parametrize("is_vip", [None, True, False])
    def test_month_tables_match_the_daily_rollups(self, network, group_by, is_vip):
        make_tickets(network, days=5, per_day=40)
        cases = [
            (network.admin, None),
            (network.admin, network.head_office),
            (network.auditor, network.branch),
            (network.subbranch_manager, network.subbranch),
            (network.subbranch_manager, None),
            (network.manager_a, network.outlet_a),
        ]
        for user, unit in cases:
            month, daily = _both(user, unit, group_by, is_vip)
            assert month.rows, (user, unit)
            assert _figures(month) == _figures(daily), (user, unit)

    def test_month_figures_are_read_from_the_monthly_tables(self, network):
        make_tickets(network, days=5, per_day=40)
        before, _daily = _both(network.auditor, network.head_office, "business_type")
        QueueDayRollup.objects.all().delete()
        after, daily = _both(network.auditor, network.head_office, "business_type")
        assert _figures(after) == _figures(before)
        assert daily.total.tickets == 0

    @pytest.mark.parametrize("group_by", ["outlet", "business_type", "vip", "half_hour", "teller"])
    def test_a_range_around_whole_months_reads_them_monthly_and_its_edges_daily(
        self, network, group_by
    ):
        """25 February to 20 April: March from the monthly tables (and its half hours from
        the monthly half-hour table), the days around it from the rollups; the same figures
        as the rollups alone, per group, in total and per half hour."""
        make_tickets(network, days=8, per_day=30)  # Mondays 2 March to 20 April
        start, end = date(2026, 2, 25), date(2026, 4, 20)
        assert monthly.split_range(start, end) == (
            (start, date(2026, 2, 28)),
            [MARCH],
            (date(2026, 4, 1), end),
        )
        for user, unit in ((network.subbranch_manager, network.subbranch), (network.admin, None)):
            span = {"user": user, "unit": unit, "start": start, "end": end}
            mixed = selectors.queue_figures(group_by=group_by, half_hours=True, **span)
            daily = _daily(user, unit, group_by, start=start, end=end)
            assert mixed.total.tickets == 2 * 8 * 30 + (8 * 30 if unit is None else 0)
            assert _figures(mixed) == _figures(daily), (user, unit)
            halves = [*mixed.by_half_hour]
            assert halves and _figures(_as_report(halves)) == _figures(
                _as_report(daily.by_half_hour)
            )
        # March really comes from the monthly tables: without its rollups, nothing changes.
        before = selectors.queue_figures(
            user=network.admin, unit=None, start=start, end=end, group_by=group_by,
            half_hours=True,
        )  # fmt: skip
        QueueDayRollup.objects.filter(service_on__range=(MARCH, END_OF_MARCH)).delete()
        after = selectors.queue_figures(
            user=network.admin, unit=None, start=start, end=end, group_by=group_by,
            half_hours=True,
        )  # fmt: skip
        assert _figures(after) == _figures(before)
        assert _figures(_as_report(after.by_half_hour)) == _figures(_as_report(before.by_half_hour))

    @pytest.mark.parametrize("group_by", ["outlet", "business_type", "vip"])
    def test_a_month_is_read_in_one_query_with_its_labels(
        self, network, group_by, django_assert_num_queries
    ):
        make_tickets(network, days=2, per_day=30)
        OrgUnit.objects.filter(pk=network.outlet_a.pk).update(name_en="Outlet A")
        BusinessType.objects.filter(code="P03").update(name_es="Pagos")
        user = network.subbranch_manager
        span = {"user": user, "unit": None, "start": MARCH, "end": END_OF_MARCH}
        selectors.queue_figures(group_by=group_by, **span)  # loads the user's grants once
        for language in ("zh-hans", "en", "es"):
            with translation.override(language):
                with django_assert_num_queries(1):
                    report = selectors.queue_figures(group_by=group_by, **span)
                labels = [f.label for f in report.rows]
                if group_by == "vip":
                    assert labels == [gettext("Regular"), gettext("VIP")]
                    continue
                model = OrgUnit if group_by == "outlet" else BusinessType
                expected = {
                    o.pk: f"{o.code} {o.display_name}"
                    for o in model.objects.filter(pk__in=[f.key for f in report.rows])
                }
                assert {f.key: f.label for f in report.rows} == expected
                assert labels == sorted(labels)

    def test_other_ranges_read_the_daily_rollups(self, network):
        make_tickets(network, days=5, per_day=40)
        MonthlyQueueFigures.objects.all().delete()
        report = selectors.queue_figures(
            user=network.admin, unit=None, start=MARCH, end=date(2026, 3, 30), group_by="outlet"
        )
        assert report.total.tickets == 3 * 5 * 40

    def test_month_figures_match_the_raw_tickets(self, network):
        tickets = make_tickets(network, days=5, per_day=40)
        report = selectors.queue_figures(
            user=network.admin, unit=network.branch, start=MARCH, end=END_OF_MARCH,
            group_by="business_type",
        )  # fmt: skip
        assert report.total.tickets == len(tickets) == 600
        for row in report.rows:
            mine = [t for t in tickets if t.business_type_id == row.key]
            waits = [t.waiting_seconds for t in mine if t.called_at]
            handles = [t.transaction_seconds for t in mine if t.ended_at]
            within = sum(
                1 for t in mine if t.called_at and t.waiting_seconds < (300 if t.is_vip else 900)
            )
            assert row.tickets == len(mine)
            assert row.service_level == within / len(waits)
            assert row.mean_wait == pytest.approx(np.mean(waits))
            for fraction, value in ((0.5, row.median_wait), (0.9, row.p90_wait)):
                exact = np.quantile(waits, fraction, method="inverted_cdf")
                assert abs(value - exact) <= histogram.BUCKET_SECONDS
            exact = np.quantile(handles, 0.9, method="inverted_cdf")
            assert abs(row.p90_handle - exact) <= histogram.BUCKET_SECONDS

    def test_two_sub_branches_add_up_at_the_branch(self, network):
        tickets = make_tickets(network, days=5, per_day=40)
        by_outlet = selectors.queue_figures(
            user=network.admin, unit=network.branch, start=MARCH, end=END_OF_MARCH,
            group_by="outlet",
        )  # fmt: skip
        assert [r.key for r in by_outlet.rows] == [
            network.outlet_a.pk,
            network.outlet_b.pk,
            network.other_outlet.pk,
        ]
        assert all(r.tickets == 200 for r in by_outlet.rows)
        for unit, outlets in (
            (network.subbranch, {network.outlet_a.pk, network.outlet_b.pk}),
            (network.other_subbranch, {network.other_outlet.pk}),
            (network.branch, {t.outlet_id for t in tickets}),
        ):
            row = MonthlyQueueFigures.objects.get(
                unit=unit, month=MARCH, is_subtree=True, business_type=None, is_vip=False
            )
            mine = [t for t in tickets if t.outlet_id in outlets and not t.is_vip]
            assert row.tickets == len(mine)
            assert row.served == sum(t.outcome == Outcome.SERVED for t in mine)
            waits = histogram.histogram_of(t.waiting_seconds for t in mine if t.called_at)
            assert monthly.as_histogram(monthly.decode(row.wait_histogram)) == waits
        # Outlets keep their own rows only; the units above them their subtree's.
        assert not MonthlyQueueFigures.objects.filter(unit=network.outlet_a, is_subtree=True)
        assert not MonthlyQueueFigures.objects.filter(unit=network.subbranch, is_subtree=False)


@pytest.mark.django_db
class TestMaintenance:
    def test_rebuilding_twice_gives_the_same_rows(self, network):
        tickets = make_tickets(network, days=5, per_day=40)
        first = _tables()
        assert first[0] and first[1]
        rollups_rebuild(days={(t.outlet_id, t.service_on) for t in tickets})
        monthly_rebuild(months={(t.outlet_id, MARCH) for t in tickets})
        assert_same_tables(_tables(), first)

    def test_the_command_rebuilds_the_tables_from_the_rollups(self, network):
        make_tickets(network, days=5, per_day=40)
        before = _tables()
        MonthlyQueueFigures.objects.all().delete()
        MonthlyTellerFigures.objects.all().delete()
        call_command("counters_monthly", "--month", "2026-02", stdout=io.StringIO())
        assert not MonthlyQueueFigures.objects.exists()
        call_command("counters_monthly", stdout=io.StringIO())
        assert_same_tables(_tables(), before)

    def test_a_re_import_updates_the_month_and_the_units_above(self, network):
        kind = BusinessType.objects.get(code="P03")
        day = MONDAY

        def push(outcome, handle_minutes):
            items = [
                {
                    "service_on": day,
                    "ticket_number": f"A{n:03d}",
                    "business_type": kind.code,
                    "issued_at": at(day, 9, n),
                    "called_at": at(day, 9, n) + timedelta(minutes=4 + n),
                    "ended_at": at(day, 9, n) + timedelta(minutes=4 + n + handle_minutes),
                    "window": "1",
                    "teller": network.teller_a.employee.staff_number,
                    "outcome": outcome if n == 0 else Outcome.SERVED,
                }
                for n in range(6)
            ]
            result = tickets_push(actor=network.manager_a, outlet=network.outlet_a, tickets=items)
            assert not result.errors

        push(Outcome.SERVED, 3)
        before = _tables()
        push(Outcome.SERVED, 3)
        assert _tables() == before  # the same file again changes nothing
        push(Outcome.NO_SHOW, 9)
        for unit in (network.outlet_a, network.subbranch, network.branch, network.head_office):
            row = MonthlyQueueFigures.objects.get(
                unit=unit, month=MARCH, business_type=kind, is_vip=False
            )
            assert (row.tickets, row.served, row.no_show) == (6, 5, 1)
            assert row.handle_seconds == 6 * 9 * 60
        teller = MonthlyTellerFigures.objects.get(teller=network.teller_a.employee)
        assert (teller.tickets, teller.served, teller.handle_count) == (6, 5, 6)
        month, daily = _both(network.admin, None, "business_type")
        assert _figures(month) == _figures(daily)
        tickets = list(QueueTicket.objects.filter(outlet=network.outlet_a))
        assert month.total.tickets == len(tickets) == 6


@pytest.mark.django_db
class TestLeague:
    def test_league_table_matches_the_raw_tickets(self, network):
        tickets = make_tickets(network, days=5, per_day=40)
        standard = dict(BusinessType.objects.values_list("pk", "standard_seconds"))
        rows = selectors.league_table(user=network.admin, unit=network.branch, month=MARCH)
        exact: dict[tuple[int, int], list] = {}
        for t in tickets:
            if t.teller_id is None:
                continue
            sums = exact.setdefault((t.outlet_id, t.teller_id), [0, 0, 0, 0.0, 0])
            sums[0] += t.outcome == Outcome.SERVED
            sums[1] += standard[t.business_type_id] * (t.outcome == Outcome.SERVED)
            if t.ended_at:
                sums[2] += 1
                sums[3] += t.transaction_seconds
                sums[4] += standard[t.business_type_id]
        got = {
            (r.outlet.pk, r.teller.pk): [
                r.served, r.weighted_minutes, r.handle_count, r.handle_seconds,
                r.standard_handle_seconds,
            ]
            for r in rows
        }  # fmt: skip
        assert got.keys() == exact.keys()
        for key, (served, weighted, timed, seconds, standard_seconds) in exact.items():
            mine = got[key]
            assert mine[0] == served
            assert mine[1] == weighted / 60
            assert mine[2] == timed
            assert mine[3] == pytest.approx(seconds)
            assert mine[4] == standard_seconds
        ordered = sorted(rows, key=lambda r: r.rank_overall)
        assert [r.served for r in ordered] == sorted((s[0] for s in exact.values()), reverse=True)

    def test_league_rows_name_tellers_and_outlets_as_the_models_do(self, network):
        make_tickets(network, days=2, per_day=30)
        OrgUnit.objects.filter(pk=network.outlet_a.pk).update(name_en="Outlet A", name_es="")
        for language in ("zh-hans", "en", "es"):
            with translation.override(language):
                rows = selectors.league_table(user=network.admin, unit=network.branch, month=MARCH)
                outlets = OrgUnit.objects.in_bulk([r.outlet.pk for r in rows])
                tellers = Employee.objects.in_bulk([r.teller.pk for r in rows])
                assert rows
                for r in rows:
                    outlet, teller = outlets[r.outlet.pk], tellers[r.teller.pk]
                    assert (r.outlet.code, r.outlet.display_name) == (
                        outlet.code,
                        outlet.display_name,
                    )
                    assert (r.teller.staff_number, r.teller.name) == (
                        teller.staff_number,
                        teller.name,
                    )
        with translation.override("en"):
            names = {r.outlet.display_name for r in rows if r.outlet.pk == network.outlet_a.pk}
        assert names == {"Outlet A"}

    def test_weighted_minutes_follow_the_catalogue(self, network):
        make_tickets(network, days=2, per_day=30)
        before = selectors.league_table(user=network.admin, unit=network.branch, month=MARCH)
        BusinessType.objects.filter(code="P03").update(standard_seconds=1)
        after = selectors.league_table(user=network.admin, unit=network.branch, month=MARCH)
        assert sum(r.weighted_minutes for r in after) < sum(r.weighted_minutes for r in before)
        assert [r.served for r in after] == [r.served for r in before]


@pytest.mark.django_db
class TestScope:
    def test_an_outlet_teller_reads_only_its_outlet(self, network):
        tickets = make_tickets(network, days=5, per_day=40)
        teller = network.teller_a
        assert set(
            MonthlyQueueFigures.objects.visible_to(teller).values_list("unit", flat=True)
        ) == {network.outlet_a.pk}
        assert {
            o for (o,) in MonthlyTellerFigures.objects.visible_to(teller).values_list("outlet")
        } == {network.outlet_a.pk}
        # A teller's figures are those of their own tickets, whole months included: the
        # monthly tables, which hold every teller's, are for those who see every teller.
        mine = [t for t in tickets if t.teller_id == teller.employee.pk]
        assert 0 < len(mine) < len([t for t in tickets if t.outlet_id == network.outlet_a.pk])
        for unit in (None, network.subbranch, network.outlet_a):
            for group_by in ("outlet", "business_type", "vip", "teller"):
                report = selectors.queue_figures(
                    user=teller, unit=unit, start=MARCH, end=END_OF_MARCH, group_by=group_by
                )
                assert report.total.tickets == len(mine), (unit, group_by)
        for unit in (network.outlet_a, network.subbranch, network.other_subbranch):
            with pytest.raises(PermissionDenied):
                selectors.league_table(user=teller, unit=unit, month=MARCH)


@pytest.mark.parametrize("size", [0, 1, 7, 100_000])
def test_unique_gives_what_numpy_unique_gives(size):
    values = np.random.default_rng(size).integers(-(1 << 40), 1 << 40, size)
    values[: size // 2] = values[size // 2 : size // 2 * 2]  # half of them repeated
    found = monthly.unique(values)
    assert found.dtype == values.dtype
    assert np.array_equal(found, np.unique(values))
    assert np.array_equal(monthly.unique(values.reshape(-1, 1)), np.unique(values))


def test_split_range_finds_the_whole_months_inside():
    assert monthly.split_range(date(2026, 1, 1), date(2026, 3, 31)) == (
        None,
        [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        None,
    )
    assert monthly.split_range(date(2026, 1, 15), date(2026, 2, 28)) == (
        (date(2026, 1, 15), date(2026, 1, 31)),
        [date(2026, 2, 1)],
        None,
    )
    assert monthly.split_range(date(2025, 12, 1), date(2026, 1, 30)) == (
        None,
        [date(2025, 12, 1)],
        (date(2026, 1, 1), date(2026, 1, 30)),
    )
    assert monthly.split_range(date(2026, 1, 2), date(2026, 2, 27)) == (None, [], None)
    assert monthly.split_range(date(2026, 3, 5), date(2026, 3, 5)) == (None, [], None)


def test_months_between_takes_whole_calendar_months_only():
    assert monthly.months_between(date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert monthly.months_between(date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 1)]
    assert monthly.months_between(date(2026, 2, 1), date(2026, 2, 27)) is None
    assert monthly.months_between(date(2026, 2, 2), date(2026, 2, 28)) is None
    assert monthly.months_between(date(2026, 3, 1), date(2026, 2, 28)) is None


def test_histograms_are_stored_without_their_empty_tail():
    counts = np.zeros(histogram.BUCKETS, dtype=np.int64)
    counts[[0, 3, 40]] = [5, 2, 70_000]
    blob = monthly.encode(counts)
    assert len(blob) == 41 * 4
    assert np.array_equal(monthly.decode(blob), counts)
    assert monthly.as_histogram(monthly.decode(blob)) == {0: 5, 3: 2, 40: 70_000}
    assert monthly.encode(np.zeros(histogram.BUCKETS, dtype=np.int64)) == b""
    assert monthly.decode(b"").sum() == 0


def _random_lines(rng: np.random.Generator, count: int) -> np.ndarray:
    """Bucket counts as months give them: a few dozen filled buckets, some lines empty, one
    mostly in the open last bucket, one with a single value."""
    lines = np.zeros((count, histogram.BUCKETS), dtype=np.int64)
    for line in lines[3:]:
        filled = rng.choice(histogram.BUCKETS, size=int(rng.integers(1, 60)), replace=False)
        line[filled] = rng.integers(0, 2_000, size=filled.size)
    lines[1, [4, histogram.BUCKETS - 1]] = [3, 1_000_000]
    lines[2, 17] = 1
    return lines


def test_percentiles_of_dense_lines_are_exactly_those_of_the_histograms():
    lines = _random_lines(np.random.default_rng(7), 200)
    for fraction in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0):
        expected = [histogram.percentile(monthly.as_histogram(line), fraction) for line in lines]
        assert monthly.percentiles(lines, fraction) == expected, fraction
    assert monthly.percentiles(lines, 0.5)[0] is None
    assert monthly.percentiles(lines, 0.5)[1] == histogram.MAX_SECONDS
    with pytest.raises(ValueError, match="between 0 and 1"):
        monthly.percentiles(lines, 1.5)


def test_bucket_lines_read_as_the_sparse_histograms():
    lines = _random_lines(np.random.default_rng(8), 50)
    for line, buckets in zip(lines, monthly.bucket_lines(lines, (0.5, 0.9)), strict=True):
        sparse = monthly.as_histogram(line)
        assert buckets == sparse
        assert dict(buckets) == sparse and len(buckets) == len(sparse)
        for fraction in (0.5, 0.9, 0.25):  # 0.25 was not worked out beforehand
            assert buckets.percentile(fraction) == histogram.percentile(sparse, fraction)


def test_stored_sums_add_each_groups_rows():
    rng = np.random.default_rng(9)
    lines = _random_lines(rng, 40)
    blobs = [monthly.encode(line) for line in lines]
    group = rng.integers(0, 5, size=len(lines))
    group[:5] = [0, 1, 2, 3, 4]
    below = rng.integers(0, histogram.BUCKETS + 1, size=len(lines))
    sums, within = monthly.stored_sums(blobs, group, 6, below)
    _sums, nothing = monthly.stored_sums(blobs, group, 6)
    for g in range(6):
        mine = [i for i in range(len(lines)) if group[i] == g]
        assert np.array_equal(sums[g], lines[mine].sum(axis=0)), g
        assert within[g] == sum(int(lines[i, : below[i]].sum()) for i in mine), g
    assert sums[5].sum() == 0 and not nothing.any()
    empty, no_within = monthly.stored_sums([], np.zeros(0, dtype=np.int64), 0)
    assert empty.shape == (0, histogram.BUCKETS) and no_within.size == 0


def test_standard_seconds_weigh_each_teller_months_types():
    standard = {1: 60, 2: 300, 5: 45}
    months = [
        {1: [3, 2], 2: [1, 1]},
        {},
        {5: [10, 4]},
        {1: [0, 0], 7: [2, 2]},  # a type no longer in the catalogue counts nothing
        {},
    ]
    blobs = []
    for by_type in months:
        month = monthly.TellerMonth(by_type=by_type)
        blobs.append(month.types_blob())
    served, timed = monthly.standard_seconds(blobs, standard)
    assert served == [3 * 60 + 300, 0, 450, 0, 0]
    assert timed == [2 * 60 + 300, 0, 180, 0, 0]
    assert monthly.standard_seconds([b"", b""], standard) == ([0, 0], [0, 0])
