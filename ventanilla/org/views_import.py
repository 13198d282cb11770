"""The import page: upload a file, preview what it would change, confirm.

The uploaded file waits in the default storage under ``imports/`` until it is imported or
discarded; the session remembers which tokens belong to the user.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.core.scoping import Role, has_role_anywhere
from ventanilla.core.tabular import file_extension
from ventanilla.org.forms_import import ImportUploadForm
from ventanilla.org.importing import PREVIEW_COLUMNS, org_import, org_import_template

SESSION_KEY = "org_imports"
PREVIEW_ROWS = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_administrator(request: HttpRequest) -> None:
    if not has_role_anywhere(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return dict(request.session.get(SESSION_KEY, {}))


def _store(request: HttpRequest, upload: UploadedFile) -> str:
    for token in list(_pending(request)):
        _discard(request, token)  # one upload waits per user: older ones are dropped
    token = uuid.uuid4().hex
    name = default_storage.save(f"imports/{token}.{file_extension(upload.name or '')}", upload)
    request.session[SESSION_KEY] = {
        token: {"name": name, "filename": upload.name, "user": request.user.pk}
    }
    return token


def _discard(request: HttpRequest, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry is not None:
        default_storage.delete(entry["name"])
    request.session[SESSION_KEY] = pending


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    if request.GET.get("template"):
        response = HttpResponse(org_import_template(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="ventanilla-org-import.xlsx"'
        return response
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = _store(request, form.cleaned_data["file"])
        return redirect("org:import_preview", token=token)
    return render(request, "org/import_upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_administrator(request)
    entry = _pending(request).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404
    if not default_storage.exists(entry["name"]):
        _discard(request, token)
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "cancel":
        _discard(request, token)
        messages.info(request, _("The file was discarded; nothing was imported."))
        return redirect("org:import_upload")
    with default_storage.open(entry["name"], "rb") as stored:
        data = stored.read()
    confirm = request.method == "POST"
    result = org_import(
        actor=request.user, data=data, filename=entry["filename"], dry_run=not confirm
    )
    if result.is_applied:
        _discard(request, token)
        messages.success(
            request,
            _("Imported %(file)s. %(summary)s")
            % {"file": entry["filename"], "summary": "; ".join(result.summary_lines())},
        )
        return redirect("org:tree")
    sections = [
        {
            "kind": kind,
            "label": result.labels.get(kind, kind),
            "counts": result.counts[kind],
            "columns": [label for _name, label in PREVIEW_COLUMNS[kind]],
            "rows": [
                (row, [row.values.get(name, "") for name, _label in PREVIEW_COLUMNS[kind]])
                for row in result.rows[kind][:PREVIEW_ROWS]
            ],
            "more": max(len(result.rows[kind]) - PREVIEW_ROWS, 0),
        }
        for kind in result.counts
    ]
    context = {
        "token": token,
        "filename": entry["filename"],
        "result": result,
        "sections": sections,
        "preview_rows": PREVIEW_ROWS,
    }
    return render(request, "org/import_preview.html", context)
