"""The gate every request passes: session limits, the MFA step, the route's marker, the Actor."""

import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from safeguard.accounts.models import User
from safeguard.accounts.services import actor_for, user_is_verified
from safeguard.core.errors import PermissionDenied
from safeguard.core.views import PUBLIC, SIGNED_IN, ActorRequest

AUTH_AT = "sg_auth_at"
LAST_SEEN = "sg_last_seen"
EPOCH = "sg_epoch"
ENDED_REASON = "sg_ended_reason"
API_PREFIX = "/api/"

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for 30 minutes.",
    "absolute": "You were signed out because you had been signed in for 12 hours.",
    "ended": "Your session was ended by an administrator.",
    "expired": "Your session has ended. Sign in again to continue.",
}


def signed_in_user(request: HttpRequest) -> User:
    """The request's signed-in user (a SIGNED_IN page and the gate see nobody else)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user


def start_session_clock(request: HttpRequest) -> None:
    """Called at sign-in: the 12-hour limit counts from here."""
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    request.session[EPOCH] = signed_in_user(request).session_epoch


def session_end_reason(request: HttpRequest) -> str | None:
    """Why this signed-in session must end now (absolute, idle, ended), or None."""
    now = time.time()
    auth_at = request.session.get(AUTH_AT)
    last_seen = request.session.get(LAST_SEEN)
    if auth_at is None or now - auth_at > settings.SESSION_ABSOLUTE_LIMIT_SECONDS:
        return "absolute"
    if last_seen is None or now - last_seen > settings.SESSION_COOKIE_AGE:
        return "idle"
    if request.session.get(EPOCH) != signed_in_user(request).session_epoch:
        return "ended"
    return None


def _to_sign_in(request: HttpRequest, reason: str | None) -> HttpResponse:
    query = {"next": request.get_full_path()} if request.method == "GET" else {}
    if reason:
        request.session[ENDED_REASON] = reason
    url = reverse("accounts:sign_in")
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


class AccessMiddleware:
    """Fail closed: a view must be marked PUBLIC, SIGNED_IN or with a Permission to be reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX):
            return None  # the API authenticates each call with a bearer token (safeguard.api)
        marker = getattr(view_func, "safeguard_permission", None)
        if marker is None:
            raise PermissionDenied("This page has no declared permission.")
        if marker == PUBLIC:
            return None
        user = request.user
        if not user.is_authenticated:
            had_session = settings.SESSION_COOKIE_NAME in request.COOKIES
            return _to_sign_in(request, "expired" if had_session else None)
        reason = session_end_reason(request)
        if reason:
            logout(request)
            return _to_sign_in(request, reason)
        request.session[LAST_SEEN] = time.time()
        if not user_is_verified(user):
            if marker == SIGNED_IN:
                return None
            return HttpResponseRedirect(reverse("accounts:verify_code"))
        # The gate is what makes a request an ActorRequest: views read request.actor from here.
        cast(ActorRequest, request).actor = actor_for(signed_in_user(request))
        return None
