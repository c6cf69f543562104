"""The six missing.* clocks on realistic timelines, through the real services and sweeper."""

from datetime import UTC, datetime, timedelta

import pytest

from safeguard.core.clocks import clocks_sweep
from safeguard.core.models import ClockState
from safeguard.missing import services
from safeguard.missing.models import Episode
from safeguard.missing.tests.builders import FRIDAY_NIGHT, a_child, make_missing_cast, reported

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
M = timedelta(minutes=1)
Status = ClockState.Status


@pytest.fixture
def cast(make_user, force):
    return make_missing_cast(make_user, force)


@pytest.fixture
def child(cast):
    return a_child(cast.actor(cast.officer))


def clocks(episode):
    return {
        row.name: row
        for row in ClockState.objects.filter(object_type="case", object_id=episode.case_id)
        if row.name.startswith("missing.")
    }


def test_high_risk_reported_at_2310_on_the_friday_before_the_august_bank_holiday(cast, child):
    # 23:10 BST Friday 28 August 2026 is 22:10 UTC; Monday 31 August is a bank holiday.
    reported_at = FRIDAY_NIGHT
    assert reported_at == datetime(2026, 8, 28, 22, 10, tzinfo=UTC)
    episode = services.episode_report(
        actor=cast.actor(cast.officer),
        data=services.ReportInput(
            child_id=child.pk,
            reported_at=reported_at,
            reported_by="Care home night manager",
            last_seen_at=reported_at - 3 * H,
            last_seen_place="Oak House children's home",
            circumstances="Left through a window; has talked about ending her life.",
            missing_from="care",
            placement_name="Oak House",
            local_authority_id=cast.la.pk,
            self_harm_risk=True,
            grade="high",
            grade_rationale="Self-harm risk, looked-after child.",
        ),
        now=reported_at,
    )
    running = clocks(episode)
    # Hours, not working days: the response does not wait for the bank holiday to pass.
    assert running["missing.first_attendance"].due_at == datetime(2026, 8, 28, 23, 10, tzinfo=UTC)
    assert running["missing.supervisor_review"].due_at == reported_at + 60 * M
    assert running["missing.inspector_informed"].due_at == reported_at + 60 * M
    assert running["missing.risk_review"].due_at == reported_at + 4 * H
    assert all(row.high_risk for row in running.values())

    # 00:11 BST: nobody has attended. The sweep marks it breached and tells people.
    report = clocks_sweep(now=reported_at + 61 * M)
    assert clocks(episode)["missing.first_attendance"].status == Status.BREACHED
    assert report.breached >= 1

    # Attended late at 00:40; a risk review at 02:00 restarts the review clock.
    services.episode_attended(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        attended_at=reported_at + 90 * M,
        now=reported_at + 95 * M,
    )
    services.episode_risk_review(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        note="Friends visited; no trace",
        now=reported_at + 3 * H,
    )
    running = clocks(episode)
    assert running["missing.first_attendance"].status == Status.MET_LATE
    assert running["missing.risk_review"].due_at == reported_at + 3 * H + 4 * H

    # Found on the Sunday at 14:00 BST: both interviews fall due 72 hours on, on the
    # Wednesday, the bank holiday Monday counted like any other day.
    found_at = datetime(2026, 8, 30, 13, 0, tzinfo=UTC)
    services.episode_found(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        found_at=found_at,
        found_place="Colchester railway station",
        found_by="British Transport Police",
        condition="Cold and hungry, no injuries",
        now=found_at + 20 * M,
    )
    running = clocks(episode)
    wednesday = datetime(2026, 9, 2, 13, 0, tzinfo=UTC)
    assert running["missing.return_home_interview"].due_at == wednesday
    assert running["missing.prevention_interview"].due_at == wednesday
    assert running["missing.risk_review"].status == Status.CANCELLED


def test_regrading_upwards_tightens_first_attendance_but_downwards_never_loosens_it(cast, child):
    episode = reported(cast, child, grade="medium", out_of_character=False)
    # From the time of the report, not the time it was saved (5 minutes later).
    medium_due = FRIDAY_NIGHT + 4 * H
    assert clocks(episode)["missing.first_attendance"].due_at == medium_due
    services.episode_regrade(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        grade="high",
        rationale="Seen getting into a car with two older men",
        now=FRIDAY_NIGHT + 2 * H,
    )
    assert clocks(episode)["missing.first_attendance"].due_at == FRIDAY_NIGHT + 3 * H
    services.episode_supervisor_review(
        actor=cast.actor(cast.supervisor),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        grade="low",
        rationale="The men were her uncles; she is at their house",
        now=FRIDAY_NIGHT + 150 * M,
    )
    assert clocks(episode)["missing.first_attendance"].due_at == FRIDAY_NIGHT + 3 * H


def test_no_apparent_risk_has_no_attendance_clock_but_is_reviewed_daily(cast, child):
    episode = reported(
        cast, child, by=cast.supervisor, grade="no_apparent_risk", out_of_character=False
    )
    running = clocks(episode)
    assert "missing.first_attendance" not in running
    assert running["missing.risk_review"].due_at == FRIDAY_NIGHT + 24 * H
