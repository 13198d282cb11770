import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_redirect_anonymous_users_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_open(client):
    assert client.get(reverse("login")).status_code == 200


def test_api_refuses_anonymous_without_redirect(client):
    response = client.get("/api/v1/org-units/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_login_with_the_right_password_works(network):
    client = Client()
    response = client.post(reverse("login"), {"username": "teller_a", "password": "pw"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_five_failed_logins_lock_the_account_even_for_the_right_password(network, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "teller_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "teller_a", "password": "pw"})
    assert response.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_audit_trail_records_the_acting_user_of_a_web_change(network):
    from auditlog.models import LogEntry

    client = Client()
    client.force_login(network.manager_a)
    from ventanilla.org import services

    # Web requests name the actor through the middleware; services name it themselves.
    services.emergency_contact_set(
        actor=network.manager_a,
        unit=network.outlet_a,
        duty="设备故障",
        primary=network.manager_a.employee,
        primary_phone="13900000001",
        backup=network.teller_a.employee,
        backup_phone="13900000002",
    )
    entry = LogEntry.objects.filter(content_type__model="emergencycontact").latest("timestamp")
    assert entry.actor == network.manager_a
    assert entry.additional_data["unit_path"] == network.outlet_a.path


def test_audit_entries_are_scoped_to_administrators_subtrees(network):
    from ventanilla.core.audit import audit_entry_list
    from ventanilla.core.scoping import Role
    from ventanilla.org.models import PostAssignment
    from ventanilla.org.tests.factories import person, post

    xc_admin = person("xc_admin", network.subbranch, "administrator", Role.ADMINISTRATOR)
    network.other_outlet.name = "改名"
    network.other_outlet.save()
    network.outlet_a.name = "改名"
    network.outlet_a.save()
    paths = {e.additional_data["unit_path"] for e in audit_entry_list(user=xc_admin)}
    assert network.outlet_a.path in paths
    assert network.other_outlet.path not in paths
    assert audit_entry_list(user=network.manager_a).count() == 0
    assert PostAssignment.objects.filter(post=post("administrator")).exists()


def test_lock_counts_by_the_forwarded_address_only_behind_a_trusted_proxy(rf, settings):
    from ventanilla.core.auth import client_ip

    settings.VENTANILLA_TRUSTED_PROXIES = ["10.0.0.5"]
    via_proxy = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="172.16.1.9")
    direct = rf.get("/", REMOTE_ADDR="172.16.1.20", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(via_proxy) == "172.16.1.9"
    assert client_ip(direct) == "172.16.1.20"


def test_lock_of_one_address_leaves_another_address_free(network, settings):
    settings.VENTANILLA_TRUSTED_PROXIES = ["127.0.0.1"]
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="172.16.1.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": "teller_a", "password": "wrong"})
    assert (
        attacker.post(reverse("login"), {"username": "teller_a", "password": "pw"}).status_code
        == 429
    )
    owner = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="172.16.1.20")
    assert (
        owner.post(reverse("login"), {"username": "teller_a", "password": "pw"}).status_code == 302
    )
