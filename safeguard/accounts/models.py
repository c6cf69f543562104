"""Forces, their units, staff users with their roles, and personal API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from safeguard.core.models import VersionedModel
from safeguard.core.permissions import Role


class Force(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)

    def __str__(self) -> str:
        return self.name


class Unit(VersionedModel):
    class Type(models.TextChoices):
        RESPONSE = "response", "Response"
        CHILD_ABUSE = "child_abuse", "Child abuse investigation"
        MISSING = "missing", "Missing persons"
        OCSE = "ocse", "Online child sexual exploitation"
        CUSTODY = "custody", "Custody"
        MASH = "mash", "MASH"
        DA_TRIAGE = "da_triage", "Domestic abuse triage"
        ENCOMPASS = "encompass", "Operation Encompass"
        ASSURANCE = "assurance", "Assurance"
        PARTNERS = "partners", "Partner agencies"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=120)
    unit_type = models.CharField(max_length=20, choices=Type.choices)
    # The unit this one sits under, in the same force (no cycles: accounts/rules/units.py).
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="children", null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "name"], name="unit_name_per_force")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(VersionedModel, AbstractUser):
    """A member of staff or a partner user. Belongs to exactly one force."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="users", null=True)
    units = models.ManyToManyField(Unit, related_name="members", blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    # A school's or local authority's name, for partner users.
    organisation = models.CharField(max_length=160, blank=True)
    # Bumped to end every session of this user at once (ASVS 7.4.2/7.4.5).
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants.all())

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class ApiToken(models.Model):
    """A personal access token. Only its SHA-256 is kept; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    # The first characters after the prefix, to find the row without storing the secret.
    lookup = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.lookup}…)"
