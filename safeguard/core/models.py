"""Shared tables: the hash-chained audit log, its chain head, and disclosures to partners."""

from django.conf import settings
from django.db import models


class VersionedModel(models.Model):
    """A record that carries a version, so a stale edit is refused instead of overwriting."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    # DPA 2018 s62(1): collection, alteration, consultation, disclosure, combination, erasure.
    CREATE = "create", "Created (collection)"
    UPDATE = "update", "Changed (alteration)"
    VIEW = "view", "Viewed (consultation)"
    EXPORT = "export", "Exported (consultation)"
    DISCLOSE = "disclose", "Disclosed"
    MERGE = "merge", "Combined"
    DELETE = "delete", "Erased"
    # CJIS AU-2 / ASVS 16.3.1: authentication events and refused authorisations.
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    ACCESS_DENIED = "access_denied", "Access refused"


class AuditEntry(models.Model):
    """One link of the append-only audit chain. Never updated or deleted (triggers refuse it)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    force_id = models.BigIntegerField(null=True, db_index=True)
    actor_user_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    # Names of the changed fields, never the values of free text (SECURITY.md 3, ICO).
    changed_fields = models.JSONField(default=list)
    recipient = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=20, default="success")
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["force_id", "at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The single row that every audit write locks, so the chain grows one link at a time."""

    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"


class Disclosure(models.Model):
    """A record shared with a partner user. A partner sees a record only through one of these."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disclosures_received"
    )
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disclosures_made"
    )
    purpose = models.CharField(max_length=200)
    disclosed_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} to user {self.recipient_id}"


class TimelineEvent(models.Model):
    """One step in a record's story, for the MoJ timeline. The audit log is the legal record;
    this is the reader's. A case's events carry its id; a person's events carry theirs, so a
    child's chronology is their own events plus those of every case they are part of."""

    force_id = models.BigIntegerField()
    case_id = models.BigIntegerField(null=True)
    person_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["case_id", "-at", "-id"], name="timeline_case_at"),
            models.Index(fields=["person_id", "-at", "-id"], name="timeline_person_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ClockState(models.Model):
    """One statutory or policy clock on one record, as last derived from its stored events.

    Never counted: `core.clocks` recomputes every field from the record's timestamps and the
    clock's rule whenever the record changes, so a row can be rebuilt from scratch at any time.
    It is kept so the sweeper can find what is due with one indexed query.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        MET = "met", "Met"
        MET_LATE = "met_late", "Met late"
        BREACHED = "breached", "Breached"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    force_id = models.BigIntegerField()
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    name = models.CharField(max_length=60)  # dotted and stable: "case.child_seen"
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    # Who the ladder starts with, and the record's risk, copied at derivation time.
    owner_id = models.BigIntegerField(null=True)
    unit_id = models.BigIntegerField(null=True)
    high_risk = models.BooleanField(default=False)
    # When the next rung of its ladder falls due (None: none left), from the due time and the
    # rungs already done, so the sweeper reads only the clocks with something to do.
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "name"], name="clock_once_per_record"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="clock_status_due"),
            models.Index(fields=["next_escalation_at"], name="clock_next_escalation"),
            models.Index(fields=["force_id", "owner_id", "status", "due_at"], name="clock_owner"),
            models.Index(fields=["force_id", "unit_id", "status", "due_at"], name="clock_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.object_type}:{self.object_id}"


class Escalation(models.Model):
    """One rung of a clock's escalation ladder, done once: the unique key makes a second sweep
    a no-op, and its outbox messages commit in the same transaction."""

    clock = models.ForeignKey(ClockState, on_delete=models.CASCADE, related_name="escalations")
    rung = models.CharField(max_length=40)  # "owner.before", "supervisor.after", ...
    # The due time the rung was for: a clock re-derived to a new due time escalates afresh.
    due_at = models.DateTimeField()
    escalated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "rung", "due_at"], name="escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.rung} for {self.clock_id}"


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as the change that causes it and
    delivered by the worker: at least once, with one Message-ID, so never twice as far as a
    receiving server can tell (SECURITY.md 6)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        ALERT = "alert", "In-app alert"
        PARTNER = "partner", "Partner notification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED_RETRYING = "failed_retrying", "Failed, retrying"
        DEAD = "dead", "Dead"

    force_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient_user_id = models.BigIntegerField(null=True)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    # The idempotency key: the same for every attempt at this message.
    message_id = models.CharField(max_length=200, unique=True)
    # Set by callers that must not enqueue the same message twice (e.g. a clock's rung).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # in-app alerts

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["recipient_user_id", "channel", "read_at"], name="outbox_alerts"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id} ({self.status})"
