"""Building blocks for domestic abuse tests: a force with a triage unit, a cast, a household."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from safeguard.accounts.models import Unit, User
from safeguard.accounts.services import actor_for
from safeguard.core.actor import Actor
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.services import ChildInput, IncidentInput, incident_record
from safeguard.people.models import Person
from safeguard.people.services import PersonInput, person_create
from tests.factories import UnitFactory

# Tuesday 10 November 2026, 21:40 UTC (GMT).
TUESDAY_NIGHT = datetime(2026, 11, 10, 21, 40, tzinfo=UTC)


@dataclass(frozen=True)
class DaCast:
    triage_unit: Unit
    officer: User
    triage: User
    triage_2: User
    supervisor: User

    def actor(self, user: User) -> Actor:
        return actor_for(user)


def make_da_cast(make_user, force) -> DaCast:
    triage_unit = UnitFactory(force=force, name="Domestic Abuse Triage", unit_type="da_triage")
    return DaCast(
        triage_unit=triage_unit,
        officer=make_user("officer", last_name="Responder"),
        triage=make_user("investigator", units=[triage_unit], last_name="Triage"),
        triage_2=make_user("investigator", units=[triage_unit], last_name="Second"),
        supervisor=make_user("supervisor", units=[triage_unit], last_name="Sergeant"),
    )


@dataclass(frozen=True)
class Household:
    victim: Person
    suspect: Person
    child: Person
    sibling: Person


def a_household(actor: Actor, family: str = "Walker", school_urn: str = "") -> Household:
    def person(given: str, dob: date, urn: str = "") -> Person:
        return person_create(
            actor=actor,
            data=PersonInput(given, family, dob, school_urn=urn),
            confirm_new=True,
            now=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        )

    return Household(
        victim=person("Dana", date(1990, 3, 1)),
        suspect=person("Ryan", date(1988, 7, 9)),
        child=person("Ellie", date(2017, 5, 4), school_urn),
        sibling=person("Noah", date(2023, 2, 2)),
    )


def an_incident_input(home: Household, at: datetime = TUESDAY_NIGHT, **changes) -> IncidentInput:
    data = IncidentInput(
        attended_at=at,
        place="12 Elm Road, Ipswich IP1 2AB",
        victim_id=home.victim.pk,
        suspect_id=home.suspect.pk,
        relationship="partner",
        account="Neighbour called 999 after shouting; victim had a red mark on her neck.",
        children=(
            ChildInput(
                child_id=home.child.pk,
                present=True,
                where="In her bedroom upstairs",
                related_to="both",
                spoken_to=True,
                spoken_to_alone=True,
                child_said="Daddy was shouting at mummy again",
                demeanour="Quiet, holding a teddy",
            ),
            ChildInput(child_id=home.sibling.pk, present=False, related_to="both"),
        ),
    )
    return replace(data, **changes)


def recorded(cast: DaCast, home: Household, at: datetime = TUESDAY_NIGHT, **changes) -> Incident:
    return incident_record(
        actor=cast.actor(cast.officer),
        data=an_incident_input(home, at, **changes),
        now=at + timedelta(hours=1),
    )
