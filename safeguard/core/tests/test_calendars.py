"""Calendar rules for deadlines: hours, working days, school days and the next school-day start.

Known answers first (Christmas, New Year, Easter, one-off bank holidays, half-terms, the clock
changes), then properties checked by hypothesis against a brute-force oracle that reads the
`holidays` library and the terms directly.
"""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from dateutil.easter import easter  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.core.calendars import (
    LONDON,
    CalendarExhausted,
    SchoolCalendar,
    add_hours,
    add_school_days,
    add_working_days,
    bank_holidays,
    is_school_day,
    is_working_day,
    next_school_day_start,
    repeating_due,
)

EXAMPLES = settings(max_examples=200, deadline=None)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


# A local authority's 2026/27 year: six terms, half-terms between; Good Friday (26 Mar 2027)
# and the early May bank holiday (3 May 2027) fall inside terms.
YEAR_2026_27 = SchoolCalendar(
    terms=(
        (date(2026, 9, 3), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 12, 18)),
        (date(2027, 1, 5), date(2027, 2, 12)),
        (date(2027, 2, 22), date(2027, 3, 26)),
        (date(2027, 4, 12), date(2027, 5, 28)),
        (date(2027, 6, 7), date(2027, 7, 21)),
    )
)


# --- known answers: hours and repeating intervals -------------------------------------------


def test_add_hours_across_the_spring_change_is_exact_elapsed_time() -> None:
    # 29 Mar 2026: clocks go forward at 01:00 GMT, so 3 hours after 23:00 GMT is 03:00 BST.
    due = add_hours(london(2026, 3, 28, 23, 0), 3)
    assert due == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert local(due).hour == 3
    assert due.tzinfo is UTC


def test_add_hours_across_the_autumn_change_is_exact_elapsed_time() -> None:
    # 25 Oct 2026: clocks go back at 01:00 GMT, so 2 hours after 00:30 BST is 01:30 GMT.
    due = add_hours(london(2026, 10, 25, 0, 30), 2)
    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert local(due).replace(tzinfo=None) == datetime(2026, 10, 25, 1, 30)


def test_repeating_due_every_nine_hours_after_the_previous_event() -> None:
    assert repeating_due(london(2026, 10, 24, 20, 0), timedelta(hours=9)) == datetime(
        2026, 10, 25, 4, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_hours(datetime(2026, 1, 1, 9, 0), 1),
        lambda: add_hours(london(2026, 1, 1, 9, 0), -1),
        lambda: add_working_days(datetime(2026, 1, 5, 9, 0), 1),
        lambda: add_working_days(london(2026, 1, 5, 9, 0), -1),
        lambda: repeating_due(london(2026, 1, 1, 9, 0), timedelta(0)),
        lambda: repeating_due(datetime(2026, 1, 1, 9, 0), timedelta(hours=9)),
        lambda: next_school_day_start(datetime(2026, 9, 7, 7, 0), YEAR_2026_27),
    ],
)
def test_naive_times_negative_counts_and_empty_intervals_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call()


# --- known answers: working days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Christmas Day and Boxing Day on Monday and Tuesday.
        (london(2028, 12, 22, 10, 0), 1, london(2028, 12, 27, 10, 0)),
        (london(2028, 12, 21, 10, 0), 1, london(2028, 12, 22, 10, 0)),
        # Christmas on a Saturday: substitute days on Monday 27 and Tuesday 28 Dec 2027.
        (london(2027, 12, 24, 16, 0), 1, london(2027, 12, 29, 16, 0)),
        # New Year's Day on Monday 1 Jan 2029, across the year end.
        (london(2028, 12, 29, 9, 15), 1, london(2029, 1, 2, 9, 15)),
        # New Year's Day on Saturday 1 Jan 2028: the substitute is Monday 3 Jan.
        (london(2027, 12, 31, 9, 0), 1, london(2028, 1, 4, 9, 0)),
        # Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr.
        (london(2026, 4, 2, 11, 0), 1, london(2026, 4, 7, 11, 0)),
        (london(2026, 4, 2, 11, 0), 2, london(2026, 4, 8, 11, 0)),
        # One-off bank holidays: the state funeral (19 Sep 2022), the coronation (8 May 2023).
        (london(2022, 9, 16, 12, 0), 1, london(2022, 9, 20, 12, 0)),
        (london(2023, 5, 5, 12, 0), 1, london(2023, 5, 9, 12, 0)),
        # Zero working days from a working day is the start itself.
        (london(2026, 6, 3, 14, 45), 0, london(2026, 6, 3, 14, 45)),
        # A week is five working days.
        (london(2026, 6, 3, 14, 45), 5, london(2026, 6, 10, 14, 45)),
        # Starting on a weekend counts from 00:00 on the next working day (Monday).
        (london(2026, 6, 6, 14, 0), 0, london(2026, 6, 8, 0, 0)),
        (london(2026, 6, 6, 14, 0), 1, london(2026, 6, 9, 0, 0)),
        # Starting on a bank holiday (Easter Monday 2026) likewise.
        (london(2026, 4, 6, 9, 0), 1, london(2026, 4, 8, 0, 0)),
        # The clocks go forward on Sunday 29 Mar 2026: the London time is kept.
        (london(2026, 3, 27, 10, 0), 1, london(2026, 3, 30, 10, 0)),
        # And back on Sunday 25 Oct 2026.
        (london(2026, 10, 23, 10, 0), 1, london(2026, 10, 26, 10, 0)),
        # Working Together 2023: assessment within 45 working days (Aug BH 31 Aug 2026).
        (london(2026, 7, 1, 9, 0), 45, london(2026, 9, 3, 9, 0)),
    ],
)
def test_add_working_days_known_answers(start: datetime, n: int, due: datetime) -> None:
    result = add_working_days(start, n)
    assert result == due
    assert result.tzinfo is UTC


def test_working_days_keep_the_wall_clock_not_the_elapsed_hours_across_clock_changes() -> None:
    spring = add_working_days(london(2026, 3, 27, 10, 0), 1) - london(2026, 3, 27, 10, 0)
    autumn = add_working_days(london(2026, 10, 23, 10, 0), 1) - london(2026, 10, 23, 10, 0)
    assert spring == timedelta(hours=71)
    assert autumn == timedelta(hours=73)


def test_a_utc_instant_is_read_on_the_london_calendar() -> None:
    # 23:30 UTC on Sunday 28 Jun 2026 is 00:30 BST on Monday 29 Jun: a working day.
    monday_early = datetime(2026, 6, 28, 23, 30, tzinfo=UTC)
    assert is_working_day(monday_early)
    assert add_working_days(monday_early, 1) == london(2026, 6, 30, 0, 30)


def test_england_and_wales_have_eight_weekday_bank_holidays_in_2026() -> None:
    # Boxing Day 2026 is a Saturday; the substitute day is Monday 28 December.
    assert sorted(day for day in bank_holidays(2026) if day.weekday() < 5) == [
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
    ]


# --- known answers: school days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "due"),
    [
        # Before the school day starts on a school day: due that morning.
        (london(2026, 9, 7, 7, 0), london(2026, 9, 7, 8, 30)),
        # At or after the start: due the next school day.
        (london(2026, 9, 7, 8, 30), london(2026, 9, 8, 8, 30)),
        (london(2026, 9, 7, 10, 0), london(2026, 9, 8, 8, 30)),
        # Friday evening: Monday morning.
        (london(2026, 9, 11, 20, 0), london(2026, 9, 14, 8, 30)),
        # Saturday and Sunday: Monday morning.
        (london(2026, 9, 12, 3, 0), london(2026, 9, 14, 8, 30)),
        # Last day before half-term: first day back, after the clocks went back (GMT).
        (london(2026, 10, 23, 16, 0), london(2026, 11, 2, 8, 30)),
        # During half-term.
        (london(2026, 10, 28, 9, 0), london(2026, 11, 2, 8, 30)),
        # Christmas holiday to the spring term, across the year end.
        (london(2026, 12, 18, 15, 30), london(2027, 1, 5, 8, 30)),
        (london(2027, 1, 1, 0, 5), london(2027, 1, 5, 8, 30)),
        # Good Friday inside the term, then the Easter holiday (clocks forward on 28 Mar).
        (london(2027, 3, 25, 18, 0), london(2027, 4, 12, 8, 30)),
        # The early May bank holiday inside the summer term.
        (london(2027, 4, 30, 19, 0), london(2027, 5, 4, 8, 30)),
        # Before the first known term.
        (london(2026, 8, 20, 12, 0), london(2026, 9, 3, 8, 30)),
    ],
)
def test_next_school_day_start_known_answers(at: datetime, due: datetime) -> None:
    result = next_school_day_start(at, YEAR_2026_27)
    assert result == due
    assert result.tzinfo is UTC


def test_next_school_day_start_uses_the_schools_own_start_time() -> None:
    late_start = SchoolCalendar(terms=YEAR_2026_27.terms, day_starts_at=time(8, 50))
    assert next_school_day_start(london(2026, 9, 7, 8, 40), late_start) == london(2026, 9, 7, 8, 50)


def test_no_school_day_left_in_the_known_terms_names_the_last_term_end() -> None:
    with pytest.raises(CalendarExhausted, match="2027-07-21") as raised:
        next_school_day_start(london(2027, 7, 21, 9, 0), YEAR_2026_27)
    assert raised.value.last_term_end == date(2027, 7, 21)
    with pytest.raises(CalendarExhausted, match="no terms"):
        next_school_day_start(london(2027, 7, 21, 9, 0), SchoolCalendar(terms=()))
    with pytest.raises(CalendarExhausted, match="2027-07-21"):
        add_school_days(london(2027, 7, 19, 9, 0), 5, YEAR_2026_27)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Into half-term and out again: 23 Oct 2026 (BST) + 1 is 2 Nov (GMT), same London time.
        (london(2026, 10, 23, 10, 0), 1, london(2026, 11, 2, 10, 0)),
        # Before the school day starts, the time is still kept.
        (london(2026, 9, 7, 7, 0), 2, london(2026, 9, 9, 7, 0)),
        # A start in half-term counts from the next school day's start (08:30).
        (london(2026, 10, 28, 15, 0), 0, london(2026, 11, 2, 8, 30)),
        (london(2026, 10, 28, 15, 0), 1, london(2026, 11, 3, 8, 30)),
        # Good Friday in term is not a school day; the Easter holiday follows.
        (london(2027, 3, 25, 11, 0), 1, london(2027, 4, 12, 11, 0)),
        # Ten school days across the February half-term.
        (london(2027, 2, 8, 13, 0), 10, london(2027, 3, 1, 13, 0)),
    ],
)
def test_add_school_days_known_answers(start: datetime, n: int, due: datetime) -> None:
    assert add_school_days(start, n, YEAR_2026_27) == due


def test_school_days_are_weekdays_in_term_and_not_bank_holidays() -> None:
    assert is_school_day(date(2026, 9, 3), YEAR_2026_27)
    assert not is_school_day(date(2026, 9, 2), YEAR_2026_27)  # before term
    assert not is_school_day(date(2026, 9, 5), YEAR_2026_27)  # Saturday
    assert not is_school_day(date(2026, 10, 27), YEAR_2026_27)  # half-term
    assert not is_school_day(date(2027, 3, 26), YEAR_2026_27)  # Good Friday in term
    assert not is_school_day(date(2027, 5, 3), YEAR_2026_27)  # May Day in term


def test_a_school_calendar_sorts_its_terms_and_refuses_overlaps_and_backwards_terms() -> None:
    calendar = SchoolCalendar(terms=tuple(reversed(YEAR_2026_27.terms)))
    assert calendar == YEAR_2026_27
    assert calendar.last_day == date(2027, 7, 21)
    with pytest.raises(ValueError, match="overlap"):
        SchoolCalendar(
            terms=((date(2026, 9, 3), date(2026, 10, 23)), (date(2026, 10, 23), date(2026, 12, 1)))
        )
    with pytest.raises(ValueError, match="before it starts"):
        SchoolCalendar(terms=((date(2026, 10, 23), date(2026, 9, 3)),))


# --- the oracle: brute force from the holidays library and the terms ---------------------------


_ORACLE_HOLIDAYS: dict[int, holidays.HolidayBase] = {}


def oracle_working_day(day: date) -> bool:
    if day.year not in _ORACLE_HOLIDAYS:
        _ORACLE_HOLIDAYS[day.year] = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return day.weekday() < 5 and day not in _ORACLE_HOLIDAYS[day.year]


def oracle_school_days(calendar: SchoolCalendar) -> list[date]:
    days = []
    for first, last in calendar.terms:
        day = first
        while day <= last:
            if oracle_working_day(day):
                days.append(day)
            day += timedelta(days=1)
    return days


# --- strategies ---------------------------------------------------------------------------------

# The clock changes in England and Wales, 2024-2030 (last Sundays of March and October).
CLOCK_CHANGES = [
    date(year, month, 31) - timedelta(days=(date(year, month, 31).weekday() + 1) % 7)
    for year in range(2024, 2031)
    for month in (3, 10)
]
YEAR_ENDS = [date(year, 12, 20) for year in range(2020, 2035)]
EASTERS = [easter(year) - timedelta(days=5) for year in range(2020, 2035)]

anywhere = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def around(days: list[date], spread_hours: int) -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda day, minutes: (
            datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)
        ),
        st.sampled_from(days),
        st.integers(-spread_hours * 60, spread_hours * 60),
    )


instants = st.one_of(
    anywhere, around(CLOCK_CHANGES, 96), around(YEAR_ENDS, 24 * 16), around(EASTERS, 24 * 10)
)
counts = st.integers(0, 30)


@st.composite
def school_calendars(draw: st.DrawFn) -> SchoolCalendar:
    day = draw(st.dates(min_value=date(2024, 8, 1), max_value=date(2028, 8, 1)))
    terms = []
    for _ in range(draw(st.integers(1, 6))):
        last = day + timedelta(days=draw(st.integers(0, 60)))
        terms.append((day, last))
        day = last + timedelta(days=draw(st.integers(1, 30)))
    minutes = draw(st.integers(7 * 60, 10 * 60))
    return SchoolCalendar(terms=tuple(terms), day_starts_at=time(minutes // 60, minutes % 60))


@st.composite
def calendar_and_instant(draw: st.DrawFn) -> tuple[SchoolCalendar, datetime]:
    calendar = draw(school_calendars())
    first, last = calendar.terms[0][0], calendar.terms[-1][1]
    day = draw(st.dates(min_value=first - timedelta(days=10), max_value=last + timedelta(days=3)))
    minutes = draw(st.integers(0, 24 * 60 - 1))
    return calendar, datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)


# --- properties: hours --------------------------------------------------------------------------


@EXAMPLES
@given(instants, st.integers(0, 24 * 400))
def test_add_hours_is_exact_elapsed_time_and_the_london_clock_moves_with_the_offset(
    start: datetime, n: int
) -> None:
    due = add_hours(start, n)
    assert due - start == timedelta(hours=n)
    assert due.tzinfo is UTC
    wall = local(due).replace(tzinfo=None) - local(start).replace(tzinfo=None)
    offsets = local(due).utcoffset() - local(start).utcoffset()  # type: ignore[operator]
    assert wall == timedelta(hours=n) + offsets
    assert offsets in (timedelta(hours=-1), timedelta(0), timedelta(hours=1))


@EXAMPLES
@given(instants, st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=60)))
def test_repeating_due_is_the_interval_after_the_previous_event(
    previous: datetime, interval: timedelta
) -> None:
    assert repeating_due(previous, interval) - previous == interval


# --- properties: working days -------------------------------------------------------------------


@EXAMPLES
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_is_working_day_matches_the_holiday_list_and_weekends(day: date) -> None:
    assert is_working_day(day) == oracle_working_day(day)


@pytest.mark.parametrize("year", range(2020, 2036))
def test_christmas_boxing_day_new_year_and_easter_are_never_working_days(year: int) -> None:
    for day in (date(year, 12, 25), date(year, 12, 26), date(year, 1, 1)):
        assert not is_working_day(day)
    assert not is_working_day(easter(year) - timedelta(days=2))  # Good Friday
    assert not is_working_day(easter(year) + timedelta(days=1))  # Easter Monday


@EXAMPLES
@given(instants, counts)
def test_add_working_days_counts_exactly_n_working_days_and_lands_on_one(
    start: datetime, n: int
) -> None:
    due = add_working_days(start, n)
    first, last = local(start).date(), local(due).date()
    assert due >= start
    assert oracle_working_day(last)
    counted = sum(
        oracle_working_day(first + timedelta(days=k)) for k in range(1, (last - first).days + 1)
    )
    if oracle_working_day(first):
        assert counted == n
        assert local(due).time() == local(start).time()
    else:
        assert counted == n + 1
        assert local(due).time() == time(0, 0)


@EXAMPLES
@given(instants, counts)
def test_add_working_days_is_strictly_monotonic_in_n(start: datetime, n: int) -> None:
    assert add_working_days(start, n) < add_working_days(start, n + 1)


@EXAMPLES
@given(instants, st.integers(0, 15), st.integers(0, 15))
def test_add_working_days_composes(start: datetime, a: int, b: int) -> None:
    assert add_working_days(start, a + b) == add_working_days(add_working_days(start, a), b)


@EXAMPLES
@given(instants)
def test_the_next_working_day_is_never_more_than_five_days_away(start: datetime) -> None:
    # The longest run of days off is four: Christmas on a Saturday, Easter, the 2022 jubilee.
    today = add_working_days(start, 0)
    assert (
        timedelta(0)
        < local(add_working_days(today, 1)).date() - local(today).date()
        <= timedelta(days=5)
    )


# --- properties: school days --------------------------------------------------------------------


@EXAMPLES
@given(calendar_and_instant())
def test_next_school_day_start_is_the_first_school_day_start_after_the_incident(
    case: tuple[SchoolCalendar, datetime],
) -> None:
    calendar, at = case
    starts = [
        datetime.combine(day, calendar.day_starts_at, tzinfo=LONDON)
        for day in oracle_school_days(calendar)
    ]
    later = [start for start in starts if start > at]
    if not later:
        with pytest.raises(CalendarExhausted):
            next_school_day_start(at, calendar)
        return
    due = next_school_day_start(at, calendar)
    assert due == later[0]
    assert due.tzinfo is UTC
    assert is_school_day(due, calendar)
    assert local(due).time() == calendar.day_starts_at


@EXAMPLES
@given(calendar_and_instant(), st.integers(0, 40))
def test_add_school_days_counts_school_days_from_the_oracle(
    case: tuple[SchoolCalendar, datetime], n: int
) -> None:
    calendar, start = case
    days = oracle_school_days(calendar)
    first = local(start).date()
    if first in days:
        index, wall_clock = days.index(first) + n, local(start).time()
    else:
        index = next((i for i, day in enumerate(days) if day > first), len(days)) + n
        wall_clock = calendar.day_starts_at
    if index >= len(days):
        with pytest.raises(CalendarExhausted):
            add_school_days(start, n, calendar)
        return
    due = add_school_days(start, n, calendar)
    assert local(due).date() == days[index]
    assert local(due).time() == wall_clock
    assert is_school_day(due, calendar)  # so never in a half-term or holiday gap


@EXAMPLES
@given(calendar_and_instant(), st.integers(0, 10), st.integers(0, 10))
def test_add_school_days_is_monotonic_and_composes(
    case: tuple[SchoolCalendar, datetime], a: int, b: int
) -> None:
    calendar, start = case
    try:
        whole = add_school_days(start, a + b, calendar)
    except CalendarExhausted:
        return
    assert add_school_days(start, a, calendar) <= whole
    assert add_school_days(add_school_days(start, a, calendar), b, calendar) == whole
    if b:
        assert add_school_days(start, a, calendar) < whole
