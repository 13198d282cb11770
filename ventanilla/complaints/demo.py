"""The complaints share of the demo: a year of Xiangcheng's complaint ledger.

About sixty complaints over the twelve months before ``as_of``, across Xiangcheng's
outlets and the sub-branch itself (its own and regulator referrals sit in the sub-branch
ledger), with the channels and causes of the source plan's themes (waiting time, staff
attitude, fees, online banking). Older complaints are mostly closed, a few withdrawn or
merged into the complaint they repeat; the recent ones are open in every state, a few
past their time limit and escalated. Each has the timeline its state implies. A few are
major, with the emergency contacts' history: A alerted and answering in time, or B
alerted after A's silence and answering. Each outlet (and the sub-branch office) has its
customer count for this year and last, the base of "complaints per 10,000 customers".

Written with bulk inserts and no audit entries; deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from ventanilla.complaints import clock, services
from ventanilla.complaints.models import (
    Axis,
    ClassificationCode,
    Complaint,
    ComplaintEvent,
    ComplaintPause,
    ContactRole,
    CustomerBase,
    EscalationLevel,
    EscalationNotice,
    LedgerLevel,
    MajorKind,
    PreComplaint,
    RapidAlert,
    Severity,
    Source,
    Status,
    TimeLimitPolicy,
    YearCounter,
)
from ventanilla.customers.models import Customer, CustomerKind
from ventanilla.demo.generator import XIANGCHENG_CODE, DemoContext, HistoryStep
from ventanilla.org.models import Employee, OrgUnit

COUNT = 60
CUSTOMER_SHARE = 0.6  # complainants who are customers of the outlet they complain at
PERSONA_COMPLAINTS = 4  # complaints about the account_manager persona's customers
DAYS = 365
# Weights of the codes of each axis, after the source plan's themes.
CHANNELS = {"CH01": 55, "CH02": 6, "CH03": 8, "CH04": 14, "CH05": 12, "CH99": 5}
BUSINESS = {
    "BT01": 14,
    "BT02": 14,
    "BT03": 10,
    "BT04": 8,
    "BT05": 14,
    "BT06": 8,
    "BT07": 4,
    "BT08": 6,
    "BT09": 12,
    "BT99": 4,
}
CAUSES = {
    "CA01": 22,
    "CA02": 12,
    "CA03": 5,
    "CA04": 6,
    "CA05": 14,
    "CA06": 3,
    "CA07": 4,
    "CA08": 3,
    "CA09": 24,
    "CA99": 3,
}
ROOT_BY_CAUSE = {
    "CA01": "RC01",
    "CA02": "RC03",
    "CA03": "RC01",
    "CA04": "RC05",
    "CA05": "RC05",
    "CA06": "RC05",
    "CA07": "RC04",
    "CA08": "RC04",
    "CA09": "RC06",
    "CA99": "RC99",
}
STORIES = {
    "CA01": ("柜员办理业务时态度冷淡，多次询问未予解释。", "要求网点道歉并改进服务态度。"),
    "CA02": ("办理挂失需往返三次，每次要求的材料不一致。", "要求一次性告知所需材料。"),
    "CA03": ("理财经理电话推销频繁，拒绝后仍多次来电。", "要求停止营销电话。"),
    "CA04": ("购买理财产品时未告知风险等级及赎回限制。", "要求说明并按规定处理。"),
    "CA05": ("账户被扣取账户管理费和转账手续费，事先未被告知。", "要求退还费用并说明收费依据。"),
    "CA06": ("贷款合同中提前还款违约金条款未作提示。", "要求解释条款并减免违约金。"),
    "CA07": ("手机银行转账显示失败但账户已扣款。", "要求尽快查明并退回款项。"),
    "CA08": ("接到陌生营销电话，怀疑个人信息被泄露。", "要求查明信息来源。"),
    "CA09": ("排队等候超过一小时，只开放一个对私窗口。", "要求增开窗口、缩短等候时间。"),
    "CA99": ("网点门口无障碍通道被占用，轮椅无法进入。", "要求整改。"),
}
DECISIONS = {
    True: "已向客户说明情况并致歉，按规定处理完毕，客户表示认可。",
    False: "已按规定答复，客户对处理结果仍有异议，已告知其他救济途径。",
}
ACTIONS = {
    "RC01": "组织全员服务礼仪培训，纳入员工服务质量考核。",
    "RC03": "梳理业务材料清单，在大堂公示一次性告知。",
    "RC04": "报请科技部门排查系统故障，建立异常交易跟踪台账。",
    "RC05": "完善产品说明和收费公示，营销前充分提示。",
    "RC06": "高峰时段弹性排班，增开对私窗口。",
    "RC99": "落实专人每日巡查。",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志文斌海燕"
REGULATOR_SHARE = 0.1
SUBBRANCH_SHARE = 0.1
MAJOR_SHARE = 0.05


@dataclass
class _Plan:
    """One complaint to write, with its timeline."""

    complaint: Complaint
    events: list[ComplaintEvent] = field(default_factory=list)
    pause: ComplaintPause | None = None
    merge_into: int | None = None  # index of the original in the plan
    escalated: bool = False


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _id_number(rng: random.Random, birth: date) -> str:
    # A Suzhou (Xiangcheng) region code and a fictitious sequence; not a real person's.
    return f"320507{birth:%Y%m%d}{rng.randrange(0, 10000):04d}"


def _people(ctx: DemoContext, code: str) -> list[Employee]:
    return [e for e in ctx.staff_of.get(code, []) if e.is_active]


def _user(employee: Employee | None) -> Any:
    return getattr(employee, "user", None) if employee is not None else None


def build(ctx: DemoContext) -> None:
    sub = ctx.units[XIANGCHENG_CODE]
    outlets = ctx.outlets.get(XIANGCHENG_CODE, [])
    if not outlets:
        return
    tz = ZoneInfo(settings.TIME_ZONE)
    rng = ctx.rng("complaints", XIANGCHENG_CODE)
    codes = {(c.axis, c.code): c for c in ClassificationCode.objects.all()}
    policy = (
        TimeLimitPolicy.objects.filter(
            Q(unit__isnull=True) | Q(unit__path__in=services.lineage_paths(sub))
        )
        .order_by("-unit__depth")
        .first()
    )
    if policy is None:
        return
    logins = {e.pk: u for u in ctx.logins.values() if (e := getattr(u, "employee", None))}
    now = datetime.combine(ctx.as_of, time(18, 0), tzinfo=tz)
    plans: list[_Plan] = []
    offsets = sorted((rng.randrange(0, DAYS) for _ in range(COUNT)), reverse=True)
    for index, days_ago in enumerate(offsets):
        received = datetime.combine(
            ctx.as_of - timedelta(days=days_ago),
            time(rng.randrange(9, 17), rng.randrange(0, 60)),
            tzinfo=tz,
        )
        draw = rng.random()
        if draw < SUBBRANCH_SHARE:
            unit, source = sub, Source.DIRECT
        elif draw < SUBBRANCH_SHARE + REGULATOR_SHARE:
            unit, source = rng.choice(outlets), Source.REGULATOR
        else:
            unit, source = rng.choice(outlets), Source.DIRECT
        plans.append(_plan(ctx, rng, index, unit, source, received, now, policy, codes, logins, tz))
    _merge_some(rng, plans, now)
    majors = _choose_majors(ctx, plans)
    _link_customers(ctx, plans)
    _write(plans, now)
    _write_pre_complaints(ctx, rng, plans, now)
    _write_rapid_handling(ctx, majors, policy, now)
    _write_customer_bases(ctx, sub, outlets)


def _plan(
    ctx: DemoContext,
    rng: random.Random,
    index: int,
    unit: OrgUnit,
    source: str,
    received: datetime,
    now: datetime,
    policy: TimeLimitPolicy,
    codes: dict[tuple[str, str], ClassificationCode],
    logins: dict[int, Any],
    tz: ZoneInfo,
) -> _Plan:
    cause = _weighted(rng, CAUSES)
    channel = "CH06" if source == Source.REGULATOR else _weighted(rng, CHANNELS)
    staff = _people(ctx, unit.code)
    head = ctx.heads.get(unit.code)
    handler = head if rng.random() < 0.5 or not staff else rng.choice(staff)
    subject = rng.choice(staff) if staff and cause == "CA01" else None
    birth = date(rng.randrange(1950, 2002), rng.randrange(1, 13), rng.randrange(1, 29))
    facts, request = STORIES[cause]
    complaint = Complaint(
        received_at=received,
        source=source,
        unit=unit,
        ledger_level=(
            LedgerLevel.OUTLET
            if unit.kind == "outlet" and source == Source.DIRECT
            else LedgerLevel.SUB_BRANCH
        ),
        channel=codes[(Axis.CHANNEL, channel)],
        business_type=codes[(Axis.BUSINESS, _weighted(rng, BUSINESS))],
        cause=codes[(Axis.CAUSE, cause)],
        complainant_name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
        id_number=_id_number(rng, birth),
        phone=f"1{rng.choice([38, 39, 50, 51, 58, 77, 86, 89])}{rng.randrange(0, 10**8):08d}",
        subject_unit=unit if subject is not None else None,
        subject_employee=subject,
        request=request,
        facts=facts,
        severity=Severity.MAJOR if rng.random() < MAJOR_SHARE else Severity.NORMAL,
        policy=policy,
        handler=None,
        status=Status.REGISTERED,
    )
    complaint.due_at = clock.due_at(
        received_at=received, days=policy.decision_days, kind=policy.day_kind, tz=tz
    )
    complaint.first_contact_due_at = clock.due_at(
        received_at=received, days=policy.first_contact_days, kind=clock.WORKING, tz=tz
    )
    plan = _Plan(complaint)
    actor = logins.get(head.pk) if head is not None else None

    def event(action: str, at: datetime, to: str, note: str = "", who: Any = actor) -> None:
        plan.events.append(
            ComplaintEvent(
                complaint=complaint,
                actor=who,
                at=at,
                action=action,
                from_status=complaint.status if action != "register" else "",
                to_status=to,
                note=note,
            )
        )
        complaint.status = to

    event("register", received, Status.REGISTERED, who=None)
    age = now - received
    # How far the complaint got: old ones are finished, recent ones anywhere on the way.
    if age < timedelta(hours=4):
        return plan
    accepted = received + timedelta(hours=rng.randrange(1, 20))
    complaint.handler = handler
    complaint.accepted_at = accepted
    event("accept", accepted, Status.ACCEPTED, handler.name if handler else "")
    if age < timedelta(days=1):
        return plan
    investigating = accepted + timedelta(hours=rng.randrange(2, 30))
    event("investigate", investigating, Status.INVESTIGATING)
    if index % 17 == 5 and age > timedelta(days=6):
        start = investigating + timedelta(days=1)
        end = start + timedelta(days=rng.randrange(2, 6))
        plan.pause = ComplaintPause(complaint=complaint, started_at=start, reason="送外部鉴定")
        event("pause", start, Status.SUSPENDED, "送外部鉴定")
        if end < now:
            plan.pause.ended_at = end
            event("resume", end, Status.INVESTIGATING, "鉴定结果已回")
            complaint.due_at += end - start
        else:
            return plan
    if index % 11 == 3:
        withdrawn = investigating + timedelta(days=rng.randrange(1, 5))
        if withdrawn < now:
            event("withdraw", withdrawn, Status.WITHDRAWN, "客户撤回投诉")
            return plan
    if timedelta(days=16) < age < timedelta(days=60) and index % 3 == 0:
        # Still under investigation past the limit: the ledger's overdue cases.
        plan.escalated = True
        return plan
    late = index % 13 == 7
    took = timedelta(days=rng.randrange(17, 24) if late else rng.randrange(2, 13))
    decided = received + took + timedelta(hours=rng.randrange(0, 6))
    if decided >= now:
        plan.escalated = now > complaint.due_at
        return plan
    accepted_by_customer = rng.random() < 0.8
    complaint.decision = DECISIONS[accepted_by_customer]
    complaint.decision_sent_at = decided
    event("decide", decided, Status.DECISION_SENT, complaint.decision)
    plan.escalated = decided > complaint.due_at
    closed = decided + timedelta(days=rng.randrange(1, 4))
    if closed >= now:
        return plan
    root = ROOT_BY_CAUSE[cause]
    complaint.is_accepted_by_customer = accepted_by_customer
    complaint.root_cause = codes[(Axis.ROOT_CAUSE, root)]
    complaint.corrective_action = ACTIONS[root]
    complaint.closed_at = closed
    event("close", closed, Status.CLOSED, complaint.corrective_action)
    return plan


def _link_customers(ctx: DemoContext, plans: list[_Plan]) -> None:
    """Most complainants are customers of the outlet; some look after the demo's account
    manager's customers at other outlets, which that manager then sees."""
    rng = ctx.rng("complaints", "customers")
    sub = ctx.units[XIANGCHENG_CODE]
    by_unit: dict[int, list[Customer]] = {}
    for customer in Customer.objects.filter(
        unit__path__startswith=sub.path, kind=CustomerKind.INDIVIDUAL
    ).order_by("number")[:5000]:
        by_unit.setdefault(customer.unit_id, []).append(customer)
    for plan in plans:
        complaint = plan.complaint
        pool = by_unit.get(complaint.unit_id)
        if pool and rng.random() < CUSTOMER_SHARE:
            customer = rng.choice(pool)
            complaint.customer = customer
            complaint.complainant_name = customer.name
            complaint.phone = customer.phone
            complaint.id_number = customer.id_number
    persona = ctx.logins.get("account_manager")
    theirs = list(Customer.objects.filter(manager__user=persona).order_by("number")[:200])
    elsewhere = [
        p for p in plans if p.complaint.unit.code != f"{XIANGCHENG_CODE}01" and p.merge_into is None
    ]
    for plan in rng.sample(elsewhere, min(len(elsewhere), len(theirs), PERSONA_COMPLAINTS)):
        plan.complaint.customer = rng.choice(theirs)


def _merge_some(rng: random.Random, plans: list[_Plan], now: datetime) -> None:
    """A few repeats without new facts, merged into an earlier complaint of the same person."""
    candidates = [i for i, p in enumerate(plans) if i > 5 and p.complaint.status == Status.CLOSED]
    for index in sorted(rng.sample(candidates, min(3, len(candidates)))):
        if any(p.merge_into == index for p in plans):
            continue
        repeat = plans[index]
        earlier = [
            i
            for i in range(index)
            if plans[i].merge_into is None
            and plans[i].complaint.status not in (Status.MERGED, Status.WITHDRAWN)
        ]
        if not earlier:
            continue
        original_index = rng.choice(earlier)
        original = plans[original_index].complaint
        c = repeat.complaint
        c.complainant_name = original.complainant_name
        c.id_number = original.id_number
        c.phone = original.phone
        c.facts, c.request = original.facts, original.request
        c.cause, c.business_type = original.cause, original.business_type
        merged_at = c.received_at + timedelta(hours=rng.randrange(2, 24))
        registered = repeat.events[0]
        for attr in (
            "handler",
            "accepted_at",
            "decision_sent_at",
            "is_accepted_by_customer",
            "root_cause",
            "closed_at",
        ):
            setattr(c, attr, None)
        c.decision = c.corrective_action = ""
        c.status = Status.MERGED
        repeat.pause = None
        repeat.escalated = False
        repeat.merge_into = original_index
        repeat.events = [
            registered,
            ComplaintEvent(
                complaint=c,
                actor=None,
                at=merged_at,
                action="merge",
                from_status=Status.REGISTERED,
                to_status=Status.MERGED,
                note="重复投诉，无新事实，并入原投诉处理。",
            ),
        ]


def _write(plans: list[_Plan], now: datetime) -> None:
    by_year: dict[int, list[_Plan]] = {}
    for plan in plans:
        by_year.setdefault(plan.complaint.received_at.year, []).append(plan)
    for year, year_plans in sorted(by_year.items()):
        counter, _ = YearCounter.objects.get_or_create(year=year)
        for n, plan in enumerate(year_plans, start=counter.last_number + 1):
            plan.complaint.reference = f"CMP-{year}-{n:06d}"
        counter.last_number += len(year_plans)
        counter.save(update_fields=["last_number"])
    Complaint.objects.bulk_create([p.complaint for p in plans], batch_size=500)
    merged = []
    for plan in plans:
        if plan.merge_into is not None:
            original = plans[plan.merge_into].complaint
            plan.complaint.merged_into = original
            merged.append(plan.complaint)
            plan.events[-1].note += f" → {original.reference}"
            plans[plan.merge_into].events.append(
                ComplaintEvent(
                    complaint=original,
                    actor=None,
                    at=plan.events[-1].at,
                    action="merge_in",
                    from_status=original.status,
                    to_status=original.status,
                    note=f"{plan.complaint.reference} 并入（无新事实）",
                )
            )
    Complaint.objects.bulk_update(merged, ["merged_into"])
    events: list[ComplaintEvent] = []
    notices: list[EscalationNotice] = []
    for plan in plans:
        c = plan.complaint
        for event in plan.events:
            event.complaint = c
        events.extend(plan.events)
        if plan.escalated:
            notices.append(
                EscalationNotice(
                    complaint=c, level=EscalationLevel.BREACH, at=c.due_at, share=1.0, recipients=[]
                )
            )
            events.append(
                ComplaintEvent(
                    complaint=c,
                    actor=None,
                    at=c.due_at,
                    action="escalate",
                    from_status=Status.INVESTIGATING,
                    to_status=Status.INVESTIGATING,
                    note="超过处理时限，已报告支行行长及投诉应急小组。",
                )
            )
    ComplaintEvent.objects.bulk_create(events, batch_size=1000)
    EscalationNotice.objects.bulk_create(notices)
    ComplaintPause.objects.bulk_create([p.pause for p in plans if p.pause is not None])


# Rapid handling: at least this many major complaints, each with its A/B alert history.
MIN_MAJORS = 3
MAJOR_KINDS = (MajorKind.GROUP, MajorKind.MEDIA, MajorKind.REGULATOR)


def _choose_majors(ctx: DemoContext, plans: list[_Plan]) -> list[_Plan]:
    """The major complaints: those drawn major, topped up from the main outlet's."""
    main = ctx.outlets[XIANGCHENG_CODE][0]
    majors = [p for p in plans if p.complaint.severity == Severity.MAJOR]
    candidates = [
        p
        for p in plans
        if p.complaint.unit_id == main.pk
        and p.complaint.severity != Severity.MAJOR
        and p.merge_into is None
        and p.complaint.status != Status.MERGED
    ]
    rng = ctx.rng("complaints", "rapid", XIANGCHENG_CODE)
    while len(majors) < MIN_MAJORS and candidates:
        chosen = candidates.pop(rng.randrange(len(candidates)))
        chosen.complaint.severity = Severity.MAJOR
        majors.append(chosen)
    for n, plan in enumerate(majors):
        kind = MajorKind.REGULATOR if plan.complaint.source == Source.REGULATOR else None
        plan.complaint.major_kind = kind or MAJOR_KINDS[n % 2]
    return majors


def _write_rapid_handling(
    ctx: DemoContext, majors: list[_Plan], policy: TimeLimitPolicy, now: datetime
) -> None:
    """A alerted minutes after receipt; A answers in time, or B is alerted and answers."""
    contacts = {(c.unit_id, c.duty): c for c in ctx.contacts}
    sub = ctx.units[XIANGCHENG_CODE]
    alerts: list[RapidAlert] = []
    events: list[ComplaintEvent] = []
    for n, plan in enumerate(majors):
        c = plan.complaint
        contact = contacts.get((c.unit_id, policy.emergency_duty)) or contacts.get(
            (sub.pk, policy.emergency_duty)
        )
        if contact is None:
            continue
        marked = c.received_at + timedelta(minutes=5)
        a_user, b_user = _user(contact.primary), _user(contact.backup)

        def event(action: str, at: datetime, note: str, who: Any = None, c: Complaint = c) -> None:
            events.append(
                ComplaintEvent(
                    complaint=c,
                    actor=who,
                    at=at,
                    action=action,
                    # Minutes after receipt, long before anyone accepted it.
                    from_status=Status.REGISTERED,
                    to_status=Status.REGISTERED,
                    note=note,
                )
            )

        event("mark_major", marked, str(MajorKind(c.major_kind).label))
        a = RapidAlert(
            complaint=c,
            contact=contact,
            role=ContactRole.PRIMARY,
            employee=contact.primary,
            phone=contact.primary_phone,
            alerted_at=marked,
        )
        alerts.append(a)
        event("alert_a", marked, f"{contact.duty}: {contact.primary.name}")
        if marked + timedelta(minutes=12) > now:
            continue  # received moments ago: A has not answered yet
        if n % 2 == 0:
            a.acknowledged_at = marked + timedelta(minutes=12)
            a.acknowledged_by = a_user
            event("acknowledge", a.acknowledged_at, f"A: {contact.primary.name}", a_user)
            continue
        b_at = marked + timedelta(minutes=policy.acknowledge_minutes)
        if b_at + timedelta(minutes=8) > now:
            continue
        b = RapidAlert(
            complaint=c,
            contact=contact,
            role=ContactRole.BACKUP,
            employee=contact.backup,
            phone=contact.backup_phone,
            alerted_at=b_at,
            acknowledged_at=b_at + timedelta(minutes=8),
            acknowledged_by=b_user,
        )
        alerts.append(b)
        event("alert_b", b_at, f"{contact.duty}: {contact.backup.name}")
        event("acknowledge", b.acknowledged_at, f"B: {contact.backup.name}", b_user)  # type: ignore[arg-type]
    Complaint.objects.bulk_update([p.complaint for p in majors], ["severity", "major_kind"])
    RapidAlert.objects.bulk_create(alerts)
    ComplaintEvent.objects.bulk_create(events)


def _write_customer_bases(ctx: DemoContext, sub: OrgUnit, outlets: list[OrgUnit]) -> None:
    """Each outlet's customers (and the sub-branch office's own) for this year and last."""
    rng = ctx.rng("complaints", "customers", XIANGCHENG_CODE)
    rows = []
    for unit in [sub, *outlets]:
        customers = rng.randrange(800, 2000) if unit.pk == sub.pk else rng.randrange(3000, 8000)
        for year in (ctx.as_of.year - 1, ctx.as_of.year):
            rows.append(CustomerBase(unit=unit, year=year, customers=customers))
            customers = int(customers * (1 + rng.uniform(0.01, 0.06)))
    CustomerBase.objects.bulk_create(rows)


PRE_COMPLAINTS = 40
PRE_RESOLVED_SHARE = 0.75
PRE_TEXTS = (
    "嫌排队时间长，大堂经理引导至自助设备办理",
    "对转账手续费有疑问，当场解释收费标准",
    "ATM吞卡，协助联系领卡",
    "对理财产品收益不满，已解释产品说明书",
    "抱怨叫号系统跳号，已致歉并优先办理",
    "嫌柜员业务不熟练，已由主管协助办理",
)


def _write_pre_complaints(
    ctx: DemoContext, rng: random.Random, plans: list[_Plan], now: datetime
) -> None:
    """Lobby pre-complaints at the main outlet, noted by the demo's teller and outlet head.

    Most were resolved on the spot; a few became complaints of the same outlet and hour.
    """
    main = ctx.outlets[XIANGCHENG_CODE][0]
    by = [u for key in ("teller", "outlet_head") if (u := ctx.logins.get(key)) is not None]
    if not by:
        return
    tz = now.tzinfo
    rows = []
    for _ in range(PRE_COMPLAINTS):
        recorded = datetime.combine(
            ctx.as_of - timedelta(days=rng.randrange(0, DAYS)),
            time(rng.randrange(9, 17), rng.randrange(0, 60)),
            tzinfo=tz,
        )
        rows.append(
            PreComplaint(
                unit=main,
                recorded_at=recorded,
                recorded_by=rng.choice(by),
                what=rng.choice(PRE_TEXTS),
                customer_name=rng.choice(SURNAMES) + rng.choice(GIVEN)
                if rng.random() < 0.5
                else "",
                is_resolved_on_spot=rng.random() < PRE_RESOLVED_SHARE,
            )
        )
    # The outlet's direct complaints that started in the lobby, at the time they were noted.
    started_here = [
        p.complaint
        for p in plans
        if p.complaint.unit_id == main.pk and p.complaint.ledger_level == LedgerLevel.OUTLET
    ][:4]
    for complaint in started_here:
        rows.append(
            PreComplaint(
                unit=main,
                recorded_at=complaint.received_at,
                recorded_by=rng.choice(by),
                what=complaint.facts,
                customer_name=complaint.complainant_name,
                customer_phone=complaint.phone,
                is_resolved_on_spot=False,
                complaint=complaint,
            )
        )
    PreComplaint.objects.bulk_create(rows)


def purge(root_path: str) -> None:
    """Delete the demo's complaints; the reference counters go back to what is left."""
    PreComplaint.objects.filter(unit__path__startswith=root_path).delete()
    CustomerBase.objects.filter(unit__path__startswith=root_path).delete()
    mine = Complaint.objects.filter(unit__path__startswith=root_path)
    years = set(mine.values_list("received_at__year", flat=True))
    # Merges and repeats point at each other with PROTECT: unlink them first.
    mine.update(merged_into=None, repeat_of=None)
    Complaint.objects.filter(
        Q(merged_into__unit__path__startswith=root_path)
        | Q(repeat_of__unit__path__startswith=root_path)
    ).update(merged_into=None, repeat_of=None)
    mine.delete()
    for year in years:
        refs = Complaint.objects.filter(reference__startswith=f"CMP-{year}-").values_list(
            "reference", flat=True
        )
        highest = max((int(r.rsplit("-", 1)[1]) for r in refs), default=0)
        YearCounter.objects.filter(year=year).update(last_number=highest)


DEMO_STEP = HistoryStep(name="complaints", build=build, purge=purge)
