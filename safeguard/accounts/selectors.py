"""Every read of staff, units and the audit log, scoped to the actor and audited."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from safeguard.accounts.models import ApiToken, RoleGrant, Unit, User
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.clocks import Recipient
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction, AuditEntry, ClockState
from safeguard.core.permissions import Permission
from safeguard.core.scoping import scope_queryset


def _staff_visible_to(actor: Actor) -> QuerySet[User]:
    users = User.objects.prefetch_related(
        "units", Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role"))
    )
    return scope_queryset(
        users,
        actor=actor,
        permission=Permission.STAFF_VIEW,
        object_type="user",
        unit_field="units",
    )


@dataclass(frozen=True)
class StaffFilters:
    search: str = ""
    unit_id: int | None = None
    role: str = ""


def staff_list_visible_to(*, actor: Actor, filters: StaffFilters) -> QuerySet[User]:
    users = _staff_visible_to(actor)
    if filters.search:
        users = users.filter(
            Q(username__icontains=filters.search)
            | Q(first_name__icontains=filters.search)
            | Q(last_name__icontains=filters.search)
        )
    if filters.unit_id:
        users = users.filter(units__id=filters.unit_id)
    if filters.role:
        users = users.filter(role_grants__role=filters.role)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="user",
        object_id="list",
        reason_code="list",
    )
    return users.distinct().order_by("last_name", "first_name", "pk")


def staff_get(*, actor: Actor, user_id: int) -> User:
    """One staff record if the actor may see it; another force's record is simply not found."""
    user = _staff_visible_to(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="user", object_id=user.pk)
    return user


def unit_list_visible_to(*, actor: Actor) -> QuerySet[Unit]:
    actor.require(Permission.UNIT_VIEW)
    return Unit.objects.filter(force_id=actor.force_id).order_by("name")


def unit_get(*, actor: Actor, unit_id: int) -> Unit:
    actor.require(Permission.UNIT_VIEW)
    unit = Unit.objects.filter(force_id=actor.force_id, pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


def unit_of_type(force_id: int, unit_type: str) -> Unit | None:
    """The force's unit of a kind (the missing persons unit, the MASH, the Encompass desk) that
    work of that kind is sent to: the oldest, when a force has several."""
    return Unit.objects.filter(force_id=force_id, unit_type=unit_type).order_by("pk").first()


def unit_members(*, actor: Actor, unit: Unit) -> QuerySet[User]:
    """Members' names are shown on a unit page; staff records are opened through staff_get."""
    actor.require(Permission.UNIT_VIEW)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="unit",
        object_id=unit.pk,
        reason_code="members",
    )
    return unit.members.filter(force_id=actor.force_id, is_active=True).order_by(
        "last_name", "first_name"
    )


def api_token_list_for(*, actor: Actor) -> QuerySet[ApiToken]:
    actor.require(Permission.API_TOKEN_MANAGE)
    return ApiToken.objects.filter(user_id=actor.user_id)


@dataclass(frozen=True)
class AuditFilters:
    object_type: str = ""
    object_id: str = ""
    username: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(*, actor: Actor, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Search the force's audit log, newest first. Searching is itself recorded (CJIS AU-9)."""
    actor.require(Permission.AUDIT_SEARCH)
    entries = AuditEntry.objects.filter(force_id=actor.force_id)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.username:
        entries = entries.filter(actor_username__iexact=filters.username)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="audit_log",
        object_id=filters.object_id or "search",
        reason_code="audit_search",
    )
    return entries.order_by("-seq")


ESCALATION_ROLES = {"supervisor": "supervisor", "duty_inspector": "duty_inspector"}


def escalation_recipients(clock: ClockState, who: str) -> list[Recipient]:
    """Who a rung of a clock's ladder tells: the record's owner, the supervisors of its unit,
    or the force's duty inspectors. Only active staff of the clock's force."""
    staff = User.objects.filter(force_id=clock.force_id, is_active=True)
    if who == "owner":
        staff = staff.filter(pk=clock.owner_id) if clock.owner_id else staff.none()
    elif who == "supervisor" and clock.unit_id is not None:
        staff = staff.filter(role_grants__role="supervisor", units__id=clock.unit_id)
    elif who == "duty_inspector":
        staff = staff.filter(role_grants__role="duty_inspector")
    else:
        return []
    return [Recipient(user_id=u.pk, email=u.email) for u in staff.distinct().order_by("pk")]
