"""Every answer under /api/ is JSON, including the ones Django itself produces (404, 405, 500)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from safeguard.api.errors import STATUS_CODES

API_PREFIX = "/api/"
_MESSAGES = {
    404: "Not found.",
    405: "This method is not allowed here.",
    500: "Something went wrong. Nothing was changed.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            body = {
                "error": STATUS_CODES.get(status, "error"),
                "message": _MESSAGES.get(status, "The request could not be handled."),
                "fields": {},
            }
            replacement = JsonResponse(body, status=status)
            # Keep every header (security headers, Allow, WWW-Authenticate), not the body's.
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length"):
                    replacement[header] = value
            replacement.cookies = response.cookies
            return replacement
        return response
