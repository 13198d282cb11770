"""Closing the loop: low overall scores raise pre-complaints, once, and the wave page lists
them; the charts of the wave, ranking and drivers pages carry their tables."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ventanilla.complaints.models import PreComplaint
from ventanilla.core.errors import DomainError
from ventanilla.surveys import services
from ventanilla.surveys.importing import responses_import
from ventanilla.surveys.models import LowScoreFollowUp
from ventanilla.surveys.tests.factories import make_wave

CSV = (
    "ref,segment,unit,date,overall,waiting_time,fees,comment\n"
    "L1,corporate,XC01,2026-03-02,1,2,2,排队太久了\n"
    "L2,corporate,XC01,2026-03-02,2,3,3,\n"
    "L3,corporate,XC02,2026-03-03,4,4,4,\n"
).encode()
COLUMNS = {
    "respondent_ref": "ref",
    "segment": "segment",
    "unit": "unit",
    "answered_on": "date",
    "dim:overall": "overall",
    "dim:waiting_time": "waiting_time",
    "dim:fees": "fees",
    "comment": "comment",
}


def _import(wave, actor, data=CSV):
    return responses_import(
        actor=actor, wave=wave, columns=COLUMNS, data=data, filename="w.csv", dry_run=False
    )


def test_import_raises_a_pre_complaint_per_low_score_once(
    db, network, django_capture_on_commit_callbacks
):
    wave = make_wave(network.branch)
    services.wave_follow_up_threshold_set(actor=None, wave=wave, threshold=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _import(wave, network.admin)
    assert len(callbacks) == 1
    assert result.is_applied, result.errors
    follow_ups = LowScoreFollowUp.objects.order_by("response__respondent_ref")
    assert [(f.response.respondent_ref, f.overall) for f in follow_ups] == [("L1", 1), ("L2", 2)]
    first = follow_ups[0].pre_complaint
    assert first.unit == network.outlet_a
    assert first.recorded_by == network.admin
    assert "L1" in first.what and "排队太久了" in first.what and "1 on 1–5" in first.what
    assert _import(wave, network.admin).is_applied
    assert LowScoreFollowUp.objects.count() == 2
    assert PreComplaint.objects.count() == 2
    # The comments were classified once the import committed.
    assert follow_ups[0].response.themes.filter(theme__code="waiting_time").exists()


def test_without_a_threshold_nothing_is_raised(db, network):
    wave = make_wave(network.branch)
    assert _import(wave, network.admin).is_applied
    assert not PreComplaint.objects.exists()


def test_operator_import_records_in_an_administrators_name(db, network):
    wave = make_wave(network.branch)
    services.wave_follow_up_threshold_set(actor=None, wave=wave, threshold=1)
    assert _import(wave, None).is_applied
    assert PreComplaint.objects.get().recorded_by == network.admin


def test_threshold_must_fit_the_scale_and_the_role(db, network):
    wave = make_wave(network.branch)
    with pytest.raises(DomainError, match="from 1 to 4"):
        services.wave_follow_up_threshold_set(actor=None, wave=wave, threshold=5)
    with pytest.raises(DomainError, match="not allowed"):
        services.wave_follow_up_threshold_set(actor=network.manager_a, wave=wave, threshold=2)
    with pytest.raises(DomainError, match="from 1 to 4"):
        services.wave_create(
            actor=None,
            unit=network.branch,
            name="x",
            year=2026,
            quarter=1,
            source="own_survey",
            segments=wave.segments.all(),
            dimensions=wave.dimensions.all(),
            scale="1-5",
            has_recommend=False,
            follow_up_threshold=0,
        )


def test_wave_page_lists_follow_ups_in_scope_with_their_state(client, survey, network):
    services.wave_follow_up_threshold_set(actor=None, wave=survey.wave, threshold=2)
    raised = services.low_scores_follow_up(actor=network.admin, wave=survey.wave)
    # R005 (2, other sub-branch) only: R004 scored 3.
    assert [f.response.respondent_ref for f in raised] == ["R005"]
    url = reverse("surveys:wave_detail", args=[survey.wave.pk])
    client.force_login(network.subbranch_manager)
    page = client.get(url).content.decode()
    assert 'id="follow-ups"' in page and "R005" not in page
    client.force_login(network.admin)
    page = client.get(url).content.decode()
    assert "R005" in page and "Pre-complaint open" in page


def test_threshold_form_sets_and_follows_up_for_managers_only(client, survey, network):
    url = reverse("surveys:follow_up_threshold_set", args=[survey.wave.pk])
    client.force_login(network.subbranch_manager)
    assert client.post(url, {"threshold": "3"}).status_code == 403
    client.force_login(network.other_teller)
    own = make_wave(network.subbranch, name="XC own")
    assert (
        client.post(
            reverse("surveys:follow_up_threshold_set", args=[own.pk]), {"threshold": "3"}
        ).status_code
        == 404
    )
    client.force_login(network.admin)
    client.post(url, {"threshold": "9"})
    survey.wave.refresh_from_db()
    assert survey.wave.follow_up_threshold is None
    client.post(url, {"threshold": "3"})
    survey.wave.refresh_from_db()
    assert survey.wave.follow_up_threshold == 3
    assert LowScoreFollowUp.objects.count() == 3  # R004 (3), R005 (2), R006 (3)


def test_pages_draw_charts_with_their_tables(client, survey, network):
    client.force_login(network.admin)
    detail = client.get(reverse("surveys:wave_detail", args=[survey.wave.pk])).content.decode()
    assert "chart-spec-trend" in detail and "chart-spec-segment-means" in detail
    assert "Show the table behind this chart" in detail
    ranking = client.get(reverse("surveys:wave_ranking", args=[survey.wave.pk])).content.decode()
    assert "chart-spec-ranking-corporate" in ranking


def test_ranking_chart_draws_the_score_of_the_target_place():
    from ventanilla.surveys.charts import ranking_chart
    from ventanilla.surveys.selectors import RankLine, SegmentRanking

    class Seg:
        code = "corporate"
        display_name = "Corporate"

    lines = [
        RankLine(1, "A", None, False, 10, 4.5, 4.4),
        RankLine(2, "B", None, True, 10, 4.0, 4.1, target=1, gap=0.3),
    ]
    chart = ranking_chart(SegmentRanking(Seg(), lines, 4.2))  # type: ignore[arg-type]
    assert chart.series[0].values == [4.4, 4.1]
    assert chart.series[1].values == pytest.approx([4.4, 4.4])
    assert chart.series[1].kind == "line"


def test_drivers_chart_plots_importance_against_performance():
    from ventanilla.surveys.charts import drivers_chart
    from ventanilla.surveys.selectors import DriverLine, SegmentDrivers

    class Named:
        def __init__(self, code: str) -> None:
            self.code = code
            self.display_name = code.title()

    lines = [
        DriverLine(Named("fees"), 0.4, 3.1, True),  # type: ignore[arg-type]
        DriverLine(Named("waiting_time"), 0.1, 4.2, False),  # type: ignore[arg-type]
    ]
    chart = drivers_chart(SegmentDrivers(Named("corporate"), 50, 0.6, lines))  # type: ignore[arg-type]
    assert chart.kind == "scatter"
    assert chart.points == [(40.0, 3.1, "Fees"), (10.0, 4.2, "Waiting_Time")]
    header, rows = chart.table()
    assert rows[0] == ["Fees", "40.00", "3.10"]


def test_home_panel_shows_the_top_themes_with_examples(client, survey, network):
    services.comments_classify()
    client.force_login(network.subbranch_manager)
    page = client.get("/").content.decode()
    assert 'id="standing-themes"' in page
    assert "排队时间太长" in page
    assert reverse("surveys:wave_themes", args=[survey.wave.pk]) in page
