"""Domestic abuse API: an incident with its children and their voices, DASH and MARAC, and the
triage queue with its capacity and backlog forecast. Thin: the same selectors and services as
the pages."""

from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import ClockOut, InputSchema, clocks_out
from safeguard.core.clocks import clocks_for
from safeguard.core.errors import refuse_if
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.domestic_abuse import selectors, services
from safeguard.domestic_abuse.models import (
    DaPolicySetting,
    DashAssessment,
    Incident,
    IncidentChild,
    MaracReferral,
)
from safeguard.domestic_abuse.rules.dash import QUESTION_COUNT, Answer, DashGrade
from safeguard.domestic_abuse.rules.forecast import threshold_problems
from safeguard.domestic_abuse.rules.policy import DaPolicy
from safeguard.domestic_abuse.selectors import Capacity
from safeguard.encompass.selectors import resolved_school_urns

router = Router(tags=["domestic abuse"])

CLOCK_PREFIX = "da."
CLOCKS_DESCRIPTION = (
    "The incident's clocks, from its case: da.dash_completed (the DASH assessment), "
    "da.triage (the triage unit's secondary risk assessment) and, once a MARAC route "
    "applies, da.marac_referral (the referral sent). Each is {name, due_at, met_at, status}; "
    "what starts and stops each, and its source, is in docs/clocks.md."
)


# --- Output (read from the records' attributes) -------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(person: Any) -> str:
        return str(person.full_name)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


class ChildOut(Schema):
    """A child in the household: where they were, who they are related to, their school and
    their voice."""

    child: PersonRef
    present: bool
    where: str
    related_to: str
    school_urn: str
    home_educated: bool
    spoken_to: bool
    spoken_to_alone: bool
    child_said: str
    demeanour: str

    @staticmethod
    def resolve_school_urn(row: IncidentChild) -> str:
        """The school the officer recorded, or else the one the Encompass desk found."""
        if row.school_urn or row.home_educated:
            return row.school_urn
        return resolved_school_urns(incident_id=row.incident_id).get(row.child_id, "")


class DashOut(Schema):
    # The count of yes answers; the band it makes; the grade given (never lower than the band).
    score: int
    band: str
    grade: str
    rationale: str
    judgement_referral: bool
    judgement_reason: str
    answers: dict[str, str] = Field(description='{"1": "yes", ..., "27": "dont_know"}')
    completed_by: str
    completed_at: datetime

    @staticmethod
    def resolve_completed_by(dash: DashAssessment) -> str:
        return dash.completed_by.username


class MaracRouteOut(Schema):
    route: str
    reason: str


class MaracOut(Schema):
    """A MARAC referral: the routes that led to it, in plain words, and when it was sent."""

    routes: list[MaracRouteOut]
    decided_at: datetime
    decided_by: str
    sent_at: datetime | None
    sent_by: str | None
    version: int

    @staticmethod
    def resolve_routes(marac: MaracReferral) -> list[MaracRouteOut]:
        return [MaracRouteOut(route=route, reason=why) for route, why in marac.routes]

    @staticmethod
    def resolve_decided_by(marac: MaracReferral) -> str:
        return marac.decided_by.username

    @staticmethod
    def resolve_sent_by(marac: MaracReferral) -> str | None:
        return _username(marac.sent_by)


class IncidentOut(Schema):
    id: int
    case_id: int
    case_reference: str
    # The attendance
    attended_at: datetime
    place: str
    victim: PersonRef
    suspect: PersonRef | None
    relationship: str
    account: str
    children: list[ChildOut]
    # Risk
    dash: DashOut | None
    marac: MaracOut | None
    risk_grade: str
    # The triage queue
    triage_status: str
    triage_owner: str | None
    triage_claimed_at: datetime | None
    triage_completed_at: datetime | None
    triage_grade: str
    triage_notes: str
    clocks: list[ClockOut] = Field(description=CLOCKS_DESCRIPTION)
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_case_reference(incident: Incident) -> str:
        return incident.case.reference

    @staticmethod
    def resolve_children(incident: Incident) -> list[IncidentChild]:
        return list(incident.children.select_related("child").order_by("pk"))

    @staticmethod
    def resolve_dash(incident: Incident) -> DashAssessment | None:
        return getattr(incident, "dash", None)

    @staticmethod
    def resolve_marac(incident: Incident) -> MaracReferral | None:
        return getattr(incident, "marac", None)

    @staticmethod
    def resolve_triage_owner(incident: Incident) -> str | None:
        return _username(incident.triage_owner)

    @staticmethod
    def resolve_clocks(incident: Incident) -> list[ClockOut]:
        clocks = clocks_for(object_type="case", object_id=incident.case_id, now=timezone.now())
        return clocks_out(clocks, CLOCK_PREFIX)

    @staticmethod
    def resolve_created_by(incident: Incident) -> str:
        return incident.created_by.username


class QueueItemOut(Schema):
    id: int
    case_id: int
    case_reference: str
    attended_at: datetime
    place: str
    victim: PersonRef
    # Blank until DASH is recorded: the queue treats it as high until then.
    risk_grade: str
    triage_status: str
    triage_owner: str | None
    version: int
    # From the da.triage clock: when the secondary assessment is due, and whether it is late.
    triage_due_at: datetime | None = None
    overdue: bool = False

    @staticmethod
    def resolve_triage_owner(incident: Incident) -> str | None:
        return _username(incident.triage_owner)

    @staticmethod
    def resolve_case_reference(incident: Incident) -> str:
        return incident.case.reference


class QueueOut(Schema):
    """Awaiting secondary assessment: highest risk first (ungraded counts as high), then oldest."""

    items: list[QueueItemOut]
    total: int
    page: int
    pages: int


class DayCountOut(Schema):
    day: date
    arrivals: int
    completions: int


class DayForecastOut(Schema):
    day: date
    expected: float
    low: float
    high: float


class ForecastOut(Schema):
    arrival_rate: float
    completion_rate: float
    backlog_now: int
    threshold: int
    # Today if the backlog is already at the threshold, else the first forecast day reaching it.
    crosses_on: date | None
    warns: bool
    explanation: str
    days: list[DayForecastOut]


class CapacityOut(Schema):
    days: list[DayCountOut]
    backlog_now: int
    forecast: ForecastOut

    @staticmethod
    def resolve_days(capacity: Capacity) -> list[DayCountOut]:
        return [
            DayCountOut(day=day, arrivals=a, completions=c)
            for day, a, c in zip(
                capacity.days, capacity.arrivals, capacity.completions, strict=True
            )
        ]


# --- Input -------------------------------------------------------------------------------------


class ChildIn(InputSchema):
    child_id: int
    present: bool
    related_to: IncidentChild.RelatedTo
    where: str = Field("", max_length=200)
    school_urn: str = Field("", max_length=8, description="Blank: the school on the child's record")
    home_educated: bool = False
    spoken_to: bool = False
    spoken_to_alone: bool = False
    child_said: str = Field("", max_length=10000)
    demeanour: str = Field("", max_length=10000, description="Required for a child present")
    not_spoken_reason: str = Field(
        "", max_length=10000, description="Required for a child present but not spoken to"
    )


class IncidentIn(InputSchema):
    attended_at: AwareDatetime
    place: str = Field(max_length=200)
    victim_id: int
    suspect_id: int | None = None
    relationship: Incident.Relationship
    account: str = Field(max_length=20000)
    children: list[ChildIn] = Field(max_length=30)


class DashIn(InputSchema):
    """The 27 answers and the grade: no lower than the score makes it (422 naming `grade`),
    higher only with a rationale."""

    answers: dict[str, Answer] = Field(
        max_length=QUESTION_COUNT, description='{"1": "yes", "2": "no", ..., "27": "declined"}'
    )
    grade: DashGrade
    rationale: str = Field("", max_length=10000)
    judgement_referral: bool = False
    judgement_reason: str = Field("", max_length=10000)


class VersionIn(InputSchema):
    version: int | None = None


class AssignIn(InputSchema):
    user_id: int


class TriageCompleteIn(InputSchema):
    grade: DashGrade
    notes: str = Field(max_length=20000)
    version: int | None = None


class QueueQuery(InputSchema):
    page: int = Field(1, ge=1)


class CapacityQuery(InputSchema):
    threshold: int = selectors.DEFAULT_BACKLOG_THRESHOLD
    days: int = Field(28, ge=14, le=90)


# --- One incident ------------------------------------------------------------------------------


def _incident(response: HttpResponse, incident: Incident) -> IncidentOut:
    set_etag(response, incident.version)
    return IncidentOut.model_validate(incident)


def _read(request: ActorRequest, incident_id: int) -> Incident:
    return selectors.incident_get(actor=request.actor, incident_id=incident_id)


@router.post("/domestic-abuse/incidents", response={201: IncidentOut})
@operation_requires(Permission.CASE_CREATE)
def record_da_incident(
    request: ActorRequest, response: HttpResponse, payload: IncidentIn
) -> Status:
    """Record a police-attended domestic abuse incident with children: a case in the triage
    unit's queue, each child's voice, and an Operation Encompass notification for each child
    aged 4 to 17."""
    data = services.IncidentInput(
        **payload.model_dump(exclude={"children", "relationship"}),
        relationship=str(payload.relationship),
        children=tuple(
            services.ChildInput(
                **child.model_dump(exclude={"related_to"}), related_to=str(child.related_to)
            )
            for child in payload.children
        ),
    )
    # Returned as recorded: the case goes to the triage unit, which the recorder may not see.
    incident = services.incident_record(
        actor=request.actor,
        data=data,
        now=timezone.now(),
    )
    set_etag(response, incident.version)
    return Status(201, IncidentOut.model_validate(incident))


@router.get("/domestic-abuse/incidents/{incident_id}", response=IncidentOut)
@operation_requires(Permission.CASE_VIEW)
def get_da_incident(request: ActorRequest, response: HttpResponse, incident_id: int) -> IncidentOut:
    return _incident(response, _read(request, incident_id))


@router.post("/domestic-abuse/incidents/{incident_id}/dash", response={201: IncidentOut})
@operation_requires(Permission.CASE_WORK)
def record_da_dash(
    request: ActorRequest, response: HttpResponse, incident_id: int, payload: DashIn
) -> Status:
    """Record the DASH assessment (once). MARAC is decided by the four routes; a referral
    appears in `marac` with its reasons and starts da.marac_referral."""
    unknown = [key for key in payload.answers if not key.isdigit()]
    refuse_if(
        [("answers", "DASH questions are numbered 1 to 27: " + ", ".join(unknown))]
        if unknown
        else []
    )
    services.dash_record(
        actor=request.actor,
        incident_id=incident_id,
        data=services.DashInput(
            answers={int(n): str(a) for n, a in payload.answers.items()},
            grade=str(payload.grade),
            rationale=payload.rationale,
            judgement_referral=payload.judgement_referral,
            judgement_reason=payload.judgement_reason,
        ),
        now=timezone.now(),
    )
    incident = _read(request, incident_id)
    set_etag(response, incident.version)
    return Status(201, IncidentOut.model_validate(incident))


@router.post("/domestic-abuse/incidents/{incident_id}/marac/sent", response=IncidentOut)
@operation_requires(Permission.CASE_WORK)
def send_da_marac_referral(
    request: ActorRequest, response: HttpResponse, incident_id: int, payload: VersionIn
) -> IncidentOut:
    """The MARAC referral is sent (meets da.marac_referral). The version (or If-Match) is the
    referral's: `marac.version` in the incident."""
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.marac_send(
            actor=actor, incident_id=incident_id, version=version, now=timezone.now()
        ),
    )
    return _incident(response, _read(request, incident_id))


# --- The triage queue --------------------------------------------------------------------------


@router.get("/domestic-abuse/triage", response=QueueOut)
@operation_requires(Permission.CASE_VIEW)
def da_triage_queue(request: ActorRequest, filters: Query[QueueQuery]) -> QueueOut:
    """Incidents awaiting secondary risk assessment, 50 a page."""
    queue = selectors.triage_queue(actor=request.actor, page=filters.page, now=timezone.now())
    for incident in queue.items:
        clock = queue.triage_clocks.get(incident.pk)
        # Read by QueueItemOut: the triage clock's due time and whether it is overdue.
        setattr(incident, "triage_due_at", clock.due_at if clock else None)  # noqa: B010
        setattr(incident, "overdue", queue.overdue(incident))  # noqa: B010
    return QueueOut.model_validate(queue)


@router.post("/domestic-abuse/incidents/{incident_id}/claim", response=IncidentOut)
@operation_requires(Permission.CASE_WORK)
def claim_da_incident(
    request: ActorRequest, response: HttpResponse, incident_id: int
) -> IncidentOut:
    """Take an incident from the queue to assess it: 409 if somebody else holds it."""
    services.triage_claim(
        actor=request.actor,
        incident_id=incident_id,
        now=timezone.now(),
    )
    return _incident(response, _read(request, incident_id))


@router.post("/domestic-abuse/incidents/{incident_id}/assign", response=IncidentOut)
@operation_requires(Permission.CASE_SUPERVISE)
def assign_da_incident(
    request: ActorRequest, response: HttpResponse, incident_id: int, payload: AssignIn
) -> IncidentOut:
    """A supervisor gives the incident to a member of its case's unit (422 naming `user`)."""
    services.triage_assign(
        actor=request.actor,
        incident_id=incident_id,
        user_id=payload.user_id,
        now=timezone.now(),
    )
    return _incident(response, _read(request, incident_id))


@router.post("/domestic-abuse/incidents/{incident_id}/triage", response=IncidentOut)
@operation_requires(Permission.CASE_WORK)
def complete_da_triage(
    request: ActorRequest, response: HttpResponse, incident_id: int, payload: TriageCompleteIn
) -> IncidentOut:
    """The secondary risk assessment by whoever holds the incident (meets da.triage)."""
    actor = request.actor
    incident = with_expected_version(
        request,
        payload.version,
        lambda version: services.triage_complete(
            actor=actor,
            incident_id=incident_id,
            version=version,
            grade=str(payload.grade),
            notes=payload.notes,
            now=timezone.now(),
        ),
    )
    return _incident(response, _read(request, incident.pk))


@router.get("/domestic-abuse/capacity", response=CapacityOut)
@operation_requires(Permission.DA_CAPACITY_VIEW)
def da_triage_capacity(request: ActorRequest, filters: Query[CapacityQuery]) -> CapacityOut:
    """Aggregates only: arrivals and completions a day, the backlog now, and the 21-day
    forecast with its 90% band, the day it reaches `threshold` and the model in plain words."""
    refuse_if(threshold_problems(filters.threshold))
    capacity = selectors.triage_capacity(
        actor=request.actor,
        now=timezone.now(),
        days=filters.days,
        threshold=filters.threshold,
    )
    return CapacityOut.model_validate(capacity)


# --- Force policy: the domestic abuse times (docs/rules.md 3.4) ---------------------------------


class DaPolicyOut(Schema):
    dash_hours: int
    triage_high_hours: int
    triage_medium_working_days: int
    triage_standard_working_days: int
    marac_referral_working_days: int
    escalation_incidents: int
    version: int
    # In force from: when it was last changed, and by whom (null: the defaults apply).
    updated_at: datetime | None
    updated_by: str | None

    @staticmethod
    def resolve_updated_by(setting: DaPolicySetting) -> str | None:
        return _username(setting.updated_by)


class DaPolicyIn(InputSchema):
    dash_hours: int
    triage_high_hours: int
    triage_medium_working_days: int
    triage_standard_working_days: int
    marac_referral_working_days: int
    escalation_incidents: int
    version: int | None = None


@router.get("/settings/domestic-abuse", response=DaPolicyOut)
@operation_requires(Permission.POLICY_VIEW)
def get_da_policy(request: ActorRequest, response: HttpResponse) -> DaPolicySetting:
    """The force's domestic abuse times and its potential-escalation count (3 or 5)."""
    setting = selectors.da_policy_get(actor=request.actor)
    set_etag(response, setting.version)
    return setting


@router.put("/settings/domestic-abuse", response=DaPolicyOut)
@operation_requires(Permission.POLICY_MANAGE)
def set_da_policy(request: ActorRequest, response: HttpResponse, payload: DaPolicyIn) -> Any:
    """Change the times; If-Match (or `version`) guards against a concurrent change (409)."""
    actor = request.actor
    setting = with_expected_version(
        request,
        payload.version,
        lambda version: services.da_policy_update(
            actor=actor,
            version=version,
            data=DaPolicy(**payload.model_dump(exclude={"version"})),
            now=timezone.now(),
        ),
    )
    set_etag(response, setting.version)
    return setting
