"""A Xiangcheng rectification plan built through the services, as the reports show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ventanilla.rectification import services as plans
from ventanilla.rectification.models import Measure, RectificationPlan

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 15, 10, 0, tzinfo=TZ)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class PlanFixture:
    plan: RectificationPlan
    sections: list[str]
    findings: list[str]
    measures: list[Measure]


def build_plan(network) -> PlanFixture:
    actor = network.subbranch_manager
    plan = plans.plan_create(
        actor=actor,
        unit=network.subbranch,
        title="相城支行关于提升客户满意度的整改报告",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        addressee="苏州分行",
        introduction="根据分行客户满意度测评结果，我行对公客户满意度排名系统内第四名。",
        commitment="我行将持续推进整改，确保进入系统前六名。",
    )
    plans.goal_add(
        actor=actor,
        plan=plan,
        title="柜面平均等候时间降至10分钟以内",
        indicator="counter_mean_wait",
        baseline=14.2,
        target=10,
        deadline=date(2026, 12, 31),
    )
    mechanism = plans.section_add(actor=actor, plan=plan, kind="mechanism", title="服务管理机制")
    efficiency = plans.section_add(actor=actor, plan=plan, kind="efficiency", title="网点服务效率")
    f1 = plans.finding_add(
        actor=actor,
        section=mechanism,
        statement="客户投诉处理不及时",
        evidence="一季度投诉12件，其中3件超时",
        examples=["投诉后一周无人回复"],
    )
    f2 = plans.finding_add(
        actor=actor,
        section=efficiency,
        statement="高峰时段排队时间过长",
        evidence="午间平均等候18分钟",
        examples=["中午只开两个窗口"],
    )
    owner = network.manager_a.employee
    m1 = plans.measure_add(
        actor=actor,
        section=mechanism,
        finding=f1,
        title="建立投诉快速处理机制",
        owner=owner,
        owner_department=network.dept,
        start_on=TODAY - timedelta(days=120),
        due_on=TODAY - timedelta(days=60),
        indicator="teller_error_rate",
    )
    m2 = plans.measure_add(
        actor=actor,
        section=efficiency,
        finding=f2,
        title="午间增开弹性窗口",
        owner=owner,
        start_on=TODAY - timedelta(days=30),
        due_on=TODAY - timedelta(days=5),
    )
    m3 = plans.measure_add(
        actor=actor,
        section=efficiency,
        title="大堂经理引导分流",
        start_on=TODAY - timedelta(days=10),
        due_on=TODAY + timedelta(days=40),
    )
    plans.measure_progress_add(
        actor=actor,
        measure=m1,
        note="机制已上线",
        percent_done=100,
        noted_on=TODAY - timedelta(days=70),
    )
    plans.measure_progress_add(actor=actor, measure=m3, note="已培训大堂经理", percent_done=40)
    plans.measure_check_effect(actor=actor, measure=m1, window_days=30)
    return PlanFixture(
        plan=plan,
        sections=["服务管理机制", "网点服务效率"],
        findings=["客户投诉处理不及时", "高峰时段排队时间过长"],
        measures=[m1, m2, m3],
    )


@pytest.fixture
def xc_plan(network) -> PlanFixture:
    return build_plan(network)
