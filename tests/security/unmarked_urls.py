"""A URLconf with one view that declares no permission, to prove the battery catches it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config.urls import handler403, handler404  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def unmarked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("This page should never be served.")


urlpatterns = [
    *project_urlpatterns,
    path("nested/", include([path("unmarked/", unmarked, name="unmarked")])),
]
