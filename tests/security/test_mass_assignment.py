"""Row 4 of the battery: no field outside the allow-list can be written (ASVS 15.3.3).

The API's role change accepts `roles` and `version` only: every other field of the User model
(from `_meta`, so a new field is covered the day it is added), sent alone or all together, is
refused with 422 naming the field, and nothing in the row, its roles or its units changes.
The page's form ignores unknown fields: only the roles and the version may change.
"""

import json
from datetime import datetime

import pytest
from django.db import models
from django.urls import reverse

from safeguard.accounts.models import RoleGrant, User
from safeguard.core.permissions import Role
from tests.security.battery import Loc, World, error_body_problem

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
