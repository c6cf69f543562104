"""The shell's own pages: My work, and the error pages."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.accounts.services import auth_event_record
from safeguard.cases.selectors import cases_visible_to, my_open_actions, my_open_cases
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import clocks_high_risk, clocks_of_units, clocks_owned_by
from safeguard.core.disclosures import disclosure_list_received
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.people.selectors import person_get


@requires(Permission.MY_WORK_VIEW)
def my_work(request: ActorRequest) -> HttpResponse:
    request.nav_section = "my_work"
    actor = request.actor
    now = timezone.now()
    clocks = clocks_owned_by(force_id=actor.force_id, user_id=actor.user_id, now=now)
    if request.GET.get("fragment") == "clocks":
        # live.js asks for this every 30 s, so new and newly overdue work shows unasked.
        return render(request, "frontend/includes/clock_rows.html", {"rows": clocks})
    return render(
        request,
        "frontend/my_work.html",
        {
            "clocks": clocks,
            "live_seconds": settings.LIVE_REFRESH_SECONDS,
            "cases": my_open_cases(actor=actor),
            "actions": my_open_actions(actor=actor),
            "now": now,
            "today": london_date(now),
        },
    )


@requires(Permission.TEAM_VIEW)
def team(request: ActorRequest) -> HttpResponse:
    """My units' clocks that are overdue or due within a day."""
    request.nav_section = "team"
    actor = request.actor
    rows = clocks_of_units(force_id=actor.force_id, unit_ids=actor.unit_ids, now=timezone.now())
    return render(request, "frontend/team.html", {"rows": rows})


@requires(Permission.DUTY_VIEW)
def duty(request: ActorRequest) -> HttpResponse:
    """Every open clock on a high-risk record in the force, overdue first."""
    request.nav_section = "duty"
    actor = request.actor
    rows = clocks_high_risk(force_id=actor.force_id, now=timezone.now())
    return render(request, "frontend/duty.html", {"rows": rows})


@requires(Permission.DISCLOSURE_VIEW)
def shared_with_me(request: ActorRequest) -> HttpResponse:
    request.nav_section = "shared"
    disclosures = disclosure_list_received(actor=request.actor)
    page = Paginator(disclosures, 25).get_page(request.GET.get("page"))
    return render(request, "frontend/shared_with_me.html", {"page": page})


# A case reference as the cases app issues them (CP-2026-000376), typed in any case.
CASE_REFERENCE = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")
QUICK_FIND_MAX = 120


@requires(Permission.PERSON_VIEW)
def quick_find(request: ActorRequest) -> HttpResponse:
    """The header's quick-find box: a case reference or a record number goes straight to that
    record (if the actor may see it); anything else is a people search by name. Audited as a
    search, without the words typed (they may name a child)."""
    actor = request.actor
    query = " ".join(request.GET.get("q", "").split())[:QUICK_FIND_MAX]
    search = reverse("people:person_search")
    if not query:
        return redirect(search)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="quick_find",
        object_id="search",
        reason_code="search",
    )
    reference = query.upper()
    if CASE_REFERENCE.fullmatch(reference):
        case_id = None
        if actor.can(Permission.CASE_VIEW):
            case_id = (
                cases_visible_to(actor)
                .filter(reference=reference)
                .values_list("pk", flat=True)
                .first()
            )
        if case_id is not None:
            return redirect("cases:case_detail", case_id=case_id)
        messages.info(request, f"No case {reference} that you can see")
        return redirect(search)
    if query.isdigit():
        try:
            person = person_get(actor=actor, person_id=int(query), audit=False)
        except NotFound:
            messages.info(request, f"No person with record number {query} in this force")
            return redirect(search)
        return redirect("people:person_detail", person_id=person.pk)
    return redirect(f"{search}?{urlencode({'name': query})}")


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, f"frontend/errors/{template}", status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # ASVS 16.3.2 / CJIS AU-2: a refused authorisation is an audit event.
    actor = getattr(request, "actor", None)
    user = request.user if isinstance(request.user, User) else None
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="route",
            object_id=request.path[:64],
            outcome="refused",
        )
    else:
        auth_event_record(
            action=AuditAction.ACCESS_DENIED,
            username=user.get_username() if user else "",
            user=user,
            outcome="refused",
        )
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: whatever failed may be in it.
    return render(request, "frontend/errors/500.html", status=500, context={})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "frontend/errors/csrf.html", status=403)
