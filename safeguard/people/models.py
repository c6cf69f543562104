"""Children and adults, their other names, addresses over time and relationships."""

from datetime import date, datetime

from django.conf import settings
from django.db import models

from safeguard.core.calendars import london_date
from safeguard.core.models import VersionedModel
from safeguard.people.rules.ages import CHILD_UNDER, age_on


class Person(VersionedModel):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other (self-described)"
        UNKNOWN = "unknown", "Not known"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    given_names = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    # When the date of birth is not known: an age in years, as estimated on a date.
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    estimated_on = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    # Self-defined ethnicity, in the person's own words; optional by design.
    ethnicity = models.CharField(max_length=120, blank=True)
    school_urn = models.CharField("school URN", max_length=10, blank=True)
    # Warning markers recorded from children's social care (docs/finding.md 4); the others
    # (missing count, open exploitation case) are derived by the contexts that own them.
    on_protection_plan = models.BooleanField("on a child protection plan", default=False)
    looked_after = models.BooleanField("looked after by a local authority", default=False)
    # Phonetic codes of every name and alias (rules.matching.search_keys), kept by services.
    search_keys = models.CharField(max_length=400, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["force", "date_of_birth"], name="person_force_dob"),
            models.Index(fields=["force", "family_name", "given_names"], name="person_force_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def age(self, today: date) -> int | None:
        if self.date_of_birth:
            return age_on(self.date_of_birth, today)
        if self.estimated_age is not None and self.estimated_on:
            return self.estimated_age + age_on(self.estimated_on, today)
        return self.estimated_age

    def is_child(self, today: date) -> bool:
        age = self.age(today)
        return age is not None and age < CHILD_UNDER

    def age_at(self, moment: datetime) -> int | None:
        """Their age at an instant (a child found, an incident attended): on the London date,
        so a birthday starts at midnight in London, not at midnight UTC."""
        return self.age(london_date(moment))

    def is_child_at(self, moment: datetime) -> bool:
        return self.is_child(london_date(moment))


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_names = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class Address(models.Model):
    """Where a person lived, and when. The current one has no end date."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10)
    # rules.matching.address_key: the same address however it was typed.
    match_key = models.CharField(max_length=200)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["lived_to", "-lived_from", "-id"]
        indexes = [models.Index(fields=["force", "match_key"], name="address_force_key")]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line1, self.line2, self.town, self.postcode) if part
        )


class Relationship(models.Model):
    """`person` is the `kind` of `other`: e.g. person is parent or carer of other."""

    class Kind(models.TextChoices):
        PARENT_CARER = "parent_carer", "Parent or carer of"
        SIBLING = "sibling", "Sibling of"
        HOUSEHOLD = "household", "Household member with"
        ASSOCIATE = "associate", "Associate of"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="related_by")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other", "kind"], name="relationship_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.other_id}"
