"""The staffing page's figures: Erlang A with the patience estimated from abandoned tickets,
VIPs on dedicated windows or first in a shared pool, the week's heat map and the recommended
changes, each checked against a computation from the raw tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from ventanilla.counters import selectors, staffing
from ventanilla.counters.models import Outcome
from ventanilla.counters.rollups import half_hour_of
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets
from ventanilla.counters.tests.test_views import client_for

END = MONDAY + timedelta(days=20)


class TestPatience:
    def test_abandonments_over_time_waited(self):
        assert staffing.estimate_patience(abandoned=25, waited_seconds=5000.0) == 200.0

    def test_too_few_abandonments_give_none(self):
        assert staffing.estimate_patience(abandoned=19, waited_seconds=5000.0) is None
        assert staffing.estimate_patience(abandoned=3, waited_seconds=90, min_abandoned=3) == 30

    def test_negative_input_is_refused(self):
        with pytest.raises(ValueError, match="zero or more"):
            staffing.estimate_patience(abandoned=-1, waited_seconds=10)


def _raw_slots(tickets, outlet, weekday):
    """Per half hour of ``weekday``: arrivals, VIP arrivals, handling sum and count."""
    from django.utils import timezone

    zone = timezone.get_default_timezone()
    slots = {}
    for t in tickets:
        if t.outlet_id != outlet.pk or t.service_on.weekday() != weekday:
            continue
        s = slots.setdefault(half_hour_of(t.issued_at, zone), [0, 0, 0.0, 0])
        s[0] += 1
        s[1] += t.is_vip
        if t.ended_at:
            s[2] += t.transaction_seconds
            s[3] += 1
    return slots


@pytest.mark.django_db
class TestPlan:
    def test_erlang_a_where_abandonment_is_measured(self, network, monkeypatch):
        monkeypatch.setattr(selectors, "MIN_ABANDONED", 5)
        tickets = make_tickets(network, days=3, per_day=120)
        mine = [t for t in tickets if t.outlet_id == network.outlet_a.pk]
        abandoned = sum(t.outcome == Outcome.ABANDONED for t in mine)
        waited = sum(t.waiting_seconds for t in mine if t.called_at)
        plan = selectors.staffing_plan(
            user=network.manager_a, outlet=network.outlet_a, weekday=0, start=MONDAY, end=END
        )
        assert plan.abandoned == abandoned >= 5
        assert plan.patience_seconds == pytest.approx(waited / abandoned)
        raw = _raw_slots(tickets, network.outlet_a, 0)
        target = staffing.ServiceTarget(
            target_seconds=selectors.WAIT_TARGET_SECONDS,
            service_level=selectors.STAFFING_SERVICE_LEVEL,
        )
        for slot in plan.slots:
            arrivals, _vip, spent, timed = raw[slot.half_hour]
            expected = staffing.size_erlang_a(
                arrival_rate=arrivals / 3 / 1800,
                handling_seconds=spent / timed,
                target=target,
                patience_seconds=waited / abandoned,
            )
            assert slot.model == staffing.ERLANG_A
            assert slot.windows_needed == max(expected.servers, 0)
            assert slot.abandonment == pytest.approx(expected.abandonment)

    def test_erlang_c_when_asked_or_too_few_abandoned(self, network):
        make_tickets(network, days=3, per_day=40)
        for model in ("auto", "erlang_c"):
            plan = selectors.staffing_plan(
                user=network.manager_a, outlet=network.outlet_a, weekday=0, start=MONDAY,
                end=END, model=model,
            )  # fmt: skip
            assert plan.patience_seconds is None
            assert {s.model for s in plan.slots} == {staffing.ERLANG_C}
            assert all(s.abandonment is None for s in plan.slots)

    def test_vip_options_from_the_vip_share(self, network):
        tickets = make_tickets(network, days=3, per_day=120)
        plan = selectors.staffing_plan(
            user=network.manager_a, outlet=network.outlet_a, weekday=0, start=MONDAY, end=END,
            model="erlang_c",
        )  # fmt: skip
        raw = _raw_slots(tickets, network.outlet_a, 0)
        for slot in plan.slots:
            arrivals, vip, spent, timed = raw[slot.half_hour]
            comparison = staffing.compare_vip_options(
                vip_arrival_rate=vip / 3 / 1800,
                regular_arrival_rate=(arrivals - vip) / 3 / 1800,
                handling_seconds=spent / timed,
                vip_target=staffing.ServiceTarget(
                    target_seconds=selectors.VIP_WAIT_TARGET_SECONDS, service_level=0.8
                ),
                regular_target=staffing.ServiceTarget(
                    target_seconds=selectors.WAIT_TARGET_SECONDS, service_level=0.8
                ),
            )
            assert slot.vip.vip_arrivals == pytest.approx(vip / 3)
            assert slot.vip.dedicated == comparison.dedicated_windows
            assert slot.vip.shared == comparison.shared_windows

    def test_week_holds_every_weekday_with_tickets(self, network):
        make_tickets(network, days=3, per_day=40)  # Mondays only
        plan = selectors.staffing_plan(
            user=network.manager_a, outlet=network.outlet_a, weekday=2, start=MONDAY, end=END
        )
        assert plan.slots == []
        assert set(plan.week) == {0}
        assert plan.half_hours == sorted(plan.week[0])


def _slot(half_hour, open_, needed):
    return selectors.StaffingSlot(
        half_hour=half_hour, label="", arrivals=1, handling_seconds=60, windows_open=open_,
        windows_needed=needed, service_level=1, average_wait_seconds=0, occupancy=0.5,
    )  # fmt: skip


def test_changes_merge_consecutive_half_hours_with_the_same_change():
    week = {
        0: {18: _slot(18, 2, 4), 19: _slot(19, 3, 5), 20: _slot(20, 3, 3.5),
            21: _slot(21, 4, 2), 23: _slot(23, 4, 2)},
        3: {18: _slot(18, 1.4, 3)},
    }  # fmt: skip
    changes = selectors._changes(week)
    assert [(c.weekday, c.label, c.change) for c in changes] == [
        (0, "09:00–10:00", 2),
        (0, "10:30–11:00", -2),
        (0, "11:30–12:00", -2),
        (3, "09:00–09:30", 2),
    ]


@pytest.mark.django_db
class TestPage:
    def params(self, **changes):
        return {"unit": "XC01", "weekday": "0", "start": MONDAY.isoformat(),
                "end": END.isoformat(), **changes}  # fmt: skip

    def test_page_shows_heat_map_changes_and_chart(self, network):
        make_tickets(network, days=3, per_day=120)
        response = client_for(network.manager_a).get(reverse("counters:staffing"), self.params())
        assert response.status_code == 200
        text = response.content.decode()
        assert 'id="staffing-heat-map"' in text and "Recommended changes" in text
        chart = response.context["chart"]
        plan = response.context["plan"]
        assert chart.labels == [s.label for s in plan.slots]
        assert chart.series[1].values == [float(s.windows_needed) for s in plan.slots]
        assert len(response.context["heat_rows"]) == len(plan.half_hours)

    @time_machine.travel("2026-03-25 10:00 +0800", tick=False)  # a Wednesday
    def test_an_outlet_head_lands_on_their_outlet_and_todays_weekday(self, network):
        client = client_for(network.manager_a)  # manages outlet A only
        first = client.get(reverse("counters:staffing"))
        assert first.status_code == 302 and first.url.endswith("?unit=XC01")
        second = client.get(first.url)
        assert second.status_code == 302 and second.url.endswith("?unit=XC01&weekday=2")
        page = client.get(second.url)
        assert page.status_code == 200 and page.context["form"].cleaned_data["weekday"] == 2
        # The eight weeks it averages show in the date fields.
        assert 'name="start" id="id_start" value="2026-01-28"' in page.content.decode()
        assert 'name="end" id="id_end" value="2026-03-25"' in page.content.decode()
        # A manager of several outlets chooses one.
        several = client_for(network.subbranch_manager).get(reverse("counters:staffing"))
        assert several.status_code == 200 and several.context["plan"] is None

    def test_unknown_model_is_reported(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:staffing"), self.params(model="erlang_z")
        )
        assert response.status_code == 200
        assert response.context["plan"] is None
        assert "Queue model" in response.content.decode()
