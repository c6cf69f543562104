"""Notification pages (thin): a force admin's undelivered messages with a retry button, and
each user's in-app alerts. The outbox itself lives in core (safeguard.core.outbox)."""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguard.core.errors import Conflict, DomainError
from safeguard.core.models import OutboxMessage
from safeguard.core.outbox import (
    outbox_alert_mark_read,
    outbox_alerts_for,
    outbox_retry,
    outbox_undelivered,
)
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.exports import Column, export_response

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: QuerySet[Model]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@requires(Permission.OUTBOX_MANAGE)
def undelivered(request: ActorRequest) -> HttpResponse:
    request.nav_section = "undelivered"
    page = _page(request, outbox_undelivered(actor=request.actor))
    return render(request, "notifications/undelivered.html", {"page": page})


@requires(Permission.OUTBOX_MANAGE)
@require_POST
def retry(request: ActorRequest, message_id: int) -> HttpResponse:
    try:
        outbox_retry(actor=request.actor, message_id_pk=message_id, now=timezone.now())
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Message queued again. The worker will send it shortly.")
    return redirect("notifications:undelivered")


@requires(Permission.MY_WORK_VIEW)
def alerts(request: ActorRequest) -> HttpResponse:
    request.nav_section = "alerts"
    page = _page(request, outbox_alerts_for(actor=request.actor))
    return render(request, "notifications/alerts.html", {"page": page})


@requires(Permission.MY_WORK_VIEW)
@require_POST
def alert_read(request: ActorRequest, message_id: int) -> HttpResponse:
    outbox_alert_mark_read(actor=request.actor, message_id_pk=message_id, now=timezone.now())
    return redirect("notifications:alerts")


# The download of the alerts list (docs/exports.md): the same selector as the page, every row.

ALERT_COLUMNS: list[Column[OutboxMessage]] = [
    Column("When", lambda a: a.created_at),
    Column("Alert", lambda a: a.subject),
    Column("Detail", lambda a: a.body),
    Column("Status", lambda a: "Read" if a.read_at else "New"),
    Column("Link", lambda a: a.link),
]


@requires(Permission.MY_WORK_VIEW)
def alerts_export(request: ActorRequest) -> HttpResponseBase:
    rows = outbox_alerts_for(actor=request.actor)
    return export_response(
        request,
        name="alerts",
        object_type="alert",
        columns=ALERT_COLUMNS,
        rows=rows.iterator(chunk_size=2000),
        count=rows.count(),
        title="Alerts",
    )
