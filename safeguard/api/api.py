"""The /api/v1 entry point: bearer auth, one error shape, OpenAPI behind authentication."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI

from safeguard.accounts.api import router as accounts_router
from safeguard.accounts.middleware import session_end_reason
from safeguard.accounts.services import user_is_verified
from safeguard.api.auth import TokenAuth
from safeguard.api.errors import install_error_handlers
from safeguard.cases.api import router as cases_router
from safeguard.domestic_abuse.api import router as domestic_abuse_router
from safeguard.encompass.api import router as encompass_router
from safeguard.missing.api import router as missing_router
from safeguard.people.api import router as people_router
from safeguard.supervision.api import router as supervision_router


def docs_require_sign_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and docs are for signed-in staff or token holders only (SECURITY.md 5)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        # /api/ skips AccessMiddleware, so the session limits are checked here too.
        signed_in = user_is_verified(user) and session_end_reason(request) is None
        if not signed_in:
            header = request.headers.get("Authorization", "")
            token = header[7:] if header.lower().startswith("bearer ") else ""
            signed_in = bool(token) and TokenAuth().authenticate(request, token) is not None
        if not signed_in:
            return JsonResponse(
                {
                    "error": "unauthorized",
                    "message": "Sign in to read the API documentation.",
                    "fields": {},
                },
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Safeguard API",
    version="1",
    description="Child protection case management. Every call is scoped to your force and audited.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_decorator=docs_require_sign_in,
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", people_router)
api.add_router("/", cases_router)
api.add_router("/", supervision_router)
api.add_router("/", missing_router)
api.add_router("/", domestic_abuse_router)
api.add_router("/", encompass_router)
