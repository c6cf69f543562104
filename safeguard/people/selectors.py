"""Every read of people: scoped to the actor's force, audited, excluding merged-away records."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Manager, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.scoping import scope_queryset, scope_reaches
from safeguard.people.models import Address, Person, Relationship
from safeguard.people.rules.matching import (
    Candidate,
    Match,
    address_key,
    duplicate_match,
    name_similarity,
    name_tokens,
    postcode_key,
    query_key_groups,
    query_keys,
    swapped_dob,
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


def _name_filter(
    people: QuerySet[Person], actor: Actor, name: str, *, spelt_like: bool = True
) -> QuerySet[Person]:
    """Every word of the query must sound like one of the person's names, or be a nickname or
    short form of one (rules.matching.query_key_groups), in any order."""
    groups = query_key_groups(name)
    if not groups:
        return people.none()
    if connection.vendor == "postgresql":
        # Full-text over the name keys (person_search_keys_fts index): (BN | BNJMN) & (SM0).
        tsquery = " & ".join("(" + " | ".join(group) + ")" for group in groups)
        sounds_like = people.filter(
            pk__in=RawSQL(
                "SELECT id FROM people_person WHERE force_id = %s AND "
                "to_tsvector('simple', search_keys) @@ to_tsquery('simple', %s)",
                [actor.force_id, tsquery],
            )
        )
        if not spelt_like or sounds_like.exists():
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
    for group in groups:
        any_key = Q()
        for key in group:
            any_key |= Q(search_keys__contains=f" {key} ")
        people = people.filter(any_key)
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
    words = name_tokens(search.name)
    if words:
        # An exact surname first (docs/finding.md 3), then the closest name.
        exact = Q()
        for word in words:
            exact |= Q(family_name__iexact=word)
        people = people.annotate(
            surname_rank=Case(
                When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("surname_rank", "family_name", "given_names", "pk")
    else:
        people = people.order_by("family_name", "given_names", "pk")
    found = list(people[: limit * 4])
    if words:
        found.sort(
            key=lambda p: (_surname_rank(words, p), -name_similarity(search.name, p.full_name))
        )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id="search",
        reason_code="search",
    )
    return found[:limit]


def _surname_rank(words: list[str], person: Person) -> int:
    """0 when the person's surname is a word of the query exactly (accents and case aside)."""
    surname = name_tokens(person.family_name)
    return 0 if surname and set(surname) <= set(words) else 1


@dataclass(frozen=True)
class PossibleDuplicate:
    person: Person
    match: Match
    summary: "PersonSummary | None" = None


def person_duplicates(
    *,
    actor: Actor,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    address_line1: str = "",
    postcode: str = "",
    limit: int = 10,
    now: datetime | None = None,
) -> list[PossibleDuplicate]:
    """Likely existing records for someone about to be recorded: similar name and date of
    birth, or the same address. Shown before a new record is created."""
    people = people_visible_to(actor).filter(merged_into__isnull=True)
    key = address_key(address_line1, postcode) if postcode.strip() else ""
    pools: list[QuerySet[Person]] = []
    if date_of_birth:
        # The same date of birth, or with day and month swapped (person_force_dob index).
        dobs = [date_of_birth] + [d for d in [swapped_dob(date_of_birth)] if d]
        pools.append(people.filter(date_of_birth__in=dobs))
    if query_keys(family_name):
        # The same name where a date of birth is missing on one side (with both known, the
        # date of birth pool above already holds every match).
        named = _name_filter(people, actor, f"{given_names} {family_name}", spelt_like=False)
        pools.append(named if date_of_birth is None else named.filter(date_of_birth__isnull=True))
    if key:
        # A shared current address (address_force_key index).
        pools.append(
            people.filter(
                pk__in=Address.objects.filter(
                    force_id=actor.force_id, match_key=key, lived_to__isnull=True
                ).values("person_id")
            )
        )
    new = Candidate(given_names, family_name, date_of_birth, frozenset({key} - {""}))
    seen: dict[int, PossibleDuplicate] = {}
    for pool in pools:
        for person in pool.prefetch_related("addresses", "aliases")[:500]:
            if person.pk in seen:
                continue
            addresses = frozenset(a.match_key for a in person.addresses.all() if a.lived_to is None)
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
    summaries = person_summaries(
        actor=actor, people=[d.person for d in found], now=now or timezone.now(), detail=True
    )
    found = [PossibleDuplicate(d.person, d.match, summaries[d.person.pk]) for d in found]
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


# ---------------------------------------------------------------------------------------------
# What a search result and a duplicate candidate show: age, current address, school, warning
# markers; for a candidate also the parents or carers and the open cases. School names, open
# cases and most markers belong to higher contexts, which register a source of them at start-up
# (their AppConfig.ready): people imports none of them (docs/architecture.md).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    code: str
    label: str


@dataclass(frozen=True)
class CaseLine:
    case_id: int
    label: str


@dataclass(frozen=True)
class PersonSummary:
    age: int | None
    address: str
    school: str
    markers: tuple[Marker, ...] = ()
    carers: tuple[Person, ...] = ()
    open_cases: tuple[CaseLine, ...] = field(default_factory=tuple)


# (people, now) -> {person id: markers}
MarkerSource = Callable[[Sequence[Person], datetime], dict[int, list[Marker]]]
# (URNs) -> {URN: school name}
SchoolNames = Callable[[set[str]], dict[str, str]]
# (actor, person ids) -> {person id: the open cases the actor may see}
OpenCases = Callable[[Actor, Sequence[int]], dict[int, list[CaseLine]]]

_MARKER_SOURCES: dict[str, MarkerSource] = {}
_SCHOOL_NAMES: dict[str, SchoolNames] = {}
_OPEN_CASES: dict[str, OpenCases] = {}


def marker_source_register(name: str, source: MarkerSource) -> None:
    """A higher context's warning markers (missing: the count in 90 days; cases: an open
    exploitation case). By name, so registering twice keeps one."""
    _MARKER_SOURCES[name] = source


def school_names_register(name: str, source: SchoolNames) -> None:
    _SCHOOL_NAMES[name] = source


def open_cases_register(name: str, source: OpenCases) -> None:
    _OPEN_CASES[name] = source


def _own_markers(people: Sequence[Person], now: datetime) -> dict[int, list[Marker]]:
    """The statuses recorded on the person (from children's social care)."""
    found: dict[int, list[Marker]] = {}
    for person in people:
        if person.on_protection_plan:
            found.setdefault(person.pk, []).append(Marker("cp_plan", "Child protection plan"))
        if person.looked_after:
            found.setdefault(person.pk, []).append(Marker("looked_after", "Looked after"))
    return found


def person_markers(*, people: Sequence[Person], now: datetime) -> dict[int, list[Marker]]:
    """Every warning marker of these people, recorded or from a registered source."""
    markers: dict[int, list[Marker]] = {person.pk: [] for person in people}
    for source in [_own_markers, *_MARKER_SOURCES.values()]:
        for person_id, found in source(people, now).items():
            markers.setdefault(person_id, []).extend(found)
    return markers


def person_summaries(
    *, actor: Actor, people: Sequence[Person], now: datetime, detail: bool = False
) -> dict[int, PersonSummary]:
    """Summaries of people already read through a selector (a search, the duplicate check):
    a fixed number of queries however many people."""
    if not people:
        return {}
    today = london_date(now)
    ids = [person.pk for person in people]
    addresses: dict[int, str] = {}
    for address in Address.objects.filter(person_id__in=ids, lived_to__isnull=True).order_by(
        "person_id", "-lived_from", "-id"
    ):
        addresses.setdefault(address.person_id, str(address))
    urns = {person.school_urn for person in people if person.school_urn}
    schools: dict[str, str] = {}
    for school_source in _SCHOOL_NAMES.values():
        schools |= school_source(urns) if urns else {}
    markers = person_markers(people=people, now=now)
    carers: dict[int, list[Person]] = {}
    open_cases: dict[int, list[CaseLine]] = {}
    if detail:
        for relationship in Relationship.objects.filter(
            other_id__in=ids, kind=Relationship.Kind.PARENT_CARER
        ).select_related("person"):
            carers.setdefault(relationship.other_id, []).append(relationship.person)
        for cases_source in _OPEN_CASES.values():
            for person_id, lines in cases_source(actor, ids).items():
                open_cases.setdefault(person_id, []).extend(lines)
    return {
        person.pk: PersonSummary(
            age=person.age(today),
            address=addresses.get(person.pk, ""),
            school=schools.get(person.school_urn, person.school_urn),
            markers=tuple(markers.get(person.pk, ())),
            carers=tuple(carers.get(person.pk, ())),
            open_cases=tuple(open_cases.get(person.pk, ())),
        )
        for person in people
    }
