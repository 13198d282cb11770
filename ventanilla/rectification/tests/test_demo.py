"""The rectification demo step: Xiangcheng's plan after the latest wave, with effect checks."""

from datetime import date

import pytest

from ventanilla.complaints.demo import DEMO_STEP as COMPLAINTS
from ventanilla.demo.generator import build_demo, reset_demo
from ventanilla.rectification.demo import DEMO_STEP
from ventanilla.rectification.models import (
    EffectCheck,
    Measure,
    MeasureStatus,
    PlanStatus,
    RectificationPlan,
)
from ventanilla.surveys.demo import DEMO_STEP as SURVEYS

AS_OF = date(2026, 11, 29)
pytestmark = pytest.mark.django_db


def test_demo_plan_follows_the_source_plan_and_resets_cleanly():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[SURVEYS, COMPLAINTS, DEMO_STEP])
    plan = RectificationPlan.objects.get()
    assert plan.unit.code == "XC"
    assert plan.status == PlanStatus.APPROVED
    assert plan.period_start == date(2026, 10, 10)
    assert "排名第4" in plan.introduction and "排名第9" in plan.introduction
    assert [s.kind for s in plan.sections.all()] == [
        "mechanism",
        "segment",
        "segment",
        "efficiency",
        "process",
    ]
    measures = Measure.objects.filter(section__plan=plan)
    statuses = {m.status for m in measures}
    assert {MeasureStatus.DONE, MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED} <= statuses
    overdue = [m for m in measures if m.is_open and m.due_on < AS_OF]
    assert overdue, "some measures are late, as in any real plan"
    assert all(m.owner_id for m in measures)
    # Without the counters' tickets the checks on counter figures have no data; the
    # complaint figure is checked against the complaints the demo holds.
    checks = EffectCheck.objects.filter(measure__section__plan=plan)
    assert checks.filter(indicator="complaint_on_time").exists()
    assert plan.goals.count() == 4
    reset_demo(history=[SURVEYS, COMPLAINTS, DEMO_STEP])
    assert not RectificationPlan.objects.exists()
