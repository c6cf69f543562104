"""Building blocks for missing-children tests: a force with a missing persons unit, a MASH,
two local authorities (one with a return-interview user), a cast, and a report."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from safeguard.accounts.models import Unit, User
from safeguard.accounts.services import actor_for
from safeguard.core.actor import Actor
from safeguard.missing.models import Episode
from safeguard.missing.services import ReportInput, episode_report
from safeguard.partners.models import LocalAuthority
from safeguard.people.models import Person
from safeguard.people.services import PersonInput, person_create
from tests.factories import UnitFactory

# Friday 28 August 2026, 23:10 BST (22:10 UTC): the Monday after is the summer bank holiday.
FRIDAY_NIGHT = datetime(2026, 8, 28, 22, 10, tzinfo=UTC)
CHILD_DOB = date(2011, 6, 1)  # 15 at the time


@dataclass(frozen=True)
class MissingCast:
    missing_unit: Unit
    mash: Unit
    officer: User
    officer_2: User
    supervisor: User  # supervises the missing persons unit
    inspector: User
    la: LocalAuthority
    other_la: LocalAuthority
    la_user: User
    other_la_user: User
    analyst: User

    def actor(self, user: User) -> Actor:
        return actor_for(user)


def make_missing_cast(make_user, force) -> MissingCast:
    missing_unit = UnitFactory(force=force, name="Missing Persons Unit", unit_type="missing")
    mash = UnitFactory(force=force, name="MASH", unit_type="mash")
    la = LocalAuthority.objects.create(force=force, code="935", name="Suffolk County Council")
    other_la = LocalAuthority.objects.create(force=force, code="926", name="Norfolk County Council")
    la_user = make_user("partner", units=[], email="rhi@suffolk.example")
    other_la_user = make_user("partner", units=[], email="rhi@norfolk.example")
    la.members.add(la_user)
    other_la.members.add(other_la_user)
    return MissingCast(
        missing_unit=missing_unit,
        mash=mash,
        officer=make_user("officer", units=[missing_unit], last_name="Officer"),
        officer_2=make_user("officer", units=[missing_unit], last_name="Second"),
        supervisor=make_user("supervisor", units=[missing_unit, mash], last_name="Sergeant"),
        inspector=make_user("duty_inspector", units=[missing_unit], last_name="Inspector"),
        la=la,
        other_la=other_la,
        la_user=la_user,
        other_la_user=other_la_user,
        analyst=make_user("analyst", units=[]),
    )


def a_child(
    actor: Actor, given: str = "Mia", family: str = "Jones", dob: date = CHILD_DOB
) -> Person:
    return person_create(
        actor=actor,
        data=PersonInput(given, family, dob),
        confirm_new=True,
        now=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    )


def a_report(
    child: Person, la: LocalAuthority, at: datetime = FRIDAY_NIGHT, **changes
) -> ReportInput:
    data = ReportInput(
        child_id=child.pk,
        reported_at=at,
        reported_by="Karen Jones (mother)",
        reporter_relationship="Mother",
        last_seen_at=at - timedelta(hours=2),
        last_seen_place="Home, 4 Mill Lane, Ipswich",
        circumstances="Left after an argument and did not come home by 9 pm.",
        missing_from="home",
        local_authority_id=la.pk,
        grade="low",
        grade_rationale="Out of character but no known risk factors.",
        out_of_character=True,
    )
    return replace(data, **changes)


def reported(
    cast: MissingCast,
    child: Person,
    at: datetime = FRIDAY_NIGHT,
    *,
    by: User | None = None,
    **changes,
) -> Episode:
    return episode_report(
        actor=cast.actor(by or cast.officer),
        data=a_report(child, cast.la, at, **changes),
        now=at + timedelta(minutes=5),
    )
