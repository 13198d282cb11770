"""The shell's own pages: the home dashboard, the unit switcher and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.core.middleware import ACTIVE_ASSIGNMENT_SESSION_KEY
from ventanilla.core.scoping import Role, has_role_anywhere

AUDIT_PAGE_SIZE = 50


# --- Home dashboard ---------------------------------------------------------------------


@dataclass
class Panel:
    """One panel of the home dashboard: a template and what it shows.

    ``width`` is the number of the grid's twelve columns the panel spans on a wide screen.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    width: int = 12


PanelProvider = Callable[[HttpRequest], list[Panel]]
_panel_providers: list[PanelProvider] = []


def register_dashboard_panels(provider: PanelProvider) -> PanelProvider:
    """Add a feature's panels to the home page (call from the app's ``ready()``)."""
    if provider not in _panel_providers:
        _panel_providers.append(provider)
    return provider


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    panels = [panel for provider in _panel_providers for panel in provider(request)]
    return render(request, "core/home.html", {"panels": panels})


# --- Unit switcher ----------------------------------------------------------------------


@require_POST
def switch_unit(request: HttpRequest) -> HttpResponse:
    """Narrow what the user sees to one of their posts, or widen it back to all of them."""
    from ventanilla.org.selectors import assignment_list_for_user

    chosen = request.POST.get("assignment", "").strip()
    if chosen:
        if not chosen.isdigit():
            raise Http404
        own = assignment_list_for_user(request.user).filter(pk=int(chosen))
        if not own.exists():
            raise Http404
        request.session[ACTIVE_ASSIGNMENT_SESSION_KEY] = int(chosen)
    else:
        request.session.pop(ACTIVE_ASSIGNMENT_SESSION_KEY, None)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)


# --- Audit trail ------------------------------------------------------------------------


def _object_type_choices() -> list[tuple[str, str]]:
    models = sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))
    return [
        (f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize())
        for m in models
    ]


class AuditFilterForm(forms.Form):
    action = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("All actions")),
            (LogEntry.Action.CREATE, _("Created")),
            (LogEntry.Action.UPDATE, _("Updated")),
            (LogEntry.Action.DELETE, _("Deleted")),
        ],
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [
            ("", _("All object types")),
            *_object_type_choices(),
        ]


@dataclass
class Change:
    field: str
    old: str
    new: str


def _display_value(model_field: Any, value: Any) -> str:
    if value is None or value == "None":
        return "—"
    is_boolean = model_field is not None and model_field.get_internal_type() == "BooleanField"
    if is_boolean and str(value) in ("True", "False"):
        return str(_("Yes") if str(value) == "True" else _("No"))
    choices = getattr(model_field, "choices", None) if model_field is not None else None
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return str(value)


def entry_changes(entry: LogEntry) -> list[Change]:
    """The entry's changes with field labels and choice labels (no database access)."""
    model = entry.content_type.model_class()
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        model_field = None
        label = name
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
                label = capfirst(str(getattr(model_field, "verbose_name", name)))
            except FieldDoesNotExist:
                pass
        old, new = (list(values) + [None, None])[:2]
        changes.append(
            Change(label, _display_value(model_field, old), _display_value(model_field, new))
        )
    return changes


def _object_type_label(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    if model is None:
        return entry.content_type.model
    return str(model._meta.verbose_name).capitalize()


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    from ventanilla.core.audit import audit_entry_list

    if not has_role_anywhere(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    entries = audit_entry_list(user=request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action is not None:
            entries = entries.filter(action=action)
        object_type = form.cleaned_data["object_type"]
        if object_type:
            app_label, model_name = object_type.split(".", 1)
            entries = entries.filter(
                content_type__app_label=app_label, content_type__model=model_name
            )
    page_obj = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "object_type": _object_type_label(entry),
            "changes": entry_changes(entry),
        }
        for entry in page_obj
    ]
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page_obj": page_obj, "rows": rows},
    )
