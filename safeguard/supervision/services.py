"""Supervisory acts on a case: allocate, review, approve closure, return for work, reopen; and
the force's review intervals. A review is required at allocation, at intervals, and before
closure; the next due time is derived from the stored allocation and review times."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from safeguard.cases.models import Allocation, Case
from safeguard.cases.rules.lifecycle import CASE_LIFECYCLE, Transition, is_closed
from safeguard.cases.rules.record_keeping import closure_approval_problems
from safeguard.cases.selectors import case_assignable_staff
from safeguard.cases.services import (
    case_apply_transition,
    case_change,
    case_set_review_due,
    closure_facts,
)
from safeguard.core.actor import Actor
from safeguard.core.calendars import LONDON, london_date
from safeguard.core.errors import DomainError, refuse_if
from safeguard.core.permissions import Permission
from safeguard.core.unit_of_work import Change, record_change
from safeguard.supervision import rules
from safeguard.supervision.models import Review, ReviewPolicySetting
from safeguard.supervision.selectors import policy_for

FINDINGS_REQUIRED = "Enter your findings"
DIRECTION_REQUIRED = "Enter your direction to the investigator"
NEXT_REVIEW_PAST = "The next review date must be in the future"
NOT_UNDER_SUPERVISION = "A case is reviewed once it is allocated"
OWNER_CANNOT_WORK = "Choose an active officer or investigator of the case's unit"


def _policy(force_id: int) -> rules.ReviewPolicy:
    setting = policy_for(force_id)
    return rules.ReviewPolicy(setting.initial_review_hours, setting.periodic_review_days)


def _end_of(day: date | None) -> datetime | None:
    """A directed review date is due by the end of that day in London (23:59 London time)."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59), tzinfo=LONDON).astimezone(UTC)


def review_due_at(case: Case) -> datetime | None:
    """When the case's next supervisory review is due (None once closed or before allocation)."""
    if is_closed(case.status):
        return None
    last = case.reviews.order_by("-reviewed_at", "-id").first()
    return rules.next_review_due(
        allocated_at=case.allocated_at,
        last_review_at=last.reviewed_at if last else None,
        directed_next_review=_end_of(last.next_review_on) if last else None,
        policy=_policy(case.force_id),
    )


def _review_problems(findings: str, direction: str, next_review_on: date | None, today: date):
    problems = []
    if not findings.strip():
        problems.append(("findings", FINDINGS_REQUIRED))
    if not direction.strip():
        problems.append(("direction", DIRECTION_REQUIRED))
    if next_review_on is not None and next_review_on <= today:
        problems.append(("next_review_on", NEXT_REVIEW_PAST))
    return problems


def _supervise(
    *,
    actor: Actor,
    case_id: int,
    now: datetime,
    version: int | None = None,
    guard: Callable[[Case], None] | None = None,
) -> AbstractContextManager[Change[Case]]:
    """A supervisory change to a case: within CASE_SUPERVISE's reach, through the cases
    service's unit of work (the table's own states are the guard unless one is named)."""
    return case_change(
        actor=actor,
        case_id=case_id,
        now=now,
        version=version,
        permission=Permission.CASE_SUPERVISE,
        guard=guard,
    )


def _store_review_due(change: Change[Case]) -> None:
    """The next review's due time, derived and kept on the case (audited with the change)."""
    case_set_review_due(change, due_at=review_due_at(change.record))


def case_allocate(
    *, actor: Actor, case_id: int, version: int, owner_id: int, now: datetime
) -> Case:
    """Give the case to an investigator. The first supervisory review falls due from now.
    Re-allocating an allocated or investigating case keeps its status: the new owner takes
    the investigation as it stands."""
    with _supervise(actor=actor, case_id=case_id, now=now, version=version) as change:
        case = change.record
        # The owner works in the case's unit: otherwise their own case is out of their sight.
        owner = case_assignable_staff(actor=actor, unit_id=case.unit_id).filter(pk=owner_id).first()
        if owner is None:
            refuse_if([("owner", OWNER_CANNOT_WORK)])
        assert owner is not None
        again = CASE_LIFECYCLE.can(case.status_enum, Transition.REALLOCATE)
        before = case.owner.display_name if again and case.owner else ""
        case_apply_transition(
            change,
            Transition.REALLOCATE if again else Transition.ALLOCATE,
            reason=(
                f"Re-allocated from {before} to {owner.display_name}"
                if before
                else f"Allocated to {owner.display_name}"
            ),
            changes={"owner_id": owner_id, "allocated_at": now},
            title=(
                f"Re-allocated to {owner.display_name}: still {case.status_enum.label.lower()}"
                if again
                else ""
            ),
        )
        Allocation.objects.create(
            force_id=case.force_id,
            case=case,
            allocated_to_id=owner_id,
            allocated_by_id=actor.user_id,
            allocated_at=now,
        )
        _store_review_due(change)
    return case


def _under_supervision(case: Case) -> None:
    """Guard: a case is reviewed once it is allocated, and until it is closed."""
    if case.allocated_at is None or is_closed(case.status):
        raise DomainError("not_allocated", NOT_UNDER_SUPERVISION)


def review_record(
    *,
    actor: Actor,
    case_id: int,
    findings: str,
    direction: str,
    now: datetime,
    next_review_on: date | None = None,
) -> Review:
    """Record a supervisory review: the first after allocation, then periodic ones."""
    refuse_if(_review_problems(findings, direction, next_review_on, london_date(now)))
    with _supervise(actor=actor, case_id=case_id, now=now, guard=_under_supervision) as change:
        case = change.record
        since_allocation = case.reviews.filter(reviewed_at__gte=case.allocated_at).exists()
        review = Review.objects.create(
            force_id=case.force_id,
            case=case,
            kind=Review.Kind.PERIODIC if since_allocation else Review.Kind.ALLOCATION,
            reviewer_id=actor.user_id,
            reviewed_at=now,
            findings=findings.strip(),
            direction=direction.strip(),
            next_review_on=next_review_on,
        )
        _store_review_due(change)
        _review_recorded(change, "review", review.get_kind_display(), review.direction)
    return review


def _review_recorded(change: Change[Case], reason: str, title: str, text: str = "") -> None:
    change.audit(reason=reason, changed=["reviews"])
    change.event(f"supervision.{reason}", title, text, about=None)


def closure_approve(
    *, actor: Actor, case_id: int, version: int, findings: str, direction: str, now: datetime
) -> Case:
    """Close the case with a closure review, by a supervisor who did not investigate it and
    only once every subject child's voice is on the record."""
    refuse_if(_review_problems(findings, direction or "Close the case.", None, london_date(now)))
    with _supervise(actor=actor, case_id=case_id, now=now, version=version) as change:
        case = change.record
        refuse_if(closure_approval_problems(closure_facts(case, approver=actor)), "closure_refused")
        Review.objects.create(
            force_id=case.force_id,
            case=case,
            kind=Review.Kind.CLOSURE,
            reviewer_id=actor.user_id,
            reviewed_at=now,
            findings=findings.strip(),
            direction=direction.strip() or "Close the case.",
        )
        _review_recorded(change, "closure_review", "Closure review", findings.strip())
        case_apply_transition(
            change,
            Transition.APPROVE_CLOSURE,
            changes={"closed_at": now, "next_review_due_at": None},
        )
    return case


def case_return_for_work(
    *, actor: Actor, case_id: int, version: int, reason: str, now: datetime
) -> Case:
    with _supervise(actor=actor, case_id=case_id, now=now, version=version) as change:
        return case_apply_transition(change, Transition.RETURN_FOR_WORK, reason=reason)


def case_reopen(*, actor: Actor, case_id: int, version: int, reason: str, now: datetime) -> Case:
    """Reopen a closed case (a reason is required); reviews fall due again from now."""
    with _supervise(actor=actor, case_id=case_id, now=now, version=version) as change:
        case_apply_transition(
            change,
            Transition.REOPEN,
            reason=reason,
            changes={"closed_at": None, "allocated_at": now},
        )
        _store_review_due(change)
    return change.record


@dataclass(frozen=True)
class PolicyInput:
    initial_review_hours: int
    periodic_review_days: int
    child_seen_high_hours: int = rules.DEFAULT_CHILD_SEEN_HIGH_HOURS
    child_seen_medium_days: int = rules.DEFAULT_CHILD_SEEN_MEDIUM_DAYS
    child_seen_standard_days: int = rules.DEFAULT_CHILD_SEEN_STANDARD_DAYS


def policy_update(
    *, actor: Actor, version: int, data: PolicyInput, now: datetime
) -> ReviewPolicySetting:
    """Change the force's review intervals; versioned and audited. Open cases keep the due
    times already derived until their next allocation or review."""
    actor.require(Permission.POLICY_MANAGE)
    refuse_if(rules.policy_problems(rules.ReviewPolicy(**vars(data))))
    with record_change(
        actor=actor,
        now=now,
        audit_as="supervision_policy",
        lock=lambda: _policy_for_update(actor.force_id),
        version=version,
        noun="setting",
    ) as change:
        change.write(**vars(data), updated_by_id=actor.user_id)
    return change.record


def _policy_for_update(force_id: int) -> ReviewPolicySetting:
    ReviewPolicySetting.objects.get_or_create(force_id=force_id)
    return ReviewPolicySetting.objects.select_for_update().get(force_id=force_id)


def review_overdue_by(case: Case, now: datetime) -> timedelta | None:
    if case.next_review_due_at is None or case.next_review_due_at >= now:
        return None
    return now - case.next_review_due_at
