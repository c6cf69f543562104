"""Force administration: creating and changing staff, password links, resetting a second factor,
units, and importing staff from a CSV file; through the services, the pages and the API."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts import services
from safeguard.accounts.models import RoleGrant, Unit, User
from safeguard.accounts.rules.units import CYCLE, parent_problem
from safeguard.core.errors import Conflict, DomainError, NotFound
from safeguard.core.models import AuditEntry, OutboxMessage
from safeguard.core.outbox import outbox_deliver_due
from safeguard.core.permissions import ROLE_PERMISSIONS, Permission, Role, Scope

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,username,email,roles,units,job_title\n"


@pytest.fixture
def admin(make_user):
    return make_user("force_admin")


@pytest.fixture
def actor(admin):
    return services.actor_for(admin)


def entries(object_type, object_id, action=None):
    found = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    return found.filter(action=action) if action else found


# --- the permission table ---------------------------------------------------------------------


def test_a_force_admin_never_reads_a_childs_record():
    admin = ROLE_PERMISSIONS[Role.FORCE_ADMIN]
    child_reads = {
        Permission.PERSON_VIEW,
        Permission.PERSON_MANAGE,
        Permission.CASE_VIEW,
        Permission.CASE_CREATE,
        Permission.CASE_WORK,
        Permission.CASE_SUPERVISE,
        Permission.DISCLOSURE_VIEW,
        Permission.TEAM_VIEW,
        Permission.DUTY_VIEW,
    }
    assert child_reads.isdisjoint(admin)
    assert admin[Permission.STAFF_MANAGE] == Scope.FORCE
    assert admin[Permission.UNIT_MANAGE] == Scope.FORCE
    # Only the force admin manages units.
    assert [r for r, perms in ROLE_PERMISSIONS.items() if Permission.UNIT_MANAGE in perms] == [
        Role.FORCE_ADMIN
    ]


def test_a_force_admin_is_refused_a_childs_record_page(admin_client):
    from tests.factories import ForceFactory  # noqa: F401 - the factories module loads

    for path in ("/people/", "/cases/"):
        response = admin_client.get(path)
        assert response.status_code in (403, 404), path


# --- creating staff ---------------------------------------------------------------------------


def test_created_person_gets_a_link_to_choose_a_password_by_smtp(actor, admin, unit, smtp_server):
    user = services.staff_create(
        actor=actor,
        force=admin.force,
        username="nnew",
        first_name="Nadia",
        last_name="O'Neill",
        email="nadia@police.example",
        roles=["officer"],
        units=[unit],
    )
    assert not user.has_usable_password()
    assert list(user.units.all()) == [unit]
    assert entries("user", user.pk, "create").count() == 1
    row = OutboxMessage.objects.get(recipient_user_id=user.pk)
    assert row.subject == "Your Safeguard account is ready"
    assert row.link == ""  # the one-time link is in the body only
    outbox_deliver_due(now=timezone.now())
    message = smtp_server.messages[0]
    body = message.get_payload()
    assert "Nadia O'Neill" in body and "nnew" in body
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/\S+/)", body).group(1)
    client = Client()
    page = client.get(link, follow=True)
    assert b"Choose a new password" in page.content
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase-1", "new_password2": "a-long-new-passphrase-1"},
    )
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase-1")


def test_create_refuses_every_problem_at_once_and_saves_nothing(actor, admin, make_user):
    make_user("officer", username="taken")
    with pytest.raises(DomainError) as refused:
        services.staff_create(
            actor=actor,
            force=admin.force,
            username="TAKEN",
            first_name="",
            last_name="",
            email="not-an-email",
            roles=["officer"],
        )
    assert set(refused.value.fields) == {"username", "first_name", "last_name", "email"}
    assert not User.objects.filter(username="TAKEN").exists()


def test_create_refuses_another_forces_unit(actor, admin, foreign_unit):
    with pytest.raises(DomainError) as refused:
        services.staff_create(
            actor=actor,
            force=admin.force,
            username="abroad",
            first_name="A",
            last_name="B",
            email="a@police.example",
            roles=["officer"],
            units=[foreign_unit],
        )
    assert "units" in refused.value.fields


def test_operator_create_still_works_with_no_actor(force):
    user = services.staff_create(
        actor=None,
        force=force,
        username="cli",
        password="a-long-operator-passphrase",
        first_name="C",
        last_name="Li",
        email="",
        roles=["force_admin"],
    )
    assert user.check_password("a-long-operator-passphrase")
    entry = entries("user", user.pk, "create").get()
    assert entry.actor_username == "system"


def test_not_a_force_admin_cannot_create(make_user, force):
    supervisor = services.actor_for(make_user("supervisor"))
    with pytest.raises(Exception) as refused:
        services.staff_create(
            actor=supervisor,
            force=force,
            username="x",
            first_name="X",
            last_name="Y",
            email="x@police.example",
            roles=["officer"],
        )
    assert refused.type.__name__ == "PermissionDenied"


# --- changing staff ---------------------------------------------------------------------------


def test_change_details_and_units_is_audited_and_versioned(actor, make_user, unit, other_unit):
    target = make_user("officer")
    version = target.version
    services.staff_update(
        actor=actor,
        user_id=target.pk,
        version=version,
        first_name="Renamed",
        last_name=target.last_name,
        email=target.email,
        unit_ids=[other_unit.pk],
    )
    target.refresh_from_db()
    assert target.first_name == "Renamed"
    assert list(target.units.all()) == [other_unit]
    changed = set()
    for entry in entries("user", target.pk, "update"):
        changed |= set(entry.changed_fields)
    assert {"units", "first_name"} <= changed
    with pytest.raises(Conflict):
        services.staff_update(
            actor=actor,
            user_id=target.pk,
            version=version,
            first_name="Again",
            last_name="X",
            email="",
            unit_ids=[],
        )


def test_password_reset_link_goes_through_the_outbox(actor, make_user):
    target = make_user("officer", email="t@police.example")
    services.staff_send_password_reset(actor=actor, user_id=target.pk)
    row = OutboxMessage.objects.get(recipient_user_id=target.pk)
    assert row.subject == "Reset your Safeguard password"
    assert "/password-reset/" in row.body
    assert entries("user", target.pk).filter(reason_code="password_reset_sent").exists()
    nobody = make_user("officer", email="")
    with pytest.raises(DomainError):
        services.staff_send_password_reset(actor=actor, user_id=nobody.pk)


def test_reset_mfa_removes_devices_and_ends_sessions(actor, admin, make_user):
    target = make_user("officer")
    assert TOTPDevice.objects.filter(user=target).exists()
    epoch = target.session_epoch
    services.staff_reset_mfa(actor=actor, user_id=target.pk)
    target.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert target.session_epoch == epoch + 1
    entry = entries("user", target.pk).get(reason_code="mfa_reset")
    assert "mfa_device" in entry.changed_fields
    with pytest.raises(DomainError):
        services.staff_reset_mfa(actor=actor, user_id=admin.pk)


def test_another_forces_staff_are_not_found(actor, other_force, foreign_unit):
    from tests.factories import UserFactory

    stranger = UserFactory(force=other_force, units=[foreign_unit])
    with pytest.raises(NotFound):
        services.staff_reset_mfa(actor=actor, user_id=stranger.pk)
    with pytest.raises(NotFound):
        services.staff_send_password_reset(actor=actor, user_id=stranger.pk)


# --- units ------------------------------------------------------------------------------------


def test_parent_rule_refuses_cycles():
    parents = {1: None, 2: 1, 3: 2}
    assert parent_problem(1, 3, parents) == CYCLE
    assert parent_problem(2, 2, parents) == CYCLE
    assert parent_problem(3, 1, parents) == ""
    assert parent_problem(None, 3, parents) == ""


def test_units_are_created_changed_and_never_cycle(actor, force):
    top = services.unit_create(actor=actor, name="Public Protection", unit_type="child_abuse")
    below = services.unit_create(
        actor=actor, name="CAIU North", unit_type="child_abuse", parent_id=top.pk
    )
    assert below.parent_id == top.pk
    assert entries("unit", below.pk, "create").exists()
    with pytest.raises(DomainError) as refused:
        services.unit_update(
            actor=actor,
            unit_id=top.pk,
            version=top.version,
            name=top.name,
            unit_type=top.unit_type,
            parent_id=below.pk,
        )
    assert refused.value.fields["parent"] == CYCLE
    with pytest.raises(DomainError) as refused:
        services.unit_create(actor=actor, name="caiu north", unit_type="child_abuse")
    assert "name" in refused.value.fields
    changed = services.unit_update(
        actor=actor,
        unit_id=below.pk,
        version=below.version,
        name="CAIU North and West",
        unit_type="child_abuse",
        parent_id=None,
    )
    assert changed.parent_id is None and changed.version == below.version + 1
    with pytest.raises(Conflict):
        services.unit_update(
            actor=actor,
            unit_id=below.pk,
            version=below.version,
            name="Stale",
            unit_type="child_abuse",
            parent_id=None,
        )


def test_a_parent_in_another_force_is_refused(actor, foreign_unit):
    with pytest.raises(DomainError) as refused:
        services.unit_create(
            actor=actor, name="Mine", unit_type="response", parent_id=foreign_unit.pk
        )
    assert "parent" in refused.value.fields


# --- importing staff --------------------------------------------------------------------------


def test_import_creates_everyone(actor, unit, other_unit):
    text = (
        HEADER + f"Priya,Patel,ppatel,priya@police.example,officer,{unit.name},PC\n"
        f"Tom,Taylor,ttaylor,tom@police.example,Investigator;supervisor,"
        f"{unit.name};{other_unit.name},\n"
    )
    created = services.staff_import_csv(actor=actor, content=text.encode())
    assert [u.username for u in created] == ["ppatel", "ttaylor"]
    tom = User.objects.get(username="ttaylor")
    assert sorted(RoleGrant.objects.filter(user=tom).values_list("role", flat=True)) == [
        "investigator",
        "supervisor",
    ]
    assert set(tom.units.all()) == {unit, other_unit}
    assert OutboxMessage.objects.filter(recipient_user_id__in=[u.pk for u in created]).count() == 2
    assert entries("user", tom.pk, "create").exists()


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("Ann,Able,dup,a@police.example,officer,,", "username", "also on line 2"),
        ("Ann,Able,existing,a@police.example,officer,,", "username", "already in use"),
        ("Ann,Able,ann,a@police.example,wizard,,", "roles", "Unknown role wizard"),
        ("Ann,Able,ann,a@police.example,officer,Atlantis,", "units", "Unknown unit Atlantis"),
        ("Ann,Able,ann,not-an-email,officer,,", "email", "not an email address"),
        (",Able,ann,a@police.example,officer,,", "first_name", "Enter a first name"),
    ],
)
def test_one_bad_line_saves_nobody(actor, make_user, line, column, message):
    make_user("officer", username="existing")
    before = User.objects.count()
    text = HEADER + "Good,Person,dup,good@police.example,officer,,\n" + line + "\n"
    with pytest.raises(services.StaffImportRefused) as refused:
        services.staff_import_csv(actor=actor, content=text)
    problems = [p for p in refused.value.problems if p.line == 3]
    assert [p.column for p in problems] == [column]
    assert message in problems[0].message
    assert User.objects.count() == before
    assert not OutboxMessage.objects.exists()


def test_import_reports_every_bad_line(actor):
    text = HEADER + "A,B,a1,bad,officer,,\nC,D,c1,c@police.example,nobody,,\n"
    with pytest.raises(services.StaffImportRefused) as refused:
        services.staff_import_csv(actor=actor, content=text)
    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "email"), (3, "roles")]
    assert "2 lines" in refused.value.message


def test_import_refuses_a_file_without_the_columns(actor):
    with pytest.raises(services.StaffImportRefused) as refused:
        services.staff_import_csv(actor=actor, content="name,email\nA,a@police.example\n")
    assert "Missing: first_name" in refused.value.message
    with pytest.raises(services.StaffImportRefused):
        services.staff_import_csv(actor=actor, content=b"\xff\xfe\x00bad")


# --- pages ------------------------------------------------------------------------------------


def test_admin_adds_a_person_through_the_page(admin_client, unit):
    page = admin_client.get("/staff/new/")
    assert page.status_code == 200
    assert b"Add a person" in page.content
    response = admin_client.post(
        "/staff/new/",
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "username": "ghopper",
            "email": "grace@police.example",
            "roles": ["officer"],
            "units": [unit.pk],
        },
    )
    user = User.objects.get(username="ghopper")
    assert response["Location"] == f"/staff/{user.pk}/"
    detail = admin_client.get(response["Location"])
    assert b"Grace Hopper was added" in detail.content


def test_add_a_person_names_every_error_and_keeps_what_was_typed(admin_client, make_user):
    make_user("officer", username="taken")
    empty = admin_client.post("/staff/new/", {})
    for text in (b"Enter their first name", b"Enter a username", b"Choose at least one role"):
        assert text in empty.content
    assert b"<title>Error: " in empty.content
    taken = admin_client.post(
        "/staff/new/",
        {
            "first_name": "Kept",
            "last_name": "Typed",
            "username": "taken",
            "email": "k@police.example",
            "roles": ["officer"],
        },
    )
    assert b"That username is already in use" in taken.content
    assert b'value="Kept"' in taken.content


def test_admin_changes_details_and_units(admin_client, make_user, other_unit):
    target = make_user("officer")
    page = admin_client.get(f"/staff/{target.pk}/edit/")
    assert page.status_code == 200
    response = admin_client.post(
        f"/staff/{target.pk}/edit/",
        {
            "first_name": "New",
            "last_name": "Name",
            "email": "new@police.example",
            "units": [other_unit.pk],
            "version": target.version,
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.first_name, list(target.units.all())) == ("New", [other_unit])
    stale = admin_client.post(
        f"/staff/{target.pk}/edit/",
        {
            "first_name": "Old",
            "last_name": "Name",
            "email": "old@police.example",
            "version": target.version - 1,
        },
    )
    assert b"Somebody else changed this account" in stale.content


def test_admin_sends_a_reset_link_and_resets_mfa_from_the_page(admin_client, make_user):
    target = make_user("officer")
    done = admin_client.post(f"/staff/{target.pk}/password-reset/", follow=True)
    assert b"emailed them a link" in done.content
    assert OutboxMessage.objects.filter(recipient_user_id=target.pk).exists()
    done = admin_client.post(f"/staff/{target.pk}/reset-mfa/", follow=True)
    assert b"Second factor reset" in done.content
    assert not TOTPDevice.objects.filter(user=target).exists()


def test_after_an_mfa_reset_the_user_sets_up_a_new_app(make_user):
    from tests.factories import TEST_PASSWORD

    target = make_user("officer")
    services.staff_reset_mfa(actor=services.actor_for(make_user("force_admin")), user_id=target.pk)
    client = Client()
    response = client.post("/sign-in/", {"username": target.username, "password": TEST_PASSWORD})
    assert response["Location"] == "/sign-in/set-up-authenticator/"
    page = client.get("/sign-in/set-up-authenticator/")
    assert b"QR code" in page.content


def test_admin_manages_units_through_pages(admin_client, unit):
    assert b"Add a unit" in admin_client.get("/units/").content
    response = admin_client.post(
        "/units/new/", {"name": "CAIU East", "unit_type": "child_abuse", "parent": unit.pk}
    )
    created = Unit.objects.get(name="CAIU East")
    assert response["Location"] == f"/units/{created.pk}/"
    assert unit.name.encode() in admin_client.get(response["Location"]).content
    cycle = admin_client.post(
        f"/units/{unit.pk}/edit/",
        {
            "name": unit.name,
            "unit_type": unit.unit_type,
            "parent": created.pk,
            "version": unit.version,
        },
    )
    assert b"cannot sit under itself" in cycle.content
    empty = admin_client.post("/units/new/", {})
    assert b"Enter a name for the unit" in empty.content
    assert b"Choose the type of unit" in empty.content


def test_import_page_lists_problems_by_line_and_saves_nothing(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = admin_client.get("/staff/import/")
    assert b"Download an example file" in page.content
    example = admin_client.get("/staff/import/example.csv")
    assert example["Content-Type"].startswith("text/csv")
    assert example.content.decode().startswith(HEADER.strip())
    before = User.objects.count()
    bad = SimpleUploadedFile(
        "staff.csv", (HEADER + "A,B,a1,a@police.example,wizard,,\n").encode(), "text/csv"
    )
    response = admin_client.post("/staff/import/", {"file": bad})
    assert b"Nothing was imported" in response.content
    assert b"Unknown role wizard" in response.content
    assert User.objects.count() == before
    empty = admin_client.post("/staff/import/", {})
    assert b"Choose a CSV file to upload" in empty.content


def test_import_page_imports_a_good_file(admin_client, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "staff.csv", (HEADER + f"A,B,a1,a@police.example,officer,{unit.name},\n").encode()
    )
    response = admin_client.post("/staff/import/", {"file": good}, follow=True)
    assert b"1 person was imported" in response.content
    assert User.objects.filter(username="a1").exists()


def test_the_example_file_imports_in_the_demo_force(admin_client):
    from safeguard.accounts.views import EXAMPLE_CSV

    for name in ("Response Team North", "Child Abuse Investigation Unit"):
        Unit.objects.get_or_create(
            force=admin_client.user.force, name=name, defaults={"unit_type": "response"}
        )
    created = services.staff_import_csv(
        actor=services.actor_for(admin_client.user), content=EXAMPLE_CSV
    )
    assert len(created) == 2


def test_supervisor_cannot_reach_admin_pages(supervisor_client, make_user):
    target = make_user("officer")
    for path in ("/staff/new/", "/staff/import/", "/units/new/", f"/staff/{target.pk}/edit/"):
        assert supervisor_client.get(path).status_code == 403, path
    assert supervisor_client.post(f"/staff/{target.pk}/reset-mfa/").status_code == 403


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def api(make_api_client, admin):
    return make_api_client(admin)


def send(api, method, path, body, **headers):
    return getattr(api, method)(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **headers
    )


def test_api_creates_changes_and_disables_staff(api, unit, other_unit):
    created = send(
        api,
        "post",
        "/staff",
        {
            "username": "apiuser",
            "first_name": "Api",
            "last_name": "User",
            "email": "api@police.example",
            "roles": ["officer"],
            "unit_ids": [unit.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["unit_ids"] == [unit.pk] and body["roles"] == ["officer"]
    user_id, version = body["id"], body["version"]
    changed = send(
        api,
        "patch",
        f"/staff/{user_id}",
        {
            "first_name": "Api",
            "last_name": "Changed",
            "email": "api@police.example",
            "unit_ids": [other_unit.pk],
            "version": version,
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["unit_ids"] == [other_unit.pk]
    stale = send(
        api,
        "patch",
        f"/staff/{user_id}",
        {"first_name": "X", "last_name": "Y", "version": version},
    )
    assert stale.status_code == 409
    disabled = send(
        api,
        "put",
        f"/staff/{user_id}/active",
        {"active": False},
        headers={"If-Match": changed["ETag"]},
    )
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert api.post(f"/api/v1/staff/{user_id}/password-reset").status_code == 202
    assert api.post(f"/api/v1/staff/{user_id}/mfa-reset").status_code == 200


def test_api_refuses_bad_input_with_messages(api, make_user):
    make_user("officer", username="taken")
    taken = send(
        api,
        "post",
        "/staff",
        {
            "username": "taken",
            "first_name": "A",
            "last_name": "B",
            "email": "a@police.example",
            "roles": ["officer"],
        },
    )
    assert taken.status_code == 422
    assert taken.json()["fields"]["username"] == "That username is already in use."
    bad = send(api, "post", "/staff", {"username": "x", "roles": ["wizard"]})
    assert bad.status_code == 422
    assert {"first_name", "email"} <= set(bad.json()["fields"])
    email = send(
        api,
        "post",
        "/staff",
        {
            "username": "y",
            "first_name": "A",
            "last_name": "B",
            "email": "nope",
            "roles": ["officer"],
        },
    )
    assert email.status_code == 422 and "email" in email.json()["fields"]


def test_api_units_and_cycles(api):
    top = send(api, "post", "/units", {"name": "Top", "unit_type": "response"})
    assert top.status_code == 201
    below = send(
        api,
        "post",
        "/units",
        {"name": "Below", "unit_type": "response", "parent_id": top.json()["id"]},
    )
    assert below.json()["parent_id"] == top.json()["id"]
    cycle = send(
        api,
        "patch",
        f"/units/{top.json()['id']}",
        {
            "name": "Top",
            "unit_type": "response",
            "parent_id": below.json()["id"],
            "version": top.json()["version"],
        },
    )
    assert cycle.status_code == 422 and "parent" in cycle.json()["fields"]
    renamed = send(
        api,
        "patch",
        f"/units/{top.json()['id']}",
        {"name": "Top Unit", "unit_type": "response", "version": top.json()["version"]},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Top Unit"
    stale = send(
        api,
        "patch",
        f"/units/{top.json()['id']}",
        {"name": "Again", "unit_type": "response", "version": top.json()["version"]},
    )
    assert stale.status_code == 409


def test_api_import_is_all_or_nothing(api, unit):
    before = User.objects.count()
    bad = send(api, "post", "/staff/import", {"csv": HEADER + "A,B,a1,bad,officer,,\n"})
    assert bad.status_code == 422
    assert bad.json()["fields"]["lines"] == [
        {"line": 2, "column": "email", "message": "bad is not an email address"}
    ]
    assert User.objects.count() == before
    good = send(
        api, "post", "/staff/import", {"csv": HEADER + "A,B,a1,a@police.example,officer,,\n"}
    )
    assert good.status_code == 201 and good.json()["created"] == 1


def test_api_admin_operations_need_staff_manage(make_api_client, make_user):
    api = make_api_client(make_user("supervisor"))
    assert send(api, "post", "/units", {"name": "X", "unit_type": "response"}).status_code == 403
    assert send(api, "post", "/staff/import", {"csv": HEADER}).status_code == 403
