"""One JSON error shape for every failure: {"error": code, "message": text, "fields": {...}}."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from safeguard.core.errors import ServiceError

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    422: "invalid",
    428: "precondition_required",
    429: "too_many_requests",
    500: "server_error",
}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    fields: dict[str, Any] | None = None,
    code: str | None = None,
) -> HttpResponse:
    body = {
        "error": code or STATUS_CODES.get(status, "error"),
        "message": message,
        # Messages are strings; a few answers carry data, e.g. duplicate candidates or the
        # transitions allowed from here, kept as JSON rather than flattened to text.
        "fields": {
            key: value if isinstance(value, str | int | list | dict) else str(value)
            for key, value in (fields or {}).items()
        },
    }
    return api.create_response(request, body, status=status)


def _field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        # loc is ("body", "payload", "name") or ("query", "page"): keep the part a client sent.
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        if len(loc) > 1 and loc[0] in ("payload", "data", "filters"):
            loc = loc[1:]
        key = ".".join(loc) or "body"
        if error.get("type") == "extra_forbidden":
            fields[key] = "This field is not allowed here."
        else:
            fields.setdefault(key, str(error.get("msg", "Invalid value.")))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    # A service's refusal (422), not found (404), forbidden (403), conflict (409) and the API's
    # preconditions (412, 428): each its own status, all in the one shape.
    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.message, exc.fields, exc.code)

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "You do not have permission to do that.")

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = _field_errors(exc.errors)
        if any("json" in str(e.get("msg", "")).lower() for e in exc.errors) and not fields:
            return error_response(api, request, 400, "The request body is not valid JSON.")
        return error_response(api, request, 422, "Some fields are not valid.", fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api, request, 401, "Send a valid API token as 'Authorization: Bearer <token>'."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, str(exc.message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return error_response(
            api, request, 413, f"The request body is too large (limit {limit} MB)."
        )
