"""The organisation API: scope on every endpoint, fields, masking, filters, query counts."""

import json
import re
import warnings

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import UnorderedObjectListWarning
from django.test import Client
from rest_framework.authtoken.models import Token

from ventanilla.core.masking import mask_phone
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
)
from ventanilla.org.tests.factories import EmployeeFactory, unit

pytestmark = pytest.mark.django_db

API = "/api/v1"
PERSONAS = ["teller_a", "manager_a", "subbranch_manager", "auditor", "other_teller", "admin"]
XIANGCHENG_UNITS = ["XC", "XC-D01", "XC01", "XC02"]
XIANGCHENG_STAFF = ["teller_a", "manager_a", "subbranch_manager"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def everything(client: Client, endpoint: str, **params) -> list[dict]:
    response = client.get(f"{API}/{endpoint}/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def staff_number(network, persona: str) -> str:
    return getattr(network, persona).employee.staff_number


# Scope: the other sub-branch's teller finds nothing of Xiangcheng.


def test_the_enumerated_xiangcheng_objects_are_all_there_is(network):
    under = network.subbranch.path
    units = OrgUnit.objects.filter(path__startswith=under).values_list("code", flat=True)
    assert sorted(units) == sorted(XIANGCHENG_UNITS)
    staff = Employee.objects.filter(unit__path__startswith=under)
    assert sorted(staff.values_list("staff_number", flat=True)) == sorted(
        staff_number(network, p) for p in XIANGCHENG_STAFF
    )
    assert list(OrgGroup.objects.filter(unit__path__startswith=under)) == [network.group]
    contacts = EmergencyContact.objects.filter(unit__path__startswith=under)
    assert list(contacts) == [network.contact]


@pytest.mark.parametrize("code", XIANGCHENG_UNITS)
def test_other_teller_gets_404_on_every_xiangcheng_unit(network, code):
    response = logged_in(network.other_teller).get(f"{API}/org-units/{code}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("persona", XIANGCHENG_STAFF)
def test_other_teller_gets_404_on_every_xiangcheng_employee(network, persona):
    number = staff_number(network, persona)
    response = logged_in(network.other_teller).get(f"{API}/employees/{number}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_other_teller_gets_404_on_the_xiangcheng_group(network):
    response = logged_in(network.other_teller).get(f"{API}/groups/{network.group.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_other_teller_gets_404_on_the_xiangcheng_contact(network):
    response = logged_in(network.other_teller).get(
        f"{API}/emergency-contacts/{network.contact.pk}/"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_teller_gets_404_above_and_beside_their_outlet(network):
    client = logged_in(network.teller_a)
    outlet = client.get(f"{API}/org-units/XC01/")
    assert outlet.status_code == 200
    # The outlet names the sub-branch above it; the sub-branch itself stays out of reach.
    assert outlet.json()["parent"] == "XC"
    assert client.get(f"{API}/org-units/XC/").status_code == 404
    assert client.get(f"{API}/org-units/XC02/").status_code == 404
    number = staff_number(network, "subbranch_manager")
    assert client.get(f"{API}/employees/{number}/").status_code == 404
    assert client.get(f"{API}/groups/{network.group.pk}/").status_code == 404
    assert client.get(f"{API}/emergency-contacts/{network.contact.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["subbranch_manager", "auditor", "admin"])
def test_xiangcheng_and_above_reach_every_xiangcheng_detail(network, persona):
    client = logged_in(getattr(network, persona))
    urls = [f"{API}/org-units/{code}/" for code in XIANGCHENG_UNITS]
    urls += [f"{API}/employees/{staff_number(network, p)}/" for p in XIANGCHENG_STAFF]
    urls += [f"{API}/groups/{network.group.pk}/"]
    urls += [f"{API}/emergency-contacts/{network.contact.pk}/"]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


# Lists hold exactly the persona's subtree.


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_list_is_the_personas_subtree(network, persona):
    user = getattr(network, persona)
    listed = {row["code"] for row in everything(logged_in(user), "org-units")}
    assert listed == set(OrgUnit.objects.visible_to(user).values_list("code", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_employee_list_is_the_personas_subtree(network, persona):
    user = getattr(network, persona)
    listed = {row["staff_number"] for row in everything(logged_in(user), "employees")}
    visible = Employee.objects.visible_to(user).values_list("staff_number", flat=True)
    assert listed == set(visible)


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_is_the_personas_subtree(network, persona):
    user = getattr(network, persona)
    listed = {row["id"] for row in everything(logged_in(user), "groups")}
    assert listed == set(OrgGroup.objects.visible_to(user).values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_list_is_the_personas_subtree(network, persona):
    user = getattr(network, persona)
    listed = {row["id"] for row in everything(logged_in(user), "emergency-contacts")}
    visible = EmergencyContact.objects.visible_to(user).values_list("pk", flat=True)
    assert listed == set(visible)


def test_lists_of_the_two_tellers_do_not_meet(network):
    mine = logged_in(network.teller_a)
    theirs = logged_in(network.other_teller)
    assert {row["code"] for row in everything(mine, "org-units")} == {"XC01"}
    assert {row["code"] for row in everything(theirs, "org-units")} == {"YT01"}
    assert {row["name"] for row in everything(theirs, "employees")} == {"other_teller"}
    assert everything(theirs, "groups") == []
    assert everything(theirs, "emergency-contacts") == []
    assert {row["name"] for row in everything(mine, "employees")} == {"teller_a", "manager_a"}


# Authentication.


def test_token_authentication_reads_the_tokens_own_scope(network):
    token = Token.objects.create(user=network.teller_a)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert {row["code"] for row in everything(client, "org-units")} == {"XC01"}
    assert client.get(f"{API}/org-units/XC02/").status_code == 404


@pytest.mark.parametrize("endpoint", ["org-units", "employees", "groups", "emergency-contacts"])
def test_anonymous_is_refused_on_lists_in_the_error_shape(network, endpoint):
    response = Client().get(f"{API}/{endpoint}/")
    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "not_authenticated"


def test_anonymous_is_refused_on_every_detail_in_the_error_shape(network):
    urls = [
        f"{API}/org-units/XC01/",
        f"{API}/employees/{staff_number(network, 'teller_a')}/",
        f"{API}/groups/{network.group.pk}/",
        f"{API}/emergency-contacts/{network.contact.pk}/",
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "not_authenticated", url


# Fields.


def test_unit_names_its_parent_and_chain_and_hides_the_path(network):
    row = logged_in(network.subbranch_manager).get(f"{API}/org-units/XC01/").json()
    assert row == {
        "code": "XC01",
        "display_name": "相城营业部",
        "name": "相城营业部",
        "name_en": "",
        "name_es": "",
        "kind": "outlet",
        "depth": 4,
        "is_active": True,
        "parent": "XC",
        "ancestors": ["HO", "SZ", "XC"],
    }


def test_unit_list_gives_each_row_its_own_parent(network):
    rows = everything(logged_in(network.auditor), "org-units")
    parents = {row["code"]: row["parent"] for row in rows}
    assert parents == {
        "HO": None,
        "SZ": "HO",
        "XC": "SZ",
        "XC-D01": "XC",
        "XC01": "XC",
        "XC02": "XC",
        "YT": "SZ",
        "YT01": "YT",
    }
    assert {row["code"]: row["ancestors"] for row in rows}["YT01"] == ["HO", "SZ", "YT"]


def test_unit_display_name_follows_the_readers_language(network):
    OrgUnit.objects.filter(code="XC01").update(name_en="Xiangcheng Main Office")
    client = logged_in(network.teller_a)
    english = client.get(f"{API}/org-units/XC01/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(f"{API}/org-units/XC01/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["display_name"] == "Xiangcheng Main Office"
    assert chinese["display_name"] == "相城营业部"
    assert english["name"] == chinese["name"] == "相城营业部"


def test_employee_row_names_unit_and_post(network):
    number = staff_number(network, "teller_a")
    row = logged_in(network.manager_a).get(f"{API}/employees/{number}/").json()
    assert row == {
        "staff_number": number,
        "name": "teller_a",
        "unit": "XC01",
        "post": {"code": "teller", "display_name": "Teller"},
        "hire_on": None,
        "is_active": True,
        "phone": network.teller_a.employee.phone,
    }


def test_group_lists_its_members(network):
    row = logged_in(network.subbranch_manager).get(f"{API}/groups/{network.group.pk}/").json()
    assert row == {
        "id": network.group.pk,
        "unit": "XC",
        "kind": "service_leadership",
        "name": "服务领导小组",
        "duties": "统筹服务提升",
        "members": [
            {
                "staff_number": staff_number(network, "subbranch_manager"),
                "name": "subbranch_manager",
                "role": "leader",
                "responsibilities": "总负责",
            }
        ],
    }


def test_contact_names_primary_and_backup(network):
    url = f"{API}/emergency-contacts/{network.contact.pk}/"
    row = logged_in(network.teller_a).get(url).json()
    assert row == {
        "id": network.contact.pk,
        "unit": "XC01",
        "duty": "投诉处理",
        "primary": {"staff_number": staff_number(network, "manager_a"), "name": "manager_a"},
        "primary_phone": "13800001111",
        "backup": {"staff_number": staff_number(network, "teller_a"), "name": "teller_a"},
        "backup_phone": "13800002222",
    }


def test_bad_group_or_contact_identifier_is_404_in_the_error_shape(network):
    client = logged_in(network.admin)
    for url in [
        f"{API}/groups/abc/",
        f"{API}/groups/{10**30}/",
        f"{API}/emergency-contacts/-1/",
        f"{API}/org-units/NOPE/",
        f"{API}/employees/NOPE/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found", url


# Phone masking.


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+8613812341234", "+86*******1234"),
        ("65432100", "65****00"),
        ("12345", "***45"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone_hides_the_middle(raw, masked):
    assert mask_phone(raw) == masked


def test_teller_sees_colleagues_phones_masked(network):
    Employee.objects.filter(pk=network.manager_a.employee.pk).update(phone="13912345678")
    rows = everything(logged_in(network.teller_a), "employees")
    phones = {row["name"]: row["phone"] for row in rows}
    assert phones["manager_a"] == "139****5678"
    assert phones["teller_a"] == mask_phone(network.teller_a.employee.phone)
    assert all("****" in phone for phone in phones.values())


def test_outlet_head_sees_the_phones_of_their_outlet_in_full(network):
    Employee.objects.filter(pk=network.teller_a.employee.pk).update(phone="13912345678")
    client = logged_in(network.manager_a)
    number = staff_number(network, "teller_a")
    assert client.get(f"{API}/employees/{number}/").json()["phone"] == "13912345678"
    phones = {row["name"]: row["phone"] for row in everything(client, "employees")}
    assert phones["teller_a"] == "13912345678"


def test_head_office_viewer_sees_phones_masked_and_subbranch_manager_in_full(network):
    number = staff_number(network, "teller_a")
    full = network.teller_a.employee.phone
    viewer = logged_in(network.auditor).get(f"{API}/employees/{number}/").json()
    manager = logged_in(network.subbranch_manager).get(f"{API}/employees/{number}/").json()
    assert viewer["phone"] == mask_phone(full) != full
    assert manager["phone"] == full


# Filters.


def test_employee_filter_by_unit_takes_the_subtree(network):
    client = logged_in(network.subbranch_manager)
    names = {row["name"] for row in everything(client, "employees", unit="XC01")}
    assert names == {"teller_a", "manager_a"}
    names = {row["name"] for row in everything(client, "employees", unit="XC")}
    assert names == {"teller_a", "manager_a", "subbranch_manager"}


def test_filters_never_widen_the_scope(network):
    client = logged_in(network.teller_a)
    assert {row["name"] for row in everything(client, "employees", unit="XC")} == {
        "teller_a",
        "manager_a",
    }
    assert everything(client, "employees", unit="YT01") == []
    assert everything(client, "org-units", under="HO") == everything(client, "org-units")


def test_unit_filter_by_kind(network):
    rows = everything(logged_in(network.auditor), "org-units", kind="outlet")
    assert {row["code"] for row in rows} == {"XC01", "XC02", "YT01"}
    rows = everything(logged_in(network.subbranch_manager), "org-units", kind="outlet")
    assert {row["code"] for row in rows} == {"XC01", "XC02"}


def test_unit_search_matches_code_and_name(network):
    client = logged_in(network.auditor)
    assert {row["code"] for row in everything(client, "org-units", q="XC0")} == {"XC01", "XC02"}
    assert {row["code"] for row in everything(client, "org-units", q="元和")} == {"XC02"}


def test_employee_search_and_post_filter(network):
    client = logged_in(network.auditor)
    names = {row["name"] for row in everything(client, "employees", q="teller")}
    assert names == {"teller_a", "other_teller"}
    names = {row["name"] for row in everything(client, "employees", post="outlet_head")}
    assert names == {"manager_a"}


def test_group_and_contact_filters(network):
    client = logged_in(network.auditor)
    assert [row["id"] for row in everything(client, "groups", unit="XC")] == [network.group.pk]
    assert everything(client, "groups", unit="XC01") == []
    assert everything(client, "groups", kind="complaint_emergency") == []
    contacts = everything(client, "emergency-contacts", unit="XC01", duty="投诉")
    assert [row["id"] for row in contacts] == [network.contact.pk]
    assert everything(client, "emergency-contacts", unit="XC02") == []


def test_bad_filter_value_is_400_naming_the_filter(network):
    response = logged_in(network.auditor).get(f"{API}/org-units/", {"kind": "castle"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"kind"}


# Query counts: fixed for a page, whatever the size and depth of the tree.

# Session and user (2), the user's grants (1), the page's count (1), the page (1), plus:
# the codes above the units of the page (1); the members of the groups of the page (1).
LIST_QUERIES = {"org-units": 6, "employees": 5, "groups": 6, "emergency-contacts": 5}


def grow(network, extra: int = 200) -> None:
    """Add ``extra`` departments in chains up to 20 deep, each with an employee, and some
    groups and contacts over them."""
    parent = None
    added: list[OrgUnit] = []
    for i in range(extra):
        if i % 20 == 0:
            parent = OrgUnit.objects.get(pk=network.outlet_b.pk)
        added.append(unit(f"XC02-{i:03d}", f"部门{i}", OrgUnitKind.DEPARTMENT, parent))
        parent = added[-1]
    staff = [EmployeeFactory(unit=u) for u in added]
    for i in range(0, extra, 10):
        group = OrgGroup.objects.create(unit=added[i], kind="working", name=f"小组{i}")
        for member in staff[i : i + 5]:
            GroupMembership.objects.create(group=group, employee=member, role=GroupRole.MEMBER)
        EmergencyContact.objects.create(
            unit=added[i],
            duty="投诉处理",
            primary=staff[i],
            primary_phone="13800003333",
            backup=staff[i + 1],
            backup_phone="13800004444",
        )


def test_grown_tree_is_deep_and_wide(network):
    grow(network)
    assert OrgUnit.objects.count() == 208
    assert Employee.objects.count() == 205
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 24
    assert GroupMembership.objects.count() == 1 + 20 * 5


@pytest.mark.parametrize("endpoint", sorted(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_the_tree(network, endpoint, django_assert_num_queries):
    client = logged_in(network.auditor)
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        small = everything(client, endpoint)
    grow(network)
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        large = everything(client, endpoint)
    assert len(large) > len(small)


def test_group_pages_are_ordered_and_do_not_overlap(network):
    grow(network)
    client = logged_in(network.auditor)
    seen: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        for page in range(1, 6):
            body = client.get(f"{API}/groups/", {"page_size": 5, "page": page}).json()
            seen += [row["id"] for row in body["results"]]
    assert len(seen) == len(set(seen)) == OrgGroup.objects.count() == 21
    assert [row["unit"] for row in everything(client, "groups")][0] == "XC"


def test_unit_list_of_a_deep_page_still_names_every_parent(network):
    grow(network)
    rows = everything(logged_in(network.subbranch_manager), "org-units")
    by_code = {row["code"]: row for row in rows}
    assert by_code["XC02-019"]["parent"] == "XC02-018"
    assert by_code["XC02-019"]["ancestors"][:4] == ["HO", "SZ", "XC", "XC02"]
    assert len(by_code["XC02-019"]["ancestors"]) == 23


# The schema and its documentation pages.


def test_schema_describes_every_endpoint(network):
    response = logged_in(network.teller_a).get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/v1/org-units/",
        "/api/v1/org-units/{code}/",
        "/api/v1/employees/",
        "/api/v1/employees/{staff_number}/",
        "/api/v1/groups/",
        "/api/v1/groups/{id}/",
        "/api/v1/emergency-contacts/",
        "/api/v1/emergency-contacts/{id}/",
    } <= paths


def test_schema_reads_with_a_token_and_refuses_anonymous(network):
    token = Token.objects.create(user=network.auditor)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"{API}/schema/").status_code == 200
    response = Client().get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "not_authenticated"


ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_documentation_pages_load_only_local_assets(network, page):
    response = logged_in(network.teller_a).get(f"{API}/{page}/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = ATTRIBUTE.findall(html)
    assert assets, "the page references no script or style sheet"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not served"
    assert "http://" not in html
    assert "https://" not in html
    assert "//fonts." not in html
    assert "/api/v1/schema/" in html


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_documentation_pages_send_anonymous_visitors_to_login(network, page):
    response = Client().get(f"{API}/{page}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
