"""People API: search, read, record (with the duplicate check), change, merge. Thin: the same
selectors and services as the pages."""

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

    @staticmethod
    def of(person: Person) -> "PersonOut":
        return PersonOut(
            id=person.pk,
            given_names=person.given_names,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            estimated_age=person.estimated_age,
            gender=person.gender,
            ethnicity=person.ethnicity,
            school_urn=person.school_urn,
            merged_into_id=person.merged_into_id,
            version=person.version,
            aliases=[
                AliasOut(given_names=a.given_names, family_name=a.family_name)
                for a in person.aliases.all()
            ],
            addresses=[
                AddressOut.model_validate(a, from_attributes=True) for a in person.addresses.all()
            ],
        )


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


class MergeIn(InputSchema):
    merge_id: int
    merge_version: int
    keep_version: int | None = None


@router.get("/people", response=list[PersonOut])
@operation_requires(Permission.PERSON_VIEW)
def search_people(request: ActorRequest, filters: Query[PersonQuery]) -> list[PersonOut]:
    found = selectors.person_search(
        actor=request.actor,
        search=selectors.PersonSearch(
            name=filters.name, date_of_birth=filters.date_of_birth, address=filters.address
        ),
    )
    return [PersonOut.of(p) for p in found]


@router.get("/people/{person_id}", response=PersonOut)
@operation_requires(Permission.PERSON_VIEW)
def get_person(request: ActorRequest, response: HttpResponse, person_id: int) -> PersonOut:
    person = selectors.person_get(actor=request.actor, person_id=person_id)
    set_etag(response, person.version)
    return PersonOut.of(person)


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
    return Status(201, PersonOut.of(person))


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
    return PersonOut.of(person)


@router.post("/people/{person_id}/merge", response=PersonOut)
@operation_requires(Permission.PERSON_MANAGE)
def merge_person(
    request: ActorRequest, response: HttpResponse, person_id: int, payload: MergeIn
) -> PersonOut:
    """Merge record `merge_id` into this one; both versions are checked."""
    actor = request.actor
    kept = with_expected_version(
        request,
        payload.keep_version,
        lambda version: services.person_merge(
            actor=actor,
            keep_id=person_id,
            merge_id=payload.merge_id,
            keep_version=version,
            merge_version=payload.merge_version,
            now=timezone.now(),
        ),
    )
    set_etag(response, kept.version)
    return PersonOut.of(kept)
