"""Operation Encompass notifications: one per child aged 4 to 17 after a police-attended
domestic abuse incident, to the school's key adults (or the local authority for a child
educated at home); a child with no known school waits in a "to resolve" queue."""

from django.conf import settings
from django.db import models

from safeguard.core.models import VersionedModel
from safeguard.encompass.rules.lifecycle import NotificationStatus
from safeguard.encompass.rules.notification import Route


class Notification(VersionedModel):
    # The routes (rules/notification.py) and the statuses with their steps (rules/lifecycle.py).
    Route = Route
    Status = NotificationStatus

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT)
    # The Operation Encompass desk that reviews and sends it (scoping by unit).
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(
        "domestic_abuse.Incident", on_delete=models.PROTECT, related_name="encompass"
    )
    incident_child = models.OneToOneField(
        "domestic_abuse.IncidentChild", on_delete=models.PROTECT, related_name="encompass"
    )
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=[(r.value, r.label) for r in Route])
    school = models.ForeignKey(
        "partners.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    local_authority = models.ForeignKey(
        "partners.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=[(s.value, s.label) for s in NotificationStatus]
    )
    incident_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # What the key adult is told (docs/rules.md 4): composed at creation, reviewed before sending.
    child_name = models.CharField(max_length=200)
    child_dob = models.DateField(null=True, blank=True)
    police_reference = models.CharField(max_length=20)
    place = models.CharField(max_length=200)
    present = models.BooleanField()
    where = models.CharField(max_length=200, blank=True)
    voice = models.TextField(blank=True)
    # Written by the desk for the school (docs/rules.md 4.2): blank until then, never the
    # officer's account of the incident.
    circumstances = models.TextField(blank=True)
    # The police contact the school is given (docs/rules.md 4.4), as confirmed when sending.
    contact_name = models.CharField(max_length=200, blank=True, db_default="")
    contact_unit = models.CharField(max_length=120, blank=True, db_default="")
    contact_phone = models.CharField(max_length=40, blank=True, db_default="")
    contact_email = models.CharField(max_length=254, blank=True, db_default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the desk sent it to the outbox; `sent_at` is when it counts as sent: the first
    # email delivered to a key adult, or the other route recorded (docs/rules.md 4.3).
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True, db_default="")
    other_route = models.TextField(blank=True, db_default="")
    other_route_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)  # the first read receipt
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the school did (docs/rules.md 4.4), recorded by its key adult; the police see it.
    action_taken = models.TextField(blank=True, db_default="")
    action_recorded_at = models.DateTimeField(null=True, blank=True)
    action_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["force", "status", "due_at"], name="encompass_due"),
            models.Index(fields=["force", "incident_at"], name="encompass_month"),
            models.Index(fields=["school", "sent_at"], name="encompass_school"),
            models.Index(fields=["force", "status", "-sent_at"], name="encompass_sent"),
            models.Index(fields=["force", "status", "-acknowledged_at"], name="encompass_acked"),
        ]

    def __str__(self) -> str:
        return f"Encompass notification {self.pk}"

    @property
    def awaiting_acknowledgement(self) -> bool:
        """Sent to the key adults (delivered or not yet), and not yet acknowledged."""
        return self.status in AWAITING_ACKNOWLEDGEMENT

    @property
    def undelivered(self) -> bool:
        return self.status == NotificationStatus.UNDELIVERED

    @property
    def delivering(self) -> bool:
        """Sent to the outbox, and no email delivered yet (sending or undelivered)."""
        return self.status in (NotificationStatus.SENDING, NotificationStatus.UNDELIVERED)

    @property
    def to_local_authority(self) -> bool:
        return self.route == Route.LOCAL_AUTHORITY

    @property
    def status_colour(self) -> str:
        """The GOV.UK tag colour of its status."""
        return STATUS_COLOURS[NotificationStatus(self.status)]


AWAITING_ACKNOWLEDGEMENT = (
    NotificationStatus.SENDING,
    NotificationStatus.UNDELIVERED,
    NotificationStatus.SENT,
)
STATUS_COLOURS = {
    NotificationStatus.TO_RESOLVE: "orange",
    NotificationStatus.TO_REVIEW: "yellow",
    NotificationStatus.SENDING: "light-blue",
    NotificationStatus.UNDELIVERED: "red",
    NotificationStatus.SENT: "blue",
    NotificationStatus.ACKNOWLEDGED: "green",
}
