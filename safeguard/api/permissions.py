"""Each API operation declares its permission, like each page; the matrix tests read this."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest

from safeguard.core.errors import PermissionDenied
from safeguard.core.permissions import Permission

F = TypeVar("F", bound=Callable[..., Any])

# operation function name -> the permission it needs
OPERATION_PERMISSIONS: dict[str, Permission] = {}


def operation_requires(permission: Permission) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.actor.can(permission):  # type: ignore[attr-defined]
                raise PermissionDenied()
            return func(request, *args, **kwargs)

        OPERATION_PERMISSIONS[func.__name__] = permission
        wrapped.safeguard_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
