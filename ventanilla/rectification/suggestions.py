"""Findings the data suggests for a plan that answers a satisfaction wave.

Three kinds, each a plain :class:`Suggestion` with its evidence in numbers:

- ``weak_dimension``: per segment, the dimensions where the plan's unit scores furthest
  below the mean of all units evaluated in the wave (at least 5 answers, and below);
- ``negative_theme``: per segment, the themes most often found in the unit's negative
  comments, with example comments (when the comments carry themes);
- ``complaint_cause``: complaint causes at the unit that grew from the previous quarter to
  the wave's quarter (at least 2 more, and at least half as many again).

The figures are aggregates over the wave (the peers' mean is needed to say "below"); only
the unit's own comments are quoted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import fmean
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.org.models import OrgUnit
from ventanilla.rectification.dates import quarter_bounds

MIN_ANSWERS = 5
MIN_GAP_SHARE = 0.02  # of the scale's range: a smaller gap is noise, not a finding
WEAK_PER_SEGMENT = 3
THEMES_PER_SEGMENT = 3
EXAMPLES = 3


@dataclass
class Suggestion:
    kind: str
    key: str
    segment_code: str | None  # None: a finding for the service-mechanism section
    statement: str
    evidence: str
    examples: list[str] = field(default_factory=list)


def weak_dimensions(wave: Any, unit: OrgUnit) -> list[Suggestion]:
    from ventanilla.surveys.models import Dimension, ResponseScore

    low, high = wave.bounds
    everyone: dict[tuple[str, str], list[float]] = defaultdict(list)
    ours: dict[tuple[str, str], list[float]] = defaultdict(list)
    rows = ResponseScore.objects.filter(response__wave=wave, score__isnull=False).exclude(
        dimension__code=Dimension.OVERALL
    )
    for path, seg, dim, score in rows.values_list(
        "response__unit__path", "response__segment__code", "dimension__code", "score"
    ):
        if score is None:
            continue
        everyone[(seg, dim)].append(score)
        if path.startswith(unit.path):
            ours[(seg, dim)].append(score)
    dims = {d.code: d for d in Dimension.objects.all()}
    from ventanilla.surveys.models import Segment

    segments = {s.code: s for s in Segment.objects.all()}
    by_segment: dict[str, list[tuple[float, str, float, float, int]]] = defaultdict(list)
    for (seg, dim), values in ours.items():
        if len(values) < MIN_ANSWERS:
            continue
        mine, all_mean = fmean(values), fmean(everyone[(seg, dim)])
        if all_mean - mine >= MIN_GAP_SHARE * (high - low):
            by_segment[seg].append((mine - all_mean, dim, mine, all_mean, len(values)))
    out = []
    for seg, items in by_segment.items():
        for gap, dim, mine, all_mean, n in sorted(items)[:WEAK_PER_SEGMENT]:
            name = dims[dim].display_name if dim in dims else dim
            seg_name = segments[seg].display_name if seg in segments else seg
            out.append(
                Suggestion(
                    kind="weak_dimension",
                    key=dim,
                    segment_code=seg,
                    statement=_(
                        "%(segment)s customers rate “%(dimension)s” below the other units "
                        "evaluated."
                    )
                    % {"segment": seg_name, "dimension": name},
                    evidence=_(
                        "Mean %(mine).2f on a %(low)d-%(high)d scale from %(n)d answers, "
                        "%(gap).2f below the mean of all units evaluated (%(all).2f)."
                    )
                    % {
                        "mine": mine,
                        "low": low,
                        "high": high,
                        "n": n,
                        "gap": -gap,
                        "all": all_mean,
                    },
                )
            )
    return out


def negative_themes(wave: Any, unit: OrgUnit) -> list[Suggestion]:
    """The most frequent themes of the unit's negative comments, where comments carry
    themes (the surveys app's theme tagging)."""
    from ventanilla.surveys.models import CommentTheme, Response, Sentiment

    responses = Response.objects.filter(
        wave=wave, unit__path__startswith=unit.path, sentiment=Sentiment.NEGATIVE
    )
    tags = (
        CommentTheme.objects.filter(response__in=responses.values("pk"))
        .select_related("theme", "response__segment")
        .order_by("response_id", "theme_id")  # the examples in the order answers came
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for tag in tags:
        seg = tag.response.segment.code
        code = tag.theme.code
        counts[seg][code] += 1
        names[code] = str(getattr(tag.theme, "display_name", code))
        text = tag.response.comment.strip()
        if len(examples[(seg, code)]) < EXAMPLES and text and text not in examples[(seg, code)]:
            examples[(seg, code)].append(text)
    totals.update(responses.values_list("segment__code", flat=True))
    out = []
    for seg, counter in counts.items():
        for code, n in counter.most_common(THEMES_PER_SEGMENT):
            out.append(
                Suggestion(
                    kind="negative_theme",
                    key=code,
                    segment_code=seg,
                    statement=_("Customers complain about %(theme)s.") % {"theme": names[code]},
                    evidence=_("%(n)d of %(total)d negative comments mention it.")
                    % {"n": n, "total": totals[seg]},
                    examples=examples[(seg, code)],
                )
            )
    return out


def grown_complaint_causes(wave: Any, unit: OrgUnit) -> list[Suggestion]:
    from ventanilla.complaints.models import Complaint

    start, end = quarter_bounds(wave.year, wave.quarter)
    prev_year = wave.year - 1 if wave.quarter == 1 else wave.year
    prev = quarter_bounds(prev_year, 4 if wave.quarter == 1 else wave.quarter - 1)
    tz = timezone.get_current_timezone()

    def counts(lo: date, hi: date) -> Counter[str]:
        rows = (
            Complaint.objects.filter(
                unit__path__startswith=unit.path,
                received_at__gte=datetime.combine(lo, time.min, tzinfo=tz),
                received_at__lt=datetime.combine(hi, time.min, tzinfo=tz),
                cause__isnull=False,
            )
            .order_by("cause__code")
            .values_list("cause__code", "cause__name", "cause__name_en", "cause__name_es")
        )
        c: Counter[str] = Counter()
        for code, *names_ in rows:
            c[code] += 1
            cause_names[code] = names_
        return c

    cause_names: dict[str, list[str]] = {}
    now, before = counts(start, end), counts(*prev)
    out = []
    for code, n in now.most_common():
        was = before.get(code, 0)
        if n - was >= 2 and n >= 1.5 * max(was, 1):
            out.append(
                Suggestion(
                    kind="complaint_cause",
                    key=code,
                    segment_code=None,
                    statement=_("More complaints about “%(cause)s”.")
                    % {"cause": _localized(cause_names[code])},
                    evidence=_(
                        "%(now)d complaints in %(year)d Q%(q)d against %(was)d the quarter before."
                    )
                    % {"now": n, "was": was, "year": wave.year, "q": wave.quarter},
                )
            )
    return out


def _localized(names: list[str]) -> str:
    from django.utils.translation import get_language

    zh, en, es = (names + ["", "", ""])[:3]
    lang = (get_language() or "zh-hans").split("-")[0]
    if lang == "en" and en:
        return en
    if lang == "es" and es:
        return es
    return zh


def suggest(wave: Any, unit: OrgUnit) -> list[Suggestion]:
    return (
        weak_dimensions(wave, unit)
        + negative_themes(wave, unit)
        + grown_complaint_causes(wave, unit)
    )
