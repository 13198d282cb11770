"""The bank's organisation: units in a tree, posts, employees, groups, emergency contacts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.scoping import Role, ScopedQuerySet


def localized(obj: Any, field: str = "name", language: str | None = None) -> str:
    """The English or Spanish name where one is set, else the official (Chinese) name; in
    ``language``, by default the active one (which takes longer to read than the rest: a
    table naming many rows reads it once and passes it)."""
    lang = (language or get_language() or "zh-hans").split("-")[0]
    if lang in ("en", "es"):
        value = getattr(obj, f"{field}_{lang}", "") or ""
        if value:
            return str(value)
    return str(getattr(obj, field))


class OrgUnitKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")
    SUB_BRANCH = "sub_branch", _("Sub-branch")
    OUTLET = "outlet", _("Outlet")
    DEPARTMENT = "department", _("Department")


# Which kinds may sit directly under which: the bank's hierarchy, with departments anywhere.
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgUnitKind.HEAD_OFFICE: {None},
    OrgUnitKind.BRANCH: {OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH},
    OrgUnitKind.SUB_BRANCH: {OrgUnitKind.BRANCH},
    OrgUnitKind.OUTLET: {OrgUnitKind.SUB_BRANCH, OrgUnitKind.BRANCH},
    OrgUnitKind.DEPARTMENT: {
        OrgUnitKind.HEAD_OFFICE,
        OrgUnitKind.BRANCH,
        OrgUnitKind.SUB_BRANCH,
        OrgUnitKind.OUTLET,
        OrgUnitKind.DEPARTMENT,
    },
}


class OrgUnitQuerySet(MP_NodeQuerySet, ScopedQuerySet["OrgUnit"]):
    pass


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model).order_by("path")

    def visible_to(self, user: Any, min_role: Role = Role.VIEWER) -> OrgUnitQuerySet:
        return self.get_queryset().visible_to(user, min_role)  # type: ignore[return-value]


class OrgUnit(AuditedInTree, MP_Node):
    """A unit of the bank: the head office, a branch, a sub-branch, an outlet or a department.

    The materialised ``path`` (from django-treebeard) makes "everything under this unit"
    one indexed prefix query, whatever the depth.
    """

    # Children are appended, never sorted in: sorted insertion would rewrite the paths of
    # existing siblings, and paths are kept in audit entries.
    steplen = 4
    scope_path_field = "path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgUnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [models.Index(fields=["kind", "path"], name="org_unit_kind_path")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return localized(self)

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]


class Post(models.Model):
    """A kind of job in the bank (teller, outlet head...) and the role it grants."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=80, blank=True)
    default_role = models.PositiveSmallIntegerField(
        _("default role"), choices=Role.choices(), default=Role.STAFF
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self)


class EmployeeQuerySet(ScopedQuerySet["Employee"]):
    pass


class Employee(AuditedInTree, models.Model):
    """A member of staff, at the unit where they work, in their main post."""

    scope_path_field = "unit__path"

    staff_number = models.CharField(_("staff number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="employees", verbose_name=_("post")
    )
    hire_on = models.DateField(_("hire date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("login"),
    )

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["staff_number"]
        indexes = [models.Index(fields=["unit", "is_active"], name="org_employee_unit_active")]

    def __str__(self) -> str:
        return f"{self.staff_number} {self.name}"


class PostAssignmentQuerySet(ScopedQuerySet["PostAssignment"]):
    pass


class PostAssignment(AuditedInTree, models.Model):
    """A post an employee holds at a unit, granting a role over that unit's subtree.

    An employee's main post is one assignment; acting posts and concurrent posts at other
    units are more.
    """

    scope_path_field = "unit__path"

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("employee")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, verbose_name=_("post"))
    role = models.PositiveSmallIntegerField(_("role"), choices=Role.choices())
    is_primary = models.BooleanField(_("main post"), default=False)

    objects = PostAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "unit", "post"], name="org_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.post} @ {self.unit.code}"


class GroupKind(models.TextChoices):
    SERVICE_LEADERSHIP = "service_leadership", _("Service leadership group")
    COMPLAINT_EMERGENCY = "complaint_emergency", _("Complaint emergency group")
    WORKING = "working", _("Working group")


class OrgGroupQuerySet(ScopedQuerySet["OrgGroup"]):
    pass


class OrgGroup(AuditedInTree, models.Model):
    """A standing group of a unit, such as the service leadership group."""

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="groups", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=120)
    duties = models.TextField(_("duties"), blank=True)

    objects = OrgGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="org_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")


class GroupMembershipQuerySet(ScopedQuerySet["GroupMembership"]):
    pass


class GroupMembership(AuditedInTree, models.Model):
    """An employee's seat in a group, with the responsibilities written for them."""

    scope_path_field = "group__unit__path"

    group = models.ForeignKey(
        OrgGroup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("employee")
    )
    role = models.CharField(_("role in the group"), max_length=16, choices=GroupRole.choices)
    responsibilities = models.TextField(_("responsibilities"), blank=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "employee"], name="org_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.employee}"


class EmergencyContactQuerySet(ScopedQuerySet["EmergencyContact"]):
    pass


class EmergencyContact(AuditedInTree, models.Model):
    """For one unit and one duty, who answers first (A) and who stands in (B)."""

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="emergency_contacts", verbose_name=_("unit")
    )
    duty = models.CharField(_("duty"), max_length=120)
    primary = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="primary_contacts",
        verbose_name=_("primary (A)"),
    )
    primary_phone = models.CharField(_("primary phone"), max_length=32)
    backup = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="backup_contacts",
        verbose_name=_("backup (B)"),
    )
    backup_phone = models.CharField(_("backup phone"), max_length=32)

    objects = EmergencyContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["unit__path", "duty"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "duty"], name="org_contact_unique_duty"),
            models.CheckConstraint(
                condition=~models.Q(primary=models.F("backup")),
                name="org_contact_backup_differs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.duty}"
