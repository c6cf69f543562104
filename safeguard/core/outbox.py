"""The transactional outbox (SECURITY.md 6): every outbound message is a row written in the same
transaction as the change that causes it, and the worker delivers it over SMTP afterwards.

- **Enqueue** (`outbox_enqueue`) only ever inserts a row inside the caller's `atomic()` block:
  a rolled-back change leaves no message, and nothing is sent inside a request.
- **In-app alerts** are delivered by being there: an alert row is SENT when it is written and
  the recipient reads it on the Alerts page (`read_at` when they mark it read).
- **Claims**: the worker claims due rows in a short transaction (PostgreSQL
  `select_for_update(skip_locked=True)`, so workers never share a row; SQLite runs one worker),
  marking them SENDING with `claimed_until`. It sends outside that transaction and marks each
  row SENT in its own small transaction. A worker that dies between the SMTP server's "250 OK"
  and that mark leaves the row SENDING; once the claim expires another run sends it again,
  with the same Message-ID, so the receiving side can tell it is the same message. That is the
  documented at-least-once behaviour (SECURITY.md row 18).
- **Failures**: a permanent refusal (5xx, a refused recipient, no address) makes the row DEAD
  with the reason, never dropped; a connection failure or 4xx makes it FAILED_RETRYING with
  exponential backoff, and DEAD after `OUTBOX_MAX_ATTEMPTS`.
- **Outcomes** are told to the change that caused the message: marking a row SENT or DEAD calls
  the listener registered for its dedupe key's kind (`core/delivery.py`), in the same transaction.
- Logs name message ids only: never a body, a subject or an address.
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Q

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.delivery import delivery_told, email_text
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction, OutboxMessage
from safeguard.core.permissions import Permission

logger = logging.getLogger("safeguard.outbox")

Status = OutboxMessage.Status
Channel = OutboxMessage.Channel

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


def _domain() -> str:
    return str(getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "safeguard.local"))


def _max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def _claim_for() -> timedelta:
    """How long a claimed row is the claiming worker's before another may take it over."""
    return timedelta(seconds=float(getattr(settings, "OUTBOX_CLAIM_SECONDS", 120)))


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_domain()}>"


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... capped at 1 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def outbox_enqueue(
    *,
    channel: str,
    subject: str,
    body: str,
    now: datetime,
    force_id: int | None = None,
    recipient_user_id: int | None = None,
    to_address: str = "",
    link: str = "",
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Write one outbound message. Call it inside the `transaction.atomic()` block that makes
    the change causing it, so both commit or neither does; it refuses to run outside one.

    With a `dedupe_key` already used it writes nothing and returns None (a clock's rung is told
    once however often the sweeper runs). An alert is delivered on being written.
    """
    if not db_connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of the change")
    if channel not in Channel.values:
        raise ValueError(f"unknown outbox channel {channel!r}")
    alert = channel == Channel.ALERT
    message = OutboxMessage(
        force_id=force_id,
        channel=channel,
        recipient_user_id=recipient_user_id,
        to_address=to_address,
        subject=subject[:200],
        body=body,
        link=link[:200],
        message_id=new_message_id(),
        dedupe_key=dedupe_key,
        status=Status.SENT if alert else Status.QUEUED,
        next_attempt_at=now,
        created_at=now,
        sent_at=now if alert else None,
    )
    if dedupe_key is None:
        message.save(force_insert=True)
        return message
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint: a concurrent writer of the same key makes only this insert fail.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    return message


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.dead


def _due(now: datetime) -> Q:
    waiting = Q(status__in=[Status.QUEUED, Status.FAILED_RETRYING], next_attempt_at__lte=now)
    abandoned = Q(status=Status.SENDING, claimed_until__lt=now)  # a crashed worker's claim
    return (waiting | abandoned) & ~Q(channel=Channel.ALERT)


def _claim(*, now: datetime, batch: int) -> list[OutboxMessage]:
    """Take up to `batch` due rows for this worker, in one short transaction."""
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if db_connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING, claimed_until=now + _claim_for()
        )
        claimed = list(OutboxMessage.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))
    return claimed


class _Refused(Exception):
    """The server or the message itself makes delivery impossible: the row goes dead."""


class _Unreachable(Exception):
    """The server could not be reached or said try later: the row retries."""


def _classify(error: Exception) -> Exception:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        reasons = "; ".join(
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        )
        if codes and all(400 <= code < 500 for code in codes):
            return _Unreachable(f"Recipient deferred: {reasons}")
        return _Refused(f"Recipient refused: {reasons}")
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        reason = f"{error.smtp_code} {text}"
        if error.smtp_code >= 500:
            return _Refused(f"Refused by the mail server: {reason}")
        return _Unreachable(f"Mail server said try later: {reason}")
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return _Unreachable(f"Mail server unreachable: {type(error).__name__}: {error}")
    if isinstance(error, smtplib.SMTPException):
        return _Unreachable(f"Mail error: {type(error).__name__}: {error}")
    return _Unreachable(f"{type(error).__name__}: {error}")


def _email(message: OutboxMessage) -> EmailMessage:
    if not message.to_address:
        raise _Refused("No recipient address")
    return EmailMessage(
        subject=message.subject,
        body=email_text(message.body, message.link),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Message-ID": message.message_id},
    )


def _mark_sent(message: OutboxMessage, now: datetime) -> None:
    with transaction.atomic():
        marked = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=now, claimed_until=None, last_error=""
        )
        if marked:
            delivery_told(message, delivered=True, at=now)  # the cause learns (core.delivery)
    logger.debug("outbox message %s sent", message.pk)


def _mark_dead(message: OutboxMessage, reason: str, now: datetime) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.DEAD,
            attempts=message.attempts + 1,
            claimed_until=None,
            last_error=reason[:2000],
        )
        delivery_told(message, delivered=False, at=now, reason=reason)
    logger.warning("outbox message %s dead after %s attempts", message.pk, message.attempts + 1)


def _mark_retrying(message: OutboxMessage, reason: str, now: datetime) -> bool:
    """Schedule the next attempt; returns False when that was the last allowed attempt."""
    attempts = message.attempts + 1
    if attempts >= _max_attempts():
        _mark_dead(message, f"Gave up after {attempts} attempts. {reason}", now)
        return False
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED_RETRYING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            claimed_until=None,
            last_error=reason[:2000],
        )
    logger.info("outbox message %s failed attempt %s; retrying", message.pk, attempts)
    return True


def outbox_deliver_due(*, now: datetime, batch: int = 50, connection: Any = None) -> DeliveryReport:
    """Deliver one batch of due messages over one SMTP connection; call it again for more.

    `connection` is a Django email backend (one is opened from the settings when None).
    Call it outside any transaction (the worker does): the claim and each row's outcome then
    commit on their own, and no row lock is held while talking to the mail server.
    """
    claimed = _claim(now=now, batch=batch)
    if not claimed:
        return DeliveryReport()
    sent = retrying = dead = 0
    mail = connection or get_connection(fail_silently=False)
    opened = False
    try:
        for index, message in enumerate(claimed):
            try:
                email = _email(message)
                if not opened:
                    mail.open()
                    opened = True
                mail.send_messages([email])
            except Exception as error:
                outcome = error if isinstance(error, _Refused) else _classify(error)
                if isinstance(outcome, _Refused):
                    _mark_dead(message, str(outcome), now)
                    dead += 1
                    continue
                # The server is unreachable: the rest of the batch waits too, untried.
                for waiting in claimed[index:]:
                    if _mark_retrying(waiting, str(outcome), now):
                        retrying += 1
                    else:
                        dead += 1
                break
            _mark_sent(message, now)
            sent += 1
    finally:
        if opened:
            try:
                mail.close()
            except Exception:
                logger.debug("closing the SMTP connection failed", exc_info=True)
    return DeliveryReport(sent=sent, retrying=retrying, dead=dead)


def outbox_deliver_all(*, now_fn: Any, batch: int = 50) -> DeliveryReport:
    """Deliver batches until nothing is due (or the server is unreachable)."""
    total = DeliveryReport()
    while True:
        report = outbox_deliver_due(now=now_fn(), batch=batch)
        total = DeliveryReport(
            total.sent + report.sent, total.retrying + report.retrying, total.dead + report.dead
        )
        if report.attempted == 0 or report.retrying:
            return total


def outbox_retry(*, actor: Actor, message_id_pk: int, now: datetime) -> OutboxMessage:
    """Send a dead (or retrying) message of the actor's force again, now, from attempt one."""
    actor.require(Permission.OUTBOX_MANAGE)
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id_pk, force_id=actor.force_id)
            .exclude(channel=Channel.ALERT)
            .first()
        )
        if message is None:
            raise NotFound()
        if message.status not in (Status.DEAD, Status.FAILED_RETRYING):
            raise DomainError("not_undelivered", "This message is not waiting to be delivered.")
        message.status = Status.QUEUED
        message.attempts = 0
        message.next_attempt_at = now
        message.claimed_until = None
        message.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="outbox_message",
            object_id=message.pk,
            reason_code="retried",
            changed_fields=["status", "attempts", "next_attempt_at"],
        )
    logger.info("outbox message %s queued again by user %s", message.pk, actor.user_id)
    return message


def outbox_alert_mark_read(*, actor: Actor, message_id_pk: int, now: datetime) -> OutboxMessage:
    """Mark one of the actor's own in-app alerts read (reading it again changes nothing)."""
    actor.require(Permission.MY_WORK_VIEW)
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(
                pk=message_id_pk,
                channel=Channel.ALERT,
                recipient_user_id=actor.user_id,
                force_id=actor.force_id,
            )
            .first()
        )
        if message is None:
            raise NotFound()
        if message.read_at is None:
            message.read_at = now
            message.save(update_fields=["read_at"])
    return message


def outbox_undelivered(*, actor: Actor) -> Any:
    """The force's messages that are not delivered and need a person: dead first, then retrying."""
    actor.require(Permission.OUTBOX_MANAGE)
    return (
        OutboxMessage.objects.filter(
            force_id=actor.force_id, status__in=[Status.DEAD, Status.FAILED_RETRYING]
        )
        .exclude(channel=Channel.ALERT)
        .order_by("status", "-created_at", "-pk")
    )


def outbox_alerts_for(*, actor: Actor) -> Any:
    """The actor's own in-app alerts, newest first."""
    actor.require(Permission.MY_WORK_VIEW)
    return OutboxMessage.objects.filter(
        channel=Channel.ALERT, recipient_user_id=actor.user_id, force_id=actor.force_id
    ).order_by("-created_at", "-pk")
