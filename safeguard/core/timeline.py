"""Appending to a record's timeline, in the caller's transaction, beside its audit entry."""

from datetime import datetime

from safeguard.core.actor import Actor
from safeguard.core.models import TimelineEvent


def timeline_add(
    *,
    actor: Actor | None,
    force_id: int,
    kind: str,
    title: str,
    at: datetime,
    case_id: int | None = None,
    person_id: int | None = None,
    description: str = "",
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        force_id=force_id,
        case_id=case_id,
        person_id=person_id,
        kind=kind,
        title=title[:200],
        description=description,
        actor_username=actor.username if actor else "system",
        at=at,
    )
