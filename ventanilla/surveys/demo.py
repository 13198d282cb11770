"""The surveys share of the demo: four quarterly superior-branch evaluations in Suzhou.

The Suzhou branch (SZ) evaluates its twelve sub-branches every quarter, about 300 corporate,
300 high-end and 600 mass customers a wave, spread over each sub-branch's outlets in
proportion to their number. Every sub-branch has a standing per segment that drifts a little
from wave to wave; in the latest wave Xiangcheng stands 4th for corporate customers and 9th
for high-end individual customers, as in the source plan. Each dimension is weaker or
stronger by segment (corporate customers mark down waiting time, fees, online banking and
loans; high-end customers the financial managers' competence and product information),
and a third of the answers carry a comment on the plan's themes, most in Chinese, one in ten
in English and one in ten in Spanish. The comments are classified into themes (the model
trained from the shipped corpus on first use) and every overall score of 3 or less raises a
pre-complaint for its outlet, as an import would.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ventanilla.complaints.models import PreComplaint
from ventanilla.demo.generator import SUZHOU_CODE, XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys.models import (
    Dimension,
    EvaluationWave,
    LowScoreFollowUp,
    Response,
    ResponseMapping,
    ResponseScore,
    Segment,
    TargetRank,
    ThemeModelVersion,
    WaveSource,
)
from ventanilla.surveys.services import comments_classify, low_scores_follow_up

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
# Some customers write in English or Spanish: the same remarks, (English, Spanish).
TRANSLATIONS = {
    "柜台工作人员态度冷淡，问问题不耐烦。": (
        "The counter staff were cold and impatient when I asked questions.",
        "El personal de ventanilla fue frío y se impacientó con mis preguntas.",
    ),
    "{outlet}柜员服务态度一般，希望多一些微笑。": (
        "The tellers at {outlet} were unfriendly; a smile would help.",
        "Los cajeros de {outlet} fueron poco amables; una sonrisa no costaría nada.",
    ),
    "排队时间太长，在{outlet}等了四十多分钟。": (
        "The queue at {outlet} was far too long: I waited over forty minutes.",
        "La cola en {outlet} fue larguísima: esperé más de cuarenta minutos.",
    ),
    "窗口开得太少，办业务要等很久。": (
        "Too few counters open, so every errand means a long wait.",
        "Hay muy pocas ventanillas abiertas y cualquier gestión supone una larga espera.",
    ),
    "贵宾窗口太少，经常和普通客户一起排队。": (
        "The VIP counter is rarely open, so premier clients queue with everyone else.",
        "La ventanilla VIP casi nunca está abierta y los clientes preferentes hacemos cola.",
    ),
    "转账手续费和账户管理费偏高。": (
        "Transfer fees and the account maintenance fee are too high.",
        "Las comisiones por transferencia y de mantenimiento son demasiado altas.",
    ),
    "每月的账户管理费不清楚收了什么。": (
        "I am charged a monthly account fee and nobody can tell me what for.",
        "Me cobran una comisión mensual de mantenimiento y nadie sabe explicarme por qué.",
    ),
    "网银速度慢，交易明细下载很不方便。": (
        "Online banking is slow and downloading the transaction history is a pain.",
        "La banca en línea es lenta y descargar los movimientos es un suplicio.",
    ),
    "手机银行经常卡顿，转账要试好几次。": (
        "The mobile app keeps freezing; a transfer takes several attempts.",
        "La app se queda colgada y una transferencia necesita varios intentos.",
    ),
    "贷款审批时间太长，影响公司资金周转。": (
        "The loan approval took so long that it hurt our company's cash flow.",
        "La aprobación del préstamo tardó tanto que afectó a la tesorería de la empresa.",
    ),
    "贷款需要的材料太多，流程繁琐。": (
        "The loan application asks for far too much paperwork.",
        "Para el préstamo piden demasiados documentos y el proceso es engorroso.",
    ),
    "理财产品信息通知不及时，错过了购买时间。": (
        "Nobody told me about the investment product in time and I missed it.",
        "No me informaron a tiempo del producto de inversión y perdí la oportunidad.",
    ),
    "新产品的介绍太少，希望能及时告知。": (
        "Hardly any information about new products; please keep us informed.",
        "Apenas explican los productos nuevos; que nos informen a tiempo.",
    ),
    "{outlet}的自助设备经常故障。": (
        "The self-service machines at {outlet} are often out of order.",
        "Los cajeros automáticos de {outlet} están averiados a menudo.",
    ),
    "营业厅座位不够，环境有待改善。": (
        "Not enough seats in the banking hall; the premises need improving.",
        "No hay asientos suficientes en la oficina; las instalaciones deben mejorar.",
    ),
    "理财经理专业水平不够，回答不了我的问题。": (
        "The adviser lacked knowledge and could not answer my questions.",
        "El asesor no tenía conocimientos y no supo responder a mis preguntas.",
    ),
    "理财经理换得太频繁，每次都要重新沟通。": (
        "My relationship manager keeps changing; I explain everything again each time.",
        "Me cambian el gestor constantemente y cada vez tengo que explicarlo todo de nuevo.",
    ),
    "理财经理很少主动联系我。": (
        "My adviser hardly ever gets in touch.",
        "Mi asesor casi nunca se pone en contacto conmigo.",
    ),
    "回单和对账单没有及时送到公司。": (
        "Receipts and statements do not reach our office on time.",
        "Los comprobantes y extractos no llegan a tiempo a la empresa.",
    ),
    "单据送达太慢，影响我们对账。": (
        "Documents arrive so late that we cannot reconcile our accounts.",
        "Los documentos llegan tan tarde que no podemos cuadrar las cuentas.",
    ),
    "到网点时大堂经理没有认出我是贵宾客户。": (
        "The floor manager did not recognise me as a premier client.",
        "En la oficina no me reconocieron como cliente preferente.",
    ),
    "贵宾增值服务太少，和其他银行差距明显。": (
        "Few perks for VIP clients compared with other banks.",
        "Pocas ventajas para clientes VIP comparado con otros bancos.",
    ),
    "理财经理一年换了三次。": (
        "My relationship manager changed three times this year.",
        "Mi gestor ha cambiado tres veces este año.",
    ),
    "取号后等了很久才叫到号。": (
        "After taking a ticket I waited ages to be called.",
        "Después de coger número esperé muchísimo a que me llamaran.",
    ),
    "{outlet}的服务很好，工作人员热情专业。": (
        "Great service at {outlet}; friendly and professional staff.",
        "Muy buen servicio en {outlet}; personal amable y profesional.",
    ),
    "办理业务很快，非常满意。": (
        "Quick service, very satisfied.",
        "Me atendieron rápido, muy satisfecho.",
    ),
    "客户经理经常联系，服务周到。": (
        "My account manager keeps in touch and is very attentive.",
        "Mi gestor está siempre pendiente y es muy atento.",
    ),
}
# Shares of the comments written in English and in Spanish (the rest in Chinese).
LANGUAGE_SHARES = (("en", 0.1), ("es", 0.1))
FOLLOW_UP_THRESHOLD = 3  # on the 1–10 scale


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
                    comment, language = "", ""
                    ref = f"{wave.period}-{segment_code[:4].upper()}-{sub.code}-{number + 1:04d}"
                    if rng.random() < COMMENT_SHARE:
                        # The language is drawn apart, so that the scores stay as they were.
                        comment, language = _translated(
                            ctx.rng("surveys", "language", ref),
                            _comment(rng, segment_code, answers, outlet),
                            outlet,
                        )
                    responses.append(
                        Response(
                            wave=wave,
                            respondent_ref=ref,
                            segment=segment,
                            unit=outlet,
                            answered_on=end - timedelta(days=rng.randrange(0, 45)),
                            recommend=_clip(overall + rng.gauss(0, 1.2), 0, 10),
                            comment=comment,
                            comment_language=language,
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
    # Close the loop and read the comments, as an import would.
    admin = ctx.logins.get("admin")
    for wave in waves:
        wave.follow_up_threshold = FOLLOW_UP_THRESHOLD
        wave.save(update_fields=["follow_up_threshold"])
    comments_classify(responses=Response.objects.filter(wave__in=waves))
    for wave in waves:
        low_scores_follow_up(actor=admin, wave=wave)
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


def _translated(rng: random.Random, text: str, outlet: OrgUnit) -> tuple[str, str]:
    """``text`` (Chinese, the outlet's name filled in) or, for some customers, the same in
    English or Spanish."""
    draw = rng.random()
    for language, share in LANGUAGE_SHARES:
        if draw < share:
            parts = []
            for chinese in _sentences(text, outlet):
                english, spanish = TRANSLATIONS[chinese]
                template = english if language == "en" else spanish
                name = getattr(outlet, f"name_{language}", "") or outlet.name
                parts.append(template.format(outlet=name))
            return " ".join(parts), language
        draw -= share
    return text, "zh"


def _sentences(text: str, outlet: OrgUnit) -> list[str]:
    """The templates (with ``{outlet}``) a generated comment was made of."""
    found = []
    rest = text
    while rest:
        for template in TRANSLATIONS:
            filled = template.format(outlet=outlet.name)
            if rest.startswith(filled):
                found.append(template)
                rest = rest[len(filled) :]
                break
        else:
            raise ValueError(f"no template for {rest!r}")
    return found


def purge(root_path: str) -> None:
    # The pre-complaints raised by low scores go with them (their unit is protected).
    PreComplaint.objects.filter(
        pk__in=LowScoreFollowUp.objects.filter(response__unit__path__startswith=root_path).values(
            "pre_complaint"
        )
    ).delete()
    EvaluationWave.objects.filter(unit__path__startswith=root_path).delete()
    TargetRank.objects.filter(unit__path__startswith=root_path).delete()
    ResponseMapping.objects.filter(unit__path__startswith=root_path).delete()
    # The theme model the build trained goes too: it is derived data, trained again on
    # first use, and its file may live in another VAR_DIR than the next build's.
    ThemeModelVersion.objects.all().delete()


DEMO_STEP = HistoryStep(name="surveys", build=build, purge=purge)
