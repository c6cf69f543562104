"""Calendars for deadline rules: hours, working days, school days and the next school-day start.

Pure functions: no ORM and no clock (the caller passes every time in). Times are timezone-aware
datetimes; results are returned in UTC (how they are stored) and days are reasoned about on the
Europe/London calendar (how people in England and Wales read them).

Day-counting rules share one convention for a start that falls on a day that does not count
(a weekend, a bank holiday, a school holiday): the clock starts at the beginning of the next day
that counts, so no time is lost to the day it arrived on and none is gained either.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# The Operation Encompass school-day start when a school gives none (issue 4; docs/rules.md 4).
DEFAULT_SCHOOL_DAY_START = time(8, 30)
# How far a working-day search may run before it is treated as a bug, not a calendar.
_MAX_DAYS_SEARCHED = 366 * 200


class CalendarExhausted(LookupError):
    """A school-day rule ran past the last term the calendar knows: import the next term dates."""

    def __init__(self, after: datetime | date, last_term_end: date | None) -> None:
        self.after = after
        self.last_term_end = last_term_end
        if last_term_end is None:
            message = "The school calendar has no terms: import the school's term dates."
        else:
            message = (
                f"No school day after {_describe(after)} in the school calendar: its last term "
                f"ends {last_term_end.isoformat()}. Import the next term dates."
            )
        super().__init__(message)


def _describe(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(LONDON).isoformat(timespec="minutes")
    return moment.isoformat()


def _aware(moment: datetime, name: str = "start") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, not {moment!r}")
    return moment


def _london_date(day: date) -> date:
    if isinstance(day, datetime):
        return _aware(day, "day").astimezone(LONDON).date()
    return day


def _at_london(day: date, wall_clock: time) -> datetime:
    """The UTC instant of a London wall-clock time on a day (a gap time moves forward an hour)."""
    return datetime.combine(day, wall_clock, tzinfo=LONDON).astimezone(UTC)


def london_date(moment: datetime) -> date:
    """The London calendar date of an instant: every "today" and every age is this date."""
    return _aware(moment, "moment").astimezone(LONDON).date()


def add_elapsed(start: datetime, delta: timedelta) -> datetime:
    """A deadline `delta` of elapsed time after start, in UTC whatever zone start came in, so
    a clock change in between neither gains nor loses an hour."""
    return _aware(start).astimezone(UTC) + delta


def _non_negative(n: int) -> None:
    if n < 0:
        raise ValueError(f"a deadline counts forward: n must be 0 or more, not {n}")


def add_hours(start: datetime, n: int) -> datetime:
    """A deadline n elapsed hours after start (UTC arithmetic, so a clock change costs nothing)."""
    _non_negative(n)
    return _aware(start).astimezone(UTC) + timedelta(hours=n)


def repeating_due(previous_event_at: datetime, interval: timedelta) -> datetime:
    """When a repeating duty is next due: interval of elapsed time after the previous event."""
    if interval <= timedelta(0):
        raise ValueError(f"a repeating interval must be positive, not {interval}")
    return _aware(previous_event_at, "previous_event_at").astimezone(UTC) + interval


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in a year, from the `holidays` library (offline)."""
    # Banking and Financial Dealings Act 1971 sch 1 plus royal proclamations; the library's
    # "GB"/"ENG" calendar is the England and Wales one (Wales has no holidays of its own).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Whether a day counts as a working day: Monday to Friday and not a bank holiday.

    A datetime is read as its Europe/London date.
    """
    day = _london_date(day)
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _next_day(day: date, counts: Callable[[date], bool], limit: date | None = None) -> date:
    """The first day strictly after `day` that counts, searching no further than `limit`."""
    for _ in range(_MAX_DAYS_SEARCHED):
        day += timedelta(days=1)
        if limit is not None and day > limit:
            break
        if counts(day):
            return day
    raise OverflowError(f"no counting day found after {day}")


def add_working_days(start: datetime, n: int) -> datetime:
    """A deadline n working days after start, at the same Europe/London wall-clock time.

    - A start on a working day keeps its London time: Friday 22 Dec 2028 10:00 + 1 is
      Wednesday 27 Dec 2028 10:00 (Christmas Day and Boxing Day are skipped).
    - A start on a weekend or bank holiday counts from 00:00 London on the next working day:
      Saturday 14:00 + 1 is Tuesday 00:00, i.e. the whole of Monday; + 0 is Monday 00:00.
    - The result is always on a working day, and n = 0 gives the (rolled-forward) start.
    - The London time is kept across a clock change (the elapsed hours are 23 or 25 more or
      less); a working day is never a Sunday, so the wall-clock time always exists.
    """
    _non_negative(n)
    local = _aware(start).astimezone(LONDON)
    day, wall_clock = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day):
        day, wall_clock = _next_day(day, is_working_day), time(0, 0)
    for _ in range(n):
        day = _next_day(day, is_working_day)
    if day == local.date():
        return start.astimezone(UTC)
    return _at_london(day, wall_clock)


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's (or local authority's) terms and the time its school day starts.

    Each term is (first_day, last_day), inclusive. Half-terms and holidays are the gaps
    between terms, so a year is normally six terms. Terms are kept sorted; they must not
    overlap (the partners import refuses files where they do).
    """

    terms: tuple[tuple[date, date], ...]
    day_starts_at: time = DEFAULT_SCHOOL_DAY_START

    def __post_init__(self) -> None:
        ordered = tuple(sorted((first, last) for first, last in self.terms))
        for first, last in ordered:
            if last < first:
                raise ValueError(f"a term cannot end ({last}) before it starts ({first})")
        for (_, previous_last), (first, _) in pairwise(ordered):
            if first <= previous_last:
                raise ValueError(f"terms overlap: one starts {first} before another ends")
        object.__setattr__(self, "terms", ordered)

    @property
    def last_day(self) -> date | None:
        """The last day of the last known term, or None with no terms."""
        return self.terms[-1][1] if self.terms else None

    def in_term(self, day: date) -> bool:
        """Whether a day falls inside one of the terms (school holidays and half-terms do not)."""
        return any(first <= day <= last for first, last in self.terms)


def is_school_day(day: date, calendar: SchoolCalendar) -> bool:
    """Whether pupils are in school: a weekday, inside a term, and not a bank holiday.

    A datetime is read as its Europe/London date. Training (INSET) days are not known unless
    the imported terms leave them out.
    """
    day = _london_date(day)
    return calendar.in_term(day) and is_working_day(day)


def _next_school_day(day: date, after: datetime | date, calendar: SchoolCalendar) -> date:
    last = calendar.last_day
    if last is None or day >= last:
        raise CalendarExhausted(after, last)
    try:
        return _next_day(day, lambda d: is_school_day(d, calendar), limit=last)
    except OverflowError:
        raise CalendarExhausted(after, last) from None


def add_school_days(start: datetime, n: int, calendar: SchoolCalendar) -> datetime:
    """A deadline n school days after start, at the same Europe/London wall-clock time.

    - A start on a school day keeps its London time (07:00 stays 07:00).
    - A start outside a school day (weekend, half-term, holiday, bank holiday) counts from
      the start of the next school day, at the calendar's day_starts_at (08:30 by default):
      Saturday + 1 is Tuesday 08:30; + 0 is Monday 08:30.
    - Raises CalendarExhausted when the count runs past the last known term.
    """
    _non_negative(n)
    local = _aware(start).astimezone(LONDON)
    day, wall_clock = local.date(), local.time().replace(tzinfo=None)
    if not is_school_day(day, calendar):
        day, wall_clock = _next_school_day(day, start, calendar), calendar.day_starts_at
    for _ in range(n):
        day = _next_school_day(day, start, calendar)
    if day == local.date():
        return start.astimezone(UTC)
    return _at_london(day, wall_clock)


def next_school_day_start(at: datetime, calendar: SchoolCalendar) -> datetime:
    """The Operation Encompass deadline: the first school-day start strictly after `at`.

    The Key Adult is told "before the start of the next school day" (docs/rules.md 4; Operation
    Encompass practice standard), so the due time is the earliest day_starts_at (08:30 London
    by default) on a school day that is later than the incident:
    - 07:00 on a school day is due 08:30 the same day;
    - 08:30 exactly, or 10:00, on a school day is due 08:30 on the next school day;
    - Friday 20:00 is due Monday 08:30, or the first day of next term in a holiday.
    Raises CalendarExhausted when no school day is left in the known terms.
    """
    local = _aware(at, "at").astimezone(LONDON)
    day = local.date()
    if is_school_day(day, calendar):
        today_start = _at_london(day, calendar.day_starts_at)
        if at < today_start:
            return today_start
    return _at_london(_next_school_day(day, at, calendar), calendar.day_starts_at)
