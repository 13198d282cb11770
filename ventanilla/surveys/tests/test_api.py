"""The surveys API: waves, responses, indices, rankings; scoped like the pages."""

from __future__ import annotations

from ventanilla.surveys.tests.factories import make_wave

BASE = "/api/v1/surveys"


def test_wave_list_and_detail(client, survey, network, django_assert_num_queries):
    make_wave(network.subbranch, name="相城自查")
    client.force_login(network.other_teller)
    client.get(f"{BASE}/waves/")
    with django_assert_num_queries(7):
        body = client.get(f"{BASE}/waves/").json()
    assert [w["name"] for w in body["results"]] == [survey.wave.name]
    detail = client.get(f"{BASE}/waves/{survey.wave.pk}/").json()
    assert detail["unit"] == "SZ" and detail["dimensions"] == ["overall", "waiting_time", "fees"]


def test_wave_outside_the_scope_is_404(client, network):
    own = make_wave(network.subbranch, name="相城自查")
    client.force_login(network.other_teller)
    assert client.get(f"{BASE}/waves/{own.pk}/").status_code == 404
    assert client.get(f"{BASE}/waves/{own.pk}/ranking/").status_code == 404
    assert client.get(f"{BASE}/waves/abc/").status_code == 404


def test_responses_are_scoped_and_filtered_by_wave(
    client, survey, network, django_assert_num_queries
):
    client.force_login(network.teller_a)
    client.get(f"{BASE}/responses/")
    # One query more than before the themes: their prefetch.
    with django_assert_num_queries(7):
        body = client.get(f"{BASE}/responses/", {"wave": survey.wave.pk}).json()
    assert [r["respondent_ref"] for r in body["results"]] == ["R001", "R002", "R003"]
    assert body["results"][0]["scores"] == {"overall": 5, "waiting_time": 4, "fees": 3}
    assert client.get(f"{BASE}/responses/", {"wave": "x"}).status_code == 400
    yt = survey.wave.responses.get(respondent_ref="R005")
    assert client.get(f"{BASE}/responses/{yt.pk}/").status_code == 404


def test_indices_and_ranking_endpoints(client, survey, network):
    client.force_login(network.subbranch_manager)
    indices = client.get(f"{BASE}/waves/{survey.wave.pk}/indices/").json()
    overall = next(
        i for i in indices["indices"] if i["dimension"] == "overall" and i["unit"] == "XC"
    )
    assert overall["mean"]["n"] == 4 and overall["mean"]["value"] == 4.0
    assert indices["nps"][0]["value"] == 25.0
    assert client.get(f"{BASE}/waves/{survey.wave.pk}/indices/", {"level": "x"}).status_code == 400
    ranking = client.get(f"{BASE}/waves/{survey.wave.pk}/ranking/").json()
    rows = ranking["segments"][0]["rows"]
    assert [(r["rank"], r["unit"], r["shrunk"] is None) for r in rows] == [
        (1, "XC", False),
        (2, None, True),
    ]


def test_api_is_read_only(client, survey, network):
    client.force_login(network.admin)
    assert client.post(f"{BASE}/waves/", {}).status_code == 405
