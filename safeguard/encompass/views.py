"""Operation Encompass pages (thin): the desk's lists, one notification (resolve its school;
write, preview and send it; send an undelivered one again or record another route), compliance
by month and by school, and a key adult's received notifications (reading one records the read
receipt; then they acknowledge it and record the school's action)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguard.core.actor import Actor
from safeguard.core.clocks import ClockView, clock_status
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.encompass import forms, selectors, services
from safeguard.encompass.clocks import NOTIFICATION
from safeguard.encompass.models import Notification
from safeguard.encompass.rules.lifecycle import NotificationStatus
from safeguard.frontend.charts import BarChart, Series, bar_chart
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import show_domain_error
from safeguard.frontend.pages import form_page
from safeguard.partners.selectors import key_adults_for

DESK = "encompass"
RECEIVED = "encompass_received"


def _actor(request: ActorRequest, section: str) -> Actor:
    request.nav_section = section
    return request.actor


@dataclass(frozen=True)
class Deadline:
    """A notification's deadline as a page shows it: the GOV.UK tag and whether it is late."""

    notification: Notification
    tag_text: str
    tag_colour: str
    overdue: bool


def _deadline(notification: Notification, now: datetime) -> Deadline:
    met = notification.sent_at  # sent = delivered (docs/rules.md 4.3)
    status = clock_status(
        due_at=notification.due_at, met_at=met, now=now, paused=False, cancelled=False
    )
    clock = ClockView(NOTIFICATION.name, NOTIFICATION.title, notification.due_at, met, status)
    text, colour = clock.tag(now)
    return Deadline(notification, text, colour, met is None and now > notification.due_at)


# The desk ------------------------------------------------------------------------------------


def _desk_context(actor: Actor) -> dict[str, object]:
    now = timezone.now()
    desk = selectors.encompass_desk(actor=actor, now=now)
    return {
        "desk": desk,
        "due": [_deadline(n, now) for n in desk.due],
        "undelivered": [_deadline(n, now) for n in desk.undelivered],
        "sending": [_deadline(n, now) for n in desk.sending],
    }


@requires(Permission.ENCOMPASS_MANAGE)
def desk(request: ActorRequest) -> HttpResponse:
    """What must go before tomorrow's school start, then what was sent and what came of it."""
    actor = _actor(request, DESK)
    context = _desk_context(actor)
    if request.GET.get("fragment") == "due":
        # live.js asks for this every LIVE_REFRESH_SECONDS, so the list keeps itself current.
        return render(request, "encompass/includes/due.html", context)
    return render(
        request,
        "encompass/desk.html",
        context | {"live_seconds": settings.LIVE_REFRESH_SECONDS},
    )


# One notification ----------------------------------------------------------------------------


def _addressee(notification: Notification) -> str:
    if notification.school is not None:
        return notification.school.name
    if notification.local_authority is not None:
        return notification.local_authority.name
    return "School not known"


def _notification_context(
    actor: Actor, notification: Notification
) -> tuple[dict[str, object], django_forms.Form | None, str]:
    """The notification, its recipients, deadline and deliveries, and the form its status
    calls for. Brief circumstances start blank: the desk writes them for the school."""
    form: django_forms.Form | None = None
    kind = ""
    version = {"version": notification.version}
    if notification.status == NotificationStatus.TO_REVIEW:
        phone = services.last_contact_phone(actor=actor, unit_id=notification.unit_id)
        initial = {**version, "circumstances": notification.circumstances, "contact_phone": phone}
        form, kind = forms.SendForm(initial=initial), "send"
    elif notification.status == NotificationStatus.TO_RESOLVE:
        form, kind = (
            forms.ResolveForm(
                initial=version, authorities=selectors.local_authorities(actor=actor)
            ),
            "resolve",
        )
    # Key adults' names are personal data: notification_get has audited this page's read.
    school = notification.school
    context: dict[str, object] = {
        "notification": notification,
        "deadline": _deadline(notification, timezone.now()),
        "key_adults": key_adults_for(notification.force_id, school.urn) if school else [],
        "deliveries": selectors.notification_deliveries(actor=actor, notification=notification),
        "kind": kind,
        "retry_form": forms.RetryForm(initial=version) if notification.undelivered else None,
        "other_route_form": (
            forms.OtherRouteForm(initial=version) if notification.delivering else None
        ),
    }
    return context, form, kind


@requires(Permission.ENCOMPASS_MANAGE)
def notification(request: ActorRequest, notification_id: int) -> HttpResponse:
    actor = _actor(request, DESK)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    context, form, _ = _notification_context(actor, found)
    return render(request, "encompass/notification.html", context | {"form": form})


def _step_page(
    request: ActorRequest,
    notification: Notification,
    form: django_forms.Form,
    kind: str,
    *,
    write: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """A step on the notification page (send, resolve): the page again with the form's
    errors, or back to the notification when it is done."""
    context, _, _ = _notification_context(request.actor, notification)
    if kind in ("retry", "other_route"):
        context[f"{kind}_form"] = form  # shown with its errors, where it was
    else:
        context["kind"] = kind
    return form_page(
        request,
        form,
        template="encompass/notification.html",
        context=context,
        write=write,
        success=success,
        done_url=reverse("encompass:notification", kwargs={"notification_id": notification.pk}),
        conflict_on=("encompass_notification", notification.pk),
    )


@requires(Permission.ENCOMPASS_MANAGE)
@require_POST
def notification_send(request: ActorRequest, notification_id: int) -> HttpResponse:
    """Write, preview, send: "preview" shows exactly what each key adult will get (their page
    and the email); the confirm step's "send" sends what was previewed. The email holds a
    link, never the child's details."""
    actor = _actor(request, DESK)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    form = forms.SendForm(request.POST)
    if form.confirmed:
        return _step_page(
            request,
            found,
            form,
            "send",
            write=lambda data: services.notification_send(
                actor=actor,
                notification_id=found.pk,
                version=data["version"],
                circumstances=data["circumstances"],
                contact_phone=data["contact_phone"],
                now=timezone.now(),
            ),
            success=f"Notification sent to {_addressee(found)}: it counts as sent once an "
            "email is delivered",
        )
    context, _, _ = _notification_context(actor, found)
    if form.is_valid() and form.cleaned_data.get("action") == forms.PREVIEW:
        try:
            preview = services.notification_preview(
                actor=actor,
                notification=found,
                circumstances=form.cleaned_data["circumstances"],
                contact_phone=form.cleaned_data["contact_phone"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            confirm = forms.ConfirmForm(
                initial={**form.cleaned_data, "action": forms.SEND, "version": found.version}
            )
            return render(
                request,
                "encompass/notification.html",
                context | {"kind": "confirm", "form": confirm, "preview": preview},
            )
    return render(request, "encompass/notification.html", context | {"form": form})


@requires(Permission.ENCOMPASS_MANAGE)
@require_POST
def notification_retry(request: ActorRequest, notification_id: int) -> HttpResponse:
    """An undelivered notification's emails, sent again from attempt one."""
    actor = _actor(request, DESK)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    return _step_page(
        request,
        found,
        forms.RetryForm(request.POST),
        "retry",
        write=lambda data: services.notification_retry(
            actor=actor, notification_id=found.pk, version=data["version"], now=timezone.now()
        ),
        success="The emails are queued to send again",
    )


@requires(Permission.ENCOMPASS_MANAGE)
@require_POST
def notification_other_route(request: ActorRequest, notification_id: int) -> HttpResponse:
    """The desk told the school another way: the notification is sent now."""
    actor = _actor(request, DESK)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    return _step_page(
        request,
        found,
        forms.OtherRouteForm(request.POST),
        "other_route",
        write=lambda data: services.notification_other_route(
            actor=actor,
            notification_id=found.pk,
            version=data["version"],
            how=data["other_route"],
            now=timezone.now(),
        ),
        success=f"Recorded how {_addressee(found)} was told: the notification is sent",
    )


@requires(Permission.ENCOMPASS_MANAGE)
@require_POST
def notification_resolve(request: ActorRequest, notification_id: int) -> HttpResponse:
    """Give a child with no known school their school, or their local authority."""
    actor = _actor(request, DESK)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    form = forms.ResolveForm(request.POST, authorities=selectors.local_authorities(actor=actor))
    return _step_page(
        request,
        found,
        form,
        "resolve",
        write=lambda data: services.notification_resolve(
            actor=actor,
            notification_id=found.pk,
            version=data["version"],
            school_urn=data["school_urn"],
            local_authority_id=data["local_authority"],
            now=timezone.now(),
        ),
        success="Resolved: the notification is ready to review and send",
    )


# Compliance ----------------------------------------------------------------------------------


def _chart(months: list[selectors.Compliance]) -> BarChart:
    labels = [month.label for month in months]
    return bar_chart(
        chart_id="chart-compliance",
        title="Notified before the next school day",
        labels=labels,
        long_labels=labels,
        series=[
            Series("Notified before the next school day", "value", [m.percent for m in months])
        ],
        unit="%",
        maximum=100,
    )


@requires(Permission.ENCOMPASS_MANAGE)
def compliance(request: ActorRequest) -> HttpResponse:
    """% of notifications sent before the next school day, by month and by school."""
    actor = _actor(request, DESK)
    form = forms.ComplianceForm(
        request.GET if "months" in request.GET else {"months": forms.DEFAULT_MONTHS}
    )
    report = (
        selectors.encompass_compliance(
            actor=actor, months=form.cleaned_data["months"], now=timezone.now()
        )
        if form.is_valid()
        else None
    )
    return render(
        request,
        "encompass/compliance.html",
        {
            "form": form,
            "report": report,
            "chart": _chart(report.by_month) if report else None,
        },
    )


# A key adult's received notifications --------------------------------------------------------


@requires(Permission.ENCOMPASS_RECEIVE)
def received_list(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, RECEIVED)
    return render(
        request,
        "encompass/received_list.html",
        {"notifications": selectors.received_notifications(actor=actor)},
    )


def _received_page(
    request: ActorRequest, notification: Notification, action_form: django_forms.Form | None = None
) -> HttpResponse:
    form = action_form or forms.ActionForm(
        initial={"action_taken": notification.action_taken, "version": notification.version}
    )
    return render(
        request, "encompass/received.html", {"notification": notification, "action_form": form}
    )


@requires(Permission.ENCOMPASS_RECEIVE)
def received(request: ActorRequest, notification_id: int) -> HttpResponse:
    """Opening the notification is the read receipt (the first opening is kept)."""
    actor = _actor(request, RECEIVED)
    read = services.notification_read(
        actor=actor, notification_id=notification_id, now=timezone.now()
    )
    return _received_page(request, read)


@requires(Permission.ENCOMPASS_RECEIVE)
@require_POST
def received_acknowledge(request: ActorRequest, notification_id: int) -> HttpResponse:
    """The key adult says they have the notification and will act on it."""
    actor = _actor(request, RECEIVED)
    try:
        services.notification_acknowledge(
            actor=actor, notification_id=notification_id, now=timezone.now()
        )
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Notification acknowledged")
    return redirect("encompass:received", notification_id=notification_id)


@requires(Permission.ENCOMPASS_RECEIVE)
@require_POST
def received_action(request: ActorRequest, notification_id: int) -> HttpResponse:
    """The key adult records the action the school took; the police see it."""
    actor = _actor(request, RECEIVED)
    form = forms.ActionForm(request.POST)
    if form.is_valid():
        try:
            services.notification_record_action(
                actor=actor,
                notification_id=notification_id,
                action_taken=form.cleaned_data["action_taken"],
                version=form.cleaned_data["version"],
                now=timezone.now(),
            )
        except Conflict as error:
            form.add_error(None, error.message)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, "The school's action is recorded")
            return redirect("encompass:received", notification_id=notification_id)
    shown = services.notification_read(
        actor=actor, notification_id=notification_id, now=timezone.now()
    )
    return _received_page(request, shown, form)


# The download of the desk (docs/exports.md): each of its lists, as the page shows them.


@dataclass(frozen=True)
class DeskRow:
    section: str
    notification: Notification


DESK_COLUMNS: list[Column[DeskRow]] = [
    Column("List", lambda r: r.section),
    Column("Child", lambda r: r.notification.child_name),
    Column("Police reference", lambda r: r.notification.police_reference),
    Column("School or local authority", lambda r: _addressee(r.notification)),
    Column("Incident", lambda r: r.notification.incident_at),
    Column("Due", lambda r: r.notification.due_at),
    Column("Status", lambda r: r.notification.get_status_display()),
    Column("Sent", lambda r: r.notification.sent_at),
    Column("Read", lambda r: r.notification.read_at),
    Column("Acknowledged", lambda r: r.notification.acknowledged_at),
]


@requires(Permission.ENCOMPASS_MANAGE)
def desk_export(request: ActorRequest) -> HttpResponseBase:
    desk = selectors.encompass_desk(actor=_actor(request, DESK), now=timezone.now())
    rows = [
        DeskRow(section, notification)
        for section, notifications in (
            ("Due before tomorrow's school start", desk.due),
            ("Sent, not yet read", desk.sent_unread),
            ("Read, not yet acknowledged", desk.read_unacknowledged),
            ("Recently acknowledged", desk.acknowledged),
        )
        for notification in notifications
    ]
    return export_response(
        request,
        name="encompass_desk",
        object_type="encompass_notification",
        columns=DESK_COLUMNS,
        rows=rows,
        count=len(rows),
        title="Operation Encompass",
    )
