"""A child protection case and its record: people, decisions, notes, actions, voice of the child."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguard.cases.rules.lifecycle import STATUS_LABELS, Status
from safeguard.cases.rules.naming import Subject, record_name, subject_label
from safeguard.cases.rules.referral import DECISION_LABELS, ReferralDecision
from safeguard.core.calendars import london_date
from safeguard.core.models import VersionedModel

# Where list selectors prefetch a case's subject children (selectors.with_subjects), so naming
# a page of cases costs one query, not one per case.
SUBJECTS_ATTR = "subject_involvements"


class Case(VersionedModel):
    class Type(models.TextChoices):
        ABUSE_NEGLECT = "abuse_neglect", "Child abuse or neglect"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse involving children"
        MISSING = "missing", "Missing child"
        ONLINE_CSE = "online_cse", "Online child sexual exploitation"
        EXPLOITATION = "exploitation", "Child sexual or criminal exploitation"
        CUSTODY = "custody", "Child in custody"
        OTHER = "other", "Other concern"

    class Source(models.TextChoices):
        EMERGENCY_CALL = "emergency_call", "999 call"
        NON_EMERGENCY_CALL = "non_emergency_call", "101 call or online report"
        OFFICER = "officer", "Officer on patrol or attending"
        SOCIAL_CARE = "social_care", "Children's social care"
        SCHOOL = "school", "School or college"
        HEALTH = "health", "Health"
        NCA_CEOP = "nca_ceop", "NCA / CEOP referral"
        OTHER = "other", "Other"

    class Grade(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        STANDARD = "standard", "Standard"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    # Numbered per force and year (CP-2026-000123); unique within the force.
    reference = models.CharField(max_length=20)
    case_type = models.CharField(max_length=20, choices=Type.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(
        max_length=20, choices=[(s.value, STATUS_LABELS[s]) for s in Status], default="received"
    )
    risk_grade = models.CharField(max_length=10, choices=Grade.choices)
    risk_rationale = models.TextField()
    summary = models.TextField(blank=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_owned",
    )
    received_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)
    # The referral decision taken at triage and its reason (rules/referral.py, docs/rules.md
    # 5.1); blank on a case triaged by another context's intake (a missing report, DA triage).
    referral_decision = models.CharField(
        max_length=30,
        blank=True,
        default="",
        db_default="",
        choices=[(d.value, DECISION_LABELS[d]) for d in ReferralDecision],
    )
    referral_reason = models.TextField(blank=True, default="", db_default="")
    allocated_at = models.DateTimeField(null=True, blank=True)
    # When the last of the subject children was first seen (None while one has not been):
    # the child-seen clock is met once every subject child has been seen.
    subjects_seen_at = models.DateTimeField(null=True, blank=True)
    # Derived from allocation and reviews by supervision.rules.next_review_due; stored so the
    # overdue filter is one indexed comparison.
    next_review_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "reference"], name="case_reference_per_force")
        ]
        indexes = [
            models.Index(fields=["force", "-received_at", "-id"], name="case_force_received"),
            models.Index(fields=["force", "status", "-received_at", "-id"], name="case_status"),
            models.Index(fields=["force", "unit", "-received_at", "-id"], name="case_unit"),
            models.Index(fields=["force", "owner", "-received_at", "-id"], name="case_owner"),
            models.Index(fields=["force", "next_review_due_at"], name="case_review_due"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    def _subjects(self) -> list[Subject]:
        involvements = getattr(self, SUBJECTS_ATTR, None)
        if involvements is None:
            involvements = list(
                self.involvements.filter(role=Involvement.Role.SUBJECT)
                .select_related("person")
                .order_by("pk")
            )
            setattr(self, SUBJECTS_ATTR, involvements)
        today = london_date(timezone.now())
        return [Subject(i.person.full_name, i.person.age(today)) for i in involvements]

    @property
    def display_name(self) -> str:
        """The case as people name it: "CP-2026-000376 Benjamin Smith (12)" (rules/naming.py),
        ages on today's London date. Lists load the subjects at once (selectors.attach_subjects)."""
        return record_name(self.reference, self._subjects())

    @property
    def subjects_text(self) -> str:
        """Every subject child, as a case page's heading names them: "Benjamin Smith (12),
        Amy Smith (9)"."""
        return ", ".join(subject_label(subject) for subject in self._subjects())


class ReferenceCounter(models.Model):
    """The last case number issued per force and year, locked while a number is taken."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "year"], name="reference_counter_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Involvement(models.Model):
    class Role(models.TextChoices):
        SUBJECT = "subject", "Subject child"
        SIBLING = "sibling", "Sibling"
        OTHER_CHILD = "other_child", "Other child"
        SUSPECT = "suspect", "Suspect"
        PARENT_CARER = "parent_carer", "Parent or carer"
        REPORTER = "reporter", "Reporter"
        VICTIM = "victim", "Adult victim"

    CHILD_ROLES = (Role.SUBJECT, Role.SIBLING, Role.OTHER_CHILD)

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="involvement_once")
        ]
        indexes = [models.Index(fields=["person", "case"], name="involvement_person")]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.case_id}"


class Allocation(models.Model):
    """Who was given the case and when: the record of who investigated it."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} to {self.allocated_to_id}"


class Decision(models.Model):
    """A decision with its rationale. Never edited: a later decision supersedes it."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decision = models.TextField()
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"decision {self.pk} on {self.case_id}"


class Note(models.Model):
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case_id}"


class Action(VersionedModel):
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_at", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "completed_at", "due_on"], name="action_owner")]

    def __str__(self) -> str:
        return self.title


class VoiceOfChild(models.Model):
    """Was the child seen, spoken to (alone), what did they say, how did they seem; or why not."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="voices")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    seen = models.BooleanField()
    seen_at = models.DateTimeField(null=True, blank=True)
    spoken_to = models.BooleanField()
    spoken_to_alone = models.BooleanField(default=False)
    child_said = models.TextField(blank=True)
    demeanour = models.TextField(blank=True)
    not_seen_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "voices of the child"

    def __str__(self) -> str:
        return f"voice of {self.child_id} on {self.case_id}"


class ChildSeen(models.Model):
    """A child seen by the police on a case other than through a voice-of-the-child record: a
    missing child found with their condition recorded. Counts towards the child-seen clock;
    it is not the child's voice, which closure still needs."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sightings")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    seen_at = models.DateTimeField()
    how = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "child"], name="child_seen_case")]

    def __str__(self) -> str:
        return f"{self.child_id} seen on {self.case_id}"
