"""Factories for the counters app."""

from __future__ import annotations

from datetime import date, datetime

import factory
from django.utils import timezone

from ventanilla.counters.models import BusinessType, Outcome, QueueTicket, Segment


class BusinessTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"业务{n}")
    name_en = factory.Sequence(lambda n: f"Business {n}")
    segment = Segment.PERSONAL
    standard_seconds = 300


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    """An aware moment in the default time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hh, mm, ss))  # noqa: DTZ001


class QueueTicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QueueTicket

    service_on = date(2026, 3, 2)
    ticket_number = factory.Sequence(lambda n: f"A{n:04d}")
    business_type = factory.SubFactory(BusinessTypeFactory)
    issued_at = factory.LazyAttribute(lambda o: at(o.service_on, 9, 0))
    outcome = Outcome.SERVED


def may_load_tickets(user):
    """``user`` given the permission to import and push tickets (a lobby manager's post, a
    queue machine's account); a fresh instance, without Django's cached permissions."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="counters", codename="add_queueticket")
    )
    return type(user).objects.get(pk=user.pk)
