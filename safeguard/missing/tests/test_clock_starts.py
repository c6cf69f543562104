"""Every missing.* clock starts at the event docs/clocks.md names, never when the form was
saved; every deadline missing stores is elapsed UTC time whatever zone its input came in; the
case's grade change is audited as `case`; and ages are taken on the London date."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safeguard.cases.models import Case
from safeguard.core.errors import DomainError
from safeguard.core.models import AuditEntry, ClockState, TimelineEvent
from safeguard.missing import selectors, services
from safeguard.missing.models import Episode, ReturnInterview
from safeguard.missing.tests.builders import a_child, a_report, make_missing_cast

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
M = timedelta(minutes=1)
LONDON = ZoneInfo("Europe/London")
Status = ClockState.Status

# Wednesday 14 October 2026, 22:15 BST (21:15 UTC): the child is reported missing.
REPORTED = datetime(2026, 10, 14, 21, 15, tzinfo=UTC)


@pytest.fixture
def cast(make_user, force):
    return make_missing_cast(make_user, force)


@pytest.fixture
def child(cast):
    return a_child(cast.actor(cast.officer))


def clocks(episode: Episode) -> dict[str, ClockState]:
    return {
        row.name: row
        for row in ClockState.objects.filter(object_type="case", object_id=episode.case_id)
        if row.name.startswith("missing.")
    }


def report(cast, child, *, reported_at=REPORTED, saved_after=25 * M, by=None, **changes):
    """A report of a child reported missing at `reported_at`, typed in `saved_after` later."""
    return services.episode_report(
        actor=cast.actor(by or cast.officer),
        data=a_report(child, cast.la, reported_at, **changes),
        now=reported_at + saved_after,
    )


def high(**changes):
    return {"self_harm_risk": True, "grade": "high", **changes}


def found(cast, episode, found_at, saved_after=90 * M):
    return services.episode_found(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        found_at=found_at,
        found_place="Ipswich bus station",
        found_by="PC Okafor",
        condition="Tired, unhurt",
        now=found_at + saved_after,
    )


def attend(cast, episode, attended_at, now):
    return services.episode_attended(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        attended_at=attended_at,
        now=now,
    )


# (a) Each clock's start -----------------------------------------------------------------------


def test_clock_start_missing_first_attendance(cast, child):
    # Saved 25 minutes after the report: due 60 minutes after the REPORT, not after the save.
    episode = report(cast, child, **high())
    clock = clocks(episode)["missing.first_attendance"]
    assert clock.started_at == REPORTED
    assert clock.due_at == REPORTED + 60 * M
    assert clock.status == Status.RUNNING
    attend(cast, episode, REPORTED + 59 * M, now=REPORTED + 70 * M)
    assert clocks(episode)["missing.first_attendance"].status == Status.MET
    # An attendance 70 minutes after the report is late, although 45 after the save.
    other = a_child(cast.actor(cast.officer), "Leo", "Barker")
    late = report(cast, other, **high())
    attend(cast, late, REPORTED + 70 * M, now=REPORTED + 71 * M)
    assert clocks(late)["missing.first_attendance"].status == Status.MET_LATE


def test_clock_start_missing_first_attendance_backdated_nine_hours(cast, child):
    # Reported at 22:15, typed in at 07:15 the next morning: already breached when saved.
    episode = report(cast, child, saved_after=9 * H, **high())
    clock = clocks(episode)["missing.first_attendance"]
    assert clock.started_at == REPORTED and clock.due_at == REPORTED + 60 * M
    assert clock.status == Status.BREACHED
    attend(cast, episode, REPORTED + 9 * H, now=REPORTED + 9 * H + M)
    assert clocks(episode)["missing.first_attendance"].status == Status.MET_LATE


def test_the_clock_and_the_monthly_figures_count_the_same_minutes(cast, child):
    # The case: reported 22:15, saved and attended at 07:38 (563 minutes later).
    saved = REPORTED + timedelta(hours=9, minutes=23)
    episode = report(cast, child, saved_after=saved - REPORTED, **high())
    assert clocks(episode)["missing.first_attendance"].status == Status.BREACHED
    attend(cast, episode, saved, now=saved)
    assert clocks(episode)["missing.first_attendance"].status == Status.MET_LATE
    october = selectors.monthly_figures(actor=cast.actor(cast.analyst), months=1, now=saved)[-1]
    assert october.median_minutes_to_attend == 563.0  # and 563 > 60: late on both counts


def test_clock_start_missing_first_attendance_regraded_upwards(cast, child):
    # A regrade upwards tightens the deadline from the regrade's own time (docs/clocks.md).
    episode = report(cast, child)  # low: 24 hours from the report
    assert clocks(episode)["missing.first_attendance"].due_at == REPORTED + 24 * H
    regraded = REPORTED + 3 * H
    services.episode_regrade(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        grade="high",
        rationale="Texted a friend saying she wants to die.",
        now=regraded,
    )
    assert clocks(episode)["missing.first_attendance"].due_at == regraded + 60 * M


def test_clock_start_missing_supervisor_review(cast, child):
    # The report's grade is given when the child is reported, however late it is typed in.
    episode = report(cast, child, **high())
    clock = clocks(episode)["missing.supervisor_review"]
    assert clock.started_at == REPORTED and clock.due_at == REPORTED + 60 * M
    # A later grade by a non-supervisor starts it again from that grade's own time.
    regraded = REPORTED + 2 * H
    other = a_child(cast.actor(cast.officer), "Leo", "Barker")
    low = report(cast, other)
    services.episode_regrade(
        actor=cast.actor(cast.officer),
        episode_id=low.pk,
        version=Episode.objects.get(pk=low.pk).version,
        grade="medium",
        rationale="Seen with older men",
        now=regraded,
    )
    clock = clocks(low)["missing.supervisor_review"]
    assert clock.started_at == regraded and clock.due_at == regraded + 4 * H


def test_clock_start_missing_inspector_informed(cast, child):
    # First graded high at the report: from the time the child was reported missing.
    episode = report(cast, child, saved_after=9 * H, **high())
    clock = clocks(episode)["missing.inspector_informed"]
    assert clock.started_at == REPORTED and clock.due_at == REPORTED + 60 * M
    assert clock.status == Status.BREACHED


def test_clock_start_missing_risk_review(cast, child):
    episode = report(cast, child, grade="medium")
    clock = clocks(episode)["missing.risk_review"]
    assert clock.started_at == REPORTED and clock.due_at == REPORTED + 8 * H
    reviewed = REPORTED + 5 * H
    services.episode_risk_review(
        actor=cast.actor(cast.officer), episode_id=episode.pk, note="Called friends", now=reviewed
    )
    clock = clocks(episode)["missing.risk_review"]
    assert clock.started_at == reviewed and clock.due_at == reviewed + 8 * H


def test_clock_start_missing_prevention_interview(cast, child):
    episode = report(cast, child)
    back = REPORTED + 6 * H
    found(cast, episode, back, saved_after=90 * M)
    clock = clocks(episode)["missing.prevention_interview"]
    assert clock.started_at == back and clock.due_at == back + 72 * H


def test_clock_start_missing_return_home_interview(cast, child):
    episode = report(cast, child)
    back = REPORTED + 6 * H
    found(cast, episode, back, saved_after=90 * M)
    clock = clocks(episode)["missing.return_home_interview"]
    assert clock.started_at == back and clock.due_at == back + 72 * H
    task = ReturnInterview.objects.get(episode=episode)
    assert task.returned_at == back and task.due_at == back + 72 * H


def test_the_report_and_the_find_are_on_the_childs_chronology_when_they_happened(cast, child):
    episode = report(cast, child, saved_after=9 * H)
    back = REPORTED + 10 * H
    found(cast, episode, back)
    events = TimelineEvent.objects.filter(case_id=episode.case_id, kind__startswith="missing.")
    assert {e.kind: (e.person_id, e.at) for e in events} == {
        "missing.reported": (child.pk, REPORTED),
        "missing.found": (child.pk, back),
    }
    # Found with their condition recorded: seen, so the case's child-seen clock stops.
    assert Case.objects.get(pk=episode.case_id).subjects_seen_at == back
    seen = ClockState.objects.get(
        object_type="case", object_id=episode.case_id, name="case.child_seen"
    )
    assert seen.met_at == back and seen.status in (Status.MET, Status.MET_LATE)


# (b) Deadlines are elapsed UTC time, whatever zone the time came in ---------------------------

# Either side of both 2026 clock changes (29 March 01:00 UTC, 25 October 01:00 UTC): found
# within four days before or after, so the 72 hours straddle the change or just miss it.
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
FOUND_INSTANTS = st.sampled_from([SPRING, AUTUMN]).flatmap(
    lambda change: st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60).map(
        lambda minutes: change + timedelta(minutes=minutes)
    )
)


@pytest.fixture
def still_missing(cast, child):
    """A child reported missing before every instant the property tries."""
    return report(cast, child, reported_at=SPRING - 5 * 24 * H, saved_after=5 * M)


def _stored_deadlines(cast, episode, found_at: datetime) -> tuple[datetime, ...]:
    """Find the child, read back every deadline stored, then undo it all (one savepoint)."""
    with transaction.atomic():
        found(cast, episode, found_at, saved_after=10 * M)
        task = ReturnInterview.objects.get(episode=episode)
        stored = clocks(episode)
        deadlines = (
            task.due_at,
            stored["missing.return_home_interview"].due_at,
            stored["missing.prevention_interview"].due_at,
        )
        transaction.set_rollback(True)
    return deadlines


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instant=FOUND_INSTANTS)
# The 72 hours straddle each change; and a minute either side of each.
@example(instant=SPRING - 24 * H)
@example(instant=AUTUMN - 24 * H)
@example(instant=SPRING - M)
@example(instant=AUTUMN + M)
def test_the_same_found_instant_stores_the_same_deadlines_in_utc_and_london(
    cast, still_missing, instant
):
    as_utc = _stored_deadlines(cast, still_missing, instant)
    as_london = _stored_deadlines(cast, still_missing, instant.astimezone(LONDON))
    assert as_utc == as_london
    # 72 elapsed hours, never 71 or 73 across a change.
    assert all(due - instant == 72 * H for due in as_utc)


def _report_deadlines(cast, child, reported_at: datetime) -> tuple[datetime, ...]:
    """Report a high-risk child missing, read back the clocks' due times, then undo it."""
    with transaction.atomic():
        episode = report(cast, child, reported_at=reported_at, saved_after=25 * M, **high())
        deadlines = tuple(clock.due_at for _, clock in sorted(clocks(episode).items()))
        transaction.set_rollback(True)
    return deadlines


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instant=FOUND_INSTANTS)
@example(instant=SPRING - 30 * M)
@example(instant=AUTUMN - 30 * M)
def test_the_same_reported_instant_stores_the_same_clock_deadlines_in_utc_and_london(
    cast, child, instant
):
    as_utc = _report_deadlines(cast, child, instant)
    assert as_utc == _report_deadlines(cast, child, instant.astimezone(LONDON))
    # Attendance, inspector and supervisor 60 elapsed minutes on; the risk review 4 hours.
    assert sorted(due - instant for due in as_utc) == [60 * M, 60 * M, 60 * M, 4 * H]


def test_the_email_gives_the_offer_due_time_in_uk_time(cast, child):
    from safeguard.core.models import OutboxMessage

    # Found 12:00 BST Thursday 22 October; due 72 elapsed hours later: 11:00 GMT Sunday 25th.
    back = datetime(2026, 10, 22, 12, 0, tzinfo=LONDON)
    episode = report(cast, child, reported_at=back.astimezone(UTC) - 5 * H, saved_after=5 * M)
    found(cast, episode, back)
    mail = OutboxMessage.objects.get(recipient_user_id=cast.la_user.pk, channel="email")
    assert "11:00 on 25 Oct 2026 (UK time)" in mail.body
    assert mail.link == f"/return-interviews/{ReturnInterview.objects.get().pk}/"


# (c) The case's grade change is audited as `case` ----------------------------------------------


def test_a_regrade_leaves_a_case_audit_entry(cast, child):
    episode = report(cast, child)
    before = AuditEntry.objects.filter(object_type="case", object_id=str(episode.case_id)).count()
    services.episode_regrade(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        grade="high",
        rationale="Texted a friend saying she wants to die.",
        now=REPORTED + H,
    )
    entries = AuditEntry.objects.filter(object_type="case", object_id=str(episode.case_id))
    assert entries.count() == before + 1
    entry = entries.order_by("-seq").first()
    assert entry is not None and entry.action == "update"
    assert entry.reason_code == "missing_regrade" and "risk_grade" in entry.changed_fields
    assert Case.objects.get(pk=episode.case_id).risk_grade == "high"
    episode_entry = (
        AuditEntry.objects.filter(object_type="missing_episode", object_id=str(episode.pk))
        .order_by("-seq")
        .first()
    )
    assert episode_entry is not None and episode_entry.reason_code == "regrade"
    assert set(episode_entry.changed_fields) == {"grade", "grade_rationale"}


def test_a_supervisor_regrade_leaves_a_case_audit_entry(cast, child):
    episode = report(cast, child, grade="medium")
    services.episode_supervisor_review(
        actor=cast.actor(cast.supervisor),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        grade="no_apparent_risk",
        rationale="Seen on CCTV with friends; will come home",
        now=REPORTED + H,
    )
    entry = (
        AuditEntry.objects.filter(object_type="case", object_id=str(episode.case_id))
        .order_by("-seq")
        .first()
    )
    assert entry is not None and "risk_grade" in entry.changed_fields


# (d) Ages on the London date --------------------------------------------------------------------


def test_age_in_the_hour_after_midnight_bst_on_the_birthday(cast):
    # Born 15 July 2012: last seen 00:30 BST on 15 July 2026 (23:30 UTC on the 14th) is on
    # the 14th birthday, though the UTC date is still the 14th of July.
    officer = cast.actor(cast.officer)
    child = a_child(officer, "Ava", "Reed", dob=date(2012, 7, 15))
    last_seen = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    episode = services.episode_report(
        actor=officer,
        data=a_report(child, cast.la, last_seen + 2 * H, last_seen_at=last_seen),
        now=last_seen + 3 * H,
    )
    assert episode.age_years == 14


def test_an_eighteenth_birthday_in_the_hour_after_midnight_bst_is_no_longer_a_child(cast):
    officer = cast.actor(cast.officer)
    child = a_child(officer, "Sam", "Reed", dob=date(2008, 7, 15))
    last_seen = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # 00:30 BST on the 18th birthday
    with pytest.raises(DomainError) as refused:
        services.episode_report(
            actor=officer,
            data=a_report(child, cast.la, last_seen + 2 * H, last_seen_at=last_seen),
            now=last_seen + 3 * H,
        )
    assert refused.value.fields["child"] == services.NOT_A_CHILD
