"""GET endpoints: queue figures from the rollups, the staffing plan, published league
tables; the same filters as the pages, scoped (404 out of scope, 403 role too low)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from ventanilla.counters import selectors
from ventanilla.counters.services import league_publish
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets
from ventanilla.counters.tests.test_views import client_for

pytestmark = pytest.mark.django_db
RANGE = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=20)).isoformat()}


class TestQueueFigures:
    URL = "/api/v1/queue-figures/"

    def test_figures_equal_the_selector(self, network):
        make_tickets(network, days=2, per_day=30)
        response = client_for(network.subbranch_manager).get(
            self.URL, {**RANGE, "unit": "XC", "group_by": "outlet"}
        )
        assert response.status_code == 200
        body = response.json()
        report = selectors.queue_figures(
            user=network.subbranch_manager, unit=network.subbranch, start=MONDAY,
            end=MONDAY + timedelta(days=20), group_by="outlet",
        )  # fmt: skip
        assert [r["key"] for r in body["rows"]] == [network.outlet_a.pk, network.outlet_b.pk]
        assert body["total"]["tickets"] == report.total.tickets == 120
        assert body["rows"][0]["p90_wait_seconds"] == round(report.rows[0].p90_wait, 2)

    def test_bad_filter_names_the_field(self, network):
        response = client_for(network.manager_a).get(self.URL, {"group_by": "planet"})
        assert response.status_code == 400
        assert "group_by" in response.json()["error"]["fields"]

    def test_unit_out_of_scope_is_not_found(self, network):
        response = client_for(network.other_teller).get(self.URL, {"unit": "XC01"})
        assert response.status_code == 404

    def test_scope_limits_the_total(self, network):
        tickets = make_tickets(network, days=1, per_day=10)
        teller = network.other_teller
        body = client_for(teller).get(self.URL, {**RANGE, "group_by": "teller"}).json()
        theirs = sum(1 for t in tickets if t.teller_id == teller.employee.pk)
        assert 0 < theirs < 10
        assert body["total"]["tickets"] == theirs  # their own tickets at YT01, nobody else's
        assert [row["key"] for row in body["rows"]] == [teller.employee.pk]


class TestStaffing:
    URL = "/api/v1/staffing/"

    def test_plan_for_an_outlet(self, network):
        make_tickets(network, days=3, per_day=80)
        response = client_for(network.manager_a).get(
            self.URL, {**RANGE, "unit": "XC01", "weekday": 0, "model": "erlang_c"}
        )
        assert response.status_code == 200
        body = response.json()
        plan = selectors.staffing_plan(
            user=network.manager_a, outlet=network.outlet_a, weekday=0, start=MONDAY,
            end=MONDAY + timedelta(days=20), model="erlang_c",
        )  # fmt: skip
        assert [s["windows_needed"] for s in body["slots"]] == [
            s.windows_needed for s in plan.slots
        ]
        assert body["slots"][0]["vip"]["shared_windows"] == plan.slots[0].vip.shared
        assert len(body["changes"]) == len(plan.changes)

    def test_missing_weekday_is_reported(self, network):
        response = client_for(network.manager_a).get(self.URL, {"unit": "XC01"})
        assert response.status_code == 400
        assert "weekday" in response.json()["error"]["fields"]

    def test_teller_is_forbidden(self, network):
        response = client_for(network.teller_a).get(self.URL, {"unit": "XC01", "weekday": 0})
        assert response.status_code == 403

    def test_outlet_out_of_scope_is_not_found(self, network):
        response = client_for(network.other_teller).get(self.URL, {"unit": "XC01", "weekday": 0})
        assert response.status_code == 404


class TestLeagueTables:
    URL = "/api/v1/league-tables/"

    @pytest.fixture
    def published(self, network):
        make_tickets(network, days=2, per_day=30)
        with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
            return league_publish(
                actor=network.subbranch_manager, unit=network.subbranch, month=date(2026, 3, 1)
            )

    def test_teller_lists_and_reads_the_sub_branch_table(self, network, published):
        client = client_for(network.teller_a)
        listing = client.get(self.URL).json()
        assert [p["ref"] for p in listing["results"]] == ["XC-2026-03"]
        body = client.get(f"{self.URL}XC-2026-03/").json()
        assert body["version"] == 1 and body["published_by"] == "subbranch_manager"
        assert [r["staff_number"] for r in body["rows"]] == list(
            published.rows.order_by("rank_overall", "staff_number").values_list(
                "staff_number", flat=True
            )
        )

    def test_other_sub_branch_gets_not_found(self, network, published):
        client = client_for(network.other_teller)
        assert client.get(self.URL).json()["results"] == []
        assert client.get(f"{self.URL}XC-2026-03/").status_code == 404

    def test_bad_month_or_version_is_not_found(self, network, published):
        client = client_for(network.manager_a)
        assert client.get(f"{self.URL}XC-2026-13/").status_code == 404
        assert client.get(f"{self.URL}XC-2026-03/", {"version": "two"}).status_code == 404
        assert client.get(f"{self.URL}XC-2026-03/", {"version": 1}).status_code == 200
