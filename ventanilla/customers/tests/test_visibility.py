"""Who sees which customers, and which complaints an account manager sees through them.

Staff posts see their own customers only; managers and auditors see their subtree; a
teller of another sub-branch gets 404 everywhere. An account manager sees the complaints
of the customers they look after, even when taken at another outlet, and only those.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ventanilla.complaints import selectors as complaint_selectors
from ventanilla.complaints.tests.factories import register
from ventanilla.customers import selectors, services
from ventanilla.customers.tests.factories import account_manager, customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(network):
    am = account_manager(network)
    other_am = account_manager(network, "am_b")
    return {
        "am": am,
        "mine": customer(network.outlet_a, manager=am),
        "mine_at_b": customer(network.outlet_b, manager=am),
        "colleagues": customer(network.outlet_a, manager=other_am),
        "nobodys": customer(network.outlet_a),
        "elsewhere": customer(network.other_outlet),
    }


def numbers(user):
    return set(selectors.customer_list(user=user).values_list("number", flat=True))


def test_staff_see_their_own_customers_managers_their_subtree(network, book):
    assert numbers(book["am"]) == {book["mine"].number, book["mine_at_b"].number}
    assert numbers(network.teller_a) == set()
    outlet_a = {book[k].number for k in ("mine", "colleagues", "nobodys")}
    assert numbers(network.manager_a) == outlet_a
    xiangcheng = outlet_a | {book["mine_at_b"].number}
    assert numbers(network.subbranch_manager) == xiangcheng
    assert numbers(network.auditor) == xiangcheng | {book["elsewhere"].number}
    assert numbers(network.other_teller) == set()
    assert numbers(network.admin) == {c.number for k, c in book.items() if k != "am"}


def test_other_teller_gets_404_on_a_xiangcheng_customer_in_pages_api_and_export(
    client, network, book
):
    hidden = book["mine"].number
    client.force_login(network.other_teller)
    assert client.get(reverse("customers:detail", args=[hidden])).status_code == 404
    assert (
        client.post(reverse("customers:unmask", args=[hidden]), {"reason": "x"}).status_code == 404
    )
    assert (
        client.post(reverse("customers:reassign", args=[hidden]), {"reason": "x"}).status_code
        == 404
    )
    export = client.get(reverse("customers:export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1:] == []
    api = APIClient()
    api.force_authenticate(network.other_teller)
    assert api.get(f"/api/v1/customers/{hidden}/").status_code == 404
    assert api.get("/api/v1/customers/").data["count"] == 0


def test_account_manager_cannot_open_a_colleagues_customer(client, network, book):
    client.force_login(book["am"])
    assert (
        client.get(reverse("customers:detail", args=[book["colleagues"].number])).status_code == 404
    )
    assert (
        client.get(reverse("customers:detail", args=[book["mine_at_b"].number])).status_code == 200
    )


@pytest.fixture
def complaints(network, book):
    return {
        # Taken at outlet B, outside the account manager's post: about their customer.
        "about_mine": register(
            network, actor=network.subbranch_manager, unit=network.outlet_b, customer=book["mine"]
        ),
        "about_colleagues": register(
            network,
            actor=network.subbranch_manager,
            unit=network.outlet_b,
            customer=book["colleagues"],
        ),
        "at_a": register(network, actor=network.manager_a),
    }


def refs(user):
    return set(complaint_selectors.complaint_list(user=user).values_list("reference", flat=True))


def test_account_manager_sees_complaints_about_their_customers_at_any_outlet(
    client, network, book, complaints
):
    am = book["am"]
    mine = complaints["about_mine"].reference
    assert refs(am) == {mine}
    client.force_login(am)
    page = client.get(reverse("complaints:detail", args=[mine]))
    assert page.status_code == 200
    body = page.content.decode()
    # Their own customer: the complainant in full, as on the customer's page.
    assert "13812341234" in body
    for other in ("about_colleagues", "at_a"):
        reference = complaints[other].reference
        assert client.get(reverse("complaints:detail", args=[reference])).status_code == 404
    # Seeing is all it grants: the workflow at outlet B stays closed to them.
    step = reverse("complaints:step", args=[mine, "investigate"])
    assert client.post(step).status_code == 404
    api = APIClient()
    api.force_authenticate(am)
    listed = api.get("/api/v1/complaints/").data
    assert [row["reference"] for row in listed["results"]] == [mine]
    assert listed["results"][0]["customer"] == book["mine"].number
    assert api.get(f"/api/v1/complaints/{complaints['at_a'].reference}/").status_code == 404
    filtered = client.get(reverse("complaints:list"), {"my_customers": "true"}).content.decode()
    assert mine in filtered
    complainant = complaints["about_mine"].complainant_name
    assert complainant in filtered  # the ledger shows their own customer in full too


def test_a_staff_post_sees_other_complainants_masked(client, network, book):
    """The full complainant is for managers and the customer's own manager: the teller who
    took a complaint about someone else's customer sees it masked."""
    taken = register(network, customer=book["colleagues"])  # by teller A, at outlet A
    client.force_login(network.teller_a)
    page = client.get(reverse("complaints:detail", args=[taken.reference]))
    assert page.status_code == 200
    assert "13812341234" not in page.content.decode()


def test_a_reassigned_customer_takes_its_complaints_to_the_new_manager(network, book, complaints):
    am, successor = book["am"], account_manager(network, "am_c")
    services.customer_reassign(
        actor=network.manager_a,
        customer=book["mine"],
        employee=successor.employee,
        reason="客户经理调岗",
    )
    mine = complaints["about_mine"].reference
    assert mine not in refs(am)
    assert mine in refs(successor)


def test_other_teller_never_sees_the_complaints_through_customers(network, complaints):
    assert refs(network.other_teller) == set()
