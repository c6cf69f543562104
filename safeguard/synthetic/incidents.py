"""Domestic abuse incidents and Operation Encompass notifications for the generator's domestic
abuse cases (issue 6): pure rows, like the rest.

Each case of type "domestic_abuse" gets the incident the services would have recorded
(safeguard.domestic_abuse.services and the Encompass hook): the attendance, the victim and the
suspect, the household's children with their voices, the DASH, a MARAC referral where the pure
rule (rules.marac) says so on the generated history, the triage unit's secondary assessment, and
an Encompass notification per child aged 4 to 17, due by the pure rule (rules.notification) on
the area's term dates.

Shapes [assumptions, shaped by the issue and the pages]:

- the victim is the household's mother nine times in ten; the suspect is the other carer (a
  partner, sometimes separated), or someone from outside the household (a former partner most
  often, then family), or nobody identified; a repeat incident is usually the same two people;
- about 60% of the children are present; a child at home aged 4 or more is spoken to most times;
- a DASH for about 95%, completed within hours (a few after 24 hours); scores mostly 0 to 9,
  about 20% 10 to 13 and 12% 14 or more, so the band is standard, medium or high in that mix;
  professional judgement raises some grades (never lowers them);
- triage within the force's times mostly (about one in eight late), slowing over the last
  three weeks before `until`, so the queue holds a growing backlog as the issue describes;
- Encompass: the school is known for most children (the person's school URN), a few are
  educated at home (the local authority), the rest wait to be resolved; about four in five are
  sent before the deadline; most are read and acknowledged by the school's key adult.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from safeguard.core.calendars import SchoolCalendar, add_working_days, london_date
from safeguard.domestic_abuse.rules.dash import QUESTION_COUNT, DashGrade, dash_band
from safeguard.domestic_abuse.rules.marac import MaracFacts, marac_routes
from safeguard.encompass.rules.notification import Route, eligible, notification_due, route_for
from safeguard.people.rules.ages import age_on
from safeguard.synthetic import phrases
from safeguard.synthetic.draws import Counts, Picker, years_before
from safeguard.synthetic.episodes import LocalAuthorityRef
from safeguard.synthetic.volumes import TOWN_AUTHORITY

if TYPE_CHECKING:
    from safeguard.synthetic.draws import Household as _Household
    from safeguard.synthetic.draws import Person as _Person
    from safeguard.synthetic.draws import StaffMember, Story

# Each table's columns, in insertion order; incidents, their children and notifications carry
# their ids (rows of other tables point at them).
DA_TABLES: dict[str, tuple[str, ...]] = {
    "incident": (
        "id",
        "version",
        "force_id",
        "case_id",
        "attended_at",
        "place",
        "victim_id",
        "suspect_id",
        "relationship",
        "account",
        "triage_status",
        "triage_owner_id",
        "triage_claimed_at",
        "triage_completed_at",
        "triage_grade",
        "triage_notes",
        "risk_grade",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    "incident_child": (
        "id",
        "force_id",
        "incident_id",
        "child_id",
        "present",
        "where",
        "related_to",
        "school_urn",
        "home_educated",
        "spoken_to",
        "spoken_to_alone",
        "child_said",
        "demeanour",
    ),
    "dash": (
        "force_id",
        "incident_id",
        "answers",
        "score",
        "band",
        "grade",
        "rationale",
        "judgement_referral",
        "judgement_reason",
        "completed_by_id",
        "completed_at",
    ),
    "marac": (
        "version",
        "force_id",
        "incident_id",
        "victim_id",
        "routes",
        "decided_at",
        "decided_by_id",
        "sent_at",
        "sent_by_id",
    ),
    "notification": (
        "id",
        "version",
        "force_id",
        "unit_id",
        "incident_id",
        "incident_child_id",
        "child_id",
        "route",
        "school_id",
        "local_authority_id",
        "status",
        "incident_at",
        "due_at",
        "child_name",
        "child_dob",
        "police_reference",
        "place",
        "present",
        "where",
        "voice",
        "circumstances",
        "reviewed_by_id",
        "sent_at",
        "read_at",
        "read_by_id",
        "acknowledged_at",
        "acknowledged_by_id",
        "created_at",
    ),
}
# As safeguard.encompass.selectors.DISCLOSURE and services (the generator stays clear of them).
ENCOMPASS_DISCLOSURE = "encompass_notification"
ENCOMPASS_PURPOSE = "Operation Encompass (Domestic Abuse Act 2021 s49A)"
# At most this many children in a household (a subject and three siblings): sizes id ranges.
MAX_CHILDREN_PER_INCIDENT = 4

# Shares [assumption].
VICTIM_IS_MOTHER = 0.9
SUSPECT_IS_OTHER_CARER = 0.8
SAME_PAIR_AGAIN = 0.85
NO_SUSPECT = 0.04
PRESENT = 0.6
SPOKEN_TO = 0.7
SPOKEN_TO_ALONE = 0.35
DASH_DONE = 0.95
# DASH score bands: standard (0-9), medium (10-13), high (14+) in about this mix, and the
# scores within each band (a geometric tail above 14).
BANDS = Counts(0.68, 0.20, 0.12)
STANDARD_SCORES = Counts(4, 6, 8, 10, 11, 11, 10, 9, 8, 7)
MEDIUM_SCORES = Counts(35, 28, 21, 16)
HIGH_TAIL = 0.7
# Professional judgement raises the grade: standard to medium, medium to high.
RAISE = {DashGrade.STANDARD: 0.07, DashGrade.MEDIUM: 0.12, DashGrade.HIGH: 0.0}
JUDGEMENT_REFERRAL_RAISED, JUDGEMENT_REFERRAL_OTHERWISE = 0.6, 0.015
# How often each DASH question is answered yes, relative to the others (question 1 first).
YES_WEIGHTS = (
    5, 8, 6, 4, 3.5, 5, 3, 4.5, 1.5, 3, 1, 1, 5, 5, 5.5, 2, 2.5, 2, 1.5, 1, 3, 1, 3.5, 5, 1.5, 2, 5,
)  # fmt: skip
NOT_YES = Picker((("no", 0.88), ("dont_know", 0.09), ("declined", 0.03)))
OUTSIDE_SUSPECT = Picker(
    (
        ("ex_partner", 0.55),
        ("partner", 0.2),
        ("parent", 0.06),
        ("child", 0.06),
        ("sibling", 0.06),
        ("other_family", 0.07),
    )
)
# Triage: a delay whose median is this share of the time allowed, slower near `until`.
TRIAGE_MEDIAN_SHARE, TRIAGE_SIGMA = 0.45, 0.7
SLOWDOWN_DAYS, SLOWDOWN = 21, 2.5
TRIAGE_AGREES, TRIAGE_RAISES = 0.85, 0.10
# The triage grade of an incident with no DASH: from the case mix.
UNGRADED = (DashGrade.STANDARD, DashGrade.MEDIUM, DashGrade.HIGH)
UNGRADED_MIX = Counts(5, 4, 2)
# Encompass: sent before the deadline when resolved at once; read; acknowledged once read.
SENT_ON_TIME = 0.93
READ, ACKNOWLEDGED = 0.93, 0.88


@dataclass(frozen=True)
class SchoolRef:
    """A school of the area, with what the due rule needs and who reads its notifications."""

    id: int
    urn: str
    la_code: str
    phase: str
    day_starts_at: time
    key_adults: int = 0  # active key adults for the force (none: a notification cannot go)
    reader_ids: tuple[int, ...] = ()  # those of them who sign in (partner users)


@dataclass
class Recorded:
    """What the case needs back from its incident."""

    involved: list[tuple[int, str]]
    grade: str
    rationale: str
    # The triage unit's assessment completed (the case's triage), or None by `until`.
    triaged: datetime | None
    first_seen: datetime | None
    last_at: datetime


def _voice_text(present: bool, spoken: bool, alone: bool, said: str, demeanour: str) -> str:
    """As encompass.services._voice: what the key adult is told of the child's voice."""
    if not present:
        return "Not present at the incident."
    if not spoken:
        return "Present; not spoken to."
    with_alone = " (spoken to alone)" if alone else ""
    said_text = f' Said: "{said}".' if said else ""
    seemed = f" Seemed: {demeanour}." if demeanour else ""
    return f"Spoken to{with_alone}.{said_text}{seemed}"


def _triage_due(received: datetime, grade: str) -> datetime:
    """As domestic_abuse.clocks.triage_due (the clocks module is not pure)."""
    if grade == "medium":
        return add_working_days(received, 3)
    if grade == "standard":
        return add_working_days(received, 5)
    return received + timedelta(hours=24)


class Incidents:
    """The incident half of the generator: draws with its seeded source, appends to its rows."""

    def __init__(self, generator: "Story") -> None:
        self.gen = generator
        setup = generator.setup
        self.schools = {school.urn: school for school in setup.schools}
        self.calendars = dict(setup.term_calendars)
        self.authorities = setup.local_authorities
        self.by_code = {authority.code: authority for authority in self.authorities}
        self.desk = setup.desk or setup.supervisors
        self.encompass_unit_id = setup.encompass_unit_id
        self.next_incident_id = setup.incident_id_start
        self.next_child_id = setup.incident_child_id_start
        self.next_notification_id = setup.notification_id_start
        self.yes_keys = tuple(1 / weight for weight in YES_WEIGHTS)

    # ---- helpers ----------------------------------------------------------------------------

    def _log_hours(self, low: float, high: float) -> timedelta:
        hours = math.exp(self.gen.rng.uniform(math.log(low), math.log(high)))
        return timedelta(seconds=int(hours * 3600))

    def _pick(self, options: Sequence[str]) -> str:
        return options[self.gen.rng.randrange(len(options))]

    def _calendar(self, school: SchoolRef) -> SchoolCalendar | None:
        """As partners.selectors.school_calendar_for: the school's own, else its council's."""
        return self.calendars.get(school.urn) or self.calendars.get(school.la_code)

    def due(self, incident_at: datetime, route: Route, school: SchoolRef | None) -> datetime:
        """As encompass.services._due, with the pure rule."""
        return notification_due(
            incident_at=incident_at,
            route=route,
            calendar=self._calendar(school) if school else None,
            school_starts_at=school.day_starts_at if school else None,
        )

    def _authority_for(self, town: str) -> LocalAuthorityRef | None:
        if not self.authorities:
            return None
        return self.by_code.get(TOWN_AUTHORITY.get(town, ""), self.authorities[0])

    # ---- the people -------------------------------------------------------------------------

    def _outsider(
        self, victim: "_Person", kind: str, at: datetime, recorder: "StaffMember"
    ) -> "_Person":
        """A suspect from outside the household: a (former) partner, or family of the victim."""
        gen = self.gen
        rng = gen.rng
        if kind in ("ex_partner", "partner"):
            return gen._stranger(at, recorder, suspect=True)
        victim_age = age_on(victim.dob, london_date(at))
        if kind == "parent":
            age = min(70, victim_age + rng.randint(19, 32))
        elif kind == "child":
            age = rng.randint(18, 26)
        elif kind == "sibling":
            age = max(18, victim_age + rng.randint(-6, 6))
        else:
            age = rng.randint(18, 60)
        male = rng.random() < 0.8
        person = gen._new_person(
            given=gen._male_name() if male else gen._female_name(),
            family=victim.family
            if kind != "other_family" or rng.random() < 0.5
            else gen._last_name(),
            dob=years_before(london_date(at), age, rng.randrange(365)),
            gender="male" if male else "female",
            ethnicity="",
            recorded_at=at,
            recorded_by=recorder,
        )
        gen._live_at(
            [person], gen._address(), years_before(london_date(at), rng.randint(0, 5), 0), None
        )
        return person

    def _pair(
        self, household: "_Household", at: datetime, recorder: "StaffMember"
    ) -> tuple["_Person", "_Person | None", str]:
        """The victim, the suspect and how they are related: the same pair again, mostly."""
        rng = self.gen.rng
        if household.da_pair is not None and rng.random() < SAME_PAIR_AGAIN:
            return household.da_pair
        carers = household.carers
        victim = carers[0] if len(carers) == 1 or rng.random() < VICTIM_IS_MOTHER else carers[1]
        others = [carer for carer in carers if carer is not victim]
        suspect: _Person | None
        if others and rng.random() < SUSPECT_IS_OTHER_CARER:
            suspect = others[0]
            relationship = "partner" if rng.random() < 0.9 else "ex_partner"
        else:
            relationship = OUTSIDE_SUSPECT(rng)
            suspect = (
                None
                if rng.random() < NO_SUSPECT
                else self._outsider(victim, relationship, at, recorder)
            )
        household.da_pair = (victim, suspect, relationship)
        return household.da_pair

    # ---- DASH -------------------------------------------------------------------------------

    def _score(self) -> int:
        rng = self.gen.rng
        band = BANDS(rng)
        if band == 0:
            return STANDARD_SCORES(rng)
        if band == 1:
            return 10 + MEDIUM_SCORES(rng)
        score = 14
        while score < QUESTION_COUNT and rng.random() < HIGH_TAIL:
            score += 1
        return score

    def _answers(self, score: int) -> dict[str, str]:
        """`score` yes answers, to the questions victims most often say yes to, more likely."""
        rng = self.gen.rng
        # Weighted sampling without replacement: the smallest of random() ** (1 / weight)
        # reversed, i.e. the largest keys win (Efraimidis and Spirakis).
        keys = sorted(
            range(QUESTION_COUNT),
            key=lambda i: rng.random() ** self.yes_keys[i],
            reverse=True,
        )
        yes = set(keys[:score])
        return {str(n + 1): "yes" if n in yes else NOT_YES(rng) for n in range(QUESTION_COUNT)}

    # ---- the incident -----------------------------------------------------------------------

    def record(
        self,
        *,
        case_id: int,
        reference: str,
        received: datetime,
        created: datetime,
        household: "_Household",
        subject: "_Person",
        recorder: "StaffMember",
        owner: "StaffMember",
        supervisor: "StaffMember",
        unit_id: int,
    ) -> Recorded:
        gen = self.gen
        rng = gen.rng
        until = gen.plan.until
        force_id = gen.force_id
        rows = gen.rows
        event = gen._event
        attended = received
        day = london_date(attended)
        incident_id = self.next_incident_id
        self.next_incident_id += 1

        children = [c for c in household.children if 0 <= age_on(c.dob, day) <= 17]
        if subject not in children:
            children.insert(0, subject)
        victim, suspect, relationship = self._pair(household, created, recorder)
        involved = [(child.id, "subject") for child in children]
        involved.append((victim.id, "victim"))
        if suspect is not None:
            involved.append((suspect.id, "suspect"))
        place = f"{household.address}"
        account = self._pick(phrases.DA_ACCOUNTS)
        parent_suspect = suspect is not None and suspect in household.carers
        event(
            case_id,
            "da.incident",
            f"Domestic abuse incident attended: {len(children)} "
            f"{'child' if len(children) == 1 else 'children'} in the household",
            recorder,
            created,
        )

        # The children: present or not, related to whom, their voice; a notification each
        # aged 4 to 17 (the Encompass hook, in the same transaction).
        first_seen = None
        for child in children:
            present = rng.random() < PRESENT
            age = age_on(child.dob, day)
            spoken = present and age >= 4 and rng.random() < SPOKEN_TO
            alone = spoken and rng.random() < SPOKEN_TO_ALONE
            said = self._pick(phrases.DA_CHILD_SAID) if spoken else ""
            # As the services ask: how a present child seemed, and why one was not spoken to.
            demeanour = ""
            if present:
                demeanour = self._pick(
                    phrases.DA_DEMEANOURS if age >= 1 else phrases.BABY_DEMEANOURS
                )
            not_spoken = ""
            if present and not spoken:
                not_spoken = (
                    self._pick(phrases.NOT_SPOKEN_REASONS) if age >= 4 else phrases.TOO_YOUNG
                )
            where = self._pick(phrases.CHILD_WHERE_PRESENT if present else phrases.CHILD_WHERE_AWAY)
            if suspect is None:
                related = "victim"
            elif parent_suspect:
                related = "both" if rng.random() < 0.92 else "victim"
            else:
                related = (
                    "both" if relationship == "ex_partner" and rng.random() < 0.4 else "victim"
                )
            child_row_id = self.next_child_id
            self.next_child_id += 1
            school_urn = child.school_urn
            if eligible(age):
                school_urn = self._notify(
                    incident_id=incident_id,
                    child_row_id=child_row_id,
                    child=child,
                    household=household,
                    age=age,
                    reference=reference,
                    attended=attended,
                    created=created,
                    place=place,
                    present=present,
                    where=where,
                    voice=_voice_text(present, spoken, alone, said, demeanour),
                    account=account,
                    case_id=case_id,
                    case_unit_id=unit_id,
                )
            rows["incident_child"].append(
                (
                    child_row_id,
                    force_id,
                    incident_id,
                    child.id,
                    present,
                    where,
                    related,
                    school_urn,
                    child.home_educated,
                    spoken,
                    alone,
                    said,
                    demeanour,
                )
            )
            rows["voice"].append(
                (
                    force_id,
                    case_id,
                    child.id,
                    present,
                    attended if present else None,
                    spoken,
                    alone,
                    said,
                    demeanour,
                    not_spoken if present else "Not present at the incident",
                    recorder.id,
                    created,
                )
            )
            name = f"{child.given} {child.family}"
            if present:
                first_seen = attended
                title = f"{name} seen and spoken to" if spoken else f"{name} seen, not spoken to"
            else:
                title = f"{name} not seen"
            event(case_id, "case.voice", title, recorder, created, about=child.id)

        # DASH, by the attending officer within hours (a few after the 24 hours allowed).
        updates = [created]
        dash_at = None
        dash_grade = ""
        rationale_case = "Awaiting the DASH risk assessment"
        if rng.random() < DASH_DONE:
            at = attended + timedelta(seconds=int(3600 * rng.lognormvariate(math.log(3), 1.2)))
            at = max(at, created + timedelta(minutes=rng.randint(5, 40)))
            if at <= until:
                dash_at = at
        history = household.da_incidents.setdefault(victim.id, [])
        referrals = household.maracs.setdefault(victim.id, [])
        if dash_at is not None:
            score = self._score()
            answers = self._answers(score)
            band = dash_band(score)
            grade = band
            if rng.random() < RAISE[band]:
                grade = list(DashGrade)[band.rank + 1]
            elif band == DashGrade.STANDARD and rng.random() < 0.01:
                grade = DashGrade.HIGH
            rationale = self._pick(phrases.DASH_RAISED) if grade != band else ""
            judgement = rng.random() < (
                JUDGEMENT_REFERRAL_RAISED if grade != band else JUDGEMENT_REFERRAL_OTHERWISE
            )
            reason = self._pick(phrases.MARAC_JUDGEMENT) if judgement else ""
            rows["dash"].append(
                (
                    force_id,
                    incident_id,
                    answers,
                    score,
                    band.value,
                    grade.value,
                    rationale,
                    judgement,
                    reason,
                    recorder.id,
                    dash_at,
                )
            )
            dash_grade = grade.value
            rationale_case = f"DASH score {score}; graded {grade.value}"
            if rationale:
                rationale_case += f": {rationale}"
            event(
                case_id,
                "da.dash",
                f"DASH completed: score {score}, {grade.value} risk",
                recorder,
                dash_at,
            )
            updates.append(dash_at)
            last_referral = max((t for t in referrals if t <= attended), default=None)
            routes = marac_routes(
                MaracFacts(
                    score=score,
                    judgement_referral=judgement,
                    judgement_reason=reason,
                    incident_at=attended,
                    earlier_incidents_same_victim=tuple(history),
                    last_marac_referral_at=last_referral,
                )
            )
            if routes:
                due = add_working_days(dash_at, 1)
                factor = rng.lognormvariate(math.log(0.4), 0.7)
                sent_at = dash_at + timedelta(seconds=int((due - dash_at).total_seconds() * factor))
                sent_at = max(sent_at, dash_at + timedelta(minutes=10))
                sent = sent_at <= until
                rows["marac"].append(
                    (
                        1 + sent,
                        force_id,
                        incident_id,
                        victim.id,
                        [[route.value, why] for route, why in routes],
                        dash_at,
                        recorder.id,
                        sent_at if sent else None,
                        owner.id if sent else None,
                    )
                )
                referrals.append(dash_at)
                event(
                    case_id,
                    "da.marac",
                    "MARAC referral needed",
                    recorder,
                    dash_at,
                    "; ".join(why for _, why in routes),
                )
                if sent:
                    event(case_id, "da.marac_sent", "MARAC referral sent", owner, sent_at)
        history.append(attended)
        if len(history) > 12:
            del history[:-12]

        # The triage unit's secondary assessment: claimed, then completed, within the force's
        # time for the grade mostly; slower over the last weeks, so a backlog builds.
        within = _triage_due(attended, dash_grade) - attended
        start = max(created, dash_at) if dash_at else created
        factor = rng.lognormvariate(math.log(TRIAGE_MEDIAN_SHARE), TRIAGE_SIGMA)
        slow_from = until - timedelta(days=SLOWDOWN_DAYS)
        if created > slow_from:
            factor *= 1 + SLOWDOWN * (created - slow_from) / timedelta(days=SLOWDOWN_DAYS)
        completed = max(
            start + timedelta(minutes=20),
            attended + timedelta(seconds=int(within.total_seconds() * factor)),
        )
        # Claimed part of the way through the wait: a claimed case can sit a while.
        claimed = completed - (completed - start) * rng.uniform(0.02, 0.6)
        assessor = gen._member_of(gen.setup.workers, unit_id)
        status, triage_owner, claimed_at, completed_at = "awaiting", None, None, None
        triage_grade = notes = ""
        if claimed <= until:
            status, triage_owner, claimed_at = "claimed", assessor.id, claimed
            event(
                case_id,
                "da.triage_claim",
                f"Claimed for triage by {assessor.username}",
                assessor,
                claimed,
            )
            updates.append(claimed)
        if completed <= until:
            status, completed_at = "done", completed
            base = DashGrade(dash_grade) if dash_grade else UNGRADED[UNGRADED_MIX(rng)]
            draw = rng.random()
            rank = base.rank
            if draw >= TRIAGE_AGREES + TRIAGE_RAISES:
                rank = max(0, rank - 1)
            elif draw >= TRIAGE_AGREES:
                rank = min(len(DashGrade) - 1, rank + 1)
            triage = list(DashGrade)[rank]
            triage_grade = triage.value
            notes = self._pick(phrases.TRIAGE_NOTES)
            rationale_case = f"Secondary assessment: {notes}"
            event(
                case_id,
                "da.triage_done",
                f"Secondary assessment: {triage_grade} risk",
                assessor,
                completed,
            )
            updates.append(completed)
        risk_grade = triage_grade or dash_grade
        rows["incident"].append(
            (
                incident_id,
                1 + (claimed_at is not None) + (completed_at is not None),
                force_id,
                case_id,
                attended,
                place,
                victim.id,
                suspect.id if suspect else None,
                relationship,
                account,
                status,
                triage_owner,
                claimed_at,
                completed_at,
                triage_grade,
                notes,
                risk_grade,
                recorder.id,
                created,
                max(updates),
            )
        )
        return Recorded(
            involved=involved,
            grade=risk_grade or "medium",
            rationale=rationale_case,
            triaged=completed_at,
            first_seen=first_seen,
            last_at=max(updates),
        )

    # ---- Operation Encompass ----------------------------------------------------------------

    def _notify(
        self,
        *,
        incident_id: int,
        child_row_id: int,
        child: "_Person",
        household: "_Household",
        age: int,
        reference: str,
        attended: datetime,
        created: datetime,
        place: str,
        present: bool,
        where: str,
        voice: str,
        account: str,
        case_id: int,
        case_unit_id: int,
    ) -> str:
        """One notification, as the hook makes it and the desk and the key adult then handle
        it; returns the school URN the incident's child row ends with (a resolve sets it)."""
        gen = self.gen
        rng = gen.rng
        until = gen.plan.until
        rows = gen.rows
        school = None if child.home_educated else self.schools.get(child.school_urn)
        route = route_for(school_known=school is not None, home_educated=child.home_educated)
        # As the hook: the local authority only when the force has exactly one.
        authority = (
            self.authorities[0]
            if route == Route.LOCAL_AUTHORITY and len(self.authorities) == 1
            else None
        )
        resolved_at: datetime | None = created
        if route == Route.UNRESOLVED or (route == Route.LOCAL_AUTHORITY and authority is None):
            # The desk finds the school, or the council of a child educated at home.
            resolved_at = created + self._log_hours(0.3, 120)
            if resolved_at > until:
                resolved_at = None
            elif child.home_educated:
                authority = self._authority_for(household.town)
                route = Route.LOCAL_AUTHORITY
            else:
                school = self.schools.get(gen._school_for(household.town, age))
                route = Route.SCHOOL if school else Route.UNRESOLVED
                if school is None:
                    resolved_at = None
        due = self.due(attended, route, school)
        status = "to_resolve" if resolved_at is None else "to_review"
        if route == Route.SCHOOL and school is not None:
            readers = school.reader_ids
            sendable = school.key_adults > 0
        elif authority is not None:
            readers = authority.member_ids
            sendable = bool(readers)
        else:
            readers, sendable = (), False
        sent_at = read_at = acknowledged_at = None
        reviewer = read_by = None
        version = 1 + (resolved_at is not None and resolved_at != created)
        if resolved_at is not None and sendable:
            room = due - resolved_at
            if (
                resolved_at == created
                and room > timedelta(minutes=15)
                and rng.random() < SENT_ON_TIME
            ):
                sent = resolved_at + timedelta(
                    seconds=int(room.total_seconds() * rng.uniform(0.1, 0.97))
                )
            else:
                sent = max(due, resolved_at) + self._log_hours(0.25, 48)
            sent = max(sent, resolved_at + timedelta(minutes=5))
            if sent <= until:
                sent_at = sent
                reviewer = self.desk[rng.randrange(len(self.desk))]
                status = "sent"
                version += 1
                for reader in readers:
                    rows["disclosure"].append(
                        (
                            gen.force_id,
                            ENCOMPASS_DISCLOSURE,
                            str(self.next_notification_id),
                            reader,
                            reviewer.id,
                            ENCOMPASS_PURPOSE,
                            sent,
                            None,
                        )
                    )
                gen._event(
                    case_id,
                    "encompass.sent",
                    f"Operation Encompass notification sent for {child.given} {child.family}",
                    reviewer,
                    sent,
                    about=child.id,
                )
                if readers and rng.random() < READ:
                    read = sent + self._log_hours(0.05, 16)
                    if read <= until:
                        read_at, read_by = read, readers[rng.randrange(len(readers))]
                        if rng.random() < ACKNOWLEDGED:
                            ack = read + self._log_hours(0.02, 8)
                            if ack <= until:
                                acknowledged_at, status = ack, "acknowledged"
                                version += 1
        rows["notification"].append(
            (
                self.next_notification_id,
                version,
                gen.force_id,
                self.encompass_unit_id or case_unit_id,
                incident_id,
                child_row_id,
                child.id,
                route.value,
                school.id if school and route == Route.SCHOOL else None,
                authority.id if authority and route == Route.LOCAL_AUTHORITY else None,
                status,
                attended,
                due,
                f"{child.given} {child.family}".strip(),
                child.dob,
                reference,
                place,
                present,
                where,
                voice,
                # Written for the school by the desk when sent (docs/rules.md 4.2), never the
                # officer's account; blank until then.
                (
                    f"Police attended an incident at home; {child.given} may be tired or upset "
                    "and may need support today."
                    if sent_at
                    else ""
                ),
                reviewer.id if reviewer else None,
                sent_at,
                read_at,
                read_by,
                acknowledged_at,
                read_by if acknowledged_at else None,
                created,
            )
        )
        self.next_notification_id += 1
        if route == Route.SCHOOL and school is not None:
            return school.urn
        return child.school_urn
