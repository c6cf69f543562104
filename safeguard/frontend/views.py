"""The shell's own pages: My work, and the error pages."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeguard.accounts.models import Unit, User
from safeguard.accounts.services import auth_event_record
from safeguard.cases.selectors import cases_visible_to, my_open_actions, my_open_cases
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import ClockRow, clocks_high_risk, clocks_of_units, clocks_owned_by
from safeguard.core.disclosures import disclosure_list_received
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.exports import Column, export_response
from safeguard.people.selectors import person_get

# docs/demo.md: where each role starts after signing in, its main page, first match wins. My
# work is the start for whoever holds cases (officers, investigators, custody officers).
_ROLE_LANDING = (
    (Role.FORCE_ADMIN, "accounts:staff_list", ""),
    # Assurance reads the force's cases.
    (Role.AUDITOR, "cases:case_list", ""),
    (Role.ANALYST, "missing:figures", ""),
    (Role.DUTY_INSPECTOR, "frontend:duty", ""),
    # The unit's referrals waiting to be allocated.
    (Role.SUPERVISOR, "cases:case_list", "?status=triaged"),
)
_UNIT_LANDING = {
    Unit.Type.DA_TRIAGE: "domestic_abuse:triage_queue",
    Unit.Type.ENCOMPASS: "encompass:desk",
}


def landing_url(*, roles: frozenset[str], unit_types: frozenset[str], acts_for_la: bool) -> str:
    """The page a user starts on: a role's main page, a specialist unit's queue, else My work.
    A partner acting for a local authority starts on the return interviews, a school's on the
    Operation Encompass notifications sent to them."""
    if Role.PARTNER in roles and not roles - {Role.PARTNER}:
        return reverse("missing:interview_list" if acts_for_la else "encompass:received_list")
    for role, name, query in _ROLE_LANDING:
        if role in roles:
            return reverse(name) + query
    for unit_type, name in _UNIT_LANDING.items():
        if unit_type in unit_types:
            return reverse(name)
    return reverse("frontend:my_work")


@requires(Permission.MY_WORK_VIEW)
def landing(request: ActorRequest) -> HttpResponse:
    """Where signing in leads: the role's main page (landing_url)."""
    actor = request.actor
    unit_types = frozenset(
        Unit.objects.filter(pk__in=actor.unit_ids).values_list("unit_type", flat=True)
    )
    acts_for_la = User.objects.filter(pk=actor.user_id, local_authorities__isnull=False).exists()
    return redirect(landing_url(roles=actor.roles, unit_types=unit_types, acts_for_la=acts_for_la))


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
    overdue_only = _overdue_only(request)
    rows = clocks_of_units(
        force_id=actor.force_id,
        unit_ids=actor.unit_ids,
        now=timezone.now(),
        overdue_only=overdue_only,
    )
    return render(request, "frontend/team.html", {"rows": rows, "overdue_only": overdue_only})


@requires(Permission.DUTY_VIEW)
def duty(request: ActorRequest) -> HttpResponse:
    """Every open clock on a high-risk record in the force, overdue first."""
    request.nav_section = "duty"
    actor = request.actor
    overdue_only = _overdue_only(request)
    rows = clocks_high_risk(force_id=actor.force_id, now=timezone.now(), overdue_only=overdue_only)
    return render(request, "frontend/duty.html", {"rows": rows, "overdue_only": overdue_only})


def _overdue_only(request: HttpRequest) -> bool:
    """The "Only overdue" checkbox of a work list's filter (ticked sends overdue=1)."""
    return request.GET.get("overdue") in ("1", "on", "true")


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


# Downloads of the work lists (docs/exports.md): the same selectors as the pages, so the same
# rows; the page's display limit is lifted to EXPORT_LIMIT.

EXPORT_LIMIT = 10_000

CLOCK_COLUMNS: list[Column[ClockRow]] = [
    Column("Record", lambda r: r.label.name),
    Column("Owner", lambda r: r.label.owner),
    Column("Risk", lambda r: r.label.risk),
    Column("Deadline", lambda r: r.clock.title),
    Column("Status", lambda r: r.tag_text),
    Column("Due", lambda r: r.clock.due_at),
    Column("Link", lambda r: r.link),
]


def _clock_export(
    request: ActorRequest, name: str, title: str, rows: list[ClockRow]
) -> HttpResponseBase:
    return export_response(
        request,
        name=name,
        object_type="clock",
        columns=CLOCK_COLUMNS,
        rows=rows,
        count=len(rows),
        title=title,
    )


@requires(Permission.MY_WORK_VIEW)
def my_work_export(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    rows = clocks_owned_by(
        force_id=actor.force_id, user_id=actor.user_id, now=timezone.now(), limit=EXPORT_LIMIT
    )
    return _clock_export(request, "my_work", "My deadlines", rows)


@requires(Permission.TEAM_VIEW)
def team_export(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    rows = clocks_of_units(
        force_id=actor.force_id,
        unit_ids=actor.unit_ids,
        now=timezone.now(),
        limit=EXPORT_LIMIT,
        overdue_only=_overdue_only(request),
    )
    return _clock_export(request, "team", "Team deadlines", rows)


@requires(Permission.DUTY_VIEW)
def duty_export(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    rows = clocks_high_risk(
        force_id=actor.force_id,
        now=timezone.now(),
        limit=EXPORT_LIMIT,
        overdue_only=_overdue_only(request),
    )
    return _clock_export(request, "duty", "High-risk deadlines", rows)
