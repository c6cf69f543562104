"""Shared API schema pieces: inputs refuse unknown fields (ASVS 15.3.3, mass assignment)."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict


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
