"""Guards for what a case record must hold, without a database: decisions, dates, the voice of
the child, actions, reasons and closure."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from safeguard.cases.rules import record_keeping as rk
from safeguard.cases.rules.record_keeping import ClosureFacts, VoiceInput

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
REFERRAL = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SEEN_AND_HEARD = VoiceInput(
    seen=True,
    seen_at=datetime(2026, 3, 3, 16, 0, tzinfo=UTC),
    spoken_to=True,
    spoken_to_alone=True,
    child_said="Said she is frightened when her stepfather drinks.",
    demeanour="Quiet, avoided eye contact, relaxed once her teacher was present.",
    not_seen_reason="",
)


def voice(**changes):
    return rk.voice_problems(
        replace(SEEN_AND_HEARD, **changes), referral_received_at=REFERRAL, now=NOW
    )


# --- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "rationale", "expected"),
    [
        ("Strategy discussion with social care", "Disclosure of physical harm", []),
        ("Strategy discussion", "", [("rationale", rk.RATIONALE_REQUIRED)]),
        ("Strategy discussion", "   \n\t", [("rationale", rk.RATIONALE_REQUIRED)]),
        ("", "Because", [("decision", rk.DECISION_REQUIRED)]),
        (
            " ",
            "",
            [("decision", rk.DECISION_REQUIRED), ("rationale", rk.RATIONALE_REQUIRED)],
        ),
    ],
)
def test_a_decision_needs_its_rationale(decision, rationale, expected):
    assert rk.decision_problems(decision=decision, rationale=rationale) == expected


# --- referral, risk, actions, reasons ----------------------------------------------------------


def test_a_referral_is_received_now_or_in_the_past():
    assert rk.referral_problems(received_at=NOW, now=NOW) == []
    assert rk.referral_problems(received_at=NOW - timedelta(days=400), now=NOW) == []
    assert rk.referral_problems(received_at=NOW + timedelta(seconds=1), now=NOW) == [
        ("received_at", rk.REFERRAL_IN_FUTURE)
    ]


def test_a_risk_grade_needs_a_rationale():
    assert rk.risk_problems(rationale="Injuries to a non-mobile baby") == []
    assert rk.risk_problems(rationale="  ") == [("risk_rationale", rk.RISK_RATIONALE_REQUIRED)]


def test_an_action_is_due_today_or_later():
    today = NOW.date()
    assert rk.action_problems(due_on=today, today=today) == []
    assert rk.action_problems(due_on=today + timedelta(days=1), today=today) == []
    assert rk.action_problems(due_on=today - timedelta(days=1), today=today) == [
        ("due_on", rk.DUE_IN_PAST)
    ]


def test_a_reason_is_not_blank():
    assert rk.reason_problems(reason="New information from school") == []
    assert rk.reason_problems(reason="") == [("reason", rk.REASON_REQUIRED)]
    assert rk.reason_problems(reason=" \n ") == [("reason", rk.REASON_REQUIRED)]


# --- the voice of the child ------------------------------------------------------------------


def test_seen_spoken_to_alone_with_words_and_demeanour_is_complete():
    assert voice() == []


def test_seen_at_the_moment_of_the_referral_or_now_is_accepted():
    assert voice(seen_at=REFERRAL) == []
    assert voice(seen_at=NOW) == []


def test_first_seen_before_the_referral_is_refused():
    assert voice(seen_at=REFERRAL - timedelta(minutes=1)) == [("seen_at", rk.SEEN_BEFORE_REFERRAL)]


def test_seen_in_the_future_is_refused():
    assert voice(seen_at=NOW + timedelta(minutes=1)) == [("seen_at", rk.SEEN_IN_FUTURE)]


def test_seen_needs_a_time_and_how_the_child_seemed():
    assert voice(seen_at=None) == [("seen_at", rk.SEEN_AT_REQUIRED)]
    assert voice(demeanour=" ") == [("demeanour", rk.DEMEANOUR_REQUIRED)]


def test_spoken_to_needs_what_the_child_said():
    assert voice(child_said="") == [("child_said", rk.WORDS_REQUIRED)]


def test_seen_but_not_spoken_to_needs_the_reason():
    problems = voice(spoken_to=False, spoken_to_alone=False, child_said="")
    assert problems == [("not_seen_reason", rk.NOT_SEEN_REASON_REQUIRED)]
    assert (
        voice(
            spoken_to=False,
            child_said="",
            not_seen_reason="Pre-verbal: eleven months old",
        )
        == []
    )


def test_not_seen_needs_the_reason_and_nothing_else():
    not_seen = {
        "seen": False,
        "seen_at": None,
        "spoken_to": False,
        "spoken_to_alone": False,
        "child_said": "",
        "demeanour": "",
    }
    assert voice(**not_seen, not_seen_reason="") == [
        ("not_seen_reason", rk.NOT_SEEN_REASON_REQUIRED)
    ]
    assert voice(**not_seen, not_seen_reason="Family moved to Spain before the visit") == []


def test_a_not_seen_child_ignores_a_stale_seen_time():
    """Not seen: a seen_at left over from a form is not checked against the referral."""
    assert (
        voice(
            seen=False,
            seen_at=REFERRAL - timedelta(days=3),
            spoken_to=False,
            child_said="",
            demeanour="",
            not_seen_reason="Not at home on three visits",
        )
        == []
    )


def test_every_voice_problem_is_reported_at_once():
    problems = voice(seen_at=None, demeanour="", child_said="")
    assert [field for field, _ in problems] == ["seen_at", "demeanour", "child_said"]


# --- closure ---------------------------------------------------------------------------------


def facts(**changes):
    base = ClosureFacts(
        subject_child_names=("Amelia Hughes", "Noah Hughes"),
        children_with_voice=frozenset({"Amelia Hughes", "Noah Hughes"}),
        approver_is_supervisor=True,
        approver_investigated=False,
    )
    return replace(base, **changes)


def test_closure_needs_a_subject_child():
    assert rk.voice_missing_problems(facts(subject_child_names=())) == [
        ("people", rk.NO_SUBJECT_CHILD)
    ]


def test_closure_needs_the_voice_of_every_subject_child():
    assert rk.voice_missing_problems(facts()) == []
    problems = rk.voice_missing_problems(facts(children_with_voice=frozenset({"Amelia Hughes"})))
    assert problems == [("voice", "Record the voice of the child for Noah Hughes before closure")]
    assert len(rk.voice_missing_problems(facts(children_with_voice=frozenset()))) == 2


def test_an_independent_supervisor_may_approve():
    assert rk.closure_approval_problems(facts()) == []


def test_only_a_supervisor_may_approve():
    assert rk.closure_approval_problems(facts(approver_is_supervisor=False)) == [
        ("approver", rk.NOT_A_SUPERVISOR)
    ]
    # Not a supervisor is the first thing to say, even if they also investigated it.
    assert rk.closure_approval_problems(
        facts(approver_is_supervisor=False, approver_investigated=True)
    ) == [("approver", rk.NOT_A_SUPERVISOR)]


def test_a_supervisor_cannot_approve_their_own_case():
    assert rk.closure_approval_problems(facts(approver_investigated=True)) == [
        ("approver", rk.OWN_CASE)
    ]


def test_closure_approval_reports_voice_and_approver_problems_together():
    problems = rk.closure_approval_problems(
        facts(children_with_voice=frozenset(), approver_investigated=True)
    )
    assert [field for field, _ in problems] == ["voice", "voice", "approver"]
