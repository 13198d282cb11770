"""The `api-token` command: a token that authenticates, rotation, clear refusals."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from ventanilla.core.testing import console

pytestmark = pytest.mark.django_db


def api_token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def units_seen_with(key: str) -> tuple[int, set[str]]:
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/org-units/")
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {row["code"] for row in response.json()["results"]}


def test_printed_token_authenticates_as_the_user(network):
    key, message = api_token("teller_a")
    assert key == Token.objects.get(user=network.teller_a).key
    assert "teller_a" in message
    assert units_seen_with(key) == (200, {"XC01"})


def test_second_call_prints_the_same_token(network):
    first, _ = api_token("manager_a")
    second, message = api_token("manager_a")
    assert first == second
    assert Token.objects.filter(user=network.manager_a).count() == 1
    assert "existing" in message


def test_rotate_replaces_the_token_and_the_old_one_stops_working(network):
    old, _ = api_token("teller_a")
    new, message = api_token("teller_a", "--rotate")
    assert new != old
    assert "Replaced" in message
    assert units_seen_with(new) == (200, {"XC01"})
    response = Client(HTTP_AUTHORIZATION=f"Token {old}").get("/api/v1/org-units/")
    assert response.json()["error"]["code"] == "authentication_failed"


def test_rotate_creates_a_token_for_a_user_without_one(network):
    key, _ = api_token("auditor", "--rotate")
    assert Token.objects.get(user=network.auditor).key == key


def test_unknown_user_fails_naming_the_user(network):
    with pytest.raises(CommandError, match="No user with the login name “nobody”"):
        api_token("nobody")
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(network):
    network.teller_a.is_active = False
    network.teller_a.save()
    with pytest.raises(CommandError, match="“teller_a” is inactive"):
        api_token("teller_a")
    assert not Token.objects.filter(user=network.teller_a).exists()


def test_quiet_run_prints_only_the_token(network):
    out, err = StringIO(), StringIO()
    call_command("api-token", "teller_a", verbosity=0, stdout=out, stderr=err)
    assert len(out.getvalue().strip()) == 40
    assert err.getvalue() == ""


def test_console_command_prints_a_token_and_fails_on_an_unknown_user(tmp_path):
    ventanilla = console(tmp_path, DJANGO_SUPERUSER_PASSWORD="a-long-enough-password")

    assert ventanilla("migrate", "-v0").returncode == 0
    created = ventanilla("createsuperuser", "--noinput", "--username", "boss", "--email", "b@x.cn")
    assert created.returncode == 0, created.stderr
    printed = ventanilla("api-token", "boss")
    assert printed.returncode == 0, printed.stderr
    assert len(printed.stdout.strip()) == 40
    unknown = ventanilla("api-token", "nobody")
    assert unknown.returncode != 0
    assert "No user with the login name “nobody”" in unknown.stderr
    assert unknown.stdout == ""
