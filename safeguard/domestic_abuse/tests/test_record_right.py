"""A child's record that is right (issue 11): each clock starts at the event docs/clocks.md
names (the incident as it happened, not as it was typed in), the same incident given in UTC or
in Europe/London stores the same deadlines, a grade change through DASH or triage is audited
on the case, ages are London dates, and one child's chronology holds nothing of another's."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safeguard.accounts.services import actor_for
from safeguard.cases.selectors import child_chronology
from safeguard.core.calendars import LONDON, add_working_days
from safeguard.core.models import AuditEntry, ClockState, TimelineEvent
from safeguard.domestic_abuse import services
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.services import ChildInput
from safeguard.domestic_abuse.tests.builders import (
    a_household,
    an_incident_input,
    make_da_cast,
)
from safeguard.encompass.models import Notification
from safeguard.encompass.services import notification_send
from safeguard.encompass.tests.builders import make_desk, make_schools
from safeguard.partners.models import Term, TermCalendar
from safeguard.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
ALL_NO = {n: "no" for n in range(1, 28)}
HIGH = {**ALL_NO, **{n: "yes" for n in range(1, 15)}}
# Wednesday 11 November 2026, 19:20 UTC (GMT): the police attend.
ATTENDED = datetime(2026, 11, 11, 19, 20, tzinfo=UTC)
# ... and the form is saved the next morning, 11 hours later.
SAVED = ATTENDED + 11 * H


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def home(cast):
    return a_household(cast.actor(cast.officer))


def _clocks(case_id: int) -> dict[str, ClockState]:
    return {c.name: c for c in ClockState.objects.filter(object_type="case", object_id=case_id)}


def _late(cast, home, at=ATTENDED, saved=SAVED, **changes) -> Incident:
    return services.incident_record(
        actor=cast.actor(cast.officer), data=an_incident_input(home, at, **changes), now=saved
    )


# --- (a) Each clock starts at the event docs/clocks.md names -----------------------------------


def test_clock_start_da_dash_completed(cast, home):
    incident = _late(cast, home)
    clock = _clocks(incident.case_id)["da.dash_completed"]
    assert clock.started_at == ATTENDED and clock.due_at == ATTENDED + 24 * H


def test_clock_start_da_triage(cast, home):
    incident = _late(cast, home)
    clock = _clocks(incident.case_id)["da.triage"]
    # Not yet graded: high, 24 hours from the attendance, not from the morning it was typed in.
    assert clock.started_at == ATTENDED and clock.due_at == ATTENDED + 24 * H


def test_clock_start_da_marac_referral(cast, home):
    incident = _late(cast, home)
    dash_done = SAVED + 2 * H
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(answers=HIGH, grade="high"),
        now=dash_done,
    )
    clock = _clocks(incident.case_id)["da.marac_referral"]
    # A MARAC route applies as the DASH that shows it is completed (docs/clocks.md).
    assert clock.started_at == dash_done
    assert clock.due_at == add_working_days(dash_done, 1)


# --- (b) The same instant in UTC or Europe/London stores the same deadlines -------------------

# The 2026 clock changes: 29 March 01:00 UTC (to BST) and 25 October 01:00 UTC (to GMT).
CHANGES = (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC))


def _school_2026(force) -> None:
    """Oak Primary's terms either side of both clock changes: spring 2026 added to Suffolk's
    calendar (which has autumn 2026 on)."""
    calendar = TermCalendar.objects.get(force=force, la_code="935")
    for name, first, last in [
        ("Spring 2", date(2026, 2, 23), date(2026, 3, 27)),
        ("Summer 1", date(2026, 4, 13), date(2026, 5, 22)),
    ]:
        Term.objects.create(calendar=calendar, name=name, first_day=first, last_day=last)


def _deadlines(cast, family: str, at: datetime) -> tuple[dict[str, datetime], list[datetime]]:
    """Record an incident attended at `at` (in whatever zone it is given), saved 3 hours later,
    its DASH an hour after that (a MARAC route); the deadlines stored for it, in UTC."""
    actor = cast.actor(cast.officer)
    born = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def person(given: str, dob: date, urn: str = ""):
        return person_create(
            actor=actor,
            data=PersonInput(given, family, dob, school_urn=urn),
            confirm_new=True,
            now=born,
        )

    victim, pupil, unschooled = (
        person("Dana", date(1990, 3, 1)),
        person("Ellie", date(2016, 5, 4), "100001"),
        person("Sam", date(2013, 8, 9)),
    )
    incident = services.incident_record(
        actor=actor,
        data=services.IncidentInput(
            attended_at=at,
            place="12 Elm Road",
            victim_id=victim.pk,
            relationship="partner",
            account="Shouting reported by a neighbour.",
            children=(
                ChildInput(pupil.pk, present=False, related_to="victim"),
                ChildInput(unschooled.pk, present=False, related_to="victim"),
            ),
        ),
        now=at + 3 * H,
    )
    services.dash_record(
        actor=actor,
        incident_id=incident.pk,
        data=services.DashInput(answers=HIGH, grade="high"),
        now=at + 4 * H,
    )
    clocks = {name: c.due_at.astimezone(UTC) for name, c in _clocks(incident.case_id).items()}
    notified = sorted(
        n.astimezone(UTC)
        for n in Notification.objects.filter(incident=incident).values_list("due_at", flat=True)
    )
    return clocks, notified


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    change=st.sampled_from(CHANGES),
    minutes=st.integers(min_value=-36 * 60, max_value=36 * 60),
)
@example(change=CHANGES[0], minutes=-30)
@example(change=CHANGES[0], minutes=30)
@example(change=CHANGES[1], minutes=-30)
@example(change=CHANGES[1], minutes=30)
def test_the_same_instant_in_utc_or_london_stores_the_same_deadlines(
    cast, make_user, force, change, minutes
):
    if not TermCalendar.objects.exists():
        make_schools(force, make_user)
        _school_2026(force)
    instant = change + timedelta(minutes=minutes)
    key = f"{change:%m}{minutes + 10000}"
    as_utc = _deadlines(cast, f"Utc{key}", instant.astimezone(UTC))
    as_london = _deadlines(cast, f"Lon{key}", instant.astimezone(LONDON))
    assert as_utc == as_london
    clocks, notified = as_utc
    assert {"da.dash_completed", "da.triage", "da.marac_referral"} <= set(clocks)
    assert clocks["da.dash_completed"] == instant + 24 * H
    assert len(notified) == 2


# --- (c) A grade changed by DASH or by triage is audited on the case ---------------------------


def test_a_grade_from_dash_or_triage_leaves_a_case_audit_entry(cast, home):
    incident = _late(cast, home)
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(answers=HIGH, grade="high"),
        now=SAVED + H,
    )
    entries = AuditEntry.objects.filter(object_type="case", object_id=str(incident.case_id))
    dash = entries.get(reason_code="dash")
    assert "risk_grade" in dash.changed_fields
    triage = cast.actor(cast.triage)
    services.triage_claim(actor=triage, incident_id=incident.pk, now=SAVED + 2 * H)
    services.triage_complete(
        actor=triage,
        incident_id=incident.pk,
        version=Incident.objects.get(pk=incident.pk).version,
        grade="medium",
        notes="Safety plan agreed; suspect on bail away from the address",
        now=SAVED + 3 * H,
    )
    triaged = [set(e.changed_fields) for e in entries.filter(reason_code="triage")]
    assert any("risk_grade" in fields for fields in triaged)
    assert any("status" in fields for fields in triaged)


# --- (d) Ages are London dates -----------------------------------------------------------------


@pytest.mark.parametrize("zone", [UTC, LONDON])
def test_eligibility_in_the_hour_after_midnight_bst_on_a_4th_and_an_18th_birthday(cast, home, zone):
    actor = cast.actor(cast.officer)
    # 00:30 BST on Monday 15 June 2026 is 23:30 UTC on the 14th.
    at = datetime(2026, 6, 15, 0, 30, tzinfo=LONDON).astimezone(zone)

    def person(given: str, dob: date):
        return person_create(
            actor=actor,
            data=PersonInput(given, f"Birthday{zone}", dob),
            confirm_new=True,
            now=datetime(2026, 1, 5, tzinfo=UTC),
        )

    four, eighteen = person("Four", date(2022, 6, 15)), person("Eighteen", date(2008, 6, 15))
    services.incident_record(
        actor=actor,
        data=replace(
            an_incident_input(home, at),
            children=(
                ChildInput(four.pk, present=False, related_to="victim"),
                ChildInput(eighteen.pk, present=False, related_to="victim"),
            ),
        ),
        now=at + H,
    )
    notified = set(Notification.objects.values_list("child_id", flat=True))
    assert four.pk in notified  # 4 today in London (still 3 on the UTC date)
    assert eighteen.pk not in notified  # 18 today in London (still 17 on the UTC date)


# --- (e) One child's chronology holds nothing of another's -------------------------------------


def _two_children_at_one_incident(cast, make_user, force):
    """Ellie and Jean Smith at one incident, each spoken to, each notified to Oak Primary."""
    schools = make_schools(force, make_user)
    desk = make_desk(make_user, force)
    officer = cast.actor(cast.officer)
    home = a_household(officer, "Smith", school_urn="100001")
    jean = person_create(
        actor=officer,
        data=PersonInput("Jean", "Smith", date(2014, 9, 1), school_urn="100001"),
        confirm_new=True,
        now=datetime(2026, 1, 5, tzinfo=UTC),
    )
    incident = services.incident_record(
        actor=officer,
        data=replace(
            an_incident_input(home, ATTENDED),
            children=(
                ChildInput(
                    home.child.pk,
                    present=True,
                    related_to="both",
                    spoken_to=True,
                    child_said="Daddy was shouting at mummy again",
                    demeanour="Quiet, holding a teddy",
                ),
                ChildInput(
                    jean.pk,
                    present=True,
                    related_to="both",
                    spoken_to=True,
                    child_said="I hid in the airing cupboard",
                    demeanour="Shaking and pale",
                ),
            ),
        ),
        now=SAVED,
    )
    desk_actor = actor_for(desk)
    for notification in Notification.objects.filter(incident=incident):
        notification_send(
            actor=desk_actor,
            notification_id=notification.pk,
            version=notification.version,
            circumstances="Police attended a domestic incident at home last night.",
            now=SAVED + H,
        )
    assert schools["oak"].urn == "100001"
    return home.child, jean, incident


def _said(events) -> str:
    return " ".join(f"{e.title} {e.description}" for e in events)


ELLIES = ("Ellie", "teddy", "shouting at mummy")
JEANS = ("Jean", "airing cupboard", "Shaking", "pale")


def test_a_childs_chronology_holds_no_event_or_words_of_the_other_child(cast, make_user, force):
    """Each event says whom it is about: a child's chronology (their own events and the
    case-wide ones of their cases) holds nothing the other child said or how they seemed."""
    ellie, jean, incident = _two_children_at_one_incident(cast, make_user, force)
    events = TimelineEvent.objects.filter(case_id=incident.case_id)
    for child, own, other in ((ellie, ELLIES, JEANS), (jean, JEANS, ELLIES)):
        theirs = events.filter(Q(person_id=child.pk) | Q(person_id__isnull=True))
        said = _said(theirs)
        for words in other:
            assert words not in said, words
        assert f"{child.full_name} seen and spoken to" in said
        assert f"Operation Encompass notification sent for {child.full_name}" in said
    # No case-wide event carries either child's words or demeanour.
    case_wide = _said(events.filter(person_id__isnull=True))
    for words in ELLIES[1:] + JEANS[1:]:
        assert words not in case_wide, words


def test_the_chronology_page_of_one_child_holds_nothing_of_the_other(cast, make_user, force):
    ellie, jean, _ = _two_children_at_one_incident(cast, make_user, force)
    officer = cast.actor(cast.officer)
    for child, other in ((ellie, JEANS), (jean, ELLIES)):
        items = child_chronology(actor=officer, person_id=child.pk).page.items
        assert all(e.person_id in (None, child.pk) for e in items)
        for words in other:
            assert words not in _said(items), words
