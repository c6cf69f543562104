"""The case core over /api/v1: the same rules as the pages, with ETag/If-Match and cursors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.cases.models import Case, Decision

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def team(make_user, make_api_client, unit):
    officer = make_user("officer", units=[unit])
    investigator = make_user("investigator", units=[unit])
    supervisor = make_user("supervisor", units=[unit])
    return {
        "officer": make_api_client(officer),
        "investigator": make_api_client(investigator),
        "investigator_user": investigator,
        "supervisor": make_api_client(supervisor),
        "unit": unit,
    }


def _child(client, **overrides):
    body = {"given_names": "Amy", "family_name": "Pond", "date_of_birth": "2014-03-04"}
    response = client.post("/api/v1/people", body | overrides, content_type=JSON)
    return response


def _case(client, unit, person_id, **overrides):
    body = {
        "case_type": "missing",
        "source": "emergency_call",
        "risk_grade": "high",
        "risk_rationale": "Under 12, missing overnight",
        "received_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "unit_id": unit.pk,
        "people": [{"person_id": person_id, "role": "subject"}],
    }
    return client.post("/api/v1/cases", body | overrides, content_type=JSON)


def test_a_possible_duplicate_is_409_with_candidates_until_confirmed(team):
    first = _child(team["officer"])
    assert first.status_code == 201
    again = _child(team["officer"], given_names="Aimee")
    body = again.json()
    assert again.status_code == 409 and body["error"] == "possible_duplicates"
    assert [c["id"] for c in body["fields"]["candidates"]] == [first.json()["id"]]
    confirmed = _child(team["officer"], given_names="Aimee", confirm_new=True)
    assert confirmed.status_code == 201


def test_a_dob_in_the_future_is_422_naming_the_field(team):
    response = _child(team["officer"], date_of_birth="2099-01-01")
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "date_of_birth": "Date of birth must be today or in the past"
    }


def test_transitions_use_if_match_and_name_the_allowed_ones(team):
    child = _child(team["officer"]).json()["id"]
    created = _case(team["officer"], team["unit"], child)
    assert created.status_code == 201 and created.json()["reference"].startswith("CP-")
    case_id, etag = created.json()["id"], created["ETag"]
    url = f"/api/v1/cases/{case_id}/transitions"

    missing = team["officer"].post(url, {"transition": "triage"}, content_type=JSON)
    assert missing.status_code == 428

    illegal = team["officer"].post(
        url, {"transition": "start_investigation"}, content_type=JSON, headers={"If-Match": etag}
    )
    assert illegal.status_code == 422 and illegal.json()["error"] == "illegal_transition"
    assert illegal.json()["fields"]["allowed"] == ["triage"]

    done = team["officer"].post(
        url, {"transition": "triage", **TRIAGE}, content_type=JSON, headers={"If-Match": etag}
    )
    assert done.status_code == 200 and done.json()["status"] == "triaged"
    assert done.json()["referral_decision"] == "early_help"
    assert done["ETag"] != etag

    stale = team["officer"].post(
        url, {"transition": "triage"}, content_type=JSON, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    stale_body = team["officer"].patch(
        f"/api/v1/cases/{case_id}", {"summary": "x", "version": 1}, content_type=JSON
    )
    assert stale_body.status_code == 409 and stale_body.json()["error"] == "conflict"


def test_the_full_flow_and_the_closure_rules(team):
    child = _child(team["officer"]).json()["id"]
    case = _case(team["officer"], team["unit"], child).json()
    case_id = case["id"]
    officer, investigator, supervisor = team["officer"], team["investigator"], team["supervisor"]
    officer.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"transition": "triage", "version": case["version"], **TRIAGE},
        content_type=JSON,
    )
    allocated = supervisor.post(
        f"/api/v1/cases/{case_id}/allocate",
        {"owner_id": team["investigator_user"].pk, "version": 2},
        content_type=JSON,
    )
    assert allocated.status_code == 200 and allocated.json()["next_review_due_at"]
    started = investigator.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"transition": "start_investigation", "version": allocated.json()["version"]},
        content_type=JSON,
    ).json()
    no_rationale = investigator.post(
        f"/api/v1/cases/{case_id}/decisions",
        {"decision": "Search the park", "rationale": " "},
        content_type=JSON,
    )
    # The one decision so far is the referral decision taken at triage.
    assert no_rationale.status_code == 422 and Decision.objects.count() == 1
    no_voice = investigator.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"transition": "request_closure", "version": started["version"]},
        content_type=JSON,
    )
    assert no_voice.status_code == 422 and no_voice.json()["error"] == "voice_required"
    voice = investigator.post(
        f"/api/v1/cases/{case_id}/voice",
        {
            "child_id": child,
            "seen": True,
            "seen_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
            "spoken_to": True,
            "spoken_to_alone": True,
            "child_said": "I went to my friend's",
            "demeanour": "Tired but well",
        },
        content_type=JSON,
    )
    assert voice.status_code == 201
    requested = investigator.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"transition": "request_closure", "version": started["version"]},
        content_type=JSON,
    )
    assert requested.status_code == 200, requested.content
    by_investigator = investigator.post(
        f"/api/v1/cases/{case_id}/approve-closure",
        {"findings": "Done", "version": requested.json()["version"]},
        content_type=JSON,
    )
    assert by_investigator.status_code == 403
    closed = supervisor.post(
        f"/api/v1/cases/{case_id}/approve-closure",
        {"findings": "Child safe and well", "version": requested.json()["version"]},
        content_type=JSON,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    reopen = supervisor.post(
        f"/api/v1/cases/{case_id}/reopen",
        {"reason": " ", "version": closed.json()["version"]},
        content_type=JSON,
    )
    assert reopen.status_code == 422 and reopen.json()["fields"] == {"reason": "Enter the reason"}
    timeline = supervisor.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
    assert timeline[0]["kind"] == "case.approve_closure"
    chronology = supervisor.get(f"/api/v1/people/{child}/chronology").json()["items"]
    assert chronology[-1]["kind"] == "case.received"  # the referral came before the record


def test_case_list_cursor_walks_every_case_once(team):
    child = _child(team["officer"]).json()["id"]
    for _ in range(7):
        assert _case(team["investigator"], team["unit"], child).status_code == 201
    seen, after = [], None
    while True:
        query = "limit=3&sort=reference" + (f"&after={after}" if after else "")
        page = team["supervisor"].get(f"/api/v1/cases?{query}").json()
        seen += [item["reference"] for item in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert seen == sorted(Case.objects.values_list("reference", flat=True))
    bad = team["supervisor"].get("/api/v1/cases?after=%21%21")
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_cursor"


TRIAGE = {"decision": "early_help", "reason": "Parents struggling; school asks for support"}


def test_triage_without_a_decision_or_reason_is_422_naming_each(team):
    child = _child(team["officer"]).json()["id"]
    created = _case(team["officer"], team["unit"], child)
    case_id, etag = created.json()["id"], created["ETag"]
    url = f"/api/v1/cases/{case_id}/transitions"

    refused = team["officer"].post(
        url, {"transition": "triage"}, content_type=JSON, headers={"If-Match": etag}
    )
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "decision": "Choose the referral decision",
        "reason": "Enter the reason for the referral decision",
    }
    unknown = team["officer"].post(
        url,
        {"transition": "triage", "decision": "lock_them_up", "reason": "x"},
        content_type=JSON,
        headers={"If-Match": etag},
    )
    assert unknown.status_code == 422
    assert unknown.json()["fields"] == {"decision": "Choose one of the referral decisions listed"}
    case = team["officer"].get(f"/api/v1/cases/{case_id}").json()
    assert case["status"] == "received" and case["referral_decision"] == ""
    assert case["name"].startswith(case["reference"] + " Amy Pond (")

    done = team["officer"].post(
        url,
        {"transition": "triage", "decision": "strategy_discussion", "reason": "Bruising"},
        content_type=JSON,
        headers={"If-Match": etag},
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["referral_decision"], body["referral_reason"]) == (
        "triaged",
        "strategy_discussion",
        "Bruising",
    )
