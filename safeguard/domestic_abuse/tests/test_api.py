"""Domestic abuse incidents over /api/v1: the same services and rules as the pages, with the
incident's da.* clocks, DASH refusals naming their field, MARAC routes in plain words, the
triage queue (claims that conflict, If-Match on the versioned steps) and the capacity view."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.cases.models import Case
from safeguard.domestic_abuse.models import DashAssessment, Incident
from safeguard.domestic_abuse.tests.builders import a_household, make_da_cast, recorded

pytestmark = pytest.mark.django_db
JSON = "application/json"
H = timedelta(hours=1)
CLOCK_NAMES = {"da.dash_completed", "da.triage", "da.marac_referral"}


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def home(cast):
    return a_household(cast.actor(cast.officer))


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type=JSON, headers=headers)


def yes(count: int) -> dict[str, str]:
    return {str(n): "yes" if n <= count else "no" for n in range(1, 28)}


def incident_body(home, **changes):
    body = {
        "attended_at": (timezone.now() - 2 * H).isoformat(),
        "place": "12 Elm Road, Ipswich IP1 2AB",
        "victim_id": home.victim.pk,
        "suspect_id": home.suspect.pk,
        "relationship": "partner",
        "account": "Neighbour called 999 after shouting; victim had a red mark on her neck.",
        "children": [
            {
                "child_id": home.child.pk,
                "present": True,
                "where": "In her bedroom upstairs",
                "related_to": "both",
                "spoken_to": True,
                "spoken_to_alone": True,
                "child_said": "Daddy was shouting at mummy again",
                "demeanour": "Quiet, holding a teddy",
            },
            {"child_id": home.sibling.pk, "present": False, "related_to": "both"},
        ],
    }
    return body | changes


def now_incident(cast, home):
    return recorded(cast, home, timezone.now() - 2 * H)


def version(incident) -> int:
    return Incident.objects.values_list("version", flat=True).get(pk=incident.pk)


def test_recording_returns_the_incident_with_children_voices_and_da_clocks(
    cast, home, make_api_client
):
    officer = make_api_client(cast.officer)
    response = post(officer, "/api/v1/domestic-abuse/incidents", incident_body(home))
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == f'"v{body["version"]}"'
    case = Case.objects.get(pk=body["case_id"])
    assert case.case_type == "domestic_abuse" and case.unit == cast.triage_unit
    assert body["victim"]["id"] == home.victim.pk and body["relationship"] == "partner"
    [ellie, noah] = body["children"]
    assert ellie["child"]["id"] == home.child.pk and ellie["where"] == "In her bedroom upstairs"
    assert ellie["spoken_to_alone"] and ellie["child_said"] == "Daddy was shouting at mummy again"
    assert not noah["present"] and not noah["spoken_to"]
    assert body["dash"] is None and body["marac"] is None
    assert body["triage_status"] == "awaiting"
    names = {c["name"] for c in body["clocks"]}
    assert names == {"da.dash_completed", "da.triage"}
    assert all(set(c) == {"name", "due_at", "met_at", "status"} for c in body["clocks"])

    read = officer.get(f"/api/v1/domestic-abuse/incidents/{body['id']}")
    assert read.status_code == 200 and read.json()["clocks"] == body["clocks"]
    assert read["ETag"] == response["ETag"]


def test_a_bad_incident_is_422_naming_the_fields(cast, home, make_api_client):
    body = incident_body(home, children=[], suspect_id=home.victim.pk)
    response = post(make_api_client(cast.officer), "/api/v1/domestic-abuse/incidents", body)
    assert response.status_code == 422
    assert {"children", "suspect"} <= set(response.json()["fields"])
    assert not Incident.objects.exists()


def test_the_clock_names_are_in_the_published_schema(cast, make_api_client):
    schema = make_api_client(cast.officer).get("/api/v1/openapi.json").json()
    description = schema["components"]["schemas"]["IncidentOut"]["properties"]["clocks"][
        "description"
    ]
    assert all(name in description for name in CLOCK_NAMES)
    assert "docs/clocks.md" in description


def test_dash_lower_than_the_score_makes_it_is_422_naming_grade(cast, home, make_api_client):
    incident = now_incident(cast, home)
    response = post(
        make_api_client(cast.officer),
        f"/api/v1/domestic-abuse/incidents/{incident.pk}/dash",
        {"answers": yes(14), "grade": "medium"},
    )
    assert response.status_code == 422, response.content
    assert "never lower" in response.json()["fields"]["grade"]
    assert not DashAssessment.objects.exists()


def test_dash_with_a_question_missing_names_the_question(cast, home, make_api_client):
    incident = now_incident(cast, home)
    answers = yes(0)
    del answers["27"]
    response = post(
        make_api_client(cast.officer),
        f"/api/v1/domestic-abuse/incidents/{incident.pk}/dash",
        {"answers": answers, "grade": "standard"},
    )
    assert response.status_code == 422 and "q27" in response.json()["fields"]


def test_fourteen_yes_is_high_risk_and_a_marac_referral_sent_with_if_match(
    cast, home, make_api_client
):
    incident = now_incident(cast, home)
    officer = make_api_client(cast.officer)
    response = post(
        officer,
        f"/api/v1/domestic-abuse/incidents/{incident.pk}/dash",
        {"answers": yes(14), "grade": "high"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["dash"]["score"] == 14 and body["dash"]["band"] == body["dash"]["grade"] == "high"
    assert body["dash"]["answers"]["14"] == "yes" and body["dash"]["answers"]["15"] == "no"
    assert body["risk_grade"] == "high"
    [route] = body["marac"]["routes"]
    assert route["route"] == "visible_high_risk" and route["reason"]
    assert body["marac"]["sent_at"] is None
    clocks = {c["name"]: c for c in body["clocks"]}
    assert clocks["da.dash_completed"]["met_at"] is not None
    assert clocks["da.marac_referral"]["met_at"] is None

    url = f"/api/v1/domestic-abuse/incidents/{incident.pk}/marac/sent"
    assert post(officer, url).status_code == 428
    marac_version = body["marac"]["version"]
    stale = post(officer, url, **{"If-Match": f'"v{marac_version + 5}"'})
    assert stale.status_code == 412
    sent = post(officer, url, **{"If-Match": f'"v{marac_version}"'})
    assert sent.status_code == 200, sent.content
    assert sent.json()["marac"]["sent_at"] is not None
    assert {c["name"]: c for c in sent.json()["clocks"]}["da.marac_referral"]["status"] == "met"
    again = post(officer, url, {"version": marac_version + 1})
    assert again.status_code == 422


def test_the_queue_claims_and_a_conflicting_claim_is_409(cast, home, make_api_client):
    incident = now_incident(cast, home)
    triage, other = make_api_client(cast.triage), make_api_client(cast.triage_2)
    queue = triage.get("/api/v1/domestic-abuse/triage").json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == incident.pk
    assert queue["items"][0]["risk_grade"] == ""  # ungraded: first in the queue
    claimed = post(triage, f"/api/v1/domestic-abuse/incidents/{incident.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["triage_owner"] == cast.triage.username
    conflict = post(other, f"/api/v1/domestic-abuse/incidents/{incident.pk}/claim")
    assert conflict.status_code == 409
    assert (
        conflict.json()["error"] == "conflict" and "already assessing" in conflict.json()["message"]
    )
    assert Incident.objects.get(pk=incident.pk).triage_owner == cast.triage


def test_completing_triage_needs_the_version_and_a_stale_if_match_is_412(
    cast, home, make_api_client
):
    incident = now_incident(cast, home)
    triage = make_api_client(cast.triage)
    claimed = post(triage, f"/api/v1/domestic-abuse/incidents/{incident.pk}/claim").json()
    url = f"/api/v1/domestic-abuse/incidents/{incident.pk}/triage"
    body = {"grade": "medium", "notes": "History checked; safety plan in place"}
    assert post(triage, url, body).status_code == 428
    stale = post(triage, url, body, **{"If-Match": f'"v{claimed["version"] - 1}"'})
    assert stale.status_code == 412 and stale.json()["error"] == "precondition_failed"
    stale_body = post(triage, url, body | {"version": claimed["version"] - 1})
    assert stale_body.status_code == 409
    assert Incident.objects.get(pk=incident.pk).triage_status == "claimed"
    done = post(triage, url, body, **{"If-Match": f'"v{claimed["version"]}"'})
    assert done.status_code == 200, done.content
    assert done.json()["triage_status"] == "done" and done.json()["triage_grade"] == "medium"
    assert done["ETag"] == f'"v{version(incident)}"'
    clocks = {c["name"]: c for c in done.json()["clocks"]}
    assert clocks["da.triage"]["status"] == "met"


def test_completing_an_incident_somebody_else_holds_is_422(cast, home, make_api_client):
    incident = now_incident(cast, home)
    post(make_api_client(cast.triage), f"/api/v1/domestic-abuse/incidents/{incident.pk}/claim")
    response = post(
        make_api_client(cast.triage_2),
        f"/api/v1/domestic-abuse/incidents/{incident.pk}/triage",
        {"grade": "medium", "notes": "x", "version": version(incident)},
    )
    assert response.status_code == 422 and "grade" in response.json()["fields"]


def test_a_supervisor_assigns_within_the_unit(cast, home, make_api_client):
    incident = now_incident(cast, home)
    supervisor = make_api_client(cast.supervisor)
    url = f"/api/v1/domestic-abuse/incidents/{incident.pk}/assign"
    outside = post(supervisor, url, {"user_id": cast.officer.pk})
    assert outside.status_code == 422 and "user" in outside.json()["fields"]
    response = post(supervisor, url, {"user_id": cast.triage_2.pk})
    assert response.status_code == 200, response.content
    assert response.json()["triage_owner"] == cast.triage_2.username
    # An investigator cannot assign.
    assert post(make_api_client(cast.triage), url, {"user_id": cast.triage.pk}).status_code == 403


def test_capacity_forecasts_and_refuses_a_bad_threshold(cast, home, make_api_client):
    now_incident(cast, home)
    supervisor = make_api_client(cast.supervisor)
    response = supervisor.get("/api/v1/domestic-abuse/capacity?threshold=1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["backlog_now"] == 1 and len(body["days"]) == 28
    assert body["days"][-1]["arrivals"] == 1
    forecast = body["forecast"]
    assert len(forecast["days"]) == 21 and forecast["threshold"] == 1 and forecast["warns"]
    assert forecast["crosses_on"] == timezone.localdate().isoformat()
    assert forecast["explanation"]
    refused = supervisor.get("/api/v1/domestic-abuse/capacity?threshold=0")
    assert refused.status_code == 422 and "threshold" in refused.json()["fields"]
    # DA_CAPACITY_VIEW: the triage investigator sees their unit's; an officer has none.
    triage = make_api_client(cast.triage).get("/api/v1/domestic-abuse/capacity")
    assert triage.status_code == 200 and triage.json()["backlog_now"] == 1
    assert make_api_client(cast.officer).get("/api/v1/domestic-abuse/capacity").status_code == 403


def test_another_force_and_another_unit_get_404(
    cast, home, make_user, make_api_client, other_force, unit
):
    incident = now_incident(cast, home)
    url = f"/api/v1/domestic-abuse/incidents/{incident.pk}"
    foreign = make_user("duty_inspector", force=other_force, units=[])
    assert make_api_client(foreign).get(url).status_code == 404
    assert post(make_api_client(foreign), f"{url}/claim").status_code == 404
    outsider = make_api_client(make_user("investigator", units=[unit]))
    assert outsider.get(url).status_code == 404
    assert post(outsider, f"{url}/claim").status_code == 404
    assert outsider.get("/api/v1/domestic-abuse/triage").json()["total"] == 0
