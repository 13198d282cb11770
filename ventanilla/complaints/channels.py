"""How people hear about a complaint: one interface, three channels (in the app, e-mail, SMS).

A service builds an ``Announcement`` and a list of ``Recipient`` and calls ``announce``
with the channels it wants. The in-app channel writes the inbox rows inside the service's
transaction; e-mail and SMS leave only once that transaction has committed, so a step that
is rolled back sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from ventanilla.complaints.models import Complaint, EscalationNotice, Notification, RapidAlert
from ventanilla.complaints.sms import SMS, SMSError, send_sms
from ventanilla.core.masking import mask_phone
from ventanilla.org.models import Employee

logger = logging.getLogger(__name__)

IN_APP = "in_app"
EMAIL = "email"
SMS_CHANNEL = "sms"
ALL_CHANNELS = (IN_APP, EMAIL, SMS_CHANNEL)


@dataclass(frozen=True)
class Recipient:
    """Someone to tell, with the ways to reach them (empty when there is none)."""

    name: str
    user: Any = None
    email: str = ""
    phone: str = ""

    @classmethod
    def of(cls, employee: Employee, *, phone: str = "") -> Recipient:
        user = employee.user
        email = employee.email or (user.email if user is not None and user.email else "")
        return cls(name=employee.name, user=user, email=email, phone=phone or employee.phone)


@dataclass(frozen=True)
class Announcement:
    """What is said about which complaint, and which escalation or alert it belongs to."""

    complaint: Complaint
    subject: str
    body: str
    at: datetime
    notice: EscalationNotice | None = None
    alert: RapidAlert | None = None


class Channel(Protocol):
    name: str

    def deliver(self, announcement: Announcement, recipients: Sequence[Recipient]) -> int:
        """Deliver (or schedule) the announcement; return how many recipients it reaches."""


class InAppChannel:
    name = IN_APP

    def deliver(self, announcement: Announcement, recipients: Sequence[Recipient]) -> int:
        rows = [
            Notification(
                recipient=r.user,
                complaint=announcement.complaint,
                notice=announcement.notice,
                alert=announcement.alert,
                message=f"{announcement.subject}\n{announcement.body}",
                created_at=announcement.at,
            )
            for r in _unique(recipients, key=lambda r: getattr(r.user, "pk", None))
            if r.user is not None
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)


class EmailChannel:
    """One message to every address, sent after commit."""

    name = EMAIL

    def deliver(self, announcement: Announcement, recipients: Sequence[Recipient]) -> int:
        addresses = sorted({r.email for r in recipients if r.email})
        if not addresses:
            return 0
        subject, body = announcement.subject, announcement.body

        def send() -> None:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)

        transaction.on_commit(send)
        return len(addresses)


class SmsChannel:
    """One text per phone, sent after commit through the configured SMS backend."""

    name = SMS_CHANNEL

    def deliver(self, announcement: Announcement, recipients: Sequence[Recipient]) -> int:
        phones = [r.phone for r in _unique(recipients, key=lambda r: r.phone) if r.phone]
        if not phones:
            return 0
        text = f"{announcement.subject} {announcement.body}"
        messages = [SMS(to=phone, text=text) for phone in phones]
        transaction.on_commit(lambda: _send_texts(messages))
        return len(messages)


def _send_texts(messages: list[SMS]) -> None:
    try:
        send_sms(messages)
    except SMSError:
        # The decision is already recorded; a failed text must not undo it. The in-app
        # notice and the e-mail still stand, and the log names the (masked) phones.
        logger.exception("SMS not delivered to %s.", ", ".join(mask_phone(m.to) for m in messages))


CHANNELS: dict[str, Channel] = {
    IN_APP: InAppChannel(),
    EMAIL: EmailChannel(),
    SMS_CHANNEL: SmsChannel(),
}


def announce(
    announcement: Announcement,
    recipients: Sequence[Recipient],
    channels: Iterable[str] = ALL_CHANNELS,
) -> dict[str, int]:
    """Tell ``recipients`` through each of ``channels``; call inside the service's transaction."""
    return {name: CHANNELS[name].deliver(announcement, recipients) for name in channels}


def _unique(items: Sequence[Recipient], key: Any) -> list[Recipient]:
    seen: set[Any] = set()
    kept: list[Recipient] = []
    for item in items:
        k = key(item)
        if k is None or k in seen:
            if k is None:
                kept.append(item)
            continue
        seen.add(k)
        kept.append(item)
    return kept
