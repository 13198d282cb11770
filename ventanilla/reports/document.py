"""A generated document as a sequence of blocks, and its three outputs: HTML, PDF and DOCX.

The builders (``rectification.py``, ``quarterly.py``) turn a selector's dataclass into
blocks, with every fixed label through gettext in the active language. This module lays
the same blocks out as a stand-alone HTML page (and, through it, an A4 PDF) or as a Word
document, so the three formats carry the same headings, paragraphs, tables and charts.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils import formats
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ventanilla.core.pdf import html_to_pdf

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
CN_DIGITS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 chapter, 2 section, 3 sub-heading
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body, muted, quote, strong


@dataclass(frozen=True)
class Column:
    label: str
    is_numeric: bool = False
    width: float = 0  # relative width; 0 = the default weight of 4


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[str]]
    has_total: bool = False  # the last row sums the others

    @property
    def widths(self) -> list[float]:
        """Each column's share of the page width, in percent (unsized columns weigh 4)."""
        weights = [c.width or 4 for c in self.columns]
        total = sum(weights)
        return [round(100 * w / total, 1) for w in weights]

    @property
    def headers(self) -> list[tuple[Column, float]]:
        return list(zip(self.columns, self.widths, strict=True))

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        """Each row's values with whether its column is numeric (aligned right)."""
        flags = [c.is_numeric for c in self.columns]
        return [list(zip(row, flags, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Image:
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


Block = Heading | Paragraph | Table | Image


@dataclass
class Document:
    """Everything a generated document shows, in reading order."""

    language: str
    title: str
    addressee: str = ""
    meta: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)

    def add(self, *blocks: Block | None) -> None:
        self.blocks.extend(b for b in blocks if b is not None)


def numbered(language: str, level: int, index: int, text: str, parent: int = 0) -> str:
    """Chapter and section numbers as a Chinese official document writes them
    ("一、", "（二）") and as "1.", "1.2" elsewhere."""
    if language.startswith("zh") and index < len(CN_DIGITS):
        if level == 1:
            return f"{CN_DIGITS[index]}、{text}"
        return f"（{CN_DIGITS[index]}）{text}"
    if level == 1:
        return f"{index + 1}. {text}"
    return f"{parent + 1}.{index + 1} {text}"


def num(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, decimals, use_l10n=True)


def signed(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    text = num(abs(value), decimals)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def long_day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


Progress = Callable[[int, str], None]


# --- HTML and PDF ------------------------------------------------------------------------


def to_html(doc: Document, template: str) -> str:
    return render_to_string(template, {"doc": doc, "lang": doc.language})


def to_pdf(doc: Document, template: str) -> bytes:
    return html_to_pdf(to_html(doc, template))


# --- DOCX --------------------------------------------------------------------------------

# Western and East Asian typefaces Word falls back on when the document's own are missing.
LATIN_FONT = "Times New Roman"
CJK_BODY = "宋体"
CJK_HEADING = "黑体"
HEADER_FILL = "E8EDF3"


def _east_asian(element: object, font: str) -> None:
    """Set the East Asian typeface on a run or style (w:rFonts/@w:eastAsia)."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _style_font(style: object, size: float, *, bold: bool, cjk: str) -> None:
    style.font.name = LATIN_FONT  # type: ignore[attr-defined]
    style.font.size = Pt(size)  # type: ignore[attr-defined]
    style.font.bold = bold  # type: ignore[attr-defined]
    style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)  # type: ignore[attr-defined]
    _east_asian(style.element, cjk)  # type: ignore[attr-defined]


def _run(
    paragraph: object,
    text: str,
    *,
    bold: bool = False,
    size: float | None = None,
    italic: bool = False,
    cjk: str = CJK_BODY,
    colour: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.bold = bold
    run.italic = italic
    run.font.name = LATIN_FONT
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    _east_asian(run._element, cjk)


def _page_number_field(paragraph: object) -> None:
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), tag)
        else:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._element.append(node)
    run.font.size = Pt(9)


def _shade(cell: object, fill: str) -> None:
    props = cell._element.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _repeat_header(row: object) -> None:
    props = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    props.append(node)


def _set_cell(cell: object, text: str, *, bold: bool, numeric: bool, size: float) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    lines = text.split("\n")
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
        paragraph.paragraph_format.space_after = Pt(0)
        if numeric:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, line, bold=bold, size=size)


def _docx_table(word: object, table: Table, usable_mm: float) -> None:
    grid = word.add_table(rows=1, cols=len(table.columns))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_header(header)
    for i, column in enumerate(table.columns):
        _set_cell(header.cells[i], column.label, bold=True, numeric=column.is_numeric, size=9)
        _shade(header.cells[i], HEADER_FILL)
    for index, row in enumerate(table.rows):
        cells = grid.add_row().cells
        is_total = table.has_total and index == len(table.rows) - 1
        for i, value in enumerate(row):
            _set_cell(cells[i], value, bold=is_total, numeric=table.columns[i].is_numeric, size=9)
    grid.autofit = False
    for i, share in enumerate(table.widths):
        width = Mm(usable_mm * share / 100)
        for cell in grid.columns[i].cells:
            cell.width = width
    spacer = word.add_paragraph()  # type: ignore[attr-defined]
    spacer.paragraph_format.space_after = Pt(2)


def to_docx(doc: Document) -> bytes:
    word = new_docx()
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin = section.right_margin = Mm(22)
    usable = 210 - 44
    styles = word.styles
    _style_font(styles["Normal"], 11, bold=False, cjk=CJK_BODY)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Normal"].paragraph_format.line_spacing = 1.3
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        _style_font(styles[name], size, bold=True, cjk=CJK_HEADING)
    word.core_properties.title = doc.title
    word.core_properties.language = doc.language

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)

    if doc.addressee:
        _run(word.add_paragraph(), doc.addressee, bold=True)
    title = word.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, bold=True, size=18, cjk=CJK_HEADING)
    for line in doc.meta:
        meta = word.add_paragraph()
        meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(meta, line, size=9, colour=RGBColor(0x55, 0x55, 0x55))

    for block in doc.blocks:
        if isinstance(block, Heading):
            heading = word.add_paragraph(style=f"Heading {block.level}")
            _run(heading, block.text, bold=True, cjk=CJK_HEADING)
        elif isinstance(block, Paragraph):
            paragraph = word.add_paragraph()
            if block.style == "quote":
                paragraph.paragraph_format.left_indent = Mm(8)
                _run(paragraph, block.text, italic=True, size=10)
            elif block.style == "muted":
                _run(paragraph, block.text, size=9.5, colour=RGBColor(0x55, 0x55, 0x55))
            else:
                if doc.language.startswith("zh"):
                    paragraph.paragraph_format.first_line_indent = Pt(22)
                _run(paragraph, block.text, bold=block.style == "strong")
        elif isinstance(block, Table):
            _docx_table(word, block, usable)
        else:
            word.add_picture(io.BytesIO(block.png), width=Mm(min(150, usable)))
            word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    word.add_paragraph()
    for line in doc.signature:
        paragraph = word.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, line)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def render(doc: Document, fmt: str, template: str) -> bytes:
    if fmt == "html":
        return to_html(doc, template).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(doc, template)
    if fmt == "docx":
        return to_docx(doc)
    raise ValueError(f"unknown format {fmt!r}")
