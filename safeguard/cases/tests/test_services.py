"""Case services and selectors against the database: create, the lifecycle, record-keeping,
who sees what, audit and timeline on every write, and the case list's filters and pages.

Each refusal of bad input is checked to save nothing: the counts of the tables it could have
touched, the audit log and the timeline are the same before and after."""

import base64
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.accounts.services import actor_for
from safeguard.cases.models import (
    Action,
    Allocation,
    Case,
    Decision,
    Involvement,
    Note,
    ReferenceCounter,
    VoiceOfChild,
)
from safeguard.cases.rules.record_keeping import (
    RATIONALE_REQUIRED,
    SEEN_BEFORE_REFERRAL,
    VoiceInput,
)
from safeguard.cases.selectors import (
    CaseFilters,
    case_find_by_reference,
    case_get,
    case_list_visible_to,
    case_timeline,
    child_chronology,
)
from safeguard.cases.services import (
    ALREADY_SUPERSEDED,
    SUBJECT_REQUIRED,
    UNIT_NOT_YOURS,
    action_add,
    action_complete,
    case_add_person,
    case_create,
    case_request_closure,
    case_start_investigation,
    case_triage,
    case_update,
    decision_record,
    note_add,
    voice_record,
)
from safeguard.cases.tests.builders import (
    NOW,
    RECEIVED,
    TRIAGED_AS,
    a_case,
    a_person,
    allocated,
    audit_count,
    awaiting_closure,
    case_input,
    counts,
    heard,
    investigating,
    make_cast,
)
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.supervision.models import Review
from safeguard.supervision.services import closure_approve

pytestmark = pytest.mark.django_db

CASE_TABLES = (Case, Involvement, ReferenceCounter, Decision, Note, Action, VoiceOfChild)


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def officer(cast):
    return cast.actor(cast.officer)


@pytest.fixture
def child(officer):
    return a_person(officer)


@pytest.fixture
def case(officer, unit, child):
    return a_case(officer, unit, child)


def unchanged(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.subjects_seen_at, fresh.updated_at)


# --- creating a case -------------------------------------------------------------------------


def test_a_case_gets_a_sequential_reference_per_year(officer, unit, child):
    first = a_case(officer, unit, child)
    second = a_case(officer, unit, child)
    last_year = a_case(officer, unit, child, received_at=RECEIVED.replace(year=2025))
    assert re.fullmatch(r"CP-\d{4}-\d{6}", first.reference)
    assert (first.reference, second.reference) == ("CP-2026-000001", "CP-2026-000002")
    assert last_year.reference == "CP-2025-000001"
    assert case_find_by_reference(actor=officer, reference=" cp-2026-000002 ").pk == second.pk


def test_each_force_numbers_its_own_cases(cast, officer, unit, child):
    foreign = cast.actor(cast.foreign_supervisor)
    mine = a_case(officer, unit, child)
    theirs = a_case(foreign, cast.foreign_supervisor.units.get(), a_person(foreign))
    assert mine.reference == theirs.reference == "CP-2026-000001"


def test_creating_a_case_records_who_what_and_when(officer, unit, child, cast):
    case = a_case(officer, unit, child)
    assert (case.status, case.owner_id, case.created_by_id) == ("received", *[cast.officer.pk] * 2)
    assert (case.received_at, case.created_at, case.version) == (RECEIVED, NOW, 1)
    assert list(case.involvements.values_list("person_id", "role")) == [(child.pk, "subject")]
    entry = AuditEntry.objects.get(object_type="case", object_id=str(case.pk))
    assert entry.action == "create"
    [event] = TimelineEvent.objects.filter(case_id=case.pk)
    assert (event.kind, event.at) == (
        "case.received",
        RECEIVED,
    )  # when it happened, not when it was typed
    assert event.description.startswith("Risk graded medium: ")


@pytest.mark.parametrize("role", ["sibling", "parent_carer", "reporter"])
def test_a_case_needs_a_subject_child_and_saves_nothing_without_one(officer, unit, child, role):
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        case_create(actor=officer, data=case_input(unit, (child.pk, role)), now=NOW)
    assert refused.value.fields == {"people": SUBJECT_REQUIRED}
    assert counts(*CASE_TABLES) == before


def test_a_case_with_nobody_in_it_is_refused(officer, unit):
    with pytest.raises(DomainError) as refused:
        case_create(actor=officer, data=case_input(unit), now=NOW)
    assert refused.value.fields == {"people": SUBJECT_REQUIRED}


def test_the_unit_must_be_one_of_the_actors_force(cast, officer, foreign_unit, child):
    before = counts(*CASE_TABLES)
    for wrong in (foreign_unit.pk, 999_999):
        data = case_input(cast.unit, (child.pk, "subject"), unit_id=wrong)
        with pytest.raises(DomainError) as refused:
            case_create(actor=officer, data=data, now=NOW)
        assert refused.value.fields == {"unit": UNIT_NOT_YOURS}
    assert counts(*CASE_TABLES) == before


def test_a_referral_can_be_sent_to_another_unit_of_the_force(cast, officer, other_unit, child):
    """Recording reaches every unit of the force (permissions.py); the recorder owns the case
    until it is allocated, and the receiving unit's supervisor sees it, not the recorder's."""
    case = case_create(actor=officer, data=case_input(other_unit, (child.pk, "subject")), now=NOW)
    assert (case.unit_id, case.owner_id) == (other_unit.pk, cast.officer.pk)
    assert case_get(actor=officer, case_id=case.pk)
    assert case_get(actor=cast.actor(cast.other_unit_supervisor), case_id=case.pk)
    with pytest.raises(NotFound):
        case_get(actor=cast.actor(cast.supervisor), case_id=case.pk)


def test_another_forces_child_cannot_be_put_in_a_case(cast, officer, unit):
    theirs = a_person(cast.actor(cast.foreign_supervisor), "Kai", "Morgan")
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        case_create(actor=officer, data=case_input(unit, (theirs.pk, "subject")), now=NOW)
    assert set(refused.value.fields) == {"people"}
    assert counts(*CASE_TABLES) == before


def test_a_referral_in_the_future_or_without_choices_is_refused(officer, unit, child):
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        case_create(
            actor=officer,
            data=case_input(
                unit,
                (child.pk, "subject"),
                received_at=NOW + timedelta(minutes=5),
                case_type="burglary",
                source="",
                risk_grade="extreme",
                risk_rationale=" ",
            ),
            now=NOW,
        )
    assert set(refused.value.fields) == {
        "received_at",
        "case_type",
        "source",
        "risk_grade",
        "risk_rationale",
    }
    assert counts(*CASE_TABLES) == before


def test_an_auditor_cannot_record_a_case(make_user, unit, child):
    auditor = actor_for(make_user("auditor"))
    with pytest.raises(PermissionDenied):
        case_create(actor=auditor, data=case_input(unit, (child.pk, "subject")), now=NOW)


# --- who sees a case -------------------------------------------------------------------------


def test_an_officer_sees_only_the_cases_they_own(cast, case):
    assert case_get(actor=cast.actor(cast.officer), case_id=case.pk).pk == case.pk
    with pytest.raises(NotFound):
        case_get(actor=cast.actor(cast.officer_2), case_id=case.pk)
    with pytest.raises(NotFound):
        note_add(actor=cast.actor(cast.officer_2), case_id=case.pk, text="Hello", now=NOW)


def test_the_units_supervisor_and_investigator_see_it_and_others_do_not(cast, case):
    for user in (cast.supervisor, cast.supervisor_2, cast.investigator):
        assert case_get(actor=cast.actor(user), case_id=case.pk).pk == case.pk
    for user in (cast.other_unit_supervisor, cast.foreign_supervisor):
        with pytest.raises(NotFound):
            case_get(actor=cast.actor(user), case_id=case.pk)
    with pytest.raises(PermissionDenied):
        case_get(actor=cast.actor(cast.admin), case_id=case.pk)


def test_another_forces_supervisor_can_neither_see_nor_find_nor_work_it(cast, case):
    foreign = cast.actor(cast.foreign_supervisor)
    with pytest.raises(NotFound):
        case_get(actor=foreign, case_id=case.pk)
    assert case_find_by_reference(actor=foreign, reference=case.reference) is None
    assert case_list_visible_to(actor=foreign, filters=CaseFilters(), now=NOW).items == []
    with pytest.raises(NotFound):
        decision_record(
            actor=foreign, case_id=case.pk, decision="Close", rationale="Mine now", now=NOW
        )


def test_an_officer_sees_a_case_allocated_to_them_and_not_one_taken_away(cast, case):
    allocated(cast, case, to=cast.officer_2)
    assert case_get(actor=cast.actor(cast.officer_2), case_id=case.pk)
    with pytest.raises(NotFound):
        case_get(actor=cast.actor(cast.officer), case_id=case.pk)


def test_reading_a_case_is_audited(cast, case):
    before = audit_count("case", case.pk)
    case_get(actor=cast.actor(cast.supervisor), case_id=case.pk)
    assert audit_count("case", case.pk) == before + 1
    assert AuditEntry.objects.last().action == "view"


# --- the lifecycle ---------------------------------------------------------------------------


def test_an_illegal_transition_names_the_allowed_ones_and_saves_nothing(officer, case):
    triaged = case_triage(
        **TRIAGED_AS, actor=officer, case_id=case.pk, version=case.version, now=NOW
    )
    before, state = counts(*CASE_TABLES), unchanged(case)
    with pytest.raises(DomainError) as refused:
        case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=triaged.version, now=NOW)
    error = refused.value
    assert error.code == "illegal_transition"
    assert error.fields == {"allowed": ["allocate"], "status": "triaged"}
    assert "Allowed from here: allocate." in error.message
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)


def test_starting_an_investigation_before_allocation_is_illegal(officer, case):
    with pytest.raises(DomainError) as refused:
        case_start_investigation(actor=officer, case_id=case.pk, version=case.version, now=NOW)
    assert refused.value.code == "illegal_transition"
    assert refused.value.fields["allowed"] == ["triage"]


def test_a_stale_transition_or_edit_is_a_conflict_and_changes_nothing(officer, case):
    stale = case.version
    case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=stale, now=NOW)
    before, state = counts(*CASE_TABLES), unchanged(case)
    # A stale page is refused before any guard: the user must see the latest first.
    with pytest.raises(Conflict) as refused:
        case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=stale, now=NOW)
    assert refused.value.fields == {"current_version": stale + 1}
    with pytest.raises(Conflict):
        case_update(
            actor=officer, case_id=case.pk, version=stale, changes={"summary": "Stale"}, now=NOW
        )
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)
    assert Case.objects.get(pk=case.pk).summary == case.summary


def test_the_lifecycle_moves_are_audited_and_on_the_timeline(cast, case, child):
    case = investigating(cast, case)
    assert case.status == "investigating"
    kinds = list(
        TimelineEvent.objects.filter(case_id=case.pk).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["case.received", "case.triage", "case.allocate", "case.start_investigation"]
    reasons = list(
        AuditEntry.objects.filter(object_type="case", object_id=str(case.pk), action="update")
        .order_by("seq")
        .values_list("reason_code", flat=True)
    )
    assert reasons == ["triage", "allocate", "start_investigation"]


def test_requesting_closure_without_the_voice_of_the_child_is_refused(cast, case, child):
    case = investigating(cast, case)
    investigator = cast.actor(cast.investigator)
    before, state = counts(*CASE_TABLES), unchanged(case)
    with pytest.raises(DomainError) as refused:
        case_request_closure(
            actor=investigator, case_id=case.pk, version=case.version, reason="Done", now=NOW
        )
    assert refused.value.code == "voice_required"
    assert refused.value.fields == {
        "voice": f"Record the voice of the child for {child.full_name} before closure"
    }
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)

    voice_record(actor=investigator, case_id=case.pk, child_id=child.pk, voice=heard(), now=NOW)
    case.refresh_from_db()
    closed = case_request_closure(
        actor=investigator, case_id=case.pk, version=case.version, reason="Done", now=NOW
    )
    assert closed.status == "awaiting_closure"


def test_the_voice_of_every_subject_child_is_needed(cast, case, child, officer):
    sister = a_person(officer, "Grace", "Hughes")
    case_add_person(actor=officer, case_id=case.pk, person_id=sister.pk, role="subject", now=NOW)
    case = investigating(cast, case)
    investigator = cast.actor(cast.investigator)
    voice_record(actor=investigator, case_id=case.pk, child_id=child.pk, voice=heard(), now=NOW)
    case.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        case_request_closure(
            actor=investigator, case_id=case.pk, version=case.version, reason="", now=NOW
        )
    assert "Grace Hughes" in refused.value.fields["voice"]


def test_a_closed_case_cannot_be_worked(cast, case, child):
    case = awaiting_closure(cast, case, child)
    closure_approve(
        actor=cast.actor(cast.supervisor_2),
        case_id=case.pk,
        version=case.version,
        findings="Safety plan agreed with social care",
        direction="",
        now=NOW,
    )
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        note_add(actor=cast.actor(cast.investigator), case_id=case.pk, text="Late note", now=NOW)
    assert refused.value.code == "case_closed"
    assert counts(*CASE_TABLES) == before


# --- record-keeping --------------------------------------------------------------------------


@pytest.mark.parametrize("rationale", ["", "   "])
def test_a_decision_without_a_rationale_is_refused_and_saves_nothing(officer, case, rationale):
    before, state = counts(*CASE_TABLES), unchanged(case)
    audit_before = audit_count("case", case.pk)
    with pytest.raises(DomainError) as refused:
        decision_record(
            actor=officer,
            case_id=case.pk,
            decision="No further action",
            rationale=rationale,
            now=NOW,
        )
    assert refused.value.fields == {"rationale": RATIONALE_REQUIRED}
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)
    assert audit_count("case", case.pk) == audit_before


def test_a_decision_is_recorded_with_who_and_when(cast, officer, case):
    entry = decision_record(
        actor=officer,
        case_id=case.pk,
        decision=" Strategy discussion with social care ",
        rationale="Disclosure of physical harm",
        now=NOW,
    )
    assert (entry.decision, entry.decided_by_id, entry.decided_at) == (
        "Strategy discussion with social care",
        cast.officer.pk,
        NOW,
    )
    assert entry.supersedes_id is None
    event = TimelineEvent.objects.filter(case_id=case.pk).last()
    assert (event.kind, event.title) == ("case.decision", "Decision recorded")


def test_a_decision_is_superseded_once_and_never_edited(officer, case, other_unit):
    first = decision_record(
        actor=officer, case_id=case.pk, decision="NFA", rationale="No disclosure", now=NOW
    )
    later = NOW + timedelta(hours=2)
    second = decision_record(
        actor=officer,
        case_id=case.pk,
        decision="Section 47 enquiry",
        rationale="Child disclosed at school",
        supersedes_id=first.pk,
        now=later,
    )
    assert second.supersedes_id == first.pk
    first.refresh_from_db()
    assert (first.decision, first.rationale, first.decided_at) == ("NFA", "No disclosure", NOW)
    assert TimelineEvent.objects.filter(case_id=case.pk).last().title == "Decision superseded"

    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        decision_record(
            actor=officer,
            case_id=case.pk,
            decision="Strategy meeting",
            rationale="Another view",
            supersedes_id=first.pk,
            now=later,
        )
    assert refused.value.fields == {"supersedes": ALREADY_SUPERSEDED}
    assert counts(*CASE_TABLES) == before
    # The latest decision can itself be superseded.
    third = decision_record(
        actor=officer,
        case_id=case.pk,
        decision="Strategy meeting",
        rationale="Another view",
        supersedes_id=second.pk,
        now=later,
    )
    assert list(case.decisions.values_list("pk", flat=True)) == [third.pk, second.pk, first.pk]


def test_a_decision_cannot_supersede_one_on_another_case(officer, unit, case, child):
    elsewhere = a_case(officer, unit, child)
    theirs = decision_record(
        actor=officer, case_id=elsewhere.pk, decision="NFA", rationale="Because", now=NOW
    )
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        decision_record(
            actor=officer,
            case_id=case.pk,
            decision="X",
            rationale="Y",
            supersedes_id=theirs.pk,
            now=NOW,
        )
    assert set(refused.value.fields) == {"supersedes"}
    assert counts(*CASE_TABLES) == before


def test_a_child_first_seen_before_the_referral_is_refused_and_saves_nothing(officer, case, child):
    before, state = counts(*CASE_TABLES), unchanged(case)
    with pytest.raises(DomainError) as refused:
        voice_record(
            actor=officer,
            case_id=case.pk,
            child_id=child.pk,
            voice=heard(seen_at=RECEIVED - timedelta(minutes=1)),
            now=NOW,
        )
    assert refused.value.fields == {"seen_at": SEEN_BEFORE_REFERRAL}
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)


def test_the_earliest_time_a_subject_child_was_seen_is_kept(officer, case, child):
    later, earlier = RECEIVED + timedelta(days=1), RECEIVED + timedelta(hours=5)
    voice_record(actor=officer, case_id=case.pk, child_id=child.pk, voice=heard(later), now=NOW)
    assert Case.objects.get(pk=case.pk).subjects_seen_at == later
    voice_record(actor=officer, case_id=case.pk, child_id=child.pk, voice=heard(earlier), now=NOW)
    assert Case.objects.get(pk=case.pk).subjects_seen_at == earlier
    voice_record(actor=officer, case_id=case.pk, child_id=child.pk, voice=heard(later), now=NOW)
    assert Case.objects.get(pk=case.pk).subjects_seen_at == earlier


def test_seeing_a_sibling_does_not_start_the_subjects_clock(officer, case):
    brother = a_person(officer, "Leo", "Hughes")
    case_add_person(actor=officer, case_id=case.pk, person_id=brother.pk, role="sibling", now=NOW)
    voice_record(actor=officer, case_id=case.pk, child_id=brother.pk, voice=heard(), now=NOW)
    assert Case.objects.get(pk=case.pk).subjects_seen_at is None


def test_the_voice_of_someone_not_in_the_case_or_an_adult_is_refused(officer, case):
    stranger = a_person(officer, "Leo", "Hughes")
    mother = a_person(officer, "Kerry", "Hughes", date(1990, 1, 5))
    case_add_person(
        actor=officer, case_id=case.pk, person_id=mother.pk, role="parent_carer", now=NOW
    )
    before = counts(*CASE_TABLES)
    for person in (stranger, mother):
        with pytest.raises(DomainError) as refused:
            voice_record(actor=officer, case_id=case.pk, child_id=person.pk, voice=heard(), now=NOW)
        assert set(refused.value.fields) == {"child"}
    assert counts(*CASE_TABLES) == before


def test_not_seen_needs_a_reason(officer, case, child):
    not_seen = VoiceInput(False, None, False, False, "", "", "")
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        voice_record(actor=officer, case_id=case.pk, child_id=child.pk, voice=not_seen, now=NOW)
    assert set(refused.value.fields) == {"not_seen_reason"}
    assert counts(*CASE_TABLES) == before


def test_an_action_due_in_the_past_or_for_a_stranger_is_refused(cast, officer, case):
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        action_add(
            actor=officer,
            case_id=case.pk,
            title="Visit school",
            owner_id=cast.foreign_supervisor.pk,
            due_on=NOW.date() - timedelta(days=1),
            now=NOW,
        )
    assert set(refused.value.fields) == {"due_on", "owner"}
    assert counts(*CASE_TABLES) == before


def test_an_action_is_completed_once(cast, officer, case):
    action = action_add(
        actor=officer,
        case_id=case.pk,
        title="Visit school",
        owner_id=cast.officer.pk,
        due_on=NOW.date(),
        now=NOW,
    )
    done = action_complete(
        actor=officer, case_id=case.pk, action_id=action.pk, version=action.version, now=NOW
    )
    assert done.completed_at == NOW
    with pytest.raises(DomainError) as refused:
        action_complete(
            actor=officer, case_id=case.pk, action_id=action.pk, version=done.version, now=NOW
        )
    assert refused.value.code == "action_done"


def test_a_new_risk_grade_needs_a_new_rationale(officer, case):
    before, state = counts(*CASE_TABLES), unchanged(case)
    with pytest.raises(DomainError) as refused:
        case_update(
            actor=officer,
            case_id=case.pk,
            version=case.version,
            changes={"risk_grade": "high"},
            now=NOW,
        )
    assert set(refused.value.fields) == {"risk_rationale"}
    assert (counts(*CASE_TABLES), unchanged(case)) == (before, state)
    regraded = case_update(
        actor=officer,
        case_id=case.pk,
        version=case.version,
        changes={"risk_grade": "high", "risk_rationale": "Suspect now living at the address"},
        now=NOW,
    )
    assert (regraded.risk_grade, regraded.version) == ("high", 2)
    assert TimelineEvent.objects.filter(case_id=case.pk).last().kind == "case.regraded"


# --- every write is audited and on the timeline ----------------------------------------------


def _write(name, cast, officer, case, child):
    if name == "case_update":
        return case_update(
            actor=officer,
            case_id=case.pk,
            version=case.version,
            changes={"summary": "New"},
            now=NOW,
        )
    if name == "case_add_person":
        other = a_person(officer, "Leo", "Hughes")
        return case_add_person(
            actor=officer, case_id=case.pk, person_id=other.pk, role="sibling", now=NOW
        )
    if name == "case_triage":
        return case_triage(
            **TRIAGED_AS, actor=officer, case_id=case.pk, version=case.version, now=NOW
        )
    if name == "note_add":
        return note_add(actor=officer, case_id=case.pk, text="Spoke to school", now=NOW)
    if name == "action_add":
        return action_add(
            actor=officer,
            case_id=case.pk,
            title="Visit",
            owner_id=cast.officer.pk,
            due_on=NOW.date(),
            now=NOW,
        )
    if name == "action_complete":
        action = Action.objects.create(
            force_id=case.force_id,
            case=case,
            title="Visit",
            owner=cast.officer,
            due_on=NOW.date(),
            created_by=cast.officer,
            created_at=NOW,
        )
        return action_complete(
            actor=officer, case_id=case.pk, action_id=action.pk, version=action.version, now=NOW
        )
    if name == "decision_record":
        return decision_record(actor=officer, case_id=case.pk, decision="D", rationale="R", now=NOW)
    if name == "voice_record":
        return voice_record(
            actor=officer, case_id=case.pk, child_id=child.pk, voice=heard(), now=NOW
        )
    raise AssertionError(name)


@pytest.mark.parametrize(
    "write",
    [
        "case_update",
        "case_add_person",
        "case_triage",
        "note_add",
        "action_add",
        "action_complete",
        "decision_record",
        "voice_record",
    ],
)
def test_every_write_adds_an_audit_entry_and_a_timeline_event(cast, officer, case, child, write):
    audited = audit_count("case", case.pk)
    events = TimelineEvent.objects.filter(case_id=case.pk).count()
    _write(write, cast, officer, case, child)
    assert audit_count("case", case.pk) == audited + 1
    entry = AuditEntry.objects.filter(object_type="case", object_id=str(case.pk)).last()
    assert (entry.action, entry.actor_user_id, entry.force_id) == (
        "update",
        cast.officer.pk,
        case.force_id,
    )
    assert TimelineEvent.objects.filter(case_id=case.pk).count() == events + 1
    event = TimelineEvent.objects.filter(case_id=case.pk).last()
    assert (event.at, event.actor_username, event.force_id) == (
        NOW,
        cast.officer.username,
        case.force_id,
    )


def test_the_case_timeline_is_newest_first_and_paged(officer, case):
    for hour in range(1, 6):
        note_add(
            actor=officer, case_id=case.pk, text=f"Note {hour}", now=NOW + timedelta(hours=hour)
        )
    first = case_timeline(case=case, size=4)
    rest = case_timeline(case=case, size=4, after=first.next_cursor)
    events = first.items + rest.items
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert len({e.pk for e in events}) == 6
    assert rest.next_cursor is None


# --- the case list ---------------------------------------------------------------------------


@pytest.fixture
def caseload(cast, officer, unit, other_unit, child):
    """Twenty-three cases of the unit: two received at the same moment, several types, grades,
    statuses and owners; one of another unit the supervisor may not see."""
    cases = []
    for n in range(23):
        received = RECEIVED - timedelta(days=n // 2 * 3, hours=n % 2 * 0)  # pairs share a time
        cases.append(
            a_case(
                officer,
                unit,
                child,
                received_at=received,
                case_type=["abuse_neglect", "missing", "online_cse"][n % 3],
                risk_grade=["high", "medium", "standard", "medium"][n % 4],
            )
        )
    for case in cases[:4]:
        case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=case.version, now=NOW)
    allocated(cast, cases[4], to=cast.officer_2, now=NOW - timedelta(days=3))  # review overdue
    allocated(cast, cases[5], to=cast.investigator, now=NOW)  # review due tomorrow
    action_add(
        actor=officer,
        case_id=cases[6].pk,
        title="Visit",
        owner_id=cast.officer.pk,
        due_on=NOW.date() - timedelta(days=1),
        now=NOW - timedelta(days=2),
    )
    outsider = cast.other_unit_supervisor
    other = a_case(actor_for(outsider), other_unit, child)
    return {"cases": [Case.objects.get(pk=c.pk) for c in cases], "other_unit": other}


def walk(actor, filters, size=5):
    """Every page of a list, following next_cursor to the end."""
    pages, after = [], None
    while True:
        page = case_list_visible_to(actor=actor, filters=filters, now=NOW, after=after, size=size)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        after = page.next_cursor
        assert len(pages) < 50, "the cursor does not advance"


EXPECTED_ORDER = {
    "newest": lambda c: (-c.received_at.timestamp(), -c.pk),
    "oldest": lambda c: (c.received_at.timestamp(), c.pk),
    "reference": lambda c: c.reference,
    "risk": lambda c: (c.risk_grade, -c.received_at.timestamp(), -c.pk),
}


@pytest.mark.parametrize("sort", ["newest", "oldest", "reference", "risk"])
def test_walking_every_page_gives_every_case_once_in_order(cast, caseload, sort):
    supervisor = cast.actor(cast.supervisor)
    expected = [c.pk for c in sorted(caseload["cases"], key=EXPECTED_ORDER[sort])]
    for size in (1, 5, 22, 23, 50):  # 23 fits one page exactly: no link to an empty page
        pages = walk(supervisor, CaseFilters(sort=sort), size=size)
        ids = [c.pk for page in pages for c in page.items]
        assert ids == expected, size
        assert len(ids) == len(set(ids)) == 23
        assert caseload["other_unit"].pk not in ids
        assert [p.is_first for p in pages] == [True] + [False] * (len(pages) - 1)
        assert all(len(p.items) == size for p in pages[:-1])
        assert len(pages) == -(-23 // size)


def test_an_unknown_sort_falls_back_to_newest(cast, caseload):
    supervisor = cast.actor(cast.supervisor)
    page = case_list_visible_to(actor=supervisor, filters=CaseFilters(sort="nonsense"), now=NOW)
    newest = sorted(caseload["cases"], key=EXPECTED_ORDER["newest"])
    assert [c.pk for c in page.items] == [c.pk for c in newest[:25]]


def _all(actor, **filters):
    return {c.pk for page in walk(actor, CaseFilters(**filters), size=10) for c in page.items}


def test_filters(cast, caseload, unit, other_unit):
    cases = caseload["cases"]
    supervisor = cast.actor(cast.supervisor)
    assert _all(supervisor, case_type="missing") == {
        c.pk for c in cases if c.case_type == "missing"
    }
    assert _all(supervisor, risk_grade="high") == {c.pk for c in cases if c.risk_grade == "high"}
    assert _all(supervisor, status="triaged") == {c.pk for c in cases[:4]}
    assert _all(supervisor, status="allocated") == {cases[4].pk, cases[5].pk}
    assert _all(supervisor, status="closed") == set()
    assert _all(supervisor, unit_id=unit.pk) == {c.pk for c in cases}
    assert _all(supervisor, unit_id=other_unit.pk) == set()  # not theirs to see
    assert _all(supervisor, owner_id=cast.officer_2.pk) == {cases[4].pk}
    assert _all(supervisor, owner_id=cast.officer.pk) == {c.pk for c in cases} - {
        cases[4].pk,
        cases[5].pk,
    }
    # Overdue: a review past due, or an open action past its date.
    assert _all(supervisor, overdue=True) == {cases[4].pk, cases[6].pk}
    assert _all(supervisor, overdue=True, risk_grade="high") == {cases[4].pk} & {
        c.pk for c in cases if c.risk_grade == "high"
    }
    combined = _all(supervisor, case_type="abuse_neglect", risk_grade="medium", sort="risk")
    assert combined == {
        c.pk for c in cases if c.case_type == "abuse_neglect" and c.risk_grade == "medium"
    }


def test_an_officer_lists_only_their_own_cases(cast, caseload):
    assert _all(cast.actor(cast.officer_2)) == {caseload["cases"][4].pk}
    outsider = cast.actor(cast.other_unit_supervisor)
    assert _all(outsider) == {caseload["other_unit"].pk}


def test_listing_is_audited(cast, caseload):
    before = AuditEntry.objects.count()
    case_list_visible_to(actor=cast.actor(cast.supervisor), filters=CaseFilters(), now=NOW)
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.last().object_id == "list"


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "%%%",
        "eyJub3QiOiAiYSBsaXN0In0",  # {"not": "a list"}
        _cursor([1]),  # the wrong width
        _cursor([None, 1]),
        _cursor([[1], 2]),
        _cursor(["not a date", 5]),
        _cursor(["2026-03-01T00:00:00+00:00", "five"]),
        _cursor(["2026-03-01T00:00:00+00:00", 1.5e400]),
    ],
)
def test_a_garbage_cursor_is_refused_clearly(cast, case, cursor):
    with pytest.raises(DomainError) as refused:
        case_list_visible_to(
            actor=cast.actor(cast.supervisor), filters=CaseFilters(), now=NOW, after=cursor
        )
    assert refused.value.code == "invalid_cursor"
    assert "after" in refused.value.fields


def test_a_cursor_from_another_sort_is_refused(cast, caseload):
    supervisor = cast.actor(cast.supervisor)
    by_reference = case_list_visible_to(
        actor=supervisor, filters=CaseFilters(sort="reference"), now=NOW, size=5
    )
    with pytest.raises(DomainError) as refused:
        case_list_visible_to(
            actor=supervisor,
            filters=CaseFilters(sort="newest"),
            now=NOW,
            after=by_reference.next_cursor,
        )
    assert refused.value.code == "invalid_cursor"


def test_reviews_are_not_case_tables(case):
    """Guard for the counts above: reviews live in supervision and are counted there."""
    assert Review.objects.filter(case=case).count() == 0
    assert Allocation.objects.filter(case=case).count() == 0


def test_due_dates_are_days_in_london_not_in_utc(cast, officer, case):
    """At 00:30 on 11 July in London (23:30 on the 10th in UTC), 10 July is yesterday: an
    action due then cannot be set, and one already due then is overdue."""
    just_after_midnight = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)
    before = counts(*CASE_TABLES)
    with pytest.raises(DomainError) as refused:
        action_add(
            actor=officer,
            case_id=case.pk,
            title="Visit",
            owner_id=cast.officer.pk,
            due_on=date(2026, 7, 10),
            now=just_after_midnight,
        )
    assert set(refused.value.fields) == {"due_on"}
    assert counts(*CASE_TABLES) == before
    action_add(
        actor=officer,
        case_id=case.pk,
        title="Visit",
        owner_id=cast.officer.pk,
        due_on=date(2026, 7, 10),
        now=just_after_midnight - timedelta(hours=2),
    )
    overdue = case_list_visible_to(
        actor=officer, filters=CaseFilters(overdue=True), now=just_after_midnight
    )
    assert [c.pk for c in overdue.items] == [case.pk]


def test_newborn_twins_with_one_name_each_need_their_own_voice_record(cast, officer, unit):
    """Unnamed newborns are often recorded alike ('Baby Hughes'): hearing one twin must not
    count for the other."""
    twin_1 = a_person(officer, "Baby", "Hughes", date(2026, 3, 1))
    twin_2 = a_person(officer, "Baby", "Hughes", date(2026, 3, 1))
    case = case_create(
        actor=officer,
        data=case_input(unit, (twin_1.pk, "subject"), (twin_2.pk, "subject")),
        now=NOW,
    )
    case = investigating(cast, case)
    investigator = cast.actor(cast.investigator)
    not_seen = VoiceInput(False, None, False, False, "", "", "Newborn on the neonatal unit")
    voice_record(actor=investigator, case_id=case.pk, child_id=twin_1.pk, voice=not_seen, now=NOW)
    case.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        case_request_closure(
            actor=investigator, case_id=case.pk, version=case.version, reason="", now=NOW
        )
    assert refused.value.code == "voice_required"
    assert "Baby Hughes" in refused.value.fields["voice"]
    voice_record(actor=investigator, case_id=case.pk, child_id=twin_2.pk, voice=not_seen, now=NOW)
    case.refresh_from_db()
    assert (
        case_request_closure(
            actor=investigator, case_id=case.pk, version=case.version, reason="", now=NOW
        ).status
        == "awaiting_closure"
    )


@pytest.mark.parametrize("cursor", ["garbage!", _cursor(["yesterday", 3]), _cursor([1, 2, 3])])
def test_a_garbage_timeline_or_chronology_cursor_is_refused_clearly(officer, case, child, cursor):
    with pytest.raises(DomainError) as refused:
        case_timeline(case=case, after=cursor)
    assert refused.value.code == "invalid_cursor"
    with pytest.raises(DomainError) as refused:
        child_chronology(actor=officer, person_id=child.pk, after=cursor)
    assert refused.value.code == "invalid_cursor"
