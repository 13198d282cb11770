"""One document from the live data: read through the user's scope, lay out, return bytes.

Used by the background task (which records progress on a ``GeneratedReport``) and by the
``ventanilla report`` command (which writes a file). Everything inside runs in the
document's language, data strings and fixed labels alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.org.models import OrgUnit
from ventanilla.reports import quarterly, rectification
from ventanilla.reports.document import render
from ventanilla.reports.models import ReportKind
from ventanilla.reports.selectors import Quarter, quarterly_pack

Step = Callable[[int, str], None]


def filename(
    *,
    kind: str,
    language: str,
    fmt: str,
    plan: Any = None,
    unit: OrgUnit | None = None,
    quarter: str = "",
) -> str:
    if kind == ReportKind.RECTIFICATION:
        return f"{plan.reference}-{language}.{fmt}"
    assert unit is not None  # noqa: S101 - a pack always has its unit (checked on request)
    return f"quarterly-pack-{unit.code}-{quarter}-{language}.{fmt}"


def produce(
    *,
    user: Any,
    kind: str,
    language: str,
    fmt: str,
    plan: Any = None,
    unit: OrgUnit | None = None,
    quarter: Quarter | None = None,
    on_step: Step | None = None,
) -> bytes:
    """The document's bytes; ``plan`` or ``unit`` must come from ``user``'s scope."""
    step = on_step or (lambda _pct, _text: None)
    with translation.override(language):
        step(10, _("Reading the data"))
        if kind == ReportKind.RECTIFICATION:
            from ventanilla.rectification.selectors import rectification_report

            data = rectification_report(user=user, plan=plan)
            doc = rectification.build(data, language, step)
            template = rectification.TEMPLATE
        else:
            assert unit is not None and quarter is not None  # noqa: S101 - checked on request
            pack = quarterly_pack(user=user, unit=unit, quarter=quarter)
            doc = quarterly.build(pack, language, step)
            template = quarterly.TEMPLATE
        step(60, _("Writing the %(format)s file") % {"format": fmt.upper()})
        return render(doc, fmt, template)
