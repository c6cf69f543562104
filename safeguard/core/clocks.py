"""Clocks on records: derived from stored event times and a rule, never counted.

A context describes its clocks with `ClockDefinition`s and, whenever one of its records changes,
derives them afresh (`Derived`: started, due, met) and calls `clocks_refresh`, which stores the
result in `ClockState` so the sweeper finds what is due with one indexed query. The sweeper
(`clocks_sweep`) marks breaches and climbs each clock's escalation ladder once per rung: the
`Escalation` row's unique key and the outbox messages commit together, so a second sweep, or
two sweeps at once, send nothing twice.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from safeguard.core.models import ClockState, Escalation, OutboxMessage
from safeguard.core.outbox import outbox_enqueue

Status = ClockState.Status


@dataclass(frozen=True)
class Rung:
    """Who is told, relative to the due time (negative: before it)."""

    who: str  # "owner" | "supervisor" | "duty_inspector"
    offset: timedelta

    @property
    def name(self) -> str:
        when = "before" if self.offset < timedelta(0) else "after"
        return f"{self.who}.{when}.{abs(int(self.offset.total_seconds()))}"


# The ladder the issue asks for: owner, then supervisor, then duty inspector.
DEFAULT_LADDER = (
    Rung("owner", -timedelta(hours=2)),
    Rung("owner", timedelta(0)),
    Rung("supervisor", timedelta(0)),
    Rung("duty_inspector", timedelta(hours=2)),
)


@dataclass(frozen=True)
class ClockDefinition:
    name: str  # stable and dotted: "case.child_seen"
    title: str
    starts: str  # the event that starts it, in words
    stops: str
    rule: str  # the due-time rule, in words
    source: str  # statute or force policy
    ladder: tuple[Rung, ...] = DEFAULT_LADDER


REGISTRY: dict[str, ClockDefinition] = {}


def clock_register(definition: ClockDefinition) -> ClockDefinition:
    REGISTRY[definition.name] = definition
    return definition


@dataclass(frozen=True)
class ClockSubject:
    """What the ladder needs to know about the record a clock runs on."""

    object_type: str
    object_id: int
    force_id: int
    owner_id: int | None
    unit_id: int | None
    high_risk: bool


# object type -> functions that derive that record's clocks. Contexts add theirs at start-up
# (AppConfig.ready), so the context that changes a record need not know who keeps its clocks.
Deriver = Callable[[object, datetime], "list[Derived]"]
DERIVERS: dict[str, list[Deriver]] = {}


def deriver_register(object_type: str, deriver: Deriver) -> None:
    if deriver not in DERIVERS.setdefault(object_type, []):
        DERIVERS[object_type].append(deriver)


# object type -> a function that re-derives the clocks of that type's records that can still
# run (all forces, or one), returning how many records it did: `rebuild_clocks` calls each after
# data loaded without the services. Cases are rebuilt by the command itself.
Rebuilder = Callable[[int | None, datetime], int]
REBUILDERS: dict[str, Rebuilder] = {}


def rebuilder_register(object_type: str, rebuilder: Rebuilder) -> None:
    REBUILDERS[object_type] = rebuilder


def clocks_rederive(*, record: object, subject: ClockSubject, now: datetime) -> None:
    """Derive every clock of a record afresh and store them (call after each change)."""
    derived = [
        clock for deriver in DERIVERS.get(subject.object_type, []) for clock in deriver(record, now)
    ]
    clocks_refresh(
        object_type=subject.object_type,
        object_id=subject.object_id,
        force_id=subject.force_id,
        derived=derived,
        owner_id=subject.owner_id,
        unit_id=subject.unit_id,
        high_risk=subject.high_risk,
        now=now,
    )


@dataclass(frozen=True)
class Derived:
    """A clock as its record's events say it stands."""

    name: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None = None
    paused: bool = False
    cancelled: bool = False


def clock_status(
    *, due_at: datetime, met_at: datetime | None, now: datetime, paused: bool, cancelled: bool
) -> str:
    """running, met, met_late, breached, paused or cancelled: from times alone."""
    if met_at is not None:
        return Status.MET if met_at <= due_at else Status.MET_LATE
    if cancelled:
        return Status.CANCELLED
    if paused:
        return Status.PAUSED
    return Status.BREACHED if now > due_at else Status.RUNNING


@dataclass(frozen=True)
class ClockView:
    """A clock for a page or the API."""

    name: str
    title: str
    due_at: datetime
    met_at: datetime | None
    status: str

    def tag(self, now: datetime) -> tuple[str, str]:
        """The GOV.UK tag text and colour: 'due in 2 hours', 'overdue by 40 minutes', 'met'."""
        if self.status == Status.MET:
            return "met", "green"
        if self.status == Status.MET_LATE:
            return "met late", "orange"
        if self.status in (Status.CANCELLED, Status.PAUSED):
            return str(self.status), "grey"
        if now > self.due_at:
            return f"overdue by {_span(now - self.due_at)}", "red"
        return f"due in {_span(self.due_at - now)}", "yellow" if self.due_at - now < timedelta(
            hours=4
        ) else "blue"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "due_at": self.due_at.isoformat(),
            "met_at": self.met_at.isoformat() if self.met_at else None,
            "status": self.status,
        }


def _span(delta: timedelta) -> str:
    """'40 minutes', '2 hours', '3 days': the largest whole unit, as people say it."""
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size or unit == "minute":
            count = max(minutes // size, 0 if unit == "minute" else 1)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "0 minutes"


def clocks_refresh(
    *,
    object_type: str,
    object_id: int,
    force_id: int,
    derived: Iterable[Derived],
    owner_id: int | None,
    unit_id: int | None,
    high_risk: bool,
    now: datetime,
) -> None:
    """Store what the record's events say about its clocks (in the caller's transaction)."""
    for clock in derived:
        row, _ = ClockState.objects.update_or_create(
            object_type=object_type,
            object_id=object_id,
            name=clock.name,
            defaults={
                "force_id": force_id,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "met_at": clock.met_at,
                "status": clock_status(
                    due_at=clock.due_at,
                    met_at=clock.met_at,
                    now=now,
                    paused=clock.paused,
                    cancelled=clock.cancelled,
                ),
                "owner_id": owner_id,
                "unit_id": unit_id,
                "high_risk": high_risk,
                "updated_at": now,
            },
        )
        _schedule(row)


def _next_rung(row: ClockState) -> tuple[Rung, datetime] | None:
    """The first rung of the ladder not yet done for the clock's current due time."""
    definition = REGISTRY.get(row.name)
    if (
        definition is None
        or row.met_at is not None
        or row.status
        in (
            Status.CANCELLED,
            Status.PAUSED,
        )
    ):
        return None
    done = set(
        Escalation.objects.filter(clock=row, due_at=row.due_at).values_list("rung", flat=True)
    )
    pending = [
        (rung, row.due_at + rung.offset) for rung in definition.ladder if rung.name not in done
    ]
    return min(pending, key=lambda pair: pair[1]) if pending else None


def _schedule(row: ClockState) -> None:
    nxt = _next_rung(row)
    at = nxt[1] if nxt else None
    if row.next_escalation_at != at:
        ClockState.objects.filter(pk=row.pk).update(next_escalation_at=at)
        row.next_escalation_at = at


def clocks_for(*, object_type: str, object_id: int, now: datetime) -> list[ClockView]:
    """A record's clocks, with their status as of `now` (a running clock can be overdue)."""
    rows = ClockState.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "due_at"
    )
    return [view_of(row, now) for row in rows]


def clocks_for_many(
    *, object_type: str, object_ids: Iterable[int], now: datetime
) -> dict[int, list[ClockView]]:
    """The clocks of a page of records in one query."""
    found: dict[int, list[ClockView]] = {}
    rows = ClockState.objects.filter(object_type=object_type, object_id__in=list(object_ids))
    for row in rows.order_by("due_at"):
        found.setdefault(row.object_id, []).append(view_of(row, now))
    return found


def view_of(row: ClockState, now: datetime) -> ClockView:
    status = row.status
    if status == Status.RUNNING and now > row.due_at:
        status = Status.BREACHED
    definition = REGISTRY.get(row.name)
    return ClockView(
        name=row.name,
        title=definition.title if definition else row.name,
        due_at=row.due_at,
        met_at=row.met_at,
        status=status,
    )


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str


# Who a rung tells for a clock. The accounts context, which knows staff and their roles,
# registers the resolver at start-up; tests may pass their own.
Resolver = Callable[[ClockState, str], list[Recipient]]
RESOLVERS: list[Resolver] = []


def resolver_register(resolver: Resolver) -> None:
    RESOLVERS[:] = [resolver]


@dataclass
class SweepReport:
    examined: int = 0
    breached: int = 0
    escalations: int = 0
    messages: int = 0
    rungs: list[str] = field(default_factory=list)


# object type -> the page of a record of that type ("{id}" is its id). Contexts add theirs.
LINKS: dict[str, str] = {"case": "/cases/{id}/"}


def link_register(object_type: str, pattern: str) -> None:
    LINKS[object_type] = pattern


@dataclass(frozen=True)
class RecordLabel:
    """A record as people name it in a list or a message: "CP-2026-000376 Benjamin Smith
    (12)", who owns it (full name) and its risk grade."""

    name: str
    owner: str = ""
    risk: str = ""


# object type -> a function naming many records of that type at once (a page of clock rows
# costs a query or two, not one per row). Contexts add theirs at start-up; a database id is
# never shown as a name.
Labeller = Callable[[list[int]], dict[int, RecordLabel]]
LABELLERS: dict[str, Labeller] = {}


def labeller_register(object_type: str, labeller: Labeller) -> None:
    LABELLERS[object_type] = labeller


def record_labels(object_type: str, object_ids: Iterable[int]) -> dict[int, RecordLabel]:
    """The names of records of one type, by id (those the type's labeller cannot name are
    left out; callers say "a record" rather than print an id)."""
    labeller = LABELLERS.get(object_type)
    ids = list(dict.fromkeys(object_ids))
    return labeller(ids) if labeller and ids else {}


def _label(row: ClockState) -> RecordLabel:
    found = record_labels(row.object_type, [row.object_id]).get(row.object_id)
    return found or RecordLabel(name=f"a {row.object_type.replace('_', ' ')} record")


def _link(row: ClockState) -> str:
    pattern = LINKS.get(row.object_type)
    return pattern.format(id=row.object_id) if pattern else ""


def _escalate(row: ClockState, rung: Rung, resolve: Resolver, now: datetime) -> int:
    """Do one rung once: the Escalation row and its messages commit together, or neither."""
    definition = REGISTRY.get(row.name)
    title = definition.title if definition else row.name
    late = now > row.due_at
    name = _label(row).name
    subject = f"{'Overdue' if late else 'Due soon'}: {title}, {name}"
    when = row.due_at.strftime("%d %b %Y %H:%M UTC")
    body = f"{title} for {name} is due at {when}."
    sent = 0
    try:
        with transaction.atomic():
            Escalation.objects.create(
                clock=row, rung=rung.name, due_at=row.due_at, escalated_at=now
            )
            for recipient in resolve(row, rung.who):
                key = f"clock:{row.pk}:{rung.name}:{row.due_at.isoformat()}:{recipient.user_id}"
                for channel in (OutboxMessage.Channel.ALERT, OutboxMessage.Channel.EMAIL):
                    if channel == OutboxMessage.Channel.EMAIL and not recipient.email:
                        continue
                    made = outbox_enqueue(
                        channel=channel,
                        subject=subject,
                        body=body,
                        now=now,
                        force_id=row.force_id,
                        recipient_user_id=recipient.user_id,
                        to_address=recipient.email if channel == "email" else "",
                        link=_link(row),
                        dedupe_key=f"{key}:{channel}",
                    )
                    sent += made is not None
    except IntegrityError:
        return -1  # another sweep did this rung first
    return sent


def clocks_sweep(
    *, now: datetime, resolve: Resolver | None = None, batch: int = 1000
) -> SweepReport:
    """Mark breaches and climb escalation ladders. Safe to run twice, or twice at once."""
    if resolve is None:
        if not RESOLVERS:
            raise RuntimeError("No escalation resolver is registered (accounts app not loaded?)")
        resolve = RESOLVERS[0]
    report = SweepReport()
    report.breached = ClockState.objects.filter(
        status=Status.RUNNING, met_at__isnull=True, due_at__lt=now
    ).update(status=Status.BREACHED, updated_at=now)
    due = ClockState.objects.filter(next_escalation_at__lte=now).order_by("next_escalation_at")
    for row in due[:batch]:
        report.examined += 1
        # Every rung whose time has come, in ladder order (a worker down for hours catches up).
        while (nxt := _next_rung(row)) is not None and nxt[1] <= now:
            rung = nxt[0]
            sent = _escalate(row, rung, resolve, now)
            if sent < 0:
                break  # a concurrent sweep has it
            report.escalations += 1
            report.messages += sent
            report.rungs.append(f"{row.name}:{row.object_id}:{rung.name}")
        _schedule(row)
    return report


OPEN = (Status.RUNNING, Status.BREACHED)
DUE_SOON = timedelta(hours=24)


def clocks_owned_by(
    *, force_id: int, user_id: int, now: datetime, limit: int = 50
) -> list["ClockRow"]:
    """A person's open clocks, soonest due first (My work)."""
    rows = ClockState.objects.filter(force_id=force_id, owner_id=user_id, status__in=OPEN)
    return view_rows(rows.order_by("due_at", "id")[:limit], now)


def clocks_of_units(
    *,
    force_id: int,
    unit_ids: Iterable[int],
    now: datetime,
    limit: int = 100,
    overdue_only: bool = False,
) -> list["ClockRow"]:
    """A team's open clocks that are overdue or due within a day, soonest first (Team); only
    the overdue ones when asked."""
    until = now if overdue_only else now + DUE_SOON
    rows = ClockState.objects.filter(
        force_id=force_id, unit_id__in=list(unit_ids), status__in=OPEN, due_at__lt=until
    )
    return view_rows(rows.order_by("due_at", "id")[:limit], now)


def clocks_high_risk(
    *, force_id: int, now: datetime, limit: int = 200, overdue_only: bool = False
) -> list["ClockRow"]:
    """Every open clock on a high-risk record in the force, overdue first: the most overdue
    at the top, then the soonest due (duty inspector); only the overdue ones when asked."""
    rows = ClockState.objects.filter(force_id=force_id, high_risk=True, status__in=OPEN)
    if overdue_only:
        rows = rows.filter(due_at__lt=now)
    return view_rows(rows.order_by("due_at", "id")[:limit], now)


@dataclass(frozen=True)
class ClockRow:
    """A clock in a list: which record (named, with its owner and risk), and its tag."""

    clock: ClockView
    object_type: str
    object_id: int
    link: str
    tag_text: str
    tag_colour: str
    label: RecordLabel = RecordLabel(name="")


def view_row(row: ClockState, now: datetime, label: RecordLabel | None = None) -> ClockRow:
    clock = view_of(row, now)
    text, colour = clock.tag(now)
    return ClockRow(
        clock, row.object_type, row.object_id, _link(row), text, colour, label or _label(row)
    )


def view_rows(rows: Iterable[ClockState], now: datetime) -> list[ClockRow]:
    """Clock rows for a list, each record named, with one naming call per record type."""
    rows = list(rows)
    labels: dict[str, dict[int, RecordLabel]] = {}
    for object_type in {row.object_type for row in rows}:
        ids = [row.object_id for row in rows if row.object_type == object_type]
        labels[object_type] = record_labels(object_type, ids)
    return [
        view_row(
            row,
            now,
            labels[row.object_type].get(row.object_id)
            or RecordLabel(name=f"a {row.object_type.replace('_', ' ')} record"),
        )
        for row in rows
    ]
