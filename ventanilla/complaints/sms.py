"""Text messages: one backend, chosen in settings, sends them.

``COMPLAINTS_SMS_BACKEND`` names the class (like Django's ``EMAIL_BACKEND``):

- ``HttpGatewayBackend`` posts each message as JSON to the bank's SMS gateway at
  ``COMPLAINTS_SMS_GATEWAY_URL`` (with ``COMPLAINTS_SMS_GATEWAY_TOKEN`` as a bearer token
  when set, and ``COMPLAINTS_SMS_GATEWAY_TIMEOUT`` seconds to answer);
- ``ConsoleBackend`` writes them to standard output (development, the default);
- ``LocMemBackend`` keeps them in ``outbox`` (tests).

The phone number is masked in every log line and console output; only the gateway gets it
in full.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ventanilla.core.masking import mask_phone

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "ventanilla.complaints.sms.ConsoleBackend"


class SMSError(Exception):
    """The gateway refused a message or could not be reached."""


@dataclass(frozen=True)
class SMS:
    to: str
    text: str


class BaseBackend:
    def send_messages(self, messages: Sequence[SMS]) -> int:
        """Send every message; return how many were accepted. Raises ``SMSError``."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send_messages(self, messages: Sequence[SMS]) -> int:
        for message in messages:
            self.stream.write(f"SMS to {mask_phone(message.to)}: {message.text}\n")
        self.stream.flush()
        return len(messages)


outbox: list[SMS] = []


class LocMemBackend(BaseBackend):
    """Keeps the messages in ``ventanilla.complaints.sms.outbox``."""

    def send_messages(self, messages: Sequence[SMS]) -> int:
        outbox.extend(messages)
        return len(messages)


class HttpGatewayBackend(BaseBackend):
    """POST ``{"to": ..., "text": ...}`` to the gateway; any 2xx answer is accepted."""

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else getattr(settings, "COMPLAINTS_SMS_GATEWAY_URL", "")
        if not self.url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                "COMPLAINTS_SMS_GATEWAY_URL must be an http:// or https:// URL."
            )
        self.token = (
            token if token is not None else getattr(settings, "COMPLAINTS_SMS_GATEWAY_TOKEN", "")
        )
        self.timeout = float(
            timeout
            if timeout is not None
            else getattr(settings, "COMPLAINTS_SMS_GATEWAY_TIMEOUT", 10)
        )

    def send_messages(self, messages: Sequence[SMS]) -> int:
        for message in messages:
            self._post(message)
        return len(messages)

    def _post(self, message: SMS) -> None:
        body = json.dumps({"to": message.to, "text": message.text}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url, data=body, headers=headers, method="POST"
        )
        try:
            # The scheme is checked in __init__: http(s) only.
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as error:
            raise SMSError(
                f"SMS gateway answered {error.code} for {mask_phone(message.to)}"
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SMSError(
                f"SMS gateway unreachable for {mask_phone(message.to)}: {error}"
            ) from error
        if not 200 <= status < 300:
            raise SMSError(f"SMS gateway answered {status} for {mask_phone(message.to)}")


def get_backend(path: str | None = None, **kwargs: Any) -> BaseBackend:
    name = str(path or getattr(settings, "COMPLAINTS_SMS_BACKEND", DEFAULT_BACKEND))
    backend_class = import_string(name)
    backend: BaseBackend = backend_class(**kwargs)
    return backend


def send_sms(messages: Sequence[SMS]) -> int:
    """Send through the configured backend, logging each message with the phone masked."""
    if not messages:
        return 0
    backend = get_backend()
    sent = backend.send_messages(messages)
    for message in messages:
        logger.info("SMS sent to %s (%d characters).", mask_phone(message.to), len(message.text))
    return sent
