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
from collections.abc import Iterable, Mapping, Sequence
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
