"""The complaints API: scope 404, role 403, masking, workflow actions, one error shape."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from ventanilla.complaints.models import Complaint, Status, UnmaskEvent
from ventanilla.complaints.tests.factories import register

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
BASE = "/api/v1/complaints/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(network):
    return register(network)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_detail_by_reference_with_masking(network, complaint):
    listing = api(network.teller_a).get(BASE)
    assert listing.status_code == 200
    row = listing.json()["results"][0]
    assert row["reference"] == complaint.reference
    assert row["complainant"]["name"] == "张*"
    assert row["complainant"]["phone"] == "138****1234"
    assert row["complainant"]["id_number"] == "110***********1234"
    assert row["complainant"]["is_masked"] is True
    assert row["due_at"].startswith("2026-03-17T23:59:59")
    detail = api(network.manager_a).get(f"{BASE}{complaint.reference}/").json()
    assert detail["complainant"]["phone"] == "13812341234"
    assert detail["events"][0]["action"] == "register"


def test_other_teller_gets_404(network, complaint):
    client = api(network.other_teller)
    assert client.get(f"{BASE}{complaint.reference}/").status_code == 404
    assert client.post(f"{BASE}{complaint.reference}/investigate/", {}).status_code == 404
    assert client.post(f"{BASE}{complaint.reference}/unmask/", {"reason": "看"}).status_code == 404
    assert client.get(BASE).json()["count"] == 0


def test_unknown_reference_is_404_in_the_one_error_shape(network):
    response = api(network.manager_a).get(f"{BASE}CMP-2026-999999/")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_teller_cannot_accept_403(network, complaint):
    response = api(network.teller_a).post(
        f"{BASE}{complaint.reference}/accept/", {"handler": network.teller_a.employee.staff_number}
    )
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).status == Status.REGISTERED


def test_workflow_through_the_api(network, complaint):
    client = api(network.manager_a)
    url = f"{BASE}{complaint.reference}/"
    staff = network.teller_a.employee.staff_number
    assert client.post(f"{url}accept/", {"handler": staff}).json()["status"] == "accepted"
    assert client.post(f"{url}investigate/", {}).json()["status"] == "investigating"
    assert client.post(f"{url}decide/", {"decision": "已致歉"}).json()["status"] == "decision_sent"
    refused = client.post(
        f"{url}close/",
        {"is_accepted_by_customer": None, "root_cause": None, "corrective_action": ""},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "incomplete"
    assert "root cause" in refused.json()["error"]["message"]
    closed = client.post(
        f"{url}close/",
        {"is_accepted_by_customer": True, "root_cause": "RC02", "corrective_action": "业务培训"},
        format="json",
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["root_cause"] == "RC02"


def test_bad_input_names_the_field(network, complaint):
    response = api(network.manager_a).post(f"{BASE}{complaint.reference}/accept/", {})
    assert response.status_code == 400
    assert "handler" in response.json()["error"]["fields"]


def test_refused_step_is_400_with_reason(network, complaint):
    response = api(network.manager_a).post(
        f"{BASE}{complaint.reference}/reopen/", {"reason": "再议"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_status"


def test_register_through_the_api(network):
    from ventanilla.complaints.tests.factories import ensure_seed

    ensure_seed()
    body = {
        "unit": "XC01",
        "received_at": "2026-03-02T09:00:00+08:00",
        "channel": "CH04",
        "business_type": "BT05",
        "cause": "CA02",
        "complainant_name": "王五",
        "phone": "13700000000",
        "request": "查明转账失败原因",
        "facts": "手机银行转账失败但已扣款",
    }
    created = api(network.teller_a).post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["reference"] == "CMP-2026-000001"
    assert created.json()["complainant"]["name"] == "王*"
    outside = api(network.other_teller).post(BASE, body, format="json")
    assert outside.status_code == 400
    assert "unit" in outside.json()["error"]["fields"]
    viewer = api(network.auditor).post(BASE, body, format="json")
    assert viewer.status_code == 403


def test_unmask_records_and_returns_full_data(network, complaint):
    url = f"{BASE}{complaint.reference}/unmask/"
    assert api(network.teller_a).post(url, {"reason": "回访"}).status_code == 403
    assert api(network.manager_a).post(url, {}).status_code == 400
    response = api(network.manager_a).post(url, {"reason": "回访客户"})
    assert response.status_code == 200
    assert response.json()["id_number"] == "110105199001011234"
    assert UnmaskEvent.objects.filter(actor=network.manager_a).count() == 1


def test_list_query_count_is_pinned(network, django_assert_num_queries):
    client = api(network.manager_a)
    register(network)
    client.get(BASE)  # loads the user's grants, kept on the user object
    with django_assert_num_queries(2) as small:
        client.get(BASE)
    for _ in range(5):
        register(network)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(BASE).json()["count"] == 6
