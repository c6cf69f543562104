"""Writing and verifying the hash-chained audit log (DPA 2018 s62; CJIS AU-2, AU-3, AU-9)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from safeguard.core.actor import Actor
from safeguard.core.context import current_request_id
from safeguard.core.models import AuditAction, AuditChainHead, AuditEntry
from safeguard.core.rules import GENESIS_HASH, chain_hash

# The fields that make up an entry's hash, in the form they are stored.
HASHED_FIELDS = (
    "seq",
    "at",
    "force_id",
    "actor_user_id",
    "actor_username",
    "channel",
    "action",
    "object_type",
    "object_id",
    "reason_code",
    "changed_fields",
    "recipient",
    "outcome",
    "request_id",
)


def _canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _hash_input(values: dict) -> dict:
    return {**values, "at": _canonical_at(values["at"])}


def audit_record(
    *,
    actor: Actor | None,
    action: AuditAction,
    object_type: str = "",
    object_id: object = "",
    reason_code: str = "",
    changed_fields: Iterable[str] = (),
    recipient: str = "",
    outcome: str = "success",
    username: str = "",
    force_id: int | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction when there is one.

    The chain head row is locked first, so concurrent writers add links one at a time and an
    entry commits or rolls back together with the change it records.
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        values = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "force_id": actor.force_id if actor else force_id,
            "actor_user_id": actor.user_id if actor else None,
            "actor_username": (actor.username if actor else username)[:150],
            "channel": actor.channel if actor else "web",
            "action": str(action),
            "object_type": object_type,
            "object_id": str(object_id)[:64],
            "reason_code": reason_code,
            "changed_fields": sorted(changed_fields),
            "recipient": recipient[:150],
            "outcome": outcome,
            "request_id": current_request_id()[:64],
        }
        entry_hash = chain_hash(head.entry_hash, _hash_input(values))
        entry = AuditEntry.objects.create(
            **values, prev_hash=head.entry_hash, entry_hash=entry_hash
        )
        AuditChainHead.objects.filter(pk=1).update(seq=values["seq"], entry_hash=entry_hash)
        return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    first_bad_seq: int | None = None


def audit_verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in order and name the first entry that was altered, deleted or reordered."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    rows = AuditEntry.objects.order_by("seq").values_list(*HASHED_FIELDS, "prev_hash", "entry_hash")
    for row in rows.iterator(chunk_size=chunk_size):
        values = dict(zip(HASHED_FIELDS, row[: len(HASHED_FIELDS)], strict=True))
        stored_prev, stored_hash = row[-2], row[-1]
        seq = values["seq"]
        if seq != expected_seq:
            return ChainReport(
                False, checked, f"entry #{expected_seq} is missing: it was deleted", expected_seq
            )
        linked = stored_prev == prev_hash
        intact = chain_hash(stored_prev, _hash_input(values)) == stored_hash
        if not linked and not intact:
            return ChainReport(
                False, checked, f"entry #{seq} is out of place: entries were reordered", seq
            )
        if not intact:
            return ChainReport(
                False,
                checked,
                f"entry #{seq} was altered: its content does not match its hash",
                seq,
            )
        if not linked:
            return ChainReport(
                False,
                checked,
                f"entry #{seq} does not follow entry #{seq - 1}: "
                f"entry #{seq - 1} was altered and its hash rewritten",
                seq - 1,
            )
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.get(pk=1)
    if head.seq != checked or head.entry_hash != prev_hash:
        return ChainReport(
            False,
            checked,
            f"the chain ends at entry #{checked} but its head records #{head.seq}: "
            f"entries from #{checked + 1} were deleted",
            checked + 1,
        )
    return ChainReport(True, checked)


@dataclass(frozen=True)
class RecentChange:
    username: str
    at: datetime
    fields: list[str]


def audit_recent_changes(
    *, force_id: int, object_type: str, object_id: object, count: int
) -> list[RecentChange]:
    """Who changed a record last, and which fields: shown when a stale edit is refused."""
    entries = AuditEntry.objects.filter(
        force_id=force_id,
        object_type=object_type,
        object_id=str(object_id),
        action=AuditAction.UPDATE,
    ).order_by("-seq")[: max(count, 1)]
    return [RecentChange(e.actor_username, e.at, list(e.changed_fields)) for e in entries]
