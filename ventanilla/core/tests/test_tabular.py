from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from ventanilla.core.tabular import (
    Issue,
    TableError,
    cell_text,
    file_extension,
    read_table,
    write_xlsx,
)


def naive(*parts: int) -> datetime:
    """A date and time as an Excel cell holds it: without a time zone."""
    return datetime(*parts)  # noqa: DTZ001


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    import io

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=index, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_rows_carry_the_line_the_user_sees_across_blank_lines_and_quoted_newlines():
    text = 'code,name\n\nA,"two\nlines"\n,\nB,plain\n'
    (sheet,) = read_table(text.encode(), "units.csv")
    assert sheet.name is None
    assert sheet.header == ("code", "name")
    assert sheet.header_line == 1
    assert [(r.line, r.cells) for r in sheet.rows] == [
        (3, ("A", "two\nlines")),
        (6, ("B", "plain")),
    ]


def test_csv_with_utf8_byte_order_mark_reads_the_first_header_cleanly():
    (sheet,) = read_table("\ufeff工号,姓名\nE1,张三\n".encode(), "a.csv")
    assert sheet.header == ("工号", "姓名")
    assert sheet.rows[0].cells == ("E1", "张三")


def test_csv_saved_by_chinese_excel_in_gbk_is_decoded():
    (sheet,) = read_table("工号,姓名\r\nE1,张三\r\n".encode("gbk"), "a.csv")
    assert sheet.header == ("工号", "姓名")
    assert sheet.rows[0].cells == ("E1", "张三")


def test_csv_header_may_follow_leading_blank_lines():
    (sheet,) = read_table(b"\n\ncode,name\nA,x\n", "a.csv")
    assert sheet.header_line == 3
    assert sheet.rows[0].line == 4


def test_empty_csv_has_no_sheet():
    assert read_table(b"\n \n", "a.csv") == []


def test_xlsx_rows_keep_their_row_numbers_and_typed_cells():
    data = xlsx(
        {
            "employees": [
                ["staff_number", "hire_date"],
                [1001, naive(2021, 3, 5)],
                [None, None],
                ["E2", "2020-01-01"],
            ],
            "empty": [],
        }
    )
    (sheet,) = read_table(data, "book.XLSX")
    assert sheet.name == "employees"
    assert [r.line for r in sheet.rows] == [2, 4]
    assert sheet.rows[0].cells == (1001, naive(2021, 3, 5))


def test_unsupported_extensions_are_refused_with_the_reason():
    with pytest.raises(TableError, match=r"\.txt"):
        read_table(b"x", "notes.txt")
    with pytest.raises(TableError, match="xls"):
        read_table(b"x", "old.xls")
    with pytest.raises(TableError, match="no extension"):
        read_table(b"x", "README")


def test_workbook_saved_as_csv_is_named_for_what_it_is():
    with pytest.raises(TableError, match="xlsx"):
        read_table(xlsx({"a": [["x"]]}), "renamed.csv")


def test_a_broken_workbook_is_a_clear_error():
    with pytest.raises(TableError, match="Excel workbook"):
        read_table(b"PK\x03\x04 not really a zip", "broken.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (13800001111.0, "13800001111"),
        (2.5, "2.5"),
        (Decimal("10.0"), "10"),
        (True, "true"),
        (naive(2020, 1, 2), "2020-01-02"),
        (naive(2020, 1, 2, 8, 30), "2020-01-02 08:30:00"),
        (date(2020, 1, 2), "2020-01-02"),
        ("  padded ", "padded"),
    ],
)
def test_cell_text_shows_cells_as_typed(value, text):
    assert cell_text(value) == text


def test_file_extension_ignores_folders_and_case():
    assert file_extension("C:\\data\\Staff.CSV") == "csv"
    assert file_extension("reports/a.b/c") == ""


def test_write_xlsx_round_trips_sheets_and_rows():
    import io

    data = write_xlsx([("units", ["code", "name"], [["A", "甲"]]), ("notes", ["x"], [])])
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["units", "notes"]
    assert [c.value for c in workbook["units"][2]] == ["A", "甲"]
    assert workbook["units"]["A1"].font.bold


def test_issue_names_sheet_line_and_reason():
    issue = Issue('unit_code "XC99" is not a known unit', sheet="employees", line=417)
    assert str(issue) == 'employees line 417: unit_code "XC99" is not a known unit'
    assert str(Issue("bad", line=3)) == "line 3: bad"
    assert str(Issue("The file is empty.")) == "The file is empty."
