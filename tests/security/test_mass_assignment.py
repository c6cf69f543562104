"""Row 4 of the battery: no field outside the allow-list can be written (ASVS 15.3.3).

The API's role change accepts `roles` and `version` only: every other field of the User model
(from `_meta`, so a new field is covered the day it is added), sent alone or all together, is
refused with 422 naming the field, and nothing in the row, its roles or its units changes.
The page's form ignores unknown fields: only the roles and the version may change.

The same for every write of the case core API: each field of the records an operation writes
(`WRITES`, from `_meta`) that its published input does not list is refused, alone and all
together, nested inputs too; and the case, person and allocation forms change only their own
columns whatever else is posted.
"""

import json
from datetime import datetime

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from safeguard.accounts.models import RoleGrant, Unit, User
from safeguard.api.api import api
from safeguard.cases import forms as case_forms
from safeguard.cases.models import (
    Action,
    Allocation,
    Case,
    Decision,
    Involvement,
    Note,
    VoiceOfChild,
)
from safeguard.core.permissions import Role, scope_for
from safeguard.domestic_abuse.models import (
    DaPolicySetting,
    DashAssessment,
    Incident,
    IncidentChild,
    MaracReferral,
)
from safeguard.encompass.models import Notification
from safeguard.missing.models import (
    Episode,
    GradeChange,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
)
from safeguard.people import forms as people_forms
from safeguard.people.models import Address, Alias, Person
from safeguard.supervision import forms as supervision_forms
from safeguard.supervision.models import Review, ReviewPolicySetting
from tests.helpers import sign_in
from tests.security.battery import (
    API_OPERATIONS,
    WEB_ROUTES,
    Loc,
    World,
    api_operations,
    error_body_problem,
)
from tests.security.test_csrf_crawl import case_core_state

pytestmark = pytest.mark.django_db

ALLOWED = {"roles", "version"}


def attack_value(field: models.Field | models.ForeignObjectRel, world: World) -> object:
    """A plausible value an attacker would send for the field."""
    if isinstance(field, models.ForeignObjectRel):
        return [{"role": "force_admin"}]
    if isinstance(field, models.ManyToManyField):
        return [world.foreign_unit.pk]
    if isinstance(field, models.ForeignKey):
        return world.other_force.pk
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.IntegerField | models.AutoField):
        return 999
    if isinstance(field, models.DateTimeField):
        return datetime(2030, 1, 1).isoformat()
    return "attacker"


def user_field_names() -> dict[str, models.Field | models.ForeignObjectRel]:
    """Every name the User model answers to: fields, `<fk>_id` columns, relations both ways."""
    names: dict[str, models.Field | models.ForeignObjectRel] = {}
    for field in User._meta.get_fields():
        names[field.name] = field
        attname = getattr(field, "attname", None)
        if attname and attname != field.name:
            names[attname] = field
    for extra in ("pk", "role_names", "display_name", "unit_ids"):
        names.setdefault(extra, User._meta.pk)
    return {name: field for name, field in names.items() if name not in ALLOWED}


def fingerprint(user: User) -> tuple:
    row = User.objects.filter(pk=user.pk).values().get()
    roles = tuple(sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True)))
    units = tuple(sorted(user.units.values_list("pk", flat=True)))
    return tuple(sorted(row.items())), roles, units


@pytest.fixture
def admin_api(make_user, make_api_client):
    return make_api_client(make_user(Role.FORCE_ADMIN))


def put_roles(client, member: User, body: dict):
    return client.put(
        f"/api/v1/staff/{member.pk}/roles", json.dumps(body), content_type="application/json"
    )


def test_the_model_has_fields_to_attack():
    names = user_field_names()
    for must in (
        "is_superuser",
        "is_staff",
        "is_active",
        "force",
        "force_id",
        "username",
        "password",
        "session_epoch",
        "units",
        "role_grants",
        "api_tokens",
        "id",
    ):
        assert must in names, must


def test_each_field_outside_the_allow_list_is_refused_and_nothing_changes(world: World, admin_api):
    member = world.staff[Loc.OWN]
    problems = []
    for name, field in user_field_names().items():
        before = fingerprint(member)
        body = {
            "roles": ["force_admin"],
            "version": member.version,
            name: attack_value(field, world),
        }
        response = put_roles(admin_api, member, body)
        if response.status_code != 422:
            problems.append(f"{name}: {response.status_code} {response.content[:120]!r}")
        elif error_body_problem(response):
            problems.append(f"{name}: {error_body_problem(response)}")
        elif name not in response.json()["fields"]:
            problems.append(f"{name}: 422 without naming it: {response.json()['fields']}")
        if fingerprint(member) != before:
            problems.append(f"{name}: the record changed")
    assert not problems, "\n".join(problems)


def test_all_the_fields_at_once_are_refused_and_each_is_named(world: World, admin_api):
    member = world.staff[Loc.OWN]
    before = fingerprint(member)
    extras = {name: attack_value(field, world) for name, field in user_field_names().items()}
    response = put_roles(
        admin_api, member, {"roles": ["force_admin"], "version": member.version, **extras}
    )
    assert response.status_code == 422
    assert error_body_problem(response) is None
    assert set(extras) <= set(response.json()["fields"])
    assert fingerprint(member) == before


def test_the_allowed_fields_alone_still_work(world: World, admin_api):
    """The control: the refusals above are about the extra fields, not a broken request."""
    member = world.staff[Loc.OWN]
    response = put_roles(admin_api, member, {"roles": ["investigator"], "version": member.version})
    assert response.status_code == 200
    assert (
        RoleGrant.objects.filter(user=member).values_list("role", flat=True).get() == "investigator"
    )


def test_the_page_form_changes_only_roles_and_version(world: World, make_client):
    admin = make_client(Role.FORCE_ADMIN)
    member = world.staff[Loc.OWN]
    before_row = User.objects.filter(pk=member.pk).values().get()
    units_before = set(member.units.values_list("pk", flat=True))
    extras = {name: attack_value(field, world) for name, field in user_field_names().items()}
    form = {
        name: (value if not isinstance(value, list) else json.dumps(value))
        for name, value in extras.items()
    }
    form.update({"roles": ["auditor"], "version": member.version})
    response = admin.post(reverse("accounts:staff_set_roles", args=[member.pk]), form)
    assert response.status_code == 302
    after_row = User.objects.filter(pk=member.pk).values().get()
    changed = {k for k in before_row if before_row[k] != after_row[k]}
    assert changed == {"version"}
    assert set(member.units.values_list("pk", flat=True)) == units_before
    assert list(RoleGrant.objects.filter(user=member).values_list("role", flat=True)) == ["auditor"]

    # The same for enabling/disabling: only is_active, the session epoch and the version.
    before_row = after_row
    form.update({"active": "0", "version": after_row["version"]})
    response = admin.post(reverse("accounts:staff_set_active", args=[member.pk]), form)
    assert response.status_code == 302
    after_row = User.objects.filter(pk=member.pk).values().get()
    changed = {k for k in before_row if before_row[k] != after_row[k]}
    assert changed == {"version", "is_active", "session_epoch"}


# ---------------------------------------------------------------------------------------------
# The case core API: every input refuses every field of the records it writes
# ---------------------------------------------------------------------------------------------

# The records each operation writes: any of their fields outside the input is an attack.
WRITES: dict[str, tuple[type[models.Model], ...]] = {
    # Force administration (issue 12).
    "create_staff": (User, RoleGrant),
    "change_staff": (User,),
    "set_staff_active": (User,),
    "import_staff": (User, RoleGrant),
    "create_unit": (Unit,),
    "change_unit": (Unit,),
    "create_person": (Person, Address, Alias),
    "update_person": (Person,),
    "merge_person": (Person,),
    "create_case": (Case, Involvement),
    "update_case": (Case,),
    "transition_case": (Case,),
    "add_case_person": (Involvement, Case),
    "record_decision": (Decision, Case),
    "add_note": (Note, Case),
    "add_action": (Action, Case),
    "complete_action": (Action, Case),
    "record_voice": (VoiceOfChild, Case),
    "allocate_case": (Case, Allocation),
    "record_review": (Review, Case),
    "approve_closure": (Case, Review),
    "return_for_work": (Case,),
    "reopen_case": (Case,),
    "set_policy": (ReviewPolicySetting,),
    "set_da_policy": (DaPolicySetting,),
    "report_missing_episode": (Episode, GradeChange, Case, Involvement),
    "suggest_missing_grade": (Episode,),
    "regrade_missing_episode": (Episode, GradeChange, Case),
    "review_missing_grade": (Episode, GradeChange, RiskReview),
    "record_missing_attendance": (Episode,),
    "record_missing_risk_review": (RiskReview,),
    "add_missing_plan_item": (Action, Case),
    "record_missing_found": (Episode, ReturnInterview),
    "record_prevention_interview": (PreventionInterview, VoiceOfChild),
    "record_return_interview": (ReturnInterview,),
    "record_return_interview_on_behalf": (ReturnInterview,),
    "record_da_incident": (Incident, IncidentChild, Case, Involvement),
    "record_da_dash": (DashAssessment, MaracReferral, Incident, Case),
    "send_da_marac_referral": (MaracReferral, Incident),
    "assign_da_incident": (Incident,),
    "complete_da_triage": (Incident, Case),
    "resolve_encompass_notification": (Notification,),
    "send_encompass_notification": (Notification,),
    "preview_encompass_notification": (Notification,),  # writes nothing: refuses all the same
    "retry_encompass_notification": (Notification,),
    "record_encompass_other_route": (Notification,),
    "record_received_action": (Notification,),
}


def model_field_names(*model_classes: type[models.Model]) -> dict[str, object]:
    """Every name the models answer to: fields, `<fk>_id` columns, relations both ways."""
    names: dict[str, object] = {}
    for model in model_classes:
        for field in model._meta.get_fields():
            names.setdefault(field.name, field)
            attname = getattr(field, "attname", None)
            if attname and attname != field.name:
                names.setdefault(attname, field)
    names.setdefault("pk", None)
    return names


def input_fields(op) -> set[str]:  # type: ignore[no-untyped-def]
    """The fields the published schema lets a client send to this operation."""
    schema = api.get_openapi_schema()
    body = schema["paths"][op.path.removesuffix("/")][op.method.lower()].get("requestBody")
    if body is None:
        return set()
    ref = body["content"]["application/json"]["schema"]
    while "$ref" in ref:
        ref = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return set(ref["properties"])


def attack(field: object, world: World) -> object:
    if isinstance(field, models.Field | models.ForeignObjectRel):
        return attack_value(field, world)
    return 999


def case_core_operations() -> list:  # type: ignore[type-arg]
    return [op for op in api_operations() if op.name in WRITES]


def test_every_case_core_write_is_listed():
    writes = {
        op.name
        for op in api_operations()
        if op.method in ("POST", "PUT", "PATCH") and API_OPERATIONS[op.name].body is not None
    }
    assert writes - {"set_staff_roles"} == set(WRITES)


@pytest.mark.parametrize("op", case_core_operations(), ids=lambda op: op.name)
def test_each_case_core_input_refuses_every_other_field_and_nothing_changes(
    op, world: World, make_user, make_api_client
):
    spec = API_OPERATIONS[op.name]
    role = next(
        r
        for r in (Role.DUTY_INSPECTOR, Role.FORCE_ADMIN, Role.PARTNER)
        if scope_for(frozenset({r.value}), op.marker) is not None
    )
    user = make_user(role)
    client = make_api_client(user)
    allowed = input_fields(op)
    extras = {
        name: field
        for name, field in model_field_names(*WRITES[op.name]).items()
        if name not in allowed
    }
    assert {"force_id", "id"} <= set(extras) | allowed, "the attack misses the obvious fields"

    def send(target, body: dict):  # type: ignore[no-untyped-def]
        _, _, kwargs = target
        return client.generic(
            op.method, spec.url(op, kwargs), json.dumps(body), content_type="application/json"
        )

    target = world.target(spec.target, Loc.OWN, user, spec.state)
    body = spec.body(world, target[0])
    problems = []
    before = (world.snapshot(spec.effect, target[0], user), case_core_state())
    for name, field in extras.items():
        response = send(target, {**body, name: attack(field, world)})
        if response.status_code != 422:
            problems.append(f"{name}: {response.status_code} {response.content[:120]!r}")
        elif error_body_problem(response):
            problems.append(f"{name}: {error_body_problem(response)}")
        elif name not in response.json()["fields"]:
            problems.append(f"{name}: 422 without naming it: {response.json()['fields']}")
    everything = {name: attack(field, world) for name, field in extras.items()}
    response = send(target, {**body, **everything})
    if response.status_code != 422 or not set(extras) <= set(response.json()["fields"]):
        problems.append(f"all at once: {response.status_code} {response.content[:200]!r}")
    after = (world.snapshot(spec.effect, target[0], user), case_core_state())
    if after != before:
        problems.append("a refused request changed something")
    assert not problems, "\n".join(problems)
    # The control: the same body without the extra fields goes through.
    assert send(target, body).status_code == spec.ok_status


NESTED = {
    # create_person: the address is an input of its own
    ("create_person", "address"): {"line1": "1 High Street", "postcode": "LS1 1AA"},
}


def test_nested_inputs_refuse_unknown_fields_too(world: World, make_user, make_api_client):
    user = make_user(Role.DUTY_INSPECTOR)
    client = make_api_client(user)
    person_body = API_OPERATIONS["create_person"].body(world, None)
    case_body = API_OPERATIONS["create_case"].body(world, None)
    before = case_core_state()
    for name in model_field_names(Address).keys() - {"line1", "line2", "town", "postcode"}:
        address = {"line1": "1 High Street", "postcode": "LS1 1AA", name: 1}
        response = client.post(
            "/api/v1/people",
            json.dumps({**person_body, "address": address}),
            content_type="application/json",
        )
        if name == "lived_from":
            continue  # an input of the address: a date is expected, 1 is refused as invalid
        assert response.status_code == 422, name
        assert f"address.{name}" in response.json()["fields"], (name, response.json())
    for name in model_field_names(Involvement).keys() - {"person_id", "role", "person"}:
        people = [{**case_body["people"][0], name: 1}]
        response = client.post(
            "/api/v1/cases",
            json.dumps({**case_body, "people": people}),
            content_type="application/json",
        )
        assert response.status_code == 422, name
        assert any(name in key for key in response.json()["fields"]), (name, response.json())
    assert case_core_state() == before


# ---------------------------------------------------------------------------------------------
# The case core pages: a form changes only its own fields, whatever else is posted
# ---------------------------------------------------------------------------------------------

PAGE_FORMS = {
    # route: (target, the form, the columns a successful POST may change)
    "cases:case_edit": (
        "case",
        case_forms.CaseEditForm,
        {"case_type", "summary", "version", "updated_at"},
    ),
    "people:person_edit": (
        "person",
        people_forms.PersonEditForm,
        {"gender", "ethnicity", "version"},
    ),
    "supervision:allocate": (
        "case",
        supervision_forms.AllocateForm,
        {"owner_id", "status", "version", "updated_at", "allocated_at", "next_review_due_at"},
    ),
}


@pytest.mark.parametrize("route", sorted(PAGE_FORMS))
def test_the_case_core_forms_change_only_their_own_fields(route, world: World, make_user):
    kind, form_class, may_change = PAGE_FORMS[route]
    user = make_user(Role.DUTY_INSPECTOR)
    client = sign_in(Client(), user)
    spec = next(s for s in WEB_ROUTES[route] if s.method == "POST")
    target, _, kwargs = world.target(kind, Loc.OWN, user, spec.state)
    model = Case if kind == "case" else Person
    before = model.objects.filter(pk=target.pk).values().get()
    extras = {
        name: attack(field, world)
        for name, field in model_field_names(model).items()
        if name not in form_class.base_fields
    }
    form = {k: (json.dumps(v) if isinstance(v, list) else v) for k, v in extras.items()}
    form.update(spec.data(world, target))
    response = client.post(reverse(route, kwargs=kwargs), form)
    assert response.status_code == 302
    after = model.objects.filter(pk=target.pk).values().get()
    changed = {k for k in before if before[k] != after[k]}
    assert changed and changed <= may_change, changed
