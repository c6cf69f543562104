"""Row 11 of the battery: the security headers are on every answer (ASVS 3.4, 14.3.2).

Every GET route from the resolver (parameters from the route table), as a signed-in force admin,
as an officer (who is refused some of them) and anonymously; the API with and without a token,
including its errors; answers to refused and redirected POSTs. On each: a CSP with no unsafe-*,
frame-ancestors 'none' and object-src 'none'; nosniff; X-Frame-Options DENY; Referrer-Policy
same-origin; Cache-Control no-store; an X-Request-ID. HSTS only over HTTPS, as production sets it.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from safeguard.core.permissions import Role
from tests.helpers import sign_in
from tests.security.battery import (
    WEB_ROUTES,
    Loc,
    World,
    header_problems,
    locations_for,
    web_routes,
)

pytestmark = pytest.mark.django_db


def crawl(client: Client, world: World, user) -> dict[str, object]:
    """GET every GET route of the route table, the object in every location."""
    responses = {}
    for route in web_routes():
        for spec in WEB_ROUTES.get(route.name, ()):
            if spec.method != "GET":
                continue
            for loc in locations_for(spec.target):
                _, _, kwargs = world.target(spec.target, loc, user)
                url = reverse(route.name, kwargs=kwargs or None)
                responses[f"GET {url} ({route.name}, {loc.value if loc else '-'})"] = client.get(
                    url
                )
    return responses


def assert_headers(responses: dict[str, object]) -> None:
    assert responses
    problems = [
        f"{what} -> {response.status_code}: {problem}"
        for what, response in responses.items()
        for problem in header_problems(response)
    ]
    assert not problems, f"{len(problems)} header problems ({len(responses)} answers):\n" + (
        "\n".join(problems)
    )


def test_every_get_route_as_a_signed_in_admin(world: World, make_user):
    admin = make_user(Role.FORCE_ADMIN)
    responses = crawl(sign_in(Client(), admin), world, admin)
    assert {r.status_code for r in responses.values()} >= {200, 302, 404}
    assert_headers(responses)


def test_every_get_route_as_an_officer_including_refusals(world: World, make_user):
    officer = make_user(Role.OFFICER)
    responses = crawl(sign_in(Client(), officer), world, officer)
    assert 403 in {r.status_code for r in responses.values()}
    assert_headers(responses)


def test_every_get_route_anonymously(world: World):
    responses = crawl(Client(), world, None)
    assert {r.status_code for r in responses.values()} >= {200, 302}
    assert_headers(responses)


def test_answers_to_posts_and_unknown_pages(world: World, make_user):
    admin = make_user(Role.FORCE_ADMIN)
    client = sign_in(Client(), admin)
    member = world.staff[Loc.OWN]
    responses = {
        "POST end sessions (redirect)": client.post(
            reverse("accounts:staff_end_sessions", args=[member.pk])
        ),
        "GET a POST-only page (405)": client.get(reverse("accounts:sign_out")),
        "GET an unknown page (404)": client.get("/no-such-page/"),
        "POST sign out (redirect)": client.post(reverse("accounts:sign_out")),
        "GET after signing out (redirect to sign in)": client.get(reverse("accounts:staff_list")),
    }
    csrf_client = Client(enforce_csrf_checks=True)
    responses["POST sign in without a CSRF token (403)"] = csrf_client.post(
        reverse("accounts:sign_in"), {"username": "x", "password": "y"}
    )
    assert [r.status_code for r in responses.values()] == [302, 405, 404, 302, 302, 403]
    assert_headers(responses)


def test_the_api_answers_carry_the_headers_too(world: World, make_user, make_api_client):
    admin = make_user(Role.FORCE_ADMIN)
    api = make_api_client(admin)
    officer_api = make_api_client(make_user(Role.OFFICER))
    foreign = world.staff[Loc.OTHER_FORCE]
    member = world.staff[Loc.OWN]
    responses = {
        "GET /api/v1/me with a token (200)": api.get("/api/v1/me"),
        "GET /api/v1/staff with a token (200)": api.get("/api/v1/staff"),
        "GET /api/v1/openapi.json with a token (200)": api.get("/api/v1/openapi.json"),
        "GET /api/v1/me without a token (401)": Client().get("/api/v1/me"),
        "GET /api/v1/docs without a token (401)": Client().get("/api/v1/docs"),
        "GET /api/v1/audit as an officer (403)": officer_api.get("/api/v1/audit"),
        "GET another force's staff member (404)": api.get(f"/api/v1/staff/{foreign.pk}"),
        "PUT roles with an unknown field (422)": api.put(
            f"/api/v1/staff/{member.pk}/roles",
            json.dumps({"roles": ["officer"], "version": member.version, "is_superuser": True}),
            content_type="application/json",
        ),
        "GET /healthz": Client().get("/healthz"),
        "GET /readyz": Client().get("/readyz"),
        # Answers Django produces itself under /api/, turned into JSON by the API middleware.
        "GET an unknown API path (404)": api.get("/api/v1/no-such-thing"),
        "POST to a GET-only operation (405)": api.post("/api/v1/me"),
    }
    for what, response in responses.items():
        status = re.search(r"\((\d{3})\)", what)
        assert status is None or response.status_code == int(status.group(1)), what
    assert_headers(responses)


def test_hsts_over_https_with_the_production_settings(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    client = Client()  # a new client loads the middleware with these settings
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert not header_problems(response)
    # Never over plain HTTP, where a man in the middle could strip or forge it anyway.
    assert "Strict-Transport-Security" not in client.get("/healthz")


def test_the_case_core_api_answers_carry_the_headers_too(world: World, make_user, make_api_client):
    """Success, not found, conflict, stale and missing preconditions, and an illegal step."""
    inspector = make_user(Role.DUTY_INSPECTOR)
    api = make_api_client(inspector)
    officer_api = make_api_client(make_user(Role.OFFICER))
    case = world.new_case(Loc.OWN, inspector, "received")
    foreign_case = world.new_case(Loc.OTHER_FORCE, None)
    person = world.new_person(world.force.pk)
    url = f"/api/v1/cases/{case.pk}"

    def patch(body: dict, **headers: str):
        return api.patch(url, json.dumps(body), content_type="application/json", **headers)

    def post(path: str, body: dict):
        return api.post(path, json.dumps(body), content_type="application/json")

    responses = {
        "GET a case (200)": api.get(url),
        "GET the case list (200)": api.get("/api/v1/cases"),
        "GET a person (200)": api.get(f"/api/v1/people/{person.pk}"),
        "GET a chronology (200)": api.get(f"/api/v1/people/{person.pk}/chronology"),
        "GET another force's case (404)": api.get(f"/api/v1/cases/{foreign_case.pk}"),
        "GET a case as an officer who does not own it (404)": officer_api.get(url),
        "GET the policy as an analyst (403)": make_api_client(make_user(Role.ANALYST)).get(
            "/api/v1/settings/supervision"
        ),
        "PATCH with a stale version (409)": patch({"summary": "x", "version": 99}),
        "PATCH with a stale If-Match (412)": patch({"summary": "x"}, HTTP_IF_MATCH='"v99"'),
        "PATCH without a version (428)": patch({"summary": "x"}),
        "PATCH with an unknown field (422)": patch({"status": "closed", "version": 1}),
        "POST an illegal step (422)": post(
            f"{url}/transitions", {"transition": "start_investigation", "version": 1}
        ),
        "GET a search with no criteria (422)": api.get("/api/v1/people"),
    }
    for what, response in responses.items():
        status = re.search(r"\((\d{3})\)", what)
        assert status is None or response.status_code == int(status.group(1)), (what, response)
    assert_headers(responses)
