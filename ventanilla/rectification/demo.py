"""The rectification share of the demo: Xiangcheng's plan after the latest evaluation.

Reconstructed from the source plan: after the superior branch's evaluation ranked the
sub-branch 4th among corporate and 9th among high-end individual customers, it set out to
"improve satisfaction vigorously and enter the top six of the system", with sections for the
service mechanism, each of the two segments, outlet efficiency, and process and waiting
time; measures with their owners and dates ("complete by the end of February", "results
announced at the end of March", "all outlets operational in the first half of the year"),
some done, some late. Measures that were completed long enough ago get their effect
checked against the data the demo holds, which gives a mix of verdicts. Everything goes
through the services, as the sub-branch president would have entered it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone, translation

from ventanilla.core.errors import DomainError
from ventanilla.demo.generator import XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import Employee, OrgUnit
from ventanilla.rectification import indicators, services
from ventanilla.rectification.models import Measure, PlanCounter, RectificationPlan, SectionKind

TITLE = "相城支行客户满意度提升整改方案"
ADDRESSEE = "苏州分行："


@dataclass(frozen=True)
class MeasureSpec:
    title: str
    owner: str  # department key, or "outlet:NN" for an outlet head
    start: int  # days after the plan starts
    due: date | int  # a date, or days after the plan starts
    percent: int  # where it stands on the demo's date (100: done)
    done_after: int | None = None  # days after the plan starts when it was completed
    indicator: str = ""
    measured: str = ""  # unit code measured, default the sub-branch
    finding: int | None = None  # index of the section's finding it answers
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionSpec:
    kind: str
    title: str
    segment: str | None
    findings: tuple[tuple[str, str], ...]
    measures: tuple[MeasureSpec, ...]


def _next(start: date, month: int, day: int) -> date:
    """The first such day at least a month after ``start`` ("by the end of February")."""
    candidate = date(start.year, month, day)
    while candidate < start + timedelta(days=30):
        candidate = candidate.replace(year=candidate.year + 1)
    return candidate


def _sections(start: date) -> tuple[SectionSpec, ...]:
    feb, mar = _next(start, 2, 28), _next(start, 3, 31)
    jun = _next(max(feb, mar), 6, 30)
    jan = _next(start, 1, 31)
    return (
        SectionSpec(
            SectionKind.SERVICE_MECHANISM,
            "一、健全服务管理机制",
            None,
            (
                (
                    "服务管理责任未压实到岗，服务质量分析未形成闭环",
                    "季度服务质量分析会未按期召开；网点“一把手”服务责任不清",
                ),
                (
                    "投诉处理机制不健全，应急响应慢",
                    "上季度投诉按时办结率未达100%，个别群体性投诉响应超过2小时",
                ),
            ),
            (
                MeasureSpec(
                    "成立服务领导小组和投诉应急小组，明确各岗位A/B角",
                    "general",
                    0,
                    20,
                    100,
                    done_after=8,
                    finding=0,
                    notes=("印发小组成立通知，明确组长及成员职责",),
                ),
                MeasureSpec(
                    "每季度召开服务质量分析会，通报满意度、投诉及服务差错",
                    "general",
                    5,
                    mar,
                    35,
                    finding=0,
                    notes=("10月召开第一次分析会",),
                ),
                MeasureSpec(
                    "建立投诉两级台账和快速处理机制，力争投诉解决率100%",
                    "operations",
                    0,
                    25,
                    100,
                    done_after=6,
                    indicator="complaint_on_time",
                    finding=1,
                    notes=("网点及支行两级台账上线", "快速处理机制试运行"),
                ),
                MeasureSpec(
                    "满意度纳入各部门、网点平衡计分卡（服务4分），细化到每个岗位",
                    "general",
                    10,
                    feb,
                    50,
                    notes=("考核办法征求意见中",),
                ),
            ),
        ),
        SectionSpec(
            SectionKind.SEGMENT,
            "二、对公客户（系统排名第4）",
            "corporate",
            (
                (
                    "柜面人员服务态度有待改善",
                    "对公客户对“服务态度”评分低于辖内平均；意见中多次提到“不耐烦”",
                ),
                ("回单不能及时送达企业，等候时间长", "对公客户意见中回单、排队问题出现频率最高"),
                (
                    "转账及账户管理费偏高，网银速度慢、交易明细下载不便",
                    "费用和网上银行两项评分均低于辖内平均",
                ),
                ("贷款审批时间长，理财产品信息告知不及时", "贷款流程评分为各维度最低"),
            ),
            (
                MeasureSpec(
                    "按客户类别确定走访频次（小微企业、对公VIP、工商企业），走访纳入客户经理BSC",
                    "corporate",
                    5,
                    feb,
                    40,
                    finding=0,
                    notes=("完成客户分类和走访计划",),
                ),
                MeasureSpec(
                    "设立对公VIP专区，明确准入与退出规则",
                    "outlet:01",
                    5,
                    36,
                    60,
                    finding=1,
                    notes=("选址完成，装修中",),
                ),
                MeasureSpec(
                    "回单柜扩容，回单按日投递到企业",
                    "operations",
                    0,
                    30,
                    100,
                    done_after=15,
                    indicator="counter_mean_wait",
                    measured="XC01",
                    finding=1,
                    notes=("新增回单柜2组",),
                ),
                MeasureSpec(
                    "走访中收集的意见建议分类转办相关部门并限时回复",
                    "corporate",
                    10,
                    mar,
                    30,
                    finding=2,
                ),
                MeasureSpec(
                    "开展对公产品及收费政策培训，主动告知费用减免政策",
                    "corporate",
                    3,
                    45,
                    100,
                    done_after=30,
                    finding=2,
                    notes=("培训2场，覆盖客户经理36人",),
                ),
                MeasureSpec(
                    "贷款审批流程限时办结，定期告知审批进度", "corporate", 15, jun, 20, finding=3
                ),
            ),
        ),
        SectionSpec(
            SectionKind.SEGMENT,
            "三、高端个人客户（系统排名第9）",
            "high_end_individual",
            (
                (
                    "理财经理专业能力不足，客户联系率低",
                    "高端客户对“专业能力”评分低于辖内平均；客户反映一年未接到联系",
                ),
                ("VIP窗口少，大堂未能识别VIP客户，增值服务少", "VIP相关意见集中在等候和识别"),
                ("理财经理频繁更换", "部分客户一年内更换理财经理2次以上且未被告知"),
            ),
            (
                MeasureSpec(
                    "分层维护：核心客户上门拜访、重点客户电话联系、潜力基础客户短信问候",
                    "personal",
                    5,
                    mar,
                    30,
                    finding=0,
                    notes=("完成客户分层名单",),
                ),
                MeasureSpec(
                    "节日及生日问候，建立专用短信平台控制联系频次",
                    "personal",
                    0,
                    40,
                    100,
                    done_after=35,
                    finding=0,
                ),
                MeasureSpec(
                    "大堂经理到店即识别VIP客户，引导至VIP窗口",
                    "outlet:01",
                    0,
                    20,
                    100,
                    done_after=10,
                    indicator="counter_service_level",
                    measured="XC01",
                    finding=1,
                    notes=("大堂经理培训完成", "VIP识别系统提示上线"),
                ),
                MeasureSpec(
                    "统一VIP礼品方案，在固定预算内提升客户感受",
                    "personal",
                    20,
                    jan,
                    0,
                    finding=1,
                ),
                MeasureSpec(
                    "理财经理岗位保持稳定，确需调整时提前告知客户",
                    "personal",
                    0,
                    jun,
                    50,
                    finding=2,
                ),
            ),
        ),
        SectionSpec(
            SectionKind.OUTLET_EFFICIENCY,
            "四、提升网点效能",
            None,
            (
                (
                    "服务和7S检查未常态化，员工技能达标率不高",
                    "上季度现场检查覆盖率70%，专家级达标率92%",
                ),
            ),
            (
                MeasureSpec(
                    "每月现场检查（服务及7S），每两天实时检查，红黑榜纳入员工BSC",
                    "operations",
                    0,
                    jun,
                    35,
                    finding=0,
                    notes=("10月检查覆盖全部网点",),
                ),
                MeasureSpec(
                    "每月技能沙龙，考试参与率100%、专家达标率98%以上",
                    "operations",
                    5,
                    jun,
                    30,
                    finding=0,
                ),
                MeasureSpec(
                    "设施维修快速通道，保洁外包逐网点推开",
                    "general",
                    0,
                    41,
                    50,
                    finding=0,
                    notes=("维修快速通道已开通，保洁外包招标中",),
                ),
            ),
        ),
        SectionSpec(
            SectionKind.PROCESS_WAITING,
            "五、优化流程，缩短等候时间",
            None,
            (
                ("柜面业务办理时间长于标杆行", "58类业务中有17类平均办理时间高于标杆行"),
                ("高峰时段窗口不足，VIP窗口配置偏少", "高峰时段15分钟内叫号率不足80%"),
            ),
            (
                MeasureSpec(
                    "58类业务柜面时长对标，找出慢柜员逐一辅导",
                    "operations",
                    0,
                    30,
                    100,
                    done_after=12,
                    indicator="counter_mean_handling",
                    measured="XC02",
                    finding=0,
                    notes=("确定慢柜员名单并制定辅导计划",),
                ),
                MeasureSpec(
                    "VIP窗口竞聘上岗（业务技能、速度、营销、服务、形象）",
                    "operations",
                    0,
                    25,
                    100,
                    done_after=14,
                    indicator="counter_mean_wait",
                    measured="XC03",
                    finding=1,
                ),
                MeasureSpec(
                    "每月公布柜员业务量及差错，网点内、网点间比较",
                    "operations",
                    0,
                    30,
                    100,
                    done_after=16,
                    indicator="teller_error_rate",
                    finding=0,
                ),
                MeasureSpec(
                    "成立流程优化小组（国内结算、贵金属、合规内控），提出优化建议",
                    "operations",
                    10,
                    jun,
                    10,
                    finding=0,
                ),
            ),
        ),
    )


def _plan_start(as_of: date) -> date:
    """Ten days after the end of the last complete quarter: when the plan was written."""
    quarter_start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    return quarter_start + timedelta(days=9)


def _owner(ctx: DemoContext, key: str) -> tuple[Employee | None, OrgUnit | None]:
    if key.startswith("outlet:"):
        code = f"{XIANGCHENG_CODE}{key.split(':')[1]}"
        return ctx.heads.get(code), ctx.units.get(code)
    dept = ctx.departments.get(XIANGCHENG_CODE, {}).get(key)
    if dept is None:
        return None, None
    return ctx.heads.get(dept.code), dept


def _baseline(code: str, unit: OrgUnit, start: date) -> float | None:
    obs = indicators.observe(code, unit, start - timedelta(days=90), start)
    return round(obs.value, 1) if obs.value is not None else None


def build(ctx: DemoContext) -> None:
    xc = ctx.units.get(XIANGCHENG_CODE)
    president = ctx.logins.get("president")
    if xc is None or president is None:
        return
    from ventanilla.surveys.models import EvaluationWave

    start = _plan_start(ctx.as_of)
    wave = (
        EvaluationWave.objects.filter(unit__path__startswith=ctx.root.path)
        .order_by("-year", "-quarter")
        .first()
    )
    end = _next(_next(_next(start, 2, 28), 3, 31), 6, 30)
    plan = services.plan_create(
        actor=president,
        unit=xc,
        title=TITLE,
        period_start=start,
        period_end=end,
        source_wave=wave,
        addressee=ADDRESSEE,
        introduction=_introduction(president, xc, wave),
        commitment=(
            "我行将以此次测评为契机，把客户满意度提升作为“一把手”工程，按月跟踪、按季分析，"
            "确保各项整改措施按期落实到位，力争在下一次测评中对公客户和高端个人客户满意度均进入系统前六。"
        ),
    )
    for title, code, target in (
        ("对公客户满意度进入系统前六", "survey_overall.corporate", 85.0),
        ("高端个人客户满意度进入系统前六", "survey_overall.high_end_individual", 85.0),
        ("客户15分钟内叫号率达到97%", "counter_service_level", 97.0),
        ("投诉按时办结率100%", "complaint_on_time", 100.0),
    ):
        services.goal_add(
            actor=president,
            plan=plan,
            title=title,
            indicator=code,
            target=target,
            deadline=end,
            baseline=_baseline(code, xc, start),
        )
    today = ctx.as_of
    checks: list[Measure] = []
    for spec in _sections(start):
        from ventanilla.surveys.models import Segment

        segment = Segment.objects.filter(code=spec.segment).first() if spec.segment else None
        section = services.section_add(
            actor=president, plan=plan, kind=spec.kind, title=spec.title, segment=segment
        )
        findings = [
            services.finding_add(actor=president, section=section, statement=s, evidence=e)
            for s, e in spec.findings
        ]
        for m in spec.measures:
            owner, dept = _owner(ctx, m.owner)
            due = m.due if isinstance(m.due, date) else start + timedelta(days=m.due)
            measure = services.measure_add(
                actor=president,
                section=section,
                title=m.title,
                start_on=start + timedelta(days=m.start),
                due_on=due,
                owner=owner,
                owner_department=dept,
                finding=findings[m.finding] if m.finding is not None else None,
                indicator=m.indicator,
                indicator_unit=ctx.units.get(m.measured) if m.measured else None,
            )
            _progress(president, measure, m, start, today)
            if measure.completed_on and measure.indicator:
                checks.append(measure)
    for measure in checks:
        measure.refresh_from_db()
        try:
            services.measure_check_effect(actor=president, measure=measure, today=today)
        except DomainError:
            continue  # its window after completion has not passed yet at the demo's date
    services.plan_submit(actor=president, plan=plan)
    services.plan_approve(actor=president, plan=plan)
    # Written when the plan started and approved a few days later, not on the build's day.
    tz = timezone.get_current_timezone()
    written = datetime.combine(start, time(9, 30), tzinfo=tz)
    RectificationPlan.objects.filter(pk=plan.pk).update(
        created_at=written, approved_at=written + timedelta(days=3, hours=6)
    )
    if wave is not None:
        # The suggestions' wording is stored as written, in the sub-branch's language.
        with translation.override("zh-hans"):
            services.plan_suggest_findings(actor=president, plan=plan)


def _introduction(president: Any, xc: OrgUnit, wave: Any) -> str:
    """The opening paragraph, with the ranks the wave actually gave."""
    if wave is None:
        return ""
    from ventanilla.surveys.selectors import wave_ranking

    parent = OrgUnit.objects.get(path=xc.parent_path)
    ranks = {}
    for seg in wave_ranking(user=president, wave=wave, parent=parent).segments:
        own = next((line for line in seg.lines if line.is_own), None)
        if own is not None:
            ranks[seg.segment.code] = (own.rank, len(seg.lines))
    corporate = ranks.get("corporate", (None, 0))
    high_end = ranks.get("high_end_individual", (None, 0))
    return (
        f"根据{wave.name}结果，我行对公客户满意度在辖内{corporate[1]}家支行中排名第{corporate[0]}，"
        f"高端个人客户满意度排名第{high_end[0]}。为大力提升客户满意度、力争进入系统前六，"
        "现结合测评反馈、客户意见及投诉情况，制定本整改方案。"
    )


def _progress(actor: Any, measure: Measure, spec: MeasureSpec, start: date, today: date) -> None:
    """Dated notes that bring the measure to where it stands on the demo's date."""
    if spec.done_after is not None:
        done_on = min(start + timedelta(days=spec.done_after), today)
        notes = spec.notes or ("已完成",)
        for i, note in enumerate(notes[:-1], start=1):
            noted = start + timedelta(days=max(1, spec.done_after * i // len(notes)))
            services.measure_progress_add(
                actor=actor, measure=measure, note=note, percent_done=50, noted_on=min(noted, today)
            )
        services.measure_progress_add(
            actor=actor,
            measure=measure,
            note=notes[-1] if len(notes) == 1 else "全部完成",
            percent_done=100,
            noted_on=done_on,
        )
        return
    if spec.percent <= 0:
        return
    noted = min(start + timedelta(days=spec.start + 12), today)
    note = spec.notes[0] if spec.notes else "按计划推进中"
    services.measure_progress_add(
        actor=actor, measure=measure, note=note, percent_done=spec.percent, noted_on=noted
    )


def purge(root_path: str) -> None:
    """Delete the demo's plans; the reference counters go back to what is left."""
    RectificationPlan.objects.filter(unit__path__startswith=root_path).delete()
    for counter in PlanCounter.objects.all():
        year = counter.year
        plans = RectificationPlan.objects.filter(reference__startswith=f"RP-{year}-")
        measures = Measure.objects.filter(section__plan__period_start__year=year)
        counter.last_plan = max(
            (int(r.rsplit("-", 1)[1]) for r in plans.values_list("reference", flat=True)), default=0
        )
        counter.last_measure = max(
            (int(r.rsplit("-M", 1)[1]) for r in measures.values_list("reference", flat=True)),
            default=0,
        )
        if counter.last_plan or counter.last_measure:
            counter.save()
        else:
            counter.delete()


DEMO_STEP = HistoryStep(name="rectification", build=build, purge=purge)
