"""Importing the schools directory: all or nothing, upsert by URN, safe to run again with a
report of what changed, audited; and the import_gias command."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.accounts.models import User
from safeguard.accounts.services import actor_for
from safeguard.core.actor import Actor
from safeguard.core.errors import PermissionDenied
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Role
from safeguard.partners.models import School
from safeguard.partners.rules.gias import CP1252, UTF8_BOM
from safeguard.partners.services import gias_import
from safeguard.partners.tests.gias_csv import generated_rows, gias_csv, school_row

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> Actor:
    return actor_for(make_user(Role.FORCE_ADMIN))


def three() -> list[dict[str, str]]:
    return [
        school_row("100000", "Oak Primary School"),
        school_row("100001", "St Thérèse's Catholic Primary School", postcode="LS7 1AA"),
        school_row("100002", "Elm Academy", phase="Secondary", la=("330", "Birmingham")),
    ]


def test_a_first_import_adds_every_school(admin: Actor) -> None:
    report = gias_import(actor=admin, content=gias_csv(three(), junk_columns=40), now=NOW)
    assert report.accepted and report.encoding == CP1252
    assert (report.rows, report.added, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.not_in_file == 0
    assert [c.urn for c in report.added_examples] == ["100000", "100001", "100002"]
    elm = School.objects.get(urn="100002")
    assert (elm.name, elm.la_code, elm.la_name, elm.phase, elm.status) == (
        "Elm Academy",
        "330",
        "Birmingham",
        "Secondary",
        "Open",
    )
    assert elm.establishment_type == "Community school" and elm.postcode == "LS6 2AB"
    assert elm.day_starts_at == time(8, 30) and elm.updated_at == NOW
    assert School.objects.get(urn="100001").name == "St Thérèse's Catholic Primary School"
    entry = AuditEntry.objects.get(object_type="school_directory")
    assert entry.actor_user_id == admin.user_id and entry.reason_code == "gias_import"
    assert entry.changed_fields == ["URN"]


def test_the_same_file_again_changes_nothing(admin: Actor) -> None:
    content = gias_csv(three())
    gias_import(actor=admin, content=content, now=NOW)
    report = gias_import(actor=admin, content=content, now=LATER)
    assert (report.added, report.updated, report.unchanged, report.not_in_file) == (0, 0, 3, 0)
    assert not report.changed and report.field_counts == {}
    assert set(School.objects.values_list("updated_at", flat=True)) == {NOW}


def test_a_changed_file_updates_only_what_changed_and_says_which_fields(admin: Actor) -> None:
    gias_import(actor=admin, content=gias_csv(three()), now=NOW)
    School.objects.filter(urn="100000").update(day_starts_at=time(9, 0))
    rows = three()
    rows[0]["EstablishmentStatus (name)"] = "Closed"
    rows[0]["PhaseOfEducation (name)"] = "Middle deemed primary"
    rows[2]["EstablishmentName"] = "Elm Academy Trust School"
    rows[2]["EstablishmentStatus (name)"] = "Closed"
    rows.append(school_row("100003", "Ash Infant School"))
    report = gias_import(actor=admin, content=gias_csv(rows, encoding="utf-8", bom=True), now=LATER)
    assert report.encoding == UTF8_BOM
    assert (report.added, report.updated, report.unchanged) == (1, 2, 1)
    assert report.field_counts == {"status": 2, "phase": 1, "name": 1}
    changes = {c.urn: c.fields for c in report.updated_examples}
    assert changes == {"100000": ("status", "phase"), "100002": ("name", "status")}
    oak = School.objects.get(urn="100000")
    assert (oak.status, oak.phase, oak.updated_at) == ("Closed", "Middle deemed primary", LATER)
    assert oak.day_starts_at == time(9, 0)  # ours, not GIAS's: never touched
    assert School.objects.get(urn="100001").updated_at == NOW  # unchanged: not rewritten
    assert School.objects.get(urn="100002").name == "Elm Academy Trust School"
    entry = AuditEntry.objects.filter(object_type="school_directory").latest("seq")
    assert entry.changed_fields == ["URN", "name", "phase", "status"]


def test_schools_not_in_a_partial_file_are_left_alone_and_counted(admin: Actor) -> None:
    gias_import(actor=admin, content=gias_csv(three()), now=NOW)
    report = gias_import(actor=admin, content=gias_csv(three()[:1]), now=LATER)
    assert (report.rows, report.unchanged, report.not_in_file) == (1, 1, 2)
    assert School.objects.count() == 3
    assert any("partial extract" in line for line in report.lines())


def test_nothing_is_half_imported(admin: Actor) -> None:
    gias_import(actor=admin, content=gias_csv(three()), now=NOW)
    rows = [school_row(str(200000 + n), f"New School {n}") for n in range(500)]
    rows[0]["EstablishmentStatus (name)"] = "Closed"
    rows += [school_row("100000", "Oak Primary School renamed")]
    rows.append(school_row("200499", "A duplicate of the last new school"))
    rows.append(school_row("", "No URN"))
    audit_before = AuditEntry.objects.count()
    report = gias_import(actor=admin, content=gias_csv(rows), now=LATER)
    assert not report.accepted and report.problem_count == 2
    assert report.problems == (
        "line 503: URN 200499 is already on line 501",
        "line 504: URN is missing",
    )
    assert School.objects.count() == 3
    assert School.objects.get(urn="100000").name == "Oak Primary School"
    assert AuditEntry.objects.count() == audit_before


def test_a_database_failure_part_way_writes_nothing(admin: Actor, monkeypatch) -> None:
    """The writes are one transaction: a failure in the updates undoes the additions."""
    gias_import(actor=admin, content=gias_csv(three()), now=NOW)
    rows = [*three(), *generated_rows(50, first_urn=300000)]
    rows[0]["EstablishmentName"] = "Renamed"

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(School.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        gias_import(actor=admin, content=gias_csv(rows), now=LATER)
    assert School.objects.count() == 3
    assert School.objects.get(urn="100000").name == "Oak Primary School"


def test_refused_outright_missing_columns(admin: Actor) -> None:
    report = gias_import(actor=admin, content=b"URN,EstablishmentName\r\n100000,Oak\r\n", now=NOW)
    assert not report.accepted and report.problem_count == 1
    assert '"LA (code)"' in report.problems[0]
    assert not School.objects.exists()


def test_only_a_force_admin_imports(make_user: Callable[..., User]) -> None:
    for role in (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.PARTNER, Role.ANALYST):
        with pytest.raises(PermissionDenied):
            gias_import(actor=actor_for(make_user(role)), content=gias_csv(three()), now=NOW)
    assert not School.objects.exists()


def test_a_large_file_is_written_in_a_few_batched_queries(admin: Actor) -> None:
    rows = generated_rows(5000)
    with CaptureQueriesContext(connection) as first:
        report = gias_import(actor=admin, content=gias_csv(rows, junk_columns=40), now=NOW)
    assert report.added == 5000 and School.objects.count() == 5000
    # Batched: a few queries per thousand rows (SQLite allows fewer values per statement).
    assert len(first.captured_queries) < 100
    for row in rows[::100]:
        row["EstablishmentStatus (name)"] = (
            "Closed" if row["EstablishmentStatus (name)"] == "Open" else "Open"
        )
    with CaptureQueriesContext(connection) as second:
        report = gias_import(actor=admin, content=gias_csv(rows, junk_columns=40), now=LATER)
    assert (report.updated, report.unchanged) == (50, 4950)
    assert report.field_counts == {"status": 50}
    assert len(second.captured_queries) < 40


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_the_report(tmp_path: Path, capsys) -> None:
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(gias_csv(three(), junk_columns=10))
    call_command("import_gias", str(path))
    out = capsys.readouterr().out
    assert "Read 3 schools (Windows-1252)." in out and "Added: 3." in out
    assert School.objects.count() == 3
    entry = AuditEntry.objects.get(object_type="school_directory")
    assert entry.actor_username == "import_gias" and entry.actor_user_id is None
    call_command("import_gias", str(path))
    assert "Unchanged: 3." in capsys.readouterr().out


def test_the_command_as_a_named_admin(tmp_path: Path, make_user, capsys) -> None:
    admin = make_user(Role.FORCE_ADMIN)
    path = tmp_path / "gias.csv"
    path.write_bytes(gias_csv(three()))
    call_command("import_gias", str(path), "--user", admin.username)
    assert AuditEntry.objects.get(object_type="school_directory").actor_user_id == admin.pk
    officer = make_user(Role.OFFICER)
    with pytest.raises(PermissionDenied):
        call_command("import_gias", str(path), "--user", officer.username)


def test_the_command_lists_every_problem_and_imports_nothing(tmp_path: Path, capsys) -> None:
    rows = three()
    rows[1]["URN"] = "10000X"
    rows[2]["EstablishmentName"] = ""
    path = tmp_path / "gias.csv"
    path.write_bytes(gias_csv(rows))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_gias", str(path))
    err = capsys.readouterr().err
    assert "the file has 2 problems" in err
    assert "line 3: URN '10000X' is not a URN" in err
    assert "line 4: EstablishmentName is missing" in err
    assert not School.objects.exists()


def test_the_command_with_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_gias", str(tmp_path / "nope.csv"))
