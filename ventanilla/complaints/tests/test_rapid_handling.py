"""Rapid handling: a major complaint alerts A at once, B when A is late, each once; acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.complaints import services
from ventanilla.complaints.models import (
    ComplaintEvent,
    ContactRole,
    MajorKind,
    Notification,
    RapidAlert,
    Severity,
    Status,
    TimeLimitPolicy,
)
from ventanilla.complaints.tasks import alert_backup_contacts
from ventanilla.complaints.tests.factories import code, register
from ventanilla.core.errors import DomainError
from ventanilla.org.models import EmergencyContact

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
A_PHONE, B_PHONE = "13800001111", "13800002222"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def policy(network):
    """The network's contact list names the duty 投诉处理; the policy points at it."""
    register(network)  # seeds the default policy
    TimeLimitPolicy.objects.update(emergency_duty="投诉处理", acknowledge_minutes=30)
    network.manager_a.employee.email = "head@example.com"
    network.manager_a.employee.save()
    network.teller_a.employee.email = "teller@example.com"
    network.teller_a.employee.save()


@pytest.fixture
def complaint(network, policy):
    return register(network)


def mark(network, complaint, capture, actor=None, kind=MajorKind.MEDIA):
    with capture(execute=True):
        return services.complaint_mark_major(
            actor=actor or network.teller_a, complaint=complaint, kind=kind, note="记者在场"
        )


def run(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return services.rapid_alerts_run()


def actions(complaint):
    return list(complaint.events.order_by("at", "id").values_list("action", flat=True))


def test_marking_major_alerts_a_at_once_in_app_by_mail_and_text(
    network, complaint, django_capture_on_commit_callbacks, sms_outbox
):
    mark(network, complaint, django_capture_on_commit_callbacks)
    complaint.refresh_from_db()
    assert complaint.severity == Severity.MAJOR and complaint.major_kind == MajorKind.MEDIA
    alert = RapidAlert.objects.get(complaint=complaint)
    assert alert.role == ContactRole.PRIMARY
    assert alert.employee == network.manager_a.employee and alert.phone == A_PHONE
    assert alert.alerted_at == NOW and alert.acknowledged_at is None
    inbox = Notification.objects.get(alert=alert)
    assert inbox.recipient == network.manager_a and complaint.reference in inbox.message
    assert [m.to for m in mail.outbox] == [["head@example.com"]]
    assert [m.to for m in sms_outbox] == [A_PHONE]
    assert "30" in sms_outbox[0].text and complaint.reference in sms_outbox[0].text
    assert actions(complaint) == ["register", "mark_major", "alert_a"]
    note = complaint.events.get(action="alert_a").note
    assert "138****1111" in note and A_PHONE not in note


def test_backup_is_alerted_once_when_a_is_late_to_acknowledge(
    network, complaint, django_capture_on_commit_callbacks, sms_outbox
):
    capture = django_capture_on_commit_callbacks
    mark(network, complaint, capture)
    assert run(NOW + timedelta(minutes=29), capture) == 0
    assert run(NOW + timedelta(minutes=30), capture) == 1
    b = RapidAlert.objects.get(complaint=complaint, role=ContactRole.BACKUP)
    assert b.employee == network.teller_a.employee and b.phone == B_PHONE
    assert [m.to for m in sms_outbox] == [A_PHONE, B_PHONE]
    assert mail.outbox[-1].to == ["teller@example.com"]
    assert run(NOW + timedelta(minutes=31), capture) == 0
    with time_machine.travel(NOW + timedelta(hours=2), tick=False), capture(execute=True):
        assert alert_backup_contacts.delay().get() == 0
    assert RapidAlert.objects.filter(complaint=complaint).count() == 2
    assert len(sms_outbox) == 2
    assert actions(complaint).count("alert_b") == 1


def test_acknowledgement_by_a_keeps_b_quiet_and_is_on_the_timeline(
    network, complaint, django_capture_on_commit_callbacks, sms_outbox
):
    capture = django_capture_on_commit_callbacks
    mark(network, complaint, capture)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        services.complaint_acknowledge(actor=network.manager_a, complaint=complaint, note="已到场")
    alert = RapidAlert.objects.get(complaint=complaint)
    assert alert.acknowledged_by == network.manager_a
    assert alert.acknowledged_at == NOW + timedelta(minutes=10)
    assert run(NOW + timedelta(hours=1), capture) == 0
    assert [m.to for m in sms_outbox] == [A_PHONE]
    event = complaint.events.get(action="acknowledge")
    assert event.actor == network.manager_a and "已到场" in event.note


def test_b_may_acknowledge_once_alerted(network, complaint, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    mark(network, complaint, capture)
    with pytest.raises(DomainError) as refused:
        services.complaint_acknowledge(actor=network.teller_a, complaint=complaint)
    assert refused.value.code == "forbidden"
    run(NOW + timedelta(minutes=45), capture)
    services.complaint_acknowledge(actor=network.teller_a, complaint=complaint)
    b = RapidAlert.objects.get(complaint=complaint, role=ContactRole.BACKUP)
    assert b.acknowledged_by == network.teller_a


def test_acknowledging_is_refused_with_a_reason_and_changes_nothing(
    network, complaint, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="no emergency alert"):
        services.complaint_acknowledge(actor=network.manager_a, complaint=complaint)
    mark(network, complaint, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="Only the alerted emergency contact"):
        services.complaint_acknowledge(actor=network.subbranch_manager, complaint=complaint)
    services.complaint_acknowledge(actor=network.manager_a, complaint=complaint)
    with pytest.raises(DomainError, match="already acknowledged by manager_a"):
        services.complaint_acknowledge(actor=network.manager_a, complaint=complaint)
    assert actions(complaint).count("acknowledge") == 1


def test_mark_major_refuses_bad_input_and_writes_nothing(
    network, complaint, django_capture_on_commit_callbacks, sms_outbox
):
    capture = django_capture_on_commit_callbacks
    with pytest.raises(DomainError, match="Say why the complaint is major"):
        mark(network, complaint, capture, kind="rumour")
    with pytest.raises(DomainError, match="staff role"):
        mark(network, complaint, capture, actor=network.auditor)
    complaint.refresh_from_db()
    assert complaint.severity == Severity.NORMAL and not RapidAlert.objects.exists()
    assert sms_outbox == [] and actions(complaint) == ["register"]
    mark(network, complaint, capture)
    with pytest.raises(DomainError, match="already major"):
        mark(network, complaint, capture, kind=MajorKind.GROUP)
    assert RapidAlert.objects.count() == 1


def test_a_closed_complaint_cannot_be_marked_major(
    network, complaint, django_capture_on_commit_callbacks
):
    m = network.manager_a
    services.complaint_accept(actor=m, complaint=complaint, handler=m.employee)
    services.complaint_send_decision(actor=m, complaint=complaint, decision="已处理")
    services.complaint_close(
        actor=m,
        complaint=complaint,
        is_accepted_by_customer=True,
        root_cause=code("root_cause"),
        corrective_action="培训",
    )
    with pytest.raises(DomainError, match="cannot be marked major"):
        mark(network, complaint, django_capture_on_commit_callbacks)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.severity == Severity.NORMAL


def test_registering_a_major_complaint_alerts_a(
    network, policy, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(network, severity=Severity.MAJOR, major_kind=MajorKind.GROUP)
    assert complaint.alerts.get().role == ContactRole.PRIMARY
    assert [m.to for m in sms_outbox] == [A_PHONE]
    with pytest.raises(DomainError, match="needs a known reason"):
        register(network, major_kind=MajorKind.GROUP)


def test_nearest_contact_above_the_unit_is_used(
    network, policy, django_capture_on_commit_callbacks, sms_outbox
):
    EmergencyContact.objects.create(
        unit=network.subbranch,
        duty="投诉处理",
        primary=network.subbranch_manager.employee,
        primary_phone="13900003333",
        backup=network.manager_a.employee,
        backup_phone=A_PHONE,
    )
    complaint = register(network, unit=network.outlet_b, actor=network.subbranch_manager)
    mark(network, complaint, django_capture_on_commit_callbacks, actor=network.subbranch_manager)
    assert complaint.alerts.get().employee == network.subbranch_manager.employee
    assert [m.to for m in sms_outbox] == ["13900003333"]


def test_without_a_contact_the_timeline_says_nobody_was_alerted(
    network, complaint, django_capture_on_commit_callbacks, sms_outbox
):
    TimeLimitPolicy.objects.update(emergency_duty="不存在的职责")
    mark(network, complaint, django_capture_on_commit_callbacks)
    complaint.refresh_from_db()
    assert complaint.severity == Severity.MAJOR and not complaint.alerts.exists()
    assert "nobody alerted" in complaint.events.get(action="alert_a").note
    assert sms_outbox == []


# --- Pages and API ----------------------------------------------------------------------


def test_page_shows_the_alert_and_the_button_to_the_contact_only(
    client, network, complaint, django_capture_on_commit_callbacks
):
    mark(network, complaint, django_capture_on_commit_callbacks)
    url = reverse("complaints:detail", args=[complaint.reference])
    client.force_login(network.manager_a)
    html = client.get(url).content.decode()
    assert 'id="rapid-handling"' in html and "Acknowledge the alert" in html
    client.force_login(network.subbranch_manager)
    html = client.get(url).content.decode()
    assert 'id="rapid-handling"' in html and "Acknowledge the alert" not in html


def test_acknowledge_button_scope_role_and_repeat(
    client, network, complaint, django_capture_on_commit_callbacks
):
    mark(network, complaint, django_capture_on_commit_callbacks)
    url = reverse("complaints:acknowledge", args=[complaint.reference])
    client.force_login(network.other_teller)
    assert client.post(url).status_code == 404
    client.force_login(network.subbranch_manager)
    assert client.post(url).status_code == 403
    client.force_login(network.manager_a)
    assert client.post(url, {"note": "收到"}).status_code == 302
    again = client.post(url)
    assert again.status_code == 400 and "already acknowledged" in again.content.decode()
    assert RapidAlert.objects.get().acknowledged_by == network.manager_a


def test_mark_major_step_on_the_page(client, network, complaint, sms_outbox):
    url = reverse("complaints:step", args=[complaint.reference, "mark_major"])
    client.force_login(network.other_teller)
    assert client.post(url, {"kind": "media"}).status_code == 404
    client.force_login(network.auditor)
    assert client.post(url, {"kind": "media"}).status_code == 403
    client.force_login(network.teller_a)
    bad = client.post(url, {"kind": "gossip"})
    assert bad.status_code == 400
    response = client.post(url, {"kind": "regulator"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.major_kind == MajorKind.REGULATOR and complaint.alerts.count() == 1
    page = client.get(reverse("complaints:detail", args=[complaint.reference])).content.decode()
    assert 'data-step="mark_major"' not in page


def test_api_mark_major_and_acknowledge(network, complaint, django_capture_on_commit_callbacks):
    base = f"/api/v1/complaints/{complaint.reference}/"

    def api(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    assert (
        api(network.other_teller).post(f"{base}mark_major/", {"major_kind": "media"}).status_code
        == 404
    )
    assert (
        api(network.auditor).post(f"{base}mark_major/", {"major_kind": "media"}).status_code == 403
    )
    bad = api(network.teller_a).post(f"{base}mark_major/", {"major_kind": "nope"})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = api(network.teller_a).post(f"{base}mark_major/", {"major_kind": "media"})
    assert done.status_code == 200
    assert done.data["major_kind"] == "media" and done.data["alerts"][0]["role"] == "A"
    assert api(network.subbranch_manager).post(f"{base}acknowledge/").status_code == 403
    ack = api(network.manager_a).post(f"{base}acknowledge/", {"note": "收到"})
    assert ack.status_code == 200
    assert ack.data["alerts"][0]["acknowledged_by"] == "manager_a"
    again = api(network.manager_a).post(f"{base}acknowledge/")
    assert again.status_code == 400 and again.data["error"]["code"] == "already_acknowledged"
    assert ComplaintEvent.objects.filter(complaint=complaint, action="acknowledge").count() == 1
