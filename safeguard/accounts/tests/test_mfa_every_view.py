"""MFA on every view: a password alone reaches nothing but the code step (battery row 8)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from safeguard.core.permissions import Permission
from safeguard.core.views import PUBLIC, SIGNED_IN
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def routes(resolver: URLResolver | None = None, prefix: str = ""):
    """Every (path template, view) the site serves, outside the API and its own bearer auth."""
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not pattern.startswith("api/"):
                yield from routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern, entry.callback


def concrete(pattern: str) -> str:
    path = "/" + pattern
    for converter, value in (("<int:", "1"), ("<", "x")):
        while converter in path:
            start = path.index(converter)
            path = path[:start] + value + path[path.index(">", start) + 1 :]
    return path


PROTECTED = [
    concrete(pattern)
    for pattern, view in routes()
    if isinstance(getattr(view, "safeguard_permission", None), Permission)
]


def test_every_route_declares_what_it_needs():
    markers = {pattern: getattr(view, "safeguard_permission", None) for pattern, view in routes()}
    undeclared = [pattern for pattern, marker in markers.items() if marker is None]
    assert undeclared == []
    assert all(m in (PUBLIC, SIGNED_IN) or isinstance(m, Permission) for m in markers.values())
    assert len(PROTECTED) >= 10


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_password_only_session_is_sent_to_the_code_step(make_user, path, method):
    user = make_user("force_admin", "auditor")
    client = Client()
    client.post("/sign-in/", {"username": user.username, "password": TEST_PASSWORD})
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"


@pytest.mark.parametrize("path", PROTECTED)
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
