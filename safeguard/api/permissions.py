"""Each API operation declares its permission, like each page; the matrix tests read this."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from safeguard.core.errors import PermissionDenied
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest

F = TypeVar("F", bound=Callable[..., Any])

# operation function name -> the permission it needs
OPERATION_PERMISSIONS: dict[str, Permission] = {}


def operation_requires(permission: Permission) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @wraps(func)
        def wrapped(request: ActorRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.actor.can(permission):
                raise PermissionDenied()
            return func(request, *args, **kwargs)

        OPERATION_PERMISSIONS[func.__name__] = permission
        # The marker the permission matrix reads, as on a page (core.views.requires).
        wrapped.__dict__["safeguard_permission"] = permission
        # functools.wraps keeps the signature django-ninja reads: the same callable type.
        return cast(F, wrapped)

    return decorate
