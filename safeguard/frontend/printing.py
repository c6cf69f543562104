"""Printable documents as PDF, drawn with WeasyPrint (docs/exports.md).

Every page carries the protective marking OFFICIAL-SENSITIVE at its top and bottom, the record's
reference and subject, "Page X of Y", and who printed it and when (London time). The marking and
the running heads are CSS @page margin boxes (static/safeguard/print-pdf.css), filled from the
document's own heading with string-set, so nothing about the record is written into CSS.
Each download is audited: a PDF taken away is a consultation of personal data (DPA 2018 s62).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction
from safeguard.core.views import ActorRequest

MARKING = "OFFICIAL-SENSITIVE"
STYLESHEET = "safeguard/print-pdf.css"


@dataclass(frozen=True)
class Printed:
    """The running heads of a printed document."""

    title: str  # "Case summary", "Chronology"
    reference: str  # "CP-2026-000376", or a person's record number
    subject: str  # "Benjamin Smith (12)"
    printed_by: str  # the user's full name
    printed_at: str  # "2 December 2026 at 16:40" (London time)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A printed document loads nothing from outside: no images by URL, no web fonts."""
    raise ValueError(f"Printed documents load nothing by URL ({url[:40]})")


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported here: only printing needs it (and Pango)

    stylesheet = finders.find(STYLESHEET)
    if not isinstance(stylesheet, str):
        raise RuntimeError(f"{STYLESHEET} is missing from the static files")
    document = HTML(string=html, url_fetcher=_refuse_fetch)
    pdf = document.write_pdf(stylesheets=[CSS(string=Path(stylesheet).read_text())])
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf


def pdf_response(
    request: ActorRequest,
    *,
    template: str,
    context: dict[str, Any],
    title: str,
    reference: str,
    subject: str,
    object_type: str,
    object_id: object,
    filename: str,
) -> HttpResponse:
    """Draw the template as a PDF for download, audited as an export of the record."""
    actor = request.actor
    now = timezone.localtime()
    printed = Printed(
        title=title,
        reference=reference,
        subject=subject,
        printed_by=getattr(request.user, "display_name", "") or actor.username,
        printed_at=f"{now:%-d %B %Y at %H:%M}",
    )
    html = render_to_string(
        template, {**context, "printed": printed, "marking": MARKING}, request=request
    )
    pdf = render_pdf(html)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_id=object_id,
        reason_code="pdf:" + title.lower().replace(" ", "_")[:30],
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
