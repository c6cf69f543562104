"""Checking a DfE GIAS "establishment fields" CSV: pure, every problem by line.

GIAS (Get Information about Schools) publishes every establishment in England as one CSV of
about 140 columns, encoded Windows-1252. Only the columns in `COLUMNS` are read; the rest are
ignored. The file is refused whole when it cannot be decoded or lacks a column we read, and
otherwise every line is checked, so an admin fixes every problem in one go.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# Our field -> the GIAS column it comes from. Every one must be in the header.
COLUMNS: dict[str, str] = {
    "urn": "URN",
    "name": "EstablishmentName",
    "la_code": "LA (code)",
    "la_name": "LA (name)",
    "establishment_type": "TypeOfEstablishment (name)",
    "status": "EstablishmentStatus (name)",
    "phase": "PhaseOfEducation (name)",
    "postcode": "Postcode",
}
# The longest value each field holds (partners.models.School; a test keeps them in step).
MAX_LENGTHS: dict[str, int] = {
    "urn": 8,
    "name": 200,
    "la_code": 12,
    "la_name": 120,
    "establishment_type": 120,
    "status": 60,
    "phase": 60,
    "postcode": 10,
}
# What the report calls each field.
LABELS: dict[str, str] = {
    "urn": "URN",
    "name": "name",
    "la_code": "local authority code",
    "la_name": "local authority",
    "establishment_type": "type",
    "status": "status",
    "phase": "phase",
    "postcode": "postcode",
}
FIELDS = tuple(COLUMNS)
# GIAS URNs are 6 digits; a few older or test extracts have 5 or 7, so those are accepted.
URN_DIGITS = (5, 7)
# A report lists this many problems and counts the rest.
MAX_PROBLEMS_SHOWN = 100
# The report names this many of the schools added and updated, and counts the rest.
MAX_EXAMPLES = 20

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (with byte order mark)"
CP1252 = "Windows-1252"

EMPTY_FILE = "The file is empty: it needs the GIAS header row and a row per school"
NO_SCHOOLS = "The file has a header but no schools"
NOT_TEXT = (
    "The file is not a CSV text file: it contains NUL bytes (is it UTF-16, or a spreadsheet "
    "saved in another format?). Download the establishment fields CSV from GIAS again"
)
SPREADSHEET = (
    "The file is an Excel workbook, not a CSV. Download the establishment fields CSV from "
    "GIAS, or save the sheet as CSV"
)
UNDECODABLE = (
    "The file could not be read as UTF-8 or as Windows-1252 (the encoding GIAS uses): "
    "byte {byte} at position {position} is not a character in either. Download the file "
    "from GIAS again, or save it as CSV UTF-8"
)


@dataclass(frozen=True)
class GiasRow:
    """One school as the file gives it: the fields of `FIELDS`, stripped."""

    line: int
    urn: str
    name: str
    la_code: str
    la_name: str
    establishment_type: str
    status: str
    phase: str
    postcode: str

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in FIELDS)


@dataclass(frozen=True)
class GiasCheck:
    """The file read and checked: its rows if it has no problem, else its problems.

    `problems` lists at most MAX_PROBLEMS_SHOWN; `problem_count` counts them all.
    """

    encoding: str
    rows: list[GiasRow]
    problems: list[str]
    problem_count: int

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


_CHUNK = 1 << 20


@dataclass(frozen=True)
class Encoding:
    codec: str  # Python's name for it
    label: str  # what the report calls it
    skip: int = 0  # bytes before the text (a byte order mark)


def detect_encoding(content: bytes) -> tuple[Encoding | None, str]:
    """(encoding, problem): UTF-8 with or without a BOM, else Windows-1252.

    A UTF-8 file decodes as UTF-8 (a Windows-1252 file with accents almost never does, so
    the order is safe). Windows-1252 leaves five bytes undefined; a file holding one is
    neither, and is refused with the byte and where it is. The file is decoded a megabyte at
    a time and the text thrown away: the check decodes it again a line at a time, so the
    whole text is never held next to the bytes.
    """
    if content.startswith(b"PK\x03\x04"):
        return None, SPREADSHEET
    if b"\x00" in content:
        return None, NOT_TEXT
    if content.startswith(b"\xef\xbb\xbf"):
        bom = Encoding("utf-8", UTF8_BOM, 3)
        problem = _decode_problem(content, bom)
        return (None, problem) if problem else (bom, "")
    if not _decode_problem(content, Encoding("utf-8", UTF8)):
        return Encoding("utf-8", UTF8), ""
    cp1252 = Encoding("cp1252", CP1252)
    problem = _decode_problem(content, cp1252)
    return (None, problem) if problem else (cp1252, "")


def _decode_problem(content: bytes, encoding: Encoding) -> str:
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    at, chunk = encoding.skip, b""
    try:
        while at < len(content):
            chunk = content[at : at + _CHUNK]
            decoder.decode(chunk, final=at + _CHUNK >= len(content))
            at += _CHUNK
        chunk = b""
        decoder.decode(chunk, final=True)
    except UnicodeDecodeError as error:
        # The error counts from the bytes the decoder held back from the chunk before.
        held = len(error.object) - len(chunk)
        return _undecodable(error, offset=min(at, len(content)) - held)
    return ""


def decode(content: bytes) -> tuple[str, str, str]:
    """(text, encoding label, problem): the whole file as text (for a small file)."""
    encoding, problem = detect_encoding(content)
    if encoding is None:
        return "", "", problem
    return content[encoding.skip :].decode(encoding.codec), encoding.label, ""


def _undecodable(error: UnicodeDecodeError, offset: int = 0) -> str:
    byte = error.object[error.start : error.start + 1].hex().upper()
    return UNDECODABLE.format(byte=f"0x{byte}", position=error.start + offset)


def _header_problem(header: list[str]) -> str:
    missing = [column for column in COLUMNS.values() if column not in header]
    if not missing:
        return ""
    return (
        f"The file is not a GIAS establishment fields CSV: the header (line 1) has no "
        f"{_join(missing)} column{'s' if len(missing) > 1 else ''}. It needs "
        f"{_join(list(COLUMNS.values()))}; other columns are ignored"
    )


def _join(names: list[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def urn_problem(urn: str) -> str:
    if not urn:
        return "URN is missing"
    low, high = URN_DIGITS
    if not (urn.isascii() and urn.isdigit()) or not low <= len(urn) <= high:
        return (
            f"URN {urn!r} is not a URN: GIAS URNs are 6 digits ({low} to {high} digits "
            "are accepted)"
        )
    return ""


def _row_problems(cells: dict[str, str]) -> list[str]:
    problems = []
    problem = urn_problem(cells["urn"])
    if problem:
        problems.append(problem)
    if not cells["name"]:
        problems.append("EstablishmentName is missing")
    for name, limit in MAX_LENGTHS.items():
        if name != "urn" and len(cells[name]) > limit:
            problems.append(
                f"{COLUMNS[name]} is {len(cells[name])} characters long (at most {limit})"
            )
    return problems


class _Problems:
    """Every problem counted; the first MAX_PROBLEMS_SHOWN kept."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.count = 0

    def add(self, line: int, messages: Iterable[str]) -> None:
        for message in messages:
            self.count += 1
            if len(self.shown) < MAX_PROBLEMS_SHOWN:
                self.shown.append(f"line {line}: {message}")


def _lines(content: bytes, encoding: Encoding) -> Iterator[str]:
    """The file's lines with their endings, decoded one at a time (a 60 MB file is never held
    whole as text). A newline byte is never part of another character in UTF-8 or
    Windows-1252, so splitting the bytes first is safe."""
    if b"\n" not in content:  # old Mac files end lines with CR alone
        text = content[encoding.skip :].decode(encoding.codec)
        yield from io.StringIO(text, newline="")
        return
    start = encoding.skip
    while start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end + 1
        yield content[start:end].decode(encoding.codec)
        start = end


def check_gias_csv(content: bytes) -> GiasCheck:
    """Decode and check a GIAS CSV; the rows when it has no problem at all.

    Refused whole: a file that is empty, not text, an Excel workbook, in neither UTF-8 nor
    Windows-1252, or whose header lacks a column of COLUMNS. Line by line: a URN that is
    missing, not numeric or not 5 to 7 digits; a URN already on an earlier line; a missing
    EstablishmentName; a value too long to store; a line with more or fewer values than the
    header (a stray comma or quote). Blank lines are skipped; other columns are ignored.
    """
    detected, problem = detect_encoding(content)
    if detected is None:
        return GiasCheck("", [], [problem], 1)
    encoding = detected.label
    if not content[detected.skip :].strip():
        return GiasCheck(encoding, [], [EMPTY_FILE], 1)
    reader = csv.reader(_lines(content, detected))
    try:
        header = [column.strip() for column in next(reader)]
    except csv.Error as error:
        return GiasCheck(encoding, [], [f"line 1: the header cannot be read as CSV: {error}"], 1)
    problem = _header_problem(header)
    if problem:
        return GiasCheck(encoding, [], [problem], 1)
    where = {name: header.index(column) for name, column in COLUMNS.items()}
    width = len(header)
    problems = _Problems()
    rows: list[GiasRow] = []
    first_line: dict[str, int] = {}
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add(reader.line_num, [f"cannot be read as CSV: {error}"])
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != width:
            problems.add(line, [f"has {len(values)} values but the header has {width}"])
            continue
        cells = {name: values[index].strip() for name, index in where.items()}
        line_problems = _row_problems(cells)
        urn = cells["urn"]
        if urn in first_line:
            line_problems.append(f"URN {urn} is already on line {first_line[urn]}")
        elif urn:
            first_line[urn] = line
        if line_problems:
            problems.add(line, line_problems)
        elif not problems.count:
            rows.append(GiasRow(line, **cells))
    if not problems.count and not rows:
        return GiasCheck(encoding, [], [NO_SCHOOLS], 1)
    return GiasCheck(encoding, rows if not problems.count else [], problems.shown, problems.count)


# --------------------------------------------------------------------------------------------
# The report of an import
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolChange:
    urn: str
    name: str
    fields: tuple[str, ...] = ()  # the labels of the fields that changed (updates only)


@dataclass(frozen=True)
class GiasReport:
    """What an import did, or why it did nothing.

    `accepted` False: nothing was written, and `problems` says why (at most
    MAX_PROBLEMS_SHOWN of `problem_count`). Otherwise the counts of schools added, updated
    (and which fields, by how many schools), unchanged, and in the directory but not in the
    file (left alone: the file may be a partial extract).
    """

    accepted: bool
    encoding: str = ""
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_file: int = 0
    field_counts: dict[str, int] = field(default_factory=dict)
    added_examples: tuple[SchoolChange, ...] = ()
    updated_examples: tuple[SchoolChange, ...] = ()
    problems: tuple[str, ...] = ()
    problem_count: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def field_summary(self) -> str:
        """'status (12), phase (3)': the fields updated, most often changed first."""
        ranked = sorted(self.field_counts.items(), key=lambda item: (-item[1], item[0]))
        return ", ".join(f"{name} ({count:,})" for name, count in ranked)

    @property
    def changes_not_shown(self) -> int:
        """Schools added or updated that `added_examples` and `updated_examples` leave out."""
        return (self.added - len(self.added_examples)) + (self.updated - len(self.updated_examples))

    def lines(self) -> list[str]:
        """The report as plain text, one line each (the import_gias command prints these)."""
        if not self.accepted:
            head = (
                f"Nothing was imported: the file has {self.problem_count:,} "
                f"problem{'s' if self.problem_count != 1 else ''}."
            )
            tail = (
                [f"... and {self.problems_not_shown:,} more problems not listed."]
                if self.problems_not_shown
                else []
            )
            return [head, *self.problems, *tail]
        lines = [
            f"Read {self.rows:,} schools ({self.encoding}).",
            f"Added: {self.added:,}.",
            f"Updated: {self.updated:,}" + (f": {self.field_summary}." if self.updated else "."),
            f"Unchanged: {self.unchanged:,}.",
            f"In the directory but not in this file: {self.not_in_file:,} (left alone; the "
            "file may be a partial extract).",
        ]
        for change in self.added_examples:
            lines.append(f"  added {change.urn} {change.name}")
        for change in self.updated_examples:
            lines.append(f"  updated {change.urn} {change.name}: {', '.join(change.fields)}")
        if self.changes_not_shown:
            lines.append(f"  ... and {self.changes_not_shown:,} more added or updated.")
        return lines
