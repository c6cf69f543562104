"""Downloads of a list as CSV or XLSX, scoped exactly as its page (docs/exports.md).

Each list declares its columns beside its view and hands this module the same rows its page
shows, read through the same selector with the same filters. This module does the rest, in one
place: the audit entry with the row count, formula neutralising, streaming the CSV in constant
memory, and writing the XLSX with openpyxl's write-only mode.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from django.http import FileResponse, Http404, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction
from safeguard.core.views import ActorRequest

R = TypeVar("R")

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# openpyxl refuses XML control characters; drop them rather than fail the whole download.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def neutralise_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text by a leading quote
    (OWASP CSV Injection). Numbers, dates and other text pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of an export: its heading and how to read its value from a row."""

    header: str
    value: Callable[[R], object]


def _plain(value: object) -> object:
    """A cell as a spreadsheet holds it: London time, no time zone, text labels."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date | int | float):
        return value
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return str(label if label is not None else value.value)
    return str(value).translate(_CONTROL)


def cells(row: R, columns: Iterable[Column[R]]) -> list[object]:
    """One row's cells, ready to write: plain values, formulas neutralised."""
    return [neutralise_cell(_plain(column.value(row))) for column in columns]


def _csv_text(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Line:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[R], columns: list[Column[R]]) -> Iterator[str]:
    """The CSV, one line at a time: a byte-order mark (so Excel reads UTF-8), the headings,
    then each row. Nothing is held but the current row."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([column.header for column in columns])
    for row in rows:
        yield writer.writerow([_csv_text(cell) for cell in cells(row, columns)])


def xlsx_file(rows: Iterable[R], columns: list[Column[R]], *, title: str) -> Any:
    """The workbook in a temporary file: write-only mode streams rows to disk as they come."""
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([column.header for column in columns])
    for row in rows:
        sheet.append(cells(row, columns))
    # In memory up to 8 MB, on disk beyond; closed (and removed) when the response is sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return out


def export_format(request: ActorRequest) -> str:
    """The format asked for (?format=csv or xlsx; CSV when not said); any other is not found."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404("No such format")
    return fmt


def export_response(
    request: ActorRequest,
    *,
    name: str,
    object_type: str,
    columns: list[Column[R]],
    rows: Iterable[R],
    count: int,
    title: str = "",
) -> HttpResponseBase:
    """The download of a list: audited (an export is a consultation of personal data, DPA 2018
    s62) with its format and row count before a byte is sent, then the file.

    `rows` is the page's own selector read without its page limit (an iterator for a large
    list); `count` is how many rows it yields. `name` names the list and the file."""
    fmt = export_format(request)
    audit_record(
        actor=request.actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_id=f"list:{name}",
        reason_code=f"{fmt}:{count} rows",
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    filename = f"{name.replace('_', '-')}-{stamp}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(rows, columns), content_type=CONTENT_TYPES[fmt])
    else:
        response = FileResponse(
            xlsx_file(rows, columns, title=title or name),
            content_type=CONTENT_TYPES[fmt],
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Export-Rows"] = str(count)
    return response
