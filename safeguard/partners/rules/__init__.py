"""Checking a term-dates CSV (header term,first_day,last_day): pure, every problem by line."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

COLUMNS = ("term", "first_day", "last_day")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TERMS = 200
EMPTY_FILE = "The file is empty: it needs the header term,first_day,last_day and a row per term"
NO_TERMS = "The file has a header but no terms: add one row per term"


@dataclass(frozen=True)
class TermRow:
    line: int
    name: str
    first_day: date
    last_day: date


def _parse_date(value: str, column: str) -> tuple[date | None, str]:
    if not value:
        return None, f"{column} is missing"
    if not _ISO_DATE.fullmatch(value):
        return None, f"{column} {value!r} is not a date in the form YYYY-MM-DD"
    try:
        return date.fromisoformat(value), ""
    except ValueError:
        return None, f"{column} {value!r} is not a real date"


def term_date_problems(csv_text: str) -> tuple[list[TermRow], list[str]]:
    """Parse a term-dates CSV into terms, and list every problem as "line N: ..." (or none).

    Problems: an empty file, a header without the columns term, first_day and last_day,
    rows with missing or extra values, blank or repeated term names, dates that are not
    YYYY-MM-DD or do not exist (2026-02-30), a last day before the first, and terms that
    overlap. Blank lines are skipped. Extra header columns (notes, say) are ignored.
    """
    text = csv_text.removeprefix("\ufeff")
    if not text.strip():
        return [], [EMPTY_FILE]
    reader = csv.reader(io.StringIO(text))
    header = [column.strip().lower() for column in next(reader)]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return [], [
            f"line {reader.line_num}: the header is missing {', '.join(missing)} "
            f"(it must be {','.join(COLUMNS)})"
        ]
    where = {column: header.index(column) for column in COLUMNS}
    problems: list[str] = []
    rows: list[TermRow] = []
    seen_names: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            problems.append(
                f"line {line}: has {len(values)} values but the header has {len(header)}"
            )
            continue
        cells = {
            column: values[index].strip() if index < len(values) else ""
            for column, index in where.items()
        }
        row_problems = []
        name = cells["term"]
        if not name:
            row_problems.append("term name is missing")
        elif name.lower() in seen_names:
            row_problems.append(f"term {name!r} is already on line {seen_names[name.lower()]}")
        else:
            seen_names[name.lower()] = line
        first_day, problem = _parse_date(cells["first_day"], "first_day")
        row_problems += [problem] if problem else []
        last_day, problem = _parse_date(cells["last_day"], "last_day")
        row_problems += [problem] if problem else []
        if first_day and last_day and last_day < first_day:
            row_problems.append(f"last_day {last_day} is before first_day {first_day}")
        problems += [f"line {line}: {problem}" for problem in row_problems]
        if first_day and last_day and last_day >= first_day:
            rows.append(TermRow(line, name, first_day, last_day))
    if not rows and not problems:
        return [], [NO_TERMS]
    if len(rows) > MAX_TERMS:
        problems.append(f"The file has {len(rows)} terms; at most {MAX_TERMS} can be imported")
    problems += _overlaps(rows)
    problems.sort(key=_line_number)
    return sorted(rows, key=lambda row: row.first_day), problems


def _overlaps(rows: list[TermRow]) -> list[str]:
    """Every term that starts on or before the last day of an earlier-starting term."""
    problems = []
    latest: TermRow | None = None
    for row in sorted(rows, key=lambda row: (row.first_day, row.line)):
        if latest is not None and row.first_day <= latest.last_day:
            problems.append(
                f"line {row.line}: term {row.name!r} ({row.first_day} to {row.last_day}) overlaps "
                f"term {latest.name!r} on line {latest.line} ({latest.first_day} to "
                f"{latest.last_day})"
            )
        if latest is None or row.last_day > latest.last_day:
            latest = row
    return problems


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else 0
