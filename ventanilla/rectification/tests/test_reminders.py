from datetime import date

import pytest
from django.core import mail

from ventanilla.rectification import services
from ventanilla.rectification.models import MeasureReminder
from ventanilla.rectification.tasks import remind_measure_owners
from ventanilla.rectification.tests.factories import plan_with_measure

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminders_are_sent_once_per_level_and_escalate(network, time_machine):
    owner = network.manager_a.employee
    owner.email = "owner@example.com"
    owner.save()
    head = network.subbranch_manager.employee
    head.email = "president@example.com"
    head.save()
    plan, m = plan_with_measure(network)  # due 2026-02-28
    time_machine.move_to("2026-02-24 09:00 +08:00")
    assert services.measure_reminders_run() == 1
    assert services.measure_reminders_run() == 0  # the same level again: nothing
    assert mail.outbox[-1].to == ["owner@example.com"]
    time_machine.move_to("2026-03-02 09:00 +08:00")
    assert remind_measure_owners.delay().get() == 1  # through the task, eagerly
    time_machine.move_to("2026-03-09 09:00 +08:00")
    assert services.measure_reminders_run() == 1
    assert mail.outbox[-1].to == ["owner@example.com", "president@example.com"]
    assert services.measure_reminders_run(today=date(2026, 3, 10)) == 0
    assert list(MeasureReminder.objects.order_by("sent_at").values_list("kind", flat=True)) == [
        "due_soon",
        "overdue",
        "escalated",
    ]
    assert len(mail.outbox) == 3


def test_done_measures_get_no_reminder(network, time_machine):
    plan, m = plan_with_measure(network)
    time_machine.move_to("2026-02-20 09:00 +08:00")
    services.measure_progress_add(actor=network.manager_a, measure=m, note="ok", percent_done=100)
    time_machine.move_to("2026-03-20 09:00 +08:00")
    assert services.measure_reminders_run() == 0
