"""The Operation Encompass clock: notified before the start of the child's next school day."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from safeguard.cases.rules.lifecycle import Status
from safeguard.core.clocks import (
    ClockDefinition,
    ClockSubject,
    Derived,
    clock_register,
    clocks_rederive,
)
from safeguard.encompass.models import Notification

NOTIFICATION = clock_register(
    ClockDefinition(
        name="encompass.notification",
        title="Operation Encompass notification",
        starts="the police attend a domestic abuse incident with a child aged 4 to 17",
        stops="the notification is delivered to the school's key adults (or the local "
        "authority): an email delivered, or another route recorded",
        rule="before the start of the next school day at that school's start time; weekends, "
        "bank holidays and school holidays skipped",
        source="Domestic Abuse Act 2021 s49A (in force 7 Nov 2025); docs/rules.md 4",
    )
)


def notification_clocks(record: object, now: datetime) -> list[Derived]:
    assert isinstance(record, Notification)
    return [
        Derived(
            name=NOTIFICATION.name,
            started_at=record.incident_at,
            due_at=record.due_at,
            met_at=record.sent_at,
        )
    ]


def notification_clocks_rebuild(force_id: int | None, now: datetime, batch_size: int = 500) -> int:
    """Re-derive the clock of every notification not yet sent, and of those on open cases
    (after data loaded without the services): the `rebuild_clocks` command calls it."""
    notifications = Notification.objects.filter(
        Q(sent_at__isnull=True) | ~Q(incident__case__status=Status.CLOSED)
    ).order_by("pk")
    if force_id:
        notifications = notifications.filter(force_id=force_id)
    done, last = 0, 0
    while True:
        batch = list(notifications.filter(pk__gt=last)[:batch_size])
        if not batch:
            return done
        with transaction.atomic():
            for notification in batch:
                clocks_rederive(
                    record=notification,
                    subject=ClockSubject(
                        object_type="encompass_notification",
                        object_id=notification.pk,
                        force_id=notification.force_id,
                        owner_id=notification.reviewed_by_id,
                        unit_id=notification.unit_id,
                        high_risk=False,
                    ),
                    now=now,
                )
        done += len(batch)
        last = batch[-1].pk
