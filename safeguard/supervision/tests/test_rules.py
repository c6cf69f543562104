"""When a supervisory review is due, and the bounds of a force's review policy: pure rules."""

from datetime import UTC, datetime, timedelta

import pytest

from safeguard.supervision.rules import (
    DEFAULT_INITIAL_REVIEW_HOURS,
    DEFAULT_PERIODIC_REVIEW_DAYS,
    ReviewPolicy,
    next_review_due,
    policy_problems,
)

ALLOCATED = datetime(2026, 3, 10, 9, 15, tzinfo=UTC)
DEFAULT = ReviewPolicy()


def due(allocated_at=ALLOCATED, last_review_at=None, directed=None, policy=DEFAULT):
    return next_review_due(
        allocated_at=allocated_at,
        last_review_at=last_review_at,
        directed_next_review=directed,
        policy=policy,
    )


def test_the_defaults_are_a_day_then_every_28_days():
    assert (DEFAULT_INITIAL_REVIEW_HOURS, DEFAULT_PERIODIC_REVIEW_DAYS) == (24, 28)
    assert ReviewPolicy() == ReviewPolicy(24, 28)


def test_nothing_is_due_before_allocation():
    assert due(allocated_at=None) is None
    # Even with a review on record (e.g. an unallocated case reviewed by mistake).
    assert due(allocated_at=None, last_review_at=ALLOCATED, directed=ALLOCATED) is None


def test_the_first_review_is_due_the_initial_interval_after_allocation():
    assert due() == ALLOCATED + timedelta(hours=24)
    assert due(policy=ReviewPolicy(initial_review_hours=4)) == ALLOCATED + timedelta(hours=4)


def test_a_review_before_a_reallocation_does_not_count():
    earlier_review = ALLOCATED - timedelta(days=3)
    assert due(last_review_at=earlier_review) == ALLOCATED + timedelta(hours=24)
    assert due(last_review_at=earlier_review, directed=ALLOCATED + timedelta(days=60)) == (
        ALLOCATED + timedelta(hours=24)
    )


def test_a_review_at_the_moment_of_allocation_counts():
    assert due(last_review_at=ALLOCATED) == ALLOCATED + timedelta(days=28)


def test_after_a_review_the_next_is_due_the_periodic_interval_later():
    reviewed = ALLOCATED + timedelta(hours=20)
    assert due(last_review_at=reviewed) == reviewed + timedelta(days=28)
    assert due(last_review_at=reviewed, policy=ReviewPolicy(periodic_review_days=7)) == (
        reviewed + timedelta(days=7)
    )


def test_a_directed_date_sooner_than_the_interval_wins():
    reviewed = ALLOCATED + timedelta(hours=20)
    directed = reviewed + timedelta(days=5)
    assert due(last_review_at=reviewed, directed=directed) == directed


def test_a_directed_date_later_than_the_interval_does_not_delay_the_review():
    reviewed = ALLOCATED + timedelta(hours=20)
    assert due(last_review_at=reviewed, directed=reviewed + timedelta(days=60)) == (
        reviewed + timedelta(days=28)
    )


def test_a_directed_date_equal_to_the_interval_is_that_date():
    reviewed = ALLOCATED + timedelta(hours=20)
    assert due(last_review_at=reviewed, directed=reviewed + timedelta(days=28)) == (
        reviewed + timedelta(days=28)
    )


@pytest.mark.parametrize(
    ("hours", "days", "fields"),
    [
        (24, 28, []),
        (1, 1, []),
        (168, 90, []),
        (0, 28, ["initial_review_hours"]),
        (169, 28, ["initial_review_hours"]),
        (-5, 28, ["initial_review_hours"]),
        (24, 0, ["periodic_review_days"]),
        (24, 91, ["periodic_review_days"]),
        (0, 91, ["initial_review_hours", "periodic_review_days"]),
    ],
)
def test_policy_bounds(hours, days, fields):
    problems = policy_problems(ReviewPolicy(hours, days))
    assert [field for field, _ in problems] == fields


def test_policy_messages_name_the_range():
    [(_, hours)] = policy_problems(ReviewPolicy(0, 28))
    assert hours == "The first review must be due within 1 to 168 hours"
    [(_, days)] = policy_problems(ReviewPolicy(24, 91))
    assert days == "Reviews must be due every 1 to 90 days"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"child_seen_high_hours": 0}, "child_seen_high_hours"),
        ({"child_seen_high_hours": 73}, "child_seen_high_hours"),
        ({"child_seen_medium_days": 21}, "child_seen_medium_days"),
        ({"child_seen_standard_days": 0}, "child_seen_standard_days"),
    ],
)
def test_child_seen_intervals_outside_their_range_are_refused(changes, field):
    problems = policy_problems(ReviewPolicy(**changes))
    assert [name for name, _ in problems] == [field]
