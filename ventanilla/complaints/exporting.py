"""The ledger as XLSX: one row per complaint, in the columns a complaint ledger keeps.

The complainant is masked exactly as on the page for the reader; a summary sheet carries
the same totals as the ledger page's figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ventanilla.complaints.metrics import Tally
from ventanilla.complaints.models import Complaint, Status
from ventanilla.complaints.permissions import personal_data_for
from ventanilla.complaints.selectors import (
    ComplaintFigures,
    FigureRow,
    figure_case,
    ledger_figures,
)


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    """A cell that holds text as text: a name starting with '=' is not a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def days_taken(complaint: Complaint) -> int | None:
    """Calendar days from receipt to the decision, by local dates; None before a decision."""
    if complaint.decision_sent_at is None:
        return None
    start = timezone.localtime(complaint.received_at).date()
    end = timezone.localtime(complaint.decision_sent_at).date()
    return (end - start).days


def on_time_label(complaint: Complaint, now: datetime) -> str:
    if complaint.status in (Status.MERGED, Status.WITHDRAWN):
        return ""
    if complaint.decision_sent_at is not None:
        return _("Late") if complaint.decision_sent_at > complaint.due_at else _("On time")
    if complaint.status == Status.SUSPENDED:
        return _("Paused")
    return _("Late") if now > complaint.due_at else _("Open, on time")


def outcome_label(complaint: Complaint) -> str:
    original = complaint.merged_into
    if complaint.status == Status.MERGED and original is not None:
        return _("Merged into %(ref)s") % {"ref": original.reference}
    if complaint.is_accepted_by_customer is True:
        return _("Accepted by the customer")
    if complaint.is_accepted_by_customer is False:
        return _("Not accepted by the customer")
    return ""


HEADERS = [
    gettext_lazy("Reference"),
    gettext_lazy("Received"),
    gettext_lazy("Unit code"),
    gettext_lazy("Unit"),
    gettext_lazy("Ledger"),
    gettext_lazy("Channel"),
    gettext_lazy("Complainant"),
    gettext_lazy("Business type"),
    gettext_lazy("Cause"),
    gettext_lazy("Severity"),
    gettext_lazy("Handler"),
    gettext_lazy("Status"),
    gettext_lazy("Due"),
    gettext_lazy("Decision date"),
    gettext_lazy("Decision"),
    gettext_lazy("Outcome"),
    gettext_lazy("Root cause"),
    gettext_lazy("Days taken"),
    gettext_lazy("On time"),
]


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def ledger_rows(user: Any, complaints: Iterable[Complaint], now: datetime) -> Iterable[list[Any]]:
    for c in complaints:
        yield [
            c.reference,
            _local(c.received_at),
            c.unit.code,
            c.unit.display_name,
            c.get_ledger_level_display(),
            c.channel.display_name,
            personal_data_for(user, c).name,
            c.business_type.display_name,
            c.cause.display_name,
            c.get_severity_display(),
            c.handler.name if c.handler else "",
            c.get_status_display(),
            _local(c.due_at),
            _local(c.decision_sent_at),
            c.decision,
            outcome_label(c),
            c.root_cause.display_name if c.root_cause else "",
            days_taken(c),
            on_time_label(c, now),
        ]


def _percent(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def summary_lines(figures: Any, tally: Tally) -> list[tuple[str, Any]]:
    """The figures a ledger summary carries: the page's counts and the rates behind them."""
    return [
        (_("Complaints"), figures.total),
        (_("Open"), figures.open),
        (_("Late"), figures.late),
        (_("Closed"), figures.closed),
        (_("Resolved (decision sent)"), tally.resolved),
        (_("Resolution rate (%)"), _percent(tally.resolution_rate)),
        (_("Decided on time"), tally.on_time),
        (_("On-time rate (%)"), _percent(tally.on_time_rate)),
        (
            _("Average days to decision"),
            round(tally.average_days, 1) if tally.average_days is not None else None,
        ),
        (_("90th percentile days to decision"), tally.p90_days),
        (_("Repeat complaints"), tally.repeats),
        (_("Repeat rate (%)"), _percent(tally.repeat_rate)),
    ]


def ledger_workbook(user: Any, complaints: QuerySet[Complaint], *, now: datetime) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Ledger")[:31])
    sheet.append([_cell(sheet, str(h), bold=True) for h in HEADERS])
    rows = complaints.select_related("merged_into")
    tally = Tally()
    for complaint in rows.iterator(chunk_size=1000):
        tally.add(
            figure_case(
                status=complaint.status,
                due_at=complaint.due_at,
                decision_sent_at=complaint.decision_sent_at,
                received_at=complaint.received_at,
                repeat_of_id=complaint.repeat_of_id,
            ),
            now,
        )
        for row in ledger_rows(user, [complaint], now):
            sheet.append([_cell(sheet, value) for value in row])
    figures = ledger_figures(complaints)
    summary = workbook.create_sheet(title=_("Summary")[:31])
    summary.append([_cell(summary, _("Figure"), bold=True), _cell(summary, _("Count"), bold=True)])
    for label, value in summary_lines(figures, tally):
        summary.append([label, value])
    summary.append([_("Time zone"), settings.TIME_ZONE])
    return workbook


# --- Figures ----------------------------------------------------------------------------

FIGURE_HEADERS = [
    gettext_lazy("Code"),
    gettext_lazy("Name"),
    gettext_lazy("Complaints"),
    gettext_lazy("Open"),
    gettext_lazy("Late"),
    gettext_lazy("Closed"),
    gettext_lazy("Resolved (decision sent)"),
    gettext_lazy("Resolution rate (%)"),
    gettext_lazy("Decided on time"),
    gettext_lazy("On-time rate (%)"),
    gettext_lazy("Average days to decision"),
    gettext_lazy("90th percentile days to decision"),
    gettext_lazy("Repeat complaints"),
    gettext_lazy("Repeat rate (%)"),
    gettext_lazy("Customers"),
    gettext_lazy("Complaints per 10,000 customers"),
    gettext_lazy("Pre-complaints"),
    gettext_lazy("Resolved on the spot"),
    gettext_lazy("Resolved on the spot (%)"),
]


def _round(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None


def figure_row_values(row: FigureRow) -> list[Any]:
    t = row.tally
    return [
        row.key,
        row.label,
        t.total,
        t.open,
        t.late,
        t.closed,
        t.resolved,
        _round(t.resolution_rate),
        t.on_time,
        _round(t.on_time_rate),
        _round(t.average_days),
        t.p90_days,
        t.repeats,
        _round(t.repeat_rate),
        row.customers,
        _round(row.per_10k, 2),
        row.pre_total,
        row.pre_on_spot,
        _round(row.pre_on_spot_rate),
    ]


def figures_workbook(figures: ComplaintFigures) -> Workbook:
    """The figures page as XLSX: the totals, then one sheet per breakdown."""
    workbook = Workbook(write_only=True)
    overall = FigureRow(
        key="",
        label=_("All complaints"),
        query={},
        tally=figures.overall,
        customers=figures.customers,
        pre_total=figures.pre_total,
        pre_on_spot=figures.pre_on_spot,
    )
    sheets: list[tuple[str, list[FigureRow]]] = [
        (_("Totals"), [overall]),
        (_("By unit"), figures.by_unit),
        (_("By channel"), figures.by_channel),
        (_("By business type"), figures.by_business),
        (_("By cause"), figures.by_cause),
        (_("By month"), figures.by_month),
    ]
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        sheet.append([_cell(sheet, str(h), bold=True) for h in FIGURE_HEADERS])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in figure_row_values(row)])
    period = workbook.create_sheet(title=_("Period")[:31])
    period.append([_("Received from"), figures.received_from.isoformat()])
    period.append([_("Received to"), figures.received_to.isoformat()])
    period.append([_("Time zone"), settings.TIME_ZONE])
    return workbook
