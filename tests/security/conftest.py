"""Fixtures of the security battery, and a compact summary of the matrices at the end of a run."""

from collections import Counter
from collections.abc import Callable

import pytest

from safeguard.accounts.models import Force, Unit, User
from tests.security.battery import SUMMARY, World


@pytest.fixture
def world(
    make_user: Callable[..., User],
    force: Force,
    other_force: Force,
    unit: Unit,
    other_unit: Unit,
    foreign_unit: Unit,
) -> World:
    return World.build(make_user, force, other_force, unit, other_unit, foreign_unit)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not SUMMARY:
        return
    terminalreporter.section("security matrices")
    for table, rows in SUMMARY.items():
        total: Counter = Counter()
        for outcomes in rows.values():
            total.update(outcomes)
        cells = sum(v for k, v in total.items() if not k.startswith("_"))
        bad = total.get("_mismatch", 0)
        known = total.get("_known_defect", 0)
        by_status = ", ".join(
            f"{k}: {v}" for k, v in sorted(total.items()) if not k.startswith("_")
        )
        terminalreporter.write_line(
            f"{table}: {len(rows)} callers, {cells} cells, {cells - bad - known} match, "
            f"{bad} mismatch, {known} known defect ({by_status})"
        )
