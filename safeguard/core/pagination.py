"""Keyset pagination: a page is 'the next N rows after this key', so page 100 costs what page 1
costs (OFFSET would read and discard every earlier row)."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from safeguard.core.errors import DomainError

M = TypeVar("M", bound=Model)

INVALID_CURSOR = "The page link is not valid. Go back to the first page."


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    is_first: bool


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise DomainError("invalid_cursor", INVALID_CURSOR, {"after": INVALID_CURSOR}) from None
    if not isinstance(values, list) or len(values) != width:
        raise DomainError("invalid_cursor", INVALID_CURSOR, {"after": INVALID_CURSOR})
    if not all(isinstance(v, str | int | float) for v in values):
        raise DomainError("invalid_cursor", INVALID_CURSOR, {"after": INVALID_CURSOR})
    return values


def _after(order: Sequence[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `order` ('-f' is descending): a > x, or a = x and b > y…"""
    condition = Q()
    for index, key in enumerate(order):
        field = key.lstrip("-")
        step = Q(**{f"{field}__{'lt' if key.startswith('-') else 'gt'}": values[index]})
        for earlier, value in zip(order[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def keyset_page(
    queryset: QuerySet[M], *, order: Sequence[str], after: str | None, size: int
) -> KeysetPage[M]:
    """One page of `queryset` in `order` (non-null fields, the last one unique, e.g. '-id')."""
    try:
        if after:
            queryset = queryset.filter(_after(order, _decode(after, len(order))))
        rows = list(queryset.order_by(*order)[: size + 1])
    except (ValidationError, ValueError, TypeError, OverflowError):
        if not after:
            raise
        # A well-formed cursor whose values do not fit the fields (a tampered link).
        raise DomainError("invalid_cursor", INVALID_CURSOR, {"after": INVALID_CURSOR}) from None
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = _encode([getattr(last, key.lstrip("-")) for key in order])
    return KeysetPage(items=items, next_cursor=next_cursor, is_first=not after)
