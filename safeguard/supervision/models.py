"""Supervisory reviews of cases, and each force's review intervals."""

from django.conf import settings
from django.db import models

from safeguard.core.models import VersionedModel
from safeguard.supervision.rules import (
    DEFAULT_CHILD_SEEN_HIGH_HOURS,
    DEFAULT_CHILD_SEEN_MEDIUM_DAYS,
    DEFAULT_CHILD_SEEN_STANDARD_DAYS,
    DEFAULT_INITIAL_REVIEW_HOURS,
    DEFAULT_PERIODIC_REVIEW_DAYS,
)


class ReviewPolicySetting(VersionedModel):
    """A force's supervision intervals. Every change is versioned and audited."""

    force = models.OneToOneField("accounts.Force", on_delete=models.PROTECT)
    initial_review_hours = models.PositiveSmallIntegerField(default=DEFAULT_INITIAL_REVIEW_HOURS)
    periodic_review_days = models.PositiveSmallIntegerField(default=DEFAULT_PERIODIC_REVIEW_DAYS)
    # How soon the child must be seen, by the case's risk grade (case.child_seen clock).
    child_seen_high_hours = models.PositiveSmallIntegerField(default=DEFAULT_CHILD_SEEN_HIGH_HOURS)
    child_seen_medium_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CHILD_SEEN_MEDIUM_DAYS
    )
    child_seen_standard_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CHILD_SEEN_STANDARD_DAYS
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"review policy for force {self.force_id}"


class Review(models.Model):
    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "Review at allocation"
        PERIODIC = "periodic", "Periodic review"
        CLOSURE = "closure", "Closure review"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    findings = models.TextField()
    direction = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["case", "-reviewed_at"], name="review_case_at")]

    def __str__(self) -> str:
        return f"{self.kind} review of {self.case_id}"
