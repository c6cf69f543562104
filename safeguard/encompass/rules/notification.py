"""Operation Encompass: who is notified about a child after a police-attended domestic abuse
incident, and by when (docs/rules.md 4; Domestic Abuse Act 2021 s49A, in force 7 Nov 2025)."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from safeguard.core.calendars import (
    DEFAULT_SCHOOL_DAY_START,
    LONDON,
    CalendarExhausted,
    SchoolCalendar,
    is_working_day,
    next_school_day_start,
)

# Reception to 17 (docs/rules.md 4): a child aged 4 to 17 on the day of the incident.
MIN_AGE = 4
MAX_AGE = 17


class Route(StrEnum):
    SCHOOL = "school"  # the school's key adults (DSL and deputies)
    LOCAL_AUTHORITY = "local_authority"  # a child educated at home
    UNRESOLVED = "unresolved"  # no known school: a "to resolve" queue, never dropped

    @property
    def label(self) -> str:
        return {
            Route.SCHOOL: "School",
            Route.LOCAL_AUTHORITY: "Local authority (educated at home)",
            Route.UNRESOLVED: "School not known",
        }[self]


def eligible(age: int | None) -> bool:
    """Aged 4 to 17 at the incident. An unknown age is notified: nothing is dropped."""
    return age is None or MIN_AGE <= age <= MAX_AGE


def route_for(*, school_known: bool, home_educated: bool) -> Route:
    if home_educated:
        return Route.LOCAL_AUTHORITY
    return Route.SCHOOL if school_known else Route.UNRESOLVED


def next_working_day_start(at: datetime, starts: time = DEFAULT_SCHOOL_DAY_START) -> datetime:
    """The first start of a working day (Monday to Friday, not an England and Wales bank
    holiday) strictly after `at`: used when no term dates are known."""
    local = at.astimezone(LONDON)
    day: date = local.date()
    while True:
        start = datetime.combine(day, starts, tzinfo=LONDON)
        if is_working_day(day) and start > at:
            return start
        day += timedelta(days=1)


def notification_due(
    *,
    incident_at: datetime,
    route: Route,
    calendar: SchoolCalendar | None,
    school_starts_at: time | None = None,
) -> datetime:
    """Before the start of the child's next school day, at that school's own start time,
    skipping weekends, bank holidays and school holidays. Without term dates (or past the last
    known term), and for the local authority or an unknown school, the next working day.

    The answer is the UTC instant of that school-day start, whatever zone `incident_at` came
    in: the same incident given in UTC or in Europe/London has the same deadline."""
    starts = school_starts_at or (calendar.day_starts_at if calendar else DEFAULT_SCHOOL_DAY_START)
    if route == Route.SCHOOL and calendar is not None and calendar.terms:
        try:
            due = next_school_day_start(incident_at, replace(calendar, day_starts_at=starts))
            return due.astimezone(UTC)
        except CalendarExhausted:
            pass
    return next_working_day_start(incident_at, starts).astimezone(UTC)
