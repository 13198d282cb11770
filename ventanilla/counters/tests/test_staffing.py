"""Window staffing: closed forms against published values and independent computations.

The independent figures come from the queue itself, written out here without the module's
formulas: the stationary distribution of the birth–death chain (truncated where the tail is
below 1e-16) and, for waiting times, the tagged customer's position in the queue, solved by
uniformisation.
"""

import math

import pytest

from ventanilla.counters import staffing
from ventanilla.counters.staffing import ServiceTarget, SlotDemand

HALF_HOUR = 1800.0


def stationary(c: int, lam: float, h: float, theta: float = 0.0) -> list[float]:
    """P(n in system) for M/M/c (theta = 0) or M/M/c+M, truncated where the tail vanishes."""
    mu = 1.0 / h
    log_p = [0.0]
    top = 0.0
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        log_p.append(log_p[-1] + math.log(lam / death))
        top = max(top, log_p[-1])
        if n > c and log_p[-1] - top < math.log(1e-18):
            break
    p = [math.exp(v - top) for v in log_p]
    total = sum(p)
    return [v / total for v in p]


def chain_erlang_c(c: int, lam: float, h: float, t: float) -> dict[str, float]:
    """M/M/c by the chain: an arrival finding n ≥ c waits n - c + 1 service completions."""
    p = stationary(c, lam, h)
    rate = c / h
    wait = sum(p[c:])
    # P(Erlang(k, rate) > t) = e^(-rate·t) Σ_{i<k} (rate·t)^i / i!, accumulated over k.
    term = math.exp(-rate * t)
    survival = 0.0
    late = 0.0
    mean_wait = 0.0
    for i, pn in enumerate(p[c:]):
        survival += term
        term *= rate * t / (i + 1)
        late += pn * survival
        mean_wait += pn * (i + 1) / rate
    return {"wait": wait, "service_level": 1.0 - late, "average_wait": mean_wait}


def chain_erlang_a(c: int, lam: float, h: float, patience: float, t: float) -> dict[str, float]:
    """M/M/c+M by the chain and the tagged customer's position, solved by uniformisation.

    The tagged arrival that finds k customers queued moves up at rate cμ + kθ, enters service
    from the head of the queue at rate cμ, and leaves at rate θ. Served within t means reaching
    service before t (and before leaving).
    """
    theta = 1.0 / patience
    p = stationary(c, lam, h, theta)
    queue = p[c:]
    wait = sum(queue)
    mean_queue = sum(j * pj for j, pj in enumerate(queue))
    rate = c / h
    depth = len(queue)
    uniform = rate + depth * theta + theta
    position = list(queue)
    served = 0.0
    steps = 0
    weight = math.exp(-uniform * t)
    covered = 0.0
    served_by_t = 0.0
    while covered < 1.0 - 1e-15 or steps < uniform * t:
        served_by_t += weight * served
        covered += weight
        moved = [0.0] * depth
        for k, mass in enumerate(position):
            advance = rate + k * theta
            if k == 0:
                served += mass * advance / uniform
            else:
                moved[k - 1] += mass * advance / uniform
            moved[k] += mass * (1.0 - (advance + theta) / uniform)
        position = moved
        steps += 1
        weight *= uniform * t / steps
    return {
        "wait": wait,
        "abandonment": theta * mean_queue / lam,
        "average_wait": mean_queue / lam,
        "service_level": 1.0 - wait + served_by_t,
    }


def walk_survival(t: float, up: float, down: float, ratio: float) -> float:
    """P(a random walk started at a Geometric(ratio) level ≥ 1 has not reached 0 by t)."""
    depth = 1
    while ratio**depth > 1e-17:
        depth += 1
    depth += int(4 * up * t) + 10
    level = [0.0] + [(1 - ratio) * ratio ** (k - 1) for k in range(1, depth + 1)]
    uniform = up + down
    weight = math.exp(-uniform * t)
    covered = alive = 0.0
    steps = 0
    while covered < 1.0 - 1e-15 or steps < uniform * t:
        alive += weight * sum(level[1:])
        covered += weight
        moved = [0.0] * (depth + 1)
        for k in range(1, depth + 1):
            moved[min(k + 1, depth)] += level[k] * up / uniform
            moved[k - 1] += level[k] * down / uniform
        moved[0] = 0.0
        level = moved
        steps += 1
        weight *= uniform * t / steps
    return alive


# --- Erlang B and C ----------------------------------------------------------------------


def test_erlang_b_and_c_match_the_textbook_small_cases():
    assert staffing.erlang_b(1, 2.0) == pytest.approx(2.0 / 3.0)
    assert staffing.erlang_b(2, 1.0) == pytest.approx(0.2)
    # M/M/1: P(wait) = ρ. M/M/2: P(wait) = 2ρ² / (1 + ρ) with ρ = a / 2.
    assert staffing.erlang_c(1, 0.7) == pytest.approx(0.7)
    rho = 0.6
    assert staffing.erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))
    assert staffing.erlang_c(3, 3.0) == 1.0
    assert staffing.erlang_c(3, 0.0) == 0.0


def test_100_arrivals_per_half_hour_need_14_windows_for_80_percent_in_20_seconds():
    lam, h, t = 100 / HALF_HOUR, 180.0, 20.0
    by_chain = {c: chain_erlang_c(c, lam, h, t) for c in range(11, 16)}
    needed = min(c for c, figures in by_chain.items() if figures["service_level"] >= 0.8)
    assert needed == 14  # 13 windows give 79.56%, just short

    result = staffing.size_erlang_c(
        arrival_rate=lam, handling_seconds=h, target=ServiceTarget(t, 0.8)
    )

    assert result.servers == needed
    assert result.service_level == pytest.approx(by_chain[14]["service_level"], rel=1e-9)
    assert result.probability_wait == pytest.approx(by_chain[14]["wait"], rel=1e-9)
    assert result.average_wait_seconds == pytest.approx(by_chain[14]["average_wait"], rel=1e-9)
    assert result.occupancy == pytest.approx(10 / 14)
    # The published figures, to four significant figures.
    assert f"{result.service_level:.4g}" == "0.8884"
    assert f"{result.probability_wait:.4g}" == "0.1741"
    assert f"{result.average_wait_seconds:.3g}" == "7.84"


@pytest.mark.parametrize(
    ("arrivals_per_hour", "handling", "target"),
    [(5000, 108.0, 20.0), (5000, 100.0, 60.0), (72000, 100.0, 20.0)],
)
def test_large_pools_stay_exact(arrivals_per_hour, handling, target):
    lam = arrivals_per_hour / 3600
    result = staffing.size_erlang_c(
        arrival_rate=lam, handling_seconds=handling, target=ServiceTarget(target, 0.8)
    )
    c = result.servers
    assert c > lam * handling
    exact = chain_erlang_c(c, lam, handling, target)
    assert result.probability_wait == pytest.approx(exact["wait"], rel=1e-8)
    assert result.service_level == pytest.approx(exact["service_level"], rel=1e-8)
    assert result.average_wait_seconds == pytest.approx(exact["average_wait"], rel=1e-8)
    assert chain_erlang_c(c - 1, lam, handling, target)["service_level"] < 0.8


def test_lambda_5000_per_hour_needs_about_150_windows():
    result = staffing.size_erlang_c(
        arrival_rate=5000 / 3600, handling_seconds=108.0, target=ServiceTarget(20.0, 0.8)
    )
    assert 150 < result.servers < 160
    assert 0.8 <= result.service_level < 1.0


def test_more_arrivals_never_need_fewer_windows():
    target = ServiceTarget(20.0, 0.8)
    windows_c = []
    windows_a = []
    for arrivals in range(0, 401, 4):
        lam = arrivals / HALF_HOUR
        windows_c.append(
            staffing.size_erlang_c(arrival_rate=lam, handling_seconds=180.0, target=target).servers
        )
        windows_a.append(
            staffing.size_erlang_a(
                arrival_rate=lam, handling_seconds=180.0, target=target, patience_seconds=300.0
            ).servers
        )
    assert windows_c == sorted(windows_c)
    assert windows_a == sorted(windows_a)
    assert windows_c[-1] > windows_c[1] > 0


def test_longer_handling_and_stricter_targets_never_need_fewer_windows():
    lam = 100 / HALF_HOUR
    by_handling = [
        staffing.size_erlang_c(
            arrival_rate=lam, handling_seconds=h, target=ServiceTarget(20.0, 0.8)
        ).servers
        for h in range(30, 600, 15)
    ]
    by_level = [
        staffing.size_erlang_c(
            arrival_rate=lam, handling_seconds=180.0, target=ServiceTarget(20.0, level / 100)
        ).servers
        for level in range(5, 100, 5)
    ]
    assert by_handling == sorted(by_handling)
    assert by_level == sorted(by_level)


def test_zero_arrivals_need_no_window():
    # No demand, no queue: opening a window anyway is the outlet's policy (min_windows).
    for patience in (None, 300.0):
        result = staffing.size_windows(
            arrival_rate=0.0,
            handling_seconds=180.0,
            target=ServiceTarget(20.0, 0.8),
            patience_seconds=patience,
        )
        assert result.servers == 0
        assert result.service_level == 1.0
        assert result.probability_wait == 0.0
        assert result.average_wait_seconds == 0.0
        assert result.occupancy == 0.0


def test_max_occupancy_adds_windows():
    lam = 100 / HALF_HOUR
    loose = staffing.size_erlang_c(
        arrival_rate=lam, handling_seconds=180.0, target=ServiceTarget(60.0, 0.5)
    )
    capped = staffing.size_erlang_c(
        arrival_rate=lam, handling_seconds=180.0, target=ServiceTarget(60.0, 0.5, 0.7)
    )
    assert loose.occupancy > 0.7
    assert capped.occupancy <= 0.7
    assert capped.servers == math.ceil(10 / 0.7)


def test_an_overloaded_pool_reports_no_steady_state():
    result = staffing.erlang_c_metrics(
        9, arrival_rate=100 / HALF_HOUR, handling_seconds=180.0, target_seconds=20.0
    )
    assert result.probability_wait == 1.0
    assert result.service_level == 0.0
    assert result.average_wait_seconds == math.inf


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ServiceTarget(20.0, 1.0), "service_level"),
        (lambda: ServiceTarget(20.0, 0.0), "service_level"),
        (lambda: ServiceTarget(-1.0, 0.8), "target_seconds"),
        (lambda: ServiceTarget(20.0, 0.8, 1.5), "max_occupancy"),
        (lambda: staffing.erlang_b(-1, 1.0), "servers"),
        (lambda: staffing.erlang_c(2, -1.0), "load"),
        (
            lambda: staffing.size_erlang_c(
                arrival_rate=-1.0, handling_seconds=1.0, target=ServiceTarget(1, 0.5)
            ),
            "arrival_rate",
        ),
        (
            lambda: staffing.size_erlang_c(
                arrival_rate=1.0, handling_seconds=0.0, target=ServiceTarget(1, 0.5)
            ),
            "handling_seconds",
        ),
        (
            lambda: staffing.size_erlang_a(
                arrival_rate=1.0,
                handling_seconds=1.0,
                target=ServiceTarget(1, 0.5),
                patience_seconds=math.inf,
            ),
            "patience_seconds",
        ),
        (
            lambda: staffing.size_erlang_c(
                arrival_rate=1e9, handling_seconds=1.0, target=ServiceTarget(1, 0.5)
            ),
            "more than",
        ),
    ],
)
def test_bad_input_names_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Erlang A ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("c", "arrivals", "handling", "patience", "target"),
    [
        (14, 100, 180.0, 300.0, 20.0),
        (10, 100, 180.0, 300.0, 60.0),
        (3, 30, 150.0, 120.0, 30.0),
        (8, 100, 180.0, 60.0, 20.0),  # overloaded: 10 Erlangs on 8 windows, stable by abandons
        (1, 20, 300.0, 600.0, 0.0),
    ],
)
def test_erlang_a_matches_the_birth_death_chain(c, arrivals, handling, patience, target):
    lam = arrivals / HALF_HOUR
    result = staffing.erlang_a_metrics(
        c,
        arrival_rate=lam,
        handling_seconds=handling,
        target_seconds=target,
        patience_seconds=patience,
    )
    exact = chain_erlang_a(c, lam, handling, patience, target)
    assert result.probability_wait == pytest.approx(exact["wait"], rel=1e-9)
    assert result.abandonment == pytest.approx(exact["abandonment"], rel=1e-9)
    assert result.average_wait_seconds == pytest.approx(exact["average_wait"], rel=1e-9)
    assert result.service_level == pytest.approx(exact["service_level"], rel=1e-9, abs=1e-12)
    assert result.occupancy == pytest.approx(lam * handling * (1 - exact["abandonment"]) / c)
    assert result.offered_service_level >= result.service_level


def test_erlang_a_offered_wait_matches_the_chain_without_abandoning():
    # P(V ≤ t): the tagged customer never gives up, everyone ahead still may.
    lam, h, c, patience, t = 100 / HALF_HOUR, 180.0, 12, 300.0, 45.0
    theta = 1 / patience
    queue = stationary(c, lam, h, theta)[c:]
    rate = c / h
    position = list(queue)
    uniform = rate + len(queue) * theta
    weight, covered, reached, within, steps = math.exp(-uniform * t), 0.0, 0.0, 0.0, 0
    while covered < 1 - 1e-15 or steps < uniform * t:
        within += weight * reached
        covered += weight
        moved = [0.0] * len(queue)
        for k, mass in enumerate(position):
            advance = rate + k * theta
            if k == 0:
                reached += mass * advance / uniform
            else:
                moved[k - 1] += mass * advance / uniform
            moved[k] += mass * (1 - advance / uniform)
        position = moved
        steps += 1
        weight *= uniform * t / steps
    result = staffing.erlang_a_metrics(
        c, arrival_rate=lam, handling_seconds=h, target_seconds=t, patience_seconds=patience
    )
    assert result.offered_service_level == pytest.approx(1 - sum(queue) + within, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    lam, h, t = 100 / HALF_HOUR, 180.0, 20.0
    c_model = staffing.erlang_c_metrics(14, arrival_rate=lam, handling_seconds=h, target_seconds=t)
    gaps = []
    for patience in (1e3, 1e5, 1e7, 1e9):
        a_model = staffing.erlang_a_metrics(
            14, arrival_rate=lam, handling_seconds=h, target_seconds=t, patience_seconds=patience
        )
        gaps.append(abs(a_model.service_level - c_model.service_level))
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-7
    assert a_model.probability_wait == pytest.approx(c_model.probability_wait, rel=1e-6)
    assert a_model.average_wait_seconds == pytest.approx(c_model.average_wait_seconds, rel=1e-5)
    assert a_model.abandonment < 1e-8


def test_erlang_a_needs_no_more_windows_than_erlang_c_with_these_figures():
    target = ServiceTarget(20.0, 0.8)
    lam = 100 / HALF_HOUR
    with_abandons = staffing.size_erlang_a(
        arrival_rate=lam, handling_seconds=180.0, target=target, patience_seconds=300.0
    )
    without = staffing.size_erlang_c(arrival_rate=lam, handling_seconds=180.0, target=target)
    assert with_abandons.servers == 13
    assert without.servers == 14
    below = staffing.erlang_a_metrics(
        12, arrival_rate=lam, handling_seconds=180.0, target_seconds=20.0, patience_seconds=300.0
    )
    assert below.service_level < 0.8 <= with_abandons.service_level


def test_erlang_a_stays_exact_for_a_large_overloaded_pool():
    lam = 5000 / 3600  # 138.9 Erlangs on 100 windows
    for patience in (60.0, 600.0, 1e5):
        result = staffing.erlang_a_metrics(
            100,
            arrival_rate=lam,
            handling_seconds=100.0,
            target_seconds=20.0,
            patience_seconds=patience,
        )
        # Windows serve at most 1 customer a second: the rest must leave.
        assert result.abandonment >= 1 - 1 / lam - 1e-12
        assert 0.0 <= result.service_level <= result.offered_service_level + 1e-9 <= 1.0 + 1e-9
        assert math.isfinite(result.average_wait_seconds)
        if patience < 1e4:
            exact = chain_erlang_a(100, lam, 100.0, patience, 20.0)
            assert result.abandonment == pytest.approx(exact["abandonment"], rel=1e-9)
            assert result.service_level == pytest.approx(exact["service_level"], abs=1e-9)


# --- VIPs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("c", "vip", "regular", "vip_t", "regular_t"),
    [(12, 20, 80, 30.0, 120.0), (14, 10, 90, 60.0, 60.0), (5, 5, 20, 10.0, 300.0)],
)
def test_priority_pool_matches_the_queue_walk_and_the_conservation_law(
    c, vip, regular, vip_t, regular_t
):
    lam1, lam2, h = vip / HALF_HOUR, regular / HALF_HOUR, 180.0
    result = staffing.priority_metrics(
        c,
        vip_arrival_rate=lam1,
        regular_arrival_rate=lam2,
        handling_seconds=h,
        vip_target_seconds=vip_t,
        regular_target_seconds=regular_t,
    )
    fcfs = chain_erlang_c(c, lam1 + lam2, h, 0.0)
    drain = c / h
    rho = (lam1 + lam2) / drain
    wait = fcfs["wait"]
    # A regular customer who waits: the queue ahead of it and itself, each VIP arriving
    # meanwhile pushing it back.
    regular_late = walk_survival(regular_t, lam1, drain, rho)
    vip_late = walk_survival(vip_t, 0.0, drain, lam1 / drain)
    assert result.regular.service_level == pytest.approx(1 - wait * regular_late, abs=1e-6)
    assert result.vip.service_level == pytest.approx(1 - wait * vip_late, abs=1e-6)
    # Work conservation with equal handling times: the mix of waits equals the FCFS wait.
    mixed = lam1 * result.vip.average_wait_seconds + lam2 * result.regular.average_wait_seconds
    assert mixed == pytest.approx((lam1 + lam2) * fcfs["average_wait"], rel=1e-9)
    assert result.vip.average_wait_seconds < fcfs["average_wait"]
    assert result.regular.average_wait_seconds > fcfs["average_wait"]


def test_priority_pool_with_one_class_is_erlang_c():
    lam, h = 100 / HALF_HOUR, 180.0
    plain = staffing.erlang_c_metrics(14, arrival_rate=lam, handling_seconds=h, target_seconds=20)
    only_regular = staffing.priority_metrics(
        14,
        vip_arrival_rate=0.0,
        regular_arrival_rate=lam,
        handling_seconds=h,
        vip_target_seconds=20,
        regular_target_seconds=20,
    )
    only_vip = staffing.priority_metrics(
        14,
        vip_arrival_rate=lam,
        regular_arrival_rate=0.0,
        handling_seconds=h,
        vip_target_seconds=20,
        regular_target_seconds=20,
    )
    assert only_regular.regular.service_level == pytest.approx(plain.service_level, abs=1e-7)
    assert only_vip.vip.service_level == pytest.approx(plain.service_level, rel=1e-12)
    assert only_regular.regular.average_wait_seconds == pytest.approx(plain.average_wait_seconds)


def test_vip_options_compare_dedicated_and_shared_windows():
    lam, h = 100 / HALF_HOUR, 180.0
    vip_target = ServiceTarget(300.0, 0.9)
    regular_target = ServiceTarget(900.0, 0.8)
    comparison = staffing.compare_vip_options(
        vip_arrival_rate=0.15 * lam,
        regular_arrival_rate=0.85 * lam,
        handling_seconds=h,
        vip_target=vip_target,
        regular_target=regular_target,
    )
    assert (
        comparison.dedicated_vip.servers
        == (
            staffing.size_erlang_c(arrival_rate=0.15 * lam, handling_seconds=h, target=vip_target)
        ).servers
    )
    assert (
        comparison.dedicated_regular.servers
        == (
            staffing.size_erlang_c(
                arrival_rate=0.85 * lam, handling_seconds=h, target=regular_target
            )
        ).servers
    )
    assert comparison.dedicated_windows == 12  # 3 VIP + 9 regular
    assert comparison.shared_windows == 11
    assert comparison.windows_saved_by_sharing == 1
    shared = comparison.shared
    assert shared.vip.service_level >= 0.9
    assert shared.regular.service_level >= 0.8
    one_fewer = staffing.priority_metrics(
        shared.servers - 1,
        vip_arrival_rate=0.15 * lam,
        regular_arrival_rate=0.85 * lam,
        handling_seconds=h,
        vip_target_seconds=300.0,
        regular_target_seconds=900.0,
    )
    assert one_fewer.vip.service_level < 0.9 or one_fewer.regular.service_level < 0.8


def test_shared_pool_is_sized_on_the_stricter_class():
    lam, h = 100 / HALF_HOUR, 180.0
    pool = staffing.size_priority_pool(
        vip_arrival_rate=0.2 * lam,
        regular_arrival_rate=0.8 * lam,
        handling_seconds=h,
        vip_target=ServiceTarget(20.0, 0.95),
        regular_target=ServiceTarget(900.0, 0.5),
    )
    assert pool.vip.service_level >= 0.95
    assert pool.regular.service_level > 0.95  # far above its own, looser target
    fewer = staffing.priority_metrics(
        pool.servers - 1,
        vip_arrival_rate=0.2 * lam,
        regular_arrival_rate=0.8 * lam,
        handling_seconds=h,
        vip_target_seconds=20.0,
        regular_target_seconds=900.0,
    )
    assert fewer.vip.service_level < 0.95


# --- one outlet's week -------------------------------------------------------------------


def test_recommend_windows_sizes_each_slot_in_order():
    target = ServiceTarget(20.0, 0.8)
    slots = [
        SlotDemand(weekday=1, start_minute=540, arrivals=100, handling_seconds=180.0),
        SlotDemand(weekday=0, start_minute=570, arrivals=0, handling_seconds=180.0),
        SlotDemand(
            weekday=0,
            start_minute=540,
            arrivals=100,
            handling_seconds=180.0,
            patience_seconds=300.0,
        ),
    ]
    plan = staffing.recommend_windows(slots, target=target)
    assert [(r.weekday, r.start_minute, r.windows) for r in plan] == [
        (0, 540, 13),
        (0, 570, 0),
        (1, 540, 14),
    ]
    assert plan[0].metrics.model == staffing.ERLANG_A
    assert plan[2].metrics.model == staffing.ERLANG_C

    opened = staffing.recommend_windows(slots, target=target, min_windows=1)
    assert [r.windows for r in opened] == [13, 1, 14]
    assert opened[1].metrics.servers == 1
    assert opened[1].metrics.service_level == 1.0


def test_recommend_windows_uses_the_slot_length_for_the_arrival_rate():
    target = ServiceTarget(20.0, 0.8)
    hourly = staffing.recommend_windows(
        [SlotDemand(weekday=2, start_minute=600, arrivals=200, handling_seconds=180.0)],
        target=target,
        interval_minutes=60,
    )
    assert hourly[0].windows == 14
    assert hourly[0].metrics.arrival_rate == pytest.approx(200 / 3600)


@pytest.mark.parametrize(
    ("slots", "interval", "message"),
    [
        ([SlotDemand(7, 0, 1, 60.0)], 30, "weekday"),
        ([SlotDemand(0, 15, 1, 60.0)], 30, "start_minute"),
        ([SlotDemand(0, 1440, 1, 60.0)], 30, "start_minute"),
        ([SlotDemand(0, 0, -1, 60.0)], 30, "arrivals"),
        ([SlotDemand(0, 0, 1, 60.0), SlotDemand(0, 0, 2, 60.0)], 30, "twice"),
        ([SlotDemand(0, 0, 1, 60.0)], 7, "interval_minutes"),
    ],
)
def test_recommend_windows_rejects_bad_slots(slots, interval, message):
    with pytest.raises(ValueError, match=message):
        staffing.recommend_windows(
            slots, target=ServiceTarget(20.0, 0.8), interval_minutes=interval
        )
