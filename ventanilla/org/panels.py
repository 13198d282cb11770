"""The organisation's panels on the home dashboard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

from ventanilla.core.views import Panel
from ventanilla.org.models import OrgUnitKind
from ventanilla.org.selectors import org_figures


def _localized_post_name(row: dict[str, Any]) -> str:
    lang = (get_language() or "zh-hans").split("-")[0]
    if lang in ("en", "es") and row.get(f"post__name_{lang}"):
        return str(row[f"post__name_{lang}"])
    return str(row["post__name"])


def organisation_panels(request: HttpRequest) -> list[Panel]:
    figures = org_figures(user=request.user, root=None)
    units_by_kind = [
        {"kind": kind, "label": label, "count": figures["units_by_kind"].get(kind, 0)}
        for kind, label in OrgUnitKind.choices
    ]
    staff_by_post = [
        {"code": row["post__code"], "name": _localized_post_name(row), "count": row["n"]}
        for row in figures["staff_by_post"]
    ]
    return [
        Panel(
            "core/panels/org_figures.html",
            {"figures": figures, "units_by_kind": units_by_kind},
            width=12,
        ),
        Panel(
            "core/panels/org_staff_by_post.html",
            {"staff_by_post": staff_by_post, "staff_active": figures["staff_active"]},
            width=7,
        ),
        Panel("core/panels/org_shortcuts.html", {"figures": figures}, width=5),
    ]
