"""Pre-complaints: quick entry in the lobby, masking, one click to a complaint."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from ventanilla.complaints import services
from ventanilla.complaints.models import Axis, Complaint, PreComplaint
from ventanilla.complaints.tests.factories import code
from ventanilla.core.errors import DomainError

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def record(network, **kw):
    fields = {
        "actor": network.teller_a,
        "unit": network.outlet_a,
        "what": "嫌排队时间长，当场安抚",
        "is_resolved_on_spot": False,
        "customer_name": "赵六",
        "customer_phone": "13600001234",
    }
    fields.update(kw)
    return services.pre_complaint_record(**fields)


def complaint_fields():
    return {
        "channel": code(Axis.CHANNEL, "CH01"),
        "business_type": code(Axis.BUSINESS, "BT01"),
        "cause": code(Axis.CAUSE, "CA09"),
        "complainant_name": "赵六",
        "phone": "13600001234",
        "request": "缩短等候时间",
        "facts": "等候超过一小时",
    }


def test_record_and_convert_keep_the_lobby_time(network, frozen):
    pre = record(network)
    frozen.move_to(NOW + timedelta(hours=3))
    complaint = services.pre_complaint_convert(
        actor=network.teller_a, pre_complaint=pre, **complaint_fields()
    )
    assert complaint.received_at == NOW
    assert PreComplaint.objects.get(pk=pre.pk).complaint == complaint
    assert complaint.events.filter(action="from_pre_complaint").exists()
    with pytest.raises(DomainError, match="already complaint"):
        services.pre_complaint_convert(
            actor=network.teller_a, pre_complaint=pre, **complaint_fields()
        )
    assert Complaint.objects.count() == 1


def test_record_is_refused_outside_scope_without_text_or_at_a_department(network):
    with pytest.raises(DomainError, match="staff role"):
        record(network, actor=network.other_teller)
    with pytest.raises(DomainError, match="required"):
        record(network, what="")
    with pytest.raises(DomainError, match="outlet or a sub-branch"):
        record(network, actor=network.subbranch_manager, unit=network.dept)
    assert not PreComplaint.objects.exists()


def test_quick_entry_page_records_and_masks(client, network):
    client.force_login(network.teller_a)
    url = reverse("complaints:pre_complaints")
    response = client.post(
        url,
        {
            "unit": network.outlet_a.pk,
            "what": "抱怨ATM吞卡",
            "customer_name": "赵六",
            "customer_phone": "13600001234",
            "is_resolved_on_spot": "on",
        },
    )
    assert response.status_code == 302
    pre = PreComplaint.objects.get()
    assert pre.is_resolved_on_spot and pre.recorded_by == network.teller_a
    html = client.get(url).content.decode()
    assert "赵*" in html and "136****1234" in html and "13600001234" not in html
    bad = client.post(url, {"unit": network.outlet_a.pk, "what": ""})
    assert bad.status_code == 400
    client.force_login(network.manager_a)
    assert "13600001234" in client.get(url).content.decode()


def test_auditor_cannot_record_and_other_teller_sees_nothing(client, network):
    pre = record(network)
    client.force_login(network.auditor)
    assert client.post(reverse("complaints:pre_complaints"), {"what": "x"}).status_code == 403
    client.force_login(network.other_teller)
    page = client.get(reverse("complaints:pre_complaints"))
    assert page.status_code == 200 and not page.context["rows"]
    assert client.get(reverse("complaints:register") + f"?pre={pre.pk}").status_code == 404
    assert client.get(reverse("complaints:register") + "?pre=abc").status_code == 404


def test_one_click_to_a_prefilled_complaint(client, network):
    pre = record(network)
    client.force_login(network.teller_a)
    url = reverse("complaints:register") + f"?pre={pre.pk}"
    form = client.get(url).context["form"]
    assert form.initial["complainant_name"] == "赵六"
    assert form.initial["facts"] == pre.what
    data = {
        "unit": network.outlet_a.pk,
        "received_at": "2026-03-02T10:00",
        "source": "direct",
        "channel": code(Axis.CHANNEL, "CH01").pk,
        "business_type": code(Axis.BUSINESS, "BT01").pk,
        "cause": code(Axis.CAUSE, "CA09").pk,
        "severity": "normal",
        "complainant_name": "赵六",
        "id_type": "resident",
        "phone": "13600001234",
        "request": "缩短等候时间",
        "facts": pre.what,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert PreComplaint.objects.get().complaint.reference == "CMP-2026-000001"
    again = client.post(url, data)
    assert again.status_code == 200
    assert "already complaint" in again.content.decode()
    assert Complaint.objects.count() == 1
