"""Every write to people: record (after the duplicate check), change, aliases, addresses,
relationships and merge. Each is audited and appears on the person's chronology."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import Conflict, DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.timeline import timeline_add
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.people.rules.ages import dob_problems
from safeguard.people.rules.matching import address_key, search_keys
from safeguard.people.selectors import PossibleDuplicate, people_visible_to, person_duplicates

GIVEN_REQUIRED = "Enter the person's first name"
FAMILY_REQUIRED = "Enter the person's last name"
LINE1_REQUIRED = "Enter the first line of the address"
POSTCODE_REQUIRED = "Enter the postcode"
MOVED_BEFORE = "The date they moved in must be after the date they moved into their last address"
SAME_PERSON = "Choose two different records to merge"
ALREADY_MERGED = "That record has already been merged into another"
SELF_RELATIONSHIP = "A person cannot be related to themselves"
POSSIBLE_DUPLICATES = (
    "This person may already be recorded. Choose an existing record, or confirm this is "
    "somebody new."
)


class PossibleDuplicates(DomainError):
    """Likely existing records were found; the caller chooses one or confirms a new person."""

    status = 409

    def __init__(self, candidates: list[PossibleDuplicate]) -> None:
        super().__init__(
            "possible_duplicates",
            POSSIBLE_DUPLICATES,
            {
                "candidates": [
                    {"id": d.person.pk, "score": d.match.score, "reasons": list(d.match.reasons)}
                    for d in candidates
                ]
            },
        )
        self.candidates = candidates


@dataclass(frozen=True)
class AddressInput:
    line1: str
    postcode: str
    line2: str = ""
    town: str = ""
    lived_from: date | None = None


@dataclass(frozen=True)
class PersonInput:
    given_names: str
    family_name: str
    date_of_birth: date | None = None
    estimated_age: int | None = None
    gender: str = Person.Gender.UNKNOWN
    ethnicity: str = ""
    school_urn: str = ""
    address: AddressInput | None = None
    aliases: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _person_problems(data: PersonInput, today: date) -> list[tuple[str, str]]:
    problems = []
    if not data.given_names.strip():
        problems.append(("given_names", GIVEN_REQUIRED))
    if not data.family_name.strip():
        problems.append(("family_name", FAMILY_REQUIRED))
    problems += dob_problems(
        date_of_birth=data.date_of_birth, estimated_age=data.estimated_age, today=today
    )
    if data.gender not in Person.Gender.values:
        problems.append(("gender", "Choose a gender from the list"))
    if data.address is not None:
        problems += _address_problems(data.address)
    return problems


def _address_problems(address: AddressInput) -> list[tuple[str, str]]:
    problems = []
    if not address.line1.strip():
        problems.append(("line1", LINE1_REQUIRED))
    if not address.postcode.strip():
        problems.append(("postcode", POSTCODE_REQUIRED))
    return problems


def _record_change(
    actor: Actor, person: Person, fields: list[str], kind: str, title: str, now: datetime
) -> None:
    """Every change to a person: an audit entry naming the fields, and a chronology event."""
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        changed_fields=fields,
    )
    timeline_add(
        actor=actor, force_id=person.force_id, person_id=person.pk, kind=kind, title=title, at=now
    )


def _refresh_search_keys(person: Person) -> None:
    names = [person.given_names, person.family_name]
    for alias in person.aliases.all():
        names += [alias.given_names, alias.family_name]
    Person.objects.filter(pk=person.pk).update(search_keys=search_keys(*names))


def person_create(
    *, actor: Actor, data: PersonInput, confirm_new: bool = False, now: datetime
) -> Person:
    """Record a person. Unless the caller confirms somebody new, likely duplicates refuse it."""
    actor.require(Permission.PERSON_MANAGE)
    refuse_if(_person_problems(data, timezone.localdate(now)))
    if not confirm_new:
        candidates = person_duplicates(
            actor=actor,
            given_names=data.given_names,
            family_name=data.family_name,
            date_of_birth=data.date_of_birth,
            address_line1=data.address.line1 if data.address else "",
            postcode=data.address.postcode if data.address else "",
        )
        if candidates:
            raise PossibleDuplicates(candidates)
    with transaction.atomic():
        person = Person.objects.create(
            force_id=actor.force_id,
            given_names=data.given_names.strip(),
            family_name=data.family_name.strip(),
            date_of_birth=data.date_of_birth,
            estimated_age=data.estimated_age,
            estimated_on=timezone.localdate(now) if data.estimated_age is not None else None,
            gender=data.gender,
            ethnicity=data.ethnicity.strip(),
            school_urn=data.school_urn.strip(),
            created_at=now,
            created_by_id=actor.user_id,
        )
        for given, family in data.aliases:
            Alias.objects.create(person=person, given_names=given, family_name=family)
        if data.address is not None:
            _address_add(person, data.address, timezone.localdate(now))
        _refresh_search_keys(person)
        person.refresh_from_db()
        audit_record(
            actor=actor, action=AuditAction.CREATE, object_type="person", object_id=person.pk
        )
        timeline_add(
            actor=actor,
            force_id=actor.force_id,
            person_id=person.pk,
            kind="person.recorded",
            title="Person recorded",
            at=now,
        )
    return person


def _person_for_update(actor: Actor, person_id: int) -> Person:
    actor.require(Permission.PERSON_MANAGE)
    person = people_visible_to(actor).select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    if person.merged_into_id is not None:
        raise DomainError("merged", ALREADY_MERGED)
    return person


EDITABLE = (
    "given_names",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "gender",
    "ethnicity",
    "school_urn",
)


def person_update(
    *, actor: Actor, person_id: int, version: int, changes: dict[str, Any], now: datetime
) -> Person:
    """Change a person's details if nobody else changed them since `version` was read."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(
            "invalid", f"These fields cannot be changed: {', '.join(sorted(unknown))}"
        )
    with transaction.atomic():
        person = _person_for_update(actor, person_id)
        merged = {name: getattr(person, name) for name in EDITABLE} | changes
        refuse_if(_person_problems(PersonInput(**merged), timezone.localdate(now)))
        if "estimated_age" in changes:
            estimated = changes["estimated_age"] is not None
            changes = changes | {"estimated_on": timezone.localdate(now) if estimated else None}
        changed = update_versioned(person, expected_version=version, changes=changes)
        if {"given_names", "family_name"} & set(changed):
            _refresh_search_keys(person)
        if changed:
            _record_change(
                actor,
                person,
                changed,
                "person.changed",
                "Details changed: " + ", ".join(f.replace("_", " ") for f in changed),
                now,
            )
        person.refresh_from_db()
    return person


def _address_add(person: Person, address: AddressInput, today: date) -> Address:
    """Add the current address; the previous current one ends the day this one began."""
    moved_in = address.lived_from or today
    for previous in person.addresses.filter(lived_to__isnull=True):
        if previous.lived_from and moved_in < previous.lived_from:
            refuse_if([("lived_from", MOVED_BEFORE)])
        previous.lived_to = moved_in
        previous.save(update_fields=["lived_to"])
    return Address.objects.create(
        force_id=person.force_id,
        person=person,
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        town=address.town.strip(),
        postcode=address.postcode.strip().upper(),
        match_key=address_key(address.line1, address.postcode),
        lived_from=address.lived_from,
    )


def person_add_address(
    *, actor: Actor, person_id: int, address: AddressInput, now: datetime
) -> Address:
    """A new current address; the previous one is kept as history, ending when this began."""
    refuse_if(_address_problems(address))
    with transaction.atomic():
        person = _person_for_update(actor, person_id)
        added = _address_add(person, address, timezone.localdate(now))
        _record_change(actor, person, ["addresses"], "person.address", "Address added", now)
    return added


def person_add_alias(
    *, actor: Actor, person_id: int, given_names: str, family_name: str, now: datetime
) -> Alias:
    if not (given_names.strip() or family_name.strip()):
        refuse_if([("given_names", "Enter the other name")])
    with transaction.atomic():
        person = _person_for_update(actor, person_id)
        alias = Alias.objects.create(
            person=person, given_names=given_names.strip(), family_name=family_name.strip()
        )
        _refresh_search_keys(person)
        _record_change(actor, person, ["aliases"], "person.alias", "Other name added", now)
    return alias


def person_relate(
    *, actor: Actor, person_id: int, other_id: int, kind: str, now: datetime
) -> Relationship:
    """Record that the person is the `kind` of the other (e.g. parent or carer of)."""
    if kind not in Relationship.Kind.values:
        refuse_if([("kind", "Choose a relationship from the list")])
    if person_id == other_id:
        refuse_if([("other", SELF_RELATIONSHIP)])
    with transaction.atomic():
        person = _person_for_update(actor, person_id)
        other = people_visible_to(actor).filter(pk=other_id, merged_into__isnull=True).first()
        if other is None:
            refuse_if([("other", "Choose a person recorded in this force")])
        relationship, created = Relationship.objects.get_or_create(
            force_id=actor.force_id, person=person, other=other, kind=kind
        )
        if created:
            _record_change(
                actor,
                person,
                ["relationships"],
                "person.relationship",
                f"Relationship recorded: {Relationship.Kind(kind).label.lower()} "
                f"{other.full_name if other else ''}",
                now,
            )
    return relationship


def person_merge(
    *,
    actor: Actor,
    keep_id: int,
    merge_id: int,
    keep_version: int,
    merge_version: int,
    now: datetime,
) -> Person:
    """Combine two records of one person. The merged record stays, pointing at the kept one,
    so its audit trail and history remain; its names become aliases, and its addresses,
    relationships and case involvements move to the kept record (DPA 2018 s62: 'combination')."""
    if keep_id == merge_id:
        refuse_if([("merge_id", SAME_PERSON)])
    with transaction.atomic():
        first, second = sorted((keep_id, merge_id))  # a fixed lock order: no deadlock
        locked = {
            p.pk: p for p in [_person_for_update(actor, first), _person_for_update(actor, second)]
        }
        keep, merged = locked[keep_id], locked[merge_id]
        if keep.version != keep_version or merged.version != merge_version:
            raise Conflict(
                "One of these records changed after you opened it. Check both, then merge again.",
                {"keep_version": keep.version, "merge_version": merged.version},
            )
        if (merged.given_names, merged.family_name) != (keep.given_names, keep.family_name):
            Alias.objects.create(
                person=keep, given_names=merged.given_names, family_name=merged.family_name
            )
        Alias.objects.filter(person=merged).update(person=keep)
        Address.objects.filter(person=merged).update(person=keep)
        _move_relationships(keep, merged)
        _move_references(keep, merged)
        for name in ("date_of_birth", "school_urn", "ethnicity"):
            if not getattr(keep, name) and getattr(merged, name):
                setattr(keep, name, getattr(merged, name))
        if keep.date_of_birth is not None:
            # A known date of birth replaces an estimate (the two together are refused).
            keep.estimated_age = keep.estimated_on = None
        keep.version += 1
        keep.save(
            update_fields=[
                "date_of_birth",
                "estimated_age",
                "estimated_on",
                "school_urn",
                "ethnicity",
                "version",
            ]
        )
        merged.merged_into = keep
        merged.version += 1
        merged.save(update_fields=["merged_into", "version"])
        # Records merged earlier into the one merged now point at the record that is kept, so
        # every history stays one step from it (the chronology reads that one step).
        Person.objects.filter(merged_into=merged).update(merged_into=keep)
        _refresh_search_keys(keep)
        for person, other in ((keep, merged), (merged, keep)):
            audit_record(
                actor=actor,
                action=AuditAction.MERGE,
                object_type="person",
                object_id=person.pk,
                reason_code="kept" if person is keep else "merged_away",
                changed_fields=[f"person:{other.pk}"],
            )
        timeline_add(
            actor=actor,
            force_id=actor.force_id,
            person_id=keep.pk,
            kind="person.merged",
            title=f"Record {merged.pk} merged into this one",
            at=now,
        )
        keep.refresh_from_db()
    return keep


def _move_relationships(keep: Person, merged: Person) -> None:
    for relationship in Relationship.objects.filter(person=merged):
        target = relationship.other_id
        if (
            target == keep.pk
            or Relationship.objects.filter(
                person=keep, other_id=target, kind=relationship.kind
            ).exists()
        ):
            relationship.delete()
        else:
            Relationship.objects.filter(pk=relationship.pk).update(person=keep)
    for relationship in Relationship.objects.filter(other=merged):
        source = relationship.person_id
        if (
            source == keep.pk
            or Relationship.objects.filter(
                person_id=source, other=keep, kind=relationship.kind
            ).exists()
        ):
            relationship.delete()
        else:
            Relationship.objects.filter(pk=relationship.pk).update(other=keep)


def _move_references(keep: Person, merged: Person) -> None:
    """Case involvements and voice records name people; they follow the kept record.

    Reached through the reverse relations so people need not import the cases app."""
    for involvement in merged.involvements.all():  # type: ignore[attr-defined]
        duplicate = keep.involvements.filter(  # type: ignore[attr-defined]
            case_id=involvement.case_id, role=involvement.role
        ).exists()
        if duplicate:
            involvement.delete()
        else:
            involvement.person = keep
            involvement.save(update_fields=["person"])
    voice = apps.get_model("cases", "VoiceOfChild")
    voice.objects.filter(child=merged).update(child=keep)
