from datetime import date

import pytest

from ventanilla.core.errors import DomainError
from ventanilla.rectification import services
from ventanilla.rectification.models import Finding, SuggestionStatus
from ventanilla.surveys.models import Dimension, Response, ResponseScore, Segment
from ventanilla.surveys.tests.factories import make_wave

pytestmark = pytest.mark.django_db


def _answers(wave, unit, segment, scores):
    overall = Dimension.objects.get(code="overall")
    waiting = Dimension.objects.get(code="waiting_time")
    for i, (o, w) in enumerate(scores):
        r = Response.objects.create(
            wave=wave,
            respondent_ref=f"{unit.code}-{segment.code}-{i}",
            segment=segment,
            unit=unit,
            answered_on=date(2026, 8, 1),
        )
        ResponseScore.objects.create(response=r, dimension=overall, score=o)
        ResponseScore.objects.create(response=r, dimension=waiting, score=w)


def test_weak_dimension_is_suggested_and_accepted_with_edits(network):
    wave = make_wave(network.branch, year=2026, quarter=3)
    corporate = Segment.objects.get(code="corporate")
    # Xiangcheng's outlet rates waiting 2 (of 1-5); the peer rates it 5.
    _answers(wave, network.outlet_a, corporate, [(3, 2)] * 6)
    _answers(wave, network.other_outlet, corporate, [(5, 5)] * 6)
    plan = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="整改",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
        source_wave=wave,
    )
    created = services.plan_suggest_findings(actor=network.subbranch_manager, plan=plan)
    weak = [s for s in created if s.kind == "weak_dimension"]
    assert [s.key for s in weak] == ["waiting_time"]
    assert "Mean 2.00" in weak[0].evidence and "from 6 answers" in weak[0].evidence
    assert "1.50 below" in weak[0].evidence  # all units: (6*2 + 6*5)/12 = 3.5
    assert plan.sections.count() == 0  # no section until a suggestion is accepted
    finding = services.suggestion_accept(
        actor=network.subbranch_manager, suggestion=weak[0], statement="对公客户排队时间长"
    )
    assert finding.statement == "对公客户排队时间长"
    assert finding.section.segment == corporate
    weak[0].refresh_from_db()
    assert weak[0].status == SuggestionStatus.ACCEPTED
    # Running it again adds nothing and does not revive what was handled.
    assert services.plan_suggest_findings(actor=network.subbranch_manager, plan=plan) == []
    with pytest.raises(DomainError, match="already been handled"):
        services.suggestion_accept(actor=network.subbranch_manager, suggestion=weak[0])
    assert Finding.objects.count() == 1


def test_suggesting_needs_a_wave(network):
    plan = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="整改",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
    )
    with pytest.raises(DomainError, match="no evaluation wave"):
        services.plan_suggest_findings(actor=network.subbranch_manager, plan=plan)


def test_plan_from_a_wave_writes_its_own_heading_and_goals(network):
    from ventanilla.surveys.models import TargetRank

    wave = make_wave(network.branch, year=2026, quarter=3, name="2026年三季度测评")
    corporate = Segment.objects.get(code="corporate")
    _answers(wave, network.outlet_a, corporate, [(3, 3)] * 20)  # XC: mean 3 of 1-5
    _answers(wave, network.other_outlet, corporate, [(5, 5)] * 20)  # YT: mean 5
    TargetRank.objects.create(unit=network.subbranch, segment=corporate, rank=1)
    plan = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
        source_wave=wave,
        with_goals=True,
    )
    assert plan.title == "相城支行 customer satisfaction rectification plan"
    assert plan.addressee == "苏州分行:"
    assert "ranked 2 of 2 among" in plan.introduction
    goal = plan.goals.get()
    assert goal.indicator == "survey_overall.corporate"
    assert goal.baseline == pytest.approx(50.0)  # 3 on 1-5 is 50 on 0-100
    # The gap is to the shrunk score of the unit in first place, on the 0-100 scale.
    assert 50.0 < goal.target <= 100.0


def test_frequent_negative_themes_are_suggested_with_example_comments(network):
    from ventanilla.surveys.models import CommentTheme, Theme

    wave = make_wave(network.branch, year=2026, quarter=3)
    corporate = Segment.objects.get(code="corporate")
    waiting = Theme.objects.get(code="waiting_time")
    fees = Theme.objects.get(code="fees")
    comments = [
        ("排队一个小时", [waiting]),
        ("等了太久，手续费也高", [waiting, fees]),
        ("窗口太少", [waiting]),
        ("年费不合理", [fees]),
    ]
    for i, (text, themes) in enumerate(comments):
        r = Response.objects.create(
            wave=wave,
            respondent_ref=f"n{i}",
            segment=corporate,
            unit=network.outlet_a,
            answered_on=date(2026, 8, 1),
            comment=text,
            sentiment="negative",
        )
        for t in themes:
            CommentTheme.objects.create(response=r, theme=t, source="model")
    happy = Response.objects.create(
        wave=wave,
        respondent_ref="p",
        segment=corporate,
        unit=network.outlet_a,
        answered_on=date(2026, 8, 1),
        comment="排队很快",
        sentiment="positive",
    )
    CommentTheme.objects.create(response=happy, theme=waiting, source="model")
    plan = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="整改",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
        source_wave=wave,
    )
    themes = [
        s
        for s in services.plan_suggest_findings(actor=network.subbranch_manager, plan=plan)
        if s.kind == "negative_theme"
    ]
    assert [(s.key, s.evidence) for s in themes] == [
        ("waiting_time", "3 of 4 negative comments mention it."),
        ("fees", "2 of 4 negative comments mention it."),
    ]
    assert "排队很快" not in themes[0].examples
    assert themes[0].examples[0] == "排队一个小时"


def test_accept_all_turns_every_pending_suggestion_into_a_finding(network, client):
    from django.urls import reverse

    wave = make_wave(network.branch, year=2026, quarter=3)
    corporate = Segment.objects.get(code="corporate")
    _answers(wave, network.outlet_a, corporate, [(3, 2)] * 6)
    _answers(wave, network.other_outlet, corporate, [(5, 5)] * 6)
    plan = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="整改",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
        source_wave=wave,
    )
    services.plan_suggest_findings(actor=network.subbranch_manager, plan=plan)
    client.force_login(network.teller_a)
    url = reverse("rectification:plan_step", args=[plan.reference, "accept-all"])
    assert client.post(url).status_code == 404  # a teller of an outlet does not see the plan
    client.force_login(network.subbranch_manager)
    assert client.post(url).status_code == 302
    assert Finding.objects.filter(section__plan=plan).count() == 1
    assert not plan.suggestions.filter(status=SuggestionStatus.PENDING).exists()
