"""The organisation in the admin site, every list restricted to the user's scope.

Units are created and moved with the services (which keep the tree's paths and the
bank's hierarchy rules), so the admin edits a unit's names and activity only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ventanilla.core.admin import ScopedAdmin, ScopedAdminMixin
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    OrgGroup,
    OrgUnit,
    Post,
    PostAssignment,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    list_display = ["indented_code", "name", "name_en", "kind", "is_active", "numchild"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en", "name_es"]
    ordering = ["path"]
    fields = ["code", "name", "name_en", "name_es", "kind", "is_active", "path", "depth"]
    readonly_fields = ["code", "kind", "path", "depth"]
    list_per_page = 100

    @admin.display(description=_("code"), ordering="path")
    def indented_code(self, obj: OrgUnit) -> Any:
        return format_html(
            '<span style="padding-left:{}rem">{}</span>', (obj.depth - 1) * 1.25, obj.code
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Posts are a bank-wide catalogue, not scoped to a unit."""

    list_display = ["code", "name", "name_en", "name_es", "default_role"]
    search_fields = ["code", "name", "name_en"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class PostAssignmentInline(ScopedAdminMixin, admin.TabularInline):
    model = PostAssignment
    extra = 0
    fields = ["unit", "post", "role", "is_primary"]
    autocomplete_fields = ["unit"]


@admin.register(Employee)
class EmployeeAdmin(ScopedAdmin):
    list_display = ["staff_number", "name", "unit", "post", "is_active"]
    list_filter = ["is_active", "post"]
    search_fields = ["staff_number", "name"]
    list_select_related = ["unit", "post"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["user"]
    inlines = [PostAssignmentInline]


@admin.register(PostAssignment)
class PostAssignmentAdmin(ScopedAdmin):
    list_display = ["employee", "unit", "post", "role", "is_primary"]
    list_filter = ["role", "is_primary", "post"]
    search_fields = ["employee__staff_number", "employee__name", "unit__code"]
    list_select_related = ["employee", "unit", "post"]
    autocomplete_fields = ["employee", "unit"]


class GroupMembershipInline(ScopedAdminMixin, admin.TabularInline):
    model = GroupMembership
    extra = 0
    fields = ["employee", "role", "responsibilities"]
    autocomplete_fields = ["employee"]


@admin.register(OrgGroup)
class OrgGroupAdmin(ScopedAdmin):
    list_display = ["name", "unit", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__code", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [GroupMembershipInline]


@admin.register(EmergencyContact)
class EmergencyContactAdmin(ScopedAdmin):
    list_display = ["unit", "duty", "primary", "primary_phone", "backup", "backup_phone"]
    search_fields = ["duty", "unit__code", "unit__name"]
    list_select_related = ["unit", "primary", "backup"]
    autocomplete_fields = ["unit", "primary", "backup"]
