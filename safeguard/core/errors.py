"""The errors a service raises, one class per answer, so catching one never swallows another.

`DomainError` is a refusal (422): a rule of the domain said no, and the page shows it on the
form. `NotFound` (404), `PermissionDenied` (403) and `Conflict` (409) are its siblings, not its
subclasses: a view that catches refusals to redraw a form lets the others through.
"""

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class ServiceError(Exception):
    """Anything a service refuses; `code` is stable, `message` is for people."""

    status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class DomainError(ServiceError):
    """A rule of the domain refused the operation (422): shown on the form, field by field."""

    status = 422


class NotFound(ServiceError, Http404):
    """Not there, or not visible to this actor: the two are deliberately indistinguishable."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


class PermissionDenied(ServiceError, DjangoPermissionDenied):
    """Seen, but out of this actor's reach (403)."""

    status = 403

    def __init__(self, message: str = "You do not have permission to do that.") -> None:
        super().__init__("forbidden", message)


class Conflict(ServiceError):
    """Somebody else changed the record first (409)."""

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
