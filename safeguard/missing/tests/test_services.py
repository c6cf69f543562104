"""Missing episodes through the real services: report, grade, respond, find, interview, and
the repeat and exploitation triggers; each bad input refused with nothing saved."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from safeguard.cases.models import Action, Case
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.models import ClockState, Disclosure, OutboxMessage, TimelineEvent
from safeguard.missing import selectors, services
from safeguard.missing.models import Episode, GradeChange, Photo, ReturnInterview, Trigger
from safeguard.missing.tests.builders import (
    FRIDAY_NIGHT,
    a_child,
    a_report,
    make_missing_cast,
    reported,
)

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
M = timedelta(minutes=1)


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
    }


def png(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def counts():
    return (Episode.objects.count(), Case.objects.count(), GradeChange.objects.count())


# Reporting and grading -----------------------------------------------------------------------


def test_a_report_makes_a_triaged_missing_case_in_the_missing_unit_with_its_clocks(cast, child):
    episode = reported(cast, child)
    case = episode.case
    assert case.case_type == "missing" and case.status == "triaged"
    assert case.unit == cast.missing_unit and case.risk_grade == "standard"
    assert episode.suggested_grade == "low" and episode.grade == "low"
    running = clocks(episode)
    assert {"missing.first_attendance", "missing.supervisor_review", "missing.risk_review"} <= set(
        running
    )
    assert "missing.inspector_informed" not in running  # never high
    # Low: attended within 24 hours of the report (force default), counted from the time
    # the child was reported missing, not from the save 5 minutes later.
    assert running["missing.first_attendance"].due_at == FRIDAY_NIGHT + 24 * H
    assert TimelineEvent.objects.filter(case_id=case.pk, kind="missing.reported").exists()


def test_an_officer_cannot_grade_lower_than_suggested_and_nothing_is_saved(cast, child):
    before = counts()
    with pytest.raises(DomainError) as refused:
        reported(cast, child, self_harm_risk=True, grade="medium")
    assert refused.value.fields["grade"].startswith("A grade lower than the suggested high")
    assert counts() == before


def test_a_supervisor_may_grade_lower_than_suggested_with_a_rationale(cast, child):
    episode = reported(cast, child, by=cast.supervisor, self_harm_risk=True, grade="medium")
    change = episode.gradings.get()
    assert change.suggested_grade == "high" and change.grade == "medium"
    assert change.agreed_by == cast.supervisor
    # Made by a supervisor: the supervisor-review clock is met at once.
    assert clocks(episode)["missing.supervisor_review"].status == ClockState.Status.MET


def test_a_grade_needs_a_rationale(cast, child):
    with pytest.raises(DomainError) as refused:
        reported(cast, child, grade_rationale="  ")
    assert "rationale" in refused.value.fields


def test_regrading_up_tightens_first_attendance_and_brings_in_the_inspector(cast, child):
    episode = reported(cast, child)
    at = FRIDAY_NIGHT + 2 * H
    services.episode_regrade(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=episode.version,
        grade="high",
        rationale="Texted a friend saying she wants to die.",
        now=at,
    )
    running = clocks(episode)
    assert running["missing.first_attendance"].due_at == at + 60 * M
    assert running["missing.inspector_informed"].due_at == at + 60 * M
    assert running["missing.supervisor_review"].due_at == at + 60 * M
    case = Case.objects.get(pk=episode.case_id)
    assert case.risk_grade == "high"
    assert [g.grade for g in GradeChange.objects.filter(episode=episode)] == ["low", "high"]
    # The inspector acknowledges; the clock is met.
    services.episode_inspector_acknowledge(
        actor=cast.actor(cast.inspector), episode_id=episode.pk, now=at + 20 * M
    )
    assert clocks(episode)["missing.inspector_informed"].status == ClockState.Status.MET


def test_regrading_with_a_stale_version_is_refused(cast, child):
    episode = reported(cast, child)
    with pytest.raises(Conflict):
        services.episode_regrade(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            version=episode.version - 1,
            grade="high",
            rationale="x",
            now=FRIDAY_NIGHT + H,
        )


def test_an_officer_cannot_regrade_lower_but_the_supervisor_review_can(cast, child):
    episode = reported(cast, child, grade="medium")
    with pytest.raises(DomainError):
        services.episode_regrade(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            version=episode.version,
            grade="no_apparent_risk",
            rationale="Seen on CCTV with friends",
            now=FRIDAY_NIGHT + H,
        )
    assert Episode.objects.get(pk=episode.pk).grade == "medium"
    services.episode_supervisor_review(
        actor=cast.actor(cast.supervisor),
        episode_id=episode.pk,
        version=episode.version,
        grade="no_apparent_risk",
        rationale="Seen on CCTV with friends; will come home",
        now=FRIDAY_NIGHT + H,
    )
    episode.refresh_from_db()
    assert episode.grade == "no_apparent_risk"
    assert clocks(episode)["missing.supervisor_review"].status == ClockState.Status.MET


def test_risk_review_restarts_the_review_clock_by_grade(cast, child):
    episode = reported(cast, child, grade="medium")
    services.episode_risk_review(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        note="Called friends",
        now=FRIDAY_NIGHT + 3 * H,
    )
    assert clocks(episode)["missing.risk_review"].due_at == FRIDAY_NIGHT + 3 * H + 8 * H


# Found, prevention interview, return home interview -------------------------------------------


def test_found_before_missing_is_refused_and_saves_nothing(cast, child):
    episode = reported(cast, child)
    with pytest.raises(DomainError) as refused:
        services.episode_found(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            version=episode.version,
            found_at=episode.last_seen_at - H,
            found_place="Park",
            found_by="PC Okafor",
            condition="Cold",
            now=FRIDAY_NIGHT + H,
        )
    assert refused.value.fields["found_at"] == "The time found must be after the child went missing"
    episode.refresh_from_db()
    assert episode.status == "missing" and not ReturnInterview.objects.exists()


def found(cast, episode, at):
    return services.episode_found(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        found_at=at,
        found_place="Ipswich bus station",
        found_by="PC Okafor",
        condition="Tired, unhurt",
        now=at + 10 * M,
    )


def test_found_over_a_bank_holiday_weekend_the_interview_clocks_run_72_hours(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 13 * H  # Saturday 12:10 BST
    found(cast, episode, back)
    running = clocks(episode)
    # 72 hours are hours: the bank holiday Monday does not extend them.
    assert running["missing.return_home_interview"].due_at == back + 72 * H
    assert running["missing.prevention_interview"].due_at == back + 72 * H
    assert running["missing.risk_review"].status == ClockState.Status.CANCELLED
    task = ReturnInterview.objects.get(episode=episode)
    assert task.local_authority == cast.la and task.due_at == back + 72 * H
    # Disclosed to the LA's user, announced by email with no child detail.
    assert Disclosure.objects.filter(recipient=cast.la_user, object_id=str(task.pk)).exists()
    mail = OutboxMessage.objects.get(recipient_user_id=cast.la_user.pk, channel="email")
    assert "Mia" not in mail.body and "Jones" not in mail.body and "Ipswich" not in mail.body


def test_a_partner_sees_only_their_own_local_authoritys_interview_tasks(cast, child, make_user):
    episode = reported(cast, child)
    found(cast, episode, FRIDAY_NIGHT + 3 * H)
    task = ReturnInterview.objects.get(episode=episode)
    mine = selectors.return_interviews_disclosed_to(actor=cast.actor(cast.la_user))
    assert [t.pk for t in mine] == [task.pk]
    assert selectors.return_interviews_disclosed_to(actor=cast.actor(cast.other_la_user)) == []
    with pytest.raises(NotFound):
        selectors.return_interview_disclosed(
            actor=cast.actor(cast.other_la_user), interview_id=task.pk
        )
    with pytest.raises(NotFound):
        services.return_interview_record(
            actor=cast.actor(cast.other_la_user),
            interview_id=task.pk,
            version=task.version,
            data=services.ReturnInterviewInput(offered_at=FRIDAY_NIGHT + 5 * H, outcome="declined"),
            now=FRIDAY_NIGHT + 6 * H,
        )


def test_a_return_interview_before_the_return_is_refused(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    task = ReturnInterview.objects.get(episode=episode)
    with pytest.raises(DomainError) as refused:
        services.return_interview_record(
            actor=cast.actor(cast.la_user),
            interview_id=task.pk,
            version=task.version,
            data=services.ReturnInterviewInput(
                offered_at=back - H, outcome="completed", interview_at=back - H
            ),
            now=back + 5 * H,
        )
    assert (
        refused.value.fields["offered_at"]
        == "The return home interview must be after the child returned"
    )
    task.refresh_from_db()
    assert task.outcome == "" and task.recorded_at is None


def test_the_la_records_the_interview_and_the_clock_is_met(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    task = ReturnInterview.objects.get(episode=episode)
    services.return_interview_record(
        actor=cast.actor(cast.la_user),
        interview_id=task.pk,
        version=task.version,
        data=services.ReturnInterviewInput(
            offered_at=back + 20 * H,
            outcome="completed",
            interview_at=back + 30 * H,
            interviewer="Children's Society worker",
            summary="Went to see an older boyfriend.",
        ),
        now=back + 31 * H,
    )
    task.refresh_from_db()
    assert task.outcome == "completed" and not task.recorded_on_behalf
    assert clocks(episode)["missing.return_home_interview"].status == ClockState.Status.MET


def test_the_police_may_record_it_on_the_las_behalf(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    task = ReturnInterview.objects.get(episode=episode)
    services.return_interview_record(
        actor=cast.actor(cast.officer),
        interview_id=task.pk,
        version=task.version,
        data=services.ReturnInterviewInput(offered_at=back + 80 * H, outcome="declined"),
        now=back + 81 * H,
    )
    task.refresh_from_db()
    assert task.recorded_on_behalf
    assert clocks(episode)["missing.return_home_interview"].status == ClockState.Status.MET_LATE


def test_prevention_interview_records_the_voice_and_an_indicator_fires_a_trigger(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    services.prevention_interview_record(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        data=services.PreventionInput(
            conducted_at=back + 2 * H,
            harm_suffered="None visible",
            why_went="Went to a party in Colchester with older lads",
            indicators=("older_associates", "cars_or_travel"),
        ),
        now=back + 3 * H,
    )
    case = Case.objects.get(pk=episode.case_id)
    # Seen when found with their condition recorded (the earlier sighting), and heard after.
    assert case.subjects_seen_at == back
    assert case.voices.get(child_id=child.pk).seen_at == back + 2 * H
    trigger = Trigger.objects.get(episode=episode)
    assert trigger.kind == "indicators"
    assert trigger.reason == (
        "Exploitation indicators: older or unknown associates, or a new peer group; "
        "picked up in cars, or travelling out of area"
    )
    raised = trigger.raised_case
    assert raised.case_type == "exploitation" and raised.unit == cast.mash
    assert clocks(episode)["missing.prevention_interview"].status == ClockState.Status.MET


def test_a_prevention_interview_before_the_child_was_found_is_refused(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    with pytest.raises(DomainError) as refused:
        services.prevention_interview_record(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            data=services.PreventionInput(
                conducted_at=back - H, harm_suffered="None", why_went="x"
            ),
            now=back + H,
        )
    assert "conducted_at" in refused.value.fields


# Triggers at the threshold's edges ------------------------------------------------------------


def _episodes(cast, child, days):
    made = []
    for day in days:
        at = FRIDAY_NIGHT + timedelta(days=day)
        episode = reported(cast, child, at, grade="medium")
        found(cast, episode, at + H)
        made.append(episode)
    return made


def test_two_episodes_in_90_days_fire_nothing(cast, child):
    _episodes(cast, child, [0, 30])
    assert not Trigger.objects.exists()


def test_the_third_episode_within_90_days_fires_once_with_the_dates(cast, child):
    episodes = _episodes(cast, child, [0, 30, 89])
    trigger = Trigger.objects.get()
    assert trigger.episode == episodes[-1] and trigger.kind == "repeat"
    assert trigger.reason == "3rd episode in 90 days: 28 Aug, 27 Sep, 25 Nov"
    assert trigger.raised_case.case_type == "exploitation"
    # The fourth adds to the open exploitation case rather than raising another.
    fourth = _episodes(cast, child, [95])[0]
    assert Trigger.objects.get(episode=fourth).raised_case == trigger.raised_case
    assert Case.objects.filter(case_type="exploitation").count() == 1


def test_the_third_episode_outside_90_days_fires_nothing(cast, child):
    _episodes(cast, child, [0, 30, 91])
    assert not Trigger.objects.exists()


# Photos, plan, policy ------------------------------------------------------------------------


def test_a_photo_that_is_not_an_image_is_refused_and_the_report_not_saved(cast, child):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.episode_report(
            actor=cast.actor(cast.officer),
            data=a_report(child, cast.la),
            now=FRIDAY_NIGHT + M,
            photo=b"%PDF-1.4 not an image",
        )
    assert refused.value.fields["photo"] == "The photo must be a JPEG, PNG or WebP image"
    assert counts() == before


def test_a_photo_too_large_is_refused(cast, child):
    episode = reported(cast, child)
    with pytest.raises(DomainError) as refused:
        services.photo_add(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            content=png() + b"\0" * (5 * 1024 * 1024),
            now=FRIDAY_NIGHT + H,
        )
    assert refused.value.fields["photo"] == "The photo must be smaller than 5 MB"
    assert not Photo.objects.exists()


def test_a_real_image_is_kept_and_served_only_in_scope(cast, child, make_user, other_unit):
    episode = reported(cast, child)
    services.photo_add(
        actor=cast.actor(cast.officer), episode_id=episode.pk, content=png(), now=FRIDAY_NIGHT + H
    )
    photo = selectors.episode_photo(actor=cast.actor(cast.officer), episode_id=episode.pk)
    assert photo.content_type == "image/png"
    stranger = make_user("officer", units=[other_unit])
    with pytest.raises(NotFound):
        selectors.episode_photo(actor=cast.actor(stranger), episode_id=episode.pk)


def test_the_supervisor_adds_plan_items_as_actions_with_owners(cast, child):
    episode = reported(cast, child)
    services.episode_plan_add(
        actor=cast.actor(cast.supervisor),
        episode_id=episode.pk,
        kind="cctv",
        detail="Bus station cameras 21:00-23:00",
        owner_id=cast.officer_2.pk,
        due_on=timezone.localdate() + timedelta(days=1),
        now=FRIDAY_NIGHT + H,
    )
    action = Action.objects.get(case_id=episode.case_id)
    assert (
        action.title == "CCTV: Bus station cameras 21:00-23:00" and action.owner == cast.officer_2
    )
    # An officer is not a supervisor: forbidden (403), no longer a refusal (422).
    with pytest.raises(PermissionDenied):
        services.episode_plan_add(
            actor=cast.actor(cast.officer),
            episode_id=episode.pk,
            kind="cctv",
            detail="x",
            owner_id=cast.officer.pk,
            due_on=timezone.localdate() + timedelta(days=1),
            now=FRIDAY_NIGHT + H,
        )


def test_board_lists_open_episodes_overdue_first(cast, child):
    quiet = reported(cast, child)
    other = a_child(cast.actor(cast.officer), "Leo", "Barker")
    urgent = reported(cast, other, FRIDAY_NIGHT + H, self_harm_risk=True, grade="high")
    rows = selectors.active_board(actor=cast.actor(cast.inspector), now=FRIDAY_NIGHT + 4 * H)
    assert [r.episode.pk for r in rows] == [urgent.pk, quiet.pk]
    assert rows[0].overdue >= 1


def test_monthly_figures(cast, child):
    episode = reported(cast, child)
    services.episode_attended(
        actor=cast.actor(cast.officer),
        episode_id=episode.pk,
        version=episode.version,
        attended_at=FRIDAY_NIGHT + 50 * M,
        now=FRIDAY_NIGHT + H,
    )
    found(cast, episode, FRIDAY_NIGHT + 3 * H)
    task = ReturnInterview.objects.get()
    services.return_interview_record(
        actor=cast.actor(cast.la_user),
        interview_id=task.pk,
        version=task.version,
        data=services.ReturnInterviewInput(offered_at=FRIDAY_NIGHT + 10 * H, outcome="declined"),
        now=FRIDAY_NIGHT + 11 * H,
    )
    figures = selectors.monthly_figures(
        actor=cast.actor(cast.analyst), months=3, now=FRIDAY_NIGHT + 2 * timedelta(days=1)
    )
    august = figures[-1]
    assert august.month.month == 8 and august.episodes == 1
    assert august.by_grade["low"] == 1 and august.median_minutes_to_attend == 50.0
    assert august.returns == 1 and august.rhi_percent == 100.0


def test_a_high_grade_alerts_the_duty_inspectors_at_once(cast, child):
    from safeguard.core.clocks import clocks_sweep

    episode = reported(cast, child, by=cast.supervisor, self_harm_risk=True, grade="high")
    clocks_sweep(now=FRIDAY_NIGHT + 6 * M)
    alert = OutboxMessage.objects.get(
        recipient_user_id=cast.inspector.pk,
        channel="alert",
        subject__startswith="Due soon: Duty inspector informed (high risk), ",
    )
    assert alert.link == f"/cases/{episode.case_id}/"
    # The alert names the record as people do: its reference and the child.
    assert episode.case.reference in alert.subject and child.family_name in alert.subject


def test_a_recorded_return_interview_cannot_be_overwritten(cast, child):
    episode = reported(cast, child)
    back = FRIDAY_NIGHT + 3 * H
    found(cast, episode, back)
    task = ReturnInterview.objects.get(episode=episode)
    record = services.ReturnInterviewInput(offered_at=back + H, outcome="declined")
    task = services.return_interview_record(
        actor=cast.actor(cast.la_user),
        interview_id=task.pk,
        version=task.version,
        data=record,
        now=back + 2 * H,
    )
    with pytest.raises(DomainError) as refused:
        services.return_interview_record(
            actor=cast.actor(cast.la_user),
            interview_id=task.pk,
            version=task.version,
            data=services.ReturnInterviewInput(offered_at=back + H, outcome="not_possible"),
            now=back + 3 * H,
        )
    assert refused.value.message == "This return home interview is already recorded"
    task.refresh_from_db()
    assert task.outcome == "declined"


def test_months_are_uk_months(cast, child):
    # 00:30 BST on 1 September is 23:30 UTC on 31 August: it counts in September.
    from datetime import UTC, datetime

    at = datetime(2026, 8, 31, 23, 30, tzinfo=UTC)
    reported(cast, child, at)
    figures = selectors.monthly_figures(actor=cast.actor(cast.analyst), months=2, now=at + H)
    assert [(f.month.month, f.episodes) for f in figures] == [(8, 0), (9, 1)]
