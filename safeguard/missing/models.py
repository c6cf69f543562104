"""Missing children: each episode rides on a case of type "missing", which carries its
reference, owner, unit, scoping and clocks; the episode holds what is particular to it."""

from django.conf import settings
from django.db import models

from safeguard.core.models import VersionedModel
from safeguard.missing.rules import response
from safeguard.missing.rules.grading import GRADE_LABELS, Grade, MissingFrom
from safeguard.missing.rules.lifecycle import EpisodeStatus

GRADE_CHOICES = [(g.value, GRADE_LABELS[g]) for g in Grade]
MISSING_FROM_CHOICES = [
    (MissingFrom.HOME.value, "Home"),
    (MissingFrom.CARE.value, "A care placement"),
    (MissingFrom.SCHOOL.value, "School"),
    (MissingFrom.HOSPITAL.value, "Hospital"),
    (MissingFrom.ELSEWHERE.value, "Somewhere else"),
]


class Episode(VersionedModel):
    class Status(models.TextChoices):
        # The values and labels are the lifecycle's (rules/lifecycle.py), written once there.
        MISSING = EpisodeStatus.MISSING.value, EpisodeStatus.MISSING.label
        FOUND = EpisodeStatus.FOUND.value, EpisodeStatus.FOUND.label

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="missing_episode"
    )
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    # The report
    reported_at = models.DateTimeField()
    reported_by = models.CharField("reported by", max_length=160)
    reporter_relationship = models.CharField(max_length=80, blank=True)
    missing_from = models.CharField(max_length=10, choices=MISSING_FROM_CHOICES)
    placement_name = models.CharField(max_length=160, blank=True)
    local_authority = models.ForeignKey(
        "partners.LocalAuthority", on_delete=models.PROTECT, related_name="+"
    )
    last_seen_at = models.DateTimeField()
    last_seen_place = models.CharField(max_length=200)
    circumstances = models.TextField()
    description = models.TextField(blank=True)
    # Vulnerabilities: the structured questions that suggest a grade (rules.grading).
    age_years = models.PositiveSmallIntegerField()
    health_needs = models.TextField(blank=True)
    medication = models.TextField(blank=True)
    self_harm_risk = models.BooleanField(default=False)
    urgent_health_need = models.BooleanField(default=False)
    suspected_crime = models.BooleanField(default=False)
    out_of_character = models.BooleanField(default=False)
    indicators = models.JSONField(default=list)
    # The grade now; every change with its rationale is a GradeChange.
    suggested_grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    grade_rationale = models.TextField()
    # Response
    first_attended_at = models.DateTimeField(null=True, blank=True)
    inspector_informed_at = models.DateTimeField(null=True, blank=True)
    inspector_informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Found or returned
    found_at = models.DateTimeField(null=True, blank=True)
    found_place = models.CharField(max_length=200, blank=True)
    found_by = models.CharField(max_length=160, blank=True)
    condition = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["force", "status", "last_seen_at"], name="missing_board"),
            models.Index(fields=["force", "reported_at"], name="missing_month"),
            models.Index(fields=["child", "last_seen_at"], name="missing_child_history"),
        ]

    def __str__(self) -> str:
        return f"missing episode {self.pk}"

    @property
    def grade_enum(self) -> Grade:
        return Grade(self.grade)

    @property
    def status_enum(self) -> EpisodeStatus:
        return EpisodeStatus(self.status)

    @property
    def is_missing(self) -> bool:
        return self.status == EpisodeStatus.MISSING


class GradeChange(models.Model):
    """A grade given to an episode: never edited, so the history of the risk stays whole."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="gradings")
    grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    suggested_grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    rationale = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a supervisor made or agreed this grade (a lower-than-suggested grade needs one).
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.grade} at {self.changed_at:%Y-%m-%d %H:%M}"


class RiskReview(models.Model):
    """A review of the risk while the child is missing; a supervisor's review confirms the grade."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "Risk review"
        SUPERVISOR = "supervisor", "Supervisor's review of the grade"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} review of episode {self.episode_id}"


class Photo(models.Model):
    """The child's photo, kept in the database and served only through a scoped, audited view."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of episode {self.episode_id}"


class PreventionInterview(models.Model):
    """The police prevention interview ("safe and well") after the child's return
    (docs/rules.md 1.3)."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.OneToOneField(
        Episode, on_delete=models.CASCADE, related_name="prevention_interview"
    )
    conducted_at = models.DateTimeField()
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    spoken_to_alone = models.BooleanField(default=False)
    harm_suffered = models.TextField()
    offences = models.TextField(blank=True)
    why_went = models.TextField()
    indicators = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"prevention interview for episode {self.episode_id}"


class ReturnInterview(VersionedModel):
    """The local authority's independent return home interview, offered within 72 hours of
    the return (DfE 2014, docs/rules.md 1.3). Created as a task for the LA when the child is
    found."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Interview completed"
        DECLINED = "declined", "Offered, and the child declined"
        NOT_POSSIBLE = "not_possible", "Could not be offered"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.OneToOneField(
        Episode, on_delete=models.CASCADE, related_name="return_interview"
    )
    local_authority = models.ForeignKey(
        "partners.LocalAuthority", on_delete=models.PROTECT, related_name="return_interviews"
    )
    returned_at = models.DateTimeField()
    due_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    interview_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    interviewer = models.CharField(max_length=160, blank=True)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # True when the police recorded it on the local authority's behalf.
    recorded_on_behalf = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["local_authority", "outcome", "due_at"], name="rhi_tasks")]

    def __str__(self) -> str:
        return f"return interview for episode {self.episode_id}"


class Trigger(models.Model):
    """A repeat-missing or exploitation trigger that fired, why, and the case it raised."""

    class Kind(models.TextChoices):
        REPEAT = "repeat", "Repeat missing"
        INDICATORS = "indicators", "Exploitation indicators"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="triggers")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField()
    raised_case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="raised_by_triggers"
    )
    raised_new_case = models.BooleanField()
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="missing_trigger_once")
        ]

    def __str__(self) -> str:
        return self.reason


class MissingPolicySetting(VersionedModel):
    """A force's missing-child response times and repeat threshold; versioned and audited."""

    force = models.OneToOneField("accounts.Force", on_delete=models.PROTECT)
    attend_high_minutes = models.PositiveIntegerField(default=response.DEFAULT_ATTEND_HIGH_MINUTES)
    attend_medium_minutes = models.PositiveIntegerField(
        default=response.DEFAULT_ATTEND_MEDIUM_MINUTES
    )
    attend_low_minutes = models.PositiveIntegerField(default=response.DEFAULT_ATTEND_LOW_MINUTES)
    supervisor_review_high_minutes = models.PositiveIntegerField(
        default=response.DEFAULT_SUPERVISOR_REVIEW_HIGH_MINUTES
    )
    supervisor_review_minutes = models.PositiveIntegerField(
        default=response.DEFAULT_SUPERVISOR_REVIEW_MINUTES
    )
    inspector_informed_minutes = models.PositiveIntegerField(
        default=response.DEFAULT_INSPECTOR_INFORMED_MINUTES
    )
    risk_review_high_hours = models.PositiveIntegerField(
        default=response.DEFAULT_RISK_REVIEW_HIGH_HOURS
    )
    risk_review_medium_hours = models.PositiveIntegerField(
        default=response.DEFAULT_RISK_REVIEW_MEDIUM_HOURS
    )
    risk_review_low_hours = models.PositiveIntegerField(
        default=response.DEFAULT_RISK_REVIEW_LOW_HOURS
    )
    prevention_interview_hours = models.PositiveIntegerField(
        default=response.DEFAULT_PREVENTION_INTERVIEW_HOURS
    )
    repeat_threshold = models.PositiveIntegerField(default=response.DEFAULT_REPEAT_THRESHOLD)
    repeat_window_days = models.PositiveIntegerField(default=response.DEFAULT_REPEAT_WINDOW_DAYS)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"missing policy for force {self.force_id}"

    def as_policy(self) -> response.ResponsePolicy:
        return response.ResponsePolicy(
            **{name: getattr(self, name) for name in response.POLICY_RANGES}
        )
