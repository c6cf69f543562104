"""The duplicate check also looks at the other names a person is known by."""

from datetime import date

import pytest
from django.utils import timezone

from safeguard.accounts.services import actor_for
from safeguard.people.selectors import PersonSearch, person_duplicates, person_search
from safeguard.people.services import AddressInput, PersonInput, person_add_alias, person_create

pytestmark = pytest.mark.django_db


def test_a_known_alias_with_the_same_dob_is_offered(make_user, unit):
    actor = actor_for(make_user("officer", units=[unit]))
    now = timezone.now()
    amelia = person_create(
        actor=actor, data=PersonInput("Amelia", "Hughes", date(2013, 5, 6)), now=now
    )
    person_add_alias(
        actor=actor, person_id=amelia.pk, given_names="Millie", family_name="Price", now=now
    )
    found = person_duplicates(
        actor=actor, given_names="Millie", family_name="Price", date_of_birth=date(2013, 5, 6)
    )
    assert [d.person.pk for d in found] == [amelia.pk]


def test_address_words_with_digits_are_not_taken_for_a_postcode(make_user, unit):
    actor = actor_for(make_user("officer", units=[unit]))
    flat = person_create(
        actor=actor,
        data=PersonInput(
            "Rose",
            "Tyler",
            date(2012, 1, 1),
            address=AddressInput("Flat 3 Bucknall House", "SE15 6AB"),
        ),
        now=timezone.now(),
    )
    assert [p.pk for p in person_search(actor=actor, search=PersonSearch(address="Flat 3"))] == [
        flat.pk
    ]
    by_postcode = person_search(actor=actor, search=PersonSearch(address="se156ab"))
    assert [p.pk for p in by_postcode] == [flat.pk]
