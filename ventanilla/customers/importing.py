"""Import of customers from a CSV or XLSX file (an extract of the core banking system).

One sheet (the first of a workbook), headers in English or Chinese. Rows are keyed by the
customer number: importing the same file twice changes nothing the second time, and a row
whose values are unchanged is not written. Every row is checked before anything is
written; one bad row means nothing is written, and each bad row is reported with its line.
A change of relationship manager closes the open assignment and opens a new one, so the
history is kept as when a manager changes it on the customer page.

The importing user must be a manager of every customer's home unit; ``actor=None`` is the
operator, with full rights.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.audit import audit_created_many
from ventanilla.core.scoping import Role, role_at
from ventanilla.core.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    Counts,
    ImportResult,
    Issue,
    PlannedRow,
    SheetImporter,
    SheetRow,
    columns_template,
    read_sheet_rows,
    register_importer,
)
from ventanilla.customers.models import (
    MAX_VIP_LEVEL,
    TIERS_OF_KIND,
    Customer,
    CustomerIdType,
    CustomerKind,
    RelationshipAssignment,
    Tier,
)
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind
from ventanilla.org.selectors import sub_branch_of

CUSTOMERS = "customers"
IMPORT_REASON = gettext_lazy("Import")


COLUMNS = (
    Column("number", ("number", "客户号"), True, gettext_lazy("Customer number, unique.")),
    Column(
        "kind",
        ("kind", "客户类型"),
        True,
        gettext_lazy("individual or corporate (or 个人 / 对公)."),
    ),
    Column("name", ("name", "客户名称", "姓名"), True, gettext_lazy("Full name or company name.")),
    Column(
        "tier",
        ("tier", "客户层级"),
        True,
        gettext_lazy(
            "Individuals: core, key, potential, basic; companies: corporate_vip, industrial, sme."
        ),
    ),
    Column("unit", ("unit", "归属机构代码"), True, gettext_lazy("Code of the home unit.")),
    Column(
        "id_type",
        ("id_type", "证件类型"),
        False,
        gettext_lazy("resident, passport, credit_code or other; blank means resident."),
    ),
    Column("id_number", ("id_number", "证件号码"), False, gettext_lazy("ID or credit code.")),
    Column("phone", ("phone", "联系电话"), False, gettext_lazy("Contact phone.")),
    Column("birthday", ("birthday", "生日"), False, gettext_lazy("YYYY-MM-DD, individuals.")),
    Column("vip_level", ("vip_level", "星级"), False, gettext_lazy("0 to 7; blank means 0.")),
    Column(
        "manager",
        ("manager", "客户经理工号"),
        False,
        gettext_lazy("Staff number of the relationship manager; blank for none."),
    ),
    Column("opened_on", ("opened_on", "开户日期"), False, gettext_lazy("YYYY-MM-DD.")),
    Column(
        "is_active",
        ("is_active", "有效"),
        False,
        gettext_lazy("true/false, 1/0 or 是/否; blank means active."),
    ),
)
KIND_ALIASES = {
    "individual": CustomerKind.INDIVIDUAL,
    "个人": CustomerKind.INDIVIDUAL,
    "corporate": CustomerKind.CORPORATE,
    "对公": CustomerKind.CORPORATE,
}
TRUE_WORDS = {"true", "1", "yes", "y", "是"}
FALSE_WORDS = {"false", "0", "no", "n", "否"}
# The fields compared to tell an unchanged row, in the order they are stored.
STORED = (
    "kind",
    "name",
    "tier",
    "unit_id",
    "id_type",
    "id_number",
    "phone",
    "birthday",
    "vip_level",
    "manager_id",
    "opened_on",
    "is_active",
)


class _Lookups:
    """Units, employees and stored customers the file names, each read once."""

    def __init__(self, rows: list[SheetRow]) -> None:
        def wanted(name: str) -> set[str]:
            return {r.cells[name] for r in rows if r.cells.get(name)}

        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted("unit"))}
        self.employees = {
            e.staff_number: e
            for e in Employee.objects.filter(staff_number__in=wanted("manager")).select_related(
                "unit"
            )
        }
        self.customers = {c.number: c for c in Customer.objects.filter(number__in=wanted("number"))}
        self._sub_branches: dict[str, str] = {}

    def sub_branch_path(self, unit: OrgUnit) -> str:
        """The path of the unit's sub-branch, looked up once per unit of the file."""
        if unit.path not in self._sub_branches:
            self._sub_branches[unit.path] = sub_branch_of(unit).path
        return self._sub_branches[unit.path]


def _values(row: SheetRow, lookups: _Lookups, actor: Any) -> dict[str, Any]:
    """The stored values the row asks for; problems go to ``row.errors``."""
    cells = row.cells
    values: dict[str, Any] = {}
    kind = KIND_ALIASES.get(cells.get("kind", "").lower()) or KIND_ALIASES.get(
        cells.get("kind", "")
    )
    if kind is None:
        row.bad("kind", _("must be individual or corporate"))
    values["kind"] = kind
    name = cells.get("name", "")
    if not name:
        row.bad("name", _("is required"))
    elif len(name) > Customer._meta.get_field("name").max_length:
        row.bad("name", _("is too long"))
    values["name"] = name
    tier = cells.get("tier", "").lower()
    if tier not in Tier.values:
        row.bad("tier", _("“%(value)s” is not a tier") % {"value": cells.get("tier", "")})
    elif kind is not None and tier not in TIERS_OF_KIND[kind]:
        row.bad(
            "tier",
            _("%(tier)s is not a tier for %(kind)s customers")
            % {"tier": tier, "kind": CustomerKind(kind).label},
        )
    values["tier"] = tier
    unit = lookups.units.get(cells.get("unit", ""))
    if unit is None:
        row.bad("unit", _("no unit has the code “%(code)s”") % {"code": cells.get("unit", "")})
    elif unit.kind not in (OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH):
        row.bad("unit", _("a customer belongs to an outlet or a sub-branch"))
    elif actor is not None and (role_at(actor, unit.path) or 0) < Role.MANAGER:
        row.bad("unit", _("you are not a manager of %(code)s") % {"code": unit.code})
    values["unit_id"] = unit.pk if unit else None
    id_type = cells.get("id_type", "").lower() or CustomerIdType.RESIDENT
    if id_type not in CustomerIdType.values:
        row.bad("id_type", _("“%(value)s” is not an ID type") % {"value": id_type})
    values["id_type"] = id_type
    values["id_number"] = cells.get("id_number", "")
    values["phone"] = cells.get("phone", "")
    values["birthday"] = row.date("birthday")
    level_text = cells.get("vip_level", "") or "0"
    if not level_text.isdigit() or int(level_text) > MAX_VIP_LEVEL:
        row.bad("vip_level", _("must be a whole number from 0 to %(max)s") % {"max": MAX_VIP_LEVEL})
        level_text = "0"
    values["vip_level"] = int(level_text)
    staff_number = cells.get("manager", "")
    manager = lookups.employees.get(staff_number) if staff_number else None
    if staff_number and manager is None:
        row.bad("manager", _("no employee has the staff number “%(n)s”") % {"n": staff_number})
    elif manager is not None:
        if not manager.is_active:
            row.bad("manager", _("%(n)s has left") % {"n": staff_number})
        elif unit is not None and not manager.unit.path.startswith(lookups.sub_branch_path(unit)):
            row.bad(
                "manager", _("%(n)s works outside the customer's sub-branch") % {"n": staff_number}
            )
    values["manager_id"] = manager.pk if manager else None
    values["opened_on"] = row.date("opened_on")
    active = cells.get("is_active", "").lower()
    if active and active not in TRUE_WORDS | FALSE_WORDS:
        row.bad("is_active", _("must be true or false"))
    values["is_active"] = active not in FALSE_WORDS
    return values


def customer_import(*, actor: Any, data: bytes, filename: str, dry_run: bool) -> ImportResult:
    """Check every row of the file and, unless ``dry_run`` or a row is bad, write them all."""
    result = ImportResult(labels={CUSTOMERS: _("customers")})
    read = read_sheet_rows(data, filename, COLUMNS, result)
    if read is None:
        return result
    sheet, rows = read
    lookups = _Lookups(rows)
    seen: dict[str, int] = {}
    planned: list[tuple[SheetRow, dict[str, Any]]] = []
    for row in rows:
        number = row.cells.get("number", "")
        if not number:
            row.bad("number", _("is required"))
        elif number in seen:
            row.bad("number", _("repeats line %(line)s") % {"line": seen[number]})
        else:
            seen[number] = row.line
        values = _values(row, lookups, actor)
        stored = lookups.customers.get(number)
        if stored is not None and actor is not None:
            held = role_at(actor, stored.unit.path)
            if held is None or held < Role.MANAGER:
                row.bad("number", _("the customer belongs to a unit you do not manage"))
        for error in row.errors:
            result.errors.append(Issue(error, sheet=sheet.name, line=row.line))
        planned.append((row, values))
    if result.errors:
        return result
    counts = Counts()
    plan_rows: list[PlannedRow] = []
    for row, values in planned:
        stored = lookups.customers.get(row.cells["number"])
        if stored is None:
            action, changed = CREATE, ()
        else:
            changed = tuple(f for f in STORED if getattr(stored, f) != values[f])
            action = UPDATE if changed else UNCHANGED
        if action == CREATE:
            counts.created += 1
        elif action == UPDATE:
            counts.updated += 1
        else:
            counts.unchanged += 1
        plan_rows.append(
            PlannedRow(
                sheet=sheet.name or "",
                line=row.line,
                key=row.cells["number"],
                action=action,
                values={"number": row.cells["number"], "tier": values["tier"]},
                changed=changed,
            )
        )
    result.counts[CUSTOMERS] = counts
    result.rows[CUSTOMERS] = plan_rows
    if dry_run:
        return result
    _write(planned, lookups, actor)
    result.is_applied = True
    return result


@transaction.atomic
def _write(planned: list[tuple[SheetRow, dict[str, Any]]], lookups: _Lookups, actor: Any) -> None:
    today = timezone.localdate()
    reason = str(IMPORT_REASON)
    new: list[Customer] = []
    for row, values in planned:
        stored = lookups.customers.get(row.cells["number"])
        if stored is None:
            new.append(Customer(number=row.cells["number"], **values))
            continue
        changed = [f for f in STORED if getattr(stored, f) != values[f]]
        if not changed:
            continue
        if "manager_id" in changed:
            RelationshipAssignment.objects.filter(customer=stored, ended_on__isnull=True).update(
                ended_on=today
            )
            if values["manager_id"] is not None:
                RelationshipAssignment.objects.create(
                    customer=stored,
                    employee_id=values["manager_id"],
                    started_on=today,
                    assigned_by=actor,
                    reason=reason,
                )
        for field in changed:
            setattr(stored, field, values[field])
        stored.save(
            update_fields=[f.removesuffix("_id") if f.endswith("_id") else f for f in changed]
        )
    created = Customer.objects.bulk_create(new, batch_size=2000)
    audit_created_many(created)
    assignments = RelationshipAssignment.objects.bulk_create(
        [
            RelationshipAssignment(
                customer=customer,
                employee_id=customer.manager_id,
                started_on=today,
                assigned_by=actor,
                reason=reason,
            )
            for customer in created
            if customer.manager_id is not None
        ],
        batch_size=2000,
    )
    audit_created_many(assignments)


def customer_import_template() -> bytes:
    return columns_template(CUSTOMERS, COLUMNS)


register_importer(SheetImporter("customers", CUSTOMERS, COLUMNS, customer_import))
