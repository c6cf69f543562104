"""Shared API schema pieces: inputs refuse unknown fields (ASVS 15.3.3, mass assignment)."""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, str] = {}
