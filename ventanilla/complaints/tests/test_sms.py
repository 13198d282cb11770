"""The SMS channel: backends chosen in settings, the HTTP gateway, masked phones in logs."""

from __future__ import annotations

import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from ventanilla.complaints import sms
from ventanilla.complaints.channels import (
    SMS_CHANNEL,
    Announcement,
    Recipient,
    announce,
)
from ventanilla.complaints.tests.factories import register

PHONE = "13812345678"


class Gateway(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []
    answer = 200

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((json.loads(body), self.headers.get("Authorization", "")))
        self.send_response(Gateway.answer)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received = []
    Gateway.answer = 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.COMPLAINTS_SMS_BACKEND = "ventanilla.complaints.sms.HttpGatewayBackend"
    settings.COMPLAINTS_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.COMPLAINTS_SMS_GATEWAY_TOKEN = "secret-token"
    settings.COMPLAINTS_SMS_GATEWAY_TIMEOUT = 5
    yield Gateway
    server.shutdown()
    server.server_close()


def test_http_gateway_receives_each_text_with_the_token(gateway, caplog):
    caplog.set_level(logging.INFO, logger="ventanilla.complaints.sms")
    sent = sms.send_sms([sms.SMS(PHONE, "投诉 CMP-2026-000001"), sms.SMS("13900001111", "二")])
    assert sent == 2
    assert [body for body, _ in gateway.received] == [
        {"to": PHONE, "text": "投诉 CMP-2026-000001"},
        {"to": "13900001111", "text": "二"},
    ]
    assert {auth for _, auth in gateway.received} == {"Bearer secret-token"}
    assert "138****5678" in caplog.text and PHONE not in caplog.text


def test_gateway_refusal_raises_with_the_phone_masked(gateway):
    gateway.answer = 503
    with pytest.raises(sms.SMSError) as error:
        sms.send_sms([sms.SMS(PHONE, "x")])
    assert "503" in str(error.value) and "138****5678" in str(error.value)
    assert PHONE not in str(error.value)


def test_gateway_url_must_be_http(settings):
    settings.COMPLAINTS_SMS_BACKEND = "ventanilla.complaints.sms.HttpGatewayBackend"
    settings.COMPLAINTS_SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured, match="http"):
        sms.get_backend()


def test_console_backend_masks_the_phone():
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send_messages([sms.SMS(PHONE, "hello")])
    assert stream.getvalue() == "SMS to 138****5678: hello\n"


def test_locmem_backend_is_selected_by_settings(sms_outbox):
    assert isinstance(sms.get_backend(), sms.LocMemBackend)
    sms.send_sms([sms.SMS(PHONE, "x")])
    assert sms_outbox == [sms.SMS(PHONE, "x")]


@pytest.mark.django_db
def test_sms_channel_sends_after_commit_only(
    network, django_capture_on_commit_callbacks, sms_outbox
):
    complaint = register(network)
    ann = Announcement(complaint=complaint, subject="S", body="B", at=complaint.received_at)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = announce(ann, [Recipient(name="x", phone=PHONE)], [SMS_CHANNEL])
    assert counts == {SMS_CHANNEL: 1}
    assert sms_outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert sms_outbox == [sms.SMS(PHONE, "S B")]


@pytest.mark.django_db
def test_failed_gateway_is_logged_masked_and_does_not_undo_the_step(
    network, gateway, django_capture_on_commit_callbacks, caplog
):
    gateway.answer = 500
    complaint = register(network)
    ann = Announcement(complaint=complaint, subject="S", body="B", at=complaint.received_at)
    with django_capture_on_commit_callbacks(execute=True):
        announce(ann, [Recipient(name="x", phone=PHONE)], [SMS_CHANNEL])
    assert len(gateway.received) == 1
    assert "SMS not delivered to 138****5678" in caplog.text
    assert PHONE not in caplog.text
