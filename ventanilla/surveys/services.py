"""Every change to evaluations: one function each, atomic, naming its actor.

``actor=None`` is the operator (commands, the demo generator), with full rights.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.audit import acting_as
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, has_role_anywhere, role_at
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys import themes
from ventanilla.surveys.models import (
    SCALE_BOUNDS,
    CommentLanguage,
    CommentTheme,
    Dimension,
    EvaluationWave,
    LowScoreFollowUp,
    Response,
    ResponseMapping,
    ResponseScore,
    Segment,
    Sentiment,
    TargetRank,
    Theme,
    ThemeKeyword,
    ThemeModelVersion,
    ThemeSource,
    WaveSource,
)

# What a column of a vendor's file may be mapped to, besides one column per dimension.
MAPPING_FIELDS = (
    "respondent_ref",
    "segment",
    "unit",
    "answered_on",
    "comment",
    "comment_language",
    "customer_ref",
    "recommend",
)
REQUIRED_MAPPING_FIELDS = ("respondent_ref", "segment", "unit", "answered_on")
DIMENSION_PREFIX = "dim:"


def require_role_for(actor: Any, path: str, role: Role) -> None:
    if actor is None:
        return
    held = role_at(actor, path)
    if held is None or held < role:
        raise DomainError(_("You are not allowed to do this for this unit."), code="forbidden")


@transaction.atomic
def wave_create(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    year: int,
    quarter: int,
    source: str,
    segments: Iterable[Segment],
    dimensions: Iterable[Dimension],
    scale: str,
    has_recommend: bool,
    follow_up_threshold: int | None = None,
) -> EvaluationWave:
    """A new wave run by ``unit``; the actor must be a manager there."""
    require_role_for(actor, unit.path, Role.MANAGER)
    segments, dimensions = list(segments), list(dimensions)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the wave a name."), code="no_name")
    if not 1 <= quarter <= 4:
        raise DomainError(_("The quarter must be 1, 2, 3 or 4."), code="bad_quarter")
    if source not in WaveSource.values:
        raise DomainError(_("Unknown source %(source)s.") % {"source": source}, code="bad_source")
    if scale not in SCALE_BOUNDS:
        raise DomainError(_("Unknown answer scale %(scale)s.") % {"scale": scale}, code="bad_scale")
    if unit.kind not in (OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH):
        raise DomainError(
            _("A wave is run by a head office, branch or sub-branch."), code="bad_unit"
        )
    if not segments:
        raise DomainError(_("Choose at least one segment."), code="no_segments")
    if not any(d.code == Dimension.OVERALL for d in dimensions):
        raise DomainError(
            _("The dimensions must include the overall score, on which units are ranked."),
            code="no_overall",
        )
    low, high = SCALE_BOUNDS[scale]
    if follow_up_threshold is not None and not low <= follow_up_threshold < high:
        raise DomainError(
            _("The follow-up score must be from %(low)s to %(high)s on this wave's scale.")
            % {"low": low, "high": high - 1},
            code="bad_threshold",
        )
    with acting_as(actor):
        wave = EvaluationWave.objects.create(
            unit=unit,
            name=name,
            year=year,
            quarter=quarter,
            source=source,
            scale=scale,
            has_recommend=has_recommend,
            follow_up_threshold=follow_up_threshold,
        )
        wave.segments.set(segments)
        wave.dimensions.set(dimensions)
    return wave


def mapping_problems(columns: Mapping[str, str], wave: EvaluationWave) -> list[str]:
    """What is wrong with a column mapping for ``wave`` (empty when it can be used)."""
    problems = []
    dimension_codes = {d.code for d in wave.dimensions.all()}
    for target in columns:
        if target.startswith(DIMENSION_PREFIX):
            code = target[len(DIMENSION_PREFIX) :]
            if code not in dimension_codes:
                problems.append(_("The wave does not ask the dimension %(code)s.") % {"code": code})
        elif target not in MAPPING_FIELDS:
            problems.append(_("Unknown target field %(field)s.") % {"field": target})
    for target in REQUIRED_MAPPING_FIELDS:
        if not columns.get(target):
            problems.append(_("Choose the column holding %(field)s.") % {"field": target})
    if not any(
        t.startswith(DIMENSION_PREFIX) and c and t[len(DIMENSION_PREFIX) :] in dimension_codes
        for t, c in columns.items()
    ):
        problems.append(_("Map at least one dimension score."))
    if columns.get("recommend") and not wave.has_recommend:
        problems.append(_("This wave asks no recommend question."))
    return problems


@transaction.atomic
def response_mapping_save(
    *, actor: Any, unit: OrgUnit, name: str, columns: Mapping[str, str]
) -> ResponseMapping:
    """Save (or replace) the column mapping called ``name``, kept under ``unit``."""
    require_role_for(actor, unit.path, Role.MANAGER)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the mapping a name."), code="no_name")
    cleaned = {str(k): str(v) for k, v in columns.items() if v}
    for target in cleaned:
        if target not in MAPPING_FIELDS and not target.startswith(DIMENSION_PREFIX):
            raise DomainError(
                _("Unknown target field %(field)s.") % {"field": target}, code="bad_mapping"
            )
    existing = ResponseMapping.objects.select_for_update().filter(name=name).first()
    with acting_as(actor):
        if existing is None:
            return ResponseMapping.objects.create(name=name, unit=unit, columns=cleaned)
        # A name kept outside the actor's reach is taken; one within it needs a manager.
        if actor is not None and role_at(actor, existing.unit.path) is None:
            raise DomainError(_("This mapping name is already taken."), code="name_taken")
        require_role_for(actor, existing.unit.path, Role.MANAGER)
        existing.unit = unit
        existing.columns = cleaned
        existing.save()
    return existing


@transaction.atomic
def target_rank_set(*, actor: Any, unit: OrgUnit, segment: Segment, rank: int) -> TargetRank:
    """The place ``unit`` aims for among its peers in ``segment``."""
    require_role_for(actor, unit.path, Role.MANAGER)
    if rank < 1:
        raise DomainError(_("The target rank is 1 or more."), code="bad_rank")
    with acting_as(actor):
        target, created = TargetRank.objects.get_or_create(
            unit=unit, segment=segment, defaults={"rank": rank}
        )
        if not created and target.rank != rank:
            target.rank = rank
            target.save()
    return target


# --- Themes -----------------------------------------------------------------------------

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "themes"
MODEL_DIR_NAME = "models"
_loaded: dict[str, themes.ThemeClassifier] = {}
_fitted: dict[str, bytes] = {}  # training digest → pickled classifier


def corpus_files() -> list[Path]:
    """``corpus_zh.csv``, ``corpus_es.csv``, ``corpus_en.csv``: the labelled comments."""
    return sorted(CORPUS_DIR.glob("corpus_*.csv"))


def corpus_examples() -> list[themes.Example]:
    """The shipped labelled corpus, every language; a clear error when it is missing."""
    examples: list[themes.Example] = []
    codes = list(Theme.objects.values_list("code", flat=True))
    for path in corpus_files():
        try:
            examples.extend(
                themes.read_examples(path.read_text(encoding="utf-8"), known_themes=codes)
            )
        except themes.CorpusError as error:
            raise DomainError(f"{path.name}: {error}", code="bad_corpus") from error
    if not examples:
        raise DomainError(
            _("No labelled corpus in %(dir)s: the theme model cannot be trained.")
            % {"dir": CORPUS_DIR},
            code="no_corpus",
        )
    return examples


def confirmed_examples() -> list[themes.Example]:
    """Comments whose themes a user confirmed: they teach the next model."""
    from ventanilla.surveys.importing import detect_language

    rows = (
        Response.objects.filter(themes_confirmed_at__isnull=False)
        .exclude(comment="")
        .prefetch_related("themes__theme")
    )
    return [
        themes.Example(
            r.comment,
            r.comment_language or detect_language(r.comment),
            frozenset(ct.theme.code for ct in r.themes.all()),
            r.sentiment,
        )
        for r in rows
    ]


def _model_dir() -> Path:
    return Path(settings.VAR_DIR) / MODEL_DIR_NAME


def theme_model_train() -> ThemeModelVersion:
    """Train the classifier on the corpus's training part and the confirmed comments, store
    it under VAR_DIR/models and record its SHA-256."""
    training, _held_out = themes.split(corpus_examples())
    confirmed = confirmed_examples()
    confirmed_texts = {themes.normalise(e.text) for e in confirmed}
    # A confirmed comment overrides the corpus's label of the same text.
    examples = [e for e in training if themes.normalise(e.text) not in confirmed_texts]
    hints = theme_lexicon_map(is_decisive=False)
    # The same examples and hints give the same model: fitted once per process, one file.
    key = themes.training_digest(examples + confirmed, hints)
    data = _fitted.get(key)
    if data is None:
        buffer = io.BytesIO()
        joblib.dump(themes.ThemeClassifier.fit(examples + confirmed, hints=hints), buffer)
        data = _fitted[key] = buffer.getvalue()
    digest = themes.file_digest(data)
    directory = _model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"themes-{digest}.joblib"
    if not (directory / filename).exists():
        (directory / filename).write_bytes(data)
    if digest not in _loaded:
        _loaded[digest] = joblib.load(io.BytesIO(data))  # noqa: S301 - bytes made just above
    return ThemeModelVersion.objects.create(
        filename=filename,
        sha256=digest,
        corpus_examples=len(examples),
        confirmed_examples=len(confirmed),
    )


def theme_classifier() -> themes.ThemeClassifier:
    """The latest trained classifier, trained from the corpus on first use. The file is
    loaded only when its SHA-256 is the one recorded when it was written."""
    version = ThemeModelVersion.objects.first()
    if version is not None and version.sha256 in _loaded:
        return _loaded[version.sha256]
    if version is not None:
        path = _model_dir() / version.filename
        if path.exists():
            data = path.read_bytes()
            if themes.file_digest(data) != version.sha256:
                raise DomainError(
                    _("The theme model file %(file)s does not match its recorded checksum.")
                    % {"file": version.filename},
                    code="model_tampered",
                )
            classifier = joblib.load(io.BytesIO(data))  # noqa: S301 - checksum verified above
            _loaded[version.sha256] = classifier
            return classifier
    version = theme_model_train()
    return _loaded[version.sha256]


def theme_lexicon_map(*, is_decisive: bool = True) -> dict[str, dict[str, list[str]]]:
    """The decisive keywords (or the hints) as language → theme code → keywords."""
    result: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for code, language, keyword in ThemeKeyword.objects.filter(
        theme__is_active=True, is_decisive=is_decisive
    ).values_list("theme__code", "language", "keyword"):
        result[language][code].append(keyword)
    return {lang: dict(by_theme) for lang, by_theme in result.items()}


@transaction.atomic
def comments_classify(*, responses: QuerySet[Response] | None = None) -> int:
    """Give the unconfirmed comments among ``responses`` (default: all) their themes and
    sentiment; confirmed comments are left as the user set them. Returns how many."""
    from ventanilla.surveys.importing import detect_language

    qs = Response.objects.all() if responses is None else responses
    rows = list(
        qs.filter(themes_confirmed_at__isnull=True)
        .exclude(comment="")
        .order_by()
        .values_list("pk", "comment", "comment_language")
    )
    if not rows:
        return 0
    classifier = theme_classifier()
    lexicon = theme_lexicon_map()
    theme_ids = dict(Theme.objects.filter(is_active=True).values_list("code", "pk"))
    by_language: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, comment, language in rows:
        by_language[language or detect_language(comment)].append((pk, comment))
    links: list[CommentTheme] = []
    moods: dict[str, list[int]] = defaultdict(list)
    for language, items in by_language.items():
        predictions = classifier.predict([c for _pk, c in items], language, lexicon)
        for (pk, _comment), prediction in zip(items, predictions, strict=True):
            moods[prediction.sentiment].append(pk)
            links.extend(
                CommentTheme(
                    response_id=pk,
                    theme_id=theme_ids[code],
                    source=ThemeSource.KEYWORD
                    if prediction.sources[code] == "keyword"
                    else ThemeSource.MODEL,
                )
                for code in prediction.themes
                if code in theme_ids
            )
    ids = [pk for pk, _c, _l in rows]
    for start in range(0, len(ids), 500):
        CommentTheme.objects.filter(response_id__in=ids[start : start + 500]).delete()
    CommentTheme.objects.bulk_create(links, batch_size=2000)
    for mood, pks in moods.items():
        for start in range(0, len(pks), 500):
            Response.objects.filter(pk__in=pks[start : start + 500]).update(sentiment=mood)
    return len(rows)


@transaction.atomic
def comment_themes_confirm(
    *, actor: Any, response: Response, selected: Iterable[Theme], sentiment: str
) -> Response:
    """A manager of the evaluated unit sets the comment's themes and sentiment; the model
    leaves them alone from now on and learns from them at its next training."""
    require_role_for(actor, response.unit.path, Role.MANAGER)
    if not response.comment.strip():
        raise DomainError(_("This response has no comment to classify."), code="no_comment")
    if sentiment not in Sentiment.values:
        raise DomainError(
            _("Unknown sentiment %(value)s.") % {"value": sentiment}, code="bad_sentiment"
        )
    chosen = list(selected)
    inactive = [t.code for t in chosen if not t.is_active]
    if inactive:
        raise DomainError(
            _("The theme %(code)s is no longer in use.") % {"code": ", ".join(inactive)},
            code="inactive_theme",
        )
    with acting_as(actor):
        CommentTheme.objects.filter(response=response).delete()
        CommentTheme.objects.bulk_create(
            CommentTheme(
                response=response,
                theme=theme,
                source=ThemeSource.CONFIRMED,
                confirmed_by=actor,
            )
            for theme in {t.pk: t for t in chosen}.values()
        )
        response.sentiment = sentiment
        response.themes_confirmed_at = timezone.now()
        response.themes_confirmed_by = actor
        response.save(update_fields=["sentiment", "themes_confirmed_at", "themes_confirmed_by"])
    return response


def _require_lexicon_editor(actor: Any) -> None:
    if actor is not None and not has_role_anywhere(actor, Role.MANAGER):
        raise DomainError(_("Only managers edit the theme lexicon."), code="forbidden")


@transaction.atomic
def theme_keyword_add(
    *, actor: Any, theme: Theme, language: str, keyword: str, is_decisive: bool = True
) -> ThemeKeyword:
    """A word of ``theme`` in ``language``: decisive (it gives comments the theme from the
    next classification on) or a hint (the model learns to weigh it at its next training)."""
    _require_lexicon_editor(actor)
    keyword = " ".join(keyword.split())
    if language not in CommentLanguage.values:
        raise DomainError(
            _("Unknown language %(value)s.") % {"value": language}, code="bad_language"
        )
    # One Chinese character can name a theme (费); one Latin letter matches everything.
    if len(keyword) < (1 if language == CommentLanguage.CHINESE else 3):
        raise DomainError(
            _("The keyword is too short: it would match almost every comment."),
            code="short_keyword",
        )
    if ThemeKeyword.objects.filter(
        theme=theme, language=language, keyword__iexact=keyword
    ).exists():
        raise DomainError(
            _("%(keyword)s is already a keyword of this theme.") % {"keyword": keyword},
            code="duplicate_keyword",
        )
    with acting_as(actor):
        return ThemeKeyword.objects.create(
            theme=theme, language=language, keyword=keyword, is_decisive=is_decisive
        )


@transaction.atomic
def theme_keyword_remove(*, actor: Any, keyword: ThemeKeyword) -> None:
    _require_lexicon_editor(actor)
    with acting_as(actor):
        keyword.delete()


# --- Closing the loop ---------------------------------------------------------------------


def _recorder(actor: Any) -> Any:
    if actor is not None:
        return actor
    recorder = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
    if recorder is None:
        raise DomainError(
            _(
                "Low scores raise pre-complaints in someone's name: import as a user "
                "(--as USERNAME) or create an administrator first."
            ),
            code="no_recorder",
        )
    return recorder


@transaction.atomic
def low_scores_follow_up(*, actor: Any, wave: EvaluationWave) -> list[LowScoreFollowUp]:
    """A pre-complaint for the evaluated unit for every response of ``wave`` whose overall
    score is at or below the wave's threshold and that has none yet (so running it twice
    raises nothing new). ``actor`` (default: an administrator) records them."""
    from ventanilla.complaints.services import pre_complaint_record

    threshold = wave.follow_up_threshold
    if threshold is None:
        return []
    low = (
        ResponseScore.objects.filter(
            response__wave=wave,
            response__follow_up__isnull=True,
            dimension__code=Dimension.OVERALL,
            score__lte=threshold,
        )
        .select_related("response__unit", "response__segment")
        .order_by("response__respondent_ref")
    )
    rows = list(low)
    if not rows:
        return []
    recorder = _recorder(actor)
    low_bound, high_bound = wave.bounds
    raised = []
    for score in rows:
        response = score.response
        what = _(
            "%(wave)s: respondent %(ref)s (%(segment)s) gave an overall score of "
            "%(score)s on %(low)s–%(high)s."
        ) % {
            "wave": wave.name,
            "ref": response.respondent_ref,
            "segment": response.segment.display_name,
            "score": score.score,
            "low": low_bound,
            "high": high_bound,
        }
        if response.comment.strip():
            what += " " + _("Comment: %(comment)s") % {"comment": response.comment.strip()}
        pre_complaint = pre_complaint_record(
            actor=recorder, unit=response.unit, what=what, is_resolved_on_spot=False
        )
        raised.append(
            LowScoreFollowUp.objects.create(
                response=response,
                pre_complaint=pre_complaint,
                overall=score.score or 0,
            )
        )
    return raised


@transaction.atomic
def wave_follow_up_threshold_set(
    *, actor: Any, wave: EvaluationWave, threshold: int | None
) -> EvaluationWave:
    """The overall score at or below which a response raises a pre-complaint (None: off)."""
    require_role_for(actor, wave.unit.path, Role.MANAGER)
    low, high = wave.bounds
    if threshold is not None and not low <= threshold < high:
        raise DomainError(
            _("The follow-up score must be from %(low)s to %(high)s on this wave's scale.")
            % {"low": low, "high": high - 1},
            code="bad_threshold",
        )
    with acting_as(actor):
        wave.follow_up_threshold = threshold
        wave.save(update_fields=["follow_up_threshold"])
    return wave
