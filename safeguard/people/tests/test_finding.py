"""Finding the right child (docs/finding.md): the duplicate check on a table of name pairs,
what each candidate shows, people search ranking, warning markers and the quick-find box."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.cases.tests.builders import a_case
from safeguard.core.models import AuditEntry
from safeguard.missing.tests.builders import make_missing_cast, reported
from safeguard.partners.models import School
from safeguard.people.rules.matching import Candidate, address_key, duplicate_match
from safeguard.people.selectors import (
    PersonSearch,
    person_duplicates,
    person_markers,
    person_search,
    person_summaries,
)
from safeguard.people.services import (
    AddressInput,
    PersonInput,
    PossibleDuplicates,
    person_add_address,
    person_create,
    person_relate,
    person_set_markers,
)
from tests.helpers import sign_in

DOB = date(2015, 4, 3)
HOME = address_key("12 Acacia Avenue", "IP1 2AB")


def who(given, family, dob=DOB, *addresses):
    return Candidate(given, family, dob, frozenset(addresses))


MUST_MATCH = [
    # nicknames and short forms (the nicknames dataset, and the prefix of the sound)
    (who("Ben", "Smyth"), who("Benjamin", "Smith"), "one first name"),
    (who("Benjamin", "Smith"), who("Ben", "Smith"), "one first name"),
    (who("Kate", "Jones"), who("Catherine", "Jones"), "one first name"),
    (who("Catherine", "Jones"), who("Kate", "Jones"), "one first name"),
    (who("Liz", "Brown"), who("Elizabeth", "Brown"), "one first name"),
    (who("Alfie", "Green"), who("Alfred", "Green"), "one first name"),
    (who("Alfred", "Green"), who("Alfie", "Green"), "one first name"),
    (who("Bill", "Turner"), who("William", "Turner"), "one first name"),
    # phonetic spellings
    (who("John", "Smyth"), who("Jon", "Smith"), "similar name"),
    (who("Katherine", "Hughes"), who("Catherine", "Hughes"), "similar name"),
    (who("Mohammed", "Khan"), who("Muhammad", "Khan"), "similar name"),
    # names in the other order
    (who("Smith", "Benjamin"), who("Benjamin", "Smith"), "similar name"),
    # a date of birth with day and month swapped (3 April typed as 4 March)
    (who("Ben", "Smith", date(2015, 3, 4)), who("Benjamin", "Smith"), "day and month swapped"),
    (who("Amelia", "Hughes", date(2015, 3, 4)), who("Amelia", "Hughes"), "day and month swapped"),
    # a shared current address, whatever the names
    (who("Mary", "Jones", None, HOME), who("Ben", "Smith", DOB, HOME), "the same address"),
]

MUST_NOT_MATCH = [
    (who("Ben", "Smith"), who("Ben", "Jones")),  # another family
    (who("Kate", "Smith"), who("Ben", "Smith")),  # another first name (a sibling)
    (who("Ben", "Smith", date(2012, 9, 20)), who("Benjamin", "Smith")),  # another DOB
    (who("Ben", "Smith", date(2015, 4, 4)), who("Benjamin", "Smith")),  # a twin's day apart
    (
        who("Amelia", "Hughes", date(2015, 3, 3)),
        who("Amelia", "Hughes", date(2015, 3, 3) + timedelta(days=400)),
    ),
    (who("Alfie", "Green"), who("Alice", "Green")),
    (who("Liz", "Brown"), who("Mary", "Brown")),
    (
        who("Mary", "Jones", None, address_key("14 Acacia Avenue", "IP1 2AB")),
        who("Ben", "Smith", DOB, HOME),
    ),  # the neighbours
]


@pytest.mark.parametrize(
    ("new", "existing", "reason"),
    MUST_MATCH,
    ids=[
        f"{n.given_names} {n.family_name}~{e.given_names} {e.family_name}" for n, e, _ in MUST_MATCH
    ],
)
def test_these_pairs_are_offered_as_the_same_child(new, existing, reason):
    match = duplicate_match(new, existing)
    assert match is not None
    assert reason in "; ".join(match.reasons)


@pytest.mark.parametrize(
    ("new", "existing"),
    MUST_NOT_MATCH,
    ids=[
        f"{n.given_names} {n.family_name}!{e.given_names} {e.family_name}"
        for n, e in MUST_NOT_MATCH
    ],
)
def test_these_pairs_are_not(new, existing):
    assert duplicate_match(new, existing) is None


# --- against the database ----------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
def officer(make_user, unit):
    return actor_for(make_user("supervisor", units=[unit]))


def record(actor, given, family, dob=DOB, address=None, school=""):
    return person_create(
        actor=actor,
        data=PersonInput(given, family, dob, address=address, school_urn=school),
        confirm_new=True,
        now=NOW - timedelta(days=30),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "family", "dob"),
    [
        ("Ben", "Smyth", DOB),
        ("Benjamin", "Smith", DOB),
        ("Ben", "Smith", date(2015, 3, 4)),
        ("Benjamin", "Smyth", None),
    ],
)
def test_the_duplicate_check_finds_benjamin_smith(officer, given, family, dob):
    benjamin = record(officer, "Benjamin", "Smith")
    record(officer, "Ben", "Jones")
    found = person_duplicates(
        actor=officer, given_names=given, family_name=family, date_of_birth=dob, now=NOW
    )
    assert [d.person.pk for d in found] == [benjamin.pk]


@pytest.mark.django_db
def test_a_shared_current_address_is_offered_and_a_former_one_is_not(officer):
    moved = record(
        officer, "Lucy", "Price", date(2013, 1, 9), AddressInput("12 Acacia Avenue", "IP1 2AB")
    )
    staying = record(
        officer, "Tom", "Reid", date(2010, 5, 5), AddressInput("12 acacia avenue", "ip12ab")
    )
    person_add_address(
        actor=officer, person_id=moved.pk, address=AddressInput("3 Mill Lane", "IP4 1AA"), now=NOW
    )
    found = person_duplicates(
        actor=officer,
        given_names="Mia",
        family_name="Khan",
        date_of_birth=date(2016, 2, 2),
        address_line1="12 Acacia Avenue",
        postcode="IP1 2AB",
        now=NOW,
    )
    assert [d.person.pk for d in found] == [staying.pk]
    assert found[0].match.reasons == ("the same address",)


@pytest.mark.django_db
def test_each_candidate_shows_age_address_carers_school_and_open_cases(officer, unit):
    School.objects.create(urn="123456", name="Northgate Primary School", updated_at=NOW)
    benjamin = record(
        officer,
        "Benjamin",
        "Smith",
        address=AddressInput("12 Acacia Avenue", "IP1 2AB"),
        school="123456",
    )
    mother = record(officer, "Sarah", "Smith", date(1988, 7, 1))
    person_relate(
        actor=officer, person_id=mother.pk, other_id=benjamin.pk, kind="parent_carer", now=NOW
    )
    case = a_case(officer, unit, benjamin)
    with pytest.raises(PossibleDuplicates) as refused:
        person_create(actor=officer, data=PersonInput("Ben", "Smyth", DOB), now=NOW)
    [candidate] = refused.value.candidates
    summary = candidate.summary
    assert candidate.person.pk == benjamin.pk
    assert summary.age == 10  # on 10 March 2026 (London), born 3 April 2015
    assert summary.address == "12 Acacia Avenue, IP1 2AB"
    assert [c.full_name for c in summary.carers] == ["Sarah Smith"]
    assert summary.school == "Northgate Primary School"
    assert [line.case_id for line in summary.open_cases] == [case.pk]
    assert summary.open_cases[0].label.startswith(case.reference)


@pytest.mark.django_db
def test_the_age_is_on_the_london_date(officer):
    born = record(officer, "Ada", "Lovelace", date(2015, 6, 1))
    # 23:30 UTC on 31 May is 00:30 on 1 June in London: the birthday has begun.
    late = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert person_summaries(actor=officer, people=[born], now=late)[born.pk].age == 11


@pytest.mark.django_db
def test_an_open_case_the_recorder_cannot_see_is_not_shown(make_user, unit, other_unit, officer):
    child = record(officer, "Benjamin", "Smith")
    a_case(actor_for(make_user("supervisor", units=[other_unit])), other_unit, child)
    constable = actor_for(make_user("officer", units=[unit]))
    [candidate] = person_duplicates(
        actor=constable, given_names="Ben", family_name="Smith", date_of_birth=DOB, now=NOW
    )
    assert candidate.summary.open_cases == ()


# --- people search -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_exact_surname_ranks_first(officer):
    smyth = record(officer, "Smith", "Smyth", date(2011, 1, 1))  # first name Smith: sounds alike
    smithe = record(officer, "Sam", "Smithe", date(2012, 1, 1))
    exact = record(officer, "Zak", "Smith", date(2013, 1, 1))
    found = person_search(actor=officer, search=PersonSearch(name="Smith"))
    assert found[0].pk == exact.pk
    assert {p.pk for p in found[1:]} >= {smyth.pk}
    assert smithe.pk not in [found[0].pk]


@pytest.mark.django_db
def test_a_nickname_search_finds_the_formal_name(officer):
    benjamin = record(officer, "Benjamin", "Smith")
    kate = record(officer, "Catherine", "Jones", date(2012, 2, 2))
    alfred = record(officer, "Alfred", "Green", date(2012, 3, 3))
    record(officer, "Ben", "Jones", date(2012, 4, 4))
    assert [p.pk for p in person_search(actor=officer, search=PersonSearch(name="Ben Smyth"))] == [
        benjamin.pk
    ]
    assert [p.pk for p in person_search(actor=officer, search=PersonSearch(name="Kate Jones"))] == [
        kate.pk
    ]
    assert [
        p.pk for p in person_search(actor=officer, search=PersonSearch(name="alfie green"))
    ] == [alfred.pk]


@pytest.mark.django_db
def test_a_result_shows_age_address_school_and_markers(officer, client, make_user, unit):
    School.objects.create(urn="654321", name="Westbourne Academy", updated_at=NOW)
    child = record(
        officer,
        "Benjamin",
        "Smith",
        address=AddressInput("12 Acacia Avenue", "IP1 2AB"),
        school="654321",
    )
    person_set_markers(
        actor=officer,
        person_id=child.pk,
        version=child.version,
        on_protection_plan=True,
        looked_after=False,
        now=NOW,
    )
    sign_in(client, make_user("officer", units=[unit]))
    page = client.get(reverse("people:person_search"), {"name": "Smith"}).content.decode()
    row = page[page.index(f'data-person="{child.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "12 Acacia Avenue, IP1 2AB" in row
    assert "Westbourne Academy" in row
    assert "Child protection plan" in row
    assert "(10)" in row or "(11)" in row


# --- warning markers -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_markers_recorded_and_derived(make_user, force, unit):
    cast = make_missing_cast(make_user, force)
    actor = cast.actor(cast.supervisor)
    child = record(actor, "Mia", "Jones", date(2011, 6, 1))
    quiet = record(actor, "Noah", "Jones", date(2011, 6, 2))
    now = timezone.now()
    child = person_set_markers(
        actor=actor,
        person_id=child.pk,
        version=child.version,
        on_protection_plan=True,
        looked_after=True,
        now=now,
    )
    reported(cast, child, now - timedelta(days=100))  # outside the 90 days
    episode = reported(cast, child, now - timedelta(days=20))
    assert episode.case.case_type == Case.Type.MISSING
    a_case(actor, cast.mash, child, case_type=Case.Type.EXPLOITATION)
    markers = person_markers(people=[child, quiet], now=now)
    assert sorted(m.label for m in markers[child.pk]) == [
        "Child protection plan",
        "Looked after",
        "Missing 1 time in the last 90 days",
        "Open exploitation case",
    ]
    assert markers[quiet.pk] == []


@pytest.mark.django_db
def test_changing_markers_is_audited_and_a_stale_version_is_a_conflict(officer):
    from safeguard.core.errors import Conflict

    child = record(officer, "Mia", "Jones", date(2011, 6, 1))
    changed = person_set_markers(
        actor=officer,
        person_id=child.pk,
        version=child.version,
        on_protection_plan=False,
        looked_after=True,
        now=NOW,
    )
    assert changed.looked_after and not changed.on_protection_plan
    assert any(
        "looked_after" in entry.changed_fields
        for entry in AuditEntry.objects.filter(object_type="person", object_id=str(child.pk))
    )
    with pytest.raises(Conflict):
        person_set_markers(
            actor=officer,
            person_id=child.pk,
            version=child.version,
            on_protection_plan=True,
            looked_after=True,
            now=NOW,
        )


@pytest.mark.django_db
def test_the_markers_page_saves_them(officer, client, make_user, unit):
    child = record(officer, "Mia", "Jones", date(2011, 6, 1))
    sign_in(client, make_user("officer", units=[unit]))
    url = reverse("people:markers_edit", kwargs={"person_id": child.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"on_protection_plan": "yes", "looked_after": "no", "version": child.version}
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.on_protection_plan and not child.looked_after
    page = client.get(
        reverse("people:person_detail", kwargs={"person_id": child.pk})
    ).content.decode()
    assert "Child protection plan" in page


# --- quick find ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_find_goes_straight_to_a_case_by_reference(officer, unit, client, make_user):
    child = record(officer, "Benjamin", "Smith")
    case = a_case(officer, unit, child)
    sign_in(client, make_user("supervisor", units=[unit]))
    before = AuditEntry.objects.filter(object_type="quick_find").count()
    response = client.get(reverse("frontend:quick_find"), {"q": f"  {case.reference.lower()} "})
    assert response.status_code == 302
    assert response.url == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert (
        AuditEntry.objects.filter(object_type="quick_find", reason_code="search").count()
        == before + 1
    )


@pytest.mark.django_db
def test_quick_find_a_record_number_or_a_name(officer, client, make_user, unit):
    child = record(officer, "Benjamin", "Smith")
    sign_in(client, make_user("officer", units=[unit]))
    url = reverse("frontend:quick_find")
    response = client.get(url, {"q": str(child.pk)})
    assert response.url == reverse("people:person_detail", kwargs={"person_id": child.pk})
    response = client.get(url, {"q": "Ben Smyth"})
    assert response.url == reverse("people:person_search") + "?name=Ben+Smyth"
    page = client.get(response.url).content.decode()
    assert f'data-person="{child.pk}"' in page


@pytest.mark.django_db
def test_quick_find_does_not_open_what_the_actor_cannot_see(
    make_user, other_unit, unit, client, other_force
):
    owner = actor_for(make_user("supervisor", units=[other_unit]))
    case = a_case(owner, other_unit, record(owner, "Benjamin", "Smith"))
    foreign = record(
        actor_for(make_user("supervisor", force=other_force, units=[])), "Ann", "Other"
    )
    sign_in(client, make_user("officer", units=[unit]))
    url = reverse("frontend:quick_find")
    for query in (case.reference, str(foreign.pk)):
        response = client.get(url, {"q": query})
        assert response.url == reverse("people:person_search")
        assert "No " in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_the_header_has_a_labelled_quick_find_box(client, make_user, unit):
    sign_in(client, make_user("officer", units=[unit]))
    page = client.get(reverse("people:person_search")).content.decode()
    assert '<label class="govuk-label govuk-label--s" for="quick-find">' in page
    assert 'action="/find/"' in page or f'action="{reverse("frontend:quick_find")}"' in page
