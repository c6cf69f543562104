"""The clock engine: status from times alone, the tags people read, escalation ladders, the
sweeper's idempotency, and the resolver the accounts context registers (who each rung tells)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.accounts.selectors import escalation_recipients
from safeguard.core import clocks
from safeguard.core.clocks import (
    REGISTRY,
    ClockDefinition,
    ClockView,
    Derived,
    Recipient,
    clock_register,
    clock_status,
    clocks_refresh,
    clocks_sweep,
)
from safeguard.core.models import ClockState, Escalation, OutboxMessage

Status = ClockState.Status
DUE = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STARTED = DUE - timedelta(days=1)
H = timedelta(hours=1)
NAME = "test.ladder"
FORCE_ID = 7
OWNER, SUPERVISOR, INSPECTOR = 101, 102, 103


# --- clock_status -----------------------------------------------------------------------------


def _status(met_at=None, now=DUE, paused=False, cancelled=False) -> str:
    return clock_status(due_at=DUE, met_at=met_at, now=now, paused=paused, cancelled=cancelled)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"met_at": DUE - H}, Status.MET),
        ({"met_at": DUE}, Status.MET),  # on the due time is on time
        ({"met_at": DUE + timedelta(seconds=1)}, Status.MET_LATE),
        ({"met_at": DUE + H, "cancelled": True}, Status.MET_LATE),  # met wins over cancelled
        ({"met_at": DUE - H, "paused": True}, Status.MET),
        ({"cancelled": True, "now": DUE + H}, Status.CANCELLED),
        ({"cancelled": True, "paused": True}, Status.CANCELLED),
        ({"paused": True, "now": DUE + H}, Status.PAUSED),
        ({"now": DUE + timedelta(seconds=1)}, Status.BREACHED),
        ({"now": DUE}, Status.RUNNING),  # breached only after the due time
        ({"now": DUE - H}, Status.RUNNING),
    ],
)
def test_clock_status_every_branch(kwargs: dict, expected: str) -> None:
    assert _status(**kwargs) == expected


_times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(
    due=_times,
    met=st.none() | _times,
    now=_times,
    paused=st.booleans(),
    cancelled=st.booleans(),
)
def test_clock_status_properties(due, met, now, paused, cancelled) -> None:
    status = clock_status(due_at=due, met_at=met, now=now, paused=paused, cancelled=cancelled)
    assert (status in (Status.MET, Status.MET_LATE)) == (met is not None)
    if met is not None:
        assert (status == Status.MET) == (met <= due)
    assert (status == Status.BREACHED) == (
        met is None and not paused and not cancelled and now > due
    )
    assert status in Status.values


# --- tags -------------------------------------------------------------------------------------


def _view(status: str = Status.RUNNING, met_at: datetime | None = None) -> ClockView:
    return ClockView(name=NAME, title="Test", due_at=DUE, met_at=met_at, status=status)


@pytest.mark.parametrize(
    ("now", "text", "colour"),
    [
        (DUE - 2 * H, "due in 2 hours", "yellow"),
        (DUE - H, "due in 1 hour", "yellow"),
        (DUE - 5 * H, "due in 5 hours", "blue"),
        (DUE - timedelta(days=3, hours=2), "due in 3 days", "blue"),
        (DUE - timedelta(minutes=1), "due in 1 minute", "yellow"),
        (DUE + timedelta(minutes=40), "overdue by 40 minutes", "red"),
        (DUE + timedelta(minutes=40, seconds=59), "overdue by 40 minutes", "red"),
        (DUE + timedelta(hours=26), "overdue by 1 day", "red"),
    ],
)
def test_tag_running(now: datetime, text: str, colour: str) -> None:
    assert _view().tag(now) == (text, colour)


def test_tag_met_and_met_late_whatever_the_time() -> None:
    assert _view(Status.MET, DUE - H).tag(DUE + timedelta(days=9)) == ("met", "green")
    assert _view(Status.MET_LATE, DUE + H).tag(DUE) == ("met late", "orange")
    assert _view(Status.CANCELLED).tag(DUE + H)[1] == "grey"
    assert _view(Status.PAUSED).tag(DUE + H) == ("paused", "grey")


def test_as_dict_is_iso_8601_with_offset() -> None:
    data = _view(Status.MET, DUE - H).as_dict()
    assert data == {
        "name": NAME,
        "due_at": "2026-03-10T12:00:00+00:00",
        "met_at": "2026-03-10T11:00:00+00:00",
        "status": "met",
    }


# --- ladders and the sweeper ------------------------------------------------------------------


@pytest.fixture
def definition() -> Iterator[ClockDefinition]:
    made = clock_register(
        ClockDefinition(
            name=NAME,
            title="Test deadline",
            starts="a test starts it",
            stops="a test stops it",
            rule="whatever the test says",
            source="this test",
        )
    )
    try:
        yield made
    finally:
        REGISTRY.pop(NAME, None)


class Resolver:
    """Owner and supervisor have email; the duty inspector has none (alert only)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []

    def __call__(self, row: ClockState, who: str) -> list[Recipient]:
        self.calls.append((row.pk, who))
        return {
            "owner": [Recipient(OWNER, "owner@police.example")],
            "supervisor": [Recipient(SUPERVISOR, "sup@police.example")],
            "duty_inspector": [Recipient(INSPECTOR, "")],
        }[who]


@pytest.fixture
def resolve() -> Resolver:
    return Resolver()


def _refresh(
    due: datetime = DUE, met_at: datetime | None = None, now: datetime | None = None, obj=1
) -> ClockState:
    clocks_refresh(
        object_type="case",
        object_id=obj,
        force_id=FORCE_ID,
        derived=[Derived(name=NAME, started_at=STARTED, due_at=due, met_at=met_at)],
        owner_id=OWNER,
        unit_id=55,
        high_risk=False,
        now=now or STARTED,
    )
    return ClockState.objects.get(object_type="case", object_id=obj, name=NAME)


def _counts() -> tuple[int, int]:
    return Escalation.objects.count(), OutboxMessage.objects.count()


def _messages(rung: str) -> list[tuple[str, int | None, str]]:
    return sorted(
        (m.channel, m.recipient_user_id, m.to_address)
        for m in OutboxMessage.objects.filter(dedupe_key__contains=f":{rung}:")
    )


@pytest.mark.django_db
def test_ladder_rung_by_rung(definition, resolve) -> None:
    row = _refresh()
    assert row.next_escalation_at == DUE - 2 * H

    # Three hours before: nothing yet.
    report = clocks_sweep(now=DUE - 3 * H, resolve=resolve)
    assert (report.escalations, report.messages) == (0, 0)
    assert _counts() == (0, 0)

    # Two hours before: only the owner's "before" rung.
    report = clocks_sweep(now=DUE - 2 * H, resolve=resolve)
    assert report.rungs == [f"{NAME}:1:owner.before.7200"]
    assert (report.escalations, report.messages) == (1, 2)
    assert resolve.calls == [(row.pk, "owner")]
    assert _messages("owner.before.7200") == [
        ("alert", OWNER, ""),
        ("email", OWNER, "owner@police.example"),
    ]
    row.refresh_from_db()
    assert row.next_escalation_at == DUE
    assert row.status == Status.RUNNING

    # On the due time: the owner again and the supervisor.
    report = clocks_sweep(now=DUE, resolve=resolve)
    assert report.rungs == [f"{NAME}:1:owner.after.0", f"{NAME}:1:supervisor.after.0"]
    assert (report.escalations, report.messages) == (2, 4)
    assert _messages("supervisor.after.0") == [
        ("alert", SUPERVISOR, ""),
        ("email", SUPERVISOR, "sup@police.example"),
    ]
    row.refresh_from_db()
    assert row.next_escalation_at == DUE + 2 * H

    # An hour late: breached, but the inspector's rung is not due yet.
    report = clocks_sweep(now=DUE + H, resolve=resolve)
    assert (report.breached, report.escalations) == (1, 0)
    row.refresh_from_db()
    assert row.status == Status.BREACHED

    # Two hours late: the duty inspector, in-app only (no email address).
    report = clocks_sweep(now=DUE + 2 * H, resolve=resolve)
    assert report.rungs == [f"{NAME}:1:duty_inspector.after.7200"]
    assert (report.escalations, report.messages) == (1, 1)
    assert _messages("duty_inspector.after.7200") == [("alert", INSPECTOR, "")]
    row.refresh_from_db()
    assert row.next_escalation_at is None
    assert _counts() == (4, 7)

    # Every message carries its dedupe key: clock, rung, due time, recipient, channel.
    keys = set(OutboxMessage.objects.values_list("dedupe_key", flat=True))
    assert f"clock:{row.pk}:owner.before.7200:{DUE.isoformat()}:{OWNER}:email" in keys
    assert f"clock:{row.pk}:duty_inspector.after.7200:{DUE.isoformat()}:{INSPECTOR}:alert" in keys
    assert all(key and key.startswith(f"clock:{row.pk}:") for key in keys)
    overdue = OutboxMessage.objects.get(dedupe_key__contains="supervisor.after.0:", channel="email")
    assert (
        overdue.subject == "Due soon: Test deadline, a case record"
    )  # sent at the due time, not after it
    assert overdue.link == "/cases/1/"
    early = OutboxMessage.objects.get(dedupe_key__contains="owner.before", channel="email")
    assert early.subject == "Due soon: Test deadline, a case record"
    assert early.status == OutboxMessage.Status.QUEUED


@pytest.mark.django_db
def test_sweeping_twice_at_the_same_time_sends_nothing_twice(definition, resolve) -> None:
    _refresh()
    _refresh(obj=2, due=DUE + H)
    first = clocks_sweep(now=DUE, resolve=resolve)
    assert first.escalations == 3 + 1  # clock 1: three rungs; clock 2: its "before" rung
    after_first = _counts()
    second = clocks_sweep(now=DUE, resolve=resolve)
    assert (second.escalations, second.messages, second.rungs) == (0, 0, [])
    assert _counts() == after_first
    # The sweeper reads only clocks with a rung due.
    assert second.examined == 0


@pytest.mark.django_db
def test_a_worker_down_for_five_hours_catches_up_every_rung_once(definition, resolve) -> None:
    row = _refresh()
    report = clocks_sweep(now=DUE + 3 * H, resolve=resolve)  # last sweep was at DUE - 2h
    assert [r.split(":")[-1] for r in report.rungs] == [
        "owner.before.7200",
        "owner.after.0",
        "supervisor.after.0",
        "duty_inspector.after.7200",
    ]
    assert (report.breached, report.escalations, report.messages) == (1, 4, 7)
    assert Escalation.objects.filter(clock=row).count() == 4
    subjects = set(OutboxMessage.objects.values_list("subject", flat=True))
    assert subjects == {
        "Overdue: Test deadline, a case record"
    }  # told late, and the message says so
    again = clocks_sweep(now=DUE + 3 * H, resolve=resolve)
    assert (again.escalations, again.messages) == (0, 0)
    assert _counts() == (4, 7)


@pytest.mark.django_db
def test_a_clock_re_derived_to_a_new_due_time_escalates_afresh(definition, resolve) -> None:
    row = _refresh()
    clocks_sweep(now=DUE + 3 * H, resolve=resolve)
    row.refresh_from_db()
    assert row.next_escalation_at is None

    later = DUE + timedelta(days=1)
    row = _refresh(due=later, now=DUE + 3 * H)
    assert row.status == Status.RUNNING
    assert row.next_escalation_at == later - 2 * H
    assert clocks_sweep(now=later - 3 * H, resolve=resolve).escalations == 0
    report = clocks_sweep(now=later + 2 * H, resolve=resolve)
    assert report.escalations == 4
    assert Escalation.objects.filter(clock=row, due_at=later).count() == 4
    assert _counts() == (8, 14)
    assert clocks_sweep(now=later + 2 * H, resolve=resolve).escalations == 0


@pytest.mark.django_db
def test_a_met_clock_escalates_nothing(definition, resolve) -> None:
    row = _refresh(met_at=DUE - 3 * H, now=DUE - 3 * H)
    assert (row.status, row.next_escalation_at) == (Status.MET, None)
    report = clocks_sweep(now=DUE + 5 * H, resolve=resolve)
    assert (report.breached, report.escalations, report.messages) == (0, 0, 0)
    assert _counts() == (0, 0)
    row.refresh_from_db()
    assert row.status == Status.MET


@pytest.mark.django_db
def test_meeting_a_clock_mid_ladder_stops_it(definition, resolve) -> None:
    _refresh()
    clocks_sweep(now=DUE, resolve=resolve)
    row = _refresh(met_at=DUE + H, now=DUE + H)
    assert (row.status, row.next_escalation_at) == (Status.MET_LATE, None)
    assert clocks_sweep(now=DUE + 5 * H, resolve=resolve).escalations == 0
    assert Escalation.objects.count() == 3


@pytest.mark.django_db
def test_cancelled_and_paused_clocks_escalate_nothing(definition, resolve) -> None:
    for obj, flags in ((1, {"cancelled": True}), (2, {"paused": True})):
        clocks_refresh(
            object_type="case",
            object_id=obj,
            force_id=FORCE_ID,
            derived=[Derived(name=NAME, started_at=STARTED, due_at=DUE, **flags)],
            owner_id=OWNER,
            unit_id=55,
            high_risk=False,
            now=STARTED,
        )
    assert set(ClockState.objects.values_list("next_escalation_at", flat=True)) == {None}
    report = clocks_sweep(now=DUE + 5 * H, resolve=resolve)
    assert (report.breached, report.escalations) == (0, 0)


@pytest.mark.django_db
def test_an_unregistered_clock_has_no_ladder(resolve) -> None:
    assert NAME not in REGISTRY
    row = _refresh()
    assert row.next_escalation_at is None
    assert clocks_sweep(now=DUE + 5 * H, resolve=resolve).escalations == 0


@pytest.mark.django_db
def test_the_sweeper_uses_the_registered_resolver(definition, monkeypatch) -> None:
    assert clocks.RESOLVERS[0] is escalation_recipients  # accounts registered it at start-up
    told: list[str] = []
    monkeypatch.setattr(clocks, "RESOLVERS", [lambda row, who: told.append(who) or []])
    _refresh()
    report = clocks_sweep(now=DUE - 2 * H)
    assert told == ["owner"]
    assert (report.escalations, report.messages) == (1, 0)  # the rung is done, nobody told
    monkeypatch.setattr(clocks, "RESOLVERS", [])
    with pytest.raises(RuntimeError):
        clocks_sweep(now=DUE)


# --- the accounts resolver --------------------------------------------------------------------


def _clock_for(force, unit, owner) -> ClockState:
    return ClockState.objects.create(
        force_id=force.pk,
        object_type="case",
        object_id=1,
        name=NAME,
        started_at=STARTED,
        due_at=DUE,
        status=Status.RUNNING,
        owner_id=owner.pk if owner else None,
        unit_id=unit.pk if unit else None,
        updated_at=STARTED,
    )


@pytest.mark.django_db
def test_escalation_recipients(make_user, force, unit, other_unit, foreign_unit) -> None:
    owner = make_user("investigator")
    supervisor = make_user("supervisor")
    make_user("supervisor", units=[other_unit])  # another unit's
    make_user("supervisor", is_active=False)  # left the force
    make_user("supervisor", force=foreign_unit.force, units=[foreign_unit])  # another force's
    make_user("officer")  # same unit, not a supervisor
    both = make_user("supervisor", units=[unit, other_unit])
    inspector = make_user("duty_inspector", units=[])
    make_user("duty_inspector", is_active=False)
    make_user("duty_inspector", force=foreign_unit.force, units=[foreign_unit])
    clock = _clock_for(force, unit, owner)

    def told(who: str) -> list[int]:
        return [r.user_id for r in escalation_recipients(clock, who)]

    assert escalation_recipients(clock, "owner") == [Recipient(owner.pk, owner.email)]
    assert told("supervisor") == [supervisor.pk, both.pk]
    assert told("duty_inspector") == [inspector.pk]
    assert told("somebody else") == []


@pytest.mark.django_db
def test_escalation_recipients_edge_cases(make_user, force, unit, foreign_unit) -> None:
    make_user("supervisor")
    # No owner, no unit: nobody for those rungs, but the inspector is still told.
    inspector = make_user("duty_inspector", units=[])
    clock = _clock_for(force, None, None)
    assert escalation_recipients(clock, "owner") == []
    assert escalation_recipients(clock, "supervisor") == []
    assert [r.user_id for r in escalation_recipients(clock, "duty_inspector")] == [inspector.pk]
    # An owner who has left is not told; nor is an owner id from another force.
    leaver = make_user("investigator", is_active=False)
    assert escalation_recipients(_clock_for_owner(force, unit, leaver), "owner") == []
    stranger = make_user("investigator", force=foreign_unit.force, units=[foreign_unit])
    assert escalation_recipients(_clock_for_owner(force, unit, stranger), "owner") == []


def _clock_for_owner(force, unit, owner) -> ClockState:
    ClockState.objects.filter(object_type="case", object_id=1, name=NAME).delete()
    return _clock_for(force, unit, owner)
