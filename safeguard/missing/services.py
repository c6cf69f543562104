"""Changes to missing episodes, each one unit of work (core.unit_of_work): the episode locked
within the actor's reach (cases.services.case_record_for_update), the version checked, the
lifecycle's guard run (rules/lifecycle.py), the write, its audit entry, timeline events about
the child, and the case's clocks recomputed once on the way out. What an episode does to its
case (a regrade, the child seen, the trigger on an exploitation case) goes through the cases
services, each audited as `case`."""

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from PIL import Image, UnidentifiedImageError

from safeguard.accounts.models import Unit, User
from safeguard.accounts.selectors import unit_of_type
from safeguard.cases.models import Action, Case, Involvement
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.selectors import can_act_on, case_open_of_kind_for_child, cases_visible_to
from safeguard.cases.services import (
    CaseInput,
    action_add,
    case_clocks_rederive,
    case_create,
    case_mark_triaged,
    case_record_child_seen,
    case_record_event,
    case_record_for_update,
    case_regrade,
    voice_record,
)
from safeguard.core.actor import Actor
from safeguard.core.calendars import LONDON, london_date
from safeguard.core.disclosures import Notice, disclose
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.permissions import Permission, Role
from safeguard.core.unit_of_work import Change, record_change, record_create
from safeguard.missing.models import (
    Episode,
    GradeChange,
    MissingPolicySetting,
    Photo,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.missing.rules import lifecycle, response
from safeguard.missing.rules.episodes import (
    RHI_BEFORE_RETURN,
    episode_problems,
    indicator_trigger,
    repeat_trigger,
    return_interview_due,
)
from safeguard.missing.rules.episodes import Trigger as FiredTrigger
from safeguard.missing.rules.grading import (
    PHOTO_FORMATS,
    Grade,
    Indicator,
    MissingFrom,
    RiskFactors,
    Suggestion,
    grade_problems,
    photo_problems,
    suggest_grade,
)
from safeguard.missing.rules.lifecycle import EPISODE_LIFECYCLE, EpisodeStep
from safeguard.missing.selectors import (
    RHI_DISCLOSURE,
    episode_starts_of_child,
    missing_policy_for,
    return_interview_disclosed,
)
from safeguard.partners.models import LocalAuthority
from safeguard.people.models import Person

REQUIRED = "Enter {what}"
NOT_A_CHILD = "A missing-child report is for someone under 18"
PLACEMENT_REQUIRED = "Enter the name of the care placement"
LA_UNKNOWN = "Select the responsible local authority"
LAST_SEEN_AFTER_REPORT = "The time last seen must be before the time of the report"
REPORT_IN_FUTURE = "The time of the report must be now or in the past"
NOT_MISSING = lifecycle.NOT_MISSING
NOT_FOUND_YET = lifecycle.NOT_FOUND_YET
ALREADY_ATTENDED = "First attendance is already recorded"
ATTEND_BEFORE_REPORT = "The time of attendance must be after the report"
IN_FUTURE = "The time must be now or in the past"
INTERVIEW_BEFORE_FOUND = "The prevention interview must be after the child was found"
ALREADY_INTERVIEWED = "A prevention interview is already recorded"
NEVER_HIGH = "Only a high-risk episode needs the duty inspector"
ALREADY_RECORDED = "This return home interview is already recorded"
OUTCOME_REQUIRED = "Select the outcome of the return home interview"
INTERVIEW_DATE_REQUIRED = "Enter when the interview took place"
PLAN_KINDS = {
    "search": "Search",
    "enquiries": "Enquiries",
    "cctv": "CCTV",
    "phone": "Phone checks",
    "social_media": "Social media checks",
}
RHI_PURPOSE = "Independent return home interview (DfE 2014)"


def _valid(value: str, enum: Any) -> bool:
    return value in {member.value for member in enum}


def _london(moment: datetime, pattern: str = "%d %b %Y %H:%M") -> str:
    """A time as people in England and Wales read it, whatever zone it came in."""
    return moment.astimezone(LONDON).strftime(pattern)


@dataclass(frozen=True)
class ReportInput:
    child_id: int
    reported_at: datetime
    reported_by: str
    last_seen_at: datetime
    last_seen_place: str
    circumstances: str
    missing_from: str
    local_authority_id: int | None
    grade: str
    grade_rationale: str
    source: str = Case.Source.EMERGENCY_CALL
    reporter_relationship: str = ""
    placement_name: str = ""
    description: str = ""
    health_needs: str = ""
    medication: str = ""
    self_harm_risk: bool = False
    urgent_health_need: bool = False
    suspected_crime: bool = False
    out_of_character: bool = False
    indicators: tuple[str, ...] = field(default_factory=tuple)


def _child(actor: Actor, child_id: int) -> Person:
    child = Person.objects.filter(
        force_id=actor.force_id, pk=child_id, merged_into__isnull=True
    ).first()
    if child is None or not actor.can(Permission.PERSON_VIEW):
        raise NotFound("No such person.")
    return child


def _factors(child: Person, data: ReportInput, now: datetime, window_days: int) -> RiskFactors:
    starts = episode_starts_of_child(child.pk)
    earlier = [s for s in starts if (data.last_seen_at - s).days < window_days]
    return RiskFactors(
        age_years=child.age(london_date(data.last_seen_at)) or 0,
        missing_from=MissingFrom(data.missing_from),
        self_harm_or_suicide_risk=data.self_harm_risk,
        urgent_medication_or_health_need=data.urgent_health_need,
        suspected_victim_of_crime=data.suspected_crime,
        out_of_character=data.out_of_character,
        indicators=frozenset(Indicator(i) for i in data.indicators),
        episodes_in_last_90_days=len(earlier),
    )


def _report_problems(actor: Actor, data: ReportInput, now: datetime) -> list[tuple[str, str]]:
    problems = []
    for name, what in (
        ("reported_by", "who reported the child missing"),
        ("last_seen_place", "where the child was last seen"),
        ("circumstances", "the circumstances"),
    ):
        if not str(getattr(data, name)).strip():
            problems.append((name, REQUIRED.format(what=what)))
    if not _valid(data.missing_from, MissingFrom):
        problems.append(("missing_from", "Select where the child went missing from"))
    elif data.missing_from == MissingFrom.CARE and not data.placement_name.strip():
        problems.append(("placement_name", PLACEMENT_REQUIRED))
    if (
        data.local_authority_id is None
        or not LocalAuthority.objects.filter(
            force_id=actor.force_id, pk=data.local_authority_id
        ).exists()
    ):
        problems.append(("local_authority", LA_UNKNOWN))
    if not _valid(data.source, Case.Source):
        problems.append(("source", "Select how the report came in"))
    if not all(_valid(i, Indicator) for i in data.indicators):
        problems.append(("indicators", "Select exploitation indicators from the list"))
    if not _valid(data.grade, Grade):
        problems.append(("grade", "Select a risk grade"))
    if data.reported_at > now:
        problems.append(("reported_at", REPORT_IN_FUTURE))
    if data.last_seen_at > data.reported_at:
        problems.append(("last_seen_at", LAST_SEEN_AFTER_REPORT))
    return problems


def episode_suggest(*, actor: Actor, data: ReportInput, now: datetime) -> Suggestion:
    """The grade the answers suggest, with the answers that led to it (nothing is saved)."""
    actor.require(Permission.CASE_CREATE)
    child = _child(actor, data.child_id)
    problems = [
        p for p in _report_problems(actor, data, now) if p[0] in ("missing_from", "indicators")
    ]
    refuse_if(problems)
    window = missing_policy_for(actor.force_id).repeat_window_days
    return suggest_grade(_factors(child, data, now, window))


def _unit_for(force_id: int, unit_type: str, fallback: int | None = None) -> int:
    unit = unit_of_type(force_id, unit_type)
    if unit is not None:
        return unit.pk
    if fallback is None:
        raise DomainError("invalid", f"The force has no {unit_type} unit to send this to")
    return fallback


def _image_format(content: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def photo_check(content: bytes) -> str:
    """The photo's content type, or refuse (not an image, too large, empty)."""
    image_format = _image_format(content) if 0 < len(content) <= 5 * 1024 * 1024 else None
    refuse_if(photo_problems(size=len(content), image_format=image_format))
    return PHOTO_FORMATS[image_format or ""]


def _photo_save(change: Change[Episode], content: bytes, content_type: str) -> Photo:
    episode = change.record
    return Photo.objects.create(
        force_id=episode.force_id,
        episode=episode,
        content_type=content_type,
        data=content,
        size=len(content),
        uploaded_by_id=change.actor.user_id,
        uploaded_at=change.now,
    )


# The unit of work for an episode, and its guards ---------------------------------------------


@contextmanager
def _episode_change(
    *,
    actor: Actor,
    episode_id: int,
    now: datetime,
    version: int | None = None,
    permission: Permission = Permission.CASE_WORK,
    guard: Callable[[Episode], None] | None = None,
    reason: str = "",
) -> Iterator[Change[Episode]]:
    """A change to an episode: locked within `permission`'s reach on a case that is not closed,
    the version checked, the guard run, audited as `missing_episode`, its events on the case's
    timeline and the case's clocks (the missing.* clocks ride on it) recomputed once."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="missing_episode",
        lock=lambda: case_record_for_update(
            Episode, episode_id, actor=actor, permission=permission
        ),
        version=version,
        guard=guard,
        reason=reason,
        noun="missing episode",
    ) as change:
        change.recompute("case", change.record.case, case_clocks_rederive)
        yield change


def _allowed(step: EpisodeStep) -> Callable[[Episode], None]:
    """A guard from the lifecycle table: the episode's status allows `step`, or the refusal
    says why (still missing, or not found yet)."""

    def guard(episode: Episode) -> None:
        message = lifecycle.refusal(episode.status, step)
        if message is not None:
            raise DomainError("invalid", message)

    guard.__name__ = f"episode_allows_{step}"
    return guard


# The named guards: each step's precondition, checked on the locked episode.
still_missing_to_regrade = _allowed(EpisodeStep.REGRADE)
still_missing_to_review_grade = _allowed(EpisodeStep.SUPERVISOR_REVIEW)
still_missing_to_review_risk = _allowed(EpisodeStep.RISK_REVIEW)
still_missing_to_find = _allowed(EpisodeStep.RECORD_FOUND)
found_for_prevention_interview = _allowed(EpisodeStep.PREVENTION_INTERVIEW)


def not_yet_attended(episode: Episode) -> None:
    """Guard: first attendance is recorded once."""
    if episode.first_attended_at is not None:
        refuse_if([("attended_at", ALREADY_ATTENDED)])


def ever_graded_high(episode: Episode) -> None:
    """Guard: only an episode that has been graded high needs the duty inspector."""
    if not GradeChange.objects.filter(episode=episode, grade=Grade.HIGH).exists():
        raise DomainError("invalid", NEVER_HIGH)


def not_yet_recorded(task: ReturnInterview) -> None:
    """Guard: a recorded return home interview is never overwritten."""
    if task.recorded_at is not None:
        raise DomainError("invalid", ALREADY_RECORDED)


# Reporting -----------------------------------------------------------------------------------


def episode_report(
    *, actor: Actor, data: ReportInput, now: datetime, photo: bytes | None = None
) -> Episode:
    """Report a child missing: a case of type "missing" in the missing persons unit, its
    episode, the grade with its rationale, and the episode's clocks, in one unit of work. The
    clocks count from the time the child was reported missing, however late it is typed in."""
    actor.require(Permission.CASE_CREATE)
    child = _child(actor, data.child_id)
    problems = _report_problems(actor, data, now)
    age = child.age(london_date(data.last_seen_at))
    if age is not None and age >= 18:
        problems.append(("child", NOT_A_CHILD))
    refuse_if(problems)
    content_type = photo_check(photo) if photo is not None else ""
    policy = missing_policy_for(actor.force_id)
    suggestion = suggest_grade(_factors(child, data, now, policy.repeat_window_days))
    supervisor = actor.can(Permission.CASE_SUPERVISE)
    refuse_if(
        grade_problems(
            suggested=suggestion.grade,
            chosen=Grade(data.grade),
            rationale=data.grade_rationale,
            supervisor_agreed=supervisor,
        )
    )
    with record_create(actor=actor, now=now, audit_as="missing_episode") as change:
        case = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.MISSING,
                source=data.source,
                risk_grade=response.CASE_GRADE[Grade(data.grade)],
                risk_rationale=data.grade_rationale,
                received_at=data.reported_at,
                unit_id=_unit_for(actor.force_id, Unit.Type.MISSING),
                summary=f"Missing from {data.last_seen_place.strip()}. "
                f"{data.circumstances.strip()}",
                people=((child.pk, Involvement.Role.SUBJECT),),
            ),
            now=now,
        )
        # The grading is the decision on the report: the case is triaged as it is recorded
        # (through the cases service, since a reporter outside the missing persons unit has
        # CASE_WORK only for their own unit).
        case = case_mark_triaged(actor=actor, case_id=case.pk, now=now)
        episode = change.created(
            Episode.objects.create(
                force_id=actor.force_id,
                case=case,
                child=child,
                reported_at=data.reported_at,
                reported_by=data.reported_by.strip(),
                reporter_relationship=data.reporter_relationship.strip(),
                missing_from=data.missing_from,
                placement_name=data.placement_name.strip(),
                local_authority_id=data.local_authority_id or 0,  # checked above
                last_seen_at=data.last_seen_at,
                last_seen_place=data.last_seen_place.strip(),
                circumstances=data.circumstances.strip(),
                description=data.description.strip(),
                age_years=age or 0,
                health_needs=data.health_needs.strip(),
                medication=data.medication.strip(),
                self_harm_risk=data.self_harm_risk,
                urgent_health_need=data.urgent_health_need,
                suspected_crime=data.suspected_crime,
                out_of_character=data.out_of_character,
                indicators=sorted(set(data.indicators)),
                suggested_grade=suggestion.grade,
                grade=data.grade,
                grade_rationale=data.grade_rationale.strip(),
                created_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
        )
        change.recompute("case", case, case_clocks_rederive)
        # Recorded when it was typed in; the clocks count the report's grade from reported_at.
        GradeChange.objects.create(
            force_id=actor.force_id,
            episode=episode,
            grade=data.grade,
            suggested_grade=suggestion.grade,
            rationale=data.grade_rationale.strip(),
            changed_by_id=actor.user_id,
            agreed_by_id=actor.user_id if supervisor else None,
            changed_at=now,
        )
        if photo is not None:
            _photo_save(change, photo, content_type)
        change.event(
            "missing.reported",
            f"Reported missing from {episode.get_missing_from_display().lower()}",
            f"Last seen {_london(data.last_seen_at)} at {episode.last_seen_place}. "
            f"Graded {Grade(data.grade).label.lower()} (suggested "
            f"{suggestion.grade.label.lower()}: {'; '.join(suggestion.reasons)}).",
            about=child.pk,
            at=data.reported_at,
        )
        _evaluate_triggers(change, episode.indicators)
    return episode


# Grading -------------------------------------------------------------------------------------


def _regrade(change: Change[Episode], grade: Grade, rationale: str, agreed: bool) -> None:
    """A new grade on the episode, in its history, and on its case (through the cases
    service, so the case's grade change has its own `case` audit entry)."""
    episode = change.record
    change.write(grade=grade.value, grade_rationale=rationale.strip())
    GradeChange.objects.create(
        force_id=episode.force_id,
        episode=episode,
        grade=grade.value,
        suggested_grade=episode.suggested_grade,
        rationale=rationale.strip(),
        changed_by_id=change.actor.user_id,
        agreed_by_id=change.actor.user_id if agreed else None,
        changed_at=change.now,
    )
    case_regrade(
        actor=change.actor,
        case_id=episode.case_id,
        grade=response.CASE_GRADE[grade],
        rationale=rationale,
        now=change.now,
        reason="missing_regrade",
    )


def episode_regrade(
    *, actor: Actor, episode_id: int, version: int, grade: str, rationale: str, now: datetime
) -> Episode:
    """Change the grade: higher at any time; lower than suggested only by a supervisor. A
    higher grade's tighter deadlines count from now, the regrade's own time."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        version=version,
        guard=still_missing_to_regrade,
        reason="regrade",
    ) as change:
        episode = change.record
        refuse_if([] if _valid(grade, Grade) else [("grade", "Select a risk grade")])
        supervisor = can_act_on(
            actor=actor, case=episode.case, permission=Permission.CASE_SUPERVISE
        )
        refuse_if(
            grade_problems(
                suggested=Grade(episode.suggested_grade),
                chosen=Grade(grade),
                rationale=rationale,
                supervisor_agreed=supervisor,
            )
        )
        before = episode.grade_enum
        _regrade(change, Grade(grade), rationale, supervisor)
        change.event(
            "missing.regraded",
            f"Risk regraded from {before.label.lower()} to {Grade(grade).label.lower()}",
            rationale.strip(),
            about=episode.child_id,
        )
    return episode


def episode_supervisor_review(
    *, actor: Actor, episode_id: int, version: int, grade: str, rationale: str, now: datetime
) -> Episode:
    """A supervisor reviews the grade: confirms it, or changes it (up or down) with a rationale."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        version=version,
        permission=Permission.CASE_SUPERVISE,
        guard=still_missing_to_review_grade,
        reason="supervisor_review",
    ) as change:
        episode = change.record
        problems = [] if _valid(grade, Grade) else [("grade", "Select a risk grade")]
        if not rationale.strip():
            problems.append(("rationale", "Enter the rationale for your review"))
        refuse_if(problems)
        before = episode.grade_enum
        if Grade(grade) != before:
            _regrade(change, Grade(grade), rationale, True)
        RiskReview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            kind=RiskReview.Kind.SUPERVISOR,
            grade=grade,
            note=rationale.strip(),
            reviewed_by_id=actor.user_id,
            reviewed_at=now,
        )
        change.audit(changed=["grade_review"])
        title = (
            f"Supervisor confirmed the grade: {before.label.lower()}"
            if Grade(grade) == before
            else f"Supervisor regraded from {before.label.lower()} to {Grade(grade).label.lower()}"
        )
        change.event("missing.supervisor_review", title, rationale.strip(), about=episode.child_id)
    return episode


def episode_risk_review(*, actor: Actor, episode_id: int, note: str, now: datetime) -> RiskReview:
    """Record a review of the risk while the child is missing; restarts the review clock."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        guard=still_missing_to_review_risk,
        reason="risk_review",
    ) as change:
        episode = change.record
        refuse_if([] if note.strip() else [("note", "Enter what was reviewed and found")])
        review = RiskReview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            kind=RiskReview.Kind.OFFICER,
            grade=episode.grade,
            note=note.strip(),
            reviewed_by_id=actor.user_id,
            reviewed_at=now,
        )
        change.audit(changed=["risk_review"])
        change.event("missing.risk_review", "Risk reviewed", note.strip(), about=episode.child_id)
    return review


# The response --------------------------------------------------------------------------------


def episode_attended(
    *, actor: Actor, episode_id: int, version: int, attended_at: datetime, now: datetime
) -> Episode:
    """An officer attended (meets missing.first_attendance, due from the time of the report)."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        version=version,
        guard=not_yet_attended,
        reason="attended",
    ) as change:
        episode = change.record
        problems = []
        if attended_at > now:
            problems.append(("attended_at", IN_FUTURE))
        elif attended_at < episode.reported_at:
            problems.append(("attended_at", ATTEND_BEFORE_REPORT))
        refuse_if(problems)
        change.write(first_attended_at=attended_at)
        change.event(
            "missing.attended",
            f"Attended at {_london(attended_at, '%d %b %H:%M')}",
            about=episode.child_id,
            at=attended_at,
        )
    return episode


def episode_inspector_acknowledge(*, actor: Actor, episode_id: int, now: datetime) -> Episode:
    """The duty inspector records that they know of a high-risk episode (APP: a senior manager
    is involved). Saying so twice changes nothing."""
    actor.require(Permission.DUTY_VIEW)
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        permission=Permission.CASE_SUPERVISE,
        guard=ever_graded_high,
        reason="inspector_informed",
    ) as change:
        episode = change.record
        if episode.inspector_informed_at is None:
            change.write(inspector_informed_at=now, inspector_informed_by_id=actor.user_id)
            change.event("missing.inspector", "Duty inspector informed", about=episode.child_id)
    return episode


def episode_plan_add(
    *,
    actor: Actor,
    episode_id: int,
    kind: str,
    detail: str,
    owner_id: int,
    due_on: date,
    now: datetime,
) -> Action:
    """An item of the supervisor's investigation plan: an action on the case with an owner
    (the cases service writes it, audited as `case`)."""
    with _episode_change(
        actor=actor, episode_id=episode_id, now=now, permission=Permission.CASE_SUPERVISE
    ) as change:
        problems = [] if kind in PLAN_KINDS else [("kind", "Select the kind of enquiry")]
        if not detail.strip():
            problems.append(("detail", "Enter what is to be done"))
        refuse_if(problems)
        return action_add(
            actor=actor,
            case_id=change.record.case_id,
            title=f"{PLAN_KINDS[kind]}: {detail.strip()}"[:200],
            owner_id=owner_id,
            due_on=due_on,
            now=now,
        )


def photo_add(*, actor: Actor, episode_id: int, content: bytes, now: datetime) -> Photo:
    content_type = photo_check(content)
    with _episode_change(actor=actor, episode_id=episode_id, now=now, reason="photo") as change:
        photo = _photo_save(change, content, content_type)
        change.audit(changed=["photo"])
        change.event("missing.photo", "Photo added", about=change.record.child_id)
    return photo


# Found, and the interviews after -------------------------------------------------------------


def _la_members(local_authority_id: int) -> list[User]:
    return list(
        User.objects.filter(
            local_authorities__pk=local_authority_id,
            is_active=True,
            role_grants__role=Role.PARTNER,
        ).distinct()
    )


def _return_interview_task(change: Change[Episode], found_at: datetime) -> ReturnInterview:
    """The return home interview as a task for the responsible local authority (its own
    record, audited as created), disclosed to the authority's users and announced to each by
    an email holding only a link and the time the offer is due."""
    episode = change.record
    with record_create(actor=change.actor, now=change.now, audit_as="return_interview") as made:
        task = made.created(
            ReturnInterview.objects.create(
                force_id=episode.force_id,
                episode=episode,
                local_authority_id=episode.local_authority_id,
                returned_at=found_at,
                # Elapsed time in UTC, whatever zone found_at came in.
                due_at=return_interview_due(found_at),
                created_at=change.now,
            )
        )
        notice = Notice(
            subject="A return home interview is due",
            body=(
                "A child has returned after being missing. Sign in to Safeguard to see the "
                "return home interview task. It must be offered by "
                f"{_london(task.due_at, '%H:%M on %d %b %Y')} (UK time)."
            ),
            link=f"/return-interviews/{task.pk}/",
        )
        for member in _la_members(episode.local_authority_id):
            disclose(
                made,
                recipient_id=member.pk,
                recipient_name=member.username,
                recipient_email=member.email,
                object_type=RHI_DISCLOSURE,
                object_id=task.pk,
                purpose=RHI_PURPOSE,
                notice=notice,
                audit_as="return_interview",
            )
    return task


def episode_found(
    *,
    actor: Actor,
    episode_id: int,
    version: int,
    found_at: datetime,
    found_place: str,
    found_by: str,
    condition: str,
    now: datetime,
) -> Episode:
    """The child is found or has returned: with their condition recorded, they count as seen
    on the case; the return home interview becomes a task for the responsible local
    authority, disclosed to its users and announced by email without any detail of the child."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        version=version,
        guard=still_missing_to_find,
        reason="found",
    ) as change:
        episode = change.record
        problems = episode_problems(last_seen_at=episode.last_seen_at, found_at=found_at, now=now)
        for name, value, what in (
            ("found_place", found_place, "where the child was found"),
            ("found_by", found_by, "who found the child, or that they returned themselves"),
            ("condition", condition, "the child's condition"),
        ):
            if not value.strip():
                problems.append((name, REQUIRED.format(what=what)))
        refuse_if(problems)
        change.write(
            status=str(
                EPISODE_LIFECYCLE.next_status(episode.status_enum, EpisodeStep.RECORD_FOUND)
            ),
            found_at=found_at,
            found_place=found_place.strip(),
            found_by=found_by.strip(),
            condition=condition.strip(),
        )
        _return_interview_task(change, found_at)
        change.event(
            "missing.found",
            f"Found or returned at {_london(found_at)}",
            f"{found_place.strip()}. Condition: {condition.strip()}",
            about=episode.child_id,
            at=found_at,
        )
        case_record_child_seen(
            actor=actor,
            case_id=episode.case_id,
            child_id=episode.child_id,
            seen_at=found_at,
            how=f"Found or returned, condition recorded: {found_place.strip()}",
            now=now,
        )
    return episode


@dataclass(frozen=True)
class PreventionInput:
    conducted_at: datetime
    harm_suffered: str
    why_went: str
    spoken_to_alone: bool = False
    offences: str = ""
    indicators: tuple[str, ...] = field(default_factory=tuple)
    notes: str = ""


def prevention_interview_record(
    *, actor: Actor, episode_id: int, data: PreventionInput, now: datetime
) -> PreventionInterview:
    """The police prevention interview: harm, offences, why they went, exploitation
    indicators. It is also the child's voice on the case, and may fire the indicator trigger."""
    with _episode_change(
        actor=actor,
        episode_id=episode_id,
        now=now,
        guard=found_for_prevention_interview,
        reason="prevention_interview",
    ) as change:
        episode = change.record
        found_at = episode.found_at or now  # set whenever the guard lets the step through
        problems = []
        if PreventionInterview.objects.filter(episode=episode).exists():
            problems.append(("conducted_at", ALREADY_INTERVIEWED))
        elif data.conducted_at > now:
            problems.append(("conducted_at", IN_FUTURE))
        elif data.conducted_at < found_at:
            problems.append(("conducted_at", INTERVIEW_BEFORE_FOUND))
        if not data.harm_suffered.strip():
            problems.append(("harm_suffered", REQUIRED.format(what="any harm suffered, or none")))
        if not data.why_went.strip():
            problems.append(("why_went", REQUIRED.format(what="why the child went")))
        if not all(_valid(i, Indicator) for i in data.indicators):
            problems.append(("indicators", "Select exploitation indicators from the list"))
        refuse_if(problems)
        interview = PreventionInterview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            conducted_at=data.conducted_at,
            conducted_by_id=actor.user_id,
            spoken_to_alone=data.spoken_to_alone,
            harm_suffered=data.harm_suffered.strip(),
            offences=data.offences.strip(),
            why_went=data.why_went.strip(),
            indicators=sorted(set(data.indicators)),
            notes=data.notes.strip(),
            recorded_at=now,
        )
        voice_record(
            actor=actor,
            case_id=episode.case_id,
            child_id=episode.child_id,
            voice=VoiceInput(
                seen=True,
                seen_at=data.conducted_at,
                spoken_to=True,
                spoken_to_alone=data.spoken_to_alone,
                child_said=data.why_went.strip(),
                demeanour=data.harm_suffered.strip(),
                not_seen_reason="",
            ),
            now=now,
        )
        change.audit(changed=["prevention_interview"])
        change.event(
            "missing.prevention",
            "Prevention interview recorded",
            about=episode.child_id,
            at=data.conducted_at,
        )
        _evaluate_triggers(change, [*episode.indicators, *data.indicators])
    return interview


@dataclass(frozen=True)
class ReturnInterviewInput:
    offered_at: datetime
    outcome: str
    interview_at: datetime | None = None
    interviewer: str = ""
    summary: str = ""


def _return_interview_problems(
    task: ReturnInterview, data: ReturnInterviewInput, now: datetime
) -> list[tuple[str, str]]:
    problems = []
    if not _valid(data.outcome, ReturnInterview.Outcome):
        problems.append(("outcome", OUTCOME_REQUIRED))
    if data.offered_at > now:
        problems.append(("offered_at", IN_FUTURE))
    elif data.offered_at < task.returned_at:
        problems.append(("offered_at", RHI_BEFORE_RETURN))
    if data.outcome == ReturnInterview.Outcome.COMPLETED and data.interview_at is None:
        problems.append(("interview_at", INTERVIEW_DATE_REQUIRED))
    if data.interview_at is not None:
        if data.interview_at > now:
            problems.append(("interview_at", IN_FUTURE))
        elif data.interview_at < task.returned_at:
            problems.append(("interview_at", RHI_BEFORE_RETURN))
    return problems


def _task_for_update(actor: Actor, interview_id: int) -> ReturnInterview:
    """Lock a return home interview task: one disclosed to a local authority user, or, for the
    police recording it on the authority's behalf, one on an episode they may work."""
    if actor.can(Permission.RETURN_INTERVIEW_RECORD):
        task_id = return_interview_disclosed(actor=actor, interview_id=interview_id).pk
    else:
        found = ReturnInterview.objects.filter(
            force_id=actor.force_id, pk=interview_id, episode__case__in=cases_visible_to(actor)
        ).first()
        if found is None:
            raise NotFound()
        case_record_for_update(
            Episode, found.episode_id, actor=actor, permission=Permission.CASE_WORK
        )
        task_id = found.pk
    return ReturnInterview.objects.select_for_update().select_related("episode").get(pk=task_id)


def return_interview_record(
    *, actor: Actor, interview_id: int, version: int, data: ReturnInterviewInput, now: datetime
) -> ReturnInterview:
    """The local authority records its return home interview; or the police record it on the
    authority's behalf (then the case must be within their scope to work)."""
    on_behalf = not actor.can(Permission.RETURN_INTERVIEW_RECORD)
    with record_change(
        actor=actor,
        now=now,
        audit_as="return_interview",
        lock=lambda: _task_for_update(actor, interview_id),
        version=version,
        guard=not_yet_recorded,
        reason="on_behalf" if on_behalf else "",
        timeline_case=lambda task: task.episode.case_id,
        noun="return home interview",
    ) as change:
        task = change.record
        episode = task.episode
        refuse_if(_return_interview_problems(task, data, now))
        change.write(
            offered_at=data.offered_at,
            interview_at=data.interview_at,
            outcome=data.outcome,
            interviewer=data.interviewer.strip(),
            summary=data.summary.strip(),
            recorded_by_id=actor.user_id,
            recorded_on_behalf=on_behalf,
            recorded_at=now,
        )
        who = "by the police for the local authority" if on_behalf else "by the local authority"
        change.event(
            "missing.return_interview",
            f"Return home interview recorded {who}: {task.get_outcome_display().lower()}",
            about=episode.child_id,
            at=data.offered_at,
        )
        change.recompute("case", episode.case, case_clocks_rederive)
    return task


# Triggers ------------------------------------------------------------------------------------


def _evaluate_triggers(change: Change[Episode], indicators: list[str]) -> list[Trigger]:
    episode = change.record
    policy = missing_policy_for(episode.force_id)
    fired = []
    repeat = repeat_trigger(
        episode_starts_of_child(episode.child_id),
        latest=episode.last_seen_at,
        threshold=policy.repeat_threshold,
        window_days=policy.repeat_window_days,
    )
    if repeat is not None:
        fired.append(repeat)
    flagged = indicator_trigger(Indicator(i) for i in indicators)
    if flagged is not None:
        fired.append(flagged)
    return [made for trigger in fired if (made := _raise(change, trigger)) is not None]


def _raise(change: Change[Episode], fired: FiredTrigger) -> Trigger | None:
    """Raise a flagged exploitation case for the child, or add to the open one (through the
    cases services); never silent: the trigger, its reason and the case are on the episode,
    the case and the child's chronology."""
    episode, actor, now = change.record, change.actor, change.now
    if Trigger.objects.filter(episode=episode, kind=fired.kind).exists():
        return None
    existing = case_open_of_kind_for_child(
        actor=actor, child_id=episode.child_id, case_type=Case.Type.EXPLOITATION
    )
    reference = episode.case.reference
    if existing is None:
        raised = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.EXPLOITATION,
                source=Case.Source.OFFICER,
                risk_grade=(
                    Case.Grade.HIGH if fired.kind == Trigger.Kind.INDICATORS else Case.Grade.MEDIUM
                ),
                risk_rationale=f"Raised by the missing-episode trigger: {fired.reason}",
                received_at=now,
                unit_id=_unit_for(
                    episode.force_id,
                    Unit.Type.MASH,
                    fallback=_unit_for(episode.force_id, Unit.Type.MISSING),
                ),
                summary=f"Flagged from missing episode {reference}: {fired.reason}",
                people=((episode.child_id, Involvement.Role.SUBJECT),),
            ),
            now=now,
        )
    else:
        raised = existing
        case_record_event(
            actor=actor,
            case_id=existing.pk,
            kind="missing.trigger",
            title=f"Missing-episode trigger from {reference}",
            description=fired.reason,
            about=episode.child_id,
            now=now,
        )
    with record_create(
        actor=actor,
        now=now,
        audit_as="missing_trigger",
        reason=fired.kind,
        timeline_case=lambda _: episode.case_id,
    ) as made:
        trigger = made.created(
            Trigger.objects.create(
                force_id=episode.force_id,
                episode=episode,
                child_id=episode.child_id,
                kind=fired.kind,
                reason=fired.reason,
                raised_case=raised,
                raised_new_case=existing is None,
                fired_at=now,
            )
        )
        made.event(
            "missing.trigger",
            f"Exploitation trigger: {'new case' if existing is None else 'added to'} "
            f"{raised.reference}",
            fired.reason,
            about=episode.child_id,
        )
    return trigger


# Policy ------------------------------------------------------------------------------------


def _policy_for_update(force_id: int) -> MissingPolicySetting:
    setting = missing_policy_for(force_id)
    return MissingPolicySetting.objects.select_for_update().get(pk=setting.pk)


def missing_policy_update(
    *, actor: Actor, version: int, data: response.ResponsePolicy, now: datetime
) -> MissingPolicySetting:
    """Change the force's missing-child response times; versioned and audited (as
    `missing_policy`). Open episodes take the new times at their next change."""
    actor.require(Permission.POLICY_MANAGE)
    refuse_if(response.policy_problems(data))
    with record_change(
        actor=actor,
        now=now,
        audit_as="missing_policy",
        lock=lambda: _policy_for_update(actor.force_id),
        version=version,
        noun="policy",
    ) as change:
        change.write(**vars(data), updated_by_id=actor.user_id)
    return change.record
