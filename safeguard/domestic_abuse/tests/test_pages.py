"""The domestic abuse pages through the Django test client: recording an incident from the
victim's record, DASH with its calculation and its never-lower grade, the MARAC referral, the
triage queue (claim, assign, complete) and the capacity forecast, and who may see what."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.domestic_abuse import selectors, services
from safeguard.domestic_abuse.models import DashAssessment, Incident, IncidentChild
from safeguard.domestic_abuse.tests.builders import (
    TUESDAY_NIGHT,
    a_household,
    make_da_cast,
    recorded,
)
from safeguard.people.models import Relationship
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


@pytest.fixture
def home(cast):
    household = a_household(cast.actor(cast.officer), school_urn="123456")
    for person, other, kind in (
        (household.victim, household.child, "parent_carer"),
        (household.victim, household.sibling, "parent_carer"),
        (household.victim, household.suspect, "household"),
    ):
        Relationship.objects.create(force=person.force, person=person, other=other, kind=kind)
    return household


def client_for(user) -> Client:
    return sign_in(Client(), user)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def incident_form(home, **changes):
    # The sections follow the victim's relationships by name: Ellie (0), Noah (1), then blanks.
    data = {
        "attended_at": _local(TUESDAY_NIGHT),
        "place": "12 Elm Road, Ipswich IP1 2AB",
        "suspect": str(home.suspect.pk),
        "suspect_record": "",
        "relationship": "partner",
        "account": "Neighbour called 999 after shouting.",
        "child0_id": str(home.child.pk),
        "child0_include": "yes",
        "child0_present": "yes",
        "child0_where": "In her bedroom",
        "child0_related_to": "both",
        "child0_school_urn": "123456",
        "child0_home_educated": "no",
        "child0_spoken_to": "yes",
        "child0_spoken_to_alone": "yes",
        "child0_child_said": "Daddy was shouting",
        "child0_demeanour": "Quiet",
        "child1_id": str(home.sibling.pk),
        "child1_include": "yes",
        "child1_present": "no",
        "child1_related_to": "victim",
        "child1_home_educated": "no",
        "child2_id": "",
        "child3_id": "",
    }
    data.update(changes)
    return data


def yes(count: int, **extra) -> dict[str, str]:
    return {f"q{n}": "yes" if n <= count else "no" for n in range(1, 28)} | extra


def test_the_person_page_links_to_recording_and_the_form_offers_the_household(cast, home):
    client = client_for(cast.officer)
    person_page = client.get(f"/people/{home.victim.pk}/")
    assert f"/domestic-abuse/new/?victim={home.victim.pk}".encode() in person_page.content
    page = client.get(f"/domestic-abuse/new/?victim={home.victim.pk}")
    assert page.status_code == 200
    assert b"Is Ellie Walker one of the children in the household?" in page.content
    assert b"Ryan Walker" in page.content  # offered as the suspect
    # The child's school is prefilled from their record.
    assert b'value="123456"' in page.content
    assert b"Find the victim" in client.get("/domestic-abuse/new/").content


def test_recording_an_incident_saves_the_children_and_shows_the_incident(cast, home):
    client = client_for(cast.officer)
    response = client.post(f"/domestic-abuse/new/?victim={home.victim.pk}", incident_form(home))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/domestic-abuse/{incident.pk}/"
    assert incident.suspect_id == home.suspect.pk and incident.victim_id == home.victim.pk
    ellie = IncidentChild.objects.get(child=home.child)
    assert ellie.spoken_to_alone and ellie.child_said == "Daddy was shouting"
    assert ellie.school_urn == "123456"
    assert not IncidentChild.objects.get(child=home.sibling).present
    page = client.get(f"/domestic-abuse/{incident.pk}/")
    assert b"Daddy was shouting" in page.content and b"Noah Walker" in page.content
    assert b"DASH risk assessment completed" in page.content  # the da. clocks
    assert b"Awaiting secondary assessment" in page.content
    # The case page links to the incident, and the case route redirects to it.
    case_page = client.get(f"/cases/{incident.case_id}/")
    assert b"domestic-abuse-link" in case_page.content
    redirect = client.get(f"/cases/{incident.case_id}/domestic-abuse/")
    assert redirect["Location"] == f"/domestic-abuse/{incident.pk}/"


def test_another_child_can_be_added_by_record_number(cast, home, make_user):
    other = a_household(cast.actor(cast.officer), family="Stone").child
    client = client_for(cast.officer)
    data = incident_form(
        home,
        child1_include="no",
        child2_id=str(other.pk),
        child2_present="no",
        child2_related_to="suspect",
        child2_home_educated="yes",
    )
    response = client.post(f"/domestic-abuse/new/?victim={home.victim.pk}", data)
    assert response.status_code == 302
    children = set(IncidentChild.objects.values_list("child_id", "home_educated"))
    assert children == {(home.child.pk, False), (other.pk, True)}


def test_an_incident_with_errors_shows_them_and_saves_nothing(cast, home):
    client = client_for(cast.officer)
    future = _local(NOW + 2 * H)
    page = client.post(
        f"/domestic-abuse/new/?victim={home.victim.pk}",
        incident_form(home, attended_at=future, child0_include="no", child1_include="no"),
    )
    assert page.status_code == 200 and b"govuk-error-summary" in page.content
    assert b"The time of attendance must be now or in the past" in page.content
    assert b"Add the children in the household" in page.content
    assert not Incident.objects.exists() and not Case.objects.exists()
    # A child in the incident must say whether they were present.
    page = client.post(
        f"/domestic-abuse/new/?victim={home.victim.pk}", incident_form(home, child0_present="")
    )
    assert b"Select yes if Ellie Walker was present" in page.content
    assert not Incident.objects.exists()


def test_dash_calculate_shows_the_score_without_saving(cast, home):
    incident = recorded(cast, home)
    page = client_for(cast.officer).post(
        f"/domestic-abuse/{incident.pk}/dash/", yes(11, action="calculate")
    )
    assert page.status_code == 200
    assert b"Score 11: medium risk" in page.content
    assert not DashAssessment.objects.exists()


def test_a_grade_lower_than_the_band_is_shown_as_an_error(cast, home):
    incident = recorded(cast, home)
    page = client_for(cast.officer).post(
        f"/domestic-abuse/{incident.pk}/dash/",
        yes(13, action="save", grade="standard", judgement_referral="no"),
    )
    assert page.status_code == 200 and b"govuk-error-summary" in page.content
    assert b"Professional judgement can raise the grade, never lower it" in page.content
    assert not DashAssessment.objects.exists()


def test_a_14_yes_dash_shows_the_marac_referral_which_can_be_sent(cast, home):
    incident = recorded(cast, home)
    client = client_for(cast.officer)
    response = client.post(
        f"/domestic-abuse/{incident.pk}/dash/",
        yes(14, action="save", grade="high", judgement_referral="no"),
    )
    assert response.status_code == 302
    page = client.get(f"/domestic-abuse/{incident.pk}/")
    assert b"MARAC referral" in page.content
    assert b"Visible high risk:</strong> DASH score 14 (14 or more)" in page.content
    assert b"14 of 27" in page.content and b"Mark the MARAC referral as sent" in page.content
    assert b"already recorded" in client.get(f"/domestic-abuse/{incident.pk}/dash/").content
    marac = Incident.objects.get().marac
    sent = client.post(f"/domestic-abuse/{incident.pk}/marac/sent/", {"version": marac.version})
    assert sent.status_code == 302
    page = client.get(f"/domestic-abuse/{incident.pk}/")
    assert b"Not yet sent" not in page.content
    assert b"MARAC referral marked as sent" in page.content


def test_two_users_claim_the_same_incident_and_the_second_is_told(cast, home):
    incident = recorded(cast, home)
    first, second = client_for(cast.triage), client_for(cast.triage_2)
    queue = first.get("/domestic-abuse/triage/")
    assert f"/domestic-abuse/{incident.pk}/claim/".encode() in queue.content
    assert first.post(f"/domestic-abuse/{incident.pk}/claim/").status_code == 302
    response = second.post(f"/domestic-abuse/{incident.pk}/claim/", follow=True)
    message = f"{cast.triage.display_name} is already assessing this incident"
    assert message.encode() in response.content
    assert Incident.objects.get().triage_owner == cast.triage


def test_the_claimer_completes_the_assessment(cast, home):
    incident = recorded(cast, home)
    client = client_for(cast.triage)
    client.post(f"/domestic-abuse/{incident.pk}/claim/")
    queue = client.get("/domestic-abuse/triage/")
    assert f"/domestic-abuse/{incident.pk}/assess/".encode() in queue.content
    version = Incident.objects.get().version
    page = client.post(f"/domestic-abuse/{incident.pk}/assess/", {"version": version, "notes": ""})
    assert b"Select the risk grade" in page.content and b"Enter the secondary assessment" in (
        page.content
    )
    response = client.post(
        f"/domestic-abuse/{incident.pk}/assess/",
        {"version": version, "grade": "medium", "notes": "Known to children's services"},
    )
    assert response.status_code == 302 and response["Location"] == "/domestic-abuse/triage/"
    done = Incident.objects.get()
    assert done.triage_status == "done" and done.triage_grade == "medium"
    assert b"queue-empty" in client.get("/domestic-abuse/triage/").content


def test_a_supervisor_assigns_an_incident(cast, home):
    incident = recorded(cast, home)
    client = client_for(cast.supervisor)
    page = client.get(f"/domestic-abuse/{incident.pk}/assign/")
    assert page.status_code == 200 and cast.triage_2.display_name.encode() in page.content
    response = client.post(f"/domestic-abuse/{incident.pk}/assign/", {"user": cast.triage_2.pk})
    assert response.status_code == 302
    assert Incident.objects.get().triage_owner == cast.triage_2
    # An investigator cannot assign.
    assert client_for(cast.triage).get(f"/domestic-abuse/{incident.pk}/assign/").status_code == 403


def test_the_queue_shows_the_highest_risk_first_then_the_oldest(cast, home):
    older = recorded(cast, home, TUESDAY_NIGHT - 2 * H)
    newer = recorded(cast, home, TUESDAY_NIGHT - H)
    graded = recorded(cast, home, TUESDAY_NIGHT - 5 * H)
    services.dash_record(
        actor=actor_for(cast.officer),
        incident_id=graded.pk,
        data=services.DashInput(answers={n: "no" for n in range(1, 28)}, grade="standard"),
        now=NOW,
    )
    page = client_for(cast.triage).get("/domestic-abuse/triage/").content.decode()
    positions = [page.index(f'id="incident-{i.pk}"') for i in (older, newer, graded)]
    assert positions == sorted(positions)
    assert "Not graded" in page and "Standard" in page
    assert "3 incidents waiting" in page


def test_the_queue_is_paged(cast, home, monkeypatch):
    monkeypatch.setattr(selectors, "QUEUE_PAGE", 2)
    for hours in (1, 2, 3):
        recorded(cast, home, TUESDAY_NIGHT - hours * H)
    client = client_for(cast.triage)
    first = client.get("/domestic-abuse/triage/").content
    assert b"Page 1 of 2" in first and b'href="?page=2"' in first
    second = client.get("/domestic-abuse/triage/?page=2").content
    assert b"Page 2 of 2" in second and b'href="?page=1"' in second
    assert second.count(b'id="incident-') == 1


def test_capacity_shows_the_forecast_and_warns_for_a_growing_backlog(cast, home):
    # A constructed series: 7 incidents arrived over the last week, none assessed.
    for day in range(7):
        incident = recorded(cast, home, TUESDAY_NIGHT - timedelta(days=day, hours=1))
        Incident.objects.filter(pk=incident.pk).update(created_at=NOW - timedelta(days=day))
    client = client_for(cast.supervisor)
    page = client.get("/domestic-abuse/triage/capacity/?threshold=10")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="backlog-now">7<' in text
    # 7 arrivals in the 14-day window: 0.5 a day, so from 7 on Wednesday 11 November the
    # backlog reaches 10 on day 6.
    assert "Arrivals average 0.5 a day and completions 0.0 a day" in text
    assert "At this rate the backlog reaches 10 by Tuesday 17 November 2026" in text
    assert "chart-arrivals" in text and "chart-forecast" in text and "forecast-table" in text
    # The default threshold is far off: no warning.
    assert "backlog-warning" not in client.get("/domestic-abuse/triage/capacity/").content.decode()
    refused = client.get("/domestic-abuse/triage/capacity/?threshold=0")
    assert b"Enter a threshold from 1 to 100,000 cases" in refused.content


def test_users_out_of_scope_get_403_or_404(cast, home, make_user, other_force, foreign_unit):
    incident = recorded(cast, home)
    # Another force's investigator cannot find it.
    foreigner = make_user("investigator", force=other_force, units=[foreign_unit])
    assert client_for(foreigner).get(f"/domestic-abuse/{incident.pk}/").status_code == 404
    # An investigator of another unit of the force cannot see or claim it.
    outsider = client_for(make_user("investigator"))
    assert outsider.get(f"/domestic-abuse/{incident.pk}/").status_code == 404
    assert outsider.post(f"/domestic-abuse/{incident.pk}/claim/").status_code == 404
    assert outsider.get(f"/domestic-abuse/{incident.pk}/dash/").status_code == 404
    # An auditor sees it but cannot work it; an analyst sees nothing; officers have no capacity.
    auditor = client_for(make_user("auditor"))
    assert auditor.get(f"/domestic-abuse/{incident.pk}/").status_code == 200
    assert auditor.get(f"/domestic-abuse/{incident.pk}/dash/").status_code == 403
    assert auditor.get("/domestic-abuse/triage/").status_code == 403
    analyst = client_for(make_user("analyst"))
    assert analyst.get(f"/domestic-abuse/{incident.pk}/").status_code == 403
    assert client_for(cast.officer).get("/domestic-abuse/triage/capacity/").status_code == 403
    assert client_for(make_user("auditor")).get("/domestic-abuse/new/").status_code == 403
