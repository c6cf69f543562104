"""Building blocks for Operation Encompass tests: the desk, schools with term dates and key
adults, and an incident that makes a notification for one child of school age."""

from datetime import date, datetime, time

from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.core.outbox import outbox_deliver_due
from safeguard.domestic_abuse.services import ChildInput
from safeguard.domestic_abuse.tests.builders import DaCast, a_household, recorded
from safeguard.encompass.models import Notification
from safeguard.partners.models import KeyAdult, School, Term, TermCalendar
from tests.factories import UnitFactory

LONDON = timezone.get_current_timezone()


def london(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args), LONDON)


def make_desk(make_user, force) -> User:
    """An officer of the force's Operation Encompass desk."""
    unit = UnitFactory(force=force, name="Operation Encompass Desk", unit_type="encompass")
    return make_user("investigator", units=[unit], last_name="Encompass")


def school(urn: str, name: str, starts: time = time(8, 30), la_code: str = "935") -> School:
    return School.objects.create(
        urn=urn,
        name=name,
        la_code=la_code,
        la_name="Suffolk",
        status="Open",
        day_starts_at=starts,
        updated_at=timezone.now(),
    )


def make_schools(force, make_user) -> dict:
    """Suffolk's 2026-27 terms; Oak Primary (8:30) and Elm Academy (8:50), each with a DSL."""
    calendar = TermCalendar.objects.create(
        force=force, name="Suffolk 2026-27", la_code="935", updated_at=timezone.now()
    )
    for name, first, last in [
        ("Autumn 1", date(2026, 9, 3), date(2026, 10, 23)),
        ("Autumn 2", date(2026, 11, 2), date(2026, 12, 18)),
        ("Spring 1", date(2027, 1, 5), date(2027, 2, 12)),
        ("Spring 2", date(2027, 2, 22), date(2027, 3, 26)),
        ("Summer 1", date(2027, 4, 12), date(2027, 5, 28)),
    ]:
        Term.objects.create(calendar=calendar, name=name, first_day=first, last_day=last)
    oak = school("100001", "Oak Primary")
    elm = school("100002", "Elm Academy", starts=time(8, 50))
    dsl = make_user("partner", units=[], email="dsl@oak.example")
    other_dsl = make_user("partner", units=[], email="dsl@elm.example")
    KeyAdult.objects.create(
        force=force,
        school=oak,
        user=dsl,
        name="Ms Oak",
        role="dsl",
        secure_email="dsl@oak.sch.example",
        added_at=timezone.now(),
    )
    KeyAdult.objects.create(
        force=force,
        school=elm,
        user=other_dsl,
        name="Mr Elm",
        role="dsl",
        secure_email="dsl@elm.sch.example",
        added_at=timezone.now(),
    )
    return {"oak": oak, "elm": elm, "dsl": dsl, "other_dsl": other_dsl}


def incident_for(
    cast: DaCast, urn: str, at: datetime, family: str = "Walker", **child
) -> Notification:
    """An incident at `at` with Ellie (born 2017, at the school `urn`) present and spoken to,
    and her toddler brother not present: one notification, Ellie's."""
    home = a_household(cast.actor(cast.officer), family, school_urn=urn)
    recorded(
        cast,
        home,
        at,
        children=(
            ChildInput(
                child_id=home.child.pk,
                present=True,
                related_to="both",
                where="Living room",
                spoken_to=True,
                child_said="I was scared",
                demeanour="Quiet and tearful",
                **child,
            ),
            ChildInput(child_id=home.sibling.pk, present=False, related_to="both"),
        ),
    )
    return Notification.objects.get(child=home.child)


def deliver(at: datetime | None = None) -> int:
    """Run the worker's delivery once (the test settings' mail backend): the emails it
    delivered."""
    return outbox_deliver_due(now=at or timezone.now()).sent
