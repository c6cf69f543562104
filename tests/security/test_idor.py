"""Row 2 of the battery: guessed ids never reach an object outside the caller's scope, and every
list answers exactly the scoped set (ASVS 8.2.2, OWASP API1).

One crowd of staff in every awkward place (several units, no unit, disabled, another force, a
foreign user attached to a home unit, a home user attached to a foreign unit, no force at all),
then, as each role: every id from below the smallest to 20 past the largest, plus ids that
overflow 32- and 64-bit columns, through every page and API operation that takes a staff, unit
or token id; and every list, with and without filters.

The same for the case core: cases owned by the actors in their unit, another unit and another
force, cases of colleagues and of nobody, people merged and foreign; guessed case and person
ids through every page and API read, notes written and actions completed on guessed ids, the
case lists, reviews due, the person search and a child's chronology; and ids inside bodies
that point out of reach, which must answer exactly as ids that do not exist.
"""

import json
import re
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from safeguard.accounts.models import ApiToken, Unit, User
from safeguard.accounts.services import api_token_create
from safeguard.cases.models import Action, Case, Decision, Involvement, Note
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Permission, Role, scope_for
from safeguard.core.timeline import timeline_add
from safeguard.people.models import Person
from tests.factories import UnitFactory
from tests.helpers import sign_in
from tests.security.battery import (
    API_OPERATIONS,
    WEB_ROUTES,
    ActorRef,
    Loc,
    ObjRef,
    World,
    api_operations,
    error_body_problem,
    visible,
    web_routes,
)
from tests.security.test_csrf_crawl import case_core_state

pytestmark = pytest.mark.django_db

OVERFLOW_IDS = (0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30)
GUESS_PAST_THE_END = 20


class Crowd:
    def __init__(
        self, make_user: Callable[..., User], force, other_force, unit, other_unit, foreign_unit
    ):
        self.force, self.other_force = force, other_force
        self.unit, self.other_unit, self.foreign_unit = unit, other_unit, foreign_unit
        self.third_unit = UnitFactory(force=force, name="Missing Persons Unit")
        self.actors = {role: make_user(role) for role in Role}  # all in `unit`
        self.others = [
            make_user(Role.OFFICER),
            make_user(Role.INVESTIGATOR, units=[other_unit]),
            make_user(Role.OFFICER, units=[unit, other_unit]),
            make_user(Role.SUPERVISOR, units=[self.third_unit]),
            make_user(Role.OFFICER, units=[]),
            make_user(Role.OFFICER, is_active=False),
            make_user(Role.OFFICER, units=[foreign_unit], last_name="Crossover"),
            make_user(Role.OFFICER, force=other_force, units=[foreign_unit], last_name="Foreigner"),
            make_user(Role.FORCE_ADMIN, force=other_force, units=[foreign_unit], last_name="Alien"),
            make_user(Role.AUDITOR, force=other_force, units=[unit], last_name="Interloper"),
            make_user(Role.OFFICER, force=other_force, units=[]),
            make_user(Role.OFFICER, force=None, units=[], last_name="Forceless"),
        ]
        now = timezone.now()
        for user in self.users.values():
            api_token_create(actor=None, user=user, name="crowd", now=now)
        # Some audit entries in the other force, written the ordinary way.
        self.foreign_user = User.objects.get(last_name="Foreigner")
        foreign = sign_in(Client(), User.objects.get(last_name="Alien"))
        assert foreign.get(reverse("accounts:staff_list")).status_code == 200
        detail = reverse("accounts:staff_detail", args=[self.foreign_user.pk])
        assert foreign.get(detail).status_code == 200

    @property
    def users(self) -> dict[int, User]:
        """Every user in the database, whoever made them: the expectation covers them all."""
        return {u.pk: u for u in User.objects.all()}

    @property
    def units(self) -> dict[int, Unit]:
        return {u.pk: u for u in Unit.objects.all()}

    def ids_to_guess(self, ids: list[int], *, permitted: bool = True) -> list[int]:
        """Every id from just below the first to 20 past the last, and overflowing ids.

        A caller without the permission is refused before any lookup, so a sample will do.
        """
        if not permitted:
            return [*sorted(ids)[:3], max(ids) + 1, 2**63]
        return [*range(max(0, min(ids) - 3), max(ids) + GUESS_PAST_THE_END + 1), *OVERFLOW_IDS]


@pytest.fixture
def crowd(make_user, force, other_force, unit, other_unit, foreign_unit) -> Crowd:
    return Crowd(make_user, force, other_force, unit, other_unit, foreign_unit)


def expected_status(
    permission: Permission, actor: ActorRef, obj: ObjRef | None, ok: int = 200
) -> int:
    if scope_for(actor.roles, permission) is None:
        return 403
    if obj is None or not visible(permission, actor, obj):
        return 404
    return ok


def _objects(crowd: Crowd, kind: str) -> dict[int, ObjRef]:
    if kind == "staff":
        return {pk: ObjRef.of_user(u) for pk, u in crowd.users.items()}
    if kind == "unit":
        return {pk: ObjRef.of_unit(u) for pk, u in crowd.units.items()}
    raise AssertionError(kind)


ROLES = list(Role)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_guessed_ids_never_reach_an_object_out_of_scope(role, crowd: Crowd, make_api_client):
    user = crowd.actors[role]
    actor = ActorRef.of(user)
    page_client = sign_in(Client(), user)
    api_client = make_api_client(user)
    leaks = []
    checked = 0
    # Every page that shows one staff member or unit by id.
    for route in web_routes():
        for spec in WEB_ROUTES.get(route.name, ()):
            if spec.method != "GET" or spec.target not in ("staff", "unit"):
                continue
            objects = _objects(crowd, spec.target)
            kwarg = "user_id" if spec.target == "staff" else "unit_id"
            permitted = scope_for(actor.roles, route.marker) is not None
            for pk in crowd.ids_to_guess(list(objects), permitted=permitted):
                expected = expected_status(route.marker, actor, objects.get(pk))
                response = page_client.get(reverse(route.name, kwargs={kwarg: pk}))
                checked += 1
                if response.status_code != expected:
                    leaks.append(
                        f"GET {route.name} id={pk}: {response.status_code}, expected {expected}"
                    )
                elif expected == 200:
                    shown = response.context.get("member") or response.context.get("unit")
                    if shown is None or shown.pk != pk:
                        leaks.append(f"GET {route.name} id={pk}: showed {shown!r}")
    # Every API operation that reads one staff member or unit by id.
    for op in api_operations():
        spec = API_OPERATIONS[op.name]
        if op.method != "GET" or spec.target not in ("staff", "unit"):
            continue
        objects = _objects(crowd, spec.target)
        kwarg = "user_id" if spec.target == "staff" else "unit_id"
        permitted = scope_for(actor.roles, op.marker) is not None
        for pk in crowd.ids_to_guess(list(objects), permitted=permitted):
            expected = expected_status(op.marker, actor, objects.get(pk))
            response = api_client.get(op.url({kwarg: pk}))
            checked += 1
            if response.status_code != expected:
                leaks.append(f"GET {op.path} id={pk}: {response.status_code}, expected {expected}")
            elif expected == 200 and response.json()["id"] != pk:
                leaks.append(f"GET {op.path} id={pk}: returned {response.json()['id']}")
            elif expected != 200 and error_body_problem(response):
                leaks.append(f"GET {op.path} id={pk}: {error_body_problem(response)}")
    assert checked > 20
    leaks += _revoke_guessed_tokens(crowd, user, actor, page_client, api_client)
    assert not leaks, f"{len(leaks)} guessed ids answered wrongly as {role.value}:\n" + "\n".join(
        leaks
    )


def _revoke_guessed_tokens(
    crowd: Crowd, user: User, actor: ActorRef, page_client: Client, api_client: Client
) -> list[str]:
    """Revoking a guessed token id, by API or page, reaches only what the table allows."""
    tokens = {t.pk: t for t in ApiToken.objects.select_related("user").exclude(user=user)}
    problems = []
    permitted = scope_for(actor.roles, Permission.API_TOKEN_MANAGE) is not None
    attempts = {
        "DELETE /api/v1/tokens/{pk}": (204, lambda pk: api_client.delete(f"/api/v1/tokens/{pk}")),
        "POST revoke page {pk}": (
            302,
            lambda pk: page_client.post(reverse("accounts:api_token_revoke", args=[pk])),
        ),
    }
    for pk in crowd.ids_to_guess(list(tokens), permitted=permitted):
        if ApiToken.objects.filter(pk=pk, user=user).exists():
            continue  # the caller's own tokens, including the one this client uses
        token = tokens.get(pk)
        obj = ObjRef.of_token(token) if token else None
        for what, (ok, send) in attempts.items():
            ApiToken.objects.filter(pk=pk).update(revoked_at=None)  # live before each attempt
            expected = expected_status(Permission.API_TOKEN_MANAGE, actor, obj, ok=ok)
            status = send(pk).status_code
            revoked = ApiToken.objects.filter(pk=pk, revoked_at__isnull=False).exists()
            if status != expected or revoked != (expected == ok):
                problems.append(
                    f"{what.format(pk=pk)}: {status} (revoked: {revoked}), expected {expected}"
                )
    return problems


def _api_pages(
    client: Client, url: str, limit: int = 100, **params: object
) -> tuple[int, list[dict]]:
    items: list[dict] = []
    offset, count = 0, None
    while True:
        response = client.get(url, {**params, "offset": offset, "limit": limit})
        assert response.status_code == 200, response.content
        body = response.json()
        count = body["count"] if count is None else count
        items += body["items"]
        if body["next_offset"] is None:
            return count, items
        offset = body["next_offset"]


def _page_ids(client: Client, url: str, **params: object) -> tuple[int, set[int]]:
    ids: set[int] = set()
    number, count = 1, None
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        count = page.paginator.count if count is None else count
        ids |= {member.pk for member in page.object_list}
        if not page.has_next():
            return count, ids
        number += 1


def _matches(user: User, *, search: str = "", unit_id: int | None = None, role: str = "") -> bool:
    if search and not any(
        search.lower() in value.lower()
        for value in (user.username, user.first_name, user.last_name)
    ):
        return False
    if unit_id and not user.units.filter(pk=unit_id).exists():
        return False
    return not (role and not user.role_grants.filter(role=role).exists())


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_list_answers_exactly_the_scoped_set(role, crowd: Crowd, make_api_client):
    user = crowd.actors[role]
    actor = ActorRef.of(user)
    page_client = sign_in(Client(), user)
    api_client = make_api_client(user)

    # Staff: the page and the API, unfiltered and through each filter.
    can_see_staff = scope_for(actor.roles, Permission.STAFF_VIEW) is not None
    users = crowd.users
    scoped = {
        pk for pk, u in users.items() if visible(Permission.STAFF_VIEW, actor, ObjRef.of_user(u))
    }
    probes = [
        {},
        {"unit_id": crowd.foreign_unit.pk},
        {"unit_id": crowd.unit.pk},
        {"unit_id": crowd.third_unit.pk},
        {"search": "Foreigner"},
        {"search": "Interloper"},
        {"search": "Crossover"},
        {"search": "Forceless"},
        {"role": Role.FORCE_ADMIN.value},
        {"role": Role.AUDITOR.value},
    ]
    if not can_see_staff:
        assert page_client.get(reverse("accounts:staff_list")).status_code == 403
        response = api_client.get("/api/v1/staff")
        assert response.status_code == 403 and error_body_problem(response) is None
    else:
        assert len(scoped) >= 3
        for probe in probes:
            wanted = {pk for pk in scoped if _matches(users[pk], **probe)}
            count, items = _api_pages(api_client, "/api/v1/staff", **probe)
            got = {item["id"] for item in items}
            assert (count, got) == (len(wanted), wanted), f"API staff list {probe}"
            page_probe = {"unit": probe["unit_id"]} if "unit_id" in probe else probe
            count, got = _page_ids(page_client, reverse("accounts:staff_list"), **page_probe)
            if "unit_id" in probe and probe["unit_id"] == crowd.foreign_unit.pk:
                # Another force's unit is not a choice on the page: the filter is refused and
                # the page lists the whole scoped set instead.
                wanted = scoped
            assert (count, got) == (len(wanted), wanted), f"staff page {page_probe}"

    # Units: the force's units, never another force's.
    home_units = set(Unit.objects.filter(force=crowd.force).values_list("pk", flat=True))
    if scope_for(actor.roles, Permission.UNIT_VIEW) is None:
        assert page_client.get(reverse("accounts:unit_list")).status_code == 403
        assert api_client.get("/api/v1/units").status_code == 403
    else:
        page_units = {u.pk for u in page_client.get(reverse("accounts:unit_list")).context["units"]}
        api_units = {u["id"] for u in api_client.get("/api/v1/units").json()}
        assert page_units == api_units == home_units

    # Tokens: only the caller's own.
    own_tokens = set(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    if scope_for(actor.roles, Permission.API_TOKEN_MANAGE) is None:
        assert page_client.get(reverse("accounts:api_tokens")).status_code == 403
        assert api_client.get("/api/v1/tokens").status_code == 403
    else:
        page_tokens = {
            t.pk for t in page_client.get(reverse("accounts:api_tokens")).context["tokens"]
        }
        api_tokens = {t["id"] for t in api_client.get("/api/v1/tokens").json()}
        assert page_tokens == api_tokens == own_tokens

    # The audit log: the force's entries only, whatever the search.
    if scope_for(actor.roles, Permission.AUDIT_SEARCH) is None:
        assert page_client.get(reverse("accounts:audit_search"), {"action": ""}).status_code == 403
        assert api_client.get("/api/v1/audit").status_code == 403
        return
    foreign_id = str(crowd.foreign_user.pk)
    assert AuditEntry.objects.filter(force_id=crowd.other_force.pk, object_id=foreign_id).exists()
    for probe in ({}, {"object_type": "user", "object_id": foreign_id}, {"object_type": "user"}):
        count, items = _api_pages(api_client, "/api/v1/audit", limit=200, **probe)
        home = AuditEntry.objects.filter(force_id=crowd.force.pk, **probe)
        assert count == home.count() == len(items), f"audit API {probe}"
        assert {i["seq"] for i in items} == set(home.values_list("seq", flat=True)), probe
        response = page_client.get(reverse("accounts:audit_search"), probe or {"action": ""})
        home = AuditEntry.objects.filter(force_id=crowd.force.pk, **probe)
        page = response.context["page"]
        assert page.paginator.count == home.count(), f"audit page {probe}"
        assert {e.force_id for e in page.object_list} <= {crowd.force.pk}


# ---------------------------------------------------------------------------------------------
# The case core: cases, people and actions, in every awkward place
# ---------------------------------------------------------------------------------------------

CASE_GUESS_PAST_THE_END = 3
# OWN scope (officer) and UNIT scope (investigator) over cases they own in each place.
CASE_WORKERS = (Role.OFFICER, Role.INVESTIGATOR)
# The pages that show one record sweep every id; the other pages (forms on the same record,
# reached through the same look-up) try a sample: one id of every placement.
FULL_SWEEP = {"cases:case_detail", "people:person_detail"}


class CaseCrowd:
    """Cases in the actors' unit, another unit, a third unit and another force; some owned by
    the actors themselves (OWN scope reaches those, in their force only), some by colleagues,
    one by nobody. Each case has its subject child and an open action; a few more people
    stand alone, one merged into another, one in the other force."""

    def __init__(self, crowd: Crowd):
        self.crowd = crowd
        colleague, other_investigator, *_ = crowd.others
        third_supervisor = crowd.others[3]
        foreigner = crowd.foreign_user
        placements: list[tuple[Unit, User | None]] = []
        for role in CASE_WORKERS:
            actor = crowd.actors[role]
            placements += [
                (crowd.unit, actor),
                (crowd.other_unit, actor),
                (crowd.foreign_unit, actor),  # owned by a home user, but in another force
            ]
        placements += [
            (crowd.unit, colleague),
            (crowd.unit, None),
            (crowd.other_unit, other_investigator),
            (crowd.third_unit, third_supervisor),
            (crowd.foreign_unit, foreigner),
        ]
        now = timezone.now()
        self.cases: dict[int, Case] = {}
        self.actions: dict[int, Action] = {}
        for number, (unit, owner) in enumerate(placements):
            child = World.new_person(unit.force_id)
            case = Case.objects.create(
                force_id=unit.force_id,
                reference=f"IDOR-{number:04d}",
                case_type=Case.Type.MISSING,
                source=Case.Source.OFFICER,
                status="investigating",
                risk_grade=Case.Grade.HIGH,
                risk_rationale="Missing overnight",
                unit=unit,
                owner=owner,
                received_at=now - timedelta(days=1),
                allocated_at=now - timedelta(hours=20),
                next_review_due_at=now - timedelta(hours=1),  # every case is overdue
                created_at=now,
                created_by=owner or colleague,
                updated_at=now,
            )
            Involvement.objects.create(
                force_id=unit.force_id, case=case, person=child, role="subject"
            )
            self.cases[case.pk] = case
            action = Action.objects.create(
                force_id=unit.force_id,
                case=case,
                title="Return home interview",
                owner=owner or colleague,
                due_on=now.date() + timedelta(days=2),
                created_by=owner or colleague,
                created_at=now,
            )
            self.actions[action.pk] = action
        kept = World.new_person(crowd.force.pk, "Amelia")
        merged = World.new_person(crowd.force.pk, "Emilia")
        Person.objects.filter(pk=merged.pk).update(merged_into=kept)
        foreign = World.new_person(crowd.other_force.pk, "Foreign")
        self.person_sample = [kept.pk, merged.pk, foreign.pk]
        # One child in two cases of two units: the chronology shows only the visible case's.
        self.shared_child = World.new_person(crowd.force.pk, "Shared")
        for case in (self.case_in(crowd.unit, colleague), self.case_in(crowd.other_unit)):
            Involvement.objects.create(
                force_id=case.force_id, case=case, person=self.shared_child, role="sibling"
            )
            timeline_add(
                actor=None, force_id=case.force_id, case_id=case.pk, kind="t", title="x", at=now
            )

    def case_in(self, unit: Unit, owner: User | None = None) -> Case:
        return next(
            c
            for c in self.cases.values()
            if c.unit_id == unit.pk and (owner is None or c.owner_id == owner.pk)
        )

    @property
    def people(self) -> dict[int, Person]:
        return {p.pk: p for p in Person.objects.all()}

    def objects(self, kind: str) -> dict[int, ObjRef]:
        if kind == "case":
            return {pk: ObjRef.of_case(c) for pk, c in self.cases.items()}
        if kind == "person":
            return {pk: ObjRef.of_person(p) for pk, p in self.people.items()}
        raise AssertionError(kind)

    def sample(self, kind: str) -> list[int]:
        ids = list(self.cases) if kind == "case" else self.person_sample
        return [*ids, max(self.objects(kind)) + 1, 2**63]

    @staticmethod
    def ids_to_guess(ids: list[int], *, permitted: bool) -> list[int]:
        if not permitted:
            return [*sorted(ids)[:2], max(ids) + 1, 2**63]
        return [
            *range(max(0, min(ids) - 2), max(ids) + CASE_GUESS_PAST_THE_END + 1),
            *OVERFLOW_IDS,
        ]


@pytest.fixture
def case_crowd(crowd: Crowd) -> CaseCrowd:
    return CaseCrowd(crowd)


# The context entry each page shows its record in; a chronology shows its person, a child's
# missing profile its child.
SHOWN = {"case": ("case",), "person": ("person", "chronology", "profile")}


def _pdf_shown_pk(response, kind: str, pk: int) -> int | None:
    """A PDF download has no template context to read: the record it is about is the one whose
    reference line is printed in it (safeguard/frontend/printing.py)."""
    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(response.content)).pages)
    if kind == "person":
        named = set(re.findall(r"Person record (\d+)", text))
        return int(named.pop()) if len(named) == 1 else None
    reference = Case.objects.filter(pk=pk).values_list("reference", flat=True).first()
    return pk if reference and reference in text else None


def _shown_pk(response, kind: str, pk: int) -> int | None:
    if response.get("Content-Type", "").startswith("application/pdf"):
        return _pdf_shown_pk(response, kind, pk)
    for key in SHOWN[kind]:
        shown = response.context.get(key) if response.context else None
        if shown is not None:
            return getattr(shown, "person", getattr(shown, "child", shown)).pk
    return None


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_guessed_case_and_person_ids_never_reach_a_record_out_of_scope(
    role, case_crowd: CaseCrowd, make_api_client
):
    user = case_crowd.crowd.actors[role]
    actor = ActorRef.of(user)
    page_client = sign_in(Client(), user)
    api_client = make_api_client(user)
    leaks = []
    checked = 0
    for route in web_routes():
        for spec in WEB_ROUTES.get(route.name, ()):
            if spec.method != "GET" or spec.target not in ("case", "person"):
                continue
            objects = case_crowd.objects(spec.target)
            kwarg = f"{spec.target}_id"
            permitted = scope_for(actor.roles, route.marker) is not None
            guesses = case_crowd.ids_to_guess(list(objects), permitted=permitted)
            if permitted and route.name not in FULL_SWEEP:
                guesses = case_crowd.sample(spec.target)
            for pk in guesses:
                expected = expected_status(route.marker, actor, objects.get(pk))
                response = page_client.get(reverse(route.name, kwargs={kwarg: pk}))
                checked += 1
                if response.status_code != expected:
                    leaks.append(
                        f"GET {route.name} id={pk}: {response.status_code}, expected {expected}"
                    )
                elif expected == 200 and (shown := _shown_pk(response, spec.target, pk)) != pk:
                    leaks.append(f"GET {route.name} id={pk}: showed {shown}")
    for op in api_operations():
        spec = API_OPERATIONS[op.name]
        if op.method != "GET" or spec.target not in ("case", "person"):
            continue
        objects = case_crowd.objects(spec.target)
        permitted = scope_for(actor.roles, op.marker) is not None
        for pk in case_crowd.ids_to_guess(list(objects), permitted=permitted):
            expected = expected_status(op.marker, actor, objects.get(pk))
            response = api_client.get(op.url({f"{spec.target}_id": pk}))
            checked += 1
            if response.status_code != expected:
                leaks.append(f"GET {op.path} id={pk}: {response.status_code}, expected {expected}")
            elif expected == 200 and spec.returns_target and response.json()["id"] != pk:
                leaks.append(f"GET {op.path} id={pk}: returned {response.json()['id']}")
            elif expected != 200 and error_body_problem(response):
                leaks.append(f"GET {op.path} id={pk}: {error_body_problem(response)}")
    assert checked > 20
    leaks += _write_to_guessed_cases(case_crowd, user, actor, api_client)
    leaks += _complete_guessed_actions(case_crowd, user, actor, api_client)
    assert not leaks, f"{len(leaks)} guessed ids answered wrongly as {role.value}:\n" + "\n".join(
        leaks
    )


def _storable(pk: int) -> bool:
    """An id a 64-bit column can hold: the test's own look-ups must not overflow either."""
    return pk < 2**63


def _notes(case_id: int) -> int:
    return Note.objects.filter(case_id=case_id).count() if _storable(case_id) else 0


def _write_to_guessed_cases(
    case_crowd: CaseCrowd, user: User, actor: ActorRef, api_client: Client
) -> list[str]:
    """A note on a guessed case id is written only where the table lets the actor work."""
    problems = []
    objects = case_crowd.objects("case")
    permitted = scope_for(actor.roles, Permission.CASE_WORK) is not None
    for pk in case_crowd.ids_to_guess(list(objects), permitted=permitted):
        expected = expected_status(Permission.CASE_WORK, actor, objects.get(pk), ok=201)
        before = _notes(pk)
        response = api_client.post(
            f"/api/v1/cases/{pk}/notes",
            json.dumps({"text": "guessed"}),
            content_type="application/json",
        )
        written = _notes(pk) - before
        if response.status_code != expected or written != (expected == 201):
            problems.append(
                f"POST /api/v1/cases/{pk}/notes: {response.status_code} (written: {written}), "
                f"expected {expected}"
            )
    return problems


def _complete_guessed_actions(
    case_crowd: CaseCrowd, user: User, actor: ActorRef, api_client: Client
) -> list[str]:
    """Completing a guessed action id: through its own case, and through a case the actor can
    work (the action must belong to the case named in the path, or it is not found)."""
    problems = []
    permitted = scope_for(actor.roles, Permission.CASE_WORK) is not None
    workable = [
        pk
        for pk, obj in case_crowd.objects("case").items()
        if visible(Permission.CASE_WORK, actor, obj)
    ]
    own_case = workable[0] if workable else min(case_crowd.cases)
    for pk in case_crowd.ids_to_guess(list(case_crowd.actions), permitted=permitted):
        action = case_crowd.actions.get(pk)
        paths = {own_case}
        if action is not None:
            paths.add(action.case_id)
        for case_id in sorted(paths):
            if _storable(pk):
                Action.objects.filter(pk=pk).update(completed_at=None)
            case = case_crowd.cases.get(case_id)
            on_this_case = action is not None and action.case_id == case_id
            obj = ObjRef.of_case(case) if case is not None and on_this_case else None
            expected = expected_status(Permission.CASE_WORK, actor, obj)
            if expected == 404 and scope_for(actor.roles, Permission.CASE_WORK) is None:
                expected = 403
            response = api_client.post(
                f"/api/v1/cases/{case_id}/actions/{pk}/complete",
                json.dumps({"version": action.version if action else 1}),
                content_type="application/json",
            )
            done = _storable(pk) and (
                Action.objects.filter(pk=pk, completed_at__isnull=False).exists()
            )
            if response.status_code != expected or done != (expected == 200):
                problems.append(
                    f"POST /api/v1/cases/{case_id}/actions/{pk}/complete: "
                    f"{response.status_code} (completed: {done}), expected {expected}"
                )
    return problems


def _all_cases(client: Client, **params: object) -> set[int]:
    ids: set[int] = set()
    after = None
    while True:
        query = {**params, "limit": 100, **({"after": after} if after else {})}
        response = client.get("/api/v1/cases", query)
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        after = body["next_cursor"]
        if after is None:
            return ids


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_case_core_list_answers_exactly_the_scoped_set(
    role, case_crowd: CaseCrowd, make_api_client
):
    crowd = case_crowd.crowd
    user = crowd.actors[role]
    actor = ActorRef.of(user)
    page_client = sign_in(Client(), user)
    api_client = make_api_client(user)
    cases = case_crowd.objects("case")

    # Cases: the API (every page, with filters) and the page.
    if scope_for(actor.roles, Permission.CASE_VIEW) is None:
        assert page_client.get(reverse("cases:case_list")).status_code == 403
        assert api_client.get("/api/v1/cases").status_code == 403
    else:
        scoped = {pk for pk, obj in cases.items() if visible(Permission.CASE_VIEW, actor, obj)}
        assert _all_cases(api_client) == scoped
        for unit in (crowd.unit, crowd.other_unit, crowd.foreign_unit):
            wanted = {pk for pk in scoped if case_crowd.cases[pk].unit_id == unit.pk}
            assert _all_cases(api_client, unit_id=unit.pk) == wanted, unit.name
        for owner in (user, crowd.foreign_user, crowd.others[0]):
            wanted = {pk for pk in scoped if case_crowd.cases[pk].owner_id == owner.pk}
            assert _all_cases(api_client, owner_id=owner.pk) == wanted, owner.username
        page = page_client.get(reverse("cases:case_list")).context["page"]
        assert {c.pk for c in page.items} == scoped  # fewer than a page of them
        # A reference of a case out of reach is "not found" on the page, not a redirect to it.
        for pk, case in case_crowd.cases.items():
            response = page_client.get(reverse("cases:case_list"), {"reference": case.reference})
            if pk in scoped:
                assert response["Location"] == reverse("cases:case_detail", args=[pk])
            else:
                assert response.status_code == 200, case.reference

    # Reviews due: every crowd case is overdue; the list is what the actor supervises.
    if scope_for(actor.roles, Permission.CASE_SUPERVISE) is None:
        assert page_client.get(reverse("supervision:reviews_due")).status_code == 403
    else:
        due = {c.pk for c in page_client.get(reverse("supervision:reviews_due")).context["cases"]}
        assert due == {
            pk for pk, obj in cases.items() if visible(Permission.CASE_SUPERVISE, actor, obj)
        }

    # People: a name search answers the force's people with that name, never another force's.
    if scope_for(actor.roles, Permission.PERSON_VIEW) is None:
        assert page_client.get(reverse("people:person_search"), {"name": "x"}).status_code == 403
        assert api_client.get("/api/v1/people", {"name": "x"}).status_code == 403
        return
    home = set(
        Person.objects.filter(
            force=crowd.force, family_name="Hughes", merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    found = {p["id"] for p in api_client.get("/api/v1/people", {"name": "Hughes"}).json()}
    assert found == home
    response = page_client.get(reverse("people:person_search"), {"name": "Hughes"})
    assert {p.pk for p in response.context["results"]} == home

    # The chronology of a child in two cases shows only the events of the case in reach.
    events = api_client.get(f"/api/v1/people/{case_crowd.shared_child.pk}/chronology").json()
    shown = {e["case_id"] for e in events["items"] if e["case_id"]}
    involved = Involvement.objects.filter(person=case_crowd.shared_child).values_list(
        "case_id", flat=True
    )
    assert shown == {pk for pk in involved if visible(Permission.CASE_VIEW, actor, cases[pk])}


# ---------------------------------------------------------------------------------------------
# Ids inside a body: a record of another force (or another case) is refused exactly as an id
# that does not exist, and nothing changes
# ---------------------------------------------------------------------------------------------


def test_ids_in_a_body_that_point_out_of_reach_answer_as_unknown_ids(
    world: World, make_user, make_api_client
):
    inspector = make_user(Role.DUTY_INSPECTOR)  # works every case of the home force
    client = make_api_client(inspector)
    case = world.new_case(Loc.OWN, inspector)
    triaged = world.new_case(Loc.OWN, inspector, "triaged")
    elsewhere = world.new_case(Loc.SAME_FORCE, None)
    foreign = world.new_case(Loc.OTHER_FORCE, None)
    keep = world.new_person(world.force.pk)
    foreign_person = World.subject_of(foreign)
    home_child_not_in_case = World.subject_of(elsewhere)
    other_decision = Decision.objects.create(
        force_id=elsewhere.force_id,
        case=elsewhere,
        decision="Strategy discussion",
        rationale="Injuries",
        decided_by=world.staff[Loc.SAME_FORCE],
        decided_at=timezone.now(),
    )
    foreign_officer = world.staff[Loc.OTHER_FORCE]
    unknown = 2**31 - 1
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    # (what, url, body with the id out of reach, the same body with an unknown id)
    probes = [
        (
            "a decision superseding another case's decision",
            f"/api/v1/cases/{case.pk}/decisions",
            {"decision": "d", "rationale": "r", "supersedes_id": other_decision.pk},
            {"decision": "d", "rationale": "r", "supersedes_id": unknown},
        ),
        (
            "an action for another force's officer",
            f"/api/v1/cases/{case.pk}/actions",
            {"title": "t", "owner_id": foreign_officer.pk, "due_on": due},
            {"title": "t", "owner_id": unknown, "due_on": due},
        ),
        (
            "allocating to another force's officer",
            f"/api/v1/cases/{triaged.pk}/allocate",
            {"owner_id": foreign_officer.pk, "version": triaged.version},
            {"owner_id": unknown, "version": triaged.version},
        ),
        (
            "adding another force's person to a case",
            f"/api/v1/cases/{case.pk}/people",
            {"person_id": foreign_person.pk, "role": "sibling"},
            {"person_id": unknown, "role": "sibling"},
        ),
        (
            "the voice of a child of another force",
            f"/api/v1/cases/{case.pk}/voice",
            {
                "child_id": foreign_person.pk,
                "seen": False,
                "spoken_to": False,
                "not_seen_reason": "x",
            },
            {"child_id": unknown, "seen": False, "spoken_to": False, "not_seen_reason": "x"},
        ),
        (
            "the voice of a child who is not in the case",
            f"/api/v1/cases/{case.pk}/voice",
            {
                "child_id": home_child_not_in_case.pk,
                "seen": False,
                "spoken_to": False,
                "not_seen_reason": "x",
            },
            {"child_id": unknown, "seen": False, "spoken_to": False, "not_seen_reason": "x"},
        ),
        (
            "merging another force's person",
            f"/api/v1/people/{keep.pk}/merge",
            {"merge_id": foreign_person.pk, "merge_version": 1, "keep_version": keep.version},
            {"merge_id": unknown, "merge_version": 1, "keep_version": keep.version},
        ),
        (
            "a new case about another force's child",
            "/api/v1/cases",
            {
                **API_OPERATIONS["create_case"].body(world, None),
                "people": [{"person_id": foreign_person.pk, "role": "subject"}],
            },
            {
                **API_OPERATIONS["create_case"].body(world, None),
                "people": [{"person_id": unknown, "role": "subject"}],
            },
        ),
        (
            "a new case in another force's unit",
            "/api/v1/cases",
            {**API_OPERATIONS["create_case"].body(world, None), "unit_id": world.foreign_unit.pk},
            {**API_OPERATIONS["create_case"].body(world, None), "unit_id": unknown},
        ),
    ]
    before = case_core_state()
    problems = []
    for what, url, out_of_reach, not_there in probes:
        answers = [
            client.post(url, json.dumps(body), content_type="application/json")
            for body in (out_of_reach, not_there)
        ]
        if answers[0].status_code not in (404, 422):
            problems.append(f"{what}: {answers[0].status_code} {answers[0].content[:160]!r}")
        elif (answers[0].status_code, answers[0].json()) != (
            answers[1].status_code,
            answers[1].json(),
        ):
            problems.append(
                f"{what}: {answers[0].status_code} {answers[0].json()} differs from an unknown "
                f"id's {answers[1].status_code} {answers[1].json()}"
            )
    assert not problems, "\n".join(problems)
    assert case_core_state() == before, "a refused request changed something"
