"""Every write accounts makes goes through the unit of work: one audit entry per change, naming
who made it and which fields, and a refusal (stale, guarded, out of reach) saves nothing."""

from datetime import UTC, datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts import services
from safeguard.accounts.models import ApiToken, Force, RoleGrant, Unit, User
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
PASSWORD = "a long and unusual pass phrase 42"


def entries(object_type: str, object_id: object) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")
    )


def new_staff(actor, force: Force, username: str = "new.starter", **kwargs) -> User:
    return services.staff_create(
        actor=actor,
        force=force,
        username=username,
        password=PASSWORD,
        first_name="New",
        last_name="Starter",
        email=f"{username}@force.example",
        roles=["officer"],
        now=NOW,
        **kwargs,
    )


def test_an_admin_creates_staff_audited_as_them(make_user, force, unit):
    admin = services.actor_for(make_user("force_admin"))
    user = new_staff(admin, force, units=[unit])
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == ["officer"]
    [entry] = entries("user", user.pk)
    assert (entry.action, entry.actor_user_id, entry.force_id) == (
        "create",
        admin.user_id,
        force.pk,
    )


def test_only_an_admin_of_the_force_creates_staff_and_a_refusal_saves_nothing(
    make_user, force, other_force
):
    officer = services.actor_for(make_user("officer"))
    with pytest.raises(PermissionDenied):
        new_staff(officer, force)
    admin = services.actor_for(make_user("force_admin"))
    with pytest.raises(NotFound):
        new_staff(admin, other_force)
    assert not User.objects.filter(username="new.starter").exists()
    assert not AuditEntry.objects.filter(object_type="user", action="create").exists()


def test_the_set_up_command_creates_audited_as_the_operator():
    force = services.force_get_or_create(name="Set-up Constabulary", code="SETUP")
    assert services.force_get_or_create(name="Set-up Constabulary", code="SETUP") == force
    unit = services.unit_get_or_create(force=force, name="MASH", unit_type=Unit.Type.MASH)
    assert services.unit_get_or_create(force=force, name="MASH", unit_type="mash") == unit
    user = new_staff(None, force, units=[unit])
    for object_type, object_id, fields in (
        ("force", force.pk, ["code", "name"]),
        ("unit", unit.pk, ["name", "unit_type"]),
        ("user", user.pk, ["email", "force", "name", "roles", "units", "username"]),
    ):
        [entry] = entries(object_type, object_id)
        assert (entry.action, entry.actor_user_id, entry.actor_username) == (
            "create",
            None,
            "system",
        )
        assert entry.changed_fields == fields


def test_a_role_change_is_one_entry_and_makes_an_open_page_stale(make_user):
    admin = services.actor_for(make_user("force_admin"))
    target = make_user("officer")
    read = target.version
    changed = services.staff_set_roles(
        actor=admin, user_id=target.pk, roles=["auditor"], version=read, now=NOW
    )
    assert changed.version == read + 1
    [entry] = entries("user", target.pk)
    assert (entry.reason_code, entry.changed_fields) == ("roles_changed", ["roles"])
    with pytest.raises(Conflict):
        services.staff_set_roles(
            actor=admin, user_id=target.pk, roles=["analyst"], version=read, now=NOW
        )
    assert len(entries("user", target.pk)) == 1


def test_a_stale_page_is_refused_before_the_guard(make_user):
    admin_user = make_user("force_admin")
    admin = services.actor_for(admin_user)
    stale = admin_user.version - 1
    with pytest.raises(Conflict):
        services.staff_set_active(
            actor=admin, user_id=admin_user.pk, active=False, version=stale, now=NOW
        )
    with pytest.raises(DomainError, match="your own account"):
        services.staff_set_active(
            actor=admin, user_id=admin_user.pk, active=False, version=admin_user.version, now=NOW
        )
    admin_user.refresh_from_db()
    assert admin_user.is_active and entries("user", admin_user.pk) == []


def test_ending_sessions_and_unlocking_are_audited(make_user):
    admin = services.actor_for(make_user("force_admin"))
    target = make_user("officer")
    ended = services.staff_end_sessions(actor=admin, user_id=target.pk, now=NOW)
    assert ended.session_epoch == target.session_epoch + 1
    assert ended.version == target.version + 1
    assert services.staff_unlock_sign_in(actor=admin, user_id=target.pk, now=NOW) == 0
    assert [(e.reason_code, e.changed_fields) for e in entries("user", target.pk)] == [
        ("sessions_ended", ["session_epoch"]),
        ("unlocked", ["sign_in_lock"]),
    ]


def test_another_forces_account_is_not_found(make_user, other_force):
    admin = services.actor_for(make_user("force_admin"))
    stranger = make_user("officer", force=other_force, units=[])
    with pytest.raises(NotFound):
        services.staff_end_sessions(actor=admin, user_id=stranger.pk, now=NOW)
    assert entries("user", stranger.pk) == []


def test_a_token_is_created_and_revoked_by_its_owner_audited(make_user):
    owner = make_user("officer")
    actor = services.actor_for(owner)
    token, raw = services.api_token_create(actor=actor, user=owner, name=" laptop ", now=NOW)
    assert services.api_token_authenticate(raw=raw, now=NOW) == owner
    services.api_token_revoke(actor=actor, token_id=token.pk, now=NOW)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == NOW
    assert services.api_token_authenticate(raw=raw, now=NOW) is None
    assert [
        (e.action, e.reason_code, e.changed_fields) for e in entries("api_token", token.pk)
    ] == [
        ("create", "", []),
        ("update", "revoked", ["revoked_at"]),
    ]
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=actor, token_id=token.pk, now=NOW)
    assert len(entries("api_token", token.pk)) == 2


def test_the_command_line_token_names_no_user_as_actor(make_user):
    owner = make_user("officer")
    token, _ = services.api_token_create(actor=None, user=owner, name="cli", now=NOW)
    [entry] = entries("api_token", token.pk)
    assert (entry.action, entry.actor_user_id, entry.changed_fields) == ("create", None, ["name"])


def test_confirming_an_authenticator_is_audited_as_the_user_themselves(make_user):
    user = make_user("officer")
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, device=device, now=NOW)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    [entry] = entries("user", user.pk)
    assert (entry.actor_user_id, entry.reason_code, entry.changed_fields) == (
        user.pk,
        "mfa_enrolled",
        ["mfa_device"],
    )
