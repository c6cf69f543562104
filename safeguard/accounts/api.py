"""API for the actor, units, staff and the audit log: the same selectors and services as pages."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeguard.accounts import selectors, services
from safeguard.accounts.models import Unit, User
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
    parent_id: int | None
    version: int


class StaffOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
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


class StaffImportIn(InputSchema):
    # The file's text, with the columns documented on the import page.
    csv: str = Field(min_length=1, max_length=1_000_000)


class StaffImportOut(Schema):
    created: int
    items: list[StaffOut]


# Before /staff/{user_id}, so "import" is never read as an id.
@router.post("/staff/import", response={201: StaffImportOut})
@operation_requires(Permission.STAFF_MANAGE)
def import_staff(request: ActorRequest, payload: StaffImportIn) -> Status:
    """Create everyone in the CSV, or nobody: a bad line is a 422 listing every problem by
    line in `fields.lines`."""
    created = services.staff_import_csv(actor=request.actor, content=payload.csv)
    users = [selectors.staff_get(actor=request.actor, user_id=u.pk) for u in created]
    return Status(
        201,
        StaffImportOut.model_validate({"created": len(users), "items": users}),
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


# --- Force administration ---------------------------------------------------------------


class StaffCreateIn(InputSchema):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field(min_length=1, max_length=150)
    email: str = Field(min_length=1, max_length=254)
    job_title: str = Field("", max_length=120)
    roles: list[Role] = Field(min_length=1)
    unit_ids: list[int] = []


class StaffChangeIn(InputSchema):
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field(min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    job_title: str = Field("", max_length=120)
    unit_ids: list[int] = []
    # Or send If-Match with the ETag from GET /staff/{id}.
    version: int | None = None


class ActiveIn(InputSchema):
    active: bool
    version: int | None = None


class UnitIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    unit_type: Unit.Type
    parent_id: int | None = None


class UnitChangeIn(UnitIn):
    version: int | None = None


def _staff_out(request: ActorRequest, response: HttpResponse, user_id: int) -> StaffOut:
    user = selectors.staff_get(actor=request.actor, user_id=user_id)
    set_etag(response, user.version)
    return StaffOut.model_validate(user)


@router.post("/staff", response={201: StaffOut})
@operation_requires(Permission.STAFF_MANAGE)
def create_staff(request: ActorRequest, response: HttpResponse, payload: StaffCreateIn) -> Status:
    """Create a person; they are emailed a link to choose a password."""
    actor = request.actor
    user = services.staff_create(
        actor=actor,
        force=services.force_of(actor),
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        job_title=payload.job_title,
        roles=[str(r) for r in payload.roles],
        units=services.units_of_force(actor, payload.unit_ids),
    )
    return Status(201, _staff_out(request, response, user.pk))


@router.patch("/staff/{user_id}", response=StaffOut)
@operation_requires(Permission.STAFF_MANAGE)
def change_staff(
    request: ActorRequest, response: HttpResponse, user_id: int, payload: StaffChangeIn
) -> StaffOut:
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.staff_update(
            actor=actor,
            user_id=user_id,
            version=version,
            first_name=payload.first_name,
            last_name=payload.last_name,
            email=payload.email,
            job_title=payload.job_title,
            unit_ids=payload.unit_ids,
        ),
    )
    return _staff_out(request, response, user_id)


@router.put("/staff/{user_id}/active", response=StaffOut)
@operation_requires(Permission.STAFF_MANAGE)
def set_staff_active(
    request: ActorRequest, response: HttpResponse, user_id: int, payload: ActiveIn
) -> StaffOut:
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.staff_set_active(
            actor=actor, user_id=user_id, active=payload.active, version=version
        ),
    )
    return _staff_out(request, response, user_id)


@router.post("/staff/{user_id}/password-reset", response={202: None})
@operation_requires(Permission.STAFF_MANAGE)
def send_staff_password_reset(request: ActorRequest, user_id: int) -> Status:
    """Email the person a link to choose a new password (sent by the worker)."""
    services.staff_send_password_reset(actor=request.actor, user_id=user_id)
    return Status(202, None)


@router.post("/staff/{user_id}/mfa-reset", response=StaffOut)
@operation_requires(Permission.STAFF_MANAGE)
def reset_staff_mfa(request: ActorRequest, response: HttpResponse, user_id: int) -> StaffOut:
    """Remove the person's authenticator apps: they set one up again at their next sign-in."""
    services.staff_reset_mfa(actor=request.actor, user_id=user_id)
    return _staff_out(request, response, user_id)


@router.post("/units", response={201: UnitOut})
@operation_requires(Permission.UNIT_MANAGE)
def create_unit(request: ActorRequest, response: HttpResponse, payload: UnitIn) -> Status:
    unit = services.unit_create(
        actor=request.actor,
        name=payload.name,
        unit_type=str(payload.unit_type),
        parent_id=payload.parent_id,
    )
    set_etag(response, unit.version)
    return Status(201, UnitOut.model_validate(unit))


@router.patch("/units/{unit_id}", response=UnitOut)
@operation_requires(Permission.UNIT_MANAGE)
def change_unit(
    request: ActorRequest, response: HttpResponse, unit_id: int, payload: UnitChangeIn
) -> UnitOut:
    actor = request.actor
    unit = with_expected_version(
        request,
        payload.version,
        lambda version: services.unit_update(
            actor=actor,
            unit_id=unit_id,
            version=version,
            name=payload.name,
            unit_type=str(payload.unit_type),
            parent_id=payload.parent_id,
        ),
    )
    set_etag(response, unit.version)
    return UnitOut.model_validate(unit)
