"""The pure half of the synthetic data generator: plain rows, batch by batch, from a seed.

No ORM and no clock here. `generate_batches(setup, plan)` yields `Batch` objects whose rows are
tuples in the column order of `TABLES`, with explicit ids for people and cases (the writer
reserves those id ranges first), so the same seed and the same starting state always give the
same data, and the determinism test can run without a database.

Memory stays constant however many cases are asked for: only the current batch, a window of
recent households (for repeat cases) and the reference counters per year are held.

The case mix, grades, sources, repeat shares and durations come from `volumes` (published
figures for missing children; the other types are assumptions, documented there). Names are
Faker's en_GB tables (plus recent ONS children's names), drawn with one seeded `random.Random`;
addresses are in a fictional Teesside force area with well-formed TS postcodes.

Each case tells a whole story up to `plan.until`: received, triaged (a decision), allocated (an
allocation and a first supervisory review, then periodic ones), investigating (notes, the voice
of each subject child), closure requested (a decision) and approved (a closure review), with a
timeline event at every step and a "person recorded" event for everyone it brings in. The status
is the last step reached by `until`, so older years are closed and recent weeks are open.

A missing child's case also gets its missing episode (`episodes`): the report, grades, response,
return, interviews and triggers; a trigger may raise an exploitation case, written in the same
run on top of the plan's (its id comes from the reserved range's headroom, `max_case_ids`).
A domestic abuse case gets its incident (`incidents`): the children and their voices, the DASH,
a MARAC referral where the rule says so, the triage unit's assessment, and an Operation
Encompass notification per child aged 4 to 17. Children aged 4 or more mostly attend one of the
area's schools (`setup.schools`), by their town's council and their age.
`plan.case_types` narrows the run to some types, each at its own yearly volume.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from faker.providers.person.en_GB import Provider as EnGbNames

from safeguard.cases.rules.referral import ReferralDecision
from safeguard.core.calendars import LONDON, SchoolCalendar, london_date
from safeguard.missing.rules.response import ResponsePolicy
from safeguard.people.rules.ages import age_on
from safeguard.people.rules.matching import address_key, search_keys
from safeguard.supervision.rules import ReviewPolicy, next_review_due
from safeguard.synthetic import phrases
from safeguard.synthetic.draws import Counts as _Counts
from safeguard.synthetic.draws import Household, Person, StaffMember, Story
from safeguard.synthetic.draws import Picker as _Picker
from safeguard.synthetic.draws import years_before as _years_before
from safeguard.synthetic.episodes import MISSING_TABLES, Episodes, LocalAuthorityRef, Reported
from safeguard.synthetic.incidents import (
    DA_TABLES,
    MAX_CHILDREN_PER_INCIDENT,
    Incidents,
    Recorded,
    SchoolRef,
)
from safeguard.synthetic.volumes import (
    CASE_TYPES,
    ETHNICITIES,
    HOURS_OF_DAY,
    MAX_NEW_PEOPLE_PER_CASE,
    PROFILES,
    RECENT_BOYS,
    RECENT_GIRLS,
    RECENT_HOUSEHOLDS,
    STREET_KINDS,
    TOWN_AUTHORITY,
    TOWNS,
    TypeProfile,
    hours_of_day_for,
)

DEFAULT_UNTIL = datetime(2026, 11, 1, tzinfo=UTC)
DAYS_PER_FORCE_YEAR = 365

# Each table's columns, in insertion order (parents before children). People and cases carry
# their ids; the other tables let the database number their rows.
TABLES: dict[str, tuple[str, ...]] = {
    "person": (
        "id",
        "version",
        "force_id",
        "given_names",
        "family_name",
        "date_of_birth",
        "estimated_age",
        "estimated_on",
        "gender",
        "ethnicity",
        "school_urn",
        "search_keys",
        "on_protection_plan",
        "looked_after",
        "merged_into_id",
        "created_at",
        "created_by_id",
    ),
    "alias": ("person_id", "given_names", "family_name"),
    "address": (
        "force_id",
        "person_id",
        "line1",
        "line2",
        "town",
        "postcode",
        "match_key",
        "lived_from",
        "lived_to",
    ),
    "relationship": ("force_id", "person_id", "other_id", "kind"),
    "case": (
        "id",
        "version",
        "force_id",
        "reference",
        "case_type",
        "source",
        "status",
        "risk_grade",
        "risk_rationale",
        "summary",
        "unit_id",
        "owner_id",
        "received_at",
        "triaged_at",
        "allocated_at",
        "subjects_seen_at",
        "next_review_due_at",
        "closed_at",
        "created_at",
        "created_by_id",
        "updated_at",
        "referral_decision",
        "referral_reason",
    ),
    "involvement": ("force_id", "case_id", "person_id", "role"),
    "allocation": ("force_id", "case_id", "allocated_to_id", "allocated_by_id", "allocated_at"),
    "decision": (
        "force_id",
        "case_id",
        "decision",
        "rationale",
        "decided_by_id",
        "decided_at",
        "supersedes_id",
    ),
    "note": ("force_id", "case_id", "text", "author_id", "written_at"),
    "voice": (
        "force_id",
        "case_id",
        "child_id",
        "seen",
        "seen_at",
        "spoken_to",
        "spoken_to_alone",
        "child_said",
        "demeanour",
        "not_seen_reason",
        "recorded_by_id",
        "recorded_at",
    ),
    "review": (
        "force_id",
        "case_id",
        "kind",
        "reviewer_id",
        "reviewed_at",
        "findings",
        "direction",
        "next_review_on",
    ),
    "timeline": (
        "force_id",
        "case_id",
        "person_id",
        "kind",
        "title",
        "description",
        "actor_username",
        "at",
    ),
    # Each missing case's episode and what hangs off it (episodes.py).
    **MISSING_TABLES,
    # Each domestic abuse case's incident, DASH, MARAC and notifications (incidents.py).
    **DA_TABLES,
}

TYPE_LABELS = {
    "abuse_neglect": "Child abuse or neglect",
    "domestic_abuse": "Domestic abuse involving children",
    "missing": "Missing child",
    "online_cse": "Online child sexual exploitation",
    "exploitation": "Child sexual or criminal exploitation",
    "custody": "Child in custody",
    "other": "Other concern",
}
GRADES = ("high", "medium", "standard")
MAX_PERIODIC_REVIEWS = 6
# Postcode inward letters never use C, I, K, M, O or V.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Setup:
    """What the generator needs to know about the force, read from the database once."""

    force_id: int
    # (unit id, unit type), in id order.
    units: tuple[tuple[int, str], ...]
    # Who may own and work cases, who supervises, and who records referrals; in id order.
    workers: tuple[StaffMember, ...]
    supervisors: tuple[StaffMember, ...]
    recorders: tuple[StaffMember, ...]
    person_id_start: int
    case_id_start: int
    # The last reference number already issued, per year.
    reference_last: tuple[tuple[int, int], ...] = ()
    policy: ReviewPolicy = field(default_factory=ReviewPolicy)
    # For missing episodes: the force's local authorities, its duty inspectors (supervisors
    # stand in when it has none), its missing-children policy, and the reserved id ranges.
    local_authorities: tuple[LocalAuthorityRef, ...] = ()
    inspectors: tuple[StaffMember, ...] = ()
    missing_policy: ResponsePolicy = field(default_factory=ResponsePolicy)
    episode_id_start: int = 1
    return_interview_id_start: int = 1
    # For domestic abuse incidents: the area's schools (children attend them), term dates by
    # council code or school URN, the Operation Encompass desk and its officers, and the
    # reserved id ranges.
    schools: tuple[SchoolRef, ...] = ()
    term_calendars: tuple[tuple[str, SchoolCalendar], ...] = ()
    encompass_unit_id: int | None = None
    desk: tuple[StaffMember, ...] = ()
    incident_id_start: int = 1
    incident_child_id_start: int = 1
    notification_id_start: int = 1


@dataclass(frozen=True)
class Plan:
    seed: int
    force_years: int
    until: datetime = DEFAULT_UNTIL
    max_cases: int | None = None
    batch_size: int = 5000
    # Only these case types (all when empty): a force-year of them, at their own volumes.
    case_types: tuple[str, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t for t in CASE_TYPES if not self.case_types or t in self.case_types)

    @property
    def total_cases(self) -> int:
        """A force-year's volume times the years, capped; a cap thins the cases out evenly."""
        per_year = sum(PROFILES[t].per_force_year for t in self.types)
        natural = per_year * self.force_years
        return natural if self.max_cases is None else min(natural, self.max_cases)

    @property
    def max_case_ids(self) -> int:
        """Planned cases, and room for the exploitation cases that missing episodes' triggers
        raise (at most one per episode; in practice a few in a hundred cases)."""
        return self.total_cases + self.total_cases // 4 + 16

    @property
    def starts(self) -> datetime:
        return self.until - timedelta(days=DAYS_PER_FORCE_YEAR * self.force_years)

    @property
    def max_people(self) -> int:
        return self.total_cases * MAX_NEW_PEOPLE_PER_CASE

    @property
    def max_incident_children(self) -> int:
        """Children recorded on incidents (and so notifications): at most a household's."""
        return self.total_cases * MAX_CHILDREN_PER_INCIDENT


@dataclass
class Batch:
    rows: dict[str, list[tuple]]
    first_case_id: int
    last_case_id: int
    # The last reference number per year after this batch, for the years it touched.
    counters: dict[int, int]
    # Cases of the plan in this batch (case_count adds those raised by missing episodes).
    planned_cases: int = 0

    @property
    def case_count(self) -> int:
        return len(self.rows["case"])


# The people of a story live in draws.py, so the story's parts (episodes.py, incidents.py)
# share them without importing the generator.
_Person = Person
_Household = Household


@dataclass(frozen=True)
class _Raised:
    """A case a missing episode's trigger raises: what missing.services would give it."""

    household: _Household
    child: _Person
    grade: str
    recorder: StaffMember
    summary: str
    rationale: str


class _Ring:
    """A fixed-size window of recent items with O(1) random pick: constant memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[_Household] = []
        self.next = 0

    def add(self, item: _Household) -> None:
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            self.items[self.next] = item
            self.next = (self.next + 1) % self.size

    def pick(self, rng: random.Random) -> _Household | None:
        return self.items[rng.randrange(len(self.items))] if self.items else None


# Faker's en_GB name tables, drawn with the generator's own seeded random source: calling
# Faker per name cost a third of the generation time, for the same names.
FIRST_NAMES_FEMALE = _Picker(tuple((name, 1.0) for name in EnGbNames.first_names_female))
FIRST_NAMES_MALE = _Picker(tuple((name, 1.0) for name in EnGbNames.first_names_male))
LAST_NAMES = _Picker(tuple(EnGbNames.last_names.items()))
SIBLINGS = _Counts(35, 35, 20, 10)
NOTES_PER_CASE = _Counts(30, 35, 25, 10)


# School-age children (4 or more): most attend a known school, a few are educated at home,
# and the rest have no school on record [assumption; about 1 in 60 children is educated at home].
SCHOOL_KNOWN, HOME_EDUCATED = 0.86, 0.02
SECONDARY_PHASES = ("Secondary", "All-through", "Middle deemed secondary")


class Generator:
    """Yields batches of rows for `plan.total_cases` cases, oldest first."""

    def __init__(self, setup: Setup, plan: Plan) -> None:
        if not setup.units:
            raise ValueError("the force has no units")
        if not setup.workers or not setup.supervisors or not setup.recorders:
            raise ValueError("the force needs staff who can record, work and supervise cases")
        self.setup = setup
        self.plan = plan
        # Reproducible data, not secrets: a seeded PRNG is the point.
        self.rng = random.Random(plan.seed)  # noqa: S311
        self.force_id = setup.force_id
        self.next_person_id = setup.person_id_start
        self.next_case_id = setup.case_id_start
        self.counters = dict(setup.reference_last)
        self.households = _Ring(RECENT_HOUSEHOLDS)
        # Missing children, kept apart so a repeat missing report is about the same child;
        # households with domestic abuse, so repeat incidents are mostly with the same people.
        self.missing = _Ring(RECENT_HOUSEHOLDS // 2)
        self.abused = _Ring(RECENT_HOUSEHOLDS // 2)
        types = plan.types
        if not types:
            raise ValueError(f"no such case types: {', '.join(plan.case_types)}")
        if "missing" in types and not setup.local_authorities:
            raise ValueError("the force has no local authorities for missing episodes")
        weights = tuple(PROFILES[t].per_force_year for t in types)
        self.pick_type = _Picker(tuple(zip(types, weights, strict=True)))
        self.pick_grade = {
            t: _Picker(tuple(zip(GRADES, PROFILES[t].grades, strict=True))) for t in CASE_TYPES
        }
        self.pick_source = {t: _Picker(PROFILES[t].sources) for t in CASE_TYPES}
        self.pick_ethnicity = _Picker(ETHNICITIES)
        self.subject_age = {
            PROFILES[t]: _Counts(*PROFILES[t].subject_age_weights)
            for t in CASE_TYPES
            if PROFILES[t].subject_age_weights
        }
        self.unit_for_type = {t: self._units_for(PROFILES[t]) for t in CASE_TYPES}
        # Where a trigger's exploitation case goes (as missing.services: MASH, else missing).
        self.raise_units = self._units_of(("mash", "missing"))
        self.rows: dict[str, list[tuple]] = {}
        self.batch_years: set[int] = set()
        self.episodes = Episodes(self)
        self.incidents = Incidents(self)
        # The area's schools by (council, phase), by phase, and all of them, in URN order.
        self.school_choices: dict[tuple[str, bool | None], tuple[str, ...]] = {}
        for school in sorted(setup.schools, key=lambda s: s.urn):
            secondary = school.phase in SECONDARY_PHASES
            for key in ((school.la_code, secondary), ("", secondary), ("", None)):
                self.school_choices[key] = (*self.school_choices.get(key, ()), school.urn)

    # ---- staff and units -------------------------------------------------------------------

    def _units_for(self, profile: TypeProfile) -> tuple[int, ...]:
        return self._units_of(profile.unit_types)

    def _units_of(self, unit_types: tuple[str, ...]) -> tuple[int, ...]:
        """The force's units of the first preferred type it has; any unit otherwise."""
        for unit_type in unit_types:
            ids = tuple(uid for uid, kind in self.setup.units if kind == unit_type)
            if ids:
                return ids
        return tuple(uid for uid, _ in self.setup.units)

    def _member_of(self, staff: tuple[StaffMember, ...], unit_id: int) -> StaffMember:
        members = [person for person in staff if unit_id in person.unit_ids]
        return self.rng.choice(members or list(staff))

    # ---- people -----------------------------------------------------------------------------

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
    ) -> _Person:
        person_id = self.next_person_id
        self.next_person_id += 1
        names = [given, family, *(alias or ())]
        estimated_age = age_on(dob, london_date(recorded_at)) if estimated else None
        self.rows["person"].append(
            (
                person_id,
                1,
                self.force_id,
                given,
                family,
                None if estimated else dob,
                estimated_age,
                london_date(recorded_at) if estimated else None,
                gender,
                ethnicity,
                school_urn,
                search_keys(*names),
                # Markers children's social care tells the police; the generator draws none.
                False,
                False,
                None,
                recorded_at,
                recorded_by.id,
            )
        )
        if alias:
            self.rows["alias"].append((person_id, *alias))
        self.rows["timeline"].append(
            (
                self.force_id,
                None,
                person_id,
                "person.recorded",
                "Person recorded",
                "",
                recorded_by.username,
                recorded_at,
            )
        )
        return _Person(person_id, given, family, dob, gender, school_urn)

    def _address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        town, districts = TOWNS[rng.randrange(len(TOWNS))]
        street = f"{self._last_name()} {STREET_KINDS[rng.randrange(len(STREET_KINDS))]}"
        if rng.random() < 0.15:
            line1, line2 = f"Flat {rng.randint(1, 40)}", f"{rng.randint(1, 120)} {street}"
        else:
            line1, line2 = f"{rng.randint(1, 220)} {street}", ""
        letters = POSTCODE_LETTERS
        postcode = (
            f"TS{districts[rng.randrange(len(districts))]} "
            f"{rng.randint(1, 9)}{letters[rng.randrange(20)]}{letters[rng.randrange(20)]}"
        )
        return line1, line2, town, postcode

    def _live_at(
        self,
        people: list[_Person],
        address: tuple[str, str, str, str],
        since: date,
        to: date | None,
    ) -> None:
        line1, line2, town, postcode = address
        key = address_key(line1, postcode)
        for person in people:
            self.rows["address"].append(
                (self.force_id, person.id, line1, line2, town, postcode, key, since, to)
            )

    def _school_for(self, town: str, age: int) -> str:
        """A school of the child's town's council and phase (primary to 10, then secondary)."""
        secondary = age >= 11
        choices = (
            self.school_choices.get((TOWN_AUTHORITY.get(town, ""), secondary))
            or self.school_choices.get(("", secondary))
            or self.school_choices.get(("", None))
        )
        return choices[self.rng.randrange(len(choices))] if choices else ""

    def _female_name(self) -> str:
        return FIRST_NAMES_FEMALE(self.rng)

    def _male_name(self) -> str:
        return FIRST_NAMES_MALE(self.rng)

    def _last_name(self) -> str:
        return LAST_NAMES(self.rng)

    def _child_name(self, gender: str) -> str:
        rng = self.rng
        if gender == "female":
            recent, faker_name = RECENT_GIRLS, self._female_name
        else:
            recent, faker_name = RECENT_BOYS, self._male_name
        return recent[rng.randrange(len(recent))] if rng.random() < 0.5 else faker_name()

    def _new_household(
        self, profile: TypeProfile, at: datetime, recorder: StaffMember
    ) -> tuple[_Household, _Person]:
        """A household of 1-2 carers and 1-4 children; returns it and the subject child."""
        rng = self.rng
        today = london_date(at)
        address = self._address()
        town = address[2]
        ethnicity = self.pick_ethnicity(rng)
        family = self._last_name()
        low, high = profile.subject_age
        if profile.subject_age_weights:
            subject_age = low + self.subject_age[profile](rng)
        else:
            subject_age = rng.randint(low, high)
        subject_dob = _years_before(today, subject_age, rng.randrange(365))
        # Siblings a year or more apart (never two born weeks apart), all still children.
        dobs = [subject_dob]
        count = SIBLINGS(rng)
        for gap in rng.sample(range(1, 9), count):
            for sign in rng.sample((-1, 1), 2):
                dob = subject_dob + timedelta(days=sign * gap * 365 + rng.randint(-90, 90))
                if 0 <= age_on(dob, today) <= 17 and dob <= today:
                    dobs.append(dob)
                    break
        ages = [age_on(dob, today) for dob in dobs]
        children: list[_Person] = []
        child_family = family if rng.random() < 0.85 else self._last_name()
        for dob, age in zip(dobs, ages, strict=True):
            gender = "female" if rng.random() < 0.5 else "male"
            if rng.random() < 0.02:
                gender = "unknown"
            urn, home = "", False
            if age >= 4:
                draw = rng.random()
                if draw < SCHOOL_KNOWN:
                    urn = self._school_for(town, age)
                else:
                    home = draw < SCHOOL_KNOWN + HOME_EDUCATED
            given = self._child_name(gender)
            alias = (given[:3], child_family) if rng.random() < 0.02 else None
            child = self._new_person(
                given=given,
                family=child_family,
                dob=dob,
                gender=gender,
                ethnicity=ethnicity,
                recorded_at=at,
                recorded_by=recorder,
                school_urn=urn,
                alias=alias,
            )
            child.home_educated = home
            children.append(child)
        oldest = max(ages)
        mother_age = min(70, max(18, oldest + rng.randint(17, 40)))
        carers = []
        maiden = self._last_name()
        mother_family = family if rng.random() < 0.7 else maiden
        carers.append(
            self._new_person(
                given=self._female_name(),
                family=mother_family,
                dob=_years_before(today, mother_age, rng.randrange(365)),
                gender="female",
                ethnicity=ethnicity,
                recorded_at=at,
                recorded_by=recorder,
                alias=(("", maiden) if mother_family != maiden and rng.random() < 0.1 else None),
            )
        )
        if rng.random() < 0.65:
            father_age = min(70, max(18, mother_age + rng.randint(-3, 8)))
            carers.append(
                self._new_person(
                    given=self._male_name(),
                    family=family,
                    dob=_years_before(today, father_age, rng.randrange(365)),
                    gender="male",
                    ethnicity=ethnicity,
                    recorded_at=at,
                    recorded_by=recorder,
                )
            )
        relationships = self.rows["relationship"]
        for carer in carers:
            for child in children:
                relationships.append((self.force_id, carer.id, child.id, "parent_carer"))
        for i, older in enumerate(children):
            for younger in children[i + 1 :]:
                relationships.append((self.force_id, older.id, younger.id, "sibling"))
        if len(carers) == 2:
            relationships.append((self.force_id, carers[0].id, carers[1].id, "household"))
        # Where they live now, and for some where they lived before.
        moved_in = _years_before(today, rng.randint(0, 8), rng.randrange(365))
        if rng.random() < 0.25:
            before = _years_before(moved_in, rng.randint(1, 6), rng.randrange(365))
            self._live_at(carers + children, self._address(), before, moved_in - timedelta(days=1))
        self._live_at(carers + children, address, moved_in, None)
        line1, line2, _, postcode = address
        household = _Household(
            carers,
            children,
            town=town,
            address=", ".join(part for part in (line1, line2, town, postcode) if part),
        )
        self.households.add(household)
        return household, children[0]

    def _stranger(self, at: datetime, recorder: StaffMember, *, suspect: bool) -> _Person:
        """An adult from outside the household: a suspect, or a neighbour who reported."""
        rng = self.rng
        male = rng.random() < (0.9 if suspect else 0.4)
        person = self._new_person(
            given=self._male_name() if male else self._female_name(),
            family=self._last_name(),
            dob=_years_before(
                london_date(at), rng.randint(18, 60 if suspect else 70), rng.randrange(365)
            ),
            gender="male" if male else "female",
            ethnicity=self.pick_ethnicity(rng),
            recorded_at=at,
            recorded_by=recorder,
            estimated=suspect and rng.random() < 0.3,
            alias=(self._male_name(), "") if suspect and rng.random() < 0.1 else None,
        )
        self._live_at(
            [person], self._address(), _years_before(london_date(at), rng.randint(0, 5), 0), None
        )
        return person

    def _repeat(self, case_type: str, at: datetime) -> tuple[_Household, _Person] | None:
        """A recent household with a child of the right age, or None for a new household."""
        rng = self.rng
        today = london_date(at)
        low, high = PROFILES[case_type].subject_age
        # A child is not reported missing while still missing, nor within the hour of return.
        back_by = at - timedelta(hours=1)
        if case_type == "missing":
            household = self.missing.pick(rng)
            if household is not None:
                for child in household.children:
                    if (
                        child.id in household.missing_before
                        and age_on(child.dob, today) <= 17
                        and household.missing_until.get(child.id, back_by) <= back_by
                    ):
                        return household, child
        if case_type == "domestic_abuse" and rng.random() < 0.7:
            household = self.abused.pick(rng) or self.households.pick(rng)
        else:
            household = self.households.pick(rng)
        if household is None:
            return None
        eligible = [
            c
            for c in household.children
            if low <= age_on(c.dob, today) <= high
            and (case_type != "missing" or household.missing_until.get(c.id, back_by) <= back_by)
        ]
        return (household, rng.choice(eligible)) if eligible else None

    # ---- cases ------------------------------------------------------------------------------

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(low, high) * 3600))

    def _log_days(self, low: float, high: float) -> timedelta:
        days = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        return timedelta(seconds=int(days * 86400))

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
    ) -> None:
        """A timeline row as the services write it: `about` is the child it is about (their
        chronology holds it, no other child's does), None for the whole case."""
        self.rows["timeline"].append(
            (self.force_id, case_id, about, kind, title, text, who.username, at)
        )

    def raise_exploitation_case(
        self,
        at: datetime,
        *,
        household: _Household,
        child: _Person,
        grade: str,
        recorder: StaffMember,
        summary: str,
        rationale: str,
    ) -> tuple[int, str]:
        """An exploitation case raised by a missing episode's trigger, as missing.services
        raises it: received when the trigger fired, about the child alone, in the MASH."""
        return self._case(at, raised=_Raised(household, child, grade, recorder, summary, rationale))

    def _time_of_day(self, received: datetime, case_type: str, source: str) -> datetime:
        """The referral at a plausible hour of its London day (volumes.HOURS_OF_DAY); a school's
        on the nearest weekday. The even slot's place in its day is mapped through the curve's
        inverse distribution, so referrals of one kind keep their order (a victim's incidents,
        a child's missing episodes) and no random draw is spent. Kept as it was if the move
        would leave the plan's span."""
        curve = HOURS_OF_DAY[hours_of_day_for(case_type, source)]
        local = received.astimezone(LONDON)
        day = local.date()
        if hours_of_day_for(case_type, source) == "school" and day.weekday() >= 5:
            day += timedelta(days=-1 if day.weekday() == 5 else 1)
        share = (local.hour * 3600 + local.minute * 60 + local.second) / 86400 * sum(curve)
        seconds = 0.0
        for hour, weight in enumerate(curve):
            if share < weight:
                seconds = 3600 * (hour + share / weight)
                break
            share -= weight
        else:
            seconds = 86399
        seconds = min(int(seconds), 86399)
        wall = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
        moved = datetime.combine(day, wall, tzinfo=LONDON).astimezone(UTC)
        if not self.plan.starts <= moved <= self.plan.until:
            return received
        return moved

    def _case(self, received: datetime, raised: "_Raised | None" = None) -> tuple[int, str]:
        """One case, its people and its story; returns its id and reference."""
        rng = self.rng
        until = self.plan.until
        if raised is None:
            case_type = self.pick_type(rng)
            grade = self.pick_grade[case_type](rng)
            source = self.pick_source[case_type](rng)
            received = self._time_of_day(received, case_type, source)
            recorder = self.setup.recorders[rng.randrange(len(self.setup.recorders))]
            created = min(until, received + timedelta(minutes=rng.randint(2, 90)))
            profile = PROFILES[case_type]
            found = (
                self._repeat(case_type, received) if rng.random() < profile.repeat_share else None
            )
            household, subject = found or self._new_household(profile, created, recorder)
            unit_choices = self.unit_for_type[case_type]
        else:
            case_type, grade, source = "exploitation", raised.grade, "officer"
            recorder, created = raised.recorder, received
            profile = PROFILES[case_type]
            household, subject = raised.household, raised.child
            unit_choices = self.raise_units
        if case_type == "missing" and subject.id not in household.missing_before:
            household.missing_before.append(subject.id)
            self.missing.add(household)

        case_id = self.next_case_id
        self.next_case_id += 1
        year = received.year
        self.batch_years.add(year)
        number = self.counters.get(year, 0) + 1
        self.counters[year] = number
        reference = f"CP-{year}-{number:06d}"
        unit_id = unit_choices[rng.randrange(len(unit_choices))]
        owner = self._member_of(self.setup.workers, unit_id)
        supervisor = self._member_of(self.setup.supervisors, unit_id)

        # Involvements: the subject, sometimes siblings, a carer, a suspect, a reporter; a
        # case raised by a trigger is about the child alone. A domestic abuse incident
        # involves the household's children, the victim and the suspect.
        involved: list[tuple[int, str]] = [(subject.id, "subject")]
        incident: Recorded | None = None
        if case_type == "domestic_abuse" and raised is None:
            incident = self.incidents.record(
                case_id=case_id,
                reference=reference,
                received=received,
                created=created,
                household=household,
                subject=subject,
                recorder=recorder,
                owner=owner,
                supervisor=supervisor,
                unit_id=unit_id,
            )
            involved = incident.involved
            if household.da_incidents and not household.abused:
                household.abused = True
                self.abused.add(household)
            grade = incident.grade
        elif raised is None:
            self._others_involved(
                case_type, source, profile, household, involved, created, recorder
            )
        for person_id, role in dict.fromkeys(involved):
            self.rows["involvement"].append((self.force_id, case_id, person_id, role))

        # A missing child's episode: its report, grades, response and return (episodes.py).
        episode: Reported | None = None
        if case_type == "missing":
            episode = self.episodes.report(
                case_id=case_id,
                reference=reference,
                received=received,
                created=created,
                case_grade=grade,
                source=source,
                household=household,
                child=subject,
                recorder=recorder,
                owner=owner,
                supervisor=supervisor,
            )

        # The lifecycle: each step after the last; the status is the last step reached by
        # `until`, so older years are almost all closed and recent weeks are still open.
        fast = grade == "high"
        triaged = created + (self._hours(0.1, 2) if fast else self._hours(0.2, 12))
        allocated = triaged + (self._hours(0.2, 4) if fast else self._hours(0.5, 48))
        investigating = allocated + self._hours(0.1, 24)
        requested = investigating + self._log_days(*profile.work_days)
        if episode is not None:
            # The grading is the triage (as a report through the services); closure is asked
            # for only after the return and the police's interviews.
            shift = triaged - created
            triaged, allocated, investigating = created, allocated - shift, investigating - shift
            requested = max(requested - shift, episode.close_floor)
        if incident is not None:
            # The triage is the unit's secondary assessment: allocated after it.
            triaged_at = incident.triaged or until + timedelta(days=1)
            shift = triaged_at - triaged
            triaged, allocated = triaged_at, allocated + shift
            investigating, requested = investigating + shift, requested + shift
        closed = requested + self._hours(2, 120)
        steps = [
            ("received", created),
            ("triaged", triaged),
            ("allocated", allocated),
            ("investigating", investigating),
            ("awaiting_closure", requested),
            ("closed", closed),
        ]
        status, last_at = next((s, t) for s, t in reversed(steps) if t <= until)
        reached = {s for s, t in steps if t <= until}
        label = TYPE_LABELS[case_type]
        rationale = rng.choice(phrases.fitting(phrases.RATIONALES[grade], case_type))
        if episode is not None:
            rationale = episode.rationale
        elif incident is not None:
            rationale = incident.rationale
        elif raised is not None:
            rationale = raised.rationale
        self._event(
            case_id,
            "case.received",
            f"Referral received: {label}",
            recorder,
            created,
            f"Risk graded {grade}: {rationale}",
        )

        if "triaged" in reached:
            self._event(case_id, "case.triage", "Triage: now triaged", supervisor, triaged)
            decision, why = rng.choice(phrases.fitting(phrases.TRIAGE_DECISIONS, case_type))
            decided = min(until, triaged + timedelta(minutes=rng.randint(1, 60)))
            self.rows["decision"].append(
                (self.force_id, case_id, decision, why, supervisor.id, decided, None)
            )
            self._event(
                case_id, "case.decision", "Decision recorded", supervisor, decided, decision
            )

        allocated_at = None
        last_review = None
        if "allocated" in reached:
            allocated_at = allocated
            self.rows["allocation"].append(
                (self.force_id, case_id, owner.id, supervisor.id, allocated)
            )
            self._event(
                case_id,
                "case.allocate",
                "Allocate: now allocated",
                supervisor,
                allocated,
                f"Allocated to {owner.display_name}",
            )
            # Supervision: a first review soon after allocation (sometimes late), then
            # periodic ones while the work goes on; patchy on long cases, as inspections find.
            work_ends = min(requested, until)
            at = allocated + self._hours(1, 60)
            kind = "allocation"
            reviews = 0
            while at < work_ends and reviews <= MAX_PERIODIC_REVIEWS:
                self.rows["review"].append(
                    (
                        self.force_id,
                        case_id,
                        kind,
                        supervisor.id,
                        at,
                        rng.choice(phrases.REVIEW_FINDINGS),
                        direction := rng.choice(phrases.REVIEW_DIRECTIONS),
                        None,
                    )
                )
                title = "Review at allocation" if kind == "allocation" else "Periodic review"
                self._event(case_id, "supervision.review", title, supervisor, at, direction)
                last_review = at
                reviews += 1
                kind = "periodic"
                at += self._hours(10 * 24, 35 * 24)

        if "investigating" in reached:
            self._event(
                case_id,
                "case.start_investigation",
                "Start investigation: now investigating",
                owner,
                investigating,
            )
            work_ends = min(requested, until)
            span = (work_ends - investigating).total_seconds()
            notes = phrases.fitting(phrases.NOTES, case_type)
            for _ in range(NOTES_PER_CASE(rng)):
                written = investigating + timedelta(seconds=int(rng.random() * span))
                self.rows["note"].append(
                    (self.force_id, case_id, rng.choice(notes), owner.id, written)
                )
                self._event(case_id, "case.note", "Note added", owner, written)

        first_seen = None
        if "closed" in reached or ("investigating" in reached and rng.random() < 0.5):
            work_ends = min(requested, until)
            span = (work_ends - investigating).total_seconds()
            subjects = [person_id for person_id, role in involved if role == "subject"]
            for child_id in subjects:
                recorded = investigating + timedelta(seconds=int(rng.random() * span))
                first_seen = self._voice(
                    case_id, child_id, subject, owner, received, recorded, case_type
                )
        if incident is not None and incident.first_seen is not None:
            first_seen = incident.first_seen  # seen at the attendance, before any visit
        if incident is not None:
            last_at = max(last_at, incident.last_at)

        if "awaiting_closure" in reached:
            self._event(
                case_id,
                "case.request_closure",
                "Request closure: now awaiting closure approval",
                owner,
                requested,
            )
            decision, why = rng.choice(phrases.fitting(phrases.CLOSURE_DECISIONS, case_type))
            self.rows["decision"].append(
                (self.force_id, case_id, decision, why, owner.id, requested, None)
            )
            self._event(case_id, "case.decision", "Decision recorded", owner, requested, decision)

        if "closed" in reached:
            findings = rng.choice(phrases.CLOSURE_FINDINGS)
            self.rows["review"].append(
                (
                    self.force_id,
                    case_id,
                    "closure",
                    supervisor.id,
                    closed,
                    findings,
                    "Close the case.",
                    None,
                )
            )
            self._event(
                case_id,
                "supervision.closure_review",
                "Closure review",
                supervisor,
                closed,
                findings,
            )
            self._event(
                case_id, "case.approve_closure", "Approve closure: now closed", supervisor, closed
            )

        review_due = None
        if status in ("allocated", "investigating", "awaiting_closure"):
            review_due = next_review_due(
                allocated_at=allocated_at,
                last_review_at=last_review,
                directed_next_review=None,
                policy=self.setup.policy,
            )
        if episode is not None:
            summary = episode.summary
        elif raised is not None:
            summary = raised.summary
        else:
            summary = rng.choice(phrases.SUMMARIES[case_type]).format(child=subject.given)
        self.rows["case"].append(
            (
                case_id,
                1,
                self.force_id,
                reference,
                case_type,
                source,
                status,
                grade,
                rationale,
                summary,
                unit_id,
                owner.id if allocated_at else recorder.id,
                received,
                triaged if "triaged" in reached else None,
                allocated_at,
                first_seen,
                review_due,
                closed if status == "closed" else None,
                created,
                recorder.id,
                last_at,
                *(_referral_decision(grade) if "triaged" in reached else ("", "")),
            )
        )
        if case_type == "exploitation":
            household.exploitation[subject.id] = (
                case_id,
                reference,
                received,
                closed if status == "closed" else None,
            )
        if episode is not None:
            self.episodes.triggers(episode)
        return case_id, reference

    def _others_involved(
        self,
        case_type: str,
        source: str,
        profile: TypeProfile,
        household: _Household,
        involved: list[tuple[int, str]],
        created: datetime,
        recorder: StaffMember,
    ) -> None:
        rng = self.rng
        subject_id = involved[0][0]
        if rng.random() < profile.siblings_share:
            involved += [(c.id, "sibling") for c in household.children if c.id != subject_id]
        carers = household.carers
        suspect_carer = None
        if profile.suspect == "parent" and rng.random() < 0.8:
            suspect_carer = carers[-1]
            involved.append((suspect_carer.id, "suspect"))
        carer = next((c for c in carers if c is not suspect_carer), carers[0])
        involved.append((carer.id, "parent_carer"))
        if profile.suspect == "stranger" and rng.random() < 0.85:
            involved.append((self._stranger(created, recorder, suspect=True).id, "suspect"))
        if case_type == "missing" and source != "social_care":
            involved.append((carer.id, "reporter"))
        elif source in ("non_emergency_call", "emergency_call", "other") and rng.random() < 0.3:
            involved.append((self._stranger(created, recorder, suspect=False).id, "reporter"))

    def _voice(
        self,
        case_id: int,
        child_id: int,
        subject: _Person,
        owner: StaffMember,
        received: datetime,
        recorded: datetime,
        case_type: str,
    ) -> datetime | None:
        """One voice-of-the-child record; returns when the child was seen, if they were."""
        rng = self.rng
        seen = rng.random() < 0.88
        young = age_on(subject.dob, london_date(recorded)) < 3
        spoken = seen and not young and rng.random() < 0.85
        seen_at = max(received, recorded - self._hours(0, 4)) if seen else None
        self.rows["voice"].append(
            (
                self.force_id,
                case_id,
                child_id,
                seen,
                seen_at,
                spoken,
                spoken and rng.random() < 0.6,
                rng.choice(phrases.fitting(phrases.CHILD_SAID, case_type)) if spoken else "",
                rng.choice(phrases.DEMEANOURS) if seen else "",
                "" if seen else rng.choice(phrases.NOT_SEEN_REASONS),
                owner.id,
                recorded,
            )
        )
        name = f"{subject.given} {subject.family}"
        if not seen:
            title = f"{name} not seen"
        elif spoken:
            title = f"{name} seen and spoken to"
        else:
            title = f"{name} seen, not spoken to"
        self._event(case_id, "case.voice", title, owner, recorded, about=child_id)
        return seen_at

    def batches(self) -> Iterator[Batch]:
        """Every case of the plan, oldest first, `plan.batch_size` cases to a batch."""
        total = self.plan.total_cases
        starts = self.plan.starts
        # Even slots with jitter: sorted by construction, so no list of times is ever held.
        slot = (self.plan.until - starts).total_seconds() / max(total, 1)
        done = 0
        while done < total:
            self.rows = {table: [] for table in TABLES}
            self.batch_years = set()
            first_case_id = self.next_case_id
            planned = min(total, done + self.plan.batch_size) - done
            for index in range(done, done + planned):
                received = starts + timedelta(seconds=int((index + self.rng.random()) * slot))
                self._case(received)
            done += planned
            if self.next_person_id - self.setup.person_id_start > self.plan.max_people:
                raise RuntimeError("more people than the reserved id range")
            if self.next_case_id - self.setup.case_id_start > self.plan.max_case_ids:
                raise RuntimeError("more cases than the reserved id range")
            incidents = self.incidents
            if (
                incidents.next_incident_id - self.setup.incident_id_start > self.plan.total_cases
                or incidents.next_child_id - self.setup.incident_child_id_start
                > self.plan.max_incident_children
                or incidents.next_notification_id - self.setup.notification_id_start
                > self.plan.max_incident_children
            ):
                raise RuntimeError("more incidents or notifications than the reserved id ranges")
            yield Batch(
                rows=self.rows,
                first_case_id=first_case_id,
                last_case_id=self.next_case_id - 1,
                counters={year: self.counters[year] for year in sorted(self.batch_years)},
                planned_cases=planned,
            )


def as_story(generator: Generator) -> Story:
    """A Generator is the Story its parts are told (checked by mypy here, where both meet)."""
    return generator


def generate_batches(setup: Setup, plan: Plan) -> Iterator[Batch]:
    return Generator(setup, plan).batches()


# docs/rules.md 5.1: the referral decision a triage records, drawn from the grade (no random
# draw, so a seed's people and cases stay as they were).
_DECISION_BY_GRADE = {
    "high": (
        ReferralDecision.STRATEGY_DISCUSSION,
        "Reasonable cause to suspect significant harm: a strategy discussion is needed.",
    ),
    "medium": (
        ReferralDecision.CHILD_IN_NEED,
        "The child's needs call for a child in need assessment by children's social care.",
    ),
}


def _referral_decision(grade: str) -> tuple[str, str]:
    decision, reason = _DECISION_BY_GRADE.get(
        grade,
        (ReferralDecision.EARLY_HELP, "Needs can be met by early help with the family's consent."),
    )
    return decision.value, reason
