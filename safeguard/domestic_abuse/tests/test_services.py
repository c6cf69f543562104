"""Domestic abuse incidents through the real services: recording, DASH and MARAC, the
triage queue and its capacity forecast, and the incident's clocks."""

from datetime import timedelta

import pytest

from safeguard.cases.models import Case, VoiceOfChild
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.models import ClockState
from safeguard.domestic_abuse import selectors, services
from safeguard.domestic_abuse.models import Incident, MaracReferral
from safeguard.domestic_abuse.tests.builders import (
    TUESDAY_NIGHT,
    a_household,
    make_da_cast,
    recorded,
)

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
ALL_NO = {n: "no" for n in range(1, 28)}


@pytest.fixture
def cast(make_user, force):
    return make_da_cast(make_user, force)


@pytest.fixture
def home(cast):
    return a_household(cast.actor(cast.officer))


def clocks(incident):
    return {
        row.name: row
        for row in ClockState.objects.filter(object_type="case", object_id=incident.case_id)
    }


def yes(count: int) -> dict[int, str]:
    return {**ALL_NO, **{n: "yes" for n in range(1, count + 1)}}


def dash(cast, incident, answers, grade, *, by=None, at=None, **extra):
    return services.dash_record(
        actor=cast.actor(by or cast.officer),
        incident_id=incident.pk,
        data=services.DashInput(answers=answers, grade=grade, **extra),
        now=at or TUESDAY_NIGHT + 2 * H,
    )


def test_recording_makes_a_case_in_the_triage_queue_with_the_children_and_their_voices(cast, home):
    incident = recorded(cast, home)
    case = incident.case
    assert case.case_type == "domestic_abuse" and case.unit == cast.triage_unit
    roles = set(case.involvements.values_list("person_id", "role"))
    assert (home.child.pk, "subject") in roles and (home.victim.pk, "victim") in roles
    assert (home.suspect.pk, "suspect") in roles
    voices = VoiceOfChild.objects.filter(case=case)
    assert voices.get(child=home.child).child_said == "Daddy was shouting at mummy again"
    assert voices.get(child=home.sibling).not_seen_reason == "Not present at the incident"
    running = clocks(incident)
    assert running["da.dash_completed"].due_at == TUESDAY_NIGHT + 24 * H
    # Not yet graded: treated as high risk, so triage is due within a day.
    assert running["da.triage"].due_at == TUESDAY_NIGHT + 24 * H


def test_an_incident_needs_children_and_different_adults(cast, home):
    with pytest.raises(DomainError) as refused:
        recorded(cast, home, children=(), suspect_id=home.victim.pk)
    assert set(refused.value.fields) >= {"children", "suspect"}
    assert not Incident.objects.exists() and not Case.objects.exists()


def test_dash_14_is_visible_high_risk_and_a_marac_referral(cast, home):
    incident = recorded(cast, home)
    assessment = dash(cast, incident, yes(14), "high")
    assert assessment.score == 14 and assessment.band == "high"
    referral = MaracReferral.objects.get(incident=incident)
    assert referral.routes == [["visible_high_risk", "DASH score 14 (14 or more)"]]
    assert Case.objects.get(pk=incident.case_id).risk_grade == "high"
    assert clocks(incident)["da.marac_referral"].status == ClockState.Status.RUNNING
    assert clocks(incident)["da.dash_completed"].status == ClockState.Status.MET


def test_dash_13_is_medium_and_judgement_may_raise_but_never_lower(cast, home):
    incident = recorded(cast, home)
    with pytest.raises(DomainError) as refused:
        dash(cast, incident, yes(13), "standard")
    assert refused.value.fields["grade"].startswith("Professional judgement can raise the grade")
    with pytest.raises(DomainError) as refused:
        dash(cast, incident, yes(13), "high")
    assert "rationale" in refused.value.fields
    assessment = dash(cast, incident, yes(13), "high", rationale="Non-fatal strangulation")
    assert assessment.band == "medium" and assessment.grade == "high"
    assert not MaracReferral.objects.exists()  # 13 ticks, no judgement referral


def test_every_question_must_be_answered(cast, home):
    incident = recorded(cast, home)
    answers = dict(ALL_NO)
    del answers[18]
    with pytest.raises(DomainError) as refused:
        dash(cast, incident, answers, "standard")
    assert "q18" in refused.value.fields


def test_the_third_incident_in_12_months_is_potential_escalation(cast, home):
    first = recorded(cast, home, TUESDAY_NIGHT - timedelta(days=300))
    dash(cast, first, yes(2), "standard", at=TUESDAY_NIGHT - timedelta(days=299))
    second = recorded(cast, home, TUESDAY_NIGHT - timedelta(days=100))
    dash(cast, second, yes(2), "standard", at=TUESDAY_NIGHT - timedelta(days=99))
    assert not MaracReferral.objects.exists()
    third = recorded(cast, home)
    dash(cast, third, yes(2), "standard")
    route, reason = MaracReferral.objects.get(incident=third).routes[0]
    assert route == "potential_escalation"
    assert reason.startswith("3rd incident in 12 months with the same victim")


def test_two_people_cannot_claim_the_same_incident(cast, home):
    incident = recorded(cast, home)
    services.triage_claim(
        actor=cast.actor(cast.triage), incident_id=incident.pk, now=TUESDAY_NIGHT + 3 * H
    )
    # Somebody else holds it: a conflict (409), no longer a kind of refusal (core.errors).
    with pytest.raises(Conflict) as refused:
        services.triage_claim(
            actor=cast.actor(cast.triage_2), incident_id=incident.pk, now=TUESDAY_NIGHT + 3 * H
        )
    assert "already assessing" in refused.value.message
    with pytest.raises(DomainError):
        services.triage_complete(
            actor=cast.actor(cast.triage_2),
            incident_id=incident.pk,
            version=Incident.objects.get().version,
            grade="medium",
            notes="x",
            now=TUESDAY_NIGHT + 4 * H,
        )
    done = services.triage_complete(
        actor=cast.actor(cast.triage),
        incident_id=incident.pk,
        version=Incident.objects.get().version,
        grade="medium",
        notes="History checked; safety plan in place",
        now=TUESDAY_NIGHT + 4 * H,
    )
    assert Incident.objects.get(pk=done.pk).triage_status == "done"
    assert Case.objects.get(pk=incident.case_id).status == "triaged"
    assert clocks(incident)["da.triage"].status == ClockState.Status.MET


def test_a_supervisor_assigns_within_the_unit(cast, home, make_user):
    incident = recorded(cast, home)
    services.triage_assign(
        actor=cast.actor(cast.supervisor),
        incident_id=incident.pk,
        user_id=cast.triage_2.pk,
        now=TUESDAY_NIGHT + 2 * H,
    )
    assert Incident.objects.get().triage_owner == cast.triage_2
    with pytest.raises(DomainError):
        services.triage_assign(
            actor=cast.actor(cast.supervisor),
            incident_id=incident.pk,
            user_id=cast.officer.pk,
            now=TUESDAY_NIGHT + 2 * H,
        )


def test_the_queue_is_ordered_by_risk_then_age(cast, home):
    old_standard = recorded(cast, home, TUESDAY_NIGHT - 48 * H)
    dash(cast, old_standard, yes(1), "standard", at=TUESDAY_NIGHT - 47 * H)
    other = a_household(cast.actor(cast.officer), "Okoro")
    new_high = recorded(cast, other, TUESDAY_NIGHT - 2 * H)
    dash(cast, new_high, yes(15), "high")
    ungraded = recorded(cast, a_household(cast.actor(cast.officer), "Price"), TUESDAY_NIGHT - H)
    page = selectors.triage_queue(actor=cast.actor(cast.triage))
    assert [i.pk for i in page.items] == [new_high.pk, ungraded.pk, old_standard.pk]
    assert page.total == 3


def test_capacity_counts_arrivals_completions_and_forecasts(cast, home):
    for day in range(5):
        recorded(
            cast,
            a_household(cast.actor(cast.officer), f"Fam{day}"),
            TUESDAY_NIGHT - timedelta(days=day),
        )
    capacity = selectors.triage_capacity(
        actor=cast.actor(cast.supervisor), now=TUESDAY_NIGHT + 3 * H, threshold=10
    )
    assert capacity.backlog_now == 5
    assert sum(capacity.arrivals) == 5 and sum(capacity.completions) == 0
    assert capacity.forecast.days[-1].expected > capacity.backlog_now
    assert capacity.forecast.crosses_on is not None


def test_a_child_present_but_not_spoken_to_needs_the_reason_naming_the_child(cast, home):
    from safeguard.domestic_abuse.services import ChildInput

    quiet = ChildInput(
        child_id=home.child.pk, present=True, related_to="both", demeanour="Hiding behind mum"
    )
    with pytest.raises(DomainError) as refused:
        recorded(cast, home, children=(quiet,))
    assert refused.value.fields["children"] == "Enter why you did not speak to Ellie Walker"
    assert not Incident.objects.exists()
    from dataclasses import replace

    incident = recorded(
        cast, home, children=(replace(quiet, not_spoken_reason="Asleep when officers left"),)
    )
    voice = VoiceOfChild.objects.get(case_id=incident.case_id, child=home.child)
    assert voice.seen and not voice.spoken_to
    assert voice.not_seen_reason == "Asleep when officers left"
