"""Every write to forces, units, staff, roles, MFA devices and API tokens."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import ApiToken, Force, RoleGrant, Unit, User
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role, Scope

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


def force_get_or_create(*, name: str, code: str) -> Force:
    force, _ = Force.objects.get_or_create(code=code, defaults={"name": name})
    return force


def unit_get_or_create(*, force: Force, name: str, unit_type: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(force=force, name=name, defaults={"unit_type": unit_type})
    return unit


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
) -> User:
    """Create a staff or partner user with their roles; `actor` None means the set-up command."""
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
    with transaction.atomic():
        user.save()
        user.units.set(list(units))
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
        audit_record(
            actor=actor,
            username="system",
            force_id=force.pk,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.pk,
            changed_fields=["username", "name", "email", "roles", "units", "force"],
        )
    return user


def _audit_staff_change(
    actor: Actor, user: User, *, changed_fields: Iterable[str], reason: str
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.pk,
        changed_fields=changed_fields,
        reason_code=reason,
    )


def _staff_for_update(*, actor: Actor, user_id: int) -> User:
    actor.require(Permission.STAFF_MANAGE)
    user = User.objects.select_for_update().filter(pk=user_id, force_id=actor.force_id).first()
    if user is None:
        raise NotFound()
    return user


def staff_set_roles(*, actor: Actor, user_id: int, roles: Iterable[str], version: int) -> User:
    """Replace a user's roles; a change applies to their next request (ASVS 8.3.2)."""
    roles = _check_roles(roles)
    with transaction.atomic():
        user = _staff_for_update(actor=actor, user_id=user_id)
        update_versioned(user, expected_version=version, changes={})
        RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
        existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=role) for role in roles if role not in existing]
        )
        _audit_staff_change(actor, user, changed_fields=["roles"], reason="roles_changed")
    return user


def staff_set_active(*, actor: Actor, user_id: int, active: bool, version: int) -> User:
    """Disable or re-enable a user. Disabling ends every session they have (ASVS 7.4.2)."""
    with transaction.atomic():
        user = _staff_for_update(actor=actor, user_id=user_id)
        if user.pk == actor.user_id and not active:
            raise DomainError("self_disable", "You cannot disable your own account.")
        changes: dict[str, object] = {"is_active": active}
        if not active:
            changes["session_epoch"] = user.session_epoch + 1
        changed = update_versioned(user, expected_version=version, changes=changes)
        _audit_staff_change(
            actor, user, changed_fields=changed, reason="disabled" if not active else "enabled"
        )
    return user


def staff_end_sessions(*, actor: Actor, user_id: int) -> User:
    """End every session a user has, wherever it is (ASVS 7.4.5)."""
    with transaction.atomic():
        user = _staff_for_update(actor=actor, user_id=user_id)
        User.objects.filter(pk=user.pk).update(
            session_epoch=F("session_epoch") + 1, version=F("version") + 1
        )
        _audit_staff_change(actor, user, changed_fields=["session_epoch"], reason="sessions_ended")
    user.refresh_from_db()
    return user


def staff_unlock_sign_in(*, actor: Actor, user_id: int) -> int:
    """Release a sign-in lock-out before it expires (CJIS AC-7: an administrator unlocks)."""
    with transaction.atomic():
        user = _staff_for_update(actor=actor, user_id=user_id)
        cleared = axes_reset(username=user.username)
        _audit_staff_change(actor, user, changed_fields=["sign_in_lock"], reason="unlocked")
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


def totp_device_confirm(*, user: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=None,
            username=user.username,
            force_id=user.force_id,
            action=AuditAction.UPDATE,
            object_type="user",
            object_id=user.pk,
            changed_fields=["mfa_device"],
            reason_code="mfa_enrolled",
        )


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
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:80], lookup=lookup, token_hash=_token_hash(raw), created_at=now
        )
        audit_record(
            actor=actor,
            username=user.username,
            force_id=user.force_id,
            action=AuditAction.CREATE,
            object_type="api_token",
            object_id=token.pk,
            changed_fields=["name"],
        )
    return token, raw


def api_token_revoke(*, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token within the actor's reach for API_TOKEN_MANAGE (their own, by the table)."""
    scope = actor.require(Permission.API_TOKEN_MANAGE)
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update(of=("self",)).filter(
            pk=token_id, revoked_at__isnull=True, user__force_id=actor.force_id
        )
        if scope < Scope.FORCE:
            tokens = tokens.filter(user_id=actor.user_id)
        token = tokens.first()
        if token is None:
            raise NotFound()
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="api_token",
            object_id=token.pk,
            changed_fields=["revoked_at"],
            reason_code="revoked",
        )
    return token


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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
