"""VIP window selection: weighted ranking of scored candidates, speed from transaction
times; the service guards who may score; the page is for managers of the unit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from ventanilla.core.errors import DomainError
from ventanilla.counters import selectors, vipselection
from ventanilla.counters.models import QueueTicket, VipCandidateScore
from ventanilla.counters.services import vip_score_record
from ventanilla.counters.tests.test_selectors import MONDAY, make_paced_tickets
from ventanilla.counters.tests.test_views import client_for
from ventanilla.org.tests.factories import EmployeeFactory

EVEN = vipselection.Weights(business_skill=1, speed=1, marketing=1, service=1, image=1)
RANGE = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=6)).isoformat()}


@pytest.fixture
def _in_march():
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        yield


def scores(skill=80, marketing=80, service=80, image=80):
    return {"business_skill": skill, "marketing": marketing, "service": service, "image": image}


class TestPure:
    @pytest.mark.parametrize(
        ("ratio", "expected"),
        [
            (1.0, 50.0),
            (0.5, 100.0),
            (0.2, 100.0),
            (1.5, 0.0),
            (2.0, 0.0),
            (1.2, 30.0),
            (None, None),
        ],
    )
    def test_speed_score(self, ratio, expected):
        result = vipselection.speed_score(ratio)
        assert result == (pytest.approx(expected) if expected is not None else None)

    def test_weighted_score_is_the_weighted_mean(self):
        weights = vipselection.Weights(business_skill=3, speed=2, marketing=0, service=1, image=0)
        values = {"business_skill": 90, "speed": 40, "marketing": None, "service": 60, "image": 0}
        assert vipselection.weighted_score(values, weights) == pytest.approx((270 + 80 + 60) / 6)

    def test_missing_weighted_criterion_leaves_no_total(self):
        values = {"business_skill": 90, "speed": None, "marketing": 1, "service": 1, "image": 1}
        assert vipselection.weighted_score(values, EVEN) is None

    @pytest.mark.parametrize(
        "bad",
        [{"speed": -1}, {"speed": 11}, {"speed": 1.5}, {"speed": True},
         {"business_skill": 0, "speed": 0, "marketing": 0, "service": 0, "image": 0}],
    )  # fmt: skip
    def test_bad_weights_are_refused(self, bad):
        with pytest.raises(ValueError, match="weight"):
            vipselection.Weights(**{**EVEN.as_dict(), **bad})

    def test_competition_ranks(self):
        assert vipselection.competition_ranks([70.0, None, 80.0, 70.0, 60.0]) == [2, None, 1, 2, 4]


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_march")
class TestRanking:
    def _candidates(self, network):
        fast = network.teller_a.employee
        slow = EmployeeFactory(unit=network.outlet_a)
        sparse = EmployeeFactory(unit=network.outlet_b)
        make_paced_tickets(network, {fast: 0.8, slow: 1.3})
        make_paced_tickets(network, {sparse: 1.0}, per_teller=10, seed=9)
        manager = network.subbranch_manager
        for teller in (fast, slow, sparse):
            vip_score_record(actor=manager, teller=teller, scored_on=MONDAY, scores=scores())
        return fast, slow, sparse

    def test_speed_decides_between_equal_manual_scores(self, network, django_assert_num_queries):
        fast, slow, sparse = self._candidates(network)
        user = network.subbranch_manager
        kwargs = dict(user=user, unit=network.subbranch, start=MONDAY, end=MONDAY + timedelta(6))
        selectors.vip_candidate_ranking(weights=EVEN, **kwargs)
        # grants are cached; scores, standard times, rollup sums
        with django_assert_num_queries(3):
            rows = selectors.vip_candidate_ranking(weights=EVEN, **kwargs)
        assert [r.teller for r in rows] == [fast, slow, sparse]
        assert [r.rank for r in rows] == [1, 2, None]
        # speed from the raw tickets: time taken against the standard of the same tickets
        for row in rows[:2]:
            mine = QueueTicket.objects.filter(teller=row.teller).select_related("business_type")
            spent = sum(t.transaction_seconds for t in mine)
            par = sum(t.business_type.standard_seconds for t in mine)
            assert row.timed == mine.count()
            assert row.dwell_ratio == pytest.approx(spent / par)
            assert row.speed == pytest.approx(vipselection.speed_score(spent / par))
            assert row.total == pytest.approx((80 * 4 + row.speed) / 5)
        assert rows[2].timed == 10 and rows[2].speed is None and rows[2].total is None

    def test_weights_change_the_order(self, network):
        fast, slow, _sparse = self._candidates(network)
        vip_score_record(
            actor=network.manager_a, teller=slow, scored_on=MONDAY + timedelta(1),
            scores=scores(skill=100, marketing=100, service=100, image=100),
        )  # fmt: skip
        no_speed = vipselection.Weights(business_skill=1, speed=0, marketing=1, service=1, image=1)
        rows = selectors.vip_candidate_ranking(
            user=network.manager_a, unit=network.outlet_a, start=MONDAY, end=MONDAY + timedelta(6),
            weights=no_speed,
        )  # fmt: skip
        assert [r.teller for r in rows] == [slow, fast]  # the latest scores count
        assert rows[0].total == pytest.approx(100)

    def test_scores_are_checked(self, network):
        teller = network.teller_a.employee
        with pytest.raises(DomainError, match="business skill"):
            vip_score_record(
                actor=network.manager_a, teller=teller, scored_on=MONDAY, scores=scores(skill=101)
            )
        with pytest.raises(DomainError, match="future"):
            vip_score_record(
                actor=network.manager_a, teller=teller, scored_on=date(2026, 4, 1), scores=scores()
            )
        with pytest.raises(DomainError):
            vip_score_record(
                actor=network.teller_a, teller=teller, scored_on=MONDAY, scores=scores()
            )
        with pytest.raises(DomainError):
            vip_score_record(
                actor=network.other_teller, teller=teller, scored_on=MONDAY, scores=scores()
            )
        assert not VipCandidateScore.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_march")
class TestPages:
    def test_manager_ranks_candidates_of_the_outlet(self, network):
        make_paced_tickets(network, {network.teller_a.employee: 1.0})
        vip_score_record(
            actor=network.manager_a, teller=network.teller_a.employee, scored_on=MONDAY,
            scores=scores(),
        )  # fmt: skip
        response = client_for(network.manager_a).get(
            reverse("counters:vip_selection"), {"unit": "XC01", **RANGE, "image": "5"}
        )
        assert response.status_code == 200
        assert response.context["weights"].image == 5
        assert response.context["weights"].business_skill == 3  # the default
        [row] = response.context["candidates"]
        assert row.rank == 1
        assert response.context["chart"].labels == [f"{row.teller.staff_number} {row.teller.name}"]

    def test_all_weights_zero_is_reported(self, network):
        params = {"unit": "XC01", "business_skill": 0, "speed": 0, "marketing": 0,
                  "service": 0, "image": 0}  # fmt: skip
        response = client_for(network.manager_a).get(reverse("counters:vip_selection"), params)
        assert response.status_code == 200
        assert "At least one weight must be above 0." in response.content.decode()
        assert response.context["candidates"] is None

    def test_teller_is_forbidden(self, network):
        response = client_for(network.teller_a).get(
            reverse("counters:vip_selection"), {"unit": "XC01"}
        )
        assert response.status_code == 403
        assert (
            client_for(network.teller_a).get(reverse("counters:vip_score_create")).status_code
            == 403
        )

    def test_unit_out_of_scope_is_not_found(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:vip_selection"), {"unit": "YT01"}
        )
        assert response.status_code == 404

    def test_manager_records_scores(self, network):
        client = client_for(network.manager_a)
        data = {"teller": network.teller_a.employee.staff_number, "scored_on": "2026-03-10",
                **scores(skill=70)}  # fmt: skip
        response = client.post(reverse("counters:vip_score_create"), data)
        assert response.status_code == 302
        assert VipCandidateScore.objects.get().business_skill == 70

    def test_bad_score_and_unknown_teller_write_nothing(self, network):
        client = client_for(network.manager_a)
        data = {"teller": network.teller_a.employee.staff_number, "scored_on": "2026-03-10",
                **scores(skill=170)}  # fmt: skip
        response = client.post(reverse("counters:vip_score_create"), data)
        assert response.status_code == 200 and response.context["form"].errors["business_skill"]
        data = {**data, "business_skill": 70, "teller": network.other_teller.employee.staff_number}
        response = client.post(reverse("counters:vip_score_create"), data)
        assert "No employee you can see" in response.content.decode()
        assert not VipCandidateScore.objects.exists()
