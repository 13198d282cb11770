"""Import of survey responses from a CSV or XLSX file through a column mapping.

No two evaluation vendors send the same columns, so the user maps each column of the file
to a field of the response (``ResponseMapping``, saved by name). Every row is validated
(unknown unit or segment, score outside the wave's scale, bad date, a respondent reference
twice in the file) before anything is written; one bad row means nothing is written. Rows
are keyed by (wave, respondent reference): importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.audit import acting_as, audit_created_many
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, role_at
from ventanilla.core.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Counts,
    ImportResult,
    Issue,
    PlannedRow,
    TableError,
    cell_text,
    read_table,
    register_importer,
    write_xlsx,
)
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys.models import (
    CommentLanguage,
    EvaluationWave,
    Response,
    ResponseMapping,
    ResponseScore,
)
from ventanilla.surveys.services import (
    DIMENSION_PREFIX,
    low_scores_follow_up,
    mapping_problems,
)

RESPONSES = "responses"
LABELS = {RESPONSES: gettext_lazy("responses")}
BATCH = 2000
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPANISH = re.compile(
    r"[ñáéíóú¿¡]|\b(el|la|los|las|que|muy|de|por|para|con|una|cuenta)\b", re.IGNORECASE
)
LANGUAGE_ALIASES = {
    "zh": "zh",
    "zh-hans": "zh",
    "zh-cn": "zh",
    "中文": "zh",
    "en": "en",
    "english": "en",
    "英文": "en",
    "es": "es",
    "spanish": "es",
    "español": "es",
    "西班牙文": "es",
}


def detect_language(text: str) -> str:
    """zh when the text holds Chinese characters, es on Spanish marks or words, else en."""
    if not text:
        return ""
    if _CJK.search(text):
        return CommentLanguage.CHINESE
    if _SPANISH.search(text):
        return CommentLanguage.SPANISH
    return CommentLanguage.ENGLISH


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def guess_mapping(header: tuple[str, ...], wave: EvaluationWave) -> dict[str, str]:
    """A first mapping from the file's headers (codes, English or Chinese names)."""
    names = {
        "respondent_ref": {"respondent_ref", "respondent", "ref", "id", "编号", "问卷编号"},
        "segment": {"segment", "客户类型", "客群"},
        "unit": {"unit", "unit_code", "outlet", "机构代码", "网点代码"},
        "answered_on": {"answered_on", "date", "日期", "调查日期"},
        "comment": {"comment", "comments", "意见", "意见建议"},
        "comment_language": {"comment_language", "language", "lang", "语言"},
        "customer_ref": {"customer_ref", "customer", "客户号"},
        "recommend": {"recommend", "nps", "推荐意愿"},
    }
    for dimension in wave.dimensions.all():
        names[f"{DIMENSION_PREFIX}{dimension.code}"] = {
            dimension.code,
            dimension.name.lower(),
            dimension.name_en.lower(),
        }
    guessed: dict[str, str] = {}
    for column in header:
        key = column.strip().lower()
        for target, candidates in names.items():
            if key in candidates and target not in guessed:
                guessed[target] = column
                break
    return guessed


@dataclass
class _Row:
    line: int
    ref: str
    segment_id: int
    unit: OrgUnit
    answered_on: date
    recommend: int | None
    comment: str
    language: str
    customer_ref: str
    scores: dict[int, int | None]

    def signature(self) -> tuple[Any, ...]:
        return (
            self.segment_id,
            self.unit.pk,
            self.answered_on,
            self.recommend,
            self.comment,
            self.language,
            self.customer_ref,
            tuple(sorted(self.scores.items())),
        )


def _existing(wave: EvaluationWave) -> dict[str, tuple[int, tuple[Any, ...]]]:
    scores: dict[int, dict[int, int | None]] = {}
    for response_id, dimension_id, score in ResponseScore.objects.filter(
        response__wave=wave
    ).values_list("response_id", "dimension_id", "score"):
        scores.setdefault(response_id, {})[dimension_id] = score
    found = {}
    for row in Response.objects.filter(wave=wave).values(
        "pk",
        "respondent_ref",
        "segment_id",
        "unit_id",
        "answered_on",
        "recommend",
        "comment",
        "comment_language",
        "customer_ref",
    ):
        signature = (
            row["segment_id"],
            row["unit_id"],
            row["answered_on"],
            row["recommend"],
            row["comment"],
            row["comment_language"],
            row["customer_ref"],
            tuple(sorted(scores.get(row["pk"], {}).items())),
        )
        found[row["respondent_ref"]] = (row["pk"], signature)
    return found


def responses_import(
    *,
    actor: Any,
    wave: EvaluationWave,
    columns: Mapping[str, str],
    data: bytes,
    filename: str,
    dry_run: bool,
) -> ImportResult:
    """Validate every row of the file against ``wave`` and, unless ``dry_run``, write them.

    The actor must be a manager of every unit the file's rows evaluate.
    """
    result = ImportResult(labels={k: str(v) for k, v in LABELS.items()})
    problems = mapping_problems(columns, wave)
    if problems:
        result.errors = [Issue(p) for p in problems]
        return result
    try:
        sheets = read_table(data, filename)
    except TableError as exc:
        result.errors = [Issue(exc.message)]
        return result
    if not sheets:
        result.errors = [Issue(_("The file holds no table."))]
        return result
    sheet = sheets[0]
    position = {name.strip().lower(): i for i, name in enumerate(sheet.header)}
    index: dict[str, int] = {}
    for target, column in columns.items():
        if not column:
            continue
        if column.strip().lower() not in position:
            result.errors.append(
                Issue(_("The file has no column %(column)s.") % {"column": column})
            )
        else:
            index[target] = position[column.strip().lower()]
    if result.errors:
        return result

    low, high = wave.bounds
    segments: dict[str, int] = {}
    for segment in wave.segments.all():
        for name in (segment.code, segment.name, segment.name_en, segment.name_es):
            if name:
                segments[name.strip().lower()] = segment.pk
    dimensions = {d.code: d.pk for d in wave.dimensions.all()}
    units = {
        u.code.lower(): u
        for u in OrgUnit.objects.filter(
            path__startswith=wave.unit.path,
            kind__in=[OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH],
        )
    }
    existing = _existing(wave)
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    allowed_units: dict[str, bool] = {}

    def cell(cells: tuple[Any, ...], target: str) -> str:
        i = index.get(target)
        return cell_text(cells[i]) if i is not None and i < len(cells) else ""

    for table_row in sheet.rows:
        line, cells = table_row.line, table_row.cells
        issues: list[str] = []

        def issue(message: str, column: str, line: int = line, issues: list = issues) -> None:
            result.errors.append(Issue(message, sheet=sheet.name, line=line, column=column))
            issues.append(message)

        ref = cell(cells, "respondent_ref")
        if not ref:
            issue(_("The respondent reference is missing."), columns["respondent_ref"])
        elif len(ref) > 64:
            issue(
                _("The respondent reference is longer than 64 characters."),
                columns["respondent_ref"],
            )
        elif ref in seen:
            issue(
                _("Respondent reference %(ref)s already appears on line %(line)s.")
                % {"ref": ref, "line": seen[ref]},
                columns["respondent_ref"],
            )
        else:
            seen[ref] = line
        segment_text = cell(cells, "segment")
        segment_id = segments.get(segment_text.lower())
        if segment_id is None:
            issue(
                _("Unknown segment %(segment)s for this wave.") % {"segment": segment_text or "-"},
                columns["segment"],
            )
        unit_code = cell(cells, "unit")
        unit = units.get(unit_code.lower())
        if unit is None:
            issue(
                _("Unknown unit code %(code)s (an outlet or sub-branch under %(owner)s).")
                % {"code": unit_code or "-", "owner": wave.unit.code},
                columns["unit"],
            )
        elif actor is not None:
            if unit.path not in allowed_units:
                held = role_at(actor, unit.path)
                allowed_units[unit.path] = held is not None and held >= Role.MANAGER
            if not allowed_units[unit.path]:
                issue(
                    _("You are not a manager of unit %(code)s.") % {"code": unit.code},
                    columns["unit"],
                )
        date_text = cell(cells, "answered_on")
        answered_on = parse_date(date_text)
        if answered_on is None:
            issue(
                _("Bad date %(value)s: write it as YYYY-MM-DD.") % {"value": date_text or "-"},
                columns["answered_on"],
            )
        scores: dict[int, int | None] = {}
        for target, column in columns.items():
            if not target.startswith(DIMENSION_PREFIX) or not column:
                continue
            text = cell(cells, target)
            value = _integer(text)
            if text and value is None:
                issue(_("The score %(value)s is not a whole number.") % {"value": text}, column)
            elif value is not None and not low <= value <= high:
                issue(
                    _("The score %(value)s is outside the scale %(low)s-%(high)s.")
                    % {"value": value, "low": low, "high": high},
                    column,
                )
            scores[dimensions[target[len(DIMENSION_PREFIX) :]]] = value
        recommend_text = cell(cells, "recommend")
        recommend = _integer(recommend_text)
        if recommend_text and (recommend is None or not 0 <= recommend <= 10):
            issue(
                _("The recommend answer %(value)s is not a whole number from 0 to 10.")
                % {"value": recommend_text},
                columns["recommend"],
            )
        comment = cell(cells, "comment")
        language_text = cell(cells, "comment_language").lower()
        language = LANGUAGE_ALIASES.get(language_text) if language_text else None
        if language_text and language is None:
            issue(
                _("Unknown language %(value)s: use zh, en or es.") % {"value": language_text},
                columns["comment_language"],
            )
        customer_ref = cell(cells, "customer_ref")
        if len(customer_ref) > 64:
            issue(
                _("The customer reference is longer than 64 characters."), columns["customer_ref"]
            )
        if issues or unit is None or segment_id is None or answered_on is None:
            continue
        rows.append(
            _Row(
                line=line,
                ref=ref,
                segment_id=segment_id,
                unit=unit,
                answered_on=answered_on,
                recommend=recommend,
                comment=comment,
                language=(language or detect_language(comment)) if comment else "",
                customer_ref=customer_ref,
                scores=scores,
            )
        )
    if not sheet.rows:
        result.errors.append(Issue(_("The file holds no responses.")))
    if result.errors:
        return result

    counts = Counts()
    planned: list[PlannedRow] = []
    creates: list[_Row] = []
    updates: list[tuple[int, _Row]] = []
    for row in rows:
        known = existing.get(row.ref)
        if known is None:
            action = CREATE
            counts.created += 1
            creates.append(row)
        elif known[1] == row.signature():
            action = UNCHANGED
            counts.unchanged += 1
        else:
            action = UPDATE
            counts.updated += 1
            updates.append((known[0], row))
        planned.append(
            PlannedRow(
                sheet=sheet.name or "",
                line=row.line,
                key=row.ref,
                action=action,
                values={
                    "respondent_ref": row.ref,
                    "unit": row.unit.code,
                    "answered_on": row.answered_on.isoformat(),
                },
            )
        )
    if actor is not None:
        outside = Response.objects.filter(pk__in=[pk for pk, _row in updates]).select_related(
            "unit"
        )
        for response in outside:
            held = role_at(actor, response.unit.path)
            if held is None or held < Role.MANAGER:
                result.errors.append(
                    Issue(
                        _("Respondent reference %(ref)s belongs to a unit you do not manage.")
                        % {"ref": response.respondent_ref}
                    )
                )
        if result.errors:
            return result
    result.counts = {RESPONSES: counts}
    result.rows = {RESPONSES: planned}
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write(actor, wave, creates, updates)
            if creates or updates:
                low_scores_follow_up(actor=actor, wave=wave)
                # New or changed comments get their themes in the background: classifying
                # (and, the first time, training) would double the time of a large import.
                transaction.on_commit(lambda: _classify_later(wave.pk))
    except DomainError as error:
        result.errors = [Issue(error.message)]
        return result
    result.is_applied = True
    return result


def _classify_later(wave_id: int) -> None:
    from ventanilla.surveys.tasks import classify_wave_comments

    classify_wave_comments.delay(wave_id)


def _integer(text: str) -> int | None:
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return None


@transaction.atomic
def _write(
    actor: Any, wave: EvaluationWave, creates: list[_Row], updates: list[tuple[int, _Row]]
) -> None:
    new = [
        Response(
            wave=wave,
            respondent_ref=r.ref,
            segment_id=r.segment_id,
            unit=r.unit,
            answered_on=r.answered_on,
            recommend=r.recommend,
            comment=r.comment,
            comment_language=r.language,
            customer_ref=r.customer_ref,
        )
        for r in creates
    ]
    Response.objects.bulk_create(new, batch_size=BATCH)
    if any(r.pk is None for r in new):  # a backend that returns no keys from bulk inserts
        ids = dict(
            Response.objects.filter(
                wave=wave, respondent_ref__in=[r.ref for r in creates]
            ).values_list("respondent_ref", "pk")
        )
        for response in new:
            response.pk = ids[response.respondent_ref]
    scores: list[tuple[int, int, int | None]] = [
        (response.pk, dim, value)
        for response, row in zip(new, creates, strict=True)
        for dim, value in row.scores.items()
    ]
    with acting_as(actor):
        for response_id, row in updates:
            response = Response.objects.get(pk=response_id)
            response.segment_id = row.segment_id
            response.unit = row.unit
            response.answered_on = row.answered_on
            response.recommend = row.recommend
            response.comment = row.comment
            response.comment_language = row.language
            response.customer_ref = row.customer_ref
            response.save()
            ResponseScore.objects.filter(response_id=response_id).delete()
            scores.extend((response_id, dim, value) for dim, value in row.scores.items())
        _insert_scores(scores)
        audit_created_many(new)


def _insert_scores(scores: list[tuple[int, int, int | None]]) -> None:
    """Nine or so rows per response: inserted as plain tuples, which is several times
    faster than building a model instance for each (scores send no signals and are
    audited through their response)."""
    table = ResponseScore._meta.db_table
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - names from the model
        "(response_id, dimension_id, score) VALUES (%s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(scores), BATCH * 10):
            cursor.executemany(sql, scores[start : start + BATCH * 10])


TEMPLATE_HEADER = (
    "respondent_ref",
    "segment",
    "unit",
    "answered_on",
    "overall",
    "staff_attitude",
    "waiting_time",
    "fees",
    "online_banking",
    "loan_process",
    "product_information",
    "environment_facilities",
    "professional_competence",
    "recommend",
    "comment",
    "comment_language",
    "customer_ref",
)


class ResponseImporter:
    """The ``responses`` kind of ``ventanilla import``: needs a wave and a saved mapping."""

    kind = RESPONSES

    def run(
        self,
        *,
        actor: Any,
        data: bytes,
        filename: str,
        dry_run: bool,
        wave: int | None = None,
        mapping: str | None = None,
    ) -> ImportResult:
        if wave is None or not mapping:
            return ImportResult(
                errors=[
                    Issue(
                        _(
                            "Importing responses needs the wave and the column mapping: "
                            "run `ventanilla import responses FILE --wave ID --mapping NAME`."
                        )
                    )
                ]
            )
        waves: QuerySet[EvaluationWave] = EvaluationWave.objects.all()
        mappings: QuerySet[ResponseMapping] = ResponseMapping.objects.all()
        if actor is not None:
            from ventanilla.surveys.selectors import wave_list

            waves = wave_list(user=actor)
            mappings = ResponseMapping.objects.visible_to(actor)
        found_wave = waves.filter(pk=wave).first()
        if found_wave is None:
            return ImportResult(errors=[Issue(_("No wave %(id)s.") % {"id": wave})])
        found_mapping = mappings.filter(name=mapping).first()
        if found_mapping is None:
            return ImportResult(
                errors=[Issue(_("No column mapping named %(name)s.") % {"name": mapping})]
            )
        return responses_import(
            actor=actor,
            wave=found_wave,
            columns=found_mapping.columns,
            data=data,
            filename=filename,
            dry_run=dry_run,
        )

    def template(self) -> bytes:
        return write_xlsx([(str(LABELS[RESPONSES]), TEMPLATE_HEADER, [])])


register_importer(ResponseImporter())
