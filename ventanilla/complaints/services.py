"""Every change to a complaint: one function per step, atomic, guarded, leaving an event.

A step refused by the rules raises ``DomainError`` and leaves the complaint unchanged.
The time limits come from the jurisdiction's ``TimeLimitPolicy`` and are computed by the
pure ``clock`` module.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.complaints import clock
from ventanilla.complaints.channels import (
    ALL_CHANNELS,
    EMAIL,
    IN_APP,
    Announcement,
    Recipient,
    announce,
)
from ventanilla.complaints.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ApproverLevel,
    AttachmentKind,
    Axis,
    ClassificationCode,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintPause,
    ContactRole,
    EscalationLevel,
    EscalationNotice,
    LedgerLevel,
    MajorKind,
    Notification,
    PreComplaint,
    RapidAlert,
    Severity,
    Source,
    Status,
    TimeLimitPolicy,
    UnmaskEvent,
    YearCounter,
)
from ventanilla.complaints.permissions import may_unmask
from ventanilla.core.errors import DomainError
from ventanilla.core.masking import mask_phone
from ventanilla.core.scoping import Role, role_at
from ventanilla.customers.models import Customer
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupKind,
    GroupMembership,
    OrgUnit,
    OrgUnitKind,
    PostAssignment,
)
from ventanilla.org.selectors import sub_branch_of

# The statuses each step may start from.
ACCEPT_FROM = (Status.REGISTERED,)
INVESTIGATE_FROM = (Status.ACCEPTED, Status.REOPENED)
PAUSE_FROM = (Status.INVESTIGATING,)
DECIDE_FROM = (Status.ACCEPTED, Status.INVESTIGATING, Status.REOPENED)
CLOSE_FROM = (Status.DECISION_SENT,)
REOPEN_FROM = (Status.DECISION_SENT, Status.CLOSED)
MIN_REASON_LENGTH = 2


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Helpers ----------------------------------------------------------------------------


def _require_role(actor: Any, unit: OrgUnit, role: Role) -> None:
    held = role_at(actor, unit.path)
    if held is None or held < role:
        raise DomainError(
            _("You need the %(role)s role at %(unit)s for this.")
            % {"role": dict(Role.choices())[int(role)].lower(), "unit": unit.display_name},
            code="forbidden",
        )


def _require_status(complaint: Complaint, allowed: tuple[str, ...], action: str) -> None:
    if complaint.status not in allowed:
        raise DomainError(
            _("Complaint %(ref)s is %(status)s: it cannot be %(action)s.")
            % {
                "ref": complaint.reference,
                "status": complaint.get_status_display().lower(),
                "action": action,
            },
            code="bad_status",
        )


def _require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) < MIN_REASON_LENGTH:
        raise DomainError(
            _("%(field)s is required (at least %(n)d characters).")
            % {"field": label, "n": MIN_REASON_LENGTH},
            code="required",
        )
    return value


def _event(
    complaint: Complaint,
    *,
    actor: Any,
    action: str,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _move(
    complaint: Complaint,
    *,
    actor: Any,
    action: str,
    to_status: str,
    at: datetime,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> Complaint:
    from_status = complaint.status
    complaint.status = to_status
    complaint.save(update_fields=["status", *fields])
    _event(
        complaint,
        actor=actor,
        action=action,
        at=at,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    """The complaint re-read under a row lock, so that two steps cannot cross."""
    Complaint.objects.select_for_update().only("id").get(pk=complaint.pk)
    complaint.refresh_from_db()
    return complaint


def lineage_paths(unit: OrgUnit) -> list[str]:
    """The paths from the root down to ``unit`` itself."""
    step = unit.steplen
    return [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]


def policy_for_unit(unit: OrgUnit) -> TimeLimitPolicy:
    """The policy of the nearest jurisdiction above (or at) ``unit``; else the default."""
    paths = lineage_paths(unit)
    policy = (
        TimeLimitPolicy.objects.filter(unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    if policy is None:
        policy = TimeLimitPolicy.objects.filter(unit__isnull=True).order_by("id").first()
    if policy is None:
        raise DomainError(_("No complaint time limit policy is configured."), code="no_policy")
    return policy


def _pauses(complaint: Complaint) -> list[clock.Pause]:
    return [
        clock.Pause(start=p.started_at, end=p.ended_at)
        for p in complaint.pauses.filter(ended_at__isnull=False)
    ]


def compute_due_at(complaint: Complaint) -> datetime:
    """The decision due time under the complaint's policy, with closed pauses and extensions.

    While a pause is open the stored due time stays as it was at the pause's start; pages
    show the clock as stopped, and resuming moves the due time by the whole pause.
    """
    policy = complaint.policy
    days = clock.limit_days(
        policy.decision_days, policy.extension_days, complaint.extensions_granted
    )
    pauses = _pauses(complaint) if "suspended" in policy.paused_statuses else []
    return clock.due_at(
        received_at=complaint.received_at,
        days=days,
        kind=policy.day_kind,
        tz=local_tz(),
        pauses=pauses,
    )


def _next_reference(year: int) -> str:
    """``CMP-YYYY-NNNNNN``: the year's counter row is locked while it moves on by one."""
    try:
        with transaction.atomic():
            YearCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another transaction created the row first; it is there now
    counter = YearCounter.objects.select_for_update().get(year=year)
    YearCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    return f"CMP-{year}-{counter.last_number:06d}"


def _check_code(code: ClassificationCode | None, axis: str, label: str) -> ClassificationCode:
    if code is None or code.axis != axis or not code.is_active:
        raise DomainError(_("Choose an active %(label)s code.") % {"label": label}, code="bad_code")
    return code


def ledger_level_for(unit: OrgUnit, source: str) -> str:
    if unit.kind == OrgUnitKind.OUTLET and source == Source.DIRECT:
        return LedgerLevel.OUTLET
    return LedgerLevel.SUB_BRANCH


# --- Steps ------------------------------------------------------------------------------


@transaction.atomic
def complaint_register(
    *,
    actor: Any,
    unit: OrgUnit,
    received_at: datetime,
    channel: ClassificationCode,
    business_type: ClassificationCode,
    cause: ClassificationCode,
    complainant_name: str,
    phone: str,
    request: str,
    facts: str,
    id_type: str = "resident",
    id_number: str = "",
    agent_name: str = "",
    source: str = Source.DIRECT,
    subject_unit: OrgUnit | None = None,
    subject_employee: Employee | None = None,
    severity: str = Severity.NORMAL,
    major_kind: str = "",
    repeat_of: Complaint | None = None,
    customer: Customer | None = None,
) -> Complaint:
    """Enter a complaint in the ledger and start its clock.

    A repeated complaint that brings new facts is a new complaint with a clock of its own,
    linked to the first through ``repeat_of``; one without new facts is merged instead.
    """
    _require_role(actor, unit, Role.STAFF)
    if unit.kind not in (OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH):
        raise DomainError(
            _("Complaints are accepted by an outlet or a sub-branch, not by %(unit)s.")
            % {"unit": unit.display_name},
            code="bad_unit",
        )
    now = timezone.now()
    if received_at > now:
        raise DomainError(_("The receipt time cannot be in the future."), code="future")
    if source not in Source.values:
        raise DomainError(_("Unknown source %(v)s.") % {"v": source}, code="bad_source")
    if severity not in Severity.values:
        raise DomainError(_("Unknown severity %(v)s.") % {"v": severity}, code="bad_severity")
    if major_kind and (major_kind not in MajorKind.values or severity != Severity.MAJOR):
        raise DomainError(
            _("A reason for being major (%(v)s) needs a known reason and the major severity.")
            % {"v": major_kind},
            code="bad_kind",
        )
    _check_code(channel, Axis.CHANNEL, _("channel"))
    _check_code(business_type, Axis.BUSINESS, _("business type"))
    _check_code(cause, Axis.CAUSE, _("cause"))
    if not (complainant_name or "").strip():
        raise DomainError(_("The complainant's name is required."), code="required")
    if not (phone or "").strip():
        raise DomainError(_("A contact phone is required."), code="required")
    if not (request or "").strip() or not (facts or "").strip():
        raise DomainError(_("The request and the facts are required."), code="required")
    if subject_employee is not None and subject_unit is None:
        subject_unit = subject_employee.unit
    if repeat_of is not None and repeat_of.status == Status.MERGED:
        repeat_of = repeat_of.merged_into
    policy = policy_for_unit(unit)
    tz = local_tz()
    complaint = Complaint(
        reference=_next_reference(received_at.astimezone(tz).year),
        received_at=received_at,
        source=source,
        unit=unit,
        ledger_level=ledger_level_for(unit, source),
        channel=channel,
        business_type=business_type,
        cause=cause,
        complainant_name=complainant_name.strip(),
        id_type=id_type,
        id_number=(id_number or "").strip(),
        phone=phone.strip(),
        agent_name=(agent_name or "").strip(),
        customer=customer,
        subject_unit=subject_unit,
        subject_employee=subject_employee,
        request=request.strip(),
        facts=facts.strip(),
        severity=severity,
        major_kind=major_kind,
        policy=policy,
        registered_by=actor if getattr(actor, "pk", None) else None,
        repeat_of=repeat_of,
        status=Status.REGISTERED,
    )
    complaint.due_at = clock.due_at(
        received_at=received_at, days=policy.decision_days, kind=policy.day_kind, tz=tz
    )
    complaint.first_contact_due_at = clock.due_at(
        received_at=received_at, days=policy.first_contact_days, kind=clock.WORKING, tz=tz
    )
    complaint.save()
    note = ""
    if repeat_of is not None:
        note = _("Repeat of %(ref)s with new facts.") % {"ref": repeat_of.reference}
    _event(
        complaint,
        actor=actor,
        action="register",
        at=now,
        to_status=Status.REGISTERED,
        note=note,
    )
    if severity == Severity.MAJOR:
        _start_rapid_handling(complaint, actor=actor, now=now)
    return complaint


@transaction.atomic
def complaint_accept(
    *, actor: Any, complaint: Complaint, handler: Employee, note: str = ""
) -> Complaint:
    """Accept the complaint and name who handles it (the first contact with the complainant)."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, ACCEPT_FROM, _("accepted"))
    if not handler.is_active:
        raise DomainError(_("The handler must be an active employee."), code="bad_handler")
    sub = sub_branch_of(complaint.unit)
    if not handler.unit.path.startswith(sub.path):
        raise DomainError(
            _("The handler must work in %(unit)s.") % {"unit": sub.display_name},
            code="bad_handler",
        )
    now = timezone.now()
    complaint.handler = handler
    complaint.accepted_at = now
    return _move(
        complaint,
        actor=actor,
        action="accept",
        to_status=Status.ACCEPTED,
        at=now,
        note=note or _("Handler: %(name)s") % {"name": handler.name},
        fields=("handler", "accepted_at"),
    )


@transaction.atomic
def complaint_investigate(*, actor: Any, complaint: Complaint, note: str = "") -> Complaint:
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.STAFF)
    _require_status(complaint, INVESTIGATE_FROM, _("investigated"))
    return _move(
        complaint,
        actor=actor,
        action="investigate",
        to_status=Status.INVESTIGATING,
        at=timezone.now(),
        note=note,
    )


@transaction.atomic
def complaint_pause(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """Stop the clock for an external appraisal or test."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.STAFF)
    _require_status(complaint, PAUSE_FROM, _("paused"))
    reason = _require_text(reason, _("The reason"))
    now = timezone.now()
    ComplaintPause.objects.create(complaint=complaint, started_at=now, reason=reason)
    return _move(
        complaint,
        actor=actor,
        action="pause",
        to_status=Status.SUSPENDED,
        at=now,
        note=reason,
    )


@transaction.atomic
def complaint_resume(*, actor: Any, complaint: Complaint, note: str = "") -> Complaint:
    """Start the clock again; the due time moves later by the time spent paused."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.STAFF)
    _require_status(complaint, (Status.SUSPENDED,), _("resumed"))
    now = timezone.now()
    ComplaintPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=now)
    complaint.due_at = compute_due_at(complaint)
    return _move(
        complaint,
        actor=actor,
        action="resume",
        to_status=Status.INVESTIGATING,
        at=now,
        note=note,
        fields=("due_at",),
    )


def extension_approver_unit(complaint: Complaint, level: str) -> OrgUnit:
    """The unit whose manager approves an extension step of ``level``."""
    sub = sub_branch_of(complaint.unit)
    if level == ApproverLevel.SUB_BRANCH:
        return sub
    parent = OrgUnit.objects.filter(path=sub.parent_path).first() if sub.depth > 1 else None
    return parent or sub


@transaction.atomic
def complaint_extend(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """Grant the policy's next extension step, approved by the role the step names."""
    _locked(complaint)
    _require_status(complaint, OPEN_STATUSES, _("extended"))
    steps = complaint.policy.extension_steps
    if complaint.extensions_granted >= len(steps):
        raise DomainError(
            _("Complaint %(ref)s has had every extension its policy allows.")
            % {"ref": complaint.reference},
            code="no_extension_left",
        )
    step = steps[complaint.extensions_granted]
    approver_unit = extension_approver_unit(complaint, step.get("approver", "sub_branch"))
    _require_role(actor, approver_unit, Role.MANAGER)
    reason = _require_text(reason, _("The reason"))
    now = timezone.now()
    if complaint.status != Status.SUSPENDED and now > complaint.due_at:
        raise DomainError(
            _("The time limit of %(ref)s has already run out; it cannot be extended.")
            % {"ref": complaint.reference},
            code="already_late",
        )
    complaint.extensions_granted += 1
    complaint.due_at = compute_due_at(complaint)
    complaint.save(update_fields=["extensions_granted", "due_at"])
    _event(
        complaint,
        actor=actor,
        action="extend",
        at=now,
        from_status=complaint.status,
        to_status=complaint.status,
        note=_("+%(days)s days, approved at %(unit)s: %(reason)s")
        % {"days": step["days"], "unit": approver_unit.display_name, "reason": reason},
    )
    return complaint


@transaction.atomic
def complaint_send_decision(*, actor: Any, complaint: Complaint, decision: str) -> Complaint:
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, DECIDE_FROM, _("decided"))
    decision = _require_text(decision, _("The decision"))
    now = timezone.now()
    complaint.decision = decision
    complaint.decision_sent_at = now
    return _move(
        complaint,
        actor=actor,
        action="decide",
        to_status=Status.DECISION_SENT,
        at=now,
        note=decision,
        fields=("decision", "decision_sent_at"),
    )


@transaction.atomic
def complaint_close(
    *,
    actor: Any,
    complaint: Complaint,
    is_accepted_by_customer: bool | None,
    root_cause: ClassificationCode | None,
    corrective_action: str,
) -> Complaint:
    """Close the complaint: the decision, the customer's answer, the root cause and the fix."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, CLOSE_FROM, _("closed"))
    missing = []
    if not complaint.decision.strip():
        missing.append(_("the decision"))
    if is_accepted_by_customer is None:
        missing.append(_("whether the customer accepted the decision"))
    if root_cause is None or root_cause.axis != Axis.ROOT_CAUSE or not root_cause.is_active:
        missing.append(_("the root cause"))
    if len((corrective_action or "").strip()) < MIN_REASON_LENGTH:
        missing.append(_("the corrective action"))
    if missing:
        raise DomainError(
            _("Complaint %(ref)s cannot be closed without %(missing)s.")
            % {"ref": complaint.reference, "missing": ", ".join(str(m) for m in missing)},
            code="incomplete",
        )
    now = timezone.now()
    complaint.is_accepted_by_customer = is_accepted_by_customer
    complaint.root_cause = root_cause
    complaint.corrective_action = corrective_action.strip()
    complaint.closed_at = now
    return _move(
        complaint,
        actor=actor,
        action="close",
        to_status=Status.CLOSED,
        at=now,
        note=complaint.corrective_action,
        fields=("is_accepted_by_customer", "root_cause", "corrective_action", "closed_at"),
    )


@transaction.atomic
def complaint_withdraw(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """The complainant withdrew the complaint."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, OPEN_STATUSES, _("withdrawn"))
    reason = _require_text(reason, _("The reason"))
    now = timezone.now()
    ComplaintPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=now)
    return _move(
        complaint,
        actor=actor,
        action="withdraw",
        to_status=Status.WITHDRAWN,
        at=now,
        note=reason,
    )


@transaction.atomic
def complaint_merge(
    *, actor: Any, complaint: Complaint, original: Complaint, note: str = ""
) -> Complaint:
    """Merge a repeated complaint without new facts into the original; its clock stops.

    A repeat that brings new facts is not merged: register it as a new complaint
    (``repeat_of``), which starts a new clock.
    """
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, OPEN_STATUSES, _("merged"))
    if original.pk == complaint.pk:
        raise DomainError(_("A complaint cannot be merged into itself."), code="bad_merge")
    if original.status in (Status.MERGED, Status.WITHDRAWN):
        raise DomainError(
            _("%(ref)s is %(status)s; merge into an active complaint.")
            % {"ref": original.reference, "status": original.get_status_display().lower()},
            code="bad_merge",
        )
    if sub_branch_of(original.unit).pk != sub_branch_of(complaint.unit).pk:
        raise DomainError(
            _("Only complaints of the same sub-branch ledger can be merged."), code="bad_merge"
        )
    if original.received_at > complaint.received_at:
        raise DomainError(
            _("Merge the later complaint into the earlier one, not the other way round."),
            code="bad_merge",
        )
    now = timezone.now()
    ComplaintPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=now)
    complaint.merged_into = original
    _move(
        complaint,
        actor=actor,
        action="merge",
        to_status=Status.MERGED,
        at=now,
        note=note or _("Merged into %(ref)s (no new facts).") % {"ref": original.reference},
        fields=("merged_into",),
    )
    _event(
        original,
        actor=actor,
        action="merge_in",
        at=now,
        from_status=original.status,
        to_status=original.status,
        note=_("%(ref)s merged in (no new facts).") % {"ref": complaint.reference},
    )
    return complaint


@transaction.atomic
def complaint_reopen(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """Reopen a decided or closed complaint; it needs a new decision and a new closing."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.MANAGER)
    _require_status(complaint, REOPEN_FROM, _("reopened"))
    reason = _require_text(reason, _("The reason"))
    complaint.closed_at = None
    complaint.is_accepted_by_customer = None
    return _move(
        complaint,
        actor=actor,
        action="reopen",
        to_status=Status.REOPENED,
        at=timezone.now(),
        note=reason,
        fields=("closed_at", "is_accepted_by_customer"),
    )


@transaction.atomic
def complaint_unmask(*, actor: Any, complaint: Complaint, reason: str) -> UnmaskEvent:
    """Record that ``actor`` is shown the complainant's personal data in full, and why."""
    if not may_unmask(actor, complaint):
        raise DomainError(_("You may not see this complainant's personal data."), code="forbidden")
    reason = _require_text(reason, _("The reason"))
    return UnmaskEvent.objects.create(
        complaint=complaint, actor=actor, reason=reason, at=timezone.now()
    )


# --- Escalation -------------------------------------------------------------------------


def _managers_at(unit: OrgUnit) -> list[Employee]:
    rows = (
        PostAssignment.objects.filter(unit=unit, role__gte=Role.MANAGER, employee__is_active=True)
        .select_related("employee__user")
        .order_by("employee__staff_number")
    )
    return [a.employee for a in rows]


def escalation_recipients(complaint: Complaint, level: str) -> list[Employee]:
    """Who hears of ``level``: the handler; the outlet head; the president and the group."""
    if level == EscalationLevel.HANDLER:
        if complaint.handler is not None and complaint.handler.is_active:
            return [complaint.handler]
        return _managers_at(complaint.unit)
    if level == EscalationLevel.OUTLET_HEAD:
        return _managers_at(complaint.unit)
    sub = sub_branch_of(complaint.unit)
    people = _managers_at(sub)
    members = GroupMembership.objects.filter(
        group__unit=sub,
        group__kind=GroupKind.COMPLAINT_EMERGENCY,
        employee__is_active=True,
    ).select_related("employee__user")
    people += [m.employee for m in members]
    unique: dict[int, Employee] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def _escalation_text(complaint: Complaint, level: str, share: float) -> tuple[str, str]:
    label = EscalationLevel(level).label
    subject = _("%(ref)s: %(level)s") % {"ref": complaint.reference, "level": label}
    body = _(
        "Complaint %(ref)s (%(unit)s), received %(received)s, is due %(due)s. "
        "%(share)d%% of its time limit is used. Status: %(status)s."
    ) % {
        "ref": complaint.reference,
        "unit": complaint.unit.display_name,
        "received": timezone.localtime(complaint.received_at).strftime("%Y-%m-%d %H:%M"),
        "due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M"),
        "share": min(int(share * 100), 999),
        "status": complaint.get_status_display(),
    }
    return str(subject), str(body)


def _reached(policy: TimeLimitPolicy, share: float) -> list[str]:
    levels = sorted(policy.escalation_levels, key=lambda lv: float(lv["at"]))
    return [str(lv["level"]) for lv in levels if share >= float(lv["at"])]


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, now: datetime | None = None) -> list[str]:
    """Record and announce each escalation level the complaint has reached, once.

    Levels already recorded are skipped (the unique constraint guards against two runs at
    the same moment); when several new levels are reached at once only the highest is
    announced, the lower ones are recorded as passed. Returns the levels announced.
    """
    now = now or timezone.now()
    if complaint.status not in OPEN_STATUSES or complaint.status == Status.SUSPENDED:
        return []
    share = clock.elapsed_share(complaint.received_at, complaint.due_at, now)
    reached = _reached(complaint.policy, share)
    done = set(complaint.escalations.values_list("level", flat=True))
    new = [level for level in reached if level not in done]
    if not new:
        return []
    announced: list[str] = []
    for level in new:
        is_top = level == new[-1]
        people = escalation_recipients(complaint, level) if is_top else []
        try:
            with transaction.atomic():
                notice = EscalationNotice.objects.create(
                    complaint=complaint,
                    level=level,
                    at=now,
                    share=round(share, 4),
                    recipients=[p.staff_number for p in people],
                )
        except IntegrityError:
            continue  # another run recorded this level first
        if not is_top:
            continue
        announced.append(level)
        subject, body = _escalation_text(complaint, level, share)
        # A breach is urgent: the president and the emergency group get a text as well.
        channels = ALL_CHANNELS if level == EscalationLevel.BREACH else (IN_APP, EMAIL)
        announce(
            Announcement(complaint=complaint, subject=subject, body=body, at=now, notice=notice),
            [Recipient.of(p) for p in people],
            channels,
        )
        _event(
            complaint,
            actor=None,
            action="escalate",
            at=now,
            from_status=complaint.status,
            to_status=complaint.status,
            note=f"{subject} → {', '.join(p.name for p in people) or '—'}",
        )
    return announced


def complaint_escalations_run(*, now: datetime | None = None) -> int:
    """Escalate every open complaint whose clock runs; safe to run any number of times."""
    now = now or timezone.now()
    running = [s for s in OPEN_STATUSES if s != Status.SUSPENDED]
    candidates = (
        Complaint.objects.filter(status__in=running)
        .select_related("unit", "policy", "handler__user")
        .prefetch_related(
            Prefetch("escalations", queryset=EscalationNotice.objects.only("complaint", "level"))
        )
        .order_by("id")
    )
    count = 0
    for complaint in candidates.iterator(chunk_size=500):
        # Most open complaints have reached no new level: tell from what is loaded, and open
        # a transaction (which re-reads the levels) only for those that have.
        share = clock.elapsed_share(complaint.received_at, complaint.due_at, now)
        done = {notice.level for notice in complaint.escalations.all()}
        if all(level in done for level in _reached(complaint.policy, share)):
            continue
        count += len(complaint_escalate(complaint=complaint, now=now))
    return count


@transaction.atomic
def notifications_mark_read(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` as read."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Pre-complaints ---------------------------------------------------------------------


@transaction.atomic
def pre_complaint_record(
    *,
    actor: Any,
    unit: OrgUnit,
    what: str,
    is_resolved_on_spot: bool,
    customer_name: str = "",
    customer_phone: str = "",
) -> PreComplaint:
    """Note dissatisfaction caught in the lobby, in a few taps."""
    _require_role(actor, unit, Role.STAFF)
    if unit.kind not in (OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH):
        raise DomainError(
            _("Pre-complaints are recorded at an outlet or a sub-branch, not at %(unit)s.")
            % {"unit": unit.display_name},
            code="bad_unit",
        )
    what = _require_text(what, _("What the customer was unhappy about"))
    return PreComplaint.objects.create(
        unit=unit,
        recorded_at=timezone.now(),
        recorded_by=actor,
        what=what,
        customer_name=(customer_name or "").strip(),
        customer_phone=(customer_phone or "").strip(),
        is_resolved_on_spot=is_resolved_on_spot,
    )


@transaction.atomic
def pre_complaint_convert(
    *, actor: Any, pre_complaint: PreComplaint, **complaint_fields: Any
) -> Complaint:
    """Turn a pre-complaint into a complaint, received when the pre-complaint was noted."""
    locked = PreComplaint.objects.select_for_update().get(pk=pre_complaint.pk)
    if locked.complaint_id is not None:
        raise DomainError(
            _("This pre-complaint is already complaint %(ref)s.")
            % {"ref": locked.complaint.reference},  # type: ignore[union-attr]
            code="already_converted",
        )
    complaint_fields.setdefault("unit", locked.unit)
    complaint_fields.setdefault("received_at", locked.recorded_at)
    complaint = complaint_register(actor=actor, **complaint_fields)
    locked.complaint = complaint
    locked.save(update_fields=["complaint"])
    pre_complaint.complaint = complaint
    _event(
        complaint,
        actor=actor,
        action="from_pre_complaint",
        at=timezone.now(),
        from_status=complaint.status,
        to_status=complaint.status,
        note=locked.what,
    )
    return complaint


# --- Rapid handling ---------------------------------------------------------------------


def emergency_contact_for(complaint: Complaint) -> EmergencyContact | None:
    """The contact list entry for the policy's duty at the complaint's unit, or the nearest
    unit above it that has one."""
    unit = complaint.unit
    paths = lineage_paths(unit)
    return (
        EmergencyContact.objects.filter(unit__path__in=paths, duty=complaint.policy.emergency_duty)
        .select_related("unit", "primary__user", "backup__user")
        .order_by("-unit__depth")
        .first()
    )


def _alert_text(complaint: Complaint, role: str, minutes: int) -> tuple[str, str]:
    subject = _("%(ref)s: major complaint (%(kind)s)") % {
        "ref": complaint.reference,
        "kind": complaint.get_major_kind_display() or complaint.get_severity_display(),
    }
    if role == ContactRole.PRIMARY:
        ask = _("Acknowledge within %(n)d minutes, or the backup (B) is alerted.") % {"n": minutes}
    else:
        ask = _("The primary contact (A) did not acknowledge in time; please acknowledge.")
    body = _("Complaint %(ref)s at %(unit)s, received %(received)s, is major. %(ask)s") % {
        "ref": complaint.reference,
        "unit": complaint.unit.display_name,
        "received": timezone.localtime(complaint.received_at).strftime("%Y-%m-%d %H:%M"),
        "ask": ask,
    }
    return str(subject), str(body)


def _alert(
    complaint: Complaint, contact: EmergencyContact, role: str, now: datetime, actor: Any = None
) -> RapidAlert | None:
    """Alert the contact's A or B once (in the app, by e-mail and by text); None if done."""
    if role == ContactRole.PRIMARY:
        employee, phone = contact.primary, contact.primary_phone
    else:
        employee, phone = contact.backup, contact.backup_phone
    try:
        with transaction.atomic():
            alert = RapidAlert.objects.create(
                complaint=complaint,
                contact=contact,
                role=role,
                employee=employee,
                phone=phone,
                alerted_at=now,
            )
    except IntegrityError:
        return None  # another run alerted this contact first
    subject, body = _alert_text(complaint, role, complaint.policy.acknowledge_minutes)
    announce(
        Announcement(complaint=complaint, subject=subject, body=body, at=now, alert=alert),
        [Recipient.of(employee, phone=phone)],
    )
    _event(
        complaint,
        actor=actor,
        action="alert_a" if role == ContactRole.PRIMARY else "alert_b",
        at=now,
        from_status=complaint.status,
        to_status=complaint.status,
        note=_("%(duty)s at %(unit)s: %(name)s, %(phone)s")
        % {
            "duty": contact.duty,
            "unit": contact.unit.display_name,
            "name": employee.name,
            "phone": mask_phone(phone),
        },
    )
    return alert


def _start_rapid_handling(complaint: Complaint, *, actor: Any, now: datetime) -> None:
    contact = emergency_contact_for(complaint)
    if contact is None:
        _event(
            complaint,
            actor=actor,
            action="alert_a",
            at=now,
            from_status=complaint.status,
            to_status=complaint.status,
            note=_(
                "No emergency contact for the duty %(duty)s at %(unit)s or above: nobody alerted."
            )
            % {"duty": complaint.policy.emergency_duty, "unit": complaint.unit.display_name},
        )
        return
    _alert(complaint, contact, ContactRole.PRIMARY, now, actor=actor)


@transaction.atomic
def complaint_mark_major(
    *, actor: Any, complaint: Complaint, kind: str, note: str = ""
) -> Complaint:
    """Mark the complaint major and alert the emergency contact A of its unit at once."""
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.STAFF)
    if kind not in MajorKind.values:
        raise DomainError(
            _("Say why the complaint is major: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in MajorKind.labels)},
            code="bad_kind",
        )
    _require_status(complaint, OPEN_STATUSES, _("marked major"))
    if complaint.severity == Severity.MAJOR:
        raise DomainError(
            _("Complaint %(ref)s is already major.") % {"ref": complaint.reference},
            code="already_major",
        )
    now = timezone.now()
    complaint.severity = Severity.MAJOR
    complaint.major_kind = kind
    _move(
        complaint,
        actor=actor,
        action="mark_major",
        to_status=complaint.status,
        at=now,
        note=" · ".join(x for x in (str(MajorKind(kind).label), (note or "").strip()) if x),
        fields=("severity", "major_kind"),
    )
    _start_rapid_handling(complaint, actor=actor, now=now)
    return complaint


@transaction.atomic
def complaint_acknowledge(*, actor: Any, complaint: Complaint, note: str = "") -> RapidAlert:
    """The alerted contact (A, or B once alerted) confirms they have taken the complaint on."""
    _locked(complaint)
    alerts = list(complaint.alerts.select_related("employee", "acknowledged_by"))
    if not alerts:
        raise DomainError(
            _("Complaint %(ref)s has no emergency alert to acknowledge.")
            % {"ref": complaint.reference},
            code="no_alert",
        )
    done = next((a for a in alerts if a.acknowledged_at is not None), None)
    if done is not None:
        raise DomainError(
            _("The alert was already acknowledged by %(name)s at %(at)s.")
            % {
                "name": done.employee.name,
                "at": timezone.localtime(done.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="already_acknowledged",
        )
    mine = [a for a in alerts if actor.pk is not None and a.employee.user_id == actor.pk]
    if not mine:
        raise DomainError(
            _("Only the alerted emergency contact can acknowledge the alert."), code="forbidden"
        )
    alert = mine[0]
    now = timezone.now()
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _event(
        complaint,
        actor=actor,
        action="acknowledge",
        at=now,
        from_status=complaint.status,
        to_status=complaint.status,
        note=" · ".join(
            x
            for x in (
                _("%(role)s: %(name)s")
                % {"role": alert.get_role_display(), "name": alert.employee.name},
                (note or "").strip(),
            )
            if x
        ),
    )
    return alert


@transaction.atomic
def complaint_alert_backup(*, complaint: Complaint, now: datetime | None = None) -> bool:
    """Alert B when A has not acknowledged within the policy's minutes; at most once."""
    now = now or timezone.now()
    _locked(complaint)
    if complaint.status in FINAL_STATUSES:
        return False
    alerts = {a.role: a for a in complaint.alerts.select_related("contact__unit")}
    first = alerts.get(ContactRole.PRIMARY)
    if first is None or first.acknowledged_at is not None or ContactRole.BACKUP in alerts:
        return False
    if now < first.alerted_at + timedelta(minutes=complaint.policy.acknowledge_minutes):
        return False
    contact = first.contact or emergency_contact_for(complaint)
    if contact is None:
        return False
    return _alert(complaint, contact, ContactRole.BACKUP, now) is not None


def rapid_alerts_run(*, now: datetime | None = None) -> int:
    """Alert every B whose A is late to acknowledge; safe to run any number of times."""
    now = now or timezone.now()
    waiting = (
        RapidAlert.objects.filter(role=ContactRole.PRIMARY, acknowledged_at__isnull=True)
        .exclude(complaint__alerts__role=ContactRole.BACKUP)
        .exclude(complaint__status__in=FINAL_STATUSES)
        .select_related("complaint__policy", "complaint__unit")
        .order_by("alerted_at", "id")
    )
    count = 0
    for alert in waiting.iterator(chunk_size=500):
        limit = alert.alerted_at + timedelta(minutes=alert.complaint.policy.acknowledge_minutes)
        if now >= limit and complaint_alert_backup(complaint=alert.complaint, now=now):
            count += 1
    return count


# --- Attachments ------------------------------------------------------------------------

# Accepted types: the extension, the content type stored, and how the file must start.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    "mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_max_bytes() -> int:
    return int(getattr(settings, "COMPLAINTS_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def _check_upload(upload: Any) -> str:
    """The content type of an acceptable upload; ``DomainError`` naming what is wrong."""
    name = (getattr(upload, "name", "") or "").strip()
    if not name:
        raise DomainError(_("Choose a file to attach."), code="required")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise DomainError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    limit = attachment_max_bytes()
    if size > limit:
        raise DomainError(
            _("The file %(name)s is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ATTACHMENT_TYPES:
        raise DomainError(
            _("Files of type %(type)s cannot be attached; accepted: %(accepted)s.")
            % {
                "type": f".{suffix}" if suffix else _("(no extension)"),
                "accepted": ", ".join(f".{s}" for s in ATTACHMENT_TYPES),
            },
            code="bad_type",
        )
    content_type, signatures = ATTACHMENT_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise DomainError(
            _("The file %(name)s is not a real .%(type)s file.") % {"name": name, "type": suffix},
            code="bad_type",
        )
    return content_type


@transaction.atomic
def attachment_add(
    *, actor: Any, complaint: Complaint, upload: Any, kind: str
) -> ComplaintAttachment:
    """Store a file on the complaint (evidence, the decision letter) and note it on the timeline.

    A closed, withdrawn or merged complaint takes no more files until it is reopened.
    """
    _locked(complaint)
    _require_role(actor, complaint.unit, Role.STAFF)
    if kind not in AttachmentKind.values:
        raise DomainError(_("Unknown kind of attachment %(v)s.") % {"v": kind}, code="bad_kind")
    if complaint.status in FINAL_STATUSES:
        raise DomainError(
            _("Complaint %(ref)s is %(status)s: reopen it to attach files.")
            % {"ref": complaint.reference, "status": complaint.get_status_display().lower()},
            code="bad_status",
        )
    content_type = _check_upload(upload)
    now = timezone.now()
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = ComplaintAttachment(
        complaint=complaint,
        kind=kind,
        name=name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=now,
    )
    # Every check is done before the file is stored, so refused input stores nothing.
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _event(
        complaint,
        actor=actor,
        action="attach",
        at=now,
        from_status=complaint.status,
        to_status=complaint.status,
        note=f"{AttachmentKind(kind).label}: {name} ({filesizeformat(upload.size)})",
    )
    return attachment
