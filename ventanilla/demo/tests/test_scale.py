"""Reads cost the same number of queries for a sub-branch and for a whole province.

The module builds the subbranch network, counts the queries of each read for each persona,
replaces it with the province network (about 1,000 outlets and 15,000 staff) and counts
again; everything is rolled back at the end.
"""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.core.scoping import scope_for
from ventanilla.demo.generator import LOGINS, build_demo
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind
from ventanilla.org.selectors import org_figures

pytestmark = pytest.mark.django_db
SCALES = ("subbranch", "province")


def _fresh(username):
    """The user as a new request sees it: no grants loaded yet."""
    return get_user_model().objects.get(username=username)


def _count(action):
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def _measure():
    counts = {}
    client = Client()
    for username in LOGINS:
        user = _fresh(username)
        scope_for(user)  # the grants: one query per request, measured on its own below
        counts["units", username] = _count(lambda u=user: list(OrgUnit.objects.visible_to(u)))
        counts["staff", username] = _count(lambda u=user: Employee.objects.visible_to(u).count())
        fresh = _fresh(username)
        counts["grants", username] = _count(lambda u=fresh: scope_for(u))
        fresh = _fresh(username)
        counts["figures", username] = _count(lambda u=fresh: org_figures(user=u))
        client.force_login(_fresh(username))
        for name, url in (("tree", reverse("org:tree")), ("api", "/api/v1/org-units/")):
            response = None

            def get(url=url):
                nonlocal response
                response = client.get(url)

            counts[name, username] = _count(get)
            assert response.status_code == 200, (name, username, response.status_code)
    return counts


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for index, scale in enumerate(SCALES):
            build_demo(scale=scale, seed=1, as_of=date(2026, 6, 30), reset=index > 0)
            results[scale] = {
                "counts": _measure(),
                "outlets": OrgUnit.objects.filter(kind=OrgUnitKind.OUTLET).count(),
                "units": OrgUnit.objects.count(),
                "staff": Employee.objects.count(),
                "president_units": sorted(
                    OrgUnit.objects.visible_to(_fresh("president")).values_list("code", flat=True)
                ),
            }
        transaction.set_rollback(True)
    return results


def _pairs(measured, measure):
    small, large = measured["subbranch"]["counts"], measured["province"]["counts"]
    return {u: (small[measure, u], large[measure, u]) for u in LOGINS}


def test_province_scale_has_about_1000_outlets_and_15000_staff(measured):
    province = measured["province"]
    assert 900 <= province["outlets"] <= 1100
    assert 13_000 <= province["staff"] <= 17_000
    assert province["units"] > 10 * measured["subbranch"]["outlets"]


def test_president_sees_the_same_subtree_at_both_scales(measured):
    small = measured["subbranch"]["president_units"]
    assert small == measured["province"]["president_units"]
    assert "XC01" in small and "GS" not in small


def test_visible_units_are_one_query_for_every_persona(measured):
    for scale in SCALES:
        for username in LOGINS:
            assert measured[scale]["counts"]["units", username] == 1, (scale, username)
            assert measured[scale]["counts"]["staff", username] == 1, (scale, username)


def test_a_users_grants_load_in_one_query(measured):
    for scale in SCALES:
        for username in LOGINS:
            # The superuser needs no grants; everyone else, exactly one query.
            expected = 0 if username == "admin" else 1
            assert measured[scale]["counts"]["grants", username] == expected


def test_org_figures_cost_the_same_queries_at_province_scale(measured):
    for username, (small, large) in _pairs(measured, "figures").items():
        assert small == large, username
        assert small <= 10, username


def test_org_tree_page_costs_the_same_queries_at_province_scale(measured):
    for username, (small, large) in _pairs(measured, "tree").items():
        assert small == large, username


def test_org_unit_api_list_costs_the_same_queries_at_province_scale(measured):
    for username, (small, large) in _pairs(measured, "api").items():
        assert small == large, username
