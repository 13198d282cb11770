"""Reads: which waves a user sees, indices over their scope, and who sees whose rank."""

from __future__ import annotations

import math

import pytest
from django.http import Http404

from ventanilla.surveys import selectors
from ventanilla.surveys.models import Segment, TargetRank
from ventanilla.surveys.tests.factories import add_response, make_wave


def test_branch_wave_is_visible_below_it_and_sub_branch_wave_only_inside(survey, network):
    own = make_wave(network.subbranch, name="相城自查")
    assert selectors.wave_get(user=network.teller_a, pk=survey.wave.pk) == survey.wave
    assert selectors.wave_get(user=network.other_teller, pk=survey.wave.pk) == survey.wave
    assert selectors.wave_get(user=network.teller_a, pk=own.pk) == own
    with pytest.raises(Http404):
        selectors.wave_get(user=network.other_teller, pk=own.pk)


def test_indices_rolled_up_to_sub_branch_match_hand_values(survey, network):
    report = selectors.wave_indices(user=network.subbranch_manager, wave=survey.wave)
    lines = {(li.unit.code, li.dimension.code): li for li in report.lines}
    assert {u for u, _d in lines} == {"XC"}
    overall = lines[("XC", "overall")]
    half = 3.182446 * math.sqrt((2 / 3) / 4)
    assert (overall.mean.n, overall.mean.value) == (4, 4.0)
    assert overall.mean.low == pytest.approx(4 - half, abs=1e-5)
    assert overall.satisfied.value == 0.75
    assert lines[("XC", "fees")].mean.n == 3  # one answer left fees blank
    assert [(n.unit.code, n.nps.value) for n in report.nps] == [("XC", 25.0)]


def test_indices_follow_the_users_scope(survey, network):
    teller = selectors.wave_indices(
        user=network.teller_a, wave=survey.wave, level=selectors.LEVEL_UNIT
    )
    assert {li.unit.code for li in teller.lines} == {"XC01"}
    auditor = selectors.wave_indices(user=network.auditor, wave=survey.wave)
    assert {li.unit.code for li in auditor.lines} == {"XC", "YT"}


def test_trend_runs_over_earlier_waves_of_the_same_owner(survey, network):
    later = make_wave(network.branch, name="Q2", quarter=2)
    add_response(later, "Q2-1", network.outlet_a, {"overall": 5})
    trend = selectors.wave_trend(user=network.subbranch_manager, wave=later)
    corporate = [(t.wave.period, t.mean.value, t.change) for t in trend]
    assert corporate == [("2026Q1", 4.0, None), ("2026Q2", 5.0, 1.0)]
    report = selectors.wave_indices(user=network.subbranch_manager, wave=later)
    assert [(t.wave.period, t.mean.value) for t in report.trend] == [
        ("2026Q1", 4.0),
        ("2026Q2", 5.0),
    ]
    bare = selectors.wave_indices(user=network.subbranch_manager, wave=later, with_trend=False)
    assert bare.trend == []
    assert bare.lines == report.lines


def _corporate(report):
    return next(s for s in report.segments if s.segment.code == "corporate")


def test_sub_branch_manager_sees_own_rank_and_peers_anonymised(survey, network):
    report = selectors.wave_ranking(user=network.subbranch_manager, wave=survey.wave)
    lines = _corporate(report).lines
    assert not report.is_revealed
    assert [(li.rank, li.is_own, li.unit and li.unit.code) for li in lines] == [
        (1, True, "XC"),
        (2, False, None),
    ]
    assert lines[0].n == 4 and lines[0].mean == 4.0
    assert lines[1].label == "Peer 2"
    assert (lines[1].n, lines[1].mean, lines[1].shrunk) == (None, None, None)


def test_other_teller_sees_their_sub_branch_only(survey, network):
    lines = _corporate(selectors.wave_ranking(user=network.other_teller, wave=survey.wave)).lines
    assert [(li.label, li.is_own, li.shrunk is None) for li in lines] == [
        ("Peer 1", False, True),
        (lines[1].unit.display_name, True, False),
    ]


def test_a_viewer_at_head_office_sees_every_name_and_score(survey, network):
    report = selectors.wave_ranking(user=network.auditor, wave=survey.wave)
    assert report.is_revealed
    lines = _corporate(report).lines
    assert [li.unit.code for li in lines] == ["XC", "YT"]
    # Hand-computed: σ² = 0.625, τ² = 0.890625, peer mean 3.5.
    ratio = 0.625 / 0.890625
    assert lines[0].shrunk == pytest.approx(3.5 + 4 / (4 + ratio) * 0.5)
    assert lines[1].shrunk == pytest.approx(3.5 - 2 / (2 + ratio) * 1.0)


def test_outlet_ranking_reveals_to_the_sub_branch_manager_only(survey, network):
    mgr = selectors.wave_ranking(
        user=network.subbranch_manager, wave=survey.wave, parent=network.subbranch
    )
    assert mgr.is_revealed
    assert [li.unit.code for li in _corporate(mgr).lines] == ["XC01", "XC02"]
    head = selectors.wave_ranking(
        user=network.manager_a, wave=survey.wave, parent=network.subbranch
    )
    assert [(li.label, li.is_own) for li in _corporate(head).lines] == [
        (network.outlet_a.display_name, True),
        ("Peer 2", False),
    ]
    with pytest.raises(Http404):
        selectors.wave_ranking(
            user=network.other_teller, wave=survey.wave, parent=network.subbranch
        )


def test_ranking_reports_target_and_gap(survey, network):
    TargetRank.objects.create(
        unit=network.other_subbranch, segment=Segment.objects.get(code="corporate"), rank=1
    )
    lines = _corporate(selectors.wave_ranking(user=network.other_teller, wave=survey.wave)).lines
    own = lines[1]
    assert own.target == 1
    auditor_lines = _corporate(selectors.wave_ranking(user=network.auditor, wave=survey.wave)).lines
    assert own.gap == pytest.approx(auditor_lines[0].shrunk - auditor_lines[1].shrunk)


def test_drivers_need_enough_complete_answers(survey, network):
    result = selectors.wave_drivers(user=network.auditor, wave=survey.wave)
    assert [(d.segment.code, d.n, d.lines) for d in result] == [
        ("corporate", 6, []),
        ("high_end_individual", 0, []),
    ]


def test_drivers_rank_the_dimension_that_moves_overall(network):
    wave = make_wave(network.branch, scale="1-10")
    for i in range(40):
        wait = 1 + (i * 7) % 10
        fees = 1 + (i * 3) % 10
        add_response(
            wave,
            f"D{i}",
            network.outlet_a,
            {"overall": max(1, min(10, wait + (i % 3) - 1)), "waiting_time": wait, "fees": fees},
        )
    corporate = selectors.wave_drivers(user=network.subbranch_manager, wave=wave)[0]
    assert corporate.n == 40
    assert corporate.lines[0].dimension.code == "waiting_time"
    assert corporate.lines[0].importance > 0.8
