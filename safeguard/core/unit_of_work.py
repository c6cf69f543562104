"""One unit of work for every change to a record, so no service rebuilds the steps by hand.

    with record_change(actor=actor, now=now, audit_as="case", lock=..., version=version,
                       guard=open_for_work, clocks=case_clocks_rederive) as change:
        change.write(status=..., triaged_at=now)
        change.event("case.triage", "Triage: now triaged", about=None)

In order, inside one transaction:
1. lock the record (the `lock` callable: visible to the actor, in reach, or NotFound/refused);
2. check the version the user read, before anything else (a stale one is a Conflict);
3. run the named guard (the record is in a state that allows the step);
4. the body writes, each `change.write` bumping the version (one UPDATE ... WHERE version);
5. on the way out, the audit entry (DPA 2018 s62) for what was written;
6. the timeline events, each naming the child it is about (`about=`, None for case-wide);
7. the clocks of every record touched, recomputed once;
8. the outbox messages, written in the same transaction and delivered after commit.

Units nest: a unit inside another (a missing report creates its case) writes its own audit
entry and events, but leaves its clocks and messages to the outermost unit, so each record's
clocks are recomputed once however many services the change passes through.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Model

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import Conflict
from safeguard.core.models import AuditAction
from safeguard.core.outbox import outbox_enqueue
from safeguard.core.timeline import timeline_add

M = TypeVar("M", bound=Model)
Guard = Callable[[M], None]
ClockRecompute = Callable[[Any, datetime], None]


def require_version(record: Model, version: int, noun: str = "record") -> None:
    """A stale page or ETag is refused before any guard: the user must see the latest first."""
    current = getattr(record, "version")  # noqa: B009 - every versioned record has one
    if current != version:
        raise Conflict(
            f"Somebody else changed this {noun} after you opened it. "
            "Check their changes, then try again.",
            {"current_version": current},
        )


@dataclass
class _Pending:
    """What the outermost unit does on the way out: each record's clocks once, then messages."""

    clocks: dict[tuple[str, object], tuple[ClockRecompute, Model]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)


_OUTERMOST: ContextVar[_Pending | None] = ContextVar("safeguard_unit_of_work", default=None)


@dataclass
class _Event:
    kind: str
    title: str
    description: str
    about: int | None
    at: datetime | None
    case_id: int | None


class Change(Generic[M]):
    """The record being changed, and what the change has written so far."""

    def __init__(
        self,
        *,
        actor: Actor,
        now: datetime,
        audit_as: str,
        record: M | None,
        reason: str,
        timeline_case: Callable[[M], int | None] | None,
        clocks: ClockRecompute | None,
        pending: _Pending,
    ) -> None:
        self.actor = actor
        self.now = now
        self.audit_as = audit_as
        self._record = record
        self._reason = reason
        self._timeline_case = timeline_case
        self._clocks = clocks
        self._pending = pending
        self._action = AuditAction.UPDATE
        self._changed: set[str] = set()
        # Explicit entries, in order: (reason, fields). What `write` changed joins the last.
        self._entries: list[tuple[str, set[str]]] = []
        self._events: list[_Event] = []

    @property
    def record(self) -> M:
        if self._record is None:
            raise RuntimeError("record_create: call change.created(record) first")
        return self._record

    def created(self, record: M) -> M:
        """The body of a `record_create` made the record: audit it as collected (CREATE)."""
        self._record = record
        self._action = AuditAction.CREATE
        self._entries.append((self._reason, set()))
        return record

    def write(self, **changes: Any) -> list[str]:
        """Change fields of the locked record, bumping its version; the fields that changed.

        `updated_at` is stamped with the change's time where the record has one."""
        record = self.record
        if hasattr(record, "updated_at") and "updated_at" not in changes:
            changes["updated_at"] = self.now
        if hasattr(record, "version"):
            changed = update_versioned(record, expected_version=record.version, changes=changes)
        else:
            type(record)._default_manager.filter(pk=record.pk).update(**changes)
            changed = [name for name, value in changes.items() if getattr(record, name) != value]
            for name, value in changes.items():
                setattr(record, name, value)
        changed = [name for name in changed if name != "updated_at"]
        self._changed.update(changed)
        return changed

    def derive(self, **fields: Any) -> None:
        """Store fields derived from other records (when every subject child was seen, when
        the next review is due) without bumping the version: nobody types them, so no edit
        can be lost to them, and an edit open elsewhere is not made stale by them."""
        record = self.record
        changed = [name for name, value in fields.items() if getattr(record, name) != value]
        type(record)._default_manager.filter(pk=record.pk).update(**fields)
        for name, value in fields.items():
            setattr(record, name, value)
        self._changed.update(changed)

    def audit(self, *, reason: str = "", changed: Iterable[str] = ()) -> None:
        """Say what a step of the change did to the record when it is more than its own fields
        (a note added, a review recorded): an entry of its own, written on the way out."""
        self._entries.append((reason or self._reason, set(changed)))

    def event(
        self,
        kind: str,
        title: str,
        description: str = "",
        *,
        about: int | None,
        at: datetime | None = None,
        case_id: int | None = None,
    ) -> None:
        """A timeline event on the record's case. `about` is the child it is about (their
        chronology holds it), or None for what concerns the whole case."""
        self._events.append(_Event(kind, title, description, about, at, case_id))

    def recompute(self, object_type: str, record: Model, clocks: ClockRecompute) -> None:
        """Recompute another record's clocks on the way out (once, however often asked)."""
        self._pending.clocks.setdefault((object_type, record.pk), (clocks, record))

    def send(self, **message: Any) -> None:
        """An outbox message (an email, an alert), written with the change on the way out."""
        self._pending.messages.append(message)

    def _finish(self) -> None:
        record = self._record
        if record is None:
            return
        entries = [(reason, set(fields)) for reason, fields in self._entries]
        if self._changed and not entries:
            entries.append((self._reason, set()))
        if entries:
            entries[-1][1].update(self._changed)
        for reason, fields in entries:
            audit_record(
                actor=self.actor,
                action=self._action,
                object_type=self.audit_as,
                object_id=record.pk,
                reason_code=reason,
                changed_fields=sorted(fields),
            )
        default_case = self._timeline_case(record) if self._timeline_case else None
        if default_case is None:
            default_case = getattr(record, "case_id", None)
        for event in self._events:
            timeline_add(
                actor=self.actor,
                force_id=getattr(record, "force_id"),  # noqa: B009 - every record has one
                case_id=event.case_id or default_case,
                person_id=event.about,
                kind=event.kind,
                title=event.title,
                description=event.description,
                at=event.at or self.now,
            )
        if self._clocks is not None:
            self.recompute(self.audit_as, record, self._clocks)


@contextmanager
def _unit(change_args: dict[str, Any], lock: Callable[[], M] | None) -> Iterator[Change[M]]:
    outer = _OUTERMOST.get()
    pending = outer or _Pending()
    token = _OUTERMOST.set(pending) if outer is None else None
    # A nested unit that is refused (and caught by its caller) leaves nothing pending.
    clocks_before, messages_before = dict(pending.clocks), len(pending.messages)
    try:
        with transaction.atomic():
            record = lock() if lock is not None else None
            version = change_args.pop("version")
            guard = change_args.pop("guard")
            noun = change_args.pop("noun")
            if record is not None and version is not None:
                require_version(record, version, noun)
            if record is not None and guard is not None:
                guard(record)
            change: Change[M] = Change(record=record, pending=pending, **change_args)
            yield change
            change._finish()
            if outer is None:
                _flush(pending, change.now)
    except BaseException:
        pending.clocks = clocks_before
        del pending.messages[messages_before:]
        raise
    finally:
        if token is not None:
            _OUTERMOST.reset(token)


def _flush(pending: _Pending, now: datetime) -> None:
    while pending.clocks:
        _, (recompute, record) = pending.clocks.popitem()
        recompute(record, now)
    for message in pending.messages:
        outbox_enqueue(now=now, **message)
    pending.messages.clear()


def record_change(
    *,
    actor: Actor,
    now: datetime,
    audit_as: str,
    lock: Callable[[], M],
    version: int | None = None,
    guard: Guard[M] | None = None,
    reason: str = "",
    clocks: ClockRecompute | None = None,
    timeline_case: Callable[[M], int | None] | None = None,
    noun: str = "record",
) -> AbstractContextManager[Change[M]]:
    """Change one existing record (see the module's docstring for the steps, in order);
    `noun` names it when a stale version is refused ("this case")."""
    return _unit(
        {
            "noun": noun,
            "actor": actor,
            "now": now,
            "audit_as": audit_as,
            "reason": reason,
            "timeline_case": timeline_case,
            "clocks": clocks,
            "version": version,
            "guard": guard,
        },
        lock,
    )


def record_create(
    *,
    actor: Actor,
    now: datetime,
    audit_as: str,
    reason: str = "",
    clocks: ClockRecompute | None = None,
    timeline_case: Callable[[Any], int | None] | None = None,
) -> AbstractContextManager[Change[Any]]:
    """Make a new record: the body creates it and hands it to `change.created(record)`."""
    return _unit(
        {
            "actor": actor,
            "now": now,
            "audit_as": audit_as,
            "reason": reason,
            "timeline_case": timeline_case,
            "clocks": clocks,
            "version": None,
            "guard": None,
            "noun": "record",
        },
        None,
    )
