"""The demo reads true: texts fit the kind of case (no "history of returning" on a neglect
case), referrals come at plausible hours (a school's in the school day, missing reports mostly
in the evening and night), checked over generated data."""

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguard.synthetic import phrases
from safeguard.synthetic.generator import TABLES, Generator, Plan
from safeguard.synthetic.tests.test_generator import SETUP

LONDON = ZoneInfo("Europe/London")
Rows = dict[str, list[dict[str, Any]]]
# Every free text that is about one case, by table and column.
TEXTS = {
    "case": ("risk_rationale", "summary"),
    "decision": ("decision", "rationale"),
    "note": ("text",),
    "voice": ("child_said",),
    "timeline": ("description",),
}


@pytest.fixture(scope="module")
def rows() -> Rows:
    plan = Plan(seed=2026, force_years=1, max_cases=900, until=datetime(2026, 11, 1, tzinfo=UTC))
    out: Rows = defaultdict(list)
    for batch in Generator(SETUP, plan).batches():
        for table, columns in TABLES.items():
            out[table] += [dict(zip(columns, row, strict=True)) for row in batch.rows[table]]
    return out


def _texts_by_case(rows: Rows) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = defaultdict(list)
    for table, columns in TEXTS.items():
        id_column = "id" if table == "case" else "case_id"
        for row in rows[table]:
            if row[id_column] is not None:
                texts[row[id_column]] += [str(row[c]) for c in columns if row[c]]
    return texts


def test_no_text_belongs_to_another_kind_of_case(rows: Rows) -> None:
    kinds = {row["id"]: row["case_type"] for row in rows["case"]}
    texts = _texts_by_case(rows)
    assert Counter(kinds.values())["abuse_neglect"] > 20  # enough neglect cases to mean much
    misfits = []
    for case_id, kind in kinds.items():
        for text in texts[case_id]:
            if kind != "missing" and "history of returning" in text:
                misfits.append((kind, text))
            for phrase, fits in phrases.ONLY_FOR.items():
                if phrase in text and kind not in fits:
                    misfits.append((kind, text))
    assert misfits == []


def test_every_phrase_list_has_a_phrase_for_every_kind() -> None:
    for kind in phrases.SUMMARIES:
        for options in (
            *phrases.RATIONALES.values(),
            phrases.TRIAGE_DECISIONS,
            phrases.CLOSURE_DECISIONS,
            phrases.NOTES,
            phrases.CHILD_SAID,
        ):
            assert phrases.fitting(options, kind)  # type: ignore[type-var]
    assert "Closed: child returned safe and well." not in [
        d for d, _ in phrases.fitting(phrases.CLOSURE_DECISIONS, "abuse_neglect")
    ]


def _london(row: dict[str, Any]) -> datetime:
    received = row["received_at"]
    assert isinstance(received, datetime)
    return received.astimezone(LONDON)


def test_a_school_refers_in_the_school_day_on_a_weekday(
    rows: Rows,
) -> None:
    school = [_london(r) for r in rows["case"] if r["source"] == "school"]
    assert len(school) > 30
    assert all(8 <= at.hour < 16 and at.weekday() < 5 for at in school), [
        at.isoformat() for at in school if not (8 <= at.hour < 16 and at.weekday() < 5)
    ]


def test_missing_reports_are_evening_heavy(rows: Rows) -> None:
    hours = Counter(
        _london(r).hour for r in rows["case"] if r["case_type"] == "missing" and r["source"]
    )
    total = sum(hours.values())
    evening = sum(hours[h] for h in range(16, 24))
    early_morning = sum(hours[h] for h in range(3, 8))
    assert total > 100
    assert evening / total > 0.5
    assert early_morning / total < 0.15


def test_office_referrals_come_in_office_hours(rows: Rows) -> None:
    office = [
        _london(r)
        for r in rows["case"]
        if r["source"] in ("health", "nca_ceop") and r["case_type"] not in ("missing",)
    ]
    assert office and all(9 <= at.hour < 17 for at in office)
