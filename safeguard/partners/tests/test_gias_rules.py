"""The GIAS CSV check, pure (no database): encodings, the header, and every line's problems."""

import pytest

from safeguard.partners.models import School
from safeguard.partners.rules import gias
from safeguard.partners.rules.gias import (
    CP1252,
    EMPTY_FILE,
    NO_SCHOOLS,
    NOT_TEXT,
    SPREADSHEET,
    UTF8,
    UTF8_BOM,
    GiasReport,
    SchoolChange,
    check_gias_csv,
)
from safeguard.partners.tests.gias_csv import GIAS_HEADER, gias_csv, school_row

THERESE = "St Thérèse's Catholic Primary School \u2013 Leeds"  # an en dash: 0x96 in cp1252


def good_rows() -> list[dict[str, str]]:
    return [
        school_row("107654", THERESE),
        school_row("100000", "Oak Primary School", phase="Primary", postcode="LS6 2AB"),
        school_row(
            "141234", "Elm Academy", phase="Secondary", status="Open, but proposed to close"
        ),
    ]


def test_a_windows_1252_file_with_junk_columns_reads_every_school() -> None:
    checked = check_gias_csv(gias_csv(good_rows(), junk_columns=40))
    assert checked.ok and checked.problems == [] and checked.encoding == CP1252
    assert [row.urn for row in checked.rows] == ["107654", "100000", "141234"]
    first = checked.rows[0]
    assert first.name == THERESE and first.line == 2
    assert (first.la_code, first.la_name, first.establishment_type) == (
        "383",
        "Leeds",
        "Community school",
    )
    assert (first.status, first.phase, first.postcode) == ("Open", "Primary", "LS6 2AB")


@pytest.mark.parametrize(
    ("encoding", "bom", "named"), [("utf-8", False, UTF8), ("utf-8", True, UTF8_BOM)]
)
def test_utf8_with_or_without_a_byte_order_mark(encoding: str, bom: bool, named: str) -> None:
    checked = check_gias_csv(gias_csv(good_rows(), encoding=encoding, bom=bom))
    assert checked.ok and checked.encoding == named
    assert checked.rows[0].name == THERESE  # the BOM is not part of the first column's name


def test_columns_in_another_order_with_spaces_around_the_names() -> None:
    header = [f" {column} " for column in reversed(GIAS_HEADER)]
    rows = [{f" {k} ": v for k, v in row.items()} for row in good_rows()]
    checked = check_gias_csv(gias_csv(rows, header=header))
    assert checked.ok and checked.rows[1].name == "Oak Primary School"


def test_lf_line_endings_blank_lines_and_quoted_commas_and_newlines() -> None:
    rows = good_rows()
    rows[1]["EstablishmentName"] = 'Oak "Tree", Primary School'
    rows[1]["Street"] = "1 School Lane\nUpper Floor"
    content = gias_csv(rows).replace(b"\r\n", b"\n") + b"\n\n"
    checked = check_gias_csv(content)
    assert checked.ok, checked.problems
    assert checked.rows[1].name == 'Oak "Tree", Primary School'
    assert checked.rows[2].line == 5  # the quoted newline takes a line


# --- refused whole ------------------------------------------------------------------------------


def test_missing_columns_are_named_and_nothing_is_read() -> None:
    header = [c for c in GIAS_HEADER if c not in ("URN", "Postcode")]
    checked = check_gias_csv(gias_csv(good_rows(), header=header))
    assert not checked.ok and checked.rows == []
    (problem,) = checked.problems
    assert '"URN" and "Postcode" columns' in problem
    assert "not a GIAS establishment fields CSV" in problem


def test_one_missing_column_is_singular() -> None:
    header = [c for c in GIAS_HEADER if c != "PhaseOfEducation (name)"]
    (problem,) = check_gias_csv(gias_csv(good_rows(), header=header)).problems
    assert 'no "PhaseOfEducation (name)" column.' in problem


def test_a_term_dates_file_is_not_a_gias_file() -> None:
    checked = check_gias_csv(b"term,first_day,last_day\nAutumn 1,2026-09-03,2026-10-23\n")
    assert not checked.ok and "EstablishmentName" in checked.problems[0]


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf"])
def test_an_empty_file(content: bytes) -> None:
    assert check_gias_csv(content).problems == [EMPTY_FILE]


def test_a_header_and_no_schools() -> None:
    checked = check_gias_csv(gias_csv([]) + b"\r\n")
    assert checked.problems == [NO_SCHOOLS] and checked.problem_count == 1


def test_neither_utf8_nor_windows_1252_names_the_byte() -> None:
    # 0x81 is undefined in Windows-1252 and cannot start a UTF-8 character.
    content = gias_csv(good_rows()).replace(b"Oak", b"O\x81k")
    checked = check_gias_csv(content)
    assert not checked.ok and checked.rows == []
    (problem,) = checked.problems
    assert "could not be read as UTF-8 or as Windows-1252" in problem
    position = content.index(b"O\x81k") + 1
    assert f"byte 0x81 at position {position} is" in problem


def test_the_position_of_a_bad_byte_far_into_a_large_file() -> None:
    rows = [school_row(str(100000 + n), f"School {n}") for n in range(30_000)]
    content = gias_csv(rows, encoding="utf-8")
    bad = content.index(b"School 29999")
    content = content[:bad] + b"\xe2\x82" + content[bad:]  # a UTF-8 character cut short
    content = content.replace(b"School 25000,", b"Sch\x81ol 25000,")  # nor Windows-1252
    (problem,) = check_gias_csv(content).problems
    position = content.index(b"Sch\x81ol 25000") + 3
    assert position > 3_000_000
    assert f"byte 0x81 at position {position} is" in problem
    content = b"\xef\xbb\xbf" + content.replace(b"\x81", b"o")
    (problem,) = check_gias_csv(content).problems
    position = content.index(b"\xe2\x82School 29999")
    assert position > 4_000_000
    assert f"byte 0xE2 at position {position} is" in problem


def test_a_broken_utf8_file_with_a_bom_is_refused() -> None:
    content = b"\xef\xbb\xbf" + gias_csv(good_rows(), encoding="utf-8").replace(b"Oak", b"\xc3(k")
    (problem,) = check_gias_csv(content).problems
    assert "could not be read" in problem


def test_utf16_is_refused_as_not_text() -> None:
    content = gias_csv(good_rows(), encoding="utf-8").decode().encode("utf-16")
    assert check_gias_csv(content).problems == [NOT_TEXT]


def test_an_excel_workbook_is_refused() -> None:
    assert check_gias_csv(b"PK\x03\x04\x14\x00\x06\x00rest of a zip").problems == [SPREADSHEET]


def test_a_windows_1252_file_is_not_mistaken_for_utf8() -> None:
    text, encoding, problem = gias.decode("Thérèse".encode("cp1252"))
    assert (text, encoding, problem) == ("Thérèse", CP1252, "")
    text, encoding, _ = gias.decode("Thérèse".encode())
    assert (text, encoding) == ("Thérèse", UTF8)


# --- line by line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        ("", "line 3: URN is missing"),
        ("ABC123", "line 3: URN 'ABC123' is not a URN: GIAS URNs are 6 digits (5 to 7"),
        ("1234", "line 3: URN '1234' is not a URN"),
        ("12345678", "line 3: URN '12345678' is not a URN"),
        ("10000.0", "line 3: URN '10000.0' is not a URN"),
        ("\uff11\uff12\uff13\uff14\uff15\uff16", "line 3: URN '\uff11\uff12"),  # full-width digits
    ],
)
def test_bad_urns(urn: str, message: str) -> None:
    rows = good_rows()
    rows[1]["URN"] = urn
    checked = check_gias_csv(gias_csv(rows, encoding="utf-8"))
    assert not checked.ok and checked.rows == []
    assert len(checked.problems) == 1 and checked.problems[0].startswith(message)


@pytest.mark.parametrize("urn", ["12345", "123456", "1234567", " 123456 "])
def test_five_to_seven_digits_are_accepted(urn: str) -> None:
    rows = good_rows()
    rows[1]["URN"] = urn
    checked = check_gias_csv(gias_csv(rows))
    assert checked.ok and checked.rows[1].urn == urn.strip()


def test_a_duplicate_urn_names_the_first_line() -> None:
    rows = [*good_rows(), school_row("100000", "Oak Primary School (again)")]
    checked = check_gias_csv(gias_csv(rows))
    assert checked.problems == ["line 5: URN 100000 is already on line 3"]


def test_an_empty_name_and_a_value_too_long() -> None:
    rows = good_rows()
    rows[0]["EstablishmentName"] = "   "
    rows[2]["Postcode"] = "LS6 2AB EXTRA"
    checked = check_gias_csv(gias_csv(rows))
    assert checked.problems == [
        "line 2: EstablishmentName is missing",
        "line 4: Postcode is 13 characters long (at most 10)",
    ]


def test_a_line_with_too_many_or_too_few_values() -> None:
    content = gias_csv(good_rows())
    lines = content.split(b"\r\n")
    lines[1] += b",stray"
    lines[2] = b"100001,383,Leeds"
    checked = check_gias_csv(b"\r\n".join(lines))
    width = len(GIAS_HEADER)
    assert checked.problems == [
        f"line 2: has {width + 1} values but the header has {width}",
        f"line 3: has 3 values but the header has {width}",
    ]


def test_every_problem_of_every_line_is_listed() -> None:
    rows = good_rows()
    rows[0]["URN"], rows[0]["EstablishmentName"] = "x", ""
    rows[2]["URN"] = "100000"
    checked = check_gias_csv(gias_csv(rows))
    assert checked.problems == [
        "line 2: URN 'x' is not a URN: GIAS URNs are 6 digits (5 to 7 digits are accepted)",
        "line 2: EstablishmentName is missing",
        "line 4: URN 100000 is already on line 3",
    ]
    assert checked.problem_count == 3 and checked.rows == []


def test_the_list_is_capped_and_the_rest_counted() -> None:
    rows = [school_row(f"B{n}", "A school") for n in range(250)]
    checked = check_gias_csv(gias_csv(rows))
    assert checked.problem_count == 250
    assert len(checked.problems) == gias.MAX_PROBLEMS_SHOWN
    assert checked.problems[-1].startswith("line 101: URN 'B99'")


def test_an_unterminated_quote_is_reported_with_its_line() -> None:
    checked = check_gias_csv(gias_csv(good_rows()) + b'100003,383,"Leeds, 1 School Lane')
    assert checked.problems == [f"line 5: has 3 values but the header has {len(GIAS_HEADER)}"]


# --- keeping in step with the model, and the report's text ---------------------------------


def test_the_lengths_are_the_models() -> None:
    for name, limit in gias.MAX_LENGTHS.items():
        assert School._meta.get_field(name).max_length == limit, name
    assert set(gias.FIELDS) <= {f.name for f in School._meta.get_fields()}


def test_a_refusal_reads_as_nothing_imported_with_every_problem() -> None:
    report = GiasReport(
        accepted=False, problems=("line 2: URN is missing", "line 9: x"), problem_count=130
    )
    assert report.lines() == [
        "Nothing was imported: the file has 130 problems.",
        "line 2: URN is missing",
        "line 9: x",
        "... and 128 more problems not listed.",
    ]


def test_a_report_says_what_changed_and_what_was_left_alone() -> None:
    report = GiasReport(
        accepted=True,
        encoding=CP1252,
        rows=52_000,
        added=30,
        updated=3,
        unchanged=51_967,
        not_in_file=12,
        field_counts={"status": 2, "name": 1, "phase": 2},
        added_examples=(SchoolChange("150001", "New Academy"),),
        updated_examples=(SchoolChange("100000", "Oak Primary School", ("status", "phase")),),
    )
    lines = report.lines()
    assert lines[:5] == [
        "Read 52,000 schools (Windows-1252).",
        "Added: 30.",
        "Updated: 3: phase (2), status (2), name (1).",
        "Unchanged: 51,967.",
        "In the directory but not in this file: 12 (left alone; the file may be a partial "
        "extract).",
    ]
    assert "  updated 100000 Oak Primary School: status, phase" in lines
    assert lines[-1] == "  ... and 31 more added or updated."


def test_old_mac_line_endings() -> None:
    checked = check_gias_csv(gias_csv(good_rows()).replace(b"\r\n", b"\r"))
    assert checked.ok and [row.line for row in checked.rows] == [2, 3, 4]


@pytest.mark.parametrize("before", [(1 << 20) - 2, (1 << 20) - 1, 1 << 20])
def test_a_character_cut_short_across_the_decoders_chunks(before: int) -> None:
    content = b"\xef\xbb\xbf" + b"a" * before + b"\xe2\x82S" + b"b" * 10
    encoding, problem = gias.detect_encoding(content)
    assert encoding is None
    assert f"byte 0xE2 at position {before + 3} is" in problem
    assert gias.detect_encoding(content.replace(b"\xe2\x82S", b"\xe2\x82\xacS"))[0] == (
        gias.Encoding("utf-8", UTF8_BOM, 3)
    )
