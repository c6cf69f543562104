"""Supervision services against the database: allocation and review clocks, closure approval
by an independent supervisor only, return for work and reopening with a reason, and the
force's review policy."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safeguard.cases.models import Allocation, Case, Involvement, VoiceOfChild
from safeguard.cases.rules.record_keeping import OWN_CASE
from safeguard.cases.services import (
    case_add_person,
    case_request_closure,
    case_start_investigation,
    case_triage,
    voice_record,
)
from safeguard.cases.tests.builders import (
    NOW,
    TRIAGED_AS,
    a_case,
    a_person,
    allocated,
    audit_count,
    awaiting_closure,
    counts,
    heard,
    investigating,
    make_cast,
)
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.supervision.models import Review, ReviewPolicySetting
from safeguard.supervision.selectors import policy_for
from safeguard.supervision.services import (
    NEXT_REVIEW_PAST,
    PolicyInput,
    case_allocate,
    case_reopen,
    case_return_for_work,
    closure_approve,
    policy_update,
    review_due_at,
    review_overdue_by,
    review_record,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TABLES = (Case, Allocation, Review, Involvement, VoiceOfChild, ReviewPolicySetting)


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def officer(cast):
    return cast.actor(cast.officer)


@pytest.fixture
def supervisor(cast):
    return cast.actor(cast.supervisor)


@pytest.fixture
def child(officer):
    return a_person(officer)


@pytest.fixture
def case(officer, unit, child):
    return a_case(officer, unit, child)


def state(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.owner_id, fresh.next_review_due_at, fresh.closed_at)


def review(actor, case, *, now=NOW + timedelta(hours=2), next_review_on=None, findings="Good"):
    return review_record(
        actor=actor,
        case_id=case.pk,
        findings=findings,
        direction="Visit the school this week",
        next_review_on=next_review_on,
        now=now,
    )


# --- allocation ------------------------------------------------------------------------------


def test_allocation_sets_the_owner_and_the_first_review_due(cast, case):
    case = allocated(cast, case)
    assert (case.status, case.owner_id, case.allocated_at) == (
        "allocated",
        cast.investigator.pk,
        NOW,
    )
    assert case.next_review_due_at == NOW + timedelta(hours=24)
    allocation = Allocation.objects.get(case=case)
    assert (allocation.allocated_to_id, allocation.allocated_by_id, allocation.allocated_at) == (
        cast.investigator.pk,
        cast.supervisor.pk,
        NOW,
    )
    event = TimelineEvent.objects.filter(case_id=case.pk).last()
    assert event.kind == "case.allocate"
    assert cast.investigator.last_name in event.description


def test_allocation_follows_the_forces_policy(cast, case):
    admin = cast.actor(cast.admin)
    policy_update(
        actor=admin,
        version=policy_for(admin.force_id).version,
        data=PolicyInput(initial_review_hours=4, periodic_review_days=14),
        now=NOW,
    )
    case = allocated(cast, case, now=NOW + timedelta(hours=1))
    assert case.next_review_due_at == NOW + timedelta(hours=5)


def test_only_a_supervisor_allocates(cast, case, officer):
    case = Case.objects.get(pk=case.pk)
    for user in (cast.officer, cast.investigator):
        with pytest.raises(PermissionDenied):
            case_allocate(
                actor=cast.actor(user),
                case_id=case.pk,
                version=case.version,
                owner_id=cast.investigator.pk,
                now=NOW,
            )


@pytest.mark.parametrize("who", ["foreign_supervisor", "admin", "unknown"])
def test_a_case_is_allocated_only_to_a_colleague_who_can_work_it(cast, case, officer, who):
    case = case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=case.version, now=NOW)
    owner_id = 999_999 if who == "unknown" else getattr(cast, who).pk
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        case_allocate(
            actor=cast.actor(cast.supervisor),
            case_id=case.pk,
            version=case.version,
            owner_id=owner_id,
            now=NOW,
        )
    assert set(refused.value.fields) == {"owner"}
    assert (counts(*TABLES), state(case)) == (before, was)


def test_another_units_or_forces_supervisor_cannot_allocate(cast, case):
    for user in (cast.other_unit_supervisor, cast.foreign_supervisor):
        with pytest.raises(NotFound):
            case_allocate(
                actor=cast.actor(user),
                case_id=case.pk,
                version=case.version,
                owner_id=user.pk,
                now=NOW,
            )


def test_allocating_an_unallocated_received_case_is_illegal(cast, case):
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        case_allocate(
            actor=cast.actor(cast.supervisor),
            case_id=case.pk,
            version=case.version,
            owner_id=cast.investigator.pk,
            now=NOW,
        )
    assert refused.value.code == "illegal_transition"
    assert refused.value.fields["allowed"] == ["triage"]
    assert (counts(*TABLES), state(case)) == (before, was)


def test_reallocation_keeps_the_status_and_restarts_the_first_review_clock(cast, case, supervisor):
    """Re-allocating an investigation under way hands it over as it stands: still
    investigating, not sent back to 'allocated' (issue 12, section 5)."""
    case = investigating(cast, case)
    before_owner = Case.objects.get(pk=case.pk).owner
    review(supervisor, case)
    later = NOW + timedelta(days=3)
    case = case_allocate(
        actor=supervisor,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        owner_id=cast.officer_2.pk,
        now=later,
    )
    assert (case.status, case.owner_id) == ("investigating", cast.officer_2.pk)
    assert Case.objects.get(pk=case.pk).status == "investigating"
    assert case.next_review_due_at == later + timedelta(hours=24)
    assert Allocation.objects.filter(case=case).count() == 2
    event = TimelineEvent.objects.filter(case_id=case.pk, kind="case.reallocate").get()
    owner = cast.officer_2.get_full_name()
    assert event.title == f"Re-allocated to {owner}: still investigating"
    assert event.description == f"Re-allocated from {before_owner.get_full_name()} to {owner}"


def test_reallocating_an_allocated_case_keeps_it_allocated(cast, case, supervisor):
    case = allocated(cast, case)
    case = case_allocate(
        actor=supervisor,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        owner_id=cast.officer_2.pk,
        now=NOW + timedelta(hours=1),
    )
    assert (case.status, case.owner_id) == ("allocated", cast.officer_2.pk)


# --- reviews ---------------------------------------------------------------------------------


def test_a_review_sets_the_next_one_the_periodic_interval_later(cast, case, supervisor):
    case = allocated(cast, case)
    audited = audit_count("case", case.pk)
    reviewed_at = NOW + timedelta(hours=2)
    first = review(supervisor, case, now=reviewed_at)
    assert first.kind == "allocation"
    assert Case.objects.get(pk=case.pk).next_review_due_at == reviewed_at + timedelta(days=28)
    second = review(supervisor, case, now=reviewed_at + timedelta(days=20))
    assert second.kind == "periodic"
    assert Case.objects.get(pk=case.pk).next_review_due_at == reviewed_at + timedelta(days=48)
    assert audit_count("case", case.pk) == audited + 2
    kinds = list(
        TimelineEvent.objects.filter(case_id=case.pk, kind="supervision.review")
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert kinds == ["Review at allocation", "Periodic review"]


def test_a_directed_review_date_sooner_than_the_interval_wins(cast, case, supervisor):
    case = allocated(cast, case)
    review(supervisor, case, next_review_on=date(2026, 3, 20))
    due = Case.objects.get(pk=case.pk).next_review_due_at
    assert due == datetime(2026, 3, 20, 23, 59, tzinfo=LONDON)


def test_a_directed_date_later_than_the_interval_does_not_delay_it(cast, case, supervisor):
    case = allocated(cast, case)
    reviewed_at = NOW + timedelta(hours=2)
    review(supervisor, case, now=reviewed_at, next_review_on=date(2026, 6, 1))
    assert Case.objects.get(pk=case.pk).next_review_due_at == reviewed_at + timedelta(days=28)


def test_a_directed_date_in_summer_is_the_end_of_that_day_in_london(cast, case, supervisor):
    case = allocated(cast, case)
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)
    review(supervisor, case, now=summer, next_review_on=date(2026, 7, 3))
    due = Case.objects.get(pk=case.pk).next_review_due_at
    assert due == datetime(2026, 7, 3, 23, 59, tzinfo=LONDON)
    assert due.astimezone(ZoneInfo("UTC")).hour == 22


@pytest.mark.parametrize(
    ("findings", "next_review_on", "field"),
    [
        ("", None, "findings"),
        ("Fine", NOW.date(), "next_review_on"),
        ("Fine", NOW.date() - timedelta(days=1), "next_review_on"),
    ],
)
def test_a_bad_review_is_refused_and_saves_nothing(
    cast, case, supervisor, findings, next_review_on, field
):
    case = allocated(cast, case)
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        review(supervisor, case, findings=findings, next_review_on=next_review_on)
    assert field in refused.value.fields
    if field == "next_review_on":
        assert refused.value.fields[field] == NEXT_REVIEW_PAST
    assert (counts(*TABLES), state(case)) == (before, was)


def test_an_unallocated_case_is_not_reviewed(case, supervisor):
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        review(supervisor, case)
    assert refused.value.code == "not_allocated"
    assert (counts(*TABLES), state(case)) == (before, was)


def test_only_a_supervisor_reviews(cast, case):
    case = allocated(cast, case)
    with pytest.raises(PermissionDenied):
        review(cast.actor(cast.investigator), case)


def test_an_overdue_review_is_measured_from_the_stored_due_time(cast, case):
    case = allocated(cast, case)
    assert review_overdue_by(case, NOW + timedelta(hours=23)) is None
    assert review_overdue_by(case, NOW + timedelta(hours=24)) is None
    assert review_overdue_by(case, NOW + timedelta(hours=30)) == timedelta(hours=6)


def test_review_due_is_none_before_allocation(case):
    assert review_due_at(case) is None


# --- closure ---------------------------------------------------------------------------------


def approve(actor, case, *, now=NOW + timedelta(days=1)):
    return closure_approve(
        actor=actor,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        findings="Child seen and heard; safety plan agreed with social care",
        direction="",
        now=now,
    )


def test_an_independent_supervisor_closes_the_case_with_a_closure_review(cast, case, child):
    case = awaiting_closure(cast, case, child)
    audited = audit_count("case", case.pk)
    when = NOW + timedelta(days=1)
    closed = approve(cast.actor(cast.supervisor_2), case, now=when)
    assert (closed.status, closed.closed_at, closed.next_review_due_at) == ("closed", when, None)
    closure = Review.objects.get(case=case, kind="closure")
    assert (closure.reviewer_id, closure.reviewed_at, closure.direction) == (
        cast.supervisor_2.pk,
        when,
        "Close the case.",
    )
    reasons = list(
        AuditEntry.objects.filter(object_type="case", object_id=str(case.pk))
        .order_by("seq")
        .values_list("reason_code", flat=True)
    )[audited:]
    assert reasons == ["closure_review", "approve_closure"]
    kinds = list(
        TimelineEvent.objects.filter(case_id=case.pk).order_by("-id").values_list("kind", flat=True)
    )[:2]
    assert kinds == ["case.approve_closure", "supervision.closure_review"]
    assert review_due_at(closed) is None


def test_an_investigator_cannot_approve_closure(cast, case, child):
    case = awaiting_closure(cast, case, child)
    before, was = counts(*TABLES), state(case)
    with pytest.raises(PermissionDenied):
        approve(cast.actor(cast.investigator), case)
    assert (counts(*TABLES), state(case)) == (before, was)


def test_a_supervisor_cannot_approve_the_closure_of_a_case_they_investigated(cast, case, child):
    case = awaiting_closure(cast, case, child, to=cast.supervisor)
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        approve(cast.actor(cast.supervisor), case)
    assert refused.value.code == "closure_refused"
    assert refused.value.fields == {"approver": OWN_CASE}
    assert (counts(*TABLES), state(case)) == (before, was)
    assert approve(cast.actor(cast.supervisor_2), case).status == "closed"


def test_a_supervisor_who_once_held_the_case_still_cannot_approve_it(cast, case, child, supervisor):
    case = investigating(cast, case, to=cast.supervisor_2)
    case = case_allocate(
        actor=supervisor,
        case_id=case.pk,
        version=case.version,
        owner_id=cast.investigator.pk,
        now=NOW,
    )
    # Re-allocated while investigated, it stays under investigation for the new owner.
    assert case.status == "investigating"
    case = awaiting_closure_from_investigating(cast, case, child)
    with pytest.raises(DomainError) as refused:
        approve(cast.actor(cast.supervisor_2), case)
    assert refused.value.fields == {"approver": OWN_CASE}
    assert approve(supervisor, case).status == "closed"


def awaiting_closure_from_investigating(cast, case, child):
    investigator = cast.actor(cast.investigator)
    voice_record(actor=investigator, case_id=case.pk, child_id=child.pk, voice=heard(), now=NOW)
    return case_request_closure(
        actor=investigator,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        reason="",
        now=NOW,
    )


def test_closure_without_the_voice_of_every_child_is_refused(cast, case, child, officer):
    case = awaiting_closure(cast, case, child)
    sister = a_person(officer, "Grace", "Hughes")
    case_add_person(
        actor=cast.actor(cast.investigator),
        case_id=case.pk,
        person_id=sister.pk,
        role="subject",
        now=NOW,
    )
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        approve(cast.actor(cast.supervisor_2), case)
    assert refused.value.code == "closure_refused"
    assert "Grace Hughes" in refused.value.fields["voice"]
    assert (counts(*TABLES), state(case)) == (before, was)


def test_closure_is_approved_only_when_requested(cast, case, child):
    case = investigating(cast, case)
    voice_record(
        actor=cast.actor(cast.investigator),
        case_id=case.pk,
        child_id=child.pk,
        voice=heard(),
        now=NOW,
    )
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        approve(cast.actor(cast.supervisor_2), case)
    assert refused.value.code == "illegal_transition"
    assert refused.value.fields["allowed"] == ["reallocate", "request_closure"]
    assert (counts(*TABLES), state(case)) == (before, was)


def test_another_units_supervisor_cannot_approve(cast, case, child):
    case = awaiting_closure(cast, case, child)
    with pytest.raises(NotFound):
        approve(cast.actor(cast.other_unit_supervisor), case)
    with pytest.raises(NotFound):
        approve(cast.actor(cast.foreign_supervisor), case)


# --- return for work and reopen --------------------------------------------------------------


def test_returning_for_work_needs_a_reason(cast, case, child, supervisor):
    case = awaiting_closure(cast, case, child)
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        case_return_for_work(
            actor=supervisor, case_id=case.pk, version=case.version, reason=" ", now=NOW
        )
    assert set(refused.value.fields) == {"reason"}
    assert (counts(*TABLES), state(case)) == (before, was)
    returned = case_return_for_work(
        actor=supervisor,
        case_id=case.pk,
        version=case.version,
        reason="Speak to the school nurse first",
        now=NOW,
    )
    assert returned.status == "investigating"
    event = TimelineEvent.objects.filter(case_id=case.pk).last()
    assert (event.kind, event.description) == (
        "case.return_for_work",
        "Speak to the school nurse first",
    )


def test_reopening_needs_a_reason_and_restarts_the_review_clock(cast, case, child, supervisor):
    case = awaiting_closure(cast, case, child)
    closed = approve(cast.actor(cast.supervisor_2), case)
    before, was = counts(*TABLES), state(case)
    audited = audit_count("case", case.pk)
    with pytest.raises(DomainError) as refused:
        case_reopen(actor=supervisor, case_id=case.pk, version=closed.version, reason="", now=NOW)
    assert set(refused.value.fields) == {"reason"}
    assert (counts(*TABLES), state(case)) == (before, was)
    assert audit_count("case", case.pk) == audited

    later = NOW + timedelta(days=10)
    reopened = case_reopen(
        actor=supervisor,
        case_id=case.pk,
        version=closed.version,
        reason="New disclosure at school",
        now=later,
    )
    assert (reopened.status, reopened.closed_at, reopened.allocated_at) == (
        "investigating",
        None,
        later,
    )
    assert reopened.next_review_due_at == later + timedelta(hours=24)
    assert audit_count("case", case.pk) == audited + 1
    assert TimelineEvent.objects.filter(case_id=case.pk).last().kind == "case.reopen"


def test_only_a_supervisor_reopens(cast, case, child):
    case = awaiting_closure(cast, case, child)
    closed = approve(cast.actor(cast.supervisor_2), case)
    with pytest.raises(PermissionDenied):
        case_reopen(
            actor=cast.actor(cast.investigator),
            case_id=case.pk,
            version=closed.version,
            reason="Why not",
            now=NOW,
        )


# --- the force's review policy ---------------------------------------------------------------


def test_the_default_policy_is_a_day_then_28_days(cast):
    setting = policy_for(cast.officer.force_id)
    assert (setting.initial_review_hours, setting.periodic_review_days, setting.version) == (
        24,
        28,
        1,
    )


def test_an_admin_changes_the_policy_and_it_is_versioned_and_audited(cast):
    admin = cast.actor(cast.admin)
    setting = policy_update(
        actor=admin,
        version=policy_for(admin.force_id).version,
        data=PolicyInput(initial_review_hours=48, periodic_review_days=14),
        now=NOW,
    )
    assert (setting.initial_review_hours, setting.periodic_review_days) == (48, 14)
    assert (setting.version, setting.updated_at, setting.updated_by_id) == (2, NOW, cast.admin.pk)
    # One unit of work: audited as the force's supervision policy record, naming who set it.
    entry = AuditEntry.objects.filter(object_type="supervision_policy").last()
    assert (entry.object_id, entry.changed_fields) == (
        str(setting.pk),
        ["initial_review_hours", "periodic_review_days", "updated_by_id"],
    )
    with pytest.raises(Conflict):
        policy_update(
            actor=admin, version=1, data=PolicyInput(24, 28), now=NOW + timedelta(minutes=1)
        )
    assert policy_for(admin.force_id).initial_review_hours == 48


@pytest.mark.parametrize(
    ("hours", "days", "fields"),
    [
        (0, 28, {"initial_review_hours"}),
        (169, 28, {"initial_review_hours"}),
        (24, 0, {"periodic_review_days"}),
        (24, 91, {"periodic_review_days"}),
        (500, 500, {"initial_review_hours", "periodic_review_days"}),
    ],
)
def test_a_policy_out_of_range_is_refused_and_saves_nothing(cast, hours, days, fields):
    admin = cast.actor(cast.admin)
    version = policy_for(admin.force_id).version
    before = counts(*TABLES)
    with pytest.raises(DomainError) as refused:
        policy_update(actor=admin, version=version, data=PolicyInput(hours, days), now=NOW)
    assert set(refused.value.fields) == fields
    assert counts(*TABLES) == before
    setting = policy_for(admin.force_id)
    assert (setting.initial_review_hours, setting.periodic_review_days, setting.version) == (
        24,
        28,
        1,
    )


def test_only_a_force_admin_changes_the_policy(cast):
    for user in (cast.supervisor, cast.officer):
        with pytest.raises(PermissionDenied):
            policy_update(actor=cast.actor(user), version=1, data=PolicyInput(48, 14), now=NOW)


def test_one_forces_policy_does_not_touch_anothers(cast, case):
    admin = cast.actor(cast.admin)
    policy_update(actor=admin, version=1, data=PolicyInput(2, 7), now=NOW)
    foreign = policy_for(cast.foreign_supervisor.force_id)
    assert (foreign.initial_review_hours, foreign.periodic_review_days) == (24, 28)


# --- every supervisory write is audited and on the timeline ----------------------------------


def test_every_supervisory_write_adds_an_audit_entry_and_a_timeline_event(cast, case, child):
    """Allocate, review, return for work, approve closure (a review and a transition: two) and
    reopen, each against the case's own audit trail and timeline."""
    supervisor, independent = cast.actor(cast.supervisor), cast.actor(cast.supervisor_2)
    officer = cast.actor(cast.officer)
    case = case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=case.version, now=NOW)

    def step(expected, write):
        audited = audit_count("case", case.pk)
        events = TimelineEvent.objects.filter(case_id=case.pk).count()
        write()
        assert audit_count("case", case.pk) == audited + expected
        assert TimelineEvent.objects.filter(case_id=case.pk).count() == events + expected
        entries = AuditEntry.objects.filter(object_type="case", object_id=str(case.pk))
        assert {e.action for e in entries.order_by("-seq")[:expected]} == {"update"}

    def version():
        return Case.objects.get(pk=case.pk).version

    step(
        1,
        lambda: case_allocate(
            actor=supervisor,
            case_id=case.pk,
            version=version(),
            owner_id=cast.investigator.pk,
            now=NOW,
        ),
    )
    step(1, lambda: review(supervisor, case))
    awaiting_closure_from_investigating(
        cast,
        case_start_investigation(
            actor=cast.actor(cast.investigator), case_id=case.pk, version=version(), now=NOW
        ),
        child,
    )
    step(
        1,
        lambda: case_return_for_work(
            actor=supervisor, case_id=case.pk, version=version(), reason="More", now=NOW
        ),
    )
    case_request_closure(
        actor=cast.actor(cast.investigator),
        case_id=case.pk,
        version=version(),
        reason="",
        now=NOW,
    )
    step(2, lambda: approve(independent, case))
    step(
        1,
        lambda: case_reopen(
            actor=supervisor, case_id=case.pk, version=version(), reason="New info", now=NOW
        ),
    )


def test_a_directed_review_date_must_be_after_today_in_london(cast, case, supervisor):
    case = allocated(cast, case)
    just_after_midnight = datetime(2026, 7, 10, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 BST
    before, was = counts(*TABLES), state(case)
    with pytest.raises(DomainError) as refused:
        review(supervisor, case, now=just_after_midnight, next_review_on=date(2026, 7, 11))
    assert refused.value.fields == {"next_review_on": NEXT_REVIEW_PAST}
    assert (counts(*TABLES), state(case)) == (before, was)
