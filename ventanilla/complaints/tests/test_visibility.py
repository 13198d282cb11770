"""The object-level rule beside the scope rule: staff see their own complaints only.

A teller sees the complaints they registered, those about them and those they handle;
the outlet head, the sub-branch and the head-office auditor see the whole subtree.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ventanilla.complaints import selectors, services
from ventanilla.complaints.tests.factories import register

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaints(network):
    teller = network.teller_a.employee
    head = network.manager_a
    handled = register(network, actor=head)
    services.complaint_accept(actor=head, complaint=handled, handler=teller)
    return {
        "theirs": register(network),
        "about": register(network, actor=head, subject_employee=teller),
        "handled": handled,
        "other": register(network, actor=head),
    }


def refs(user):
    return set(selectors.complaint_list(user=user).values_list("reference", flat=True))


def test_teller_sees_registered_about_them_and_handled_but_not_the_rest(network, complaints):
    visible = refs(network.teller_a)
    assert visible == {complaints[k].reference for k in ("theirs", "about", "handled")}
    everything = {c.reference for c in complaints.values()}
    for user in (network.manager_a, network.subbranch_manager, network.auditor, network.admin):
        assert refs(user) == everything, user
    assert refs(network.other_teller) == set()


def test_teller_gets_404_on_a_colleagues_complaint_in_pages_api_and_exports(
    client, network, complaints
):
    hidden = complaints["other"].reference
    client.force_login(network.teller_a)
    assert client.get(reverse("complaints:detail", args=[hidden])).status_code == 404
    step = reverse("complaints:step", args=[hidden, "investigate"])
    assert client.post(step).status_code == 404
    listing = client.get(reverse("complaints:list")).content.decode()
    assert hidden not in listing and complaints["about"].reference in listing
    export = client.get(reverse("complaints:ledger_export", args=["XC01"]))
    rows = list(load_workbook(io.BytesIO(export.content))["Ledger"].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == refs(network.teller_a)
    api = APIClient()
    api.force_authenticate(network.teller_a)
    assert api.get(f"/api/v1/complaints/{hidden}/").status_code == 404
    assert api.get("/api/v1/complaints/").data["count"] == 3
    client.force_login(network.manager_a)
    assert client.get(reverse("complaints:detail", args=[hidden])).status_code == 200


def test_handler_keeps_seeing_the_complaint_they_were_given(network, complaints):
    other = complaints["other"]
    assert other.reference not in refs(network.teller_a)
    services.complaint_accept(
        actor=network.manager_a, complaint=other, handler=network.teller_a.employee
    )
    assert other.reference in refs(network.teller_a)


def test_detail_lists_only_the_merged_repeats_the_reader_may_see(client, network, complaints):
    original, repeat = complaints["theirs"], complaints["other"]
    services.complaint_merge(actor=network.manager_a, complaint=repeat, original=original)
    url = reverse("complaints:detail", args=[original.reference])
    link = f'href="{reverse("complaints:detail", args=[repeat.reference])}"'
    client.force_login(network.manager_a)
    assert link in client.get(url).content.decode()
    client.force_login(network.teller_a)
    page = client.get(url)
    assert page.status_code == 200
    assert link not in page.content.decode()
