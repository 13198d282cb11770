"""Published monthly league tables: frozen, versioned, readable by the sub-branch's tellers,
and the same rows on the page, in the PDF and in the workbook."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ventanilla.core.errors import DomainError
from ventanilla.core.pdf import cjk_font_family
from ventanilla.counters import selectors
from ventanilla.counters.models import LeaguePublication, LeaguePublicationRow, QueueTicket
from ventanilla.counters.rollups import rollups_rebuild
from ventanilla.counters.services import league_publish
from ventanilla.counters.tests.factories import at
from ventanilla.counters.tests.test_selectors import MONDAY, make_tickets
from ventanilla.counters.tests.test_views import client_for

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)
AFTER_MARCH = "2026-04-10 10:00 +0800"
URL_ARGS = {"unit": "XC", "year": 2026, "month": 3}


@pytest.fixture(autouse=True)
def _after_march():
    with time_machine.travel(AFTER_MARCH, tick=False):
        yield


def _frozen(publication):
    return [
        (r.staff_number, r.served, r.errors, r.rank_overall, r.rank_in_outlet, r.handle_count)
        for r in publication.rows.order_by("rank_overall", "staff_number")
    ]


def _live(user, unit):
    return [
        (r.teller.staff_number, r.served, r.errors, r.rank_overall, r.rank_in_outlet,
         r.handle_count)
        for r in selectors.league_table(user=user, unit=unit, month=MARCH)
    ]  # fmt: skip


class TestPublish:
    def test_publication_freezes_the_table_against_later_tickets(self, network):
        make_tickets(network, days=3, per_day=40)
        manager = network.subbranch_manager
        publication = league_publish(actor=manager, unit=network.subbranch, month=MARCH)
        frozen = _frozen(publication)
        assert frozen == _live(manager, network.subbranch)
        assert publication.version == 1 and publication.is_current
        assert publication.published_by == manager
        # Tickets of the same month arrive after publication: the live table moves...
        day = MONDAY + timedelta(days=1)
        late = [
            QueueTicket(
                outlet=network.outlet_a,
                service_on=day,
                ticket_number=f"L{n}",
                business_type=QueueTicket.objects.first().business_type,
                issued_at=at(day, 10, 0),
                called_at=at(day, 10, 5),
                ended_at=at(day, 10, 9),
                window="1",
                teller=network.teller_a.employee,
                outcome="served",
            )
            for n in range(25)
        ]
        QueueTicket.objects.bulk_create(late)
        rollups_rebuild(days={(network.outlet_a.pk, day)})
        assert _live(manager, network.subbranch) != frozen
        # ...the published one does not.
        publication.refresh_from_db()
        assert _frozen(publication) == frozen

    def test_republishing_keeps_history_and_replaces_the_current_version(self, network):
        make_tickets(network, days=2, per_day=30)
        first = league_publish(actor=network.manager_a, unit=network.outlet_a, month=MARCH)
        second = league_publish(actor=network.manager_a, unit=network.outlet_a, month=MARCH)
        first.refresh_from_db()
        assert (first.version, first.is_current) == (1, False)
        assert (second.version, second.is_current) == (2, True)
        assert LeaguePublicationRow.objects.filter(publication=first).count() == len(
            _frozen(second)
        )

    def test_dwell_against_standard_is_kept(self, network):
        make_tickets(network, days=2, per_day=30)
        publication = league_publish(actor=network.manager_a, unit=network.outlet_a, month=MARCH)
        standard = {t.pk: t.standard_seconds for t in QueueTicket.objects.first().business_type
                    ._meta.model.objects.all()}  # fmt: skip
        for row in publication.rows.all():
            mine = [
                t
                for t in QueueTicket.objects.filter(teller=row.teller, outlet=row.outlet)
                if t.ended_at
            ]
            spent = sum(t.transaction_seconds for t in mine)
            par = sum(standard[t.business_type_id] for t in mine)
            assert row.handle_count == len(mine)
            assert row.dwell_ratio == pytest.approx(spent / par)

    def test_current_month_cannot_be_published(self, network):
        make_tickets(network, days=1, per_day=10)
        with pytest.raises(DomainError, match="not over"):
            league_publish(actor=network.manager_a, unit=network.outlet_a, month=date(2026, 4, 1))
        assert not LeaguePublication.objects.exists()

    def test_empty_month_is_refused(self, network):
        with pytest.raises(DomainError, match="nothing to publish"):
            league_publish(actor=network.manager_a, unit=network.outlet_a, month=MARCH)
        assert not LeaguePublication.objects.exists()

    def test_teller_may_not_publish(self, network):
        make_tickets(network, days=1, per_day=10)
        with pytest.raises(DomainError):
            league_publish(actor=network.teller_a, unit=network.outlet_a, month=MARCH)
        assert not LeaguePublication.objects.exists()


class TestPages:
    @pytest.fixture
    def published(self, network):
        make_tickets(network, days=2, per_day=30)
        return league_publish(actor=network.subbranch_manager, unit=network.subbranch, month=MARCH)

    def test_manager_publishes_from_the_league_page(self, network):
        make_tickets(network, days=1, per_day=20)
        client = client_for(network.subbranch_manager)
        page = client.get(reverse("counters:league"), {"unit": "XC", "month": "2026-03"})
        assert "Publish this table" in page.content.decode()
        response = client.post(
            reverse("counters:league_publish"), {"unit": "XC", "month": "2026-03"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("counters:league_published", kwargs=URL_ARGS)
        assert LeaguePublication.objects.get().unit == network.subbranch

    def test_publish_bad_month_is_reported_and_writes_nothing(self, network):
        client = client_for(network.subbranch_manager)
        response = client.post(
            reverse("counters:league_publish"), {"unit": "XC", "month": "March"}, follow=True
        )
        assert "Give the month as YYYY-MM" in response.content.decode()
        assert not LeaguePublication.objects.exists()

    def test_teller_may_not_publish_from_the_page(self, network):
        make_tickets(network, days=1, per_day=10)
        response = client_for(network.teller_a).post(
            reverse("counters:league_publish"), {"unit": "XC01", "month": "2026-03"}
        )
        assert response.status_code == 403
        assert not LeaguePublication.objects.exists()

    def test_publish_out_of_scope_is_not_found(self, network):
        response = client_for(network.other_teller).post(
            reverse("counters:league_publish"), {"unit": "XC", "month": "2026-03"}
        )
        assert response.status_code == 404

    def test_teller_reads_the_sub_branch_table_with_own_line_marked(self, network, published):
        client = client_for(network.teller_a)
        listing = client.get(reverse("counters:league_publications"))
        assert list(listing.context["page_obj"].object_list) == [published]
        response = client.get(reverse("counters:league_published", kwargs=URL_ARGS))
        assert response.status_code == 200
        text = response.content.decode()
        assert 'class="table-primary"' in text
        assert network.teller_a.employee.name in text
        assert len(response.context["rows"]) == published.rows.count()

    def test_other_sub_branch_does_not_see_it(self, network, published):
        client = client_for(network.other_teller)
        assert (
            not client.get(reverse("counters:league_publications")).context["page_obj"].object_list
        )
        for name in ("league_published", "league_published_pdf", "league_published_xlsx"):
            assert client.get(reverse(f"counters:{name}", kwargs=URL_ARGS)).status_code == 404

    def test_earlier_version_stays_readable(self, network, published):
        league_publish(actor=network.subbranch_manager, unit=network.subbranch, month=MARCH)
        client = client_for(network.manager_a)
        url = reverse("counters:league_published", kwargs=URL_ARGS)
        assert client.get(url).context["publication"].version == 2
        old = client.get(url, {"version": 1})
        assert old.context["publication"].pk == published.pk
        assert "replaced by a later version" in old.content.decode()
        assert client.get(url, {"version": 9}).status_code == 404
        assert client.get(url, {"version": "x"}).status_code == 404

    def test_xlsx_holds_the_published_rows(self, network, published):
        response = client_for(network.teller_a).get(
            reverse("counters:league_published_xlsx", kwargs=URL_ARGS)
        )
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("Rank", "Staff number", "Teller")
        expected = [
            (r.rank_overall, r.staff_number, r.teller_name, r.served, r.errors)
            for r in published.rows.order_by("rank_overall", "staff_number")
        ]
        assert [(r[0], r[1], r[2], r[5], r[7]) for r in rows[1:]] == expected

    @pytest.mark.skipif(cjk_font_family() is None, reason="no CJK font installed")
    def test_pdf_names_every_teller(self, network, published):
        response = client_for(network.subbranch_manager).get(
            reverse("counters:league_published_pdf", kwargs=URL_ARGS)
        )
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        names = list(published.rows.values_list("teller_name", flat=True))
        assert names and all(name in text for name in names)
        assert "相城支行" in text


class TestLanguages:
    def test_each_reader_sees_the_outlet_names_in_their_language(self, network):
        """Published in English, read in Chinese: the official names, and the English ones
        in English, on the page, in the workbook and in the API."""
        from django.utils import translation

        from ventanilla.org.models import OrgUnit

        OrgUnit.objects.filter(pk=network.outlet_a.pk).update(name_en="Xiangcheng Main Office")
        make_tickets(network, days=2, per_day=30)
        with translation.override("en"):
            publication = league_publish(
                actor=network.subbranch_manager, unit=network.subbranch, month=MARCH
            )
        row = publication.rows.get(outlet=network.outlet_a, rank_in_outlet=1)
        assert (row.outlet_name, row.outlet_name_en) == ("相城营业部", "Xiangcheng Main Office")
        client = client_for(network.teller_a)
        page = reverse("counters:league_published", kwargs=URL_ARGS)
        chinese = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "XC01 相城营业部" in chinese and "Xiangcheng Main Office" not in chinese
        english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "XC01 Xiangcheng Main Office" in english
        workbook = client.get(
            reverse("counters:league_published_xlsx", kwargs=URL_ARGS),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        sheet = load_workbook(io.BytesIO(workbook.content)).active
        assert "XC01 相城营业部" in [r[3] for r in sheet.iter_rows(values_only=True)]
        answer = client.get("/api/v1/league-tables/XC-2026-03/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert "Xiangcheng Main Office" in {r["outlet_name"] for r in answer["rows"]}
