"""Shared pieces of the security battery (SECURITY.md section 8, rows 1, 2, 4, 11 and 12).

- `web_routes()` walks `get_resolver()`; `api_operations()` walks the ninja API. Whatever they
  find must be declared in `WEB_ROUTES` / `API_OPERATIONS` below, or a test fails: a new route
  cannot slip past the battery unexamined.
- `World` puts one object of each kind in each location (the actor's own unit, another unit of
  the same force, another force) and builds the URL parameters for it.
- `expected_*` derive the answer a request must get from the one permission table
  (`safeguard.core.permissions`), never from the code under test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from safeguard.accounts.models import ApiToken, RoleGrant, Unit, User
from safeguard.accounts.services import api_token_create
from safeguard.api.api import api
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Permission, Role, Scope, scope_for
from safeguard.core.views import PUBLIC, SIGNED_IN

SIGN_IN_PATH = "/sign-in/"
API_ROOT = "/api/v1/"

# --------------------------------------------------------------------------------------------
# Locations of the object a request is about
# --------------------------------------------------------------------------------------------


class Loc(Enum):
    OWN = "own"  # in the actor's unit (a token: the actor's own token)
    SAME_FORCE = "same force"  # in another unit of the actor's force (a colleague's token)
    OTHER_FORCE = "other force"  # in another force


LOCATIONS = tuple(Loc)
# Kinds of object that exist in every location; other targets (None, "reset") have no location.
LOCATED = frozenset({"staff", "unit", "token"})
URL_KWARGS = {
    "staff": {"user_id"},
    "unit": {"unit_id"},
    "token": {"token_id"},
    "reset": {"uidb64", "token"},
}


@dataclass(frozen=True)
class ActorRef:
    """What the policy needs to know about the actor, read straight from the database."""

    user_id: int
    force_id: int
    unit_ids: frozenset[int]
    roles: frozenset[str]

    @classmethod
    def of(cls, user: User) -> ActorRef:
        return cls(
            user_id=user.pk,
            force_id=user.force_id,
            unit_ids=frozenset(user.units.values_list("pk", flat=True)),
            roles=frozenset(RoleGrant.objects.filter(user=user).values_list("role", flat=True)),
        )

    @property
    def label(self) -> str:
        return "+".join(sorted(self.roles))


@dataclass(frozen=True)
class ObjRef:
    """Where an object sits: its force, its units, and whose it is (a user is their own)."""

    force_id: int | None
    unit_ids: frozenset[int] = frozenset()
    owner_id: int | None = None

    @classmethod
    def of_user(cls, user: User) -> ObjRef:
        return cls(user.force_id, frozenset(user.units.values_list("pk", flat=True)), user.pk)

    @classmethod
    def of_unit(cls, unit: Unit) -> ObjRef:
        return cls(unit.force_id, frozenset({unit.pk}), None)

    @classmethod
    def of_token(cls, token: ApiToken) -> ObjRef:
        owner = token.user
        return cls(owner.force_id, frozenset(owner.units.values_list("pk", flat=True)), owner.pk)


def reaches(scope: Scope, actor: ActorRef, obj: ObjRef) -> bool:
    """Does a scope reach an object? Force first, whatever the scope; then the scope's rule."""
    if obj.force_id is None or obj.force_id != actor.force_id:
        return False
    if scope >= Scope.FORCE:
        return True
    if scope == Scope.UNIT:
        return bool(obj.unit_ids & actor.unit_ids)
    if scope == Scope.OWN:
        return obj.owner_id is not None and obj.owner_id == actor.user_id
    return False  # Scope.DISCLOSED: nothing in these worlds has been disclosed to anybody


def visible(permission: Permission, actor: ActorRef, obj: ObjRef) -> bool:
    scope = scope_for(actor.roles, permission)
    return scope is not None and reaches(scope, actor, obj)


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str | None = None  # the path a redirect must lead to
    allowed: bool = False  # the request is authorised to do what it asks

    def __str__(self) -> str:
        return f"{self.status} -> {self.location}" if self.location else str(self.status)


def observed(response: HttpResponse) -> Outcome:
    location = None
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
    return Outcome(response.status_code, location)


def matches(expected: Outcome, actual: Outcome) -> bool:
    if expected.status != actual.status:
        return False
    return expected.location is None or expected.location == actual.location


# --------------------------------------------------------------------------------------------
# The web routes: walked from the resolver, declared here
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebRoute:
    name: str  # "accounts:staff_detail"; the pattern when a route has no name
    pattern: str
    callback: Callable[..., Any]

    @property
    def marker(self) -> object:
        return getattr(self.callback, "safeguard_permission", None)

    @property
    def kwarg_names(self) -> set[str]:
        return set(re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)) | set(
            re.findall(r"\(\?P<(\w+)>", self.pattern)
        )


def _is_the_api_include(entry: URLResolver, pattern: str) -> bool:
    return pattern == API_ROOT.lstrip("/") and entry.namespace == api.urls_namespace


def web_routes() -> list[WebRoute]:
    """Every URL pattern of the project, nested includes too, except the API and static files."""
    routes: list[WebRoute] = []
    static_prefix = (settings.STATIC_URL or "static/").lstrip("/")

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if _is_the_api_include(entry, pattern):
                    continue  # covered operation by operation in the API matrix
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry, pattern, inner)
            elif isinstance(entry, URLPattern):
                if static_prefix and pattern.startswith(static_prefix):
                    continue
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                routes.append(WebRoute(name or pattern, pattern, entry.callback))

    walk(get_resolver(), "", "")
    return routes


def valid_marker(marker: object) -> bool:
    return marker in (PUBLIC, SIGNED_IN) or isinstance(marker, Permission)


def _detail(kwargs: dict[str, Any]) -> str:
    return reverse("accounts:staff_detail", kwargs={"user_id": kwargs["user_id"]})


@dataclass(frozen=True)
class RouteSpec:
    """How to call a route in the matrix, and what it answers when the caller may use it."""

    target: str | None = None  # "staff" | "unit" | "token" | "reset" | None
    method: str = "GET"
    data: Callable[[World, Any], dict[str, Any]] | None = None  # the POST body
    ok_status: int = 200
    ok_location: str | Callable[[dict[str, Any]], str] | None = None
    # PUBLIC routes only: the answer to somebody who is not signed in, when it differs.
    anonymous_status: int | None = None
    effect: str | None = None  # what a permitted POST changes; a refused one changes nothing

    def ok(self, kwargs: dict[str, Any]) -> Outcome:
        location = self.ok_location(kwargs) if callable(self.ok_location) else self.ok_location
        return Outcome(self.ok_status, location, allowed=True)


def _roles_body(world: World, target: Any) -> dict[str, Any]:
    return {"roles": ["officer"], "version": world.version_of(target)}


def _active_body(world: World, target: Any) -> dict[str, Any]:
    return {"active": "1", "version": world.version_of(target)}


WEB_ROUTES: dict[str, tuple[RouteSpec, ...]] = {
    "healthz": (RouteSpec(),),
    "readyz": (RouteSpec(),),
    # A verified user is sent on to My work; the set-up page sends a user with a device on.
    "accounts:sign_in": (RouteSpec(ok_status=302, ok_location="/", anonymous_status=200),),
    "accounts:verify_code": (RouteSpec(ok_status=302, ok_location="/"),),
    "accounts:set_up_authenticator": (RouteSpec(ok_status=302, ok_location="/sign-in/code/"),),
    "accounts:sign_out": (RouteSpec(method="POST", ok_status=302, ok_location=SIGN_IN_PATH),),
    "accounts:password_reset": (RouteSpec(),),
    "accounts:password_reset_sent": (RouteSpec(),),
    # An unknown link answers with the "link has expired" page, whoever asks.
    "accounts:password_reset_confirm": (RouteSpec(target="reset"),),
    "accounts:password_reset_complete": (RouteSpec(),),
    "accounts:staff_list": (RouteSpec(),),
    "frontend:shared_with_me": (RouteSpec(),),
    "accounts:staff_detail": (RouteSpec(target="staff"),),
    "accounts:staff_set_roles": (
        RouteSpec(
            target="staff",
            method="POST",
            data=_roles_body,
            ok_status=302,
            ok_location=_detail,
            effect="staff",
        ),
    ),
    "accounts:staff_set_active": (
        RouteSpec(
            target="staff",
            method="POST",
            data=_active_body,
            ok_status=302,
            ok_location=_detail,
            effect="staff",
        ),
    ),
    "accounts:staff_end_sessions": (
        RouteSpec(
            target="staff", method="POST", ok_status=302, ok_location=_detail, effect="staff"
        ),
    ),
    "accounts:staff_unlock": (
        RouteSpec(
            target="staff", method="POST", ok_status=302, ok_location=_detail, effect="unlocked"
        ),
    ),
    # The record's audit timeline: needs audit search, and the record must be in reach.
    "accounts:staff_activity": (RouteSpec(target="staff"),),
    "accounts:unit_list": (RouteSpec(),),
    "accounts:unit_detail": (RouteSpec(target="unit"),),
    "accounts:permissions": (RouteSpec(),),
    "accounts:audit_search": (RouteSpec(),),
    "accounts:api_tokens": (
        RouteSpec(),
        # Creating a token answers 200 with the page showing the new token once (no redirect).
        RouteSpec(method="POST", data=lambda w, t: {"name": "matrix"}, effect="tokens_created"),
    ),
    "accounts:api_token_revoke": (
        RouteSpec(
            target="token",
            method="POST",
            ok_status=302,
            ok_location="/account/api-tokens/",
            effect="token",
        ),
    ),
    "frontend:my_work": (RouteSpec(),),
}


def expected_web(
    marker: object, spec: RouteSpec, actor: ActorRef | None, obj: ObjRef | None, kwargs: dict
) -> Outcome:
    """The answer the permission table requires for this route, caller and object."""
    if marker == PUBLIC:
        if actor is None and spec.anonymous_status is not None:
            return Outcome(spec.anonymous_status, allowed=True)
        return spec.ok(kwargs)
    if actor is None:
        return Outcome(302, SIGN_IN_PATH)
    if marker == SIGNED_IN:
        return spec.ok(kwargs)
    assert isinstance(marker, Permission), marker
    scope = scope_for(actor.roles, marker)
    if scope is None:
        return Outcome(403)
    if obj is not None and not reaches(scope, actor, obj):
        # Out of reach, in this force or another: not found, never "forbidden".
        return Outcome(404)
    return spec.ok(kwargs)


# --------------------------------------------------------------------------------------------
# The API operations: walked from the ninja API, declared here
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiOperation:
    name: str  # the operation function's name, the key of OPERATION_PERMISSIONS
    method: str
    path: str  # "/api/v1/staff/{user_id}"
    view_func: Callable[..., Any]
    operation_id: str

    @property
    def marker(self) -> object:
        return getattr(self.view_func, "safeguard_permission", None)

    def url(self, kwargs: dict[str, Any]) -> str:
        return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(kwargs[m.group(1)]), self.path)

    @property
    def kwarg_names(self) -> set[str]:
        return set(re.findall(r"\{(?:\w+:)?(\w+)\}", self.path))


def api_operations() -> list[ApiOperation]:
    operations = []
    root = reverse(f"{api.urls_namespace}:api-root")
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            parts = [part.strip("/") for part in (prefix, path) if part.strip("/")]
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.append(
                        ApiOperation(
                            name=operation.view_func.__name__,
                            method=method.upper(),
                            path=root + "/".join(parts),
                            view_func=operation.view_func,
                            operation_id=operation.operation_id or "",
                        )
                    )
    return operations


@dataclass(frozen=True)
class OperationSpec:
    target: str | None = None
    body: Callable[[World, Any], dict[str, Any]] | None = None
    ok_status: int = 200
    effect: str | None = None


API_OPERATIONS: dict[str, OperationSpec] = {
    "me": OperationSpec(),
    "list_units": OperationSpec(),
    "get_unit": OperationSpec(target="unit"),
    "list_staff": OperationSpec(),
    "get_staff": OperationSpec(target="staff"),
    "set_staff_roles": OperationSpec(target="staff", body=_roles_body, effect="staff"),
    "search_audit": OperationSpec(),
    "list_tokens": OperationSpec(),
    "revoke_token": OperationSpec(target="token", ok_status=204, effect="token"),
}

ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "invalid"}


def expected_api(
    permission: Permission, actor: ActorRef | None, obj: ObjRef | None, ok: int
) -> Outcome:
    if actor is None:
        return Outcome(401)
    scope = scope_for(actor.roles, permission)
    if scope is None:
        return Outcome(403)
    if obj is not None and not reaches(scope, actor, obj):
        return Outcome(404)
    return Outcome(ok, allowed=True)


def error_body_problem(response: HttpResponse) -> str | None:
    """None if the body is the one JSON error shape for this status, else what is wrong."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"error body is {response.get('Content-Type')!r}, not JSON"
    try:
        body = response.json()
    except ValueError:
        return "error body is not valid JSON"
    if not isinstance(body, dict) or set(body) != {"error", "message", "fields"}:
        return f"error body keys are {sorted(body) if isinstance(body, dict) else type(body)}"
    if not isinstance(body["fields"], dict) or not isinstance(body["message"], str):
        return "error body fields/message have the wrong types"
    code = ERROR_CODES.get(response.status_code)
    if code and body["error"] != code:
        return f"error code {body['error']!r}, expected {code!r}"
    return None


# --------------------------------------------------------------------------------------------
# The world: one object of each kind in each location
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    force: Any
    other_force: Any
    unit: Unit
    other_unit: Unit
    foreign_unit: Unit
    staff: dict[Loc, User]
    units: dict[Loc, Unit] = field(default_factory=dict)

    @classmethod
    def build(
        cls, make_user: Callable[..., User], force, other_force, unit, other_unit, foreign_unit
    ) -> World:
        staff = {
            Loc.OWN: make_user(Role.OFFICER, units=[unit]),
            Loc.SAME_FORCE: make_user(Role.OFFICER, units=[other_unit]),
            Loc.OTHER_FORCE: make_user(Role.OFFICER, force=other_force, units=[foreign_unit]),
        }
        units = {Loc.OWN: unit, Loc.SAME_FORCE: other_unit, Loc.OTHER_FORCE: foreign_unit}
        return cls(force, other_force, unit, other_unit, foreign_unit, staff, units)

    @staticmethod
    def new_token(user: User, name: str = "target") -> ApiToken:
        token, _ = api_token_create(actor=None, user=user, name=name, now=timezone.now())
        return token

    def target(
        self, kind: str | None, loc: Loc | None, actor_user: User | None
    ) -> tuple[Any, ObjRef | None, dict[str, Any]]:
        """The object, where it sits, and the URL parameters that name it."""
        if kind is None:
            return None, None, {}
        if kind == "staff":
            user = self.staff[loc]  # type: ignore[index]
            return user, ObjRef.of_user(user), {"user_id": user.pk}
        if kind == "unit":
            unit = self.units[loc]  # type: ignore[index]
            return unit, ObjRef.of_unit(unit), {"unit_id": unit.pk}
        if kind == "token":
            # A fresh, live token each time: the actor's own, a colleague's, another force's.
            owner = actor_user if loc is Loc.OWN and actor_user else self.staff[loc]  # type: ignore[index]
            token = self.new_token(owner)
            return token, ObjRef.of_token(token), {"token_id": token.pk}
        if kind == "reset":
            uid = urlsafe_base64_encode(force_bytes(self.staff[Loc.OWN].pk))
            return None, None, {"uidb64": uid, "token": "not-a-valid-token"}
        raise AssertionError(f"unknown target kind {kind!r}")

    @staticmethod
    def version_of(user: User) -> int:
        return User.objects.values_list("version", flat=True).get(pk=user.pk)

    @staticmethod
    def snapshot(effect: str | None, target: Any, actor_user: User | None) -> Hashable:
        """A fingerprint of what a request may change, to prove a refusal changed nothing."""
        if effect is None:
            return None
        if effect == "staff":
            row = User.objects.values_list(
                "version", "is_active", "session_epoch", "password", "force_id", "is_superuser"
            ).get(pk=target.pk)
            roles = tuple(
                sorted(RoleGrant.objects.filter(user=target).values_list("role", flat=True))
            )
            return (row, roles)
        if effect == "token":
            return ApiToken.objects.values_list("revoked_at", flat=True).get(pk=target.pk)
        if effect == "unlocked":
            return AuditEntry.objects.filter(
                object_type="user", object_id=str(target.pk), reason_code="unlocked"
            ).count()
        if effect == "tokens_created":
            return ApiToken.objects.filter(user=actor_user).count() if actor_user else 0
        raise AssertionError(f"unknown effect {effect!r}")


def locations_for(kind: str | None) -> Iterable[Loc | None]:
    return LOCATIONS if kind in LOCATED else (None,)


# --------------------------------------------------------------------------------------------
# Security headers (row 11)
# --------------------------------------------------------------------------------------------

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def csp_directives(value: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response: HttpResponse) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        if "unsafe-" in csp.lower():
            problems.append(f"CSP allows unsafe-*: {csp}")
        directives = csp_directives(csp)
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')}")
        if directives.get("object-src") != ["'none'"]:
            problems.append(f"CSP object-src is {directives.get('object-src')}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options is {response.get('X-Content-Type-Options')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    cache = response.get("Cache-Control", "")
    if "no-store" not in [d.strip().lower() for d in cache.split(",")]:
        problems.append(f"Cache-Control is {cache!r}, without no-store")
    if not REQUEST_ID.match(response.get("X-Request-ID", "")):
        problems.append(f"X-Request-ID is {response.get('X-Request-ID')!r}")
    return problems


# --------------------------------------------------------------------------------------------
# Reporting: the summaries are printed at the end of the run (tests/security/conftest.py)
# --------------------------------------------------------------------------------------------

SUMMARY: dict[str, dict[str, Counter]] = {}


def record(table: str, actor_label: str, outcomes: Counter) -> None:
    SUMMARY.setdefault(table, {})[actor_label] = outcomes


def call(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data or {})
    raise AssertionError(method)
