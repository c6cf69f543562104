"""Every change to a case's risk grade, review date or status leaves a `case` audit entry that
names the field, whichever context made it (DPA 2018 s62): cases, supervision, missing
children and domestic abuse, watched at the SQL each one sends."""

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.services import (
    CaseInput,
    case_create,
    case_request_closure,
    case_start_investigation,
    case_triage,
    case_update,
    voice_record,
)
from safeguard.cases.tests.builders import TRIAGED_AS
from safeguard.domestic_abuse.services import DashInput, dash_record, triage_claim, triage_complete
from safeguard.domestic_abuse.tests.builders import a_household, make_da_cast, recorded
from safeguard.missing.models import Episode
from safeguard.missing.services import episode_regrade, episode_supervisor_review
from safeguard.missing.tests.builders import a_child, make_missing_cast, reported
from safeguard.people.services import PersonInput, person_create
from safeguard.supervision.services import (
    case_allocate,
    case_reopen,
    closure_approve,
    review_record,
)
from tests.case_audit import watch_case_writes

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
DASH_FOURTEEN_YES = {n: "yes" if n <= 14 else "no" for n in range(1, 28)}


def _checked(writes, *expected_columns: str) -> None:
    assert not writes.untied, f"writes to cases not tied to one case: {writes.untied}"
    columns = {column for _, column in writes.written}
    assert set(expected_columns) <= columns, f"expected writes to {expected_columns}"
    assert writes.unaudited() == [], "case changes with no case audit entry naming the field"


def test_the_case_core_and_supervision_audit_every_grade_review_and_status_change(make_user, unit):
    officer = actor_for(make_user("investigator", units=[unit]))
    supervisor = actor_for(make_user("supervisor", units=[unit]))
    other = actor_for(make_user("supervisor", units=[unit]))
    child = person_create(
        actor=officer,
        data=PersonInput("Ben", "Hale", date(2014, 2, 1)),
        confirm_new=True,
        now=MONDAY,
    )
    with watch_case_writes() as writes:
        case = case_create(
            actor=officer,
            data=CaseInput(
                case_type="abuse_neglect",
                source="school",
                risk_grade="medium",
                risk_rationale="Bruising seen at school",
                received_at=MONDAY - 2 * H,
                unit_id=unit.pk,
                people=((child.pk, "subject"),),
            ),
            now=MONDAY,
        )

        def version() -> int:
            return Case.objects.get(pk=case.pk).version

        case_update(
            actor=officer,
            case_id=case.pk,
            version=version(),
            changes={"risk_grade": "high", "risk_rationale": "Disclosure to a teacher"},
            now=MONDAY + H,
        )
        case_triage(
            **TRIAGED_AS, actor=officer, case_id=case.pk, version=version(), now=MONDAY + 2 * H
        )
        case_allocate(
            actor=supervisor,
            case_id=case.pk,
            version=version(),
            owner_id=officer.user_id,
            now=MONDAY + 3 * H,
        )
        review_record(
            actor=supervisor,
            case_id=case.pk,
            findings="Plan in place",
            direction="See the child today",
            next_review_on=date(2026, 3, 20),
            now=MONDAY + 4 * H,
        )
        case_start_investigation(
            actor=officer, case_id=case.pk, version=version(), now=MONDAY + 5 * H
        )
        voice_record(
            actor=officer,
            case_id=case.pk,
            child_id=child.pk,
            voice=VoiceInput(
                seen=True,
                seen_at=MONDAY + 5 * H,
                spoken_to=True,
                spoken_to_alone=True,
                child_said="I want to stay at Nan's",
                demeanour="Quiet, then chatty",
                not_seen_reason="",
            ),
            now=MONDAY + 6 * H,
        )
        case_request_closure(
            actor=officer, case_id=case.pk, version=version(), reason="Safe", now=MONDAY + 7 * H
        )
        closure_approve(
            actor=other,
            case_id=case.pk,
            version=version(),
            findings="Child safe with grandmother",
            direction="",
            now=MONDAY + 8 * H,
        )
        case_reopen(
            actor=other,
            case_id=case.pk,
            version=version(),
            reason="New disclosure",
            now=MONDAY + 9 * H,
        )
    assert Case.objects.get(pk=case.pk).status == "investigating"
    _checked(writes, "risk_grade", "status", "next_review_due_at")


def test_missing_children_audit_the_case_grade_they_set(make_user, force):
    cast = make_missing_cast(make_user, force)
    child = a_child(cast.actor(cast.officer))
    with watch_case_writes() as writes:
        episode = reported(cast, child)
        episode_regrade(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            version=Episode.objects.get(pk=episode.pk).version,
            grade="high",
            rationale="Seen getting into a car with older men",
            now=episode.reported_at + H,
        )
        episode_supervisor_review(
            actor=cast.actor(cast.supervisor),
            episode_id=episode.pk,
            version=Episode.objects.get(pk=episode.pk).version,
            grade="medium",
            rationale="The car was her uncle's; still out overnight",
            now=episode.reported_at + 2 * H,
        )
    _checked(writes, "risk_grade", "status")


def test_domestic_abuse_audits_the_case_grade_and_triage_it_sets(make_user, force):
    cast = make_da_cast(make_user, force)
    home = a_household(cast.actor(cast.officer))
    with watch_case_writes() as writes:
        incident = recorded(cast, home)
        at = incident.attended_at + 2 * H
        dash_record(
            actor=cast.actor(cast.officer),
            incident_id=incident.pk,
            data=DashInput(
                answers={n: "yes" if n <= 14 else "no" for n in range(1, 28)}, grade="high"
            ),
            now=at,
        )
        triage_claim(actor=cast.actor(cast.triage), incident_id=incident.pk, now=at + H)
        triage_complete(
            actor=cast.actor(cast.triage),
            incident_id=incident.pk,
            version=type(incident).objects.get(pk=incident.pk).version,
            grade="high",
            notes="Strangulation disclosed; MARAC referral made",
            now=at + 2 * H,
        )
    _checked(writes, "risk_grade", "status")
