"""People API: search, read, record (with the duplicate check), change. Thin: the same
selectors and services as the pages. A merge moves case records too: it is in cases.api."""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import InputSchema
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.people import selectors, services
from safeguard.people.models import Person

router = Router(tags=["people"])


class AddressOut(Schema):
    line1: str
    line2: str
    town: str
    postcode: str
    lived_from: date | None
    lived_to: date | None


class AliasOut(Schema):
    given_names: str
    family_name: str


class PersonOut(Schema):
    """A person, read from the record's attributes (its other names and addresses too)."""

    id: int
    given_names: str
    family_name: str
    date_of_birth: date | None
    estimated_age: int | None
    gender: str
    ethnicity: str
    school_urn: str
    merged_into_id: int | None
    version: int
    aliases: list[AliasOut]
    addresses: list[AddressOut]


class PersonQuery(InputSchema):
    name: str = Field("", max_length=120)
    date_of_birth: date | None = None
    address: str = Field("", max_length=120)


class AddressIn(InputSchema):
    line1: str = Field(max_length=120)
    postcode: str = Field(max_length=10)
    line2: str = Field("", max_length=120)
    town: str = Field("", max_length=80)
    lived_from: date | None = None


class PersonIn(InputSchema):
    given_names: str = Field(max_length=120)
    family_name: str = Field(max_length=120)
    date_of_birth: date | None = None
    estimated_age: int | None = Field(None, ge=0, le=120)
    gender: Person.Gender = Person.Gender.UNKNOWN
    ethnicity: str = Field("", max_length=120)
    school_urn: str = Field("", max_length=10)
    address: AddressIn | None = None
    # After a 409 possible_duplicates: true records somebody new anyway.
    confirm_new: bool = False


class PersonPatch(InputSchema):
    given_names: str | None = Field(None, max_length=120)
    family_name: str | None = Field(None, max_length=120)
    date_of_birth: date | None = None
    estimated_age: int | None = Field(None, ge=0, le=120)
    gender: Person.Gender | None = None
    ethnicity: str | None = Field(None, max_length=120)
    school_urn: str | None = Field(None, max_length=10)
    version: int | None = None


@router.get("/people", response=list[PersonOut])
@operation_requires(Permission.PERSON_VIEW)
def search_people(request: ActorRequest, filters: Query[PersonQuery]) -> list[PersonOut]:
    found = selectors.person_search(
        actor=request.actor,
        search=selectors.PersonSearch(
            name=filters.name, date_of_birth=filters.date_of_birth, address=filters.address
        ),
    )
    return [PersonOut.model_validate(p) for p in found]


@router.get("/people/{person_id}", response=PersonOut)
@operation_requires(Permission.PERSON_VIEW)
def get_person(request: ActorRequest, response: HttpResponse, person_id: int) -> PersonOut:
    person = selectors.person_get(actor=request.actor, person_id=person_id)
    set_etag(response, person.version)
    return PersonOut.model_validate(person)


@router.post("/people", response={201: PersonOut})
@operation_requires(Permission.PERSON_MANAGE)
def create_person(request: ActorRequest, response: HttpResponse, payload: PersonIn) -> Status:
    """Record a person. Likely duplicates answer 409 with `fields.candidates`; send
    `confirm_new: true` to record somebody new anyway."""
    address = services.AddressInput(**payload.address.model_dump()) if payload.address else None
    person = services.person_create(
        actor=request.actor,
        data=services.PersonInput(
            **payload.model_dump(exclude={"address", "confirm_new"}), address=address
        ),
        confirm_new=payload.confirm_new,
        now=timezone.now(),
    )
    set_etag(response, person.version)
    return Status(201, PersonOut.model_validate(person))


@router.patch("/people/{person_id}", response=PersonOut)
@operation_requires(Permission.PERSON_MANAGE)
def update_person(
    request: ActorRequest, response: HttpResponse, person_id: int, payload: PersonPatch
) -> PersonOut:
    actor = request.actor
    changes = payload.model_dump(exclude={"version"}, exclude_unset=True)
    with_expected_version(
        request,
        payload.version,
        lambda version: services.person_update(
            actor=actor, person_id=person_id, version=version, changes=changes, now=timezone.now()
        ),
    )
    person = selectors.person_get(actor=actor, person_id=person_id, audit=False)
    set_etag(response, person.version)
    return PersonOut.model_validate(person)
