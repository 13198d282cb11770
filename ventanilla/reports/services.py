"""Every change to a generated report: requesting it, and the generation that fills it in."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, role_at
from ventanilla.org.models import OrgUnit
from ventanilla.reports.generation import filename, produce
from ventanilla.reports.models import (
    GeneratedReport,
    ReportFormat,
    ReportKind,
    ReportLanguage,
    ReportState,
)
from ventanilla.reports.selectors import Quarter, parse_quarter

logger = logging.getLogger(__name__)


def _choice(value: str, choices: type[Any], what: str) -> str:
    if value not in choices.values:
        raise DomainError(
            _("Unknown %(what)s %(value)s; choose one of: %(choices)s.")
            % {"what": what, "value": value or "''", "choices": ", ".join(choices.values)},
            code="invalid",
        )
    return value


def check_pack_author(actor: Any, unit: OrgUnit) -> None:
    """A quarterly pack is produced (and read, see ``selectors``) by a manager of its unit."""
    held = role_at(actor, unit.path)
    if held is None or held < Role.MANAGER:
        raise DomainError(
            _("Only a manager of %(unit)s may produce its quarterly pack.")
            % {"unit": unit.display_name},
            code="forbidden",
        )


@transaction.atomic
def report_request(
    *,
    actor: Any,
    kind: str,
    language: str,
    format: str,  # noqa: A002 - the name the form and the API use
    plan: Any = None,
    unit: OrgUnit | None = None,
    quarter: str = "",
) -> GeneratedReport:
    """Queue a document; the background task generates it once this transaction commits.

    A rectification report needs view access to the plan; a quarterly pack needs a manager
    role at the unit and a quarter such as 2026Q3.
    """
    _choice(kind, ReportKind, _("kind of report"))
    _choice(language, ReportLanguage, _("language"))
    _choice(format, ReportFormat, _("format"))
    if kind == ReportKind.RECTIFICATION:
        from ventanilla.rectification.selectors import plan_list

        if plan is None:
            raise DomainError(_("Choose the plan to report on."), code="required")
        if not plan_list(user=actor).filter(pk=plan.pk).exists():
            raise DomainError(_("You may not see this plan."), code="forbidden")
        unit, quarter = plan.unit, ""
    else:
        if unit is None:
            raise DomainError(_("Choose the unit of the quarterly pack."), code="required")
        quarter = parse_quarter(quarter).code
        check_pack_author(actor, unit)
        plan = None
    with translation.override(language):
        step = _("Waiting to start")
    report = GeneratedReport.objects.create(
        kind=kind,
        unit=unit,
        plan=plan,
        quarter=quarter,
        language=language,
        format=format,
        requested_by=actor,
        step=step,
    )
    from ventanilla.reports.tasks import generate_report

    transaction.on_commit(lambda: generate_report.delay(report.pk))
    return report


def _save_step(report: GeneratedReport, percent: int, text: str) -> None:
    """Progress is written at once, outside any transaction, so the status page sees it."""
    report.progress, report.step = percent, text[:120]
    GeneratedReport.objects.filter(pk=report.pk).update(progress=percent, step=report.step)


def report_generate(*, report_id: int) -> GeneratedReport | None:
    """Generate a queued report as its author (their scope applies), recording each step.

    Safe to run twice: a report already ready or failed is left as it is.
    """
    report = (
        GeneratedReport.objects.select_related("unit", "plan", "requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.state in (ReportState.DONE, ReportState.FAILED):
        return report
    GeneratedReport.objects.filter(pk=report.pk).update(state=ReportState.RUNNING)
    report.state = ReportState.RUNNING
    user = report.requested_by
    try:
        plan: Any = None
        unit: OrgUnit | None = None
        quarter: Quarter | None = None
        if report.kind == ReportKind.RECTIFICATION:
            from ventanilla.rectification.selectors import plan_get

            reference = report.plan.reference if report.plan else ""
            plan = plan_get(user=user, reference=reference)
        else:
            check_pack_author(user, report.unit)
            unit, quarter = report.unit, parse_quarter(report.quarter)
        content = produce(
            user=user,
            kind=report.kind,
            language=report.language,
            fmt=report.format,
            plan=plan,
            unit=unit,
            quarter=quarter,
            on_step=lambda pct, text: _save_step(report, pct, text),
        )
    except Exception as exc:  # any failure is recorded on the report and logged, not hidden
        logger.exception("Report %s failed", report.pk)
        message = getattr(exc, "message", "") or str(exc) or exc.__class__.__name__
        if isinstance(exc, Http404):
            message = _("The plan or unit is no longer in your scope.")
        GeneratedReport.objects.filter(pk=report.pk).update(
            state=ReportState.FAILED, error=message, finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    with translation.override(report.language):
        step = _("Ready")
    GeneratedReport.objects.filter(pk=report.pk).update(
        state=ReportState.DONE,
        content=content,
        size=len(content),
        filename=filename(
            kind=report.kind,
            language=report.language,
            fmt=report.format,
            plan=report.plan,
            unit=report.unit,
            quarter=report.quarter,
        ),
        progress=100,
        step=step,
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report
