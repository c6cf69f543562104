"""The force's domestic abuse times (issue 12, section 8; docs/rules.md 3.4): the settings page
(view, change, version, audit, refusals, field errors), the API, and the clocks and the MARAC
decision reading the force's current policy."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from safeguard.core.clocks import clocks_for
from safeguard.core.models import AuditEntry
from safeguard.domestic_abuse import selectors, services
from safeguard.domestic_abuse.models import DaPolicySetting, Incident
from safeguard.domestic_abuse.rules import policy as rules
from safeguard.domestic_abuse.rules.marac import MaracFacts, Route, marac_routes
from safeguard.domestic_abuse.tests.builders import (
    TUESDAY_NIGHT,
    a_household,
    make_da_cast,
    recorded,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
NOW = TUESDAY_NIGHT + 3 * H
URL = "/settings/domestic-abuse/"
EDIT = "/settings/domestic-abuse/change/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def admin_user(make_user):
    return make_user("force_admin", username="fadmin", first_name="Alex", last_name="Ainsworth")


@pytest.fixture
def admin(admin_user):
    return sign_in(Client(), admin_user)


def page(response) -> str:
    return response.content.decode()


def form(version: int, **changes: object) -> dict[str, object]:
    return vars(rules.DaPolicy()) | {"version": version} | changes


def test_every_staff_member_sees_the_times_and_only_the_admin_changes_them(cast, admin, force):
    shown = page(sign_in(Client(), cast.triage).get(URL))
    assert "Completed within 24 hours of the attendance" in shown
    assert "medium within 3 working days and standard within 5" in shown
    assert "Sent within 1 working day of the decision" in shown
    assert "3 or more incidents with the same victim in 12 months" in shown
    assert "Never changed: the defaults apply" in shown
    assert EDIT not in shown
    assert sign_in(Client(), cast.triage).get(EDIT).status_code == 403
    assert sign_in(Client(), cast.supervisor).post(EDIT, form(1)).status_code == 403
    assert EDIT in page(admin.get(URL))
    # The other settings pages link here.
    assert f'href="{URL}"' in page(admin.get("/settings/supervision/"))


def test_the_admin_changes_the_times_versioned_and_audited(admin, force):
    setting = selectors.da_policy_for(force.pk)
    before = setting.version
    edit = page(admin.get(EDIT))
    assert 'name="dash_hours"' in edit and 'value="24"' in edit
    saved = admin.post(
        EDIT, form(before, dash_hours=12, triage_medium_working_days=2, escalation_incidents=5)
    )
    assert saved.status_code == 302 and saved["Location"] == URL
    setting.refresh_from_db()
    assert (setting.dash_hours, setting.triage_medium_working_days) == (12, 2)
    assert setting.escalation_incidents == 5
    assert setting.version == before + 1
    assert setting.updated_by.username == "fadmin" and setting.updated_at == NOW
    entry = AuditEntry.objects.get(
        action="update", object_type="da_policy", object_id=str(setting.pk)
    )
    assert entry.actor_username == "fadmin"
    after = page(admin.get(URL))
    assert "Domestic abuse times saved" in after
    assert "Completed within 12 hours" in after and "5 or more incidents" in after
    assert "set by Alex Ainsworth" in after and "11 November 2026" in after


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(admin, force):
    read = selectors.da_policy_for(force.pk).version
    assert admin.post(EDIT, form(read, marac_referral_working_days=2)).status_code == 302
    stale = page(admin.post(EDIT, form(read, dash_hours=6)))
    assert "Somebody else changed this policy after you opened it." in stale
    setting = DaPolicySetting.objects.get(force=force)
    assert setting.dash_hours == 24 and setting.marac_referral_working_days == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"dash_hours": 0}, "dash_hours", "Enter a whole number from 1 to 72"),
        ({"triage_high_hours": "soon"}, "triage_high_hours", "Enter a whole number from 1 to 72"),
        ({"marac_referral_working_days": ""}, "marac_referral_working_days", "from 1 to 5"),
        ({"escalation_incidents": 4}, "escalation_incidents", "Choose 3 or 5 incidents"),
        (
            {"triage_medium_working_days": 6, "triage_standard_working_days": 4},
            "triage_standard_working_days",
            "Standard risk cannot be due sooner than medium risk",
        ),
    ],
)
def test_a_bad_value_shows_on_its_field_and_keeps_what_was_typed(
    admin, force, changes, field, message
):
    setting = selectors.da_policy_for(force.pk)
    typed = form(setting.version, **({"dash_hours": 30} | changes))
    shown = page(admin.post(EDIT, typed))
    assert "Error: Change domestic abuse times" in shown
    assert "govuk-error-summary" in shown and f'href="#id_{field}' in shown
    assert re.search(rf'id="id_{field}-error" class="govuk-error-message">.*?{message}', shown)
    if field != "dash_hours":
        assert 'value="30"' in shown  # what was typed elsewhere is kept
    setting.refresh_from_db()
    assert vars(setting.as_policy()) == vars(rules.DaPolicy())


def test_two_errors_are_reported_at_once(admin, force):
    setting = selectors.da_policy_for(force.pk)
    shown = page(admin.post(EDIT, form(setting.version, dash_hours=0, triage_high_hours=99)))
    assert 'href="#id_dash_hours"' in shown and 'href="#id_triage_high_hours"' in shown


# The clocks read the force's policy ------------------------------------------------------------


def _due(incident: Incident, name: str):
    return next(
        c.due_at
        for c in clocks_for(object_type="case", object_id=incident.case_id, now=NOW)
        if c.name == name
    )


def _set_policy(admin_user, force, **changes):
    from safeguard.accounts.services import actor_for

    setting = selectors.da_policy_for(force.pk)
    return services.da_policy_update(
        actor=actor_for(admin_user),
        version=setting.version,
        data=rules.DaPolicy(**(vars(setting.as_policy()) | changes)),
        now=NOW,
    )


def test_the_clocks_take_the_forces_times(cast, admin_user, force):
    _set_policy(admin_user, force, dash_hours=8, triage_high_hours=12)
    incident = recorded(cast, a_household(cast.actor(cast.officer)))
    assert _due(incident, "da.dash_completed") == TUESDAY_NIGHT + 8 * H
    assert _due(incident, "da.triage") == TUESDAY_NIGHT + 12 * H


def test_an_open_incident_takes_new_times_at_its_next_change(cast, admin_user, force):
    incident = recorded(cast, a_household(cast.actor(cast.officer)))
    assert _due(incident, "da.triage") == TUESDAY_NIGHT + 24 * H
    _set_policy(admin_user, force, triage_medium_working_days=1, marac_referral_working_days=2)
    # Until it changes, its clock stands as it was derived (the escalation ladder agrees).
    assert _due(incident, "da.triage") == TUESDAY_NIGHT + 24 * H
    # The DASH grades it medium, with 14 "yes" (a MARAC route): derived again, new times.
    answers = {n: "yes" if n <= 14 else "no" for n in range(1, 28)}
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(answers=answers, grade="high"),
        now=NOW,
    )
    services.triage_claim(actor=cast.actor(cast.triage), incident_id=incident.pk, now=NOW)
    # High still 24 hours; the MARAC referral is due 2 working days after the DASH
    # (Wednesday 11 November 00:40: Friday 13 November).
    assert _due(incident, "da.triage") == TUESDAY_NIGHT + 24 * H
    assert _due(incident, "da.marac_referral") == NOW + timedelta(days=2)


def test_the_medium_triage_time_follows_the_policy(cast, admin_user, force):
    _set_policy(admin_user, force, triage_medium_working_days=1)
    incident = recorded(cast, a_household(cast.actor(cast.officer)))
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(
            answers={n: "no" for n in range(1, 28)},
            grade="medium",
            rationale="Repeated threats by text",
        ),
        now=NOW,
    )
    # Attended Tuesday 21:40: one working day later is Wednesday 21:40.
    assert _due(incident, "da.triage") == TUESDAY_NIGHT + 24 * H


def test_the_escalation_count_is_the_forces_choice():
    base = TUESDAY_NIGHT
    facts = MaracFacts(
        score=3,
        judgement_referral=False,
        judgement_reason="",
        incident_at=base,
        earlier_incidents_same_victim=(base - timedelta(days=40), base - timedelta(days=90)),
        last_marac_referral_at=None,
    )
    assert Route.POTENTIAL_ESCALATION in {r for r, _ in marac_routes(facts)}
    five = MaracFacts(**(vars(facts) | {"escalation_incidents": 5}))
    assert Route.POTENTIAL_ESCALATION not in {r for r, _ in marac_routes(five)}


def test_the_dash_decides_escalation_by_the_forces_count(cast, admin_user, force):
    _set_policy(admin_user, force, escalation_incidents=5)
    home = a_household(cast.actor(cast.officer))
    for days in (60, 30):
        recorded(cast, home, TUESDAY_NIGHT - timedelta(days=days))
    third = recorded(cast, home)
    services.dash_record(
        actor=cast.actor(cast.officer),
        incident_id=third.pk,
        data=services.DashInput(answers={n: "no" for n in range(1, 28)}, grade="standard"),
        now=NOW,
    )
    # The third incident in 12 months is not an escalation where the force counts 5.
    assert not hasattr(Incident.objects.get(pk=third.pk), "marac")


def test_the_rules_refuse_a_policy_out_of_range():
    assert rules.policy_problems(rules.DaPolicy()) == []
    problems = dict(rules.policy_problems(rules.DaPolicy(dash_hours=0, escalation_incidents=4)))
    assert problems == {
        "dash_hours": "Enter a whole number from 1 to 72",
        "escalation_incidents": rules.ESCALATION_CHOICE,
    }


# The API -------------------------------------------------------------------------------------


def test_the_api_reads_and_changes_the_policy(cast, admin_user, make_api_client, force):
    admin = make_api_client(admin_user)
    got = admin.get("/api/v1/settings/domestic-abuse")
    assert got.status_code == 200
    body = got.json()
    assert body["dash_hours"] == 24 and body["escalation_incidents"] == 3
    assert body["updated_by"] is None
    etag = got["ETag"]
    payload = {k: v for k, v in body.items() if k in vars(rules.DaPolicy())}
    put = admin.put(
        "/api/v1/settings/domestic-abuse",
        payload | {"escalation_incidents": 5},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert put.status_code == 200, put.content
    assert put.json()["escalation_incidents"] == 5 and put.json()["updated_by"] == "fadmin"
    stale = admin.put(
        "/api/v1/settings/domestic-abuse",
        payload,
        content_type="application/json",
        headers={"If-Match": etag},
    )
    # A stale If-Match is a failed precondition, as on every versioned API write.
    assert stale.status_code == 412
    bad = admin.put(
        "/api/v1/settings/domestic-abuse",
        payload | {"escalation_incidents": 4, "version": put.json()["version"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "escalation_incidents" in bad.json()["fields"]
    # Anyone on the staff reads it; only the admin changes it.
    triage = make_api_client(cast.triage)
    assert triage.get("/api/v1/settings/domestic-abuse").json()["escalation_incidents"] == 5
    refused = triage.put(
        "/api/v1/settings/domestic-abuse", payload, content_type="application/json"
    )
    assert refused.status_code == 403


def test_the_api_queue_says_when_each_is_due_and_which_are_overdue(cast, make_api_client):
    late = recorded(cast, a_household(cast.actor(cast.officer), "Late"), TUESDAY_NIGHT - 30 * H)
    fresh = recorded(cast, a_household(cast.actor(cast.officer), "Fresh"))
    items = make_api_client(cast.triage).get("/api/v1/domestic-abuse/triage").json()["items"]
    by_id = {item["id"]: item for item in items}
    assert by_id[late.pk]["overdue"] is True
    assert by_id[fresh.pk]["overdue"] is False
    assert by_id[fresh.pk]["triage_due_at"].startswith("2026-11-11T21:40")
