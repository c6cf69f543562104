"""People services and selectors against the database: recording after the duplicate check,
changes with versions, addresses, merge, search and the child's chronology."""

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Involvement
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.selectors import child_chronology
from safeguard.cases.services import note_add, person_merge_with_cases, voice_record
from safeguard.cases.tests.builders import (
    CHILD_DOB,
    NOW,
    RECEIVED,
    a_case,
    a_person,
    audit_count,
    counts,
    make_cast,
)
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.people.rules.ages import DOB_IN_FUTURE
from safeguard.people.rules.matching import search_keys
from safeguard.people.selectors import PersonSearch, person_get, person_search
from safeguard.people.services import (
    AddressInput,
    PersonInput,
    PossibleDuplicates,
    person_add_address,
    person_add_alias,
    person_create,
    person_merge,
    person_relate,
    person_update,
)

pytestmark = pytest.mark.django_db

HOME = AddressInput(line1="12 Acacia Avenue", postcode="LS6 2AB", town="Leeds")
PEOPLE_TABLES = (Person, Address, Alias, Relationship)


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def officer(cast):
    return cast.actor(cast.officer)


@pytest.fixture
def foreign(cast):
    return cast.actor(cast.foreign_supervisor)


# --- recording a person ----------------------------------------------------------------------


def test_recording_a_person_is_audited_and_on_their_chronology(officer):
    person = a_person(officer, "Zoë", "O'Brien", address=HOME)
    assert person.force_id == officer.force_id
    assert person.created_by_id == officer.user_id
    assert person.search_keys == " OBRN QOBR S "
    assert person.addresses.get().match_key == "12 acacia avenue|LS62AB"
    entry = AuditEntry.objects.get(object_type="person", object_id=str(person.pk))
    assert (entry.action, entry.actor_user_id) == ("create", officer.user_id)
    event = TimelineEvent.objects.get(person_id=person.pk)
    assert (event.kind, event.at) == ("person.recorded", NOW)


def test_a_likely_duplicate_is_offered_before_a_new_record(officer):
    existing = a_person(officer, "John", "Smith", CHILD_DOB)
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(PossibleDuplicates) as refused:
        person_create(
            actor=officer, data=PersonInput("Jon", "Smyth", CHILD_DOB), confirm_new=False, now=NOW
        )
    error = refused.value
    assert error.code == "possible_duplicates"
    assert [c["id"] for c in error.fields["candidates"]] == [existing.pk]
    assert error.fields["candidates"][0]["reasons"] == ["similar name and the same date of birth"]
    assert [d.person.pk for d in error.candidates] == [existing.pk]
    after = counts(*PEOPLE_TABLES)
    assert after["Person"] == before["Person"]
    # Looking at possible duplicates is a consultation of personal data: that, and only that,
    # is written.
    assert after["AuditEntry"] == before["AuditEntry"] + 1
    assert AuditEntry.objects.last().object_id == "duplicate_check"

    confirmed = person_create(
        actor=officer, data=PersonInput("Jon", "Smyth", CHILD_DOB), confirm_new=True, now=NOW
    )
    assert confirmed.pk != existing.pk
    assert Person.objects.count() == before["Person"] + 1


def test_names_in_the_other_order_are_a_likely_duplicate(officer):
    existing = a_person(officer, "Amelia", "Hughes", CHILD_DOB)
    with pytest.raises(PossibleDuplicates) as refused:
        person_create(actor=officer, data=PersonInput("Hughes", "Amelia", CHILD_DOB), now=NOW)
    assert [c["id"] for c in refused.value.fields["candidates"]] == [existing.pk]


def test_the_same_address_is_a_possible_duplicate_but_the_neighbours_are_not(officer):
    mother = a_person(officer, "Kerry", "Walsh", date(1990, 1, 5), address=HOME)
    typed_differently = AddressInput(line1="12, ACACIA AVENUE", postcode="ls62ab")
    with pytest.raises(PossibleDuplicates) as refused:
        person_create(
            actor=officer,
            data=PersonInput("Tyler", "Reed", date(2014, 6, 1), address=typed_differently),
            now=NOW,
        )
    assert [c["id"] for c in refused.value.fields["candidates"]] == [mother.pk]
    assert refused.value.fields["candidates"][0]["reasons"] == ["the same address"]

    next_door = AddressInput(line1="14 Acacia Avenue", postcode="LS6 2AB")
    neighbour = person_create(
        actor=officer,
        data=PersonInput("Tyler", "Reed", date(2014, 6, 1), address=next_door),
        now=NOW,
    )
    assert neighbour.pk


def test_a_different_dob_is_not_a_duplicate(officer):
    a_person(officer, "John", "Smith", CHILD_DOB)
    person = person_create(
        actor=officer, data=PersonInput("John", "Smith", date(2016, 4, 1)), now=NOW
    )
    assert Person.objects.filter(family_name="Smith").count() == 2
    assert person.date_of_birth == date(2016, 4, 1)


def test_another_forces_person_is_never_offered_as_a_duplicate(officer, foreign):
    a_person(foreign, "John", "Smith", CHILD_DOB, address=HOME)
    person = person_create(
        actor=officer, data=PersonInput("John", "Smith", CHILD_DOB, address=HOME), now=NOW
    )
    assert person.force_id == officer.force_id


def test_a_merged_record_is_not_offered_as_a_duplicate(officer):
    keep = a_person(officer, "John", "Smith", CHILD_DOB)
    gone = a_person(officer, "Jon", "Smith", CHILD_DOB)
    person_merge(
        actor=officer, keep_id=keep.pk, merge_id=gone.pk, keep_version=1, merge_version=1, now=NOW
    )
    with pytest.raises(PossibleDuplicates) as refused:
        person_create(actor=officer, data=PersonInput("John", "Smyth", CHILD_DOB), now=NOW)
    assert [c["id"] for c in refused.value.fields["candidates"]] == [keep.pk]


@pytest.mark.parametrize("confirm_new", [False, True])
def test_a_dob_in_the_future_is_refused_and_nothing_is_saved(officer, confirm_new):
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(DomainError) as refused:
        person_create(
            actor=officer,
            data=PersonInput("Baby", "Hughes", NOW.date() + timedelta(days=1), address=HOME),
            confirm_new=confirm_new,
            now=NOW,
        )
    assert refused.value.code == "invalid"
    assert refused.value.fields == {"date_of_birth": DOB_IN_FUTURE}
    assert counts(*PEOPLE_TABLES) == before


def test_every_problem_with_a_person_is_reported_together(officer):
    with pytest.raises(DomainError) as refused:
        person_create(
            actor=officer,
            data=PersonInput(
                " ",
                "",
                date(1899, 12, 31),
                estimated_age=7,
                gender="robot",
                address=AddressInput(line1="", postcode=""),
            ),
            confirm_new=True,
            now=NOW,
        )
    assert set(refused.value.fields) == {
        "given_names",
        "family_name",
        "date_of_birth",
        "estimated_age",
        "gender",
        "line1",
        "postcode",
    }


def test_an_estimated_age_is_recorded_with_the_day_it_was_estimated(officer):
    person = person_create(
        actor=officer,
        data=PersonInput("Unknown", "Boy", estimated_age=9),
        confirm_new=True,
        now=NOW,
    )
    assert (person.estimated_age, person.estimated_on) == (9, NOW.date())
    assert person.age(NOW.date().replace(year=2028)) == 11


def test_an_auditor_cannot_record_a_person(cast):
    auditor = cast.actor(cast.admin)
    with pytest.raises(PermissionDenied):
        person_create(actor=auditor, data=PersonInput("A", "B"), confirm_new=True, now=NOW)


# --- changing a person -----------------------------------------------------------------------


def test_a_change_bumps_the_version_and_is_audited(officer):
    person = a_person(officer, "Jon", "Smith")
    changed = person_update(
        actor=officer,
        person_id=person.pk,
        version=person.version,
        changes={"given_names": "Jonathan", "ethnicity": "White British"},
        now=NOW,
    )
    assert changed.version == person.version + 1
    assert (changed.given_names, changed.ethnicity) == ("Jonathan", "White British")
    assert changed.search_keys == search_keys("Jonathan", "Smith")
    assert " JN0N " in changed.search_keys and " SM0 " in changed.search_keys
    entry = AuditEntry.objects.filter(object_type="person", object_id=str(person.pk)).last()
    assert (entry.action, entry.changed_fields) == ("update", ["ethnicity", "given_names"])
    assert TimelineEvent.objects.filter(person_id=person.pk, kind="person.changed").count() == 1


def test_a_stale_change_is_a_conflict_and_changes_nothing(officer, cast):
    person = a_person(officer, "Jon", "Smith")
    read_version = person.version
    person_update(
        actor=officer,
        person_id=person.pk,
        version=read_version,
        changes={"given_names": "John"},
        now=NOW,
    )
    before = counts(*PEOPLE_TABLES)
    colleague = cast.actor(cast.officer_2)
    with pytest.raises(Conflict) as refused:
        person_update(
            actor=colleague,
            person_id=person.pk,
            version=read_version,
            changes={"given_names": "Johnny", "school_urn": "100000"},
            now=NOW,
        )
    assert refused.value.code == "conflict"
    assert refused.value.fields == {"current_version": read_version + 1}
    person.refresh_from_db()
    assert (person.given_names, person.school_urn, person.version) == ("John", "", read_version + 1)
    assert counts(*PEOPLE_TABLES) == before


def test_a_change_to_a_future_dob_is_refused_and_nothing_changes(officer):
    person = a_person(officer)
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(DomainError) as refused:
        person_update(
            actor=officer,
            person_id=person.pk,
            version=person.version,
            changes={"date_of_birth": NOW.date() + timedelta(days=30)},
            now=NOW,
        )
    assert refused.value.fields == {"date_of_birth": DOB_IN_FUTURE}
    person.refresh_from_db()
    assert (person.date_of_birth, person.version) == (CHILD_DOB, 1)
    assert counts(*PEOPLE_TABLES) == before


def test_fields_outside_the_form_cannot_be_changed(officer):
    person = a_person(officer)
    with pytest.raises(DomainError) as refused:
        person_update(
            actor=officer,
            person_id=person.pk,
            version=person.version,
            changes={"force_id": 99, "merged_into_id": person.pk},
            now=NOW,
        )
    assert "force_id" in refused.value.message


def test_an_estimated_age_of_zero_is_dated_like_any_other(officer):
    """A baby estimated at 0 (under one) still grows older: the estimate keeps its date."""
    person = person_create(
        actor=officer, data=PersonInput("Unknown", "Baby"), confirm_new=True, now=NOW
    )
    changed = person_update(
        actor=officer,
        person_id=person.pk,
        version=person.version,
        changes={"estimated_age": 0},
        now=NOW,
    )
    assert (changed.estimated_age, changed.estimated_on) == (0, NOW.date())
    assert changed.age(NOW.date().replace(year=2028)) == 2
    cleared = person_update(
        actor=officer,
        person_id=person.pk,
        version=changed.version,
        changes={"estimated_age": None, "date_of_birth": date(2025, 12, 1)},
        now=NOW,
    )
    assert (cleared.estimated_age, cleared.estimated_on) == (None, None)


def test_another_forces_person_is_not_found(officer, foreign):
    theirs = a_person(foreign, "Kai", "Morgan")
    with pytest.raises(NotFound):
        person_get(actor=officer, person_id=theirs.pk)
    with pytest.raises(NotFound):
        person_update(
            actor=officer, person_id=theirs.pk, version=1, changes={"given_names": "X"}, now=NOW
        )


# --- addresses, aliases, relationships -------------------------------------------------------


def test_a_new_address_ends_the_previous_one(officer):
    person = a_person(
        officer, address=AddressInput("1 Old Road", "LS1 1AA", lived_from=date(2020, 1, 1))
    )
    person_add_address(
        actor=officer,
        person_id=person.pk,
        address=AddressInput("2 New Road", "LS2 2BB", lived_from=date(2025, 6, 1)),
        now=NOW,
    )
    old, new = person.addresses.order_by("lived_from")
    assert (old.lived_from, old.lived_to) == (date(2020, 1, 1), date(2025, 6, 1))
    assert (new.postcode, new.lived_to) == ("LS2 2BB", None)
    assert audit_count("person", person.pk) == 2
    assert TimelineEvent.objects.filter(person_id=person.pk, kind="person.address").count() == 1


def test_moving_in_before_the_current_address_began_is_refused(officer):
    person = a_person(
        officer, address=AddressInput("1 Old Road", "LS1 1AA", lived_from=date(2020, 1, 1))
    )
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(DomainError) as refused:
        person_add_address(
            actor=officer,
            person_id=person.pk,
            address=AddressInput("2 New Road", "LS2 2BB", lived_from=date(2019, 1, 1)),
            now=NOW,
        )
    assert "lived_from" in refused.value.fields
    assert counts(*PEOPLE_TABLES) == before
    assert person.addresses.get().lived_to is None


def test_an_alias_makes_the_person_findable_by_it(officer):
    person = a_person(officer, "Amelia", "Hughes")
    person_add_alias(
        actor=officer, person_id=person.pk, given_names="Millie", family_name="Price", now=NOW
    )
    found = person_search(actor=officer, search=PersonSearch(name="Millie Price"))
    assert [p.pk for p in found] == [person.pk]
    assert audit_count("person", person.pk) == 2
    assert TimelineEvent.objects.filter(person_id=person.pk, kind="person.alias").count() == 1


def test_a_person_cannot_be_related_to_themselves(officer):
    person = a_person(officer)
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(DomainError):
        person_relate(
            actor=officer, person_id=person.pk, other_id=person.pk, kind="sibling", now=NOW
        )
    assert counts(*PEOPLE_TABLES) == before


def test_a_relationship_is_recorded_once(officer):
    mother = a_person(officer, "Kerry", "Hughes", date(1990, 1, 5))
    child = a_person(officer)
    for _ in range(2):
        person_relate(
            actor=officer, person_id=mother.pk, other_id=child.pk, kind="parent_carer", now=NOW
        )
    assert Relationship.objects.filter(person=mother, other=child).count() == 1
    assert audit_count("person", mother.pk) == 2  # created, then related once
    assert (
        TimelineEvent.objects.filter(person_id=mother.pk, kind="person.relationship").count() == 1
    )


# --- merge -----------------------------------------------------------------------------------


def test_merge_keeps_both_records_and_moves_the_history(cast, officer, unit):
    keep = a_person(officer, "Amelia", "Hughes", CHILD_DOB)
    gone = a_person(
        officer, "Millie", "Hughes-Price", None, address=AddressInput("3 Mill Lane", "LS7 3CD")
    )
    carer = a_person(officer, "Kerry", "Hughes", date(1990, 1, 5))
    person_relate(actor=officer, person_id=carer.pk, other_id=gone.pk, kind="parent_carer", now=NOW)
    case = a_case(officer, unit, gone)
    voice_record(
        actor=officer,
        case_id=case.pk,
        child_id=gone.pk,
        voice=VoiceInput(False, None, False, False, "", "", "Not at the address"),
        now=NOW,
    )

    # The merge page and API: people merges the records, cases moves the case records.
    kept = person_merge_with_cases(
        actor=officer,
        keep_id=keep.pk,
        merge_id=gone.pk,
        keep_version=keep.version,
        merge_version=gone.version,
        now=NOW + timedelta(hours=1),
    )

    gone.refresh_from_db()
    assert Person.objects.filter(pk__in=[keep.pk, gone.pk]).count() == 2
    assert gone.merged_into_id == keep.pk
    assert (kept.version, gone.version) == (keep.version + 1, 2)
    assert [a.line1 for a in kept.addresses.all()] == ["3 Mill Lane"]
    assert list(Involvement.objects.filter(case=case).values_list("person_id", flat=True)) == [
        keep.pk
    ]
    assert case.voices.get().child_id == keep.pk
    assert Relationship.objects.get(person=carer).other_id == keep.pk
    assert [(a.given_names, a.family_name) for a in kept.aliases.all()] == [
        ("Millie", "Hughes-Price")
    ]
    assert kept.date_of_birth == CHILD_DOB

    merges = AuditEntry.objects.filter(action="merge", object_type="person")
    assert {(e.object_id, e.reason_code, tuple(e.changed_fields)) for e in merges} == {
        (str(keep.pk), "kept", (f"person:{gone.pk}",)),
        (str(gone.pk), "merged_away", (f"person:{keep.pk}",)),
    }
    # Both audit trails remain under their own ids.
    assert audit_count("person", gone.pk) >= 2

    chronology = child_chronology(actor=officer, person_id=keep.pk)
    kinds = [e.kind for e in chronology.page.items]
    assert set(kinds[:2]) == {"person.merged", "case.person_merged"}
    titles = {(e.person_id, e.case_id, e.kind) for e in chronology.page.items}
    assert (gone.pk, None, "person.recorded") in titles  # the merged record's own events
    assert (keep.pk, None, "person.recorded") in titles
    assert (None, case.pk, "case.received") in titles  # the merged record's case
    # The merged record's voice event is about the child: on the kept record's chronology.
    assert (gone.pk, case.pk, "case.voice") in titles
    assert (keep.pk, case.pk, "case.person_merged") in titles
    assert chronology.references == {case.pk: case.reference}

    # The kept record is found by the merged record's name; the merged record no longer is.
    found = person_search(actor=officer, search=PersonSearch(name="Millie Hughes-Price"))
    assert [p.pk for p in found] == [keep.pk]


def test_a_merged_record_stays_readable_and_points_at_the_kept_one(officer):
    keep, gone = a_person(officer, "Amelia", "Hughes"), a_person(officer, "Amelia", "Hughs")
    person_merge(
        actor=officer, keep_id=keep.pk, merge_id=gone.pk, keep_version=1, merge_version=1, now=NOW
    )
    assert person_get(actor=officer, person_id=gone.pk).merged_into_id == keep.pk


def test_a_chain_of_merges_keeps_every_history_on_the_kept_record(officer):
    first = a_person(officer, "Amelia", "Hughes")
    second = a_person(officer, "Amelia", "Hughs")
    third = a_person(officer, "Emilia", "Hughes")
    person_merge(
        actor=officer,
        keep_id=second.pk,
        merge_id=third.pk,
        keep_version=1,
        merge_version=1,
        now=NOW,
    )
    second.refresh_from_db()
    person_merge(
        actor=officer,
        keep_id=first.pk,
        merge_id=second.pk,
        keep_version=1,
        merge_version=second.version,
        now=NOW,
    )
    events = child_chronology(actor=officer, person_id=first.pk).page.items
    recorded = {e.person_id for e in events if e.kind == "person.recorded"}
    assert recorded == {first.pk, second.pk, third.pk}
    third.refresh_from_db()
    assert third.merged_into_id == first.pk


def test_a_stale_merge_is_a_conflict_and_moves_nothing(officer):
    keep = a_person(officer, "Amelia", "Hughes")
    gone = a_person(officer, "Millie", "Hughes", address=HOME)
    before = counts(*PEOPLE_TABLES)
    with pytest.raises(Conflict):
        person_merge(
            actor=officer,
            keep_id=keep.pk,
            merge_id=gone.pk,
            keep_version=1,
            merge_version=7,
            now=NOW,
        )
    gone.refresh_from_db()
    assert gone.merged_into_id is None
    assert gone.addresses.count() == 1
    assert counts(*PEOPLE_TABLES) == before


def test_merging_a_record_into_itself_or_twice_is_refused(officer):
    keep, gone = a_person(officer, "Amelia", "Hughes"), a_person(officer, "Amelia", "Hughs")
    with pytest.raises(DomainError) as refused:
        person_merge(
            actor=officer,
            keep_id=keep.pk,
            merge_id=keep.pk,
            keep_version=1,
            merge_version=1,
            now=NOW,
        )
    assert "merge_id" in refused.value.fields
    person_merge(
        actor=officer, keep_id=keep.pk, merge_id=gone.pk, keep_version=1, merge_version=1, now=NOW
    )
    with pytest.raises(DomainError) as refused:
        person_merge(
            actor=officer,
            keep_id=keep.pk,
            merge_id=gone.pk,
            keep_version=2,
            merge_version=2,
            now=NOW,
        )
    assert refused.value.code == "merged"


def test_another_forces_record_cannot_be_merged(officer, foreign):
    keep = a_person(officer, "Amelia", "Hughes")
    theirs = a_person(foreign, "Amelia", "Hughes")
    with pytest.raises(NotFound):
        person_merge(
            actor=officer,
            keep_id=keep.pk,
            merge_id=theirs.pk,
            keep_version=1,
            merge_version=1,
            now=NOW,
        )
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def index(officer, foreign):
    """A small nominal index in the home force, and a namesake in the neighbouring force."""
    people = {
        "john": a_person(officer, "John", "Smith", date(2012, 5, 1), address=HOME),
        "zoe": a_person(officer, "Zoë", "O'Brien", date(2013, 7, 9)),
        "mary": a_person(officer, "Mary Ann", "Jones", date(2011, 2, 3)),
        "jane": a_person(officer, "Jane", "Smith", date(2012, 5, 1)),
        "foreign_john": a_person(foreign, "John", "Smith", date(2012, 5, 1), address=HOME),
    }
    return people


def found(actor, **criteria):
    return [p.pk for p in person_search(actor=actor, search=PersonSearch(**criteria))]


@pytest.mark.parametrize(
    "query", ["John Smith", "Jon Smyth", "smith john", "Jonn", "SMYTH, Jon", "  john   smith "]
)
def test_search_is_tolerant_of_spelling_and_order(officer, index, query):
    results = found(officer, name=query)
    assert index["john"].pk in results
    assert index["foreign_john"].pk not in results
    assert index["mary"].pk not in results


def test_search_ranks_the_closest_name_first(officer, index):
    assert found(officer, name="Smith")[:2] in (
        [index["john"].pk, index["jane"].pk],
        [index["jane"].pk, index["john"].pk],
    )
    # 'Jane' sounds like 'John' (both JN), so she is found too, but after him.
    assert found(officer, name="John Smith") == [index["john"].pk, index["jane"].pk]
    assert found(officer, name="Mary Jones") == [index["mary"].pk]


def test_search_is_tolerant_of_accents(officer, index):
    assert found(officer, name="Zoe OBrien") == [index["zoe"].pk]
    assert found(officer, name="zoë o'brien") == [index["zoe"].pk]


def test_search_by_dob_and_by_address(officer, index):
    assert set(found(officer, date_of_birth=date(2012, 5, 1))) == {
        index["john"].pk,
        index["jane"].pk,
    }
    assert found(officer, name="Smith", date_of_birth=date(2012, 5, 1), address="ls62ab") == [
        index["john"].pk
    ]
    assert found(officer, address="LS6 2AB") == [index["john"].pk]
    assert found(officer, address="acacia avenue") == [index["john"].pk]
    assert found(officer, address="Nowhere Street") == []


def test_search_never_finds_another_forces_people(foreign, officer, index):
    assert found(foreign, name="John Smith") == [index["foreign_john"].pk]
    assert found(foreign, date_of_birth=date(2012, 5, 1)) == [index["foreign_john"].pk]
    assert found(foreign, address="LS6 2AB") == [index["foreign_john"].pk]
    assert found(foreign, name="Mary Jones") == []


def test_search_needs_something_to_search_for_and_is_audited(officer, index):
    with pytest.raises(DomainError) as refused:
        person_search(actor=officer, search=PersonSearch(name="  "))
    assert refused.value.code == "invalid"
    before = AuditEntry.objects.count()
    found(officer, name="Jones")
    entry = AuditEntry.objects.last()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.object_id, entry.reason_code) == ("view", "search", "search")


def test_a_name_with_no_letters_finds_nobody(officer, index):
    assert found(officer, name="12345") == []


def test_an_analyst_cannot_search_people(make_user):
    analyst = actor_for(make_user("analyst"))
    with pytest.raises(PermissionDenied):
        person_search(actor=analyst, search=PersonSearch(name="Smith"))


def test_chronology_of_a_child_spans_their_cases_newest_first(cast, officer, unit):
    child = a_person(officer)
    first = a_case(officer, unit, child, received_at=RECEIVED - timedelta(days=30))
    second = a_case(officer, unit, child, case_type="missing", now=NOW + timedelta(days=1))
    note_add(actor=officer, case_id=first.pk, text="Home visit", now=NOW + timedelta(days=2))
    items = child_chronology(actor=officer, person_id=child.pk).page.items
    # Each event is stamped with when it happened: a referral at the time it was received,
    # which is before the child was recorded here (NOW).
    assert [(e.case_id, e.kind) for e in items] == [
        (first.pk, "case.note"),
        (None, "person.recorded"),
        (second.pk, "case.received"),
        (first.pk, "case.received"),
    ]
    # A colleague who owns neither case sees the child's own events only.
    colleague = child_chronology(actor=cast.actor(cast.officer_2), person_id=child.pk)
    assert [e.kind for e in colleague.page.items] == ["person.recorded"]


def test_a_merge_that_brings_a_dob_replaces_the_estimated_age(officer):
    """The kept record had only an estimate; the merged one knew the date of birth. The kept
    record must stay editable: a DOB and an estimate together are refused by every edit."""
    keep = person_create(
        actor=officer,
        data=PersonInput("Amelia", "Hughes", estimated_age=10),
        confirm_new=True,
        now=NOW,
    )
    gone = a_person(officer, "Amelia", "Hughs", CHILD_DOB)
    kept = person_merge(
        actor=officer, keep_id=keep.pk, merge_id=gone.pk, keep_version=1, merge_version=1, now=NOW
    )
    assert (kept.date_of_birth, kept.estimated_age, kept.estimated_on) == (CHILD_DOB, None, None)
    changed = person_update(
        actor=officer,
        person_id=kept.pk,
        version=kept.version,
        changes={"ethnicity": "Mixed"},
        now=NOW,
    )
    assert changed.ethnicity == "Mixed"


def test_today_is_the_day_in_london_not_in_utc(officer):
    """At 00:30 on 11 July in London it is still 10 July in UTC: a baby born that night is
    born today, not in the future."""
    just_after_midnight = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)
    baby = person_create(
        actor=officer,
        data=PersonInput("Baby", "Hughes", date(2026, 7, 11)),
        confirm_new=True,
        now=just_after_midnight,
    )
    assert baby.date_of_birth == date(2026, 7, 11)
    estimated = person_create(
        actor=officer,
        data=PersonInput("Unknown", "Girl", estimated_age=4),
        confirm_new=True,
        now=just_after_midnight,
    )
    assert estimated.estimated_on == date(2026, 7, 11)
