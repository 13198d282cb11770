"""Pages: happy path, bad input, scope 404 (other_teller), role 403, pinned query counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.surveys.models import (
    Dimension,
    EvaluationWave,
    Response,
    ResponseMapping,
    Segment,
)
from ventanilla.surveys.tests.factories import make_wave

CSV = (
    "编号,客户类型,网点,日期,总体满意度,等候时间,收费\n"
    "N1,corporate,XC01,2026-03-02,5,4,3\n"
    "N2,corporate,XC02,2026-03-03,4,4,4\n"
).encode()


def _login(client, user):
    client.force_login(user)
    return client


def test_wave_list_shows_branch_waves_with_pinned_queries(
    client, survey, network, django_assert_num_queries
):
    make_wave(network.branch, name="2026Q2 测评", quarter=2)
    _login(client, network.subbranch_manager)
    client.get(reverse("surveys:wave_list"))  # warm the session and grants
    # The page's queries and those of the shared layout.
    with django_assert_num_queries(7):
        response = client.get(reverse("surveys:wave_list"))
    assert response.status_code == 200
    assert survey.wave.name in response.content.decode()
    assert "2026Q2 测评" in response.content.decode()


def test_wave_detail_shows_indices_of_the_users_scope(client, survey, network):
    response = _login(client, network.subbranch_manager).get(
        reverse("surveys:wave_detail", args=[survey.wave.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert network.subbranch.name in page
    assert network.other_subbranch.name not in page
    assert 'id="nps"' in page


def test_wave_detail_rejects_unknown_segment_and_is_404_outside(client, survey, network):
    _login(client, network.subbranch_manager)
    url = reverse("surveys:wave_detail", args=[survey.wave.pk])
    assert client.get(url, {"segment": "nope"}).status_code == 404
    assert client.get(url, {"segment": "corporate", "level": "unit"}).status_code == 200
    own = make_wave(network.subbranch, name="相城自查")
    _login(client, network.other_teller)
    assert client.get(reverse("surveys:wave_detail", args=[own.pk])).status_code == 404
    assert client.get(reverse("surveys:wave_ranking", args=[own.pk])).status_code == 404
    assert client.get(reverse("surveys:response_export", args=[own.pk])).status_code == 404


def test_ranking_page_hides_peers_from_a_sub_branch_manager(client, survey, network):
    response = _login(client, network.subbranch_manager).get(
        reverse("surveys:wave_ranking", args=[survey.wave.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert network.subbranch.display_name in page
    assert "Peer 2" in page
    assert network.other_subbranch.display_name not in page


def test_ranking_page_with_an_unknown_parent_is_404(client, survey, network):
    _login(client, network.subbranch_manager)
    url = reverse("surveys:wave_ranking", args=[survey.wave.pk])
    assert client.get(url, {"parent": "NOPE"}).status_code == 404
    assert client.get(url, {"parent": "XC"}).status_code == 200


def test_target_rank_form(client, survey, network):
    url = reverse("surveys:target_rank_set", args=[survey.wave.pk, "XC"])
    corporate = survey.wave.segments.get(code="corporate")
    _login(client, network.subbranch_manager)
    response = client.post(url, {"segment": corporate.pk, "rank": 6})
    assert response.status_code == 302
    assert network.subbranch.target_ranks.get().rank == 6
    back = client.post(url, {"segment": corporate.pk, "rank": 6, "parent": "SZ&x=1"})
    assert back["Location"].endswith("?parent=SZ%26x%3D1")
    client.post(url, {"segment": corporate.pk, "rank": 0})
    assert network.subbranch.target_ranks.get().rank == 6
    _login(client, network.teller_a)
    own_outlet = reverse("surveys:target_rank_set", args=[survey.wave.pk, "XC01"])
    assert client.post(own_outlet, {"segment": corporate.pk, "rank": 2}).status_code == 403
    _login(client, network.other_teller)
    assert client.post(url, {"segment": corporate.pk, "rank": 2}).status_code == 404


def test_drivers_page(client, survey, network):
    response = _login(client, network.auditor).get(
        reverse("surveys:wave_drivers", args=[survey.wave.pk])
    )
    assert response.status_code == 200
    assert "Too few complete answers" in response.content.decode()


def test_exports_are_workbooks_of_the_users_scope(client, survey, network):
    _login(client, network.teller_a)
    response = client.get(reverse("surveys:response_export", args=[survey.wave.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    refs = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert refs == ["R001", "R002", "R003"]  # outlet A only
    tables = client.get(reverse("surveys:wave_export", args=[survey.wave.pk]))
    book = load_workbook(io.BytesIO(tables.content))
    assert book.sheetnames == [
        "Indices by unit",
        "Indices by sub-branch",
        "NPS",
        "Trend",
        "Ranking",
        "Key drivers",
    ]
    ranking = [r for r in book["Ranking"].iter_rows(min_row=2, values_only=True)]
    assert ranking[1][2] == "Peer 2" and ranking[1][5] is None


def test_wave_create_page(client, network):
    _login(client, network.teller_a)
    assert client.get(reverse("surveys:wave_create")).status_code == 403
    _login(client, network.subbranch_manager)
    url = reverse("surveys:wave_create")
    assert client.get(url).status_code == 200
    data = {
        "unit": "XC",
        "name": "相城自查",
        "year": 2026,
        "quarter": 2,
        "source": "own_survey",
        "segments": [1],
        "dimensions": [2],  # no overall score
        "scale": "1-5",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "overall score" in response.content.decode()
    data["segments"] = [Segment.objects.get(code="corporate").pk]
    data["dimensions"] = list(Dimension.objects.values_list("pk", flat=True))
    response = client.post(url, data)
    wave = EvaluationWave.objects.get()
    assert response.status_code == 302 and wave.unit == network.subbranch
    data["unit"] = "SZ"  # not managed by the sub-branch president
    assert client.post(url, data).status_code == 200
    assert EvaluationWave.objects.count() == 1


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def test_import_wizard_maps_checks_and_imports(client, network, media):
    wave = make_wave(network.subbranch)
    _login(client, network.subbranch_manager)
    assert client.get(reverse("surveys:import_upload")).status_code == 200
    response = client.post(
        reverse("surveys:import_upload"),
        {"wave": wave.pk, "file": SimpleUploadedFile("vendor.csv", CSV)},
    )
    assert response.status_code == 302
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "总体满意度" in page and 'value="编号" selected' in page
    mapping = {
        "map_respondent_ref": "编号",
        "map_segment": "客户类型",
        "map_unit": "网点",
        "map_answered_on": "日期",
        "map_dim__overall": "总体满意度",
        "map_dim__waiting_time": "等候时间",
        "map_dim__fees": "收费",
        "save_as": "供应商A",
    }
    checked = client.post(url, {**mapping, "action": "check"})
    assert "2 to create" in checked.content.decode()
    assert not Response.objects.exists()
    assert ResponseMapping.objects.get(name="供应商A").columns["unit"] == "网点"
    done = client.post(url, {**mapping, "action": "import"})
    assert done.status_code == 302
    assert Response.objects.filter(wave=wave).count() == 2
    assert client.get(url).status_code == 404  # the file was discarded


def test_import_wizard_reports_bad_rows_and_bad_files(client, network, media):
    wave = make_wave(network.subbranch)
    _login(client, network.subbranch_manager)
    bad = CSV + b"N3,corporate,XX99,2026-03-03,9,4,4\n"
    response = client.post(
        reverse("surveys:import_upload"),
        {"wave": wave.pk, "file": SimpleUploadedFile("vendor.csv", bad)},
    )
    url = response["Location"]
    page = client.post(
        url,
        {
            "map_respondent_ref": "编号",
            "map_segment": "客户类型",
            "map_unit": "网点",
            "map_answered_on": "日期",
            "map_dim__overall": "总体满意度",
            "action": "import",
        },
    ).content.decode()
    assert "Unknown unit code XX99" in page and "outside the scale 1-5" in page
    assert not Response.objects.exists()
    response = client.post(
        reverse("surveys:import_upload"),
        {"wave": wave.pk, "file": SimpleUploadedFile("vendor.xls", b"junk")},
    )
    assert (
        response.status_code == 200 and "Upload a .csv or .xlsx file." in response.content.decode()
    )


def test_import_pages_need_a_manager(client, network, media):
    _login(client, network.teller_a)
    assert client.get(reverse("surveys:import_upload")).status_code == 403
    _login(client, network.subbranch_manager)
    assert client.get(reverse("surveys:import_map", args=["nope"])).status_code == 404


def test_home_page_shows_the_standing_panel(client, survey, network):
    response = _login(client, network.subbranch_manager).get(reverse("home"))
    page = response.content.decode()
    assert 'id="standing"' in page
    assert "1 of 2" in page
