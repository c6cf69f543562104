"""Domestic abuse incidents with children: the attendance, the children and their voices, the
DASH risk assessment, MARAC referrals and the triage queue. Each incident rides on a case of
type "domestic_abuse", which carries its reference, unit, scoping, timeline and clocks."""

from django.conf import settings
from django.db import models

from safeguard.core.models import VersionedModel
from safeguard.domestic_abuse.rules import policy
from safeguard.domestic_abuse.rules.dash import DashGrade
from safeguard.domestic_abuse.rules.triage import OPEN, TriageStatus

DASH_GRADES = [(grade.value, grade.label) for grade in DashGrade]
OPEN_STATUSES = [status.value for status in OPEN]


class Incident(VersionedModel):
    class Relationship(models.TextChoices):
        PARTNER = "partner", "Partner"
        EX_PARTNER = "ex_partner", "Former partner"
        PARENT = "parent", "Parent of the victim"
        CHILD = "child", "Child (16 or over) of the victim"
        SIBLING = "sibling", "Brother or sister"
        OTHER_FAMILY = "other_family", "Other family member"

    # The triage statuses and their steps are one table: rules/triage.py.
    Triage = TriageStatus

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="da_incident")
    attended_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    suspect = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    account = models.TextField("officer's account")
    # The queue for secondary risk assessment by the triage unit.
    triage_status = models.CharField(
        max_length=10,
        choices=[(s.value, s.label) for s in TriageStatus],
        default=TriageStatus.AWAITING.value,
    )
    triage_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triage_claimed_at = models.DateTimeField(null=True, blank=True)
    triage_completed_at = models.DateTimeField(null=True, blank=True)
    triage_grade = models.CharField(max_length=10, choices=DASH_GRADES, blank=True)
    triage_notes = models.TextField(blank=True)
    # The risk grade used to order the queue: the DASH grade, then the secondary one.
    risk_grade = models.CharField(max_length=10, choices=DASH_GRADES, blank=True)
    # Its place in the queue, computed by the database from the grade so no writer can forget
    # it (docs/rules.md 3.1): high and not yet graded 0, medium 1, standard 2. Stored and
    # indexed with the attendance time, so the queue is read in order from the index.
    queue_rank = models.GeneratedField(
        expression=models.Case(
            models.When(risk_grade__in=[DashGrade.HIGH.value, ""], then=models.Value(0)),
            models.When(risk_grade=DashGrade.MEDIUM.value, then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["force", "triage_status", "attended_at"], name="da_queue"),
            # The open queue in its order: highest risk (or not yet graded) first, then oldest.
            models.Index(
                fields=["force", "queue_rank", "attended_at", "id"],
                condition=models.Q(triage_status__in=OPEN_STATUSES),
                name="da_queue_order",
            ),
            models.Index(fields=["force", "created_at"], name="da_arrivals"),
            models.Index(fields=["force", "triage_completed_at"], name="da_completions"),
            models.Index(fields=["victim", "attended_at"], name="da_victim_history"),
        ]

    def __str__(self) -> str:
        return f"domestic abuse incident {self.pk}"


class IncidentChild(models.Model):
    """A child in the household: present or not, where, related to whom, and their voice."""

    class RelatedTo(models.TextChoices):
        VICTIM = "victim", "The victim"
        SUSPECT = "suspect", "The suspect"
        BOTH = "both", "Both"
        NEITHER = "neither", "Neither (another child in the household)"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()
    where = models.CharField("where the child was", max_length=200, blank=True)
    related_to = models.CharField(max_length=10, choices=RelatedTo.choices)
    # Where the child is educated (Operation Encompass): a school URN, at home, or unknown.
    school_urn = models.CharField("school URN", max_length=8, blank=True)
    home_educated = models.BooleanField(default=False)
    spoken_to = models.BooleanField(default=False)
    spoken_to_alone = models.BooleanField(default=False)
    child_said = models.TextField(blank=True)
    demeanour = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "child"], name="da_child_once")]

    def __str__(self) -> str:
        return f"child {self.child_id} in incident {self.incident_id}"


class DashAssessment(models.Model):
    """The 27-question DASH (2009) assessment: answers, score, band and the grade given."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="dash")
    answers = models.JSONField()  # {"1": "yes", ..., "27": "dont_know"}
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=DASH_GRADES)
    grade = models.CharField(max_length=10, choices=DASH_GRADES)
    rationale = models.TextField(blank=True)
    judgement_referral = models.BooleanField(default=False)
    judgement_reason = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"DASH {self.score} ({self.grade}) for incident {self.incident_id}"


class MaracReferral(VersionedModel):
    """A referral to the multi-agency risk assessment conference, with the routes that led
    to it (docs/rules.md 3.2). Its clock runs from the decision until it is sent."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="marac")
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    routes = models.JSONField()  # [[route, reason], ...]
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["victim", "decided_at"], name="marac_victim")]

    def __str__(self) -> str:
        return f"MARAC referral for incident {self.incident_id}"


class DaPolicySetting(VersionedModel):
    """A force's domestic abuse times and its potential-escalation count (docs/rules.md 3.4):
    versioned and audited. In force from `updated_at`, set by `updated_by`."""

    force = models.OneToOneField("accounts.Force", on_delete=models.PROTECT)
    dash_hours = models.PositiveSmallIntegerField(default=policy.DEFAULT_DASH_HOURS)
    triage_high_hours = models.PositiveSmallIntegerField(default=policy.DEFAULT_TRIAGE_HIGH_HOURS)
    triage_medium_working_days = models.PositiveSmallIntegerField(
        default=policy.DEFAULT_TRIAGE_MEDIUM_WORKING_DAYS
    )
    triage_standard_working_days = models.PositiveSmallIntegerField(
        default=policy.DEFAULT_TRIAGE_STANDARD_WORKING_DAYS
    )
    marac_referral_working_days = models.PositiveSmallIntegerField(
        default=policy.DEFAULT_MARAC_REFERRAL_WORKING_DAYS
    )
    escalation_incidents = models.PositiveSmallIntegerField(
        default=policy.DEFAULT_ESCALATION_INCIDENTS
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"domestic abuse policy for force {self.force_id}"

    def as_policy(self) -> policy.DaPolicy:
        return policy.DaPolicy(**{name: getattr(self, name) for name in policy.POLICY_RANGES})
