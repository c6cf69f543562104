"""Shared API schema pieces: inputs refuse unknown fields (ASVS 15.3.3, mass assignment)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, Any] = {}


class EventOut(Schema):
    """One timeline event of a case or a person."""

    at: datetime
    kind: str
    title: str
    description: str
    actor_username: str
    case_id: int | None
    person_id: int | None


class EventPage(Schema):
    items: list[EventOut]
    # Pass as `after` for the next (older) page; null on the last page.
    next_cursor: str | None


class ClockOut(Schema):
    """A clock on a record, read from its attributes (a `ClockView`): docs/clocks.md names each
    and says what starts and stops it."""

    model_config = ConfigDict(from_attributes=True)

    name: str = Field(description="The clock's stable dotted name, e.g. case.child_seen")
    due_at: datetime
    met_at: datetime | None
    status: str = Field(description="running, met, met_late, breached, paused or cancelled")


def clocks_out(clocks: Iterable[object], prefix: str = "") -> list[ClockOut]:
    """A record's clocks for the API, those whose name starts with `prefix`."""
    return [
        ClockOut.model_validate(clock)
        for clock in clocks
        if str(getattr(clock, "name", "")).startswith(prefix)
    ]
