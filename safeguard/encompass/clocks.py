"""The Operation Encompass clock: notified before the start of the child's next school day."""

from datetime import datetime

from safeguard.core.clocks import ClockDefinition, Derived, clock_register
from safeguard.encompass.models import Notification

NOTIFICATION = clock_register(
    ClockDefinition(
        name="encompass.notification",
        title="Operation Encompass notification",
        starts="the police attend a domestic abuse incident with a child aged 4 to 17",
        stops="the notification is sent to the school's key adults (or the local authority)",
        rule="before the start of the next school day at that school's start time; weekends, "
        "bank holidays and school holidays skipped",
        source="Domestic Abuse Act 2021 s49A (in force 7 Nov 2025); RULES.md 4",
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
