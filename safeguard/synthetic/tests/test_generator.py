"""The pure generator: same seed, same rows; the shape of a force-year; no database needed."""

import hashlib
from collections import Counter
from datetime import UTC, date, datetime

from django.apps import apps
from django.db.models import NOT_PROVIDED

from safeguard.people.rules.ages import age_on
from safeguard.synthetic.episodes import LocalAuthorityRef
from safeguard.synthetic.generator import TABLES, Generator, Plan, Setup, StaffMember
from safeguard.synthetic.writer import MODELS

STAFF = (
    StaffMember(1, "dc.one", "DC One", (10,)),
    StaffMember(2, "dc.two", "DC Two", (11,)),
)
SETUP = Setup(
    force_id=1,
    units=((10, "missing"), (11, "child_abuse"), (12, "response")),
    workers=STAFF,
    supervisors=(StaffMember(3, "ds.three", "DS Three", (10, 11)),),
    recorders=STAFF,
    person_id_start=1,
    case_id_start=1,
    reference_last=((2026, 41),),
    local_authorities=(
        LocalAuthorityRef(20, "806", (7,)),
        LocalAuthorityRef(21, "808"),
        LocalAuthorityRef(22, "807"),
        LocalAuthorityRef(23, "805"),
        LocalAuthorityRef(24, "841"),
    ),
    inspectors=(StaffMember(4, "di.four", "DI Four", (10, 11, 12)),),
)


def digest(seed: int, cases: int = 600, batch_size: int = 250) -> str:
    plan = Plan(seed=seed, force_years=1, max_cases=cases, batch_size=batch_size)
    # One hash per table, fed row by row: the digest does not depend on where batches end.
    shas = {table: hashlib.sha256() for table in TABLES}
    for batch in Generator(SETUP, plan).batches():
        for table in TABLES:
            for row in batch.rows[table]:
                shas[table].update(repr(row).encode())
    return "".join(sha.hexdigest() for sha in shas.values())


def all_rows(plan: Plan) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for batch in Generator(SETUP, plan).batches():
        for table in TABLES:
            rows[table] += batch.rows[table]
    return rows


def test_same_seed_same_rows_and_another_seed_other_rows():
    assert digest(2026) == digest(2026)
    assert digest(2026) != digest(2027)


def test_batch_size_does_not_change_the_data():
    assert digest(5, batch_size=600) == digest(5, batch_size=77)


def test_columns_are_the_models_columns():
    """The writer names only real columns, and a column it leaves out is one the database
    fills: a generated column, a database default, or a nullable one."""
    for table, columns in TABLES.items():
        model = MODELS[table]
        assert model is apps.get_model(model._meta.label)
        fields = {field.column: field for field in model._meta.concrete_fields}
        assert set(columns) <= set(fields), table
        left_out = [
            name
            for name, field in fields.items()
            if name not in columns and name != "id"
            if not (field.generated or field.db_default is not NOT_PROVIDED or field.null)
        ]
        assert not left_out, f"{table}: the writer must give {left_out}"


def test_batches_cover_the_plan_and_continue_references():
    plan = Plan(seed=1, force_years=1, max_cases=450, batch_size=200)
    batches = list(Generator(SETUP, plan).batches())
    assert [b.planned_cases for b in batches] == [200, 200, 50]
    # Cases raised by missing episodes' triggers come on top, numbered in the same run.
    raised = sum(b.case_count for b in batches) - 450
    assert 0 <= raised < 450 // 10
    assert batches[0].first_case_id == 1 and batches[-1].last_case_id == 450 + raised
    references = [row[3] for b in batches for row in b.rows["case"]]
    assert len(set(references)) == 450 + raised
    # The plan runs to 1 Nov 2026: 2026's numbers continue from the counter (41).
    numbers_2026 = [int(r.rsplit("-", 1)[1]) for r in references if r.startswith("CP-2026-")]
    assert numbers_2026 == list(range(42, 42 + len(numbers_2026)))
    assert batches[-1].counters[2026] == 41 + len(numbers_2026)


def test_people_cases_and_events_are_consistent():
    plan = Plan(seed=3, force_years=2, max_cases=800)
    rows = all_rows(plan)
    raised = len(rows["case"]) - 800
    columns = {table: {c: i for i, c in enumerate(cols)} for table, cols in TABLES.items()}
    person = columns["person"]
    people = {row[person["id"]]: row for row in rows["person"]}
    assert all(row[person["search_keys"]].strip() for row in people.values())
    case = columns["case"]
    cases = {row[case["id"]]: row for row in rows["case"]}
    assert len(cases) == 800 + raised
    inv = columns["involvement"]
    subjects: dict[int, list[int]] = {}
    for row in rows["involvement"]:
        assert row[inv["person_id"]] in people
        if row[inv["role"]] == "subject":
            subjects.setdefault(row[inv["case_id"]], []).append(row[inv["person_id"]])
    assert set(subjects) == set(cases)
    for case_id, children in subjects.items():
        received = cases[case_id][case["received_at"]]
        for child in children:
            born = people[child][person["date_of_birth"]]
            assert 0 <= age_on(born, received.date()) <= 17
    # Adults are 18-70 when recorded (estimated ages included).
    for row in people.values():
        born, recorded = row[person["date_of_birth"]], row[person["created_at"]].date()
        age = age_on(born, recorded) if born else row[person["estimated_age"]]
        assert 0 <= age <= 70
    # Status and timestamps agree; closed cases have a voice record per subject child.
    voice = columns["voice"]
    voiced = Counter((row[voice["case_id"]], row[voice["child_id"]]) for row in rows["voice"])
    until = plan.until
    for case_id, row in cases.items():
        status = row[case["status"]]
        assert row[case["received_at"]] <= row[case["created_at"]] <= row[case["updated_at"]]
        assert row[case["updated_at"]] <= until
        assert (row[case["closed_at"]] is not None) == (status == "closed")
        if status in ("received", "triaged"):
            assert row[case["allocated_at"]] is None and row[case["next_review_due_at"]] is None
        if status == "closed":
            # A domestic abuse case has one more: each child's, recorded at the attendance.
            extra = row[case["case_type"]] == "domestic_abuse"
            assert all(voiced[(case_id, child)] == 1 + extra for child in subjects[case_id])
    timeline = columns["timeline"]
    received_events = {
        row[timeline["case_id"]]
        for row in rows["timeline"]
        if row[timeline["kind"]] == "case.received"
    }
    assert received_events == set(cases)
    recorded = {
        row[timeline["person_id"]]
        for row in rows["timeline"]
        if row[timeline["kind"]] == "person.recorded"
    }
    assert recorded == set(people)
    # Older cases are almost all closed.
    first_year = [
        r for r in cases.values() if r[case["received_at"]] < datetime(2025, 11, 1, tzinfo=UTC)
    ]
    closed = sum(r[case["status"]] == "closed" for r in first_year)
    assert closed / len(first_year) > 0.95


def test_a_force_year_has_the_published_missing_mix_and_repeats():
    plan = Plan(seed=11, force_years=1, max_cases=6000)
    rows = all_rows(plan)
    case = {c: i for i, c in enumerate(TABLES["case"])}
    missing = [r for r in rows["case"] if r[case["case_type"]] == "missing"]
    assert 0.33 < len(missing) / 6000 < 0.42  # 6,400 of ~17,000
    grades = Counter(r[case["risk_grade"]] for r in missing)
    assert 0.10 < grades["high"] / len(missing) < 0.16
    assert 0.80 < grades["medium"] / len(missing) < 0.90
    assert grades["standard"] / len(missing) < 0.04
    inv = {c: i for i, c in enumerate(TABLES["involvement"])}
    missing_ids = {r[case["id"]] for r in missing}
    subject_of_missing = Counter(
        r[inv["person_id"]]
        for r in rows["involvement"]
        if r[inv["role"]] == "subject" and r[inv["case_id"]] in missing_ids
    )
    repeats = sum(n - 1 for n in subject_of_missing.values())
    assert 0.2 < repeats / len(missing) < 0.45  # about one in three
    assert max(subject_of_missing.values()) >= 3  # some children go missing again and again


def test_the_window_of_dates_is_fixed_by_until_not_today():
    plan = Plan(seed=1, force_years=1, max_cases=50, until=datetime(2020, 1, 1, tzinfo=UTC))
    rows = all_rows(plan)
    received = [r[TABLES["case"].index("received_at")] for r in rows["case"]]
    assert min(received).date() >= date(2019, 1, 1)
    assert max(received) < plan.until
