"""Operation Encompass shares what the school needs and no more (issue 12, section 7): brief
circumstances written for the school (required, never the officer's account), a preview on
the confirm step that is exactly what is sent, a notification sent only once delivered (a
real SMTP sink, and a closed port that gives up), the police contact on the school's page, and
the school's action recorded (only by that school), through the pages and the API."""

import html
import json
import re
import socket

import pytest
import time_machine
from django.test import Client

from safeguard.core.errors import DomainError
from safeguard.core.models import AuditEntry, ClockState, OutboxMessage
from safeguard.core.outbox import outbox_deliver_due
from safeguard.domestic_abuse.tests.builders import make_da_cast
from safeguard.encompass import services
from safeguard.encompass.models import Notification
from safeguard.encompass.tests.builders import incident_for, london, make_desk, make_schools
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
INCIDENT = london(2026, 11, 10, 21, 0)  # a Tuesday night in term: due Wednesday 08:30
NOW = london(2026, 11, 10, 22, 0)
ACCOUNT = "Neighbour called 999 after shouting; victim had a red mark on her neck."
FOR_SCHOOL = "Ellie was at home when police were called; she may be tired and upset today."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def desk(make_user, force):
    user = make_desk(make_user, force)
    user.first_name, user.last_name, user.email = "Dana", "Reid", "dana.reid@police.example"
    user.save()
    return user


@pytest.fixture
def schools(force, make_user):
    return make_schools(force, make_user)


def as_user(user) -> Client:
    return sign_in(Client(), user)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def school_view(shown: str) -> str:
    """The school's view, as a page shows it (the same include on both pages)."""
    start = shown.index('<div id="school-view">')
    end = "when you get in touch.</p>"
    return shown[start : shown.index(end, start) + len(end)]


def send_step(client: Client, notification: Notification, action: str | list, **fields):
    body = {
        "circumstances": FOR_SCHOOL,
        "contact_phone": "01473 613500",
        "version": notification.version,
        "action": action,
    } | fields
    return client.post(f"/encompass/notifications/{notification.pk}/send/", body)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed once the socket is: nothing listens there


# Brief circumstances -------------------------------------------------------------------------


def test_brief_circumstances_start_blank_never_the_officers_account(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    assert notification.incident.account == ACCOUNT
    assert notification.circumstances == ""
    shown = page(as_user(desk).get(f"/encompass/notifications/{notification.pk}/"))
    assert ACCOUNT not in shown and "red mark" not in shown
    assert "Write this for the school" in shown
    assert "support the child at school tomorrow morning" in shown
    assert "no details of the allegation" in shown.lower()
    field = re.search(r'<textarea[^>]*name="circumstances"[^>]*>(.*?)</textarea>', shown, re.S)
    assert field and field.group(1).strip() == ""


def test_brief_circumstances_are_required_to_preview_and_to_send(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    client = as_user(desk)
    for action in ("preview", "send"):
        shown = page(send_step(client, notification, action, circumstances="  "))
        assert "Enter brief circumstances for the school" in shown
        assert 'href="#id_circumstances"' in shown and "01473 613500" in shown
    assert Notification.objects.get(pk=notification.pk).status == "to_review"
    assert not OutboxMessage.objects.exists()
    with pytest.raises(DomainError) as refused:
        services.notification_send(
            actor=cast.actor(desk),
            notification_id=notification.pk,
            version=notification.version,
            circumstances="",
            now=NOW,
        )
    assert refused.value.fields["circumstances"] == "Enter brief circumstances for the school"


def test_an_oversized_phone_keeps_the_circumstances(cast, desk, schools):
    notification = incident_for(cast, "100001", INCIDENT)
    shown = page(send_step(as_user(desk), notification, "preview", contact_phone="9" * 41))
    assert "A phone number must be 40 characters or fewer" in shown
    assert FOR_SCHOOL.replace("'", "&#x27;") in shown


# The preview ---------------------------------------------------------------------------------


def test_the_preview_is_exactly_what_is_sent(cast, desk, schools, smtp_server):
    notification = incident_for(cast, "100001", INCIDENT)
    client = as_user(desk)
    preview = page(send_step(client, notification, "preview"))
    assert "Check what will be sent" in preview and "Nothing has been sent yet" in preview
    assert "Ms Oak (dsl@oak.sch.example)" in preview
    assert not OutboxMessage.objects.exists()
    assert Notification.objects.get(pk=notification.pk).status == "to_review"
    previewed = school_view(preview)
    for text in (
        FOR_SCHOOL.replace("'", "&#x27;"),
        "Dana Reid",
        "Operation Encompass Desk",
        "01473 613500",
        "dana.reid@police.example",
        "Ellie Walker",
    ):
        assert text in previewed, text
    email_shown = re.search(r'id="preview-body">(.*?)</dd>', preview, re.S).group(1)

    # "Change" goes back to the form with what was typed; "Send" sends what was previewed.
    change = page(send_step(client, notification, ["send", "edit"]))
    assert "Preview what will be sent" in change and "Check what will be sent" not in change
    assert not OutboxMessage.objects.exists()
    sent = send_step(client, notification, "send")
    assert sent.status_code == 302
    assert outbox_deliver_due(now=london(2026, 11, 10, 22, 5)).sent == 1

    [mail] = smtp_server.messages
    body = mail.get_payload(decode=True).decode()
    assert mail["Subject"] == "Operation Encompass notification"
    assert html.unescape(email_shown.replace("<br>", "\n")) == body.strip().replace("\r\n", "\n")
    received = page(as_user(schools["dsl"]).get(f"/encompass/received/{notification.pk}/"))
    assert school_view(received) == previewed


def test_the_api_preview_writes_nothing_and_matches_the_send(cast, desk, schools, make_api_client):
    notification = incident_for(cast, "100001", INCIDENT)
    client = make_api_client(desk)
    url = f"/api/v1/encompass/notifications/{notification.pk}"
    body = {"circumstances": FOR_SCHOOL, "contact_phone": "01473 613500"}
    blank = client.post(
        f"{url}/preview", json.dumps({"circumstances": " "}), content_type="application/json"
    )
    assert blank.status_code == 422 and "circumstances" in blank.json()["fields"]
    preview = client.post(f"{url}/preview", json.dumps(body), content_type="application/json")
    assert preview.status_code == 200, preview.content
    shown = preview.json()
    assert shown["recipients"] == [{"name": "Ms Oak", "email": "dsl@oak.sch.example"}]
    assert shown["page"]["circumstances"] == FOR_SCHOOL
    assert shown["page"]["contact_name"] == "Dana Reid"
    assert not OutboxMessage.objects.exists()
    assert Notification.objects.get(pk=notification.pk).circumstances == ""
    sent = client.post(
        f"{url}/send",
        json.dumps(body | {"version": notification.version}),
        content_type="application/json",
    )
    assert sent.status_code == 200, sent.content
    [email] = OutboxMessage.objects.filter(channel="email")
    assert shown["email"].startswith(email.body) and shown["email"].endswith(email.link)
    assert shown["subject"] == email.subject
    stored = Notification.objects.get(pk=notification.pk)
    for name in ("circumstances", "contact_name", "contact_unit", "contact_phone", "contact_email"):
        assert getattr(stored, name) == shown["page"][name], name


# Sent only once delivered --------------------------------------------------------------------


def _sent(cast, desk, urn: str = "100001", family: str = "Walker") -> Notification:
    notification = incident_for(cast, urn, INCIDENT, family=family)
    services.notification_send(
        actor=cast.actor(desk),
        notification_id=notification.pk,
        version=notification.version,
        circumstances=FOR_SCHOOL,
        contact_phone="01473 613500",
        now=NOW,
    )
    return Notification.objects.get(pk=notification.pk)


def _clock(notification: Notification) -> ClockState:
    return ClockState.objects.get(object_type="encompass_notification", object_id=notification.pk)


def test_delivered_through_real_smtp_is_sent_and_meets_the_clock(cast, desk, schools, smtp_server):
    notification = _sent(cast, desk)
    assert notification.status == "sending" and notification.queued_at == NOW
    assert _clock(notification).met_at is None
    desk_page = page(as_user(desk).get("/encompass/"))
    assert f'id="sending-{notification.pk}"' in desk_page
    delivered_at = london(2026, 11, 10, 22, 10)
    assert outbox_deliver_due(now=delivered_at).sent == 1
    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.sent_at == delivered_at
    assert _clock(notification).met_at == delivered_at
    assert _clock(notification).status == ClockState.Status.MET
    assert AuditEntry.objects.filter(
        object_type="encompass_notification",
        object_id=str(notification.pk),
        reason_code="delivered",
        actor_username="outbox",
    ).exists()
    shown = page(as_user(desk).get(f"/encompass/notifications/{notification.pk}/"))
    assert "Delivered</strong>" in shown and "dsl@oak.sch.example" in shown


def test_a_failed_delivery_is_undelivered_on_the_desk_then_sent_again(
    cast, desk, schools, settings, smtp_server
):
    notification = _sent(cast, desk)
    settings.EMAIL_PORT = closed_port()  # the mail server is down
    settings.OUTBOX_MAX_ATTEMPTS = 1  # give up at the first failure
    report = outbox_deliver_due(now=london(2026, 11, 10, 22, 10))
    assert report.dead == 1 and report.sent == 0
    notification.refresh_from_db()
    assert notification.status == "undelivered" and notification.sent_at is None
    assert "Mail server unreachable" in notification.delivery_error
    assert _clock(notification).met_at is None
    client = as_user(desk)
    desk_page = page(client.get("/encompass/"))
    assert f'id="undelivered-{notification.pk}"' in desk_page and "Not delivered" in desk_page
    shown = page(client.get(f"/encompass/notifications/{notification.pk}/"))
    assert "Send the email again" in shown and "Told the school another way" in shown

    # Sent again with the server back: delivered, and sent at that moment.
    settings.EMAIL_PORT = smtp_server.port
    retried = client.post(
        f"/encompass/notifications/{notification.pk}/retry/", {"version": notification.version}
    )
    assert retried.status_code == 302
    notification.refresh_from_db()
    assert notification.status == "sending" and notification.delivery_error == ""
    at = london(2026, 11, 11, 7, 0)
    assert outbox_deliver_due(now=at).sent == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.sent_at == at
    assert len(smtp_server.messages) == 1


def test_an_undelivered_notification_told_another_way_is_sent(cast, desk, schools, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.OUTBOX_MAX_ATTEMPTS = 1
    notification = _sent(cast, desk)
    outbox_deliver_due(now=london(2026, 11, 10, 22, 10))
    notification.refresh_from_db()
    assert notification.status == "undelivered"
    client = as_user(desk)
    url = f"/encompass/notifications/{notification.pk}/other-route/"
    empty = page(client.post(url, {"other_route": " ", "version": notification.version}))
    assert "Say how and when you told the school" in empty
    told = client.post(
        url, {"other_route": "Phoned Ms Oak at 22:30", "version": notification.version}
    )
    assert told.status_code == 302
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.sent_at == NOW
    assert notification.other_route == "Phoned Ms Oak at 22:30"
    assert notification.other_route_by == desk
    assert _clock(notification).met_at == NOW
    retry = client.post(
        f"/encompass/notifications/{notification.pk}/retry/", {"version": notification.version}
    )
    assert "Only a notification whose delivery failed can be sent again" in page(retry)


def test_the_api_sends_again_and_records_another_route(
    cast, desk, schools, settings, make_api_client
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.OUTBOX_MAX_ATTEMPTS = 1
    notification = _sent(cast, desk)
    outbox_deliver_due(now=london(2026, 11, 10, 22, 10))
    client = make_api_client(desk)
    url = f"/api/v1/encompass/notifications/{notification.pk}"
    got = client.get(url).json()
    assert got["status"] == "undelivered" and got["deliveries"][0]["status"] == "dead"
    retried = client.post(
        f"{url}/retry", json.dumps({"version": got["version"]}), content_type="application/json"
    )
    assert retried.status_code == 200 and retried.json()["status"] == "sending"
    told = client.post(
        f"{url}/other-route",
        json.dumps({"how": "Phoned the DSL", "version": retried.json()["version"]}),
        content_type="application/json",
    )
    assert told.status_code == 200, told.content
    assert told.json()["status"] == "sent" and told.json()["other_route"] == "Phoned the DSL"


# The school's page ---------------------------------------------------------------------------


def test_the_school_sees_the_police_contact_and_records_its_action(cast, desk, schools):
    notification = _sent(cast, desk)
    outbox_deliver_due(now=NOW)
    dsl = as_user(schools["dsl"])
    url = f"/encompass/received/{notification.pk}/"
    shown = page(dsl.get(url))
    contact = shown[shown.index('id="police-contact"') :]
    for text in (
        "Dana Reid",
        "Operation Encompass Desk",
        "01473 613500",
        "dana.reid@police.example",
    ):
        assert text in contact, text
    assert ACCOUNT not in shown and FOR_SCHOOL.replace("'", "&#x27;") in shown

    empty = page(dsl.post(f"{url}action/", {"action_taken": "", "version": notification.version}))
    assert "Enter the action the school took" in empty and "Error: " in empty
    long = page(
        dsl.post(f"{url}action/", {"action_taken": "x" * 1001, "version": notification.version})
    )
    assert "1000 characters or fewer" in long
    notification.refresh_from_db()
    done = dsl.post(
        f"{url}action/",
        {
            "action_taken": "Class teacher told; DSL checked in at break.",
            "version": notification.version,
        },
    )
    assert done.status_code == 302
    notification.refresh_from_db()
    assert notification.action_taken == "Class teacher told; DSL checked in at break."
    assert notification.action_recorded_by == schools["dsl"]
    assert AuditEntry.objects.filter(
        object_type="encompass_notification",
        object_id=str(notification.pk),
        reason_code="school_action",
        actor_user_id=schools["dsl"].pk,
    ).exists()
    police = page(as_user(desk).get(f"/encompass/notifications/{notification.pk}/"))
    assert "Class teacher told; DSL checked in at break." in police
    # A stale version is a conflict, not a silent overwrite.
    stale = page(
        dsl.post(f"{url}action/", {"action_taken": "Other", "version": notification.version - 1})
    )
    assert "Somebody else changed this notification" in stale


def test_another_school_cannot_record_an_action(cast, desk, schools, make_api_client):
    notification = _sent(cast, desk)
    other = as_user(schools["other_dsl"])
    url = f"/encompass/received/{notification.pk}/action/"
    assert (
        other.post(url, {"action_taken": "x", "version": notification.version}).status_code == 404
    )
    api = make_api_client(schools["other_dsl"])
    refused = api.post(
        f"/api/v1/encompass/received/{notification.pk}/action",
        json.dumps({"action_taken": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 404
    assert Notification.objects.get(pk=notification.pk).action_taken == ""
    mine = make_api_client(schools["dsl"]).post(
        f"/api/v1/encompass/received/{notification.pk}/action",
        json.dumps({"action_taken": "Spoke with Ellie at break"}),
        content_type="application/json",
    )
    assert mine.status_code == 200, mine.content
    assert mine.json()["action_taken"] == "Spoke with Ellie at break"
    assert mine.json()["contact_phone"] == "01473 613500"
