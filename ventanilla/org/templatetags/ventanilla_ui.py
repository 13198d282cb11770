"""Small helpers for the page templates: active navigation, masked phones, durations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.http import HttpRequest

from ventanilla.core.masking import mask_phone
from ventanilla.core.scoping import Role, role_at
from ventanilla.org.permissions import phone_as_seen_by

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_active(context: dict[str, Any], *view_names: str) -> str:
    """``active`` when the current page is one of ``view_names`` (for the sidebar)."""
    request: HttpRequest | None = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return "active" if match.view_name in view_names else ""


register.filter("mask_phone", mask_phone)


@register.filter
def phone_for(employee: Any, user: Any) -> str:
    """The employee's phone as ``user`` may see it (masked below the manager role)."""
    return phone_as_seen_by(user, employee)


@register.filter
def minutes(value: Any) -> int:
    """Whole minutes of a ``timedelta`` (the login lock-out period)."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    return 0


@register.filter
def bs(bound_field: Any, extra: str = "") -> str:
    """Render a form field's widget with the Bootstrap class that fits it."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type == "checkbox":
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__ in {"Select", "NullBooleanSelect"}:
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    if extra:
        css += f" {extra}"
    return bound_field.as_widget(attrs={"class": css})


@register.filter
def is_checkbox(bound_field: Any) -> bool:
    return getattr(bound_field.field.widget, "input_type", None) == "checkbox"


@register.filter
def manages(user: Any, unit: Any) -> bool:
    """Whether ``user`` holds the manager role (or above) over ``unit``."""
    held = role_at(user, unit.path)
    return held is not None and held >= Role.MANAGER
