"""Complaint pages: scope (404), role (403), masking, forms, workflow, export, query counts."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.complaints import services
from ventanilla.complaints.models import Axis, Complaint, Status, UnmaskEvent
from ventanilla.complaints.tests.factories import code, register

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(network):
    return register(network)


def login(client, user):
    client.force_login(user)
    return client


def xc_urls(complaint):
    ref = complaint.reference
    return [
        reverse("complaints:detail", args=[ref]),
        reverse("complaints:ledger", args=["XC01"]),
        reverse("complaints:ledger", args=["XC"]),
        reverse("complaints:ledger_export", args=["XC01"]),
        reverse("complaints:ledger_export", args=["XC"]),
    ]


def test_other_teller_gets_404_on_every_xiangcheng_page(client, network, complaint):
    login(client, network.other_teller)
    for url in xc_urls(complaint):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("complaints:step", args=[complaint.reference, "investigate"]),
        reverse("complaints:unmask", args=[complaint.reference]),
    ):
        assert client.post(url, {"reason": "查看"}).status_code == 404, url
    listing = client.get(reverse("complaints:list"))
    assert complaint.reference not in listing.content.decode()
    export = client.get(reverse("complaints:export"))
    sheet = load_workbook(io.BytesIO(export.content))["Ledger"]
    assert sheet.max_row == 1


def test_anonymous_is_sent_to_login(client, complaint):
    response = client.get(reverse("complaints:detail", args=[complaint.reference]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_teller_sees_masked_complainant(client, network, complaint):
    page = login(client, network.teller_a).get(
        reverse("complaints:detail", args=[complaint.reference])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "张*" in html and "138****1234" in html and "110***********1234" in html
    assert "13812341234" not in html and "110105199001011234" not in html
    assert "张三" not in html
    # the teller holds no permission to unmask
    assert reverse("complaints:unmask", args=[complaint.reference]) not in html


def test_manager_sees_complainant_in_full(client, network, complaint):
    html = (
        login(client, network.manager_a)
        .get(reverse("complaints:detail", args=[complaint.reference]))
        .content.decode()
    )
    assert "13812341234" in html and "张三" in html


def test_unmask_needs_permission_and_records_reason(client, network, complaint):
    url = reverse("complaints:unmask", args=[complaint.reference])
    login(client, network.teller_a)
    assert client.post(url, {"reason": "回访客户"}).status_code == 403
    network.teller_a.user_permissions.add(
        Permission.objects.get(codename="view_personal_data", content_type__app_label="complaints")
    )
    detail = client.get(reverse("complaints:detail", args=[complaint.reference])).content.decode()
    assert url in detail
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert "13812341234" not in missing.content.decode()
    shown = client.post(url, {"reason": "回访客户"})
    assert shown.status_code == 200
    assert "13812341234" in shown.content.decode()
    event = UnmaskEvent.objects.get()
    assert (event.actor, event.reason) == (network.teller_a, "回访客户")
    # the next plain view is masked again
    again = client.get(reverse("complaints:detail", args=[complaint.reference]))
    assert "13812341234" not in again.content.decode()


def test_auditor_reads_but_cannot_register_or_act(client, network, complaint):
    login(client, network.auditor)
    assert client.get(reverse("complaints:detail", args=[complaint.reference])).status_code == 200
    assert client.get(reverse("complaints:register")).status_code == 403
    url = reverse("complaints:step", args=[complaint.reference, "investigate"])
    assert client.post(url, {}).status_code == 403


def test_teller_cannot_accept(client, network, complaint):
    login(client, network.teller_a)
    url = reverse("complaints:step", args=[complaint.reference, "accept"])
    response = client.post(url, {"handler": network.teller_a.employee.pk})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).status == Status.REGISTERED


def test_unknown_step_is_refused(client, network, complaint):
    login(client, network.manager_a)
    url = reverse("complaints:step", args=[complaint.reference, "explode"])
    assert client.post(url, {}).status_code == 403


def test_register_form_creates_a_complaint(client, network):
    login(client, network.teller_a)
    form = client.get(reverse("complaints:register"))
    assert form.status_code == 200
    data = {
        "unit": network.outlet_a.pk,
        "received_at": "2026-03-02T09:30",
        "source": "direct",
        "channel": code(Axis.CHANNEL, "CH01").pk,
        "business_type": code(Axis.BUSINESS, "BT03").pk,
        "cause": code(Axis.CAUSE, "CA05").pk,
        "severity": "normal",
        "complainant_name": "李四",
        "id_type": "resident",
        "id_number": "320105198805051234",
        "phone": "13900001111",
        "request": "退还年费",
        "facts": "未告知年费即扣款",
    }
    response = client.post(reverse("complaints:register"), data)
    created = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:detail", args=[created.reference])
    assert created.registered_by == network.teller_a
    assert created.received_at == datetime(2026, 3, 2, 9, 30, tzinfo=TZ)


def test_register_form_links_a_repeat_with_new_facts(client, network):
    original = register(network, received_at=NOW - timedelta(days=3))
    login(client, network.teller_a)
    data = {
        "unit": network.outlet_a.pk,
        "received_at": "2026-03-02T09:30",
        "source": "direct",
        "channel": code(Axis.CHANNEL, "CH01").pk,
        "business_type": code(Axis.BUSINESS, "BT02").pk,
        "cause": code(Axis.CAUSE, "CA09").pk,
        "severity": "normal",
        "complainant_name": "张三",
        "id_type": "resident",
        "phone": "13812341234",
        "request": "再次要求处理",
        "facts": "新的事实：今天再次排队两小时",
        "repeat_of": original.reference.lower(),
    }
    assert client.post(reverse("complaints:register"), data).status_code == 302
    repeat = Complaint.objects.exclude(pk=original.pk).get()
    assert repeat.repeat_of == original
    assert repeat.due_at > original.due_at
    data["repeat_of"] = "CMP-2026-999999"
    bad = client.post(reverse("complaints:register"), data)
    assert "repeat_of" in bad.context["form"].errors


def test_register_form_reports_bad_input(client, network):
    login(client, network.teller_a)
    response = client.post(
        reverse("complaints:register"),
        {"unit": network.other_outlet.pk, "received_at": "2027-01-01T00:00", "phone": "x"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "unit" in form.errors and "received_at" in form.errors and "facts" in form.errors
    assert not Complaint.objects.exists()


def test_workflow_through_the_pages(client, network, complaint, frozen):
    ref = complaint.reference
    login(client, network.manager_a)

    def step(name, data):
        return client.post(reverse("complaints:step", args=[ref, name]), data)

    assert step("accept", {"handler": network.teller_a.employee.pk}).status_code == 302
    assert step("investigate", {"note": ""}).status_code == 302
    assert step("decide", {"decision": "已致歉"}).status_code == 302
    refused = step(
        "close", {"is_accepted_by_customer": "yes", "root_cause": "", "corrective_action": "x"}
    )
    assert refused.status_code == 400
    assert Complaint.objects.get(pk=complaint.pk).status == Status.DECISION_SENT
    ok = step(
        "close",
        {
            "is_accepted_by_customer": "no",
            "root_cause": code(Axis.ROOT_CAUSE, "RC01").pk,
            "corrective_action": "组织服务礼仪培训",
        },
    )
    assert ok.status_code == 302
    closed = Complaint.objects.get(pk=complaint.pk)
    assert closed.status == Status.CLOSED and closed.is_accepted_by_customer is False
    html = client.get(reverse("complaints:detail", args=[ref])).content.decode()
    for action in ("register", "accept", "investigate", "decide", "close"):
        assert f'data-action="{action}"' in html
    assert 'data-step="reopen"' in html and 'data-step="close"' not in html


def test_service_refusal_is_shown_and_changes_nothing(client, network, complaint):
    login(client, network.manager_a)
    url = reverse("complaints:step", args=[complaint.reference, "accept"])
    response = client.post(url, {"handler": network.other_teller.employee.pk})
    # the other sub-branch's teller is not even a choice
    assert response.status_code == 400
    assert "handler" in response.context["step_forms"][0][1].errors
    assert Complaint.objects.get(pk=complaint.pk).status == Status.REGISTERED


def test_clock_states_on_the_page(client, network, complaint, frozen):
    login(client, network.teller_a)
    url = reverse("complaints:detail", args=[complaint.reference])
    assert 'data-clock="running"' in client.get(url).content.decode()
    frozen.move_to(NOW + timedelta(days=20))
    login(client, network.teller_a)  # the session has expired meanwhile
    assert 'data-clock="overdue"' in client.get(url).content.decode()


def test_outlet_ledger_holds_its_own_and_subbranch_ledger_rolls_up(client, network):
    at_a = register(network)
    referred = register(network, source="regulator")
    at_b = register(network, actor=network.subbranch_manager, unit=network.outlet_b)
    own = register(network, actor=network.subbranch_manager, unit=network.subbranch)
    login(client, network.subbranch_manager)
    outlet = client.get(reverse("complaints:ledger", args=["XC01"])).context["page_obj"]
    assert {c.reference for c in outlet.object_list} == {at_a.reference}
    sub = client.get(reverse("complaints:ledger", args=["XC"])).context["page_obj"]
    assert {c.reference for c in sub.object_list} == {
        at_a.reference,
        referred.reference,
        at_b.reference,
        own.reference,
    }


def test_ledger_filters_by_status_and_lateness(client, network, frozen):
    old = register(network, received_at=NOW - timedelta(days=30))
    fresh = register(network)
    services.complaint_withdraw(actor=network.manager_a, complaint=fresh, reason="客户撤回")
    login(client, network.manager_a)
    url = reverse("complaints:ledger", args=["XC01"])
    late = client.get(url, {"on_time": "late"}).context["page_obj"].object_list
    assert [c.reference for c in late] == [old.reference]
    withdrawn = client.get(url, {"status": "withdrawn"}).context["page_obj"].object_list
    assert [c.reference for c in withdrawn] == [fresh.reference]
    period = client.get(url, {"received_from": "2026-03-01"}).context["page_obj"].object_list
    assert [c.reference for c in period] == [fresh.reference]
    bad = client.get(url, {"received_from": "yesterday"})
    assert bad.status_code == 200
    assert "received_from" in bad.context["filter"].form.errors


def test_ledger_of_a_department_is_404(client, network):
    login(client, network.subbranch_manager)
    assert client.get(reverse("complaints:ledger", args=["XC-D01"])).status_code == 404


def test_export_masks_for_tellers_and_totals_match_the_page(client, network, frozen):
    register(network, received_at=NOW - timedelta(days=30))
    done = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=done, handler=network.manager_a.employee
    )
    services.complaint_send_decision(actor=network.manager_a, complaint=done, decision="已解决")
    login(client, network.teller_a)
    url = reverse("complaints:ledger_export", args=["XC01"])
    book = load_workbook(io.BytesIO(client.get(url).content))
    rows = list(book["Ledger"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[0] == "Reference" and "On time" in header
    names = {row[header.index("Complainant")] for row in data}
    assert names == {"张*"}
    decided = next(r for r in data if r[0] == done.reference)
    assert decided[header.index("Days taken")] == 0
    assert decided[header.index("On time")] == "On time"
    page = client.get(reverse("complaints:ledger", args=["XC01"])).context["figures"]
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["Complaints"] == page.total == 2
    assert summary["Late"] == page.late == 1
    assert summary["Open"] == page.open == 1
    # the manager's export shows names in full
    login(client, network.manager_a)
    book = load_workbook(io.BytesIO(client.get(url).content))
    assert {r[6] for r in list(book["Ledger"].iter_rows(values_only=True))[1:]} == {"张三"}


def test_list_query_count_is_pinned(client, network, django_assert_num_queries):
    login(client, network.manager_a)
    url = reverse("complaints:list")
    register(network)
    client.get(url)
    with django_assert_num_queries(12) as small:
        client.get(url)
    for _ in range(5):
        register(network)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_home_dashboard_counts_only_visible_complaints(client, network, complaint, frozen):
    register(network, received_at=NOW - timedelta(days=30))
    login(client, network.manager_a)
    panel = next(
        p for p in client.get("/").context["panels"] if p.template.startswith("complaints/")
    )
    assert panel.context["figures"]["open"] == 2
    assert panel.context["figures"]["overdue"] == 1
    login(client, network.other_teller)
    panel = next(
        p for p in client.get("/").context["panels"] if p.template.startswith("complaints/")
    )
    assert panel.context["figures"]["open"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/complaints/ledger/XC/",
        "/complaints/ledger/XC01/",
        "/complaints/pre-complaints/",
        "/complaints/notifications/",
        "/complaints/export.xlsx",
    ],
)
def test_page_query_counts_do_not_grow_with_rows(client, network, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ventanilla.complaints.services import pre_complaint_record

    def add(n):
        for _ in range(n):
            register(network)
            pre_complaint_record(
                actor=network.teller_a,
                unit=network.outlet_a,
                what="排队太久",
                is_resolved_on_spot=True,
                customer_name="钱七",
            )

    login(client, network.subbranch_manager)
    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
