"""Missing children API: the active-missing board, one episode from report to return, the
grade and the response to it, the local authority's return home interview tasks, and the
monthly figures. Thin: the same selectors and services as the pages."""

from datetime import date, datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import ClockOut, InputSchema, clocks_out
from safeguard.cases.api import ActionOut
from safeguard.cases.models import Case
from safeguard.core.clocks import ClockView, clocks_for
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.missing import selectors, services
from safeguard.missing.models import (
    Episode,
    GradeChange,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.missing.rules.grading import Grade, Indicator, MissingFrom

router = Router(tags=["missing children"])

CLOCK_PREFIX = "missing."
CLOCKS_DESCRIPTION = (
    "The episode's clocks, from its case: missing.first_attendance, "
    "missing.supervisor_review, missing.inspector_informed (high risk only), "
    "missing.risk_review (while missing), and, once the child is found, "
    "missing.prevention_interview and missing.return_home_interview. Each is "
    "{name, due_at, met_at, status}; what starts and stops each, and its source, is in "
    "docs/clocks.md."
)


# --- Output ------------------------------------------------------------------------------------


class ChildRef(Schema):
    id: int
    name: str


class LocalAuthorityRef(Schema):
    id: int
    name: str


class GradeChangeOut(Schema):
    grade: str
    suggested_grade: str
    rationale: str
    changed_by: str
    # Set when a supervisor made or agreed the grade (a lower-than-suggested one needs it).
    agreed_by: str | None
    changed_at: datetime


class RiskReviewOut(Schema):
    id: int
    kind: str
    grade: str
    note: str
    reviewed_by: str
    reviewed_at: datetime

    @staticmethod
    def of(review: RiskReview) -> "RiskReviewOut":
        return RiskReviewOut(
            id=review.pk,
            kind=review.kind,
            grade=review.grade,
            note=review.note,
            reviewed_by=review.reviewed_by.username,
            reviewed_at=review.reviewed_at,
        )


class PreventionInterviewOut(Schema):
    id: int
    conducted_at: datetime
    conducted_by: str
    spoken_to_alone: bool
    harm_suffered: str
    offences: str
    why_went: str
    indicators: list[str]
    notes: str
    recorded_at: datetime

    @staticmethod
    def of(interview: PreventionInterview) -> "PreventionInterviewOut":
        return PreventionInterviewOut(
            id=interview.pk,
            conducted_at=interview.conducted_at,
            conducted_by=interview.conducted_by.username,
            spoken_to_alone=interview.spoken_to_alone,
            harm_suffered=interview.harm_suffered,
            offences=interview.offences,
            why_went=interview.why_went,
            indicators=list(interview.indicators),
            notes=interview.notes,
            recorded_at=interview.recorded_at,
        )


class ReturnInterviewOut(Schema):
    """The local authority's return home interview task: offered within 72 hours of the return."""

    id: int
    episode_id: int
    case_reference: str
    child: ChildRef
    local_authority: LocalAuthorityRef
    returned_at: datetime
    due_at: datetime
    offered_at: datetime | None
    interview_at: datetime | None
    outcome: str
    interviewer: str
    summary: str
    recorded_by: str | None
    recorded_on_behalf: bool
    recorded_at: datetime | None
    version: int

    @staticmethod
    def of(task: ReturnInterview) -> "ReturnInterviewOut":
        episode = task.episode
        return ReturnInterviewOut(
            id=task.pk,
            episode_id=task.episode_id,
            case_reference=episode.case.reference,
            child=ChildRef(id=episode.child_id, name=episode.child.full_name),
            local_authority=LocalAuthorityRef(
                id=task.local_authority_id, name=task.local_authority.name
            ),
            returned_at=task.returned_at,
            due_at=task.due_at,
            offered_at=task.offered_at,
            interview_at=task.interview_at,
            outcome=task.outcome,
            interviewer=task.interviewer,
            summary=task.summary,
            recorded_by=_username(task.recorded_by),
            recorded_on_behalf=task.recorded_on_behalf,
            recorded_at=task.recorded_at,
            version=task.version,
        )


class TriggerOut(Schema):
    kind: str
    reason: str
    raised_case_id: int
    raised_case_reference: str
    raised_new_case: bool
    fired_at: datetime

    @staticmethod
    def of(trigger: Trigger) -> "TriggerOut":
        return TriggerOut(
            kind=trigger.kind,
            reason=trigger.reason,
            raised_case_id=trigger.raised_case_id,
            raised_case_reference=trigger.raised_case.reference,
            raised_new_case=trigger.raised_new_case,
            fired_at=trigger.fired_at,
        )


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


# What EpisodeOut.of reads beside the episode: fetched in one go for a list.
EPISODE_RELATED = (
    "case",
    "child",
    "local_authority",
    "inspector_informed_by",
    "gradings__changed_by",
    "gradings__agreed_by",
    "reviews__reviewed_by",
    "triggers__raised_case",
    "prevention_interview__conducted_by",
    "return_interview__recorded_by",
)


class EpisodeOut(Schema):
    id: int
    case_id: int
    case_reference: str
    child: ChildRef
    status: str
    # The report
    reported_at: datetime
    reported_by: str
    reporter_relationship: str
    missing_from: str
    placement_name: str
    local_authority: LocalAuthorityRef
    last_seen_at: datetime
    last_seen_place: str
    circumstances: str
    description: str
    age_years: int
    health_needs: str
    medication: str
    self_harm_risk: bool
    urgent_health_need: bool
    suspected_crime: bool
    out_of_character: bool
    indicators: list[str]
    # The grade: the suggestion the answers gave, the grade now, and every grade given.
    suggested_grade: str
    grade: str
    grade_rationale: str
    grade_history: list[GradeChangeOut]
    risk_reviews: list[RiskReviewOut]
    # Response
    first_attended_at: datetime | None
    inspector_informed_at: datetime | None
    inspector_informed_by: str | None
    # Found or returned
    found_at: datetime | None
    found_place: str
    found_by: str
    condition: str
    prevention_interview: PreventionInterviewOut | None
    return_interview: ReturnInterviewOut | None
    triggers: list[TriggerOut]
    clocks: list[ClockOut] = Field(description=CLOCKS_DESCRIPTION)
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def fields_of(episode: Episode, clocks: list[ClockView] | None = None) -> dict[str, Any]:
        if clocks is None:
            clocks = clocks_for(object_type="case", object_id=episode.case_id, now=timezone.now())
        prevention = getattr(episode, "prevention_interview", None)
        task = getattr(episode, "return_interview", None)
        gradings: list[GradeChange] = list(episode.gradings.all())
        return {
            "id": episode.pk,
            "case_id": episode.case_id,
            "case_reference": episode.case.reference,
            "child": ChildRef(id=episode.child_id, name=episode.child.full_name),
            "status": episode.status,
            "reported_at": episode.reported_at,
            "reported_by": episode.reported_by,
            "reporter_relationship": episode.reporter_relationship,
            "missing_from": episode.missing_from,
            "placement_name": episode.placement_name,
            "local_authority": LocalAuthorityRef(
                id=episode.local_authority_id, name=episode.local_authority.name
            ),
            "last_seen_at": episode.last_seen_at,
            "last_seen_place": episode.last_seen_place,
            "circumstances": episode.circumstances,
            "description": episode.description,
            "age_years": episode.age_years,
            "health_needs": episode.health_needs,
            "medication": episode.medication,
            "self_harm_risk": episode.self_harm_risk,
            "urgent_health_need": episode.urgent_health_need,
            "suspected_crime": episode.suspected_crime,
            "out_of_character": episode.out_of_character,
            "indicators": list(episode.indicators),
            "suggested_grade": episode.suggested_grade,
            "grade": episode.grade,
            "grade_rationale": episode.grade_rationale,
            "grade_history": [
                GradeChangeOut(
                    grade=g.grade,
                    suggested_grade=g.suggested_grade,
                    rationale=g.rationale,
                    changed_by=g.changed_by.username,
                    agreed_by=_username(g.agreed_by),
                    changed_at=g.changed_at,
                )
                for g in gradings
            ],
            "risk_reviews": [RiskReviewOut.of(r) for r in episode.reviews.all()],
            "first_attended_at": episode.first_attended_at,
            "inspector_informed_at": episode.inspector_informed_at,
            "inspector_informed_by": _username(episode.inspector_informed_by),
            "found_at": episode.found_at,
            "found_place": episode.found_place,
            "found_by": episode.found_by,
            "condition": episode.condition,
            "prevention_interview": PreventionInterviewOut.of(prevention) if prevention else None,
            "return_interview": ReturnInterviewOut.of(task) if task else None,
            "triggers": [TriggerOut.of(t) for t in episode.triggers.all()],
            "clocks": clocks_out(clocks, CLOCK_PREFIX),
            "created_at": episode.created_at,
            "updated_at": episode.updated_at,
            "version": episode.version,
        }

    @staticmethod
    def of(episode: Episode) -> "EpisodeOut":
        return EpisodeOut(**EpisodeOut.fields_of(episode))


class BoardItemOut(EpisodeOut):
    missing_for_minutes: int
    overdue_clocks: int


class SuggestionOut(Schema):
    grade: str
    label: str
    # The answers that led to it, in plain words.
    reasons: list[str]


class MonthFiguresOut(Schema):
    month: date
    episodes: int
    by_grade: dict[str, int]
    median_minutes_to_attend: float | None
    returns: int
    rhi_offered_in_time: int
    rhi_percent: float | None
    repeat_children: int


# --- Input -------------------------------------------------------------------------------------


class ReportDraftIn(InputSchema):
    """The report as far as it goes: enough for a suggested grade."""

    child_id: int
    last_seen_at: AwareDatetime
    missing_from: MissingFrom
    reported_at: AwareDatetime | None = None
    reported_by: str = Field("", max_length=160)
    reporter_relationship: str = Field("", max_length=80)
    placement_name: str = Field("", max_length=160)
    local_authority_id: int | None = None
    last_seen_place: str = Field("", max_length=200)
    circumstances: str = Field("", max_length=10000)
    description: str = Field("", max_length=10000)
    source: Case.Source = Case.Source.EMERGENCY_CALL
    health_needs: str = Field("", max_length=5000)
    medication: str = Field("", max_length=5000)
    self_harm_risk: bool = False
    urgent_health_need: bool = False
    suspected_crime: bool = False
    out_of_character: bool = False
    indicators: list[Indicator] = Field(default_factory=list, max_length=len(Indicator))
    grade: Grade | None = None
    grade_rationale: str = Field("", max_length=10000)


class ReportIn(ReportDraftIn):
    """A report: the child must be under 18; the grade needs a rationale, and a grade lower
    than the suggested one needs a supervisor (422 naming `grade`)."""

    reported_at: AwareDatetime
    reported_by: str = Field(max_length=160)
    local_authority_id: int
    last_seen_place: str = Field(max_length=200)
    circumstances: str = Field(max_length=10000)
    grade: Grade
    grade_rationale: str = Field(max_length=10000)


def _report(payload: ReportDraftIn) -> services.ReportInput:
    data = payload.model_dump(exclude={"indicators", "grade", "reported_at"})
    return services.ReportInput(
        **data,
        reported_at=payload.reported_at or payload.last_seen_at,
        grade=str(payload.grade or ""),
        indicators=tuple(str(i) for i in payload.indicators),
    )


class GradeIn(InputSchema):
    grade: Grade
    rationale: str = Field(max_length=10000)
    version: int | None = None


class AttendedIn(InputSchema):
    attended_at: AwareDatetime
    version: int | None = None


class RiskReviewIn(InputSchema):
    note: str = Field(max_length=10000)


class PlanItemIn(InputSchema):
    kind: str = Field(max_length=20, description="search, enquiries, cctv, phone or social_media")
    detail: str = Field(max_length=180)
    owner_id: int
    due_on: date


class FoundIn(InputSchema):
    found_at: AwareDatetime
    found_place: str = Field(max_length=200)
    found_by: str = Field(max_length=160)
    condition: str = Field(max_length=10000)
    version: int | None = None


class PreventionIn(InputSchema):
    conducted_at: AwareDatetime
    harm_suffered: str = Field(max_length=10000)
    why_went: str = Field(max_length=10000)
    spoken_to_alone: bool = False
    offences: str = Field("", max_length=10000)
    indicators: list[Indicator] = Field(default_factory=list, max_length=len(Indicator))
    notes: str = Field("", max_length=10000)


class ReturnInterviewIn(InputSchema):
    offered_at: AwareDatetime
    outcome: ReturnInterview.Outcome
    interview_at: AwareDatetime | None = None
    interviewer: str = Field("", max_length=160)
    summary: str = Field("", max_length=20000)
    version: int | None = None


class FiguresQuery(InputSchema):
    months: int = Field(12, ge=1, le=36)


# --- The board and one episode -----------------------------------------------------------------


def _episode(response: HttpResponse, episode: Episode) -> EpisodeOut:
    set_etag(response, episode.version)
    return EpisodeOut.of(episode)


@router.get("/missing/episodes", response=list[BoardItemOut])
@operation_requires(Permission.CASE_VIEW)
def list_missing_episodes(request: ActorRequest) -> list[BoardItemOut]:
    """The active-missing board: every open episode you can see, overdue clocks first, then
    the highest grade, then the longest missing."""
    rows = selectors.active_board(actor=request.actor, now=timezone.now())
    prefetch_related_objects([row.episode for row in rows], *EPISODE_RELATED)
    return [
        BoardItemOut(
            **EpisodeOut.fields_of(row.episode, row.clocks),
            missing_for_minutes=int(row.missing_for.total_seconds() // 60),
            overdue_clocks=row.overdue,
        )
        for row in rows
    ]


@router.post("/missing/episodes", response={201: EpisodeOut})
@operation_requires(Permission.CASE_CREATE)
def report_missing_episode(
    request: ActorRequest, response: HttpResponse, payload: ReportIn
) -> Status:
    """Report a child missing: a case of type missing in the missing persons unit, the episode,
    its grade and its clocks. A photo is added on the episode's page, not through the API."""
    episode = services.episode_report(
        actor=request.actor,
        data=_report(payload),
        now=timezone.now(),
    )
    set_etag(response, episode.version)
    return Status(201, EpisodeOut.of(episode))


@router.post("/missing/grade-suggestion", response=SuggestionOut)
@operation_requires(Permission.CASE_CREATE)
def suggest_missing_grade(request: ActorRequest, payload: ReportDraftIn) -> SuggestionOut:
    """The APP grade the answers suggest, with the answers that led to it. Saves nothing."""
    suggestion = services.episode_suggest(
        actor=request.actor,
        data=_report(payload),
        now=timezone.now(),
    )
    return SuggestionOut(
        grade=suggestion.grade.value,
        label=suggestion.grade.label,
        reasons=list(suggestion.reasons),
    )


@router.get("/missing/episodes/{episode_id}", response=EpisodeOut)
@operation_requires(Permission.CASE_VIEW)
def get_missing_episode(
    request: ActorRequest, response: HttpResponse, episode_id: int
) -> EpisodeOut:
    episode = selectors.episode_get(actor=request.actor, episode_id=episode_id)
    return _episode(response, episode)


# --- Grading and the response ------------------------------------------------------------------


@router.post("/missing/episodes/{episode_id}/regrade", response=EpisodeOut)
@operation_requires(Permission.CASE_WORK)
def regrade_missing_episode(
    request: ActorRequest, response: HttpResponse, episode_id: int, payload: GradeIn
) -> EpisodeOut:
    """Higher at any time; lower than the suggested grade only by a supervisor."""
    actor = request.actor
    episode = with_expected_version(
        request,
        payload.version,
        lambda version: services.episode_regrade(
            actor=actor,
            episode_id=episode_id,
            version=version,
            grade=str(payload.grade),
            rationale=payload.rationale,
            now=timezone.now(),
        ),
    )
    return _episode(response, episode)


@router.post("/missing/episodes/{episode_id}/supervisor-review", response=EpisodeOut)
@operation_requires(Permission.CASE_SUPERVISE)
def review_missing_grade(
    request: ActorRequest, response: HttpResponse, episode_id: int, payload: GradeIn
) -> EpisodeOut:
    """A supervisor confirms the grade (send the grade it has) or changes it, up or down."""
    actor = request.actor
    episode = with_expected_version(
        request,
        payload.version,
        lambda version: services.episode_supervisor_review(
            actor=actor,
            episode_id=episode_id,
            version=version,
            grade=str(payload.grade),
            rationale=payload.rationale,
            now=timezone.now(),
        ),
    )
    return _episode(response, episode)


@router.post("/missing/episodes/{episode_id}/attended", response=EpisodeOut)
@operation_requires(Permission.CASE_WORK)
def record_missing_attendance(
    request: ActorRequest, response: HttpResponse, episode_id: int, payload: AttendedIn
) -> EpisodeOut:
    actor = request.actor
    episode = with_expected_version(
        request,
        payload.version,
        lambda version: services.episode_attended(
            actor=actor,
            episode_id=episode_id,
            version=version,
            attended_at=payload.attended_at,
            now=timezone.now(),
        ),
    )
    return _episode(response, episode)


@router.post("/missing/episodes/{episode_id}/risk-reviews", response={201: RiskReviewOut})
@operation_requires(Permission.CASE_WORK)
def record_missing_risk_review(
    request: ActorRequest, episode_id: int, payload: RiskReviewIn
) -> Status:
    """A review of the risk while the child is missing; it restarts missing.risk_review."""
    review = services.episode_risk_review(
        actor=request.actor,
        episode_id=episode_id,
        note=payload.note,
        now=timezone.now(),
    )
    return Status(201, RiskReviewOut.of(review))


@router.post("/missing/episodes/{episode_id}/inspector-acknowledgement", response=EpisodeOut)
@operation_requires(Permission.DUTY_VIEW)
def acknowledge_missing_episode(
    request: ActorRequest, response: HttpResponse, episode_id: int
) -> EpisodeOut:
    """The duty inspector records that they know of a high-risk episode (meets
    missing.inspector_informed); they must be able to supervise the case. Saying so twice
    changes nothing."""
    episode = services.episode_inspector_acknowledge(
        actor=request.actor,
        episode_id=episode_id,
        now=timezone.now(),
    )
    return _episode(response, episode)


@router.post("/missing/episodes/{episode_id}/plan", response={201: ActionOut})
@operation_requires(Permission.CASE_SUPERVISE)
def add_missing_plan_item(request: ActorRequest, episode_id: int, payload: PlanItemIn) -> Status:
    """An item of the supervisor's investigation plan: an action on the episode's case."""
    action = services.episode_plan_add(
        actor=request.actor,
        episode_id=episode_id,
        kind=payload.kind,
        detail=payload.detail,
        owner_id=payload.owner_id,
        due_on=payload.due_on,
        now=timezone.now(),
    )
    return Status(201, action)


# --- Found, and the interviews after -----------------------------------------------------------


@router.post("/missing/episodes/{episode_id}/found", response=EpisodeOut)
@operation_requires(Permission.CASE_WORK)
def record_missing_found(
    request: ActorRequest, response: HttpResponse, episode_id: int, payload: FoundIn
) -> EpisodeOut:
    """The child is found or has returned: the return home interview becomes a task for the
    responsible local authority. A time before the child went missing is 422 `found_at`."""
    actor = request.actor
    episode = with_expected_version(
        request,
        payload.version,
        lambda version: services.episode_found(
            actor=actor,
            episode_id=episode_id,
            version=version,
            found_at=payload.found_at,
            found_place=payload.found_place,
            found_by=payload.found_by,
            condition=payload.condition,
            now=timezone.now(),
        ),
    )
    return _episode(response, episode)


@router.post(
    "/missing/episodes/{episode_id}/prevention-interview",
    response={201: PreventionInterviewOut},
)
@operation_requires(Permission.CASE_WORK)
def record_prevention_interview(
    request: ActorRequest, episode_id: int, payload: PreventionIn
) -> Status:
    """The police prevention (safe and well) interview; it is the child's voice on the case,
    and exploitation indicators in it may raise an exploitation case (see `triggers`)."""
    interview = services.prevention_interview_record(
        actor=request.actor,
        episode_id=episode_id,
        data=services.PreventionInput(
            **payload.model_dump(exclude={"indicators"}),
            indicators=tuple(str(i) for i in payload.indicators),
        ),
        now=timezone.now(),
    )
    return Status(201, PreventionInterviewOut.of(interview))


def _return_interview(
    request: ActorRequest, response: HttpResponse, interview_id: int, payload: ReturnInterviewIn
) -> ReturnInterviewOut:
    actor = request.actor
    data = services.ReturnInterviewInput(
        offered_at=payload.offered_at,
        outcome=str(payload.outcome),
        interview_at=payload.interview_at,
        interviewer=payload.interviewer,
        summary=payload.summary,
    )
    task = with_expected_version(
        request,
        payload.version,
        lambda version: services.return_interview_record(
            actor=actor, interview_id=interview_id, version=version, data=data, now=timezone.now()
        ),
    )
    set_etag(response, task.version)
    return ReturnInterviewOut.of(task)


@router.get("/return-interviews", response=list[ReturnInterviewOut])
@operation_requires(Permission.RETURN_INTERVIEW_RECORD)
def list_return_interviews(
    request: ActorRequest, open_only: bool = True
) -> list[ReturnInterviewOut]:
    """A local authority user's return home interview tasks: only those disclosed to you,
    soonest due first; `open_only=false` includes the recorded ones."""
    tasks = selectors.return_interviews_disclosed_to(
        actor=request.actor,
        open_only=open_only,
    )
    prefetch_related_objects(tasks, "recorded_by")
    return [ReturnInterviewOut.of(task) for task in tasks]


@router.get("/return-interviews/{interview_id}", response=ReturnInterviewOut)
@operation_requires(Permission.RETURN_INTERVIEW_RECORD)
def get_return_interview(
    request: ActorRequest, response: HttpResponse, interview_id: int
) -> ReturnInterviewOut:
    task = selectors.return_interview_disclosed(
        actor=request.actor,
        interview_id=interview_id,
    )
    set_etag(response, task.version)
    return ReturnInterviewOut.of(task)


@router.post("/return-interviews/{interview_id}", response=ReturnInterviewOut)
@operation_requires(Permission.RETURN_INTERVIEW_RECORD)
def record_return_interview(
    request: ActorRequest, response: HttpResponse, interview_id: int, payload: ReturnInterviewIn
) -> ReturnInterviewOut:
    """The local authority records its return home interview (a task disclosed to you).
    Meets missing.return_home_interview when it was offered."""
    return _return_interview(request, response, interview_id, payload)


@router.post("/return-interviews/{interview_id}/on-behalf", response=ReturnInterviewOut)
@operation_requires(Permission.CASE_WORK)
def record_return_interview_on_behalf(
    request: ActorRequest, response: HttpResponse, interview_id: int, payload: ReturnInterviewIn
) -> ReturnInterviewOut:
    """The police record the return home interview for the local authority, on a case they
    can work; the task's id and version are in the episode's `return_interview`."""
    return _return_interview(request, response, interview_id, payload)


# --- Figures -----------------------------------------------------------------------------------


@router.get("/missing/figures", response=list[MonthFiguresOut])
@operation_requires(Permission.MISSING_FIGURES_VIEW)
def missing_figures(request: ActorRequest, filters: Query[FiguresQuery]) -> list[MonthFiguresOut]:
    """Aggregates only, oldest month first: episodes by grade, the median minutes from report
    to first attendance, return home interviews offered within 72 hours of the return, and
    children missing at least the force's repeat threshold of times in the month."""
    figures = selectors.monthly_figures(
        actor=request.actor,
        months=filters.months,
        now=timezone.now(),
    )
    return [
        MonthFiguresOut(
            month=m.month,
            episodes=m.episodes,
            by_grade=m.by_grade,
            median_minutes_to_attend=m.median_minutes_to_attend,
            returns=m.returns,
            rhi_offered_in_time=m.rhi_offered_in_time,
            rhi_percent=m.rhi_percent,
            repeat_children=m.repeat_children,
        )
        for m in figures
    ]
