"""Reads of the organisation, every one restricted to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ventanilla.core.scoping import Grant, Role, scope_for
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    PostAssignment,
)


def grants_for_user(user: Any) -> Iterable[Grant]:
    """The user's posts as grants: one query, active employees only."""
    rows = (
        PostAssignment.objects.filter(employee__user=user, employee__is_active=True)
        .select_related("unit")
        .only("id", "role", "unit__path")
    )
    return [Grant(path=a.unit.path, role=Role(a.role), assignment_id=a.id) for a in rows]


def assignment_list_for_user(user: Any) -> QuerySet[PostAssignment]:
    """The user's own posts, for the unit switcher."""
    return (
        PostAssignment.objects.filter(employee__user=user, employee__is_active=True)
        .select_related("unit", "post")
        .order_by("-is_primary", "unit__path")
    )


def org_unit_list(*, user: Any, root: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Units the user may see, in tree order; under ``root`` when given."""
    qs = OrgUnit.objects.visible_to(user)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs.order_by("path")


def org_unit_get(*, user: Any, code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(user), code=code)


def org_unit_roots(*, user: Any) -> list[OrgUnit]:
    """The top of what the user sees: one unit per post, nested posts folded in."""
    scope = scope_for(user)
    if scope.is_global:
        return list(OrgUnit.objects.filter(depth=1).order_by("path"))
    return list(OrgUnit.objects.filter(path__in=scope.paths()).order_by("path"))


def org_unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain above ``unit`` (for breadcrumbs); one query."""
    paths = [unit.path[:i] for i in range(unit.steplen, len(unit.path), unit.steplen)]
    return list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))


def sub_branch_of(unit: OrgUnit) -> OrgUnit:
    """The sub-branch that holds ``unit`` (the unit itself for a sub-branch, or when none is
    above it): whose ledger a complaint sits in, whose staff look after a customer."""
    if unit.kind == OrgUnitKind.SUB_BRANCH:
        return unit
    paths = [unit.path[:i] for i in range(unit.steplen, len(unit.path), unit.steplen)]
    found = (
        OrgUnit.objects.filter(path__in=paths, kind=OrgUnitKind.SUB_BRANCH)
        .order_by("-depth")
        .first()
    )
    return found or unit


def employee_list(*, user: Any) -> QuerySet[Employee]:
    return Employee.objects.visible_to(user).select_related("unit", "post", "user")


def employee_get(*, user: Any, staff_number: str) -> Employee:
    return get_object_or_404(employee_list(user=user), staff_number=staff_number)


def _members() -> Prefetch:
    members = GroupMembership.objects.select_related("employee", "employee__post").order_by(
        "role", "employee__staff_number"
    )
    return Prefetch("memberships", queryset=members)


def group_list(*, user: Any) -> QuerySet[OrgGroup]:
    """Groups with their member count and members.

    The count annotation groups rows, and Django drops Meta.ordering from grouped queries:
    the order is restated so that pages do not overlap.
    """
    return (
        OrgGroup.objects.visible_to(user)
        .select_related("unit")
        .annotate(member_count=Count("memberships"))
        .prefetch_related(_members())
        .order_by("unit__path", "kind", "name")
    )


def group_get(*, user: Any, pk: int) -> OrgGroup:
    return get_object_or_404(
        OrgGroup.objects.visible_to(user).select_related("unit").prefetch_related(_members()),
        pk=pk,
    )


def post_assignment_list_for_employee(*, user: Any, employee: Employee) -> QuerySet:
    """The employee's posts at units the user may see, main post first."""
    return (
        PostAssignment.objects.visible_to(user)
        .filter(employee=employee)
        .select_related("unit", "post")
        .order_by("-is_primary", "unit__path")
    )


def group_membership_list_for_employee(*, user: Any, employee: Employee) -> QuerySet:
    """The employee's seats in groups of units the user may see."""
    return (
        GroupMembership.objects.visible_to(user)
        .filter(employee=employee)
        .select_related("group", "group__unit")
        .order_by("group__unit__path", "group__name")
    )


def emergency_contact_list(*, user: Any) -> QuerySet[EmergencyContact]:
    return EmergencyContact.objects.visible_to(user).select_related("unit", "primary", "backup")


def emergency_contact_get(*, user: Any, pk: int) -> EmergencyContact:
    return get_object_or_404(emergency_contact_list(user=user), pk=pk)


def org_figures(*, user: Any, root: OrgUnit | None = None) -> dict[str, Any]:
    """The home dashboard's organisation panel: a fixed number of queries."""
    units = org_unit_list(user=user, root=root)
    by_kind = dict(
        units.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    employees = employee_list(user=user)
    if root is not None:
        employees = employees.filter(unit__path__startswith=root.path)
    staff = employees.aggregate(
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
    )
    by_post = list(
        employees.filter(is_active=True)
        .values("post__code", "post__name", "post__name_en", "post__name_es")
        .annotate(n=Count("id"))
        .order_by("-n", "post__code")
    )
    contacts = emergency_contact_list(user=user)
    groups = group_list(user=user)
    if root is not None:
        contacts = contacts.filter(unit__path__startswith=root.path)
        groups = groups.filter(unit__path__startswith=root.path)
    covered = set(contacts.values_list("unit_id", flat=True).distinct())
    outlets = units.filter(kind__in=[OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH])
    return {
        "units_by_kind": {kind: by_kind.get(kind, 0) for kind in OrgUnitKind.values},
        "staff_active": staff["active"] or 0,
        "staff_inactive": staff["inactive"] or 0,
        "staff_by_post": by_post,
        "group_count": groups.count(),
        "contact_count": contacts.count(),
        "units_without_contacts": outlets.exclude(id__in=covered).count(),
    }
