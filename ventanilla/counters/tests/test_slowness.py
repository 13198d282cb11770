"""Slow-teller detection: mix-adjusted, with a minimum sample and a one-sided z-test."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from ventanilla.counters.slowness import Cell, normal_upper_tail, slow_tellers

TYPES = {"deposit": 150.0, "transfer": 240.0, "corporate": 1800.0}


def cells_for(rng, teller, mix, pace=1.0):
    """A teller's cells from lognormal times around each type's standard, times ``pace``."""
    cells = []
    for kind, count in mix.items():
        times = [rng.lognormvariate(math.log(TYPES[kind] * pace), 0.35) for _ in range(count)]
        cells.append(Cell(teller, kind, count, sum(times), sum(t * t for t in times)))
    return cells


def test_slow_teller_is_flagged_and_mix_does_not_fool_the_test():
    rng = random.Random(7)
    cells = []
    for n in range(6):
        cells += cells_for(rng, f"normal{n}", {"deposit": 120, "transfer": 80, "corporate": 5})
    # Mostly corporate business: slow on raw means, normal once the mix is accounted for.
    cells += cells_for(rng, "corporate_desk", {"deposit": 20, "corporate": 60})
    cells += cells_for(rng, "slow", {"deposit": 100, "transfer": 60}, pace=1.4)
    cells += cells_for(rng, "new", {"deposit": 8, "transfer": 4}, pace=1.6)
    results = {r.teller: r for r in slow_tellers(cells, standards=TYPES)}
    assert results["slow"].is_slow
    assert results["slow"].ratio_to_peers == pytest.approx(1.4, rel=0.1)
    assert results["slow"].ratio_to_standard == pytest.approx(1.4 * math.exp(0.35**2 / 2), rel=0.1)
    assert not results["corporate_desk"].is_slow
    assert results["corporate_desk"].ratio_to_peers == pytest.approx(1.0, abs=0.15)
    assert not results["new"].is_slow  # too few tickets to say
    assert results["new"].ratio_to_peers > 1.2
    assert not any(results[f"normal{n}"].is_slow for n in range(6))
    assert next(iter(slow_tellers(cells))).teller == "slow"


def test_expected_time_uses_the_peers_only():
    cells = [
        Cell("a", "t", 10, 10 * 100.0, 10 * 100.0**2),
        Cell("b", "t", 10, 10 * 200.0, 10 * 200.0**2),
    ]
    a, b = sorted(slow_tellers(cells), key=lambda r: r.teller)
    assert a.expected_seconds == 10 * 200.0
    assert b.expected_seconds == 10 * 100.0
    assert a.z is None  # peers without spread: no test


def test_types_the_peers_rarely_handle_are_left_out():
    cells = [Cell("a", "rare", 40, 4000.0, 400000.0), Cell("b", "rare", 3, 300.0, 30000.0)]
    a = next(r for r in slow_tellers(cells) if r.teller == "a")
    assert a.compared == 0
    assert not a.is_slow
    assert a.ratio_to_peers is None


def test_normal_tail_matches_statistics():
    for z in (-1.0, 0.0, 1.645, 2.326, 3.0):
        assert normal_upper_tail(z) == pytest.approx(1 - statistics.NormalDist().cdf(z))


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (3.8097e-320, "< 0.0001"),
        (0.0, "< 0.0001"),
        (0.00012, "0.0001"),
        (0.0123, "0.0123"),
        (None, "–"),
    ],  # fmt: skip
)
def test_p_values_are_shown_to_four_decimals_never_in_exponent_form(p, shown):
    from django.utils import translation

    from ventanilla.counters.templatetags.counters_ui import p_value

    with translation.override("en"):
        assert p_value(p) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0, "< 0:30"),
        (15, "< 0:30"),
        (29.9, "< 0:30"),
        (30, "0:30"),
        (605, "10:05"),
        (None, "–"),
    ],  # fmt: skip
)
def test_percentiles_in_the_first_bucket_are_shown_as_under_its_width(seconds, shown):
    from ventanilla.counters.templatetags.counters_ui import percentile_mmss

    assert percentile_mmss(seconds) == shown
