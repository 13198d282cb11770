"""Organisation pages: the tree, units, employees, groups and emergency contacts.

Views stay thin: they read through the selectors (always scoped to the user), check the
role, validate a form and call one service. Out of scope is 404, in scope without the
role is 403 (``require_role``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, has_role_anywhere, require_role, role_at
from ventanilla.org import selectors, services
from ventanilla.org.filters import EmergencyContactFilter, EmployeeFilter, OrgGroupFilter
from ventanilla.org.forms import (
    EmergencyContactForm,
    EmployeeForm,
    GroupMemberForm,
    managed_units,
)
from ventanilla.org.models import (
    GroupKind,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
)
from ventanilla.org.permissions import can_see_phone, phone_as_seen_by

PAGE_SIZE = 50
# Levels of the tree shown unfolded below each visible root; deeper levels start folded.
TREE_OPEN_LEVELS = 2


def _page(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _can_manage(user: Any, unit_path: str) -> bool:
    held = role_at(user, unit_path)
    return held is not None and held >= Role.MANAGER


def _visible_ancestors(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    """Ancestors for the breadcrumbs, leaving out those above the user's reach."""
    return [a for a in selectors.org_unit_ancestors(unit) if role_at(user, a.path) is not None]


# --- Org tree ---------------------------------------------------------------------------


@dataclass
class TreeNode:
    unit: OrgUnit
    staff: int
    subtree_staff: int = 0
    level: int = 0
    children: list[TreeNode] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.level < TREE_OPEN_LEVELS


def build_tree(units: list[OrgUnit], staff_by_unit: dict[int, int]) -> list[TreeNode]:
    """Nest units (in path order) under their nearest visible parent, in Python."""
    by_path: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in units:
        node = TreeNode(unit=unit, staff=staff_by_unit.get(unit.pk, 0))
        parent = by_path.get(unit.parent_path)
        if parent is None:
            roots.append(node)
        else:
            node.level = parent.level + 1
            parent.children.append(node)
        by_path[unit.path] = node
    # Path order puts descendants after their ancestor; walking backwards sums bottom-up.
    for unit in reversed(units):
        node = by_path[unit.path]
        node.subtree_staff += node.staff
        parent = by_path.get(unit.parent_path)
        if parent is not None:
            parent.subtree_staff += node.subtree_staff
    return roots


@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    root = None
    code = request.GET.get("root", "").strip()
    if code:
        root = selectors.org_unit_get(user=user, code=code)
    units = list(selectors.org_unit_list(user=user, root=root))
    staff = selectors.employee_list(user=user).filter(is_active=True)
    if root is not None:
        staff = staff.filter(unit__path__startswith=root.path)
    staff_by_unit = dict(
        staff.order_by().values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    )
    return render(
        request,
        "org/tree.html",
        {
            "root": root,
            "ancestors": _visible_ancestors(user, root) if root is not None else [],
            "nodes": build_tree(units, staff_by_unit),
            "unit_count": len(units),
            "staff_total": sum(staff_by_unit.values()),
        },
    )


@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = selectors.org_unit_get(user=user, code=code)
    children = selectors.org_unit_list(user=user, root=unit).filter(depth=unit.depth + 1)
    employees = (
        selectors.employee_list(user=user).filter(unit=unit).order_by("-is_active", "staff_number")
    )
    groups = selectors.group_list(user=user).filter(unit=unit).order_by("kind", "name")
    contacts = selectors.emergency_contact_list(user=user).filter(unit=unit).order_by("duty")
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": _visible_ancestors(user, unit),
            "children": list(children),
            "page_obj": _page(request, employees),
            "groups": list(groups),
            "contacts": list(contacts),
            "can_manage": _can_manage(user, unit.path),
        },
    )


# --- Employees --------------------------------------------------------------------------


def _employee_filter(request: HttpRequest) -> EmployeeFilter:
    queryset = selectors.employee_list(user=request.user).order_by("unit__path", "staff_number")
    filterset = EmployeeFilter(request.GET or None, queryset=queryset)
    fields = filterset.form.fields
    # Posts by their name in the reader's language.
    fields["post"].label_from_instance = lambda post: post.display_name
    fields["post"].empty_label = _("All posts")
    fields["is_active"].widget = forms.Select(
        choices=[("", _("All")), ("true", _("Active")), ("false", _("Inactive"))]
    )
    return filterset


@require_GET
def employee_list(request: HttpRequest) -> HttpResponse:
    filterset = _employee_filter(request)
    unit_codes = selectors.org_unit_list(user=request.user).values_list("code", "name")
    return render(
        request,
        "org/employee_list.html",
        {
            "filter": filterset,
            "page_obj": _page(request, filterset.qs),
            "unit_codes": unit_codes,
            "export_query": request.GET.urlencode(),
            "can_create": managed_units(request.user).exists(),
        },
    )


def _text_cell(sheet: Any, value: Any) -> Any:
    """A cell that holds text as text: a name starting with '=' is not a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


@require_GET
def employee_export(request: HttpRequest) -> HttpResponse:
    """The filtered employee list as XLSX, scoped like the page; phones for managers only."""
    user = request.user
    filterset = _employee_filter(request)
    with_phone = has_role_anywhere(user, Role.MANAGER)
    headers = [
        _("Staff number"),
        _("Name"),
        _("Unit code"),
        _("Unit"),
        _("Post"),
        _("Active"),
        _("Hire date"),
    ]
    if with_phone:
        headers += [_("Phone"), _("E-mail")]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Employees")[:31])
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    yes, no = _("Yes"), _("No")
    for employee in filterset.qs.iterator(chunk_size=2000):
        row = [
            employee.staff_number,
            employee.name,
            employee.unit.code,
            employee.unit.display_name,
            employee.post.display_name,
            yes if employee.is_active else no,
            employee.hire_on,
        ]
        if with_phone:
            row += [
                phone_as_seen_by(user, employee),
                employee.email if can_see_phone(user, employee) else "",
            ]
        sheet.append([_text_cell(sheet, value) for value in row])
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="employees-{stamp}.xlsx"'
    workbook.save(response)
    return response


@require_GET
def employee_detail(request: HttpRequest, staff_number: str) -> HttpResponse:
    user = request.user
    employee = selectors.employee_get(user=user, staff_number=staff_number)
    assignments = selectors.post_assignment_list_for_employee(user=user, employee=employee)
    memberships = selectors.group_membership_list_for_employee(user=user, employee=employee)
    return render(
        request,
        "org/employee_detail.html",
        {
            "employee": employee,
            "ancestors": _visible_ancestors(user, employee.unit) + [employee.unit],
            "assignments": list(assignments),
            "memberships": list(memberships),
            "can_manage": _can_manage(user, employee.unit.path),
        },
    )


@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not managed_units(user).exists():
        raise PermissionDenied
    initial: dict[str, Any] = {"is_active": True}
    unit_code = request.GET.get("unit", "").strip()
    if unit_code:
        initial["unit"] = managed_units(user).filter(code=unit_code).first()
    form = EmployeeForm(request.POST or None, user=user, is_new=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Employee %(number)s created.") % {"number": employee.staff_number}
            )
            return redirect("org:employee_detail", staff_number=employee.staff_number)
    return render(request, "org/employee_form.html", {"form": form, "employee": None})


@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, staff_number: str) -> HttpResponse:
    user = request.user
    employee = selectors.employee_get(user=user, staff_number=staff_number)
    require_role(user, employee, Role.MANAGER)
    initial = {
        "name": employee.name,
        "unit": employee.unit,
        "post": employee.post,
        "hire_on": employee.hire_on,
        "phone": employee.phone,
        "email": employee.email,
        "is_active": employee.is_active,
    }
    form = EmployeeForm(request.POST or None, user=user, is_new=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=user, employee=employee, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Employee %(number)s updated.") % {"number": employee.staff_number}
            )
            return redirect("org:employee_detail", staff_number=employee.staff_number)
    return render(request, "org/employee_form.html", {"form": form, "employee": employee})


# --- Groups -----------------------------------------------------------------------------


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.group_list(user=request.user).order_by("unit__path", "kind", "name")
    filterset = OrgGroupFilter(request.GET or None, queryset=queryset)
    filterset.form.fields["kind"].choices = [("", _("All kinds")), *GroupKind.choices]
    return render(
        request,
        "org/group_list.html",
        {"filter": filterset, "page_obj": _page(request, filterset.qs)},
    )


@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The group and its members; managers add or change a member from the same page."""
    user = request.user
    group = selectors.group_get(user=user, pk=pk)
    rank = {role: i for i, role in enumerate(GroupRole.values)}
    members = sorted(group.memberships.all(), key=lambda m: (rank.get(m.role, 99), m.employee.name))
    can_manage = _can_manage(user, group.unit.path)
    form = None
    if request.method == "POST":
        require_role(user, group, Role.MANAGER)
        form = GroupMemberForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.group_member_set(actor=user, group=group, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The group's members were updated."))
                return redirect("org:group_detail", pk=group.pk)
    elif can_manage:
        initial: dict[str, Any] = {"role": "member"}
        editing = request.GET.get("member", "")
        chosen = next((m for m in members if str(m.pk) == editing), None)
        if chosen is not None:
            initial = {
                "employee": chosen.employee_id,
                "role": chosen.role,
                "responsibilities": chosen.responsibilities,
            }
        form = GroupMemberForm(initial=initial, user=user)
    return render(
        request,
        "org/group_detail.html",
        {
            "group": group,
            "members": members,
            "ancestors": _visible_ancestors(user, group.unit) + [group.unit],
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_POST
def group_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    group: OrgGroup = selectors.group_get(user=user, pk=pk)
    require_role(user, group, Role.MANAGER)
    membership = get_object_or_404(GroupMembership.objects.filter(group=group), pk=member_pk)
    try:
        services.group_member_remove(actor=user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s left the group.") % {"name": membership.employee.name}
        )
    return redirect("org:group_detail", pk=group.pk)


# --- Emergency contacts -----------------------------------------------------------------


@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.emergency_contact_list(user=request.user).order_by("unit__path", "duty")
    filterset = EmergencyContactFilter(request.GET or None, queryset=queryset)
    return render(
        request,
        "org/contact_list.html",
        {
            "filter": filterset,
            "page_obj": _page(request, filterset.qs),
            "can_create": managed_units(request.user).exists(),
        },
    )


def _contact_form_page(
    request: HttpRequest, form: EmergencyContactForm, contact: Any, unit: OrgUnit | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.emergency_contact_set(
                actor=request.user,
                unit=unit or data["unit"],
                duty=contact.duty if contact is not None else data["duty"],
                primary=data["primary"],
                primary_phone=data["primary_phone"],
                backup=data["backup"],
                backup_phone=data["backup_phone"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Emergency contacts for %(duty)s at %(unit)s saved.")
                % {"duty": saved.duty, "unit": saved.unit.display_name},
            )
            return redirect("org:contact_list")
    return render(request, "org/contact_form.html", {"form": form, "contact": contact})


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not managed_units(user).exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    unit_code = request.GET.get("unit", "").strip()
    if unit_code:
        initial["unit"] = managed_units(user).filter(code=unit_code).first()
    form = EmergencyContactForm(request.POST or None, user=user, is_new=True, initial=initial)
    return _contact_form_page(request, form, None, None)


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contact = selectors.emergency_contact_get(user=user, pk=pk)
    require_role(user, contact, Role.MANAGER)
    initial = {
        "unit": contact.unit,
        "duty": contact.duty,
        "primary": contact.primary_id,
        "primary_phone": contact.primary_phone,
        "backup": contact.backup_id,
        "backup_phone": contact.backup_phone,
    }
    form = EmergencyContactForm(request.POST or None, user=user, is_new=False, initial=initial)
    return _contact_form_page(request, form, contact, contact.unit)
