"""The pure computations against values worked out by hand (or from published tables)."""

from __future__ import annotations

import math
import random

import pytest

from ventanilla.surveys import drivers, indices, ranking


@pytest.mark.parametrize(
    ("df", "expected"), [(1, 12.7062), (4, 2.7764), (9, 2.2622), (30, 2.0423), (1000, 1.9623)]
)
def test_t_quantile_matches_tables(df, expected):
    assert indices.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_t_quantile_rejects_bad_probability():
    with pytest.raises(ValueError, match="p must"):
        indices.t_quantile(1.0, 3)


def test_mean_ci_uses_t_interval():
    est = indices.mean_ci([1, 2, 3, 4, 5])
    half = 2.776445 * math.sqrt(2.5 / 5)
    assert (est.n, est.value) == (5, 3.0)
    assert est.low == pytest.approx(3 - half, abs=1e-5)
    assert est.high == pytest.approx(3 + half, abs=1e-5)


def test_mean_ci_of_one_or_no_value_has_no_interval():
    assert indices.mean_ci([4]) == indices.Estimate(1, 4.0)
    assert indices.mean_ci([]) == indices.Estimate(0, None)


def test_wilson_interval_for_8_of_10():
    est = indices.wilson_ci(8, 10)
    assert est.value == 0.8
    assert est.low == pytest.approx(0.4902, abs=1e-4)
    assert est.high == pytest.approx(0.9433, abs=1e-4)


def test_top_two_box_counts_the_two_highest_points_of_the_scale():
    assert indices.top_box_threshold(1, 5) == 4
    assert indices.top_box_threshold(0, 10) == 9
    est = indices.top_two_box([5, 4, 3, 2, 4], 1, 5)
    assert est.value == pytest.approx(0.6)


def test_nps_and_its_interval():
    est = indices.nps_ci([10, 9, 8, 7, 6, 0])
    assert est.value == pytest.approx(0.0)
    half = 100 * 1.959964 * math.sqrt((4 / 6) / 6)
    assert est.low == pytest.approx(-half, abs=1e-3)
    assert est.high == pytest.approx(half, abs=1e-3)
    assert indices.nps_ci([10, 10, 3]).value == pytest.approx(100 / 3)


def test_index_table_groups_by_unit_segment_dimension():
    obs = [
        indices.Observation("A", "corp", "overall", 5),
        indices.Observation("A", "corp", "overall", 3),
        indices.Observation("A", "corp", "fees", 2),
        indices.Observation("B", "corp", "overall", 4),
    ]
    table = indices.index_table(obs, 1, 5)
    assert [(r.unit, r.dimension, r.mean.n, r.mean.value) for r in table] == [
        ("A", "overall", 2, 4.0),
        ("A", "fees", 1, 2.0),
        ("B", "overall", 1, 4.0),
    ]
    assert table[0].satisfied.value == 0.5


def test_trend_reports_change_from_previous_period():
    rows = indices.trend([("Q1", [3, 5]), ("Q2", []), ("Q3", [5, 5])])
    assert [(p, e.value, c) for p, e, c in rows] == [
        ("Q1", 4.0, None),
        ("Q2", None, None),
        ("Q3", 5.0, 1.0),
    ]


def test_shrinkage_matches_hand_computation():
    samples = [ranking.UnitSample("A", [1, 3]), ranking.UnitSample("B", [3, 5, 4, 4])]
    est = ranking.estimate(samples)
    assert est.peer_mean == pytest.approx(10 / 3)
    assert est.within_variance == pytest.approx(1.0)
    assert est.between_variance == pytest.approx(1.625)
    ranked = ranking.rank_peers(samples)
    assert [(r.unit, r.rank) for r in ranked] == [("B", 1), ("A", 2)]
    assert ranked[0].shrunk == pytest.approx(3.911111, abs=1e-6)
    assert ranked[1].shrunk == pytest.approx(2.313725, abs=1e-6)


def test_competition_ranking_shares_ties():
    assert ranking.competition_ranks([5.0, 4.0, 4.0, 3.0]) == [1, 2, 2, 4]


def test_units_without_answers_are_not_ranked():
    ranked = ranking.rank_peers([ranking.UnitSample("A", [4, 5]), ranking.UnitSample("B", [])])
    assert [r.unit for r in ranked] == ["A"]


def _peers() -> list[ranking.UnitSample]:
    """Eight peers averaging 4.3 (100 answers each, means 4.2 / 4.3 / 4.4)."""
    means = {4.2: [5] * 40 + [4] * 40 + [3] * 20, 4.3: [5] * 50 + [4] * 30 + [3] * 20}
    means[4.4] = [5] * 50 + [4] * 40 + [3] * 10
    order = [4.2, 4.3, 4.4, 4.3, 4.2, 4.4, 4.3, 4.3]
    return [ranking.UnitSample(f"P{i}", means[m]) for i, m in enumerate(order)]


def test_eight_perfect_answers_do_not_top_three_hundred_good_ones():
    small = ranking.UnitSample("small", [5] * 8)
    big = ranking.UnitSample("big", [5] * 180 + [4] * 120)
    assert sum(big.scores) / 300 == pytest.approx(4.6)
    ranked = {r.unit: r for r in ranking.rank_peers([small, big, *_peers()])}
    assert ranked["big"].rank == 1
    assert ranked["small"].rank == 2
    assert ranked["small"].shrunk < ranked["big"].shrunk


def test_adding_answers_moves_a_unit_in_their_direction():
    rng = random.Random(7)
    for _ in range(50):
        peers = [
            ranking.UnitSample(i, [rng.randint(1, 5) for _ in range(rng.randint(5, 40))])
            for i in range(6)
        ]
        before = {r.unit: r.shrunk for r in ranking.rank_peers(peers)}
        target = rng.randrange(6)
        value = rng.choice([1, 5])
        changed = [
            ranking.UnitSample(p.unit, [*p.scores, value]) if p.unit == target else p for p in peers
        ]
        after = {r.unit: r.shrunk for r in ranking.rank_peers(changed)}
        mean_before = sum(peers[target].scores) / len(peers[target].scores)
        if value == 5 and mean_before < 5:
            assert after[target] >= before[target] - 1e-9
        if value == 1 and mean_before > 1:
            assert after[target] <= before[target] + 1e-9


def test_gap_to_target_rank():
    ranked = ranking.rank_peers(
        [
            ranking.UnitSample(u, [v] * 10 + [v - 1] * 10)
            for u, v in zip("ABCD", [5, 4, 3, 2], strict=True)
        ]
    )
    by_unit = {r.unit: r for r in ranked}
    assert by_unit["D"].rank == 4
    assert ranking.gap_to_rank(ranked, "D", 2) == pytest.approx(
        by_unit["B"].shrunk - by_unit["D"].shrunk
    )
    assert ranking.gap_to_rank(ranked, "A", 2) == 0.0
    assert ranking.gap_to_rank(ranked, "Z", 2) is None


def test_shapley_shares_sum_to_r_squared_and_match_two_predictor_formula():
    rng = random.Random(3)
    rows, y = [], []
    for _ in range(200):
        a, b = rng.gauss(0, 1), rng.gauss(0, 1)
        rows.append([a, 0.5 * a + b])
        y.append(2 * a + 0.3 * b + rng.gauss(0, 1))
    total, shares = drivers.shapley_r2(rows, y)
    assert sum(shares) == pytest.approx(total)
    # With two predictors: share_1 = (R² + r1² - r2²) / 2.
    r1 = drivers._correlation([r[0] for r in rows], y)
    r2 = drivers._correlation([r[1] for r in rows], y)
    assert shares[0] == pytest.approx((total + r1 * r1 - r2 * r2) / 2)


def test_key_drivers_flags_important_weak_dimensions():
    rng = random.Random(5)
    answers = []
    for _ in range(300):
        wait, fees, look = rng.randint(1, 6), rng.randint(6, 10), rng.randint(3, 10)
        overall = round(0.8 * wait + 0.1 * fees + 0.1 * look + rng.gauss(0, 0.5))
        answers.append({"wait": wait, "fees": fees, "look": look, "overall": overall})
    answers.append({"wait": None, "fees": 5, "look": 5, "overall": 5})
    analysis = drivers.key_drivers(answers, ["wait", "fees", "look"], "overall")
    assert analysis.n == 300
    assert analysis.drivers[0].dimension == "wait"
    assert sum(d.importance for d in analysis.drivers) == pytest.approx(1.0)
    assert [d.dimension for d in analysis.fix_first] == ["wait"]


def test_key_drivers_needs_enough_answers():
    answers = [{"a": 1, "b": 2, "overall": 3}] * 3
    assert drivers.key_drivers(answers, ["a", "b"], "overall") is None
