"""Every API failure answers in the one error shape of core/api.py."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def assert_error(response, status: int | set[int], code: str) -> dict:
    allowed = status if isinstance(status, set) else {status}
    assert response.status_code in allowed, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_anonymous_is_403_not_authenticated(network):
    assert_error(Client().get("/api/v1/employees/"), 403, "not_authenticated")


# DRF answers 401 only when the first authentication class names a WWW-Authenticate
# scheme; with session authentication first, a refused token is a 403.
REFUSED = {401, 403}


def test_unknown_token_is_refused_as_authentication_failed(network):
    client = Client(HTTP_AUTHORIZATION="Token " + "0" * 40)
    error = assert_error(client.get("/api/v1/employees/"), REFUSED, "authentication_failed")
    assert error["message"] == "Invalid token."


def test_token_of_an_inactive_user_is_refused(network):
    token = Token.objects.create(user=network.teller_a)
    network.teller_a.is_active = False
    network.teller_a.save()
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    error = assert_error(client.get("/api/v1/org-units/"), REFUSED, "authentication_failed")
    assert error["message"] == "User inactive or deleted."


def test_out_of_scope_is_404_not_found(network):
    client = Client()
    client.force_login(network.other_teller)
    error = assert_error(client.get("/api/v1/org-units/XC01/"), 404, "not_found")
    assert error["fields"] == {}


def test_missing_and_out_of_scope_look_alike(network):
    client = Client()
    client.force_login(network.other_teller)
    hidden = client.get("/api/v1/org-units/XC01/").json()
    missing = client.get("/api/v1/org-units/NO-SUCH-UNIT/").json()
    assert hidden == missing


def test_bad_filter_is_400_invalid_with_the_field(network):
    client = Client()
    client.force_login(network.auditor)
    response = client.get("/api/v1/groups/", {"kind": "club"})
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["kind"]


def test_writes_on_read_only_endpoints_are_405(network):
    client = Client()
    client.force_login(network.admin)
    response = client.post("/api/v1/org-units/", {"code": "NEW"})
    assert_error(response, 405, "method_not_allowed")
    response = client.delete(f"/api/v1/groups/{network.group.pk}/")
    assert_error(response, 405, "method_not_allowed")


def test_page_past_the_end_is_404_in_the_error_shape(network):
    client = Client()
    client.force_login(network.auditor)
    assert_error(client.get("/api/v1/org-units/", {"page": 99}), 404, "not_found")
