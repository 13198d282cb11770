"""Window staffing: how many counter windows an outlet needs to meet a waiting-time target.

Pure computation, no Django: the counters app feeds it arrivals and handling times taken from
its rollups, the `staffing` command feeds it numbers typed on the command line, and the tests
and the benchmark call it directly.

Units are seconds throughout: an arrival rate is customers per second, a handling time is the
mean seconds a window spends on one customer (call to end), a patience is the mean seconds a
customer waits before leaving the queue. Each half-hour slot is treated as a stationary queue
with Poisson arrivals and exponential handling (the usual stationary-independent-period-by-period
practice); the simulation tests show how far that is off when handling times are lognormal.

Models
------
Erlang C (M/M/c): nobody leaves the queue. With offered load ``a = λ·h`` (in Erlangs) and ``c``
windows, the probability of waiting is Erlang's C(c, a), computed from Erlang B by the stable
recursion ``B(k) = a·B(k-1) / (k + a·B(k-1))`` and ``C = c·B / (c - a·(1 - B))``: no factorials,
no overflow at hundreds of windows. The service level is ``P(wait ≤ t) = 1 - C·exp(-(cμ - λ)·t)``
and the average wait over all arrivals is ``C / (cμ - λ)``.

Erlang A (M/M/c+M): customers leave the queue after an exponential patience of mean ``1/θ``
(Palm's model, in the formulation of Garnett, Mandelbaum and Reiman, 2002). With ``x = cμ/θ``
and ``y = λ/θ`` and ``A(x, y) = x·e^y·y^(-x)·γ(x, y) = Σ_j y^j / ((x+1)…(x+j))``:

* probability of waiting ``P(W>0) = A·B / (1 + (A - 1)·B)``, with ``B`` = Erlang B(c, λ/μ);
* of those who wait, the share served is ``(x/(x+1))·A(x+1, y)/A(x, y)``, the rest abandon;
* the offered wait ``V`` (how long an arrival would wait if it never gave up) has
  ``P(V > t | V > 0) = γ(x, y·e^(-θt)) / γ(x, y)``;
* the average wait over all arrivals, served or not, is ``P(abandon)/θ`` (Little's law applied
  to the queue, since customers leave it at rate θ each).

The Erlang A *service level* here is the share of all arrivals that are served after waiting at
most ``t``: ``P(V ≤ t and V ≤ patience)``. Customers who give up count as failures whenever they
leave, so abandonment cannot make the figure look better. It works out as
``1 - P(W>0) + P(W>0)·P(served | W>0)·(1 - γ(x+1, y·e^(-θt)) / γ(x+1, y))``. The GMR figure
``P(V ≤ t)``, which also counts customers who gave up within ``t``, is returned as
``offered_service_level``. Both tend to the Erlang C service level as the patience grows.

VIP priority in a shared pool: M/M/c with two classes, equal handling times, non-preemptive
priority for VIPs, first come first served within a class. Every arrival that finds all windows
busy waits, with probability C(c, a) of the total load. While all windows are busy they free up
at rate cμ, so the VIP queue behaves as an M/M/1 queue served at rate cμ and a VIP's wait, given
that it waits, is exponential with rate ``cμ - λ_vip`` (Cobham's mean ``C/(cμ - λ_vip)``). A
regular customer waits for everyone queued ahead of it (geometric in number, ratio λ/cμ) and for
every VIP who arrives meanwhile: its conditional wait is a geometric sum of M/M/1 busy periods
(arrival rate λ_vip, service rate cμ), whose Laplace transform is exact and is inverted
numerically (Abate–Whitt Euler algorithm); its mean is Cobham's ``C/(cμ(1 - ρ_vip)(1 - ρ))``.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "ClassMetrics",
    "PriorityMetrics",
    "ServiceTarget",
    "SlotDemand",
    "SlotRecommendation",
    "StaffingMetrics",
    "VipComparison",
    "compare_vip_options",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_c_windows",
    "estimate_patience",
    "priority_metrics",
    "recommend_windows",
    "size_erlang_a",
    "size_erlang_c",
    "size_priority_pool",
    "size_windows",
]

ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"

# More windows than any outlet (or call centre) has: a search that gets here was given a load
# that no counter hall could serve, and says so instead of looping for minutes.
MAX_WINDOWS = 100_000
_SERIES_EPSILON = 1e-17
_MAX_TERMS = 10_000_000
_TINY = 1e-300
# Abate and Whitt's Euler inversion with M = 11 keeps about seven significant digits in double
# precision, which is three more than a service level needs.
_EULER_M = 11


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTarget:
    """A service-level target: ``service_level`` of customers wait at most ``target_seconds``.

    ``max_occupancy``, when given, also caps the share of time windows are busy (staff cannot
    serve back to back all day).
    """

    target_seconds: float
    service_level: float
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        _check_non_negative("target_seconds", self.target_seconds)
        if not (math.isfinite(self.service_level) and 0.0 < self.service_level < 1.0):
            raise ValueError(
                f"service_level must be strictly between 0 and 1, got {self.service_level!r}"
            )
        if self.max_occupancy is not None and not (
            math.isfinite(self.max_occupancy) and 0.0 < self.max_occupancy <= 1.0
        ):
            raise ValueError(
                f"max_occupancy must be above 0 and at most 1, got {self.max_occupancy!r}"
            )


@dataclass(frozen=True)
class SlotDemand:
    """Demand at one outlet in one slot of the week, as the counters rollups give it.

    ``weekday`` is 0 for Monday to 6 for Sunday; ``start_minute`` is minutes after midnight at
    which the slot starts (a multiple of the slot length). ``arrivals`` is the mean number of
    customers arriving in the slot (over the weeks of history), ``handling_seconds`` their mean
    handling time, ``patience_seconds`` their mean patience where abandonment is measured
    (Erlang A), or ``None`` (Erlang C).
    """

    weekday: int
    start_minute: int
    arrivals: float
    handling_seconds: float
    patience_seconds: float | None = None


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingMetrics:
    """What customers experience with ``servers`` windows open.

    ``service_level`` is the share of arrivals served within ``target_seconds`` (see the module
    docstring for the Erlang A definition); ``average_wait_seconds`` is over all arrivals,
    including those served at once and, under Erlang A, those who gave up; ``occupancy`` is the
    share of time a window is busy. ``abandonment`` and ``offered_service_level`` are ``None``
    under Erlang C, where nobody leaves.
    """

    model: str
    servers: int
    arrival_rate: float
    handling_seconds: float
    target_seconds: float
    offered_load: float
    probability_wait: float
    service_level: float
    average_wait_seconds: float
    occupancy: float
    patience_seconds: float | None = None
    abandonment: float | None = None
    offered_service_level: float | None = None


@dataclass(frozen=True)
class SlotRecommendation:
    """The windows recommended for one slot, and what customers would experience with them."""

    weekday: int
    start_minute: int
    windows: int
    metrics: StaffingMetrics


@dataclass(frozen=True)
class ClassMetrics:
    """One customer class in a shared pool: its own service level and mean wait."""

    arrival_rate: float
    target_seconds: float
    probability_wait: float
    service_level: float
    average_wait_seconds: float


@dataclass(frozen=True)
class PriorityMetrics:
    """A shared pool of ``servers`` windows where VIPs go first (non-preemptive)."""

    servers: int
    handling_seconds: float
    offered_load: float
    occupancy: float
    vip: ClassMetrics
    regular: ClassMetrics


@dataclass(frozen=True)
class VipComparison:
    """Windows needed for VIPs and regular customers on separate windows, or in one pool."""

    dedicated_vip: StaffingMetrics
    dedicated_regular: StaffingMetrics
    shared: PriorityMetrics

    @property
    def dedicated_windows(self) -> int:
        return self.dedicated_vip.servers + self.dedicated_regular.servers

    @property
    def shared_windows(self) -> int:
        return self.shared.servers

    @property
    def windows_saved_by_sharing(self) -> int:
        return self.dedicated_windows - self.shared_windows


# --- Erlang B and C -------------------------------------------------------------------------


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss probability B(servers, load), by the stable recursion over servers."""
    _check_servers(servers)
    _check_non_negative("load", load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Erlang's C(servers, load): the probability that an arrival waits (1 when overloaded)."""
    _check_servers(servers)
    _check_non_negative("load", load)
    if load >= servers:
        return 1.0 if load > 0 else 0.0
    return _erlang_c_from_b(servers, load, erlang_b(servers, load))


def _erlang_c_from_b(servers: int, load: float, blocking: float) -> float:
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_metrics(
    servers: int, *, arrival_rate: float, handling_seconds: float, target_seconds: float
) -> StaffingMetrics:
    """Erlang C figures for ``servers`` windows.

    An overloaded queue (load at or above the windows) has no steady state: every arrival waits,
    the service level is 0 and the average wait infinite.
    """
    _check_servers(servers)
    _check_rates(arrival_rate, handling_seconds)
    _check_non_negative("target_seconds", target_seconds)
    load = arrival_rate * handling_seconds
    return _erlang_c_metrics(
        servers, arrival_rate, handling_seconds, target_seconds, erlang_b(servers, load)
    )


def _erlang_c_metrics(
    servers: int,
    arrival_rate: float,
    handling_seconds: float,
    target_seconds: float,
    blocking: float,
) -> StaffingMetrics:
    load = arrival_rate * handling_seconds
    if arrival_rate == 0.0:
        wait, service_level, average_wait = 0.0, 1.0, 0.0
    elif load >= servers:
        wait, service_level, average_wait = 1.0, 0.0, math.inf
    else:
        wait = _erlang_c_from_b(servers, load, blocking)
        drain_rate = servers / handling_seconds - arrival_rate
        service_level = 1.0 - wait * math.exp(-drain_rate * target_seconds)
        average_wait = wait / drain_rate
    return StaffingMetrics(
        model=ERLANG_C,
        servers=servers,
        arrival_rate=arrival_rate,
        handling_seconds=handling_seconds,
        target_seconds=target_seconds,
        offered_load=load,
        probability_wait=wait,
        service_level=service_level,
        average_wait_seconds=average_wait,
        occupancy=min(load / servers, 1.0) if servers else 0.0,
    )


def size_erlang_c(
    *, arrival_rate: float, handling_seconds: float, target: ServiceTarget
) -> StaffingMetrics:
    """The fewest windows that meet ``target`` under Erlang C, and the figures with them.

    No arrivals need no windows: 0 is returned, with a service level of 1. Whether an outlet
    keeps a window open anyway while it is open is a policy (``recommend_windows`` takes it as
    ``min_windows``), not a result of the queue.

    Erlang B is carried from one window count to the next, so the search costs one
    multiplication and one division per window tried.
    """
    _check_rates(arrival_rate, handling_seconds)
    t = target.target_seconds
    if arrival_rate == 0.0:
        return _erlang_c_metrics(0, 0.0, handling_seconds, t, 1.0)
    servers, blocking = _smallest_erlang_c(
        arrival_rate, handling_seconds, t, target.service_level, target.max_occupancy
    )
    return _erlang_c_metrics(servers, arrival_rate, handling_seconds, t, blocking)


def erlang_c_windows(*, arrival_rate: float, handling_seconds: float, target: ServiceTarget) -> int:
    """Only the number of windows ``size_erlang_c`` would give, without the figures."""
    _check_rates(arrival_rate, handling_seconds)
    if arrival_rate == 0.0:
        return 0
    return _smallest_erlang_c(
        arrival_rate,
        handling_seconds,
        target.target_seconds,
        target.service_level,
        target.max_occupancy,
    )[0]


def _smallest_erlang_c(
    rate: float, handling: float, t: float, level: float, max_occupancy: float | None
) -> tuple[int, float]:
    """The search itself, kept free of calls: it runs for every slot of every outlet."""
    load = rate * handling
    service_rate = 1.0 / handling
    lowest = load / max_occupancy if max_occupancy is not None else load
    exp = math.exp
    blocking = 1.0
    for servers in range(1, MAX_WINDOWS + 1):
        blocking = load * blocking / (servers + load * blocking)
        if servers <= load or servers < lowest:
            continue
        wait = servers * blocking / (servers - load * (1.0 - blocking))
        if 1.0 - wait * exp(-(servers * service_rate - rate) * t) >= level:
            return servers, blocking
    raise ValueError(_too_many_windows(load))


# --- Erlang A -------------------------------------------------------------------------------


def erlang_a_metrics(
    servers: int,
    *,
    arrival_rate: float,
    handling_seconds: float,
    target_seconds: float,
    patience_seconds: float,
) -> StaffingMetrics:
    """Erlang A figures for ``servers`` windows; stable even when the load exceeds them."""
    _check_servers(servers)
    _check_rates(arrival_rate, handling_seconds)
    _check_non_negative("target_seconds", target_seconds)
    _check_positive("patience_seconds", patience_seconds)
    load = arrival_rate * handling_seconds
    return _erlang_a_metrics(
        servers,
        arrival_rate,
        handling_seconds,
        target_seconds,
        patience_seconds,
        erlang_b(servers, load),
    )


def _erlang_a_metrics(
    servers: int,
    arrival_rate: float,
    handling_seconds: float,
    target_seconds: float,
    patience_seconds: float,
    blocking: float,
) -> StaffingMetrics:
    load = arrival_rate * handling_seconds
    if arrival_rate == 0.0:
        wait = abandonment = 0.0
        service_level = offered_service_level = 1.0
    elif servers == 0:
        # Nobody is ever served: every arrival waits out its patience and leaves.
        wait = abandonment = 1.0
        service_level = 0.0
        offered_service_level = 0.0
    else:
        theta = 1.0 / patience_seconds
        x = servers / handling_seconds / theta
        y = arrival_rate / theta
        shrink = math.exp(-theta * target_seconds)
        wait, served_if_waiting, service_level = _erlang_a_core(x, y, shrink, blocking)
        abandonment = wait * (1.0 - served_if_waiting)
        offered_service_level = 1.0 - wait * _lower_gamma_ratio(x, y * shrink, y)
    served_load = load * (1.0 - abandonment)
    return StaffingMetrics(
        model=ERLANG_A,
        servers=servers,
        arrival_rate=arrival_rate,
        handling_seconds=handling_seconds,
        target_seconds=target_seconds,
        offered_load=load,
        probability_wait=wait,
        service_level=service_level,
        average_wait_seconds=abandonment * patience_seconds,
        occupancy=min(served_load / servers, 1.0) if servers else 0.0,
        patience_seconds=patience_seconds,
        abandonment=abandonment,
        offered_service_level=offered_service_level,
    )


def _erlang_a_core(
    x: float, y: float, shrink: float, blocking: float
) -> tuple[float, float, float]:
    """P(W>0), P(served | W>0) and the service level, with x = cμ/θ, y = λ/θ, shrink = e^(-θt).

    Two incomplete-gamma evaluations, both at x + 1: A(x, y) = 1 + y/(x+1)·A(x+1, y), and
    γ(x+1, y) = y^(x+1)·e^(-y)·A(x+1, y)/(x+1).
    """
    log_a1 = _log_a(x + 1.0, y)
    # log A(x, y), written so that a huge A(x+1, y) cannot overflow.
    log_step = math.log(y / (x + 1.0)) + log_a1
    log_a = (
        log_step + math.log1p(math.exp(-log_step))
        if log_step > 0
        else math.log1p(math.exp(log_step))
    )
    # P(W>0) = A·B / (1 + (A - 1)·B), divided through by A for the same reason.
    inverse_a = math.exp(-log_a)
    wait = blocking / (inverse_a + blocking * (1.0 - inverse_a))
    served_if_waiting = x / (x + 1.0) * math.exp(log_a1 - log_a)
    z = y * shrink
    if z <= 0.0:
        late_if_served = 0.0
    else:
        log_full = (x + 1.0) * math.log(y) - y - math.log(x + 1.0) + log_a1
        late_if_served = min(1.0, math.exp(_log_lower_gamma(x + 1.0, z) - log_full))
    service_level = 1.0 - wait + wait * served_if_waiting * (1.0 - late_if_served)
    return wait, served_if_waiting, service_level


def size_erlang_a(
    *,
    arrival_rate: float,
    handling_seconds: float,
    target: ServiceTarget,
    patience_seconds: float,
) -> StaffingMetrics:
    """The fewest windows that meet ``target`` under Erlang A (no arrivals: 0 windows).

    Only the share ``service_level`` of arrivals can be served within the target, and windows
    serve at most ``c/h`` customers a second, so the search starts at ``service_level × load``.
    """
    _check_rates(arrival_rate, handling_seconds)
    _check_positive("patience_seconds", patience_seconds)
    t = target.target_seconds
    if arrival_rate == 0.0:
        return _erlang_a_metrics(0, 0.0, handling_seconds, t, patience_seconds, 1.0)
    load = arrival_rate * handling_seconds
    start = max(1, math.floor(target.service_level * load))
    blocking = erlang_b(start - 1, load)
    theta = 1.0 / patience_seconds
    y = arrival_rate / theta
    shrink = math.exp(-theta * t)
    for servers in range(start, MAX_WINDOWS + 1):
        blocking = load * blocking / (servers + load * blocking)
        x = servers / handling_seconds / theta
        wait, served_if_waiting, service_level = _erlang_a_core(x, y, shrink, blocking)
        served_load = load * (1.0 - wait * (1.0 - served_if_waiting))
        if service_level >= target.service_level and _occupancy_allows(
            min(served_load / servers, 1.0), target
        ):
            return _erlang_a_metrics(
                servers, arrival_rate, handling_seconds, t, patience_seconds, blocking
            )
    raise ValueError(_too_many_windows(load))


def size_windows(
    *,
    arrival_rate: float,
    handling_seconds: float,
    target: ServiceTarget,
    patience_seconds: float | None = None,
) -> StaffingMetrics:
    """Erlang A when the patience is known, Erlang C otherwise."""
    if patience_seconds is None:
        return size_erlang_c(
            arrival_rate=arrival_rate, handling_seconds=handling_seconds, target=target
        )
    return size_erlang_a(
        arrival_rate=arrival_rate,
        handling_seconds=handling_seconds,
        target=target,
        patience_seconds=patience_seconds,
    )


def _log_a(x: float, y: float) -> float:
    """log A(x, y) = log Σ_j y^j / ((x+1)…(x+j)), for x > 0 and y > 0."""
    if y < x + 1.0:
        return math.log(_a_series(x, y))
    return math.log(x) + y - x * math.log(y) + _log_lower_gamma(x, y)


def _a_series(x: float, y: float) -> float:
    # Terms shrink from the first (y < x + 1), so the sum converges without cancellation.
    term = total = 1.0
    j = 0
    while term > total * _SERIES_EPSILON:
        j += 1
        if j > _MAX_TERMS:
            raise ArithmeticError(f"the Erlang A series did not converge for x={x}, y={y}")
        term *= y / (x + j)
        total += term
    return total


def _log_lower_gamma(a: float, z: float) -> float:
    """log γ(a, z), the lower incomplete gamma function, for a > 0 and z ≥ 0."""
    if z <= 0.0:
        return -math.inf
    if z < a + 1.0:
        return a * math.log(z) - z - math.log(a) + math.log(_a_series(a, z))
    log_gamma = math.lgamma(a)
    return log_gamma + math.log1p(-math.exp(_log_upper_gamma(a, z) - log_gamma))


def _log_upper_gamma(a: float, z: float) -> float:
    """log Γ(a, z) by its continued fraction (modified Lentz), for z ≥ a + 1."""
    b = z + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 4e-16:
            return -z + a * math.log(z) + math.log(h)
    raise ArithmeticError(f"the incomplete gamma fraction did not converge for a={a}, z={z}")


def _lower_gamma_ratio(a: float, z: float, full: float) -> float:
    """γ(a, z) / γ(a, full) for 0 ≤ z ≤ full."""
    if z <= 0.0:
        return 0.0
    return min(1.0, math.exp(_log_lower_gamma(a, z) - _log_lower_gamma(a, full)))


# --- VIPs -----------------------------------------------------------------------------------


def priority_metrics(
    servers: int,
    *,
    vip_arrival_rate: float,
    regular_arrival_rate: float,
    handling_seconds: float,
    vip_target_seconds: float,
    regular_target_seconds: float,
) -> PriorityMetrics:
    """Per-class figures for a shared pool where VIPs are called first (non-preemptive)."""
    _check_servers(servers)
    _check_rates(vip_arrival_rate, handling_seconds, name="vip_arrival_rate")
    _check_rates(regular_arrival_rate, handling_seconds, name="regular_arrival_rate")
    _check_non_negative("vip_target_seconds", vip_target_seconds)
    _check_non_negative("regular_target_seconds", regular_target_seconds)
    total_rate = vip_arrival_rate + regular_arrival_rate
    load = total_rate * handling_seconds
    wait = erlang_c(servers, load) if servers else (1.0 if load > 0 else 0.0)
    if load >= servers and load > 0:
        vip = _priority_class(vip_arrival_rate, vip_target_seconds, wait, 0.0, math.inf)
        regular = _priority_class(regular_arrival_rate, regular_target_seconds, wait, 0.0, math.inf)
    else:
        drain = servers / handling_seconds  # windows free up at this rate while all are busy
        vip_rho = vip_arrival_rate / drain if drain else 0.0
        rho = total_rate / drain if drain else 0.0
        vip_decay = drain - vip_arrival_rate
        vip = _priority_class(
            vip_arrival_rate,
            vip_target_seconds,
            wait,
            1.0 - wait * math.exp(-vip_decay * vip_target_seconds),
            wait / vip_decay if wait else 0.0,
        )
        regular_late = (
            _regular_wait_survival(regular_target_seconds, vip_arrival_rate, drain, rho)
            if wait
            else 0.0
        )
        regular = _priority_class(
            regular_arrival_rate,
            regular_target_seconds,
            wait,
            1.0 - wait * regular_late,
            wait / (drain * (1.0 - vip_rho) * (1.0 - rho)) if wait else 0.0,
        )
    return PriorityMetrics(
        servers=servers,
        handling_seconds=handling_seconds,
        offered_load=load,
        occupancy=min(load / servers, 1.0) if servers else 0.0,
        vip=vip,
        regular=regular,
    )


def _priority_class(
    rate: float, target_seconds: float, wait: float, service_level: float, average: float
) -> ClassMetrics:
    return ClassMetrics(
        arrival_rate=rate,
        target_seconds=target_seconds,
        probability_wait=wait,
        service_level=service_level,
        average_wait_seconds=average,
    )


def _regular_wait_survival(t: float, vip_rate: float, drain: float, rho: float) -> float:
    """P(W > t | W > 0) for a regular customer in the shared pool.

    Its wait is a sum of N busy periods of an M/M/1 queue (arrivals ``vip_rate``, service
    ``drain``), N geometric on {1, 2, …} with ratio ``rho``: one for each customer queued ahead
    and one for itself, each stretched by the VIPs who arrive meanwhile.
    """
    if t <= 0.0:
        return 1.0

    def transform(s: complex) -> complex:
        busy = _busy_period_transform(s, vip_rate, drain)
        density = (1.0 - rho) * busy / (1.0 - rho * busy)
        return (1.0 - density) / s

    return min(1.0, max(0.0, _euler_inversion(transform, t)))


def _busy_period_transform(s: complex, up: float, down: float) -> complex:
    """Laplace transform of an M/M/1 busy period (arrival rate ``up``, service rate ``down``)."""
    total = s + up + down
    root = cmath.sqrt(total * total - 4.0 * up * down)
    if abs(total - root) > abs(total + root):
        root = -root
    # The smaller root of up·β² - total·β + down = 0, written so that up → 0 loses nothing.
    return 2.0 * down / (total + root)


def _euler_inversion(transform: Callable[[complex], complex], t: float) -> float:
    """Abate and Whitt's Euler algorithm: the function at t from its Laplace transform."""
    m = _EULER_M
    base = m * math.log(10.0) / 3.0
    xi = [0.5] + [1.0] * m + [0.0] * m
    xi[2 * m] = 2.0**-m
    for k in range(1, m):
        xi[2 * m - k] = xi[2 * m - k + 1] + 2.0**-m * math.comb(m, k)
    total = 0.0
    for k in range(2 * m + 1):
        eta = xi[k] if k % 2 == 0 else -xi[k]
        total += eta * transform(complex(base, math.pi * k) / t).real
    return 10.0 ** (m / 3.0) / t * total


def size_priority_pool(
    *,
    vip_arrival_rate: float,
    regular_arrival_rate: float,
    handling_seconds: float,
    vip_target: ServiceTarget,
    regular_target: ServiceTarget,
) -> PriorityMetrics:
    """The fewest windows in a shared pool, VIPs first, that meet both classes' targets."""
    _check_rates(vip_arrival_rate, handling_seconds, name="vip_arrival_rate")
    _check_rates(regular_arrival_rate, handling_seconds, name="regular_arrival_rate")
    load = (vip_arrival_rate + regular_arrival_rate) * handling_seconds
    for servers in range(0 if load == 0 else math.floor(load) + 1, MAX_WINDOWS + 1):
        metrics = priority_metrics(
            servers,
            vip_arrival_rate=vip_arrival_rate,
            regular_arrival_rate=regular_arrival_rate,
            handling_seconds=handling_seconds,
            vip_target_seconds=vip_target.target_seconds,
            regular_target_seconds=regular_target.target_seconds,
        )
        if (
            (vip_arrival_rate == 0 or metrics.vip.service_level >= vip_target.service_level)
            and (
                regular_arrival_rate == 0
                or metrics.regular.service_level >= regular_target.service_level
            )
            and _occupancy_allows(metrics.occupancy, vip_target)
            and _occupancy_allows(metrics.occupancy, regular_target)
        ):
            return metrics
    raise ValueError(_too_many_windows(load))


def compare_vip_options(
    *,
    vip_arrival_rate: float,
    regular_arrival_rate: float,
    handling_seconds: float,
    vip_target: ServiceTarget,
    regular_target: ServiceTarget,
) -> VipComparison:
    """Dedicated VIP windows (each pool sized on its own target) against one shared pool."""
    return VipComparison(
        dedicated_vip=size_erlang_c(
            arrival_rate=vip_arrival_rate, handling_seconds=handling_seconds, target=vip_target
        ),
        dedicated_regular=size_erlang_c(
            arrival_rate=regular_arrival_rate,
            handling_seconds=handling_seconds,
            target=regular_target,
        ),
        shared=size_priority_pool(
            vip_arrival_rate=vip_arrival_rate,
            regular_arrival_rate=regular_arrival_rate,
            handling_seconds=handling_seconds,
            vip_target=vip_target,
            regular_target=regular_target,
        ),
    )


# --- patience from history -----------------------------------------------------------------


def estimate_patience(
    *, abandoned: int, waited_seconds: float, min_abandoned: int = 20
) -> float | None:
    """Mean patience (seconds) of exponentially patient customers, from a queue's history.

    With exponential patience of rate θ, customers leave the queue at rate θ each while they
    wait, so θ = abandonments / total time spent waiting (the maximum-likelihood estimate,
    abandoned customers' own waits being censored patience times). ``waited_seconds`` is that
    total; when a queue machine logs no time for an abandoned ticket, only the waits of the
    called tickets are in it and the patience comes out shorter, which sizes more windows,
    not fewer. Below ``min_abandoned`` abandonments there is too little to estimate: None.
    """
    if abandoned < 0 or not math.isfinite(waited_seconds) or waited_seconds < 0:
        raise ValueError(
            f"abandoned and waited_seconds must be zero or more, got {abandoned!r}, "
            f"{waited_seconds!r}"
        )
    if abandoned < min_abandoned or waited_seconds <= 0:
        return None
    return waited_seconds / abandoned


# --- one outlet's week ----------------------------------------------------------------------


def recommend_windows(
    slots: Iterable[SlotDemand],
    *,
    target: ServiceTarget,
    interval_minutes: int = 30,
    min_windows: int = 0,
) -> list[SlotRecommendation]:
    """Windows to open in each slot of an outlet's week, ordered by weekday and start.

    ``min_windows`` is the outlet's opening policy (e.g. one window while it is open, even when
    nobody comes); slots that need fewer get that many, with the figures for that many.
    """
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise ValueError(
            f"interval_minutes must divide a day into whole slots, got {interval_minutes!r}"
        )
    _check_servers(min_windows, name="min_windows")
    interval_seconds = interval_minutes * 60.0
    seen: set[tuple[int, int]] = set()
    result = []
    for slot in slots:
        key = (slot.weekday, slot.start_minute)
        if not 0 <= slot.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {slot.weekday!r}")
        if not 0 <= slot.start_minute < 1440 or slot.start_minute % interval_minutes:
            raise ValueError(
                f"start_minute must start a {interval_minutes}-minute slot of the day, "
                f"got {slot.start_minute!r}"
            )
        if key in seen:
            raise ValueError(f"slot weekday={slot.weekday}, start_minute={slot.start_minute} twice")
        seen.add(key)
        _check_non_negative("arrivals", slot.arrivals)
        rate = slot.arrivals / interval_seconds
        metrics = size_windows(
            arrival_rate=rate,
            handling_seconds=slot.handling_seconds,
            target=target,
            patience_seconds=slot.patience_seconds,
        )
        if metrics.servers < min_windows:
            metrics = _metrics_at(min_windows, slot, rate, target)
        result.append(
            SlotRecommendation(
                weekday=slot.weekday,
                start_minute=slot.start_minute,
                windows=metrics.servers,
                metrics=metrics,
            )
        )
    result.sort(key=lambda r: (r.weekday, r.start_minute))
    return result


def _metrics_at(
    servers: int, slot: SlotDemand, rate: float, target: ServiceTarget
) -> StaffingMetrics:
    if slot.patience_seconds is None:
        return erlang_c_metrics(
            servers,
            arrival_rate=rate,
            handling_seconds=slot.handling_seconds,
            target_seconds=target.target_seconds,
        )
    return erlang_a_metrics(
        servers,
        arrival_rate=rate,
        handling_seconds=slot.handling_seconds,
        target_seconds=target.target_seconds,
        patience_seconds=slot.patience_seconds,
    )


# --- checks ---------------------------------------------------------------------------------


def _occupancy_allows(occupancy: float, target: ServiceTarget) -> bool:
    return target.max_occupancy is None or occupancy <= target.max_occupancy


def _too_many_windows(load: float) -> str:
    return f"an offered load of {load:.1f} Erlangs needs more than {MAX_WINDOWS} windows"


def _check_servers(servers: int, *, name: str = "servers") -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise ValueError(f"{name} must be a whole number, zero or more, got {servers!r}")


def _check_non_negative(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be a finite number, zero or more, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a finite number above zero, got {value!r}")


def _check_rates(
    arrival_rate: float, handling_seconds: float, *, name: str = "arrival_rate"
) -> None:
    _check_non_negative(name, arrival_rate)
    _check_positive("handling_seconds", handling_seconds)
