"""The surveys share of the demo: four quarterly superior-branch evaluations in Suzhou.

The Suzhou branch (SZ) evaluates its twelve sub-branches every quarter, about 300 corporate,
300 high-end and 600 mass customers a wave, spread over each sub-branch's outlets in
proportion to their number. Every sub-branch has a standing per segment that drifts a little
from wave to wave; in the latest wave Xiangcheng stands 4th for corporate customers and 9th
for high-end individual customers, as in the source plan. Each dimension is weaker or
stronger by segment (corporate customers mark down waiting time, fees, online banking and
loans; high-end customers the financial managers' competence and product information),
and a third of the answers carry a Chinese comment on the plan's themes.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ventanilla.demo.generator import SUZHOU_CODE, XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys.models import (
    Dimension,
    EvaluationWave,
    Response,
    ResponseMapping,
    ResponseScore,
    Segment,
    TargetRank,
    WaveSource,
)

WAVES = 4
LOW, HIGH = 1, 10
PER_WAVE = {"corporate": 300, "high_end_individual": 300, "mass_individual": 600}
# Xiangcheng's place among the twelve in the latest wave, per segment (1 is best).
XIANGCHENG_PLACE = {"corporate": 4, "high_end_individual": 9, "mass_individual": 6}
TOP_MEAN, STEP_MEAN = 8.7, 0.24  # the standing of the first sub-branch, and the spacing
COMMENT_SHARE = 0.35

# How each segment marks each dimension relative to its overall feeling.
OFFSETS = {
    "corporate": {
        "staff_attitude": -0.4,
        "waiting_time": -0.9,
        "fees": -0.9,
        "online_banking": -0.8,
        "loan_process": -1.1,
        "product_information": -0.7,
        "environment_facilities": 0.3,
        "professional_competence": 0.0,
    },
    "high_end_individual": {
        "staff_attitude": -0.1,
        "waiting_time": -0.5,
        "fees": -0.2,
        "online_banking": 0.0,
        "loan_process": 0.1,
        "product_information": -0.6,
        "environment_facilities": 0.2,
        "professional_competence": -1.0,
    },
    "mass_individual": {
        "staff_attitude": -0.3,
        "waiting_time": -1.0,
        "fees": -0.5,
        "online_banking": -0.3,
        "loan_process": 0.0,
        "product_information": -0.2,
        "environment_facilities": 0.1,
        "professional_competence": 0.1,
    },
}
# Which dimensions weigh most in the overall score, per segment (others weigh 1).
WEIGHTS = {
    "corporate": {"waiting_time": 2.0, "loan_process": 2.0, "online_banking": 1.5, "fees": 1.5},
    "high_end_individual": {"professional_competence": 2.5, "product_information": 1.5},
    "mass_individual": {"waiting_time": 2.5, "staff_attitude": 1.5},
}
# A dimension customers of a segment often leave blank.
OFTEN_BLANK = {
    "mass_individual": {"loan_process": 0.5},
    "high_end_individual": {"loan_process": 0.3},
}

# Complaints echoing the source plan's themes, by the dimension the customer marked lowest.
COMPLAINTS = {
    "staff_attitude": [
        "柜台工作人员态度冷淡，问问题不耐烦。",
        "{outlet}柜员服务态度一般，希望多一些微笑。",
    ],
    "waiting_time": [
        "排队时间太长，在{outlet}等了四十多分钟。",
        "窗口开得太少，办业务要等很久。",
        "贵宾窗口太少，经常和普通客户一起排队。",
    ],
    "fees": [
        "转账手续费和账户管理费偏高。",
        "每月的账户管理费不清楚收了什么。",
    ],
    "online_banking": [
        "网银速度慢，交易明细下载很不方便。",
        "手机银行经常卡顿，转账要试好几次。",
    ],
    "loan_process": [
        "贷款审批时间太长，影响公司资金周转。",
        "贷款需要的材料太多，流程繁琐。",
    ],
    "product_information": [
        "理财产品信息通知不及时，错过了购买时间。",
        "新产品的介绍太少，希望能及时告知。",
    ],
    "environment_facilities": [
        "{outlet}的自助设备经常故障。",
        "营业厅座位不够，环境有待改善。",
    ],
    "professional_competence": [
        "理财经理专业水平不够，回答不了我的问题。",
        "理财经理换得太频繁，每次都要重新沟通。",
        "理财经理很少主动联系我。",
    ],
}
SEGMENT_COMPLAINTS = {
    "corporate": ["回单和对账单没有及时送到公司。", "单据送达太慢，影响我们对账。"],
    "high_end_individual": [
        "到网点时大堂经理没有认出我是贵宾客户。",
        "贵宾增值服务太少，和其他银行差距明显。",
        "理财经理一年换了三次。",
    ],
    "mass_individual": ["取号后等了很久才叫到号。"],
}
PRAISE = [
    "{outlet}的服务很好，工作人员热情专业。",
    "办理业务很快，非常满意。",
    "客户经理经常联系，服务周到。",
]


def _quarters(as_of: date, count: int) -> list[tuple[int, int]]:
    """The last ``count`` complete quarters before ``as_of``, oldest first."""
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    result = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        result.append((year, quarter))
    return list(reversed(result))


def _quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _standings(subs: list[OrgUnit], segment: str, rng: random.Random) -> dict[str, float]:
    """Each sub-branch's mean overall feeling in the latest wave, Xiangcheng at its place."""
    others = sorted(s.code for s in subs if s.code != XIANGCHENG_CODE)
    rng.shuffle(others)
    order = list(others)
    if any(s.code == XIANGCHENG_CODE for s in subs):
        order.insert(XIANGCHENG_PLACE[segment] - 1, XIANGCHENG_CODE)
    return {code: TOP_MEAN - STEP_MEAN * i for i, code in enumerate(order)}


def _allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    whole = sum(weights.values())
    return {code: max(8, round(total * w / whole)) for code, w in weights.items()}


def _clip(value: float, low: int = LOW, high: int = HIGH) -> int:
    return max(low, min(high, round(value)))


def build(ctx: DemoContext) -> None:
    branch = ctx.units[SUZHOU_CODE]
    subs = [
        u
        for u in ctx.units_of_kind(OrgUnitKind.SUB_BRANCH)
        if u.path.startswith(branch.path) and u.depth == branch.depth + 1
    ]
    segments = {s.code: s for s in Segment.objects.all()}
    dimensions = {d.code: d for d in Dimension.objects.all()}
    outlets = {s.code: ctx.outlets.get(s.code) or [s] for s in subs}
    weights = {s.code: len(outlets[s.code]) for s in subs}
    standings = {
        code: _standings(subs, code, ctx.rng("surveys", "standing", code)) for code in PER_WAVE
    }
    quarters = _quarters(ctx.as_of, WAVES)
    waves = EvaluationWave.objects.bulk_create(
        EvaluationWave(
            name=f"{year}年第{quarter}季度苏州分行客户满意度测评",
            year=year,
            quarter=quarter,
            source=WaveSource.SUPERIOR_BRANCH,
            unit=branch,
            scale="1-10",
            has_recommend=True,
        )
        for year, quarter in quarters
    )
    if any(w.pk is None for w in waves):
        waves = list(EvaluationWave.objects.filter(unit=branch).order_by("year", "quarter"))
    for wave in waves:
        wave.segments.set([segments[c] for c in PER_WAVE])
        wave.dimensions.set(list(dimensions.values()))

    responses: list[Response] = []
    answer_sets: list[dict[int, int | None]] = []
    for index, (wave, (year, quarter)) in enumerate(zip(waves, quarters, strict=True)):
        drift = (WAVES - 1 - index) * 0.1  # earlier waves a little worse across the board
        end = _quarter_end(year, quarter)
        for segment_code, total in PER_WAVE.items():
            segment = segments[segment_code]
            counts = _allocate(total, weights)
            offsets = OFFSETS[segment_code]
            blanks = OFTEN_BLANK.get(segment_code, {})
            weight_of = WEIGHTS[segment_code]
            for sub in subs:
                rng = ctx.rng("surveys", wave.period, segment_code, sub.code)
                base = standings[segment_code][sub.code] - drift
                if index < WAVES - 1:
                    base += rng.uniform(-0.2, 0.2)
                for number in range(counts[sub.code]):
                    outlet = rng.choice(outlets[sub.code])
                    feeling = rng.gauss(base, 1.0)
                    answers: dict[str, int | None] = {}
                    for code, offset in offsets.items():
                        if rng.random() < blanks.get(code, 0.03):
                            answers[code] = None
                        else:
                            answers[code] = _clip(feeling + offset + rng.gauss(0, 0.9))
                    given = [
                        (weight_of.get(c, 1.0), v) for c, v in answers.items() if v is not None
                    ]
                    mean_dims = sum(w * v for w, v in given) / sum(w for w, _v in given)
                    level = sum(offsets.values()) / len(offsets)
                    overall = _clip(mean_dims - level + rng.gauss(0, 0.5))
                    answers[Dimension.OVERALL] = overall
                    comment = ""
                    if rng.random() < COMMENT_SHARE:
                        comment = _comment(rng, segment_code, answers, outlet)
                    responses.append(
                        Response(
                            wave=wave,
                            respondent_ref=f"{wave.period}-{segment_code[:4].upper()}-"
                            f"{sub.code}-{number + 1:04d}",
                            segment=segment,
                            unit=outlet,
                            answered_on=end - timedelta(days=rng.randrange(0, 45)),
                            recommend=_clip(overall + rng.gauss(0, 1.2), 0, 10),
                            comment=comment,
                            comment_language="zh" if comment else "",
                        )
                    )
                    answer_sets.append({dimensions[c].pk: v for c, v in answers.items()})
    Response.objects.bulk_create(responses, batch_size=2000)
    if any(r.pk is None for r in responses):
        ids = dict(Response.objects.filter(wave__in=waves).values_list("respondent_ref", "pk"))
        for response in responses:
            response.pk = ids[response.respondent_ref]
    ResponseScore.objects.bulk_create(
        (
            ResponseScore(response_id=r.pk, dimension_id=dim, score=value)
            for r, answers in zip(responses, answer_sets, strict=True)
            for dim, value in answers.items()
        ),
        batch_size=5000,
    )
    xiangcheng = ctx.units.get(XIANGCHENG_CODE)
    if xiangcheng is not None:
        TargetRank.objects.bulk_create(
            TargetRank(unit=xiangcheng, segment=segments[code], rank=6)
            for code in ("corporate", "high_end_individual")
        )
    ResponseMapping.objects.create(
        name="苏州分行测评标准格式",
        unit=branch,
        columns={
            "respondent_ref": "问卷编号",
            "segment": "客户类型",
            "unit": "网点代码",
            "answered_on": "调查日期",
            "comment": "意见建议",
            "recommend": "推荐意愿",
            **{f"dim:{code}": d.name for code, d in dimensions.items()},
        },
    )


def _comment(
    rng: random.Random, segment: str, answers: dict[str, int | None], outlet: OrgUnit
) -> str:
    overall = answers[Dimension.OVERALL] or 0
    if overall >= 9:
        return rng.choice(PRAISE).format(outlet=outlet.name)
    scored = [(v, c) for c, v in answers.items() if v is not None and c != Dimension.OVERALL]
    lowest = min(scored)[1] if scored else "waiting_time"
    pool = list(COMPLAINTS[lowest])
    if rng.random() < 0.4:
        pool = SEGMENT_COMPLAINTS[segment]
    text = rng.choice(pool).format(outlet=outlet.name)
    if rng.random() < 0.25:
        second = rng.choice(SEGMENT_COMPLAINTS[segment])
        if second != text:
            text = f"{text}{second}"
    return text


def purge(root_path: str) -> None:
    EvaluationWave.objects.filter(unit__path__startswith=root_path).delete()
    TargetRank.objects.filter(unit__path__startswith=root_path).delete()
    ResponseMapping.objects.filter(unit__path__startswith=root_path).delete()


DEMO_STEP = HistoryStep(name="surveys", build=build, purge=purge)
