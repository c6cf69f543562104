"""Partner agencies' calendars: school term dates per local authority or per school."""

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
    return home interviews (RULES.md 1.3). Its members are the partner users who act for it."""

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
