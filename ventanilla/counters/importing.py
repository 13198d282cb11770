"""The ``tickets`` importer: queue-machine exports read through a saved column mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.tabular import ImportResult, Issue, register_importer, write_xlsx
from ventanilla.counters.catalogue_importing import BUSINESS_TYPE_IMPORTER, TELLER_ERROR_IMPORTER
from ventanilla.counters.models import TicketMapping
from ventanilla.counters.services import Progress, ticket_import
from ventanilla.org.models import OrgUnit

# The columns of the template, in Ventanilla's own names (the mapping "ventanilla" reads them).
TEMPLATE_COLUMNS = (
    "service_on",
    "ticket_number",
    "business_type",
    "is_vip",
    "customer_ref",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller",
    "outcome",
)
# The saved mapping that reads the template: its headers are the names above or the Chinese
# names after the "|" (``service_on|日期``).
TEMPLATE_MAPPING = "ventanilla"
REQUIRED_COLUMNS = frozenset({"ticket_number", "business_type", "issued_at"})
COLUMN_NOTES = {
    "service_on": gettext_lazy(
        "Date of service, YYYY-MM-DD; when empty, the date of the issue time."
    ),
    "ticket_number": gettext_lazy("Number printed on the ticket, e.g. A015."),
    "business_type": gettext_lazy("Business type code, e.g. V01."),
    "is_vip": gettext_lazy("VIP customer: 1, Y, yes, true, 是 or VIP; anything else is regular."),
    "customer_ref": gettext_lazy("Customer reference, if the machine records one."),
    "issued_at": gettext_lazy("Time the ticket was taken, e.g. 2026-11-30 09:05:30."),
    "called_at": gettext_lazy("Time the ticket was called."),
    "started_at": gettext_lazy("Time service started."),
    "ended_at": gettext_lazy("Time service ended."),
    "window": gettext_lazy("Window number."),
    "teller": gettext_lazy("Staff number of the teller who served."),
    "outcome": gettext_lazy(
        "served, no_show, transferred or abandoned (完成, 过号, 转移, 弃号); served when empty."
    ),
}


@dataclass(frozen=True)
class TemplateColumn:
    name: str  # the header written in the template for the current language
    headers: tuple[str, ...]  # every header the template mapping accepts for the column
    note: str
    is_required: bool


def template_columns() -> list[TemplateColumn]:
    """The columns of the template, named as the template mapping reads them: in Chinese
    when the page is in Chinese, else in Ventanilla's own names (the only other names the
    mapping accepts)."""
    mapping = TicketMapping.objects.filter(name=TEMPLATE_MAPPING).first()
    is_chinese = (get_language() or "").lower().startswith("zh")
    columns = []
    for column in TEMPLATE_COLUMNS:
        spec = getattr(mapping, f"{column}_column", "") if mapping is not None else ""
        headers = tuple(h.strip() for h in spec.split("|") if h.strip()) or (column,)
        chinese = [h for h in headers if not h.isascii()]
        columns.append(
            TemplateColumn(
                name=chinese[0] if is_chinese and chinese else headers[0],
                headers=headers,
                note=str(COLUMN_NOTES[column]),
                is_required=column in REQUIRED_COLUMNS,
            )
        )
    return columns


class TicketImporter:
    """``ventanilla import tickets FILE --mapping NAME --outlet CODE [--date YYYY-MM-DD]``.

    The ``import`` command passes ``--mapping``, ``--outlet`` and ``--date`` (as
    ``file_date``) to ``run``, and accepts the tab-separated ``extensions`` too.
    """

    kind = "tickets"
    extensions = ("csv", "xlsx", "txt", "tsv")

    def run(
        self,
        *,
        actor: Any,
        data: bytes,
        filename: str,
        dry_run: bool,
        mapping: str | None = None,
        outlet: str | None = None,
        file_date: date | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        problems = []
        found_mapping = TicketMapping.objects.filter(name=mapping).first() if mapping else None
        if not mapping:
            problems.append(Issue(_("Name the column mapping of the file (--mapping NAME).")))
        elif found_mapping is None:
            names = ", ".join(TicketMapping.objects.values_list("name", flat=True)) or "-"
            problems.append(
                Issue(
                    _("No column mapping is named %(name)s; saved mappings: %(names)s.")
                    % {"name": mapping, "names": names}
                )
            )
        found_outlet = OrgUnit.objects.filter(code=outlet).first() if outlet else None
        if not outlet:
            problems.append(Issue(_("Name the outlet the file comes from (--outlet CODE).")))
        elif found_outlet is None:
            problems.append(Issue(_("No unit has the code %(code)s.") % {"code": outlet}))
        if problems or found_mapping is None or found_outlet is None:
            return ImportResult(errors=problems)
        try:
            return ticket_import(
                actor=actor,
                outlet=found_outlet,
                data=data,
                filename=filename,
                mapping=found_mapping,
                dry_run=dry_run,
                file_date=file_date,
                progress=progress,
            )
        except DomainError as exc:
            return ImportResult(errors=[Issue(exc.message)])

    def template(self) -> bytes:
        """An empty workbook with the header row the ``ventanilla`` mapping reads."""
        return write_xlsx([(_("Tickets"), [c.name for c in template_columns()], [])])


register_importer(TicketImporter())

# The catalogue and teller errors, from ``catalogue_importing``.
register_importer(BUSINESS_TYPE_IMPORTER)
register_importer(TELLER_ERROR_IMPORTER)
