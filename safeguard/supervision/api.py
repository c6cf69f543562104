"""Supervision API: allocate, review, approve closure, return for work, reopen; the force's
review intervals. Thin: the same services as the pages."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import InputSchema
from safeguard.cases.api import CaseOut, case_out
from safeguard.cases.models import Case
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.supervision import selectors, services
from safeguard.supervision.models import Review, ReviewPolicySetting

router = Router(tags=["supervision"])


class AllocateIn(InputSchema):
    owner_id: int
    version: int | None = None


class ReviewIn(InputSchema):
    findings: str = Field(max_length=20000)
    direction: str = Field(max_length=20000)
    next_review_on: date | None = None


class ReviewOut(Schema):
    id: int
    kind: str
    reviewer_id: int
    reviewed_at: datetime
    findings: str
    direction: str
    next_review_on: date | None


class ClosureIn(InputSchema):
    findings: str = Field(max_length=20000)
    direction: str = Field("", max_length=20000)
    version: int | None = None


class ReasonIn(InputSchema):
    reason: str = Field(max_length=5000)
    version: int | None = None


class PolicyOut(Schema):
    initial_review_hours: int
    periodic_review_days: int
    child_seen_high_hours: int
    child_seen_medium_days: int
    child_seen_standard_days: int
    version: int
    updated_at: datetime | None


class PolicyIn(InputSchema):
    initial_review_hours: int
    periodic_review_days: int
    child_seen_high_hours: int = 24
    child_seen_medium_days: int = 3
    child_seen_standard_days: int = 5
    version: int | None = None


def _case(response: HttpResponse, case: Case) -> CaseOut:
    set_etag(response, case.version)
    return case_out(case)


@router.post("/cases/{case_id}/allocate", response=CaseOut)
@operation_requires(Permission.CASE_SUPERVISE)
def allocate_case(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: AllocateIn
) -> CaseOut:
    actor = request.actor
    case = with_expected_version(
        request,
        payload.version,
        lambda version: services.case_allocate(
            actor=actor,
            case_id=case_id,
            version=version,
            owner_id=payload.owner_id,
            now=timezone.now(),
        ),
    )
    return _case(response, case)


@router.post("/cases/{case_id}/reviews", response={201: ReviewOut})
@operation_requires(Permission.CASE_SUPERVISE)
def record_review(request: ActorRequest, case_id: int, payload: ReviewIn) -> Status:
    review: Review = services.review_record(
        actor=request.actor,
        case_id=case_id,
        findings=payload.findings,
        direction=payload.direction,
        next_review_on=payload.next_review_on,
        now=timezone.now(),
    )
    return Status(201, review)


@router.post("/cases/{case_id}/approve-closure", response=CaseOut)
@operation_requires(Permission.CASE_SUPERVISE)
def approve_closure(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: ClosureIn
) -> CaseOut:
    """Close with a closure review: refused (422 closure_refused) without every subject
    child's voice, or when the supervisor investigated the case."""
    actor = request.actor
    case = with_expected_version(
        request,
        payload.version,
        lambda version: services.closure_approve(
            actor=actor,
            case_id=case_id,
            version=version,
            findings=payload.findings,
            direction=payload.direction,
            now=timezone.now(),
        ),
    )
    return _case(response, case)


@router.post("/cases/{case_id}/return-for-work", response=CaseOut)
@operation_requires(Permission.CASE_SUPERVISE)
def return_for_work(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: ReasonIn
) -> CaseOut:
    actor = request.actor
    case = with_expected_version(
        request,
        payload.version,
        lambda version: services.case_return_for_work(
            actor=actor, case_id=case_id, version=version, reason=payload.reason, now=timezone.now()
        ),
    )
    return _case(response, case)


@router.post("/cases/{case_id}/reopen", response=CaseOut)
@operation_requires(Permission.CASE_SUPERVISE)
def reopen_case(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: ReasonIn
) -> CaseOut:
    actor = request.actor
    case = with_expected_version(
        request,
        payload.version,
        lambda version: services.case_reopen(
            actor=actor, case_id=case_id, version=version, reason=payload.reason, now=timezone.now()
        ),
    )
    return _case(response, case)


@router.get("/settings/supervision", response=PolicyOut)
@operation_requires(Permission.POLICY_VIEW)
def get_policy(request: ActorRequest, response: HttpResponse) -> ReviewPolicySetting:
    setting = selectors.policy_get(actor=request.actor)
    set_etag(response, setting.version)
    return setting


@router.put("/settings/supervision", response=PolicyOut)
@operation_requires(Permission.POLICY_MANAGE)
def set_policy(
    request: ActorRequest, response: HttpResponse, payload: PolicyIn
) -> ReviewPolicySetting:
    actor = request.actor
    setting = with_expected_version(
        request,
        payload.version,
        lambda version: services.policy_update(
            actor=actor,
            version=version,
            data=services.PolicyInput(**payload.model_dump(exclude={"version"})),
            now=timezone.now(),
        ),
    )
    set_etag(response, setting.version)
    return setting
