"""Report pages: history, request, status, download; scope (404) and role (403)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document as open_docx

from ventanilla.reports import services
from ventanilla.reports.models import GeneratedReport, ReportState

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(network, xc_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            actor=network.subbranch_manager,
            kind="rectification",
            language="zh-hans",
            format="docx",
            plan=xc_plan.plan,
        )
    report.refresh_from_db()
    assert report.state == ReportState.DONE
    return report


def test_request_form_generates_and_redirects_to_the_status_page(
    client, network, xc_plan, django_capture_on_commit_callbacks
):
    client.force_login(network.subbranch_manager)
    page = client.get(reverse("reports:request") + f"?plan={xc_plan.plan.reference}")
    assert page.status_code == 200
    assert page.context["form"].initial["plan"] == xc_plan.plan.reference
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {
                "kind": "rectification",
                "plan": xc_plan.plan.reference,
                "language": "en",
                "format": "pdf",
                "quarter": "",
            },
        )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:status", args=[report.pk])
    status = client.get(reverse("reports:status_json", args=[report.pk])).json()
    assert status["state"] == "done" and status["progress"] == 100
    assert status["download_url"] == reverse("reports:download", args=[report.pk])
    download = client.get(status["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="RP-2026-0001-en.pdf"'
    assert download.content.startswith(b"%PDF")


def test_request_form_rejects_bad_input_and_writes_nothing(client, network, xc_plan):
    client.force_login(network.subbranch_manager)
    response = client.post(
        reverse("reports:request"),
        {
            "kind": "quarterly-pack",
            "unit": "XC",
            "quarter": "Q3-2026",
            "language": "en",
            "format": "pdf",
        },
    )
    assert response.status_code == 200
    assert "Q3-2026 is not a quarter" in response.content.decode()
    response = client.post(
        reverse("reports:request"),
        {"kind": "rectification", "language": "en", "format": "pdf"},
    )
    assert response.context["form"].errors["plan"]
    assert not GeneratedReport.objects.exists()


def test_status_page_shows_progress_and_polls_while_running(client, network, xc_plan):
    report = services.report_request(
        actor=network.subbranch_manager,
        kind="rectification",
        language="en",
        format="pdf",
        plan=xc_plan.plan,
    )
    GeneratedReport.objects.filter(pk=report.pk).update(
        state=ReportState.RUNNING, progress=40, step="Drawing the charts"
    )
    client.force_login(network.subbranch_manager)
    html = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    assert 'data-finished="0"' in html and "width: 40%" in html and "Drawing the charts" in html
    assert reverse("reports:status_json", args=[report.pk]) in html
    status = client.get(reverse("reports:status_json", args=[report.pk])).json()
    assert status == {
        "state": "running",
        "state_label": "Generating",
        "progress": 40,
        "step": "Drawing the charts",
        "error": "",
        "filename": "",
        "download_url": None,
    }
    # Not ready yet: nothing to download.
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_download_is_the_docx_with_its_content_type(client, network, ready):
    client.force_login(network.auditor)
    response = client.get(reverse("reports:download", args=[ready.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="RP-2026-0001-zh-hans.docx"' in response["Content-Disposition"]
    assert open_docx(io.BytesIO(response.content)).paragraphs[0].text == "苏州分行："


def test_other_teller_gets_404_on_every_page_of_a_xiangcheng_report(client, network, ready):
    client.force_login(network.other_teller)
    for name in ("status", "status_json", "download"):
        assert client.get(reverse(f"reports:{name}", args=[ready.pk])).status_code == 404, name
    plan = ready.plan.reference
    assert client.get(reverse("reports:request") + f"?plan={plan}").status_code == 404
    history = client.get(reverse("reports:list"))
    assert history.status_code == 200 and not history.context["page_obj"].object_list


def test_history_lists_the_scope_with_date_author_and_filters(client, network, ready):
    client.force_login(network.teller_a)  # a viewer of Xiangcheng's subtree? no: outlet only
    assert not client.get(reverse("reports:list")).context["page_obj"].object_list
    client.force_login(network.subbranch_manager)
    response = client.get(reverse("reports:list"))
    html = response.content.decode()
    assert list(response.context["page_obj"].object_list) == [ready]
    assert "subbranch_manager" in html and reverse("reports:download", args=[ready.pk]) in html
    assert list(client.get(reverse("reports:list") + "?unit=XC").context["page_obj"]) == [ready]
    assert not list(client.get(reverse("reports:list") + "?unit=XC01").context["page_obj"])
    assert not list(client.get(reverse("reports:list") + "?plan=RP-1999-0001").context["page_obj"])


def test_quarterly_pack_for_a_teller_is_403(client, network):
    client.force_login(network.teller_a)
    response = client.post(
        reverse("reports:request"),
        {
            "kind": "quarterly-pack",
            "unit": "XC01",
            "quarter": "2026Q3",
            "language": "en",
            "format": "pdf",
        },
    )
    assert response.status_code == 403
    assert not GeneratedReport.objects.exists()


def test_history_query_count_is_fixed(client, network, ready, django_assert_max_num_queries):
    client.force_login(network.subbranch_manager)
    client.get(reverse("reports:list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("reports:list"))


def test_measure_owner_sees_the_report_they_requested_on_the_plan(
    client, network, xc_plan, django_capture_on_commit_callbacks
):
    # manager_a heads an outlet below the plan's sub-branch and owns two of its measures:
    # the plan is theirs to report on, so is the document.
    client.force_login(network.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {
                "kind": "rectification",
                "plan": xc_plan.plan.reference,
                "language": "en",
                "format": "html",
            },
        )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:status", args=[report.pk])
    assert client.get(response["Location"]).status_code == 200
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200 and "建立投诉快速处理机制" in download.content.decode()
    assert list(client.get(reverse("reports:list")).context["page_obj"]) == [report]
    client.force_login(network.other_teller)
    assert client.get(reverse("reports:status", args=[report.pk])).status_code == 404


def test_quarterly_pack_is_read_by_its_units_managers_and_auditors_not_by_staff(
    client, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.report_request(
            actor=network.manager_a,
            kind="quarterly-pack",
            language="en",
            format="html",
            unit=network.outlet_a,
            quarter="2026Q3",
        )
    pack.refresh_from_db()
    assert pack.state == ReportState.DONE
    client.force_login(network.manager_a)
    assert client.get(reverse("reports:download", args=[pack.pk])).status_code == 200
    assert list(client.get(reverse("reports:list")).context["page_obj"]) == [pack]
    # The head-office auditor oversees the network and reads it too.
    client.force_login(network.auditor)
    assert client.get(reverse("reports:download", args=[pack.pk])).status_code == 200
    # A teller of the same outlet sees only their own complaints: not the pack's figures.
    client.force_login(network.teller_a)
    for name in ("status", "status_json", "download"):
        assert client.get(reverse(f"reports:{name}", args=[pack.pk])).status_code == 404, name
    assert not client.get(reverse("reports:list")).context["page_obj"].object_list


def test_status_polling_does_not_read_the_file(client, network, ready):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(network.subbranch_manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("reports:status_json", args=[ready.pk])).status_code == 200
    assert not any('"content"' in q["sql"] for q in ctx.captured_queries)
    download = client.get(reverse("reports:download", args=[ready.pk]))
    assert download.status_code == 200 and len(download.content) == ready.size > 0
