"""The teller page: a teller's own figures (volume, transaction time against standard by
type, errors, trend by month), for the teller and for the managers above them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from ventanilla.counters import selectors
from ventanilla.counters.models import BusinessType, ErrorKind, QueueTicket, Severity, TellerError
from ventanilla.counters.tests.test_selectors import MONDAY, make_paced_tickets
from ventanilla.counters.tests.test_views import client_for
from ventanilla.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
RANGE = {"start": "2026-01-01", "end": "2026-04-30"}


def _history(network):
    teller = network.teller_a.employee
    make_paced_tickets(network, {teller: 1.2})
    # A second month: the same tickets moved to February.
    february = [
        QueueTicket(
            **{
                f.attname: getattr(t, f.attname)
                for f in QueueTicket._meta.concrete_fields
                if f.attname != "id"
            }
        )
        for t in QueueTicket.objects.filter(teller=teller)[:20]
    ]
    for t in february:
        shift = timedelta(days=28)
        t.service_on -= shift
        t.issued_at -= shift
        t.called_at -= shift
        t.started_at -= shift
        t.ended_at -= shift
    QueueTicket.objects.bulk_create(february)
    from ventanilla.counters.rollups import rollups_rebuild

    rollups_rebuild(days={(t.outlet_id, t.service_on) for t in february})
    TellerError.objects.create(
        outlet=network.outlet_a, occurred_on=MONDAY, teller=teller,
        business_type=BusinessType.objects.get(code="P03"), kind=ErrorKind.WRONG_AMOUNT,
        severity=Severity.MINOR,
    )  # fmt: skip
    return teller


def test_report_matches_the_raw_tickets(network, django_assert_num_queries):
    teller = _history(network)
    user = network.teller_a
    selectors.teller_report(user=user, teller=teller, start=date(2026, 1, 1), end=date(2026, 4, 30))
    # rollup sums by month and type, business types, errors
    with django_assert_num_queries(3):
        report = selectors.teller_report(
            user=user, teller=teller, start=date(2026, 1, 1), end=date(2026, 4, 30)
        )
    mine = list(QueueTicket.objects.filter(teller=teller).select_related("business_type"))
    assert report.total.served == len(mine)
    assert [m.month for m in report.months] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert [m.served for m in report.months] == [20, len(mine) - 20]
    assert [m.errors for m in report.months] == [0, 1]
    spent = sum(t.transaction_seconds for t in mine)
    par = sum(t.business_type.standard_seconds for t in mine)
    assert report.total.dwell_ratio == pytest.approx(spent / par)
    for row in report.types:
        typed = [t for t in mine if t.business_type_id == row.business_type.pk]
        mean = sum(t.transaction_seconds for t in typed) / len(typed)
        assert row.served == len(typed)
        assert row.dwell_ratio == pytest.approx(mean / row.business_type.standard_seconds)
    assert report.errors_by_kind == [("Wrong amount", 1)]


def test_teller_sees_own_page_with_charts(network):
    teller = _history(network)
    client = client_for(network.teller_a)
    me = client.get(reverse("counters:teller_me"))
    assert me.status_code == 302
    response = client.get(me["Location"], RANGE)
    assert response.status_code == 200
    assert response.context["teller"] == teller
    charts = response.context["charts"]
    assert charts["volume"].labels == ["2026-02", "2026-03"]
    assert charts["volume"].series[1].values == [0.0, 1.0]


def test_manager_sees_a_teller_of_the_outlet(network):
    teller = _history(network)
    response = client_for(network.manager_a).get(
        reverse("counters:teller", args=[teller.staff_number]), RANGE
    )
    assert response.status_code == 200
    assert (
        response.context["report"].total.served == QueueTicket.objects.filter(teller=teller).count()
    )


def test_teller_may_not_see_a_colleague(network):
    colleague = EmployeeFactory(unit=network.outlet_a)
    response = client_for(network.teller_a).get(
        reverse("counters:teller", args=[colleague.staff_number])
    )
    assert response.status_code == 403


def test_teller_of_another_sub_branch_is_not_found(network):
    response = client_for(network.other_teller).get(
        reverse("counters:teller", args=[network.teller_a.employee.staff_number])
    )
    assert response.status_code == 404


def test_bad_range_is_reported(network):
    response = client_for(network.teller_a).get(
        reverse("counters:teller", args=[network.teller_a.employee.staff_number]),
        {"start": "2026-04-01", "end": "2026-03-01"},
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "The end date is before the start date." in response.content.decode()


def test_user_without_employee_has_no_own_page(network):
    assert client_for(network.admin).get(reverse("counters:teller_me")).status_code == 404
