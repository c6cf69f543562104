"""Every write to people: record (after the duplicate check), change, aliases, addresses,
relationships and merge. Each is one unit of work (`core.unit_of_work`): locked, the version
checked, audited as `person` and on the person's chronology.

What a merge means for cases (involvements, voices, sightings) is the cases context's to
move: `cases.services.person_merge_with_cases` calls `person_merge` and then moves them."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.errors import Conflict, DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.unit_of_work import Change, record_change, record_create
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
PERSON_UNKNOWN = "Choose a person recorded in this force"
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


def _refresh_search_keys(person: Person) -> None:
    """The phonetic keys of every name and alias: a derived search index kept in the same
    transaction as the change (not a fact about the person, so not audited as a field)."""
    names = [person.given_names, person.family_name]
    for alias in person.aliases.all():
        names += [alias.given_names, alias.family_name]
    person.search_keys = search_keys(*names)
    Person.objects.filter(pk=person.pk).update(search_keys=person.search_keys)


def person_create(
    *, actor: Actor, data: PersonInput, confirm_new: bool = False, now: datetime
) -> Person:
    """Record a person. Unless the caller confirms somebody new, likely duplicates refuse it."""
    actor.require(Permission.PERSON_MANAGE)
    today = london_date(now)
    refuse_if(_person_problems(data, today))
    if not confirm_new:
        candidates = person_duplicates(
            actor=actor,
            given_names=data.given_names,
            family_name=data.family_name,
            date_of_birth=data.date_of_birth,
            address_line1=data.address.line1 if data.address else "",
            postcode=data.address.postcode if data.address else "",
            now=now,
        )
        if candidates:
            raise PossibleDuplicates(candidates)
    with record_create(actor=actor, now=now, audit_as="person") as change:
        person = change.created(
            Person.objects.create(
                force_id=actor.force_id,
                given_names=data.given_names.strip(),
                family_name=data.family_name.strip(),
                date_of_birth=data.date_of_birth,
                estimated_age=data.estimated_age,
                estimated_on=today if data.estimated_age is not None else None,
                gender=data.gender,
                ethnicity=data.ethnicity.strip(),
                school_urn=data.school_urn.strip(),
                created_at=now,
                created_by_id=actor.user_id,
            )
        )
        for given, family in data.aliases:
            Alias.objects.create(person=person, given_names=given, family_name=family)
        if data.address is not None:
            _address_add(person, data.address, today)
        _refresh_search_keys(person)
        change.event("person.recorded", "Person recorded", about=person.pk)
    person.refresh_from_db()
    return person


def _person_for_update(actor: Actor, person_id: int) -> Person:
    """Lock a person of the actor's force who has not been merged away, or not found."""
    actor.require(Permission.PERSON_MANAGE)
    person = people_visible_to(actor).select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def person_not_merged(person: Person) -> None:
    """Guard: a record merged into another takes no more changes (the kept one does)."""
    if person.merged_into_id is not None:
        raise DomainError("merged", ALREADY_MERGED)


def person_change(
    *,
    actor: Actor,
    person_id: int,
    now: datetime,
    version: int | None = None,
    reason: str = "",
    guard: Callable[[Person], None] | None = person_not_merged,
    lock: Callable[[], Person] | None = None,
) -> AbstractContextManager[Change[Person]]:
    """The unit of work for a change to a person: locked within PERSON_MANAGE's reach, the
    version checked, not merged away, audited as `person`, its events on their chronology."""
    return record_change(
        actor=actor,
        now=now,
        audit_as="person",
        lock=lock or (lambda: _person_for_update(actor, person_id)),
        version=version,
        guard=guard,
        reason=reason,
        noun="person",
    )


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
    today = london_date(now)
    with person_change(actor=actor, person_id=person_id, now=now, version=version) as change:
        person = change.record
        merged = {name: getattr(person, name) for name in EDITABLE} | changes
        refuse_if(_person_problems(PersonInput(**merged), today))
        if "estimated_age" in changes:
            estimated = changes["estimated_age"] is not None
            changes = changes | {"estimated_on": today if estimated else None}
        changed = change.write(**changes)
        if {"given_names", "family_name"} & set(changed):
            _refresh_search_keys(person)
        if changed:
            change.event(
                "person.changed",
                "Details changed: " + ", ".join(f.replace("_", " ") for f in changed),
                about=person.pk,
            )
    return person


def person_set_markers(
    *,
    actor: Actor,
    person_id: int,
    version: int,
    on_protection_plan: bool,
    looked_after: bool,
    now: datetime,
) -> Person:
    """Record the warning markers children's social care tells the police of: on a child
    protection plan, looked after (docs/finding.md 4). Audited and on the chronology."""
    with person_change(actor=actor, person_id=person_id, now=now, version=version) as change:
        changed = change.write(on_protection_plan=on_protection_plan, looked_after=looked_after)
        if changed:
            states = {
                "on_protection_plan": ("On a child protection plan", "No longer on a plan"),
                "looked_after": ("Looked after", "No longer looked after"),
            }
            change.event(
                "person.markers",
                "Warning markers: "
                + "; ".join(states[f][0 if getattr(change.record, f) else 1] for f in changed),
                about=person_id,
            )
    return change.record


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
    with person_change(actor=actor, person_id=person_id, now=now) as change:
        added = _address_add(change.record, address, london_date(now))
        change.audit(changed=["addresses"])
        change.event("person.address", "Address added", about=person_id)
    return added


def person_add_alias(
    *, actor: Actor, person_id: int, given_names: str, family_name: str, now: datetime
) -> Alias:
    if not (given_names.strip() or family_name.strip()):
        refuse_if([("given_names", "Enter the other name")])
    with person_change(actor=actor, person_id=person_id, now=now) as change:
        alias = Alias.objects.create(
            person=change.record, given_names=given_names.strip(), family_name=family_name.strip()
        )
        _refresh_search_keys(change.record)
        change.audit(changed=["aliases"])
        change.event("person.alias", "Other name added", about=person_id)
    return alias


def person_relate(
    *, actor: Actor, person_id: int, other_id: int, kind: str, now: datetime
) -> Relationship:
    """Record that the person is the `kind` of the other (e.g. parent or carer of)."""
    if kind not in Relationship.Kind.values:
        refuse_if([("kind", "Choose a relationship from the list")])
    if person_id == other_id:
        refuse_if([("other", SELF_RELATIONSHIP)])
    with person_change(actor=actor, person_id=person_id, now=now) as change:
        other = people_visible_to(actor).filter(pk=other_id, merged_into__isnull=True).first()
        if other is None:
            raise DomainError("invalid", PERSON_UNKNOWN, {"other": PERSON_UNKNOWN})
        relationship, created = Relationship.objects.get_or_create(
            force_id=actor.force_id, person=change.record, other=other, kind=kind
        )
        if created:
            change.audit(changed=["relationships"])
            change.event(
                "person.relationship",
                f"Relationship recorded: {Relationship.Kind(kind).label.lower()} {other.full_name}",
                about=person_id,
            )
    return relationship


def _both_current(keep: Person, merged: Person, keep_version: int, merge_version: int) -> None:
    """Guard of a merge: neither record merged away, and neither changed since it was read."""
    person_not_merged(keep)
    person_not_merged(merged)
    if (keep.version, merged.version) != (keep_version, merge_version):
        raise Conflict(
            "One of these records changed after you opened it. Check both, then merge again.",
            {"keep_version": keep.version, "merge_version": merged.version},
        )


def person_merge(
    *,
    actor: Actor,
    keep_id: int,
    merge_id: int,
    keep_version: int,
    merge_version: int,
    now: datetime,
) -> Person:
    """Combine two records of one person (DPA 2018 s62: 'combination'). The merged record
    stays, pointing at the kept one, so its audit trail and history remain; its names become
    aliases, its addresses and relationships move to the kept record. Two records change in
    one unit: the kept record's unit locks both in a fixed order (no deadlock) and checks both
    versions; the merged record's own unit, nested, writes and audits its side.

    Case records naming the merged person are the cases context's: the merge page and API
    call `cases.services.person_merge_with_cases`, which calls this and then moves them."""
    if keep_id == merge_id:
        refuse_if([("merge_id", SAME_PERSON)])
    locked: dict[int, Person] = {}

    def lock_both() -> Person:
        for pk in sorted((keep_id, merge_id)):
            locked[pk] = _person_for_update(actor, pk)
        return locked[keep_id]

    with person_change(
        actor=actor,
        person_id=keep_id,
        now=now,
        reason="kept",
        lock=lock_both,
        guard=lambda keep: _both_current(keep, locked[merge_id], keep_version, merge_version),
    ) as change:
        keep, merged = change.record, locked[merge_id]
        with person_change(
            actor=actor,
            person_id=merge_id,
            now=now,
            reason="merged_away",
            lock=lambda: merged,
        ) as gone:
            gone.write(merged_into_id=keep.pk)
            # Records merged earlier into the one merged now point at the record that is
            # kept, so every history stays one step from it (the chronology reads that step).
            Person.objects.filter(merged_into=merged).update(merged_into=keep)
        if (merged.given_names, merged.family_name) != (keep.given_names, keep.family_name):
            Alias.objects.create(
                person=keep, given_names=merged.given_names, family_name=merged.family_name
            )
        Alias.objects.filter(person=merged).update(person=keep)
        Address.objects.filter(person=merged).update(person=keep)
        _move_relationships(keep, merged)
        known = {
            name: getattr(merged, name)
            for name in ("date_of_birth", "school_urn", "ethnicity")
            if not getattr(keep, name) and getattr(merged, name)
        }
        if keep.date_of_birth is not None or "date_of_birth" in known:
            # A known date of birth replaces an estimate (the two together are refused).
            known |= {"estimated_age": None, "estimated_on": None}
        # The kept record's version moves even when no detail of it does: the merge changed it.
        change.write(**known)
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
        change.event("person.merged", f"Record {merged.pk} merged into this one", about=keep.pk)
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
