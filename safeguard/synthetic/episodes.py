"""Missing episodes for the generator's missing-child cases (issue 5): pure rows, like the rest.

Each case of type "missing" gets one episode, told the way the services would have recorded it
(safeguard.missing.services): the report, its grade history, the response, the return, the
prevention interview and the local authority's return home interview, and the repeat and
exploitation-indicator triggers with the exploitation case they raised or added to.

Shapes, sourced or assumed (the published volumes in docs/architecture.md and docs/rules.md 1.3):

- a third go missing from care (the case's source is children's social care), most of the rest
  from home, a few from school, hospital or elsewhere;
- the grade is the case's (Cleveland FOI 699-24: high 13%, medium 85.5%, low 1.5%); the answers
  to the structured questions are drawn to fit it, and the rules suggest a grade from them: an
  officer never grades below the suggestion, so a lower grade is a supervisor's regrade;
- first attendance: median under half the force's time for the grade, about 1 in 10 late;
- most children are found within a day, a few are missing for weeks: at `until` a force-year
  has a few dozen open episodes [assumption, shaped by the board];
- return home interviews offered within 72 hours for about two thirds (63% nationally in
  2023/24, docs/rules.md 1.3), late for about one in five, never for the rest.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from safeguard.core.calendars import london_date
from safeguard.missing.rules.episodes import Trigger as FiredTrigger
from safeguard.missing.rules.episodes import indicator_trigger, repeat_trigger, return_interview_due
from safeguard.missing.rules.grading import (
    Grade,
    Indicator,
    MissingFrom,
    RiskFactors,
    suggest_grade,
)
from safeguard.missing.rules.response import (
    ResponsePolicy,
    first_attendance_within,
    risk_review_every,
    supervisor_review_within,
)
from safeguard.people.rules.ages import age_on
from safeguard.synthetic import phrases
from safeguard.synthetic.draws import Counts, Picker
from safeguard.synthetic.volumes import HOSPITALS, TOWN_AUTHORITY, TOWNS

if TYPE_CHECKING:
    from safeguard.synthetic.draws import Household as _Household
    from safeguard.synthetic.draws import Person as _Person
    from safeguard.synthetic.draws import StaffMember, Story

# Each table's columns, in insertion order; episodes and return interviews carry their ids
# (rows of other tables point at them).
MISSING_TABLES: dict[str, tuple[str, ...]] = {
    "episode": (
        "id",
        "version",
        "force_id",
        "case_id",
        "child_id",
        "status",
        "reported_at",
        "reported_by",
        "reporter_relationship",
        "missing_from",
        "placement_name",
        "local_authority_id",
        "last_seen_at",
        "last_seen_place",
        "circumstances",
        "description",
        "age_years",
        "health_needs",
        "medication",
        "self_harm_risk",
        "urgent_health_need",
        "suspected_crime",
        "out_of_character",
        "indicators",
        "suggested_grade",
        "grade",
        "grade_rationale",
        "first_attended_at",
        "inspector_informed_at",
        "inspector_informed_by_id",
        "found_at",
        "found_place",
        "found_by",
        "condition",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    "grade_change": (
        "force_id",
        "episode_id",
        "grade",
        "suggested_grade",
        "rationale",
        "changed_by_id",
        "agreed_by_id",
        "changed_at",
    ),
    "risk_review": (
        "force_id",
        "episode_id",
        "kind",
        "grade",
        "note",
        "reviewed_by_id",
        "reviewed_at",
    ),
    "prevention_interview": (
        "force_id",
        "episode_id",
        "conducted_at",
        "conducted_by_id",
        "spoken_to_alone",
        "harm_suffered",
        "offences",
        "why_went",
        "indicators",
        "notes",
        "recorded_at",
    ),
    "return_interview": (
        "id",
        "version",
        "force_id",
        "episode_id",
        "local_authority_id",
        "returned_at",
        "due_at",
        "offered_at",
        "interview_at",
        "outcome",
        "interviewer",
        "summary",
        "recorded_by_id",
        "recorded_on_behalf",
        "recorded_at",
        "created_at",
    ),
    "missing_trigger": (
        "force_id",
        "episode_id",
        "child_id",
        "kind",
        "reason",
        "raised_case_id",
        "raised_new_case",
        "fired_at",
    ),
    "disclosure": (
        "force_id",
        "object_type",
        "object_id",
        "recipient_id",
        "disclosed_by_id",
        "purpose",
        "disclosed_at",
        "revoked_at",
    ),
}
# As safeguard.missing.selectors.RHI_DISCLOSURE (the generator stays clear of the ORM).
RHI_DISCLOSURE = "missing.return_interview"
RHI_PURPOSE = "Independent return home interview (DfE 2014)"
FROM_LABELS = {
    MissingFrom.HOME: "home",
    MissingFrom.CARE: "a care placement",
    MissingFrom.SCHOOL: "school",
    MissingFrom.HOSPITAL: "hospital",
    MissingFrom.ELSEWHERE: "somewhere else",
}
# Not from care: home most, then elsewhere, school, hospital [assumption; FOI 699-24's high-risk
# split by location 2023/24 is home 310, other 28, hospital 20, school 8, care 25].
NOT_FROM_CARE = Picker(
    (
        (MissingFrom.HOME.value, 0.82),
        (MissingFrom.ELSEWHERE.value, 0.09),
        (MissingFrom.SCHOOL.value, 0.05),
        (MissingFrom.HOSPITAL.value, 0.04),
    )
)
# Hours from last seen to the report, log-uniform, by where from: care and hospitals report fast.
REPORT_DELAY_HOURS = {
    MissingFrom.HOME: (1.0, 10.0),
    MissingFrom.CARE: (0.5, 4.0),
    MissingFrom.SCHOOL: (0.3, 3.0),
    MissingFrom.HOSPITAL: (0.2, 2.0),
    MissingFrom.ELSEWHERE: (1.0, 12.0),
}
# How long missing, from last seen: bands of hours drawn log-uniformly within. Seven in ten
# back within a day; one in fourteen away for one to six weeks, and those keep a force-year's
# board at a few dozen children missing at any time (Little's law) [assumption].
MISSING_FOR_BANDS = ((0.5, 6.0), (6.0, 24.0), (24.0, 72.0), (72.0, 168.0), (168.0, 1008.0))
MISSING_FOR = Counts(0.35, 0.35, 0.17, 0.06, 0.07)
INDICATORS = Picker(
    (
        (Indicator.LATE_OR_MISSING.value, 3.0),
        (Indicator.OLDER_ASSOCIATES.value, 2.5),
        (Indicator.SCHOOL_ABSENCE.value, 2.0),
        (Indicator.CARS_OR_TRAVEL.value, 1.5),
        (Indicator.MONEY_OR_GIFTS.value, 1.5),
        (Indicator.PHONES.value, 1.5),
        (Indicator.DRUGS_OR_WEAPONS.value, 1.5),
        (Indicator.HEALTH_SIGNS.value, 0.8),
        (Indicator.ARRESTS.value, 0.8),
        (Indicator.THREATS_TO_FAMILY.value, 0.4),
    )
)
# Shares [assumption]: a regrade upwards while missing; a supervisor's review of each grade;
# the duty inspector told of a high-risk episode; a prevention interview after the return.
ESCALATED = 0.12
SUPERVISOR_REVIEWED = 0.9
INSPECTOR_TOLD = 0.93
PREVENTION_DONE = 0.88
MAX_RISK_REVIEWS = 8
# Return home interviews: offered within 72 hours, late, or never (docs/rules.md 1.3: 63% in time).
RHI_IN_TIME, RHI_LATE = 0.66, 0.19


@dataclass(frozen=True)
class LocalAuthorityRef:
    """A local authority of the force, with its members (who are told of return interviews)."""

    id: int
    code: str
    member_ids: tuple[int, ...] = ()


@dataclass
class Reported:
    """What the case needs back from its episode."""

    episode_id: int
    case_id: int
    reference: str
    household: "_Household"
    child: "_Person"
    recorder: "StaffMember"
    created: datetime
    last_seen: datetime
    # When the child's earlier recorded episodes began (the latest dozen), for the repeat rule.
    earlier: list[datetime]
    indicators: list[str]
    summary: str
    rationale: str
    # The case asks for closure no sooner than this (after the return and the interviews);
    # after `until` when the child is still missing.
    close_floor: datetime


@dataclass
class _Grading:
    grade: Grade
    at: datetime
    by: "StaffMember"
    agreed: "StaffMember | None"
    rationale: str


class Episodes:
    """The episode half of the generator: draws with the generator's seeded source, appends to
    its rows, and raises exploitation cases through it."""

    def __init__(self, generator: "Story") -> None:
        self.gen = generator
        setup = generator.setup
        self.policy: ResponsePolicy = setup.missing_policy
        self.authorities = setup.local_authorities
        self.by_code = {authority.code: authority for authority in self.authorities}
        self.inspectors = setup.inspectors or setup.supervisors
        self.next_episode_id = setup.episode_id_start
        self.next_interview_id = setup.return_interview_id_start
        self.towns = [town for town, _ in TOWNS]

    # ---- helpers ----------------------------------------------------------------------------

    def _log_hours(self, low: float, high: float) -> timedelta:
        hours = math.exp(self.gen.rng.uniform(math.log(low), math.log(high)))
        return timedelta(seconds=int(hours * 3600))

    def _around(self, within: timedelta, median_share: float, sigma: float) -> timedelta:
        """A delay whose median is `median_share` of `within`; `sigma` sets how many run late."""
        factor = self.gen.rng.lognormvariate(math.log(median_share), sigma)
        return timedelta(seconds=int(within.total_seconds() * factor))

    def _pick(self, options: Sequence[str]) -> str:
        return options[self.gen.rng.randrange(len(options))]

    def _authority(self, town: str, missing_from: MissingFrom) -> LocalAuthorityRef:
        rng = self.gen.rng
        home = self.by_code.get(TOWN_AUTHORITY.get(town, ""))
        if home is None:  # the force's own councils: the same one for the same town
            index = self.towns.index(town) if town in self.towns else 0
            home = self.authorities[index % len(self.authorities)]
        if missing_from == MissingFrom.CARE and rng.random() < 0.3:
            return self.authorities[rng.randrange(len(self.authorities))]
        return home

    # ---- the report ---------------------------------------------------------------------------

    def _factors(
        self, final: Grade, age: int, missing_from: MissingFrom, earlier: int
    ) -> tuple[RiskFactors, list[str]]:
        """Answers to the structured questions that fit the grade the episode ends with."""
        rng = self.gen.rng
        repeat = 2.5 if earlier else 1.0
        if final == Grade.HIGH:
            flags = (0.30, 0.15, 0.25, 0.55)
            one, two = 0.08 * repeat, 0.10
        elif final == Grade.MEDIUM:
            flags = (0.01, 0.01, 0.01, 0.30)
            one, two = 0.025 * repeat, 0.004
        elif final == Grade.LOW:
            flags = (0.0, 0.0, 0.0, 0.65)
            one, two = 0.0, 0.0
        else:
            flags = (0.0, 0.0, 0.0, 0.10)
            one, two = 0.0, 0.0
        self_harm, health, crime, out_of_character = (rng.random() < p for p in flags)
        draw = rng.random()
        count = 2 + (rng.random() < 0.3) if draw < two else (1 if draw < two + one else 0)
        indicators: set[str] = set()
        while len(indicators) < count:
            indicators.add(INDICATORS(rng))
        factors = RiskFactors(
            age_years=age,
            missing_from=missing_from,
            self_harm_or_suicide_risk=self_harm,
            urgent_medication_or_health_need=health,
            suspected_victim_of_crime=crime,
            out_of_character=out_of_character,
            indicators=frozenset(Indicator(i) for i in indicators),
            episodes_in_last_90_days=earlier,
        )
        return factors, sorted(indicators)

    def _gradings(
        self,
        suggested: Grade,
        final: Grade,
        *,
        created: datetime,
        ends: datetime,
        recorder: "StaffMember",
        owner: "StaffMember",
        supervisor: "StaffMember",
    ) -> tuple[list[_Grading], list[tuple[str, Grade, str, "StaffMember", datetime]]]:
        """The grades given, oldest first, and the supervisor's reviews of them. An officer
        never grades below the suggestion: a lower grade is a supervisor's regrade."""
        rng = self.gen.rng
        policy = self.policy
        reviews: list[tuple[str, Grade, str, StaffMember, datetime]] = []
        if suggested.rank > final.rank:
            first = _Grading(
                suggested, created, recorder, None, self._pick(phrases.GRADE_RATIONALES[suggested])
            )
            delay = self._around(supervisor_review_within(suggested, policy), 0.4, 0.6)
            at = created + min(
                delay, timedelta(seconds=int((ends - created).total_seconds() * 0.8))
            )
            note = self._pick(phrases.SUPERVISOR_LOWERS)
            reviews.append(("supervisor", final, note, supervisor, at))
            return [first, _Grading(final, at, supervisor, supervisor, note)], reviews
        gradings = [
            _Grading(final, created, recorder, None, self._pick(phrases.GRADE_RATIONALES[final]))
        ]
        if final.rank >= 1 and final.rank - 1 >= suggested.rank and rng.random() < ESCALATED:
            up_at = created + self._log_hours(1, 18)
            if up_at < ends:
                gradings[0].grade = list(Grade)[final.rank - 1]
                gradings[0].rationale = self._pick(phrases.GRADE_RATIONALES[gradings[0].grade])
                gradings.append(_Grading(final, up_at, owner, None, self._pick(phrases.REGRADE_UP)))
        for index, grading in enumerate(gradings):
            until = gradings[index + 1].at if index + 1 < len(gradings) else ends
            delay = self._around(supervisor_review_within(grading.grade, policy), 0.4, 0.62)
            if rng.random() < SUPERVISOR_REVIEWED and grading.at + delay < until:
                note = self._pick(phrases.SUPERVISOR_CONFIRMS)
                reviews.append(("supervisor", grading.grade, note, supervisor, grading.at + delay))
        return gradings, reviews

    def report(
        self,
        *,
        case_id: int,
        reference: str,
        received: datetime,
        created: datetime,
        case_grade: str,
        source: str,
        household: "_Household",
        child: "_Person",
        recorder: "StaffMember",
        owner: "StaffMember",
        supervisor: "StaffMember",
    ) -> Reported:
        gen = self.gen
        rng = gen.rng
        until = gen.plan.until
        force_id = gen.force_id
        rows = gen.rows
        town = household.town or self.towns[0]

        # Where from, who reported, when last seen.
        if source == "social_care" and rng.random() < 0.9:
            missing_from = MissingFrom.CARE
        else:
            missing_from = MissingFrom(NOT_FROM_CARE(rng))
        placement = ""
        carer = household.carers[0]
        if missing_from == MissingFrom.CARE:
            placement_draw = rng.random()
            if placement_draw < 0.55:
                placement = f"{self._pick(phrases.CARE_HOMES)} children's home"
                relationship = "Residential care worker"
            elif placement_draw < 0.9 or age_on(child.dob, london_date(received)) < 16:
                placement = f"Foster placement ({gen._last_name()} family)"
                relationship = "Foster carer"
            else:
                placement = f"Supported accommodation, {town}"
                relationship = "Key worker"
            reporter = f"{gen._female_name()} {gen._last_name()} ({relationship.lower()})"
        elif missing_from == MissingFrom.SCHOOL:
            relationship = "Designated safeguarding lead"
            reporter = f"{gen._female_name()} {gen._last_name()} (school)"
        elif missing_from == MissingFrom.HOSPITAL:
            relationship = "Nurse in charge"
            reporter = f"{gen._female_name()} {gen._last_name()} (ward staff)"
        else:
            relationship = "Mother" if carer.gender == "female" else "Father"
            reporter = f"{carer.given} {carer.family} ({relationship.lower()})"
        low, high = REPORT_DELAY_HOURS[missing_from]
        last_seen = received - self._log_hours(low, high)
        previous_return = household.missing_until.get(child.id)
        if previous_return is not None:
            last_seen = max(last_seen, previous_return + timedelta(minutes=30))
        if missing_from == MissingFrom.HOSPITAL:
            place = self._pick(HOSPITALS)
        else:
            place = self._pick(phrases.LAST_SEEN_PLACES[missing_from.value]).format(
                town=town, placement=placement
            )
        circumstances = self._pick(phrases.MISSING_CIRCUMSTANCES[missing_from.value])
        description = (
            f"{self._pick(phrases.BUILDS).capitalize()} build, {self._pick(phrases.HAIR)} hair; "
            f"last seen wearing {self._pick(phrases.CLOTHES)}."
        )
        authority = self._authority(town, missing_from)
        starts = household.missing_starts.get(child.id, [])
        window = self.policy.repeat_window_days
        earlier = [s for s in starts if (last_seen - s).days < window]
        age = age_on(child.dob, london_date(last_seen))

        # The grade it ends with (the case's), the answers, and the suggestion they give.
        if case_grade == "high":
            final = Grade.HIGH
        elif case_grade == "medium":
            final = Grade.MEDIUM
        else:
            final = Grade.LOW if rng.random() < 0.75 else Grade.NO_APPARENT_RISK
        factors, indicators = self._factors(final, age, missing_from, len(earlier))
        suggested = suggest_grade(factors).grade
        health_needs = medication = ""
        if factors.urgent_medication_or_health_need:
            health_needs, medication = phrases.HEALTH_NEEDS[
                rng.randrange(len(phrases.HEALTH_NEEDS))
            ]
        if factors.self_harm_or_suicide_risk:
            need = self._pick(phrases.SELF_HARM_NEEDS)
            health_needs = f"{health_needs}; {need}" if health_needs else need

        # Found (and recorded as found) by `until`, or still missing.
        missing_for = self._log_hours(*MISSING_FOR_BANDS[MISSING_FOR(rng)])
        back = max(last_seen + missing_for, created + timedelta(minutes=rng.randint(5, 60)))
        back_recorded = back + self._log_hours(0.1, 3)
        found_at, found_recorded = (back, back_recorded) if back_recorded <= until else (None, None)
        ends = found_recorded or until

        gradings, reviews = self._gradings(
            suggested,
            final,
            created=created,
            ends=ends,
            recorder=recorder,
            owner=owner,
            supervisor=supervisor,
        )
        # Risk reviews while missing, at about the grade's interval (some late); on a long
        # episode only the first and the latest few are recorded, as a patchy file would be.
        times: list[tuple[datetime, Grade]] = []
        at = gradings[0].at
        while True:
            grade = next(g.grade for g in reversed(gradings) if g.at <= at)
            every = risk_review_every(grade, self.policy).total_seconds()
            at += timedelta(seconds=int(every * rng.uniform(0.6, 1.3)))
            if at >= ends:
                break
            times.append((at, grade))
        if len(times) > MAX_RISK_REVIEWS:
            times = times[: MAX_RISK_REVIEWS // 2] + times[-MAX_RISK_REVIEWS // 2 :]
        for at, grade in times:
            reviews.append(("officer", grade, self._pick(phrases.RISK_REVIEWS), owner, at))
        reviews.sort(key=lambda review: review[4])

        high_at = next((g.at for g in gradings if g.grade == Grade.HIGH), None)
        informed_at = informed_by = None
        if high_at is not None and rng.random() < INSPECTOR_TOLD:
            at = high_at + self._around(timedelta(minutes=60), 0.4, 0.7)
            if at <= until:
                informed_at = at
                informed_by = self.inspectors[rng.randrange(len(self.inspectors))]
        within = first_attendance_within(gradings[0].grade, self.policy)
        attended: datetime | None
        if within is None:
            attended = received + self._log_hours(1, 24) if rng.random() < 0.3 else None
        else:
            # Attendance is timed from the report, as the clock is (not from its typing in).
            attended = received + self._around(within, 0.45, 0.62)
        if attended is not None and attended > min(found_at or until, until):
            attended = None  # found first, or not yet attended

        episode_id = self.next_episode_id
        self.next_episode_id += 1
        latest = gradings[-1]
        updates = [g.at for g in gradings[1:]]
        updates += [t for t in (attended, informed_at, found_recorded) if t is not None]
        found_place = found_by = condition = ""
        if found_at is not None:
            places = phrases.FOUND_PLACES + phrases.FOUND_PLACES_FROM.get(missing_from.value, ())
            found_place = self._pick(places).format(town=town)
            found_by = self._pick(phrases.FOUND_BY).format(name=gen._last_name())
            condition = self._pick(phrases.CONDITIONS)
        rows["episode"].append(
            (
                episode_id,
                1 + len(updates),
                force_id,
                case_id,
                child.id,
                "missing" if found_at is None else "found",
                received,
                reporter,
                relationship,
                missing_from.value,
                placement,
                authority.id,
                last_seen,
                place,
                circumstances,
                description,
                age,
                health_needs,
                medication,
                factors.self_harm_or_suicide_risk,
                factors.urgent_medication_or_health_need,
                factors.suspected_victim_of_crime,
                factors.out_of_character,
                indicators,
                suggested.value,
                latest.grade.value,
                latest.rationale,
                attended,
                informed_at,
                informed_by.id if informed_by else None,
                found_at,
                found_place,
                found_by,
                condition,
                recorder.id,
                created,
                max([created, *updates]),
            )
        )
        event = gen._event
        event(
            case_id,
            "missing.reported",
            f"Reported missing from {FROM_LABELS[missing_from]}",
            recorder,
            created,
            f"Last seen {last_seen:%d %b %Y %H:%M} at {place}. Graded "
            f"{gradings[0].grade.label.lower()} (suggested {suggested.label.lower()}).",
        )
        for index, grading in enumerate(gradings):
            rows["grade_change"].append(
                (
                    force_id,
                    episode_id,
                    grading.grade.value,
                    suggested.value,
                    grading.rationale,
                    grading.by.id,
                    grading.agreed.id if grading.agreed else None,
                    grading.at,
                )
            )
            # An officer's regrade upwards; a supervisor's is told by their review below.
            if index and grading.agreed is None:
                before = gradings[index - 1].grade.label.lower()
                event(
                    case_id,
                    "missing.regraded",
                    f"Risk regraded from {before} to {grading.grade.label.lower()}",
                    grading.by,
                    grading.at,
                    grading.rationale,
                )
        for kind, grade, note, who, at in reviews:
            rows["risk_review"].append((force_id, episode_id, kind, grade.value, note, who.id, at))
            if kind == "officer":
                event(case_id, "missing.risk_review", "Risk reviewed", who, at, note)
            else:
                graded_then = next((g.grade for g in reversed(gradings) if g.at < at), grade)
                title = (
                    f"Supervisor confirmed the grade: {grade.label.lower()}"
                    if graded_then == grade
                    else f"Supervisor regraded from {graded_then.label.lower()} to "
                    f"{grade.label.lower()}"
                )
                event(case_id, "missing.supervisor_review", title, who, at, note)
        if informed_at is not None and informed_by is not None:
            event(case_id, "missing.inspector", "Duty inspector informed", informed_by, informed_at)
        if attended is not None:
            event(
                case_id, "missing.attended", f"Attended at {attended:%d %b %H:%M}", owner, attended
            )

        close_floor = until + timedelta(days=1)
        if found_at is not None and found_recorded is not None:
            event(
                case_id,
                "missing.found",
                f"Found or returned at {found_at:%d %b %Y %H:%M}",
                owner,
                found_recorded,
                f"{found_place}. Condition: {condition}",
            )
            done = self._after_return(
                case_id=case_id,
                episode_id=episode_id,
                authority=authority,
                found_at=found_at,
                found_recorded=found_recorded,
                indicators=indicators,
                owner=owner,
            )
            close_floor = max(done) + self._log_hours(0.5, 24)

        household.missing_starts[child.id] = [*starts[-11:], last_seen]
        # Still missing at `until`: never picked for another episode.
        household.missing_until[child.id] = found_recorded or until + timedelta(days=1)
        return Reported(
            episode_id=episode_id,
            case_id=case_id,
            reference=reference,
            household=household,
            child=child,
            recorder=recorder,
            created=created,
            last_seen=last_seen,
            earlier=starts,
            indicators=indicators,
            summary=f"Missing from {place}. {circumstances}",
            rationale=latest.rationale,
            close_floor=close_floor,
        )

    # ---- the return ---------------------------------------------------------------------------

    def _after_return(
        self,
        *,
        case_id: int,
        episode_id: int,
        authority: LocalAuthorityRef,
        found_at: datetime,
        found_recorded: datetime,
        indicators: list[str],
        owner: "StaffMember",
    ) -> list[datetime]:
        """The prevention interview and the return home interview task; returns the times of
        the police's own work after the return (the case closes after the last)."""
        gen = self.gen
        rng = gen.rng
        until = gen.plan.until
        force_id = gen.force_id
        rows = gen.rows
        done = [found_recorded]
        if rng.random() < PREVENTION_DONE:
            conducted = found_at + timedelta(hours=rng.lognormvariate(math.log(18), 0.9))
            conducted = max(conducted, found_recorded)
            recorded = conducted + self._log_hours(0.1, 4)
            if recorded <= until:
                said = list(indicators)
                if said and rng.random() < 0.3:
                    said = sorted({*said, INDICATORS(rng)})
                why = self._pick(phrases.WHY_WENT)
                rows["prevention_interview"].append(
                    (
                        force_id,
                        episode_id,
                        conducted,
                        owner.id,
                        rng.random() < 0.65,
                        self._pick(phrases.HARM),
                        self._pick(phrases.OFFENCES) if rng.random() < 0.08 else "",
                        why,
                        said,
                        self._pick(phrases.PREVENTION_NOTES),
                        recorded,
                    )
                )
                gen._event(
                    case_id, "missing.prevention", "Prevention interview recorded", owner, recorded
                )
                done.append(recorded)

        interview_id = self.next_interview_id
        self.next_interview_id += 1
        due = return_interview_due(found_at)
        draw = rng.random()
        offered: datetime | None = None
        if draw < RHI_IN_TIME:
            offered = found_at + timedelta(seconds=int(rng.uniform(2 * 3600, 71.5 * 3600)))
        elif draw < RHI_IN_TIME + RHI_LATE:
            offered = due + self._log_hours(2, 240)
        outcome = interviewer = summary = ""
        interview_at = recorded_at = None
        members = authority.member_ids
        recorder_id = None
        on_behalf = False
        if offered is not None:
            choice = rng.random()
            if choice < 0.7:
                outcome = "completed"
                interview_at = offered + self._log_hours(0.5, 96)
                interviewer = f"{gen._female_name()} {gen._last_name()}, return interview worker"
                summary = self._pick(phrases.RHI_SUMMARIES)
                recorded_at = interview_at + self._log_hours(1, 48)
            else:
                outcome = "declined" if choice < 0.95 else "not_possible"
                recorded_at = offered + self._log_hours(1, 48)
            if recorded_at > until:  # not recorded yet: the task is still open
                offered = interview_at = recorded_at = None
                outcome = interviewer = summary = ""
            elif members:
                recorder_id = members[rng.randrange(len(members))]
            else:
                # Nobody at the authority uses the system: the police record it for them,
                # while the case is still open.
                recorder_id, on_behalf = owner.id, True
                done.append(recorded_at)
        rows["return_interview"].append(
            (
                interview_id,
                1 if recorded_at is None else 2,
                force_id,
                episode_id,
                authority.id,
                found_at,
                due,
                offered,
                interview_at,
                outcome,
                interviewer,
                summary,
                recorder_id,
                on_behalf,
                recorded_at,
                found_recorded,
            )
        )
        for member in members:
            rows["disclosure"].append(
                (
                    force_id,
                    RHI_DISCLOSURE,
                    str(interview_id),
                    member,
                    owner.id,
                    RHI_PURPOSE,
                    found_recorded,
                    None,
                )
            )
        if recorded_at is not None:
            who = "by the police for the local authority" if on_behalf else "by the local authority"
            gen._event(
                case_id,
                "missing.return_interview",
                f"Return home interview recorded {who}: {outcome.replace('_', ' ')}",
                owner,
                recorded_at,
            )
        return done

    # ---- triggers -----------------------------------------------------------------------------

    def triggers(self, reported: Reported) -> None:
        """The repeat and indicator triggers the report fires (as services._evaluate_triggers),
        each raising an exploitation case for the child or adding to the open one."""
        fired = [
            repeat_trigger(
                [*reported.earlier, reported.last_seen],
                latest=reported.last_seen,
                threshold=self.policy.repeat_threshold,
                window_days=self.policy.repeat_window_days,
            ),
            indicator_trigger(Indicator(i) for i in reported.indicators),
        ]
        for trigger in fired:
            if trigger is not None:
                self._raise(reported, trigger)

    def _raise(self, reported: Reported, fired: FiredTrigger) -> None:
        gen = self.gen
        at = reported.created
        child = reported.child
        existing = reported.household.exploitation.get(child.id)
        if existing is not None and existing[2] <= at and (existing[3] is None or existing[3] > at):
            raised_id, raised_reference = existing[0], existing[1]
            gen._event(
                raised_id,
                "missing.trigger",
                f"Missing-episode trigger from {reported.reference}",
                reported.recorder,
                at,
                fired.reason,
            )
            new = False
        else:
            raised_id, raised_reference = gen.raise_exploitation_case(
                at,
                household=reported.household,
                child=child,
                grade="high" if fired.kind == "indicators" else "medium",
                recorder=reported.recorder,
                summary=f"Flagged from missing episode {reported.reference}: {fired.reason}",
                rationale=f"Raised by the missing-episode trigger: {fired.reason}",
            )
            new = True
        gen.rows["missing_trigger"].append(
            (
                gen.force_id,
                reported.episode_id,
                child.id,
                fired.kind,
                fired.reason,
                raised_id,
                new,
                at,
            )
        )
        gen._event(
            reported.case_id,
            "missing.trigger",
            f"Exploitation trigger: {'new case' if new else 'added to'} {raised_reference}",
            reported.recorder,
            at,
            fired.reason,
        )
