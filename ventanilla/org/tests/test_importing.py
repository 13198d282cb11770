"""Import of units and employees: validation of every row, all or nothing, idempotence."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from ventanilla.core.scoping import Role
from ventanilla.core.tabular import Counts
from ventanilla.core.testing import console
from ventanilla.org.importing import org_import, org_import_template
from ventanilla.org.models import Employee, OrgUnit, PostAssignment
from ventanilla.org.tests.factories import person

pytestmark = pytest.mark.django_db

EMPLOYEE_HEADER = [
    "staff_number",
    "name",
    "unit_code",
    "post_code",
    "hire_date",
    "phone",
    "email",
    "is_active",
]
UNIT_HEADER = ["code", "name", "kind", "parent_code"]
REPO = Path(__file__).resolve().parents[3]


def naive(*parts: int) -> datetime:
    """A date as an Excel cell holds it: without a time zone."""
    return datetime(*parts)  # noqa: DTZ001


def as_csv(header: list[str], rows: list[list], encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join("" if c is None else str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def as_xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def employee_rows(count: int, *, bad_index: int | None = None, excel: bool = False) -> list[list]:
    """``count`` tellers spread over three outlets; the row at ``bad_index`` names no unit."""
    units = ["XC01", "XC02", "YT01"]
    rows = []
    for i in range(count):
        hired = date(2015 + i % 10, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                f"S{i:05d}",
                f"员工{i}",
                "XC99" if i == bad_index else units[i % 3],
                "teller",
                naive(hired.year, hired.month, hired.day) if excel else hired.isoformat(),
                f"139{i:08d}",
                f"s{i}@bank.example.cn",
                "1",
            ]
        )
    return rows


def thousand_employees(kind: str, *, bad_index: int | None = None) -> tuple[bytes, str]:
    if kind == "csv":
        return as_csv(EMPLOYEE_HEADER, employee_rows(1000, bad_index=bad_index)), "staff.csv"
    rows = employee_rows(1000, bad_index=bad_index, excel=True)
    return as_xlsx({"employees": (EMPLOYEE_HEADER, rows)}), "staff.xlsx"


def written() -> tuple[int, int, int, int]:
    return (
        OrgUnit.objects.count(),
        Employee.objects.count(),
        PostAssignment.objects.count(),
        LogEntry.objects.count(),
    )


def errors(result) -> list[str]:
    return [str(issue) for issue in result.errors]


@pytest.fixture
def xc_admin(network):
    """The system administrator of the Xiangcheng sub-branch (a persona of this test)."""
    return person("xc_admin", network.subbranch, "administrator")


# All or nothing, and idempotence ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_one_bad_row_among_a_thousand_writes_nothing_and_names_its_line(network, kind):
    data, filename = thousand_employees(kind, bad_index=415)  # header is line 1: line 417
    before = written()

    result = org_import(actor=None, data=data, filename=filename)

    assert errors(result) == ['employees line 417: unit_code "XC99" is not a known unit']
    assert not result.is_applied
    assert written() == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_same_thousand_rows_twice_change_nothing_the_second_time(
    network, kind, django_assert_max_num_queries
):
    data, filename = thousand_employees(kind)
    units, employees, assignments, entries = written()

    first = org_import(actor=None, data=data, filename=filename)

    assert first.errors == []
    assert first.is_applied
    assert first.counts == {"employees": Counts(created=1000)}
    assert written() == (units, employees + 1000, assignments + 1000, entries + 2000)
    sample = Employee.objects.get(staff_number="S00417")
    assert (sample.unit.code, sample.post.code, sample.hire_on) == (
        "XC01",
        "teller",
        date(2022, 10, 26),
    )
    assert sample.phone == "13900000417"
    primary = sample.assignments.get()
    assert (primary.unit_id, primary.is_primary, primary.role) == (sample.unit_id, True, Role.STAFF)

    after_first = written()
    with django_assert_max_num_queries(12):
        second = org_import(actor=None, data=data, filename=filename)

    assert second.errors == []
    assert second.counts == {"employees": Counts(unchanged=1000)}
    assert written() == after_first


def test_audit_entries_of_imported_employees_name_the_importing_user(network, xc_admin):
    data = as_csv(EMPLOYEE_HEADER, [["N1", "新人", "XC02", "teller", "", "", "", ""]])

    result = org_import(actor=xc_admin, data=data, filename="new.csv")

    assert result.is_applied, errors(result)
    employee = Employee.objects.get(staff_number="N1")
    entry = LogEntry.objects.get_for_object(employee).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == xc_admin
    assert entry.additional_data == {"unit_path": network.outlet_b.path}
    assert entry.changes["staff_number"] == ["None", "N1"]
    assignment = employee.assignments.get()
    assert LogEntry.objects.get_for_object(assignment).get().actor == xc_admin


def test_dry_run_reports_what_would_change_and_writes_nothing(network):
    teller = network.teller_a.employee
    data = as_csv(
        ["staff_number", "name", "unit_code", "post_code"],
        [["N1", "新人", "XC02", "teller"], [teller.staff_number, "改名", "XC01", "teller"]],
    )
    before = written()

    result = org_import(actor=None, data=data, filename="a.csv", dry_run=True)

    assert result.errors == []
    assert not result.is_applied
    assert result.counts == {"employees": Counts(created=1, updated=1)}
    assert [row.action for row in result.rows["employees"]] == ["create", "update"]
    assert result.rows["employees"][1].changed == ("name",)
    assert written() == before


# Units and their tree ---------------------------------------------------------------------


def test_units_whose_parent_comes_later_in_the_file_are_created_under_it(network):
    units = [
        ["XC03-D01", "综合部", "department", "XC03"],
        ["XC03", "漕湖网点", "outlet", "XC"],
        ["XC04", "北桥网点", "outlet", "XC"],
    ]
    staff = [["N1", "新人", "XC03-D01", "teller"]]
    data = as_xlsx(
        {
            "units": (UNIT_HEADER, units),
            "employees": (["staff_number", "name", "unit_code", "post_code"], staff),
        }
    )

    result = org_import(actor=None, data=data, filename="org.xlsx")

    assert result.errors == []
    assert result.counts == {"units": Counts(created=3), "employees": Counts(created=1)}
    dept = OrgUnit.objects.get(code="XC03-D01")
    outlet = OrgUnit.objects.get(code="XC03")
    assert OrgUnit.objects.get_parent(dept) == outlet
    assert OrgUnit.objects.get_parent(outlet) == network.subbranch
    assert Employee.objects.get(staff_number="N1").unit == dept
    assert [row.line for row in result.rows["units"]] == [2, 3, 4]  # shown in file order


def test_a_cycle_of_parent_codes_is_reported_once_with_the_loop(network):
    data = as_csv(
        UNIT_HEADER,
        [
            ["A", "甲", "department", "B"],
            ["B", "乙", "department", "C"],
            ["C", "丙", "department", "A"],
            ["D", "丁", "department", "XC"],
        ],
    )
    before = written()

    result = org_import(actor=None, data=data, filename="units.csv")

    assert errors(result) == ['units line 2: parent_code "B" makes a cycle: A → B → C → A']
    assert written() == before


def test_moving_a_unit_under_its_own_outlet_is_a_cycle(network):
    data = as_csv(UNIT_HEADER, [["XC", "相城支行", "sub_branch", "XC01"]])

    result = org_import(actor=None, data=data, filename="units.csv")

    assert errors(result) == ['units line 2: parent_code "XC01" makes a cycle: XC → XC01 → XC']


def test_units_file_renames_and_moves_units_through_the_services(network):
    data = as_csv(
        [*UNIT_HEADER, "name_en"],
        [
            ["XC02", "元和网点", "outlet", "YT", "Yuanhe"],
            ["XC01", "相城营业部", "outlet", "XC", ""],
            ["YT", "园区支行（新）", "sub_branch", "SZ", ""],
        ],
    )
    entries = LogEntry.objects.count()

    result = org_import(actor=None, data=data, filename="units.csv")

    assert result.errors == []
    assert result.counts == {"units": Counts(updated=2, unchanged=1)}
    changed = {row.key: row.changed for row in result.rows["units"]}
    assert changed == {"XC02": ("parent_code", "name_en"), "XC01": (), "YT": ("name",)}
    moved = OrgUnit.objects.get(code="XC02")
    assert OrgUnit.objects.get_parent(moved).code == "YT"
    assert moved.name_en == "Yuanhe"
    assert OrgUnit.objects.get(code="YT").name == "园区支行（新）"
    assert LogEntry.objects.count() > entries
    # Importing it again is a no-op.
    again = org_import(actor=None, data=data, filename="units.csv")
    assert again.counts == {"units": Counts(unchanged=3)}


def test_units_with_chinese_headers_and_kinds(network):
    data = as_csv(
        ["机构代码", "机构名称", "机构类型", "上级机构代码", "启用"],
        [["XC05", "黄桥网点", "网点", "XC", "是"], ["XC05-D", "黄桥综合组", "部门", "XC05", "否"]],
    )

    result = org_import(actor=None, data=data, filename="机构.csv")

    assert result.errors == []
    assert OrgUnit.objects.get(code="XC05").kind == "outlet"
    department = OrgUnit.objects.get(code="XC05-D")
    assert (department.kind, department.is_active) == ("department", False)


def test_unit_rows_with_bad_kinds_and_parents_are_each_reported(network):
    data = as_csv(
        UNIT_HEADER,
        [
            ["N1", "一", "bank", "XC"],
            ["N2", "二", "outlet", "XC01"],
            ["N3", "三", "outlet", "NOPE"],
            ["N2", "二again", "outlet", "XC"],
            ["N4", "四", "branch", ""],
            ["XC", "相城支行", "outlet", "SZ"],
            ["N 5", "", "department", "XC"],
        ],
    )

    result = org_import(actor=None, data=data, filename="units.csv")

    kinds = "head_office, branch, sub_branch, outlet, department, 总行, 分行, 支行, 网点, 部门"
    assert errors(result) == [
        f'units line 2: kind "bank" is not a kind of unit (use {kinds})',
        'units line 3: kind "outlet" cannot sit under XC01, a unit of kind outlet',
        'units line 4: parent_code "NOPE" is not a known unit',
        'units line 5: code "N2" appears again (first on line 3)',
        'units line 6: kind "branch" cannot be a top-level unit: give its parent_code',
        'units line 7: kind "outlet" does not fit: XC01, a unit of kind outlet, sits under '
        "this unit",
        'units line 7: kind "outlet" does not fit: XC02, a unit of kind outlet, sits under '
        "this unit",
        "units line 8: name is required",
        'units line 8: code "N 5" must not contain spaces',
    ]


# Employees --------------------------------------------------------------------------------


def test_gbk_csv_with_chinese_headers_creates_employees(network):
    header = ["工号", "姓名", "机构代码", "岗位代码", "入职日期", "电话", "邮箱", "在职"]
    rows = [
        ["G001", "王五", "XC02", "柜员", "2019/7/1", "0512-65550000", "wangwu@example.com", "否"],
        ["G002", "赵六", "XC01", "lobby_manager", "2020-03-15", "", "", "是"],
    ]
    data = as_csv(header, rows, encoding="gbk")

    result = org_import(actor=None, data=data, filename="员工.csv")

    assert result.errors == []
    wang = Employee.objects.get(staff_number="G001")
    assert (wang.name, wang.unit.code, wang.post.code) == ("王五", "XC02", "teller")
    assert (wang.hire_on, wang.phone, wang.is_active) == (date(2019, 7, 1), "0512-65550000", False)
    assert Employee.objects.get(staff_number="G002").post.code == "lobby_manager"


def test_workbook_with_chinese_sheet_names_and_excel_dates(network):
    data = as_xlsx(
        {
            "说明": (["随便"], [["这张表不导入"]]),
            "员工": (
                ["工号", "姓名", "机构代码", "岗位", "入职日期", "在职"],
                [[20001, "钱七", "XC01", "柜员", naive(2018, 9, 3), True]],
            ),
        }
    )

    result = org_import(actor=None, data=data, filename="book.xlsx")

    assert result.errors == []
    employee = Employee.objects.get(staff_number="20001")
    assert (employee.hire_on, employee.is_active) == (date(2018, 9, 3), True)


def test_every_bad_employee_row_is_reported_with_line_column_and_reason(network):
    rows = [
        ["E1", "", "XC01", "teller", "", "", "", ""],
        ["E1", "重复", "XC01", "teller", "", "", "", ""],
        ["E2", "日期", "XC01", "teller", "2020-02-30", "", "", ""],
        ["E3", "电话", "XC01", "teller", "", "call me", "", ""],
        ["E4", "岗位", "XC01", "cashier", "", "", "", ""],
        ["E5", "在职", "XC01", "teller", "", "", "", "maybe"],
        ["E6", "邮箱", "XC01", "teller", "", "", "not-an-email", ""],
        ["E 7", "工号", "XC01", "teller", "", "", "", ""],
    ]
    data = as_csv(EMPLOYEE_HEADER, rows)
    before = written()

    result = org_import(actor=None, data=data, filename="staff.csv")

    assert errors(result) == [
        "employees line 2: name is required",
        'employees line 3: staff_number "E1" appears again (first on line 2)',
        'employees line 4: hire_date "2020-02-30" is not a valid date (expected YYYY-MM-DD)',
        'employees line 5: phone "call me" is not a valid phone number',
        'employees line 6: post_code "cashier" is not a known post',
        'employees line 7: is_active "maybe" is not true or false (use true/false, 1/0 or 是/否)',
        'employees line 8: email "not-an-email" is not a valid e-mail address',
        'employees line 9: staff_number "E 7" is not a valid staff number',
    ]
    assert result.errors[2].column == "hire_date"
    assert written() == before


def test_changed_employee_is_updated_and_moves_their_main_post(network):
    teller = network.teller_a.employee
    data = as_csv(
        ["staff_number", "name", "unit_code", "post_code", "phone"],
        [[teller.staff_number, teller.name, "XC02", "lobby_manager", teller.phone]],
    )
    entries = LogEntry.objects.count()

    result = org_import(actor=None, data=data, filename="staff.csv")

    assert result.counts == {"employees": Counts(updated=1)}
    assert result.rows["employees"][0].changed == ("unit_code", "post_code")
    teller.refresh_from_db()
    assert (teller.unit.code, teller.post.code) == ("XC02", "lobby_manager")
    primary = teller.assignments.get(is_primary=True)
    assert (primary.unit.code, primary.post.code) == ("XC02", "lobby_manager")
    assert LogEntry.objects.count() == entries + 2  # the employee and their main post


def test_a_column_left_out_keeps_the_stored_values(network):
    teller = network.teller_a.employee
    teller.email = "keep@example.com"
    teller.save()
    data = as_csv(
        ["staff_number", "name", "unit_code", "post_code"],
        [[teller.staff_number, teller.name, "XC01", "teller"]],
    )

    result = org_import(actor=None, data=data, filename="staff.csv")

    assert result.counts == {"employees": Counts(unchanged=1)}
    teller.refresh_from_db()
    assert teller.email == "keep@example.com"


# Headers and sheets -----------------------------------------------------------------------


def test_header_problems_are_reported_before_any_row(network):
    data = as_csv(["staff_number", "name", "unit_code", "remarks"], [["E1", "x", "XC01", ""]])

    result = org_import(actor=None, data=data, filename="staff.csv")

    assert errors(result) == [
        "employees line 1: unknown column remarks; the columns are: staff_number, name, "
        "unit_code, post_code, hire_date, phone, email, is_active",
        "employees line 1: the required column post_code (or 岗位代码) is missing",
    ]


def test_a_csv_whose_header_says_nothing_is_refused(network):
    result = org_import(actor=None, data=b"a,b\n1,2\n", filename="x.csv")

    assert len(result.errors) == 1
    assert "Cannot tell whether this sheet holds units or employees" in str(result.errors[0])


def test_unreadable_or_empty_files_are_clear_errors(network):
    assert errors(org_import(actor=None, data=b"", filename="x.csv")) == ["The file is empty."]
    assert "xlsx" in errors(org_import(actor=None, data=b"x", filename="x.xls"))[0]
    assert "Excel workbook" in errors(org_import(actor=None, data=b"x", filename="x.xlsx"))[0]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_template_workbook_imports_as_an_empty_file(network, language):
    with translation.override(language):
        data = org_import_template()
    workbook = load_workbook(io.BytesIO(data))
    if language == "en":
        assert workbook.sheetnames[:2] == ["units", "employees"]
        assert [c.value for c in workbook["employees"][1]] == EMPLOYEE_HEADER
    else:
        assert workbook.sheetnames[:2] == ["机构", "员工"]
        assert [c.value for c in workbook["机构"][1]][:2] == ["机构代码", "机构名称"]

    result = org_import(actor=None, data=data, filename="template.xlsx")

    assert result.errors == []
    assert result.counts == {"units": Counts(), "employees": Counts()}


# Scope ------------------------------------------------------------------------------------


def test_subbranch_administrator_is_refused_rows_outside_their_subtree(network, xc_admin):
    other = network.other_teller.employee
    data = as_xlsx(
        {
            "units": (
                UNIT_HEADER,
                [
                    ["XC06", "新网点", "outlet", "XC"],
                    ["YT02", "园区二部", "outlet", "YT"],
                    ["YT01", "园区营业部（改）", "outlet", "YT"],
                    ["HO2", "另一个总行", "head_office", ""],
                ],
            ),
            "employees": (
                ["staff_number", "name", "unit_code", "post_code"],
                [
                    ["N1", "新人", "XC06", "teller"],
                    ["N2", "越界", "YT01", "teller"],
                    [other.staff_number, other.name, "XC01", "teller"],
                ],
            ),
        }
    )
    before = written()

    result = org_import(actor=xc_admin, data=data, filename="org.xlsx")

    assert errors(result) == [
        'units line 3: parent_code "YT" is outside the units you administer',
        'units line 4: code "YT01" is outside the units you administer',
        'units line 5: code "HO2" can be a top-level unit only for a superuser',
        'employees line 3: unit_code "YT01" is outside the units you administer',
        f'employees line 4: staff_number "{other.staff_number}" is outside the units you '
        "administer",
    ]
    assert written() == before


def test_subbranch_administrator_imports_rows_of_their_subtree(network, xc_admin):
    data = as_csv(
        UNIT_HEADER, [["XC06", "新网点", "outlet", "XC"], ["XC02", "元和", "outlet", "XC"]]
    )

    result = org_import(actor=xc_admin, data=data, filename="units.csv")

    assert result.errors == []
    assert result.counts == {"units": Counts(created=1, updated=1)}
    assert LogEntry.objects.get_for_object(OrgUnit.objects.get(code="XC06")).get().actor == xc_admin


def test_manager_without_administrator_role_may_import_nothing(network):
    data = as_csv(EMPLOYEE_HEADER[:4], [["N1", "新人", "XC01", "teller"]])

    result = org_import(actor=network.subbranch_manager, data=data, filename="staff.csv")

    assert errors(result) == [
        'employees line 2: unit_code "XC01" is outside the units you administer'
    ]


# The command ------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_command_imports_a_file_and_prints_the_summary(network, tmp_path, capsys):
    path = write(tmp_path, "units.csv", as_csv(UNIT_HEADER, [["XC07", "七号", "outlet", "XC"]]))

    call_command("import", "org", str(path))

    out = capsys.readouterr().out
    assert "units: 1 created, 0 updated, 0 unchanged" in out
    assert OrgUnit.objects.filter(code="XC07").exists()


def test_command_dry_run_writes_nothing(network, tmp_path, capsys):
    path = write(tmp_path, "units.csv", as_csv(UNIT_HEADER, [["XC07", "七号", "outlet", "XC"]]))

    call_command("import", "org", str(path), "--dry-run")

    assert "Dry run" in capsys.readouterr().out
    assert not OrgUnit.objects.filter(code="XC07").exists()


def test_command_prints_every_error_and_fails_on_a_bad_file(network, tmp_path):
    rows = [["XC07", "七号", "outlet", "NOPE"], ["XC08", "八号", "shop", "XC"]]
    path = write(tmp_path, "units.csv", as_csv(UNIT_HEADER, rows))
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 error"):
        call_command("import", "org", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        'units line 2: parent_code "NOPE" is not a known unit',
        'units line 3: kind "shop" is not a kind of unit (use head_office, branch, sub_branch, '
        "outlet, department, 总行, 分行, 支行, 网点, 部门)",
    ]
    assert not OrgUnit.objects.filter(code="XC07").exists()


def test_command_as_a_user_applies_their_scope(network, xc_admin, tmp_path):
    path = write(tmp_path, "units.csv", as_csv(UNIT_HEADER, [["YT09", "九号", "outlet", "YT"]]))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", "org", str(path), "--as", "xc_admin", stderr=err)

    assert 'parent_code "YT" is outside the units you administer' in err.getvalue()
    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("import", "org", str(path), "--as", "nobody")


def test_command_refuses_missing_files_other_types_and_unknown_kinds(network, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("import", "org", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match=r"Unsupported file type \.pdf"):
        call_command("import", "org", str(write(tmp_path, "a.pdf", b"%PDF")))
    with pytest.raises(CommandError, match="Unknown kind of data parcels"):
        call_command("import", "parcels", str(tmp_path / "a.csv"))
    with pytest.raises(CommandError, match="Give the file"):
        call_command("import", "org")


def test_command_writes_the_template(network, tmp_path):
    target = tmp_path / "template.xlsx"

    call_command("import", "org", "--template", str(target))

    assert load_workbook(target).sheetnames[:2] == ["units", "employees"]


def test_console_script_exits_with_status_1_on_a_bad_file(tmp_path):
    """The real `ventanilla import org FILE` against a fresh SQLite database."""
    ventanilla = console(tmp_path)

    assert ventanilla("migrate", "--noinput").returncode == 0
    good = write(tmp_path, "good.csv", as_csv(UNIT_HEADER, [["HO", "总行", "head_office", ""]]))
    bad = write(
        tmp_path,
        "badfile.csv",
        as_csv(UNIT_HEADER, [["BR", "分行", "branch", "HO"], ["XX", "坏", "bank", "BR"]]),
    )

    failed = ventanilla("import", "org", str(bad))
    assert failed.returncode == 1
    assert 'units line 3: kind "bank" is not a kind of unit' in failed.stderr

    done = ventanilla("import", "org", str(good))
    assert done.returncode == 0, done.stderr
    assert "1 created" in done.stdout
