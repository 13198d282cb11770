"""The import page: administrators upload, preview and confirm; everyone else is refused."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.org.models import Employee, OrgUnit
from ventanilla.org.tests.factories import person
from ventanilla.org.views_import import SESSION_KEY

pytestmark = pytest.mark.django_db

UPLOAD = reverse("org:import_upload")
HEADER = "staff_number,name,unit_code,post_code\r\n"


def csv_upload(rows: list[str], name: str = "staff.csv") -> SimpleUploadedFile:
    body = HEADER + "".join(f"{row}\r\n" for row in rows)
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def upload(client, rows: list[str], name: str = "staff.csv"):
    return client.post(UPLOAD, {"file": csv_upload(rows, name)})


def token_of(response) -> str:
    return response.url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def admin_client(client, network):
    client.force_login(network.admin)
    return client


@pytest.fixture
def xc_admin(network):
    return person("xc_admin", network.subbranch, "administrator")


@pytest.mark.parametrize("persona", ["teller_a", "manager_a", "subbranch_manager", "auditor"])
def test_only_administrators_reach_the_import_page(client, network, persona):
    client.force_login(getattr(network, persona))

    assert client.get(UPLOAD).status_code == 403
    assert client.get(UPLOAD + "?template=1").status_code == 403
    assert client.post(UPLOAD, {"file": csv_upload(["N1,新人,XC01,teller"])}).status_code == 403
    preview = reverse("org:import_preview", args=["0" * 32])
    assert client.get(preview).status_code == 403
    assert not Employee.objects.filter(staff_number="N1").exists()


def test_anonymous_visitor_is_sent_to_the_login_page(client, network):
    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_upload_page_shows_the_form_and_the_template_link(admin_client):
    response = admin_client.get(UPLOAD)

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b"?template=1" in response.content


def test_template_workbook_is_downloaded_with_the_right_headers(admin_client):
    response = admin_client.get(UPLOAD + "?template=1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["units"][1]][:4] == ["code", "name", "kind", "parent_code"]
    assert [c.value for c in workbook["employees"][1]][:4] == [
        "staff_number",
        "name",
        "unit_code",
        "post_code",
    ]


def test_upload_preview_and_confirm_import_the_file(admin_client):
    response = upload(admin_client, ["N1,新人,XC01,teller", "N2,新人二,XC02,lobby_manager"])

    assert response.status_code == 302
    token = token_of(response)
    assert response.url == reverse("org:import_preview", args=[token])
    stored = admin_client.session[SESSION_KEY][token]["name"]
    assert stored == f"imports/{token}.csv"
    assert default_storage.exists(stored)

    preview = admin_client.get(response.url)

    assert preview.status_code == 200
    (section,) = preview.context["sections"]
    assert (section["counts"].created, section["counts"].updated) == (2, 0)
    assert [values for _row, values in section["rows"]][0] == ["N1", "新人", "XC01", "teller"]
    assert "Confirm import" in preview.content.decode()
    assert not Employee.objects.filter(staff_number="N1").exists()

    confirmed = admin_client.post(response.url, {"action": "confirm"})

    assert confirmed.status_code == 302
    assert confirmed.url == reverse("org:tree")
    assert Employee.objects.get(staff_number="N2").post.code == "lobby_manager"
    assert not default_storage.exists(stored)
    assert token not in admin_client.session[SESSION_KEY]
    (message,) = get_messages(confirmed.wsgi_request)
    assert "employees: 2 created, 0 updated, 0 unchanged" in str(message)
    assert admin_client.get(response.url).status_code == 404


def test_preview_lists_every_error_of_a_bad_file_and_offers_no_confirmation(admin_client):
    response = upload(admin_client, ["N1,新人,XC99,teller", "N2,,XC01,teller", "N3,三,XC01,clerk"])
    url = response.url

    preview = admin_client.get(url)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert [str(e) for e in preview.context["result"].errors] == [
        'employees line 2: unit_code "XC99" is not a known unit',
        "employees line 3: name is required",
        'employees line 4: post_code "clerk" is not a known post',
    ]
    assert "<td>unit_code &quot;XC99&quot; is not a known unit</td>" in page
    assert "Confirm import" not in page

    confirmed = admin_client.post(url, {"action": "confirm"})

    assert confirmed.status_code == 200
    assert len(confirmed.context["result"].errors) == 3
    assert not Employee.objects.filter(staff_number__in=["N1", "N2", "N3"]).exists()


def test_preview_shows_the_first_fifty_rows_and_counts_all(admin_client):
    rows = [f"N{i:03d},员工{i},XC01,teller" for i in range(120)]
    preview = admin_client.get(upload(admin_client, rows).url)

    (section,) = preview.context["sections"]
    assert section["counts"].created == 120
    assert len(section["rows"]) == 50
    assert section["more"] == 70


def test_another_users_token_is_not_found(client, admin_client, network, xc_admin):
    url = upload(admin_client, ["N1,新人,XC01,teller"]).url
    client.force_login(xc_admin)

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert admin_client.get(reverse("org:import_preview", args=["f" * 32])).status_code == 404
    assert not Employee.objects.filter(staff_number="N1").exists()


def test_cancel_discards_the_stored_file(admin_client):
    response = upload(admin_client, ["N1,新人,XC01,teller"])
    stored = admin_client.session[SESSION_KEY][token_of(response)]["name"]

    cancelled = admin_client.post(response.url, {"action": "cancel"})

    assert cancelled.status_code == 302
    assert cancelled.url == UPLOAD
    assert not default_storage.exists(stored)
    assert not Employee.objects.filter(staff_number="N1").exists()


def test_a_new_upload_replaces_the_waiting_one(admin_client):
    first = upload(admin_client, ["N1,新人,XC01,teller"])
    stored = admin_client.session[SESSION_KEY][token_of(first)]["name"]

    upload(admin_client, ["N2,新人,XC01,teller"])

    assert not default_storage.exists(stored)
    assert admin_client.get(first.url).status_code == 404


def test_an_unsupported_file_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        UPLOAD, {"file": SimpleUploadedFile("staff.xls", b"\xd0\xcf\x11\xe0", "application/x")}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Old Excel files (.xls) cannot be read: save the file as .xlsx or .csv."
    ]
    assert SESSION_KEY not in admin_client.session


def test_subbranch_administrator_sees_out_of_scope_rows_as_errors(client, network, xc_admin):
    client.force_login(xc_admin)
    body = "code,name,kind,parent_code\r\nXC08,八号,outlet,XC\r\nYT08,园区八号,outlet,YT\r\n"
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("units.csv", body.encode())})

    preview = client.get(response.url)

    assert [str(e) for e in preview.context["result"].errors] == [
        'units line 3: parent_code "YT" is outside the units you administer'
    ]
    client.post(response.url, {"action": "confirm"})
    assert not OrgUnit.objects.filter(code="XC08").exists()


def test_subbranch_administrator_imports_within_their_subtree(client, network, xc_admin):
    client.force_login(xc_admin)
    body = "code,name,kind,parent_code\r\nXC08,八号,outlet,XC\r\n"
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("units.csv", body.encode())})

    confirmed = client.post(response.url, {"action": "confirm"})

    assert confirmed.status_code == 302
    created = OrgUnit.objects.get(code="XC08")
    assert OrgUnit.objects.get_parent(created) == network.subbranch
