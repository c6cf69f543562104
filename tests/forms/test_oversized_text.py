"""A text over its limit is a field error on a form that keeps everything else typed, never a
generic error page (issue 12, section 4), even for a 3 MB paste (DATA_UPLOAD_MAX_MEMORY_SIZE)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.cases.models import Case
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.tests.test_pages import (  # noqa: F401 (fixtures)
    TUESDAY_NIGHT,
    cast,
    client_for,
    frozen,
    home,
    incident_form,
)
from safeguard.people.models import Person

pytestmark = pytest.mark.django_db

THREE_MB = "The neighbour heard shouting. " * 100_000  # 3,000,000 characters


def test_a_3_mb_account_keeps_the_rest_of_the_incident_form(cast, home):  # noqa: F811
    attended = timezone.localtime(TUESDAY_NIGHT)
    data = incident_form(home, account=THREE_MB) | {
        "attended_at": "",
        "attended_at_day": str(attended.day),
        "attended_at_month": str(attended.month),
        "attended_at_year": str(attended.year),
        "attended_at_time": f"{attended:%H:%M}",
    }
    data.pop("attended_at")
    response = client_for(cast.officer).post(f"/domestic-abuse/new/?victim={home.victim.pk}", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Your account of the incident must be 10,000 characters or fewer" in page
    assert 'href="#id_account"' in page
    # Everything else typed is still there, the date and time in their boxes.
    for value in ("12 Elm Road, Ipswich IP1 2AB", "Daddy was shouting", "In her bedroom"):
        assert value in page
    assert f'value="{attended:%H:%M}"' in page and f'value="{attended.year}"' in page
    assert not Incident.objects.exists() and not Case.objects.exists()


@pytest.fixture
def officer(make_client, unit):
    return make_client("officer", units=[unit])


def test_a_3_mb_summary_keeps_the_child_typed_on_a_new_case(officer, unit):
    received = timezone.localtime() - timedelta(hours=2)
    data = {
        "given_names": "Amelia",
        "family_name": "Pond",
        "date_of_birth_day": "4",
        "date_of_birth_month": "3",
        "date_of_birth_year": "2014",
        "gender": "female",
        "case_type": "abuse_neglect",
        "source": "school",
        "received_at_day": str(received.day),
        "received_at_month": str(received.month),
        "received_at_year": str(received.year),
        "received_at_time": f"{received:%H:%M}",
        "unit": unit.pk,
        "risk_grade": "high",
        "risk_rationale": "Bruising seen by teacher",
        "summary": THREE_MB,
    }
    response = officer.post("/cases/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Summary of the concern must be 10,000 characters or fewer" in page
    assert 'value="Amelia"' in page and 'value="Pond"' in page
    assert "Bruising seen by teacher" in page and 'value="2014"' in page
    assert Case.objects.count() == 0 and Person.objects.count() == 0
