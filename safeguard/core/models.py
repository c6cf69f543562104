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
