"""Missing episodes over /api/v1: the same services and rules as the pages, with the
episode's missing.* clocks, ETag/If-Match on the versioned steps, and the local authority's
return home interview tasks seen only by that authority's users."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.cases.models import Case
from safeguard.missing import services
from safeguard.missing.models import Episode, GradeChange, ReturnInterview
from safeguard.missing.tests.builders import a_child, make_missing_cast, reported

pytestmark = pytest.mark.django_db
JSON = "application/json"
H = timedelta(hours=1)
CLOCK_NAMES = {
    "missing.first_attendance",
    "missing.supervisor_review",
    "missing.inspector_informed",
    "missing.risk_review",
    "missing.prevention_interview",
    "missing.return_home_interview",
}


@pytest.fixture
def cast(make_user, force):
    return make_missing_cast(make_user, force)


@pytest.fixture
def child(cast):
    return a_child(cast.actor(cast.officer))


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type=JSON, headers=headers)


def ago(delta: timedelta) -> str:
    return (timezone.now() - delta).isoformat()


def report_body(cast, child, **changes):
    body = {
        "child_id": child.pk,
        "reported_at": ago(H),
        "reported_by": "Karen Jones (mother)",
        "reporter_relationship": "Mother",
        "last_seen_at": ago(3 * H),
        "last_seen_place": "Home, 4 Mill Lane, Ipswich",
        "circumstances": "Left after an argument and did not come home by 9 pm.",
        "missing_from": "home",
        "local_authority_id": cast.la.pk,
        "out_of_character": True,
        "grade": "low",
        "grade_rationale": "Out of character but no known risk factors.",
    }
    return body | changes


def counts():
    return (Episode.objects.count(), Case.objects.count(), GradeChange.objects.count())


def found(cast, episode, at=None):
    at = at or timezone.now() - 2 * H
    return services.episode_found(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        found_at=at,
        found_place="Ipswich bus station",
        found_by="PC Okafor",
        condition="Tired, unhurt",
        now=at + timedelta(minutes=10),
    )


# Reporting and reading ------------------------------------------------------------------------


def test_a_report_returns_the_episode_with_its_missing_clocks(cast, child, make_api_client):
    officer = make_api_client(cast.officer)
    response = post(officer, "/api/v1/missing/episodes", report_body(cast, child))
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == f'"v{body["version"]}"'
    assert body["status"] == "missing" and body["child"] == {"id": child.pk, "name": "Mia Jones"}
    assert body["grade"] == body["suggested_grade"] == "low"
    case = Case.objects.get(pk=body["case_id"])
    assert body["case_reference"] == case.reference and case.case_type == "missing"
    assert [(g["grade"], g["changed_by"], g["agreed_by"]) for g in body["grade_history"]] == [
        ("low", cast.officer.username, None)
    ]
    names = {c["name"] for c in body["clocks"]}
    assert {"missing.first_attendance", "missing.supervisor_review", "missing.risk_review"} <= names
    assert names <= CLOCK_NAMES  # only the episode's clocks, not the case's own
    assert all(set(c) == {"name", "due_at", "met_at", "status"} for c in body["clocks"])

    read = officer.get(f"/api/v1/missing/episodes/{body['id']}")
    assert read.status_code == 200 and read.json()["clocks"] == body["clocks"]
    assert read["ETag"] == response["ETag"]
    board = make_api_client(cast.inspector).get("/api/v1/missing/episodes")
    assert board.status_code == 200
    [row] = board.json()
    assert row["id"] == body["id"] and row["missing_for_minutes"] >= 180
    assert {c["name"] for c in row["clocks"]} == names


def test_an_investigator_outside_the_missing_unit_can_report(
    cast, child, make_user, make_api_client, unit
):
    """Recording reaches every unit (CASE_CREATE at force scope): the case goes to the missing
    persons unit and is triaged there, though the reporter cannot work that unit's cases."""
    investigator = make_api_client(make_user("investigator", units=[unit]))
    response = post(investigator, "/api/v1/missing/episodes", report_body(cast, child))
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case_id"])
    assert case.unit == cast.missing_unit and case.status == "triaged"


def test_the_clock_names_are_in_the_published_schema(cast, make_api_client):
    schema = make_api_client(cast.officer).get("/api/v1/openapi.json").json()
    description = schema["components"]["schemas"]["EpisodeOut"]["properties"]["clocks"][
        "description"
    ]
    assert all(name in description for name in CLOCK_NAMES)
    assert "docs/clocks.md" in description


def test_the_suggestion_gives_the_grade_and_reasons_and_saves_nothing(cast, child, make_api_client):
    before = counts()
    response = post(
        make_api_client(cast.officer),
        "/api/v1/missing/grade-suggestion",
        {"child_id": child.pk, "last_seen_at": ago(H), "missing_from": "care"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "grade": "medium",
        "label": "Medium",
        "reasons": ["missing from a care placement"],
    }
    assert counts() == before


def test_an_officer_grading_lower_than_suggested_is_refused_and_nothing_saved(
    cast, child, make_api_client
):
    before = counts()
    response = post(
        make_api_client(cast.officer),
        "/api/v1/missing/episodes",
        report_body(cast, child, self_harm_risk=True, grade="medium"),
    )
    # A domain rule refused it: 422 with the field named, as every other API's rules do.
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert body["fields"]["grade"].startswith("A grade lower than the suggested high")
    assert counts() == before


def test_a_supervisor_may_grade_lower_with_a_rationale(cast, child, make_api_client):
    response = post(
        make_api_client(cast.supervisor),
        "/api/v1/missing/episodes",
        report_body(cast, child, self_harm_risk=True, grade="medium"),
    )
    assert response.status_code == 201
    [change] = response.json()["grade_history"]
    assert change["suggested_grade"] == "high" and change["grade"] == "medium"
    assert change["agreed_by"] == cast.supervisor.username


def test_a_naive_time_or_an_unknown_field_is_refused_by_shape(cast, child, make_api_client):
    officer = make_api_client(cast.officer)
    naive = report_body(cast, child, reported_at="2026-11-20T10:00:00")
    response = post(officer, "/api/v1/missing/episodes", naive)
    assert response.status_code == 422 and "reported_at" in response.json()["fields"]
    response = post(officer, "/api/v1/missing/episodes", report_body(cast, child, force_id=9))
    assert response.status_code == 422 and "force_id" in response.json()["fields"]
    assert not Episode.objects.exists()


# Found, and the versioned steps -------------------------------------------------------------


def test_found_before_missing_is_refused_and_saves_nothing(cast, child, make_api_client):
    episode = reported(cast, child)
    response = post(
        make_api_client(cast.officer),
        f"/api/v1/missing/episodes/{episode.pk}/found",
        {
            "found_at": (episode.last_seen_at - H).isoformat(),
            "found_place": "Park",
            "found_by": "PC Okafor",
            "condition": "Cold",
            "version": episode.version,
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "found_at": "The time found must be after the child went missing"
    }
    episode.refresh_from_db()
    assert episode.status == "missing" and not ReturnInterview.objects.exists()


def _regrade(cast, episode):
    return cast.officer, "regrade", {"grade": "high", "rationale": "Texted a friend"}


def _review(cast, episode):
    return cast.supervisor, "supervisor-review", {"grade": "medium", "rationale": "Reviewed"}


def _attended(cast, episode):
    return cast.officer, "attended", {"attended_at": ago(H)}


def _found(cast, episode):
    body = {"found_at": ago(H), "found_place": "Park", "found_by": "PC Okafor", "condition": "OK"}
    return cast.officer, "found", body


VERSIONED_STEPS = [_regrade, _review, _attended, _found]


@pytest.mark.parametrize("step", VERSIONED_STEPS, ids=lambda step: step.__name__.strip("_"))
def test_versioned_steps_use_if_match(step, cast, child, make_api_client):
    """Stale If-Match is 412, a stale version in the body 409, neither 428; nothing changes
    until the right version is sent."""
    episode = reported(cast, child, at=timezone.now() - 4 * H)
    user, path, body = step(cast, episode)
    client = make_api_client(user)
    url = f"/api/v1/missing/episodes/{episode.pk}/{path}"
    etag = client.get(f"/api/v1/missing/episodes/{episode.pk}")["ETag"]
    stale = f'"v{episode.version - 1}"'

    assert post(client, url, body, **{"If-Match": stale}).status_code == 412
    conflict = post(client, url, body | {"version": episode.version - 1})
    assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
    assert post(client, url, body).status_code == 428
    assert Episode.objects.get(pk=episode.pk).version == episode.version

    done = post(client, url, body, **{"If-Match": etag})
    assert done.status_code == 200, done.content
    assert done["ETag"] == f'"v{done.json()["version"]}"' != etag


def test_the_police_record_the_return_interview_on_behalf_with_if_match(
    cast, child, make_api_client
):
    episode = reported(cast, child, at=timezone.now() - 6 * H)
    found(cast, episode)
    officer = make_api_client(cast.officer)
    task = officer.get(f"/api/v1/missing/episodes/{episode.pk}").json()["return_interview"]
    url = f"/api/v1/return-interviews/{task['id']}/on-behalf"
    body = {"offered_at": ago(H), "outcome": "declined"}
    assert post(officer, url, body, **{"If-Match": '"v0"'}).status_code == 412
    assert post(officer, url, body).status_code == 428
    done = post(officer, url, body, **{"If-Match": f'"v{task["version"]}"'})
    assert done.status_code == 200 and done.json()["recorded_on_behalf"] is True
    clocks = officer.get(f"/api/v1/missing/episodes/{episode.pk}").json()["clocks"]
    rhi = next(c for c in clocks if c["name"] == "missing.return_home_interview")
    assert rhi["status"] == "met" and rhi["met_at"]
    # The local authority's own operation is not theirs.
    assert post(officer, f"/api/v1/return-interviews/{task['id']}", body).status_code == 403


# The local authority's tasks ----------------------------------------------------------------


def test_a_partner_sees_only_their_own_authoritys_tasks(cast, child, make_api_client):
    episode = reported(cast, child, at=timezone.now() - 6 * H)
    found(cast, episode)
    task = ReturnInterview.objects.get(episode=episode)
    mine, theirs = make_api_client(cast.la_user), make_api_client(cast.other_la_user)

    listed = mine.get("/api/v1/return-interviews")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [task.pk]
    assert listed.json()[0]["child"]["name"] == "Mia Jones"
    assert theirs.get("/api/v1/return-interviews").json() == []

    url = f"/api/v1/return-interviews/{task.pk}"
    body = {"offered_at": ago(H), "outcome": "declined", "version": task.version}
    assert theirs.get(url).status_code == 404
    refused = post(theirs, url, body)
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    task.refresh_from_db()
    assert task.recorded_at is None

    assert mine.get(url).status_code == 200
    done = post(mine, url, body)
    assert done.status_code == 200
    assert done.json()["outcome"] == "declined" and done.json()["recorded_on_behalf"] is False
    # Recorded: off the open list, on the full one.
    assert mine.get("/api/v1/return-interviews").json() == []
    assert len(mine.get("/api/v1/return-interviews?open_only=false").json()) == 1
    # A partner reads no episode at all.
    assert mine.get(f"/api/v1/missing/episodes/{episode.pk}").status_code == 403


# Figures, and what is out of reach -----------------------------------------------------------


def test_an_analyst_gets_the_figures_but_no_episode(cast, child, make_api_client):
    # Reported minutes ago, so it falls in this month whenever the test runs.
    episode = reported(cast, child, at=timezone.now() - timedelta(minutes=10))
    analyst = make_api_client(cast.analyst)
    figures = analyst.get("/api/v1/missing/figures", {"months": 3})
    assert figures.status_code == 200
    months = figures.json()
    assert len(months) == 3 and months[-1]["episodes"] == 1
    assert months[-1]["by_grade"] == {"no_apparent_risk": 0, "low": 1, "medium": 0, "high": 0}
    assert len(analyst.get("/api/v1/missing/figures").json()) == 12
    for months_asked in (0, 37):
        assert analyst.get("/api/v1/missing/figures", {"months": months_asked}).status_code == 422
    assert analyst.get("/api/v1/missing/episodes").status_code == 403
    assert analyst.get(f"/api/v1/missing/episodes/{episode.pk}").status_code == 403
    # And an officer has no figures.
    assert make_api_client(cast.officer).get("/api/v1/missing/figures").status_code == 403


def test_another_forces_episode_is_not_found(
    cast, child, make_user, make_api_client, other_force, foreign_unit
):
    episode = reported(cast, child, at=timezone.now() - 4 * H)
    stranger = make_api_client(make_user("duty_inspector", force=other_force, units=[foreign_unit]))
    assert stranger.get(f"/api/v1/missing/episodes/{episode.pk}").status_code == 404
    assert stranger.get("/api/v1/missing/episodes").json() == []
    url = f"/api/v1/missing/episodes/{episode.pk}/regrade"
    refused = post(stranger, url, {"grade": "high", "rationale": "x", "version": episode.version})
    assert refused.status_code == 404
    assert Episode.objects.get(pk=episode.pk).grade == "low"


def test_an_officer_of_another_unit_does_not_reach_the_episode(
    cast, child, make_user, make_api_client, other_unit
):
    episode = reported(cast, child, at=timezone.now() - 4 * H)
    colleague = make_api_client(make_user("officer", units=[other_unit]))
    assert colleague.get(f"/api/v1/missing/episodes/{episode.pk}").status_code == 404
    assert colleague.get("/api/v1/missing/episodes").json() == []


# The rest of the response -------------------------------------------------------------------


def test_the_inspector_acknowledges_a_high_risk_episode(cast, child, make_api_client):
    episode = reported(cast, child, at=timezone.now() - 4 * H, self_harm_risk=True, grade="high")
    url = f"/api/v1/missing/episodes/{episode.pk}/inspector-acknowledgement"
    assert make_api_client(cast.supervisor).post(url).status_code == 403
    done = make_api_client(cast.inspector).post(url)
    assert done.status_code == 200
    assert done.json()["inspector_informed_by"] == cast.inspector.username
    clock = next(c for c in done.json()["clocks"] if c["name"] == "missing.inspector_informed")
    assert clock["met_at"] is not None


def test_review_plan_and_prevention_interview_show_on_the_episode(cast, child, make_api_client):
    episode = reported(cast, child, at=timezone.now() - 6 * H)
    officer, supervisor = make_api_client(cast.officer), make_api_client(cast.supervisor)
    base = f"/api/v1/missing/episodes/{episode.pk}"
    review = post(officer, f"{base}/risk-reviews", {"note": "Called her friends"})
    assert review.status_code == 201 and review.json()["kind"] == "officer"
    due = (timezone.localdate() + timedelta(days=1)).isoformat()
    plan = {"kind": "cctv", "detail": "Bus station", "owner_id": cast.officer_2.pk, "due_on": due}
    assert post(officer, f"{base}/plan", plan).status_code == 403
    item = post(supervisor, f"{base}/plan", plan)
    assert item.status_code == 201 and item.json()["title"] == "CCTV: Bus station"
    bad_kind = post(supervisor, f"{base}/plan", plan | {"kind": "dowsing"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["fields"]

    found(cast, episode)
    interview = post(
        officer,
        f"{base}/prevention-interview",
        {
            "conducted_at": ago(H),
            "harm_suffered": "None visible",
            "why_went": "Went to a party with older lads",
            "indicators": ["older_associates", "cars_or_travel"],
        },
    )
    assert interview.status_code == 201, interview.content
    body = officer.get(base).json()
    assert body["status"] == "found" and body["found_place"] == "Ipswich bus station"
    assert body["prevention_interview"]["why_went"] == "Went to a party with older lads"
    assert [r["note"] for r in body["risk_reviews"]] == ["Called her friends"]
    [trigger] = body["triggers"]
    assert trigger["kind"] == "indicators" and trigger["raised_new_case"] is True
    raised = Case.objects.get(pk=trigger["raised_case_id"])
    assert trigger["raised_case_reference"] == raised.reference
    assert body["return_interview"]["outcome"] == ""
    met = {c["name"]: c["status"] for c in body["clocks"]}
    assert met["missing.prevention_interview"] == "met"
