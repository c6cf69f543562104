"""Every write to a case: create, change, people, lifecycle steps, decisions, notes, actions and
the voice of the child. Each locks the case row, checks its guard, writes, audits and adds a
timeline event in one transaction, so a refusal saves nothing."""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model

from safeguard.accounts.models import Unit, User
from safeguard.cases.models import (
    Action,
    Case,
    ChildSeen,
    Decision,
    Involvement,
    Note,
    ReferenceCounter,
    VoiceOfChild,
)
from safeguard.cases.rules import lifecycle
from safeguard.cases.rules.lifecycle import IllegalTransition, Status, Transition
from safeguard.cases.rules.record_keeping import (
    ClosureFacts,
    VoiceInput,
    action_problems,
    decision_problems,
    reason_problems,
    referral_problems,
    risk_problems,
    voice_missing_problems,
    voice_problems,
)
from safeguard.cases.rules.referral import ReferralDecision, triage_problems
from safeguard.cases.selectors import cases_visible_to
from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.clocks import ClockSubject, clocks_rederive
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import DomainError, NotFound, PermissionDenied, refuse_if
from safeguard.core.permissions import Permission, Scope
from safeguard.core.unit_of_work import Change, record_change, record_create
from safeguard.people.models import Person
from safeguard.people.selectors import people_visible_to
from safeguard.people.services import PersonInput, person_create, person_merge

SUBJECT_REQUIRED = "Add the child this case is about"
UNIT_NOT_YOURS = "Choose a unit of this force"
CASE_CLOSED = "This case is closed. A supervisor can reopen it."
NOT_IN_CASE = "Choose a child who is part of this case"
PERSON_UNKNOWN = "Choose a person recorded in this force"
OWNER_INVALID = "Choose an active officer of this force"
ALREADY_SUPERSEDED = "That decision has already been superseded"
ACTION_DONE = "That action is already complete"


@dataclass(frozen=True)
class CaseInput:
    case_type: str
    source: str
    risk_grade: str
    risk_rationale: str
    received_at: datetime
    unit_id: int
    summary: str = ""
    # (person id, involvement role): at least one subject child.
    people: tuple[tuple[int, str], ...] = field(default_factory=tuple)


def _choice_problems(data: CaseInput) -> list[tuple[str, str]]:
    problems = []
    if data.case_type not in Case.Type.values:
        problems.append(("case_type", "Choose the type of case"))
    if data.source not in Case.Source.values:
        problems.append(("source", "Choose where the referral came from"))
    if data.risk_grade not in Case.Grade.values:
        problems.append(("risk_grade", "Choose a risk grade"))
    for _, role in data.people:
        if role not in Involvement.Role.values:
            problems.append(("people", "Choose each person's part in the case"))
    if not any(role == Involvement.Role.SUBJECT for _, role in data.people):
        problems.append(("people", SUBJECT_REQUIRED))
    return problems


def _next_reference(force_id: int, year: int) -> str:
    """CP-2026-000123: numbers run per force and year, taken under a row lock (no gaps race)."""
    ReferenceCounter.objects.get_or_create(force_id=force_id, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(force_id=force_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CP-{year}-{counter.last:06d}"


def case_clocks_rederive(case: Case, now: datetime) -> None:
    """After any change to a case: derive its clocks afresh from its stored times."""
    case.refresh_from_db()
    clocks_rederive(
        record=case,
        subject=ClockSubject(
            object_type="case",
            object_id=case.pk,
            force_id=case.force_id,
            owner_id=case.owner_id,
            unit_id=case.unit_id,
            high_risk=case.risk_grade == Case.Grade.HIGH,
        ),
        now=now,
    )


def case_for_update(actor: Actor, case_id: int, permission: Permission) -> Case:
    """Lock a case the actor may act on with `permission`, or not found.

    The scope is a subquery: a unit scope is DISTINCT, and PostgreSQL refuses FOR UPDATE with
    DISTINCT, so the lock is taken on the plain row the scoped query names."""
    visible = cases_visible_to(actor, permission).filter(pk=case_id).values("pk")
    case = Case.objects.select_for_update().filter(pk__in=visible).first()
    if case is None:
        raise NotFound()
    return case


def _case_of_checked_record(actor: Actor, case_id: int) -> Case:
    """Lock the case of a record another context has already locked within the actor's reach
    (an episode, an incident): within the actor's force, whatever the case's unit, since a
    reporter outside the missing persons unit still reports into it."""
    case = Case.objects.select_for_update().filter(pk=case_id, force_id=actor.force_id).first()
    if case is None:
        raise NotFound()
    return case


def case_open_for_work(case: Case) -> None:
    """Guard: a closed case takes no work until a supervisor reopens it."""
    if lifecycle.is_closed(case.status):
        raise DomainError("case_closed", CASE_CLOSED)


def case_change(
    *,
    actor: Actor,
    case_id: int,
    now: datetime,
    version: int | None = None,
    permission: Permission | None = Permission.CASE_WORK,
    guard: Callable[[Case], None] | None = case_open_for_work,
    reason: str = "",
) -> AbstractContextManager[Change[Case]]:
    """The unit of work for a change to a case: locked within `permission`'s reach (None: on
    behalf of another context that has locked its own record on the case), the version
    checked, the guard run (open for work unless said otherwise), audited as `case`, its
    events on its timeline and its clocks recomputed once on the way out."""
    return record_change(
        actor=actor,
        now=now,
        audit_as="case",
        lock=lambda: (
            case_for_update(actor, case_id, permission)
            if permission is not None
            else _case_of_checked_record(actor, case_id)
        ),
        version=version,
        guard=guard,
        reason=reason,
        clocks=case_clocks_rederive,
        timeline_case=lambda case: case.pk,
        noun="case",
    )


def case_create(*, actor: Actor, data: CaseInput, now: datetime) -> Case:
    """Record a referral as a new case, owned by the recording officer until it is allocated."""
    scope = actor.require(Permission.CASE_CREATE)
    problems = _choice_problems(data)
    problems += referral_problems(received_at=data.received_at, now=now)
    problems += risk_problems(rationale=data.risk_rationale)
    unit = Unit.objects.filter(force_id=actor.force_id, pk=data.unit_id).first()
    if unit is None or (scope < Scope.FORCE and unit.pk not in actor.unit_ids):
        problems.append(("unit", UNIT_NOT_YOURS))
    person_ids = {person_id for person_id, _ in data.people}
    people = people_visible_to(actor).filter(pk__in=person_ids, merged_into__isnull=True)
    if people.count() != len(person_ids):
        problems.append(("people", PERSON_UNKNOWN))
    refuse_if(problems)
    with record_create(
        actor=actor,
        now=now,
        audit_as="case",
        clocks=case_clocks_rederive,
        timeline_case=lambda case: case.pk,
    ) as change:
        case = change.created(
            Case.objects.create(
                force_id=actor.force_id,
                reference=_next_reference(actor.force_id, london_date(data.received_at).year),
                case_type=data.case_type,
                source=data.source,
                status=Status.RECEIVED,
                risk_grade=data.risk_grade,
                risk_rationale=data.risk_rationale.strip(),
                summary=data.summary.strip(),
                unit_id=data.unit_id,
                owner_id=actor.user_id,
                received_at=data.received_at,
                created_at=now,
                created_by_id=actor.user_id,
                updated_at=now,
            )
        )
        Involvement.objects.bulk_create(
            Involvement(force_id=actor.force_id, case=case, person_id=person_id, role=role)
            for person_id, role in dict.fromkeys(data.people)
        )
        change.event(
            "case.received",
            f"Referral received: {case.get_case_type_display()}",
            f"Risk graded {case.get_risk_grade_display().lower()}: {case.risk_rationale}",
            about=None,
            at=data.received_at,
        )
    return case


def create_case_for_child(
    *,
    actor: Actor,
    case: CaseInput,
    child_id: int | None,
    child: PersonInput,
    confirm_new: bool,
    now: datetime,
) -> Case:
    """A new case about one child: an existing record chosen after the duplicate check, or a
    new one. One transaction, so a refused case leaves no orphan person behind."""
    actor.require(Permission.CASE_CREATE)
    with transaction.atomic():
        if child_id is None:
            child_id = person_create(actor=actor, data=child, confirm_new=confirm_new, now=now).pk
        data = CaseInput(**{**vars(case), "people": ((child_id, Involvement.Role.SUBJECT),)})
        return case_create(actor=actor, data=data, now=now)


R = TypeVar("R", bound=Model)


def case_record_for_update(
    model: type[R], record_id: int, *, actor: Actor, permission: Permission
) -> R:
    """Lock a record that rides on a case (a missing episode, a domestic abuse incident) whose
    case the actor can see and may act on with `permission`, and which is not closed. Not
    found when the case is out of sight; forbidden when it is seen but out of reach."""
    record = (
        model._default_manager.select_for_update()
        .filter(pk=record_id, case_id__in=cases_visible_to(actor).values("pk"))
        .first()
    )
    if record is None:
        raise NotFound()
    actor.require(permission)
    case_id = getattr(record, "case_id")  # noqa: B009 - every record on a case has one
    if not cases_visible_to(actor, permission).filter(pk=case_id).exists():
        raise PermissionDenied("Your role cannot do that on this record.")
    if Case.objects.filter(pk=case_id, status=Status.CLOSED).exists():
        raise DomainError("case_closed", CASE_CLOSED)
    return record


# ---------------------------------------------------------------------------------------------
# What other contexts may do to a case: each through here, each audited as `case`
# ---------------------------------------------------------------------------------------------


def case_regrade(
    *, actor: Actor, case_id: int, grade: str, rationale: str, now: datetime, reason: str
) -> Case:
    """Another context's grading sets the case's risk grade (a missing episode regraded, a DASH
    band): audited as a change to the case with `reason`, and on its timeline only when the
    grade moves. The caller has locked its own record on the case within the actor's reach."""
    refuse_if([] if grade in Case.Grade.values else [("risk_grade", "Choose a risk grade")])
    with case_change(
        actor=actor, case_id=case_id, now=now, permission=None, reason=reason
    ) as change:
        before = change.record.get_risk_grade_display()
        changed = change.write(risk_grade=grade, risk_rationale=rationale.strip())
        if "risk_grade" in changed:
            change.event(
                "case.regraded",
                f"Risk grade changed from {before} to {change.record.get_risk_grade_display()}",
                rationale.strip(),
                about=None,
            )
    return change.record


def case_set_review_due(change: Change[Case], *, due_at: datetime | None) -> None:
    """Supervision's next review time, derived from the allocation and the reviews, kept on the
    case in the change's own unit so the overdue filter is one indexed comparison; audited
    with the change (the field is named in its entry)."""
    change.derive(next_review_due_at=due_at)


def case_record_event(
    *,
    actor: Actor,
    case_id: int,
    kind: str,
    title: str,
    description: str,
    about: int | None,
    now: datetime,
) -> None:
    """Another context adds to a case it can see (a missing-episode trigger on an open
    exploitation case): audited as a change to the case, on its timeline."""
    with case_change(actor=actor, case_id=case_id, now=now, permission=None, reason=kind) as change:
        change.audit(changed=["timeline"])
        change.event(kind, title, description, about=about)


def case_mark_triaged(*, actor: Actor, case_id: int, now: datetime, reason: str = "") -> Case:
    """Another context's intake decides the referral (a missing report graded as it is made,
    a domestic abuse triage completed): the case moves from received to triaged, once. The
    caller has locked its own record on the case within the actor's reach."""
    with case_change(actor=actor, case_id=case_id, now=now, permission=None) as change:
        if change.record.status_enum == Status.RECEIVED:
            case_apply_transition(
                change, Transition.TRIAGE, reason=reason, changes={"triaged_at": now}
            )
    return change.record


EDITABLE = ("case_type", "risk_grade", "risk_rationale", "summary")


def case_update(
    *, actor: Actor, case_id: int, version: int, changes: dict[str, Any], now: datetime
) -> Case:
    """Change a case's type, grade and summary; a new grade needs a rationale."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(
            "invalid", f"These fields cannot be changed: {', '.join(sorted(unknown))}"
        )
    with case_change(actor=actor, case_id=case_id, now=now, version=version) as change:
        case = change.record
        problems = []
        if "case_type" in changes and changes["case_type"] not in Case.Type.values:
            problems.append(("case_type", "Choose the type of case"))
        if "risk_grade" in changes and changes["risk_grade"] not in Case.Grade.values:
            problems.append(("risk_grade", "Choose a risk grade"))
        problems += risk_problems(rationale=changes.get("risk_rationale", case.risk_rationale))
        if (
            changes.get("risk_grade", case.risk_grade) != case.risk_grade
            and changes.get("risk_rationale", case.risk_rationale) == case.risk_rationale
        ):
            problems.append(("risk_rationale", "Give the rationale for the new risk grade"))
        refuse_if(problems)
        old_grade = case.get_risk_grade_display()
        changed = change.write(**changes)
        if "risk_grade" in changed:
            change.event(
                "case.regraded",
                f"Risk grade changed from {old_grade} to {case.get_risk_grade_display()}",
                case.risk_rationale,
                about=None,
            )
        elif changed:
            change.event(
                "case.changed",
                "Case details changed: " + ", ".join(n.replace("_", " ") for n in changed),
                about=None,
            )
    return case


def case_add_person(
    *, actor: Actor, case_id: int, person_id: int, role: str, now: datetime
) -> Involvement:
    if role not in Involvement.Role.values:
        refuse_if([("role", "Choose the person's part in the case")])
    with case_change(actor=actor, case_id=case_id, now=now) as change:
        case = change.record
        person = people_visible_to(actor).filter(pk=person_id, merged_into__isnull=True).first()
        if person is None:
            raise DomainError("invalid", PERSON_UNKNOWN, {"person": PERSON_UNKNOWN})
        involvement, created = Involvement.objects.get_or_create(
            force_id=case.force_id, case=case, person=person, role=role
        )
        if created:
            change.audit(changed=["people"])
            change.event(
                "case.person_added",
                f"{person.full_name} added as {involvement.get_role_display().lower()}",
                about=person.pk if role in Involvement.CHILD_ROLES else None,
            )
            if role == Involvement.Role.SUBJECT:
                # Every subject child must be seen: a new one reopens the child-seen clock.
                change.derive(subjects_seen_at=_subjects_seen_at(case))
    return involvement


# ---------------------------------------------------------------------------------------------
# Lifecycle: one service per transition, each with its guard; the table is rules/lifecycle.py
# ---------------------------------------------------------------------------------------------


def _refuse_transition(error: IllegalTransition) -> DomainError:
    return DomainError(
        "illegal_transition",
        str(error),
        {"allowed": [str(t) for t in error.allowed], "status": str(error.status)},
    )


def case_apply_transition(
    change: Change[Case],
    transition: Transition,
    *,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    title: str = "",
    also_changed: Iterable[str] = (),
) -> Case:
    """Move the case of a unit of work along the table (the unit holds the lock and has
    checked the version and the guard): a step the table refuses names the allowed ones. A
    step that keeps the status (re-allocation) says so on the timeline."""
    case = change.record
    before = case.status_enum
    try:
        target = lifecycle.next_status(before, transition)
    except IllegalTransition as error:
        raise _refuse_transition(error) from None
    if lifecycle.needs_reason(transition):
        refuse_if(reason_problems(reason=reason))
    change.write(status=str(target), **(changes or {}))
    changed = ["status"] if target != before else []
    change.audit(reason=str(transition), changed=[*changed, *also_changed])
    if not title:
        still = "still" if target == before else "now"
        title = f"{transition.label}: {still} {target.label.lower()}"
    change.event(f"case.{transition}", title, reason, about=None)
    return case


def case_triage(
    *, actor: Actor, case_id: int, version: int, decision: str, reason: str, now: datetime
) -> Case:
    """Triage a referral: the referral decision (docs/rules.md 5.1) and its reason, recorded
    on the case and in its decisions, audited, on its timeline. Refused, naming each missing
    field, without a decision or a reason."""
    with case_change(actor=actor, case_id=case_id, now=now, version=version) as change:
        case = change.record
        # The step first: a case past triage is told so, whatever was typed.
        try:
            lifecycle.next_status(case.status_enum, Transition.TRIAGE)
        except IllegalTransition as error:
            raise _refuse_transition(error) from None
        refuse_if(triage_problems(decision=decision, reason=reason))
        label = ReferralDecision(decision).label
        Decision.objects.create(
            force_id=case.force_id,
            case=case,
            decision=f"Referral decision: {label}",
            rationale=reason.strip(),
            decided_by_id=actor.user_id,
            decided_at=now,
        )
        return case_apply_transition(
            change,
            Transition.TRIAGE,
            reason=reason.strip(),
            changes={
                "triaged_at": now,
                "referral_decision": decision,
                "referral_reason": reason.strip(),
            },
            title=f"Triaged: {label}",
            also_changed=["decisions"],
        )


def case_start_investigation(*, actor: Actor, case_id: int, version: int, now: datetime) -> Case:
    with case_change(actor=actor, case_id=case_id, now=now, version=version) as change:
        return case_apply_transition(change, Transition.START_INVESTIGATION)


def closure_facts(case: Case, *, approver: Actor | None = None) -> ClosureFacts:
    """What closure depends on, read from the record."""
    subjects = {
        i.person_id: i.person.full_name
        for i in case.involvements.select_related("person").filter(role=Involvement.Role.SUBJECT)
    }
    # The rule matches children by name: two alike (unnamed twins, 'Baby Hughes') are told
    # apart by their record number, so hearing one never counts for the other.
    alike = [name for name in subjects.values() if list(subjects.values()).count(name) > 1]
    subjects = {
        pk: f"{name} (record {pk})" if name in alike else name for pk, name in subjects.items()
    }
    heard = set(case.voices.filter(child_id__in=subjects).values_list("child_id", flat=True))
    investigated = False
    if approver is not None:
        investigated = (
            case.owner_id == approver.user_id
            or case.allocations.filter(allocated_to_id=approver.user_id).exists()
        )
    return ClosureFacts(
        subject_child_names=tuple(subjects.values()),
        children_with_voice=frozenset(subjects[pk] for pk in heard),
        approver_is_supervisor=approver is not None and approver.can(Permission.CASE_SUPERVISE),
        approver_investigated=investigated,
    )


def case_request_closure(
    *, actor: Actor, case_id: int, version: int, reason: str, now: datetime
) -> Case:
    """Ask a supervisor to close the case; refused until every subject child's voice is recorded."""
    with case_change(actor=actor, case_id=case_id, now=now, version=version) as change:
        refuse_if(voice_missing_problems(closure_facts(change.record)), code="voice_required")
        return case_apply_transition(change, Transition.REQUEST_CLOSURE, reason=reason)


# ---------------------------------------------------------------------------------------------
# Record-keeping
# ---------------------------------------------------------------------------------------------


def decision_record(
    *,
    actor: Actor,
    case_id: int,
    decision: str,
    rationale: str,
    now: datetime,
    supersedes_id: int | None = None,
) -> Decision:
    """Record a decision with its rationale. Decisions are never edited; a new one supersedes."""
    refuse_if(decision_problems(decision=decision, rationale=rationale))
    with case_change(actor=actor, case_id=case_id, now=now, reason="decision") as change:
        case = change.record
        supersedes = None
        if supersedes_id is not None:
            supersedes = Decision.objects.filter(case=case, pk=supersedes_id).first()
            if supersedes is None:
                refuse_if([("supersedes", "Choose a decision on this case")])
            elif Decision.objects.filter(supersedes=supersedes).exists():
                refuse_if([("supersedes", ALREADY_SUPERSEDED)])
        entry = Decision.objects.create(
            force_id=case.force_id,
            case=case,
            decision=decision.strip(),
            rationale=rationale.strip(),
            decided_by_id=actor.user_id,
            decided_at=now,
            supersedes=supersedes,
        )
        change.audit(changed=["decisions"])
        title = "Decision recorded" if supersedes is None else "Decision superseded"
        change.event("case.decision", title, entry.decision, about=None)
    return entry


def note_add(*, actor: Actor, case_id: int, text: str, now: datetime) -> Note:
    if not text.strip():
        refuse_if([("text", "Enter the note")])
    with case_change(actor=actor, case_id=case_id, now=now, reason="note") as change:
        note = Note.objects.create(
            force_id=change.record.force_id,
            case=change.record,
            text=text.strip(),
            author_id=actor.user_id,
            written_at=now,
        )
        change.audit(changed=["notes"])
        change.event("case.note", "Note added", about=None)
    return note


def _active_colleague(actor: Actor, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, force_id=actor.force_id, is_active=True).first()


def _name_of(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def action_add(
    *, actor: Actor, case_id: int, title: str, owner_id: int, due_on: date, now: datetime
) -> Action:
    # The case first: one out of reach is not found, whatever else is wrong.
    with case_change(actor=actor, case_id=case_id, now=now, reason="action") as change:
        case = change.record
        problems = [] if title.strip() else [("title", "Enter what needs to be done")]
        problems += action_problems(due_on=due_on, today=london_date(now))
        owner = _active_colleague(actor, owner_id)
        if owner is None:
            problems.append(("owner", OWNER_INVALID))
        refuse_if(problems)
        action = Action.objects.create(
            force_id=case.force_id,
            case=case,
            title=title.strip(),
            owner_id=owner_id,
            due_on=due_on,
            created_by_id=actor.user_id,
            created_at=now,
        )
        change.audit(changed=["actions"])
        change.event(
            "case.action",
            f"Action set: {action.title}",
            f"For {_name_of(owner)}, due {due_on:%d %B %Y}",
            about=None,
        )
    return action


def action_complete(
    *, actor: Actor, case_id: int, action_id: int, version: int, now: datetime
) -> Action:
    with case_change(actor=actor, case_id=case_id, now=now, reason="action_done") as change:
        action = Action.objects.filter(case=change.record, pk=action_id).first()
        if action is None:
            raise NotFound()
        if action.completed_at is not None:
            raise DomainError("action_done", ACTION_DONE)
        update_versioned(action, expected_version=version, changes={"completed_at": now})
        change.audit(changed=["actions"])
        change.event("case.action_done", f"Action completed: {action.title}", about=None)
    return action


def _subjects_seen_at(case: Case) -> datetime | None:
    """When the last of the case's subject children was first seen: the child-seen clock is
    met only once every subject child has been seen (None while one has not)."""
    subjects = set(
        case.involvements.filter(role=Involvement.Role.SUBJECT).values_list("person_id", flat=True)
    )
    first_seen: dict[int, datetime] = {}
    voices = case.voices.filter(child_id__in=subjects, seen=True, seen_at__isnull=False)
    sightings = case.sightings.filter(child_id__in=subjects)
    for child_id, seen_at in [
        *voices.values_list("child_id", "seen_at"),
        *sightings.values_list("child_id", "seen_at"),
    ]:
        if seen_at is not None and (child_id not in first_seen or seen_at < first_seen[child_id]):
            first_seen[child_id] = seen_at
    if not subjects or set(first_seen) != subjects:
        return None
    return max(first_seen.values())


def case_record_child_seen(
    *, actor: Actor, case_id: int, child_id: int, seen_at: datetime, how: str, now: datetime
) -> ChildSeen:
    """Another context saw the child (a missing child found with their condition recorded):
    it counts towards the case's child-seen clock, and is on that child's chronology. The
    caller has locked its own record on the case within the actor's reach."""
    with case_change(
        actor=actor, case_id=case_id, now=now, permission=None, reason="seen"
    ) as change:
        case = change.record
        if not case.involvements.filter(
            person_id=child_id, role__in=Involvement.CHILD_ROLES
        ).exists():
            raise DomainError("invalid", NOT_IN_CASE, {"child": NOT_IN_CASE})
        sighting = ChildSeen.objects.create(
            force_id=case.force_id,
            case=case,
            child_id=child_id,
            seen_at=seen_at,
            how=how[:200],
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
        change.derive(subjects_seen_at=_subjects_seen_at(case))
        change.audit(changed=["child_seen"])
    return sighting


def voice_record(
    *, actor: Actor, case_id: int, child_id: int, voice: VoiceInput, now: datetime
) -> VoiceOfChild:
    """Record whether the child was seen and heard, what they said and how they seemed, or why
    not. The event is about that child: their chronology holds it, no other child's does."""
    with case_change(actor=actor, case_id=case_id, now=now, reason="voice_of_child") as change:
        case = change.record
        child = (
            case.involvements.filter(person_id=child_id, role__in=Involvement.CHILD_ROLES)
            .select_related("person")
            .first()
        )
        problems = [] if child else [("child", NOT_IN_CASE)]
        problems += voice_problems(voice, referral_received_at=case.received_at, now=now)
        refuse_if(problems)
        record = VoiceOfChild.objects.create(
            force_id=case.force_id,
            case=case,
            child_id=child_id,
            seen=voice.seen,
            seen_at=voice.seen_at if voice.seen else None,
            spoken_to=voice.spoken_to,
            spoken_to_alone=voice.spoken_to and voice.spoken_to_alone,
            child_said=voice.child_said.strip(),
            demeanour=voice.demeanour.strip(),
            not_seen_reason=voice.not_seen_reason.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
        change.derive(subjects_seen_at=_subjects_seen_at(case))
        change.audit(changed=["voice_of_child"])
        if voice.seen:
            title = "seen and spoken to" if voice.spoken_to else "seen, not spoken to"
        else:
            title = "not seen"
        name = child.person.full_name if child else ""
        change.event("case.voice", f"{name} {title}", about=child_id)
    return record


# ---------------------------------------------------------------------------------------------
# Two records of one child merged: the case records follow the kept one
# ---------------------------------------------------------------------------------------------


def case_people_merged(*, actor: Actor, keep_id: int, merged_id: int, now: datetime) -> list[int]:
    """After people merged `merged_id` into `keep_id`: on every case of the force naming the
    merged record (closed ones too), its involvements, voices and sightings move to the kept
    record, each case audited as `case` and its timeline saying so; the ids of the cases.

    Timeline events keep the record they were written about: the kept child's chronology
    reads the records merged into theirs, so their history is whole without rewriting it."""
    keep = Person.objects.get(pk=keep_id, force_id=actor.force_id, merged_into__isnull=True)
    case_ids = sorted(
        {
            *Involvement.objects.filter(person_id=merged_id).values_list("case_id", flat=True),
            *VoiceOfChild.objects.filter(child_id=merged_id).values_list("case_id", flat=True),
            *ChildSeen.objects.filter(child_id=merged_id).values_list("case_id", flat=True),
        }
    )
    for case_id in case_ids:
        with case_change(
            actor=actor,
            case_id=case_id,
            now=now,
            permission=None,
            guard=None,
            reason="person_merged",
        ) as change:
            case = change.record
            for involvement in case.involvements.filter(person_id=merged_id):
                if case.involvements.filter(person_id=keep_id, role=involvement.role).exists():
                    involvement.delete()
                else:
                    Involvement.objects.filter(pk=involvement.pk).update(person_id=keep_id)
            case.voices.filter(child_id=merged_id).update(child_id=keep_id)
            case.sightings.filter(child_id=merged_id).update(child_id=keep_id)
            change.derive(subjects_seen_at=_subjects_seen_at(case))
            change.audit(changed=["people", "voice_of_child", "child_seen", f"person:{merged_id}"])
            change.event(
                "case.person_merged",
                f"Record {merged_id} merged into {keep.full_name}'s record",
                about=keep_id,
            )
    return case_ids


def person_merge_with_cases(
    *,
    actor: Actor,
    keep_id: int,
    merge_id: int,
    keep_version: int,
    merge_version: int,
    now: datetime,
) -> Person:
    """Merge two records of one person, and move the case records naming the merged one to
    the kept one: people's merge, then cases' move, in one transaction (a refusal of either
    leaves both records as they were). The merge page and API call this."""
    # One transaction over several units: the people unit for the two records, then one case
    # unit per case touched; each audits its own record.
    with transaction.atomic():
        kept = person_merge(
            actor=actor,
            keep_id=keep_id,
            merge_id=merge_id,
            keep_version=keep_version,
            merge_version=merge_version,
            now=now,
        )
        case_people_merged(actor=actor, keep_id=keep_id, merged_id=merge_id, now=now)
    return kept
