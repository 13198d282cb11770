"""The counters pages: figures, export, staffing and league table; scope and roles."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.counters import selectors
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets

pytestmark = pytest.mark.django_db
RANGE = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=20)).isoformat()}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestDashboard:
    def test_shows_the_figures_of_the_users_scope(self, network, django_assert_num_queries):
        make_tickets(network, days=2, per_day=30)
        client = client_for(network.subbranch_manager)
        url = reverse("counters:dashboard")
        client.get(url, RANGE)
        # session, user, grants, rollups (read once for the table and the waiting chart),
        # outlet labels, the unit switcher, unit codes
        with django_assert_num_queries(7):
            response = client.get(url, RANGE)
        assert response.status_code == 200
        text = response.content.decode()
        assert "XC01" in text and "XC02" in text
        assert "YT01 " not in text.split("<datalist", 1)[0]
        assert response.context["report"].total.tickets == 120
        by_half_hour = selectors.queue_figures(
            user=network.subbranch_manager, unit=None, start=MONDAY,
            end=MONDAY + timedelta(days=20), group_by="half_hour",
        )  # fmt: skip
        chart = response.context["wait_chart"]
        assert chart.labels == [f.label for f in by_half_hour.rows]
        assert chart.series[1].values == [round(f.p90_wait / 60, 2) for f in by_half_hour.rows]

    def test_a_teller_is_told_the_figures_are_their_own(self, network):
        tickets = make_tickets(network, days=1, per_day=30)
        url = reverse("counters:dashboard")
        teller = client_for(network.teller_a).get(url, RANGE)
        mine = sum(1 for t in tickets if t.teller_id == network.teller_a.employee.pk)
        assert teller.context["report"].total.tickets == mine
        assert 'id="figures-own-only"' in teller.content.decode()
        manager = client_for(network.manager_a).get(url, RANGE)
        assert 'id="figures-own-only"' not in manager.content.decode()

    @time_machine.travel("2026-03-20 10:00 +0800", tick=False)
    def test_empty_query_means_this_month(self, network):
        make_tickets(network, days=1, per_day=10)
        response = client_for(network.manager_a).get(reverse("counters:dashboard"))
        assert response.status_code == 200
        assert response.context["report"].total.tickets == 10

    def test_groupings_and_vip_filter(self, network):
        make_tickets(network, days=1, per_day=30)
        client = client_for(network.manager_a)
        for group in ("day", "half_hour", "business_type", "teller", "vip"):
            response = client.get(
                reverse("counters:dashboard"), {**RANGE, "group_by": group, "vip": "no"}
            )
            assert response.status_code == 200
            assert response.context["report"].rows

    def test_bad_range_is_reported(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:dashboard"), {"start": "2026-03-10", "end": "2026-03-01"}
        )
        assert response.status_code == 200
        assert "The end date is before the start date." in response.content.decode()
        assert response.context["report"] is None

    def test_unit_out_of_scope_is_not_found(self, network):
        response = client_for(network.other_teller).get(
            reverse("counters:dashboard"), {"unit": "XC01"}
        )
        assert response.status_code == 404

    def test_export_holds_the_same_table(self, network):
        make_tickets(network, days=1, per_day=20)
        response = client_for(network.subbranch_manager).get(
            reverse("counters:dashboard_export"), {**RANGE, "unit": "XC"}
        )
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("Group", "Tickets")
        assert [r[1] for r in rows[1:]] == [20, 20, 40]
        assert rows[-1][0] == "Total"

    def test_export_bad_input_is_400(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:dashboard_export"), {"start": "soon"}
        )
        assert response.status_code == 400
        assert "valid date" in response.content.decode()


class TestStaffing:
    def params(self, **extra):
        return {"unit": "XC01", "weekday": "0", **RANGE, **extra}

    def test_manager_sees_windows_needed_and_open(self, network):
        make_tickets(network, days=3, per_day=80)
        response = client_for(network.manager_a).get(reverse("counters:staffing"), self.params())
        assert response.status_code == 200
        assert response.context["plan"].days == 3
        text = response.content.decode()
        assert "Windows needed" in text
        assert "bg-primary bg-opacity-" in text

    def test_form_without_query_shows_no_plan(self, network):
        # A manager of several outlets chooses one first (one outlet: see test_staffing_page).
        response = client_for(network.subbranch_manager).get(reverse("counters:staffing"))
        assert response.status_code == 200
        assert response.context["plan"] is None

    def test_bad_weekday_is_reported(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:staffing"), self.params(weekday="9")
        )
        assert response.status_code == 200
        assert response.context["plan"] is None
        assert "Select a valid choice" in response.content.decode()

    def test_teller_is_forbidden(self, network):
        response = client_for(network.teller_a).get(reverse("counters:staffing"), self.params())
        assert response.status_code == 403

    def test_other_subbranch_is_not_found(self, network):
        response = client_for(network.other_teller).get(reverse("counters:staffing"), self.params())
        assert response.status_code == 404

    def test_a_unit_that_is_not_an_outlet_is_not_found(self, network):
        response = client_for(network.subbranch_manager).get(
            reverse("counters:staffing"), self.params(unit="XC")
        )
        assert response.status_code == 404


class TestLeague:
    def test_ranks_tellers_of_the_subbranch(self, network):
        make_tickets(network, days=2, per_day=40)
        response = client_for(network.subbranch_manager).get(
            reverse("counters:league"), {"unit": "XC", "month": "2026-03"}
        )
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [r.rank_overall for r in rows] == sorted(r.rank_overall for r in rows)
        assert network.teller_a.employee.name in response.content.decode()

    def test_teller_reads_published_tables_not_the_live_one(self, network):
        make_tickets(network, days=1, per_day=40)
        response = client_for(network.teller_a).get(
            reverse("counters:league"), {"month": "2026-03"}
        )
        assert response.status_code == 200
        assert response.context["rows"] is None and response.context["live"] is False
        assert "the live table is for managers" in response.content.decode()
        manager = client_for(network.manager_a).get(
            reverse("counters:league"), {"month": "2026-03"}
        )
        assert {r.outlet.code for r in manager.context["rows"]} == {"XC01"}

    def test_bad_month_is_reported(self, network):
        response = client_for(network.teller_a).get(reverse("counters:league"), {"month": "March"})
        assert response.status_code == 200
        assert "Give the month as YYYY-MM" in response.content.decode()

    def test_other_subbranch_is_not_found(self, network):
        response = client_for(network.other_teller).get(reverse("counters:league"), {"unit": "XC"})
        assert response.status_code == 404


class TestHomePanel:
    @time_machine.travel("2026-03-02 18:00 +0800", tick=False)
    def test_home_shows_todays_tickets_of_the_scope(self, network):
        make_tickets(network, days=1, per_day=25)
        response = client_for(network.manager_a).get(reverse("home"))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Queue tickets today" in text
        panel = next(
            p for p in response.context["panels"] if p.template == "counters/panels/today.html"
        )
        assert panel.context["figures"].tickets == 25

    def test_outsider_without_posts_gets_no_panel(self, network, django_user_model):
        user = django_user_model.objects.create_user("nobody", password="pw")
        response = client_for(user).get(reverse("home"))
        assert response.status_code == 200
        assert "Queue tickets today" not in response.content.decode()


class TestQueryCounts:
    def test_staffing_page_queries_do_not_grow_with_history(
        self, network, django_assert_num_queries
    ):
        make_tickets(network, days=3, per_day=60)
        client = client_for(network.manager_a)
        params = {"unit": "XC01", "weekday": "0", **RANGE}
        client.get(reverse("counters:staffing"), params)
        # session, user, grants, outlet, rollups, the unit switcher, outlet codes
        with django_assert_num_queries(7):
            response = client.get(reverse("counters:staffing"), params)
        assert response.status_code == 200

    def test_league_page_queries_do_not_grow_with_tellers(self, network, django_assert_num_queries):
        make_tickets(network, days=2, per_day=60)
        client = client_for(network.subbranch_manager)
        params = {"unit": "XC", "month": "2026-03"}
        client.get(reverse("counters:league"), params)
        # session, user, grants, unit, monthly teller rows (with the tellers' and outlets'
        # names), standard times, errors, the month's publication, the unit switcher, unit codes
        with django_assert_num_queries(10):
            response = client.get(reverse("counters:league"), params)
        assert response.status_code == 200


class TestSlowTellers:
    def test_manager_sees_the_slow_teller_flagged(self, network):
        from ventanilla.counters.tests.test_selectors import make_paced_tickets
        from ventanilla.org.tests.factories import EmployeeFactory

        peers = [EmployeeFactory(unit=network.outlet_a) for _ in range(3)]
        make_paced_tickets(network, {network.teller_a.employee: 1.5, **{p: 1.0 for p in peers}})
        response = client_for(network.manager_a).get(reverse("counters:slow_tellers"), RANGE)
        assert response.status_code == 200
        assert "Slower than peers" in response.content.decode()
        assert response.context["rows"][0].teller == network.teller_a.employee

    def test_teller_is_forbidden(self, network):
        response = client_for(network.teller_a).get(reverse("counters:slow_tellers"))
        assert response.status_code == 403

    def test_other_subbranch_unit_is_not_found(self, network):
        response = client_for(network.subbranch_manager).get(
            reverse("counters:slow_tellers"), {"unit": "YT01"}
        )
        assert response.status_code == 404

    def test_bad_dates_are_reported(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:slow_tellers"), {"start": "yesterday"}
        )
        assert response.status_code == 200
        assert response.context["rows"] is None
        assert "valid date" in response.content.decode()


class TestTellerErrorPages:
    def post(self, user, **changes):
        from ventanilla.counters.models import BusinessType

        data = {
            "teller": network_teller_number(user),
            "business_type": BusinessType.objects.get(code="P07").pk,
            "occurred_on": "2026-03-02",
            "kind": "wrong_amount",
            "severity": "minor",
            "note": "金额录错",
        }
        data.update(changes)
        return client_for(user).post(reverse("counters:error_create"), data)

    @time_machine.travel("2026-03-10 10:00 +0800", tick=False)
    def test_manager_records_an_error_and_sees_it_listed(self, network, django_assert_num_queries):
        from ventanilla.counters.models import TellerError

        response = self.post(network.manager_a, teller=network.teller_a.employee.staff_number)
        assert response.status_code == 302
        error = TellerError.objects.get()
        assert error.outlet == network.outlet_a
        client = client_for(network.manager_a)
        client.get(reverse("counters:errors"))
        # session, user, grants, count, page of errors, the unit switcher
        with django_assert_num_queries(6):
            listed = client.get(reverse("counters:errors"))
        assert "金额录错" in listed.content.decode()
        assert (
            client_for(network.other_teller)
            .get(reverse("counters:errors"))
            .context["page_obj"]
            .paginator.count
            == 0
        )

    def test_bad_input_is_reported(self, network):
        response = self.post(
            network.manager_a, teller=network.teller_a.employee.staff_number, occurred_on="x"
        )
        assert response.status_code == 200
        assert "Enter a valid date." in response.content.decode()

    # the form takes dates of the last 13 months only, and the post is dated March 2026
    @time_machine.travel("2026-03-10 10:00 +0800", tick=False)
    def test_teller_of_another_subbranch_is_unknown(self, network):
        response = self.post(network.manager_a, teller=network.other_teller.employee.staff_number)
        assert response.status_code == 200
        assert "No employee you can see has this staff number." in response.content.decode()

    def test_teller_may_not_record(self, network):
        response = self.post(network.teller_a, teller=network.teller_a.employee.staff_number)
        assert response.status_code == 403

    def test_teller_of_another_subbranch_may_not_record(self, network):
        response = self.post(
            network.other_teller, teller=network.other_teller.employee.staff_number
        )
        assert response.status_code == 403


def network_teller_number(user) -> str:
    return user.employee.staff_number
