"""What the capacity page and the triage queue show (issue 12, section 9): the capacity of a
supervisor outside the triage unit, the triage investigator's access to it, the queue's order
(highest risk first, not yet graded counting as high, then oldest) and its overdue tags."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from safeguard.domestic_abuse import selectors, services
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.tests.builders import (
    TUESDAY_NIGHT,
    a_household,
    make_da_cast,
    recorded,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
NOW = TUESDAY_NIGHT + 3 * H


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


def client_for(user) -> Client:
    return sign_in(Client(), user)


def six_in_the_queue(cast) -> list[Incident]:
    return [
        recorded(cast, a_household(cast.actor(cast.officer), f"Fam{n}"), TUESDAY_NIGHT - n * H)
        for n in range(6)
    ]


def test_a_supervisor_outside_the_triage_unit_sees_the_queue_in_the_capacity(cast, make_user, unit):
    # The demo's supervisor belongs to the child abuse unit, not the triage unit: the capacity
    # page counted only the cases of their own unit, so showed 0 while the queue held 6.
    six_in_the_queue(cast)
    supervisor = make_user("supervisor", units=[unit], last_name="Sutton")
    capacity = selectors.triage_capacity(actor=cast.actor(supervisor), now=NOW)
    assert capacity.backlog_now == 6
    assert sum(capacity.arrivals) == 6
    page = client_for(supervisor).get("/domestic-abuse/triage/capacity/")
    assert page.status_code == 200
    assert 'id="backlog-now">6<' in page.content.decode()
    # Counts only: the same supervisor still cannot read an incident of the triage unit.
    incident = Incident.objects.filter(force=cast.triage_unit.force).first()
    assert client_for(supervisor).get(f"/domestic-abuse/{incident.pk}/").status_code == 404


def test_the_triage_investigator_sees_the_capacity_of_their_unit(cast, make_user):
    six_in_the_queue(cast)
    client = client_for(cast.triage)
    queue = client.get("/domestic-abuse/triage/")
    assert b"/domestic-abuse/triage/capacity/" in queue.content
    page = client.get("/domestic-abuse/triage/capacity/")
    assert page.status_code == 200
    assert 'id="backlog-now">6<' in page.content.decode()
    # An investigator of another unit sees only their unit's incidents (none).
    other = client_for(make_user("investigator"))
    assert 'id="backlog-now">0<' in other.get("/domestic-abuse/triage/capacity/").content.decode()
    # Officers and auditors are still refused.
    assert client_for(cast.officer).get("/domestic-abuse/triage/capacity/").status_code == 403
    auditor = client_for(make_user("auditor"))
    assert auditor.get("/domestic-abuse/triage/capacity/").status_code == 403


def _graded(cast, incident: Incident, grade: str) -> Incident:
    # The DASH grade orders the queue; set directly, as the DASH service derives it.
    Incident.objects.filter(pk=incident.pk).update(risk_grade=grade)
    return incident


def test_the_queue_puts_the_ungraded_with_the_high_then_the_oldest_first(cast):
    def at(hours: int, grade: str) -> Incident:
        household = a_household(cast.actor(cast.officer), f"Q{hours}{grade or 'none'}")
        return _graded(cast, recorded(cast, household, TUESDAY_NIGHT - hours * H), grade)

    new_high = at(1, "high")
    old_ungraded = at(30, "")
    newest_ungraded = at(0, "")
    old_high = at(50, "high")
    old_standard = at(100, "standard")
    new_medium = at(2, "medium")
    old_medium = at(70, "medium")
    new_standard = at(3, "standard")
    page = selectors.triage_queue(actor=cast.actor(cast.triage))
    assert [i.pk for i in page.items] == [
        # high and not yet graded together, oldest first
        old_high.pk,
        old_ungraded.pk,
        new_high.pk,
        newest_ungraded.pk,
        old_medium.pk,
        new_medium.pk,
        old_standard.pk,
        new_standard.pk,
    ]
    # The page shows the same order.
    text = client_for(cast.triage).get("/domestic-abuse/triage/").content.decode()
    shown = [int(n) for n in re.findall(r'id="incident-(\d+)"', text)]
    assert shown == [i.pk for i in page.items]


def test_the_queue_order_is_read_from_an_index(cast):
    # The rank is a stored column computed by the database from the grade, and the partial
    # index over the open queue holds it, so the order needs no per-row expression.
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Incident._meta.db_table)
    assert any(
        spec["index"] and spec["columns"][:3] == ["force_id", "queue_rank", "attended_at"]
        for spec in indexes.values()
    )
    incident = recorded(cast, a_household(cast.actor(cast.officer)))
    ranks = {}
    for grade in ("", "high", "medium", "standard"):
        Incident.objects.filter(pk=incident.pk).update(risk_grade=grade)
        ranks[grade] = Incident.objects.values_list("queue_rank", flat=True).get(pk=incident.pk)
    assert ranks[""] == ranks["high"] < ranks["medium"] < ranks["standard"]


def _dash_graded(cast, incident: Incident, grade: str) -> Incident:
    """Graded through the DASH service, so the clocks are derived again."""
    answers = {n: "no" for n in range(1, 28)}
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(
            answers=answers, grade=grade, rationale="Threats to kill reported by a neighbour"
        ),
        now=incident.attended_at + H,
    )
    return incident


def _tags(text: str, incident: Incident) -> str:
    row = text.split(f'id="incident-{incident.pk}"', 1)[1].split("</tr>", 1)[0]
    return row


def test_an_incident_past_its_triage_due_time_is_tagged_overdue(cast):
    def at(family: str, age: timedelta, grade: str | None) -> Incident:
        incident = recorded(
            cast, a_household(cast.actor(cast.officer), family), TUESDAY_NIGHT - age
        )
        return _dash_graded(cast, incident, grade) if grade else incident

    # Now is Wednesday 11 November 00:40. High risk, or not yet graded, is due in 24 hours;
    # standard in 5 working days.
    six_days_high = at("Six", timedelta(days=6), "high")
    six_days_ungraded = at("Ungraded", timedelta(days=6), None)
    day_old_ungraded = at("Day", 30 * H, None)
    eight_days_standard = at("Eight", timedelta(days=8), "standard")
    six_days_standard = at("Within", timedelta(days=6), "standard")
    fresh = at("Fresh", H, "standard")
    text = client_for(cast.triage).get("/domestic-abuse/triage/").content.decode()
    overdue = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    for incident in (six_days_high, six_days_ungraded, day_old_ungraded, eight_days_standard):
        assert overdue in _tags(text, incident), incident
    # Attended Wednesday 4 November: 5 working days is Wednesday 11 November at 21:40.
    assert "Overdue" not in _tags(text, six_days_standard)
    assert "Wed 11 Nov 21:40" in _tags(text, six_days_standard)
    assert "Overdue" not in _tags(text, fresh)
    due = '<strong class="govuk-tag govuk-tag--blue">Due</strong>'
    assert due in _tags(text, fresh) and "Tue 17 Nov 20:40" in _tags(text, fresh)
