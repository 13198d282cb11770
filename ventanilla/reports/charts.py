"""The charts of the generated documents, drawn as PNG images with matplotlib.

The same PNG goes into the HTML (as a data URI), the PDF (through that HTML) and the DOCX,
so the three formats show the same picture. Chinese labels need a font with CJK glyphs:
the one the PDF embeds (``cjk_font_file``); without it the labels fall back to the default.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ventanilla.core.pdf import cjk_font_file  # noqa: E402

# Muted, print-friendly colours that stay distinct in greyscale.
STATUS_COLOURS = {
    "planned": "#b8c2cc",
    "in_progress": "#4a7ab0",
    "done": "#2f8f5b",
    "effective": "#145c36",
    "overdue": "#c0392b",
}
BAR = "#4a7ab0"
TARGET = "#c0392b"
DPI = 150


@functools.cache
def _font() -> font_manager.FontProperties | None:
    path = cjk_font_file()
    return font_manager.FontProperties(fname=path) if path else None


def _props(size: float) -> dict[str, Any]:
    font = _font()
    if font is None:
        return {"fontsize": size}
    prop = font.copy()
    prop.set_size(size)
    return {"fontproperties": prop}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _style(ax: object) -> None:
    ax.spines["top"].set_visible(False)  # type: ignore[attr-defined]
    ax.spines["right"].set_visible(False)  # type: ignore[attr-defined]
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)  # type: ignore[attr-defined]
    ax.set_axisbelow(True)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RankBar:
    label: str
    rank: int | None
    target: int | None
    peers: int


def rank_chart(
    bars: Sequence[RankBar], *, title: str, rank_label: str, target_label: str
) -> bytes | None:
    """Rank per segment (1 = best, bars to the right are worse) against the target rank."""
    shown = [b for b in bars if b.rank is not None]
    if not shown:
        return None
    height = 0.9 + 0.42 * len(shown)
    fig = Figure(figsize=(6.4, height))
    ax = fig.add_subplot()
    labels = [b.label for b in shown]
    positions = list(range(len(shown)))
    ax.barh(positions, [b.rank or 0 for b in shown], color=BAR, height=0.55, label=rank_label)
    targets = [(p, b.target) for p, b in zip(positions, shown, strict=True) if b.target]
    if targets:
        ax.scatter(
            [t for _p, t in targets],
            [p for p, _t in targets],
            marker="|",
            s=420,
            linewidths=2.4,
            color=TARGET,
            zorder=3,
            label=target_label,
        )
    for p, b in zip(positions, shown, strict=True):
        ax.text((b.rank or 0) + 0.15, p, f"{b.rank}/{b.peers}", va="center", **_props(8))
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, **_props(9))
    ax.invert_yaxis()
    most = max(max(b.peers for b in shown), max((t for _p, t in targets), default=0))
    ax.set_xlim(0, most + 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for tick in ax.get_xticklabels():
        tick.set_fontsize(8)
    ax.set_title(title, loc="left", **_props(10))
    ax.legend(prop=_legend_font(), loc="lower right", frameon=False)
    _style(ax)
    return _png(fig)


def _legend_font() -> font_manager.FontProperties:
    font = _font()
    prop = font.copy() if font is not None else font_manager.FontProperties()
    prop.set_size(8)
    return prop


@dataclass(frozen=True)
class StackedRow:
    label: str
    counts: dict[str, int]  # status key → number of measures


def status_chart(
    rows: Sequence[StackedRow], *, title: str, legend: dict[str, str], axis_label: str
) -> bytes | None:
    """Measures per section, stacked by status (planned, in progress, overdue, done...)."""
    if not rows or not any(sum(r.counts.values()) for r in rows):
        return None
    fig = Figure(figsize=(6.4, 0.9 + 0.42 * len(rows)))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    left = [0] * len(rows)
    for key, name in legend.items():
        values = [r.counts.get(key, 0) for r in rows]
        if not any(values):
            continue
        ax.barh(
            positions,
            values,
            left=left,
            height=0.55,
            color=STATUS_COLOURS.get(key, "#888888"),
            label=name,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions)
    ax.set_yticklabels([_wrap(r.label) for r in rows], **_props(9))
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left) * 1.05 + 0.5)
    ax.set_xlabel(axis_label, **_props(8))
    ax.set_title(title, loc="left", **_props(10))
    ax.legend(
        prop=_legend_font(),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 if len(rows) > 2 else -0.35),
        ncol=len(legend),
        frameon=False,
    )
    _style(ax)
    return _png(fig)


@dataclass(frozen=True)
class CountBar:
    label: str
    value: float


def bar_chart(bars: Sequence[CountBar], *, title: str, axis_label: str) -> bytes | None:
    """A plain horizontal bar chart (complaints by cause, errors by outlet)."""
    if not bars or not any(b.value for b in bars):
        return None
    fig = Figure(figsize=(6.4, 0.9 + 0.36 * len(bars)))
    ax = fig.add_subplot()
    positions = list(range(len(bars)))
    ax.barh(positions, [b.value for b in bars], color=BAR, height=0.55)
    for p, b in zip(positions, bars, strict=True):
        ax.text(b.value, p, f" {b.value:g}", va="center", **_props(8))
    ax.set_yticks(positions)
    ax.set_yticklabels([_wrap(b.label) for b in bars], **_props(9))
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(b.value for b in bars) * 1.15 + 0.5)
    ax.set_xlabel(axis_label, **_props(8))
    ax.set_title(title, loc="left", **_props(10))
    _style(ax)
    return _png(fig)


def _wrap(label: str, limit: int = 30) -> str:
    """Shorten a long axis label; a CJK character counts as two Latin ones."""
    weight = 0
    for i, ch in enumerate(label):
        weight += 2 if ord(ch) > 0x2E80 else 1
        if weight > limit and i < len(label) - 1:
            return label[:i] + "…"
    return label
