"""Every write to forces, units, staff, roles, MFA devices and API tokens: an actor's through
the unit of work (core.unit_of_work), the operator's command line through `_operator_create`."""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TypeVar

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import ApiToken, Force, RoleGrant, Unit, User
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role, Scope
from safeguard.core.unit_of_work import Change, record_change, record_create

TOKEN_PREFIX = "sgpat_"
LOOKUP_LENGTH = 12
UNKNOWN_ROLE = "Choose roles from the list: {roles}."
USERNAME_TAKEN = "That username is already in use."
TOKEN_NAME_REQUIRED = "Give the token a name, so you can tell it apart later."


def user_is_verified(user: object) -> bool:
    """Signed in with both factors: django-otp adds is_verified() to the request's user."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def actor_for(user: User, *, channel: str = "web") -> Actor:
    """Build the one Actor for a request or API call from the user's force, units and roles."""
    if user.force_id is None:
        raise DomainError("no_force", "This account is not attached to a force.")
    return Actor(
        user_id=user.pk,
        username=user.username,
        force_id=user.force_id,
        unit_ids=frozenset(user.units.values_list("pk", flat=True)),
        roles=frozenset(RoleGrant.objects.filter(user=user).values_list("role", flat=True)),
        channel=channel,
    )


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    unknown = [role for role in roles if role not in Role.values]
    if unknown or not roles:
        raise DomainError(
            "invalid_roles", UNKNOWN_ROLE.format(roles=", ".join(Role.labels)), {"roles": roles}
        )
    return roles


M = TypeVar("M", bound=Model)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _operator_create(
    make: Callable[[], M],
    *,
    username: str,
    force_id: int | None,
    object_type: str,
    fields: Iterable[str] = (),
) -> M:
    """What the operator's command line creates (the first force, its units and users, a token
    for a named user). No Actor exists for them (no user id, no roles), and the unit of work
    needs one, so this is the one place in accounts that opens its own transaction: the record
    and the entry naming the operator (no user id) commit together."""
    with transaction.atomic():
        record = make()
        audit_record(
            actor=None,
            username=username,
            force_id=force_id,
            action=AuditAction.CREATE,
            object_type=object_type,
            object_id=record.pk,
            changed_fields=fields,
        )
    return record


def force_get_or_create(*, name: str, code: str) -> Force:
    """The set-up command's force: made once (audited), found after."""
    force = Force.objects.filter(code=code).first()
    if force is not None:
        return force
    return _operator_create(
        lambda: Force.objects.create(code=code, name=name),
        username="system",
        force_id=None,
        object_type="force",
        fields=["code", "name"],
    )


def unit_get_or_create(*, force: Force, name: str, unit_type: str) -> Unit:
    """The set-up command's unit: made once (audited), found after."""
    unit = Unit.objects.filter(force=force, name=name).first()
    if unit is not None:
        return unit
    return _operator_create(
        lambda: Unit.objects.create(force=force, name=name, unit_type=unit_type),
        username="system",
        force_id=force.pk,
        object_type="unit",
        fields=["name", "unit_type"],
    )


STAFF_FIELDS = ("username", "name", "email", "roles", "units", "force")


def staff_create(
    *,
    actor: Actor | None,
    force: Force,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[str],
    units: Iterable[Unit] = (),
    organisation: str = "",
    job_title: str = "",
    now: datetime | None = None,
) -> User:
    """Create a staff or partner user with their roles; `actor` None means the set-up command,
    otherwise a force administrator (STAFF_MANAGE) of `force`. Audited as a `user` creation."""
    if actor is not None:
        actor.require(Permission.STAFF_MANAGE)
        if force.pk != actor.force_id:
            raise NotFound()
    roles = _check_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", USERNAME_TAKEN, {"username": USERNAME_TAKEN})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        force=force,
        organisation=organisation,
        job_title=job_title,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError("weak_password", " ".join(error.messages)) from error
    user.set_password(password)
    units = list(units)

    def make() -> User:
        user.save()
        user.units.set(units)
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
        return user

    if actor is None:
        return _operator_create(
            make, username="system", force_id=force.pk, object_type="user", fields=STAFF_FIELDS
        )
    with record_create(actor=actor, now=_now(now), audit_as="user") as change:
        change.created(make())
    return user


def _staff_for_update(*, actor: Actor, user_id: int) -> User:
    actor.require(Permission.STAFF_MANAGE)
    user = User.objects.select_for_update().filter(pk=user_id, force_id=actor.force_id).first()
    if user is None:
        raise NotFound()
    return user


def staff_change(
    *,
    actor: Actor,
    user_id: int,
    now: datetime | None,
    reason: str,
    version: int | None = None,
    guard: Callable[[User], None] | None = None,
) -> AbstractContextManager[Change[User]]:
    """The unit of work for a change to a staff account: locked within the actor's force for
    STAFF_MANAGE (or not found), the version checked, the guard run, audited as `user`."""
    return record_change(
        actor=actor,
        now=_now(now),
        audit_as="user",
        lock=lambda: _staff_for_update(actor=actor, user_id=user_id),
        version=version,
        guard=guard,
        reason=reason,
        noun="account",
    )


def staff_set_roles(
    *,
    actor: Actor,
    user_id: int,
    roles: Iterable[str],
    version: int,
    now: datetime | None = None,
) -> User:
    """Replace a user's roles; a change applies to their next request (ASVS 8.3.2)."""
    roles = _check_roles(roles)
    with staff_change(
        actor=actor, user_id=user_id, now=now, reason="roles_changed", version=version
    ) as change:
        user = change.record
        RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
        existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=role) for role in roles if role not in existing]
        )
        # The roles are rows of their own: the account's version moves so an open page is stale.
        change.write()
        change.audit(changed=["roles"])
    return change.record


def _not_yourself(actor: Actor) -> Callable[[User], None]:
    def guard(user: User) -> None:
        """Guard: nobody disables their own account (there would be nobody to undo it)."""
        if user.pk == actor.user_id:
            raise DomainError("self_disable", "You cannot disable your own account.")

    return guard


def staff_set_active(
    *, actor: Actor, user_id: int, active: bool, version: int, now: datetime | None = None
) -> User:
    """Disable or re-enable a user. Disabling ends every session they have (ASVS 7.4.2)."""
    with staff_change(
        actor=actor,
        user_id=user_id,
        now=now,
        reason="enabled" if active else "disabled",
        version=version,
        guard=None if active else _not_yourself(actor),
    ) as change:
        if active:
            change.write(is_active=True)
        else:
            change.write(is_active=False, session_epoch=change.record.session_epoch + 1)
    return change.record


def staff_end_sessions(*, actor: Actor, user_id: int, now: datetime | None = None) -> User:
    """End every session a user has, wherever it is (ASVS 7.4.5)."""
    with staff_change(actor=actor, user_id=user_id, now=now, reason="sessions_ended") as change:
        change.write(session_epoch=change.record.session_epoch + 1)
    return change.record


def staff_unlock_sign_in(*, actor: Actor, user_id: int, now: datetime | None = None) -> int:
    """Release a sign-in lock-out before it expires (CJIS AC-7: an administrator unlocks)."""
    with staff_change(actor=actor, user_id=user_id, now=now, reason="unlocked") as change:
        cleared = axes_reset(username=change.record.username)
        change.audit(changed=["sign_in_lock"])
    return int(cleared)


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_start(*, user: User) -> TOTPDevice:
    """Start (or restart) enrolment of an authenticator app: an unconfirmed device."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_create_confirmed(*, user: User, key_hex: str) -> TOTPDevice:
    """For the demo and tests: a device whose secret is already known and confirmed."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=key_hex, confirmed=True
    )


def totp_device_confirm(*, user: User, device: TOTPDevice, now: datetime | None = None) -> None:
    """The user confirms their authenticator app: they are the actor of their own enrolment
    (signed in with a password, not yet with the code). Audited as a change to their account."""
    with record_change(
        actor=actor_for(user),
        now=_now(now),
        audit_as="user",
        lock=lambda: User.objects.select_for_update().get(pk=user.pk),
        reason="mfa_enrolled",
    ) as change:
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        change.audit(changed=["mfa_device"])


def auth_event_record(
    *, action: AuditAction, username: str, user: User | None, outcome: str = "success"
) -> None:
    """Record a sign-in, failure, lock-out or sign-out (CJIS AU-2; ASVS 16.3.1)."""
    audit_record(
        actor=None,
        username=username,
        force_id=user.force_id if user else None,
        action=action,
        object_type="user" if user else "",
        object_id=user.pk if user else "",
        outcome=outcome,
    )


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(
    *, actor: Actor | None, user: User, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """Create a personal access token and return it with its secret, which is never stored."""
    name = name.strip()
    if not name:
        raise DomainError("name_required", TOKEN_NAME_REQUIRED, {"name": TOKEN_NAME_REQUIRED})
    if actor is not None and actor.user_id != user.pk:
        raise NotFound()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lookup = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + LOOKUP_LENGTH]

    def make() -> ApiToken:
        return ApiToken.objects.create(
            user=user, name=name[:80], lookup=lookup, token_hash=_token_hash(raw), created_at=now
        )

    if actor is None:
        token = _operator_create(
            make,
            username=user.username,
            force_id=user.force_id,
            object_type="api_token",
            fields=["name"],
        )
        return token, raw
    with record_create(actor=actor, now=now, audit_as="api_token") as change:
        token = change.created(make())
    return token, raw


def _token_for_update(actor: Actor, token_id: int) -> ApiToken:
    """Lock a live token within the actor's reach for API_TOKEN_MANAGE (their own, unless the
    table gives them the force's), or not found."""
    scope = actor.require(Permission.API_TOKEN_MANAGE)
    tokens = ApiToken.objects.select_for_update(of=("self",)).filter(
        pk=token_id, revoked_at__isnull=True, user__force_id=actor.force_id
    )
    if scope < Scope.FORCE:
        tokens = tokens.filter(user_id=actor.user_id)
    token = tokens.first()
    if token is None:
        raise NotFound()
    return token


def api_token_revoke(*, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token within the actor's reach for API_TOKEN_MANAGE (their own, by the table)."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="api_token",
        lock=lambda: _token_for_update(actor, token_id),
        reason="revoked",
    ) as change:
        change.write(revoked_at=now)
    return change.record


def api_token_authenticate(*, raw: str, now: datetime) -> User | None:
    """The active user a bearer token belongs to, or None. Compared in constant time."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    lookup = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + LOOKUP_LENGTH]
    token = (
        ApiToken.objects.select_related("user")
        .filter(lookup=lookup, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.token_hash, _token_hash(raw)):
        return None
    # A usage stamp, not a change anybody makes: the call it authenticates is what is audited.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
