import pytest

from ventanilla.rectification.models import MeasureProgress
from ventanilla.rectification.tests.factories import plan_with_measure

pytestmark = pytest.mark.django_db


def test_plans_and_measures_by_reference(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.subbranch_manager)
    listing = client.get("/api/v1/rectification/plans/").json()
    assert [p["reference"] for p in listing["results"]] == [plan.reference]
    detail = client.get(f"/api/v1/rectification/plans/{plan.reference}/").json()
    assert detail["goals"][0]["indicator"] == "counter_service_level"
    assert detail["sections"][0]["title"] == "流程与等候时间"
    measure = client.get(f"/api/v1/rectification/measures/{m.reference}/").json()
    assert measure["owner_name"] == network.manager_a.employee.name
    findings = client.get(f"/api/v1/rectification/findings/?plan={plan.reference}").json()
    assert findings["results"][0]["statement"] == "高峰时段排队时间长"


def test_other_teller_sees_nothing_and_gets_404(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.other_teller)
    assert client.get("/api/v1/rectification/plans/").json()["results"] == []
    assert client.get("/api/v1/rectification/measures/").json()["results"] == []
    assert client.get("/api/v1/rectification/findings/").json()["results"] == []
    assert client.get(f"/api/v1/rectification/plans/{plan.reference}/").status_code == 404
    response = client.post(
        f"/api/v1/rectification/measures/{m.reference}/progress/",
        {"note": "x", "percent_done": 10},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not MeasureProgress.objects.exists()


def test_owner_posts_progress_and_bad_input_is_400(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.manager_a)
    ok = client.post(
        f"/api/v1/rectification/measures/{m.reference}/progress/",
        {"note": "增开窗口", "percent_done": 30},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["percent_done"] == 30
    bad = client.post(
        f"/api/v1/rectification/measures/{m.reference}/progress/",
        {"note": "x", "percent_done": 300},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "percent_done" in bad.json()["error"]["fields"]


def test_close_effective_refused_is_403_for_an_owner_without_improvement(
    client, network, time_machine
):
    time_machine.move_to("2026-05-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    client.force_login(network.manager_a)
    client.post(
        f"/api/v1/rectification/measures/{m.reference}/progress/",
        {"note": "done", "percent_done": 100, "noted_on": "2026-03-01"},
        content_type="application/json",
    )
    refused = client.post(
        f"/api/v1/rectification/measures/{m.reference}/close-effective/",
        {"reason": "looks fine"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    too_early = client.post(
        f"/api/v1/rectification/measures/{m.reference}/check-effect/",
        {"window_days": 90},
        content_type="application/json",
    )
    assert too_early.status_code == 400
    assert "check the effect then" in too_early.json()["error"]["message"]
