"""Attachments: stored with Django's storage, limits with clear errors, scoped downloads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.complaints import services
from ventanilla.complaints.models import Axis, ComplaintAttachment
from ventanilla.complaints.tests.factories import code, register
from ventanilla.core.errors import DomainError

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(network):
    return register(network)


def pdf(name="决定书.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_attach_stores_the_file_and_notes_it_on_the_timeline(network, complaint):
    attachment = services.attachment_add(
        actor=network.teller_a, complaint=complaint, upload=pdf(), kind="decision_letter"
    )
    assert attachment.name == "决定书.pdf" and attachment.size == len(PDF)
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"complaints/{complaint.reference}/")
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    event = complaint.events.get(action="attach")
    assert event.actor == network.teller_a and "决定书.pdf" in event.note


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.pdf", b""), "is empty"),
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "Files of type .exe cannot be attached"),
        (SimpleUploadedFile("noext", b"data"), "(no extension)"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"), "not a real .pdf file"),
        (SimpleUploadedFile("photo.png", PDF), "not a real .png file"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_stored(
    network, complaint, upload, message
):
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.attachment_add(
            actor=network.teller_a, complaint=complaint, upload=upload, kind="evidence"
        )
    assert not ComplaintAttachment.objects.exists()
    assert not complaint.events.filter(action="attach").exists()


def test_size_limit_comes_from_settings(network, complaint, settings):
    settings.COMPLAINTS_ATTACHMENT_MAX_BYTES = 1024
    big = pdf(content=PDF + b"0" * 2000)
    with pytest.raises(DomainError, match="files may be at most 1.0"):
        services.attachment_add(
            actor=network.teller_a, complaint=complaint, upload=big, kind="evidence"
        )
    services.attachment_add(
        actor=network.teller_a,
        complaint=complaint,
        upload=SimpleUploadedFile("p.png", PNG),
        kind="evidence",
    )
    assert ComplaintAttachment.objects.count() == 1


def test_closed_complaint_takes_no_files_and_viewers_cannot_attach(network, complaint):
    with pytest.raises(DomainError, match="staff role"):
        services.attachment_add(
            actor=network.auditor, complaint=complaint, upload=pdf(), kind="evidence"
        )
    with pytest.raises(DomainError, match="Unknown kind"):
        services.attachment_add(
            actor=network.teller_a, complaint=complaint, upload=pdf(), kind="selfie"
        )
    m = network.manager_a
    services.complaint_accept(actor=m, complaint=complaint, handler=m.employee)
    services.complaint_send_decision(actor=m, complaint=complaint, decision="已处理")
    services.complaint_close(
        actor=m,
        complaint=complaint,
        is_accepted_by_customer=True,
        root_cause=code(Axis.ROOT_CAUSE),
        corrective_action="培训",
    )
    with pytest.raises(DomainError, match="reopen it to attach files"):
        services.attachment_add(actor=m, complaint=complaint, upload=pdf(), kind="evidence")
    assert not ComplaintAttachment.objects.exists()


def test_upload_page_download_and_scope(client, network, complaint):
    upload_url = reverse("complaints:attach", args=[complaint.reference])
    client.force_login(network.other_teller)
    assert client.post(upload_url, {"kind": "evidence", "file": pdf()}).status_code == 404
    client.force_login(network.auditor)
    assert client.post(upload_url, {"kind": "evidence", "file": pdf()}).status_code == 403
    client.force_login(network.teller_a)
    refused = client.post(
        upload_url, {"kind": "evidence", "file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert refused.status_code == 400
    assert "Files of type .exe cannot be attached" in refused.content.decode()
    done = client.post(upload_url, {"kind": "evidence", "file": pdf()})
    assert done.status_code == 302
    attachment = ComplaintAttachment.objects.get()
    page = client.get(reverse("complaints:detail", args=[complaint.reference])).content.decode()
    download_url = reverse("complaints:attachment", args=[complaint.reference, attachment.pk])
    assert download_url in page and "决定书.pdf" in page
    response = client.get(download_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    for user in (network.auditor, network.subbranch_manager, network.manager_a):
        client.force_login(user)
        assert client.get(download_url).status_code == 200, user
    client.force_login(network.other_teller)
    assert client.get(download_url).status_code == 404
    other = register(network)
    client.force_login(network.teller_a)
    wrong_pair = reverse("complaints:attachment", args=[other.reference, attachment.pk])
    assert client.get(wrong_pair).status_code == 404


def test_api_lists_attachments_with_their_download_link(network, complaint):
    from rest_framework.test import APIClient

    services.attachment_add(
        actor=network.teller_a, complaint=complaint, upload=pdf(), kind="evidence"
    )
    api = APIClient()
    api.force_authenticate(network.teller_a)
    data = api.get(f"/api/v1/complaints/{complaint.reference}/").data
    (item,) = data["attachments"]
    assert item["name"] == "决定书.pdf" and item["kind"] == "evidence"
    assert item["url"].endswith(f"/{complaint.reference}/attachments/{item['id']}/")


def test_api_detail_query_count_does_not_grow_with_attachments(
    network, complaint, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(network.teller_a)
    url = f"/api/v1/complaints/{complaint.reference}/"
    services.attachment_add(
        actor=network.teller_a, complaint=complaint, upload=pdf(), kind="evidence"
    )
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url).data["attachments"]) == 1
    for name in ("b.pdf", "c.pdf", "d.pdf"):
        services.attachment_add(
            actor=network.teller_a, complaint=complaint, upload=pdf(name), kind="evidence"
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get(url).data["attachments"]) == 4
