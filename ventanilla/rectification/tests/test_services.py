from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.core.errors import DomainError
from ventanilla.counters.models import BusinessType
from ventanilla.counters.rollups import CellRow, day_rollups_insert, day_rows_of_cells
from ventanilla.rectification import services
from ventanilla.rectification.models import (
    EffectCheck,
    Measure,
    MeasureStatus,
    PlanStatus,
    RectificationPlan,
    SectionKind,
)
from ventanilla.rectification.tests.factories import plan_with_measure

pytestmark = pytest.mark.django_db


def test_plan_create_numbers_plans_per_year(network):
    p1, _m = plan_with_measure(network)
    p2 = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="第二份",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 12, 31),
    )
    assert p1.reference == "RP-2026-0001"
    assert p2.reference == "RP-2026-0002"


def test_plan_create_refuses_a_teller(network):
    with pytest.raises(DomainError, match="Only a manager"):
        services.plan_create(
            actor=network.teller_a,
            unit=network.subbranch,
            title="x",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
        )
    assert not RectificationPlan.objects.exists()


def test_plan_create_refuses_a_period_that_ends_before_it_starts(network):
    with pytest.raises(DomainError, match="period must end"):
        services.plan_create(
            actor=network.subbranch_manager,
            unit=network.subbranch,
            title="x",
            period_start=date(2026, 3, 1),
            period_end=date(2026, 1, 1),
        )


def test_measure_owner_must_work_in_the_plan_unit(network):
    plan, m = plan_with_measure(network)
    with pytest.raises(DomainError, match="does not work in"):
        services.measure_add(
            actor=network.subbranch_manager,
            section=m.section,
            title="x",
            start_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1),
            owner=network.other_teller.employee,
        )


def test_unknown_indicator_is_named(network):
    plan, m = plan_with_measure(network)
    with pytest.raises(DomainError, match="Unknown indicator nope"):
        services.measure_add(
            actor=network.subbranch_manager,
            section=m.section,
            title="x",
            start_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1),
            indicator="nope",
        )
    with pytest.raises(DomainError, match="needs a customer segment"):
        services.goal_add(
            actor=network.subbranch_manager,
            plan=plan,
            title="g",
            indicator="survey_overall",
            target=80,
            deadline=date(2026, 6, 30),
        )


def test_owner_records_progress_and_100_completes(network, time_machine):
    time_machine.move_to("2026-03-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    owner = network.manager_a
    services.measure_progress_add(actor=owner, measure=m, note="增开两个窗口", percent_done=50)
    m.refresh_from_db()
    assert m.status == MeasureStatus.IN_PROGRESS
    assert m.percent_done == 50
    services.measure_progress_add(
        actor=owner, measure=m, note="全部网点落实", percent_done=100, noted_on=date(2026, 2, 27)
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.DONE
    assert m.completed_on == date(2026, 2, 27)
    with pytest.raises(DomainError, match="can no longer be updated"):
        services.measure_progress_add(actor=owner, measure=m, note="again", percent_done=100)


def test_someone_else_may_not_update_a_measure(network):
    plan, m = plan_with_measure(network)
    with pytest.raises(DomainError, match="Only the owner"):
        services.measure_progress_add(actor=network.teller_a, measure=m, note="x", percent_done=10)
    assert m.progress.count() == 0


def test_progress_refuses_bad_percent_and_future_date(network, time_machine):
    time_machine.move_to("2026-03-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    with pytest.raises(DomainError, match="between 0 and 100"):
        services.measure_progress_add(
            actor=network.manager_a, measure=m, note="x", percent_done=120
        )
    with pytest.raises(DomainError, match="future"):
        services.measure_progress_add(
            actor=network.manager_a, measure=m, note="x", percent_done=10, noted_on=date(2026, 4, 1)
        )
    m.refresh_from_db()
    assert m.percent_done == 0


def _rollup(outlet, day, within, beyond):
    bt = BusinessType.objects.order_by("code").first()
    cell = CellRow(
        outlet_id=outlet.pk,
        service_on=day,
        half_hour=20,
        business_type_id=bt.pk,
        teller_id=None,
        is_vip=False,
        tickets=within + beyond,
        served=within + beyond,
        wait_count=within + beyond,
        wait_seconds=within * 300 + beyond * 1500,
        wait_histogram={"10": within, "50": beyond},
    )
    day_rollups_insert(day_rows_of_cells([cell]))


def test_effect_check_difference_in_differences_by_hand(network, time_machine):
    """XC01 ran the measure: called within 15 minutes 60% -> 90%; its peer XC02 50% -> 55%.
    DiD = 30 - 5 = 25 points; se = sqrt(24 + 9 + 25 + 24.75) = 9.097; z = 2.75: improved."""
    time_machine.move_to("2026-05-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    services.measure_progress_add(
        actor=network.manager_a,
        measure=m,
        note="done",
        percent_done=100,
        noted_on=date(2026, 3, 1),
    )
    _rollup(network.outlet_a, date(2026, 2, 10), 60, 40)  # before window (30 days)
    _rollup(network.outlet_a, date(2026, 3, 10), 90, 10)  # after
    _rollup(network.outlet_b, date(2026, 2, 11), 50, 50)
    _rollup(network.outlet_b, date(2026, 3, 11), 55, 45)
    _rollup(network.outlet_a, date(2026, 1, 10), 0, 100)  # outside both windows
    m.refresh_from_db()
    check = services.measure_check_effect(actor=network.manager_a, measure=m)
    assert check.before_value == pytest.approx(60)
    assert check.after_value == pytest.approx(90)
    assert check.peer_before == pytest.approx(50)
    assert check.peer_after == pytest.approx(55)
    assert check.peer_units == ["XC02"]
    assert check.change == pytest.approx(30)
    assert check.did == pytest.approx(25)
    assert check.standard_error == pytest.approx((24 + 9 + 25 + 24.75) ** 0.5)
    assert check.verdict == "improved"
    assert (check.before_start, check.after_end) == (date(2026, 1, 30), date(2026, 3, 31))


def test_effect_check_waits_for_the_after_window(network, time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    plan, m = plan_with_measure(network)
    services.measure_progress_add(
        actor=network.manager_a, measure=m, note="done", percent_done=100, noted_on=date(2026, 3, 1)
    )
    m.refresh_from_db()
    with pytest.raises(DomainError, match="run until 2026-03-31"):
        services.measure_check_effect(actor=network.manager_a, measure=m)
    assert not EffectCheck.objects.exists()


def test_close_effective_needs_improvement_or_a_managers_reason(network, time_machine):
    time_machine.move_to("2026-05-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    services.measure_progress_add(
        actor=network.manager_a, measure=m, note="done", percent_done=100, noted_on=date(2026, 3, 1)
    )
    m.refresh_from_db()
    services.measure_check_effect(actor=network.manager_a, measure=m)  # no data: no verdict
    with pytest.raises(DomainError, match="Without an effect check"):
        services.measure_close_effective(actor=network.teller_a, measure=m, reason="x")
    with pytest.raises(DomainError, match="write the reason"):
        services.measure_close_effective(actor=network.subbranch_manager, measure=m)
    m.refresh_from_db()
    assert m.status == MeasureStatus.DONE
    services.measure_close_effective(
        actor=network.subbranch_manager, measure=m, reason="神秘客户检查确认窗口已增开"
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.EFFECTIVE
    assert m.closed_by == network.subbranch_manager


def test_plan_workflow_submit_approve_close(network, time_machine):
    time_machine.move_to("2026-05-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    empty = services.plan_create(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        title="空",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )
    with pytest.raises(DomainError, match="at least one goal"):
        services.plan_submit(actor=network.subbranch_manager, plan=empty)
    services.plan_submit(actor=network.subbranch_manager, plan=plan)
    services.plan_approve(actor=network.subbranch_manager, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    with pytest.raises(DomainError, match="still open"):
        services.plan_close(actor=network.subbranch_manager, plan=plan)
    services.measure_cancel(actor=network.subbranch_manager, measure=m, reason="并入下一期")
    services.plan_close(actor=network.subbranch_manager, plan=plan)
    with pytest.raises(DomainError, match="closed"):
        services.section_add(
            actor=network.subbranch_manager, plan=plan, kind=SectionKind.OTHER, title="x"
        )


def test_evidence_limits(network):
    plan, m = plan_with_measure(network)
    with pytest.raises(DomainError, match="only PDF"):
        services.measure_evidence_add(
            actor=network.manager_a,
            measure=m,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    with pytest.raises(DomainError, match="empty"):
        services.measure_evidence_add(
            actor=network.manager_a, measure=m, upload=SimpleUploadedFile("a.pdf", b"")
        )
    ev = services.measure_evidence_add(
        actor=network.manager_a, measure=m, upload=SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x")
    )
    assert ev.name == "通知.pdf"
    assert Measure.objects.get(pk=m.pk).evidence.count() == 1
