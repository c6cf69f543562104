"""Weighted draws from fixed tables with the generator's one seeded random source, and the
people and staff a story is told about: what the parts of a case's story (episodes.py,
incidents.py) share with the generator that tells it, so they import this, never the generator.

The generator imports its parts; its parts know it only as a `Story`, the protocol below."""

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from safeguard.core.calendars import SchoolCalendar
from safeguard.missing.rules.response import ResponsePolicy


def cumulative(weights: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(weights)
    running = 0.0
    out = []
    for weight in weights:
        running += weight / total
        out.append(running)
    return tuple(out)


class Picker:
    """Weighted choice from a fixed table: one draw and a bisection (rng.choices re-adds the
    weights on every call)."""

    def __init__(self, pairs: tuple[tuple[str, float], ...]) -> None:
        self.values = tuple(value for value, _ in pairs)
        self.cumulative = cumulative(tuple(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> str:
        index = bisect.bisect_right(self.cumulative, rng.random())
        return self.values[min(index, len(self.values) - 1)]


class Counts:
    """A weighted small count (0, 1, 2, ...), like Picker."""

    def __init__(self, *weights: float) -> None:
        self.cumulative = cumulative(weights)

    def __call__(self, rng: random.Random) -> int:
        return min(bisect.bisect_right(self.cumulative, rng.random()), len(self.cumulative) - 1)


def years_before(day: date, years: int, extra_days: int) -> date:
    """The date `years` whole years and `extra_days` days before `day` (29 Feb safe)."""
    try:
        anniversary = day.replace(year=day.year - years)
    except ValueError:
        anniversary = day.replace(year=day.year - years, day=28)
    return anniversary - timedelta(days=extra_days)


# ---- The people of a story ---------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    unit_ids: tuple[int, ...]


@dataclass
class Person:
    id: int
    given: str
    family: str
    dob: date
    gender: str
    school_urn: str = ""
    home_educated: bool = False


@dataclass
class Household:
    carers: list[Person]
    children: list[Person]
    # Children of this household reported missing before (ids), for repeat missing cases.
    missing_before: list[int] = field(default_factory=list)
    town: str = ""
    # Per child: when their recent episodes began, when they were last recorded back (a child
    # still missing is never reported missing again), and their latest exploitation case
    # (id, reference, received, closed or None), for the missing-episode triggers.
    missing_starts: dict[int, list[datetime]] = field(default_factory=dict)
    missing_until: dict[int, datetime] = field(default_factory=dict)
    exploitation: dict[int, tuple[int, str, datetime, datetime | None]] = field(
        default_factory=dict
    )
    address: str = ""
    # Domestic abuse: the victim, suspect and relationship of the latest incident, and per
    # victim when their recent incidents were attended and MARAC referrals decided.
    abused: bool = False
    da_pair: "tuple[Person, Person | None, str] | None" = None
    da_incidents: dict[int, list[datetime]] = field(default_factory=dict)
    maracs: dict[int, list[datetime]] = field(default_factory=dict)


# ---- What a part of the story sees of the generator ----------------------------------------------


class StorySetup(Protocol):
    """The force, as a part of the story reads it (the generator's `Setup`)."""

    @property
    def workers(self) -> tuple[StaffMember, ...]: ...
    @property
    def supervisors(self) -> tuple[StaffMember, ...]: ...
    @property
    def inspectors(self) -> tuple[StaffMember, ...]: ...
    @property
    def desk(self) -> tuple[StaffMember, ...]: ...
    @property
    def missing_policy(self) -> ResponsePolicy: ...
    @property
    def term_calendars(self) -> tuple[tuple[str, SchoolCalendar], ...]: ...
    @property
    def encompass_unit_id(self) -> int | None: ...
    # episodes.LocalAuthorityRef and incidents.SchoolRef: those modules define them.
    @property
    def local_authorities(self) -> Sequence[Any]: ...
    @property
    def schools(self) -> Sequence[Any]: ...
    @property
    def episode_id_start(self) -> int: ...
    @property
    def return_interview_id_start(self) -> int: ...
    @property
    def incident_id_start(self) -> int: ...
    @property
    def incident_child_id_start(self) -> int: ...
    @property
    def notification_id_start(self) -> int: ...


class StoryPlan(Protocol):
    @property
    def until(self) -> datetime: ...


class Story(Protocol):
    """The generator, as a part of a case's story (a missing episode, a domestic abuse incident)
    uses it: the seeded random source, the rows of the batch, and the people and events it
    adds. generator.Generator is one."""

    rng: random.Random
    force_id: int
    rows: dict[str, list[tuple]]

    @property
    def setup(self) -> StorySetup: ...
    @property
    def plan(self) -> StoryPlan: ...

    def _event(
        self,
        case_id: int,
        kind: str,
        title: str,
        who: StaffMember,
        at: datetime,
        text: str = "",
        *,
        about: int | None = None,
    ) -> None: ...
    def _female_name(self) -> str: ...
    def _male_name(self) -> str: ...
    def _last_name(self) -> str: ...
    def _address(self) -> tuple[str, str, str, str]: ...
    def _live_at(
        self,
        people: list[Person],
        address: tuple[str, str, str, str],
        since: date,
        to: date | None,
    ) -> None: ...
    def _member_of(self, staff: tuple[StaffMember, ...], unit_id: int) -> StaffMember: ...
    def _new_person(
        self,
        *,
        given: str,
        family: str,
        dob: date,
        gender: str,
        ethnicity: str,
        recorded_at: datetime,
        recorded_by: StaffMember,
        school_urn: str = "",
        estimated: bool = False,
        alias: tuple[str, str] | None = None,
    ) -> Person: ...
    def _school_for(self, town: str, age: int) -> str: ...
    def _stranger(self, at: datetime, recorder: StaffMember, *, suspect: bool) -> Person: ...
    def raise_exploitation_case(
        self,
        at: datetime,
        *,
        household: Household,
        child: Person,
        grade: str,
        recorder: StaffMember,
        summary: str,
        rationale: str,
    ) -> tuple[int, str]: ...
