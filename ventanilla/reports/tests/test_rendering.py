"""The rectification report in its three formats holds the whole plan, in every language."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from django.utils import translation
from docx import Document as open_docx
from pypdf import PdfReader

from ventanilla.rectification.selectors import ReportEffect, rectification_report
from ventanilla.reports import rectification
from ventanilla.reports.document import numbered, render

pytestmark = pytest.mark.django_db


def rendered(network, fixture, language: str, fmt: str) -> bytes:
    with translation.override(language):
        data = rectification_report(user=network.subbranch_manager, plan=fixture.plan)
        return render(rectification.build(data, language), fmt, rectification.TEMPLATE)


def expected_texts(fixture) -> list[str]:
    return [*fixture.sections, *fixture.findings, *(m.title for m in fixture.measures)]


def docx_text(content: bytes) -> str:
    word = open_docx(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_docx_opens_and_holds_every_section_finding_and_measure(network, xc_plan):
    content = rendered(network, xc_plan, "zh-hans", "docx")
    text = docx_text(content)
    for expected in expected_texts(xc_plan):
        assert expected in text, expected
    word = open_docx(io.BytesIO(content))
    assert word.paragraphs[0].text == "苏州分行："
    assert "一、" in text and "（二）网点服务效率" in text
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # The measures table of each section, with a repeated header row and the Word style.
    measure_tables = [
        t
        for t in word.tables
        if "建立投诉快速处理机制\nRP-2026-0001-M001" in [c.text for r in t.rows for c in r.cells]
    ]
    assert measure_tables and measure_tables[0].style.name == "Table Grid"
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert 'w:eastAsia="宋体"' in xml and "<w:tblHeader" in xml
    footer = zipfile.ZipFile(io.BytesIO(content)).read("word/footer1.xml").decode()
    assert "PAGE" in footer
    # The status chart is embedded as a picture.
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_pdf_text_holds_the_plan_and_embeds_a_cjk_font(network, xc_plan):
    content = rendered(network, xc_plan, "zh-hans", "pdf")
    reader = PdfReader(io.BytesIO(content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for expected in expected_texts(xc_plan):
        assert expected in text, expected
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: cannot list the embedded fonts")
    listing = subprocess.run(  # noqa: S603 - fixed tool, our own file
        [pdffonts, "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    cjk = [line for line in listing.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), listing


def test_html_stands_alone_and_holds_the_plan(network, xc_plan):
    html = rendered(network, xc_plan, "zh-hans", "html").decode()
    for expected in expected_texts(xc_plan):
        assert expected in html, expected
    assert '<html lang="zh-hans">' in html
    assert "<style>" in html and 'src="data:image/png;base64,' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html
    assert "投诉后一周无人回复" in html  # a customer's own words
    assert "相城支行" in html.split('class="signature"')[1]


@pytest.mark.parametrize(("language", "expected"), [("en", 'lang="en"'), ("es", 'lang="es"')])
def test_other_languages_number_chapters_the_western_way(network, xc_plan, language, expected):
    html = rendered(network, xc_plan, language, "html").decode()
    assert expected in html
    assert "一、" not in html
    assert "3.2 网点服务效率" in html


def test_effect_text_shows_before_after_peers_and_did():
    effect = ReportEffect(
        verdict="improved",
        verdict_label="Improved",
        indicator_label="Average wait at the counters",
        unit_label="min",
        decimals=2,
        before=12.5,
        after=10.25,
        before_n=400,
        after_n=420,
        change=-2.25,
        peer_before=12.0,
        peer_after=12.1,
        did=-2.35,
        peers=["YT"],
        window_days=30,
        checked_on=date(2026, 9, 1),
    )
    with translation.override("en"):
        text = rectification.effect_text(effect)
    assert "12.50 → 10.25 min (n = 400 / 420)" in text
    assert "change −2.25" in text
    assert "(YT): 12.00 → 12.10" in text
    assert "difference in differences −2.35" in text


def test_chapter_numbers_follow_the_language():
    assert numbered("zh-hans", 1, 2, "目标") == "三、目标"
    assert numbered("zh-hans", 2, 0, "机制", 2) == "（一）机制"
    assert numbered("en", 1, 2, "Goals") == "3. Goals"
    assert numbered("es", 2, 1, "Eficiencia", 2) == "3.2 Eficiencia"


def test_progress_table_counts_overdue_and_done_per_section(network, xc_plan):
    with translation.override("en"):
        data = rectification_report(user=network.subbranch_manager, plan=xc_plan.plan)
        doc = rectification.build(data, "en")
    tables = [b for b in doc.blocks if getattr(b, "has_total", False)]
    assert len(tables) == 1
    rows = {row[0]: row for row in tables[0].rows}
    # Section, measures, planned, in progress, overdue, done, effective, average % done.
    assert rows["服务管理机制"] == ["服务管理机制", "1", "0", "0", "0", "1", "0", "100%"]
    assert rows["网点服务效率"] == ["网点服务效率", "2", "0", "1", "1", "0", "0", "20%"]
    assert rows["All measures"][1:7] == ["3", "0", "1", "1", "1", "0"]


def test_ranks_from_the_source_wave_appear_as_table_and_chart(network):
    from ventanilla.rectification import services as plans
    from ventanilla.surveys.tests.factories import add_response, make_wave

    wave = make_wave(network.branch, name="2026Q2 分行测评", quarter=2)
    for i, (unit, overall) in enumerate(
        [(network.outlet_a, 2), (network.outlet_b, 3), (network.other_outlet, 5)], start=1
    ):
        add_response(wave, f"R{i:03d}", unit, {"overall": overall})
    plan = plans.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="整改报告",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 12, 31),
        source_wave=wave,
    )
    with translation.override("en"):
        data = rectification_report(user=network.subbranch_manager, plan=plan)
        doc = rectification.build(data, "en")
    ranks = next(b for b in doc.blocks if getattr(b, "columns", None))
    # Xiangcheng (mean 2.5) ranks 2nd of the branch's 2 sub-branches (the peer has 5).
    assert [row[1:3] for row in ranks.rows] == [["2", "2"]]
    images = [b for b in doc.blocks if getattr(b, "png", None)]
    assert images and images[0].png.startswith(b"\x89PNG")
    assert "2026Q2 分行测评" in " ".join(getattr(b, "text", "") for b in doc.blocks)
