"""Checking a staff CSV line by line before anything is saved. Pure: no ORM, no clock.

# docs/force-administration.md "Importing staff": every line is checked first and every
# problem is reported with its line number; one bad line means nothing is saved.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

COLUMNS = ("first_name", "last_name", "username", "email", "roles", "units", "job_title")
REQUIRED_COLUMNS = ("first_name", "last_name", "username", "email", "roles")
# Roles and units are separated by semicolons inside their cell ("officer;supervisor").
LIST_SEPARATOR = ";"
MAX_LINES = 1000
# The same shape Django's EmailValidator accepts in practice: one @, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


@dataclass(frozen=True)
class LineProblem:
    line: int  # the line of the file, counting the header as line 1
    column: str
    message: str


@dataclass
class StaffLine:
    line: int
    first_name: str
    last_name: str
    username: str
    email: str
    roles: list[str]
    units: list[str]
    job_title: str = ""
    problems: list[LineProblem] = field(default_factory=list)


def split_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def check_lines(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    roles: Mapping[str, str],
    unit_names: Collection[str],
    usernames_taken: Collection[str],
) -> tuple[list[StaffLine], list[LineProblem]]:
    """Every line of the file and every problem found on it.

    `roles` maps each accepted spelling (the role's code or its label, lower case) to its code;
    `unit_names` are the force's units in lower case; `usernames_taken` in lower case."""
    lines: list[StaffLine] = []
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        cell = {name: (row.get(name) or "").strip() for name in COLUMNS}
        found: list[LineProblem] = []

        def refuse(
            column: str, message: str, line: int = number, found: list[LineProblem] = found
        ) -> None:
            found.append(LineProblem(line, column, message))

        if not cell["first_name"]:
            refuse("first_name", "Enter a first name")
        if not cell["last_name"]:
            refuse("last_name", "Enter a last name")
        username = cell["username"]
        if not username:
            refuse("username", "Enter a username")
        elif not _USERNAME.match(username):
            refuse("username", "A username has letters, digits and @ . + - _ only")
        elif username.lower() in seen:
            refuse("username", f"Username {username} is also on line {seen[username.lower()]}")
        elif username.lower() in usernames_taken:
            refuse("username", f"Username {username} is already in use in the force")
        if username:
            seen.setdefault(username.lower(), number)
        if not cell["email"]:
            refuse("email", "Enter an email address")
        elif not _EMAIL.match(cell["email"]) or len(cell["email"]) > 254:
            refuse("email", f"{cell['email']} is not an email address")
        role_codes = []
        wanted_roles = split_list(cell["roles"])
        if not wanted_roles:
            refuse("roles", "Give at least one role")
        for wanted in wanted_roles:
            code = roles.get(wanted.lower())
            if code is None:
                refuse("roles", f"Unknown role {wanted}")
            elif code not in role_codes:
                role_codes.append(code)
        units = split_list(cell["units"])
        for unit in units:
            if unit.lower() not in unit_names:
                refuse("units", f"Unknown unit {unit}")
        for name in ("first_name", "last_name", "job_title"):
            if len(cell[name]) > (150 if name != "job_title" else 120):
                refuse(name, f"The {name.replace('_', ' ')} is too long")
        lines.append(
            StaffLine(
                line=number,
                first_name=cell["first_name"],
                last_name=cell["last_name"],
                username=username,
                email=cell["email"],
                roles=role_codes,
                units=units,
                job_title=cell["job_title"],
                problems=found,
            )
        )
        problems.extend(found)
    return lines, problems
