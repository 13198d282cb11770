"""Escalation: each level once, to the right people, in the app and by e-mail."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from ventanilla.complaints import services
from ventanilla.complaints.models import EscalationNotice, Notification
from ventanilla.complaints.tasks import escalate_complaints
from ventanilla.complaints.tests.factories import register
from ventanilla.org.models import GroupMembership, GroupRole, OrgGroup
from ventanilla.org.tests.factories import EmployeeFactory, post

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
HALF = NOW + timedelta(days=8)
EIGHTY = NOW + timedelta(days=13)
BREACH = NOW + timedelta(days=16)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(network):
    for user, address in (
        (network.teller_a, "teller@example.com"),
        (network.manager_a, "head@example.com"),
        (network.subbranch_manager, "president@example.com"),
    ):
        user.employee.email = address
        user.employee.save()
    member = EmployeeFactory(
        unit=network.subbranch, post=post("teller"), email="duty@example.com", name="值班员"
    )
    group = OrgGroup.objects.create(
        unit=network.subbranch, kind="complaint_emergency", name="投诉应急小组"
    )
    GroupMembership.objects.create(group=group, employee=member, role=GroupRole.MEMBER)
    return member


@pytest.fixture
def complaint(network, people):
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.teller_a.employee
    )
    return complaint


def run(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return services.complaint_escalations_run()


def test_levels_are_announced_once_each_to_the_right_people(
    network, complaint, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert run(NOW + timedelta(days=7), capture) == 0
    assert run(HALF, capture) == 1
    assert [m.to for m in mail.outbox] == [["teller@example.com"]]
    assert run(HALF + timedelta(hours=1), capture) == 0
    assert len(mail.outbox) == 1
    assert run(EIGHTY, capture) == 1
    assert mail.outbox[-1].to == ["head@example.com"]
    assert run(BREACH, capture) == 1
    assert sorted(mail.outbox[-1].to) == ["duty@example.com", "president@example.com"]
    assert complaint.reference in mail.outbox[-1].subject
    assert run(BREACH + timedelta(days=3), capture) == 0
    assert len(mail.outbox) == 3
    assert list(EscalationNotice.objects.order_by("at").values_list("level", flat=True)) == [
        "handler",
        "outlet_head",
        "breach",
    ]
    inbox = Notification.objects.filter(recipient=network.subbranch_manager)
    assert inbox.count() == 1
    assert complaint.events.filter(action="escalate").count() == 3


def test_a_late_first_run_announces_only_the_highest_level(
    network, complaint, django_capture_on_commit_callbacks
):
    assert run(BREACH, django_capture_on_commit_callbacks) == 1
    assert EscalationNotice.objects.count() == 3
    assert len(mail.outbox) == 1
    assert EscalationNotice.objects.get(level="handler").recipients == []


def test_paused_decided_and_closed_complaints_are_not_escalated(
    network, complaint, django_capture_on_commit_callbacks
):
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    services.complaint_pause(actor=network.teller_a, complaint=complaint, reason="外部鉴定")
    other = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=other, handler=network.manager_a.employee
    )
    services.complaint_send_decision(actor=network.manager_a, complaint=other, decision="已解决")
    assert run(BREACH, django_capture_on_commit_callbacks) == 0
    assert not EscalationNotice.objects.exists()


def test_escalation_without_handler_reminds_the_outlet_head(
    network, people, django_capture_on_commit_callbacks
):
    register(network)
    run(HALF, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["head@example.com"]


def test_the_task_runs_twice_and_sends_once(network, complaint, django_capture_on_commit_callbacks):
    with time_machine.travel(BREACH, tick=False), django_capture_on_commit_callbacks(execute=True):
        escalate_complaints.delay()
        escalate_complaints.delay()
    assert len(mail.outbox) == 1
    assert EscalationNotice.objects.filter(level="breach").count() == 1


def test_notifications_page_lists_and_marks_read(
    client, network, complaint, django_capture_on_commit_callbacks
):
    run(HALF, django_capture_on_commit_callbacks)
    client.force_login(network.teller_a)
    page = client.get(reverse("complaints:notifications"))
    assert complaint.reference in page.content.decode()
    assert client.post(reverse("complaints:notifications")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    client.force_login(network.other_teller)
    assert (
        complaint.reference not in client.get(reverse("complaints:notifications")).content.decode()
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mails_arrive_at_a_real_smtp_server(network, complaint, django_capture_on_commit_callbacks):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        def __init__(self) -> None:
            self.received: list[tuple[list[str], bytes]] = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.received.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    handler = Inbox()
    port = _free_port()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            run(BREACH, django_capture_on_commit_callbacks)
            run(BREACH, django_capture_on_commit_callbacks)
    finally:
        controller.stop()
    assert len(handler.received) == 1
    recipients, content = handler.received[0]
    assert sorted(recipients) == ["duty@example.com", "president@example.com"]
    assert complaint.reference.encode() in content


def test_only_a_breach_is_also_sent_by_text(
    network, complaint, people, django_capture_on_commit_callbacks, sms_outbox
):
    capture = django_capture_on_commit_callbacks
    run(HALF, capture)
    run(EIGHTY, capture)
    assert sms_outbox == []
    run(BREACH, capture)
    phones = sorted(m.to for m in sms_outbox)
    expected = sorted(p for p in (network.subbranch_manager.employee.phone, people.phone) if p)
    assert phones == expected and len(phones) == 2
    assert complaint.reference in sms_outbox[0].text


def test_the_job_reads_complaints_with_nothing_new_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries
):
    from ventanilla.complaints.services import complaint_escalations_run

    for _ in range(3):
        register(network)
    complaint_escalations_run()
    with django_assert_max_num_queries(3) as few:
        complaint_escalations_run()
    for _ in range(20):
        register(network)
    complaint_escalations_run()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert complaint_escalations_run() == 0
