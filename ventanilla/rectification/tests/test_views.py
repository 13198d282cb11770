from datetime import date

import pytest
from django.urls import reverse

from ventanilla.rectification import services
from ventanilla.rectification.models import Measure, MeasureProgress, RectificationPlan
from ventanilla.rectification.tests.factories import plan_with_measure

pytestmark = pytest.mark.django_db


def _pages(plan, m):
    return [
        reverse("rectification:plan_detail", args=[plan.reference]),
        reverse("rectification:measure_detail", args=[m.reference]),
    ]


def test_board_plan_and_measure_pages_for_the_subbranch_manager(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.subbranch_manager)
    board = client.get(reverse("rectification:board"))
    assert board.status_code == 200
    assert plan.reference in board.content.decode()
    for url in _pages(plan, m):
        response = client.get(url)
        assert response.status_code == 200, url
        assert m.title in response.content.decode()


def test_other_teller_gets_404_on_every_plan_page(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.other_teller)
    for url in _pages(plan, m) + [
        reverse("rectification:plan_edit", args=[plan.reference]),
        reverse("rectification:goal_add", args=[plan.reference]),
        reverse("rectification:measure_add", args=[plan.reference]),
    ]:
        assert client.get(url).status_code == 404, url
    assert plan.reference not in client.get(reverse("rectification:board")).content.decode()
    response = client.post(
        reverse("rectification:measure_action", args=[m.reference, "progress"]),
        {"noted_on": "2026-01-10", "percent_done": 50, "note": "x"},
    )
    assert response.status_code == 404
    assert not MeasureProgress.objects.exists()


def test_teller_in_scope_sees_but_may_not_edit(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.teller_a)
    assert (
        client.get(reverse("rectification:plan_detail", args=[plan.reference])).status_code == 404
    )
    client.force_login(network.manager_a)  # outlet head: sees the measure they own
    assert client.get(reverse("rectification:plan_edit", args=[plan.reference])).status_code in (
        403,
        404,
    )


def test_owner_notes_progress_from_the_measure_page(client, network, time_machine):
    time_machine.move_to("2026-02-01 10:00 +08:00")
    plan, m = plan_with_measure(network)
    client.force_login(network.manager_a)
    response = client.post(
        reverse("rectification:measure_action", args=[m.reference, "progress"]),
        {"noted_on": "2026-01-30", "percent_done": 40, "note": "已增开一个窗口"},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.percent_done == 40
    mine = client.get(reverse("rectification:my_measures")).content.decode()
    assert m.title in mine


def test_bad_progress_input_is_named_and_nothing_written(client, network):
    plan, m = plan_with_measure(network)
    client.force_login(network.manager_a)
    response = client.post(
        reverse("rectification:measure_action", args=[m.reference, "progress"]),
        {"noted_on": "2026-01-30", "percent_done": 140, "note": "x"},
        follow=True,
    )
    assert "Percent done" in response.content.decode()
    assert not MeasureProgress.objects.exists()


def test_manager_creates_a_plan_and_adds_a_measure(client, network):
    client.force_login(network.subbranch_manager)
    response = client.post(
        reverse("rectification:plan_create"),
        {
            "unit": network.subbranch.pk,
            "title": "2026年一季度整改方案",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "source": "complaints",
        },
    )
    plan = RectificationPlan.objects.get()
    assert response.status_code == 302
    services.section_add(
        actor=network.subbranch_manager, plan=plan, kind="process", title="等候时间"
    )
    section = plan.sections.get()
    response = client.post(
        reverse("rectification:measure_add", args=[plan.reference]),
        {
            "section": section.pk,
            "title": "弹性窗口",
            "start_on": "2026-04-01",
            "due_on": "2026-03-01",
            "indicator": "counter_mean_wait",
        },
    )
    assert response.status_code == 200
    assert "on or after the start" in response.content.decode()
    assert not Measure.objects.exists()
    response = client.post(
        reverse("rectification:measure_add", args=[plan.reference]),
        {
            "section": section.pk,
            "title": "弹性窗口",
            "start_on": "2026-04-01",
            "due_on": "2026-05-01",
            "indicator": "counter_mean_wait",
            "owner": network.manager_a.employee.pk,
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.expected_direction == "down"
    assert measure.indicator_unit == network.subbranch


def test_teller_cannot_create_a_plan(client, network):
    client.force_login(network.teller_a)
    assert client.get(reverse("rectification:plan_create")).status_code == 403


def test_plan_page_query_count_is_fixed(client, network, django_assert_max_num_queries):
    plan, m = plan_with_measure(network)
    for i in range(5):
        services.measure_add(
            actor=network.subbranch_manager,
            section=m.section,
            title=f"措施{i}",
            start_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1),
            owner=network.teller_a.employee,
        )
    client.force_login(network.subbranch_manager)
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("rectification:plan_detail", args=[plan.reference])).status_code
            == 200
        )


def test_manager_edits_a_measure_and_the_owner_may_not(client, network):
    plan, m = plan_with_measure(network)
    url = reverse("rectification:measure_edit", args=[m.reference])
    client.force_login(network.manager_a)
    assert client.get(url).status_code == 403
    client.force_login(network.subbranch_manager)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data = {k: getattr(v, "pk", v) for k, v in data.items()}
    data.update(due_on="2026-03-31", title="高峰时段增开两个窗口")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    m.refresh_from_db()
    assert m.due_on == date(2026, 3, 31)
    assert m.title == "高峰时段增开两个窗口"
