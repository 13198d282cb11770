"""Writes of the counters app: importing queue tickets (files and pushes), teller errors,
published league tables, VIP window candidates' scores.

Every import validates every row first and writes all of them or none; a ticket is known by
(outlet, date, ticket number), so importing the same file again writes nothing, and a row
that changed (a ticket called since the last push) updates its ticket. Rollups of every
(outlet, day) an import touched are rebuilt in the same transaction.
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, cast

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
    QueueDayRollup,
    QueueTicket,
    TellerError,
    TicketImport,
    TicketMapping,
    VipCandidateScore,
)
from ventanilla.counters.monthly import month_of, unique
from ventanilla.counters.permissions import may_load_tickets
from ventanilla.counters.rollups import (
    DAY_FIELDS,
    OUTCOME_CODES,
    MonthlyRows,
    TicketColumns,
    cells_of,
    concat_cells,
    day_rollup_rows,
    day_rollups_delete,
    day_rollups_insert,
    day_texts,
    month_cells_read,
    monthly_rebuild,
    monthly_store,
    monthly_sums,
    rollups_rebuild,
    ticket_columns_of_rows,
)
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
else:

    class _OnFirstUse:
        """A module imported when first used: pyarrow reads ticket files only, and every
        process (each web worker) would otherwise load it at start."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attribute: str) -> Any:
            return getattr(importlib.import_module(self._name), attribute)

    pa = _OnFirstUse("pyarrow")
    pc = _OnFirstUse("pyarrow.compute")
    pa_csv = _OnFirstUse("pyarrow.csv")

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
_BLOCK_BYTES = 1 << 23  # the bytes pyarrow parses at a time: some 70,000 rows of a queue machine
# The characters ``str.strip()`` removes: cells are cut as the row-by-row path cuts them.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BOM = b"\xef\xbb\xbf"
_STAMP_LAYOUT = b"0000-00-00 00:00:00"  # "0": a digit; " ": a space or "T"
_TIME_LAYOUT = b"00:00:00"
_YEAR_ONE = (datetime(1, 1, 1) - _WALL_EPOCH) // timedelta(seconds=1)  # noqa: DTZ001
_UNSEEN = object()  # a cell not converted yet


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
        return [date.fromordinal(d) for d in unique(self.day).tolist()]

    def take(self, rows: np.ndarray) -> _CleanFile:
        """The tickets where ``rows`` (a mask) is true."""
        where = np.flatnonzero(rows)
        return _CleanFile(
            outlet_id=self.outlet_id,
            rows=int(where.size),
            day=self.day[where],
            number=[self.number[i] for i in where.tolist()],
            type_id=self.type_id[where],
            is_vip=self.is_vip[where],
            customer_ref=[self.customer_ref[i] for i in where.tolist()],
            present={n: self.present[n][where] for n in _TIME_FIELDS},
            utc={n: self.utc[n][where] for n in _TIME_FIELDS},
            window=self.window[where],
            window_labels=self.window_labels,
            teller_id=self.teller_id[where],
            outcome=self.outcome[where],
        )

    @classmethod
    def joined(cls, pieces: Sequence[_CleanFile]) -> _CleanFile:
        """The pieces of one file, read by one ``_CleanReader``, as one: their window codes
        index the labels of the last."""
        if len(pieces) == 1:
            return pieces[0]

        def stacked(name: str) -> np.ndarray:
            return np.concatenate([getattr(piece, name) for piece in pieces])

        return cls(
            outlet_id=pieces[0].outlet_id,
            rows=sum(piece.rows for piece in pieces),
            day=stacked("day"),
            number=[number for piece in pieces for number in piece.number],
            type_id=stacked("type_id"),
            is_vip=stacked("is_vip"),
            customer_ref=[ref for piece in pieces for ref in piece.customer_ref],
            present={n: np.concatenate([p.present[n] for p in pieces]) for n in _TIME_FIELDS},
            utc={n: np.concatenate([p.utc[n] for p in pieces]) for n in _TIME_FIELDS},
            window=stacked("window"),
            window_labels=pieces[-1].window_labels,
            teller_id=stacked("teller_id"),
            outcome=stacked("outcome"),
        )

    def insert_rows(self, *, chunk_rows: int = 50_000) -> Iterator[tuple]:
        """The tickets in ``_INSERT_FIELDS`` order, values ready for SQLite (dates and UTC
        times as text). PostgreSQL takes ``copy_blocks``."""
        outcomes = [str(code) for code in OUTCOME_CODES]
        for start in range(0, self.rows, chunk_rows):
            part = slice(start, start + chunk_rows)
            days = day_texts(self.day[part])
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
        # A change of offset (twice a year at most, and never undone within a day) makes
        # the offsets at the day's start, noon and end differ.
        seen = {cast(timedelta, moment(day, hour).utcoffset()) for hour in (0, 12, 24)}
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


def _utc_seconds(
    local: dict[str, np.ndarray], present: dict[str, np.ndarray], zone: tzinfo
) -> dict[str, np.ndarray]:
    """Epoch seconds of the wall-clock times ``local`` (columns by name) made aware in ``zone``
    (as ``make_aware``: the earlier of a repeated hour, a skipped hour read with the offset
    before the change). Each day's offset is found once for every column."""
    midnights: dict[int, datetime] = {}
    hours = [timedelta(hours=hour) for hour in range(25)]

    def moment(day: int, hour: int) -> datetime:
        # Adding to an aware time counts on the wall clock: each day's midnight made once.
        midnight = midnights.get(day)
        if midnight is None:
            midnight = midnights[day] = (_WALL_EPOCH + timedelta(days=day)).replace(tzinfo=zone)
        return midnight + hours[hour]

    days = {name: values // _DAY_SECONDS for name, values in local.items()}
    given = [days[name][present[name]] for name in local if present[name].any()]
    if not given:
        return {name: values.copy() for name, values in local.items()}
    # Days of dates from year 1 to 9999: a table by day is small.
    first = min(int(d.min()) for d in given)
    span = max(int(d.max()) for d in given) - first + 1
    seen = np.zeros(span, dtype=bool)
    for d in given:
        seen[d - first] = True
    distinct = np.flatnonzero(seen) + first
    table = np.zeros(span, dtype=np.int64)
    table[distinct - first] = _offsets(distinct, moment)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    out = {}
    for name, values in local.items():
        found = table[np.clip(days[name] - first, 0, span - 1)]
        regular = present[name] & (found != _CHANGING)
        seconds = np.where(regular, values - found, values)
        for i in np.flatnonzero(present[name] & ~regular).tolist():
            aware = (_WALL_EPOCH + timedelta(seconds=int(values[i]))).replace(tzinfo=zone)
            seconds[i] = (aware - epoch) // timedelta(seconds=1)
        out[name] = seconds
    return out


class _Distinct:
    """A column's distinct cells, each converted once in Python (kept from block to block):
    columns such as business type, teller or outcome hold few distinct cells."""

    def __init__(self, convert: Callable[[str], Any]) -> None:
        self.convert = convert
        self.values: dict[str, Any] = {}

    def __call__(self, cells: pa.Array | None, rows: int) -> tuple[list[Any], np.ndarray]:
        """The converted distinct cells, and for each row the index of its own. A missing
        column (None) reads as empty cells."""
        if cells is None:
            return [self.convert("")], np.zeros(rows, dtype=np.int64)
        encoded = cells.dictionary_encode()
        values = self.values
        converted = []
        for cell in encoded.dictionary.to_pylist():
            value = values.get(cell, _UNSEEN)
            if value is _UNSEEN:
                value = values[cell] = self.convert(cell)
            converted.append(value)
        return converted, encoded.indices.to_numpy()

    def array(self, cells: pa.Array | None, rows: int, dtype: Any) -> np.ndarray:
        converted, index = self(cells, rows)
        return np.array(converted, dtype=dtype)[index]


class _Codes:
    """Distinct values numbered in order of first appearance."""

    def __init__(self, *first: Any) -> None:
        self.index: dict[Any, int] = {value: i for i, value in enumerate(first)}

    def __call__(self, values: list[Any]) -> np.ndarray:
        """The code of each value (distinct values, as ``_Distinct`` gives them)."""
        index = self.index
        return np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)

    def labels(self) -> list[Any]:
        return list(self.index)


def _is_utf8(data: pa.Buffer) -> bool:
    """Whether ``data`` is UTF-8, checked by pyarrow on the bytes as they are."""
    offsets = pa.py_buffer(np.array([0, data.size], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, data])
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _header(data: bytes, delimiter: str) -> tuple[list[str], int, int]:
    """The header (the first row with a non-blank cell, cells stripped) read as the
    row-by-row path reads it, where the rows after it start (in bytes), and how many cells the
    first of them holds (0: there is none)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    consumed = len(_BOM) if data.startswith(_BOM) else 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in stream:
            consumed += len(line.encode())
            yield line

    header: list[str] | None = None
    start = 0
    try:
        for cells in csv.reader(lines(), delimiter=delimiter):
            if header is not None:
                if cells:  # an empty line reads as no cell, and pyarrow skips it too
                    return header, start, len(cells)
            elif any(c.strip() for c in cells):
                header, start = [c.strip() for c in cells], consumed
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _NotClean from exc
    if header is None:
        raise _NotClean
    return header, start, 0


def _laid_out(
    cells: pa.Array, layout: bytes, markers: pa.Array | None
) -> tuple[np.ndarray, pa.Array]:
    """The rows whose cell has the length of ``layout`` and its separators where it has them
    (any character where it has "0", a space or a "T" for a space) and is no empty-value
    marker, and their cells."""
    size = len(layout)
    fits = pc.equal(pc.binary_length(cells), size).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(fits)
    picked = cells if rows.size == len(cells) else cells.filter(pa.array(fits))
    if rows.size == 0:
        return rows, picked
    # Cells of one length lie end to end: their bytes are a matrix, read in place.
    start = np.frombuffer(picked.buffers()[1], dtype=np.int32)[picked.offset]
    text = np.frombuffer(picked.buffers()[2], dtype=np.uint8, count=size * rows.size, offset=start)
    matrix = text.reshape(rows.size, size)
    ok = np.ones(rows.size, dtype=bool)
    for position, expected in enumerate(layout):
        if expected == ord(" "):
            ok &= (matrix[:, position] == ord(" ")) | (matrix[:, position] == ord("T"))
        elif expected != ord("0"):
            ok &= matrix[:, position] == expected
    if markers is not None:
        ok &= ~pc.is_in(pc.ascii_lower(picked), value_set=markers).to_numpy(zero_copy_only=False)
    if ok.all():
        return rows, picked
    return rows[ok], picked.filter(pa.array(ok))


def _instants(cells: pa.Array) -> np.ndarray | None:
    """Epoch seconds of cells "YYYY-MM-DD HH:MM:SS" (or "T" between) read by pyarrow, or None
    when one is no such date and time, or before year 1."""
    try:
        seconds = pc.cast(cells, pa.timestamp("s")).view(pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return None
    if seconds.size and seconds.min() < _YEAR_ONE:
        return None
    return cast(np.ndarray, seconds)


def _longest(cells: pa.Array, limit: int) -> int:
    """The characters of the longest cell, counted only when its bytes pass ``limit``."""
    longest = pc.max(pc.binary_length(cells)).as_py() or 0
    if longest <= limit:
        return int(longest)
    return int(pc.max(pc.utf8_length(cells)).as_py() or 0)


@dataclass
class _Text:
    """A CSV or tab-separated file about to be read column by column."""

    data: bytes
    whole: pa.Buffer
    delimiter: str
    header: list[str]
    start: int  # where the rows after the header start, in bytes
    width: int  # the cells of the first of them
    quoted: bool  # a cell may hold a line break: the file is parsed in one piece

    def rows_foretold(self) -> int:
        """The rows, foretold from the first megabyte: counting every line takes longer than
        reading a block."""
        sample = self.data[: 1 << 20]
        return max(1, len(self.data) * sample.count(b"\n") // max(1, len(sample)))

    def pieces(self, first: int, most: int) -> list[tuple[int, int]]:
        """The rows' bytes as (start, end) ranges cut after a line break: ``first`` bytes, then
        each half as large again as the one before up to ``most``, the last up to three times
        the size it follows; one range if a cell may hold a line break."""
        data, end = self.data, len(self.data)
        cuts = [self.start]
        step = first
        while not self.quoted and end - cuts[-1] > step + 2 * min(step * 3 // 2, most):
            at = data.find(b"\n", cuts[-1] + step)
            if at < 0:
                break
            cuts.append(at + 1)
            step = min(step * 3 // 2, most)
        cuts.append(end)
        return list(itertools.pairwise(cuts))


def _text(data: bytes, filename: str) -> _Text:
    """The file as ``_Text``; ``_NotClean`` unless it is UTF-8 text (GBK from a Chinese Excel
    goes to the row-by-row path) with a header."""
    extension = file_extension(filename)
    if extension not in {"csv", "txt", "tsv"} or data.startswith(b"PK\x03\x04"):
        raise _NotClean
    whole = pa.py_buffer(data)
    if not _is_utf8(whole.slice(len(_BOM)) if data.startswith(_BOM) else whole):
        raise _NotClean
    delimiter = "," if extension == "csv" else "\t"
    header, start, width = _header(data, delimiter)
    if width == 0:
        raise _NotClean
    # Without a quote no cell holds a line break, and pyarrow splits the file faster.
    return _Text(data, whole, delimiter, header, start, width, quoted=b'"' in data)


def _read_clean(
    outlet: OrgUnit,
    data: bytes,
    filename: str,
    mapping: TicketMapping,
    file_date: date | None,
    progress: Progress | None,
) -> _CleanFile:
    """The rows of a CSV or tab-separated file read column by column (by pyarrow, a block at a
    time), every check of ``_plan`` made on whole columns. Raises ``_NotClean`` at anything the
    row-by-row path must judge (and report): then that path reads the file again."""
    text = _text(data, filename)
    reading = _CleanReader(mapping, file_date, text, progress)
    piece = reading.finish(outlet, reading.parse(text.start, len(data)))
    if piece is None:
        raise _NotClean
    return piece


def _type_pks(codes: list[str]) -> dict[str, int]:
    return dict(BusinessType.objects.filter(code__in=codes).values_list("code", "pk"))


def _teller_pks(numbers: list[str]) -> dict[str, int]:
    return dict(Employee.objects.filter(staff_number__in=numbers).values_list("staff_number", "pk"))


def _duplicated(day: np.ndarray, numbers: pa.Array | pa.ChunkedArray) -> bool:
    """Whether two rows hold one day and ticket number."""
    distinct = pc.unique(numbers)
    codes = pc.index_in(numbers, value_set=distinct).to_numpy().astype(np.int64)
    keys = np.sort((day - day.min()) * len(distinct) + codes)
    return bool((keys[1:] == keys[:-1]).any())


class _Ragged(_NotClean):
    """A row of another length than the first, met while parsing on several threads."""


class _CleanReader:
    """Reads a text file's rows, a piece of the file at a time, into checked columns. Each
    conversion is made once per distinct cell, or on whole columns; the pieces of one file
    share the codes of its windows, business types and tellers."""

    def __init__(
        self,
        mapping: TicketMapping,
        file_date: date | None,
        text: _Text,
        progress: Progress | None,
    ) -> None:
        # Parsed on every core first; a row of another length than the first needs its line
        # number, which only a parse on one thread gives: then the piece is parsed again so.
        self.threads = True
        self.ragged = False
        self.mapping = mapping
        self.file_date = file_date
        self.text = text
        self.delimiter = text.delimiter
        self.progress = progress
        self.total = text.rows_foretold() if progress is not None else 0
        self.done = 0
        self.where: dict[str, int | None] = {}
        self.need = 1  # the cells a row must hold to hold every field
        # Rows of another length than the first (by their number among the piece's rows,
        # from 1): their cells, or None for a blank one, which is skipped.
        self.odd: list[tuple[int, list[str] | None]] = []
        empty = {v.strip().lower() for v in mapping.empty_values.split(",") if v.strip()}
        vip = {v.strip().lower() for v in mapping.vip_values.split(",") if v.strip()}
        outcomes = {str(k).strip().lower(): str(v) for k, v in mapping.outcome_synonyms.items()}
        types = mapping.business_type_synonyms
        self.empty = empty
        self.markers = pa.array(sorted(empty), type=pa.string()) if empty else None
        self.longest_marker = max(map(len, empty), default=0)

        def clean(cell: str) -> str:
            value = cell.strip()
            return "" if value.lower() in empty else value

        def outcome(cell: str) -> str:
            value = clean(cell)
            return outcomes.get(value.lower(), value.lower()) if value else mapping.default_outcome

        self.clean = clean
        self.type_code = _Distinct(lambda cell: str(types.get(clean(cell), clean(cell))))
        self.vip = _Distinct(lambda cell: clean(cell).lower() in vip)
        self.window = _Distinct(lambda cell: clean(cell)[:16])
        self.teller = _Distinct(clean)
        self.outcome = _Distinct(outcome)
        self.service_on = _Distinct(self._day)
        self.time_of_day = _Distinct(self._seconds)
        self.window_codes = _Codes("")
        self.type_codes = _Codes()
        self.teller_codes = _Codes("")
        self.outcome_codes = {str(code): i for i, code in enumerate(OUTCOME_CODES)}
        # Business types by code and tellers by staff number, as looked up so far.
        self.type_pks: dict[str, int] = {}
        self.teller_pks: dict[str, int] = {}
        self.locate(text.header)

    def _day(self, cell: str) -> int:
        value = self.clean(cell)
        if value == "":
            if self.file_date is None:
                raise _NotClean
            return self.file_date.toordinal()
        try:
            return _parse_date(value, self.mapping.date_format).toordinal()
        except ValueError as exc:
            raise _NotClean from exc

    def _seconds(self, cell: str) -> int:
        value = self.clean(cell)
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
        self.need = max((i for i in self.where.values() if i is not None), default=0) + 1
        return self.where

    def parse(self, first: int, end: int) -> list[dict[str, Any]]:
        """The checked columns of the rows in bytes ``first`` to ``end`` of the file, a block
        at a time (``columns``), not yet joined (``finish``): no database access."""
        text = self.text
        piece = text.whole.slice(first, end - first)
        done = self.done
        # Each piece on every core first: a row of another length in one piece does not slow
        # the pieces after it.
        self.threads = True
        while True:
            self.odd = []
            self.done = done
            parts = []
            try:
                for batch in self.batches(piece, text.width, quoted=text.quoted):
                    parts.append(self.columns(batch))
                    self.done += batch.num_rows
                    if self.progress is not None:
                        self.progress(_("read"), self.done, max(self.total, self.done))
            except _Ragged:
                self.threads = False
                self.ragged = False
                continue
            if self.progress is not None and end == len(text.data):
                self.progress(_("read"), self.done, self.done)
            return parts

    def batches(self, data: pa.Buffer, width: int, *, quoted: bool) -> Iterator[pa.RecordBatch]:
        """The rows after the header, a block at a time, every cell as text; quoting as the
        csv module reads it, empty lines skipped."""
        names = [str(i) for i in range(width)]
        try:
            reader = pa_csv.open_csv(
                pa.BufferReader(data),
                read_options=pa_csv.ReadOptions(
                    column_names=names, block_size=_BLOCK_BYTES, use_threads=self.threads
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=self.delimiter,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=quoted,
                    ignore_empty_lines=True,
                    invalid_row_handler=self._odd_row,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=False,  # the whole file is checked first
                ),
            )
            limit = csv.field_size_limit()
            for batch in reader:
                # The csv module refuses longer cells: the row-by-row path reports them.
                if any(_longest(c, limit) > limit for c in batch.columns):
                    raise _NotClean
                yield batch
        except pa.ArrowInvalid as exc:
            raise (_Ragged if self.ragged else _NotClean) from exc

    def _odd_row(self, row: Any) -> str:
        """A row whose cell count is not the first row's (pyarrow's hook): a blank one is
        skipped, one that holds every field is kept aside; any other makes the file unclean.
        Parsing on several threads, any such row stops the parse (``_Ragged``)."""
        if self.threads:
            self.ragged = True
            return "error"
        try:
            cells = next(csv.reader(io.StringIO(row.text, newline=""), delimiter=self.delimiter))
        except (csv.Error, StopIteration):
            return "error"
        if row.number is None:
            return "error"
        if not any(c.strip() for c in cells):
            self.odd.append((row.number, None))
            return "skip"
        number = self.where["ticket_number"]
        if len(cells) < self.need or number is None or self.clean(cells[number]) == "":
            return "error"
        self.odd.append((row.number, cells))
        return "skip"

    def _cells(self, batch: pa.RecordBatch, name: str) -> pa.Array | None:
        index = self.where[name]
        return None if index is None else batch.column(index)

    def _cleaned(self, distinct: pa.Array) -> pa.Array:
        """Distinct cells stripped as ``str.strip`` does, empty-value markers made empty."""
        stripped = pc.utf8_trim(distinct, characters=_WHITESPACE)
        if self.markers is None:
            return stripped
        # A lower-cased text is never shorter: longer cells are no marker.
        short = pc.less_equal(pc.utf8_length(stripped), self.longest_marker).to_numpy(
            zero_copy_only=False
        )
        marked = np.zeros(len(stripped), dtype=bool)
        ascii_ = pc.string_is_ascii(stripped).to_numpy(zero_copy_only=False)
        # ``ascii_lower`` is ``str.lower`` on ASCII text; any other is lowered in Python.
        lowered = pc.is_in(pc.ascii_lower(stripped), value_set=self.markers)
        marked[short & ascii_] = lowered.to_numpy(zero_copy_only=False)[short & ascii_]
        others = np.flatnonzero(short & ~ascii_)
        if others.size:
            texts = stripped.take(pa.array(others)).to_pylist()
            marked[others] = [t.lower() in self.empty for t in texts]
        if not marked.any():
            return stripped
        return pc.if_else(pa.array(marked), "", stripped)

    def _texts(
        self, cells: pa.Array | None, rows: int, cut: int | None = None
    ) -> tuple[pa.Array, np.ndarray]:
        """A text column's distinct values (cleaned, cut to ``cut`` characters) and, for each
        row, the index of its own; a column of many distinct cells is read in pyarrow."""
        if cells is None:
            return pa.array([""]), np.zeros(rows, dtype=np.int64)
        encoded = cells.dictionary_encode()
        values = self._cleaned(encoded.dictionary)
        if cut is not None:
            values = pc.utf8_slice_codeunits(values, 0, cut)
        return values, encoded.indices.to_numpy()

    def _blank(self, columns: list[pa.Array]) -> np.ndarray:
        """Which rows hold no cell but whitespace."""
        blank = np.ones(len(columns[0]) if columns else 0, dtype=bool)
        for cells in columns:
            trimmed = pc.utf8_trim(cells, characters=_WHITESPACE)
            blank &= pc.equal(pc.binary_length(trimmed), 0).to_numpy(zero_copy_only=False)
        return blank

    def columns(self, batch: pa.RecordBatch) -> dict[str, Any]:
        """One block's columns, checked. Blank rows are dropped (``kept`` tells which rows
        stay, None: all)."""
        records = batch.num_rows
        if batch.num_columns < self.need:
            # Every row is too short for the fields: only blank rows are allowed.
            if not self._blank(batch.columns).all():
                raise _NotClean
            return {"rows": 0, "records": records, "kept": np.zeros(records, dtype=bool)}
        values, index = self._texts(self._cells(batch, "ticket_number"), records)
        empty = pc.equal(pc.binary_length(values), 0).to_numpy(zero_copy_only=False)[index]
        kept = None
        if empty.any():
            if not self._blank([c.filter(pa.array(empty)) for c in batch.columns]).all():
                raise _NotClean
            kept = ~empty
            batch = batch.filter(pa.array(kept))
            values, index = self._texts(self._cells(batch, "ticket_number"), batch.num_rows)
        rows = batch.num_rows
        if not rows:
            return {"rows": 0, "records": records, "kept": kept}
        day = self.service_on.array(self._cells(batch, "service_on"), rows, np.int64)
        numbers = values.to_numpy(zero_copy_only=False)
        customers, customer_index = self._texts(self._cells(batch, "customer_ref"), rows, 64)
        types, type_index = self.type_code(self._cells(batch, "business_type"), rows)
        windows, window_index = self.window(self._cells(batch, "window"), rows)
        tellers, teller_index = self.teller(self._cells(batch, "teller"), rows)
        outcomes, outcome_index = self.outcome(self._cells(batch, "outcome"), rows)
        try:
            outcome_codes = np.array([self.outcome_codes[o] for o in outcomes], dtype=np.int64)
        except KeyError as exc:
            raise _NotClean from exc
        part: dict[str, Any] = {
            "rows": rows,
            "records": records,
            "kept": kept,
            "day": day,
            "number": numbers[index].tolist(),
            "number_text": values.take(pa.array(index)),
            "type": self.type_codes(types)[type_index],
            "is_vip": self.vip.array(self._cells(batch, "is_vip"), rows, bool),
            "customer_ref": customers.to_numpy(zero_copy_only=False)[customer_index].tolist(),
            "window": self.window_codes(windows)[window_index],
            "teller": self.teller_codes(tellers)[teller_index],
            "outcome": outcome_codes[outcome_index],
        }
        part.update(self._times(batch, day))
        return part

    def _times(self, batch: pa.RecordBatch, day: np.ndarray) -> dict[str, Any]:
        """Wall-clock epoch seconds of the four times, and where each is given."""
        mapping = self.mapping
        skew = mapping.clock_skew_seconds
        rows = batch.num_rows
        local: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        previous: np.ndarray | None = None
        for name in _TIME_FIELDS:
            cells = self._cells(batch, name)
            if mapping.times_have_dates:
                values, given = self._moments(cells, rows)
            else:
                seconds = self._times_of_day(cells, rows)
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

    def _times_of_day(self, cells: pa.Array | None, rows: int) -> np.ndarray:
        """Seconds since midnight of cells holding a time of day, -1 where none is given."""
        if cells is None:
            return self.time_of_day.array(None, rows, np.int64)
        seconds = np.empty(rows, dtype=np.int64)
        done = np.zeros(rows, dtype=bool)
        # The common HH:MM:SS read by pyarrow on the whole column (when every such cell is a
        # time); any other cell as ``_seconds`` reads it.
        fast, picked = _laid_out(cells, _TIME_LAYOUT, self.markers)
        if fast.size:
            read = _instants(pc.binary_join_element_wise("1970-01-01", picked, " "))
            if read is not None:
                seconds[fast], done[fast] = read, True
        rest = np.flatnonzero(~done)
        if rest.size:
            seconds[rest] = self.time_of_day.array(cells.take(pa.array(rest)), rest.size, np.int64)
        return seconds

    def _moments(self, cells: pa.Array | None, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Cells holding "YYYY-MM-DD HH:MM:SS" (or "T" between) as wall-clock epoch seconds, and
        where a time is given."""
        values = np.zeros(rows, dtype=np.int64)
        given = np.zeros(rows, dtype=bool)
        if cells is None:
            return values, given
        # Read by pyarrow on the whole column (when every such cell is a date and time); any
        # other cell as numpy reads it, once per distinct cell.
        fast, picked = _laid_out(cells, _STAMP_LAYOUT, self.markers)
        if fast.size:
            read = _instants(picked)
            if read is not None:
                values[fast], given[fast] = read, True
        rest = np.flatnonzero(~given)
        if rest.size:
            encoded = cells.take(pa.array(rest)).dictionary_encode()
            distinct, written = self._stamps(encoded.dictionary.to_pylist())
            index = encoded.indices.to_numpy()
            values[rest], given[rest] = distinct[index], written[index]
        return values, given

    def _stamps(self, cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``_moments`` of cells in any other form: blank, an empty-value marker, or not clean."""
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

    def _odd_part(self, width: int) -> dict[str, Any] | None:
        """The rows of other lengths that hold every field, as one more block."""
        kept = [cells for _line, cells in self.odd if cells is not None]
        if not kept:
            return None
        columns = [
            pa.array([cells[i] if i < len(cells) else "" for cells in kept], type=pa.string())
            for i in range(max(width, self.need))
        ]
        part = self.columns(
            pa.RecordBatch.from_arrays(columns, names=[str(i) for i in range(len(columns))])
        )
        if part["rows"] != len(kept):
            raise _NotClean
        return part

    def _order(self, parts: list[dict[str, Any]]) -> np.ndarray:
        """Where each kept row sits in the file, when rows of other lengths were read apart:
        the indexes of the rows of the blocks then of those rows, in the file's order."""
        kept = np.concatenate(
            [np.zeros(0, dtype=bool)]
            + [np.ones(p["records"], dtype=bool) if p["kept"] is None else p["kept"] for p in parts]
        )
        numbers = np.array([line for line, _cells in self.odd], dtype=np.int64)
        odd_kept = np.array([cells is not None for _line, cells in self.odd], dtype=bool)
        records = kept.size + numbers.size
        if numbers.size and (numbers.max() > records or unique(numbers).size != numbers.size):
            raise _NotClean
        is_odd = np.zeros(records, dtype=bool)
        is_odd[numbers - 1] = True
        slot = np.empty(records, dtype=np.int64)
        slot[~is_odd] = np.where(kept, np.cumsum(kept) - 1, -1)
        slot[numbers - 1] = np.where(odd_kept, int(kept.sum()) + np.cumsum(odd_kept) - 1, -1)
        return slot[slot >= 0]

    def pending(self) -> bool:
        """Whether ``finish`` would look a business type or a teller up in the database."""
        return any(code not in self.type_pks for code in self.type_codes.labels()) or any(
            number not in self.teller_pks for number in self.teller_codes.labels()[1:]
        )

    @staticmethod
    def _ids(
        codes: list[str], found: dict[str, int], look_up: Callable[[list[str]], dict[str, int]]
    ) -> np.ndarray:
        """The primary key of each code, those not ``found`` yet looked up; ``_NotClean`` for
        an empty or unknown code."""
        missing = [code for code in codes if code not in found]
        if missing:
            if "" in missing:
                raise _NotClean
            found.update(look_up(missing))
            if any(code not in found for code in missing):
                raise _NotClean
        return np.array([found[code] for code in codes], dtype=np.int64)

    def finish(self, outlet: OrgUnit, parts: list[dict[str, Any]]) -> _CleanFile | None:
        """The checked piece of ``parse``: duplicates, business types and tellers looked up,
        times made aware; None when it holds no row."""
        order = None
        odd = self._odd_part(self.text.width)
        if self.odd:
            order = self._order(parts)
        if odd is not None:
            parts = [*parts, odd]
        parts = [p for p in parts if p["rows"]]
        if not parts:
            return None
        rows = sum(p["rows"] for p in parts)

        def joined(key: str, name: str | None = None) -> np.ndarray:
            values = np.concatenate([p[key] if name is None else p[key][name] for p in parts])
            return values if order is None else values[order]

        def listed(key: str) -> list[str]:
            values = list(itertools.chain.from_iterable(p[key] for p in parts))
            if order is None:
                return values
            return cast(list[str], np.array(values, dtype=object)[order].tolist())

        # Two rows of one day and ticket number: the row-by-row path names them.
        day = np.concatenate([p["day"] for p in parts])
        if _duplicated(day, pa.chunked_array([p["number_text"] for p in parts], pa.string())):
            raise _NotClean
        if order is not None:
            day = day[order]
        type_ids = self._ids(self.type_codes.labels(), self.type_pks, _type_pks)
        staff = self.teller_codes.labels()
        teller_ids = np.array([-1, *self._ids(staff[1:], self.teller_pks, _teller_pks)])
        zone = (
            timezone.get_current_timezone()
            if self.mapping.times_have_dates
            else timezone.get_default_timezone()
        )
        present = {n: joined("present", n) for n in _TIME_FIELDS}
        utc = _utc_seconds({n: joined("local", n) for n in _TIME_FIELDS}, present, zone)
        return _CleanFile(
            outlet_id=outlet.pk,
            rows=rows,
            day=day,
            number=listed("number"),
            type_id=type_ids[joined("type")],
            is_vip=joined("is_vip"),
            customer_ref=listed("customer_ref"),
            present=present,
            utc=utc,
            window=joined("window"),
            window_labels=self.window_codes.labels(),
            teller_id=teller_ids[joined("teller")],
            outcome=joined("outcome"),
        )


def _apply_clean(clean: _CleanFile, *, dry_run: bool, progress: Progress | None) -> _Planned | None:
    """Write a clean file's tickets and rollups (SQLite; a dry run anywhere), unless one of its
    days already holds tickets (None: the row-by-row path compares them)."""
    with transaction.atomic():
        _lock_tickets(clean.outlet_id)
        if _has_stored_outlet_days(clean.outlet_id, clean.days()):
            return None
        planned = _Planned(clean=clean)
        if dry_run:
            return planned

        def report(done: int) -> None:
            if progress is not None:
                progress(_("inserted"), done, clean.rows)

        insert_rows(
            QueueTicket, _INSERT_FIELDS, clean.insert_rows(), progress=report, prepared=True
        )
        _rollups_write(clean.outlet_id, planned, progress=progress)
    return planned


# The pieces of a clean text file on PostgreSQL, in bytes: a small first one, that the
# database starts storing early, then each half as large again as the one before, up to
# ``_PIECE_BYTES`` (the database takes longer to store a piece than this process takes to
# read and check one half as large again); the last one, up to three times that, is stored
# while the monthly tables are summed.
_FIRST_PIECE_BYTES = 1 << 20
_PIECE_BYTES = 1 << 24
# Rows in a block of ``COPY`` data: a piece's first block is ready soon.
_COPY_BLOCK_ROWS = 20_000


@dataclass
class _Piece:
    """A piece of a file: its rows parsed (``parts``), then checked (``clean``), with the
    ``COPY`` blocks of its tickets and, once summed, its day rollups."""

    parts: list[dict[str, Any]]
    clean: _CleanFile | None = None
    finished: bool = False
    blocks: Iterator[tuple[int, bytes]] = field(default_factory=lambda: iter(()))
    day_rows: list[tuple] = field(default_factory=list)

    def finish(self, outlet: OrgUnit, reading: _CleanReader) -> None:
        """Check the piece, and make its first block of ``COPY`` data."""
        self.clean = reading.finish(outlet, self.parts)
        self.parts = []
        self.finished = True
        if self.clean is not None:
            blocks = self.clean.copy_blocks(chunk_rows=_COPY_BLOCK_ROWS)
            self.blocks = itertools.chain([next(blocks)], blocks)


def _import_pieces(
    outlet: OrgUnit,
    text: _Text,
    mapping: TicketMapping,
    file_date: date | None,
    progress: Progress | None,
) -> _Planned:
    """PostgreSQL: read a clean text file and write its tickets a piece at a time, each piece
    by a ``COPY`` of its own while the next is read and checked and the day rollups of the
    one before are summed, then the rollups, in one transaction. Raises ``_NotClean`` (and
    nothing stays written) at anything the row-by-row path must judge, a day that held
    tickets included."""
    reading = _CleanReader(mapping, file_date, text, progress)
    ranges = text.pieces(_FIRST_PIECE_BYTES, _PIECE_BYTES)
    pieces: list[_Piece] = []  # those with tickets, written or being written
    seen: set[date] = set()
    rows = text.rows_foretold()

    def report(done: int) -> None:
        if progress is not None:
            written = sum(cast(_CleanFile, piece.clean).rows for piece in pieces[:-1]) + done
            progress(_("inserted"), written, max(rows, written))

    def read(first: int, end: int) -> _Piece:
        piece = _Piece(reading.parse(first, end))
        # Checked now unless it names a business type or a teller not met before: the
        # database, busy with a ``COPY``, cannot look them up.
        if not reading.pending():
            piece.finish(outlet, reading)
        return piece

    def taken(piece: _Piece) -> _Piece | None:
        if not piece.finished:
            piece.finish(outlet, reading)
        if piece.clean is None:
            return None
        # The first piece's days are looked for among the tickets. Later pieces add to them,
        # and new days are looked for among the day rollups, which every writer keeps with
        # its tickets: the tickets of those days are not yet summarised for the block range
        # index, which would read all of this file's tickets to tell.
        days = [day for day in piece.clean.days() if day not in seen]
        stored = _has_day_rollups if pieces else _has_stored_outlet_days
        if stored(outlet.pk, days):
            raise _NotClean
        seen.update(days)
        pieces.append(piece)
        return piece

    def meanwhile(following: tuple[int, int], before: _Piece) -> _Piece:
        piece = read(*following)
        before.day_rows = cast(_CleanFile, before.clean).rollup_rows()
        return piece

    with transaction.atomic():
        _lock_tickets(outlet.pk)
        piece = read(*ranges[0])
        for following in ranges[1:]:
            if taken(piece) is None:
                piece = read(*following)
                continue
            piece = cast(
                _Piece,
                copy_binary_blocks(
                    QueueTicket, _INSERT_FIELDS, piece.blocks, progress=report,
                    meanwhile=functools.partial(meanwhile, following, piece),
                ),
            )  # fmt: skip
        last = taken(piece)
        if not pieces:
            raise _NotClean
        rows = sum(cast(_CleanFile, piece.clean).rows for piece in pieces)  # now known
        # The monthly tables are summed while PostgreSQL stores the last piece's tickets; the
        # other days of their months are read before.
        months = {month_of(day) for day in seen}
        stored = month_cells_read(outlet.pk, months, besides=sorted(seen))

        def summed() -> tuple[_CleanFile, list[tuple], MonthlyRows]:
            files = [cast(_CleanFile, piece.clean) for piece in pieces]
            pieces[-1].day_rows = files[-1].rollup_rows()
            clean = _CleanFile.joined(files)
            day_rows = _day_rows_joined(clean, pieces)
            fresh = cells_of(row[:2] + row[3:] for row in day_rows)
            return clean, day_rows, monthly_sums(outlet.pk, months, concat_cells([stored, fresh]))

        blocks = last.blocks if last is not None else iter(())
        clean, day_rows, monthly_rows = cast(
            tuple[_CleanFile, list[tuple], MonthlyRows],
            copy_binary_blocks(
                QueueTicket, _INSERT_FIELDS, blocks, progress=report, meanwhile=summed
            ),
        )
        planned = _Planned(clean=clean, day_rows=day_rows, monthly=monthly_rows)
        _rollups_write(outlet.pk, planned, progress=progress)
    return planned


_WINDOW_LABELS = DAY_FIELDS.index("window_labels")


def _day_rows_joined(clean: _CleanFile, pieces: Sequence[_Piece]) -> list[tuple]:
    """The day rollups of a file (``clean``, its pieces joined) from those of its pieces: a
    day found in several pieces is summed again from all of its tickets, after its tickets
    are checked for two of one number (each piece was checked alone). ``_NotClean`` if so."""
    if len(pieces) == 1:
        return pieces[0].day_rows
    found: dict[date, int] = {}
    for piece in pieces:
        for row in piece.day_rows:
            found[row[1]] = found.get(row[1], 0) + 1
    # A piece's window codes index the labels of the last piece as well as its own.
    labels = clean.window_labels
    rows = [
        (*row[:_WINDOW_LABELS], labels, *row[_WINDOW_LABELS + 1 :])
        for piece in pieces
        for row in piece.day_rows
        if found[row[1]] == 1
    ]
    split = np.array(sorted(day.toordinal() for day, count in found.items() if count > 1))
    if split.size:
        shared = clean.take(np.isin(clean.day, split))
        if _duplicated(shared.day, pa.array(shared.number, pa.string())):
            raise _NotClean
        rows += shared.rollup_rows()
    return rows


# Advisory lock keys of PostgreSQL: (this namespace, outlet id).
_TICKETS_LOCK = 0x7469636B  # "tick"


def _lock_tickets(outlet_id: int) -> None:
    """Hold, until the transaction ends, the right to write the outlet's tickets: an import
    or a push compares its tickets with the stored ones of their days, and two at once
    would both find a day empty. SQLite lets one transaction write at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_TICKETS_LOCK, outlet_id])


def _has_stored_outlet_days(outlet_id: int, days: Sequence[date]) -> bool:
    return _held(QueueTicket, outlet_id, days)


def _has_day_rollups(outlet_id: int, days: Sequence[date]) -> bool:
    return _held(QueueDayRollup, outlet_id, days)


def _held(model: type[QueueTicket | QueueDayRollup], outlet_id: int, days: Sequence[date]) -> bool:
    """Whether the outlet has a row of ``model`` on one of ``days``."""
    return any(
        model.objects.filter(outlet_id=outlet_id, service_on__in=days[i : i + 500])
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
    day_rows: list[tuple] | None = None  # the clean file's day rollups, once summed
    monthly: MonthlyRows | None = None  # and its months' monthly rows, once summed

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
    written = None
    if fresh:
        day_rollups_delete(outlet_id=outlet_id, days=fresh)
        if planned.clean is not None:
            if planned.day_rows is None:
                planned.day_rows = planned.clean.rollup_rows()
            day_rollups_insert(planned.day_rows)
            if planned.monthly is None:
                written = cells_of(row[:2] + row[3:] for row in planned.day_rows)
        else:
            rows = [
                (row[0], row[1], *row[6:10], row[3], row[11], row[4], row[12], row[10])
                for row in planned.creates
                if row[1] in fresh
            ]
            day_rollups_insert(day_rollup_rows(ticket_columns_of_rows(rows)))
    if planned.monthly is not None:
        monthly_store([planned.monthly])
    else:
        monthly_rebuild(months={(outlet_id, day) for day in touched}, fresh=written)
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
    planned = _import_clean(outlet, data, filename, mapping, dry_run, file_date, progress)
    if planned is not None:
        return _result(_Issues(None), planned, applied=not dry_run), planned.created
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


def _import_clean(
    outlet: OrgUnit,
    data: bytes,
    filename: str,
    mapping: TicketMapping,
    dry_run: bool,
    file_date: date | None,
    progress: Progress | None,
) -> _Planned | None:
    """A clean text file's import by the column-wise path, or None: then the row-by-row path
    reads the file again, and reports what it finds."""
    try:
        if connection.vendor == "postgresql" and not dry_run:
            return _import_pieces(outlet, _text(data, filename), mapping, file_date, progress)
        clean = _read_clean(outlet, data, filename, mapping, file_date, progress)
    except _NotClean:
        return None
    return _apply_clean(clean, dry_run=dry_run, progress=progress)


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
