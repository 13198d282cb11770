"""The complaints demo step: a year of Xiangcheng's ledger, deterministic and within the rules."""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ventanilla.complaints.demo import DEMO_STEP
from ventanilla.complaints.models import (
    Complaint,
    ComplaintEvent,
    CustomerBase,
    EscalationNotice,
    LedgerLevel,
    PreComplaint,
    RapidAlert,
    Status,
    YearCounter,
)
from ventanilla.complaints.selectors import complaint_list
from ventanilla.demo.generator import build_demo, reset_demo

AS_OF = date(2026, 6, 30)
pytestmark = pytest.mark.django_db


def _summary():
    return sorted(
        Complaint.objects.values_list(
            "reference", "unit__code", "status", "complainant_name", "due_at", "decision_sent_at"
        )
    )


def test_demo_step_builds_a_year_of_complaints_and_resets_cleanly():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    complaints = list(Complaint.objects.select_related("unit", "merged_into"))
    assert len(complaints) == 60
    statuses = Counter(c.status for c in complaints)
    assert statuses[Status.CLOSED] > 30
    assert statuses[Status.MERGED] >= 1
    assert statuses[Status.WITHDRAWN] >= 1
    assert sum(statuses[s] for s in (Status.ACCEPTED, Status.INVESTIGATING, Status.REGISTERED))
    assert {c.unit.code[:2] for c in complaints} == {"XC"}
    assert Counter(c.ledger_level for c in complaints)[LedgerLevel.SUB_BRANCH] >= 3
    late = [c for c in complaints if c.decision_sent_at and c.decision_sent_at > c.due_at]
    assert late and EscalationNotice.objects.exists()
    end_of_as_of = datetime(2026, 6, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    overdue = [c for c in complaints if c.is_open and c.due_at < end_of_as_of]
    assert 1 <= len(overdue) <= 6, [c.status for c in overdue]
    for c in complaints:
        if c.status == Status.CLOSED:
            assert c.decision and c.root_cause_id and c.corrective_action
            assert c.is_accepted_by_customer is not None
        if c.status == Status.MERGED:
            assert c.merged_into.received_at <= c.received_at
            assert c.merged_into.status != Status.MERGED
        events = list(c.events.order_by("at", "id"))
        assert events[0].action == "register"
        assert events[-1].to_status == c.status or events[-1].action in ("escalate", "merge_in")
    assert ComplaintEvent.objects.count() > 200
    pre = PreComplaint.objects.all()
    assert pre.count() > 40
    assert pre.filter(complaint__isnull=False).exists()
    assert pre.filter(is_resolved_on_spot=True).count() > pre.count() / 2
    first = _summary()

    reset_demo(history=[DEMO_STEP])
    assert not Complaint.objects.exists()
    assert not PreComplaint.objects.exists()
    assert set(YearCounter.objects.values_list("last_number", flat=True)) == {0}
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    assert _summary() == first
    reset_demo(history=[DEMO_STEP])


def test_every_demo_complaint_page_renders_for_the_president_and_the_teller(client):
    from django.urls import reverse

    ctx = build_demo(scale="subbranch", seed=2, as_of=AS_OF, history=[DEMO_STEP])
    try:
        for login in ("president", "teller"):
            client.force_login(ctx.logins[login])
            visible = complaint_list(user=ctx.logins[login])
            assert visible.exists()
            for reference in visible.values_list("reference", flat=True):
                page = client.get(reverse("complaints:detail", args=[reference]))
                assert page.status_code == 200, reference
            ledger = client.get(reverse("complaints:ledger", args=["XC"]))
            assert ledger.status_code in (200, 404)
            assert client.get(reverse("complaints:list")).status_code == 200
            assert client.get(reverse("complaints:pre_complaints")).status_code == 200
            assert client.get(reverse("complaints:export")).status_code == 200
        client.force_login(ctx.logins["other_teller"])
        reference = Complaint.objects.values_list("reference", flat=True).first()
        assert client.get(reverse("complaints:detail", args=[reference])).status_code == 404
    finally:
        reset_demo(history=[DEMO_STEP])


def test_demo_has_major_complaints_with_a_and_b_acknowledgements_and_customer_bases():
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[DEMO_STEP])
    try:
        majors = list(Complaint.objects.filter(severity="major").exclude(major_kind=""))
        assert len(majors) >= 3
        alerts = list(RapidAlert.objects.select_related("employee", "acknowledged_by"))
        roles = Counter(a.role for a in alerts)
        assert roles["A"] >= 3 and roles["B"] >= 1
        answered_by_b = [a for a in alerts if a.role == "B" and a.acknowledged_at]
        assert answered_by_b
        for b in answered_by_b:
            first = RapidAlert.objects.get(complaint=b.complaint, role="A")
            assert first.acknowledged_at is None
            waited = (b.alerted_at - first.alerted_at).total_seconds() / 60
            assert waited == b.complaint.policy.acknowledge_minutes
        assert any(a.role == "A" and a.acknowledged_at for a in alerts)
        for alert in alerts:
            actions = set(alert.complaint.events.values_list("action", flat=True))
            assert {"mark_major", "alert_a"} <= actions
        assert any(a.acknowledged_by is not None for a in alerts)
        sub = ctx.units["XC"]
        bases = CustomerBase.objects.filter(unit__path__startswith=sub.path)
        assert bases.filter(year=2026).count() == len(ctx.outlets["XC"]) + 1
    finally:
        reset_demo(history=[DEMO_STEP])
    assert not RapidAlert.objects.exists() and not CustomerBase.objects.exists()
