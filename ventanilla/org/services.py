"""Every change to the organisation: one function each, atomic, naming its actor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.core.audit import acting_as, audit_created_many
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, forget_scope, role_at
from ventanilla.org.models import (
    ALLOWED_PARENT_KINDS,
    EmergencyContact,
    Employee,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    Post,
    PostAssignment,
)


def _require(actor: Any, path: str, role: Role) -> None:
    if actor is None:  # system work: commands run by the operator, the demo generator
        return
    held = role_at(actor, path)
    if held is None or held < role:
        raise DomainError(_("You are not allowed to change this unit."), code="forbidden")


def check_parent_kind(kind: str, parent: OrgUnit | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        raise DomainError(
            _("A unit of kind %(kind)s cannot sit under %(parent)s.")
            % {"kind": kind, "parent": parent_kind or _("nothing (the top)")},
            code="bad_parent",
        )


@transaction.atomic
def org_unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    name_en: str = "",
    name_es: str = "",
) -> OrgUnit:
    if parent is None:
        if actor is not None and not actor.is_superuser:
            raise DomainError(_("Only a superuser can create a top-level unit."), code="forbidden")
    else:
        _require(actor, parent.path, Role.ADMINISTRATOR)
    check_parent_kind(kind, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise DomainError(_("A unit with code %(code)s exists already.") % {"code": code})
    fields = {"code": code, "name": name, "kind": kind, "name_en": name_en, "name_es": name_es}
    with acting_as(actor):
        if parent is None:
            return OrgUnit.objects.add_root(fields)
        return OrgUnit.objects.add_child(parent, fields)


@transaction.atomic
def org_unit_update(
    *, actor: Any, unit: OrgUnit, parent: OrgUnit | None = None, **fields: Any
) -> OrgUnit:
    """Change names, kind or activity, and move the unit under ``parent`` if it differs."""
    _require(actor, unit.path, Role.ADMINISTRATOR)
    kind = fields.get("kind", unit.kind)
    current_parent = OrgUnit.objects.get_parent(unit)
    if parent is not None and parent.path.startswith(unit.path):
        raise DomainError(_("A unit cannot be moved under itself."), code="bad_parent")
    target_parent = parent if parent is not None else current_parent
    check_parent_kind(kind, target_parent)
    with acting_as(actor):
        if parent is not None and (current_parent is None or parent.pk != current_parent.pk):
            _require(actor, parent.path, Role.ADMINISTRATOR)
            OrgUnit.objects.move(unit, parent, pos="last-child")
            unit.refresh_from_db()
        changed = [name for name, value in fields.items() if getattr(unit, name) != value]
        for name in changed:
            setattr(unit, name, fields[name])
        if changed:
            unit.save(update_fields=changed)
    return unit


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    staff_number: str,
    name: str,
    unit: OrgUnit,
    post: Post,
    hire_on: date | None = None,
    phone: str = "",
    email: str = "",
    is_active: bool = True,
) -> Employee:
    """Hire: the employee and their main post assignment, with the post's default role."""
    _require(actor, unit.path, Role.MANAGER)
    if Employee.objects.filter(staff_number=staff_number).exists():
        raise DomainError(
            _("Staff number %(number)s is taken.") % {"number": staff_number}, code="duplicate"
        )
    with acting_as(actor):
        employee = Employee.objects.create(
            staff_number=staff_number,
            name=name,
            unit=unit,
            post=post,
            hire_on=hire_on,
            phone=phone,
            email=email,
            is_active=is_active,
        )
        PostAssignment.objects.create(
            employee=employee, unit=unit, post=post, role=post.default_role, is_primary=True
        )
    return employee


@transaction.atomic
def employee_create_many(*, actor: Any, employees: Sequence[Employee]) -> None:
    """Hire many employees at once (an import), by the rules of ``employee_create``.

    One at a time, most of the time goes into audit entries: a thousand new employees would
    take seconds. Here rows, main post assignments and audit entries are inserted in
    batches. The staff numbers' uniqueness stands on the database constraint.
    """
    for path in {employee.unit.path for employee in employees}:
        _require(actor, path, Role.MANAGER)
    with acting_as(actor):
        Employee.objects.bulk_create(employees, batch_size=500)
        assignments = PostAssignment.objects.bulk_create(
            [
                PostAssignment(
                    employee=employee,
                    unit=employee.unit,
                    post=employee.post,
                    role=employee.post.default_role,
                    is_primary=True,
                )
                for employee in employees
            ],
            batch_size=500,
        )
        audit_created_many([*employees, *assignments])


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, **fields: Any) -> Employee:
    """Change an employee; a new unit or post moves their main assignment with them."""
    _require(actor, employee.unit.path, Role.MANAGER)
    new_unit = fields.get("unit", employee.unit)
    if new_unit.pk != employee.unit_id:
        _require(actor, new_unit.path, Role.MANAGER)
    changed = [name for name, value in fields.items() if getattr(employee, name) != value]
    if not changed:
        return employee
    with acting_as(actor):
        for name in changed:
            setattr(employee, name, fields[name])
        employee.save(update_fields=changed)
        if {"unit", "post"} & set(changed):
            primary = employee.assignments.filter(is_primary=True).first()
            if primary is None:
                PostAssignment.objects.create(
                    employee=employee,
                    unit=employee.unit,
                    post=employee.post,
                    role=employee.post.default_role,
                    is_primary=True,
                )
            else:
                primary.unit = employee.unit
                primary.post = employee.post
                primary.role = employee.post.default_role
                primary.save(update_fields=["unit", "post", "role"])
    if employee.user is not None:
        forget_scope(employee.user)
    return employee


@transaction.atomic
def post_assignment_add(
    *, actor: Any, employee: Employee, unit: OrgUnit, post: Post, role: Role | None = None
) -> PostAssignment:
    """A further post for an employee (an acting or concurrent post at another unit)."""
    _require(actor, unit.path, Role.MANAGER)
    granted = Role(role if role is not None else post.default_role)
    if actor is not None and not actor.is_superuser:
        held = role_at(actor, unit.path) or Role.VIEWER
        if granted > held:
            raise DomainError(_("You cannot grant a role above your own."), code="forbidden")
    if PostAssignment.objects.filter(employee=employee, unit=unit, post=post).exists():
        raise DomainError(_("The employee already holds this post at this unit."))
    with acting_as(actor):
        return PostAssignment.objects.create(
            employee=employee, unit=unit, post=post, role=granted, is_primary=False
        )


@transaction.atomic
def employee_login_set(*, actor: Any, employee: Employee, username: str, password: str) -> Any:
    """Give an employee a login (or reset its password)."""
    _require(actor, employee.unit.path, Role.ADMINISTRATOR)
    user_model = get_user_model()
    with acting_as(actor):
        user = employee.user or user_model(username=username)
        user.username = username
        user.first_name = employee.name
        user.email = employee.email
        user.set_password(password)
        user.save()
        if employee.user_id != user.pk:
            employee.user = user
            employee.save(update_fields=["user"])
    return user


@transaction.atomic
def group_create(*, actor: Any, unit: OrgUnit, kind: str, name: str, duties: str = "") -> OrgGroup:
    _require(actor, unit.path, Role.MANAGER)
    if OrgGroup.objects.filter(unit=unit, name=name).exists():
        raise DomainError(_("This unit already has a group of that name."), code="duplicate")
    with acting_as(actor):
        return OrgGroup.objects.create(unit=unit, kind=kind, name=name, duties=duties)


@transaction.atomic
def group_member_set(
    *,
    actor: Any,
    group: OrgGroup,
    employee: Employee,
    role: str,
    responsibilities: str = "",
) -> GroupMembership:
    """Seat an employee in a group, or change their role and responsibilities there."""
    _require(actor, group.unit.path, Role.MANAGER)
    if role not in GroupRole.values:
        raise DomainError(_("Unknown role in the group: %(role)s.") % {"role": role})
    if role == GroupRole.LEADER:
        other_leader = group.memberships.filter(role=GroupRole.LEADER).exclude(employee=employee)
        if other_leader.exists():
            raise DomainError(_("The group has a leader already."), code="duplicate_leader")
    with acting_as(actor):
        membership, _created = GroupMembership.objects.update_or_create(
            group=group,
            employee=employee,
            defaults={"role": role, "responsibilities": responsibilities},
        )
    return membership


@transaction.atomic
def group_member_remove(*, actor: Any, membership: GroupMembership) -> None:
    _require(actor, membership.group.unit.path, Role.MANAGER)
    with acting_as(actor):
        membership.delete()


@transaction.atomic
def emergency_contact_set(
    *,
    actor: Any,
    unit: OrgUnit,
    duty: str,
    primary: Employee,
    primary_phone: str,
    backup: Employee,
    backup_phone: str,
) -> EmergencyContact:
    """Name the A and B contacts of a unit for a duty (replacing the previous pair)."""
    _require(actor, unit.path, Role.MANAGER)
    if primary.pk == backup.pk:
        raise DomainError(_("The backup (B) must be someone other than the primary (A)."))
    for person in (primary, backup):
        if not person.is_active:
            raise DomainError(
                _("%(name)s is no longer active.") % {"name": person.name}, code="inactive"
            )
    if not primary_phone.strip() or not backup_phone.strip():
        raise DomainError(_("Both contacts need a phone number."))
    with acting_as(actor):
        contact, _created = EmergencyContact.objects.update_or_create(
            unit=unit,
            duty=duty,
            defaults={
                "primary": primary,
                "primary_phone": primary_phone.strip(),
                "backup": backup,
                "backup_phone": backup_phone.strip(),
            },
        )
    return contact
