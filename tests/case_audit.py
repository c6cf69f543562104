"""Watching every write to a case's grade, review date or status, whoever makes it, so a test can
check each left a `case` audit entry (DPA 2018 s62: every alteration is logged)."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from safeguard.core.models import AuditEntry

WATCHED = ("risk_grade", "next_review_due_at", "status")
_UPDATE = re.compile(r'^UPDATE "cases_case" SET (?P<set>.*?) WHERE (?P<where>.*)$', re.S)
_COLUMN = re.compile(r'"(\w+)" = ')
_BY_ID = re.compile(r'"cases_case"\."id" = (%s|\?)')


@dataclass
class CaseWrites:
    """(case id, column) for each watched column an UPDATE set, and the statements it could
    not tie to one case (a test should have none)."""

    written: set[tuple[int, str]] = field(default_factory=set)
    untied: list[str] = field(default_factory=list)

    def unaudited(self) -> list[tuple[int, str]]:
        """The writes with no `case` audit entry naming that field for that case."""
        missing = []
        for case_id, column in sorted(self.written):
            entries = AuditEntry.objects.filter(object_type="case", object_id=str(case_id))
            if not any(column in entry.changed_fields for entry in entries):
                missing.append((case_id, column))
        return missing


@contextmanager
def watch_case_writes() -> Iterator[CaseWrites]:
    """Record every UPDATE of the cases table made inside the block, by any context."""
    writes = CaseWrites()

    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        match = _UPDATE.match(sql.strip())
        if match:
            columns = [c for c in _COLUMN.findall(match["set"]) if c in WATCHED]
            where = match["where"]
            tied = _BY_ID.search(where)
            if columns and tied and params is not None and not many:
                # The id is the first parameter after the SET clause's own.
                position = match["set"].count("%s") + match["set"].count("?")
                position += where[: tied.start()].count("%s") + where[: tied.start()].count("?")
                writes.written.update((int(params[position]), column) for column in columns)
            elif columns:
                writes.untied.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield writes
