"""Importers of the business type catalogue and of teller errors.

``ventanilla import business-types FILE`` loads or updates the catalogue (keyed by code);
``ventanilla import teller-errors FILE`` loads errors recorded elsewhere (a branch's error
log kept in Excel). One sheet, headers in English or Chinese, every row checked first: one
bad row writes nothing and each bad row is reported with its line. Importing the same file
twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.audit import acting_as, audit_created_many
from ventanilla.core.scoping import scope_for
from ventanilla.core.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    Counts,
    ImportResult,
    Issue,
    PlannedRow,
    Sheet,
    SheetImporter,
    SheetRow,
    read_sheet_rows,
)
from ventanilla.counters.models import BusinessType, ErrorKind, Segment, Severity, TellerError
from ventanilla.counters.services import (
    FUTURE,
    NOT_AT_OUTLET,
    OUT_OF_SCOPE,
    teller_error_refusals,
)
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind

BUSINESS_TYPES = "business_types"
TELLER_ERRORS = "teller_errors"

TYPE_COLUMNS = (
    Column("code", ("code", "业务代码"), True, gettext_lazy("Business type code, unique.")),
    Column("name", ("name", "业务名称"), True, gettext_lazy("Official (Chinese) name.")),
    Column("name_en", ("name_en", "英文名称"), False, gettext_lazy("English name.")),
    Column("name_es", ("name_es", "西班牙文名称"), False, gettext_lazy("Spanish name.")),
    Column(
        "segment",
        ("segment", "客群"),
        True,
        gettext_lazy("personal, corporate or vip (or 个人 / 对公 / VIP)."),
    ),
    Column(
        "standard_seconds",
        ("standard_seconds", "标准办理时长（秒）"),
        True,
        gettext_lazy("The benchmark bank's counter time for one transaction, in seconds."),
    ),
    Column(
        "is_active",
        ("is_active", "启用"),
        False,
        gettext_lazy("true/false, 1/0 or 是/否; blank means active."),
    ),
)
ERROR_COLUMNS = (
    Column("occurred_on", ("date", "差错日期"), True, gettext_lazy("YYYY-MM-DD.")),
    Column("outlet", ("outlet", "网点代码"), True, gettext_lazy("Code of the outlet.")),
    Column("teller", ("teller", "柜员工号"), True, gettext_lazy("Staff number of the teller.")),
    Column(
        "business_type",
        ("business_type", "业务代码"),
        True,
        gettext_lazy("Business type code of the catalogue."),
    ),
    Column(
        "kind",
        ("kind", "差错类型"),
        True,
        gettext_lazy(
            "wrong_amount, wrong_account, missing_document, missing_signature, "
            "procedure or other, or their names."
        ),
    ),  # fmt: skip
    Column(
        "severity",
        ("severity", "严重程度"),
        True,
        gettext_lazy("minor, major or serious, or their names."),
    ),
    Column("note", ("note", "说明"), False, gettext_lazy("What happened.")),
)
SEGMENT_ALIASES = {"个人": Segment.PERSONAL, "对公": Segment.CORPORATE, "贵宾": Segment.VIP}
TRUE_WORDS = {"true", "1", "yes", "y", "是"}
FALSE_WORDS = {"false", "0", "no", "n", "否"}


def _choice_names(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Each value of ``choices`` under its code and its names in the three languages."""
    names: dict[str, str] = {}
    for language in ("zh-hans", "en", "es"):
        with translation.override(language):
            for value, label in choices:
                names[str(value).lower()] = str(value)
                names[str(label).lower()] = str(value)
    return names


def _report(result: ImportResult, sheet: Sheet, rows: Iterable[SheetRow]) -> bool:
    """Every row's problems into ``result``; whether there were none."""
    for row in rows:
        for error in row.errors:
            result.errors.append(Issue(error, sheet=sheet.name, line=row.line))
    return not result.errors


# Business types -------------------------------------------------------------------------


_TYPE_FIELDS = ("name", "name_en", "name_es", "segment", "standard_seconds", "is_active")


def business_type_import(*, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
    """Check every row and, unless ``dry_run`` or a row is bad, create or update the types.
    The catalogue is shared by the whole bank: an administrator (or the permission to change
    business types) loads it."""
    result = ImportResult(labels={BUSINESS_TYPES: _("business types")})
    if actor is not None and not (
        scope_for(actor).is_global or actor.has_perm("counters.change_businesstype")
    ):
        result.errors.append(Issue(_("Only an administrator may load the business types.")))
        return result
    read = read_sheet_rows(data, filename, TYPE_COLUMNS, result)
    if read is None:
        return result
    sheet, rows = read
    stored = {
        t.code: t for t in BusinessType.objects.filter(code__in=[r.cells.get("code") for r in rows])
    }
    segments = {**_choice_names(Segment.choices), **SEGMENT_ALIASES}
    seen: dict[str, int] = {}
    planned: list[tuple[SheetRow, dict[str, Any]]] = []
    for row in rows:
        cells = row.cells
        code = cells.get("code", "")
        if not code:
            row.bad("code", _("is required"))
        elif code in seen:
            row.bad("code", _("repeats line %(line)s") % {"line": seen[code]})
        else:
            seen[code] = row.line
        if not cells.get("name"):
            row.bad("name", _("is required"))
        segment = segments.get(cells.get("segment", "").lower())
        if segment is None:
            row.bad("segment", _("must be personal, corporate or vip"))
        seconds_text = cells.get("standard_seconds", "")
        seconds = int(seconds_text) if seconds_text.isdigit() else 0
        if seconds <= 0:
            row.bad("standard_seconds", _("must be a whole number of seconds above 0"))
        active = cells.get("is_active", "").lower()
        if active and active not in TRUE_WORDS | FALSE_WORDS:
            row.bad("is_active", _("must be true or false"))
        planned.append(
            (
                row,
                {
                    "name": cells.get("name", ""),
                    "name_en": cells.get("name_en", ""),
                    "name_es": cells.get("name_es", ""),
                    "segment": segment,
                    "standard_seconds": seconds,
                    "is_active": active not in FALSE_WORDS,
                },
            )
        )
    if not _report(result, sheet, rows):
        return result
    counts = Counts()
    plan_rows: list[PlannedRow] = []
    writes: list[tuple[str, dict[str, Any]]] = []
    for row, values in planned:
        code = row.cells["code"]
        existing = stored.get(code)
        changed: tuple[str, ...] = ()
        if existing is None:
            action = CREATE
            counts.created += 1
        else:
            changed = tuple(f for f in _TYPE_FIELDS if getattr(existing, f) != values[f])
            action = UPDATE if changed else UNCHANGED
            counts.updated += action == UPDATE
            counts.unchanged += action == UNCHANGED
        if action != UNCHANGED:
            writes.append((code, values))
        plan_rows.append(
            PlannedRow(sheet=sheet.name or "", line=row.line, key=code, action=action,
                       values={"code": code, "name": values["name"]}, changed=changed)
        )  # fmt: skip
    result.counts[BUSINESS_TYPES] = counts
    result.rows[BUSINESS_TYPES] = plan_rows
    if dry_run:
        return result
    with transaction.atomic(), acting_as(actor):
        for code, values in writes:
            BusinessType.objects.update_or_create(code=code, defaults=values)
    result.is_applied = True
    return result


# Teller errors --------------------------------------------------------------------------


def teller_error_import(*, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
    """Check every row and, unless ``dry_run`` or a row is bad, record the errors. The same
    rules as the form: a manager of the outlet, a teller who works there, no future date. A
    row equal to an error already recorded (same outlet, date, teller, type, kind, severity
    and note) is left as it is."""
    result = ImportResult(labels={TELLER_ERRORS: _("teller errors")})
    read = read_sheet_rows(data, filename, ERROR_COLUMNS, result)
    if read is None:
        return result
    sheet, rows = read

    def wanted(name: str) -> list[str]:
        return sorted({r.cells[name] for r in rows if r.cells.get(name)})

    outlets = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted("outlet"))}
    tellers = {
        e.staff_number: e
        for e in Employee.objects.filter(staff_number__in=wanted("teller")).select_related("unit")
    }
    types = {t.code: t for t in BusinessType.objects.filter(code__in=wanted("business_type"))}
    kinds = _choice_names(ErrorKind.choices)
    severities = _choice_names(Severity.choices)
    seen: dict[tuple[Any, ...], int] = {}
    planned: list[tuple[SheetRow, TellerError]] = []
    for row in rows:
        cells = row.cells
        occurred_on = row.date("occurred_on")
        outlet = outlets.get(cells.get("outlet", ""))
        if outlet is None or outlet.kind != OrgUnitKind.OUTLET:
            row.bad("outlet", _("is not the code of an outlet"))
        teller = tellers.get(cells.get("teller", ""))
        if teller is None:
            row.bad("teller", _("is not a known staff number"))
        if outlet is not None and teller is not None and occurred_on is not None:
            # The form's rules, checked in the same place.
            for refusal in teller_error_refusals(actor, outlet, teller, occurred_on):
                column, reason = REFUSALS[refusal]
                row.bad(column, str(reason))
        business_type = types.get(cells.get("business_type", ""))
        if business_type is None:
            row.bad("business_type", _("is not a known business type code"))
        kind = kinds.get(cells.get("kind", "").lower())
        if kind is None:
            row.bad("kind", _("is not a kind of error"))
        severity = severities.get(cells.get("severity", "").lower())
        if severity is None:
            row.bad("severity", _("must be minor, major or serious"))
        if (
            row.errors
            or occurred_on is None
            or outlet is None
            or teller is None
            or business_type is None
            or kind is None
            or severity is None
        ):
            continue
        error = TellerError(
            outlet=outlet,
            teller=teller,
            business_type=business_type,
            occurred_on=occurred_on,
            kind=kind,
            severity=severity,
            note=cells.get("note", ""),
        )
        key = _error_key(error)
        if key in seen:
            row.bad("date", _("repeats line %(line)s") % {"line": seen[key]})
        seen[key] = row.line
        planned.append((row, error))
    if not _report(result, sheet, rows):
        return result
    stored = _stored_errors(error for _row, error in planned)
    counts = Counts()
    plan_rows: list[PlannedRow] = []
    new: list[TellerError] = []
    for row, error in planned:
        action = UNCHANGED if _error_key(error) in stored else CREATE
        if action == CREATE:
            new.append(error)
        counts.created += action == CREATE
        counts.unchanged += action == UNCHANGED
        plan_rows.append(
            PlannedRow(sheet=sheet.name or "", line=row.line, key=row.cells["teller"],
                       action=action, values={"date": str(error.occurred_on),
                                              "kind": error.kind})
        )  # fmt: skip
    result.counts[TELLER_ERRORS] = counts
    result.rows[TELLER_ERRORS] = plan_rows
    if dry_run:
        return result
    with transaction.atomic(), acting_as(actor):
        created = TellerError.objects.bulk_create(new, batch_size=1000)
        audit_created_many(created)
    result.is_applied = True
    return result


# A broken rule of ``teller_error_refusals`` as the column and reason a row reports.
REFUSALS = {
    OUT_OF_SCOPE: ("outlet", gettext_lazy("you do not manage this outlet")),
    NOT_AT_OUTLET: ("teller", gettext_lazy("does not work at this outlet")),
    FUTURE: ("date", gettext_lazy("is in the future")),
}


def _error_key(error: TellerError) -> tuple[Any, ...]:
    return (error.outlet_id, error.occurred_on, error.teller_id, error.business_type_id,
            error.kind, error.severity, error.note)  # fmt: skip


def _stored_errors(errors: Iterable[TellerError]) -> set[tuple[Any, ...]]:
    """The keys of the errors already recorded on the outlets and dates of ``errors``."""
    errors = list(errors)
    if not errors:
        return set()
    outlets = {e.outlet_id for e in errors}
    dates = [e.occurred_on for e in errors]
    rows = TellerError.objects.filter(
        outlet_id__in=outlets, occurred_on__range=(min(dates), max(dates))
    ).values_list("outlet_id", "occurred_on", "teller_id", "business_type_id", "kind",
                  "severity", "note")  # fmt: skip
    return set(rows)


BUSINESS_TYPE_IMPORTER = SheetImporter(
    "business-types", BUSINESS_TYPES, TYPE_COLUMNS, business_type_import
)
TELLER_ERROR_IMPORTER = SheetImporter(
    "teller-errors", TELLER_ERRORS, ERROR_COLUMNS, teller_error_import
)
