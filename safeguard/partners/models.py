"""Partner agencies: school term dates per local authority or per school, the schools
directory (DfE GIAS) and each school's key adults for Operation Encompass."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safeguard.core.calendars import DEFAULT_SCHOOL_DAY_START


class TermCalendar(models.Model):
    """One set of term dates: a local authority's (school_urn blank) or one school's own.

    A school's own calendar wins over its local authority's (selectors.school_calendar_for).
    """

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    name = models.CharField(max_length=120)
    la_code = models.CharField("local authority code", max_length=12, blank=True)
    school_urn = models.CharField("school URN", max_length=8, blank=True)
    day_starts_at = models.TimeField(default=DEFAULT_SCHOOL_DAY_START)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "school_urn"],
                condition=~Q(school_urn=""),
                name="partners_one_calendar_per_school",
            ),
            models.UniqueConstraint(
                fields=["force", "la_code"],
                condition=Q(school_urn=""),
                name="partners_one_calendar_per_la",
            ),
            models.CheckConstraint(
                condition=~Q(la_code="", school_urn=""),
                name="partners_calendar_for_la_or_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """A term, first and last day inclusive; half-terms and holidays are the gaps between."""

    calendar = models.ForeignKey(TermCalendar, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=60)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="partners_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day} to {self.last_day})"


class LocalAuthority(models.Model):
    """A local authority the force works with: responsible for children in its care and for
    return home interviews (docs/rules.md 1.3). Its members are the partner users who act for it."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    code = models.CharField("local authority code", max_length=12)
    name = models.CharField(max_length=120)
    members = models.ManyToManyField("accounts.User", related_name="local_authorities", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="partners_la_code_per_force")
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school from the DfE's Get Information about Schools (GIAS) establishment fields.

    Public reference data, shared by every force (not force-scoped); upserted by URN.
    """

    urn = models.CharField("URN", max_length=8, unique=True)  # 6 digits in GIAS; kept as text
    name = models.CharField(max_length=200)
    la_code = models.CharField("local authority code", max_length=12, blank=True)
    la_name = models.CharField("local authority", max_length=120, blank=True)
    establishment_type = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=60, blank=True)
    phase = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    day_starts_at = models.TimeField(default=DEFAULT_SCHOOL_DAY_START)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["la_code"], name="partners_school_la_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


class KeyAdult(models.Model):
    """A school's designated safeguarding lead or deputy, as known to one force (Operation
    Encompass): notifications go to their secure email."""

    class Role(models.TextChoices):
        DSL = "dsl", "Designated safeguarding lead"
        DEPUTY = "deputy", "Deputy DSL"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="key_adults")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_adult_roles",
    )
    name = models.CharField(max_length=160)
    role = models.CharField(max_length=10, choices=Role.choices)
    secure_email = models.EmailField()
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "school", "secure_email"],
                name="partners_key_adult_email_per_school",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
