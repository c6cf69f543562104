"""The six clocks of a missing episode (issue 5), derived from its stored times and the
force's policy whenever the episode changes. They ride on the episode's case, so My work,
the team view, the duty inspector's view and the escalation ladder treat them like any other.

Each starts at the event docs/clocks.md names, never at the time a form was saved: the grade
given with the report counts from the time the child was reported missing (`reported_at`),
a later regrade from its own time, and the interviews from the time found (`found_at`). Every
due time is elapsed time in UTC (rules/response.py), so the clocks and the monthly figures
count the same minutes.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from safeguard.cases.models import Case
from safeguard.cases.rules.lifecycle import is_closed
from safeguard.core.clocks import ClockDefinition, Derived, Rung, clock_register
from safeguard.missing.models import Episode, GradeChange, RiskReview
from safeguard.missing.rules import response
from safeguard.missing.rules.episodes import return_interview_due
from safeguard.missing.rules.grading import Grade
from safeguard.missing.selectors import missing_policy_for

SOURCE_APP = (
    "College of Policing APP on missing persons (docs/rules.md 1.2); times are force policy"
)

FIRST_ATTENDANCE = clock_register(
    ClockDefinition(
        name="missing.first_attendance",
        title="First attendance",
        starts="the child is reported missing (or regraded upwards)",
        stops="an officer attends",
        rule="by grade: high 60 minutes, medium 4 hours, low 24 hours; none for no apparent risk",
        source=SOURCE_APP,
    )
)
SUPERVISOR_REVIEW = clock_register(
    ClockDefinition(
        name="missing.supervisor_review",
        title="Supervisor's review of the risk grade",
        starts="a grade is given by someone who is not a supervisor (the report's grade: when "
        "the child is reported missing)",
        stops="a supervisor reviews the grade",
        rule="high 60 minutes, otherwise 4 hours",
        source=SOURCE_APP,
    )
)
INSPECTOR_INFORMED = clock_register(
    ClockDefinition(
        name="missing.inspector_informed",
        title="Duty inspector informed (high risk)",
        starts="the episode is first graded high (at the report: when the child is reported "
        "missing)",
        stops="the duty inspector acknowledges it",
        rule="60 minutes",
        source="APP: for high risk a senior manager is involved (docs/rules.md 1.2)",
        # The system tells the duty inspectors itself, at once; then again, with the
        # supervisor, when the hour is up unacknowledged.
        ladder=(
            Rung("duty_inspector", -timedelta(hours=24)),
            Rung("duty_inspector", timedelta(0)),
            Rung("supervisor", timedelta(0)),
        ),
    )
)
RISK_REVIEW = clock_register(
    ClockDefinition(
        name="missing.risk_review",
        title="Risk review while missing",
        starts="the last grading or risk review",
        stops="the next risk review; stops when the child is found",
        rule="by grade: high every 4 hours, medium every 8, low and no apparent risk every 24",
        source="APP: risk is reviewed continually (docs/rules.md 1.2)",
    )
)
PREVENTION_INTERVIEW = clock_register(
    ClockDefinition(
        name="missing.prevention_interview",
        title="Prevention interview (safe and well)",
        starts="the child is found or returns",
        stops="the prevention interview is recorded",
        rule="72 hours",
        source="APP: a prevention interview for every returned person (docs/rules.md 1.3); "
        "force policy",
    )
)
RETURN_HOME_INTERVIEW = clock_register(
    ClockDefinition(
        name="missing.return_home_interview",
        title="Return home interview offered",
        starts="the child is found or returns",
        stops="the local authority offers the independent return home interview",
        rule="72 hours",
        source="DfE statutory guidance on children who run away or go missing (2014), "
        "docs/rules.md 1.3",
    )
)


def _gradings(episode: Episode) -> list[response.Grading]:
    """Every grade given, when it was given: the first is the report's own, given when the
    child was reported missing (however much later the report was typed in); each later one
    at the regrade's own time. agreed_by is set whenever a supervisor made or agreed it."""
    gradings = [
        response.Grading(
            Grade(change.grade), change.changed_at, by_supervisor=change.agreed_by_id is not None
        )
        for change in GradeChange.objects.filter(episode=episode).order_by("changed_at", "id")
    ]
    if gradings:
        gradings[0] = replace(gradings[0], at=episode.reported_at)
    return gradings


def episode_clocks(record: object, now: datetime) -> list[Derived]:
    """The episode's clocks, or none when the case is not a missing episode."""
    assert isinstance(record, Case)
    if record.case_type != Case.Type.MISSING:
        return []
    episode = Episode.objects.filter(case_id=record.pk).first()
    if episode is None:
        return []
    policy = missing_policy_for(episode.force_id).as_policy()
    closed = is_closed(record.status)
    reviews = list(RiskReview.objects.filter(episode=episode).order_by("reviewed_at", "id"))
    supervisor_reviews = [r for r in reviews if r.kind == RiskReview.Kind.SUPERVISOR]
    gradings = _gradings(episode)
    clocks = []

    attend_due = response.first_attendance_due(gradings, policy)
    if attend_due is not None:
        clocks.append(
            Derived(
                name=FIRST_ATTENDANCE.name,
                started_at=episode.reported_at,
                due_at=attend_due,
                met_at=episode.first_attended_at,
                # Found before anyone attended: attendance is no longer possible or needed.
                cancelled=closed or episode.found_at is not None,
            )
        )

    started, due = response.supervisor_review_due(gradings, policy)
    latest = gradings[-1]
    reviewed_since = [r.reviewed_at for r in supervisor_reviews if r.reviewed_at >= started]
    met = started if latest.by_supervisor else (reviewed_since[0] if reviewed_since else None)
    clocks.append(
        Derived(
            name=SUPERVISOR_REVIEW.name,
            started_at=started,
            due_at=due,
            met_at=met,
            cancelled=closed,
        )
    )

    high_at = response.first_high_at(gradings)
    if high_at is not None:
        clocks.append(
            Derived(
                name=INSPECTOR_INFORMED.name,
                started_at=high_at,
                due_at=response.inspector_informed_due(high_at, policy),
                met_at=episode.inspector_informed_at,
                cancelled=closed,
            )
        )

    last_review = max([latest.at, *(r.reviewed_at for r in reviews)])
    clocks.append(
        Derived(
            name=RISK_REVIEW.name,
            started_at=last_review,
            due_at=response.next_risk_review(
                last_reviewed_at=last_review, grade=episode.grade_enum, policy=policy
            ),
            # Recurring: each review restarts it. Found (or closed) stops it altogether.
            cancelled=closed or episode.found_at is not None,
        )
    )

    if episode.found_at is not None:
        interview = getattr(episode, "prevention_interview", None)
        clocks.append(
            Derived(
                name=PREVENTION_INTERVIEW.name,
                started_at=episode.found_at,
                due_at=response.prevention_interview_due(episode.found_at, policy),
                met_at=interview.conducted_at if interview else None,
                cancelled=closed,
            )
        )
        rhi = getattr(episode, "return_interview", None)
        clocks.append(
            Derived(
                name=RETURN_HOME_INTERVIEW.name,
                started_at=episode.found_at,
                due_at=return_interview_due(episode.found_at),
                met_at=rhi.offered_at if rhi else None,
                cancelled=closed,
            )
        )
    return clocks
