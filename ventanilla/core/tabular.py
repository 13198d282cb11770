"""Tables read from uploaded files, and the small framework through which apps import them.

``read_table`` turns a CSV or XLSX file into sheets of rows. Every row keeps the line number
the user sees in Excel or in a text editor (the header is line 1, blank lines count), so that
an error can point at it. CSV files come from Chinese Excel as often as from anywhere else:
they are read as UTF-8 (with or without a byte-order mark) and, failing that, as GB18030,
which covers GBK.

An app that imports data provides an ``Importer`` and registers it under a kind (``org``,
later ``tickets``...) in its ``importing`` module; the ``import`` management command finds
the importers with ``importer_for`` without core importing any domain app.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

SUPPORTED_EXTENSIONS = ("csv", "xlsx")
_ZIP_MAGIC = b"PK\x03\x04"


class TableError(Exception):
    """A file that cannot be read as a table at all; the message is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableRow:
    """One non-blank row below the header, with the line number the user sees."""

    line: int
    cells: tuple[Any, ...]


@dataclass
class Sheet:
    """A header and its rows. ``name`` is the worksheet's name, or None for a CSV file."""

    name: str | None
    header: tuple[str, ...]
    header_line: int
    rows: list[TableRow] = field(default_factory=list)


def file_extension(filename: str) -> str:
    """The lower-case extension without the dot ("" when there is none)."""
    base = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def check_extension(filename: str) -> str:
    extension = file_extension(filename)
    if extension not in SUPPORTED_EXTENSIONS:
        if extension == "xls":
            raise TableError(
                _("Old Excel files (.xls) cannot be read: save the file as .xlsx or .csv.")
            )
        raise TableError(
            _("Unsupported file type %(extension)s: use a .csv or .xlsx file.")
            % {"extension": f".{extension}" if extension else _("(no extension)")}
        )
    return extension


def read_table(data: bytes, filename: str) -> list[Sheet]:
    """The sheets of a CSV (one sheet) or XLSX file; blank sheets are left out."""
    extension = check_extension(filename)
    if extension == "csv":
        if data.startswith(_ZIP_MAGIC):
            raise TableError(
                _("This file is an Excel workbook, not a CSV file: give it the .xlsx extension.")
            )
        sheet = read_csv(data)
        return [sheet] if sheet is not None else []
    return read_xlsx(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped), else GB18030 as saved by Chinese Excel."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TableError(
            _("The file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8).")
        ) from exc


def read_csv(data: bytes) -> Sheet | None:
    """The one sheet of a CSV file, or None when the file holds no header at all."""
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    sheet: Sheet | None = None
    next_line = 1
    try:
        for cells in reader:
            # A quoted cell may span lines: the row starts where the previous one ended.
            line, next_line = next_line, reader.line_num + 1
            if is_blank(cells):
                continue
            if sheet is None:
                header = tuple(cell_text(c) for c in cells)
                sheet = Sheet(name=None, header=header, header_line=line)
                continue
            sheet.rows.append(TableRow(line=line, cells=tuple(cells)))
    except csv.Error as exc:
        raise TableError(
            _("Line %(line)s cannot be read as CSV: %(reason)s")
            % {"line": reader.line_num, "reason": exc}
        ) from exc
    return sheet


def read_xlsx(data: bytes) -> list[Sheet]:
    """Every non-blank worksheet of a workbook, with cached values in place of formulas."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(_("The file cannot be opened as an Excel workbook (.xlsx).")) from exc
    sheets: list[Sheet] = []
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "reset_dimensions"):
                continue  # a chart sheet holds no cells
            # Some writers store a wrong size; without it every row is read.
            worksheet.reset_dimensions()
            sheet: Sheet | None = None
            for line, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if is_blank(cells):
                    continue
                if sheet is None:
                    header = tuple(cell_text(c) for c in cells)
                    sheet = Sheet(name=worksheet.title, header=header, header_line=line)
                    continue
                sheet.rows.append(TableRow(line=line, cells=tuple(cells)))
            if sheet is not None:
                sheets.append(sheet)
    finally:
        workbook.close()
    return sheets


def is_blank(cells: Iterable[Any]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def cell_text(value: Any) -> str:
    """A cell as the user typed it: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


def cell_date(value: Any) -> date | None:
    """A date cell: an Excel date, or text such as 2026-03-02, 2026/3/2 or 2026.03.02.

    None for a blank cell; ValueError for anything else.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _DATE_TEXT.match(text)
    if match is None:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _safe_cell(worksheet: Any, value: Any) -> Any:
    """Text that starts with "=" stays text: a name in a cell is never run as a formula."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell.cell import Cell

        cell = Cell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


PERCENT = "0.0%"  # a share stored as a fraction (0.9687), shown as 96.9%


def write_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
    *,
    number_formats: Mapping[int, str] | None = None,
) -> bytes:
    """A workbook of (name, header, rows) sheets, the header in bold.

    ``number_formats`` maps a column's index (from 0) to an Excel number format, e.g.
    :data:`PERCENT`, applied to that column's data cells in every sheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, header, rows in sheets:
        worksheet = workbook.create_sheet(title=name)
        worksheet.append(list(header))
        for cell in worksheet[1]:
            cell.font = bold
        for row in rows:
            worksheet.append([_safe_cell(worksheet, value) for value in row])
        for index, number_format in (number_formats or {}).items():
            for (cell,) in worksheet.iter_rows(
                min_row=2, min_col=index + 1, max_col=index + 1, max_row=len(rows) + 1
            ):
                cell.number_format = number_format
        for index, title in enumerate(header, start=1):
            width = max(
                [len(str(title))] + [len(str(r[index - 1])) for r in rows if len(r) >= index]
            )
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = min(max(width + 4, 12), 80)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The import framework ------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """What is wrong with a file: where (sheet, line, column) and why."""

    message: str
    sheet: str | None = None
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.sheet and self.line is not None:
            return _("%(sheet)s line %(line)s: %(message)s") % {
                "sheet": self.sheet,
                "line": self.line,
                "message": self.message,
            }
        if self.line is not None:
            return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        if self.sheet:
            return f"{self.sheet}: {self.message}"
        return self.message


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedRow:
    """A row of the file and what the import does (or did) with it."""

    sheet: str
    line: int
    key: str
    action: str  # CREATE, UPDATE or UNCHANGED
    values: dict[str, str]
    changed: tuple[str, ...] = ()


@dataclass
class ImportResult:
    """The outcome of an import, or of a dry run when ``is_applied`` is false.

    ``counts`` and ``rows`` are keyed by the kind of record (``units``, ``employees``...),
    in the order the importer writes them. With errors, nothing was written.
    """

    errors: list[Issue] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    rows: dict[str, list[PlannedRow]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    is_applied: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        return [
            _("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "kind": self.labels.get(kind, kind),
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
            for kind, counts in self.counts.items()
        ]


class Importer(Protocol):
    """Imports one kind of data from a file; registered by the app that owns the data."""

    kind: str

    def run(self, *, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
        """Validate every row and, unless ``dry_run`` or a row is bad, write all of them."""
        ...

    def template(self) -> bytes:
        """An empty XLSX workbook with the right sheets and headers."""
        ...


_importers: dict[str, Importer] = {}


def register_importer(importer: Importer) -> Importer:
    _importers[importer.kind] = importer
    return importer


def importers() -> dict[str, Importer]:
    """Every registered importer by kind, after loading each app's ``importing`` module."""
    autodiscover_modules("importing")
    return dict(sorted(_importers.items()))


def importer_for(kind: str) -> Importer | None:
    return importers().get(kind)


# Tables of one sheet whose columns are named in English or Chinese ------------------------


@dataclass(frozen=True)
class Column:
    """A column of an importable one-sheet table: the field it fills, its headers (English
    first, then Chinese), whether it is required, and what it holds (for the template)."""

    field: str
    headers: tuple[str, ...]
    required: bool
    help: Any


class SheetRow:
    """A row read by ``sheet_rows``: its line, its cells as text and as read, by field, and
    the problems found with it (``bad``)."""

    def __init__(self, line: int, cells: dict[str, str], raw: dict[str, Any]) -> None:
        self.line = line
        self.cells = cells
        self.raw = raw
        self.errors: list[str] = []

    def bad(self, column: str, reason: str) -> None:
        self.errors.append(f"{column}: {reason}")

    def date(self, name: str) -> date | None:
        """The cell as a date; a problem (and None) when it is not one."""
        try:
            return cell_date(self.raw.get(name))
        except ValueError:
            self.bad(name, _("is not a valid date (expected YYYY-MM-DD)"))
            return None


def sheet_rows(sheet: Sheet, columns: Sequence[Column]) -> tuple[list[SheetRow], list[str]]:
    """The sheet's rows by field, and the problems with its header (unknown, repeated or
    missing columns); headers are matched without regard to case."""
    names = {h.lower(): c.field for c in columns for h in c.headers}
    found: dict[str, int] = {}
    problems: list[str] = []
    for index, title in enumerate(sheet.header):
        key = cell_text(title).lower()
        if not key:
            continue
        name = names.get(key)
        if name is None:
            problems.append(_("unknown column “%(column)s”") % {"column": cell_text(title)})
        elif name in found:
            problems.append(_("the column “%(column)s” appears twice") % {"column": name})
        else:
            found[name] = index
    for column in columns:
        if column.required and column.field not in found:
            problems.append(_("the column “%(column)s” is missing") % {"column": column.field})
    rows = []
    for table_row in sheet.rows:
        raw = {
            name: table_row.cells[i] if i < len(table_row.cells) else None
            for name, i in found.items()
        }
        rows.append(SheetRow(table_row.line, {f: cell_text(v) for f, v in raw.items()}, raw))
    return rows, problems


def columns_template(sheet_name: str, columns: Sequence[Column]) -> bytes:
    """An empty workbook with the English headers, and a sheet that explains each column."""
    header = [c.headers[0] for c in columns]
    notes = [[c.headers[0], c.headers[1], str(c.help)] for c in columns]
    return write_xlsx(
        [
            (sheet_name, header, []),
            (_("columns"), [_("column"), _("Chinese header"), _("what it holds")], notes),
        ]
    )


def read_sheet_rows(
    data: bytes, filename: str, columns: Sequence[Column], result: ImportResult
) -> tuple[Sheet, list[SheetRow]] | None:
    """The first sheet of the file and its rows by field; None, with the problems in
    ``result``, when the file cannot be read or its header is wrong."""
    try:
        sheets = read_table(data, filename)
    except TableError as error:
        result.errors.append(Issue(error.message))
        return None
    if not sheets:
        result.errors.append(Issue(_("The file holds no table.")))
        return None
    sheet = sheets[0]
    rows, problems = sheet_rows(sheet, columns)
    for problem in problems:
        result.errors.append(Issue(problem, sheet=sheet.name, line=sheet.header_line))
    return None if problems else (sheet, rows)


@dataclass
class SheetImporter:
    """The ``Importer`` of a one-sheet table: ``ventanilla import KIND FILE`` runs
    ``function``; its template names ``columns`` on a sheet called ``sheet_name``."""

    kind: str
    sheet_name: str
    columns: Sequence[Column]
    function: Callable[..., ImportResult]

    def run(self, *, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
        return self.function(actor=actor, data=data, filename=filename, dry_run=dry_run)

    def template(self) -> bytes:
        return columns_template(self.sheet_name, self.columns)
