"""Shared pieces of the security battery (SECURITY.md section 8, rows 1, 2, 4, 11 and 12).

- `web_routes()` walks `get_resolver()`; `api_operations()` walks the ninja API. Whatever they
  find must be declared in `WEB_ROUTES` / `API_OPERATIONS` below, or a test fails: a new route
  cannot slip past the battery unexamined.
- `World` puts one object of each kind in each location (the actor's own unit, another unit of
  the same force, another force) and builds the URL parameters for it. Tokens, people, cases
  and actions are made fresh for each request, a case at the lifecycle status its route needs
  (`RouteSpec.state`), so one cell's write never decides another cell's answer.
- `expected_*` derive the answer a request must get from the one permission table
  (`safeguard.core.permissions`), never from the code under test.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import ApiToken, RoleGrant, Unit, User
from safeguard.accounts.services import api_token_create
from safeguard.api.api import api
from safeguard.cases.models import (
    Action,
    Allocation,
    Case,
    Decision,
    Involvement,
    Note,
    VoiceOfChild,
)
from safeguard.cases.services import case_clocks_rederive
from safeguard.core.models import AuditEntry, Disclosure, OutboxMessage
from safeguard.core.permissions import Permission, Role, Scope, scope_for
from safeguard.core.views import PUBLIC, SIGNED_IN
from safeguard.domestic_abuse.models import (
    DaPolicySetting,
    DashAssessment,
    Incident,
    IncidentChild,
    MaracReferral,
)
from safeguard.domestic_abuse.rules.policy import POLICY_RANGES as DA_POLICY_RANGES
from safeguard.encompass.models import Notification
from safeguard.encompass.selectors import DISCLOSURE as ENCOMPASS_DISCLOSURE
from safeguard.missing.models import (
    Episode,
    GradeChange,
    MissingPolicySetting,
    Photo,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.missing.rules.response import POLICY_RANGES
from safeguard.missing.selectors import RHI_DISCLOSURE
from safeguard.partners.models import KeyAdult, LocalAuthority, School
from safeguard.partners.tests.gias_csv import gias_csv, school_row
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.people.rules.matching import search_keys
from safeguard.supervision.models import Review, ReviewPolicySetting

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
LOCATED = frozenset(
    {
        "staff",
        "unit",
        "token",
        "case",
        "person",
        "action",
        "outbox",
        "alert",
        "episode",
        "missing_case",
        "interview",
        "key_adult",
        "incident",
        "da_case",
        "notification",
    }
)
URL_KWARGS = {
    "staff": {"user_id"},
    "unit": {"unit_id"},
    "token": {"token_id"},
    "reset": {"uidb64", "token"},
    "case": {"case_id"},
    "person": {"person_id"},
    "action": {"case_id", "action_id"},
    "outbox": {"message_id"},  # an undelivered (dead) email of the location's force
    "alert": {"message_id"},  # an in-app alert to the location's officer (OWN: the actor)
    # A missing episode on a case of type missing in the location's unit (like "case").
    "episode": {"episode_id"},
    # The case of a missing episode (the case page's link to its episode).
    "missing_case": {"case_id"},
    # A return home interview task of an episode in the location, disclosed to the location's
    # local authority user (OWN: to the actor).
    "interview": {"interview_id"},
    # A school of the directory: public reference data, in no force, so no location.
    "school": {"urn"},
    # A key adult of a school for the location's force: only FORCE scope reaches it.
    "key_adult": {"key_adult_id"},
    # A domestic abuse incident on a case of type domestic_abuse in the location's unit (owned
    # as "case" is). States: None (fresh, awaiting triage), "marac" (DASH recorded with an
    # unsent MARAC referral), "claimed" (claimed for triage by the actor).
    "incident": {"incident_id"},
    # The case of a domestic abuse incident (the case page's link to its incident).
    "da_case": {"case_id"},
    # An Operation Encompass notification in the location's unit (the location's Encompass
    # desk) about a child of an incident there. States: "to_resolve" (no school known),
    # "to_review" (a school whose key adult is the location's partner user), "sent"
    # (disclosed to the location's partner user; OWN: to the actor).
    "notification": {"notification_id"},
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
    # Partner users it was disclosed to: what DISCLOSED scope reaches.
    disclosed_to: frozenset[int] = frozenset()

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

    @classmethod
    def of_case(cls, case: Case) -> ObjRef:
        """A case sits in its force and its unit, and is the owner's (scoping.py: unit, owner)."""
        return cls(case.force_id, frozenset({case.unit_id}), case.owner_id)

    @classmethod
    def of_outbox(cls, message: OutboxMessage) -> ObjRef:
        """An outbound message belongs to its force; only FORCE scope reaches it."""
        return cls(message.force_id)

    @classmethod
    def of_alert(cls, alert: OutboxMessage, recipient: User) -> ObjRef:
        """An in-app alert is its recipient's own."""
        return cls(alert.force_id, frozenset(), recipient.pk)

    @classmethod
    def of_interview(cls, task: ReturnInterview, case: Case, recipient: User) -> ObjRef:
        """A return home interview task sits with its episode's case (for the police, who may
        record it on the authority's behalf) and is disclosed to the authority's user."""
        return cls(
            case.force_id, frozenset({case.unit_id}), case.owner_id, frozenset({recipient.pk})
        )

    @classmethod
    def of_person(cls, person: Person) -> ObjRef:
        """People are one index per force: no unit, no owner; only FORCE scope reaches them."""
        return cls(person.force_id)


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
    if scope == Scope.DISCLOSED:
        return actor.user_id in obj.disclosed_to
    return False


def visible(permission: Permission, actor: ActorRef, obj: ObjRef) -> bool:
    scope = scope_for(actor.roles, permission)
    return scope is not None and reaches(scope, actor, obj)


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    # The path a redirect must lead to: exact, or a pattern when the id is made by the request.
    location: str | re.Pattern[str] | None = None
    allowed: bool = False  # the request is authorised to do what it asks

    def __str__(self) -> str:
        location = getattr(self.location, "pattern", self.location)
        return f"{self.status} -> {location}" if location else str(self.status)


def observed(response: HttpResponse) -> Outcome:
    location = None
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
    return Outcome(response.status_code, location)


def matches(expected: Outcome, actual: Outcome) -> bool:
    if expected.status != actual.status:
        return False
    if isinstance(expected.location, re.Pattern):
        return actual.location is not None and bool(expected.location.fullmatch(actual.location))
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

    target: str | None = None  # a kind of URL_KWARGS, or None
    method: str = "GET"
    data: Callable[[World, Any], dict[str, Any]] | None = None  # the POST body
    ok_status: int = 200
    ok_location: str | re.Pattern[str] | Callable[[dict[str, Any]], str] | None = None
    # PUBLIC routes only: the answer to somebody who is not signed in, when it differs.
    anonymous_status: int | None = None
    effect: str | None = None  # what a permitted POST changes; a refused one changes nothing
    # A case target's status, chosen so that a permitted request can succeed (e.g. 'received'
    # for triage): the lifecycle must not be the reason a permitted request is refused.
    state: str | None = None
    # The query string, when the page needs one (e.g. the child a missing report is about).
    query: Callable[[World, Any], dict[str, Any]] | None = None

    def url(self, name: str, kwargs: dict[str, Any], world: World, target: Any) -> str:
        url = reverse(name, kwargs=kwargs or None)
        return f"{url}?{urlencode(self.query(world, target))}" if self.query else url

    def ok(self, kwargs: dict[str, Any]) -> Outcome:
        location = self.ok_location(kwargs) if callable(self.ok_location) else self.ok_location
        return Outcome(self.ok_status, location, allowed=True)


def _roles_body(world: World, target: Any) -> dict[str, Any]:
    return {"roles": ["officer"], "version": world.version_of(target)}


def _active_body(world: World, target: Any) -> dict[str, Any]:
    return {"active": "1", "version": world.version_of(target)}


# --- Bodies for force administration (issue 12) -------------------------------------------------


def _new_staff_body(world: World, target: Any) -> dict[str, Any]:
    name = f"matrix{next(_REFERENCES)}"
    return {
        "first_name": "Mat",
        "last_name": "Rix",
        "username": name,
        "email": f"{name}@police.example",
        "roles": ["officer"],
    }


def _staff_details_body(world: World, target: User) -> dict[str, Any]:
    return {
        "first_name": "Changed",
        "last_name": target.last_name or "Name",
        "email": target.email or "changed@police.example",
        "version": world.version_of(target),
    }


def _staff_csv(world: World, target: Any) -> str:
    name = f"matrix{next(_REFERENCES)}"
    return (
        f"first_name,last_name,username,email,roles\nMat,Rix,{name},{name}@police.example,officer\n"
    )


def _staff_import_body(world: World, target: Any) -> dict[str, Any]:
    content = _staff_csv(world, target).encode()
    return {"file": SimpleUploadedFile("staff.csv", content, content_type="text/csv")}


def _new_unit_body(world: World, target: Any) -> dict[str, Any]:
    return {"name": f"Matrix Unit {next(_REFERENCES)}", "unit_type": "response"}


def _unit_body(world: World, target: Unit) -> dict[str, Any]:
    version = Unit.objects.values_list("version", flat=True).get(pk=target.pk)
    return {"name": target.name, "unit_type": target.unit_type, "version": version}


# --- Bodies for the case core pages. Each is a request that succeeds when permitted. ---------

REASON = "Safety plan agreed with children's social care; no further police action."


def _case_page(kwargs: dict[str, Any]) -> str:
    return reverse("cases:case_detail", kwargs={"case_id": kwargs["case_id"]})


def _person_page(kwargs: dict[str, Any]) -> str:
    return reverse("people:person_detail", kwargs={"person_id": kwargs["person_id"]})


NEW_CASE_PAGE = re.compile(r"/cases/\d+/")
NEW_PERSON_PAGE = re.compile(r"/people/\d+/")


def _version(model: type, target: Any) -> int:
    return model.objects.values_list("version", flat=True).get(pk=target.pk)


def _case_version(world: World, case: Case) -> dict[str, Any]:
    return {"version": _version(Case, case)}


# Triage records a referral decision and its reason (docs/rules.md 5.1).
TRIAGE_DECISION = "early_help"
TRIAGE_REASON = "Needs support from early help services; no significant harm suspected."


def _triage_page_body(world: World, case: Case) -> dict[str, Any]:
    return {"decision": TRIAGE_DECISION, "reason": TRIAGE_REASON, "version": _version(Case, case)}


def _reason_body(world: World, case: Case) -> dict[str, Any]:
    return {"reason": REASON, "version": _version(Case, case)}


def _case_edit_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "case_type": Case.Type.DOMESTIC_ABUSE,
        "risk_grade": case.risk_grade,
        "risk_rationale": case.risk_rationale,
        "summary": "Summary revised after the strategy discussion",
        "version": _version(Case, case),
    }


def _add_person_body(world: World, case: Case) -> dict[str, Any]:
    return {"person": world.new_person(case.force_id, "Oliver").pk, "role": "sibling"}


def _decision_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "decision": "Hold a strategy discussion with children's social care",
        "rationale": "Unexplained bruising on a child under ten; the explanation is inconsistent",
    }


def _note_body(world: World, case: Case) -> dict[str, Any]:
    return {"text": "Called the school's designated safeguarding lead."}


def _action_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "title": "Visit the child at school",
        "owner": world.officer_of_unit(case.unit_id).pk,
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }


def _voice_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "child": world.subject_of(case).pk,
        "seen": "no",
        "spoken_to": "no",
        "not_seen_reason": "The family had moved to a refuge the day before.",
    }


def _allocate_body(world: World, case: Case) -> dict[str, Any]:
    return {"owner": world.officer_of_unit(case.unit_id).pk, "version": _version(Case, case)}


def _review_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "findings": "Risk assessment sound; child not yet seen.",
        "direction": "See the child within 24 hours.",
    }


def _closure_body(world: World, case: Case) -> dict[str, Any]:
    return {"findings": "Child heard; safety plan in place.", "version": _version(Case, case)}


def _policy_version(world: World) -> int:
    setting = ReviewPolicySetting.objects.filter(force=world.force).first()
    return setting.version if setting else ReviewPolicySetting().version


def _policy_body(world: World, target: Any) -> dict[str, Any]:
    return {
        "initial_review_hours": 48,
        "periodic_review_days": 21,
        "child_seen_high_hours": 12,
        "child_seen_medium_days": 2,
        "child_seen_standard_days": 4,
        "version": _policy_version(world),
    }


def _new_case_body(world: World, target: Any) -> dict[str, Any]:
    received = timezone.localtime() - timedelta(days=1)
    return {
        "given_names": "Isla",
        "family_name": "Achterberg",
        "date_of_birth": "2016-02-29",
        "gender": "female",
        "case_type": Case.Type.MISSING,
        "source": Case.Source.EMERGENCY_CALL,
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "unit": world.unit.pk,
        "risk_grade": Case.Grade.HIGH,
        "risk_rationale": "Eleven years old, missing overnight, first episode",
        "summary": "Reported missing by her mother",
        "choice": "new",
    }


def _new_person_body(world: World, target: Any) -> dict[str, Any]:
    return {
        "given_names": "Noah",
        "family_name": "Fairweather-Okafor",
        "date_of_birth": "2014-07-12",
        "gender": "male",
        "confirm_new": "1",
    }


def _person_edit_body(world: World, person: Person) -> dict[str, Any]:
    return {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "gender": "female",
        "ethnicity": "Mixed: White and Black Caribbean",
        "version": _version(Person, person),
    }


def _address_body(world: World, person: Person) -> dict[str, Any]:
    return {"line1": "14 Acacia Avenue", "town": "Leeds", "postcode": "LS6 2AB"}


def _alias_body(world: World, person: Person) -> dict[str, Any]:
    return {"given_names": "Millie", "family_name": "Hughes"}


def _markers_body(world: World, person: Person) -> dict[str, Any]:
    return {"on_protection_plan": "yes", "looked_after": "no", "version": _version(Person, person)}


def _relationship_body(world: World, person: Person) -> dict[str, Any]:
    return {"kind": "sibling", "other": world.new_person(person.force_id, "Jack").pk}


def _merge_body(world: World, person: Person) -> dict[str, Any]:
    other = world.new_person(person.force_id, person.given_names)
    return {
        "merge_id": other.pk,
        "keep_version": _version(Person, person),
        "merge_version": other.version,
        "confirm": "yes",
    }


def _form_and_post(
    target: str,
    data: Callable[[World, Any], dict[str, Any]],
    ok_location: Callable[[dict[str, Any]], str],
    effect: str,
    state: str | None = None,
) -> tuple[RouteSpec, ...]:
    """A page with a form: GET shows it (200); a valid POST writes and redirects."""
    return (
        RouteSpec(target=target, state=state),
        RouteSpec(
            target=target,
            method="POST",
            data=data,
            ok_status=302,
            ok_location=ok_location,
            effect=effect,
            state=state,
        ),
    )


def _case_post(
    data: Callable[[World, Any], dict[str, Any]], state: str | None = None, target: str = "case"
) -> tuple[RouteSpec, ...]:
    """A POST-only case step: it redirects to the case page whatever happens; the effect tells."""
    effect = "action" if target == "action" else "case"
    return (
        RouteSpec(
            target=target,
            method="POST",
            data=data,
            ok_status=302,
            ok_location=_case_page,
            effect=effect,
            state=state,
        ),
    )


def _action_version(world: World, action: Action) -> dict[str, Any]:
    return {"version": _version(Action, action)}


# --- Bodies for the missing-children pages ---------------------------------------------------

NEW_EPISODE_PAGE = re.compile(r"/missing/\d+/")
# A 1x1 PNG: the smallest image the photo check accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def _episode_page(kwargs: dict[str, Any]) -> str:
    return reverse("missing:detail", kwargs={"episode_id": kwargs["episode_id"]})


def _local_minutes(delta: timedelta) -> str:
    """A time `delta` ago as a page's date-time field sends it (local time, to the minute)."""
    return (timezone.localtime() - delta).strftime("%Y-%m-%dT%H:%M")


def _report_child(world: World, target: Any) -> dict[str, Any]:
    return {"person": world.new_person(world.force.pk, "Isla").pk}


def _report_page_body(world: World, target: Any) -> dict[str, Any]:
    world.missing_unit(world.force.pk)  # a report goes to the force's missing persons unit
    return {
        "source": Case.Source.EMERGENCY_CALL,
        "reported_at": _local_minutes(timedelta(hours=1)),
        "reported_by": "Her mother",
        "reporter_relationship": "Mother",
        "missing_from": "home",
        "local_authority": world.local_authority(world.force.pk).pk,
        "last_seen_at": _local_minutes(timedelta(hours=3)),
        "last_seen_place": "Home, 4 Mill Lane",
        "circumstances": "Did not come home from school.",
        "self_harm_risk": "no",
        "urgent_health_need": "no",
        "suspected_crime": "no",
        "out_of_character": "yes",
        # Nine years old: the suggestion is high, and an officer may not choose lower.
        "grade": "high",
        "grade_rationale": "Nine years old, missing after dark",
        "action": "save",
    }


def _regrade_body(world: World, episode: Episode) -> dict[str, Any]:
    return {
        "grade": "high",
        "rationale": "Texted a friend saying she wants to die.",
        **_ev(episode),
    }


def _grade_review_body(world: World, episode: Episode) -> dict[str, Any]:
    grade = Episode.objects.values_list("grade", flat=True).get(pk=episode.pk)
    return {
        "grade": grade,
        "rationale": "Grade confirmed on the information so far.",
        **_ev(episode),
    }


def _ev(episode: Episode) -> dict[str, Any]:
    return {"version": _version(Episode, episode)}


def _attended_page_body(world: World, episode: Episode) -> dict[str, Any]:
    return {"attended_at": _local_minutes(timedelta(hours=1)), **_ev(episode)}


def _risk_review_body(world: World, episode: Episode) -> dict[str, Any]:
    return {"note": "Called her friends; none has seen her since 6 pm."}


def _plan_page_body(world: World, episode: Episode) -> dict[str, Any]:
    return {
        "kind": "cctv",
        "detail": "Bus station cameras 21:00 to 23:00",
        "owner": world.officer_of_unit(episode.case.unit_id).pk,
        "due_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }


def _found_page_body(world: World, episode: Episode) -> dict[str, Any]:
    return {
        "found_at": _local_minutes(timedelta(minutes=30)),
        "found_place": "Ipswich bus station",
        "found_by": "PC Okafor",
        "condition": "Tired, unhurt",
        **_ev(episode),
    }


def _prevention_page_body(world: World, episode: Episode) -> dict[str, Any]:
    return {
        "conducted_at": _local_minutes(timedelta(minutes=30)),
        "spoken_to_alone": "yes",
        "harm_suffered": "None",
        "why_went": "Wanted to see a friend",
    }


def _rhi_version(task: ReturnInterview) -> int:
    return _version(ReturnInterview, task)


def _rhi_page_body(world: World, target: Any) -> dict[str, Any]:
    task = target if isinstance(target, ReturnInterview) else target.return_interview
    return {
        "offered_at": _local_minutes(timedelta(minutes=20)),
        "outcome": "declined",
        "version": _rhi_version(task),
    }


def _photo_body(world: World, episode: Episode) -> dict[str, Any]:
    return {"photo": SimpleUploadedFile("photo.png", PNG, content_type="image/png")}


def _missing_policy_body(world: World, target: Any) -> dict[str, Any]:
    setting = MissingPolicySetting.objects.filter(force=world.force).first()
    values = {name: getattr(setting or MissingPolicySetting(), name) for name in POLICY_RANGES}
    return {
        **values,
        "attend_high_minutes": 45,
        "version": (setting or MissingPolicySetting()).version,
    }


def _da_policy_body(world: World, target: Any) -> dict[str, Any]:
    setting = DaPolicySetting.objects.filter(force=world.force).first() or DaPolicySetting()
    values = {name: getattr(setting, name) for name in DA_POLICY_RANGES}
    return {**values, "dash_hours": 12, "version": setting.version}


def _missing_form_and_post(
    data: Callable[[World, Any], dict[str, Any]], state: str | None = None
) -> tuple[RouteSpec, ...]:
    return _form_and_post("episode", data, _episode_page, "episode", state=state)


# --- Bodies for the schools directory pages ----------------------------------------------------


def _school_page(kwargs: dict[str, Any]) -> str:
    return reverse("partners:school_detail", kwargs={"urn": kwargs["urn"]})


def _key_adult_school_page(kwargs: dict[str, Any]) -> str:
    urn = KeyAdult.objects.values_list("school__urn", flat=True).get(pk=kwargs["key_adult_id"])
    return reverse("partners:school_detail", kwargs={"urn": urn})


def _gias_body(world: World, target: Any) -> dict[str, Any]:
    """A GIAS file with a school not yet in the directory: a permitted upload adds it."""
    urn = f"8{next(_REFERENCES):05d}"
    content = gias_csv([school_row(urn, f"Matrix School {urn}")], junk_columns=5)
    return {"file": SimpleUploadedFile("gias.csv", content, content_type="text/csv")}


def _key_adult_body(world: World, school: School) -> dict[str, Any]:
    return {"name": "Jo Lead", "role": "dsl", "secure_email": f"dsl-{school.urn}@school.gov.uk"}


# --- Bodies for the domestic abuse and Operation Encompass pages ------------------------------

NEW_INCIDENT_PAGE = re.compile(r"/domestic-abuse/\d+/")
TRIAGE_QUEUE = "/domestic-abuse/triage/"


def _incident_page(kwargs: dict[str, Any]) -> str:
    return reverse("domestic_abuse:detail", kwargs={"incident_id": kwargs["incident_id"]})


def _notification_page(kwargs: dict[str, Any]) -> str:
    return reverse("encompass:notification", kwargs={"notification_id": kwargs["notification_id"]})


def _received_page(kwargs: dict[str, Any]) -> str:
    return reverse("encompass:received", kwargs={"notification_id": kwargs["notification_id"]})


def _victim(world: World, target: Any) -> dict[str, Any]:
    return {"victim": world.new_person(world.force.pk, "Dana", years=35).pk}


def _incident_page_body(world: World, target: Any) -> dict[str, Any]:
    """No household on record: no suspect, and one child entered by record number."""
    return {
        "attended_at": _local_minutes(timedelta(hours=2)),
        "place": "12 Elm Road, Ipswich",
        "suspect": "none",
        "relationship": "partner",
        "account": "Neighbour called 999 after shouting.",
        "child0_id": str(world.new_person(world.force.pk, "Ellie").pk),
        "child0_present": "yes",
        "child0_where": "Bedroom",
        "child0_related_to": "victim",
        "child0_home_educated": "no",
        "child0_spoken_to": "yes",
        "child0_spoken_to_alone": "no",
        "child0_child_said": "They were shouting again.",
        "child0_demeanour": "Quiet",
        "child1_id": "",
    }


def _marac_version(world: World, incident: Incident) -> dict[str, Any]:
    return {"version": _version(MaracReferral, incident.marac)}


def _triage_body(world: World, incident: Incident) -> dict[str, Any]:
    return {
        "grade": "medium",
        "notes": "History checked; safety plan in place.",
        "version": _version(Incident, incident),
    }


def _resolve_body(world: World, notification: Notification) -> dict[str, Any]:
    return {"school_urn": world.new_school().urn, "version": _version(Notification, notification)}


def _send_body(world: World, notification: Notification) -> dict[str, Any]:
    return {
        "circumstances": "Verbal argument between the parents; police attended.",
        "version": _version(Notification, notification),
    }


def _dash_page_body(world: World, incident: Incident) -> dict[str, Any]:
    return {
        **{f"q{n}": "no" for n in range(1, 28)},
        "grade": "standard",
        "judgement_referral": "no",
        "action": "save",
    }


def _assign_page_body(world: World, incident: Incident) -> dict[str, Any]:
    return {"user": world.officer_of_unit(incident.case.unit_id).pk}


def _send_page_body(world: World, notification: Notification) -> dict[str, Any]:
    """The confirm step's "send" (without it the page only previews)."""
    return {**_send_body(world, notification), "action": "send"}


def _preview_body(world: World, notification: Notification) -> dict[str, Any]:
    return {"circumstances": "Verbal argument between the parents; police attended."}


def _notification_version(world: World, notification: Notification) -> dict[str, Any]:
    return {"version": _version(Notification, notification)}


def _other_route_page_body(world: World, notification: Notification) -> dict[str, Any]:
    return {"other_route": "Phoned the DSL", **_notification_version(world, notification)}


def _other_route_body(world: World, notification: Notification) -> dict[str, Any]:
    return {"how": "Phoned the DSL", **_notification_version(world, notification)}


def _school_action_body(world: World, notification: Notification) -> dict[str, Any]:
    return {
        "action_taken": "DSL spoke with the child",
        **_notification_version(world, notification),
    }


def _resolve_page_body(world: World, notification: Notification) -> dict[str, Any]:
    return {**_resolve_body(world, notification), "local_authority": ""}


def _da_form_and_post(
    data: Callable[[World, Any], dict[str, Any]],
    ok_location: Callable[[dict[str, Any]], str] | str,
    state: str | None = None,
) -> tuple[RouteSpec, ...]:
    return (
        RouteSpec(target="incident", state=state),
        RouteSpec(
            target="incident",
            method="POST",
            data=data,
            ok_status=302,
            ok_location=ok_location,
            effect="incident",
            state=state,
        ),
    )


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
    # Force administration (issue 12).
    "accounts:staff_create": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_new_staff_body,
            ok_status=302,
            ok_location=re.compile(r"/staff/\d+/"),
            effect="users_created",
        ),
    ),
    "accounts:staff_import": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_staff_import_body,
            ok_status=302,
            ok_location="/staff/",
            effect="users_created",
        ),
    ),
    "accounts:staff_import_example": (RouteSpec(),),
    "accounts:staff_edit": (
        RouteSpec(target="staff"),
        RouteSpec(
            target="staff",
            method="POST",
            data=_staff_details_body,
            ok_status=302,
            ok_location=_detail,
            effect="staff",
        ),
    ),
    "accounts:staff_password_reset": (
        RouteSpec(
            target="staff",
            method="POST",
            ok_status=302,
            ok_location=_detail,
            effect="password_link",
        ),
    ),
    "accounts:staff_reset_mfa": (
        RouteSpec(target="staff", method="POST", ok_status=302, ok_location=_detail, effect="mfa"),
    ),
    "accounts:unit_create": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_new_unit_body,
            ok_status=302,
            ok_location=re.compile(r"/units/\d+/"),
            effect="units_created",
        ),
    ),
    "accounts:unit_edit": (
        RouteSpec(target="unit"),
        RouteSpec(
            target="unit",
            method="POST",
            data=_unit_body,
            ok_status=302,
            ok_location=lambda kwargs: reverse("accounts:unit_detail", kwargs=kwargs),
            effect="unit",
        ),
    ),
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
    # Lists of deadlines: Team (TEAM_VIEW) and the duty inspector's (DUTY_VIEW).
    "frontend:team": (RouteSpec(),),
    "frontend:duty": (RouteSpec(),),
    # Signing in leads here: on to the role's main page, which differs by role (a pattern is
    # matched whole, so any path of this site).
    "frontend:landing": (RouteSpec(ok_status=302, ok_location=re.compile(r"/.*")),),
    "demomail:mailbox": (RouteSpec(),),
    # Quick-find: an empty box goes to the people search page.
    "frontend:quick_find": (RouteSpec(ok_status=302, ok_location="/people/"),),
    # Notifications: a force admin's undelivered messages; everybody's own in-app alerts.
    "notifications:undelivered": (RouteSpec(),),
    "notifications:retry": (
        RouteSpec(
            target="outbox",
            method="POST",
            ok_status=302,
            ok_location="/admin/undelivered-messages/",
            effect="outbox",
        ),
    ),
    "notifications:alerts": (RouteSpec(),),
    "notifications:alert_read": (
        RouteSpec(
            target="alert", method="POST", ok_status=302, ok_location="/alerts/", effect="alert"
        ),
    ),
    # People: one index per force (PERSON_VIEW / PERSON_MANAGE at FORCE scope).
    "people:person_search": (RouteSpec(),),
    "people:person_new": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_new_person_body,
            ok_status=302,
            ok_location=NEW_PERSON_PAGE,
            effect="people_created",
        ),
    ),
    "people:person_detail": (RouteSpec(target="person"),),
    "people:person_edit": _form_and_post("person", _person_edit_body, _person_page, "person"),
    "people:address_new": _form_and_post("person", _address_body, _person_page, "person"),
    "people:alias_new": _form_and_post("person", _alias_body, _person_page, "person"),
    "people:markers_edit": _form_and_post("person", _markers_body, _person_page, "person"),
    "people:relationship_new": _form_and_post("person", _relationship_body, _person_page, "person"),
    "cases:person_merge": _form_and_post("person", _merge_body, _person_page, "person"),
    # Cases: scoped by unit and owner; every page checks the scope of its own permission.
    "cases:case_list": (RouteSpec(),),
    "cases:case_create": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_new_case_body,
            ok_status=302,
            ok_location=NEW_CASE_PAGE,
            effect="cases_created",
        ),
    ),
    "cases:case_detail": (RouteSpec(target="case"),),
    "cases:case_timeline": (RouteSpec(target="case"),),
    "cases:case_edit": _form_and_post("case", _case_edit_body, _case_page, "case"),
    "cases:case_add_person": _form_and_post("case", _add_person_body, _case_page, "case"),
    "cases:decision_new": _form_and_post("case", _decision_body, _case_page, "case"),
    "cases:note_new": _form_and_post("case", _note_body, _case_page, "case"),
    "cases:action_new": _form_and_post("case", _action_body, _case_page, "case"),
    "cases:action_complete": _case_post(_action_version, target="action"),
    "cases:voice_new": _form_and_post("case", _voice_body, _case_page, "case"),
    "cases:triage": _form_and_post("case", _triage_page_body, _case_page, "case", state="received"),
    "cases:start_investigation": _case_post(_case_version, state="allocated"),
    "cases:request_closure": _form_and_post(
        "case", _reason_body, _case_page, "case", state="investigating"
    ),
    "cases:child_chronology": (RouteSpec(target="person"),),
    # Supervision (CASE_SUPERVISE) and the force's review intervals (POLICY_*).
    "supervision:reviews_due": (RouteSpec(),),
    "supervision:allocate": _form_and_post(
        "case", _allocate_body, _case_page, "case", state="triaged"
    ),
    "supervision:review_new": _form_and_post(
        "case", _review_body, _case_page, "case", state="allocated"
    ),
    "supervision:closure_approve": _form_and_post(
        "case", _closure_body, _case_page, "case", state="awaiting_closure"
    ),
    "supervision:return_for_work": _form_and_post(
        "case", _reason_body, _case_page, "case", state="awaiting_closure"
    ),
    "supervision:reopen": _form_and_post("case", _reason_body, _case_page, "case", state="closed"),
    "supervision:policy": (RouteSpec(),),
    "supervision:policy_edit": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_policy_body,
            ok_status=302,
            ok_location="/settings/supervision/",
            effect="policy",
        ),
    ),
    # Missing children: the episode rides on its case, so its pages reach what the case's do.
    "missing:board": (RouteSpec(),),
    "missing:figures": (RouteSpec(),),
    "missing:child_profile": (RouteSpec(target="person"),),
    "missing:policy": (RouteSpec(),),
    "missing:policy_edit": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_missing_policy_body,
            ok_status=302,
            ok_location="/settings/missing/",
            effect="missing_policy",
        ),
    ),
    # A local authority's tasks: only those disclosed to the user (DISCLOSED scope).
    "missing:interview_list": (RouteSpec(),),
    "missing:interview_record": _form_and_post(
        "interview", _rhi_page_body, lambda kwargs: "/return-interviews/", "interview"
    ),
    # Without a child the page asks which child; with one, a valid report saves and opens it.
    "missing:report": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            query=_report_child,
            data=_report_page_body,
            ok_status=302,
            ok_location=NEW_EPISODE_PAGE,
            effect="episodes_created",
        ),
    ),
    "missing:for_case": (
        RouteSpec(target="missing_case", ok_status=302, ok_location=NEW_EPISODE_PAGE),
    ),
    "missing:detail": (RouteSpec(target="episode"),),
    "missing:photo": (RouteSpec(target="episode", state="photo"),),
    "missing:photo_add": _missing_form_and_post(_photo_body),
    "missing:regrade": _missing_form_and_post(_regrade_body),
    "missing:supervisor_review": _missing_form_and_post(_grade_review_body),
    "missing:attended": _missing_form_and_post(_attended_page_body),
    "missing:risk_review": _missing_form_and_post(_risk_review_body),
    # DUTY_VIEW, and the service also needs CASE_SUPERVISE on the case: every role with
    # DUTY_VIEW (the duty inspector) supervises at FORCE scope, which reaches exactly what
    # DUTY_VIEW's FORCE scope does, so the table's answer for DUTY_VIEW is the whole answer.
    "missing:acknowledge": (
        RouteSpec(
            target="episode",
            method="POST",
            ok_status=302,
            ok_location=_episode_page,
            effect="episode",
            state="high",
        ),
    ),
    "missing:plan_add": _missing_form_and_post(_plan_page_body),
    "missing:found": _missing_form_and_post(_found_page_body),
    "missing:prevention": _missing_form_and_post(_prevention_page_body, state="found"),
    "missing:interview_on_behalf": _missing_form_and_post(_rhi_page_body, state="found"),
    # Schools: the directory is public reference data (no force); its key adults are the
    # force's. Reading needs SCHOOLS_VIEW, changing SCHOOLS_MANAGE (force admin).
    "partners:school_list": (RouteSpec(),),
    # A permitted upload answers 200 with the import's report (no redirect).
    "partners:school_import": (
        RouteSpec(),
        RouteSpec(method="POST", data=_gias_body, effect="schools_created"),
    ),
    "partners:school_detail": (RouteSpec(target="school"),),
    "partners:school_start_time": _form_and_post(
        "school", lambda w, t: {"day_starts_at": "09:15"}, _school_page, "school"
    ),
    "partners:key_adult_add": _form_and_post("school", _key_adult_body, _school_page, "school"),
    "partners:key_adult_deactivate": (
        RouteSpec(
            target="key_adult",
            method="POST",
            ok_status=302,
            ok_location=_key_adult_school_page,
            effect="key_adult",
        ),
    ),
    # Domestic abuse: the incident rides on its case, so its pages reach what the case's do.
    "domestic_abuse:triage_queue": (RouteSpec(),),
    "domestic_abuse:triage_capacity": (RouteSpec(),),
    "domestic_abuse:policy": (RouteSpec(),),
    "domestic_abuse:policy_edit": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            data=_da_policy_body,
            ok_status=302,
            ok_location="/settings/domestic-abuse/",
            effect="da_policy",
        ),
    ),
    # Without a victim the page asks who; with one, a valid incident saves and opens it.
    "domestic_abuse:record": (
        RouteSpec(),
        RouteSpec(
            method="POST",
            query=_victim,
            data=_incident_page_body,
            ok_status=302,
            ok_location=NEW_INCIDENT_PAGE,
            effect="incidents_created",
        ),
    ),
    "domestic_abuse:for_case": (
        RouteSpec(target="da_case", ok_status=302, ok_location=NEW_INCIDENT_PAGE),
    ),
    "domestic_abuse:detail": (RouteSpec(target="incident"),),
    "domestic_abuse:dash": _da_form_and_post(_dash_page_body, _incident_page),
    "domestic_abuse:marac_send": (
        RouteSpec(
            target="incident",
            method="POST",
            data=_marac_version,
            ok_status=302,
            ok_location=_incident_page,
            effect="incident",
            state="marac",
        ),
    ),
    "domestic_abuse:triage_claim": (
        RouteSpec(
            target="incident",
            method="POST",
            ok_status=302,
            ok_location=TRIAGE_QUEUE,
            effect="incident",
        ),
    ),
    "domestic_abuse:triage_assign": _da_form_and_post(_assign_page_body, TRIAGE_QUEUE),
    "domestic_abuse:triage_complete": _da_form_and_post(
        lambda w, i: {**_triage_body(w, i), "grade": "medium"}, TRIAGE_QUEUE, state="claimed"
    ),
    # Operation Encompass: the desk (ENCOMPASS_MANAGE, by unit); a key adult's notifications
    # (ENCOMPASS_RECEIVE: only those disclosed to them; opening one is the read receipt).
    "encompass:desk": (RouteSpec(),),
    "encompass:compliance": (RouteSpec(),),
    "encompass:notification": (RouteSpec(target="notification", state="to_review"),),
    "encompass:notification_send": (
        RouteSpec(
            target="notification",
            method="POST",
            data=_send_page_body,
            ok_status=302,
            ok_location=_notification_page,
            effect="notification",
            state="to_review",
        ),
    ),
    # An undelivered notification: its email sent again, or the school told another way.
    "encompass:notification_retry": (
        RouteSpec(
            target="notification",
            method="POST",
            data=_notification_version,
            ok_status=302,
            ok_location=_notification_page,
            effect="notification",
            state="undelivered",
        ),
    ),
    "encompass:notification_other_route": (
        RouteSpec(
            target="notification",
            method="POST",
            data=_other_route_page_body,
            ok_status=302,
            ok_location=_notification_page,
            effect="notification",
            state="undelivered",
        ),
    ),
    "encompass:notification_resolve": (
        RouteSpec(
            target="notification",
            method="POST",
            data=_resolve_page_body,
            ok_status=302,
            ok_location=_notification_page,
            effect="notification",
            state="to_resolve",
        ),
    ),
    "encompass:received_list": (RouteSpec(),),
    "encompass:received": (RouteSpec(target="notification", effect="notification", state="sent"),),
    "encompass:received_acknowledge": (
        RouteSpec(
            target="notification",
            method="POST",
            ok_status=302,
            ok_location=_received_page,
            effect="notification",
            state="sent",
        ),
    ),
    "encompass:received_action": (
        RouteSpec(
            target="notification",
            method="POST",
            data=_school_action_body,
            ok_status=302,
            ok_location=_received_page,
            effect="notification",
            state="sent",
        ),
    ),
}

# Print and export (docs/exports.md): a download reaches what its page reaches.
WEB_ROUTES.update(
    {
        "cases:case_list_export": (RouteSpec(),),
        "cases:case_summary_pdf": (RouteSpec(target="case"),),
        "cases:case_timeline_pdf": (RouteSpec(target="case"),),
        "cases:child_chronology_pdf": (RouteSpec(target="person"),),
        "frontend:my_work_export": (RouteSpec(),),
        "frontend:team_export": (RouteSpec(),),
        "frontend:duty_export": (RouteSpec(),),
        "notifications:alerts_export": (RouteSpec(),),
        "missing:board_export": (RouteSpec(),),
        "missing:interview_list_export": (RouteSpec(),),
        "domestic_abuse:triage_queue_export": (RouteSpec(),),
        "encompass:desk_export": (RouteSpec(),),
        "people:person_search_export": (RouteSpec(),),
        "accounts:staff_list_export": (RouteSpec(),),
        "accounts:audit_search_export": (RouteSpec(),),
    }
)


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
    state: str | None = None  # as RouteSpec.state
    query: dict[str, str] | None = None  # the query string of a GET
    # A 200 answer is the target itself (its "id" is checked); False for lists and timelines.
    returns_target: bool = True

    def url(self, op: ApiOperation, kwargs: dict[str, Any]) -> str:
        url = op.url(kwargs)
        return f"{url}?{urlencode(self.query)}" if self.query else url


def _api_version(model: type) -> Callable[[World, Any], dict[str, Any]]:
    return lambda world, target: {"version": _version(model, target)}


def _api_case_body(world: World, target: Any) -> dict[str, Any]:
    return {
        "case_type": Case.Type.ONLINE_CSE,
        "source": Case.Source.NCA_CEOP,
        "risk_grade": Case.Grade.HIGH,
        "risk_rationale": "Indecent images shared by an adult contact",
        "received_at": (timezone.now() - timedelta(hours=5)).isoformat(),
        "unit_id": world.unit.pk,
        "people": [{"person_id": world.new_person(world.force.pk, "Ruby").pk, "role": "subject"}],
    }


def _api_person_body(world: World, target: Any) -> dict[str, Any]:
    return {
        "given_names": "Theo",
        "family_name": "Quartermaine",
        "date_of_birth": "2013-11-03",
        "confirm_new": True,
    }


def _api_merge_body(world: World, person: Person) -> dict[str, Any]:
    other = world.new_person(person.force_id, person.given_names)
    return {
        "merge_id": other.pk,
        "merge_version": other.version,
        "keep_version": _version(Person, person),
    }


def _api_action_body(world: World, case: Case) -> dict[str, Any]:
    body = _action_body(world, case)
    return {"title": body["title"], "owner_id": body["owner"], "due_on": body["due_on"]}


def _api_voice_body(world: World, case: Case) -> dict[str, Any]:
    return {
        "child_id": world.subject_of(case).pk,
        "seen": False,
        "spoken_to": False,
        "not_seen_reason": "The child was in hospital.",
    }


def _iso(delta: timedelta) -> str:
    return (timezone.now() - delta).isoformat()


def _api_report_body(world: World, target: Any) -> dict[str, Any]:
    world.missing_unit(world.force.pk)
    return {
        "child_id": world.new_person(world.force.pk, "Isla").pk,
        "reported_at": _iso(timedelta(hours=1)),
        "reported_by": "Her mother",
        "last_seen_at": _iso(timedelta(hours=3)),
        "last_seen_place": "Home, 4 Mill Lane",
        "circumstances": "Did not come home from school.",
        "missing_from": "home",
        "local_authority_id": world.local_authority(world.force.pk).pk,
        "out_of_character": True,
        "grade": "high",
        "grade_rationale": "Nine years old, missing after dark",
    }


def _api_suggest_body(world: World, target: Any) -> dict[str, Any]:
    return {
        "child_id": world.new_person(world.force.pk, "Isla").pk,
        "last_seen_at": _iso(timedelta(hours=3)),
        "missing_from": "care",
    }


def _api_plan_body(world: World, episode: Episode) -> dict[str, Any]:
    body = _plan_page_body(world, episode)
    owner = body.pop("owner")
    return {**body, "owner_id": owner}


def _api_rhi_body(world: World, task: ReturnInterview) -> dict[str, Any]:
    return {"offered_at": _iso(timedelta(minutes=20)), "outcome": "declined", **_rhi(task)}


def _rhi(task: ReturnInterview) -> dict[str, Any]:
    return {"version": _rhi_version(task)}


# --- Bodies for domestic abuse and Operation Encompass -----------------------------------------


def _api_incident_body(world: World, target: Any) -> dict[str, Any]:
    force_id = world.force.pk
    return {
        "attended_at": _iso(timedelta(hours=2)),
        "place": "12 Elm Road, Ipswich",
        "victim_id": world.new_person(force_id, "Dana", years=35).pk,
        "suspect_id": world.new_person(force_id, "Ryan", years=37).pk,
        "relationship": "partner",
        "account": "Neighbour called 999 after shouting.",
        "children": [
            {
                "child_id": world.new_person(force_id, "Ellie").pk,
                "present": True,
                "where": "Bedroom",
                "related_to": "both",
                "spoken_to": True,
                "child_said": "They were shouting again.",
                "demeanour": "Quiet, holding a teddy",
            }
        ],
    }


DASH_ALL_NO = {str(n): "no" for n in range(1, 28)}


def _dash_body(world: World, incident: Incident) -> dict[str, Any]:
    return {"answers": DASH_ALL_NO, "grade": "standard"}


API_OPERATIONS: dict[str, OperationSpec] = {
    "me": OperationSpec(),
    "list_units": OperationSpec(),
    "get_unit": OperationSpec(target="unit"),
    "list_staff": OperationSpec(),
    "get_staff": OperationSpec(target="staff"),
    "set_staff_roles": OperationSpec(target="staff", body=_roles_body, effect="staff"),
    # Force administration (issue 12).
    "create_staff": OperationSpec(body=_new_staff_body, ok_status=201, effect="users_created"),
    "change_staff": OperationSpec(target="staff", body=_staff_details_body, effect="staff"),
    "set_staff_active": OperationSpec(
        target="staff",
        body=lambda w, t: {"active": True, "version": w.version_of(t)},
        effect="staff",
    ),
    "send_staff_password_reset": OperationSpec(
        target="staff", ok_status=202, effect="password_link"
    ),
    "reset_staff_mfa": OperationSpec(target="staff", effect="mfa"),
    "import_staff": OperationSpec(
        body=lambda w, t: {"csv": _staff_csv(w, t)}, ok_status=201, effect="users_created"
    ),
    "create_unit": OperationSpec(body=_new_unit_body, ok_status=201, effect="units_created"),
    "change_unit": OperationSpec(target="unit", body=_unit_body, effect="unit"),
    "search_audit": OperationSpec(),
    "list_tokens": OperationSpec(),
    "revoke_token": OperationSpec(target="token", ok_status=204, effect="token"),
    # People
    "search_people": OperationSpec(query={"name": "Hughes"}, returns_target=False),
    "get_person": OperationSpec(target="person"),
    "create_person": OperationSpec(body=_api_person_body, ok_status=201, effect="people_created"),
    "update_person": OperationSpec(
        target="person",
        body=lambda w, p: {"ethnicity": "White: Irish", "version": _version(Person, p)},
        effect="person",
    ),
    "merge_person": OperationSpec(target="person", body=_api_merge_body, effect="person"),
    # Cases
    "list_cases": OperationSpec(returns_target=False),
    "create_case": OperationSpec(body=_api_case_body, ok_status=201, effect="cases_created"),
    "get_case": OperationSpec(target="case"),
    "update_case": OperationSpec(
        target="case",
        body=lambda w, c: {"summary": "Revised summary", "version": _version(Case, c)},
        effect="case",
    ),
    "transition_case": OperationSpec(
        target="case",
        body=lambda w, c: {
            "transition": "triage",
            "decision": TRIAGE_DECISION,
            "reason": TRIAGE_REASON,
            "version": _version(Case, c),
        },
        effect="case",
        state="received",
    ),
    "add_case_person": OperationSpec(
        target="case",
        body=lambda w, c: {"person_id": w.new_person(c.force_id, "Leo").pk, "role": "sibling"},
        ok_status=201,
        effect="case",
    ),
    "list_decisions": OperationSpec(target="case", returns_target=False),
    "record_decision": OperationSpec(
        target="case", body=_decision_body, ok_status=201, effect="case"
    ),
    "add_note": OperationSpec(target="case", body=_note_body, ok_status=201, effect="case"),
    "add_action": OperationSpec(target="case", body=_api_action_body, ok_status=201, effect="case"),
    "complete_action": OperationSpec(target="action", body=_api_version(Action), effect="action"),
    "record_voice": OperationSpec(
        target="case", body=_api_voice_body, ok_status=201, effect="case"
    ),
    "case_timeline": OperationSpec(target="case", returns_target=False),
    "child_chronology": OperationSpec(target="person", returns_target=False),
    # Supervision
    "allocate_case": OperationSpec(
        target="case",
        body=lambda w, c: {
            "owner_id": w.officer_of_unit(c.unit_id).pk,
            "version": _version(Case, c),
        },
        effect="case",
        state="triaged",
    ),
    "record_review": OperationSpec(
        target="case", body=_review_body, ok_status=201, effect="case", state="allocated"
    ),
    "approve_closure": OperationSpec(
        target="case", body=_closure_body, effect="case", state="awaiting_closure"
    ),
    "return_for_work": OperationSpec(
        target="case", body=_reason_body, effect="case", state="awaiting_closure"
    ),
    "reopen_case": OperationSpec(target="case", body=_reason_body, effect="case", state="closed"),
    "get_policy": OperationSpec(returns_target=False),
    "set_policy": OperationSpec(body=_policy_body, effect="policy", returns_target=False),
    # Missing children
    "list_missing_episodes": OperationSpec(returns_target=False),
    "report_missing_episode": OperationSpec(
        body=_api_report_body, ok_status=201, effect="episodes_created"
    ),
    "suggest_missing_grade": OperationSpec(body=_api_suggest_body, returns_target=False),
    "get_missing_episode": OperationSpec(target="episode"),
    "regrade_missing_episode": OperationSpec(
        target="episode", body=_regrade_body, effect="episode"
    ),
    "review_missing_grade": OperationSpec(
        target="episode", body=_grade_review_body, effect="episode"
    ),
    "record_missing_attendance": OperationSpec(
        target="episode",
        body=lambda w, e: {"attended_at": _iso(timedelta(hours=1)), **_ev(e)},
        effect="episode",
    ),
    "record_missing_risk_review": OperationSpec(
        target="episode", body=_risk_review_body, ok_status=201, effect="episode"
    ),
    # DUTY_VIEW, with CASE_SUPERVISE on the case: see "missing:acknowledge".
    "acknowledge_missing_episode": OperationSpec(target="episode", effect="episode", state="high"),
    "add_missing_plan_item": OperationSpec(
        target="episode", body=_api_plan_body, ok_status=201, effect="episode"
    ),
    "record_missing_found": OperationSpec(
        target="episode",
        body=lambda w, e: {
            **_found_page_body(w, e),
            "found_at": _iso(timedelta(minutes=30)),
        },
        effect="episode",
    ),
    "record_prevention_interview": OperationSpec(
        target="episode",
        body=lambda w, e: {
            **_prevention_page_body(w, e),
            "conducted_at": _iso(timedelta(minutes=30)),
            "spoken_to_alone": True,
        },
        ok_status=201,
        effect="episode",
        state="found",
    ),
    "list_return_interviews": OperationSpec(returns_target=False),
    "get_return_interview": OperationSpec(target="interview"),
    "record_return_interview": OperationSpec(
        target="interview", body=_api_rhi_body, effect="interview"
    ),
    "record_return_interview_on_behalf": OperationSpec(
        target="interview", body=_api_rhi_body, effect="interview"
    ),
    "missing_figures": OperationSpec(query={"months": "3"}, returns_target=False),
    # Domestic abuse: the incident rides on its case, so it reaches what the case does.
    "record_da_incident": OperationSpec(
        body=_api_incident_body, ok_status=201, effect="incidents_created"
    ),
    "get_da_incident": OperationSpec(target="incident"),
    "record_da_dash": OperationSpec(
        target="incident", body=_dash_body, ok_status=201, effect="incident"
    ),
    "send_da_marac_referral": OperationSpec(
        target="incident", body=_marac_version, effect="incident", state="marac"
    ),
    "da_triage_queue": OperationSpec(returns_target=False),
    "claim_da_incident": OperationSpec(target="incident", effect="incident"),
    "assign_da_incident": OperationSpec(
        target="incident",
        body=lambda w, i: {"user_id": w.officer_of_unit(i.case.unit_id).pk},
        effect="incident",
    ),
    "complete_da_triage": OperationSpec(
        target="incident", body=_triage_body, effect="incident", state="claimed"
    ),
    "da_triage_capacity": OperationSpec(query={"threshold": "50"}, returns_target=False),
    "get_da_policy": OperationSpec(returns_target=False),
    "set_da_policy": OperationSpec(body=_da_policy_body, effect="da_policy", returns_target=False),
    # Operation Encompass: the desk (ENCOMPASS_MANAGE, by unit) and the key adult's
    # notifications (ENCOMPASS_RECEIVE: only those disclosed to them).
    "encompass_desk": OperationSpec(returns_target=False),
    "get_encompass_notification": OperationSpec(target="notification", state="to_review"),
    "resolve_encompass_notification": OperationSpec(
        target="notification", body=_resolve_body, effect="notification", state="to_resolve"
    ),
    "send_encompass_notification": OperationSpec(
        target="notification", body=_send_body, effect="notification", state="to_review"
    ),
    # Writes nothing: what sending would share.
    "preview_encompass_notification": OperationSpec(
        target="notification", body=_preview_body, state="to_review", returns_target=False
    ),
    "retry_encompass_notification": OperationSpec(
        target="notification",
        body=_notification_version,
        effect="notification",
        state="undelivered",
    ),
    "record_encompass_other_route": OperationSpec(
        target="notification", body=_other_route_body, effect="notification", state="undelivered"
    ),
    "encompass_compliance": OperationSpec(query={"months": "3"}, returns_target=False),
    "list_received_notifications": OperationSpec(returns_target=False),
    # Reading records the read receipt: a refused read must not.
    "read_received_notification": OperationSpec(
        target="notification", effect="notification", state="sent"
    ),
    "acknowledge_received_notification": OperationSpec(
        target="notification", effect="notification", state="sent"
    ),
    "record_received_action": OperationSpec(
        target="notification", body=_school_action_body, effect="notification", state="sent"
    ),
}


@dataclass(frozen=True)
class KnownDefect:
    """A cell where the code answers otherwise than the table requires, reported for a fix.

    The matrix tolerates exactly this wrong answer in this cell (and counts it), and a strict
    xfail test asks for the right one: the day the code is fixed it passes, and fails as XPASS
    until the entry is removed here.
    """

    expected: int
    observed: int
    why: str


# (method and API path or route name, location) -> the wrong answer the code gives now.
# Empty: the last one (setting an action on another force's case answered 422, validating the
# owner before looking the case up, instead of 404) was fixed, and its xfail turned XPASS.
KNOWN_DEFECTS: dict[tuple[str, str], KnownDefect] = {}


def known_defect(cell: str, loc: Loc | None, expected: Outcome, actual: Outcome) -> bool:
    defect = KNOWN_DEFECTS.get((cell, loc.value if loc else "-"))
    return defect is not None and (expected.status, actual.status) == (
        defect.expected,
        defect.observed,
    )


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
    # Made when first needed, by force (or location): missing persons units, local
    # authorities, and each location's local authority user.
    _missing_units: dict[int, Unit] = field(default_factory=dict)
    _authorities: dict[int, LocalAuthority] = field(default_factory=dict)
    _partners: dict[Loc, User] = field(default_factory=dict)

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

    # --- the case core: people, cases and actions, made fresh for each request ---------------

    def officer_of_unit(self, unit_id: int) -> User:
        """The officer of the world who works in this unit (an action owner, an allocatee)."""
        return next(user for loc, user in self.staff.items() if self.units[loc].pk == unit_id)

    @staticmethod
    def subject_of(case: Case) -> Person:
        return Involvement.objects.get(case=case, role=Involvement.Role.SUBJECT).person

    @staticmethod
    def new_person(force_id: int, given_names: str = "Amelia", years: int = 9) -> Person:
        """A person born on the 1st of this month `years` ago (a child of 9 by default)."""
        family_name = "Hughes"
        today = timezone.localdate()
        return Person.objects.create(
            force_id=force_id,
            given_names=given_names,
            family_name=family_name,
            date_of_birth=today.replace(year=today.year - years, day=1),
            gender=Person.Gender.FEMALE,
            search_keys=search_keys(given_names, family_name),
            created_at=timezone.now(),
        )

    def new_case(self, loc: Loc, actor_user: User | None, state: str | None = None) -> Case:
        """A case about a new child, in the location's unit, at `state` of the lifecycle.

        In the actor's own unit the actor owns it, so OWN scope meets a case it reaches (as the
        actor's own token does); elsewhere the location's officer owns it. A case awaiting
        closure is owned by the colleague: its approver must not have investigated it.
        """
        state = state or "investigating"
        unit = self.units[loc]
        owner = self.staff[loc]
        if loc is Loc.OWN and actor_user is not None and state != "awaiting_closure":
            owner = actor_user
        now = timezone.now()
        received = now - timedelta(days=2)
        allocated = state in ("allocated", "investigating", "awaiting_closure", "closed")
        case = Case.objects.create(
            force_id=unit.force_id,
            reference=f"SEC-{next(_REFERENCES):06d}",
            case_type=Case.Type.ABUSE_NEGLECT,
            source=Case.Source.SCHOOL,
            status=state,
            risk_grade=Case.Grade.MEDIUM,
            risk_rationale="Bruising seen by a teacher; explanation inconsistent",
            summary="Referral from the designated safeguarding lead",
            unit=unit,
            owner=owner,
            received_at=received,
            allocated_at=received + timedelta(hours=1) if allocated else None,
            closed_at=now - timedelta(hours=1) if state == "closed" else None,
            created_at=received,
            created_by=owner,
            updated_at=received,
        )
        child = self.new_person(unit.force_id)
        Involvement.objects.create(
            force_id=unit.force_id, case=case, person=child, role=Involvement.Role.SUBJECT
        )
        if state in ("investigating", "awaiting_closure", "closed"):
            # Closure needs the voice of every subject child on the record.
            VoiceOfChild.objects.create(
                force_id=unit.force_id,
                case=case,
                child=child,
                seen=True,
                seen_at=received + timedelta(hours=3),
                spoken_to=True,
                spoken_to_alone=True,
                child_said="I like my teacher.",
                demeanour="Quiet, then chatty about school.",
                recorded_by=owner,
                recorded_at=received + timedelta(hours=3),
            )
        return case

    # --- missing children: episodes and return home interview tasks, made fresh each time ----

    def missing_unit(self, force_id: int) -> Unit:
        """The force's missing persons unit, where a report sends its case."""
        if force_id not in self._missing_units:
            self._missing_units[force_id] = Unit.objects.create(
                force_id=force_id, name="Missing Persons Unit", unit_type=Unit.Type.MISSING
            )
        return self._missing_units[force_id]

    def local_authority(self, force_id: int) -> LocalAuthority:
        if force_id not in self._authorities:
            self._authorities[force_id] = LocalAuthority.objects.create(
                force_id=force_id, code=f"LA{force_id}", name=f"County Council {force_id}"
            )
        return self._authorities[force_id]

    def partner_of(self, loc: Loc) -> User:
        """The location's local authority user: a partner of the location's force, a member
        of its authority (each location its own, so one's tasks are never another's)."""
        if loc not in self._partners:
            force_id = self.units[loc].force_id
            partner = User.objects.create(
                username=f"la-{loc.name.lower()}-{next(_REFERENCES)}",
                force_id=force_id,
                email=f"rhi-{loc.name.lower()}@council.example",
            )
            RoleGrant.objects.create(user=partner, role=Role.PARTNER)
            self.local_authority(force_id).members.add(partner)
            self._partners[loc] = partner
        return self._partners[loc]

    def new_episode(self, loc: Loc, actor_user: User | None, state: str | None = None) -> Episode:
        """A missing episode on a case of type missing in the location's unit, owned as
        `new_case` owns its case. `state`: None (missing, graded low), "high", "found" (with
        its return home interview task) or "photo" (missing, with a photo)."""
        unit = self.units[loc]
        owner = actor_user if loc is Loc.OWN and actor_user is not None else self.staff[loc]
        now = timezone.now()
        reported = now - timedelta(hours=3)
        grade = "high" if state == "high" else "low"
        case = Case.objects.create(
            force_id=unit.force_id,
            reference=f"SEC-{next(_REFERENCES):06d}",
            case_type=Case.Type.MISSING,
            source=Case.Source.EMERGENCY_CALL,
            status="triaged",
            risk_grade=Case.Grade.HIGH if grade == "high" else Case.Grade.STANDARD,
            risk_rationale="Out of character",
            summary="Missing from home",
            unit=unit,
            owner=owner,
            received_at=reported,
            created_at=reported,
            created_by=owner,
            updated_at=reported,
        )
        child = self.new_person(unit.force_id)
        Involvement.objects.create(
            force_id=unit.force_id, case=case, person=child, role=Involvement.Role.SUBJECT
        )
        found = state == "found"
        episode = Episode.objects.create(
            force_id=unit.force_id,
            case=case,
            child=child,
            status=Episode.Status.FOUND if found else Episode.Status.MISSING,
            reported_at=reported,
            reported_by="Her mother",
            missing_from="home",
            local_authority=self.local_authority(unit.force_id),
            last_seen_at=reported - timedelta(hours=1),
            last_seen_place="Home",
            circumstances="Did not come home from school.",
            age_years=9,
            out_of_character=True,
            suggested_grade=grade,
            grade=grade,
            grade_rationale="Out of character",
            found_at=now - timedelta(hours=1) if found else None,
            found_place="Bus station" if found else "",
            found_by="PC Okafor" if found else "",
            condition="Unhurt" if found else "",
            created_by=owner,
            created_at=reported,
            updated_at=reported,
        )
        GradeChange.objects.create(
            force_id=unit.force_id,
            episode=episode,
            grade=grade,
            suggested_grade=grade,
            rationale="Out of character",
            changed_by=owner,
            changed_at=reported,
        )
        if found:
            ReturnInterview.objects.create(
                force_id=unit.force_id,
                episode=episode,
                local_authority=episode.local_authority,
                returned_at=episode.found_at,
                due_at=episode.found_at + timedelta(hours=72),  # type: ignore[operator]
                created_at=now,
            )
        if state == "photo":
            Photo.objects.create(
                force_id=unit.force_id,
                episode=episode,
                content_type="image/png",
                data=PNG,
                size=len(PNG),
                uploaded_by=owner,
                uploaded_at=now,
            )
        case_clocks_rederive(case, now)
        return episode

    def new_interview(
        self, loc: Loc, actor_user: User | None
    ) -> tuple[ReturnInterview, Case, User]:
        """A return home interview task of a found child in the location, disclosed to the
        location's local authority user; in the actor's own place, to the actor."""
        episode = self.new_episode(loc, actor_user, "found")
        task = ReturnInterview.objects.get(episode=episode)
        recipient = actor_user if loc is Loc.OWN and actor_user else self.partner_of(loc)
        Disclosure.objects.create(
            force_id=task.force_id,
            object_type=RHI_DISCLOSURE,
            object_id=str(task.pk),
            recipient=recipient,
            disclosed_by=episode.case.owner,
            purpose="Independent return home interview (DfE 2014)",
            disclosed_at=timezone.now(),
        )
        return task, episode.case, recipient

    # --- schools: one fresh school (no force) per request; key adults of a location's force ---

    @staticmethod
    def new_school() -> School:
        urn = f"9{next(_REFERENCES):05d}"
        return School.objects.create(urn=urn, name=f"School {urn}", updated_at=timezone.now())

    def new_key_adult(self, loc: Loc) -> KeyAdult:
        return KeyAdult.objects.create(
            force_id=self.units[loc].force_id,
            school=self.new_school(),
            name="Jo Lead",
            role=KeyAdult.Role.DSL,
            secure_email="jo.lead@school.gov.uk",
            added_at=timezone.now(),
        )

    # --- domestic abuse incidents and Encompass notifications, made fresh each time -----------

    def new_incident(self, loc: Loc, actor_user: User | None, state: str | None = None) -> Incident:
        """A domestic abuse incident on a case in the location's unit, owned as `new_case` owns
        its case, with one child aged 9. `state`: None (awaiting triage, no DASH), "marac"
        (DASH 14, high, with an unsent MARAC referral) or "claimed" (claimed by the actor, or
        in another place by the location's officer)."""
        unit = self.units[loc]
        owner = actor_user if loc is Loc.OWN and actor_user is not None else self.staff[loc]
        now = timezone.now()
        attended = now - timedelta(hours=3)
        case = Case.objects.create(
            force_id=unit.force_id,
            reference=f"SEC-{next(_REFERENCES):06d}",
            case_type=Case.Type.DOMESTIC_ABUSE,
            source=Case.Source.OFFICER,
            status="triaged",
            risk_grade=Case.Grade.MEDIUM,
            risk_rationale="Awaiting the DASH risk assessment",
            summary="Domestic abuse at 12 Elm Road",
            unit=unit,
            owner=owner,
            received_at=attended,
            created_at=attended,
            created_by=owner,
            updated_at=attended,
        )
        victim = self.new_person(unit.force_id, "Dana", years=35)
        child = self.new_person(unit.force_id)
        for person, role in ((child, Involvement.Role.SUBJECT), (victim, Involvement.Role.VICTIM)):
            Involvement.objects.create(force_id=unit.force_id, case=case, person=person, role=role)
        claimer = actor_user if actor_user is not None else owner
        claimed = state == "claimed"
        incident = Incident.objects.create(
            force_id=unit.force_id,
            case=case,
            attended_at=attended,
            place="12 Elm Road, Ipswich",
            victim=victim,
            relationship=Incident.Relationship.PARTNER,
            account="Neighbour called 999 after shouting.",
            triage_status=Incident.Triage.CLAIMED if claimed else Incident.Triage.AWAITING,
            triage_owner=claimer if claimed else None,
            triage_claimed_at=now if claimed else None,
            risk_grade="high" if state == "marac" else "",
            created_by=owner,
            created_at=attended,
            updated_at=attended,
        )
        IncidentChild.objects.create(
            force_id=unit.force_id,
            incident=incident,
            child=child,
            present=True,
            where="Bedroom",
            related_to=IncidentChild.RelatedTo.BOTH,
        )
        if state == "marac":
            DashAssessment.objects.create(
                force_id=unit.force_id,
                incident=incident,
                answers={str(n): "yes" if n <= 14 else "no" for n in range(1, 28)},
                score=14,
                band="high",
                grade="high",
                completed_by=owner,
                completed_at=attended + timedelta(hours=1),
            )
            MaracReferral.objects.create(
                force_id=unit.force_id,
                incident=incident,
                victim=victim,
                routes=[["visible_high_risk", "DASH score 14"]],
                decided_at=attended + timedelta(hours=1),
                decided_by=owner,
            )
        case_clocks_rederive(case, now)
        return incident

    def new_notification(
        self, loc: Loc, actor_user: User | None, state: str | None = None
    ) -> tuple[Notification, User | None]:
        """An Encompass notification in the location's unit, about the child of an incident
        there; with the user it was disclosed to, if sent."""
        state = state or "to_review"
        incident = self.new_incident(loc, None)
        child_row = IncidentChild.objects.select_related("child").get(incident=incident)
        force_id = incident.force_id
        school = None if state == "to_resolve" else self.new_school()
        if state == "to_review":
            KeyAdult.objects.create(
                force_id=force_id,
                school=school,
                user=self.partner_of(loc),  # the school's key adult signs in as a partner
                name="Jo Lead",
                role=KeyAdult.Role.DSL,
                secure_email=f"dsl-{school.urn}@school.gov.uk",  # type: ignore[union-attr]
                added_at=timezone.now(),
            )
        now = timezone.now()
        # "undelivered": disclosed and emailed, the email given up (the desk must act).
        sent = state in ("sent", "undelivered")
        notification = Notification.objects.create(
            force_id=force_id,
            unit=self.units[loc],
            incident=incident,
            incident_child=child_row,
            child=child_row.child,
            route="unresolved" if school is None else "school",
            school=school,
            status=state,
            incident_at=incident.attended_at,
            due_at=now + timedelta(hours=10),
            child_name=child_row.child.full_name,
            child_dob=child_row.child.date_of_birth,
            police_reference=incident.case.reference,
            place=incident.place,
            present=True,
            where="Bedroom",
            voice="Present; not spoken to.",
            circumstances="Verbal argument; police attended.",
            reviewed_by=self.staff[loc] if sent else None,
            sent_at=now - timedelta(hours=1) if state == "sent" else None,
            queued_at=now - timedelta(hours=1) if sent else None,
            created_at=incident.attended_at,
        )
        recipient = None
        if sent:
            recipient = actor_user if loc is Loc.OWN and actor_user else self.partner_of(loc)
            Disclosure.objects.create(
                force_id=force_id,
                object_type=ENCOMPASS_DISCLOSURE,
                object_id=str(notification.pk),
                recipient=recipient,
                disclosed_by=self.staff[loc],
                purpose="Operation Encompass (Domestic Abuse Act 2021 s49A)",
                disclosed_at=now,
            )
        if state == "undelivered":
            OutboxMessage.objects.create(
                force_id=force_id,
                channel=OutboxMessage.Channel.EMAIL,
                recipient_user_id=recipient.pk,
                to_address="dsl@school.gov.uk",
                subject="Operation Encompass notification",
                body="A notification",
                link=f"/encompass/received/{notification.pk}/",
                message_id=f"<undelivered-{notification.pk}@safeguard.local>",
                dedupe_key=f"disclosure:{ENCOMPASS_DISCLOSURE}:{notification.pk}:{recipient.pk}",
                status=OutboxMessage.Status.DEAD,
                attempts=1,
                last_error="Recipient refused: 550 no such user",
                next_attempt_at=now,
                created_at=now,
            )
        return notification, recipient

    def new_action(self, loc: Loc, actor_user: User | None) -> Action:
        case = self.new_case(loc, actor_user)
        return Action.objects.create(
            force_id=case.force_id,
            case=case,
            title="Visit the child at school",
            owner=case.owner,
            due_on=timezone.localdate() + timedelta(days=3),
            created_by=case.owner,
            created_at=timezone.now(),
        )

    def target(
        self, kind: str | None, loc: Loc | None, actor_user: User | None, state: str | None = None
    ) -> tuple[Any, ObjRef | None, dict[str, Any]]:
        """The object, where it sits, and the URL parameters that name it."""
        if kind is None:
            return None, None, {}
        if kind == "case":
            case = self.new_case(loc, actor_user, state)  # type: ignore[arg-type]
            return case, ObjRef.of_case(case), {"case_id": case.pk}
        if kind == "episode":
            episode = self.new_episode(loc, actor_user, state)  # type: ignore[arg-type]
            return episode, ObjRef.of_case(episode.case), {"episode_id": episode.pk}
        if kind == "missing_case":
            episode = self.new_episode(loc, actor_user, state)  # type: ignore[arg-type]
            return episode, ObjRef.of_case(episode.case), {"case_id": episode.case_id}
        if kind == "interview":
            task, case, recipient = self.new_interview(loc, actor_user)  # type: ignore[arg-type]
            return task, ObjRef.of_interview(task, case, recipient), {"interview_id": task.pk}
        if kind == "person":
            person = self.new_person(self.units[loc].force_id)  # type: ignore[index]
            return person, ObjRef.of_person(person), {"person_id": person.pk}
        if kind == "action":
            action = self.new_action(loc, actor_user)  # type: ignore[arg-type]
            kwargs = {"case_id": action.case_id, "action_id": action.pk}
            return action, ObjRef.of_case(action.case), kwargs
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
        if kind == "outbox":
            message = self.new_outbox_message(self.units[loc].force_id)  # type: ignore[index]
            return message, ObjRef.of_outbox(message), {"message_id": message.pk}
        if kind == "alert":
            recipient = actor_user if loc is Loc.OWN and actor_user else self.staff[loc]  # type: ignore[index]
            alert = self.new_outbox_message(recipient.force_id, recipient)
            return alert, ObjRef.of_alert(alert, recipient), {"message_id": alert.pk}
        if kind == "incident":
            incident = self.new_incident(loc, actor_user, state)  # type: ignore[arg-type]
            return incident, ObjRef.of_case(incident.case), {"incident_id": incident.pk}
        if kind == "da_case":
            incident = self.new_incident(loc, actor_user, state)  # type: ignore[arg-type]
            return incident, ObjRef.of_case(incident.case), {"case_id": incident.case_id}
        if kind == "notification":
            notification, recipient = self.new_notification(loc, actor_user, state)  # type: ignore[arg-type]
            obj = ObjRef(
                notification.force_id,
                frozenset({notification.unit_id}),
                None,
                frozenset({recipient.pk}) if recipient else frozenset(),
            )
            return notification, obj, {"notification_id": notification.pk}
        if kind == "school":
            school = self.new_school()
            return school, None, {"urn": school.urn}
        if kind == "key_adult":
            adult = self.new_key_adult(loc)  # type: ignore[arg-type]
            return adult, ObjRef(adult.force_id), {"key_adult_id": adult.pk}
        if kind == "reset":
            uid = urlsafe_base64_encode(force_bytes(self.staff[Loc.OWN].pk))
            return None, None, {"uidb64": uid, "token": "not-a-valid-token"}
        raise AssertionError(f"unknown target kind {kind!r}")

    @staticmethod
    def new_outbox_message(force_id: int, alert_to: User | None = None) -> OutboxMessage:
        """A dead email of the force, or (with `alert_to`) an unread in-app alert to them."""
        now = timezone.now()
        return OutboxMessage.objects.create(
            force_id=force_id,
            channel=OutboxMessage.Channel.ALERT if alert_to else OutboxMessage.Channel.EMAIL,
            recipient_user_id=alert_to.pk if alert_to else None,
            to_address="" if alert_to else "dsl@school.example",
            subject="Case overdue for triage",
            body="Overdue by 40 minutes",
            message_id=f"<matrix-{next(_REFERENCES)}@safeguard.local>",
            status=OutboxMessage.Status.SENT if alert_to else OutboxMessage.Status.DEAD,
            attempts=0 if alert_to else 1,
            last_error="" if alert_to else "Recipient refused: 550 No such mailbox",
            next_attempt_at=now,
            created_at=now,
        )

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
        if effect == "users_created":
            return User.objects.count()
        if effect == "units_created":
            return Unit.objects.count()
        if effect == "unit":
            return Unit.objects.values_list("version", "name", "unit_type", "parent_id").get(
                pk=target.pk
            )
        if effect == "password_link":
            return OutboxMessage.objects.filter(recipient_user_id=target.pk).count()
        if effect == "mfa":
            return (
                User.objects.values_list("session_epoch", flat=True).get(pk=target.pk),
                TOTPDevice.objects.filter(user_id=target.pk).count(),
            )
        if effect == "case":
            return case_fingerprint(target.pk)
        if effect == "action":
            row = Action.objects.values_list("version", "completed_at").get(pk=target.pk)
            return (row, case_fingerprint(target.case_id))
        if effect == "person":
            return person_fingerprint(target.pk)
        if effect == "outbox":
            return OutboxMessage.objects.values_list("status", "attempts", "next_attempt_at").get(
                pk=target.pk
            )
        if effect == "alert":
            return OutboxMessage.objects.values_list("read_at", flat=True).get(pk=target.pk)
        if effect == "episode":
            return episode_fingerprint(target.pk)
        if effect == "interview":
            return ReturnInterview.objects.values_list(
                "version", "outcome", "offered_at", "recorded_at", "recorded_on_behalf"
            ).get(pk=target.pk)
        if effect == "episodes_created":
            return Episode.objects.count()
        if effect == "missing_policy":
            return tuple(
                MissingPolicySetting.objects.order_by("force_id").values_list(
                    "force_id", "version", *POLICY_RANGES
                )
            )
        if effect == "da_policy":
            return tuple(
                DaPolicySetting.objects.order_by("force_id").values_list(
                    "force_id", "version", *DA_POLICY_RANGES
                )
            )
        if effect == "incident":
            return incident_fingerprint(target.pk)
        if effect == "incidents_created":
            return Incident.objects.count()
        if effect == "notification":
            row = Notification.objects.values_list(*NOTIFICATION_FIELDS).get(pk=target.pk)
            disclosed = Disclosure.objects.filter(
                object_type=ENCOMPASS_DISCLOSURE, object_id=str(target.pk)
            ).count()
            emails = OutboxMessage.objects.filter(link__contains=f"/{target.pk}/").count()
            return (row, disclosed, emails)
        if effect == "school":
            row = School.objects.values_list(*SCHOOL_FIELDS).get(pk=target.pk)
            adults = tuple(
                KeyAdult.objects.filter(school_id=target.pk)
                .order_by("pk")
                .values_list("force_id", "secure_email", "active")
            )
            return (row, adults)
        if effect == "key_adult":
            return KeyAdult.objects.values_list("active", "name", "role").get(pk=target.pk)
        if effect == "schools_created":
            return School.objects.count()
        if effect == "people_created":
            return Person.objects.count()
        if effect == "cases_created":
            return Case.objects.count()
        if effect == "policy":
            return tuple(
                ReviewPolicySetting.objects.order_by("force_id").values_list(
                    "force_id",
                    "version",
                    "initial_review_hours",
                    "periodic_review_days",
                    "child_seen_high_hours",
                    "child_seen_medium_days",
                    "child_seen_standard_days",
                )
            )
        raise AssertionError(f"unknown effect {effect!r}")


_REFERENCES = itertools.count(1)
SCHOOL_FIELDS = ("urn", "name", "la_code", "status", "day_starts_at", "updated_at")
CASE_RECORDS = (Involvement, Allocation, Decision, Note, Action, VoiceOfChild, Review)


def case_fingerprint(case_id: int) -> Hashable:
    """The case row and how many of each record hang on it: what any case write changes."""
    row = Case.objects.filter(pk=case_id).values_list(
        "version",
        "status",
        "force_id",
        "unit_id",
        "owner_id",
        "case_type",
        "risk_grade",
        "risk_rationale",
        "summary",
        "allocated_at",
        "subjects_seen_at",
        "next_review_due_at",
        "closed_at",
        "updated_at",
    )
    records = tuple(model.objects.filter(case_id=case_id).count() for model in CASE_RECORDS)
    done = Action.objects.filter(case_id=case_id, completed_at__isnull=False).count()
    return (row.get(), records, done)


EPISODE_RECORDS = (GradeChange, RiskReview, Photo, PreventionInterview, ReturnInterview, Trigger)


def episode_fingerprint(episode_id: int) -> Hashable:
    """The episode row, how many of each record hang on it, its return home interview, and
    its case: what any write to an episode changes."""
    row = Episode.objects.filter(pk=episode_id).values_list(
        "version",
        "status",
        "grade",
        "grade_rationale",
        "first_attended_at",
        "inspector_informed_at",
        "found_at",
        "case_id",
    )
    records = tuple(
        model.objects.filter(episode_id=episode_id).count() for model in EPISODE_RECORDS
    )
    task = tuple(
        ReturnInterview.objects.filter(episode_id=episode_id).values_list("version", "outcome")
    )
    values = row.get()
    return (values, records, task, case_fingerprint(values[-1]))


NOTIFICATION_FIELDS = (
    "version",
    "status",
    "route",
    "school_id",
    "local_authority_id",
    "due_at",
    "circumstances",
    "reviewed_by_id",
    "sent_at",
    "read_at",
    "read_by_id",
    "acknowledged_at",
    "acknowledged_by_id",
    "action_taken",
    "other_route",
)


def incident_fingerprint(incident_id: int) -> Hashable:
    """The incident row, its DASH and MARAC referral, and its case: what any write changes."""
    row = Incident.objects.filter(pk=incident_id).values_list(
        "version",
        "triage_status",
        "triage_owner_id",
        "triage_claimed_at",
        "triage_completed_at",
        "triage_grade",
        "risk_grade",
        "case_id",
    )
    values = row.get()
    dash = DashAssessment.objects.filter(incident_id=incident_id).count()
    marac = tuple(
        MaracReferral.objects.filter(incident_id=incident_id).values_list("version", "sent_at")
    )
    return (values, dash, marac, case_fingerprint(values[-1]))


def person_fingerprint(person_id: int) -> Hashable:
    """The person row, their names, addresses and relationships, and every merge in the index."""
    row = Person.objects.filter(pk=person_id).values_list(
        "version",
        "force_id",
        "given_names",
        "family_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "merged_into_id",
        "search_keys",
    )
    return (
        row.get(),
        Alias.objects.filter(person_id=person_id).count(),
        Address.objects.filter(person_id=person_id).count(),
        Relationship.objects.filter(person_id=person_id).count()
        + Relationship.objects.filter(other_id=person_id).count(),
        Person.objects.filter(merged_into__isnull=False).count(),
    )


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
