"""Plans built through the services, as a person would build them."""

from __future__ import annotations

from datetime import date
from typing import Any

from ventanilla.rectification import services
from ventanilla.rectification.models import Measure, RectificationPlan, SectionKind


def plan_with_measure(network: Any, **measure: Any) -> tuple[RectificationPlan, Measure]:
    actor = network.subbranch_manager
    plan = services.plan_create(
        actor=actor,
        unit=network.subbranch,
        title="相城支行客户满意度整改方案",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        addressee="苏州分行",
    )
    services.goal_add(
        actor=actor,
        plan=plan,
        title="网点叫号15分钟内达到90%",
        indicator="counter_service_level",
        target=90,
        deadline=date(2026, 6, 30),
        baseline=60,
    )
    section = services.section_add(
        actor=actor, plan=plan, kind=SectionKind.PROCESS_WAITING, title="流程与等候时间"
    )
    finding = services.finding_add(
        actor=actor,
        section=section,
        statement="高峰时段排队时间长",
        evidence="40%的客户等候超过15分钟",
    )
    fields: dict[str, Any] = {
        "title": "高峰时段增开窗口",
        "start_on": date(2026, 1, 5),
        "due_on": date(2026, 2, 28),
        "owner": network.manager_a.employee,
        "owner_department": network.dept,
        "finding": finding,
        "indicator": "counter_service_level",
        "indicator_unit": network.outlet_a,
    }
    fields.update(measure)
    m = services.measure_add(actor=actor, section=section, **fields)
    return plan, m
