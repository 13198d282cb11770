"""The customers demo step: Xiangcheng's customer base, its managers, and the account manager
persona who sees their customers' complaints at other outlets."""

from collections import Counter
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from ventanilla.complaints.demo import DEMO_STEP as COMPLAINTS_STEP
from ventanilla.complaints.selectors import complaint_list
from ventanilla.customers.demo import DEMO_STEP
from ventanilla.customers.models import Customer, RelationshipAssignment
from ventanilla.customers.selectors import customer_list
from ventanilla.demo.generator import build_demo, reset_demo

AS_OF = date(2026, 6, 30)
pytestmark = pytest.mark.django_db


def test_demo_step_builds_customers_and_their_managers_and_resets_cleanly():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP, COMPLAINTS_STEP])
    xiangcheng = Customer.objects.filter(number__startswith="CXC")
    size = settings.CUSTOMERS_DEMO_XIANGCHENG
    assert xiangcheng.count() == size
    tiers = Counter(xiangcheng.values_list("tier", flat=True))
    assert tiers["basic"] > tiers["potential"] > tiers["key"] > tiers["core"] > 0
    companies = sum(tiers[t] for t in ("corporate_vip", "industrial", "sme"))
    assert 0.04 * size < companies < 0.08 * size
    # Every company has an account manager; basic individuals have none.
    assert not xiangcheng.filter(kind="corporate", manager__isnull=True).exists()
    assert not xiangcheng.filter(tier="basic", manager__isnull=False).exists()
    # The current period of every managed customer names its manager; some were replaced.
    current = RelationshipAssignment.objects.filter(ended_on__isnull=True)
    assert current.count() == Customer.objects.filter(manager__isnull=False).count()
    assert RelationshipAssignment.objects.filter(ended_on__isnull=False).count() > size / 200

    persona = get_user_model().objects.get(username="account_manager")
    theirs = customer_list(user=persona)
    assert theirs.count() > 10
    assert set(theirs.values_list("manager__user__username", flat=True)) == {"account_manager"}
    seen = complaint_list(user=persona)
    assert seen.count() >= 4
    assert {c.customer.manager.user_id for c in seen} == {persona.pk}
    assert any(c.unit.code != "XC01" for c in seen)
    other = get_user_model().objects.get(username="other_teller")
    assert not customer_list(user=other).filter(number__startswith="CXC").exists()

    assert reset_demo(history=[DEMO_STEP, COMPLAINTS_STEP])
    assert not Customer.objects.exists()
    assert not RelationshipAssignment.objects.exists()
