"""The complaint workflow: every step, its guards, its events and the clock it moves."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from ventanilla.complaints import services
from ventanilla.complaints.models import (
    Axis,
    Complaint,
    ComplaintEvent,
    LedgerLevel,
    Source,
    Status,
    TimeLimitPolicy,
    UnmaskEvent,
    YearCounter,
)
from ventanilla.complaints.tests.factories import code, ensure_seed, register
from ventanilla.core.errors import DomainError
from ventanilla.org.tests.factories import EmployeeFactory, person, post

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def decided(network, **kw):
    complaint = register(network, **kw)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    services.complaint_send_decision(
        actor=network.manager_a, complaint=complaint, decision="已致歉，增开窗口。"
    )
    return complaint


def snapshot(complaint):
    fresh = Complaint.objects.get(pk=complaint.pk)
    return {f.attname: getattr(fresh, f.attname) for f in Complaint._meta.concrete_fields}


# --- Register ---------------------------------------------------------------------------


def test_register_gives_a_yearly_reference_and_starts_the_clock(network, frozen):
    first = register(network, received_at=NOW - timedelta(hours=1))
    second = register(network)
    assert first.reference == "CMP-2026-000001"
    assert second.reference == "CMP-2026-000002"
    assert first.status == Status.REGISTERED
    assert first.ledger_level == LedgerLevel.OUTLET
    assert first.due_at == datetime(2026, 3, 17, 23, 59, 59, tzinfo=TZ)
    assert first.first_contact_due_at == datetime(2026, 3, 3, 23, 59, 59, tzinfo=TZ)
    event = first.events.get()
    assert (event.action, event.to_status, event.actor) == (
        "register",
        "registered",
        network.teller_a,
    )


def test_reference_counts_per_year_of_receipt(network, frozen):
    late_2025 = register(network, received_at=datetime(2025, 12, 31, 23, 0, tzinfo=TZ))
    in_2026 = register(network)
    assert late_2025.reference == "CMP-2025-000001"
    assert in_2026.reference == "CMP-2026-000001"
    assert YearCounter.objects.get(year=2025).last_number == 1


def test_register_at_subbranch_or_by_referral_sits_in_the_subbranch_ledger(network, frozen):
    own = register(network, actor=network.subbranch_manager, unit=network.subbranch)
    referred = register(network, source=Source.REGULATOR)
    assert own.ledger_level == LedgerLevel.SUB_BRANCH
    assert referred.ledger_level == LedgerLevel.SUB_BRANCH
    assert referred.unit == network.outlet_a


def test_register_rejects_a_unit_outside_the_actors_scope(network, frozen):
    with pytest.raises(DomainError, match="staff role"):
        register(network, actor=network.other_teller)
    with pytest.raises(DomainError, match="staff role"):
        register(network, actor=network.auditor)
    assert not Complaint.objects.exists()


def test_register_rejects_a_department(network, frozen):
    with pytest.raises(DomainError, match="outlet or a sub-branch"):
        register(network, actor=network.subbranch_manager, unit=network.dept)


def test_register_rejects_future_receipt_and_wrong_codes(network, frozen):
    with pytest.raises(DomainError, match="future"):
        register(network, received_at=NOW + timedelta(minutes=5))
    with pytest.raises(DomainError, match="channel"):
        register(network, channel=code(Axis.CAUSE))
    with pytest.raises(DomainError, match="name"):
        register(network, complainant_name=" ")
    with pytest.raises(DomainError, match="phone"):
        register(network, phone="")
    assert not Complaint.objects.exists()


def test_jurisdiction_policy_overrides_the_default(network, frozen):
    TimeLimitPolicy.objects.create(
        name="苏州分行",
        unit=network.branch,
        decision_days=10,
        day_kind="working",
        extension_steps=[{"days": 5, "approver": "sub_branch"}],
        paused_statuses=["suspended"],
    )
    complaint = register(network)
    assert complaint.policy.unit == network.branch
    # ten working days from Monday 2 March 2026
    assert complaint.due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=TZ)


def test_register_without_any_policy_says_so(network, frozen):
    codes = {
        "channel": code(Axis.CHANNEL),
        "business_type": code(Axis.BUSINESS),
        "cause": code(Axis.CAUSE),
    }
    TimeLimitPolicy.objects.all().delete()
    with pytest.raises(DomainError, match="No complaint time limit policy"):
        services.complaint_register(
            actor=network.teller_a,
            unit=network.outlet_a,
            received_at=NOW,
            complainant_name="王五",
            phone="13900000000",
            request="退款",
            facts="多收手续费",
            **codes,
        )


# --- Accept / investigate / decide / close ----------------------------------------------


def test_full_path_to_closed_writes_a_timeline(network, frozen):
    complaint = decided(network)
    services.complaint_close(
        actor=network.manager_a,
        complaint=complaint,
        is_accepted_by_customer=True,
        root_cause=code(Axis.ROOT_CAUSE, "RC06"),
        corrective_action="高峰时段增开窗口",
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.closed_at == NOW
    actions = list(complaint.events.values_list("action", "from_status", "to_status"))
    assert actions == [
        ("register", "", "registered"),
        ("accept", "registered", "accepted"),
        ("investigate", "accepted", "investigating"),
        ("decide", "investigating", "decision_sent"),
        ("close", "decision_sent", "closed"),
    ]
    assert complaint.is_late is False


def test_accept_needs_a_manager(network, frozen):
    complaint = register(network)
    with pytest.raises(DomainError, match="manager role"):
        services.complaint_accept(
            actor=network.teller_a, complaint=complaint, handler=network.teller_a.employee
        )
    assert Complaint.objects.get(pk=complaint.pk).status == Status.REGISTERED


def test_accept_rejects_a_handler_of_another_subbranch(network, frozen):
    complaint = register(network)
    with pytest.raises(DomainError, match="must work in"):
        services.complaint_accept(
            actor=network.manager_a, complaint=complaint, handler=network.other_teller.employee
        )


def test_accept_rejects_an_inactive_handler(network, frozen):
    complaint = register(network)
    gone = EmployeeFactory(unit=network.outlet_a, post=post("teller"), is_active=False)
    with pytest.raises(DomainError, match="active"):
        services.complaint_accept(actor=network.manager_a, complaint=complaint, handler=gone)


def test_steps_refuse_the_wrong_status(network, frozen):
    complaint = register(network)
    with pytest.raises(DomainError, match="registered: it cannot be investigated"):
        services.complaint_investigate(actor=network.manager_a, complaint=complaint)
    with pytest.raises(DomainError, match="cannot be closed"):
        services.complaint_close(
            actor=network.manager_a,
            complaint=complaint,
            is_accepted_by_customer=True,
            root_cause=code(Axis.ROOT_CAUSE),
            corrective_action="整改措施",
        )
    with pytest.raises(DomainError, match="cannot be reopened"):
        services.complaint_reopen(actor=network.manager_a, complaint=complaint, reason="客户不满")
    with pytest.raises(DomainError, match="cannot be resumed"):
        services.complaint_resume(actor=network.manager_a, complaint=complaint)


def test_decision_needs_text(network, frozen):
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    with pytest.raises(DomainError, match="decision is required"):
        services.complaint_send_decision(actor=network.manager_a, complaint=complaint, decision="")


@pytest.mark.parametrize(
    ("accepted", "root", "action", "missing"),
    [
        (None, "RC01", "增开窗口", "whether the customer accepted"),
        (True, None, "增开窗口", "the root cause"),
        (True, "RC01", "", "the corrective action"),
        (False, "CA01", "增开窗口", "the root cause"),
    ],
)
def test_close_refuses_without_acceptance_root_cause_and_action(
    network, frozen, accepted, root, action, missing
):
    complaint = decided(network)
    before = snapshot(complaint)
    events = complaint.events.count()
    root_code = None
    if root:
        root_code = code(Axis.ROOT_CAUSE if root.startswith("RC") else Axis.CAUSE, root)
    with pytest.raises(DomainError, match=missing):
        services.complaint_close(
            actor=network.manager_a,
            complaint=complaint,
            is_accepted_by_customer=accepted,
            root_cause=root_code,
            corrective_action=action,
        )
    assert snapshot(complaint) == before
    assert complaint.events.count() == events


def test_closed_complaint_changes_only_by_reopening(network, frozen):
    complaint = decided(network)
    services.complaint_close(
        actor=network.manager_a,
        complaint=complaint,
        is_accepted_by_customer=False,
        root_cause=code(Axis.ROOT_CAUSE),
        corrective_action="培训员工",
    )
    before = snapshot(complaint)
    for step, kwargs in [
        (services.complaint_send_decision, {"decision": "新的决定"}),
        (services.complaint_withdraw, {"reason": "客户撤回"}),
        (services.complaint_pause, {"reason": "外部鉴定"}),
        (services.complaint_extend, {"reason": "情况复杂"}),
    ]:
        with pytest.raises(DomainError, match="closed"):
            step(actor=network.subbranch_manager, complaint=complaint, **kwargs)
        assert snapshot(complaint) == before
    services.complaint_reopen(actor=network.manager_a, complaint=complaint, reason="客户再次来电")
    complaint.refresh_from_db()
    assert complaint.status == Status.REOPENED
    assert complaint.closed_at is None and complaint.is_accepted_by_customer is None
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    services.complaint_send_decision(actor=network.manager_a, complaint=complaint, decision="补偿")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.DECISION_SENT


def test_a_late_decision_is_late(network, frozen):
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    frozen.move_to(NOW + timedelta(days=20))
    services.complaint_send_decision(
        actor=network.manager_a, complaint=complaint, decision="迟到的决定"
    )
    complaint.refresh_from_db()
    assert complaint.is_late is True


# --- Pause, resume, extend --------------------------------------------------------------


def test_pause_and_resume_move_the_due_time_by_the_pause(network, frozen):
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    due = complaint.due_at
    services.complaint_pause(actor=network.teller_a, complaint=complaint, reason="送外部鉴定")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.SUSPENDED
    frozen.move_to(NOW + timedelta(days=4, hours=6))
    services.complaint_resume(actor=network.teller_a, complaint=complaint, note="鉴定结果已回")
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING
    assert complaint.due_at - due == timedelta(days=4, hours=6)
    assert complaint.pauses.get().ended_at == NOW + timedelta(days=4, hours=6)


def test_pause_needs_a_reason(network, frozen):
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    with pytest.raises(DomainError, match="reason is required"):
        services.complaint_pause(actor=network.teller_a, complaint=complaint, reason=" ")


def test_pause_does_not_move_due_where_the_policy_does_not_pause(network, frozen):
    ensure_seed()
    TimeLimitPolicy.objects.update(paused_statuses=[])
    complaint = register(network)
    services.complaint_accept(
        actor=network.manager_a, complaint=complaint, handler=network.manager_a.employee
    )
    services.complaint_investigate(actor=network.teller_a, complaint=complaint)
    due = complaint.due_at
    services.complaint_pause(actor=network.teller_a, complaint=complaint, reason="送外部鉴定")
    frozen.move_to(NOW + timedelta(days=3))
    services.complaint_resume(actor=network.teller_a, complaint=complaint)
    assert Complaint.objects.get(pk=complaint.pk).due_at == due


def test_extensions_need_the_approver_of_each_step(network, frozen):
    complaint = register(network)
    due = complaint.due_at
    with pytest.raises(DomainError, match="manager role at 相城支行"):
        services.complaint_extend(actor=network.manager_a, complaint=complaint, reason="案情复杂")
    services.complaint_extend(
        actor=network.subbranch_manager, complaint=complaint, reason="案情复杂"
    )
    complaint.refresh_from_db()
    assert complaint.extensions_granted == 1
    assert complaint.due_at - due == timedelta(days=15)
    with pytest.raises(DomainError, match="manager role at 苏州分行"):
        services.complaint_extend(
            actor=network.subbranch_manager, complaint=complaint, reason="仍需调查"
        )
    branch_head = person("branch_head", network.branch, "outlet_head")
    services.complaint_extend(actor=branch_head, complaint=complaint, reason="仍需调查")
    complaint.refresh_from_db()
    assert complaint.due_at - due == timedelta(days=45)
    with pytest.raises(DomainError, match="every extension"):
        services.complaint_extend(actor=network.admin, complaint=complaint, reason="再延期")


def test_extension_refused_once_the_limit_ran_out(network, frozen):
    complaint = register(network)
    frozen.move_to(NOW + timedelta(days=16))
    with pytest.raises(DomainError, match="already run out"):
        services.complaint_extend(
            actor=network.subbranch_manager, complaint=complaint, reason="案情复杂"
        )


# --- Withdraw, merge, repeat ------------------------------------------------------------


def test_withdraw_needs_reason_and_manager(network, frozen):
    complaint = register(network)
    with pytest.raises(DomainError, match="manager role"):
        services.complaint_withdraw(actor=network.teller_a, complaint=complaint, reason="客户撤回")
    with pytest.raises(DomainError, match="reason"):
        services.complaint_withdraw(actor=network.manager_a, complaint=complaint, reason="")
    services.complaint_withdraw(actor=network.manager_a, complaint=complaint, reason="客户撤回")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.is_late is None


def test_merge_a_repeat_without_new_facts_into_the_original(network, frozen):
    original = register(network, received_at=NOW - timedelta(days=2))
    repeat = register(network)
    services.complaint_merge(actor=network.manager_a, complaint=repeat, original=original)
    repeat.refresh_from_db()
    assert repeat.status == Status.MERGED
    assert repeat.merged_into == original
    assert original.events.filter(action="merge_in").exists()


@pytest.mark.parametrize("case", ["itself", "later", "other_subbranch", "merged"])
def test_merge_refuses_bad_targets(network, frozen, case):
    first = register(network, received_at=NOW - timedelta(days=2))
    second = register(network)
    if case == "itself":
        complaint, original, match = second, second, "into itself"
    elif case == "later":
        complaint, original, match = first, second, "earlier one"
    elif case == "other_subbranch":
        other = register(
            network,
            actor=network.other_teller,
            unit=network.other_outlet,
            received_at=NOW - timedelta(days=3),
        )
        complaint, original, match = second, other, "same sub-branch"
    else:
        third = register(network, received_at=NOW - timedelta(days=3))
        services.complaint_merge(actor=network.manager_a, complaint=first, original=third)
        complaint, original, match = second, first, "active complaint"
    before = snapshot(complaint)
    with pytest.raises(DomainError, match=match):
        services.complaint_merge(actor=network.admin, complaint=complaint, original=original)
    assert snapshot(complaint) == before


def test_repeat_with_new_facts_gets_a_new_clock_and_points_at_the_root(network, frozen):
    original = register(network, received_at=NOW - timedelta(days=10))
    merged = register(network, received_at=NOW - timedelta(days=9))
    services.complaint_merge(actor=network.manager_a, complaint=merged, original=original)
    repeat = register(network, repeat_of=merged, facts="新的事实：又被拒绝办理。")
    assert repeat.repeat_of == original
    assert repeat.due_at > original.due_at
    assert "CMP-2026-000001" in repeat.events.get().note


# --- Unmask -----------------------------------------------------------------------------


def test_unmask_is_recorded_with_its_reason(network, frozen):
    complaint = register(network)
    event = services.complaint_unmask(
        actor=network.manager_a, complaint=complaint, reason="回访客户"
    )
    assert UnmaskEvent.objects.get() == event
    assert event.reason == "回访客户"


def test_unmask_refused_without_permission_or_reason(network, frozen):
    complaint = register(network)
    with pytest.raises(DomainError, match="may not see"):
        services.complaint_unmask(actor=network.teller_a, complaint=complaint, reason="回访客户")
    with pytest.raises(DomainError, match="may not see"):
        services.complaint_unmask(actor=network.other_teller, complaint=complaint, reason="回访")
    with pytest.raises(DomainError, match="reason"):
        services.complaint_unmask(actor=network.manager_a, complaint=complaint, reason="")
    assert not UnmaskEvent.objects.exists()


def test_unmask_by_django_permission(network, frozen):
    from django.contrib.auth.models import Permission

    complaint = register(network)
    perm = Permission.objects.get(
        codename="view_personal_data", content_type__app_label="complaints"
    )
    network.teller_a.user_permissions.add(perm)
    teller = type(network.teller_a).objects.get(pk=network.teller_a.pk)
    services.complaint_unmask(actor=teller, complaint=complaint, reason="客户要求更正电话")
    assert UnmaskEvent.objects.filter(actor=teller).count() == 1


def test_no_event_is_left_when_a_step_fails_inside_a_transaction(network, frozen):
    complaint = register(network)
    count = ComplaintEvent.objects.count()
    with pytest.raises(DomainError), transaction.atomic():
        services.complaint_investigate(actor=network.manager_a, complaint=complaint)
    assert ComplaintEvent.objects.count() == count
