"""Reads of evaluations, always from the user's scope, and the tables computed from them.

A wave is visible to the users of its owning unit's subtree (``visible_to``) and also to
the users of every unit below it: a superior branch's evaluation covers its sub-branches,
whose staff must see where they stand. Responses are visible by their evaluated unit.

The peer ranking is the one place that reads scores outside the user's scope: placing the
user's own unit needs its peers' answers. Those rows leave this module anonymised (no
name, no score) unless the user's role at the peers' common parent allows them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ventanilla.core.scoping import Role, role_at, scope_for
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys import drivers, indices, ranking
from ventanilla.surveys.models import (
    CommentLanguage,
    CommentTheme,
    Dimension,
    EvaluationWave,
    LowScoreFollowUp,
    Response,
    ResponseMapping,
    ResponseScore,
    Segment,
    TargetRank,
    Theme,
    ThemeKeyword,
    ThemeModelVersion,
)

STEP = OrgUnit.steplen
PEER_KINDS = (OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET)
# Fewer complete answers than this give weights too unstable to act on.
MIN_DRIVER_ANSWERS = 30


def _ancestor_paths(paths: Iterable[str]) -> set[str]:
    return {p[:i] for p in paths for i in range(STEP, len(p), STEP)}


def wave_list(*, user: Any) -> QuerySet[EvaluationWave]:
    """Waves run in the user's subtree or by a unit above it."""
    scope = scope_for(user)
    above = Q(unit__path__in=sorted(_ancestor_paths(g.path for g in scope.grants)))
    visible = EvaluationWave.objects.visible_to(user)
    if scope.is_global:
        qs = EvaluationWave.objects.all()
    else:
        qs = EvaluationWave.objects.filter(Q(pk__in=visible.values("pk")) | above)
    return qs.select_related("unit").order_by("-year", "-quarter", "name")


def wave_get(*, user: Any, pk: int) -> EvaluationWave:
    wave = wave_list(user=user).filter(pk=pk).first()
    if wave is None:
        raise Http404
    return wave


def response_list(*, user: Any, wave: EvaluationWave | None = None) -> QuerySet[Response]:
    qs = Response.objects.visible_to(user).select_related("unit", "segment", "wave")
    if wave is not None:
        qs = qs.filter(wave=wave)
    return qs.order_by("wave", "respondent_ref")


def mapping_list(*, user: Any) -> QuerySet[ResponseMapping]:
    """Mappings kept in the user's subtree or by a unit above it (they are shared down)."""
    scope = scope_for(user)
    if scope.is_global:
        return ResponseMapping.objects.all()
    above = Q(unit__path__in=sorted(_ancestor_paths(g.path for g in scope.grants)))
    return ResponseMapping.objects.filter(
        Q(pk__in=ResponseMapping.objects.visible_to(user).values("pk")) | above
    )


def scores_by_response(
    responses: QuerySet[Response], dimension_ids: Iterable[int] | None = None
) -> dict[int, dict[int, int | None]]:
    qs = ResponseScore.objects.filter(response__in=responses.values("pk"))
    if dimension_ids is not None:
        qs = qs.filter(dimension_id__in=list(dimension_ids))
    result: dict[int, dict[int, int | None]] = defaultdict(dict)
    for response_id, dimension_id, score in qs.values_list("response_id", "dimension_id", "score"):
        result[response_id][dimension_id] = score
    return result


# --- Indices --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexLine:
    unit: OrgUnit
    segment: Segment
    dimension: Dimension
    mean: indices.Estimate
    satisfied: indices.Estimate


@dataclass(frozen=True)
class NpsLine:
    unit: OrgUnit
    segment: Segment
    nps: indices.Estimate


@dataclass(frozen=True)
class TrendLine:
    segment: Segment
    wave: EvaluationWave
    mean: indices.Estimate
    change: float | None


@dataclass
class IndexReport:
    wave: EvaluationWave
    level: str
    lines: list[IndexLine] = field(default_factory=list)
    nps: list[NpsLine] = field(default_factory=list)
    trend: list[TrendLine] = field(default_factory=list)


LEVEL_UNIT = "unit"
LEVEL_SUB_BRANCH = "sub_branch"


def _rollup(wave: EvaluationWave, level: str) -> tuple[dict[str, OrgUnit], Any]:
    """The units of the wave's subtree by path, and a function giving a row's unit path."""
    units = {u.path: u for u in OrgUnit.objects.filter(path__startswith=wave.unit.path)}
    if level != LEVEL_SUB_BRANCH:
        return units, lambda path: path

    def key(path: str) -> str:
        for i in range(STEP, len(path) + 1, STEP):
            unit = units.get(path[:i])
            if unit is not None and unit.kind == OrgUnitKind.SUB_BRANCH:
                return path[:i]
        return path

    return units, key


def wave_indices(
    *,
    user: Any,
    wave: EvaluationWave,
    level: str = LEVEL_SUB_BRANCH,
    segment: Segment | None = None,
    with_trend: bool = True,
) -> IndexReport:
    """Per unit × segment × dimension over the responses the user may see; NPS; trend."""
    report = IndexReport(wave=wave, level=level)
    units, key = _rollup(wave, level)
    segments: dict[Any, Segment] = {s.pk: s for s in Segment.objects.all()}
    dims: dict[Any, Dimension] = {d.pk: d for d in Dimension.objects.all()}
    responses = Response.objects.visible_to(user).filter(wave=wave)
    if segment is not None:
        responses = responses.filter(segment=segment)
    rows = ResponseScore.objects.filter(
        response__in=responses.values("pk"), score__isnull=False
    ).values_list("response__unit__path", "response__segment_id", "dimension_id", "score")
    observations = [
        indices.Observation(key(p), s, d, float(v)) for p, s, d, v in rows if v is not None
    ]
    low, high = wave.bounds
    table = indices.index_table(observations, low, high)
    order: dict[Any, int] = {d: d_obj.position for d, d_obj in dims.items()}
    table.sort(key=lambda r: (str(r.unit), segments[r.segment].position, order[r.dimension]))
    report.lines = [
        IndexLine(units[r.unit], segments[r.segment], dims[r.dimension], r.mean, r.satisfied)
        for r in table
        if r.unit in units
    ]
    if wave.has_recommend:
        answers = (
            (key(p), s, v)
            for p, s, v in responses.filter(recommend__isnull=False).values_list(
                "unit__path", "segment_id", "recommend"
            )
            if v is not None
        )
        nps = indices.nps_table(answers)
        report.nps = [
            NpsLine(units[u], segments[s], est)
            for (u, s), est in sorted(
                nps.items(), key=lambda kv: (kv[0][0], segments[kv[0][1]].position)
            )
            if u in units
        ]
    if with_trend:
        report.trend = wave_trend(user=user, wave=wave, segment=segment)
    return report


def _waves_until(wave: EvaluationWave) -> list[EvaluationWave]:
    """``wave`` and the earlier waves of the same owner and source, oldest first."""
    return list(
        EvaluationWave.objects.filter(unit=wave.unit, source=wave.source)
        .filter(Q(year__lt=wave.year) | Q(year=wave.year, quarter__lte=wave.quarter))
        .order_by("year", "quarter", "pk")
    )


def wave_trend(
    *, user: Any, wave: EvaluationWave, segment: Segment | None = None
) -> list[TrendLine]:
    """The overall mean per segment over the user's responses in this wave and the earlier
    waves of the same owner and source."""
    waves = _waves_until(wave)
    responses = Response.objects.visible_to(user).filter(wave__in=waves)
    if segment is not None:
        responses = responses.filter(segment=segment)
    values: dict[tuple[int, int], list[float]] = defaultdict(list)
    for wave_id, segment_id, score in ResponseScore.objects.filter(
        response__in=responses.values("pk"),
        dimension__code=Dimension.OVERALL,
        score__isnull=False,
    ).values_list("response__wave_id", "response__segment_id", "score"):
        if score is not None:
            values[(wave_id, segment_id)].append(score)
    lines: list[TrendLine] = []
    for seg in Segment.objects.all():
        if not any(k[1] == seg.pk for k in values):
            continue
        series = [(w, values.get((w.pk, seg.pk), [])) for w in waves]
        for w, estimate, change in indices.trend(series):
            lines.append(TrendLine(seg, w, estimate, change))  # type: ignore[arg-type]
    return lines


# --- Peer ranking ---------------------------------------------------------------------


@dataclass(frozen=True)
class RankLine:
    rank: int
    label: str
    unit: OrgUnit | None  # None when anonymised
    is_own: bool
    n: int | None
    mean: float | None
    shrunk: float | None
    target: int | None = None
    gap: float | None = None


@dataclass
class SegmentRanking:
    segment: Segment
    lines: list[RankLine]
    peer_mean: float | None


@dataclass
class RankingReport:
    wave: EvaluationWave
    parent: OrgUnit
    is_revealed: bool
    segments: list[SegmentRanking]


def ranking_parents(*, user: Any, wave: EvaluationWave) -> list[OrgUnit]:
    """Units of the wave's subtree whose sub-branches or outlets the user may rank."""
    scope = scope_for(user)
    candidates = OrgUnit.objects.filter(
        path__startswith=wave.unit.path,
        kind__in=[OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH],
    )
    if scope.is_global:
        return list(candidates)
    above = _ancestor_paths(g.path for g in scope.grants)
    visible = set(
        OrgUnit.objects.visible_to(user)
        .filter(path__startswith=wave.unit.path)
        .values_list("path", flat=True)
    )
    return [u for u in candidates if u.path in above or u.path in visible]


def _reveals(user: Any, parent: OrgUnit) -> bool:
    """Names and scores of peers: manager over their parent, or viewer at branch level."""
    held = role_at(user, parent.path)
    if held is not None and held >= Role.MANAGER:
        return True
    branch_path = parent.path if parent.kind != OrgUnitKind.SUB_BRANCH else parent.parent_path
    held_branch = role_at(user, branch_path)
    return held_branch is not None


def wave_ranking(
    *, user: Any, wave: EvaluationWave, parent: OrgUnit | None = None
) -> RankingReport:
    parents = ranking_parents(user=user, wave=wave)
    if parent is None:
        parent = wave.unit
    if parent.pk not in {p.pk for p in parents}:
        raise Http404
    peers = list(
        OrgUnit.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1, kind__in=PEER_KINDS
        ).order_by("path")
    )
    by_path = {p.path: p for p in peers}
    width = len(parent.path) + STEP
    scores: dict[tuple[int, str], list[float]] = defaultdict(list)
    # Deliberately unscoped: the peers' answers are needed to place the user's own unit.
    for path, segment_id, score in ResponseScore.objects.filter(
        response__wave=wave,
        response__unit__path__startswith=parent.path,
        dimension__code=Dimension.OVERALL,
        score__isnull=False,
    ).values_list("response__unit__path", "response__segment_id", "score"):
        if path[:width] in by_path and score is not None:
            scores[(segment_id, path[:width])].append(score)
    revealed = _reveals(user, parent)
    grant_paths = [g.path for g in scope_for(user).grants]
    own = {p for p in by_path if any(g.startswith(p) for g in grant_paths)}
    targets = {(t.unit_id, t.segment_id): t.rank for t in TargetRank.objects.filter(unit__in=peers)}
    result = []
    for segment in wave.segments.order_by("position"):
        samples = [ranking.UnitSample(p, scores.get((segment.pk, p), [])) for p in by_path]
        ranked = ranking.rank_peers(samples)
        shrinkage = ranking.estimate(samples)
        lines = []
        for position, r in enumerate(ranked, start=1):
            unit = by_path[str(r.unit)]
            is_own = unit.path in own
            target = targets.get((unit.pk, segment.pk))
            gap = ranking.gap_to_rank(ranked, r.unit, target) if target else None
            if revealed or is_own:
                lines.append(
                    RankLine(
                        r.rank, unit.display_name, unit, is_own, r.n, r.mean, r.shrunk, target, gap
                    )
                )
            else:
                lines.append(
                    RankLine(
                        r.rank,
                        _("Peer %(number)s") % {"number": position},
                        None,
                        False,
                        None,
                        None,
                        None,
                    )
                )
        result.append(
            SegmentRanking(segment, lines, shrinkage.peer_mean if shrinkage and revealed else None)
        )
    return RankingReport(wave, parent, revealed, result)


# --- Key drivers ----------------------------------------------------------------------


@dataclass(frozen=True)
class DriverLine:
    dimension: Dimension
    importance: float
    performance: float
    is_fix_first: bool


@dataclass
class SegmentDrivers:
    segment: Segment
    n: int
    r_squared: float | None
    lines: list[DriverLine]

    @property
    def fix_first(self) -> list[DriverLine]:
        return [line for line in self.lines if line.is_fix_first]


def wave_drivers(*, user: Any, wave: EvaluationWave) -> list[SegmentDrivers]:
    """Per segment, Shapley importance of each dimension for the overall score, over the
    responses the user may see."""
    dims = list(wave.dimensions.order_by("position"))
    overall = next((d for d in dims if d.code == Dimension.OVERALL), None)
    predictors = [d for d in dims if d.code != Dimension.OVERALL]
    responses = Response.objects.visible_to(user).filter(wave=wave)
    by_segment: dict[int, list[dict[int, int | None]]] = defaultdict(list)
    segment_of = dict(responses.values_list("pk", "segment_id"))
    for response_id, answers in scores_by_response(responses).items():
        by_segment[segment_of[response_id]].append(answers)
    result = []
    for segment in wave.segments.order_by("position"):
        seg_answers: list[Any] = by_segment.get(segment.pk, [])
        analysis = (
            drivers.key_drivers(
                seg_answers, [d.pk for d in predictors], overall.pk, MIN_DRIVER_ANSWERS
            )
            if overall is not None and predictors
            else None
        )
        if analysis is None:
            result.append(SegmentDrivers(segment, len(seg_answers), None, []))
            continue
        dim_by_pk = {d.pk: d for d in predictors}
        lines = [
            DriverLine(dim_by_pk[int(d.dimension)], d.importance, d.performance, d.is_fix_first)  # type: ignore[call-overload]
            for d in analysis.drivers
        ]
        result.append(SegmentDrivers(segment, analysis.n, analysis.r_squared, lines))
    return result


# --- Themes -----------------------------------------------------------------------------

EXAMPLES_PER_THEME = 3
EXAMPLE_POOL = 40


@dataclass
class ThemeLine:
    theme: Theme
    count: int
    share: float | None  # of the commented responses
    by_segment: list[int]  # aligned with ThemeReport.segments
    sentiment: dict[str, int]
    examples: list[Response] = field(default_factory=list)


@dataclass(frozen=True)
class ThemeTrendLine:
    wave: EvaluationWave
    commented: int
    shares: list[float | None]  # aligned with ThemeReport.lines


@dataclass
class ThemeReport:
    wave: EvaluationWave
    segments: list[Segment]
    commented: int
    sentiment: dict[str, int]
    lines: list[ThemeLine]
    trend: list[ThemeTrendLine]

    @property
    def top(self) -> list[ThemeLine]:
        return [line for line in self.lines if line.count][:EXAMPLES_PER_THEME]


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True).order_by("position", "code")


def theme_get(*, code: str) -> Theme:
    theme = theme_list().filter(code=code).first()
    if theme is None:
        raise Http404
    return theme


def _commented(user: Any, waves: Iterable[EvaluationWave], segment: Segment | None) -> Any:
    qs = Response.objects.visible_to(user).filter(wave__in=list(waves)).exclude(comment="")
    if segment is not None:
        qs = qs.filter(segment=segment)
    return qs


def wave_themes(
    *,
    user: Any,
    wave: EvaluationWave,
    segment: Segment | None = None,
    examples: bool = True,
    with_trend: bool = True,
) -> ThemeReport:
    """How often each theme comes up in the comments the user may see, by segment and
    sentiment, with example comments and the trend over the owner's earlier waves."""
    segments = list(wave.segments.order_by("position"))
    if segment is not None:
        segments = [s for s in segments if s.pk == segment.pk]
    seg_index = {s.pk: i for i, s in enumerate(segments)}
    commented = _commented(user, [wave], segment)
    total = commented.count()
    sentiment = {
        mood: n
        for mood, n in commented.values_list("sentiment").annotate(n=Count("pk")).order_by()
        if mood
    }
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(segments))
    moods: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for theme_id, segment_id, mood, n in (
        CommentTheme.objects.filter(response__in=commented.values("pk"))
        .values_list("theme_id", "response__segment_id", "response__sentiment")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if segment_id in seg_index:
            counts[theme_id][seg_index[segment_id]] += n
        if mood:
            moods[theme_id][mood] += n
    lines = [
        ThemeLine(
            theme,
            sum(counts[theme.pk]),
            sum(counts[theme.pk]) / total if total else None,
            list(counts[theme.pk]),
            dict(moods[theme.pk]),
        )
        for theme in theme_list()
    ]
    lines.sort(key=lambda line: (-line.count, line.theme.position))
    if examples:
        for line in lines[:EXAMPLES_PER_THEME]:
            if line.count:
                # The comments about this theme alone first: they show it best; each text
                # once.
                candidates = (
                    commented.filter(pk__in=commented.filter(themes__theme=line.theme).values("pk"))
                    .annotate(theme_count=Count("themes"))
                    .select_related("unit", "segment")
                    .order_by("theme_count", "sentiment", "respondent_ref")[:EXAMPLE_POOL]
                )
                seen: set[str] = set()
                for response in candidates:
                    if response.comment not in seen and len(line.examples) < EXAMPLES_PER_THEME:
                        seen.add(response.comment)
                        line.examples.append(response)
    trend = _theme_trend(user, wave, segment, lines) if with_trend else []
    return ThemeReport(wave, segments, total, sentiment, lines, trend)


def _theme_trend(
    user: Any, wave: EvaluationWave, segment: Segment | None, lines: list[ThemeLine]
) -> list[ThemeTrendLine]:
    waves = _waves_until(wave)
    commented = _commented(user, waves, segment)
    totals = dict(commented.values_list("wave_id").annotate(n=Count("pk")).order_by())
    counts = {
        (w, t): n
        for w, t, n in CommentTheme.objects.filter(response__in=commented.values("pk"))
        .values_list("response__wave_id", "theme_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [
        ThemeTrendLine(
            w,
            totals.get(w.pk, 0),
            [
                counts.get((w.pk, line.theme.pk), 0) / totals[w.pk] if totals.get(w.pk) else None
                for line in lines
            ],
        )
        for w in waves
    ]


def theme_responses(
    *, user: Any, wave: EvaluationWave, theme: Theme, segment: Segment | None = None
) -> QuerySet[Response]:
    """The responses in the user's scope whose comment has ``theme``: the drill-down."""
    qs = response_list(user=user, wave=wave).filter(themes__theme=theme)
    if segment is not None:
        qs = qs.filter(segment=segment)
    return qs.prefetch_related("themes__theme")


def response_get(*, user: Any, pk: int) -> Response:
    response = response_list(user=user).filter(pk=pk).first()
    if response is None:
        raise Http404
    return response


def theme_lexicon() -> list[tuple[Theme, list[list[ThemeKeyword]]]]:
    """Every active theme with its keywords, one list per language in the order of
    ``CommentLanguage.values``."""
    languages = list(CommentLanguage.values)
    keywords: dict[int, list[list[ThemeKeyword]]] = defaultdict(lambda: [[] for _lang in languages])
    for kw in ThemeKeyword.objects.filter(theme__is_active=True).order_by("keyword"):
        keywords[kw.theme_id][languages.index(kw.language)].append(kw)
    return [(t, keywords[t.pk]) for t in theme_list()]


def theme_model_current() -> ThemeModelVersion | None:
    return ThemeModelVersion.objects.first()


# --- Closing the loop ---------------------------------------------------------------------


def follow_up_list(*, user: Any, wave: EvaluationWave) -> QuerySet[LowScoreFollowUp]:
    """The pre-complaints raised by the low scores of the wave, in the user's scope."""
    return (
        LowScoreFollowUp.objects.visible_to(user)
        .filter(response__wave=wave)
        .select_related("response__unit", "response__segment", "pre_complaint__complaint")
        .order_by("overall", "response__respondent_ref")
    )
