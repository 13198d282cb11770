"""Customer pages and services: masking and recorded unmasking, manager changes with their
history, and the complaint form's link to a customer."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ventanilla.complaints.models import Complaint
from ventanilla.complaints.tests.factories import code, ensure_seed
from ventanilla.core.errors import DomainError
from ventanilla.customers import services
from ventanilla.customers.models import CustomerUnmaskEvent, RelationshipAssignment
from ventanilla.customers.tests.factories import account_manager, customer
from ventanilla.org.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def am(network):
    return account_manager(network)


@pytest.fixture
def mine(network, am):
    return customer(network.outlet_a, manager=am, name="王小明", phone="13912345678")


def test_list_masks_personal_data_except_for_the_customers_own_manager(client, network, am, mine):
    client.force_login(network.manager_a)
    body = client.get(reverse("customers:list")).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert "王**" in body and "王小明" not in body
    client.force_login(am)
    body = client.get(reverse("customers:list")).content.decode()
    assert "13912345678" in body and "王小明" in body


def test_company_names_are_not_masked_but_their_phones_are(client, network):
    company = customer(network.outlet_a, kind="corporate", phone="051266661234")
    client.force_login(network.manager_a)
    body = client.get(reverse("customers:detail", args=[company.number])).content.decode()
    assert "苏州恒通精密机械有限公司" in body
    assert "051266661234" not in body


def test_unmask_needs_a_reason_and_is_recorded(client, network, mine):
    client.force_login(network.manager_a)
    url = reverse("customers:unmask", args=[mine.number])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert not CustomerUnmaskEvent.objects.exists()
    shown = client.post(url, {"reason": "回访核实投诉处理结果"})
    assert shown.status_code == 200
    assert "13912345678" in shown.content.decode()
    event = CustomerUnmaskEvent.objects.get()
    assert event.actor == network.manager_a and event.reason == "回访核实投诉处理结果"


def test_a_teller_may_not_unmask(client, network, mine):
    colleague = account_manager(network, "am_b")
    customer_b = customer(network.outlet_a, manager=colleague)
    client.force_login(colleague)
    # Their own customer is shown in full: nothing to unmask, and no permission to.
    page = client.get(reverse("customers:detail", args=[customer_b.number]))
    assert "Show personal data" not in page.content.decode()
    assert (
        client.post(
            reverse("customers:unmask", args=[customer_b.number]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_reassign_keeps_the_history(network, am, mine):
    successor = account_manager(network, "am_b")
    services.customer_reassign(
        actor=network.manager_a,
        customer=mine,
        employee=successor.employee,
        on=date(2026, 3, 1),
        reason="原客户经理调岗",
    )
    mine.refresh_from_db()
    assert mine.manager == successor.employee
    periods = list(
        RelationshipAssignment.objects.filter(customer=mine)
        .order_by("started_on")
        .values_list("employee__user__username", "started_on", "ended_on")
    )
    assert periods == [
        ("am_a", date(2024, 1, 1), date(2026, 3, 1)),
        ("am_b", date(2026, 3, 1), None),
    ]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("same", "already looks after"),
        ("outside", "outside"),
        ("before", "cannot start before"),
        ("no_reason", "Say why"),
    ],
)
def test_reassign_refuses_and_changes_nothing(network, am, mine, case, message):
    employee, on, reason = am.employee, date(2026, 3, 1), "调整"
    if case == "outside":
        employee = network.other_teller.employee
    elif case == "before":
        employee = account_manager(network, "am_b").employee
        on = date(2023, 1, 1)
    elif case == "no_reason":
        employee = account_manager(network, "am_b").employee
        reason = ""
    with pytest.raises(DomainError, match=message):
        services.customer_reassign(
            actor=network.manager_a, customer=mine, employee=employee, on=on, reason=reason
        )
    mine.refresh_from_db()
    assert mine.manager == am.employee
    assert RelationshipAssignment.objects.filter(customer=mine).count() == 1


def test_reassign_page_needs_a_manager(client, network, am, mine):
    successor = account_manager(network, "am_b")
    url = reverse("customers:reassign", args=[mine.number])
    data = {"employee": successor.employee.pk, "on": "2026-03-01", "reason": "调岗"}
    client.force_login(am)
    assert client.post(url, data).status_code == 403
    client.force_login(network.manager_a)
    response = client.post(url, data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.manager == successor.employee


def test_export_follows_the_filters_and_the_masking(client, network, am, mine):
    customer(network.outlet_a, tier="basic", vip_level=0)
    client.force_login(network.manager_a)
    export = client.get(reverse("customers:export"), {"tier": "key"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == mine.number and rows[1][5] == "139****5678"


def test_api_masks_like_the_pages(network, am, mine):
    api = APIClient()
    api.force_authenticate(network.manager_a)
    body = api.get(f"/api/v1/customers/{mine.number}/").data
    assert body["personal_data"]["phone"] == "139****5678"
    assert body["assignments"][0]["staff_number"] == am.employee.staff_number
    api.force_authenticate(am)
    assert api.get(f"/api/v1/customers/{mine.number}/").data["personal_data"]["phone"] == (
        "13912345678"
    )


def _register_data(network, **extra):
    ensure_seed()
    data = {
        "unit": network.outlet_a.pk,
        "received_at": "2026-03-02T09:00",
        "source": "direct",
        "channel": code("channel", "CH01").pk,
        "business_type": code("business", "BT02").pk,
        "cause": code("cause", "CA09").pk,
        "severity": "normal",
        "complainant_name": "王小明",
        "id_type": "resident",
        "phone": "13912345678",
        "request": "要求说明",
        "facts": "排队过久",
    }
    data.update(extra)
    return data


def test_a_teller_links_a_complaint_to_a_customer_by_number(client, network, am, mine):
    client.force_login(network.teller_a)
    url = reverse("complaints:register")
    unknown = client.post(url, _register_data(network, customer="C99999999"))
    assert unknown.status_code == 200
    assert "No customer has the number C99999999" in unknown.content.decode()
    assert not Complaint.objects.exists()
    response = client.post(url, _register_data(network, customer=mine.number))
    assert response.status_code == 302
    assert Complaint.objects.get().customer == mine


def test_api_registers_with_a_customer_number(network, mine):
    ensure_seed()
    api = APIClient()
    api.force_authenticate(network.teller_a)
    body = {
        "unit": "XC01",
        "received_at": "2026-03-02T09:00:00+08:00",
        "channel": "CH01",
        "business_type": "BT02",
        "cause": "CA09",
        "complainant_name": "王小明",
        "phone": "13912345678",
        "request": "要求说明",
        "facts": "排队过久",
    }
    refused = api.post("/api/v1/complaints/", {**body, "customer": "NOPE"}, format="json")
    assert refused.status_code == 400
    created = api.post("/api/v1/complaints/", {**body, "customer": mine.number}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["customer"] == mine.number


def test_a_manager_without_customers_sees_no_my_customers_filter(client, network):
    person("plain", network.outlet_a, "teller")
    client.force_login(network.manager_a)
    body = client.get(reverse("complaints:list")).content.decode()
    assert "About customers in my care" not in body


def test_list_and_api_query_counts_do_not_grow_with_the_customers(
    client, network, am, django_assert_max_num_queries
):
    for _ in range(3):
        customer(network.outlet_a, manager=am)
    client.force_login(network.manager_a)
    api = APIClient()
    api.force_authenticate(network.manager_a)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("customers:list"))
    with django_assert_max_num_queries(12) as small_api:
        api.get("/api/v1/customers/")
    for _ in range(30):
        customer(network.outlet_b, manager=am)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("customers:list"))
    with django_assert_max_num_queries(len(small_api.captured_queries)):
        api.get("/api/v1/customers/")
