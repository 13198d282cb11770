"""The imports page (upload and history) and the import history itself, including the
done-when case of one bad row among 100,000."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.counters.models import QueueDayRollup, QueueTicket, TicketImport
from ventanilla.counters.tests.factories import may_load_tickets
from ventanilla.counters.tests.test_importing import csv_bytes, messages, row, run
from ventanilla.counters.tests.test_views import client_for

pytestmark = pytest.mark.django_db


ROWS = 100_000


def test_one_bad_row_among_100000_writes_nothing_and_names_it(network):
    rows = [row(f"A{i:06d}") for i in range(ROWS)]
    rows[61_234]["ended_at"] = "2026-03-02 09:00:00"  # ends before it starts
    result = run(network, rows)
    assert len(result.errors) == 1
    assert messages(result)[0].startswith("line 61236: ")
    assert not QueueTicket.objects.exists() and not QueueDayRollup.objects.exists()
    assert TicketImport.objects.get().error_count == 1


def test_the_same_100000_row_file_twice_adds_nothing(network):
    data = csv_bytes([row(f"A{i:06d}") for i in range(ROWS)])
    assert run(network, data).counts["tickets"].created == ROWS
    rollups = list(QueueDayRollup.objects.values_list("pk", "tickets"))
    again = run(network, data)
    assert again.counts["tickets"].unchanged == ROWS and again.counts["tickets"].created == 0
    assert QueueTicket.objects.count() == ROWS
    assert list(QueueDayRollup.objects.values_list("pk", "tickets")) == rollups
    history = list(TicketImport.objects.order_by("pk").values_list("rows", "created", "is_applied"))
    assert history == [(ROWS, ROWS, True), (ROWS, 0, True)]


def _upload(rows, name="q.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


class TestPage:
    def test_staff_imports_and_the_history_names_who_and_what(self, network):
        refused = client_for(network.teller_a).post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": _upload([row("A1")])},
        )
        assert refused.status_code == 403  # a teller's post does not write tickets
        client = client_for(may_load_tickets(network.teller_a))
        response = client.post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": _upload([row("A1"), row("A2")])},
        )
        assert response.status_code == 302
        assert QueueTicket.objects.count() == 2
        page = client.get(reverse("counters:imports"))
        [item] = page.context["page_obj"].object_list
        assert (item.imported_by, item.filename, item.rows, item.created, item.is_applied) == (
            network.teller_a,
            "q.csv",
            2,
            2,
            True,
        )
        assert "q.csv" in page.content.decode()

    def test_bad_row_is_shown_and_kept_in_the_history(self, network):
        client = client_for(network.manager_a)
        response = client.post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla",
             "file": _upload([row("A1"), row("A2", business_type="NOPE")])},
        )  # fmt: skip
        assert response.status_code == 200
        text = response.content.decode()
        assert "Nothing was written: 1 error." in text
        assert "line 3: NOPE is not a known business type code." in text
        assert not QueueTicket.objects.exists()
        item = TicketImport.objects.get()
        assert not item.is_applied and item.error_count == 1 and "NOPE" in item.first_error

    def test_dry_run_writes_no_history(self, network):
        response = client_for(network.manager_a).post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": _upload([row("A1")]),
             "dry_run": "on"},
        )  # fmt: skip
        assert response.status_code == 200
        assert "Checked, nothing written" in response.content.decode()
        assert not QueueTicket.objects.exists() and not TicketImport.objects.exists()

    def test_wrong_file_kind_is_refused(self, network):
        response = client_for(network.manager_a).post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla",
             "file": SimpleUploadedFile("q.pdf", b"%PDF")},
        )  # fmt: skip
        assert "is not a CSV, XLSX or tab-separated text file" in response.content.decode()
        assert not TicketImport.objects.exists()

    def test_outlet_out_of_scope_is_not_found(self, network):
        response = client_for(may_load_tickets(network.other_teller)).post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": _upload([row("A1")])},
        )
        assert response.status_code == 404
        assert not TicketImport.objects.exists()

    def test_viewer_role_is_forbidden(self, network):
        # The auditor reads the whole bank but holds no staff role anywhere.
        response = client_for(network.auditor).post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": _upload([row("A1")])},
        )
        assert response.status_code == 403

    def test_history_is_scoped(self, network):
        run(network, [row("A1")])
        assert (
            client_for(network.manager_a)
            .get(reverse("counters:imports"))
            .context["page_obj"]
            .object_list
        )
        assert (
            not client_for(network.other_teller)
            .get(reverse("counters:imports"))
            .context["page_obj"]
            .object_list
        )


def test_the_form_names_the_outlet_of_a_user_with_one(network):
    """An outlet head imports for their outlet: it is filled in; a sub-branch head chooses."""
    page = client_for(network.manager_a).get(reverse("counters:imports"))
    assert page.context["form"]["outlet"].value() == "XC01"
    several = client_for(network.subbranch_manager).get(reverse("counters:imports"))
    assert several.context["form"]["outlet"].value() is None
