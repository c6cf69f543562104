"""Case pages through the Django test client: the duplicate check, bad input saving nothing,
stale edits naming what changed, the case list's filters and keyset pages, the chronology."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case, Decision, VoiceOfChild
from safeguard.cases.services import CaseInput, case_create, case_update
from safeguard.cases.tests.builders import TRIAGED_AS
from safeguard.core.models import AuditEntry
from safeguard.people.models import Person
from safeguard.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def _when(hours_ago: float) -> str:
    return (timezone.localtime() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _new_case_form(unit, **overrides):
    data = {
        "given_names": "Amelia",
        "family_name": "Pond",
        "date_of_birth": "2014-03-04",
        "gender": "female",
        "case_type": "abuse_neglect",
        "source": "school",
        "received_at": _when(2),
        "unit": unit.pk,
        "risk_grade": "high",
        "risk_rationale": "Bruising seen by teacher",
        "summary": "Bruises on arms",
    }
    return data | overrides


@pytest.fixture
def officer(make_client, unit):
    return make_client("officer", units=[unit])


def _case_id(response) -> int:
    return int(response["Location"].strip("/").split("/")[-1])


def test_a_new_child_goes_through_the_duplicate_check(officer, unit):
    first = officer.post("/cases/new/", _new_case_form(unit))
    assert first.status_code == 302
    # The same child, typed differently: the page offers the existing record first.
    again = _new_case_form(unit, given_names="Amelya", family_name="POND")
    shown = officer.post("/cases/new/", again)
    assert shown.status_code == 200
    page = shown.content.decode()
    existing = Person.objects.get()
    assert "This child may already be recorded" in page
    assert f'value="{existing.pk}"' in page
    assert Case.objects.count() == 1

    chosen = officer.post("/cases/new/", again | {"choice": str(existing.pk)})
    case = Case.objects.get(pk=_case_id(chosen))
    assert list(case.involvements.values_list("person_id", flat=True)) == [existing.pk]
    assert Person.objects.count() == 1

    new = officer.post("/cases/new/", again | {"choice": "new"})
    case = Case.objects.get(pk=_case_id(new))
    assert case.involvements.get().person.given_names == "Amelya"
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": "2099-01-01"}, "Date of birth must be today or in the past"),
        ({"received_at": _when(-48)}, "The date the referral was received must be today"),
        ({"risk_rationale": ""}, "Enter the rationale for the risk grade"),
        ({"given_names": ""}, "Enter the person&#x27;s first name"),
    ],
)
def test_bad_input_on_a_new_case_shows_an_error_and_saves_nothing(
    officer, unit, overrides, message
):
    audit_before = AuditEntry.objects.count()
    response = officer.post("/cases/new/", _new_case_form(unit, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert Case.objects.count() == 0 and Person.objects.count() == 0
    # Only the views of the form itself (none here) may be audited; nothing was created.
    assert not AuditEntry.objects.filter(action="create").exists()
    assert AuditEntry.objects.count() >= audit_before


@pytest.fixture
def case_for(officer, unit):
    response = officer.post("/cases/new/", _new_case_form(unit))
    return Case.objects.get(pk=_case_id(response))


def test_a_decision_without_a_rationale_is_refused_and_nothing_saved(officer, case_for):
    response = officer.post(
        f"/cases/{case_for.pk}/decisions/new/", {"decision": "Strategy discussion", "rationale": ""}
    )
    assert "Enter the rationale for this decision" in response.content.decode()
    assert Decision.objects.count() == 0
    saved = officer.post(
        f"/cases/{case_for.pk}/decisions/new/",
        {"decision": "Strategy discussion", "rationale": "Injury to a child under 12"},
    )
    assert saved.status_code == 302
    page = officer.get(f"/cases/{case_for.pk}/").content.decode()
    assert "Strategy discussion" in page and "Injury to a child under 12" in page


def test_a_child_first_seen_before_the_referral_is_refused(officer, case_for):
    child = case_for.involvements.get().person
    form = {
        "child": child.pk,
        "seen": "yes",
        "seen_at": _when(5),  # the referral came in 2 hours ago
        "spoken_to": "yes",
        "spoken_to_alone": "yes",
        "child_said": "I fell off my bike",
        "demeanour": "Quiet",
    }
    refused = officer.post(f"/cases/{case_for.pk}/voice/new/", form)
    assert "must be on or after the referral was received" in refused.content.decode()
    assert VoiceOfChild.objects.count() == 0
    saved = officer.post(f"/cases/{case_for.pk}/voice/new/", form | {"seen_at": _when(1)})
    assert saved.status_code == 302
    case_for.refresh_from_db()
    assert case_for.subjects_seen_at is not None


def test_a_stale_edit_says_who_changed_what(officer, case_for, make_user, unit):
    colleague = make_user("duty_inspector", units=[unit], username="dinsp")
    read_version = case_for.version
    case_update(
        actor=actor_for(colleague),
        case_id=case_for.pk,
        version=read_version,
        changes={"summary": "Updated by the inspector"},
        now=timezone.now(),
    )
    response = officer.post(
        f"/cases/{case_for.pk}/edit/",
        {
            "case_type": "abuse_neglect",
            "risk_grade": "medium",
            "risk_rationale": "Reassessed",
            "summary": "My summary",
            "version": read_version,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Somebody else changed this case" in page
    assert "dinsp changed summary" in page
    case_for.refresh_from_db()
    assert case_for.summary == "Updated by the inspector" and case_for.risk_grade == "high"


def test_the_case_list_filters_and_pages_by_keyset(make_client, make_user, unit):
    supervisor = make_client("supervisor", units=[unit])
    actor = actor_for(make_user("investigator", units=[unit]))
    now = timezone.now()
    child = person_create(
        actor=actor, data=PersonInput("Rory", "Williams", estimated_age=9), now=now
    )
    for n in range(30):
        case_create(
            actor=actor,
            data=CaseInput(
                case_type="missing" if n % 3 else "online_cse",
                source="emergency_call",
                risk_grade="high" if n % 2 else "standard",
                risk_rationale="r",
                received_at=now - timedelta(hours=n + 1),
                unit_id=unit.pk,
                people=((child.pk, "subject"),),
            ),
            now=now,
        )
    seen: list[str] = []
    url = "/cases/?case_type=missing"
    while url:
        page = supervisor.get(url).content.decode()
        seen += [ref for ref in Case.objects.values_list("reference", flat=True) if ref in page]
        marker = 'rel="next"'
        if marker not in page:
            break
        href = page[: page.index(marker)].rsplit('href="', 1)[1].split('"', 1)[0]
        url = "/cases/" + href.replace("&amp;", "&")
    missing = set(Case.objects.filter(case_type="missing").values_list("reference", flat=True))
    assert set(seen) == missing and len(missing) == 20
    only_high = supervisor.get("/cases/?risk_grade=high&case_type=online_cse").content.decode()
    expected = Case.objects.filter(risk_grade="high", case_type="online_cse")
    assert all(c.reference in only_high for c in expected)
    assert not any(c.reference in only_high for c in Case.objects.exclude(pk__in=expected))
    bad_cursor = supervisor.get("/cases/?after=not-a-cursor")
    assert bad_cursor.status_code == 302


def test_a_reference_search_opens_the_case(officer, case_for):
    response = officer.get(f"/cases/?reference={case_for.reference.lower()}")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case_for.pk}/"


def test_the_child_chronology_spans_every_case_newest_first(make_client, make_user, unit):
    supervisor = make_client("supervisor", units=[unit])
    actor = actor_for(make_user("investigator", units=[unit]))
    now = timezone.now()
    child = person_create(
        actor=actor, data=PersonInput("Clara", "Oswald", estimated_age=14), now=now
    )
    for hours, kind in ((30, "missing"), (20, "domestic_abuse"), (10, "online_cse")):
        case_create(
            actor=actor,
            data=CaseInput(
                case_type=kind,
                source="officer",
                risk_grade="medium",
                risk_rationale="r",
                received_at=now - timedelta(hours=hours),
                unit_id=unit.pk,
                people=((child.pk, "subject"),),
            ),
            now=now - timedelta(hours=hours),
        )
    page = supervisor.get(f"/people/{child.pk}/chronology/").content.decode()
    positions = [
        page.index(f"Referral received: {label}")
        for label in (
            "Online child sexual exploitation",
            "Domestic abuse involving children",
            "Missing child",
        )
    ]
    assert positions == sorted(positions)


def test_people_search_tolerates_spelling_and_order(officer, make_user, unit):
    actor = actor_for(make_user("officer", units=[unit]))
    person_create(
        actor=actor, data=PersonInput("Jonathan", "Smyth", estimated_age=12), now=timezone.now()
    )
    page = officer.get("/people/?name=smith+jonathon").content.decode()
    assert "Jonathan Smyth" in page
    empty = officer.get("/people/?name=zebedee").content.decode()
    assert "Nobody matches this search" in empty


POLICY = {
    "initial_review_hours": 24,
    "periodic_review_days": 28,
    "child_seen_high_hours": 24,
    "child_seen_medium_days": 3,
    "child_seen_standard_days": 5,
}


def test_supervision_settings_show_defaults_and_refuse_out_of_range(make_client):
    admin = make_client("force_admin")
    page = admin.get("/settings/supervision/").content.decode()
    assert "Within 24 hours of allocation" in page and "every 28 days" in page
    refused = admin.post(
        "/settings/supervision/change/",
        POLICY | {"initial_review_hours": 500, "version": 1},
    )
    assert "The first review must be due within 1 to 168 hours" in refused.content.decode()
    saved = admin.post(
        "/settings/supervision/change/",
        POLICY | {"initial_review_hours": 48, "periodic_review_days": 14, "version": 1},
    )
    assert saved.status_code == 302
    assert "Within 48 hours of allocation" in admin.get("/settings/supervision/").content.decode()


def test_on_postgresql_a_typing_slip_still_finds_the_person(officer, make_user, unit):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's; SQLite keeps the phonetic match only")
    actor = actor_for(make_user("officer", units=[unit]))
    person_create(
        actor=actor, data=PersonInput("Jonathan", "Smyth", estimated_age=12), now=timezone.now()
    )
    assert "Jonathan Smyth" in officer.get("/people/?name=Jonathan+Smtyh").content.decode()


def test_the_duplicate_check_preselects_nothing_and_requires_a_choice(officer, unit):
    officer.post("/cases/new/", _new_case_form(unit))
    shown = officer.post("/cases/new/", _new_case_form(unit)).content.decode()
    assert "checked" not in shown.split('id="possible-duplicates"')[1].split("</fieldset>")[0]
    no_choice = officer.post("/cases/new/", _new_case_form(unit) | {"duplicates_shown": "1"})
    page = no_choice.content.decode()
    assert "Select if this is someone already recorded" in page and 'href="#choice"' in page
    assert Case.objects.count() == 1


def test_radio_errors_link_to_the_first_option(officer, case_for):
    page = officer.post(f"/cases/{case_for.pk}/voice/new/", {}).content.decode()
    assert 'href="#id_seen_0">Select yes if the child was seen' in page
    assert 'id="id_seen_0"' in page


def test_allocation_is_to_a_member_of_the_case_unit(make_client, make_user, unit, other_unit):
    supervisor = make_client("supervisor", units=[unit])
    elsewhere = make_user("investigator", units=[other_unit])
    actor = actor_for(make_user("investigator", units=[unit]))
    now = timezone.now()
    child = person_create(actor=actor, data=PersonInput("Rory", "Pond", estimated_age=5), now=now)
    case = case_create(
        actor=actor,
        data=CaseInput(
            "other", "officer", "standard", "r", now, unit.pk, people=((child.pk, "subject"),)
        ),
        now=now,
    )
    from safeguard.cases.services import case_triage

    case = case_triage(**TRIAGED_AS, actor=actor, case_id=case.pk, version=case.version, now=now)
    refused = supervisor.post(
        f"/cases/{case.pk}/allocate/", {"owner": elsewhere.pk, "version": case.version}
    )
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.status == "triaged" and case.owner_id == actor.user_id
