"""Factories for complaints: the seeded code lists and a complaint registered as a teller would."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from ventanilla.complaints import services
from ventanilla.complaints.models import Axis, ClassificationCode, Complaint, TimeLimitPolicy


def ensure_seed() -> None:
    """The seeded codes and default policy (a transactional test's flush removes them)."""
    if ClassificationCode.objects.exists() and TimeLimitPolicy.objects.exists():
        return
    seed = importlib.import_module("ventanilla.complaints.migrations.0002_seed_codes_and_policy")
    for axis, code, zh, en, es in seed.CODES:
        ClassificationCode.objects.get_or_create(
            axis=axis, code=code, defaults={"name": zh, "name_en": en, "name_es": es}
        )
    if not TimeLimitPolicy.objects.filter(unit__isnull=True).exists():
        TimeLimitPolicy.objects.create(unit=None, **seed.DEFAULT_POLICY)


def code(axis: str, value: str | None = None) -> ClassificationCode:
    ensure_seed()
    qs = ClassificationCode.objects.filter(axis=axis)
    return qs.get(code=value) if value else qs.order_by("code").first()  # type: ignore[return-value]


def register(
    network: Any,
    *,
    actor: Any = None,
    unit: Any = None,
    received_at: datetime | None = None,
    **overrides: Any,
) -> Complaint:
    """A complaint at outlet A, registered by its teller."""
    from django.utils import timezone

    ensure_seed()
    fields: dict[str, Any] = {
        "actor": actor or network.teller_a,
        "unit": unit or network.outlet_a,
        "received_at": received_at or timezone.now(),
        "channel": code(Axis.CHANNEL, "CH01"),
        "business_type": code(Axis.BUSINESS, "BT02"),
        "cause": code(Axis.CAUSE, "CA09"),
        "complainant_name": "张三",
        "id_number": "110105199001011234",
        "phone": "13812341234",
        "request": "要求道歉并说明原因",
        "facts": "排队等候超过一小时，柜台只开一个窗口。",
    }
    fields.update(overrides)
    return services.complaint_register(**fields)
