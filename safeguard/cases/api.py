"""Cases API: list, read, record, change, the lifecycle steps of the case worker, and the
record-keeping (decisions, notes, actions, voice of the child). Thin: the same selectors and
services as the pages."""

from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import ClockOut, EventPage, InputSchema, clocks_out
from safeguard.cases import selectors, services
from safeguard.cases.models import Action, Case, Decision, Involvement, Note, VoiceOfChild
from safeguard.cases.rules.lifecycle import Status as CaseStatus
from safeguard.cases.rules.lifecycle import allowed_transitions
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.rules.referral import ReferralDecision
from safeguard.core.clocks import ClockView, clocks_for, clocks_for_many
from safeguard.core.errors import DomainError
from safeguard.core.pagination import KeysetPage
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.people.api import PersonOut

router = Router(tags=["cases"])


class PersonInCase(Schema):
    """A person's part in a case, read from the involvement."""

    person_id: int
    name: str
    role: str

    @staticmethod
    def resolve_name(involvement: "Involvement | PersonInCase") -> str:
        if isinstance(involvement, PersonInCase):
            return involvement.name
        return involvement.person.full_name


class CaseOut(Schema):
    id: int
    reference: str
    name: str = Field(
        description='The case as people name it: "CP-2026-000376 Benjamin Smith (12)" '
        "(reference, first subject child, age on the London date; '+ N more' for others)"
    )
    case_type: str
    source: str
    status: str
    risk_grade: str
    risk_rationale: str
    summary: str
    unit_id: int
    owner_id: int | None
    owner_name: str | None = Field(description="The owner's full name")
    referral_decision: str = Field(
        description="The referral decision at triage (docs/rules.md 5.1); blank until then"
    )
    referral_reason: str
    received_at: datetime
    allocated_at: datetime | None
    subjects_seen_at: datetime | None
    next_review_due_at: datetime | None
    closed_at: datetime | None
    version: int
    allowed_transitions: list[str]
    clocks: list[ClockOut]
    people: list[PersonInCase] | None = None

    # Ninja runs resolvers again when it validates the response: a CaseOut already built
    # (with the page's clocks, without people) keeps what it holds.

    @staticmethod
    def resolve_name(case: "Case | CaseOut") -> str:
        return case.name if isinstance(case, CaseOut) else case.display_name

    @staticmethod
    def resolve_owner_name(case: "Case | CaseOut") -> str | None:
        if isinstance(case, CaseOut):
            return case.owner_name
        return case.owner.display_name if case.owner else None

    @staticmethod
    def resolve_allowed_transitions(case: "Case | CaseOut") -> list[str]:
        if isinstance(case, CaseOut):
            return case.allowed_transitions
        return [str(t) for t in allowed_transitions(case.status_enum)]

    @staticmethod
    def resolve_clocks(
        case: "Case | CaseOut", context: dict[str, Any] | None = None
    ) -> list[ClockOut]:
        """The case's clocks: read with the page of cases when given (`clocks` in the
        context), otherwise as they stand now."""
        if isinstance(case, CaseOut):
            return case.clocks
        given = (context or {}).get("clocks")
        if given is None:
            given = clocks_for(object_type="case", object_id=case.pk, now=timezone.now())
        return clocks_out(given)

    @staticmethod
    def resolve_people(
        case: "Case | CaseOut", context: dict[str, Any] | None = None
    ) -> list[Any] | None:
        if isinstance(case, CaseOut):
            return case.people
        if not (context or {}).get("with_people", True):
            return None
        return selectors.case_involvements(case=case)


def case_out(
    case: Case, *, with_people: bool = True, clocks: list[ClockView] | None = None
) -> CaseOut:
    """A case for the API, from its attributes (the people in it unless asked not to)."""
    return CaseOut.model_validate(case, context={"with_people": with_people, "clocks": clocks})


class CasePage(Schema):
    items: list[CaseOut]
    # Pass as `after` for the next page; null on the last page.
    next_cursor: str | None


class CaseQuery(InputSchema):
    case_type: Case.Type | None = None
    status: CaseStatus | None = None
    risk_grade: Case.Grade | None = None
    unit_id: int | None = None
    owner_id: int | None = None
    overdue: bool = False
    sort: str = Field("newest", pattern="^(newest|oldest|reference|risk)$")
    after: str | None = Field(None, max_length=200)
    limit: int = Field(25, ge=1, le=100)


class PersonRoleIn(InputSchema):
    person_id: int
    role: Involvement.Role


class CaseIn(InputSchema):
    case_type: Case.Type
    source: Case.Source
    risk_grade: Case.Grade
    risk_rationale: str = Field(max_length=5000)
    received_at: datetime
    unit_id: int
    summary: str = Field("", max_length=10000)
    people: list[PersonRoleIn] = Field(min_length=1, max_length=50)


class CasePatch(InputSchema):
    case_type: Case.Type | None = None
    risk_grade: Case.Grade | None = None
    risk_rationale: str | None = Field(None, max_length=5000)
    summary: str | None = Field(None, max_length=10000)
    version: int | None = None


WORKER_TRANSITIONS = ("triage", "start_investigation", "request_closure")


class TransitionIn(InputSchema):
    transition: str = Field(
        max_length=40,
        description="triage, start_investigation or request_closure. Supervisors' steps "
        "(allocate, approve closure, return, reopen) have their own operations.",
    )
    decision: str = Field(
        "",
        max_length=40,
        description="For triage, required: the referral decision, one of "
        + ", ".join(d.value for d in ReferralDecision)
        + " (docs/rules.md 5.1)",
    )
    reason: str = Field(
        "", max_length=5000, description="Required for triage (the decision's reason)"
    )
    version: int | None = None


class DecisionIn(InputSchema):
    decision: str = Field(max_length=10000)
    rationale: str = Field(max_length=10000)
    supersedes_id: int | None = None


class DecisionOut(Schema):
    id: int
    decision: str
    rationale: str
    decided_by_id: int
    decided_at: datetime
    supersedes_id: int | None


class NoteIn(InputSchema):
    text: str = Field(max_length=20000)


class NoteOut(Schema):
    id: int
    text: str
    author_id: int
    written_at: datetime


# Not "ActionIn": the Encompass API has one (the school's action), and the OpenAPI schema names
# components by class name, so the two would publish one schema for both operations.
class CaseActionIn(InputSchema):
    title: str = Field(max_length=200)
    owner_id: int
    due_on: date


class ActionOut(Schema):
    id: int
    title: str
    owner_id: int
    due_on: date
    completed_at: datetime | None
    version: int


class VersionIn(InputSchema):
    version: int | None = None


class VoiceIn(InputSchema):
    child_id: int
    seen: bool
    seen_at: datetime | None = None
    spoken_to: bool
    spoken_to_alone: bool = False
    child_said: str = Field("", max_length=20000)
    demeanour: str = Field("", max_length=5000)
    not_seen_reason: str = Field("", max_length=5000)


class VoiceOut(Schema):
    id: int
    child_id: int
    seen: bool
    seen_at: datetime | None
    spoken_to: bool
    spoken_to_alone: bool
    child_said: str
    demeanour: str
    not_seen_reason: str
    recorded_by_id: int
    recorded_at: datetime


def _events(page: KeysetPage[Any]) -> EventPage:
    return EventPage.model_validate(page)


@router.get("/cases", response=CasePage)
@operation_requires(Permission.CASE_VIEW)
def list_cases(request: ActorRequest, filters: Query[CaseQuery]) -> CasePage:
    page = selectors.case_list_visible_to(
        actor=request.actor,
        filters=selectors.CaseFilters(
            case_type=filters.case_type or "",
            status=filters.status or "",
            risk_grade=filters.risk_grade or "",
            unit_id=filters.unit_id,
            owner_id=filters.owner_id,
            overdue=filters.overdue,
            sort=filters.sort,
        ),
        now=timezone.now(),
        after=filters.after,
        size=filters.limit,
    )
    clocks = clocks_for_many(
        object_type="case", object_ids=[c.pk for c in page.items], now=timezone.now()
    )
    return CasePage(
        items=[case_out(c, with_people=False, clocks=clocks.get(c.pk, [])) for c in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/cases", response={201: CaseOut})
@operation_requires(Permission.CASE_CREATE)
def create_case(request: ActorRequest, response: HttpResponse, payload: CaseIn) -> Status:
    case = services.case_create(
        actor=request.actor,
        data=services.CaseInput(
            **payload.model_dump(exclude={"people"}),
            people=tuple((p.person_id, str(p.role)) for p in payload.people),
        ),
        now=timezone.now(),
    )
    set_etag(response, case.version)
    return Status(201, case_out(case))


@router.get("/cases/{case_id}", response=CaseOut)
@operation_requires(Permission.CASE_VIEW)
def get_case(request: ActorRequest, response: HttpResponse, case_id: int) -> CaseOut:
    case = selectors.case_get(actor=request.actor, case_id=case_id)
    set_etag(response, case.version)
    return case_out(case)


@router.patch("/cases/{case_id}", response=CaseOut)
@operation_requires(Permission.CASE_WORK)
def update_case(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: CasePatch
) -> CaseOut:
    actor = request.actor
    changes = payload.model_dump(exclude={"version"}, exclude_unset=True, exclude_none=True)
    case = with_expected_version(
        request,
        payload.version,
        lambda version: services.case_update(
            actor=actor, case_id=case_id, version=version, changes=changes, now=timezone.now()
        ),
    )
    set_etag(response, case.version)
    return case_out(case)


@router.post("/cases/{case_id}/transitions", response=CaseOut)
@operation_requires(Permission.CASE_WORK)
def transition_case(
    request: ActorRequest, response: HttpResponse, case_id: int, payload: TransitionIn
) -> CaseOut:
    """The case worker's steps. An illegal step is 422 `illegal_transition` naming the
    allowed ones in `fields.allowed`."""
    actor = request.actor
    now = timezone.now()
    name = payload.transition
    if name == "request_closure":
        case = with_expected_version(
            request,
            payload.version,
            lambda version: services.case_request_closure(
                actor=actor, case_id=case_id, version=version, reason=payload.reason, now=now
            ),
        )
    elif name == "triage":
        case = with_expected_version(
            request,
            payload.version,
            lambda version: services.case_triage(
                actor=actor,
                case_id=case_id,
                version=version,
                decision=payload.decision,
                reason=payload.reason,
                now=now,
            ),
        )
    elif name == "start_investigation":
        case = with_expected_version(
            request,
            payload.version,
            lambda version: services.case_start_investigation(
                actor=actor, case_id=case_id, version=version, now=now
            ),
        )
    else:
        allowed = ", ".join(WORKER_TRANSITIONS)
        raise DomainError(
            "invalid",
            f"Choose one of: {allowed}. Supervisors' steps have their own operations.",
            {"transition": f"Choose one of: {allowed}"},
        )
    set_etag(response, case.version)
    return case_out(case)


@router.post("/cases/{case_id}/people", response={201: PersonInCase})
@operation_requires(Permission.CASE_WORK)
def add_case_person(request: ActorRequest, case_id: int, payload: PersonRoleIn) -> Status:
    involvement = services.case_add_person(
        actor=request.actor,
        case_id=case_id,
        person_id=payload.person_id,
        role=str(payload.role),
        now=timezone.now(),
    )
    return Status(201, PersonInCase.model_validate(involvement))


@router.get("/cases/{case_id}/decisions", response=list[DecisionOut])
@operation_requires(Permission.CASE_VIEW)
def list_decisions(request: ActorRequest, case_id: int) -> list[Decision]:
    case = selectors.case_get(actor=request.actor, case_id=case_id)
    return list(case.decisions.all())


@router.post("/cases/{case_id}/decisions", response={201: DecisionOut})
@operation_requires(Permission.CASE_WORK)
def record_decision(request: ActorRequest, case_id: int, payload: DecisionIn) -> Status:
    """Decisions are never edited; send `supersedes_id` to replace an earlier one."""
    decision = services.decision_record(
        actor=request.actor,
        case_id=case_id,
        decision=payload.decision,
        rationale=payload.rationale,
        supersedes_id=payload.supersedes_id,
        now=timezone.now(),
    )
    return Status(201, decision)


@router.post("/cases/{case_id}/notes", response={201: NoteOut})
@operation_requires(Permission.CASE_WORK)
def add_note(request: ActorRequest, case_id: int, payload: NoteIn) -> Status:
    note: Note = services.note_add(
        actor=request.actor,
        case_id=case_id,
        text=payload.text,
        now=timezone.now(),
    )
    return Status(201, note)


@router.post("/cases/{case_id}/actions", response={201: ActionOut})
@operation_requires(Permission.CASE_WORK)
def add_action(request: ActorRequest, case_id: int, payload: CaseActionIn) -> Status:
    action: Action = services.action_add(
        actor=request.actor,
        case_id=case_id,
        title=payload.title,
        owner_id=payload.owner_id,
        due_on=payload.due_on,
        now=timezone.now(),
    )
    return Status(201, action)


@router.post("/cases/{case_id}/actions/{action_id}/complete", response=ActionOut)
@operation_requires(Permission.CASE_WORK)
def complete_action(
    request: ActorRequest, case_id: int, action_id: int, payload: VersionIn
) -> Action:
    actor = request.actor
    return with_expected_version(
        request,
        payload.version,
        lambda version: services.action_complete(
            actor=actor, case_id=case_id, action_id=action_id, version=version, now=timezone.now()
        ),
    )


@router.post("/cases/{case_id}/voice", response={201: VoiceOut})
@operation_requires(Permission.CASE_WORK)
def record_voice(request: ActorRequest, case_id: int, payload: VoiceIn) -> Status:
    voice: VoiceOfChild = services.voice_record(
        actor=request.actor,
        case_id=case_id,
        child_id=payload.child_id,
        voice=VoiceInput(**payload.model_dump(exclude={"child_id"})),
        now=timezone.now(),
    )
    return Status(201, voice)


@router.get("/cases/{case_id}/timeline", response=EventPage)
@operation_requires(Permission.CASE_VIEW)
def case_timeline(request: ActorRequest, case_id: int, after: str | None = None) -> EventPage:
    case = selectors.case_get(actor=request.actor, case_id=case_id)
    return _events(selectors.case_timeline(case=case, after=after))


@router.get("/people/{person_id}/chronology", response=EventPage)
@operation_requires(Permission.PERSON_VIEW)
def child_chronology(request: ActorRequest, person_id: int, after: str | None = None) -> EventPage:
    chronology = selectors.child_chronology(
        actor=request.actor,
        person_id=person_id,
        after=after,
    )
    return _events(chronology.page)


class MergeIn(InputSchema):
    merge_id: int
    merge_version: int
    keep_version: int | None = None


@router.post("/people/{person_id}/merge", response=PersonOut, tags=["people"])
@operation_requires(Permission.PERSON_MANAGE)
def merge_person(
    request: ActorRequest, response: HttpResponse, person_id: int, payload: MergeIn
) -> PersonOut:
    """Merge record `merge_id` into this one; both versions are checked. The case records
    naming the merged record (involvements, voices, sightings) move to this one."""
    actor = request.actor
    kept = with_expected_version(
        request,
        payload.keep_version,
        lambda version: services.person_merge_with_cases(
            actor=actor,
            keep_id=person_id,
            merge_id=payload.merge_id,
            keep_version=version,
            merge_version=payload.merge_version,
            now=timezone.now(),
        ),
    )
    set_etag(response, kept.version)
    return PersonOut.model_validate(kept)
