"""Operation Encompass over /api/v1: the desk's lists and one notification with its
encompass.notification clock, resolve and send with If-Match, the outbox email carrying no
child data, and a key adult who sees, reads and acknowledges only their own school's."""

import json
from datetime import datetime, time

import pytest
from django.utils import timezone

from safeguard.core.models import OutboxMessage
from safeguard.domestic_abuse.services import ChildInput
from safeguard.domestic_abuse.tests.builders import a_household, make_da_cast, recorded
from safeguard.encompass.models import Notification
from safeguard.encompass.tests.builders import deliver
from safeguard.partners.models import KeyAdult, School
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
INCIDENT_AT = (2026, 11, 10, 21, 0)  # a Tuesday night in term


def london(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args), timezone.get_current_timezone())


def school(urn: str, name: str, starts: time = time(8, 30)) -> School:
    return School.objects.create(
        urn=urn,
        name=name,
        la_code="935",
        la_name="Suffolk",
        status="Open",
        day_starts_at=starts,
        updated_at=timezone.now(),
    )


def incident_for(cast, urn: str, at: datetime, family: str = "Walker") -> Notification:
    """An incident whose school-age child (Ellie, born 2017) attends `urn` ("" not known)."""
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
            ),
            ChildInput(child_id=home.sibling.pk, present=False, related_to="both"),
        ),
    )
    return Notification.objects.get(child=home.child)


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def desk(make_user, force):
    unit = UnitFactory(force=force, name="Operation Encompass Desk", unit_type="encompass")
    return make_user("investigator", units=[unit], last_name="Encompass")


@pytest.fixture
def schools(force, make_user):
    oak = school("100001", "Oak Primary")
    elm = school("100002", "Elm Academy", starts=time(8, 50))
    dsl = make_user("partner", units=[], email="dsl@oak.example")
    other_dsl = make_user("partner", units=[], email="dsl@elm.example")
    for place, user, name, email in [
        (oak, dsl, "Ms Oak", "dsl@oak.sch.example"),
        (elm, other_dsl, "Mr Elm", "dsl@elm.sch.example"),
    ]:
        KeyAdult.objects.create(
            force=force,
            school=place,
            user=user,
            name=name,
            role="dsl",
            secure_email=email,
            added_at=timezone.now(),
        )
    return {"oak": oak, "elm": elm, "dsl": dsl, "other_dsl": other_dsl}


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type=JSON, headers=headers)


def sent(cast, desk_client, urn: str, family: str) -> Notification:
    notification = incident_for(cast, urn, london(*INCIDENT_AT), family)
    response = post(
        desk_client,
        f"/api/v1/encompass/notifications/{notification.pk}/send",
        {"circumstances": "Verbal argument; police attended.", "version": notification.version},
    )
    assert response.status_code == 200, response.content
    deliver()
    return notification


def test_the_desk_lists_and_one_notification_has_its_clock(cast, desk, schools, make_api_client):
    notification = incident_for(cast, "100001", london(*INCIDENT_AT))
    client = make_api_client(desk)
    lists = client.get("/api/v1/encompass/notifications")
    assert lists.status_code == 200, lists.content
    [due] = lists.json()["due"]
    assert due["id"] == notification.pk and due["overdue"] and due["status"] == "to_review"
    assert due["school"] == {"urn": "100001", "name": "Oak Primary"}
    assert lists.json()["overdue_count"] == 1

    response = client.get(f"/api/v1/encompass/notifications/{notification.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert response["ETag"] == f'"v{body["version"]}"'
    assert body["child_name"] == "Ellie Walker" and body["voice"].startswith("Spoken to")
    [clock] = body["clocks"]
    assert clock["name"] == "encompass.notification" and clock["met_at"] is None


def test_the_clock_name_is_in_the_published_schema(desk, make_api_client):
    schema = make_api_client(desk).get("/api/v1/openapi.json").json()
    description = schema["components"]["schemas"]["NotificationOut"]["properties"]["clocks"][
        "description"
    ]
    assert "encompass.notification" in description and "docs/clocks.md" in description


def test_send_needs_the_version_and_emails_a_link_without_child_data(
    cast, desk, schools, make_api_client
):
    notification = incident_for(cast, "100001", london(*INCIDENT_AT))
    client = make_api_client(desk)
    url = f"/api/v1/encompass/notifications/{notification.pk}/send"
    body = {"circumstances": "Verbal argument between the parents; police attended."}
    assert post(client, url, body).status_code == 428
    stale = post(client, url, body, **{"If-Match": f'"v{notification.version + 3}"'})
    assert stale.status_code == 412
    assert not OutboxMessage.objects.exists()
    response = post(client, url, body, **{"If-Match": f'"v{notification.version}"'})
    assert response.status_code == 200, response.content
    assert (
        response.json()["status"] == "sending" and response.json()["reviewed_by"] == desk.username
    )
    # Not met until delivered (the incident was days ago: breached meanwhile).
    assert response.json()["clocks"][0]["status"] == "breached"
    assert response.json()["deliveries"][0]["status"] == "queued"
    assert deliver() == 1
    got = client.get(f"/api/v1/encompass/notifications/{notification.pk}").json()
    assert got["status"] == "sent" and got["clocks"][0]["status"] == "met_late"
    assert got["deliveries"][0]["status"] == "sent"
    [email] = OutboxMessage.objects.filter(channel="email")
    assert email.to_address == "dsl@oak.sch.example"
    assert email.link == f"/encompass/received/{notification.pk}/"
    for secret in ("Ellie", "Walker", "Elm Road", "scared", notification.police_reference):
        assert secret not in email.body and secret not in email.subject
    again = post(client, url, body | {"version": got["version"]})
    assert again.status_code == 422


def test_a_child_with_no_school_is_resolved_by_urn(cast, desk, schools, make_api_client):
    notification = incident_for(cast, "", london(*INCIDENT_AT))
    assert notification.status == "to_resolve"
    client = make_api_client(desk)
    url = f"/api/v1/encompass/notifications/{notification.pk}/resolve"
    unknown = post(client, url, {"school_urn": "999999", "version": notification.version})
    assert unknown.status_code == 422 and "school_urn" in unknown.json()["fields"]
    response = post(client, url, {"school_urn": "100002", "version": notification.version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "to_review"
    assert response.json()["school"]["name"] == "Elm Academy"


def test_a_dsl_sees_reads_and_acknowledges_only_their_own_schools(
    cast, desk, schools, make_api_client
):
    desk_client = make_api_client(desk)
    oak = sent(cast, desk_client, "100001", "Walker")
    elm = sent(cast, desk_client, "100002", "Okafor")
    dsl = make_api_client(schools["dsl"])

    listed = dsl.get("/api/v1/encompass/received")
    assert listed.status_code == 200
    assert [n["id"] for n in listed.json()] == [oak.pk]
    assert "voice" not in listed.json()[0]  # the details are read one at a time
    assert dsl.get(f"/api/v1/encompass/received/{elm.pk}").status_code == 404
    assert post(dsl, f"/api/v1/encompass/received/{elm.pk}/acknowledge").status_code == 404
    assert Notification.objects.get(pk=elm.pk).read_at is None

    read = dsl.get(f"/api/v1/encompass/received/{oak.pk}")
    assert read.status_code == 200, read.content
    assert read.json()["child_name"] == "Ellie Walker" and read.json()["read_at"] is not None
    stored = Notification.objects.get(pk=oak.pk)
    assert stored.read_by == schools["dsl"] and stored.status == "sent"
    acknowledged = post(dsl, f"/api/v1/encompass/received/{oak.pk}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    twice = post(dsl, f"/api/v1/encompass/received/{oak.pk}/acknowledge")
    assert twice.status_code == 200
    assert Notification.objects.get(pk=oak.pk).acknowledged_by == schools["dsl"]

    # A key adult has no desk, and the desk has no received notifications.
    assert dsl.get(f"/api/v1/encompass/notifications/{oak.pk}").status_code == 403
    assert desk_client.get(f"/api/v1/encompass/received/{oak.pk}").status_code == 403


def test_another_force_gets_404(cast, desk, schools, make_user, make_api_client, other_force):
    desk_client = make_api_client(desk)
    notification = sent(cast, desk_client, "100001", "Walker")
    inspector = make_api_client(make_user("duty_inspector", force=other_force, units=[]))
    assert inspector.get(f"/api/v1/encompass/notifications/{notification.pk}").status_code == 404
    send = post(
        inspector,
        f"/api/v1/encompass/notifications/{notification.pk}/resolve",
        {"school_urn": "100001", "version": notification.version},
    )
    assert send.status_code == 404
    partner = make_api_client(make_user("partner", force=other_force, units=[]))
    assert partner.get(f"/api/v1/encompass/received/{notification.pk}").status_code == 404
    assert partner.get("/api/v1/encompass/received").json() == []


def test_compliance_takes_1_to_24_months(cast, desk, schools, make_api_client):
    sent(cast, make_api_client(desk), "100001", "Walker")
    client = make_api_client(desk)
    response = client.get("/api/v1/encompass/compliance?months=3")
    assert response.status_code == 200, response.content
    assert len(response.json()["by_month"]) == 3
    assert [row["label"] for row in response.json()["by_school"]] == ["Oak Primary"]
    for months in (0, 25):
        refused = client.get(f"/api/v1/encompass/compliance?months={months}")
        assert refused.status_code == 422, months
