"""Admin site pieces shared by every app: lists restricted to the user's scope."""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from ventanilla.core.audit import audit_entry_list
from ventanilla.core.scoping import Role, ScopedQuerySet, role_at, scope_path_of


class ScopedAdminMixin:
    """Admin lists, forms and choices restricted to what the user may see.

    Rows come from ``visible_to(request.user)`` (superusers see all, through the same
    method). Choices of related scoped models are restricted the same way, and changing
    or deleting a row needs the administrator role over its unit.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return qs.visible_to(request.user)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.remote_field.model
        manager_qs = related._default_manager.all()
        if isinstance(manager_qs, ScopedQuerySet) and "queryset" not in kwargs:
            kwargs["queryset"] = manager_qs.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def _is_unit_administrator(self, request: HttpRequest, obj: Any) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return True
        held = role_at(request.user, scope_path_of(obj))
        return held is not None and held >= Role.ADMINISTRATOR

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and self._is_unit_administrator(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and self._is_unit_administrator(request, obj)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin for a model with ``scope_path_field`` and a scoped manager."""


# The audit trail's own admin, restricted like the audit page: entries of the subtrees
# where the user is an administrator.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ScopedLogEntryAdmin(LogEntryAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=audit_entry_list(user=request.user).values("pk"))
