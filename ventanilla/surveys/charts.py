"""The charts of the evaluation pages, built from the figures the selectors return."""

from __future__ import annotations

import math
from collections import defaultdict

from django.utils.translation import gettext as _

from ventanilla.core.charts import Chart, Series
from ventanilla.surveys.models import Sentiment
from ventanilla.surveys.selectors import (
    IndexReport,
    SegmentDrivers,
    SegmentRanking,
    ThemeReport,
)

TREND_THEMES = 5


def trend_chart(report: IndexReport) -> Chart | None:
    """The overall mean per segment over the waves."""
    if not report.trend:
        return None
    periods = sorted({line.wave.period for line in report.trend})
    by_segment: dict[str, dict[str, float | None]] = defaultdict(dict)
    names: dict[str, str] = {}
    for line in report.trend:
        by_segment[line.segment.code][line.wave.period] = line.mean.value
        names[line.segment.code] = line.segment.display_name
    return Chart(
        id="trend",
        title=_("Overall score by wave"),
        labels=periods,
        series=[
            Series(names[c], [values.get(p) for p in periods]) for c, values in by_segment.items()
        ],
        kind="line",
        value_label=_("Mean"),
    )


def segment_means_chart(report: IndexReport) -> Chart | None:
    """The mean of each dimension per segment, over every unit of the report (n-weighted)."""
    if not report.lines:
        return None
    dims: dict[str, str] = {}
    order: dict[str, int] = {}
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    names: dict[str, str] = {}
    for line in report.lines:
        if line.mean.value is None or not line.mean.n:
            continue
        dims[line.dimension.code] = line.dimension.display_name
        order[line.dimension.code] = line.dimension.position
        names[line.segment.code] = line.segment.display_name
        acc = sums[(line.segment.code, line.dimension.code)]
        acc[0] += line.mean.value * line.mean.n
        acc[1] += line.mean.n
    codes = sorted(dims, key=lambda c: order[c])
    series = [
        Series(
            names[seg],
            [sums[(seg, d)][0] / sums[(seg, d)][1] if sums[(seg, d)][1] else None for d in codes],
        )
        for seg in names
    ]
    return Chart(
        id="segment-means",
        title=_("Mean per dimension and segment"),
        labels=[dims[c] for c in codes],
        series=series,
        kind="bar",
        value_label=_("Mean"),
    )


def ranking_chart(ranking: SegmentRanking) -> Chart:
    """Shrunk score of each peer, with the score of the place the user's unit aims for."""
    target_score = next(
        (
            line.shrunk + line.gap
            for line in ranking.lines
            if line.is_own and line.gap is not None and line.shrunk is not None
        ),
        None,
    )
    series = [Series(_("Shrunk score"), [line.shrunk for line in ranking.lines])]
    if target_score is not None:
        series.append(
            Series(
                _("Score needed for the target rank"), [target_score] * len(ranking.lines), "line"
            )
        )
    shown = [v for s in series for v in s.values if v is not None]
    return Chart(
        id=f"ranking-{ranking.segment.code}",
        title=ranking.segment.display_name,
        labels=[f"{line.rank}. {line.label}" for line in ranking.lines],
        series=series,
        kind="bar",
        value_label=_("Shrunk score"),
        # Shrunk scores sit close together: an axis from zero would hide the differences.
        suggested_min=math.floor(min(shown) - 0.5) if shown else None,
    )


def drivers_chart(drivers: SegmentDrivers) -> Chart:
    """Importance (share of R², %) against performance (mean) per dimension."""
    return Chart(
        id=f"drivers-{drivers.segment.code}",
        title=_("Importance × performance"),
        labels=[],
        kind="scatter",
        points=[
            (line.importance * 100, line.performance, line.dimension.display_name)
            for line in drivers.lines
        ],
        x_label=_("Importance (share of R², %)"),
        y_label=_("Performance (mean)"),
    )


def theme_frequency_chart(report: ThemeReport) -> Chart:
    """Comments per theme, one series per segment."""
    return Chart(
        id="theme-frequency",
        title=_("Comments per theme and segment"),
        labels=[line.theme.display_name for line in report.lines],
        series=[
            Series(segment.display_name, [float(line.by_segment[i]) for line in report.lines])
            for i, segment in enumerate(report.segments)
        ],
        kind="horizontalBar",
        value_label=_("Comments"),
        decimals=0,
    )


def theme_sentiment_chart(report: ThemeReport) -> Chart:
    return Chart(
        id="theme-sentiment",
        title=_("Sentiment of the comments per theme"),
        labels=[line.theme.display_name for line in report.lines],
        series=[
            Series(str(label), [float(line.sentiment.get(value, 0)) for line in report.lines])
            for value, label in Sentiment.choices
        ],
        kind="horizontalBar",
        value_label=_("Comments"),
        decimals=0,
    )


def theme_trend_chart(report: ThemeReport) -> Chart | None:
    """Share of the comments (%) of the most frequent themes, wave by wave."""
    if len(report.trend) < 2:
        return None
    shown = [i for i, line in enumerate(report.lines) if line.count][:TREND_THEMES]
    return Chart(
        id="theme-trend",
        title=_("Share of comments per theme, by wave"),
        labels=[t.wave.period for t in report.trend],
        series=[
            Series(
                report.lines[i].theme.display_name,
                [None if t.shares[i] is None else t.shares[i] * 100 for t in report.trend],  # type: ignore[operator]
            )
            for i in shown
        ],
        kind="line",
        value_label=_("Share of comments (%)"),
        decimals=1,
    )
