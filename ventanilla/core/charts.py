"""Charts drawn in the browser, each with the table behind it one click away.

A view builds a :class:`Chart` from the figures it already shows; the ``{% chart %}`` tag
renders a canvas that the locally served Chart.js draws, and, under it, a collapsible table
of exactly the same numbers, so that a figure on a chart can always be read and checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("bar", "line", "scatter", "horizontalBar")


@dataclass
class Series:
    label: str
    values: list[float | None]
    kind: str | None = None  # mixed charts: "line" over "bar"
    # drawn against a second value axis on the right (a count far smaller than the others)
    is_secondary: bool = False


@dataclass
class Chart:
    """A chart: category labels on one axis, one value per label and series."""

    id: str
    title: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    kind: str = "bar"
    value_label: str = ""
    secondary_label: str = ""  # title of the right-hand axis of the ``is_secondary`` series
    decimals: int = 2
    # Scatter charts: one (x, y, label) point per item; axis titles.
    points: list[tuple[float, float, str]] = field(default_factory=list)
    x_label: str = ""
    y_label: str = ""
    suggested_min: float | None = None
    suggested_max: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; expected one of {KINDS}")
        for s in self.series:
            if len(s.values) != len(self.labels):
                raise ValueError(
                    f"series {s.label!r} has {len(s.values)} values for {len(self.labels)} labels"
                )

    @property
    def chart_dom_id(self) -> str:
        return f"chart-spec-{self.id}"

    def spec(self) -> dict[str, Any]:
        """The JSON the browser script reads."""
        return {
            "kind": self.kind,
            "labels": [str(x) for x in self.labels],
            "series": [
                {
                    "label": str(s.label),
                    "values": s.values,
                    "kind": s.kind,
                    "isSecondary": s.is_secondary,
                }
                for s in self.series
            ],
            "points": [{"x": x, "y": y, "label": str(lbl)} for x, y, lbl in self.points],
            "valueLabel": str(self.value_label),
            "secondaryLabel": str(self.secondary_label),
            "decimals": self.decimals,
            "xLabel": str(self.x_label),
            "yLabel": str(self.y_label),
            "suggestedMin": self.suggested_min,
            "suggestedMax": self.suggested_max,
        }

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The same numbers as rows: header and formatted cells."""
        if self.kind == "scatter":
            header = ["", str(self.x_label), str(self.y_label)]
            rows = [
                [str(lbl), _fmt(x, self.decimals), _fmt(y, self.decimals)]
                for x, y, lbl in self.points
            ]
            return header, rows
        header = [""] + [str(s.label) for s in self.series]
        rows = [
            [str(label)] + [_fmt(s.values[i], self.decimals) for s in self.series]
            for i, label in enumerate(self.labels)
        ]
        return header, rows


def _fmt(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    return f"{value:.{decimals}f}"
