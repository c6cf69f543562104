"""Rows 1-2 of the battery: every route and API operation, by every role, by every object location.

The expected answer of each cell comes from the permission table alone:
anonymous -> sign in (pages) or 401 (API); role without the permission -> 403; permission but
the object out of the role's scope, or in another force -> 404 (never 403: another force's record
is not confirmed to exist); in scope -> 200, or the redirect after a POST (204 for an API delete).
A refused POST must change nothing; a permitted one must do what it says.
"""

import json
from collections import Counter

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from safeguard.accounts.models import ApiToken, User
from safeguard.accounts.services import api_token_create
from safeguard.api.api import api
from safeguard.api.permissions import OPERATION_PERMISSIONS
from safeguard.core.permissions import Permission, Role
from tests.helpers import sign_in
from tests.security.battery import (
    API_OPERATIONS,
    KNOWN_DEFECTS,
    URL_KWARGS,
    WEB_ROUTES,
    ActorRef,
    Loc,
    Outcome,
    World,
    api_operations,
    call,
    error_body_problem,
    expected_api,
    expected_web,
    known_defect,
    locations_for,
    matches,
    observed,
    record,
    valid_marker,
    web_routes,
)

pytestmark = pytest.mark.django_db

CALLERS = [None, *Role]


def caller_id(role: Role | None) -> str:
    return "anonymous" if role is None else role.value


# ---------------------------------------------------------------------------------------------
# Every route is marked and declared (an unknown route fails)
# ---------------------------------------------------------------------------------------------


def test_every_route_declares_a_permission():
    routes = web_routes()
    assert routes, "the resolver walk found no routes"
    unmarked = [
        f"{r.name} ({r.pattern}): {r.marker!r}" for r in routes if not valid_marker(r.marker)
    ]
    assert not unmarked, "routes without a safeguard_permission marker:\n" + "\n".join(unmarked)


@pytest.mark.urls("tests.security.unmarked_urls")
def test_the_walk_finds_a_nested_unmarked_route_and_the_gate_refuses_it(admin_client):
    """The harness itself: an unmarked view is listed by the walk, and never served."""
    routes = {route.pattern: route for route in web_routes()}
    assert "nested/unmarked/" in routes
    assert not valid_marker(routes["nested/unmarked/"].marker)
    assert "nested/unmarked/" not in WEB_ROUTES
    assert admin_client.get("/nested/unmarked/").status_code == 403
    assert Client().get("/nested/unmarked/").status_code == 403


def test_every_route_is_in_the_matrix_and_every_declared_route_exists():
    found = {r.name for r in web_routes()}
    unknown = sorted(found - set(WEB_ROUTES))
    stale = sorted(set(WEB_ROUTES) - found)
    assert not unknown, f"routes missing from WEB_ROUTES (declare how to test them): {unknown}"
    assert not stale, f"WEB_ROUTES names routes that no longer exist: {stale}"


def test_declared_targets_fit_the_url_parameters():
    for route in web_routes():
        for spec in WEB_ROUTES.get(route.name, ()):
            assert route.kwarg_names == URL_KWARGS.get(spec.target, set()), route.name


def test_every_api_operation_declares_a_permission():
    operations = api_operations()
    assert operations, "no API operations found"
    problems = []
    for op in operations:
        registered = OPERATION_PERMISSIONS.get(op.name)
        if not isinstance(registered, Permission):
            problems.append(f"{op.method} {op.path} ({op.name}): not in OPERATION_PERMISSIONS")
        elif op.marker != registered:
            problems.append(
                f"{op.method} {op.path} ({op.name}): marker {op.marker!r} != {registered!r}"
            )
    assert not problems, "\n".join(problems)
    names = [op.name for op in operations]
    assert len(names) == len(set(names)), "two operations share a function name"


def test_every_api_operation_is_in_the_matrix_and_in_the_schema():
    operations = api_operations()
    found = {op.name for op in operations}
    assert not sorted(found - set(API_OPERATIONS)), "operations missing from API_OPERATIONS"
    assert not sorted(set(API_OPERATIONS) - found), "API_OPERATIONS names unknown operations"
    for op in operations:
        assert op.kwarg_names == URL_KWARGS.get(API_OPERATIONS[op.name].target, set()), op.name
    # The published schema lists exactly these operations, each named after its function.
    schema = api.get_openapi_schema()
    published = {
        (method.upper(), path): spec["operationId"]
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    }
    walked = {(op.method, op.path): op.name for op in operations}
    assert set(published) == set(walked)
    for key, operation_id in published.items():
        assert operation_id.endswith("_" + walked[key]), (key, operation_id)


# ---------------------------------------------------------------------------------------------
# The page matrix
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", CALLERS, ids=caller_id)
def test_page_matrix(role, world: World, make_user):
    user = make_user(role) if role else None
    client = sign_in(Client(), user) if user else Client()
    actor = ActorRef.of(user) if user else None
    outcomes: Counter = Counter()
    mismatches = []
    for route in web_routes():
        specs = WEB_ROUTES.get(route.name)
        if not specs or not valid_marker(route.marker):
            mismatches.append(f"{route.name}: undeclared or unmarked route")
            outcomes["_mismatch"] += 1
            continue
        for spec in specs:
            for loc in locations_for(spec.target):
                target, obj, kwargs = world.target(spec.target, loc, user, spec.state)
                url = spec.url(route.name, kwargs, world, target)
                expected = expected_web(route.marker, spec, actor, obj, kwargs)
                before = world.snapshot(spec.effect, target, user)
                data = spec.data(world, target) if spec.data else {}
                actual = observed(call(client, spec.method, url, data))
                after = world.snapshot(spec.effect, target, user)
                cell = f"{spec.method} {route.name} [{loc.value if loc else '-'}]"
                outcomes[str(expected.status)] += 1
                problem = None
                if known_defect(route.name, loc, expected, actual):
                    outcomes["_known_defect"] += 1
                elif not matches(expected, actual):
                    problem = f"expected {expected}, got {actual}"
                elif spec.effect and (before != after) != expected.allowed:
                    problem = f"answered {actual} but " + (
                        "changed nothing" if expected.allowed else "changed the record"
                    )
                if problem:
                    mismatches.append(f"{cell}: {problem}")
                    outcomes["_mismatch"] += 1
                if route.name == "accounts:sign_out" and user is not None:
                    sign_in(client, user)  # the cell signed the caller out: sign back in
    record("page matrix", caller_id(role), outcomes)
    assert not mismatches, (
        f"{len(mismatches)} cells as {caller_id(role)} do not match the permission table:\n"
        + "\n".join(mismatches)
    )


# ---------------------------------------------------------------------------------------------
# The API matrix
# ---------------------------------------------------------------------------------------------


def api_call(client: Client, method: str, url: str, body: dict | None) -> HttpResponse:
    if method in ("PUT", "PATCH", "POST"):
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    return client.generic(method, url)


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def bad_credentials(world: World) -> dict[str, Client]:
    """Ways of calling the API without a valid token; each must get 401 on every operation."""
    member, other = world.staff[Loc.OWN], world.staff[Loc.SAME_FORCE]
    revoked, revoked_raw = api_token_create(actor=None, user=member, name="old", now=timezone.now())
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    _, disabled_raw = api_token_create(actor=None, user=other, name="x", now=timezone.now())
    User.objects.filter(pk=other.pk).update(is_active=False)
    return {
        "no token": Client(),
        "malformed token": bearer("not-a-token"),
        "unknown token": bearer("sgpat_" + "A" * 43),
        "revoked token": bearer(revoked_raw),
        "disabled user's token": bearer(disabled_raw),
        "basic auth": Client(headers={"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}),
    }


@pytest.mark.parametrize("role", CALLERS, ids=caller_id)
def test_api_matrix(role, world: World, make_user, make_api_client):
    user = make_user(role) if role else None
    actor = ActorRef.of(user) if user else None
    clients = {"token": make_api_client(user)} if user else bad_credentials(world)
    outcomes: Counter = Counter()
    mismatches = []
    for op in api_operations():
        spec = API_OPERATIONS.get(op.name)
        permission = OPERATION_PERMISSIONS.get(op.name)
        if spec is None or not isinstance(permission, Permission):
            mismatches.append(f"{op.method} {op.path}: undeclared operation")
            outcomes["_mismatch"] += 1
            continue
        for credential, client in clients.items():
            for loc in locations_for(spec.target):
                target, obj, kwargs = world.target(spec.target, loc, user, spec.state)
                expected = expected_api(permission, actor, obj, spec.ok_status)
                before = world.snapshot(spec.effect, target, user)
                body = spec.body(world, target) if spec.body else None
                response = api_call(client, op.method, spec.url(op, kwargs), body)
                after = world.snapshot(spec.effect, target, user)
                cell = f"{op.method} {op.path} [{loc.value if loc else '-'}] ({credential})"
                outcomes[str(expected.status)] += 1
                actual = Outcome(response.status_code)
                problem = None
                if known_defect(f"{op.method} {op.path}", loc, expected, actual):
                    outcomes["_known_defect"] += 1
                elif not matches(expected, actual):
                    problem = f"expected {expected}, got {actual}: {response.content[:120]!r}"
                elif response.status_code >= 400:
                    problem = error_body_problem(response)
                    if response.status_code == 401 and response.get("WWW-Authenticate") != "Bearer":
                        problem = "401 without WWW-Authenticate: Bearer"
                elif response.status_code == 200 and obj is not None and spec.returns_target:
                    returned = response.json().get("id")
                    if returned != target.pk:
                        problem = f"returned object {returned}, asked for {target.pk}"
                if problem is None and spec.effect and (before != after) != expected.allowed:
                    problem = f"answered {actual} but " + (
                        "changed nothing" if expected.allowed else "changed the record"
                    )
                if problem:
                    mismatches.append(f"{cell}: {problem}")
                    outcomes["_mismatch"] += 1
    record("API matrix", caller_id(role), outcomes)
    assert not mismatches, (
        f"{len(mismatches)} cells as {caller_id(role)} do not match the permission table:\n"
        + "\n".join(mismatches)
    )


def test_the_api_schema_and_docs_are_not_public(world: World, make_api_client):
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        response = Client().get(url)
        assert response.status_code == 401, url
        assert error_body_problem(response) is None, url
    holder = make_api_client(world.staff[Loc.OWN])
    assert holder.get("/api/v1/openapi.json").status_code == 200


# ---------------------------------------------------------------------------------------------
# Known defects: the right answer, asked for until the code gives it
# ---------------------------------------------------------------------------------------------


def _defect_request(key: tuple[str, str], world: World, user: User, api_client: Client):
    """Send the request of a KNOWN_DEFECTS cell as `user`: (expected outcome, response)."""
    cell, loc_value = key
    loc = next((loc for loc in Loc if loc.value == loc_value), None)
    actor = ActorRef.of(user)
    for op in api_operations():
        if f"{op.method} {op.path}" == cell:
            spec = API_OPERATIONS[op.name]
            target, obj, kwargs = world.target(spec.target, loc, user, spec.state)
            expected = expected_api(op.marker, actor, obj, spec.ok_status)
            body = spec.body(world, target) if spec.body else None
            return expected, api_call(api_client, op.method, spec.url(op, kwargs), body)
    for route in web_routes():
        if route.name == cell:
            spec = next(s for s in WEB_ROUTES[route.name] if s.method != "GET")
            target, obj, kwargs = world.target(spec.target, loc, user, spec.state)
            expected = expected_web(route.marker, spec, actor, obj, kwargs)
            data = spec.data(world, target) if spec.data else {}
            url = spec.url(route.name, kwargs, world, target)
            return expected, call(sign_in(Client(), user), spec.method, url, data)
    raise AssertionError(f"{cell} is neither a route nor an API operation")


@pytest.mark.xfail(strict=True, reason="a code defect reported for a fix: see KNOWN_DEFECTS")
@pytest.mark.parametrize("key", sorted(KNOWN_DEFECTS), ids=lambda key: f"{key[0]} [{key[1]}]")
def test_a_known_defect_answers_as_the_table_requires(
    key, world: World, make_user, make_api_client
):
    defect = KNOWN_DEFECTS[key]
    user = make_user(Role.DUTY_INSPECTOR)
    expected, response = _defect_request(key, world, user, make_api_client(user))
    assert expected.status == defect.expected, "the cell no longer expects what was reported"
    assert response.status_code == expected.status, defect.why
