"""Pure rules about people, without a database: name keys and duplicate matching, ages and
dates of birth."""

from datetime import date

import pytest

from safeguard.people.rules.ages import (
    AGE_OR_DOB,
    AGE_RANGE,
    DOB_IN_FUTURE,
    DOB_TOO_OLD,
    age_on,
    dob_problems,
)
from safeguard.people.rules.matching import (
    LIKELY,
    Candidate,
    address_key,
    duplicate_match,
    name_similarity,
    name_tokens,
    phonetic_key,
    postcode_key,
    query_keys,
    search_keys,
)

TODAY = date(2026, 3, 10)
DOB = date(2015, 4, 1)


# --- name keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("Jon", "John", "Jonn"),
        ("Smith", "Smyth"),
        ("Catherine", "Katherine"),
        ("Mohammed", "Muhammad"),
        ("Zoë", "Zoe", "ZOE"),
        ("Renée", "Renee"),
    ],
    ids=lambda v: "/".join(v),
)
def test_spelling_variants_share_a_phonetic_key(variants):
    keys = {phonetic_key(name_tokens(v)[0]) for v in variants}
    assert len(keys) == 1, keys


def test_different_names_have_different_keys():
    assert phonetic_key("john") != phonetic_key("james")
    assert phonetic_key("smith") != phonetic_key("jones")


def test_name_tokens_are_lower_case_ascii_words():
    assert name_tokens("Zoë  O'Brien-Smith") == ["zoe", "obrien", "smith"]
    assert name_tokens("  ", "") == []
    assert name_tokens("Siobhán", "Ní Bhriain") == ["siobhan", "ni", "bhriain"]


def test_search_keys_ignore_order_spelling_and_accents():
    # The sounds are shared (the nicknames dataset knows more formal names of John than Jon).
    assert search_keys("John", "Smith") == search_keys("Smith", "John")
    assert {" JN ", " SM0 "} <= {f" {key} " for key in search_keys("John", "Smith").split()}
    assert {" JN ", " SM0 "} <= {f" {key} " for key in search_keys("Jon", "Smyth").split()}
    assert search_keys("Zoë", "Smith") == search_keys("Zoe", "Smyth")
    assert search_keys("", "") == ""


def test_search_keys_are_whole_tokens_with_a_space_at_each_end():
    keys = search_keys("Mary Ann", "Smith", "Jones")  # an alias adds its words too
    assert keys.startswith(" ") and keys.endswith(" ")
    for key in query_keys("Jones Mary"):
        assert f" {key} " in keys


def test_query_keys_are_sorted_and_distinct():
    assert query_keys("Smith John Jon") == ["JN", "SM0"]
    assert query_keys("   ") == []


def test_a_word_with_no_sound_code_is_kept_as_itself():
    assert phonetic_key("h") in ("H", "h")
    assert phonetic_key("h")


# --- name similarity -------------------------------------------------------------------------


def test_the_order_of_names_does_not_matter():
    assert name_similarity("John Smith", "Smith John") == 1.0
    assert name_similarity("Mary Ann Jones", "Jones, Mary-Ann") == 1.0


def test_spelling_variants_are_similar_and_strangers_are_not():
    assert name_similarity("Jon Smyth", "John Smith") >= 0.85
    assert name_similarity("Jonn Smith", "John Smith") >= 0.85
    assert name_similarity("Zoë Smith", "Zoe Smith") == 1.0
    assert name_similarity("Mary Jones", "John Smith") < 0.85


def test_an_empty_name_is_similar_to_nothing():
    assert name_similarity("", "John Smith") == 0.0
    assert name_similarity("John Smith", "  ") == 0.0


# --- addresses -------------------------------------------------------------------------------


def test_postcode_key_ignores_case_and_spacing():
    assert postcode_key(" sw1a 1aa ") == postcode_key("SW1A1AA") == "SW1A1AA"
    assert postcode_key("M1-1AE") == "M11AE"


@pytest.mark.parametrize(
    ("line1", "postcode"),
    [
        ("12 Acacia Avenue", "SW1A 1AA"),
        ("12, Acacia  Avenue", "sw1a1aa"),
        ("12 ACACIA AVENUE.", " Sw1A 1aA "),
    ],
)
def test_the_same_address_however_it_was_typed(line1, postcode):
    assert address_key(line1, postcode) == address_key("12 Acacia Avenue", "SW1A 1AA")
    assert address_key(line1, postcode).endswith("|SW1A1AA")


def test_different_postcodes_are_different_addresses():
    assert address_key("12 Acacia Avenue", "SW1A 1AA") != address_key(
        "12 Acacia Avenue", "SW1A 2AA"
    )


def test_different_house_numbers_on_one_street_are_different_addresses():
    """A postcode covers about fifteen homes: the neighbours at number 14 are not number 12."""
    assert address_key("12 Acacia Avenue", "SW1A 1AA") != address_key(
        "14 Acacia Avenue", "SW1A 1AA"
    )
    assert address_key("Flat 1, 3 High Street", "LS1 4AP") != address_key(
        "Flat 2, 3 High Street", "LS1 4AP"
    )


def test_accents_and_apostrophes_in_an_address_are_normalised():
    assert address_key("1 Rue Déjà", "BT1 1AA") == address_key("1 rue deja", "bt11aa")
    assert address_key("2 St Mary's Close", "CF10 1AA") == address_key(
        "2 St Marys Close", "CF10 1AA"
    )


# --- duplicate matching ----------------------------------------------------------------------


def person(given, family, dob=None, *addresses):
    return Candidate(given, family, dob, frozenset(addresses))


def test_spelling_variants_with_the_same_dob_are_likely_duplicates():
    match = duplicate_match(person("Jon", "Smyth", DOB), person("John", "Smith", DOB))
    assert match is not None
    assert match.reasons == ("similar name and the same date of birth",)
    assert match.score >= LIKELY


def test_names_in_the_other_order_with_the_same_dob_are_the_same_person():
    match = duplicate_match(person("Smith", "John", DOB), person("John", "Smith", DOB))
    assert match is not None and match.score == 1.0


def test_accented_and_plain_spellings_match():
    match = duplicate_match(person("Zoë", "Brien", DOB), person("Zoe", "Brien", DOB))
    assert match is not None and match.score == 1.0


def test_the_same_name_with_a_different_dob_is_not_a_duplicate():
    assert (
        duplicate_match(person("John", "Smith", date(2015, 4, 2)), person("John", "Smith", DOB))
        is None
    )


def test_a_similar_name_and_the_same_dob_but_a_stranger_is_not():
    assert duplicate_match(person("Mary", "Jones", DOB), person("John", "Smith", DOB)) is None


@pytest.mark.parametrize(("new_dob", "old_dob"), [(None, DOB), (DOB, None), (None, None)])
def test_the_same_name_with_a_dob_missing_is_a_possible_duplicate(new_dob, old_dob):
    match = duplicate_match(person("John", "Smith", new_dob), person("John", "Smith", old_dob))
    assert match is not None
    assert match.reasons == ("the same name (a date of birth is missing)",)
    assert match.score == 0.8


def test_a_merely_similar_name_with_a_dob_missing_is_not_enough():
    assert duplicate_match(person("Jon", "Smyth"), person("John", "Smith", DOB)) is None


def test_the_same_address_alone_is_a_possible_duplicate():
    key = address_key("12 Acacia Avenue", "SW1A 1AA")
    match = duplicate_match(person("Mary", "Jones", None, key), person("John", "Smith", DOB, key))
    assert match is not None
    assert match.reasons == ("the same address",)
    assert 0 < match.score < LIKELY


def test_name_dob_and_address_together_score_at_most_one():
    key = address_key("12 Acacia Avenue", "SW1A 1AA")
    match = duplicate_match(person("John", "Smith", DOB, key), person("Jon", "Smyth", DOB, key))
    assert match is not None
    assert match.reasons == ("similar name and the same date of birth", "the same address")
    assert match.score == 1.0


def test_the_neighbours_are_not_duplicates():
    match = duplicate_match(
        person("Mary", "Jones", None, address_key("14 Acacia Avenue", "SW1A 1AA")),
        person("John", "Smith", DOB, address_key("12 Acacia Avenue", "SW1A 1AA")),
    )
    assert match is None


def test_empty_names_never_match_on_name():
    assert duplicate_match(person("", "", DOB), person("", "", DOB)) is None


# --- ages and dates of birth -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "today", "age"),
    [
        (date(2010, 3, 10), date(2026, 3, 10), 16),  # birthday today
        (date(2010, 3, 11), date(2026, 3, 10), 15),  # birthday tomorrow
        (date(2008, 3, 10), date(2026, 3, 10), 18),  # an adult from the 18th birthday
        (date(2008, 3, 11), date(2026, 3, 10), 17),  # still a child the day before
        (date(2026, 3, 10), date(2026, 3, 10), 0),  # born today
        (date(2010, 12, 31), date(2026, 1, 1), 15),
        # Born on 29 February: a year older on 1 March in a common year, on 29 Feb in a leap year.
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 28), 19),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2012, 2, 29), date(2013, 2, 28), 0),
        (date(2012, 2, 29), date(2013, 3, 1), 1),
    ],
)
def test_age_on_a_day(dob, today, age):
    assert age_on(dob, today) == age


def test_a_dob_or_an_estimated_age_is_accepted():
    assert dob_problems(date_of_birth=DOB, estimated_age=None, today=TODAY) == []
    assert dob_problems(date_of_birth=None, estimated_age=9, today=TODAY) == []
    assert dob_problems(date_of_birth=None, estimated_age=None, today=TODAY) == []


def test_a_dob_today_is_accepted_and_tomorrow_is_refused():
    assert dob_problems(date_of_birth=TODAY, estimated_age=None, today=TODAY) == []
    assert dob_problems(date_of_birth=date(2026, 3, 11), estimated_age=None, today=TODAY) == [
        ("date_of_birth", DOB_IN_FUTURE)
    ]


def test_a_dob_before_1900_is_refused():
    assert dob_problems(date_of_birth=date(1900, 1, 1), estimated_age=None, today=TODAY) == []
    assert dob_problems(date_of_birth=date(1899, 12, 31), estimated_age=None, today=TODAY) == [
        ("date_of_birth", DOB_TOO_OLD)
    ]


def test_both_a_dob_and_an_estimated_age_is_refused():
    assert dob_problems(date_of_birth=DOB, estimated_age=10, today=TODAY) == [
        ("estimated_age", AGE_OR_DOB)
    ]
    assert dob_problems(date_of_birth=DOB, estimated_age=0, today=TODAY) == [
        ("estimated_age", AGE_OR_DOB)
    ]


def test_a_future_dob_and_an_estimated_age_are_both_reported():
    assert dob_problems(date_of_birth=date(2030, 1, 1), estimated_age=4, today=TODAY) == [
        ("date_of_birth", DOB_IN_FUTURE),
        ("estimated_age", AGE_OR_DOB),
    ]


@pytest.mark.parametrize(
    ("age", "ok"), [(-1, False), (0, True), (17, True), (120, True), (121, False)]
)
def test_an_estimated_age_is_between_0_and_120(age, ok):
    expected = [] if ok else [("estimated_age", AGE_RANGE)]
    assert dob_problems(date_of_birth=None, estimated_age=age, today=TODAY) == expected
