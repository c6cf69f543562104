"""Ages are counted on the London date: in the hour after midnight in summer (BST) it is
already the next day in London while it is still the day before in UTC, so a birthday starts
at midnight London time."""

from datetime import UTC, date, datetime

import pytest

from safeguard.people.models import Person
from safeguard.people.rules.ages import dob_problems

# 00:30 on 11 July 2026 in London (BST) is 23:30 on 10 July in UTC.
JUST_AFTER_MIDNIGHT = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)
BIRTHDAY = date(2010, 7, 11)


def test_on_the_birthday_in_the_hour_after_midnight_bst_the_child_is_a_year_older():
    person = Person(given_names="Ava", family_name="Hale", date_of_birth=BIRTHDAY)
    assert person.age_at(JUST_AFTER_MIDNIGHT) == 16
    # The UTC date is still the day before: the age the old `.date()` callers got.
    assert person.age(JUST_AFTER_MIDNIGHT.date()) == 15


@pytest.mark.parametrize(
    ("dob", "child"),
    # 18 today in London: no longer a child, although it is not yet their birthday in UTC.
    [(date(2008, 7, 11), False), (date(2008, 7, 12), True)],
)
def test_whether_someone_is_a_child_uses_the_london_date(dob, child):
    person = Person(given_names="Ben", family_name="Hale", date_of_birth=dob)
    assert person.is_child_at(JUST_AFTER_MIDNIGHT) is child


def test_an_estimated_age_grows_on_the_london_date():
    person = Person(
        given_names="Unknown", family_name="Girl", estimated_age=4, estimated_on=date(2026, 7, 11)
    )
    assert person.age_at(datetime(2027, 7, 10, 23, 30, tzinfo=UTC)) == 5
    assert person.age_at(datetime(2027, 7, 10, 22, 59, tzinfo=UTC)) == 4


def test_a_baby_born_just_after_midnight_is_born_today_not_in_the_future():
    today = date(2026, 7, 11)  # london_date(JUST_AFTER_MIDNIGHT), as the services pass it
    assert dob_problems(date_of_birth=today, estimated_age=None, today=today) == []
