"""Every change to evaluations: one function each, atomic, naming its actor.

``actor=None`` is the operator (commands, the demo generator), with full rights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.core.audit import acting_as
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, role_at
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys.models import (
    SCALE_BOUNDS,
    Dimension,
    EvaluationWave,
    ResponseMapping,
    Segment,
    TargetRank,
    WaveSource,
)

# What a column of a vendor's file may be mapped to, besides one column per dimension.
MAPPING_FIELDS = (
    "respondent_ref",
    "segment",
    "unit",
    "answered_on",
    "comment",
    "comment_language",
    "customer_ref",
    "recommend",
)
REQUIRED_MAPPING_FIELDS = ("respondent_ref", "segment", "unit", "answered_on")
DIMENSION_PREFIX = "dim:"


def require_role_for(actor: Any, path: str, role: Role) -> None:
    if actor is None:
        return
    held = role_at(actor, path)
    if held is None or held < role:
        raise DomainError(_("You are not allowed to do this for this unit."), code="forbidden")


@transaction.atomic
def wave_create(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    year: int,
    quarter: int,
    source: str,
    segments: Iterable[Segment],
    dimensions: Iterable[Dimension],
    scale: str,
    has_recommend: bool,
) -> EvaluationWave:
    """A new wave run by ``unit``; the actor must be a manager there."""
    require_role_for(actor, unit.path, Role.MANAGER)
    segments, dimensions = list(segments), list(dimensions)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the wave a name."), code="no_name")
    if not 1 <= quarter <= 4:
        raise DomainError(_("The quarter must be 1, 2, 3 or 4."), code="bad_quarter")
    if source not in WaveSource.values:
        raise DomainError(_("Unknown source %(source)s.") % {"source": source}, code="bad_source")
    if scale not in SCALE_BOUNDS:
        raise DomainError(_("Unknown answer scale %(scale)s.") % {"scale": scale}, code="bad_scale")
    if unit.kind not in (OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH):
        raise DomainError(
            _("A wave is run by a head office, branch or sub-branch."), code="bad_unit"
        )
    if not segments:
        raise DomainError(_("Choose at least one segment."), code="no_segments")
    if not any(d.code == Dimension.OVERALL for d in dimensions):
        raise DomainError(
            _("The dimensions must include the overall score, on which units are ranked."),
            code="no_overall",
        )
    with acting_as(actor):
        wave = EvaluationWave.objects.create(
            unit=unit,
            name=name,
            year=year,
            quarter=quarter,
            source=source,
            scale=scale,
            has_recommend=has_recommend,
        )
        wave.segments.set(segments)
        wave.dimensions.set(dimensions)
    return wave


def mapping_problems(columns: Mapping[str, str], wave: EvaluationWave) -> list[str]:
    """What is wrong with a column mapping for ``wave`` (empty when it can be used)."""
    problems = []
    dimension_codes = {d.code for d in wave.dimensions.all()}
    for target in columns:
        if target.startswith(DIMENSION_PREFIX):
            code = target[len(DIMENSION_PREFIX) :]
            if code not in dimension_codes:
                problems.append(_("The wave does not ask the dimension %(code)s.") % {"code": code})
        elif target not in MAPPING_FIELDS:
            problems.append(_("Unknown target field %(field)s.") % {"field": target})
    for target in REQUIRED_MAPPING_FIELDS:
        if not columns.get(target):
            problems.append(_("Choose the column holding %(field)s.") % {"field": target})
    if not any(
        t.startswith(DIMENSION_PREFIX) and c and t[len(DIMENSION_PREFIX) :] in dimension_codes
        for t, c in columns.items()
    ):
        problems.append(_("Map at least one dimension score."))
    if columns.get("recommend") and not wave.has_recommend:
        problems.append(_("This wave asks no recommend question."))
    return problems


@transaction.atomic
def response_mapping_save(
    *, actor: Any, unit: OrgUnit, name: str, columns: Mapping[str, str]
) -> ResponseMapping:
    """Save (or replace) the column mapping called ``name``, kept under ``unit``."""
    require_role_for(actor, unit.path, Role.MANAGER)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the mapping a name."), code="no_name")
    cleaned = {str(k): str(v) for k, v in columns.items() if v}
    for target in cleaned:
        if target not in MAPPING_FIELDS and not target.startswith(DIMENSION_PREFIX):
            raise DomainError(
                _("Unknown target field %(field)s.") % {"field": target}, code="bad_mapping"
            )
    existing = ResponseMapping.objects.select_for_update().filter(name=name).first()
    with acting_as(actor):
        if existing is None:
            return ResponseMapping.objects.create(name=name, unit=unit, columns=cleaned)
        require_role_for(actor, existing.unit.path, Role.MANAGER)
        if actor is not None and role_at(actor, existing.unit.path) is None:
            raise DomainError(_("This mapping name is already taken."), code="name_taken")
        existing.unit = unit
        existing.columns = cleaned
        existing.save()
    return existing


@transaction.atomic
def target_rank_set(*, actor: Any, unit: OrgUnit, segment: Segment, rank: int) -> TargetRank:
    """The place ``unit`` aims for among its peers in ``segment``."""
    require_role_for(actor, unit.path, Role.MANAGER)
    if rank < 1:
        raise DomainError(_("The target rank is 1 or more."), code="bad_rank")
    with acting_as(actor):
        target, created = TargetRank.objects.get_or_create(
            unit=unit, segment=segment, defaults={"rank": rank}
        )
        if not created and target.rank != rank:
            target.rank = rank
            target.save()
    return target
