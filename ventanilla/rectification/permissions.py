"""Who may do what with a plan: the scope decides what is seen, these rules what is done.

- A manager of the plan's unit (or above) writes the plan, its goals, sections, findings and
  measures, and approves it (the unit's head approves).
- A measure's owner updates their own measure: progress notes, evidence, completion.
- Closing a measure as effective without an "improved" effect check needs a manager and a
  written reason.
"""

from __future__ import annotations

from typing import Any

from ventanilla.core.scoping import Role, role_at
from ventanilla.rectification.models import Measure, RectificationPlan


def manages_plan(user: Any, plan: RectificationPlan) -> bool:
    held = role_at(user, plan.unit.path)
    return held is not None and held >= Role.MANAGER


def owns_measure(user: Any, measure: Measure) -> bool:
    return (
        measure.owner_id is not None
        and measure.owner is not None
        and measure.owner.user_id is not None
        and measure.owner.user_id == getattr(user, "pk", None)
    )


def may_update_measure(user: Any, measure: Measure) -> bool:
    return owns_measure(user, measure) or manages_plan(user, measure.section.plan)
