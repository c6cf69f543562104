"""The clocks of a domestic abuse incident, derived from its stored times. They ride on the
incident's case, so My work, Team, Duty and the escalation ladder show them like any other.

The times are force defaults [local]: no national rule sets them. DASH is completed by the
attending officer before going off duty; the secondary risk assessment by the triage unit
within a day for high risk (the inspectorate found a triage queue of 500 cases in three
weeks); a MARAC referral is sent within a working day of the decision to refer.

Every clock starts at the event docs/clocks.md names, never at the time the form was saved:
DASH and triage at the attendance (the incident time recorded, however late it is typed in),
MARAC as the DASH that makes a route apply is completed. Hour rules are elapsed UTC time.
"""

from datetime import datetime, timedelta

from safeguard.cases.models import Case
from safeguard.cases.rules.lifecycle import Status
from safeguard.core.calendars import add_elapsed, add_working_days
from safeguard.core.clocks import ClockDefinition, Derived, clock_register
from safeguard.domestic_abuse.models import Incident

DASH_WITHIN = timedelta(hours=24)
TRIAGE_HIGH_WITHIN = timedelta(hours=24)
TRIAGE_MEDIUM_WORKING_DAYS = 3
TRIAGE_STANDARD_WORKING_DAYS = 5

DASH_COMPLETED = clock_register(
    ClockDefinition(
        name="da.dash_completed",
        title="DASH risk assessment completed",
        starts="the police attend",
        stops="the DASH assessment is recorded",
        rule="24 hours",
        source="Force policy; DASH 2009 (docs/rules.md 3.1)",
    )
)
TRIAGE = clock_register(
    ClockDefinition(
        name="da.triage",
        title="Secondary risk assessment (triage)",
        starts="the police attend (the incident time recorded, not the time it is typed in)",
        stops="the triage unit completes the secondary assessment",
        rule="high risk (or not yet graded) 24 hours; medium 3, standard 5 working days",
        source="Force policy",
    )
)
MARAC_REFERRAL = clock_register(
    ClockDefinition(
        name="da.marac_referral",
        title="MARAC referral sent",
        starts="a MARAC route applies (docs/rules.md 3.2)",
        stops="the referral is sent to the MARAC",
        rule="1 working day",
        source="SafeLives MARAC criteria (docs/rules.md 3.2); time is force policy",
    )
)


def triage_due(received_at: datetime, grade: str) -> datetime:
    """High risk or not yet graded: 24 elapsed hours; medium 3, standard 5 working days."""
    if grade == Case.Grade.MEDIUM:
        return add_working_days(received_at, TRIAGE_MEDIUM_WORKING_DAYS)
    if grade == Case.Grade.STANDARD:
        return add_working_days(received_at, TRIAGE_STANDARD_WORKING_DAYS)
    return add_elapsed(received_at, TRIAGE_HIGH_WITHIN)


def incident_clocks(record: object, now: datetime) -> list[Derived]:
    assert isinstance(record, Case)
    if record.case_type != Case.Type.DOMESTIC_ABUSE:
        return []
    incident = Incident.objects.filter(case_id=record.pk).select_related("dash", "marac").first()
    if incident is None:
        return []
    closed = record.status == Status.CLOSED
    dash = getattr(incident, "dash", None)
    clocks = [
        Derived(
            name=DASH_COMPLETED.name,
            started_at=incident.attended_at,
            due_at=add_elapsed(incident.attended_at, DASH_WITHIN),
            met_at=dash.completed_at if dash else None,
            cancelled=closed,
        ),
        Derived(
            name=TRIAGE.name,
            started_at=incident.attended_at,
            due_at=triage_due(incident.attended_at, incident.risk_grade),
            met_at=incident.triage_completed_at,
            cancelled=closed,
        ),
    ]
    marac = getattr(incident, "marac", None)
    if marac is not None:
        clocks.append(
            Derived(
                name=MARAC_REFERRAL.name,
                started_at=marac.decided_at,
                due_at=add_working_days(marac.decided_at, 1),
                met_at=marac.sent_at,
                cancelled=closed,
            )
        )
    return clocks
