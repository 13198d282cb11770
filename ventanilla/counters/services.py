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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, cast

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.audit import acting_as
from ventanilla.core.bulk import BinaryColumn, binary_rows, copy_binary_blocks, insert_rows
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
from ventanilla.counters.permissions import may_load_tickets
from ventanilla.counters.rollups import (
    OUTCOME_CODES,
    TicketColumns,
    day_rollup_rows,
    day_rollups_delete,
    day_rollups_insert,
    monthly_rebuild,
    rollups_rebuild,
    ticket_columns_of_rows,
)
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


# The column-wise path: a clean text file ----------------------------------------------------

_CHUNK_ROWS = 100_000
_UNIX_DAY = date(1970, 1, 1).toordinal()
_DAY_SECONDS = 86400
# Wall-clock times are counted from here, before any time zone is applied.
_WALL_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001
_CHANGING = -(10**9)  # the offset of a day whose offset changes


class _NotClean(Exception):
    """The file needs the row-by-row path (a bad row, an unusual cell, a stored day...)."""


@dataclass
class _CleanFile:
    """Every row of a text file, checked, as columns. Times are instants in whole epoch
    seconds (``utc``), given where ``present`` says."""

    outlet_id: int
    rows: int
    day: np.ndarray  # proleptic ordinal of the service date
    number: list[str]
    type_id: np.ndarray
    is_vip: np.ndarray
    customer_ref: list[str]
    present: dict[str, np.ndarray]
    utc: dict[str, np.ndarray]
    window: np.ndarray  # index into ``window_labels``, 0: none
    window_labels: list[str]
    teller_id: np.ndarray  # -1: none
    outcome: np.ndarray  # index into ``OUTCOME_CODES``

    def __len__(self) -> int:
        return self.rows

    def days(self) -> list[date]:
        return [date.fromordinal(d) for d in np.unique(self.day).tolist()]

    def insert_rows(self, *, chunk_rows: int = 50_000) -> Iterator[tuple]:
        """The tickets in ``_INSERT_FIELDS`` order, values ready for SQLite (dates and UTC
        times as text). PostgreSQL takes ``copy_blocks``."""
        day_texts: dict[int, str] = {}
        outcomes = [str(code) for code in OUTCOME_CODES]
        for start in range(0, self.rows, chunk_rows):
            part = slice(start, start + chunk_rows)
            days = []
            for ordinal in self.day[part].tolist():
                text = day_texts.get(ordinal)
                if text is None:
                    text = day_texts[ordinal] = date.fromordinal(ordinal).isoformat()
                days.append(text)
            times = [
                _utc_texts(self.utc[name][part], self.present[name][part]) for name in _TIME_FIELDS
            ]
            tellers = [None if t < 0 else t for t in self.teller_id[part].tolist()]
            count = len(days)
            yield from zip(
                [self.outlet_id] * count,
                days,
                self.number[part],
                self.type_id[part].tolist(),
                self.is_vip[part].tolist(),
                self.customer_ref[part],
                *times,
                [self.window_labels[w] for w in self.window[part].tolist()],
                tellers,
                [outcomes[o] for o in self.outcome[part].tolist()],
                strict=True,
            )

    def copy_blocks(self, *, chunk_rows: int = 100_000) -> Iterator[tuple[int, bytes]]:
        """The tickets in ``_INSERT_FIELDS`` order as blocks of ``COPY``'s binary format,
        built a column at a time."""
        outcomes = [str(code) for code in OUTCOME_CODES]
        for start in range(0, self.rows, chunk_rows):
            part = slice(start, start + chunk_rows)
            tellers = self.teller_id[part]
            columns = [
                BinaryColumn("int8", np.full(tellers.size, self.outlet_id, dtype=np.int64)),
                BinaryColumn("date", self.day[part]),
                BinaryColumn("text", self.number[part]),
                BinaryColumn("int8", self.type_id[part]),
                BinaryColumn("bool", self.is_vip[part]),
                BinaryColumn("text", self.customer_ref[part]),
                *(
                    BinaryColumn("timestamptz", self.utc[name][part], self.present[name][part])
                    for name in _TIME_FIELDS
                ),
                BinaryColumn("text", self.window[part], labels=self.window_labels),
                BinaryColumn("int8", tellers, tellers >= 0),
                BinaryColumn("text", self.outcome[part], labels=outcomes),
            ]
            yield tellers.size, binary_rows(columns)

    def rollup_rows(self) -> list[tuple]:
        """The day rollups of the tickets (``rollups.DAY_FIELDS`` order), summed at once."""
        zone = timezone.get_default_timezone()
        issued = self.utc["issued_at"]
        local = _local_seconds(issued, np.ones(self.rows, dtype=bool), zone)
        called, started, ended = (self.utc[n] for n in ("called_at", "started_at", "ended_at"))
        has_called, has_started, has_ended = (
            self.present[n] for n in ("called_at", "started_at", "ended_at")
        )
        begin = np.where(has_started, started, called)
        has_begin = has_started | has_called
        return day_rollup_rows(
            TicketColumns(
                outlet_id=np.full(self.rows, self.outlet_id, dtype=np.int64),
                day=self.day,
                half_hour=local % _DAY_SECONDS // 1800,
                type_id=self.type_id,
                teller_id=self.teller_id,
                is_vip=self.is_vip,
                outcome=self.outcome,
                wait=np.where(has_called, called - issued, np.nan),
                handle=np.where(has_begin & has_ended, ended - begin, np.nan),
                window=np.where(has_called, self.window, 0),
                window_labels=self.window_labels,
            )
        )


def _utc_text_array(seconds: np.ndarray, *, suffix: str) -> np.ndarray:
    """Epoch seconds as "YYYY-MM-DD HH:MM:SS" and ``suffix`` (e.g. "+00")."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return np.strings.add(np.strings.replace(text, "T", " "), suffix)


def _utc_texts(seconds: np.ndarray, present: np.ndarray) -> list[str | None]:
    text = _utc_text_array(seconds, suffix="").astype(object)
    text[~present] = None
    return cast(list[str | None], text.tolist())


def _offsets(days: np.ndarray, moment: Callable[[int, int], datetime]) -> np.ndarray:
    """Per distinct day (epoch day number), its UTC offset in seconds when it holds one all
    day long, else a sentinel below any offset (a day with a change of offset)."""
    found = np.empty(days.size, dtype=np.int64)
    for i, day in enumerate(days.tolist()):
        seen = {cast(timedelta, moment(day, hour).utcoffset()) for hour in range(25)}
        offset = seen.pop() if len(seen) == 1 else None
        found[i] = _CHANGING if offset is None else offset // timedelta(seconds=1)
    return found


def _local_seconds(utc: np.ndarray, present: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Wall-clock epoch seconds in ``zone`` of the instants ``utc``."""

    def moment(day: int, hour: int) -> datetime:
        return datetime.fromtimestamp(day * _DAY_SECONDS + hour * 3600, tz=zone)

    out = utc.copy()
    days, inverse = np.unique(utc[present] // _DAY_SECONDS, return_inverse=True)
    offsets = _offsets(days, moment)[inverse.reshape(-1)]
    regular = offsets != _CHANGING
    where = np.flatnonzero(present)
    out[where[regular]] += offsets[regular]
    for i in where[~regular].tolist():
        local = datetime.fromtimestamp(int(utc[i]), tz=zone).replace(tzinfo=None)
        out[i] = (local - _WALL_EPOCH) // timedelta(seconds=1)
    return out


def _utc_seconds(local: np.ndarray, present: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Epoch seconds of the wall-clock times ``local`` made aware in ``zone`` (as
    ``make_aware``: the earlier of a repeated hour, a skipped hour read with the offset before
    the change)."""

    def moment(day: int, hour: int) -> datetime:
        base = _WALL_EPOCH + timedelta(days=day, hours=hour)
        return base.replace(tzinfo=zone)

    out = local.copy()
    days, inverse = np.unique(local[present] // _DAY_SECONDS, return_inverse=True)
    offsets = _offsets(days, moment)[inverse.reshape(-1)]
    regular = offsets != _CHANGING
    where = np.flatnonzero(present)
    out[where[regular]] -= offsets[regular]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for i in where[~regular].tolist():
        aware = (_WALL_EPOCH + timedelta(seconds=int(local[i]))).replace(tzinfo=zone)
        out[i] = (aware - epoch) // timedelta(seconds=1)
    return out


class _Distinct:
    """A column's distinct cells, each converted once."""

    def __init__(self, convert: Callable[[str], Any]) -> None:
        self.convert = convert
        self.values: dict[str, Any] = {}

    def __call__(self, cells: list[str]) -> list[Any]:
        values = self.values
        for cell in set(cells).difference(values):
            values[cell] = self.convert(cell)
        return list(map(values.__getitem__, cells))


class _Codes:
    """Distinct values numbered in order of appearance."""

    def __init__(self, *first: Any) -> None:
        self.index: dict[Any, int] = {value: i for i, value in enumerate(first)}

    def __call__(self, values: list[Any]) -> np.ndarray:
        index = self.index
        for value in set(values).difference(index):
            index[value] = len(index)
        return np.array(list(map(index.__getitem__, values)), dtype=np.int64)

    def labels(self) -> list[Any]:
        return list(self.index)


def _read_clean(
    outlet: OrgUnit,
    data: bytes,
    filename: str,
    mapping: TicketMapping,
    file_date: date | None,
    progress: Progress | None,
) -> _CleanFile:
    """The rows of a CSV or tab-separated file read column by column, every check of ``_plan``
    made on whole columns. Raises ``_NotClean`` at anything the row-by-row path must judge
    (and report): then that path reads the file again."""
    extension = file_extension(filename)
    if extension not in {"csv", "txt", "tsv"} or data.startswith(b"PK\x03\x04"):
        raise _NotClean
    total = max(1, data.count(b"\n"))
    # Decoded as it is read, so the file is never held as text: a file that is not UTF-8
    # (GBK from a Chinese Excel) goes to the row-by-row path.
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter="," if extension == "csv" else "\t")
    located = False
    parts: list[dict[str, Any]] = []
    reading = _CleanReader(mapping, file_date)
    chunk: list[list[str]] = []
    done = 0
    try:
        for cells in reader:
            if not located:
                if not any(c.strip() for c in cells):
                    continue
                reading.locate([c.strip() for c in cells])
                located = True
                continue
            chunk.append(cells)
            if len(chunk) >= _CHUNK_ROWS:
                parts.append(reading.columns(chunk))
                done += len(chunk)
                chunk = []
                if progress is not None:
                    progress(_("read"), done, max(total, done))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _NotClean from exc
    if chunk:
        parts.append(reading.columns(chunk))
    return reading.finish(outlet, parts)


class _CleanReader:
    """Reads chunks of rows into checked columns, for ``_read_clean``."""

    def __init__(self, mapping: TicketMapping, file_date: date | None) -> None:
        self.mapping = mapping
        self.file_date = file_date
        self.where: dict[str, int | None] = {}
        empty = {v.strip().lower() for v in mapping.empty_values.split(",") if v.strip()}
        vip = {v.strip().lower() for v in mapping.vip_values.split(",") if v.strip()}
        outcomes = {str(k).strip().lower(): str(v) for k, v in mapping.outcome_synonyms.items()}
        types = mapping.business_type_synonyms
        self.empty = empty

        def clean(cell: str) -> str:
            value = cell.strip()
            return "" if value.lower() in empty else value

        def outcome(cell: str) -> str:
            value = clean(cell)
            return outcomes.get(value.lower(), value.lower()) if value else mapping.default_outcome

        self.text = clean
        self.number = _Distinct(clean)
        self.type_code = _Distinct(lambda cell: str(types.get(clean(cell), clean(cell))))
        self.vip = _Distinct(lambda cell: clean(cell).lower() in vip)
        self.customer = _Distinct(lambda cell: clean(cell)[:64])
        self.window = _Distinct(lambda cell: clean(cell)[:16])
        self.teller = _Distinct(clean)
        self.outcome = _Distinct(outcome)
        self.service_on = _Distinct(self._day)
        self.time_of_day = _Distinct(self._seconds)
        self.window_codes = _Codes("")
        self.type_codes = _Codes()
        self.teller_codes = _Codes("")
        self.outcome_codes = {str(code): i for i, code in enumerate(OUTCOME_CODES)}

    def _day(self, cell: str) -> int:
        value = self.text(cell)
        if value == "":
            if self.file_date is None:
                raise _NotClean
            return self.file_date.toordinal()
        try:
            return _parse_date(value, self.mapping.date_format).toordinal()
        except ValueError as exc:
            raise _NotClean from exc

    def _seconds(self, cell: str) -> int:
        value = self.text(cell)
        if value == "":
            return -1
        try:
            moment = _parse_time(value)
        except ValueError as exc:
            raise _NotClean from exc
        if moment.microsecond or moment.tzinfo is not None:
            raise _NotClean
        return moment.hour * 3600 + moment.minute * 60 + moment.second

    def locate(self, header: list[str]) -> dict[str, int | None]:
        """Where each field is; ``_NotClean`` for a missing required column or a field read
        from several columns."""
        issues = _Issues(None)
        columns = _Columns(self.mapping, header, issues)
        if issues.items:
            raise _NotClean
        for name in (
            "service_on", "ticket_number", "business_type", "is_vip", "customer_ref",
            "issued_at", "called_at", "started_at", "ended_at", "window", "teller", "outcome",
        ):  # fmt: skip
            parts = columns.where.get(name, [])
            if len(parts) > 1 or any(len(found) > 1 for found in parts):
                raise _NotClean
            self.where[name] = parts[0][0] if parts and parts[0] else None
        return self.where

    def _column(self, rows: list[list[str]], name: str) -> list[str]:
        index = self.where[name]
        if index is None:
            return [""] * len(rows)
        return [row[index] for row in rows]

    def columns(self, rows: list[list[str]]) -> dict[str, Any]:
        """One chunk's columns, checked."""
        need = max((i for i in self.where.values() if i is not None), default=0) + 1
        if min(map(len, rows)) < need:
            rows = [row for row in rows if len(row) >= need or any(c.strip() for c in row)]
            if rows and min(map(len, rows)) < need:
                raise _NotClean
        numbers = self.number(self._column(rows, "ticket_number"))
        if "" in numbers:
            rows = [
                row
                for row, number in zip(rows, numbers, strict=True)
                if number or any(c.strip() for c in row)
            ]
            numbers = self.number(self._column(rows, "ticket_number"))
            if "" in numbers:
                raise _NotClean
        if not rows:
            return {"rows": 0}
        day = np.array(self.service_on(self._column(rows, "service_on")), dtype=np.int64)
        part: dict[str, Any] = {
            "rows": len(rows),
            "day": day,
            "number": numbers,
            "type": self.type_codes(self.type_code(self._column(rows, "business_type"))),
            "is_vip": np.array(self.vip(self._column(rows, "is_vip")), dtype=bool),
            "customer_ref": self.customer(self._column(rows, "customer_ref")),
            "window": self.window_codes(self.window(self._column(rows, "window"))),
            "teller": self.teller_codes(self.teller(self._column(rows, "teller"))),
        }
        outcomes = self.outcome(self._column(rows, "outcome"))
        try:
            part["outcome"] = np.array([self.outcome_codes[o] for o in outcomes], dtype=np.int64)
        except KeyError as exc:
            raise _NotClean from exc
        part.update(self._times(rows, day))
        return part

    def _times(self, rows: list[list[str]], day: np.ndarray) -> dict[str, Any]:
        """Wall-clock epoch seconds of the four times, and where each is given."""
        mapping = self.mapping
        skew = mapping.clock_skew_seconds
        local: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        previous: np.ndarray | None = None
        for name in _TIME_FIELDS:
            cells = self._column(rows, name)
            if mapping.times_have_dates:
                values, given = self._moments(cells)
            else:
                seconds = np.array(self.time_of_day(cells), dtype=np.int64)
                given = seconds >= 0
                values = (day - _UNIX_DAY) * _DAY_SECONDS + seconds
                if mapping.times_roll_over_midnight and previous is not None:
                    later = given & (previous > np.iinfo(np.int64).min) & (values < previous - skew)
                    values = np.where(later, values + _DAY_SECONDS, values)
                previous = np.where(given, values, np.iinfo(np.int64).min if previous is None
                                    else previous)  # fmt: skip
            local[name], present[name] = values, given
        issued, called = local["issued_at"], local["called_at"]
        started, ended = local["started_at"], local["ended_at"]
        has_called, has_started = present["called_at"], present["started_at"]
        if not present["issued_at"].all():
            raise _NotClean
        bad = has_called & (called < issued - skew)
        before_start = np.where(has_called, called, issued)
        bad |= has_started & (started < before_start - skew)
        before_end = np.where(has_started, started, before_start)
        bad |= present["ended_at"] & (ended < before_end - skew)
        if bad.any():
            raise _NotClean
        return {"local": local, "present": present}

    def _moments(self, cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cells holding "YYYY-MM-DD HH:MM:SS" (or "T" between) as wall-clock epoch seconds."""
        text = np.strings.strip(np.array(cells, dtype=str))
        given = text != ""
        if self.empty:
            given &= ~np.isin(np.strings.lower(text), list(self.empty))
        values = np.zeros(len(cells), dtype=np.int64)
        written = text[given]
        if written.size:
            if not (np.strings.str_len(written) == 19).all():
                raise _NotClean
            try:
                parsed = written.astype("datetime64[s]")
            except ValueError as exc:
                raise _NotClean from exc
            if np.isnat(parsed).any() or (parsed < np.datetime64("0001-01-01T00:00:00")).any():
                raise _NotClean
            again = np.datetime_as_string(parsed, unit="s")
            if not (again == np.strings.replace(written, " ", "T")).all():
                raise _NotClean
            values[given] = parsed.astype(np.int64)
        return values, given

    def finish(self, outlet: OrgUnit, parts: list[dict[str, Any]]) -> _CleanFile:
        """The checked file: duplicates, business types and tellers looked up, times made
        aware."""
        parts = [p for p in parts if p["rows"]]
        if not parts:
            raise _NotClean
        rows = sum(p["rows"] for p in parts)
        day = np.concatenate([p["day"] for p in parts])
        number = [n for p in parts for n in p["number"]]
        if len(set(zip(day.tolist(), number, strict=True))) != rows:
            raise _NotClean
        codes = self.type_codes.labels()
        if "" in codes:
            raise _NotClean
        found = dict(BusinessType.objects.filter(code__in=codes).values_list("code", "pk"))
        if any(code not in found for code in codes):
            raise _NotClean
        type_ids = np.array([found[code] for code in codes], dtype=np.int64)
        staff = self.teller_codes.labels()
        tellers = dict(
            Employee.objects.filter(staff_number__in=staff[1:]).values_list("staff_number", "pk")
        )
        if any(number not in tellers for number in staff[1:]):
            raise _NotClean
        teller_ids = np.array([-1] + [tellers[n] for n in staff[1:]], dtype=np.int64)
        zone = (
            timezone.get_current_timezone()
            if self.mapping.times_have_dates
            else timezone.get_default_timezone()
        )
        present = {n: np.concatenate([p["present"][n] for p in parts]) for n in _TIME_FIELDS}
        utc = {
            n: _utc_seconds(np.concatenate([p["local"][n] for p in parts]), present[n], zone)
            for n in _TIME_FIELDS
        }
        return _CleanFile(
            outlet_id=outlet.pk,
            rows=rows,
            day=day,
            number=number,
            type_id=type_ids[np.concatenate([p["type"] for p in parts])],
            is_vip=np.concatenate([p["is_vip"] for p in parts]),
            customer_ref=[c for p in parts for c in p["customer_ref"]],
            present=present,
            utc=utc,
            window=np.concatenate([p["window"] for p in parts]),
            window_labels=self.window_codes.labels(),
            teller_id=teller_ids[np.concatenate([p["teller"] for p in parts])],
            outcome=np.concatenate([p["outcome"] for p in parts]),
        )


def _apply_clean(clean: _CleanFile, *, dry_run: bool, progress: Progress | None) -> _Planned | None:
    """Write a clean file's tickets and rollups, unless one of its days already holds tickets
    (None: the row-by-row path compares them)."""
    with transaction.atomic():
        _lock_tickets(clean.outlet_id)
        if _has_stored_outlet_days(clean):
            return None
        planned = _Planned(clean=clean)
        if dry_run:
            return planned

        def report(done: int) -> None:
            if progress is not None:
                progress(_("inserted"), done, clean.rows)

        if connection.vendor == "postgresql":
            copy_binary_blocks(QueueTicket, _INSERT_FIELDS, clean.copy_blocks(), progress=report)
        else:
            insert_rows(
                QueueTicket, _INSERT_FIELDS, clean.insert_rows(), progress=report,
                prepared=True,
            )  # fmt: skip
        _rollups_write(clean.outlet_id, planned, progress=progress)
    return planned


# Advisory lock keys of PostgreSQL: (this namespace, outlet id).
_TICKETS_LOCK = 0x7469636B  # "tick"


def _lock_tickets(outlet_id: int) -> None:
    """Hold, until the transaction ends, the right to write the outlet's tickets: an import
    or a push compares its tickets with the stored ones of their days, and two at once
    would both find a day empty. SQLite lets one transaction write at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_TICKETS_LOCK, outlet_id])


def _has_stored_outlet_days(clean: _CleanFile) -> bool:
    days = clean.days()
    return any(
        QueueTicket.objects.filter(outlet_id=clean.outlet_id, service_on__in=days[i : i + 500])
        .order_by()
        .exists()
        for i in range(0, len(days), 500)
    )


# Checking and writing ----------------------------------------------------------------------


def _check_outlet(actor: Any, outlet: OrgUnit) -> None:
    if outlet.kind != OrgUnitKind.OUTLET:
        raise DomainError(
            _("%(unit)s is not an outlet: tickets belong to outlets.") % {"unit": outlet.code},
            code="not_an_outlet",
        )
    if actor is None:
        return
    if not may_load_tickets(actor, outlet):
        raise DomainError(
            _("You may not import tickets for outlet %(unit)s.") % {"unit": outlet.code},
            code="out_of_scope",
        )


@dataclass
class _Planned:
    creates: list[tuple] = field(default_factory=list)  # new tickets, ``_INSERT_FIELDS`` order
    updates: list[QueueTicket] = field(default_factory=list)
    unchanged: int = 0
    stored_days: set[date] = field(default_factory=set)  # days that already held tickets
    clean: _CleanFile | None = None  # the new tickets as columns (the column-wise path)

    @property
    def created(self) -> int:
        return len(self.clean) if self.clean is not None else len(self.creates)


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
    planned.stored_days = {service_on for service_on, _number in stored}
    outlet_id = batch.outlet.pk
    for draft, service_on, values in valid:
        existing = stored.get((service_on, draft.ticket_number))
        if existing is None:
            planned.creates.append((outlet_id, service_on, draft.ticket_number, *values.values()))
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
    tickets: Sequence[QueueTicket | tuple],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> str:
    """Insert new tickets by the fastest path the database offers; returns the path taken.

    ``tickets`` are unsaved ``QueueTicket`` instances or tuples in ``_INSERT_FIELDS`` order.
    PostgreSQL: one ``COPY ... FROM STDIN`` (psycopg 3). Elsewhere: batched ``executemany``.
    """
    total = len(tickets)

    def report(done: int) -> None:
        if progress is not None:
            progress(_("inserted"), done, total)

    return insert_rows(
        QueueTicket,
        _INSERT_FIELDS,
        (
            t if isinstance(t, tuple) else tuple(getattr(t, name) for name in _INSERT_FIELDS)
            for t in tickets
        ),
        batch_size=batch_size,
        progress=report,
    )


def _apply(batch: _Batch, issues: _Issues, *, dry_run: bool, progress: Progress | None) -> Any:
    if issues.items:
        return _result(issues, None, applied=False)
    with transaction.atomic():
        _lock_tickets(batch.outlet.pk)
        planned = _plan(batch, issues)
        if issues.items or dry_run:
            return _result(issues, planned, applied=False)
        tickets_insert(planned.creates, progress=progress)
        if planned.updates:
            QueueTicket.objects.bulk_update(planned.updates, list(_VALUE_FIELDS), batch_size=1000)
        _rollups_write(batch.outlet.pk, planned, progress=progress)
    return _result(issues, planned, applied=True)


def _rollups_write(outlet_id: int, planned: _Planned, *, progress: Progress | None) -> None:
    """Rollups of every day the import touched, and the monthly tables of their months, in
    the import's transaction.

    A day that held no tickets before is summed from the new tickets in memory; a day with
    stored tickets (some added to, some updated) is rebuilt from all of its tickets.
    """
    updated = {t.service_on for t in planned.updates}
    if planned.clean is not None:
        created = set(planned.clean.days())
    else:
        created = {row[1] for row in planned.creates}
    touched = created | updated
    if not touched:
        return
    reread = updated | (created & planned.stored_days)
    fresh = created - reread
    if reread:
        rollups_rebuild(days={(outlet_id, day) for day in reread}, with_monthly=False)
    if fresh:
        day_rollups_delete(outlet_id=outlet_id, days=fresh)
        if planned.clean is not None:
            day_rollups_insert(planned.clean.rollup_rows())
        else:
            rows = [
                (row[0], row[1], *row[6:10], row[3], row[11], row[4], row[12], row[10])
                for row in planned.creates
                if row[1] in fresh
            ]
            day_rollups_insert(day_rollup_rows(ticket_columns_of_rows(rows)))
    monthly_rebuild(months={(outlet_id, day) for day in touched})
    if progress is not None:
        progress(_("rollups rebuilt"), len(touched), len(touched))


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
            created=planned.created, updated=len(planned.updates), unchanged=planned.unchanged
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
        clean: _CleanFile | None = _read_clean(outlet, data, filename, mapping, file_date, progress)
    except _NotClean:
        clean = None
    if clean is not None:
        planned = _apply_clean(clean, dry_run=dry_run, progress=progress)
        if planned is not None:
            return _result(_Issues(None), planned, applied=not dry_run), clean.rows
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


OUT_OF_SCOPE = "out_of_scope"
NOT_AT_OUTLET = "not_at_outlet"
FUTURE = "future"


def teller_error_refusals(
    actor: Any, outlet: OrgUnit, teller: Employee, occurred_on: date
) -> list[str]:
    """The rules a teller error breaks, in this order: ``OUT_OF_SCOPE`` (the actor does not
    manage the outlet), ``NOT_AT_OUTLET`` (the teller works elsewhere), ``FUTURE``. The form
    and the import record errors by the same rules."""
    refusals = []
    held = role_at(actor, outlet.path) if actor is not None else Role.ADMINISTRATOR
    if held is None or held < Role.MANAGER:
        refusals.append(OUT_OF_SCOPE)
    if not teller.unit.path.startswith(outlet.path):
        refusals.append(NOT_AT_OUTLET)
    if occurred_on > timezone.localdate():
        refusals.append(FUTURE)
    return refusals


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
    refusal = next(iter(teller_error_refusals(actor, outlet, teller, occurred_on)), None)
    if refusal == OUT_OF_SCOPE:
        raise DomainError(
            _("You may not record errors for outlet %(unit)s.") % {"unit": outlet.code},
            code=refusal,
        )
    if refusal == NOT_AT_OUTLET:
        raise DomainError(
            _("%(teller)s does not work at %(unit)s.") % {"teller": teller, "unit": outlet.code},
            code=refusal,
        )
    if refusal == FUTURE:
        raise DomainError(_("An error cannot be recorded for a future date."), code=refusal)
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
            teller_id=row.teller.pk,
            staff_number=row.teller.staff_number,
            teller_name=row.teller.name,
            outlet_id=row.outlet.pk,
            outlet_code=row.outlet.code,
            outlet_name=row.outlet.name,
            outlet_name_en=row.outlet.name_en,
            outlet_name_es=row.outlet.name_es,
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
