"""The transactional outbox against a real local SMTP server (aiosmtpd): written with the
change or not at all, delivered with its Message-ID, refused recipients dead with the reason
and retried by a force admin, an outage retried with backoff and delivered exactly once."""

import asyncio
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from safeguard.core.actor import Actor
from safeguard.core.errors import NotFound, PermissionDenied
from safeguard.core.models import AuditEntry, OutboxMessage
from safeguard.core.outbox import (
    backoff,
    outbox_alert_mark_read,
    outbox_deliver_due,
    outbox_enqueue,
    outbox_retry,
)
from safeguard.core.permissions import Role

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
REJECTED = "nobody@school.example"


class Mailbox:
    """An aiosmtpd handler: keeps what it accepts, refuses one address with 550, and can be
    slowed down so a test can catch a worker in the middle of a batch."""

    def __init__(self, reject: tuple[str, ...] = (REJECTED,), delay: float = 0.0) -> None:
        self.messages: list[Message] = []
        self.reject = reject
        self.delay = delay

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Smtp:
    """A local SMTP server that a test can stop and start again on the same port."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Any) -> Iterator[Smtp]:
    server = Smtp(Mailbox())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


def email(now: Any, to: str = "officer@police.example", **kwargs: Any) -> OutboxMessage:
    with transaction.atomic():
        message = outbox_enqueue(
            channel="email",
            subject="Overdue: triage",
            body="A case needs triage.",
            now=now,
            to_address=to,
            **kwargs,
        )
    assert message is not None
    return message


def refresh(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def admin_actor(force_id: int, user_id: int = 1) -> Actor:
    return Actor(
        user_id=user_id, username="admin", force_id=force_id, roles=frozenset({Role.FORCE_ADMIN})
    )


def test_a_message_enqueued_in_a_rolled_back_change_is_never_written_or_sent(smtp):
    now = timezone.now()

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        outbox_enqueue(
            channel="email", subject="s", body="b", now=now, to_address="a@police.example"
        )
        raise Refused()
    assert OutboxMessage.objects.count() == 0
    assert outbox_deliver_due(now=now).attempted == 0
    assert smtp.mailbox.messages == []


def test_enqueue_refuses_to_run_outside_a_transaction(monkeypatch):
    from django.db import connections

    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_enqueue(channel="email", subject="s", body="b", now=timezone.now())


def test_delivery_over_smtp_carries_the_stable_message_id(smtp, settings):
    settings.OUTBOX_MESSAGE_ID_DOMAIN = "force.example"
    now = timezone.now()
    message = email(now, link="/cases/7/")
    assert message.status == Status.QUEUED
    assert message.message_id.startswith("<") and message.message_id.endswith("@force.example>")

    report = outbox_deliver_due(now=now)

    assert (report.sent, report.retrying, report.dead) == (1, 0, 0)
    [received] = smtp.mailbox.messages
    assert received["Message-ID"] == message.message_id
    assert received["To"] == "officer@police.example"
    assert received["Subject"] == "Overdue: triage"
    assert "/cases/7/" in received.get_payload()
    row = refresh(message)
    assert row.status == Status.SENT and row.sent_at == now and row.claimed_until is None
    # Delivered once: another run finds nothing due.
    assert outbox_deliver_due(now=now + timedelta(hours=1)).attempted == 0
    assert len(smtp.mailbox.messages) == 1


def test_a_recipient_the_server_rejects_is_dead_with_the_reason_and_can_be_retried(
    smtp, force, make_user
):
    now = timezone.now()
    admin = make_user(Role.FORCE_ADMIN)
    good = email(now, force_id=force.pk)
    bad = email(now, to=REJECTED, force_id=force.pk)

    report = outbox_deliver_due(now=now)

    assert (report.sent, report.dead) == (1, 1)
    dead = refresh(bad)
    assert dead.status == Status.DEAD
    assert "550" in dead.last_error and "No such mailbox" in dead.last_error
    assert dead.attempts == 1
    assert smtp.mailbox.message_ids() == [good.message_id]
    # Never dropped: a dead message stays dead, it is not retried on its own.
    assert outbox_deliver_due(now=now + timedelta(days=1)).attempted == 0
    assert refresh(bad).status == Status.DEAD

    # The address is corrected at the school; a force admin retries it.
    smtp.mailbox.reject = ()
    later = now + timedelta(minutes=5)
    retried = outbox_retry(actor=admin_actor(force.pk, admin.pk), message_id_pk=bad.pk, now=later)
    assert (retried.status, retried.attempts) == (Status.QUEUED, 0)
    assert AuditEntry.objects.filter(
        object_type="outbox_message", object_id=str(bad.pk), reason_code="retried"
    ).exists()
    assert outbox_deliver_due(now=later).sent == 1
    assert smtp.mailbox.message_ids() == [good.message_id, bad.message_id]
    assert refresh(bad).status == Status.SENT


def test_retry_is_for_force_admins_of_the_message_s_force(smtp, force, other_force):
    now = timezone.now()
    bad = email(now, to=REJECTED, force_id=force.pk)
    outbox_deliver_due(now=now)
    officer = Actor(user_id=5, username="o", force_id=force.pk, roles=frozenset({Role.OFFICER}))
    with pytest.raises(PermissionDenied):
        outbox_retry(actor=officer, message_id_pk=bad.pk, now=now)
    with pytest.raises(NotFound):
        outbox_retry(actor=admin_actor(other_force.pk), message_id_pk=bad.pk, now=now)
    assert refresh(bad).status == Status.DEAD


def test_an_outage_retries_with_backoff_then_delivers_exactly_once(smtp):
    now = timezone.now()
    messages = [email(now, to=f"officer{i}@police.example") for i in range(3)]
    smtp.stop()

    report = outbox_deliver_due(now=now)

    assert (report.sent, report.retrying, report.dead) == (0, 3, 0)
    for message in messages:
        row = refresh(message)
        assert row.status == Status.FAILED_RETRYING
        assert row.attempts == 1
        assert row.next_attempt_at == now + timedelta(seconds=30)
        assert "unreachable" in row.last_error
    # Not due before the backoff has passed.
    assert outbox_deliver_due(now=now + timedelta(seconds=29)).attempted == 0
    # Still down at the second attempt: the wait doubles.
    second = now + timedelta(seconds=30)
    assert outbox_deliver_due(now=second).retrying == 3
    assert refresh(messages[0]).next_attempt_at == second + timedelta(seconds=60)

    smtp.start()  # the server is back, on the same port
    third = second + timedelta(seconds=60)
    assert outbox_deliver_due(now=third).sent == 3
    assert outbox_deliver_due(now=third + timedelta(hours=2)).attempted == 0
    assert sorted(smtp.mailbox.message_ids()) == sorted(m.message_id for m in messages)
    assert {refresh(m).status for m in messages} == {Status.SENT}


def test_backoff_doubles_from_30_seconds_and_is_capped_at_an_hour():
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_a_message_that_keeps_failing_is_dead_after_the_maximum_attempts(smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    now = timezone.now()
    message = email(now)
    smtp.stop()
    at = now
    for _ in range(2):
        assert outbox_deliver_due(now=at).retrying == 1
        at = refresh(message).next_attempt_at
    assert outbox_deliver_due(now=at).dead == 1
    row = refresh(message)
    assert row.status == Status.DEAD and row.attempts == 3
    assert "Gave up after 3 attempts" in row.last_error


def test_a_crashed_worker_s_claim_is_taken_over_after_it_expires_with_the_same_message_id(smtp):
    now = timezone.now()
    message = email(now)
    # A worker claimed it and died before marking it sent.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_until=now + timedelta(minutes=2)
    )
    assert outbox_deliver_due(now=now + timedelta(minutes=1)).attempted == 0
    assert outbox_deliver_due(now=now + timedelta(minutes=3)).sent == 1
    assert smtp.mailbox.message_ids() == [message.message_id]


def test_the_same_dedupe_key_twice_writes_one_message(smtp):
    now = timezone.now()
    first = email(now, dedupe_key="case.triage:42:owner")
    with transaction.atomic():
        second = outbox_enqueue(
            channel="email",
            subject="Overdue: triage",
            body="again",
            now=now,
            to_address="x@police.example",
            dedupe_key="case.triage:42:owner",
        )
    assert second is None
    assert OutboxMessage.objects.filter(dedupe_key="case.triage:42:owner").count() == 1
    outbox_deliver_due(now=now)
    assert smtp.mailbox.message_ids() == [first.message_id]


def test_a_message_with_no_address_is_dead_not_dropped(smtp):
    now = timezone.now()
    message = email(now, to="")
    assert outbox_deliver_due(now=now).dead == 1
    row = refresh(message)
    assert row.status == Status.DEAD and row.last_error == "No recipient address"


def test_an_alert_is_delivered_by_being_written_and_read_by_its_recipient_only(
    smtp, force, make_user
):
    now = timezone.now()
    user = make_user(Role.OFFICER)
    with transaction.atomic():
        alert = outbox_enqueue(
            channel="alert",
            subject="Case SG-1 is overdue for triage",
            body="Overdue by 40 minutes",
            now=now,
            force_id=force.pk,
            recipient_user_id=user.pk,
            link="/cases/1/",
        )
    assert alert is not None and alert.status == Status.SENT and alert.sent_at == now
    assert outbox_deliver_due(now=now).attempted == 0
    assert smtp.mailbox.messages == []
    me = Actor(user_id=user.pk, username="o", force_id=force.pk, roles=frozenset({Role.OFFICER}))
    someone_else = Actor(user_id=user.pk + 1000, username="x", force_id=force.pk, roles=me.roles)
    with pytest.raises(NotFound):
        outbox_alert_mark_read(actor=someone_else, message_id_pk=alert.pk, now=now)
    assert outbox_alert_mark_read(actor=me, message_id_pk=alert.pk, now=now).read_at == now
