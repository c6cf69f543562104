"""What became of an outbox message, told to the context that caused it: a registry of delivery
listeners by message kind, filled at app start-up (as the clock registries are).

A message's kind is the start of its dedupe key up to a colon ("disclosure:encompass_notification"
for "disclosure:encompass_notification:42:7"). When the outbox marks an email delivered (the
mail server said 250) or gives it up (dead: refused, or too many attempts), it calls the
listener registered for the longest kind that begins the key, inside the transaction that
marks the message, so the cause learns of it exactly when the outbox records it. A listener
that fails is logged (by message id only) and never undoes the outbox's own record.

Contexts also read where their messages stand (`delivery_states`) and queue undelivered ones
again (`delivery_requeue`) by dedupe key prefix, and say what an email will read
(`email_text`), without knowing the outbox's rows.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction

from safeguard.core.models import OutboxMessage

logger = logging.getLogger("safeguard.outbox")


@dataclass(frozen=True)
class Delivery:
    """An email's outcome: delivered (accepted by the mail server) or given up."""

    dedupe_key: str
    message_pk: int
    delivered: bool
    at: datetime
    reason: str = ""  # why it was given up


@dataclass(frozen=True)
class DeliveryState:
    """Where one message stands: queued, sending, sent, failed_retrying or dead."""

    dedupe_key: str
    to_address: str
    status: str
    delivered_at: datetime | None
    attempts: int
    last_error: str

    @property
    def delivered(self) -> bool:
        return self.status == OutboxMessage.Status.SENT

    @property
    def given_up(self) -> bool:
        return self.status == OutboxMessage.Status.DEAD

    @property
    def retrying(self) -> bool:
        return self.status == OutboxMessage.Status.FAILED_RETRYING


Listener = Callable[[Delivery], None]
_LISTENERS: dict[str, Listener] = {}


def delivery_listener_register(kind: str, listener: Listener) -> None:
    """Call `listener` with each delivery outcome of messages whose dedupe key starts with
    `kind` and a colon. Registered once per kind, at app start-up."""
    _LISTENERS[kind] = listener


def _listener_for(key: str) -> Listener | None:
    kinds = [kind for kind in _LISTENERS if key.startswith(f"{kind}:")]
    return _LISTENERS[max(kinds, key=len)] if kinds else None


def delivery_told(
    message: OutboxMessage, *, delivered: bool, at: datetime, reason: str = ""
) -> None:
    """The outbox has just marked `message` delivered or given up: tell its kind's listener,
    in a savepoint of the outbox's own transaction."""
    key = message.dedupe_key or ""
    listener = _listener_for(key) if key else None
    if listener is None:
        return
    try:
        with transaction.atomic():
            listener(Delivery(key, message.pk, delivered, at, reason))
    except Exception:
        logger.exception("delivery listener failed for outbox message %s", message.pk)


def delivery_states(prefix: str) -> dict[str, DeliveryState]:
    """Where the messages whose dedupe keys start with `prefix` stand, by key."""
    if not prefix:
        raise ValueError("a dedupe key prefix is needed")
    rows = OutboxMessage.objects.filter(dedupe_key__startswith=prefix).values_list(
        "dedupe_key", "to_address", "status", "sent_at", "attempts", "last_error"
    )
    return {
        str(key): DeliveryState(str(key), to, status, sent, tries, error)
        for key, to, status, sent, tries, error in rows
    }


def delivery_requeue(prefix: str, *, now: datetime) -> int:
    """Queue again, from attempt one, the undelivered (dead or retrying) messages whose dedupe
    keys start with `prefix`; call it inside the transaction of the change that asks (its
    service has checked who may). Returns how many were queued."""
    if not prefix:
        raise ValueError("a dedupe key prefix is needed")
    if not db_connection.in_atomic_block:
        raise RuntimeError("delivery_requeue must run inside the transaction of the change")
    return OutboxMessage.objects.filter(
        dedupe_key__startswith=prefix,
        status__in=[OutboxMessage.Status.DEAD, OutboxMessage.Status.FAILED_RETRYING],
    ).update(
        status=OutboxMessage.Status.QUEUED,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
    )


def email_text(body: str, link: str) -> str:
    """The text of an email as the outbox sends it: the body, then the link as a whole address
    (links are stored as paths; a mail client needs the whole address to open one)."""
    if not link:
        return body
    base = str(getattr(settings, "PUBLIC_URL", "")).rstrip("/")
    return f"{body}\n\n{base}{link}" if link.startswith("/") else f"{body}\n\n{link}"
