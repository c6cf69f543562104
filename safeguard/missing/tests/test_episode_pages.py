"""The episode pages through the Django test client: report with a suggested grade, refusals
shown on the form with nothing saved, and each step of the response."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from safeguard.missing.models import Episode, Photo, ReturnInterview
from safeguard.missing.tests.builders import a_child, make_missing_cast, reported
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(make_user, force):
    return make_missing_cast(make_user, force)


@pytest.fixture
def child(cast):
    return a_child(cast.actor(cast.officer))


def client_for(user) -> Client:
    return sign_in(Client(), user)


def _when(delta: timedelta = timedelta()) -> str:
    return (timezone.localtime() - timedelta(minutes=30) + delta).strftime("%Y-%m-%dT%H:%M")


def report_form(cast, **changes):
    data = {
        "source": "emergency_call",
        "reported_at": _when(),
        "reported_by": "Karen Jones",
        "reporter_relationship": "Mother",
        "missing_from": "home",
        "placement_name": "",
        "local_authority": str(cast.la.pk),
        "last_seen_at": _when(-timedelta(hours=2)),
        "last_seen_place": "Home",
        "circumstances": "Did not come home from school",
        "description": "Blue school jumper",
        "health_needs": "",
        "medication": "",
        "self_harm_risk": "no",
        "urgent_health_need": "no",
        "suspected_crime": "no",
        "out_of_character": "yes",
        "grade": "low",
        "grade_rationale": "Out of character only",
        "action": "save",
    }
    data.update(changes)
    return data


def test_without_a_child_the_report_page_sends_you_to_find_one(cast):
    page = client_for(cast.officer).get("/missing/report/")
    assert page.status_code == 200 and b"Find the child" in page.content


def test_suggest_shows_the_grade_and_reasons_and_saves_nothing(cast, child):
    page = client_for(cast.officer).post(
        f"/missing/report/?person={child.pk}",
        report_form(cast, self_harm_risk="yes", action="suggest"),
    )
    assert page.status_code == 200
    assert (
        b"Suggested grade: High" in page.content and b"risk of self-harm or suicide" in page.content
    )
    assert not Episode.objects.exists()


def test_report_saves_and_shows_the_episode_with_its_clocks(cast, child):
    client = client_for(cast.officer)
    response = client.post(f"/missing/report/?person={child.pk}", report_form(cast))
    episode = Episode.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/missing/{episode.pk}/"
    page = client.get(f"/missing/{episode.pk}/")
    assert b"Mia Jones is missing" in page.content
    assert b"First attendance" in page.content and b"Risk review while missing" in page.content
    # The case page links back to the episode.
    case_page = client.get(f"/cases/{episode.case_id}/")
    assert b"missing-episode-link" in case_page.content
    assert client.get(f"/cases/{episode.case_id}/missing/")["Location"] == f"/missing/{episode.pk}/"


def test_a_lower_grade_from_an_officer_is_shown_as_an_error_and_nothing_is_saved(cast, child):
    page = client_for(cast.officer).post(
        f"/missing/report/?person={child.pk}", report_form(cast, self_harm_risk="yes", grade="low")
    )
    assert page.status_code == 200
    assert b"A grade lower than the suggested high needs a supervisor" in page.content
    assert b"govuk-error-summary" in page.content
    assert not Episode.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused_on_the_form(cast, child):
    upload = io.BytesIO(b"MZ this is an executable")
    upload.name = "photo.jpg"
    page = client_for(cast.officer).post(
        f"/missing/report/?person={child.pk}", {**report_form(cast), "photo": upload}
    )
    assert b"The photo must be a JPEG, PNG or WebP image" in page.content
    assert not Episode.objects.exists()


def test_a_photo_is_added_and_served_privately(cast, child):
    episode = reported(cast, child)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "mia.jpg"
    client = client_for(cast.officer)
    assert client.post(f"/missing/{episode.pk}/photo/add/", {"photo": buffer}).status_code == 302
    served = client.get(f"/missing/{episode.pk}/photo/")
    assert served["Content-Type"] == "image/jpeg" and "no-store" in served["Cache-Control"]
    assert Photo.objects.count() == 1


def test_found_before_missing_shows_the_error(cast, child):
    episode = reported(cast, child)
    client = client_for(cast.officer)
    page = client.post(
        f"/missing/{episode.pk}/found/",
        {
            "found_at": (episode.last_seen_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "found_place": "Park",
            "found_by": "PC Okafor",
            "condition": "Well",
            "version": episode.version,
        },
    )
    assert b"The time found must be after the child went missing" in page.content
    assert Episode.objects.get().status == "missing"


def test_found_then_the_police_record_the_return_interview_for_the_la(cast, child):
    episode = reported(cast, child)
    client = client_for(cast.officer)
    found_at = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        f"/missing/{episode.pk}/found/",
        {
            "found_at": found_at.strftime("%Y-%m-%dT%H:%M"),
            "found_place": "Bus station",
            "found_by": "PC Okafor",
            "condition": "Well",
            "version": Episode.objects.get().version,
        },
    )
    assert response.status_code == 302
    task = ReturnInterview.objects.get()
    response = client.post(
        f"/missing/{episode.pk}/return-interview/",
        {
            "offered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "declined",
            "version": task.version,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "declined" and task.recorded_on_behalf


def test_the_supervisor_review_page_is_refused_to_an_officer(cast, child):
    episode = reported(cast, child)
    assert client_for(cast.officer).get(f"/missing/{episode.pk}/review/").status_code == 403
    page = client_for(cast.supervisor).get(f"/missing/{episode.pk}/review/")
    assert page.status_code == 200 and b"Review the risk grade" in page.content


def test_the_duty_inspector_acknowledges_a_high_risk_episode(cast, child):
    episode = reported(cast, child, by=cast.supervisor, self_harm_risk=True, grade="high")
    client = client_for(cast.inspector)
    assert b"I am informed" in client.get(f"/missing/{episode.pk}/").content
    assert client.post(f"/missing/{episode.pk}/acknowledge/").status_code == 302
    assert Episode.objects.get().inspector_informed_by == cast.inspector
    assert b"I am informed" not in client.get(f"/missing/{episode.pk}/").content
