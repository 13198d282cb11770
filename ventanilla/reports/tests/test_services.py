"""Requesting a document and generating it in the background, with progress and author."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied  # noqa: F401 - documents what views raise

from ventanilla.core.errors import DomainError
from ventanilla.reports import services
from ventanilla.reports.models import GeneratedReport, ReportState

pytestmark = pytest.mark.django_db


def test_request_queues_then_the_task_records_progress_author_and_file(
    network, xc_plan, django_capture_on_commit_callbacks, monkeypatch
):
    steps: list[tuple[int, str, str]] = []
    original = services._save_step

    def spy(report, percent, text):
        original(report, percent, text)
        row = GeneratedReport.objects.get(pk=report.pk)  # what the status page would read
        steps.append((row.progress, row.step, row.state))

    monkeypatch.setattr(services, "_save_step", spy)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.report_request(
            actor=network.subbranch_manager,
            kind="rectification",
            language="zh-hans",
            format="docx",
            plan=xc_plan.plan,
        )
        assert report.state == ReportState.QUEUED
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.state == ReportState.DONE
    assert report.requested_by == network.subbranch_manager
    assert report.requested_at is not None and report.finished_at is not None
    assert report.unit == network.subbranch
    assert report.filename == "RP-2026-0001-zh-hans.docx"
    assert report.size == len(bytes(report.content)) > 10_000
    assert report.progress == 100
    assert [p for p, _s, _st in steps] == sorted(p for p, _s, _st in steps)
    assert {st for _p, _s, st in steps} == {ReportState.RUNNING}
    assert len(steps) >= 3 and all(s for _p, s, _st in steps)


def test_generating_twice_changes_nothing(network, xc_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            actor=network.subbranch_manager,
            kind="rectification",
            language="en",
            format="html",
            plan=xc_plan.plan,
        )
    report.refresh_from_db()
    finished = report.finished_at
    again = services.report_generate(report_id=report.pk)
    assert again.state == ReportState.DONE and again.finished_at == finished


def test_a_failure_is_recorded_with_its_message(network, xc_plan, monkeypatch):
    report = services.report_request(
        actor=network.subbranch_manager,
        kind="rectification",
        language="en",
        format="pdf",
        plan=xc_plan.plan,
    )

    def broken(*args, **kwargs):
        raise DomainError("No font with Chinese glyphs is installed")

    monkeypatch.setattr(services, "produce", broken)
    result = services.report_generate(report_id=report.pk)
    assert result.state == ReportState.FAILED
    assert "Chinese glyphs" in result.error
    assert result.content is None


def test_losing_the_plan_scope_fails_the_report(network, xc_plan):
    report = services.report_request(
        actor=network.subbranch_manager,
        kind="rectification",
        language="en",
        format="html",
        plan=xc_plan.plan,
    )
    network.subbranch_manager.employee.assignments.all().delete()
    result = services.report_generate(report_id=report.pk)
    assert result.state == ReportState.FAILED
    assert "scope" in result.error


def test_losing_the_manager_role_fails_the_pack(network):
    report = services.report_request(
        actor=network.manager_a,
        kind="quarterly-pack",
        language="en",
        format="html",
        unit=network.outlet_a,
        quarter="2026Q3",
    )
    network.manager_a.employee.assignments.all().delete()
    result = services.report_generate(report_id=report.pk)
    assert result.state == ReportState.FAILED
    assert "Only a manager of" in result.error
    assert result.content is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "weekly"}, "Unknown kind of report weekly"),
        ({"language": "fr"}, "Unknown language fr"),
        ({"format": "xlsx"}, "Unknown format xlsx"),
        ({"plan": None}, "Choose the plan"),
    ],
)
def test_bad_request_names_what_is_wrong_and_writes_nothing(network, xc_plan, fields, message):
    args = {
        "actor": network.subbranch_manager,
        "kind": "rectification",
        "language": "en",
        "format": "pdf",
        "plan": xc_plan.plan,
        **fields,
    }
    with pytest.raises(DomainError, match=message):
        services.report_request(**args)
    assert not GeneratedReport.objects.exists()


def test_rectification_report_needs_view_access_to_the_plan(network, xc_plan):
    with pytest.raises(DomainError) as exc:
        services.report_request(
            actor=network.other_teller,
            kind="rectification",
            language="en",
            format="pdf",
            plan=xc_plan.plan,
        )
    assert exc.value.code == "forbidden"
    assert not GeneratedReport.objects.exists()


def test_quarterly_pack_needs_a_manager_and_a_well_formed_quarter(network):
    with pytest.raises(DomainError) as exc:
        services.report_request(
            actor=network.teller_a,
            kind="quarterly-pack",
            language="en",
            format="pdf",
            unit=network.outlet_a,
            quarter="2026Q3",
        )
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError, match="2026-3 is not a quarter"):
        services.report_request(
            actor=network.subbranch_manager,
            kind="quarterly-pack",
            language="en",
            format="pdf",
            unit=network.subbranch,
            quarter="2026-3",
        )
    assert not GeneratedReport.objects.exists()
    report = services.report_request(
        actor=network.subbranch_manager,
        kind="quarterly-pack",
        language="es",
        format="docx",
        unit=network.subbranch,
        quarter="2026q3",
    )
    assert report.quarter == "2026Q3" and report.plan is None
