"""Missing episodes in the synthetic data: one per missing case, told as the services would have
told it (grades, response, return, interviews, triggers), the same for the same seed, and read
by the missing app's own clocks and selectors."""

import hashlib
import io
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case, Involvement
from safeguard.core.audit import audit_verify_chain
from safeguard.core.models import ClockState, Disclosure
from safeguard.missing import selectors
from safeguard.missing.models import (
    Episode,
    GradeChange,
    PreventionInterview,
    ReturnInterview,
    Trigger,
)
from safeguard.missing.rules.episodes import RHI_OFFER_WITHIN
from safeguard.missing.rules.grading import Grade
from safeguard.missing.rules.response import CASE_GRADE
from safeguard.partners.models import LocalAuthority
from safeguard.synthetic.episodes import MISSING_TABLES
from safeguard.synthetic.generator import TABLES, Generator, Plan
from safeguard.synthetic.tests.test_generator import SETUP
from safeguard.synthetic.writer import generate

COLUMNS = {table: {c: i for i, c in enumerate(cols)} for table, cols in TABLES.items()}


def rows_of(plan: Plan) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for batch in Generator(SETUP, plan).batches():
        for table in TABLES:
            rows[table] += batch.rows[table]
    return rows


def col(table: str, row: tuple, name: str):
    return row[COLUMNS[table][name]]


@pytest.fixture(scope="module")
def year_of_missing() -> dict[str, list[tuple]]:
    """A force-year of missing cases only (and the exploitation cases their triggers raise)."""
    return rows_of(Plan(seed=2026, force_years=1, case_types=("missing",)))


def test_same_seed_same_episodes_and_another_seed_others():
    def digest(seed: int) -> str:
        sha = hashlib.sha256()
        for table in MISSING_TABLES:
            for row in rows_of(Plan(seed=seed, force_years=1, max_cases=900))[table]:
                sha.update(repr(row).encode())
        return sha.hexdigest()

    assert digest(5) == digest(5)
    assert digest(5) != digest(6)


def test_only_the_types_asked_for_and_their_raised_cases():
    rows = rows_of(Plan(seed=1, force_years=1, max_cases=500, case_types=("missing",)))
    types = Counter(col("case", row, "case_type") for row in rows["case"])
    assert types["missing"] == 500
    assert set(types) <= {"missing", "exploitation"}
    for row in rows["case"]:
        if col("case", row, "case_type") == "exploitation":
            assert col("case", row, "summary").startswith("Flagged from missing episode")


def test_every_missing_case_has_one_consistent_episode(year_of_missing):
    rows = year_of_missing
    cases = {col("case", r, "id"): r for r in rows["case"]}
    missing = {i for i, r in cases.items() if col("case", r, "case_type") == "missing"}
    episodes = {col("episode", r, "id"): r for r in rows["episode"]}
    assert sorted(col("episode", r, "case_id") for r in episodes.values()) == sorted(missing)
    subjects = {
        (col("involvement", r, "case_id"), col("involvement", r, "person_id"))
        for r in rows["involvement"]
        if col("involvement", r, "role") == "subject"
    }
    gradings = defaultdict(list)
    for row in rows["grade_change"]:
        gradings[col("grade_change", row, "episode_id")].append(row)
    until = Plan(seed=2026, force_years=1).until
    for episode_id, row in episodes.items():
        case = cases[col("episode", row, "case_id")]
        assert (col("episode", row, "case_id"), col("episode", row, "child_id")) in subjects
        assert col("episode", row, "reported_at") == col("case", case, "received_at")
        assert col("episode", row, "last_seen_at") <= col("episode", row, "reported_at")
        assert col("episode", row, "age_years") <= 17
        assert CASE_GRADE[Grade(col("episode", row, "grade"))] == col("case", case, "risk_grade")
        if col("episode", row, "missing_from") == "care":
            assert col("episode", row, "placement_name")
        # One grade at least, the latest the episode's; an officer never grades lower than
        # suggested: a lower grade is a supervisor's, who agreed it.
        history = sorted(gradings[episode_id], key=lambda g: col("grade_change", g, "changed_at"))
        assert 1 <= len(history) <= 2
        assert col("grade_change", history[-1], "grade") == col("episode", row, "grade")
        suggested = Grade(col("episode", row, "suggested_grade"))
        for grading in history:
            if Grade(col("grade_change", grading, "grade")).rank < suggested.rank:
                assert col("grade_change", grading, "agreed_by_id") is not None
        attended = col("episode", row, "first_attended_at")
        if attended is not None:
            assert col("episode", row, "reported_at") <= attended <= until  # timed from the report
        found = col("episode", row, "found_at")
        if found is None:
            # Still missing: the case is still open.
            assert col("episode", row, "status") == "missing"
            assert col("case", case, "status") not in ("awaiting_closure", "closed")
        else:
            assert col("episode", row, "status") == "found"
            assert col("episode", row, "last_seen_at") <= found <= until
            if col("case", case, "closed_at") is not None:
                assert col("case", case, "closed_at") > found


def test_returns_interviews_and_the_shape_of_a_force_year(year_of_missing):
    rows = year_of_missing
    episodes = {col("episode", r, "id"): r for r in rows["episode"]}
    found = {i for i, r in episodes.items() if col("episode", r, "found_at") is not None}
    still_missing = len(episodes) - len(found)
    assert 20 <= still_missing <= 60  # the active board at `until`
    tasks = {col("return_interview", r, "episode_id"): r for r in rows["return_interview"]}
    assert set(tasks) == found  # every return is the local authority's task
    in_time = 0
    for episode_id, task in tasks.items():
        returned = col("return_interview", task, "returned_at")
        assert returned == col("episode", episodes[episode_id], "found_at")
        offered = col("return_interview", task, "offered_at")
        if offered is not None:
            assert offered >= returned
            in_time += offered - returned <= RHI_OFFER_WITHIN
            interview = col("return_interview", task, "interview_at")
            assert interview is None or interview >= offered
    assert 0.55 < in_time / len(tasks) < 0.75  # 63% nationally (docs/rules.md 1.3)
    interviews = rows["prevention_interview"]
    assert 0.75 < len(interviews) / len(found) < 0.95
    for row in interviews:
        episode = episodes[col("prevention_interview", row, "episode_id")]
        assert col("prevention_interview", row, "conducted_at") >= col(
            "episode", episode, "found_at"
        )
    share = Counter(col("episode", r, "missing_from") for r in episodes.values())
    assert 0.25 < share["care"] / len(episodes) < 0.35
    assert share["home"] == max(share.values())
    grades = Counter(col("episode", r, "grade") for r in episodes.values())
    assert 0.10 < grades["high"] / len(episodes) < 0.16
    two_grades = Counter(col("grade_change", r, "episode_id") for r in rows["grade_change"])
    assert 0.03 < sum(n == 2 for n in two_grades.values()) / len(episodes) < 0.25
    # First attendance: most, with the median well inside the grade's time (60 min for high).
    high = [
        (col("episode", r, "first_attended_at") - col("episode", r, "reported_at")).total_seconds()
        for r in episodes.values()
        if col("episode", r, "grade") == "high" and col("episode", r, "first_attended_at")
    ]
    assert sorted(high)[len(high) // 2] < 60 * 60
    assert 0.02 < sum(s > 3600 for s in high) / len(high) < 0.25  # some late


def test_triggers_follow_the_rules_and_point_at_the_childs_exploitation_case(year_of_missing):
    rows = year_of_missing
    cases = {col("case", r, "id"): r for r in rows["case"]}
    episodes = {col("episode", r, "id"): r for r in rows["episode"]}
    subjects = {
        col("involvement", r, "case_id"): col("involvement", r, "person_id")
        for r in rows["involvement"]
        if col("involvement", r, "role") == "subject"
    }
    starts = defaultdict(list)
    for row in episodes.values():
        starts[col("episode", row, "child_id")].append(col("episode", row, "last_seen_at"))
    kinds = Counter()
    for row in rows["missing_trigger"]:
        episode = episodes[col("missing_trigger", row, "episode_id")]
        child = col("missing_trigger", row, "child_id")
        assert child == col("episode", episode, "child_id")
        raised = cases[col("missing_trigger", row, "raised_case_id")]
        assert col("case", raised, "case_type") == "exploitation"
        assert subjects[col("case", raised, "id")] == child
        fired = col("missing_trigger", row, "fired_at")
        assert col("case", raised, "received_at") <= fired
        closed = col("case", raised, "closed_at")
        assert closed is None or closed > fired  # an open case, or a new one
        kind = col("missing_trigger", row, "kind")
        kinds[kind, col("missing_trigger", row, "raised_new_case")] += 1
        last_seen = col("episode", episode, "last_seen_at")
        if kind == "repeat":
            window = [s for s in starts[child] if timedelta(0) <= last_seen - s <= timedelta(90)]
            assert len(window) >= 3
        else:
            assert col("episode", episode, "indicators")
    # Some children go missing again and again; some triggers add to a case already open.
    assert kinds["repeat", True] >= 5 and kinds["repeat", False] >= 5
    assert kinds["indicators", True] >= 5


# Written to the database ---------------------------------------------------------------------


@pytest.mark.django_db
def test_written_episodes_hold_their_invariants_and_serve_the_board(force, unit, make_user):
    make_user("officer")
    inspector = make_user("duty_inspector")
    plan = Plan(seed=3, force_years=1, max_cases=1500, case_types=("missing",))
    generate(force_code=force.code, plan=plan, progress=False)

    episodes = Episode.objects.filter(force=force)
    missing_cases = Case.objects.filter(force=force, case_type="missing")
    assert episodes.count() == missing_cases.count() == 1500
    assert not episodes.exclude(case__case_type="missing").exists()
    assert not episodes.filter(found_at__lt=F("last_seen_at")).exists()
    assert not episodes.filter(last_seen_at__gt=F("reported_at")).exists()
    assert not episodes.filter(status="missing", found_at__isnull=False).exists()
    assert not episodes.filter(status="found", found_at__isnull=True).exists()
    assert not episodes.annotate(n=Count("gradings")).filter(n=0).exists()
    assert not ReturnInterview.objects.filter(offered_at__lt=F("returned_at")).exists()
    assert ReturnInterview.objects.count() == episodes.filter(status="found").count()
    assert PreventionInterview.objects.filter(conducted_at__lt=F("episode__found_at")).count() == 0
    assert GradeChange.objects.filter(force=force).count() >= 1500
    assert not Case.objects.filter(missing_episode__status="missing", status="closed").exists()
    # The area's councils, each with a synthetic return-interview user told of its tasks.
    authorities = LocalAuthority.objects.filter(force=force)
    assert authorities.count() == 7
    assert all(a.members.count() == 1 for a in authorities)
    assert Disclosure.objects.filter(object_type=selectors.RHI_DISCLOSURE).count() == (
        ReturnInterview.objects.count()
    )
    for trigger in Trigger.objects.filter(force=force).select_related("raised_case"):
        assert trigger.raised_case.case_type == "exploitation"
        assert Involvement.objects.filter(
            case=trigger.raised_case, person_id=trigger.child_id, role="subject"
        ).exists()
    assert audit_verify_chain().ok

    # Clocks: rebuild_clocks derives the missing.* clocks of the open missing cases.
    call_command("rebuild_clocks", stdout=io.StringIO())
    open_cases = list(missing_cases.exclude(status="closed").values_list("pk", flat=True))
    clocked = set(
        ClockState.objects.filter(
            object_type="case", object_id__in=open_cases, name__startswith="missing."
        ).values_list("object_id", flat=True)
    )
    assert clocked == set(open_cases)

    # The active board: every open episode, for the duty inspector.
    board = selectors.active_board(actor=actor_for(inspector), now=plan.until)
    assert {row.episode.pk for row in board} == set(
        episodes.filter(status="missing").values_list("pk", flat=True)
    )
    assert all(row.clocks for row in board)
    # The twelve months to the one before `until`: the whole year generated.
    last_month = plan.until - timedelta(seconds=1)
    figures = selectors.monthly_figures(actor=actor_for(inspector), months=12, now=last_month)
    assert sum(month.episodes for month in figures) == 1500
    returns = sum(month.returns for month in figures)
    assert 0.5 < sum(month.rhi_offered_in_time for month in figures) / returns < 0.8


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_episodes_into_another_force():
    plan = Plan(seed=9, force_years=1, max_cases=400)

    def written(code: str) -> list[tuple]:
        # A new force each time: the demo force's units, synthetic staff and councils.
        generate(force_code=code, plan=plan, progress=False)
        return list(
            Episode.objects.filter(force__code=code)
            .order_by("reported_at", "case__reference")
            .values_list(
                "case__reference",
                "reported_at",
                "last_seen_at",
                "missing_from",
                "grade",
                "suggested_grade",
                "indicators",
                "first_attended_at",
                "found_at",
                "return_interview__offered_at",
                "local_authority__name",
            )
        )

    first = written("sa")
    assert first and first == written("sb")
