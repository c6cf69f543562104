"""Importing term dates: every bad file is refused with every problem by line and nothing is
saved; a good file replaces the calendar's terms, is audited, and gives the school calendar
(the school's own before its local authority's). Also the import_term_dates command."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.accounts.models import Force, User
from safeguard.accounts.services import actor_for
from safeguard.core.actor import Actor
from safeguard.core.calendars import LONDON, SchoolCalendar, next_school_day_start
from safeguard.core.errors import DomainError, PermissionDenied
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Role
from safeguard.partners.models import Term, TermCalendar
from safeguard.partners.rules import term_date_problems
from safeguard.partners.selectors import school_calendar_for
from safeguard.partners.services import term_calendar_import

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
GOOD = """term,first_day,last_day
Autumn 1,2026-09-03,2026-10-23
Autumn 2,2026-11-02,2026-12-18
Spring 1,2027-01-05,2027-02-12
Spring 2,2027-02-22,2027-03-26
Summer 1,2027-04-12,2027-05-28
Summer 2,2027-06-07,2027-07-21
"""


@pytest.fixture
def admin(make_user: Callable[..., User]) -> Actor:
    return actor_for(make_user(Role.FORCE_ADMIN))


def do_import(actor: Actor, csv_text: str, **kwargs: str) -> TermCalendar:
    values = {"name": "Leeds 2026/27", "la_code": "383", "school_urn": ""} | kwargs
    return term_calendar_import(actor=actor, csv_text=csv_text, now=NOW, **values)


# --- the pure check, no database --------------------------------------------------------------


def test_a_good_file_parses_into_sorted_terms_with_no_problems() -> None:
    shuffled = GOOD.splitlines()[0] + "\n" + "\n".join(reversed(GOOD.splitlines()[1:]))
    terms, problems = term_date_problems("\ufeff" + shuffled + "\n\n")
    assert problems == []
    assert [t.name for t in terms][:2] == ["Autumn 1", "Autumn 2"]
    assert terms[0].line == 7


BAD_FILES = [
    ("", ["The file is empty"]),
    ("  \n\n", ["The file is empty"]),
    ("term,first_day,last_day\n", ["The file has a header but no terms"]),
    (
        "term,start,end\nAutumn,2026-09-03,2026-10-23\n",
        ["line 1: the header is missing first_day, last_day"],
    ),
    (
        "term,first_day,last_day\nSpring,2026-02-30,2026-03-27\n",
        ["line 2: first_day '2026-02-30' is not a real date"],
    ),
    (
        "term,first_day,last_day\nAutumn,2026-09-03,23/10/2026\n",
        ["line 2: last_day '23/10/2026' is not a date in the form YYYY-MM-DD"],
    ),
    (
        "term,first_day,last_day\nAutumn,2026-10-23,2026-09-03\n",
        ["line 2: last_day 2026-09-03 is before first_day 2026-10-23"],
    ),
    ("term,first_day,last_day\nAutumn,2026-09-03\n", ["line 2: last_day is missing"]),
    ("term,first_day,last_day\n,2026-09-03,2026-10-23\n", ["line 2: term name is missing"]),
    (
        "term,first_day,last_day\nAutumn,2026-09-03,2026-10-23,x\n",
        ["line 2: has 4 values but the header has 3"],
    ),
    (
        "term,first_day,last_day\nAutumn 1,2026-09-03,2026-10-23\nAutumn 2,2026-10-19,2026-12-18\n",
        ["line 3: term 'Autumn 2' (2026-10-19 to 2026-12-18) overlaps term 'Autumn 1' on line 2"],
    ),
    (
        "term,first_day,last_day\nAutumn,2026-09-03,2026-10-23\nautumn,2026-11-02,2026-12-18\n",
        ["line 3: term 'autumn' is already on line 2"],
    ),
]


@pytest.mark.parametrize(("csv_text", "expected"), BAD_FILES)
def test_each_bad_file_is_named_by_line(csv_text: str, expected: list[str]) -> None:
    _, problems = term_date_problems(csv_text)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)


def test_every_problem_in_a_file_is_listed_in_line_order() -> None:
    csv_text = (
        "term,first_day,last_day\n"
        "Autumn 1,2026-09-03,2026-10-23\n"
        "Autumn 2,2026-10-20,2026-12-18\n"  # overlaps line 2
        "Spring 1,2027-02-29,2027-02-12\n"  # not a leap year
        "Spring 2,2027-03-26,2027-02-22\n"  # backwards
        "Summer,2027-04-12\n"  # missing last_day
    )
    _, problems = term_date_problems(csv_text)
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5", "line 6"]


# --- the service against the database ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("csv_text", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_clearly_and_nothing_is_saved(
    admin: Actor, csv_text: str, expected: list[str]
) -> None:
    audited = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        do_import(admin, csv_text)
    assert refused.value.code == "invalid_term_dates"
    assert expected[0] in refused.value.message
    assert refused.value.fields["csv_text"][0].startswith(expected[0])
    assert TermCalendar.objects.count() == 0
    assert Term.objects.count() == 0
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_a_bad_file_leaves_the_existing_terms_untouched(admin: Actor) -> None:
    calendar = do_import(admin, GOOD)
    bad = GOOD + "Extra,2027-07-01,2027-07-30\n"  # overlaps Summer 2
    with pytest.raises(DomainError, match="line 8: term 'Extra'"):
        do_import(admin, bad)
    assert calendar.terms.count() == 6
    assert not Term.objects.filter(name="Extra").exists()


@pytest.mark.django_db
def test_a_good_import_saves_the_terms_audits_and_gives_the_school_calendar(
    admin: Actor, force: Force
) -> None:
    calendar = do_import(admin, GOOD)
    assert calendar.force_id == force.pk
    assert calendar.day_starts_at == time(8, 30)
    assert calendar.updated_at == NOW
    assert calendar.terms.values_list("name", flat=True).first() == "Autumn 1"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.object_type, entry.object_id, entry.action) == (
        "term_calendar",
        str(calendar.pk),
        "create",
    )
    school = school_calendar_for(force_id=force.pk, la_code="383")
    assert school is not None
    assert len(school.terms) == 6
    # Friday before half-term, evening: due the first morning back.
    due = next_school_day_start(datetime(2026, 10, 23, 19, 0, tzinfo=LONDON), school)
    assert due == datetime(2026, 11, 2, 8, 30, tzinfo=LONDON)


@pytest.mark.django_db
def test_importing_again_replaces_the_terms_of_the_same_calendar(admin: Actor) -> None:
    first = do_import(admin, GOOD)
    second = do_import(
        admin, "term,first_day,last_day\nAutumn,2027-09-02,2027-12-17\n", name="Leeds 2027/28"
    )
    assert second.pk == first.pk
    assert TermCalendar.objects.get().name == "Leeds 2027/28"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.object_type, entry.object_id, entry.action, entry.changed_fields) == (
        "term_calendar",
        str(first.pk),
        "update",
        ["name", "terms"],
    )
    assert list(Term.objects.values_list("first_day", flat=True)) == [date(2027, 9, 2)]


@pytest.mark.django_db
def test_a_schools_own_calendar_comes_before_its_local_authoritys(
    admin: Actor, force: Force, other_force: Force
) -> None:
    do_import(admin, GOOD)
    term_calendar_import(
        actor=admin,
        name="St Mary's",
        la_code="383",
        school_urn="107123",
        csv_text="term,first_day,last_day\nAutumn,2026-09-07,2026-12-16\n",
        now=NOW,
        day_starts_at=time(8, 45),
    )
    own = school_calendar_for(force_id=force.pk, school_urn="107123", la_code="383")
    assert own == SchoolCalendar(
        terms=((date(2026, 9, 7), date(2026, 12, 16)),), day_starts_at=time(8, 45)
    )
    la = school_calendar_for(force_id=force.pk, school_urn="999999", la_code="383")
    assert la is not None and len(la.terms) == 6
    assert school_calendar_for(force_id=force.pk, school_urn="999999") is None
    assert school_calendar_for(force_id=other_force.pk, la_code="383") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": " "}, "Enter a name"),
        ({"la_code": "", "school_urn": ""}, "local authority code or the school's URN"),
        ({"la_code": "", "school_urn": "12ab"}, "URN must be 5 to 8 digits"),
    ],
)
def test_the_calendar_must_say_whose_it_is(admin: Actor, kwargs: dict, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        do_import(admin, GOOD, **kwargs)
    assert TermCalendar.objects.count() == 0


@pytest.mark.django_db
def test_only_a_policy_manager_may_import(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        do_import(actor_for(make_user(Role.OFFICER)), GOOD)
    assert TermCalendar.objects.count() == 0


# --- the command --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_a_good_file(
    make_user: Callable[..., User], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(Role.FORCE_ADMIN)
    path = tmp_path / "leeds.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command(
        "import_term_dates",
        "home",
        "Leeds 2026/27",
        "--la",
        "383",
        str(path),
        "--user",
        user.username,
    )
    assert "Imported 6 terms" in capsys.readouterr().out
    assert TermCalendar.objects.get().la_code == "383"


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_fails(
    make_user: Callable[..., User], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(Role.FORCE_ADMIN)
    path = tmp_path / "bad.csv"
    path.write_text(
        "term,first_day,last_day\nA,2026-02-30,2026-03-01\nB,2026-05-01,2026-04-01\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_term_dates", "home", "X", "--urn", "107123", str(path), "--user", user.username
        )
    err = capsys.readouterr().err
    assert "line 2: first_day '2026-02-30' is not a real date" in err
    assert "line 3: last_day 2026-04-01 is before first_day 2026-05-01" in err
    assert TermCalendar.objects.count() == 0


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_force_or_a_missing_file(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    user = make_user(Role.FORCE_ADMIN)
    with pytest.raises(CommandError, match="No force"):
        call_command(
            "import_term_dates", "nowhere", "X", "--la", "383", "x.csv", "--user", user.username
        )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_term_dates",
            "home",
            "X",
            "--la",
            "383",
            str(tmp_path / "none.csv"),
            "--user",
            user.username,
        )
