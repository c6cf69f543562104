"""Every write to forces, units, staff, roles, MFA devices and API tokens: an actor's through
the unit of work (core.unit_of_work), the operator's command line through `_operator_create`."""

import csv
import hashlib
import io
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TypeVar

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model
from django.db.models.functions import Lower
from django.template import loader
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import ApiToken, Force, RoleGrant, Unit, User
from safeguard.accounts.rules.staff_import import (
    COLUMNS,
    MAX_LINES,
    REQUIRED_COLUMNS,
    LineProblem,
    check_lines,
)
from safeguard.accounts.rules.units import parent_problem
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction, OutboxMessage
from safeguard.core.permissions import Permission, Role, Scope
from safeguard.core.unit_of_work import Change, record_change, record_create

TOKEN_PREFIX = "sgpat_"
LOOKUP_LENGTH = 12
UNKNOWN_ROLE = "Choose roles from the list: {roles}."
USERNAME_TAKEN = "That username is already in use."
USERNAME_REQUIRED = "Enter a username"
FIRST_NAME_REQUIRED = "Enter a first name"
LAST_NAME_REQUIRED = "Enter a last name"
EMAIL_REQUIRED = "Enter an email address, so they can choose a password"
BAD_EMAIL = "Enter an email address in the right format, like name@example.com"
NO_EMAIL = "This person has no email address. Add one first, then send the link."
UNIT_OUTSIDE_FORCE = "Choose units of your own force"
UNIT_NAME_REQUIRED = "Enter a name for the unit"
UNIT_NAME_TAKEN = "Your force already has a unit with that name"
UNIT_TYPE_UNKNOWN = "Choose a unit type from the list"
PARENT_NOT_FOUND = "Choose a parent unit of your own force"
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
    password: str | None = None,
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
    otherwise a force administrator (STAFF_MANAGE) of `force`. Audited as a `user` creation.

    With no `password` the account has none yet: an email (through the outbox) carries a
    one-time link, the password-reset link, to choose one. The second factor is enrolled by QR
    code at the first sign-in."""
    if actor is not None:
        actor.require(Permission.STAFF_MANAGE)
        if force.pk != actor.force_id:
            raise NotFound()
    roles = _check_roles(roles)
    username = username.strip()
    problems: dict[str, str] = {}
    if not username:
        problems["username"] = USERNAME_REQUIRED
    elif User.objects.filter(username__iexact=username).exists():
        problems["username"] = USERNAME_TAKEN
    if not first_name.strip():
        problems["first_name"] = FIRST_NAME_REQUIRED
    if not last_name.strip():
        problems["last_name"] = LAST_NAME_REQUIRED
    if password is None and not email:
        problems["email"] = EMAIL_REQUIRED
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = BAD_EMAIL
    units = list(units)
    if any(unit.force_id != force.pk for unit in units):
        problems["units"] = UNIT_OUTSIDE_FORCE
    if problems:
        code = "username_taken" if problems.get("username") == USERNAME_TAKEN else "invalid"
        raise DomainError(code, next(iter(problems.values())), problems)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        force=force,
        organisation=organisation,
        job_title=job_title,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError("weak_password", " ".join(error.messages)) from error
        user.set_password(password)

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
        if password is None:
            change.send(**_password_email(user, welcome=True))
    return user


def _password_email(user: User, *, welcome: bool) -> dict[str, object]:
    """The outbox message carrying a one-time link to choose a password: Django's password
    reset token, the same link the "forgotten your password" page sends. The link is in the
    body only (never in `link`, which is truncated and shown), and is never logged."""
    base = str(getattr(settings, "PUBLIC_URL", "")).rstrip("/")
    protocol, _, domain = base.partition("://")
    context = {
        "user": user,
        "protocol": protocol or "https",
        "domain": domain or base,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    name = "account_created" if welcome else "password_reset"
    subject = "".join(
        loader.render_to_string(f"accounts/email/{name}_subject.txt", context).splitlines()
    )
    return {
        "channel": OutboxMessage.Channel.EMAIL,
        "subject": subject,
        "body": loader.render_to_string(f"accounts/email/{name}.txt", context),
        "force_id": user.force_id,
        "recipient_user_id": user.pk,
        "to_address": user.email,
    }


def force_of(actor: Actor) -> Force:
    return Force.objects.get(pk=actor.force_id)


def units_of_force(actor: Actor, unit_ids: Iterable[int]) -> list[Unit]:
    """The units named, all of the actor's force, or a refusal naming the units field."""
    return _force_units(actor, unit_ids)


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


def _force_units(actor: Actor, unit_ids: Iterable[int]) -> list[Unit]:
    unit_ids = set(unit_ids)
    units = list(Unit.objects.filter(force_id=actor.force_id, pk__in=unit_ids))
    if len(units) != len(unit_ids):
        raise DomainError("unknown_unit", UNIT_OUTSIDE_FORCE, {"units": UNIT_OUTSIDE_FORCE})
    return units


def staff_update(
    *,
    actor: Actor,
    user_id: int,
    version: int,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str = "",
    unit_ids: Iterable[int],
    now: datetime | None = None,
) -> User:
    """Change a user's name, email, job title and units (a change of units applies to their
    next request, as roles do). Audited with the fields that changed."""
    problems = {}
    if not first_name.strip():
        problems["first_name"] = FIRST_NAME_REQUIRED
    if not last_name.strip():
        problems["last_name"] = LAST_NAME_REQUIRED
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = BAD_EMAIL
    if problems:
        raise DomainError("invalid", next(iter(problems.values())), problems)
    units = _force_units(actor, unit_ids)
    with staff_change(
        actor=actor, user_id=user_id, now=now, reason="details_changed", version=version
    ) as change:
        user = change.record
        before = set(user.units.values_list("pk", flat=True))
        after = {unit.pk for unit in units}
        if before != after:
            user.units.set(units)
            # The units are rows of their own: bump the version so an open page is stale.
            change.write(session_epoch=user.session_epoch)
            change.audit(changed=["units"])
        change.write(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip(),
            job_title=job_title.strip(),
        )
    return change.record


def staff_send_password_reset(*, actor: Actor, user_id: int, now: datetime | None = None) -> User:
    """Email the user a one-time link to choose a new password (the password-reset link),
    through the outbox. Their current password keeps working until they use it."""
    with staff_change(actor=actor, user_id=user_id, now=now, reason="password_reset_sent") as c:
        user = c.record
        if not user.email:
            raise DomainError("no_email", NO_EMAIL, {"email": NO_EMAIL})
        c.send(**_password_email(user, welcome=False))
        c.audit(changed=["password_reset_link"])
    return c.record


def _not_your_own_mfa(actor: Actor) -> Callable[[User], None]:
    def guard(user: User) -> None:
        """Guard: an admin does not reset their own second factor (another admin does)."""
        if user.pk == actor.user_id:
            raise DomainError(
                "self_mfa_reset",
                "You cannot reset your own second factor. Ask another force admin.",
            )

    return guard


def staff_reset_mfa(*, actor: Actor, user_id: int, now: datetime | None = None) -> User:
    """Remove every authenticator app of the user and end their sessions: at their next
    sign-in they set one up again by QR code (a lost or replaced phone)."""
    with staff_change(
        actor=actor,
        user_id=user_id,
        now=now,
        reason="mfa_reset",
        guard=_not_your_own_mfa(actor),
    ) as change:
        user = change.record
        TOTPDevice.objects.filter(user=user).delete()
        change.write(session_epoch=user.session_epoch + 1)
        change.audit(changed=["mfa_device"])
    return change.record


def _unit_parents(force_id: int) -> dict[int, int | None]:
    return dict(Unit.objects.filter(force_id=force_id).values_list("pk", "parent_id"))


def _check_unit(
    actor: Actor, *, unit_id: int | None, name: str, unit_type: str, parent_id: int | None
) -> None:
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = UNIT_NAME_REQUIRED
    else:
        same_name = Unit.objects.filter(force_id=actor.force_id, name__iexact=name)
        if unit_id is not None:
            same_name = same_name.exclude(pk=unit_id)
        if same_name.exists():
            problems["name"] = UNIT_NAME_TAKEN
    if unit_type not in Unit.Type.values:
        problems["unit_type"] = UNIT_TYPE_UNKNOWN
    if parent_id is not None:
        parents = _unit_parents(actor.force_id)
        if parent_id not in parents:
            problems["parent"] = PARENT_NOT_FOUND
        else:
            cycle = parent_problem(unit_id, parent_id, parents)
            if cycle:
                problems["parent"] = cycle
    if problems:
        raise DomainError("invalid_unit", next(iter(problems.values())), problems)


def unit_create(
    *,
    actor: Actor,
    name: str,
    unit_type: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Unit:
    """A new unit of the actor's force, under `parent_id` if given. Audited as a `unit`."""
    actor.require(Permission.UNIT_MANAGE)
    name = name.strip()
    _check_unit(actor, unit_id=None, name=name, unit_type=unit_type, parent_id=parent_id)
    with record_create(actor=actor, now=_now(now), audit_as="unit") as change:
        unit = change.created(
            Unit.objects.create(
                force_id=actor.force_id, name=name, unit_type=unit_type, parent_id=parent_id
            )
        )
    return unit


def _unit_for_update(actor: Actor, unit_id: int) -> Unit:
    actor.require(Permission.UNIT_MANAGE)
    unit = Unit.objects.select_for_update().filter(pk=unit_id, force_id=actor.force_id).first()
    if unit is None:
        raise NotFound()
    return unit


def unit_update(
    *,
    actor: Actor,
    unit_id: int,
    version: int,
    name: str,
    unit_type: str,
    parent_id: int | None,
    now: datetime | None = None,
) -> Unit:
    """Rename a unit, change its type or move it under another unit (never under itself or a
    unit below it). Audited with the fields that changed."""
    name = name.strip()
    with record_change(
        actor=actor,
        now=_now(now),
        audit_as="unit",
        lock=lambda: _unit_for_update(actor, unit_id),
        version=version,
        reason="changed",
        noun="unit",
    ) as change:
        _check_unit(actor, unit_id=unit_id, name=name, unit_type=unit_type, parent_id=parent_id)
        change.write(name=name, unit_type=unit_type, parent_id=parent_id)
    return change.record


class StaffImportRefused(DomainError):
    """A staff file with at least one bad line: every problem, by line; nothing was saved."""

    def __init__(self, problems: list[LineProblem], message: str | None = None) -> None:
        self.problems = problems
        count = len({p.line for p in problems})
        text = message or (
            f"Nothing was imported: {count} line{'s' if count != 1 else ''} of the file "
            f"{'have' if count != 1 else 'has'} problems. Correct them and upload the file again."
        )
        super().__init__(
            "import_refused",
            text,
            {
                "file": text,
                "lines": [
                    {"line": p.line, "column": p.column, "message": p.message} for p in problems
                ],
            },
        )


def _file_refused(message: str) -> StaffImportRefused:
    return StaffImportRefused([LineProblem(1, "file", message)], message)


def _read_csv(content: bytes | str) -> list[tuple[int, dict[str, str]]]:
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _file_refused("The file must be a CSV file saved as UTF-8") from error
    else:
        text = content.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise _file_refused("The first line must name the columns. Missing: " + ", ".join(missing))
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise _file_refused("Unknown columns: " + ", ".join(unknown))
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # a blank line
            rows.append((reader.line_num, {k: v for k, v in row.items() if isinstance(v, str)}))
            if len(rows) > MAX_LINES:
                raise _file_refused(f"A file may hold at most {MAX_LINES} people")
    except csv.Error as error:
        raise _file_refused(f"Line {reader.line_num} is not valid CSV: {error}") from error
    if not rows:
        raise _file_refused("The file has no people in it, only the column names")
    return rows


def staff_import_csv(
    *, actor: Actor, content: bytes | str, now: datetime | None = None
) -> list[User]:
    """Create every person in a staff CSV (columns: rules/staff_import.COLUMNS), or nobody.

    Every line is checked first (rules/staff_import.check_lines) and all problems reported by
    line; then all are created in one transaction, each audited and sent a link to choose a
    password, as if created one by one."""
    actor.require(Permission.STAFF_MANAGE)
    rows = _read_csv(content)
    units = {unit.name.lower(): unit for unit in Unit.objects.filter(force_id=actor.force_id)}
    roles = {code: code for code in Role.values}
    roles.update({str(label).lower(): code for code, label in Role.choices})
    wanted = {(row.get("username") or "").strip().lower() for _, row in rows} - {""}
    # Usernames are unique across forces too (one sign-in page), whatever their case.
    taken = set(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=wanted)
        .values_list("lower_name", flat=True)
    )
    lines, problems = check_lines(rows, roles=roles, unit_names=units, usernames_taken=taken)
    if problems:
        raise StaffImportRefused(problems)
    force = Force.objects.get(pk=actor.force_id)
    created = []
    with transaction.atomic():
        for line in lines:
            created.append(
                staff_create(
                    actor=actor,
                    force=force,
                    username=line.username,
                    first_name=line.first_name,
                    last_name=line.last_name,
                    email=line.email,
                    roles=line.roles,
                    units=[units[name.lower()] for name in line.units],
                    job_title=line.job_title,
                    now=now,
                )
            )
    return created


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
