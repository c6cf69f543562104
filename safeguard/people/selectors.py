"""Every read of people: scoped to the actor's force, audited, excluding merged-away records."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Manager, QuerySet
from django.db.models.expressions import RawSQL

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.scoping import scope_queryset, scope_reaches
from safeguard.people.models import Address, Person
from safeguard.people.rules.matching import (
    Candidate,
    Match,
    address_key,
    duplicate_match,
    name_similarity,
    name_tokens,
    postcode_key,
    query_keys,
)

SEARCH_LIMIT = 50
# A full UK postcode without its space (e.g. TS11AA, SW1A1AA); anything else is address words.
UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
SEARCH_NEEDS_INPUT = "Enter a name, a date of birth or an address to search"


def people_visible_to(actor: Actor) -> QuerySet[Person]:
    return scope_queryset(
        Person.objects.all(), actor=actor, permission=Permission.PERSON_VIEW, object_type="person"
    )


def person_get(*, actor: Actor, person_id: int, audit: bool = True) -> Person:
    """One person in the actor's force, or not found. A merged record is still readable."""
    person = (
        people_visible_to(actor)
        .select_related("merged_into")
        .prefetch_related("aliases", "addresses")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound()
    if audit:
        audit_record(
            actor=actor, action=AuditAction.VIEW, object_type="person", object_id=person.pk
        )
    return person


@dataclass(frozen=True)
class PersonSearch:
    name: str = ""
    date_of_birth: date | None = None
    address: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.address.strip())


def _name_filter(people: QuerySet[Person], actor: Actor, name: str) -> QuerySet[Person]:
    """Every word of the query must sound like one of the person's names, in any order."""
    keys = query_keys(name)
    if not keys:
        return people.none()
    if connection.vendor == "postgresql":
        # Full-text over the phonetic tokens (person_search_keys_fts index).
        sounds_like = people.filter(
            pk__in=RawSQL(
                "SELECT id FROM people_person WHERE force_id = %s AND "
                "to_tsvector('simple', search_keys) @@ to_tsquery('simple', %s)",
                [actor.force_id, " & ".join(keys)],
            )
        )
        if sounds_like.exists():
            return sounds_like
        # Nothing sounds alike: perhaps a typing slip that changes the sound ('Smtih'), so
        # trigram similarity on the full name (person_full_name_trgm index). Only then, since
        # a common name matches a great many people by trigrams.
        return people.filter(
            pk__in=RawSQL(
                "SELECT id FROM people_person WHERE force_id = %s AND "
                "(given_names || ' ' || family_name) %% %s",
                [actor.force_id, name.strip()],
            )
        )
    for key in keys:
        people = people.filter(search_keys__contains=f" {key} ")
    return people


def _address_filter(people: QuerySet[Person], actor: Actor, address: str) -> QuerySet[Person]:
    """A postcode, a first line, or both: matched against every address a person has had."""
    words = name_tokens(address)
    compact = postcode_key(address)
    ids = Address.objects.filter(force_id=actor.force_id)
    if UK_POSTCODE.fullmatch(compact):
        ids = ids.filter(match_key__endswith=f"|{compact}")
    else:
        for word in words:
            ids = ids.filter(match_key__contains=word)
    return people.filter(pk__in=ids.values("person_id"))


def person_search(*, actor: Actor, search: PersonSearch, limit: int = SEARCH_LIMIT) -> list[Person]:
    """People matching every given criterion, closest name first; the search is audited."""
    if search.is_empty:
        raise DomainError("invalid", SEARCH_NEEDS_INPUT, {"name": SEARCH_NEEDS_INPUT})
    people = people_visible_to(actor).filter(merged_into__isnull=True)
    if search.name.strip():
        people = _name_filter(people, actor, search.name)
    if search.date_of_birth:
        people = people.filter(date_of_birth=search.date_of_birth)
    if search.address.strip():
        people = _address_filter(people, actor, search.address)
    found = list(people.order_by("family_name", "given_names", "pk")[: limit * 4])
    if search.name.strip():
        found.sort(key=lambda p: -name_similarity(search.name, p.full_name))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id="search",
        reason_code="search",
    )
    return found[:limit]


@dataclass(frozen=True)
class PossibleDuplicate:
    person: Person
    match: Match


def person_duplicates(
    *,
    actor: Actor,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    address_line1: str = "",
    postcode: str = "",
    limit: int = 10,
) -> list[PossibleDuplicate]:
    """Likely existing records for someone about to be recorded: similar name and date of
    birth, or the same address. Shown before a new record is created."""
    people = people_visible_to(actor).filter(merged_into__isnull=True)
    key = address_key(address_line1, postcode) if postcode.strip() else ""
    pools: list[QuerySet[Person]] = []
    if date_of_birth:
        pools.append(people.filter(date_of_birth=date_of_birth))
    family_keys = query_keys(family_name)
    if family_keys:
        pools.append(_name_filter(people, actor, family_name))
    if key:
        pools.append(people.filter(addresses__match_key=key))
    new = Candidate(given_names, family_name, date_of_birth, frozenset({key} - {""}))
    seen: dict[int, PossibleDuplicate] = {}
    for pool in pools:
        for person in pool.prefetch_related("addresses", "aliases")[:500]:
            if person.pk in seen:
                continue
            addresses = frozenset(a.match_key for a in person.addresses.all())
            # Their recorded name or any other name they are known by.
            names = [(person.given_names, person.family_name)] + [
                (alias.given_names, alias.family_name) for alias in person.aliases.all()
            ]
            matches = [
                match
                for given, family in names
                if (
                    match := duplicate_match(
                        new, Candidate(given, family, person.date_of_birth, addresses)
                    )
                )
                is not None
            ]
            if matches:
                seen[person.pk] = PossibleDuplicate(person, max(matches, key=lambda m: m.score))
    found = sorted(seen.values(), key=lambda d: -d.match.score)[:limit]
    if found:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="person",
            object_id="duplicate_check",
            reason_code="duplicate_check",
        )
    return found


def person_relationships(*, person: Person) -> list[tuple[str, Person]]:
    """Both directions of a person's relationships, already opened with person_get."""
    rows = [(r.get_kind_display(), r.other) for r in person.relationships.select_related("other")]
    reverse = {
        "parent_carer": "Child of (cared for by)",
        "sibling": "Sibling of",
        "household": "Household member with",
        "associate": "Associate of",
    }
    rows += [(reverse[r.kind], r.person) for r in person.related_by.select_related("person")]
    return rows


def person_case_roles(*, actor: Actor, person: Person) -> list[tuple[int, str, str, str]]:
    """(case id, reference, status, role) of the cases this person is in that the actor may see.

    Read through the reverse relation so people does not import the cases app; the case rows
    are scoped again by the cases app when opened."""
    if not actor.can(Permission.CASE_VIEW):
        return []
    # The reverse relation cases adds to Person, named by string: people imports no cases code.
    involvements: Manager[Any] = getattr(person, "involvements")  # noqa: B009
    rows = involvements.select_related("case").order_by("-case__received_at")
    visible = []
    for row in rows[:100]:
        case = row.case
        if scope_reaches(
            actor=actor,
            permission=Permission.CASE_VIEW,
            force_id=case.force_id,
            unit_ids=frozenset({case.unit_id}),
            owner_id=case.owner_id,
        ):
            visible.append(
                (case.pk, case.reference, case.get_status_display(), row.get_role_display())
            )
    return visible
