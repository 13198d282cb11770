"""Waves and responses for tests, built on the standard network of the org app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ventanilla.org.models import OrgUnit
from ventanilla.surveys.models import (
    Dimension,
    EvaluationWave,
    Response,
    ResponseScore,
    Segment,
    WaveSource,
)

DIMS = ("overall", "waiting_time", "fees")


def make_wave(
    unit: OrgUnit,
    *,
    name: str = "2026Q1 测评",
    year: int = 2026,
    quarter: int = 1,
    scale: str = "1-5",
    has_recommend: bool = True,
    dimensions: tuple[str, ...] = DIMS,
    segments: tuple[str, ...] = ("corporate", "high_end_individual"),
) -> EvaluationWave:
    wave = EvaluationWave.objects.create(
        unit=unit,
        name=name,
        year=year,
        quarter=quarter,
        source=WaveSource.SUPERIOR_BRANCH,
        scale=scale,
        has_recommend=has_recommend,
    )
    wave.segments.set(Segment.objects.filter(code__in=segments))
    wave.dimensions.set(Dimension.objects.filter(code__in=dimensions))
    return wave


def add_response(
    wave: EvaluationWave,
    ref: str,
    unit: OrgUnit,
    scores: dict[str, int | None],
    *,
    segment: str = "corporate",
    recommend: int | None = None,
    comment: str = "",
) -> Response:
    response = Response.objects.create(
        wave=wave,
        respondent_ref=ref,
        segment=Segment.objects.get(code=segment),
        unit=unit,
        answered_on=date(2026, 3, 20),
        recommend=recommend,
        comment=comment,
        comment_language="zh" if comment else "",
    )
    dims = {d.code: d for d in Dimension.objects.filter(code__in=scores)}
    ResponseScore.objects.bulk_create(
        ResponseScore(response=response, dimension=dims[c], score=v) for c, v in scores.items()
    )
    return response


@dataclass
class Survey:
    wave: EvaluationWave
    network: Any


def build_survey(network: Any) -> Survey:
    """A branch wave: Xiangcheng's outlets A and B and the peer's outlet answered."""
    wave = make_wave(network.branch)
    rows = [
        (network.outlet_a, 5, 4, 3, 10),
        (network.outlet_a, 4, 4, 2, 9),
        (network.outlet_a, 4, 3, None, 7),
        (network.outlet_b, 3, 2, 2, 5),
        (network.other_outlet, 2, 2, 1, 3),
        (network.other_outlet, 3, 3, 2, 6),
    ]
    for i, (unit, overall, wait, fees, rec) in enumerate(rows, start=1):
        add_response(
            wave,
            f"R{i:03d}",
            unit,
            {"overall": overall, "waiting_time": wait, "fees": fees},
            recommend=rec,
            comment="排队时间太长" if i == 1 else "",
        )
    return Survey(wave, network)
