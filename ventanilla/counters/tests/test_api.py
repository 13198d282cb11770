"""POST /api/v1/queue-tickets/: pushes from a queue machine, scoped, all or none."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from ventanilla.counters.models import QueueTicket
from ventanilla.counters.rollups import cell_rows
from ventanilla.counters.tests.factories import may_load_tickets

pytestmark = pytest.mark.django_db
URL = "/api/v1/queue-tickets/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ticket(number: str, **changes):
    values = {
        "service_on": "2026-03-02",
        "ticket_number": number,
        "business_type": "P03",
        "issued_at": "2026-03-02T09:00:00+08:00",
        "called_at": "2026-03-02T09:03:00+08:00",
        "ended_at": "2026-03-02T09:07:00+08:00",
        "window": "2",
        "outcome": "served",
    }
    values.update(changes)
    return values


def push(user, body):
    return client_for(user).post(URL, body, content_type="application/json")


def test_push_list_creates_then_is_idempotent(network, django_assert_num_queries):
    body = {"outlet": "XC01", "tickets": [ticket("1"), ticket("2", is_vip=True)]}
    client = client_for(network.manager_a)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert len(cell_rows()) == 2
    body["tickets"] += [ticket(str(n)) for n in range(3, 40)]
    client.post(URL, body, content_type="application/json")
    # session, user, grants, outlet, savepoint, the outlet's ticket lock (PostgreSQL),
    # business types, stored tickets, release
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 8):
        again = client.post(URL, body, content_type="application/json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 39}


def test_push_single_ticket(network):
    response = push(network.manager_a, {"outlet": "XC01", **ticket("9")})
    assert response.status_code == 200
    assert QueueTicket.objects.get().ticket_number == "9"


def test_bad_ticket_names_the_item_and_saves_nothing(network):
    body = {"outlet": "XC01", "tickets": [ticket("1"), ticket("2", business_type="ZZ")]}
    response = push(network.manager_a, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_tickets"
    assert error["fields"]["tickets"] == ["line 2: ZZ is not a known business type code."]
    assert not QueueTicket.objects.exists()


def test_bad_shape_is_a_validation_error(network):
    response = push(network.teller_a, {"outlet": "XC01", "tickets": [{"ticket_number": "1"}]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "issued_at" in response.json()["error"]["fields"]["tickets"]["0"]


def test_outlet_of_another_subbranch_is_not_found(network):
    response = push(network.other_teller, {"outlet": "XC01", "tickets": [ticket("1")]})
    assert response.status_code == 404
    assert not QueueTicket.objects.exists()


def test_a_teller_pushes_only_with_the_permission(network):
    """Tickets feed the teller's own league figures: a teller's post does not write them; a
    queue machine's account (a staff post) is given the permission."""
    body = {"outlet": "XC01", "tickets": [ticket("1")]}
    assert push(network.teller_a, body).status_code == 403
    assert not QueueTicket.objects.exists()
    assert push(may_load_tickets(network.teller_a), body).status_code == 200
    assert QueueTicket.objects.count() == 1


def test_viewer_is_forbidden(network):
    response = push(network.auditor, {"outlet": "XC01", "tickets": [ticket("1")]})
    assert response.status_code == 403


def test_a_unit_that_is_not_an_outlet_is_refused(network):
    response = push(network.subbranch_manager, {"outlet": "XC", "tickets": [ticket("1")]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_outlet"


def test_anonymous_is_refused(network):
    response = Client().post(URL, {"outlet": "XC01"}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_what_tickets_refer_to_cannot_be_deleted_under_them(network):
    """Ticket keys carry no database constraint (bulk loads): Django's PROTECT keeps the
    teller, business type and outlet of a stored ticket, and nothing is deleted."""
    from django.db.models import ProtectedError

    from ventanilla.counters.models import BusinessType
    from ventanilla.org.models import Employee

    teller = Employee.objects.get(user=network.teller_a)
    body = {"outlet": "XC01", "tickets": [ticket("1", teller=teller.staff_number)]}
    assert push(network.manager_a, body).status_code == 200
    stored = QueueTicket.objects.get()
    assert stored.teller == teller
    for referred in (teller, BusinessType.objects.get(code="P03"), stored.outlet):
        with pytest.raises(ProtectedError):
            referred.delete()
        referred.refresh_from_db()  # still there
    assert QueueTicket.objects.count() == 1 and len(cell_rows()) == 1
