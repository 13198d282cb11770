"""Who may see and do what: the one place where rows are restricted to a user's scope.

A user holds posts at org units. Each post grants a role over the subtree of its unit.
Org units carry a materialised path, so "inside the subtree of U" is
``path startswith U.path`` and any scoped row is filtered by one condition on the path of
its unit. Every page, API endpoint, export and admin list goes through
``Model.objects.visible_to(user)`` (rows the user may see) and ``role_at(user, path)``
(what the user may do with one of them).

This module knows nothing of the org app: the org app registers how a user's grants are
loaded (``set_grant_loader``), so that core imports no domain app.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404


class Role(enum.IntEnum):
    """What a post allows over its subtree; each role includes the ones below it."""

    VIEWER = 10
    STAFF = 20
    MANAGER = 30
    ADMINISTRATOR = 40

    @classmethod
    def choices(cls) -> list[tuple[int, Any]]:
        from django.utils.translation import pgettext_lazy

        labels = {
            cls.VIEWER: pgettext_lazy("role", "Viewer"),
            cls.STAFF: pgettext_lazy("role", "Staff"),
            cls.MANAGER: pgettext_lazy("role", "Manager"),
            cls.ADMINISTRATOR: pgettext_lazy("role", "Administrator"),
        }
        # Lazy labels: evaluated in the language of each request, and serialised in
        # migrations as their English source whatever the language of the command.
        return [(int(role), labels[role]) for role in cls]


@dataclass(frozen=True)
class Grant:
    """One post of a user: a role over the subtree whose root has ``path``."""

    path: str
    role: Role
    assignment_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """All a user may reach. ``is_global`` is the superuser: every row, every role."""

    grants: tuple[Grant, ...]
    is_global: bool = False

    def paths(self, min_role: Role = Role.VIEWER) -> list[str]:
        """Subtree roots where the user holds at least ``min_role``, without nested ones."""
        roots = sorted({g.path for g in self.grants if g.role >= min_role})
        kept: list[str] = []
        for path in roots:
            if not any(path.startswith(parent) for parent in kept):
                kept.append(path)
        return kept

    def role_at(self, path: str) -> Role | None:
        """The strongest role the user holds over the unit with ``path``."""
        if self.is_global:
            return Role.ADMINISTRATOR
        roles = [g.role for g in self.grants if path.startswith(g.path)]
        return max(roles) if roles else None

    def q(self, path_field: str, min_role: Role = Role.VIEWER) -> Q:
        """A filter keeping rows whose unit path lies in the user's subtrees."""
        if self.is_global:
            return Q()
        condition = Q(pk__in=[])
        for path in self.paths(min_role):
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition


EMPTY_SCOPE = Scope(grants=())
_grant_loader: Callable[[Any], Iterable[Grant]] | None = None


def set_grant_loader(loader: Callable[[Any], Iterable[Grant]]) -> None:
    """Called once by the org app: how to load a user's grants."""
    global _grant_loader
    _grant_loader = loader


def scope_for(user: Any) -> Scope:
    """The user's scope, loaded once per request (one query) and kept on the user object.

    When the user chose one of their posts in the unit switcher, ``user.active_assignment_id``
    narrows the scope to that post.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    if not getattr(user, "is_active", False):
        return EMPTY_SCOPE
    if user.is_superuser:
        return Scope(grants=(), is_global=True)
    cached = getattr(user, "_ventanilla_grants", None)
    if cached is None:
        if _grant_loader is None:
            raise RuntimeError("No grant loader registered; is ventanilla.org installed?")
        cached = tuple(_grant_loader(user))
        user._ventanilla_grants = cached
    active = getattr(user, "active_assignment_id", None)
    if active is not None:
        chosen = tuple(g for g in cached if g.assignment_id == active)
        if chosen:
            return Scope(grants=chosen)
    return Scope(grants=cached)


def all_grants(user: Any) -> tuple[Grant, ...]:
    """Every post of the user, ignoring the unit switcher (for the switcher itself)."""
    scope_for(user)
    return getattr(user, "_ventanilla_grants", ())


def forget_scope(user: Any) -> None:
    """Drop the cached grants, after the user's posts changed."""
    if hasattr(user, "_ventanilla_grants"):
        del user._ventanilla_grants


M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    """A queryset whose model says, in ``scope_path_field``, where its unit path is."""

    def visible_to(self, user: Any, min_role: Role = Role.VIEWER) -> ScopedQuerySet[M]:
        field = getattr(self.model, "scope_path_field", None)
        if field is None:
            raise TypeError(f"{self.model.__name__} declares no scope_path_field")
        return self.filter(scope_for(user).q(field, min_role))


def scope_path_of(obj: models.Model) -> str:
    """The unit path that places ``obj`` in the tree, following ``scope_path_field``."""
    value: Any = obj
    for part in obj.scope_path_field.split("__"):  # type: ignore[attr-defined]
        value = getattr(value, part)
    return str(value)


def role_at(user: Any, path: str) -> Role | None:
    return scope_for(user).role_at(path)


def require_role(user: Any, obj: models.Model, role: Role) -> None:
    """403 unless the user holds ``role`` over ``obj``'s unit (call after a scoped get)."""
    held = role_at(user, scope_path_of(obj))
    if held is None:
        raise Http404
    if held < role:
        raise PermissionDenied


def own_or_subtree_q(user: Any, path_field: str, own: Q) -> Q:
    """The object-level rule of records about people, applied beside ``visible_to``.

    Where a post grants the staff role (a teller, a lobby or account manager) it reaches only
    the records ``own`` selects (theirs: registered by them, about them, in their care...);
    managers, administrators and viewers (oversight posts such as auditors) reach the whole
    subtree of their post. ``path_field`` leads from the filtered model to its unit path.
    """
    scope = scope_for(user)
    if scope.is_global or not any(g.role == Role.STAFF for g in scope.grants):
        return Q()
    whole = Q(pk__in=[])
    for grant in scope.grants:
        if grant.role != Role.STAFF:
            whole |= Q(**{f"{path_field}__startswith": grant.path})
    return whole | own


def has_role_anywhere(user: Any, role: Role) -> bool:
    scope = scope_for(user)
    return scope.is_global or any(g.role >= role for g in scope.grants)
