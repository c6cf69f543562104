"""The one error type for domain rules, which views turn into form errors and the API into JSON."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class DomainError(Exception):
    """A rule of the domain refused the operation; `code` is stable, `message` is for people."""

    status = 422

    def __init__(self, code: str, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError, Http404):
    """Not there, or not visible to this actor: the two are deliberately indistinguishable."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status = 403

    def __init__(self, message: str = "You do not have permission to do that.") -> None:
        super().__init__("forbidden", message)


class Conflict(DomainError):
    """Somebody else changed the record first."""

    status = 409

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__("conflict", message, fields)


def refuse_if(problems: list[tuple[str, str]], code: str = "invalid") -> None:
    """Raise one DomainError naming every (field, message) problem a rule found, if any."""
    if problems:
        fields: dict[str, Any] = {}
        for field, message in problems:
            fields.setdefault(field, message)
        raise DomainError(code, problems[0][1], fields)
