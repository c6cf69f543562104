"""Notification pages (thin): a force admin's undelivered messages with a retry button, and
each user's in-app alerts. The outbox itself lives in core (safeguard.core.outbox)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguard.core.errors import DomainError, NotFound
from safeguard.core.outbox import (
    outbox_alert_mark_read,
    outbox_alerts_for,
    outbox_retry,
    outbox_undelivered,
)
from safeguard.core.permissions import Permission
from safeguard.core.views import requires

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: object) -> object:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


@requires(Permission.OUTBOX_MANAGE)
def undelivered(request: HttpRequest) -> HttpResponse:
    request.nav_section = "undelivered"  # type: ignore[attr-defined]
    page = _page(request, outbox_undelivered(actor=request.actor))  # type: ignore[attr-defined]
    return render(request, "notifications/undelivered.html", {"page": page})


@requires(Permission.OUTBOX_MANAGE)
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        outbox_retry(actor=request.actor, message_id_pk=message_id, now=timezone.now())  # type: ignore[attr-defined]
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Message queued again. The worker will send it shortly.")
    return redirect("notifications:undelivered")


@requires(Permission.MY_WORK_VIEW)
def alerts(request: HttpRequest) -> HttpResponse:
    request.nav_section = "alerts"  # type: ignore[attr-defined]
    page = _page(request, outbox_alerts_for(actor=request.actor))  # type: ignore[attr-defined]
    return render(request, "notifications/alerts.html", {"page": page})


@requires(Permission.MY_WORK_VIEW)
@require_POST
def alert_read(request: HttpRequest, message_id: int) -> HttpResponse:
    outbox_alert_mark_read(actor=request.actor, message_id_pk=message_id, now=timezone.now())  # type: ignore[attr-defined]
    return redirect("notifications:alerts")
