"""Import of org units and employees from a CSV or XLSX file.

One file may hold units, employees or both. A CSV file holds one kind, recognised by its
header; a workbook holds sheets named ``units`` / ``employees`` (or 机构 / 员工), or sheets
recognised by their header. Headers are accepted in English and in Chinese.

Every row is validated before anything is written, and one bad row means nothing is
written. Rows are keyed by unit code and staff number: importing the same file twice
changes nothing the second time, and a row whose values are unchanged is not written at
all (no UPDATE, no audit entry). A column left out of the file keeps the stored values; a
blank cell in an optional column clears the value (``is_active`` blank means active).

The importing user must be an administrator of every unit the file creates (of its
parent), changes or places an employee in; ``actor=None`` is the operator, with full rights.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, Scope, forget_scope, scope_for
from ventanilla.core.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Counts,
    ImportResult,
    Issue,
    PlannedRow,
    Sheet,
    TableError,
    TableRow,
    cell_date,
    cell_text,
    read_table,
    register_importer,
    write_xlsx,
)
from ventanilla.org.models import (
    ALLOWED_PARENT_KINDS,
    Employee,
    OrgUnit,
    OrgUnitKind,
    Post,
)
from ventanilla.org.services import (
    employee_create_many,
    employee_update,
    org_unit_create,
    org_unit_update,
)
from ventanilla.org.validators import phone_validator, staff_number_validator

UNITS = "units"
EMPLOYEES = "employees"
KIND_LABELS = {UNITS: gettext_lazy("units"), EMPLOYEES: gettext_lazy("employees")}

# Worksheet names that say what a sheet holds, lower-cased.
SHEET_NAMES = {"units": UNITS, "机构": UNITS, "employees": EMPLOYEES, "员工": EMPLOYEES}


@dataclass(frozen=True)
class Column:
    """A column of an import sheet: its field, the headers that name it, its rules."""

    field: str
    headers: tuple[str, ...]  # English first, then Chinese
    required: bool
    help: Any

    @property
    def english(self) -> str:
        return self.headers[0]

    @property
    def chinese(self) -> str:
        return self.headers[1]


UNIT_COLUMNS = (
    Column("code", ("code", "机构代码"), True, gettext_lazy("Unique code of the unit.")),
    Column("name", ("name", "机构名称"), True, gettext_lazy("Official (Chinese) name.")),
    Column(
        "kind",
        ("kind", "机构类型"),
        True,
        gettext_lazy(
            "head_office, branch, sub_branch, outlet or department "
            "(or 总行, 分行, 支行, 网点, 部门)."
        ),
    ),
    Column(
        "parent_code",
        ("parent_code", "上级机构代码"),
        False,
        gettext_lazy(
            "Code of the unit above; it may be defined further down the file. "
            "Blank only for the head office."
        ),
    ),
    Column("name_en", ("name_en", "英文名称"), False, gettext_lazy("English name.")),
    Column("name_es", ("name_es", "西班牙文名称"), False, gettext_lazy("Spanish name.")),
    Column(
        "is_active",
        ("is_active", "启用"),
        False,
        gettext_lazy("true/false, 1/0 or 是/否; blank means active."),
    ),
)
EMPLOYEE_COLUMNS = (
    Column("staff_number", ("staff_number", "工号"), True, gettext_lazy("Unique staff number.")),
    Column("name", ("name", "姓名"), True, gettext_lazy("Full name.")),
    Column(
        "unit_code",
        ("unit_code", "机构代码", "所属机构代码"),
        True,
        gettext_lazy("Code of the unit where the employee works."),
    ),
    Column(
        "post_code",
        ("post_code", "岗位代码", "岗位"),
        True,
        gettext_lazy("Code of the main post (teller, outlet_head...) or its Chinese name."),
    ),
    Column(
        "hire_date",
        ("hire_date", "入职日期"),
        False,
        gettext_lazy("YYYY-MM-DD, or an Excel date."),
    ),
    Column("phone", ("phone", "电话", "手机"), False, gettext_lazy("Digits, spaces, dashes, +.")),
    Column("email", ("email", "邮箱", "电子邮箱"), False, gettext_lazy("E-mail address.")),
    Column(
        "is_active",
        ("is_active", "在职"),
        False,
        gettext_lazy("true/false, 1/0 or 是/否; blank means active."),
    ),
)
COLUMNS = {UNITS: UNIT_COLUMNS, EMPLOYEES: EMPLOYEE_COLUMNS}

KIND_ALIASES = {
    **{kind.value: kind.value for kind in OrgUnitKind},
    "总行": OrgUnitKind.HEAD_OFFICE.value,
    "分行": OrgUnitKind.BRANCH.value,
    "支行": OrgUnitKind.SUB_BRANCH.value,
    "网点": OrgUnitKind.OUTLET.value,
    "部门": OrgUnitKind.DEPARTMENT.value,
}
TRUE_WORDS = {"true", "1", "yes", "y", "t", "是", "在职", "启用", "有效"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "否", "离职", "停用", "无效"}
CODE_PATTERN = re.compile(r"^\S+$")
_MAX_LENGTHS = {
    (UNITS, "code"): 32,
    (UNITS, "name"): 120,
    (UNITS, "name_en"): 120,
    (UNITS, "name_es"): 120,
    (EMPLOYEES, "staff_number"): 32,
    (EMPLOYEES, "name"): 60,
    (EMPLOYEES, "phone"): 32,
    (EMPLOYEES, "email"): 254,
}


def normalise_header(text: str) -> str:
    """Headers match whatever their case, spacing or a trailing "*" marking them required."""
    return re.sub(r"[\s\-]+", "_", text.strip().rstrip("*").strip().lower())


_HEADER_FIELDS = {
    kind: {normalise_header(h): c.field for c in columns for h in c.headers}
    for kind, columns in COLUMNS.items()
}
# Headers found in one kind of sheet only; they tell a sheet's kind when its name does not.
_ONLY_IN = {
    UNITS: set(_HEADER_FIELDS[UNITS]) - set(_HEADER_FIELDS[EMPLOYEES]),
    EMPLOYEES: set(_HEADER_FIELDS[EMPLOYEES]) - set(_HEADER_FIELDS[UNITS]),
}


# Reading the file ------------------------------------------------------------------------


@dataclass
class _Table:
    """A sheet recognised as units or employees, with its header mapped to fields."""

    kind: str
    label: str  # how errors name the sheet
    sheet: Sheet
    fields: dict[str, int]  # field -> cell index
    headers: dict[str, str]  # field -> the header as written in the file


@dataclass
class _Row:
    """A row of a sheet: cells by field, and the errors found in them."""

    table: _Table
    line: int
    cells: dict[str, str]
    raw: dict[str, Any]
    issues: list[Issue]

    def has(self, name: str) -> bool:
        return name in self.table.fields

    def error(self, name: str | None, message: str) -> None:
        column = self.table.headers.get(name, name) if name else None
        self.issues.append(
            Issue(message=message, sheet=self.table.label, line=self.line, column=column)
        )

    def bad_value(self, name: str, reason: str) -> None:
        self.error(name, _('%(column)s "%(value)s" %(reason)s') % self._fmt(name, reason))

    def _fmt(self, name: str, reason: str) -> dict[str, str]:
        return {
            "column": self.table.headers.get(name, name),
            "value": self.cells.get(name, ""),
            "reason": reason,
        }


def _recognise(sheets: list[Sheet], issues: list[Issue]) -> list[_Table]:
    named = {
        sheet.name: SHEET_NAMES[sheet.name.strip().lower()]
        for sheet in sheets
        if sheet.name is not None and sheet.name.strip().lower() in SHEET_NAMES
    }
    chosen: list[tuple[Sheet, str]] = []
    if named:
        # Named sheets say what they hold; any other sheet (notes, a pivot) is ignored.
        chosen = [(s, named[s.name]) for s in sheets if s.name in named]
    else:
        for sheet in sheets:
            kind = _kind_from_header(sheet.header)
            if kind is None:
                issues.append(
                    Issue(
                        _(
                            "Cannot tell whether this sheet holds units or employees: "
                            "expected a header with %(units)s or %(employees)s."
                        )
                        % {
                            "units": "code, name, kind, parent_code",
                            "employees": "staff_number, name, unit_code, post_code",
                        },
                        sheet=sheet.name,
                        line=sheet.header_line,
                    )
                )
                continue
            chosen.append((sheet, kind))
    tables: list[_Table] = []
    seen: dict[str, str] = {}
    for sheet, kind in chosen:
        label = sheet.name if sheet.name is not None else str(KIND_LABELS[kind])
        if kind in seen:
            issues.append(
                Issue(
                    _("Two sheets hold %(kind)s: %(first)s and %(second)s; use one.")
                    % {"kind": KIND_LABELS[kind], "first": seen[kind], "second": label}
                )
            )
            continue
        seen[kind] = label
        table = _map_header(sheet, kind, label, issues)
        if table is not None:
            tables.append(table)
    return tables


def _kind_from_header(header: Sequence[str]) -> str | None:
    names = {normalise_header(h) for h in header}
    votes = {kind: len(names & only) for kind, only in _ONLY_IN.items()}
    best = max(votes.values())
    winners = [kind for kind, count in votes.items() if count == best]
    if best == 0 or len(winners) > 1:
        return None
    return winners[0]


def _map_header(sheet: Sheet, kind: str, label: str, issues: list[Issue]) -> _Table | None:
    known = _HEADER_FIELDS[kind]
    fields: dict[str, int] = {}
    headers: dict[str, str] = {}
    ok = True
    for index, header in enumerate(sheet.header):
        if header == "":
            continue
        name = known.get(normalise_header(header))
        if name is None:
            issues.append(
                Issue(
                    _("unknown column %(column)s; the columns are: %(columns)s")
                    % {
                        "column": header,
                        "columns": ", ".join(c.english for c in COLUMNS[kind]),
                    },
                    sheet=label,
                    line=sheet.header_line,
                    column=header,
                )
            )
            ok = False
            continue
        if name in fields:
            issues.append(
                Issue(
                    _("column %(column)s appears twice (as %(first)s and %(second)s)")
                    % {"column": name, "first": headers[name], "second": header},
                    sheet=label,
                    line=sheet.header_line,
                    column=header,
                )
            )
            ok = False
            continue
        fields[name] = index
        headers[name] = header
    for column in COLUMNS[kind]:
        if column.required and column.field not in fields:
            issues.append(
                Issue(
                    _("the required column %(column)s (or %(chinese)s) is missing")
                    % {"column": column.english, "chinese": column.chinese},
                    sheet=label,
                    line=sheet.header_line,
                )
            )
            ok = False
    if not ok:
        return None
    return _Table(kind=kind, label=label, sheet=sheet, fields=fields, headers=headers)


def _rows(table: _Table) -> Iterable[_Row]:
    width = len(table.sheet.header)
    for table_row in table.sheet.rows:
        yield _row(table, table_row, width)


def _row(table: _Table, table_row: TableRow, width: int) -> _Row:
    cells = table_row.cells
    raw = {name: cells[i] if i < len(cells) else None for name, i in table.fields.items()}
    row = _Row(
        table=table,
        line=table_row.line,
        cells={name: cell_text(value) for name, value in raw.items()},
        raw=raw,
        issues=[],
    )
    extra = [cell_text(c) for c in cells[width:]]
    if any(extra):
        row.error(None, _("the row has more cells than the header has columns"))
    for column in COLUMNS[table.kind]:
        if column.required and column.field in row.cells and row.cells[column.field] == "":
            row.error(column.field, _("%(column)s is required") % row._fmt(column.field, ""))
    for (kind, name), limit in _MAX_LENGTHS.items():
        if kind == table.kind and len(row.cells.get(name, "")) > limit:
            row.bad_value(name, _("is longer than %(limit)s characters") % {"limit": limit})
    return row


def _parse_bool(row: _Row, name: str) -> bool | None:
    """True or False; a blank cell is True (active); None when the column is absent."""
    if not row.has(name):
        return None
    raw = row.raw.get(name)
    if isinstance(raw, bool):
        return raw
    text = row.cells[name].strip().lower()
    if text == "" or text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    row.bad_value(name, _("is not true or false (use true/false, 1/0 or 是/否)"))
    return True


def _parse_date(row: _Row, name: str) -> date | None:
    try:
        return cell_date(row.raw.get(name))
    except ValueError:
        row.bad_value(name, _("is not a valid date (expected YYYY-MM-DD)"))
        return None


def _check(row: _Row, name: str, check: Callable[[str], None], reason: str) -> None:
    value = row.cells.get(name, "")
    if value == "":
        return
    try:
        check(value)
    except ValidationError:
        row.bad_value(name, reason)


# What is in the database -----------------------------------------------------------------


@dataclass
class _Unit:
    """A unit as it stands in the database (or as the file will create it)."""

    code: str
    kind: str
    parent_code: str | None
    path: str | None = None  # None: created by the file
    name: str = ""
    name_en: str = ""
    name_es: str = ""
    is_active: bool = True


def _load_units() -> dict[str, _Unit]:
    rows = list(
        OrgUnit.objects.order_by("path").values_list(
            "code", "path", "kind", "name", "name_en", "name_es", "is_active"
        )
    )
    code_at = {path: code for code, path, *_rest in rows}
    step = OrgUnit.steplen
    return {
        code: _Unit(
            code=code,
            kind=kind,
            parent_code=code_at.get(path[:-step]) if len(path) > step else None,
            path=path,
            name=name,
            name_en=name_en,
            name_es=name_es,
            is_active=is_active,
        )
        for code, path, kind, name, name_en, name_es, is_active in rows
    }


def _load_employees(numbers: Sequence[str]) -> dict[str, Employee]:
    found: dict[str, Employee] = {}
    chunk = 500
    for start in range(0, len(numbers), chunk):
        batch = numbers[start : start + chunk]
        for employee in Employee.objects.filter(staff_number__in=batch).select_related(
            "unit", "post", "user"
        ):
            found[employee.staff_number] = employee
    return found


class _PostIndex:
    """Posts by code (any case) or by Chinese or English name."""

    def __init__(self) -> None:
        self.posts = list(Post.objects.all())
        self.by_key: dict[str, list[Post]] = {}
        for post in self.posts:
            for key in {post.code.lower(), post.name.strip().lower(), post.name_en.strip().lower()}:
                if key:
                    self.by_key.setdefault(key, []).append(post)

    def find(self, text: str) -> list[Post]:
        return self.by_key.get(text.strip().lower(), [])


# Validation ------------------------------------------------------------------------------


@dataclass
class _UnitPlan:
    row: _Row
    code: str
    name: str
    kind: str
    parent_code: str | None  # meaningful when has_parent
    has_parent: bool
    optional: dict[str, Any]  # name_en, name_es, is_active when their column is present
    action: str = UNCHANGED
    changed: tuple[str, ...] = ()


@dataclass
class _EmployeePlan:
    row: _Row
    staff_number: str
    values: dict[str, Any]  # model field -> value, for the columns present
    unit_code: str
    post: Post | None
    action: str = UNCHANGED
    changed: tuple[str, ...] = ()


@dataclass
class _Plan:
    tables: list[_Table] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # about the file or a header
    rows: list[_Row] = field(default_factory=list)  # every row read, with its errors
    units: list[_UnitPlan] = field(default_factory=list)  # parents before children
    employees: list[_EmployeePlan] = field(default_factory=list)
    stored_employees: dict[str, Employee] = field(default_factory=dict)

    def table(self, kind: str) -> _Table | None:
        return next((t for t in self.tables if t.kind == kind), None)

    def read(self, table: _Table) -> list[_Row]:
        rows = list(_rows(table))
        self.rows.extend(rows)
        return rows

    def errors(self) -> list[Issue]:
        order = {t.label: i for i, t in enumerate(self.tables)}
        by_row = sorted(
            (issue for row in self.rows for issue in row.issues),
            key=lambda i: (order.get(i.sheet or "", -1), i.line or 0),
        )
        return [*self.issues, *by_row]


class _Access:
    """Whether the actor administers a unit; ``None`` is the operator with full rights."""

    def __init__(self, actor: Any) -> None:
        self.scope: Scope | None = None if actor is None else scope_for(actor)

    @property
    def is_unrestricted(self) -> bool:
        return self.scope is None or self.scope.is_global

    def administers(self, path: str) -> bool:
        if self.scope is None:
            return True
        role = self.scope.role_at(path)
        return role is not None and role >= Role.ADMINISTRATOR


def _outside(row: _Row, name: str) -> None:
    row.bad_value(name, _("is outside the units you administer"))


def _read_unit_rows(plan: _Plan) -> list[_UnitPlan]:
    table = plan.table(UNITS)
    if table is None:
        return []
    items: list[_UnitPlan] = []
    first_line: dict[str, int] = {}
    for row in plan.read(table):
        code = row.cells["code"]
        if not code:
            continue  # reported as required
        if code in first_line:
            row.bad_value(
                "code", _("appears again (first on line %(line)s)") % {"line": first_line[code]}
            )
            continue
        first_line[code] = row.line
        if not CODE_PATTERN.match(code):
            row.bad_value("code", _("must not contain spaces"))
        kind_text = row.cells["kind"]
        kind = KIND_ALIASES.get(kind_text.lower(), "")
        if kind_text and not kind:
            row.bad_value(
                "kind",
                _("is not a kind of unit (use %(kinds)s)")
                % {
                    "kinds": ", ".join(
                        [*OrgUnitKind.values, "总行", "分行", "支行", "网点", "部门"]
                    )
                },
            )
        optional: dict[str, Any] = {
            name: row.cells[name] for name in ("name_en", "name_es") if row.has(name)
        }
        if row.has("is_active"):
            optional["is_active"] = _parse_bool(row, "is_active")
        items.append(
            _UnitPlan(
                row=row,
                code=code,
                name=row.cells["name"],
                kind=kind,
                parent_code=row.cells.get("parent_code") or None,
                has_parent=row.has("parent_code"),
                optional=optional,
            )
        )
    return items


def _plan_units(plan: _Plan, stored: dict[str, _Unit], access: _Access) -> None:
    items = _read_unit_rows(plan)
    by_code = {item.code: item for item in items}
    # The tree as it will be: the file's rows over what is stored.
    final = {
        code: _Unit(code=code, kind=unit.kind, parent_code=unit.parent_code, path=unit.path)
        for code, unit in stored.items()
    }
    for item in items:
        before = stored.get(item.code)
        keep_parent = before.parent_code if before is not None else None
        final[item.code] = _Unit(
            code=item.code,
            kind=item.kind,
            parent_code=item.parent_code if item.has_parent else keep_parent,
            path=before.path if before is not None else None,
        )
    children: dict[str, list[str]] = {}
    for code, unit in final.items():
        if unit.parent_code is not None:
            children.setdefault(unit.parent_code, []).append(code)
    for item in items:
        parent_code = final[item.code].parent_code
        if parent_code is not None and parent_code not in final:
            item.row.bad_value("parent_code", _("is not a known unit"))
    in_cycle = _report_cycles(items, final, by_code)

    for item in items:
        before = stored.get(item.code)
        parent_code = final[item.code].parent_code
        parent = final.get(parent_code) if parent_code is not None else None
        if item.kind and item.code not in in_cycle:
            _check_parent_kind(item, parent_code, parent)
            if before is not None and item.kind != before.kind:
                _check_children_kinds(item, children, final, by_code)
        if before is None:
            item.action = CREATE
        else:
            item.changed = _unit_changes(item, before)
            item.action = UPDATE if item.changed else UNCHANGED
        _check_unit_scope(item, before, parent_code, parent, access)

    if not any(item.row.issues for item in items):
        depth: dict[str, int] = {}
        items.sort(key=lambda item: (_depth(item.code, final, depth), item.row.line))
    plan.units = items


def _check_parent_kind(item: _UnitPlan, parent_code: str | None, parent: _Unit | None) -> None:
    if parent_code is None:
        if None not in ALLOWED_PARENT_KINDS[item.kind]:
            item.row.bad_value("kind", _("cannot be a top-level unit: give its parent_code"))
        return
    if parent is None or not parent.kind:
        return  # an unknown parent, or a parent of a bad kind, is reported on its own
    if parent.kind not in ALLOWED_PARENT_KINDS[item.kind]:
        item.row.bad_value(
            "kind",
            _("cannot sit under %(parent)s, a unit of kind %(parent_kind)s")
            % {"parent": parent.code, "parent_kind": parent.kind},
        )


def _check_children_kinds(
    item: _UnitPlan,
    children: dict[str, list[str]],
    final: dict[str, _Unit],
    by_code: dict[str, _UnitPlan],
) -> None:
    """A unit that changes kind must still suit the stored units under it."""
    for child in sorted(children.get(item.code, [])):
        if child in by_code:
            continue  # a child in the file is checked on its own row
        if item.kind not in ALLOWED_PARENT_KINDS[final[child].kind]:
            item.row.bad_value(
                "kind",
                _("does not fit: %(child)s, a unit of kind %(child_kind)s, sits under this unit")
                % {"child": child, "child_kind": final[child].kind},
            )


def _check_unit_scope(
    item: _UnitPlan,
    before: _Unit | None,
    parent_code: str | None,
    parent: _Unit | None,
    access: _Access,
) -> None:
    """The actor administers a stored unit itself, and the parent of a new or moved one."""
    if before is not None and before.path is not None and not access.administers(before.path):
        _outside(item.row, "code")
        return
    if before is not None and "parent_code" not in item.changed:
        return
    if parent_code is None:
        if not access.is_unrestricted:
            item.row.bad_value("code", _("can be a top-level unit only for a superuser"))
    elif parent is not None and parent.path is not None and not access.administers(parent.path):
        _outside(item.row, "parent_code")
    # A parent created by the file sits under a unit checked on the parent's own row.


def _report_cycles(
    items: list[_UnitPlan], final: dict[str, _Unit], by_code: dict[str, _UnitPlan]
) -> set[str]:
    """Report each loop of parent codes once, on the first of its rows; return its codes."""
    done: set[str] = set()
    cyclic: set[str] = set()
    for item in sorted(items, key=lambda i: i.row.line):
        chain: list[str] = []
        on_chain: set[str] = set()
        code: str | None = item.code
        while code is not None and code not in done and code in final:
            if code in on_chain:
                loop = chain[chain.index(code) :]
                cyclic.update(loop)
                first = min((by_code[c] for c in loop if c in by_code), key=lambda i: i.row.line)
                at = loop.index(first.code)
                turn = [*loop[at:], *loop[:at], first.code]
                first.row.bad_value(
                    "parent_code", _("makes a cycle: %(cycle)s") % {"cycle": " → ".join(turn)}
                )
                break
            chain.append(code)
            on_chain.add(code)
            code = final[code].parent_code
        done.update(chain)
    return cyclic


def _depth(code: str, final: dict[str, _Unit], memo: dict[str, int]) -> int:
    """How far below the top ``code`` will sit (the tree has no cycle by now)."""
    chain: list[str] = []
    current: str | None = code
    base = 0
    while current is not None:
        if current in memo:
            base = memo[current] + 1
            break
        chain.append(current)
        current = final[current].parent_code if current in final else None
    for offset, item in enumerate(reversed(chain)):
        memo[item] = base + offset
    return memo[code]


def _unit_changes(item: _UnitPlan, before: _Unit) -> tuple[str, ...]:
    changed = []
    if item.name != before.name:
        changed.append("name")
    if item.kind != before.kind:
        changed.append("kind")
    if item.has_parent and item.parent_code != before.parent_code:
        changed.append("parent_code")
    changed += [name for name, value in item.optional.items() if getattr(before, name) != value]
    return tuple(changed)


def _plan_employees(plan: _Plan, stored_units: dict[str, _Unit], access: _Access) -> None:
    table = plan.table(EMPLOYEES)
    if table is None:
        return
    posts = _PostIndex()
    created_units = {item.code for item in plan.units if item.action == CREATE}
    rows = plan.read(table)
    numbers = sorted({row.cells["staff_number"] for row in rows} - {""})
    plan.stored_employees = _load_employees(numbers)
    first_line: dict[str, int] = {}
    for row in rows:
        number = row.cells["staff_number"]
        if not number:
            continue  # reported as required
        if number in first_line:
            row.bad_value(
                "staff_number",
                _("appears again (first on line %(line)s)") % {"line": first_line[number]},
            )
            continue
        first_line[number] = row.line
        _check(row, "staff_number", staff_number_validator, _("is not a valid staff number"))
        unit_code = row.cells["unit_code"]
        unit = stored_units.get(unit_code)
        if unit_code and unit is None and unit_code not in created_units:
            row.bad_value("unit_code", _("is not a known unit"))
        elif unit is not None and unit.path is not None and not access.administers(unit.path):
            _outside(row, "unit_code")
        post = _find_post(row, posts)
        values: dict[str, Any] = {"name": row.cells["name"]}
        if row.has("hire_date"):
            values["hire_on"] = _parse_date(row, "hire_date")
        if row.has("phone"):
            values["phone"] = row.cells["phone"]
            _check(row, "phone", phone_validator, _("is not a valid phone number"))
        if row.has("email"):
            values["email"] = row.cells["email"]
            _check(row, "email", validate_email, _("is not a valid e-mail address"))
        if row.has("is_active"):
            values["is_active"] = _parse_bool(row, "is_active")
        item = _EmployeePlan(
            row=row, staff_number=number, values=values, unit_code=unit_code, post=post
        )
        before = plan.stored_employees.get(number)
        if before is None:
            item.action = CREATE
        else:
            if not access.administers(before.unit.path):
                _outside(row, "staff_number")
            item.changed = _employee_changes(item, before)
            item.action = UPDATE if item.changed else UNCHANGED
        plan.employees.append(item)


def _find_post(row: _Row, posts: _PostIndex) -> Post | None:
    text = row.cells["post_code"]
    if not text:
        return None
    found = posts.find(text)
    if not found:
        row.bad_value("post_code", _("is not a known post"))
        return None
    if len(found) > 1:
        row.bad_value("post_code", _("names more than one post: use the post's code"))
        return None
    return found[0]


def _employee_changes(item: _EmployeePlan, before: Employee) -> tuple[str, ...]:
    changed = []
    if item.unit_code != before.unit.code:
        changed.append("unit")
    if item.post is not None and item.post.pk != before.post_id:
        changed.append("post")
    changed += [name for name, value in item.values.items() if getattr(before, name) != value]
    return tuple(changed)


def _plan(actor: Any, data: bytes, filename: str) -> _Plan:
    plan = _Plan()
    try:
        sheets = read_table(data, filename)
    except TableError as exc:
        plan.issues.append(Issue(exc.message))
        return plan
    if not sheets:
        plan.issues.append(Issue(_("The file is empty.")))
        return plan
    plan.tables = _recognise(sheets, plan.issues)
    if not plan.tables and not plan.issues:
        plan.issues.append(
            Issue(_("The workbook has no sheet named units or employees (机构 / 员工)."))
        )
    access = _Access(actor)
    stored_units = _load_units()
    _plan_units(plan, stored_units, access)
    _plan_employees(plan, stored_units, access)
    return plan


# Writing ---------------------------------------------------------------------------------


class _WriteFailed(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _failed(row: _Row, exc: DomainError) -> _WriteFailed:
    return _WriteFailed(Issue(exc.message, sheet=row.table.label, line=row.line))


def _write_units(actor: Any, items: list[_UnitPlan]) -> bool:
    """Create and update units, parents first; True when a unit moved."""
    moved = False
    for item in items:
        if item.action == UNCHANGED:
            continue
        # Fetched afresh: a move rewrites the paths of the units below.
        parent = (
            OrgUnit.objects.get(code=item.parent_code)
            if item.parent_code and (item.action == CREATE or "parent_code" in item.changed)
            else None
        )
        try:
            if item.action == CREATE:
                unit = org_unit_create(
                    actor=actor,
                    code=item.code,
                    name=item.name,
                    kind=item.kind,
                    parent=parent,
                    name_en=item.optional.get("name_en", ""),
                    name_es=item.optional.get("name_es", ""),
                )
                if item.optional.get("is_active") is False:
                    org_unit_update(actor=actor, unit=unit, is_active=False)
                continue
            values = {"name": item.name, "kind": item.kind, **item.optional}
            fields = {name: value for name, value in values.items() if name in item.changed}
            moved = moved or parent is not None
            org_unit_update(
                actor=actor, unit=OrgUnit.objects.get(code=item.code), parent=parent, **fields
            )
        except DomainError as exc:
            raise _failed(item.row, exc) from exc
    return moved


def _write_employees(actor: Any, plan: _Plan, moved: bool) -> None:
    pending = [item for item in plan.employees if item.action != UNCHANGED]
    if not pending:
        return
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={i.unit_code for i in pending})}
    _employees_create_many(actor, [i for i in pending if i.action == CREATE], units)
    for item in pending:
        if item.action != UPDATE:
            continue
        employee = plan.stored_employees[item.staff_number]
        if moved:
            employee.unit = OrgUnit.objects.get(pk=employee.unit_id)
        fields = {name: item.values[name] for name in item.changed if name in item.values}
        if "unit" in item.changed:
            fields["unit"] = units[item.unit_code]
        if "post" in item.changed:
            fields["post"] = item.post
        try:
            employee_update(actor=actor, employee=employee, **fields)
        except DomainError as exc:
            raise _failed(item.row, exc) from exc


def _employees_create_many(
    actor: Any, items: list[_EmployeePlan], units: dict[str, OrgUnit]
) -> None:
    employees: list[Employee] = []
    for item in items:
        if item.post is None:  # validation reported it; nothing gets here without a post
            raise _failed(item.row, DomainError(_("The post is missing.")))
        employees.append(
            Employee(
                staff_number=item.staff_number,
                name=item.values["name"],
                unit=units[item.unit_code],
                post=item.post,
                hire_on=item.values.get("hire_on"),
                phone=item.values.get("phone", ""),
                email=item.values.get("email", ""),
                is_active=item.values.get("is_active", True),
            )
        )
    employee_create_many(actor=actor, employees=employees)


def _write(actor: Any, plan: _Plan) -> None:
    moved = _write_units(actor, plan.units)
    if moved and actor is not None:
        forget_scope(actor)  # the actor's grants on a moved unit now sit at a new path
    _write_employees(actor, plan, moved)


# The import ------------------------------------------------------------------------------

# The columns of each kind of row that the preview shows, with their titles.
PREVIEW_COLUMNS = {
    UNITS: (
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("kind", gettext_lazy("Kind")),
        ("parent_code", gettext_lazy("Parent")),
    ),
    EMPLOYEES: (
        ("staff_number", gettext_lazy("Staff number")),
        ("name", gettext_lazy("Name")),
        ("unit_code", gettext_lazy("Unit")),
        ("post_code", gettext_lazy("Post")),
    ),
}
_EMPLOYEE_COLUMN_OF = {"unit": "unit_code", "post": "post_code", "hire_on": "hire_date"}


def _shown(row: _Row, kind: str) -> dict[str, str]:
    return {name: row.cells.get(name, "") for name, _title in PREVIEW_COLUMNS[kind]}


def _result(plan: _Plan, *, applied: bool) -> ImportResult:
    result = ImportResult(
        errors=plan.errors(),
        labels={kind: str(label) for kind, label in KIND_LABELS.items()},
        is_applied=applied,
    )
    kinds = {table.kind: table for table in plan.tables}
    if UNITS in kinds:
        table = kinds[UNITS]
        result.rows[UNITS] = [
            PlannedRow(
                sheet=table.label,
                line=item.row.line,
                key=item.code,
                action=item.action,
                values={
                    name: item.row.cells.get(name, "") for name, _title in PREVIEW_COLUMNS[UNITS]
                },
                changed=tuple(table.headers.get(name, name) for name in item.changed),
            )
            for item in sorted(plan.units, key=lambda i: i.row.line)
        ]
    if EMPLOYEES in kinds:
        table = kinds[EMPLOYEES]
        result.rows[EMPLOYEES] = [
            PlannedRow(
                sheet=table.label,
                line=item.row.line,
                key=item.staff_number,
                action=item.action,
                values={
                    name: item.row.cells.get(name, "")
                    for name, _title in PREVIEW_COLUMNS[EMPLOYEES]
                },
                changed=tuple(
                    table.headers.get(_EMPLOYEE_COLUMN_OF.get(name, name), name)
                    for name in item.changed
                ),
            )
            for item in plan.employees
        ]
    for kind, rows in result.rows.items():
        counts = Counts()
        for row in rows:
            if row.action == CREATE:
                counts.created += 1
            elif row.action == UPDATE:
                counts.updated += 1
            else:
                counts.unchanged += 1
        result.counts[kind] = counts
    return result


def org_import(*, actor: Any, data: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Import units and employees from a CSV or XLSX file: every row, or none of them.

    With ``dry_run``, or when a row is bad, nothing is written and the result says what
    would be created, updated or left unchanged, or lists every error.
    """
    if dry_run:
        return _result(_plan(actor, data, filename), applied=False)
    with transaction.atomic():
        plan = _plan(actor, data, filename)
        if plan.errors():
            return _result(plan, applied=False)
        try:
            with transaction.atomic():
                _write(actor, plan)
        except _WriteFailed as exc:
            plan.issues.append(exc.issue)
            return _result(plan, applied=False)
        except IntegrityError:
            plan.issues.append(
                Issue(_("The organisation changed while the file was imported: try again."))
            )
            return _result(plan, applied=False)
    return _result(plan, applied=True)


def org_import_template() -> bytes:
    """An empty workbook with the units and employees sheets, and notes on every column.

    Headers and sheet names are Chinese when the active language is Chinese.
    """
    chinese = (get_language() or "").startswith("zh")
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = []
    notes: list[list[Any]] = []
    for kind, columns in COLUMNS.items():
        name = {UNITS: "机构", EMPLOYEES: "员工"}[kind] if chinese else kind
        sheets.append((name, [c.chinese if chinese else c.english for c in columns], []))
        for column in columns:
            notes.append(
                [
                    name,
                    column.english,
                    column.chinese,
                    _("yes") if column.required else _("no"),
                    str(column.help),
                ]
            )
    header = [_("Sheet"), _("Column"), _("Column (Chinese)"), _("Required"), _("Values")]
    sheets.append((_("Notes"), header, notes))
    return write_xlsx(sheets)


class OrgImporter:
    """``ventanilla import org FILE``: units and employees."""

    kind = "org"

    def run(self, *, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
        return org_import(actor=actor, data=data, filename=filename, dry_run=dry_run)

    def template(self) -> bytes:
        return org_import_template()


register_importer(OrgImporter())
