"""Evaluation pages: waves, the import wizard, indices, peer ranking, key drivers, exports.

Views stay thin: they read through the selectors (scoped to the user), check the role,
validate a form and call one service. Out of scope is 404, in scope without the role 403.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, has_role_anywhere, require_role, role_at
from ventanilla.core.tabular import TableError, file_extension, read_table, write_xlsx
from ventanilla.org.models import OrgUnit
from ventanilla.surveys import charts, selectors, services
from ventanilla.surveys.forms import (
    FollowUpThresholdForm,
    MappingForm,
    TargetRankForm,
    ThemeConfirmForm,
    ThemeKeywordForm,
    UploadForm,
    WaveForm,
)
from ventanilla.surveys.importing import guess_mapping, responses_import
from ventanilla.surveys.models import CommentLanguage, Segment, Sentiment, ThemeKeyword

PAGE_SIZE = 50
PREVIEW_ROWS = 50
SESSION_KEY = "survey_imports"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form_errors(request: HttpRequest, form: Any) -> None:
    """A form posted from a page that shows no form: its errors become messages."""
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label}: {error}")


def _num(value: float | None, digits: int = 2) -> float | str:
    return round(value, digits) if value is not None else ""


@require_GET
def wave_list(request: HttpRequest) -> HttpResponse:
    waves = selectors.wave_list(user=request.user).prefetch_related("segments")
    page = Paginator(waves, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/wave_list.html",
        {
            "page_obj": page,
            "can_create": has_role_anywhere(request.user, Role.MANAGER),
        },
    )


@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest) -> HttpResponse:
    if not has_role_anywhere(request.user, Role.MANAGER):
        raise PermissionDenied
    form = WaveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = services.wave_create(
                actor=request.user,
                unit=data["unit"],
                name=data["name"],
                year=data["year"],
                quarter=data["quarter"],
                source=data["source"],
                segments=data["segments"],
                dimensions=data["dimensions"],
                scale=data["scale"],
                has_recommend=data["has_recommend"],
                follow_up_threshold=data["follow_up_threshold"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The wave %(name)s was created.") % {"name": wave.name})
            return redirect("surveys:wave_detail", pk=wave.pk)
    return render(request, "surveys/wave_form.html", {"form": form})


def _segment_filter(request: HttpRequest) -> Segment | None:
    code = request.GET.get("segment", "").strip()
    if not code:
        return None
    segment = Segment.objects.filter(code=code).first()
    if segment is None:
        raise Http404
    return segment


@require_GET
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The wave's indices over the units in the user's scope, NPS and trend."""
    wave = selectors.wave_get(user=request.user, pk=pk)
    level = request.GET.get("level", selectors.LEVEL_SUB_BRANCH)
    if level not in (selectors.LEVEL_SUB_BRANCH, selectors.LEVEL_UNIT):
        level = selectors.LEVEL_SUB_BRANCH
    segment = _segment_filter(request)
    report = selectors.wave_indices(user=request.user, wave=wave, level=level, segment=segment)
    can_manage = (role_at(request.user, wave.unit.path) or 0) >= Role.MANAGER
    return render(
        request,
        "surveys/wave_detail.html",
        {
            "wave": wave,
            "report": report,
            "level": level,
            "segment": segment,
            "segments": wave.segments.all(),
            "response_count": selectors.response_list(user=request.user, wave=wave).count(),
            "trend_chart": charts.trend_chart(report),
            "means_chart": charts.segment_means_chart(report),
            "follow_ups": selectors.follow_up_list(user=request.user, wave=wave),
            "threshold_form": FollowUpThresholdForm(initial={"threshold": wave.follow_up_threshold})
            if can_manage
            else None,
        },
    )


@require_POST
def follow_up_threshold_set(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager of the wave's unit sets the score that raises pre-complaints, and the
    responses already at or below it are followed up at once."""
    wave = selectors.wave_get(user=request.user, pk=pk)
    if (role_at(request.user, wave.unit.path) or 0) < Role.MANAGER:
        raise PermissionDenied
    form = FollowUpThresholdForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("surveys:wave_detail", pk=wave.pk)
    try:
        with transaction.atomic():
            services.wave_follow_up_threshold_set(
                actor=request.user, wave=wave, threshold=form.cleaned_data["threshold"]
            )
            raised = services.low_scores_follow_up(actor=request.user, wave=wave)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The follow-up score was saved; %(n)d new pre-complaints were raised.")
            % {"n": len(raised)},
        )
    return redirect("surveys:wave_detail", pk=wave.pk)


def _parent(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("parent", "").strip()
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@require_GET
def wave_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_get(user=request.user, pk=pk)
    report = selectors.wave_ranking(user=request.user, wave=wave, parent=_parent(request))
    own_units = {
        line.unit.pk: line.unit
        for s in report.segments
        for line in s.lines
        if line.is_own and line.unit is not None
    }
    can_target = [
        u for u in own_units.values() if (role_at(request.user, u.path) or 0) >= Role.MANAGER
    ]
    return render(
        request,
        "surveys/wave_ranking.html",
        {
            "wave": wave,
            "report": report,
            "sections": [(seg, charts.ranking_chart(seg)) for seg in report.segments],
            "parents": selectors.ranking_parents(user=request.user, wave=wave),
            "target_units": can_target,
            "target_form": TargetRankForm() if can_target else None,
        },
    )


@require_POST
def target_rank_set(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    wave = selectors.wave_get(user=request.user, pk=pk)
    unit = OrgUnit.objects.visible_to(request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    require_role(request.user, unit, Role.MANAGER)
    form = TargetRankForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.target_rank_set(
                actor=request.user,
                unit=unit,
                segment=form.cleaned_data["segment"],
                rank=form.cleaned_data["rank"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The target rank was saved."))
    url = redirect("surveys:wave_ranking", pk=wave.pk)
    parent = request.POST.get("parent", "")
    if parent:
        url["Location"] += "?" + urlencode({"parent": parent})
    return url


@require_GET
def wave_drivers(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_get(user=request.user, pk=pk)
    segments = selectors.wave_drivers(user=request.user, wave=wave)
    return render(
        request,
        "surveys/wave_drivers.html",
        {
            "wave": wave,
            "segments": segments,
            "sections": [
                (seg, charts.drivers_chart(seg) if seg.lines else None) for seg in segments
            ],
        },
    )


# --- Themes -----------------------------------------------------------------------------


@require_GET
def wave_themes(request: HttpRequest, pk: int) -> HttpResponse:
    """The theme explorer: frequency per theme and segment, sentiment, trend, examples."""
    wave = selectors.wave_get(user=request.user, pk=pk)
    segment = _segment_filter(request)
    report = selectors.wave_themes(user=request.user, wave=wave, segment=segment)
    return render(
        request,
        "surveys/wave_themes.html",
        {
            "wave": wave,
            "report": report,
            "segment": segment,
            "segments": wave.segments.all(),
            "frequency_chart": charts.theme_frequency_chart(report),
            "sentiment_chart": charts.theme_sentiment_chart(report),
            "trend_chart": charts.theme_trend_chart(report),
        },
    )


@require_GET
def theme_responses(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Drill-down: the responses in the user's scope whose comment has the theme; managers
    confirm or correct each comment's themes here."""
    wave = selectors.wave_get(user=request.user, pk=pk)
    theme = selectors.theme_get(code=code)
    segment = _segment_filter(request)
    responses = selectors.theme_responses(
        user=request.user, wave=wave, theme=theme, segment=segment
    )
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "response": r,
            "can_confirm": (role_at(request.user, r.unit.path) or 0) >= Role.MANAGER,
            "codes": {ct.theme.code for ct in r.themes.all()},
        }
        for r in page.object_list
    ]
    return render(
        request,
        "surveys/theme_responses.html",
        {
            "wave": wave,
            "theme": theme,
            "segment": segment,
            "page_obj": page,
            "rows": rows,
            "themes": selectors.theme_list(),
            "sentiments": Sentiment.choices,
        },
    )


@require_POST
def response_themes_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(user=request.user, pk=pk)
    require_role(request.user, response, Role.MANAGER)
    form = ThemeConfirmForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.comment_themes_confirm(
                actor=request.user,
                response=response,
                selected=form.cleaned_data["themes"],
                sentiment=form.cleaned_data["sentiment"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The themes of %(ref)s were confirmed.") % {"ref": response.respondent_ref},
            )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("surveys:wave_themes", pk=response.wave_id)


def _require_lexicon_editor(request: HttpRequest) -> None:
    if not has_role_anywhere(request.user, Role.MANAGER):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def theme_lexicon(request: HttpRequest) -> HttpResponse:
    """The keywords of each theme per language; a keyword found in a comment forces its
    theme. Managers add and remove them."""
    _require_lexicon_editor(request)
    form = ThemeKeywordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            keyword = services.theme_keyword_add(
                actor=request.user,
                theme=form.cleaned_data["theme"],
                language=form.cleaned_data["language"],
                keyword=form.cleaned_data["keyword"],
                is_decisive=form.cleaned_data["is_decisive"],
            )
        except DomainError as error:
            form.add_error("keyword", error.message)
        else:
            messages.success(request, _("%(keyword)s was added.") % {"keyword": keyword.keyword})
            return redirect("surveys:theme_lexicon")
    return render(
        request,
        "surveys/theme_lexicon.html",
        {
            "form": form,
            "lexicon": selectors.theme_lexicon(),
            "languages": CommentLanguage.choices,
            "model": selectors.theme_model_current(),
        },
    )


@require_POST
def theme_keyword_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lexicon_editor(request)
    keyword = ThemeKeyword.objects.filter(pk=pk).first()
    if keyword is None:
        raise Http404
    services.theme_keyword_remove(actor=request.user, keyword=keyword)
    messages.success(request, _("%(keyword)s was removed.") % {"keyword": keyword.keyword})
    return redirect("surveys:theme_lexicon")


@require_GET
def wave_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every table computed for the wave, as the user may see them, in one workbook."""
    user = request.user
    wave = selectors.wave_get(user=user, pk=pk)
    report = selectors.wave_indices(
        user=user, wave=wave, level=selectors.LEVEL_UNIT, with_trend=False
    )
    rollup = selectors.wave_indices(user=user, wave=wave, level=selectors.LEVEL_SUB_BRANCH)
    index_header = [
        _("Unit code"),
        _("Unit"),
        _("Segment"),
        _("Dimension"),
        _("n"),
        _("Mean"),
        _("Mean, CI low"),
        _("Mean, CI high"),
        _("Satisfied"),
        _("Satisfied, CI low"),
        _("Satisfied, CI high"),
    ]

    def index_rows(lines: list[selectors.IndexLine]) -> list[list[Any]]:
        return [
            [
                line.unit.code,
                line.unit.display_name,
                line.segment.display_name,
                line.dimension.display_name,
                line.mean.n,
                _num(line.mean.value, 3),
                _num(line.mean.low, 3),
                _num(line.mean.high, 3),
                _num(line.satisfied.value, 4),
                _num(line.satisfied.low, 4),
                _num(line.satisfied.high, 4),
            ]
            for line in lines
        ]

    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (_("Indices by unit"), index_header, index_rows(report.lines)),
        (_("Indices by sub-branch"), index_header, index_rows(rollup.lines)),
        (
            _("NPS"),
            [
                _("Unit code"),
                _("Unit"),
                _("Segment"),
                _("n"),
                _("NPS"),
                _("CI low"),
                _("CI high"),
            ],
            [
                [
                    line.unit.code,
                    line.unit.display_name,
                    line.segment.display_name,
                    line.nps.n,
                    _num(line.nps.value, 1),
                    _num(line.nps.low, 1),
                    _num(line.nps.high, 1),
                ]
                for line in rollup.nps
            ],
        ),
        (
            _("Trend"),
            [
                _("Segment"),
                _("Period"),
                _("Wave"),
                _("n"),
                _("Mean"),
                _("CI low"),
                _("CI high"),
                _("Change"),
            ],
            [
                [
                    line.segment.display_name,
                    line.wave.period,
                    line.wave.name,
                    line.mean.n,
                    _num(line.mean.value, 3),
                    _num(line.mean.low, 3),
                    _num(line.mean.high, 3),
                    _num(line.change, 3),
                ]
                for line in rollup.trend
            ],
        ),
    ]
    ranking = selectors.wave_ranking(user=user, wave=wave)
    sheets.append(
        (
            _("Ranking"),
            [
                _("Segment"),
                _("Rank"),
                _("Unit"),
                _("n"),
                _("Mean"),
                _("Shrunk score"),
                _("Target rank"),
                _("Gap to target"),
            ],
            [
                [
                    s.segment.display_name,
                    line.rank,
                    line.label,
                    line.n if line.n is not None else "",
                    _num(line.mean, 3),
                    _num(line.shrunk, 3),
                    line.target or "",
                    _num(line.gap, 3),
                ]
                for s in ranking.segments
                for line in s.lines
            ],
        )
    )
    sheets.append(
        (
            _("Key drivers"),
            [_("Segment"), _("Dimension"), _("Importance"), _("Performance"), _("Fix first")],
            [
                [
                    s.segment.display_name,
                    line.dimension.display_name,
                    _num(line.importance, 4),
                    _num(line.performance, 3),
                    _("Yes") if line.is_fix_first else "",
                ]
                for s in selectors.wave_drivers(user=user, wave=wave)
                for line in s.lines
            ],
        )
    )
    data = write_xlsx([(name[:31], header, rows) for name, header, rows in sheets])
    return _xlsx(data, f"ventanilla-wave-{wave.pk}-tables.xlsx")


@require_GET
def response_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The responses of the wave the user may see, one row each with every score."""
    wave = selectors.wave_get(user=request.user, pk=pk)
    responses = selectors.response_list(user=request.user, wave=wave)
    dimensions = list(wave.dimensions.order_by("position"))
    scores = selectors.scores_by_response(responses)
    headers = [
        _("Respondent reference"),
        _("Segment"),
        _("Unit code"),
        _("Unit"),
        _("Date answered"),
        *[d.display_name for d in dimensions],
        _("Would recommend"),
        _("Comment"),
        _("Comment language"),
        _("Customer reference"),
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses")[:31])
    bold = Font(bold=True)
    cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for response in responses.iterator(chunk_size=2000):
        own = scores.get(response.pk, {})
        sheet.append(
            [
                response.respondent_ref,
                response.segment.code,
                response.unit.code,
                response.unit.display_name,
                response.answered_on,
                *[own.get(d.pk) for d in dimensions],
                response.recommend,
                response.comment,
                response.comment_language,
                response.customer_ref,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _xlsx(buffer.getvalue(), f"ventanilla-wave-{wave.pk}-responses.xlsx")


# --- Import wizard ----------------------------------------------------------------------


def _require_importer(request: HttpRequest) -> None:
    if not has_role_anywhere(request.user, Role.MANAGER):
        raise PermissionDenied


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return dict(request.session.get(SESSION_KEY, {}))


def _discard(request: HttpRequest, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry is not None:
        default_storage.delete(entry["name"])
    request.session[SESSION_KEY] = pending


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    waves = selectors.wave_list(user=request.user)
    initial = {}
    if request.GET.get("wave", "").isdigit():
        initial["wave"] = int(request.GET["wave"])
    form = UploadForm(request.POST or None, request.FILES or None, waves=waves, initial=initial)
    if request.method == "POST" and form.is_valid():
        for old in list(_pending(request)):
            _discard(request, old)
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        name = default_storage.save(
            f"imports/surveys/{token}.{file_extension(upload.name or '')}", upload
        )
        request.session[SESSION_KEY] = {
            token: {
                "name": name,
                "filename": upload.name,
                "user": request.user.pk,
                "wave": form.cleaned_data["wave"].pk,
            }
        }
        return redirect("surveys:import_map", token=token)
    return render(request, "surveys/import_upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, token: str) -> HttpResponse:
    """Map the file's columns, check every row, then import (all rows or none)."""
    _require_importer(request)
    entry = _pending(request).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404
    if not default_storage.exists(entry["name"]):
        _discard(request, token)
        raise Http404
    wave = selectors.wave_get(user=request.user, pk=entry["wave"])
    action = request.POST.get("action", "")
    if action == "cancel":
        _discard(request, token)
        messages.info(request, _("The file was discarded; nothing was imported."))
        return redirect("surveys:import_upload")
    with default_storage.open(entry["name"], "rb") as stored:
        data = stored.read()
    try:
        sheets = read_table(data, entry["filename"])
    except TableError as error:
        _discard(request, token)
        messages.error(request, error.message)
        return redirect("surveys:import_upload")
    if not sheets:
        _discard(request, token)
        messages.error(request, _("The file holds no table."))
        return redirect("surveys:import_upload")
    header = sheets[0].header
    mappings = selectors.mapping_list(user=request.user)
    chosen = None
    if request.GET.get("mapping", "").isdigit():
        chosen = mappings.filter(pk=int(request.GET["mapping"])).first()
        if chosen is None:
            raise Http404
    columns = dict(chosen.columns) if chosen is not None else guess_mapping(header, wave)
    initial = {"map_" + t.replace(":", "__"): c for t, c in columns.items() if c in header}
    if chosen is not None:
        initial["save_as"] = chosen.name
    form = MappingForm(request.POST or None, header=header, wave=wave, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        columns = form.columns()
        save_as = form.cleaned_data["save_as"].strip()
        if save_as:
            try:
                services.response_mapping_save(
                    actor=request.user, unit=wave.unit, name=save_as, columns=columns
                )
            except DomainError as error:
                form.add_error("save_as", error.message)
        if form.is_valid():
            result = responses_import(
                actor=request.user,
                wave=wave,
                columns=columns,
                data=data,
                filename=entry["filename"],
                dry_run=action != "import",
            )
            if result.is_applied:
                _discard(request, token)
                messages.success(
                    request,
                    _("Imported %(file)s. %(summary)s")
                    % {"file": entry["filename"], "summary": "; ".join(result.summary_lines())},
                )
                return redirect("surveys:wave_detail", pk=wave.pk)
    planned = result.rows.get("responses", []) if result is not None else []
    return render(
        request,
        "surveys/import_map.html",
        {
            "token": token,
            "wave": wave,
            "filename": entry["filename"],
            "header": header,
            "sample": sheets[0].rows[:5],
            "row_count": len(sheets[0].rows),
            "form": form,
            "mappings": mappings,
            "chosen": chosen,
            "result": result,
            "counts": result.counts.get("responses") if result is not None else None,
            "planned": planned[:PREVIEW_ROWS],
            "more": max(len(planned) - PREVIEW_ROWS, 0),
        },
    )
