"""The effect check against numbers worked by hand."""

import math

import pytest

from ventanilla.rectification.effect import (
    Observation,
    effect,
    mean_from_sums,
    mean_observation,
    rate_observation,
    share_observation,
)


def test_mean_observation_by_hand():
    # values 2, 4, 6: mean 4, sample variance ((4+0+4)/2)=4, se = sqrt(4/3)
    obs = mean_observation([2, 4, 6])
    assert obs.value == 4
    assert obs.n == 3
    assert obs.se == pytest.approx(math.sqrt(4 / 3))


def test_mean_from_sums_equals_mean_of_values():
    values = [30.0, 90.0, 150.0, 600.0]
    direct = mean_observation(values)
    summed = mean_from_sums(len(values), sum(values), sum(v * v for v in values))
    assert summed.value == pytest.approx(direct.value)
    assert summed.se == pytest.approx(direct.se)


def test_share_and_rate_by_hand():
    share = share_observation(80, 100, scale=100)
    assert share.value == pytest.approx(80.0)
    assert share.se == pytest.approx(math.sqrt(0.8 * 0.2 / 100) * 100)  # 4.0
    rate = rate_observation(9, 90, per=30)
    assert rate.value == pytest.approx(3.0)
    assert rate.se == pytest.approx(1.0)  # sqrt(9)/90*30


def test_before_after_without_peers():
    # Wait fell from 12 to 9 minutes, each side with se 1: change -3, se sqrt(2)=1.414,
    # z = 3/1.414 = 2.12 >= 1.96 in the intended (downward) direction: improved.
    before = Observation(12.0, 400, 1.0)
    after = Observation(9.0, 420, 1.0)
    e = effect(before, after, higher_is_better=False)
    assert e.change == pytest.approx(-3.0)
    assert e.did is None
    assert e.se == pytest.approx(math.sqrt(2))
    assert e.z == pytest.approx(3 / math.sqrt(2))
    assert e.verdict == "improved"


def test_difference_in_differences_by_hand():
    # Treated: 70 -> 80 (+10). Peers A: 60 -> 66 (+6), B: 74 -> 82 (+8).
    # Peer mean before (60+74)/2 = 67, after (66+82)/2 = 74, change +7; DiD = 10 - 7 = 3.
    # se: treated 1 and 1; each peer 2 and 2 -> peer mean se = sqrt(4+4)/2 = 1.414 each side.
    # se(DiD) = sqrt(1 + 1 + 2 + 2) = sqrt(6) = 2.449; z = 3/2.449 = 1.22: no clear change.
    e = effect(
        Observation(70, 100, 1.0),
        Observation(80, 100, 1.0),
        higher_is_better=True,
        peers=[
            (Observation(60, 50, 2.0), Observation(66, 50, 2.0)),
            (Observation(74, 50, 2.0), Observation(82, 50, 2.0)),
        ],
    )
    assert e.peer_before == pytest.approx(67)
    assert e.peer_after == pytest.approx(74)
    assert e.change == pytest.approx(10)
    assert e.did == pytest.approx(3)
    assert e.se == pytest.approx(math.sqrt(6))
    assert e.peers == 2
    assert e.verdict == "no_change"


def test_peers_that_moved_the_other_way_make_it_clearer():
    # Treated +10 (se 1, 1); one peer -5 (se 1, 1): DiD 15, se 2, z 7.5: improved.
    e = effect(
        Observation(70, 100, 1.0),
        Observation(80, 100, 1.0),
        higher_is_better=True,
        peers=[(Observation(70, 100, 1.0), Observation(65, 100, 1.0))],
    )
    assert e.did == pytest.approx(15)
    assert e.se == pytest.approx(2)
    assert e.verdict == "improved"


def test_worse_in_the_intended_direction():
    e = effect(Observation(5.0, 300, 0.2), Observation(6.0, 300, 0.2), higher_is_better=False)
    assert e.verdict == "worse"


def test_peer_without_data_is_left_out():
    e = effect(
        Observation(70, 100, 1.0),
        Observation(80, 100, 1.0),
        higher_is_better=True,
        peers=[(Observation(None, 0, None), Observation(60, 10, 3.0))],
    )
    assert e.peers == 0
    assert e.did is None
    assert e.change == pytest.approx(10)


def test_no_data_on_one_side():
    e = effect(Observation(None, 0, None), Observation(9.0, 10, 1.0), higher_is_better=False)
    assert e.verdict == "no_data"
    assert e.change is None
