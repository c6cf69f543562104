"""Sharing a record with a partner user, and reading what was shared: the one door through
which partners see records."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction, Disclosure
from safeguard.core.permissions import Permission
from safeguard.core.unit_of_work import Change


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


@dataclass(frozen=True)
class Notice:
    """The email that tells a recipient something was shared: a link and no detail of the
    child, since email leaves the secure system."""

    subject: str
    body: str
    link: str


def disclose(
    change: Change[Any],
    *,
    recipient_id: int | None,
    recipient_name: str,
    recipient_email: str,
    object_type: str,
    object_id: object,
    purpose: str,
    notice: Notice,
    audit_as: str = "",
) -> Disclosure | None:
    """Share a record within a unit of work: the disclosure (a partner user's one door to it;
    none for someone known only by an email address), its audit entry (DPA 2018 s62: what was
    disclosed, to whom) and the email telling them, sent after commit. Sharing the same record
    with the same person again adds nothing."""
    record = change.record
    disclosure = None
    if recipient_id is not None:
        disclosure, made = Disclosure.objects.get_or_create(
            force_id=record.force_id,
            object_type=object_type,
            object_id=str(object_id),
            recipient_id=recipient_id,
            defaults={
                "disclosed_by_id": change.actor.user_id,
                "purpose": purpose[:200],
                "disclosed_at": change.now,
            },
        )
        if not made:
            return disclosure
    audit_record(
        actor=change.actor,
        action=AuditAction.DISCLOSE,
        object_type=audit_as or object_type,
        object_id=object_id,
        recipient=recipient_name,
    )
    if recipient_email:
        change.send(
            channel="email",
            subject=notice.subject,
            body=notice.body,
            force_id=record.force_id,
            recipient_user_id=recipient_id,
            to_address=recipient_email,
            link=notice.link,
            dedupe_key=f"disclosure:{object_type}:{object_id}:{recipient_id or recipient_email}",
        )
    return disclosure
