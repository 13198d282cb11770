"""The ``tickets`` importer: queue-machine exports read through a saved column mapping."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.tabular import ImportResult, Issue, register_importer, write_xlsx
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
        return write_xlsx([(_("Tickets"), list(TEMPLATE_COLUMNS), [])])


register_importer(TicketImporter())
