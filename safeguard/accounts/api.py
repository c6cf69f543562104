"""API for the actor, units, staff and the audit log: the same selectors and services as pages."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeguard.accounts import selectors, services
from safeguard.accounts.models import User
from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import InputSchema
from safeguard.core.actor import Actor
from safeguard.core.permissions import Permission, Role
from safeguard.core.views import ActorRequest

router = Router(tags=["accounts"])


class ActorOut(Schema):
    """Who the token or session acts as, read from the Actor's attributes."""

    user_id: int
    username: str
    force_id: int
    unit_ids: list[int]
    roles: list[str]

    @staticmethod
    def resolve_unit_ids(actor: Actor) -> list[int]:
        return sorted(actor.unit_ids)

    @staticmethod
    def resolve_roles(actor: Actor) -> list[str]:
        return sorted(actor.roles)


class UnitOut(Schema):
    id: int
    name: str
    unit_type: str


class StaffOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    job_title: str
    is_active: bool
    version: int
    unit_ids: list[int]
    roles: list[str]

    @staticmethod
    def resolve_unit_ids(user: User) -> list[int]:
        return sorted(unit.pk for unit in user.units.all())

    @staticmethod
    def resolve_roles(user: User) -> list[str]:
        return sorted(user.role_names)


class Page(Schema):
    count: int
    next_offset: int | None


class StaffPage(Page):
    items: list[StaffOut]


class StaffQuery(InputSchema):
    search: str = Field("", max_length=100)
    role: Role | None = None
    unit_id: int | None = None
    offset: int = Field(0, ge=0)
    limit: int = Field(25, ge=1, le=100)


class RolesIn(InputSchema):
    roles: list[Role] = Field(min_length=1)
    # Or send If-Match with the ETag from GET /staff/{id}.
    version: int | None = None


class AuditQuery(InputSchema):
    object_type: str = Field("", max_length=60)
    object_id: str = Field("", max_length=64)
    username: str = Field("", max_length=150)
    action: str = Field("", max_length=20)
    date_from: date | None = None
    date_to: date | None = None
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=200)


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    actor_username: str
    channel: str
    action: str
    object_type: str
    object_id: str
    reason_code: str
    changed_fields: list[str]
    outcome: str
    request_id: str


class AuditPage(Page):
    items: list[AuditEntryOut]


class TokenOut(Schema):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.get("/me", response=ActorOut)
@operation_requires(Permission.MY_WORK_VIEW)
def me(request: ActorRequest) -> ActorOut:
    return ActorOut.model_validate(request.actor)


@router.get("/units", response=list[UnitOut])
@operation_requires(Permission.UNIT_VIEW)
def list_units(request: ActorRequest) -> list[UnitOut]:
    units = selectors.unit_list_visible_to(actor=request.actor)
    return [UnitOut.model_validate(unit) for unit in units]


@router.get("/units/{unit_id}", response=UnitOut)
@operation_requires(Permission.UNIT_VIEW)
def get_unit(request: ActorRequest, unit_id: int) -> UnitOut:
    unit = selectors.unit_get(actor=request.actor, unit_id=unit_id)
    return UnitOut.model_validate(unit)


@router.get("/staff", response=StaffPage)
@operation_requires(Permission.STAFF_VIEW)
def list_staff(request: ActorRequest, filters: Query[StaffQuery]) -> StaffPage:
    users = selectors.staff_list_visible_to(
        actor=request.actor,
        filters=selectors.StaffFilters(
            search=filters.search, role=filters.role or "", unit_id=filters.unit_id
        ),
    )
    count = users.count()
    items = list(users[filters.offset : filters.offset + filters.limit])
    end = filters.offset + len(items)
    # From the users' attributes (StaffOut's resolvers read a user, not a StaffOut again).
    return StaffPage.model_validate(
        {"count": count, "next_offset": end if end < count else None, "items": items}
    )


@router.get("/staff/{user_id}", response=StaffOut)
@operation_requires(Permission.STAFF_VIEW)
def get_staff(request: ActorRequest, response: HttpResponse, user_id: int) -> StaffOut:
    user = selectors.staff_get(actor=request.actor, user_id=user_id)
    set_etag(response, user.version)
    return StaffOut.model_validate(user)


@router.put("/staff/{user_id}/roles", response=StaffOut)
@operation_requires(Permission.STAFF_MANAGE)
def set_staff_roles(
    request: ActorRequest, response: HttpResponse, user_id: int, payload: RolesIn
) -> StaffOut:
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.staff_set_roles(
            actor=actor, user_id=user_id, roles=[str(r) for r in payload.roles], version=version
        ),
    )
    user = selectors.staff_get(actor=actor, user_id=user_id)
    set_etag(response, user.version)
    return StaffOut.model_validate(user)


@router.get("/audit", response=AuditPage)
@operation_requires(Permission.AUDIT_SEARCH)
def search_audit(request: ActorRequest, filters: Query[AuditQuery]) -> AuditPage:
    criteria = filters.model_dump(exclude={"offset", "limit"})
    entries = selectors.audit_search(
        actor=request.actor,
        filters=selectors.AuditFilters(**criteria),
    )
    count = entries.count()
    items = list(entries[filters.offset : filters.offset + filters.limit])
    end = filters.offset + len(items)
    return AuditPage(
        count=count,
        next_offset=end if end < count else None,
        items=[AuditEntryOut.model_validate(e) for e in items],
    )


@router.get("/tokens", response=list[TokenOut])
@operation_requires(Permission.API_TOKEN_MANAGE)
def list_tokens(request: ActorRequest) -> list[TokenOut]:
    tokens = selectors.api_token_list_for(actor=request.actor)
    return [TokenOut.model_validate(t) for t in tokens]


@router.delete("/tokens/{token_id}", response={204: None})
@operation_requires(Permission.API_TOKEN_MANAGE)
def revoke_token(request: ActorRequest, token_id: int) -> Status:
    services.api_token_revoke(actor=request.actor, token_id=token_id, now=timezone.now())
    return Status(204, None)
