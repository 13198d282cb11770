"""Report pages: the history, the request form, the status page and the download.

Views stay thin: they read through the selectors (always scoped to the user), validate a
form and call one service. Out of scope is 404; in scope without the role is 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.core.errors import DomainError
from ventanilla.rectification.selectors import plan_get
from ventanilla.reports import selectors, services
from ventanilla.reports.document import CONTENT_TYPES
from ventanilla.reports.filters import GeneratedReportFilter
from ventanilla.reports.forms import ReportRequestForm
from ventanilla.reports.models import GeneratedReport, ReportState

PAGE_SIZE = 50


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """Documents generated in the user's scope, newest first."""
    filterset = GeneratedReportFilter(
        request.GET or None, queryset=selectors.report_list(user=request.user)
    )
    page = Paginator(filterset.qs.order_by("-requested_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reports/history.html", {"filter": filterset, "page_obj": page})


@require_http_methods(["GET", "POST"])
def report_request(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.report_request(
                    actor=request.user,
                    kind=data["kind"],
                    language=data["language"],
                    format=data["format"],
                    plan=data.get("plan"),
                    unit=data.get("unit"),
                    quarter=data.get("quarter") or "",
                )
            except DomainError as exc:
                if exc.code == "forbidden":
                    raise PermissionDenied(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The document is being generated."))
                return redirect("reports:status", pk=report.pk)
    else:
        initial = {}
        if request.GET.get("plan"):
            plan = plan_get(user=request.user, reference=request.GET["plan"])
            initial = {"kind": "rectification", "plan": plan.reference}
        form = ReportRequestForm(initial=initial, user=request.user)
    return render(request, "reports/request.html", {"form": form})


def _status(report: GeneratedReport) -> dict[str, object]:
    return {
        "state": report.state,
        "state_label": str(report.get_state_display()),
        "progress": report.progress,
        "step": report.step,
        "error": report.error,
        "filename": report.filename,
        "download_url": reverse("reports:download", args=[report.pk])
        if report.state == ReportState.DONE
        else None,
    }


@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    return render(
        request,
        "reports/status.html",
        {
            "report": report,
            "status": _status(report),
            "is_finished": report.state in (ReportState.DONE, ReportState.FAILED),
        },
    )


@require_GET
def report_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_status(selectors.report_get(user=request.user, pk=pk)))


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    if report.state != ReportState.DONE or report.content is None:
        raise Http404
    response = HttpResponse(bytes(report.content), content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Content-Length"] = str(report.size)
    return response
