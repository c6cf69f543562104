"""Reads for supervision: reviews due, and the force's intervals."""

from datetime import datetime, timedelta

from safeguard.cases.models import Case
from safeguard.cases.rules.lifecycle import Status
from safeguard.cases.selectors import attach_subjects, cases_visible_to
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.supervision.models import ReviewPolicySetting

DUE_SOON = timedelta(days=2)


def reviews_due_visible_to(*, actor: Actor, now: datetime, limit: int = 100) -> list[Case]:
    """Open cases the actor supervises whose review is overdue or due within two days."""
    cases = list(
        cases_visible_to(actor, Permission.CASE_SUPERVISE)
        .exclude(status=Status.CLOSED)
        .filter(next_review_due_at__lt=now + DUE_SOON)
        .select_related("owner", "unit")
        .order_by("next_review_due_at", "id")[:limit]
    )
    attach_subjects(cases)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="case",
        object_id="list",
        reason_code="reviews_due",
    )
    return cases


def policy_for(force_id: int) -> ReviewPolicySetting:
    """The force's intervals; an unsaved row of defaults until a force admin changes them."""
    setting = ReviewPolicySetting.objects.filter(force_id=force_id).first()
    return setting or ReviewPolicySetting(force_id=force_id)


def policy_get(*, actor: Actor) -> ReviewPolicySetting:
    actor.require(Permission.POLICY_VIEW)
    return policy_for(actor.force_id)
