"""The surveys demo step: deterministic, fast, and Xiangcheng where the source plan has it."""

from __future__ import annotations

import time
from datetime import date

import pytest

from ventanilla.demo.generator import build_demo, reset_demo
from ventanilla.org.models import OrgUnit
from ventanilla.surveys.demo import DEMO_STEP
from ventanilla.surveys.models import EvaluationWave, Response, ResponseScore
from ventanilla.surveys.selectors import wave_ranking

AS_OF = date(2026, 11, 15)


@pytest.fixture
def demo(db):
    started = time.perf_counter()
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    return ctx, time.perf_counter() - started


def test_demo_builds_four_quarterly_waves_of_the_branch(demo):
    ctx, _seconds = demo
    waves = list(EvaluationWave.objects.order_by("year", "quarter"))
    assert [w.period for w in waves] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert {w.unit.code for w in waves} == {"SZ"}
    per_wave = Response.objects.filter(wave=waves[-1])
    assert per_wave.filter(segment__code="corporate").count() == pytest.approx(300, abs=30)
    assert per_wave.filter(segment__code="mass_individual").count() == pytest.approx(600, abs=40)
    assert ResponseScore.objects.filter(response__wave=waves[-1]).count() == 9 * per_wave.count()
    assert per_wave.exclude(comment="").filter(comment_language="zh").count() > 200


def test_xiangcheng_ranks_4th_corporate_and_9th_high_end_in_the_latest_wave(demo):
    ctx, _seconds = demo
    wave = EvaluationWave.objects.order_by("-year", "-quarter").first()
    report = wave_ranking(user=ctx.logins["admin"], wave=wave)
    places = {
        s.segment.code: next(line.rank for line in s.lines if line.unit.code == "XC")
        for s in report.segments
    }
    assert len(report.segments[0].lines) == 12
    assert places["corporate"] == 4
    assert places["high_end_individual"] == 9


def test_demo_step_is_deterministic_and_fast(demo):
    ctx, seconds = demo
    assert seconds < 60
    first = list(
        Response.objects.order_by("respondent_ref").values_list(
            "respondent_ref", "unit__code", "recommend", "comment"
        )[:200]
    )
    reset_demo(history=[DEMO_STEP])
    assert not EvaluationWave.objects.exists()
    assert not OrgUnit.objects.exists()
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    again = list(
        Response.objects.order_by("respondent_ref").values_list(
            "respondent_ref", "unit__code", "recommend", "comment"
        )[:200]
    )
    assert first == again


def test_president_sees_the_standing_on_the_home_page(demo, client):
    ctx, _seconds = demo
    client.force_login(ctx.logins["president"])
    page = client.get("/").content.decode()
    assert 'id="standing"' in page
    assert "4 of 12" in page and "9 of 12" in page
    wave = EvaluationWave.objects.order_by("-year", "-quarter").first()
    ranking = client.get(f"/surveys/waves/{wave.pk}/ranking/").content.decode()
    assert "Peer 1" in ranking
    drivers = client.get(f"/surveys/waves/{wave.pk}/drivers/").content.decode()
    assert "table-warning" in drivers  # at least one fix-first dimension
