"""The case lifecycle table, exhaustively and without a database: every (status, transition)
pair is either a move to a named status or a refusal that names the allowed transitions.

The expected answers are written out here by hand, from the issue's lifecycle, not read from
`TRANSITIONS`: a change to the table has to be made twice, once on purpose in each place."""

import itertools

import pytest

from safeguard.cases.rules.lifecycle import (
    TRANSITION_LABELS,
    TRANSITIONS,
    IllegalTransition,
    Status,
    Transition,
    allowed_transitions,
    needs_reason,
    next_status,
)

S = Status
T = Transition

# (status, transition) -> the status it leads to. Every pair not listed is refused.
EXPECTED: dict[tuple[Status, Transition], Status] = {
    (S.RECEIVED, T.TRIAGE): S.TRIAGED,
    (S.TRIAGED, T.ALLOCATE): S.ALLOCATED,
    # A supervisor may re-allocate an allocated or investigating case; it keeps its status.
    (S.ALLOCATED, T.REALLOCATE): S.ALLOCATED,
    (S.INVESTIGATING, T.REALLOCATE): S.INVESTIGATING,
    (S.ALLOCATED, T.START_INVESTIGATION): S.INVESTIGATING,
    (S.INVESTIGATING, T.REQUEST_CLOSURE): S.AWAITING_CLOSURE,
    (S.AWAITING_CLOSURE, T.APPROVE_CLOSURE): S.CLOSED,
    (S.AWAITING_CLOSURE, T.RETURN_FOR_WORK): S.INVESTIGATING,
    (S.CLOSED, T.REOPEN): S.INVESTIGATING,
}

# The allowed transitions from each status, in table order, as a reader of the refusal sees them.
ALLOWED_FROM: dict[Status, list[Transition]] = {
    S.RECEIVED: [T.TRIAGE],
    S.TRIAGED: [T.ALLOCATE],
    S.ALLOCATED: [T.REALLOCATE, T.START_INVESTIGATION],
    S.INVESTIGATING: [T.REALLOCATE, T.REQUEST_CLOSURE],
    S.AWAITING_CLOSURE: [T.APPROVE_CLOSURE, T.RETURN_FOR_WORK],
    S.CLOSED: [T.REOPEN],
}

EVERY_PAIR = list(itertools.product(Status, Transition))


def test_the_expected_tables_cover_every_status_and_transition():
    assert set(ALLOWED_FROM) == set(Status)
    assert {t for _, t in EXPECTED} == set(Transition), "every transition is allowed somewhere"
    assert {s for s, _ in EXPECTED} == set(Status), "no status is a dead end"
    for status, allowed in ALLOWED_FROM.items():
        assert set(allowed) == {t for (s, t) in EXPECTED if s == status}
    assert len(EVERY_PAIR) == 6 * 8


@pytest.mark.parametrize(("status", "transition"), EVERY_PAIR, ids=lambda v: str(v))
def test_every_status_and_transition(status, transition):
    if (status, transition) in EXPECTED:
        assert next_status(status, transition) == EXPECTED[(status, transition)]
        # The plain string names the same transition as the enum.
        assert next_status(status, str(transition)) == EXPECTED[(status, transition)]
        return
    with pytest.raises(IllegalTransition) as refused:
        next_status(status, transition)
    error = refused.value
    assert error.status == status
    assert error.transition == transition
    assert error.allowed == ALLOWED_FROM[status]
    message = str(error)
    assert status.label.lower() in message
    assert f"'{transition.label.lower()}'" in message
    named = message.split("Allowed from here: ")[1].rstrip(".").split(", ")
    assert named == [allowed.label.lower() for allowed in ALLOWED_FROM[status]]


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_allowed_transitions_from_each_status(status):
    assert allowed_transitions(status) == ALLOWED_FROM[status]


def test_a_refusal_reads_as_a_sentence():
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.RECEIVED, T.APPROVE_CLOSURE)
    assert str(refused.value) == (
        "A case that is received cannot 'approve closure'. Allowed from here: triage."
    )
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.AWAITING_CLOSURE, T.TRIAGE)
    assert str(refused.value) == (
        "A case that is awaiting closure approval cannot 'triage'. "
        "Allowed from here: approve closure, return for more work."
    )


@pytest.mark.parametrize("name", ["close", "", "TRIAGE", "delete_case", "received"])
def test_an_unknown_transition_name_is_refused_and_named(name):
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.RECEIVED, name)
    assert refused.value.transition == name
    assert refused.value.allowed == [T.TRIAGE]
    assert f"'{name}'" in str(refused.value)
    assert "Allowed from here: triage." in str(refused.value)


NEEDS_REASON = {
    T.TRIAGE: False,
    T.ALLOCATE: False,
    T.REALLOCATE: False,
    T.START_INVESTIGATION: False,
    T.REQUEST_CLOSURE: False,
    T.APPROVE_CLOSURE: False,
    T.RETURN_FOR_WORK: True,
    T.REOPEN: True,
}


@pytest.mark.parametrize("transition", list(Transition), ids=str)
def test_which_transitions_need_a_reason(transition):
    assert needs_reason(transition) is NEEDS_REASON[transition]


def test_every_transition_and_status_has_a_label():
    assert set(TRANSITION_LABELS) == set(Transition) == set(TRANSITIONS)
    assert all(t.label for t in Transition)
    assert all(s.label for s in Status)
    assert S.AWAITING_CLOSURE.label == "Awaiting closure approval"
