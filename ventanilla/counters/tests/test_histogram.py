"""Percentiles from summed histogram buckets stay within one bucket of the exact value."""

from __future__ import annotations

import random
import statistics

import numpy as np
import pytest

from ventanilla.counters import histogram as h


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_percentile_of_summed_parts_is_within_one_bucket(seed, fraction):
    rng = random.Random(seed)
    parts = [[rng.lognormvariate(5.5, 0.8) for _ in range(rng.randint(1, 400))] for _ in range(30)]
    total: dict[int, int] = {}
    for part in parts:
        h.add_into(total, h.to_json(h.histogram_of(part)))
    raw = [v for part in parts for v in part if v < h.MAX_SECONDS]
    merged = {k: v for k, v in total.items() if k < h.BUCKETS - 1}
    exact = float(np.quantile(raw, fraction, method="inverted_cdf"))
    assert abs(h.percentile(merged, fraction) - exact) <= h.BUCKET_SECONDS


def test_median_matches_statistics_within_one_bucket():
    values = [12.0, 45.0, 47.0, 300.0, 301.0, 900.0, 31.0]
    assert abs(h.percentile(h.histogram_of(values), 0.5) - statistics.median(values)) <= 30


def test_percentile_edges():
    assert h.percentile({}, 0.5) is None
    assert h.percentile({3: 1}, 0.0) == 90
    assert h.percentile({3: 1}, 1.0) == 120
    assert h.percentile({h.BUCKETS - 1: 2}, 0.5) == h.MAX_SECONDS
    with pytest.raises(ValueError, match="between 0 and 1"):
        h.percentile({1: 1}, 1.5)


def test_buckets_and_shares():
    assert h.bucket_of(-3) == 0
    assert h.bucket_of(29.9) == 0
    assert h.bucket_of(30) == 1
    assert h.bucket_of(10**6) == h.BUCKETS - 1
    hist = h.histogram_of([10, 299, 300, 899, 900, 2000])
    assert h.share_within(hist, 300) == pytest.approx(2 / 6)
    assert h.share_within(hist, 900) == pytest.approx(4 / 6)
    assert h.share_within({}, 900) is None
    with pytest.raises(ValueError, match="multiple of 30"):
        h.share_within(hist, 100)
    assert h.to_json({2: 1, 1: 0}) == {"2": 1}
    assert h.add_into({1: 1}, {"1": 2, "4": 1}) == {1: 3, 4: 1}
    assert h.mean(10.0, 0) is None
    assert h.rate(1, 4) == 0.25
