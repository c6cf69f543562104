"""Operation Encompass through the real services: who is notified and by when (Friday night,
half-term, a bank-holiday Monday, a later school start, a child educated at home, a child with
no known school), the email at a real SMTP server carrying no child data, and a DSL who sees
only their own school's notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.core.errors import DomainError, NotFound
from safeguard.core.models import ClockState
from safeguard.core.outbox import outbox_deliver_due
from safeguard.domestic_abuse.services import incident_record
from safeguard.domestic_abuse.tests.builders import a_household, an_incident_input, make_da_cast
from safeguard.encompass import selectors, services
from safeguard.encompass.models import Notification
from safeguard.encompass.tests.builders import (
    incident_for,
    london,
    make_desk,
    make_schools,
    school,
)
from safeguard.partners.models import LocalAuthority

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def desk(make_user, force):
    return make_desk(make_user, force)


@pytest.fixture
def schools(force, make_user):
    return make_schools(force, make_user)


def test_only_children_aged_4_to_17_are_notified(cast, desk, schools):
    notification = incident_for(cast, "100001", london(2026, 11, 10, 21, 0))
    # The household's toddler (born 2023) is not of school age; Ellie (born 2017) is.
    assert Notification.objects.count() == 1
    assert notification.route == "school" and notification.school == schools["oak"]
    assert notification.status == "to_review"


def test_late_on_a_friday_is_due_at_monday_school_start(cast, desk, schools):
    notification = incident_for(cast, "100001", london(2026, 11, 13, 23, 30))
    assert notification.due_at == london(2026, 11, 16, 8, 30)
    clock = ClockState.objects.get(object_type="encompass_notification", object_id=notification.pk)
    assert clock.name == "encompass.notification" and clock.due_at == notification.due_at


def test_in_half_term_it_is_due_at_the_start_of_the_next_term(cast, desk, schools):
    notification = incident_for(cast, "100001", london(2026, 10, 27, 19, 0))
    assert notification.due_at == london(2026, 11, 2, 8, 30)


def test_a_bank_holiday_monday_is_skipped(cast, desk, schools):
    # Easter Monday 2027 is 29 March, in the holidays; the May Day bank holiday is 3 May 2027,
    # in term: an incident on Friday 30 April is due on Tuesday 4 May.
    notification = incident_for(cast, "100001", london(2027, 4, 30, 20, 0))
    assert notification.due_at == london(2027, 5, 4, 8, 30)


def test_a_school_with_a_later_start_time_gets_its_own(cast, desk, schools):
    notification = incident_for(cast, "100002", london(2026, 11, 10, 21, 0))
    assert notification.due_at == london(2026, 11, 11, 8, 50)
    # Before the school day starts, the same morning counts.
    early = incident_for(cast, "100002", london(2026, 11, 11, 6, 0), family="Early")
    assert early.due_at == london(2026, 11, 11, 8, 50)


def test_a_child_educated_at_home_goes_to_the_local_authority(cast, desk, schools, force):
    LocalAuthority.objects.create(force=force, code="935", name="Suffolk County Council")
    notification = incident_for(cast, "", london(2026, 11, 13, 23, 30), home_educated=True)
    assert notification.route == "local_authority" and notification.status == "to_review"
    assert notification.local_authority.name == "Suffolk County Council"
    assert notification.due_at == london(2026, 11, 16, 8, 30)


def test_a_child_with_no_known_school_waits_to_be_resolved(cast, desk, schools):
    notification = incident_for(cast, "", london(2026, 11, 10, 21, 0))
    assert notification.route == "unresolved" and notification.status == "to_resolve"
    assert notification.due_at == london(2026, 11, 11, 8, 30)
    actor = cast.actor(desk)
    assert (
        selectors.encompass_desk(actor=actor, now=london(2026, 11, 10, 22, 0)).to_resolve_count == 1
    )
    with pytest.raises(DomainError) as refused:
        services.notification_resolve(
            actor=actor,
            notification_id=notification.pk,
            version=notification.version,
            school_urn="999999",
            now=london(2026, 11, 10, 22, 0),
        )
    assert (
        refused.value.fields["school_urn"] == "No school with that URN is in the schools directory"
    )
    resolved = services.notification_resolve(
        actor=actor,
        notification_id=notification.pk,
        version=notification.version,
        school_urn="100002",
        now=london(2026, 11, 10, 22, 0),
    )
    resolved.refresh_from_db()
    assert resolved.status == "to_review" and resolved.due_at == london(2026, 11, 11, 8, 50)


def test_sent_by_email_with_no_child_data_read_and_acknowledged_by_the_dsl_only(
    cast, desk, schools, smtp_server
):
    notification = incident_for(cast, "100001", london(2026, 11, 10, 21, 0))
    sent = services.notification_send(
        actor=cast.actor(desk),
        notification_id=notification.pk,
        version=notification.version,
        circumstances="Parents argued; police attended; the child was upstairs.",
        now=london(2026, 11, 10, 23, 0),
    )
    # Queued, not yet sent: the clock runs until the email is delivered.
    assert sent.status == "sending" and sent.sent_at is None
    clock = ClockState.objects.get(object_type="encompass_notification", object_id=notification.pk)
    assert clock.status == ClockState.Status.RUNNING and clock.met_at is None
    report = outbox_deliver_due(now=london(2026, 11, 10, 23, 5))
    assert report.sent == 1
    delivered = Notification.objects.get(pk=notification.pk)
    assert delivered.status == "sent" and delivered.sent_at == london(2026, 11, 10, 23, 5)
    clock.refresh_from_db()
    assert clock.status == ClockState.Status.MET and clock.met_at == delivered.sent_at
    [mail] = smtp_server.messages
    assert mail["To"] == "dsl@oak.sch.example"
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else str(mail)
    for secret in ("Ellie", "Walker", "Elm Road", "scared", notification.police_reference):
        assert secret not in body and secret not in mail["Subject"]
    assert f"http://127.0.0.1:8000/encompass/received/{notification.pk}/" in body

    dsl = cast.actor(schools["dsl"])
    assert [n.pk for n in selectors.received_notifications(actor=dsl)] == [notification.pk]
    other = cast.actor(schools["other_dsl"])
    assert selectors.received_notifications(actor=other) == []
    with pytest.raises(NotFound):
        services.notification_read(actor=other, notification_id=notification.pk, now=timezone.now())
    read = services.notification_read(
        actor=dsl, notification_id=notification.pk, now=timezone.now()
    )
    assert read.read_at is not None and read.read_by_id == schools["dsl"].pk
    done = services.notification_acknowledge(
        actor=dsl, notification_id=notification.pk, now=timezone.now()
    )
    assert done.status == "acknowledged"


def test_a_school_without_a_key_adult_cannot_be_sent_to(cast, desk, schools):
    school("100003", "Ash Infants")
    notification = incident_for(cast, "100003", london(2026, 11, 10, 21, 0))
    with pytest.raises(DomainError) as refused:
        services.notification_send(
            actor=cast.actor(desk),
            notification_id=notification.pk,
            version=notification.version,
            circumstances="x",
            now=london(2026, 11, 10, 22, 0),
        )
    assert "Ash Infants has no key adult" in refused.value.message
    assert Notification.objects.get(pk=notification.pk).status == "to_review"


def test_compliance_by_month_and_school(cast, desk, schools):
    on_time = incident_for(cast, "100001", london(2026, 11, 10, 21, 0))
    late = incident_for(cast, "100002", london(2026, 11, 10, 21, 5), family="Late")
    actor = cast.actor(desk)
    services.notification_send(
        actor=actor,
        notification_id=on_time.pk,
        version=on_time.version,
        circumstances="c",
        now=london(2026, 11, 11, 7, 0),
    )
    outbox_deliver_due(now=london(2026, 11, 11, 7, 1))
    services.notification_send(
        actor=actor,
        notification_id=late.pk,
        version=late.version,
        circumstances="c",
        now=london(2026, 11, 11, 10, 0),
    )
    outbox_deliver_due(now=london(2026, 11, 11, 10, 1))
    report = selectors.encompass_compliance(actor=actor, months=2, now=london(2026, 11, 20, 12, 0))
    november = report.by_month[-1]
    assert (november.due, november.on_time, november.percent) == (2, 1, 50.0)
    assert {c.label: c.percent for c in report.by_school} == {
        "Oak Primary": 100.0,
        "Elm Academy": 0.0,
    }


def test_the_desk_lists_what_is_due_before_tomorrows_school_start(cast, desk, schools):
    tonight = incident_for(cast, "100001", london(2026, 11, 10, 21, 0))
    next_week = incident_for(cast, "100001", london(2026, 11, 16, 21, 0), family="Later")
    listed = selectors.encompass_desk(actor=cast.actor(desk), now=london(2026, 11, 10, 22, 0))
    assert [n.pk for n in listed.due] == [tonight.pk]
    assert next_week.pk not in [n.pk for n in listed.due]


def test_on_a_friday_evening_mondays_notifications_are_already_on_the_desk(cast, desk, schools):
    friday = incident_for(cast, "100001", london(2026, 11, 13, 19, 0))
    assert friday.due_at == london(2026, 11, 16, 8, 30)
    listed = selectors.encompass_desk(actor=cast.actor(desk), now=london(2026, 11, 13, 20, 0))
    assert [n.pk for n in listed.due] == [friday.pk]


def test_clock_start_encompass_notification(cast, desk, schools):
    """The clock starts when the police attended, not when the incident was typed in: 07:00
    on a school day is due at 08:30 that morning, though the form was saved at 10:00."""
    attended = london(2026, 11, 11, 7, 0)
    home = a_household(cast.actor(cast.officer), school_urn="100001")
    incident_record(
        actor=cast.actor(cast.officer),
        data=an_incident_input(home, attended),
        now=attended + timedelta(hours=3),
    )
    notification = Notification.objects.get(child=home.child)
    clock = ClockState.objects.get(object_type="encompass_notification", object_id=notification.pk)
    assert clock.started_at == attended == notification.incident_at
    assert clock.due_at == notification.due_at == london(2026, 11, 11, 8, 30)
    assert clock.status == ClockState.Status.BREACHED
