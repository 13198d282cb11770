"""The rectification report in the shape a sub-branch sends it to its superior branch.

Addressee and title on top; the evaluation results and ranks that prompted the plan; the
goals; each section with its problems (evidence, customers' own words) and its measures
(owner, department, dates, status, percent done, effect); overall progress; the closing
commitment; the unit and the date at the bottom right. Data in (the dataclass of
``rectification.selectors.rectification_report``), blocks out; call inside
``translation.override(language)``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ventanilla.rectification.selectors import (
    RectificationReport,
    ReportEffect,
    ReportMeasure,
    ReportSection,
)
from ventanilla.reports import charts
from ventanilla.reports.document import (
    Column,
    Document,
    Heading,
    Image,
    Paragraph,
    Progress,
    Table,
    day,
    long_day,
    num,
    numbered,
    signed,
)

TEMPLATE = "reports/rectification.html"
# A title that already carries its number ("一、", "（二）", "3.") gets the document's own.
LEADING_NUMBER = re.compile(
    r"^\s*(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+[、．.]|\d{1,2}[.、．)](?!\d)\s*)"
)
STATUS_ORDER = ("planned", "in_progress", "overdue", "done", "effective")


def status_legend() -> dict[str, str]:
    return {
        "planned": pgettext("measure status", "Planned"),
        "in_progress": pgettext("measure status", "In progress"),
        "overdue": _("Overdue"),
        "done": pgettext("measure status", "Done"),
        "effective": pgettext("measure status", "Closed as effective"),
    }


def bare(title: str) -> str:
    return LEADING_NUMBER.sub("", title, count=1).strip() or title


def status_key(measure: ReportMeasure) -> str | None:
    """The bucket a measure is counted in; cancelled measures are not counted."""
    if measure.status == "cancelled":
        return None
    if measure.is_overdue:
        return "overdue"
    return measure.status


def effect_text(effect: ReportEffect) -> str:
    """The numbers behind a verdict, in one sentence."""
    d = effect.decimals
    unit = effect.unit_label
    parts = [
        _(
            "%(indicator)s, %(days)d days before and after completion: "
            "%(before)s → %(after)s %(unit)s (n = %(bn)d / %(an)d), change %(change)s"
        )
        % {
            "indicator": effect.indicator_label,
            "days": effect.window_days,
            "before": num(effect.before, d),
            "after": num(effect.after, d),
            "unit": unit,
            "bn": effect.before_n,
            "an": effect.after_n,
            "change": signed(effect.change, d),
        }
    ]
    if effect.peers:
        parts.append(
            _(
                "peers without the measure (%(peers)s): %(pb)s → %(pa)s; "
                "difference in differences %(did)s"
            )
            % {
                "peers": ", ".join(effect.peers),
                "pb": num(effect.peer_before, d),
                "pa": num(effect.peer_after, d),
                "did": signed(effect.did, d),
            }
        )
    else:
        parts.append(_("no peer unit to compare with"))
    return "; ".join(parts) + "."


def _section_progress(section: ReportSection) -> tuple[dict[str, int], int, float]:
    counts = {key: 0 for key in STATUS_ORDER}
    total = 0
    percent = 0
    for m in section.measures:
        key = status_key(m)
        if key is None:
            continue
        counts[key] += 1
        total += 1
        percent += m.percent_done
    return counts, total, (percent / total if total else 0.0)


def _ranks(doc: Document, report: RectificationReport, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Evaluation results and ranks"))))
    if report.wave:
        doc.add(
            Paragraph(
                _("Source: %(source)s, %(wave)s.")
                % {"source": report.source_label, "wave": report.wave}
            )
        )
    # A segment nobody was ranked in (no answers in the wave) says nothing: left out.
    ranks = [r for r in report.ranks if r.peers]
    if not ranks:
        doc.add(Paragraph(_("No evaluation ranks are available for this plan."), "muted"))
        return
    rows = [
        [
            r.segment,
            str(r.rank) if r.rank is not None else "—",
            str(r.peers),
            num(r.score, 1),
            str(r.target_rank) if r.target_rank else "—",
            num(r.gap, 1),
        ]
        for r in ranks
    ]
    doc.add(
        Table(
            [
                Column(_("Customer segment"), width=7),
                Column(_("Rank"), True),
                Column(_("Peers ranked"), True),
                Column(_("Score"), True),
                Column(_("Target rank"), True),
                Column(_("Score gap to target"), True),
            ],
            rows,
        )
    )
    png = charts.rank_chart(
        [charts.RankBar(r.segment, r.rank, r.target_rank, r.peers) for r in ranks],
        title=_("Rank per customer segment (1 = best)"),
        rank_label=_("Rank"),
        target_label=_("Target rank"),
    )
    if png:
        doc.add(Image(png, _("Rank per customer segment against the target rank")))


def _goals(doc: Document, report: RectificationReport, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Rectification goals"))))
    if not report.goals:
        doc.add(Paragraph(_("No goals have been set."), "muted"))
        return
    doc.add(
        Table(
            [
                Column(_("Goal"), width=8),
                Column(_("Indicator"), width=8),
                Column(_("Baseline"), True, 3),
                Column(_("Target"), True, 3),
                Column(_("Deadline"), True, 4.2),
            ],
            [
                [
                    g.title,
                    "{} ({})".format(
                        g.indicator_label,
                        _("Higher is better") if g.higher_is_better else _("Lower is better"),
                    ),
                    num(g.baseline, 1),
                    num(g.target, 1),
                    day(g.deadline),
                ]
                for g in report.goals
            ],
        )
    )


def _measure_row(number: str, problem: str, m: ReportMeasure) -> list[str]:
    owner = " / ".join(x for x in (m.owner, m.department) if x) or "—"
    overdue = _("overdue")
    done = pgettext("date a measure was completed", "done")
    status = m.status_label + (f" ({overdue})" if m.is_overdue else "")
    done_on = f"\n{done} {day(m.completed_on)}" if m.completed_on else ""
    return [
        number,
        f"{m.title}\n{m.reference}",
        problem,
        owner,
        f"{day(m.start_on)}\n– {day(m.due_on)}{done_on}",
        status,
        f"{m.percent_done}%",
        m.effect.verdict_label if m.effect else "—",
    ]


def _section(doc: Document, section: ReportSection, index: int, chapter: int) -> None:
    doc.add(Heading(2, numbered(doc.language, 2, index, bare(section.title), chapter)))
    doc.add(Heading(3, _("Problems found")))
    if not section.findings:
        doc.add(Paragraph(_("No problems recorded in this section."), "muted"))
    for i, finding in enumerate(section.findings, start=1):
        doc.add(Paragraph(f"{i}. {finding.statement}", "strong"))
        if finding.evidence:
            doc.add(Paragraph(_("Evidence: %(evidence)s") % {"evidence": finding.evidence}))
        for example in finding.examples:
            doc.add(Paragraph(f"“{example}”", "quote"))
    doc.add(Heading(3, _("Measures")))
    rows: list[list[str]] = []
    measured: list[tuple[str, ReportMeasure]] = []
    number = 0
    for i, finding in enumerate(section.findings, start=1):
        for m in finding.measures:
            number += 1
            rows.append(_measure_row(str(number), str(i), m))
            measured.append((str(number), m))
    for m in section.other_measures:
        number += 1
        rows.append(_measure_row(str(number), "—", m))
        measured.append((str(number), m))
    if not rows:
        doc.add(Paragraph(_("No measures yet in this section."), "muted"))
        return
    doc.add(
        Table(
            [
                Column(_("No."), True, 2.6),
                Column(_("Measure"), width=13),
                Column(_("Problem"), True, 2.6),
                Column(_("Owner / department"), width=6.6),
                Column(_("Start – due"), width=7.2),
                Column(_("Status"), width=5.4),
                Column(_("Percent done"), True, 3.8),
                Column(_("Effect"), width=5.4),
            ],
            rows,
        )
    )
    for n, m in measured:
        if m.description:
            doc.add(Paragraph(f"{n}. {m.title}: {m.description}", "muted"))
        if m.effect:
            doc.add(
                Paragraph(
                    _("Effect check of measure %(n)s (%(verdict)s, %(on)s): %(numbers)s")
                    % {
                        "n": n,
                        "verdict": m.effect.verdict_label,
                        "on": day(m.effect.checked_on),
                        "numbers": effect_text(m.effect),
                    },
                    "muted",
                )
            )


def _progress(doc: Document, report: RectificationReport, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Overall progress"))))
    legend = status_legend()
    rows = []
    stacked = []
    sums = {key: 0 for key in STATUS_ORDER}
    total = 0
    for section in report.sections:
        counts, n, mean = _section_progress(section)
        rows.append(
            [section.title, str(n), *(str(counts[k]) for k in STATUS_ORDER), f"{mean:.0f}%"]
        )
        stacked.append(charts.StackedRow(bare(section.title), counts))
        total += n
        for key in STATUS_ORDER:
            sums[key] += counts[key]
    rows.append(
        [
            _("All measures"),
            str(total),
            *(str(sums[k]) for k in STATUS_ORDER),
            f"{report.totals.percent:.0f}%",
        ]
    )
    doc.add(
        Paragraph(
            _(
                "%(total)d measures: %(done)d completed, %(overdue)d overdue; "
                "on average %(pct)s%% done."
            )
            % {
                "total": report.totals.total,
                "done": report.totals.done,
                "overdue": report.totals.overdue,
                "pct": f"{report.totals.percent:.0f}",
            }
        )
    )
    doc.add(
        Table(
            [
                Column(_("Section"), width=9),
                Column(_("Measures"), True, 3),
                *(Column(legend[k], True, 3.4) for k in STATUS_ORDER),
                Column(_("Average percent done"), True, 3.6),
            ],
            rows,
            has_total=True,
        )
    )
    png = charts.status_chart(
        stacked,
        title=_("Measures by status per section"),
        legend=legend,
        axis_label=_("Measures"),
    )
    if png:
        doc.add(Image(png, _("Measures by status per section")))
    if report.verdicts:
        labels = {
            "improved": _("Improved"),
            "no_change": _("No clear change"),
            "worse": _("Worse"),
            "no_data": _("Not enough data"),
        }
        doc.add(
            Paragraph(
                _("Effect checks: %(list)s.")
                % {
                    "list": ", ".join(
                        f"{labels.get(k, k)} {v}" for k, v in sorted(report.verdicts.items())
                    )
                }
            )
        )


def build(report: RectificationReport, language: str, on_step: Progress | None = None) -> Document:
    step = on_step or (lambda _pct, _text: None)
    doc = Document(language=language, title=report.title, addressee=report.addressee)
    if doc.addressee and not doc.addressee.endswith((":", "：")):
        doc.addressee += "：" if language.startswith("zh") else ":"
    meta = [
        _("Reference %(ref)s · period %(start)s – %(end)s · %(status)s")
        % {
            "ref": report.reference,
            "start": day(report.period_start),
            "end": day(report.period_end),
            "status": report.status_label,
        }
    ]
    if report.approved_by:
        meta.append(
            _("Approved by %(who)s on %(on)s")
            % {"who": report.approved_by, "on": day(report.approved_on)}
        )
    doc.meta = meta
    for text in filter(None, report.introduction.split("\n")):
        doc.add(Paragraph(text.strip()))
    step(25, _("Drawing the charts"))
    chapter = 0
    _ranks(doc, report, chapter)
    chapter += 1
    _goals(doc, report, chapter)
    chapter += 1
    doc.add(Heading(1, numbered(language, 1, chapter, _("Problems found and measures taken"))))
    for index, section in enumerate(report.sections):
        _section(doc, section, index, chapter)
    chapter += 1
    _progress(doc, report, chapter)
    chapter += 1
    doc.add(Heading(1, numbered(language, 1, chapter, _("Next steps and commitment"))))
    commitment = [t.strip() for t in report.commitment.split("\n") if t.strip()]
    for text in commitment or [_("No closing commitment has been written for this plan.")]:
        doc.add(Paragraph(text))
    doc.signature = [report.unit, long_day(report.generated_on)]
    return doc
