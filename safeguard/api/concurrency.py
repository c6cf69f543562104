"""ETag and If-Match for versioned records (RFC 9110): stale is 412, missing is 428."""

import re
from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

from safeguard.core.errors import Conflict, ServiceError

T = TypeVar("T")
_ETAG = re.compile(r'^(?:W/)?"v(\d+)"$')


class PreconditionFailed(ServiceError):
    status = 412

    def __init__(self) -> None:
        super().__init__(
            "precondition_failed",
            "The record changed since you read it (If-Match is stale). Read it again first.",
        )


class PreconditionRequired(ServiceError):
    status = 428

    def __init__(self) -> None:
        super().__init__(
            "precondition_required",
            "Send If-Match with the ETag you read, or the version in the body.",
        )


def etag(version: int) -> str:
    return f'"v{version}"'


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag(version)


def with_expected_version(
    request: HttpRequest, body_version: int | None, write: Callable[[int], T]
) -> T:
    """Run `write(version)` with the version the client says it read.

    If-Match wins over a version in the body; a stale If-Match is 412, a stale body version
    keeps the service's 409 (with what changed), and neither at all is 428.
    """
    header = request.headers.get("If-Match", "").strip()
    if header:
        match = _ETAG.match(header)
        if match is None:
            raise PreconditionFailed()
        try:
            return write(int(match.group(1)))
        except Conflict as conflict:
            raise PreconditionFailed() from conflict
    if body_version is None:
        raise PreconditionRequired()
    return write(body_version)
