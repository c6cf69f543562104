"""Marking every route with the permission it needs, so an unmarked route is caught by tests."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse

from safeguard.core.actor import Actor
from safeguard.core.errors import PermissionDenied
from safeguard.core.permissions import Permission

V = TypeVar("V", bound=Callable[..., Any])


class ActorRequest(HttpRequest):
    """A request that passed the gate: the middleware (pages) or the token check (API) has put
    the signed-in actor on it. Views and API operations take this type, not HttpRequest."""

    actor: Actor
    # Which navigation item the page belongs to (set by the view, read by the layout).
    nav_section: str


# A view open to anybody, signed in or not (sign-in, health, password reset).
PUBLIC = "public"
# A view any signed-in user may open (sign-out, MFA set-up).
SIGNED_IN = "signed_in"


def requires(permission: Permission | str) -> Callable[[V], V]:
    """Declare and enforce the permission a view needs; the actor comes from the request."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if isinstance(permission, Permission):
                actor: Actor | None = getattr(request, "actor", None)
                if actor is None or not actor.can(permission):
                    raise PermissionDenied()
            return view(request, *args, **kwargs)

        # The marker the permission matrix reads; set through __dict__, as functools.wraps does.
        wrapped.__dict__["safeguard_permission"] = permission
        return cast(V, wrapped)

    return decorate
