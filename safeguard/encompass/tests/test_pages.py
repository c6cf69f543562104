"""The Operation Encompass pages through the Django test client: the desk and its live
fragment, one notification (resolve, review and send, a stale version), compliance, and a
school's key adult reading and acknowledging what was sent to them (and nobody else's)."""

import pytest
import time_machine
from django.db.models import F
from django.test import Client

from safeguard.core.models import AuditEntry, OutboxMessage
from safeguard.domestic_abuse.tests.builders import make_da_cast
from safeguard.encompass.models import Notification
from safeguard.encompass.tests.builders import (
    deliver,
    incident_for,
    london,
    make_desk,
    make_schools,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
INCIDENT = london(2026, 11, 10, 21, 0)  # a Tuesday night in term: due Wednesday 08:30
NOW = london(2026, 11, 10, 22, 0)


@pytest.fixture(autouse=True)
def frozen():
    # The pages read the clock; the builders are given their times.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def desk(make_user, force):
    return make_desk(make_user, force)


@pytest.fixture
def schools(force, make_user):
    return make_schools(force, make_user)


def as_user(user) -> Client:
    return sign_in(Client(), user)


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def send(client: Client, notification: Notification, circumstances: str = "Parents argued."):
    return client.post(
        f"/encompass/notifications/{notification.pk}/send/",
        {"circumstances": circumstances, "version": notification.version, "action": "send"},
    )


# The desk ------------------------------------------------------------------------------------


def test_the_desk_lists_what_is_due_before_tomorrows_school_start(cast, desk, schools):
    due = incident_for(cast, "100001", INCIDENT)
    unknown = incident_for(cast, "", INCIDENT, family="Harper")
    later = incident_for(cast, "100001", london(2026, 11, 16, 21, 0), family="Later")
    shown = page(as_user(desk).get("/encompass/"))
    row = shown[shown.index(f'id="notification-{due.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/encompass/notifications/{due.pk}/"' in row and "Ellie Walker" in row
    assert "Oak Primary" in row and "due in 10 hours" in row and "To review and send" in row
    unknown_row = shown[shown.index(f'id="notification-{unknown.pk}"') :]
    assert "School not known" in unknown_row[: unknown_row.index("</tr>")]
    assert f"/encompass/notifications/{later.pk}/" not in shown
    assert "None overdue" in shown and "1 waiting for its school" in shown
    assert 'data-live-src="?fragment=due"' in shown and "safeguard/live.js" in shown
    assert "No sent notification is waiting to be read." in shown
    assert 'href="/encompass/"' in shown  # the service navigation


def test_the_fragment_is_the_due_list_alone_and_shows_what_is_overdue(cast, desk, schools):
    due = incident_for(cast, "100001", INCIDENT)
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        fragment = page(as_user(desk).get("/encompass/?fragment=due"))
    assert "<html" not in fragment and "govuk-tabs" not in fragment
    assert 'id="due"' in fragment and f'href="/encompass/notifications/{due.pk}/"' in fragment
    assert "1 overdue" in fragment and "overdue by 30 minutes" in fragment


def test_an_empty_desk_says_so(desk):
    shown = page(as_user(desk).get("/encompass/"))
    assert 'id="due-empty"' in shown and "None overdue" in shown


# One notification ----------------------------------------------------------------------------


def test_the_notification_shows_what_will_be_shared_and_to_whom(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    shown = page(as_user(desk).get(f"/encompass/notifications/{notification.pk}/"))
    for text in (
        "Ellie Walker",
        "4 May 2017",
        notification.police_reference,
        "12 Elm Road",
        "Yes: Living room",
        "I was scared",
        "Ms Oak, Designated safeguarding lead",
        "Preview what will be sent",
    ):
        assert text in shown, text
    assert "dsl@oak.sch.example" not in shown
    assert f'value="{notification.version}"' in shown
    assert AuditEntry.objects.filter(
        object_type="encompass_notification", object_id=str(notification.pk), action="view"
    ).exists()


def test_resolving_with_a_bad_urn_shows_the_error_then_a_good_one_resolves(cast, desk, schools):
    notification = incident_for(cast, "", INCIDENT)
    client = as_user(desk)
    shown = page(client.get(f"/encompass/notifications/{notification.pk}/"))
    assert (
        "Resolve the school or local authority" in shown
        and "Preview what will be sent" not in shown
    )
    url = f"/encompass/notifications/{notification.pk}/resolve/"
    refused = page(client.post(url, {"school_urn": "999999", "version": notification.version}))
    assert "govuk-error-summary" in refused and "There is a problem" in refused
    assert "No school with that URN is in the schools directory" in refused
    assert 'href="#id_school_urn"' in refused
    empty = page(client.post(url, {"school_urn": "", "version": notification.version}))
    assert "Enter the school" in empty and "choose the local authority" in empty
    response = client.post(url, {"school_urn": "100002", "version": notification.version})
    assert response.status_code == 302
    assert response["Location"] == f"/encompass/notifications/{notification.pk}/"
    notification.refresh_from_db()
    assert notification.status == "to_review" and notification.school == schools["elm"]
    shown = page(client.get(response["Location"]))
    assert "Resolved: the notification is ready to review and send" in shown
    assert "Mr Elm" in shown and "Preview what will be sent" in shown


def test_sending_emails_a_link_with_no_child_data(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    client = as_user(desk)
    response = send(client, notification, "Parents argued; the child was upstairs.")
    assert response.status_code == 302
    notification.refresh_from_db()
    # Sent to the outbox: it counts as sent once delivered.
    assert notification.status == "sending" and notification.sent_at is None
    assert notification.queued_at == NOW
    assert notification.circumstances == "Parents argued; the child was upstairs."
    [email] = OutboxMessage.objects.filter(channel="email")
    assert email.to_address == "dsl@oak.sch.example"
    assert email.link == f"/encompass/received/{notification.pk}/"
    for secret in (
        "Ellie",
        "Walker",
        "Elm Road",
        "scared",
        "upstairs",
        notification.police_reference,
    ):
        assert secret not in email.body and secret not in email.subject
    shown = page(client.get(response["Location"]))
    assert "Notification sent to Oak Primary" in shown and "Preview what will be sent" not in shown
    assert "Not yet read" in shown
    desk_page = page(client.get("/encompass/"))
    assert f'id="sending-{notification.pk}"' in desk_page
    assert f'id="table-sent-unread-{notification.pk}"' not in desk_page
    assert deliver() == 1
    desk_page = page(client.get("/encompass/"))
    assert f'id="table-sent-unread-{notification.pk}"' in desk_page
    assert f'id="sending-{notification.pk}"' not in desk_page


def test_sending_without_circumstances_is_refused(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    shown = page(send(as_user(desk), notification, "  "))
    assert "Enter brief circumstances for the school" in shown
    assert Notification.objects.get(pk=notification.pk).status == "to_review"


def test_a_stale_version_is_a_conflict(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    Notification.objects.filter(pk=notification.pk).update(version=F("version") + 1)
    shown = page(send(as_user(desk), notification))
    # The unit of work names what was changed: this notification.
    assert "Somebody else changed this notification after you opened it" in shown
    assert "govuk-error-summary" in shown
    assert Notification.objects.get(pk=notification.pk).status == "to_review"
    assert not OutboxMessage.objects.exists()


# Compliance ----------------------------------------------------------------------------------


def test_compliance_renders_by_month_and_school(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    client = as_user(desk)
    assert send(client, notification).status_code == 302
    deliver()
    shown = page(client.get("/encompass/compliance/?months=3"))
    assert 'id="chart-compliance"' in shown and "<svg" in shown
    assert "Nov 2026" in shown and "Sep 2026" in shown and "Aug 2026" not in shown
    schools_table = shown[shown.index('id="compliance-schools"') :]
    assert "Oak Primary" in schools_table and "100%" in schools_table
    default = page(client.get("/encompass/compliance/"))
    assert "Dec 2025" in default and "Nov 2025" not in default


def test_compliance_refuses_months_out_of_range(desk):
    for months in ("0", "25", "x"):
        shown = page(as_user(desk).get(f"/encompass/compliance/?months={months}"))
        assert "Enter a number of months from 1 to 24" in shown
        assert "govuk-error-summary" in shown and "chart-compliance" not in shown


# The key adult -------------------------------------------------------------------------------


def test_the_dsl_reads_with_a_receipt_and_acknowledges(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    assert send(as_user(desk), notification, "Parents argued.").status_code == 302
    deliver()
    dsl = as_user(schools["dsl"])
    listed = page(dsl.get("/encompass/received/"))
    assert f'href="/encompass/received/{notification.pk}/"' in listed and "New" in listed
    # Next morning, before school (a new session: the evening's has long expired).
    with time_machine.travel(london(2026, 11, 11, 7, 45), tick=False):
        shown = page(as_user(schools["dsl"]).get(f"/encompass/received/{notification.pk}/"))
    for text in ("Ellie Walker", "4 May 2017", "12 Elm Road", "I was scared", "Parents argued."):
        assert text in shown, text
    notification.refresh_from_db()
    assert notification.read_at == london(2026, 11, 11, 7, 45)
    assert notification.read_by == schools["dsl"] and notification.status == "sent"
    assert "Read, not acknowledged" in page(dsl.get("/encompass/received/"))

    response = dsl.post(f"/encompass/received/{notification.pk}/acknowledge/")
    assert response.status_code == 302
    assert response["Location"] == f"/encompass/received/{notification.pk}/"
    shown = page(dsl.get(response["Location"]))
    assert "Notification acknowledged" in shown and ">Acknowledge</button>" not in shown
    notification.refresh_from_db()
    assert notification.status == "acknowledged" and notification.acknowledged_by == schools["dsl"]
    # The desk sees the read receipt and the acknowledgement.
    assert f'id="table-acknowledged-{notification.pk}"' in page(as_user(desk).get("/encompass/"))


def test_another_schools_dsl_gets_not_found(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    assert send(as_user(desk), notification).status_code == 302
    deliver()
    other = as_user(schools["other_dsl"])
    assert f"/encompass/received/{notification.pk}/" not in page(other.get("/encompass/received/"))
    assert other.get(f"/encompass/received/{notification.pk}/").status_code == 404
    assert other.post(f"/encompass/received/{notification.pk}/acknowledge/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None and notification.status == "sent"


def test_the_dsl_has_an_empty_list_before_anything_is_sent(cast, desk, schools):
    incident_for(cast, "100001", INCIDENT)
    shown = page(as_user(schools["dsl"]).get("/encompass/received/"))
    assert 'id="received-empty"' in shown and 'href="/encompass/received/"' in shown


# Permissions ---------------------------------------------------------------------------------


def test_an_officer_without_the_permission_is_refused(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    officer = as_user(cast.officer)
    for url in (
        "/encompass/",
        "/encompass/compliance/",
        f"/encompass/notifications/{notification.pk}/",
        "/encompass/received/",
    ):
        assert officer.get(url).status_code == 403, url
    assert send(officer, notification).status_code == 403
    assert as_user(schools["dsl"]).get("/encompass/").status_code == 403
    assert as_user(desk).get("/encompass/received/").status_code == 403


def test_a_notification_outside_the_desk_is_not_found(cast, desk, schools, make_user):
    notification = incident_for(cast, "100001", INCIDENT)
    # An investigator of another unit has the permission but not this desk's notifications.
    elsewhere = as_user(make_user("investigator"))
    assert elsewhere.get(f"/encompass/notifications/{notification.pk}/").status_code == 404
    assert send(elsewhere, notification).status_code == 404
    assert "Ellie Walker" not in page(elsewhere.get("/encompass/"))
