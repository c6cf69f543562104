"""Reading what was disclosed to a partner user: the one door through which partners see records."""

from django.db.models import QuerySet

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction, Disclosure
from safeguard.core.permissions import Permission


def disclosure_list_received(*, actor: Actor) -> QuerySet[Disclosure]:
    """Live disclosures to this actor within their force, newest first; the read is audited."""
    actor.require(Permission.DISCLOSURE_VIEW)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="disclosure",
        object_id="list",
        reason_code="list",
    )
    return Disclosure.objects.filter(
        force_id=actor.force_id, recipient_id=actor.user_id, revoked_at__isnull=True
    ).order_by("-disclosed_at", "-pk")
