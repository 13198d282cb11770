"""Writes of the counters app: importing queue tickets (files and pushes), teller errors,
published league tables, VIP window candidates' scores.

Every import validates every row first and writes all of them or none; a ticket is known by
(outlet, date, ticket number), so importing the same file again writes nothing, and a row
that changed (a ticket called since the last push) updates its ticket. Rollups of every
(outlet, day) an import touched are rebuilt in the same transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.audit import acting_as
from ventanilla.core.bulk import insert_rows
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, role_at
from ventanilla.core.tabular import (
    Counts,
    ImportResult,
    Issue,
    TableError,
    TableRow,
    cell_text,
    decode_text,
    file_extension,
    read_table,
)
from ventanilla.counters.models import (
    BusinessType,
    LeaguePublication,
    LeaguePublicationRow,
    Outcome,
    QueueTicket,
    TellerError,
    TicketImport,
    TicketMapping,
    VipCandidateScore,
)
from ventanilla.counters.rollups import rollups_rebuild
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind

TICKETS = "tickets"
MAX_REPORTED_ISSUES = 1000
# The fields compared to decide whether a stored ticket changed.
_VALUE_FIELDS = (
    "business_type_id",
    "is_vip",
    "customer_ref",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller_id",
    "outcome",
)
_TIME_FIELDS = ("issued_at", "called_at", "started_at", "ended_at")
Progress = Callable[[str, int, int], None]


@dataclass
class TicketDraft:
    """One row as read, before it is checked against the catalogue and the staff list."""

    line: int | None
    service_on: date | None = None
    ticket_number: str = ""
    business_type_code: str = ""
    is_vip: bool = False
    customer_ref: str = ""
    times: dict[str, datetime | None] = field(default_factory=dict)
    window: str = ""
    teller_number: str = ""
    outcome: str = ""
    skew: timedelta = timedelta(0)  # how much earlier than the time before a time may be


@dataclass
class _Batch:
    """Everything an import needs once the rows are read."""

    outlet: OrgUnit
    drafts: list[TicketDraft]


class _Issues:
    def __init__(self, sheet: str | None) -> None:
        self.sheet = sheet
        self.items: list[Issue] = []

    def add(self, line: int | None, message: str, column: str | None = None) -> None:
        self.items.append(Issue(message, sheet=self.sheet, line=line, column=column))


# Reading files through a mapping ----------------------------------------------------------


class _Columns:
    """Where each field sits in the header, for one mapping."""

    def __init__(self, mapping: TicketMapping, header: Sequence[str], issues: _Issues) -> None:
        self.mapping = mapping
        positions = {name.strip().lower(): i for i, name in enumerate(header)}
        # field → parts joined with "-" → alternative columns, the first non-empty one wins
        self.where: dict[str, list[list[int]]] = {}
        # A missing optional column leaves its field empty: vendors' exports differ.
        required = {"ticket_number", "business_type", "issued_at"}
        for name in (
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
        ):
            spec = getattr(mapping, f"{name}_column")
            if not spec:
                continue
            parts = []
            for part in spec.split("&"):
                titles = [t.strip() for t in part.split("|") if t.strip()]
                found = [positions[t.lower()] for t in titles if t.lower() in positions]
                if not found and name in required:
                    issues.add(
                        None,
                        _("The file has no column %(column)s (mapping %(mapping)s, %(field)s).")
                        % {"column": " | ".join(titles), "mapping": mapping.name, "field": name},
                    )
                parts.append(found)
            self.where[name] = parts
        self.empty = {v.strip().lower() for v in mapping.empty_values.split(",") if v.strip()}
        self.vip = {v.strip().lower() for v in mapping.vip_values.split(",") if v.strip()}
        self.outcomes = {
            str(k).strip().lower(): str(v) for k, v in mapping.outcome_synonyms.items()
        }
        self.zone = timezone.get_default_timezone()
        self._dates: dict[Any, date] = {}

    def date(self, value: Any) -> date:
        """The date in ``value``; raises ValueError. Remembered: a file holds few dates."""
        key = value if isinstance(value, str) else None
        if key is not None and key in self._dates:
            return self._dates[key]
        parsed = _parse_date(value, self.mapping.date_format)
        if key is not None:
            self._dates[key] = parsed
        return parsed

    def raw(self, cells: Sequence[Any], name: str) -> Any:
        """The field's cell (the first non-empty alternative), or None; parts joined by "-"."""
        values = []
        for alternatives in self.where.get(name, ()):
            for index in alternatives:
                value = cells[index] if index < len(cells) else None
                if value is None:
                    continue
                text = value.strip() if isinstance(value, str) else cell_text(value)
                if text == "" or text.lower() in self.empty:
                    continue
                values.append(value)
                break
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return "-".join(cell_text(v) for v in values)

    def text(self, cells: Sequence[Any], name: str) -> str:
        value = self.raw(cells, name)
        if value is None:
            return ""
        return value.strip() if isinstance(value, str) else cell_text(value)


def _parse_date(value: Any, fmt: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for candidate in (fmt, "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, candidate).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(text)


def _parse_time(value: Any) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    text = cell_text(value)
    parts = text.split(":")
    # The common H:MM:SS, without strptime's cost on files of a million rows.
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[1]) == 2:
        hours, minutes, seconds = int(parts[0]), int(parts[1]), int(parts[2])
        if hours < 24 and minutes < 60 and seconds < 60:
            return time(hours, minutes, seconds)
    for fmt in ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f"):
        try:
            return datetime.strptime(text, fmt).time()  # noqa: DTZ007 - a time of day only
        except ValueError:
            continue
    raise ValueError(text)


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = cell_text(value).replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(text) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _draft_from_cells(
    columns: _Columns, row: TableRow, file_date: date | None, issues: _Issues
) -> TicketDraft:
    mapping = columns.mapping
    cells = row.cells
    draft = TicketDraft(line=row.line, skew=timedelta(seconds=mapping.clock_skew_seconds))
    bad = len(issues.items)
    raw_date = columns.raw(cells, "service_on")
    if raw_date is not None:
        try:
            draft.service_on = columns.date(raw_date)
        except ValueError:
            issues.add(
                row.line,
                _("%(value)s is not a date in the form %(format)s.")
                % {"value": cell_text(raw_date), "format": mapping.date_format},
                "service_on",
            )
    elif file_date is not None:
        draft.service_on = file_date
    draft.ticket_number = columns.text(cells, "ticket_number")
    draft.business_type_code = columns.text(cells, "business_type")
    draft.customer_ref = columns.text(cells, "customer_ref")
    draft.window = columns.text(cells, "window")
    draft.teller_number = columns.text(cells, "teller")
    draft.outcome = columns.text(cells, "outcome")
    draft.is_vip = columns.text(cells, "is_vip").lower() in columns.vip
    previous: datetime | None = None
    for name in _TIME_FIELDS:
        raw = columns.raw(cells, name)
        if raw is None:
            draft.times[name] = None
            continue
        try:
            if mapping.times_have_dates:
                moment = _parse_datetime(raw)
            else:
                if draft.service_on is None:
                    draft.times[name] = None
                    continue
                moment = datetime.combine(draft.service_on, _parse_time(raw), tzinfo=columns.zone)
                skew = timedelta(seconds=mapping.clock_skew_seconds)
                rolls_over = mapping.times_roll_over_midnight and previous is not None
                if rolls_over and previous is not None and moment < previous - skew:
                    moment += timedelta(days=1)
        except ValueError:
            issues.add(
                row.line,
                _("%(value)s is not a time.") % {"value": cell_text(raw)},
                name,
            )
            draft.times[name] = None
            continue
        draft.times[name] = moment
        previous = moment
    if draft.service_on is None and len(issues.items) == bad:
        if mapping.times_have_dates and draft.times.get("issued_at") is not None:
            draft.service_on = timezone.localdate(draft.times["issued_at"])
        else:
            issues.add(row.line, _("The date is missing."), "service_on")
    if draft.outcome:
        draft.outcome = columns.outcomes.get(draft.outcome.lower(), draft.outcome.lower())
    else:
        draft.outcome = mapping.default_outcome
    code = draft.business_type_code
    draft.business_type_code = str(mapping.business_type_synonyms.get(code, code))
    return draft


def _read_rows(data: bytes, filename: str) -> tuple[str | None, Sequence[str], list[TableRow]]:
    """Header and rows of a CSV or XLSX file, or of a tab-separated .txt / .tsv export."""
    if file_extension(filename) in {"txt", "tsv"}:
        reader = csv.reader(io.StringIO(decode_text(data), newline=""), delimiter="\t")
        header: list[str] | None = None
        rows: list[TableRow] = []
        next_line = 1
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append(TableRow(line=line, cells=tuple(cells)))
        if header is None:
            raise TableError(_("The file is empty."))
        return None, header, rows
    sheets = read_table(data, filename)
    if not sheets:
        raise TableError(_("The file is empty."))
    return sheets[0].name, sheets[0].header, sheets[0].rows


# Checking and writing ----------------------------------------------------------------------


def _check_outlet(actor: Any, outlet: OrgUnit) -> None:
    if outlet.kind != OrgUnitKind.OUTLET:
        raise DomainError(
            _("%(unit)s is not an outlet: tickets belong to outlets.") % {"unit": outlet.code},
            code="not_an_outlet",
        )
    if actor is None:
        return
    held = role_at(actor, outlet.path)
    if held is None or held < Role.STAFF:
        raise DomainError(
            _("You may not import tickets for outlet %(unit)s.") % {"unit": outlet.code},
            code="out_of_scope",
        )


@dataclass
class _Planned:
    creates: list[QueueTicket] = field(default_factory=list)
    updates: list[QueueTicket] = field(default_factory=list)
    unchanged: int = 0


def _plan(batch: _Batch, issues: _Issues) -> _Planned:
    drafts = batch.drafts
    types = {
        t.code: t.pk
        for t in BusinessType.objects.filter(code__in={d.business_type_code for d in drafts})
    }
    tellers = dict(
        Employee.objects.filter(
            staff_number__in={d.teller_number for d in drafts if d.teller_number}
        ).values_list("staff_number", "pk")
    )
    seen: dict[tuple[date, str], int | None] = {}
    valid: list[tuple[TicketDraft, date, dict[str, Any]]] = []
    outcomes = set(Outcome.values)
    for draft in drafts:
        before = len(issues.items)
        line = draft.line
        if not draft.ticket_number:
            issues.add(line, _("The ticket number is missing."), "ticket_number")
        if draft.service_on is not None and draft.ticket_number:
            key = (draft.service_on, draft.ticket_number)
            if key in seen:
                issues.add(
                    line,
                    _("Ticket %(number)s of %(date)s appears twice (also line %(other)s).")
                    % {"number": key[1], "date": key[0], "other": seen[key] or "-"},
                    "ticket_number",
                )
            else:
                seen[key] = line
        type_id = types.get(draft.business_type_code)
        if not draft.business_type_code:
            issues.add(line, _("The business type is missing."), "business_type")
        elif type_id is None:
            issues.add(
                line,
                _("%(code)s is not a known business type code.")
                % {"code": draft.business_type_code},
                "business_type",
            )
        teller_id = None
        if draft.teller_number:
            teller_id = tellers.get(draft.teller_number)
            if teller_id is None:
                issues.add(
                    line,
                    _("%(number)s is not a known staff number.") % {"number": draft.teller_number},
                    "teller",
                )
        if draft.outcome not in outcomes:
            issues.add(
                line,
                _("%(value)s is not a known outcome (served, no_show, transferred, abandoned).")
                % {"value": draft.outcome},
                "outcome",
            )
        _check_times(draft, issues)
        if len(issues.items) > before or draft.service_on is None:
            continue
        valid.append(
            (
                draft,
                draft.service_on,
                {
                    "business_type_id": type_id,
                    "is_vip": draft.is_vip,
                    "customer_ref": draft.customer_ref[:64],
                    **{name: draft.times.get(name) for name in _TIME_FIELDS},
                    "window": draft.window[:16],
                    "teller_id": teller_id,
                    "outcome": draft.outcome,
                },
            )
        )
    planned = _Planned()
    if issues.items:
        return planned
    stored = _stored(batch.outlet, {service_on for _d, service_on, _v in valid})
    for draft, service_on, values in valid:
        existing = stored.get((service_on, draft.ticket_number))
        if existing is None:
            planned.creates.append(
                QueueTicket(
                    outlet_id=batch.outlet.pk,
                    service_on=service_on,
                    ticket_number=draft.ticket_number,
                    **values,
                )
            )
        elif all(getattr(existing, k) == v for k, v in values.items()):
            planned.unchanged += 1
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            planned.updates.append(existing)
    return planned


def _check_times(draft: TicketDraft, issues: _Issues) -> None:
    times = draft.times
    issued, called = times.get("issued_at"), times.get("called_at")
    started, ended = times.get("started_at"), times.get("ended_at")
    line = draft.line
    if issued is None:
        if "issued_at" not in [i.column for i in issues.items if i.line == line]:
            issues.add(line, _("The issue time is missing."), "issued_at")
        return
    skew = draft.skew
    if called is not None and called < issued - skew:
        issues.add(line, _("The ticket is called before it is issued."), "called_at")
    if started is not None and started < (called or issued) - skew:
        issues.add(line, _("Service starts before the ticket is called."), "started_at")
    if ended is not None and ended < (started or called or issued) - skew:
        issues.add(line, _("Service ends before it starts."), "ended_at")


def _stored(outlet: OrgUnit, dates: set[date]) -> dict[tuple[date, str], QueueTicket]:
    found: dict[tuple[date, str], QueueTicket] = {}
    ordered = sorted(dates)
    for start in range(0, len(ordered), 500):
        for ticket in QueueTicket.objects.filter(
            outlet=outlet, service_on__in=ordered[start : start + 500]
        ).order_by():
            found[(ticket.service_on, ticket.ticket_number)] = ticket
    return found


_INSERT_FIELDS = (
    "outlet_id",
    "service_on",
    "ticket_number",
    "business_type_id",
    "is_vip",
    "customer_ref",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller_id",
    "outcome",
)


def tickets_insert(
    tickets: Sequence[QueueTicket], *, batch_size: int = 5000, progress: Progress | None = None
) -> str:
    """Insert new tickets by the fastest path the database offers; returns the path taken.

    PostgreSQL: one ``COPY ... FROM STDIN`` (psycopg 3). Elsewhere: batched ``executemany``.
    """
    total = len(tickets)

    def report(done: int) -> None:
        if progress is not None:
            progress(_("inserted"), done, total)

    return insert_rows(
        QueueTicket,
        _INSERT_FIELDS,
        ([getattr(t, name) for name in _INSERT_FIELDS] for t in tickets),
        batch_size=batch_size,
        progress=report,
    )


def _apply(batch: _Batch, issues: _Issues, *, dry_run: bool, progress: Progress | None) -> Any:
    if issues.items:
        return _result(issues, None, applied=False)
    with transaction.atomic():
        planned = _plan(batch, issues)
        if issues.items or dry_run:
            return _result(issues, planned, applied=False)
        tickets_insert(planned.creates, progress=progress)
        if planned.updates:
            QueueTicket.objects.bulk_update(planned.updates, list(_VALUE_FIELDS), batch_size=1000)
        touched = {(batch.outlet.pk, t.service_on) for t in planned.creates + planned.updates}
        if touched:
            rollups_rebuild(days=touched)
            if progress is not None:
                progress(_("rollups rebuilt"), len(touched), len(touched))
    return _result(issues, planned, applied=True)


def _result(issues: _Issues, planned: _Planned | None, *, applied: bool) -> ImportResult:
    errors = issues.items
    if len(errors) > MAX_REPORTED_ISSUES:
        more = len(errors) - MAX_REPORTED_ISSUES
        errors = errors[:MAX_REPORTED_ISSUES] + [
            Issue(_("... and %(count)s more errors.") % {"count": more})
        ]
    result = ImportResult(errors=errors, labels={TICKETS: _("Queue tickets")}, is_applied=applied)
    if planned is not None and not errors:
        result.counts[TICKETS] = Counts(
            created=len(planned.creates), updated=len(planned.updates), unchanged=planned.unchanged
        )
    return result


def ticket_import(
    *,
    actor: Any,
    outlet: OrgUnit,
    data: bytes,
    filename: str,
    mapping: TicketMapping,
    dry_run: bool = False,
    file_date: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a queue machine's export (CSV, XLSX, or tab-separated .txt) for one outlet.

    Every row is read through ``mapping`` and checked; with any bad row, or a ``dry_run``,
    nothing is written and the result lists the errors (each with its line) or the counts.
    ``file_date`` is the date of a file whose rows carry none. Every import that is not a
    dry run, written or refused, is kept in the import history (``TicketImport``).
    """
    _check_outlet(actor, outlet)
    result, row_count = _ticket_import_run(
        outlet, data, filename, mapping, dry_run=dry_run, file_date=file_date, progress=progress
    )
    if not dry_run:
        _import_record(actor, outlet, filename, mapping, row_count, result)
    return result


def _ticket_import_run(
    outlet: OrgUnit,
    data: bytes,
    filename: str,
    mapping: TicketMapping,
    *,
    dry_run: bool,
    file_date: date | None,
    progress: Progress | None,
) -> tuple[ImportResult, int]:
    try:
        sheet, header, rows = _read_rows(data, filename)
    except TableError as exc:
        failed = _Issues(None)
        failed.add(None, exc.message)
        return _result(failed, None, applied=False), 0
    issues = _Issues(sheet)
    columns = _Columns(mapping, header, issues)
    if issues.items:
        return _result(issues, None, applied=False), len(rows)
    drafts = []
    for done, row in enumerate(rows, start=1):
        drafts.append(_draft_from_cells(columns, row, file_date, issues))
        if progress is not None and done % 50000 == 0:
            progress(_("read"), done, len(rows))
    if not drafts:
        issues.add(None, _("The file holds no tickets."))
    result = _apply(_Batch(outlet, drafts), issues, dry_run=dry_run, progress=progress)
    return result, len(rows)


def _import_record(
    actor: Any,
    outlet: OrgUnit,
    filename: str,
    mapping: TicketMapping,
    rows: int,
    result: ImportResult,
) -> TicketImport:
    """The history line of one import, written after the import's own transaction."""
    counts = result.counts.get(TICKETS)
    first_error = str(result.errors[0]) if result.errors else ""
    return TicketImport.objects.create(
        outlet=outlet,
        filename=filename[:255],
        mapping=mapping.name,
        rows=rows,
        created=counts.created if counts else 0,
        updated=counts.updated if counts else 0,
        unchanged=counts.unchanged if counts else 0,
        # Past MAX_REPORTED_ISSUES the list ends with a line saying how many more.
        error_count=len(result.errors),
        first_error=first_error[:2000],
        is_applied=result.is_applied,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        imported_at=timezone.now(),
    )


def tickets_push(*, actor: Any, outlet: OrgUnit, tickets: Iterable[Mapping[str, Any]]) -> Any:
    """Tickets pushed by a queue machine, already in Ventanilla's field names; all or none.

    Each item holds ``service_on`` (date), ``ticket_number``, ``business_type`` (code),
    ``issued_at`` and optionally ``is_vip``, ``customer_ref``, ``called_at``, ``started_at``,
    ``ended_at`` (aware datetimes), ``window``, ``teller`` (staff number) and ``outcome``.
    Items are numbered from 1 in the errors.
    """
    _check_outlet(actor, outlet)
    issues = _Issues(None)
    drafts = []
    for number, item in enumerate(tickets, start=1):
        drafts.append(
            TicketDraft(
                line=number,
                service_on=item.get("service_on"),
                ticket_number=str(item.get("ticket_number") or "").strip(),
                business_type_code=str(item.get("business_type") or "").strip(),
                is_vip=bool(item.get("is_vip", False)),
                customer_ref=str(item.get("customer_ref") or ""),
                times={name: item.get(name) for name in _TIME_FIELDS},
                window=str(item.get("window") or ""),
                teller_number=str(item.get("teller") or "").strip(),
                outcome=str(item.get("outcome") or Outcome.SERVED),
            )
        )
    if not drafts:
        issues.add(None, _("No tickets were sent."))
    return _apply(_Batch(outlet, drafts), issues, dry_run=False, progress=None)


# Teller errors -----------------------------------------------------------------------------


@transaction.atomic
def teller_error_create(
    *,
    actor: Any,
    outlet: OrgUnit,
    teller: Employee,
    business_type: BusinessType,
    occurred_on: date,
    kind: str,
    severity: str,
    note: str = "",
) -> TellerError:
    """Record a teller's error at an outlet; needs the manager role over the outlet."""
    held = role_at(actor, outlet.path) if actor is not None else Role.ADMINISTRATOR
    if held is None or held < Role.MANAGER:
        raise DomainError(
            _("You may not record errors for outlet %(unit)s.") % {"unit": outlet.code},
            code="out_of_scope",
        )
    if not teller.unit.path.startswith(outlet.path):
        raise DomainError(
            _("%(teller)s does not work at %(unit)s.") % {"teller": teller, "unit": outlet.code},
            code="not_at_outlet",
        )
    if occurred_on > timezone.localdate():
        raise DomainError(_("An error cannot be recorded for a future date."), code="future")
    error = TellerError(
        outlet=outlet,
        teller=teller,
        business_type=business_type,
        occurred_on=occurred_on,
        kind=kind,
        severity=severity,
        note=note,
    )
    error.full_clean()
    with acting_as(actor):
        error.save()
    return error


# Published league tables -------------------------------------------------------------------


@transaction.atomic
def league_publish(*, actor: Any, unit: OrgUnit, month: date) -> LeaguePublication:
    """Freeze ``unit``'s teller league table of ``month`` as a kept record.

    Needs the manager role over the unit and a month that is over. Publishing a month again
    writes the next version and keeps the earlier ones, no longer current.
    """
    from ventanilla.counters.selectors import league_table

    held = role_at(actor, unit.path)
    if held is None or held < Role.MANAGER:
        raise DomainError(
            _("You may not publish league tables for %(unit)s.") % {"unit": unit.code},
            code="out_of_scope",
        )
    first = month.replace(day=1)
    if first > timezone.localdate().replace(day=1) - timedelta(days=1):
        raise DomainError(
            _("%(month)s is not over yet; only a past month can be published.")
            % {"month": f"{first:%Y-%m}"},
            code="month_not_over",
        )
    rows = league_table(user=actor, unit=unit, month=first)
    if not rows:
        raise DomainError(
            _("No teller of %(unit)s served a ticket in %(month)s: there is nothing to publish.")
            % {"unit": unit.code, "month": f"{first:%Y-%m}"},
            code="empty",
        )
    earlier = list(
        LeaguePublication.objects.select_for_update()
        .filter(unit=unit, month=first)
        .order_by("-version")
    )
    LeaguePublication.objects.filter(unit=unit, month=first, is_current=True).update(
        is_current=False
    )
    with acting_as(actor):
        publication = LeaguePublication.objects.create(
            unit=unit,
            month=first,
            version=earlier[0].version + 1 if earlier else 1,
            is_current=True,
            published_by=actor,
            published_at=timezone.now(),
        )
    LeaguePublicationRow.objects.bulk_create(
        LeaguePublicationRow(
            publication=publication,
            teller=row.teller,
            staff_number=row.teller.staff_number,
            teller_name=row.teller.name,
            outlet=row.outlet,
            outlet_code=row.outlet.code,
            outlet_name=row.outlet.display_name,
            served=row.served,
            weighted_minutes=row.weighted_minutes,
            errors=row.errors,
            handle_count=row.handle_count,
            handle_seconds=row.handle_seconds,
            standard_handle_seconds=row.standard_handle_seconds,
            rank_in_outlet=row.rank_in_outlet,
            rank_overall=row.rank_overall,
        )
        for row in rows
    )
    return publication


# VIP window candidates ---------------------------------------------------------------------

VIP_SCORE_FIELDS = ("business_skill", "marketing", "service", "image")


@transaction.atomic
def vip_score_record(
    *,
    actor: Any,
    teller: Employee,
    scored_on: date,
    scores: Mapping[str, int],
    note: str = "",
) -> VipCandidateScore:
    """A manager's scores (0 to 100) of a teller standing for a VIP window."""
    held = role_at(actor, teller.unit.path)
    if held is None or held < Role.MANAGER:
        raise DomainError(
            _("You may not score %(teller)s.") % {"teller": teller}, code="out_of_scope"
        )
    if teller.unit.kind != OrgUnitKind.OUTLET:
        raise DomainError(
            _("%(teller)s does not work at an outlet.") % {"teller": teller}, code="not_at_outlet"
        )
    if scored_on > timezone.localdate():
        raise DomainError(_("Scores cannot be given for a future date."), code="future")
    for name in VIP_SCORE_FIELDS:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise DomainError(
                _("The %(score)s score must be a whole number from 0 to 100, not %(value)s.")
                % {"score": name.replace("_", " "), "value": value},
                code="bad_score",
            )
    with acting_as(actor):
        return VipCandidateScore.objects.create(
            teller=teller,
            scored_on=scored_on,
            note=note,
            scored_by=actor,
            **{name: scores[name] for name in VIP_SCORE_FIELDS},
        )
