"""Domestic abuse pages (thin): record an incident from the victim's record, the incident page,
DASH, the MARAC referral, and the triage queue with its capacity and backlog forecast."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.cases import selectors as case_selectors
from safeguard.cases.rules.lifecycle import Status
from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.clocks import clocks_for
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.domestic_abuse import forms, selectors, services
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.rules import policy as da_policy
from safeguard.domestic_abuse.rules.dash import ANSWER_LABELS, QUESTIONS, Answer
from safeguard.domestic_abuse.rules.marac import ROUTE_LABELS, Route
from safeguard.domestic_abuse.rules.triage import TriageStatus, is_open
from safeguard.encompass.selectors import resolved_school_urns
from safeguard.frontend.charts import BarChart, Series, bar_chart
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import form_data, show_domain_error
from safeguard.frontend.pages import conflict_message, form_page
from safeguard.people.models import Person
from safeguard.people.selectors import person_get, person_relationships

# The colour of the triage status tag on the incident page.
TRIAGE_TAG = {
    TriageStatus.AWAITING: "govuk-tag--yellow",
    TriageStatus.CLAIMED: "govuk-tag--blue",
    TriageStatus.DONE: "govuk-tag--green",
}


def _actor(request: ActorRequest, section: str = "da_triage") -> Actor:
    request.nav_section = section
    return request.actor


# Recording an incident -----------------------------------------------------------------------


def _household(victim: Person, today: date) -> tuple[list[Person], list[Person]]:
    """The adults and the children linked to the victim on record, each once, by name."""
    people: dict[int, Person] = {}
    for _, other in person_relationships(person=victim):
        if other.pk != victim.pk and other.merged_into_id is None:
            people[other.pk] = other
    ordered = sorted(people.values(), key=lambda p: (p.family_name, p.given_names, p.pk))
    children = [p for p in ordered if p.is_child(today)]
    return [p for p in ordered if not p.is_child(today)], children


def _incident_input(victim_id: int, form: forms.IncidentForm) -> services.IncidentInput:
    data = form.cleaned_data
    return services.IncidentInput(
        attended_at=data["attended_at"],
        place=data["place"],
        victim_id=victim_id,
        suspect_id=form.suspect_id(),
        relationship=data["relationship"],
        account=data["account"],
        children=tuple(
            services.ChildInput(
                child_id=child["id"],
                present=bool(child["present"]),
                related_to=child["related_to"],
                where=child["where"],
                school_urn=child["school_urn"],
                home_educated=bool(child["home_educated"]),
                spoken_to=bool(child["spoken_to"]),
                spoken_to_alone=bool(child["spoken_to_alone"]),
                child_said=child["child_said"],
                demeanour=child["demeanour"],
                not_spoken_reason=child["not_spoken_reason"],
            )
            for child in form.children()
        ),
    )


@requires(Permission.CASE_CREATE)
@require_http_methods(["GET", "POST"])
def record(request: ActorRequest) -> HttpResponse:
    """Record a police-attended incident, starting from the victim's record: the suspect and
    the children are offered from the victim's relationships, or found by record number."""
    actor = _actor(request)
    victim_id = request.GET.get("victim", "")
    if not victim_id.isdigit():
        return render(request, "domestic_abuse/record_choose_victim.html", {})
    victim = person_get(actor=actor, person_id=int(victim_id))
    adults, children = _household(victim, london_date(timezone.now()))
    form = forms.IncidentForm(
        form_data(request),
        adults=adults,
        children=children,
        initial={"attended_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                actor=actor, data=_incident_input(victim.pk, form), now=timezone.now()
            )
        except (DomainError, Conflict) as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"Incident recorded: {incident.case.reference}")
            return redirect("domestic_abuse:detail", incident_id=incident.pk)
    return render(
        request,
        "domestic_abuse/record.html",
        {"form": form, "victim": victim, "has_household": bool(adults or children)},
    )


# The incident page ---------------------------------------------------------------------------


def _visible_clocks(incident: Incident) -> list[tuple[Any, str, str]]:
    now = timezone.now()
    return [
        (clock, *clock.tag(now))
        for clock in clocks_for(object_type="case", object_id=incident.case_id, now=now)
        if clock.name.startswith("da.")
    ]


def _dash_answers(answers: dict[str, str]) -> list[tuple[int, str, str]]:
    return [
        (n, text, ANSWER_LABELS[Answer(answers[str(n)])] if str(n) in answers else "Not answered")
        for n, text in enumerate(QUESTIONS, start=1)
    ]


@requires(Permission.CASE_VIEW)
def detail(request: ActorRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    case = incident.case
    open_case = case.status != Status.CLOSED

    def can(permission: Permission) -> bool:
        return open_case and case_selectors.can_act_on(
            actor=actor, case=case, permission=permission
        )

    waiting = is_open(TriageStatus(incident.triage_status))
    can_work = can(Permission.CASE_WORK)
    dash = getattr(incident, "dash", None)
    marac = getattr(incident, "marac", None)
    # The school the Encompass desk found, where the officer was not told one.
    found = resolved_school_urns(incident_id=incident.pk)
    children = [
        (row, row.school_urn or found.get(row.child_id, ""))
        for row in incident.children.select_related("child").order_by("pk")
    ]
    return render(
        request,
        "domestic_abuse/detail.html",
        {
            "incident": incident,
            "case": case,
            "children": children,
            "triage_tag": TRIAGE_TAG[TriageStatus(incident.triage_status)],
            "dash": dash,
            "dash_answers": _dash_answers(dash.answers) if dash else [],
            "marac": marac,
            "marac_routes": [(ROUTE_LABELS[Route(r)], reason) for r, reason in marac.routes]
            if marac
            else [],
            "clocks": _visible_clocks(incident),
            "can_work": can_work,
            "can_dash": can_work and dash is None,
            "can_send_marac": can_work and marac is not None and marac.sent_at is None,
            "can_claim": can_work and waiting and incident.triage_owner_id is None,
            "can_complete": can_work and waiting and incident.triage_owner_id == actor.user_id,
            "can_assign": waiting and can(Permission.CASE_SUPERVISE),
        },
    )


@requires(Permission.CASE_VIEW)
def for_case(request: ActorRequest, case_id: int) -> HttpResponse:
    """From a domestic abuse case's page to its incident."""
    actor = _actor(request)
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    incident = selectors.incident_for_case(actor=actor, case_id=case.pk)
    if incident is None:
        raise Http404("This case has no domestic abuse incident.")
    return redirect("domestic_abuse:detail", incident_id=incident.pk)


# DASH and MARAC ------------------------------------------------------------------------------


def _workable(actor: Actor, incident_id: int, permission: Permission) -> Incident:
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    if not case_selectors.can_act_on(actor=actor, case=incident.case, permission=permission):
        raise PermissionDenied("You can see this incident but not change it.")
    return incident


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def dash(request: ActorRequest, incident_id: int) -> HttpResponse:
    """The DASH assessment. "Calculate score" shows the score and band without saving; "Save"
    records it, refusing a grade lower than the score makes it."""
    actor = _actor(request)
    incident = _workable(actor, incident_id, Permission.CASE_WORK)
    assessed = hasattr(incident, "dash")
    form = forms.DashForm(
        None if assessed else form_data(request), saving=request.POST.get("action") == "save"
    )
    calculation = None
    if not assessed and request.method == "POST" and form.is_valid():
        calculation = form.calculation()
        if request.POST.get("action") == "save":
            data = form.cleaned_data
            try:
                services.dash_record(
                    actor=actor,
                    incident_id=incident.pk,
                    data=services.DashInput(
                        answers=form.answers(),
                        grade=data["grade"],
                        rationale=data["rationale"],
                        judgement_referral=bool(data["judgement_referral"]),
                        judgement_reason=data["judgement_reason"],
                    ),
                    now=timezone.now(),
                )
            except (DomainError, Conflict) as error:
                show_domain_error(form, error)
            else:
                messages.success(request, "DASH risk assessment recorded")
                return redirect("domestic_abuse:detail", incident_id=incident.pk)
    return render(
        request,
        "domestic_abuse/dash.html",
        {"incident": incident, "form": form, "calculation": calculation, "assessed": assessed},
    )


def _post_action(
    request: ActorRequest,
    *,
    write: Callable[[Actor], object],
    success: str,
    back: str,
    conflict_on: Callable[[], tuple[str, int]] | None = None,
    read_version: int | None = None,
) -> HttpResponse:
    """A button that changes an incident: do it, say so, and go back to `back`. A stale one
    says who changed what (`conflict_on`: the audited record, read only then)."""
    actor = _actor(request)
    try:
        write(actor)
    except Conflict as error:
        if conflict_on is None:
            messages.error(request, error.message)
        else:
            object_type, object_id = conflict_on()
            messages.error(
                request,
                conflict_message(
                    actor,
                    error,
                    object_type=object_type,
                    object_id=object_id,
                    read_version=read_version,
                ),
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(back)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@requires(Permission.CASE_WORK)
@require_POST
def marac_send(request: ActorRequest, incident_id: int) -> HttpResponse:
    version = _version(request)

    def referral() -> tuple[str, int]:
        incident = selectors.incident_get(actor=request.actor, incident_id=incident_id)
        return "da_marac_referral", incident.marac.pk

    return _post_action(
        request,
        write=lambda actor: services.marac_send(
            actor=actor, incident_id=incident_id, version=version or 0, now=timezone.now()
        ),
        success="MARAC referral marked as sent",
        back=reverse("domestic_abuse:detail", kwargs={"incident_id": incident_id}),
        conflict_on=referral,
        read_version=version,
    )


# The triage queue ----------------------------------------------------------------------------


@requires(Permission.CASE_WORK)
def triage_queue(request: ActorRequest) -> HttpResponse:
    """Incidents awaiting secondary assessment: highest risk first, then the oldest."""
    actor = _actor(request)
    number = request.GET.get("page", "")
    now = timezone.now()
    queue = selectors.triage_queue(
        actor=actor, page=int(number) if number.isdigit() else 1, now=now
    )
    ids = [incident.pk for incident in queue.items]

    def reach(permission: Permission) -> set[int]:
        if not actor.can(permission):
            return set()
        visible = selectors.incidents_visible_to(actor, permission).filter(pk__in=ids)
        return set(visible.values_list("pk", flat=True))

    workable, supervisable = reach(Permission.CASE_WORK), reach(Permission.CASE_SUPERVISE)
    return render(
        request,
        "domestic_abuse/triage_queue.html",
        {
            "queue": queue,
            "rows": [
                (
                    incident,
                    incident.pk in workable and incident.triage_owner_id is None,
                    incident.pk in workable and incident.triage_owner_id == actor.user_id,
                    incident.pk in supervisable,
                    queue.triage_clocks.get(incident.pk),
                )
                for incident in queue.items
            ],
            "now": now,
            "previous_page": queue.page - 1 if queue.page > 1 else None,
            "next_page": queue.page + 1 if queue.page < queue.pages else None,
            "can_see_capacity": actor.can(Permission.DA_CAPACITY_VIEW),
        },
    )


@requires(Permission.CASE_WORK)
@require_POST
def triage_claim(request: ActorRequest, incident_id: int) -> HttpResponse:
    back = (
        reverse("domestic_abuse:detail", kwargs={"incident_id": incident_id})
        if request.POST.get("from") == "incident"
        else reverse("domestic_abuse:triage_queue")
    )
    return _post_action(
        request,
        write=lambda actor: services.triage_claim(
            actor=actor, incident_id=incident_id, now=timezone.now()
        ),
        success="You are assessing this incident",
        back=back,
    )


def _incident_form_page(
    request: ActorRequest,
    incident_id: int,
    *,
    permission: Permission,
    form: Callable[[Actor, Incident], Any],
    write: Callable[[Actor, Incident, dict[str, Any]], object],
    title: str,
    submit: str,
    success: str,
    intro: str = "",
) -> HttpResponse:
    """A page with one form that changes an incident's triage, back to the queue when done."""
    actor = _actor(request)
    incident = _workable(actor, incident_id, permission)
    return form_page(
        request,
        form(actor, incident),
        template="domestic_abuse/incident_form.html",
        context={"incident": incident, "title": title, "submit": submit, "intro": intro},
        write=lambda data: write(actor, incident, data),
        success=success,
        done_url=reverse("domestic_abuse:triage_queue"),
        conflict_on=("da_incident", incident.pk),
        read_version=incident.version,
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def triage_complete(request: ActorRequest, incident_id: int) -> HttpResponse:
    return _incident_form_page(
        request,
        incident_id,
        permission=Permission.CASE_WORK,
        form=lambda actor, incident: forms.TriageCompleteForm(
            form_data(request),
            initial={"grade": incident.risk_grade or None, "version": incident.version},
        ),
        write=lambda actor, incident, data: services.triage_complete(
            actor=actor,
            incident_id=incident.pk,
            version=data["version"],
            grade=data["grade"],
            notes=data["notes"],
            now=timezone.now(),
        ),
        title="Complete the secondary risk assessment",
        submit="Complete assessment",
        success="Secondary assessment recorded",
        intro="Review the DASH, the children and the history, then grade the risk.",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def triage_assign(request: ActorRequest, incident_id: int) -> HttpResponse:
    return _incident_form_page(
        request,
        incident_id,
        permission=Permission.CASE_SUPERVISE,
        form=lambda actor, incident: forms.TriageAssignForm(
            form_data(request),
            staff=case_selectors.case_assignable_staff(actor=actor, unit_id=incident.case.unit_id),
            initial={"user": incident.triage_owner_id},
        ),
        write=lambda actor, incident, data: services.triage_assign(
            actor=actor, incident_id=incident.pk, user_id=data["user"], now=timezone.now()
        ),
        title="Assign for secondary assessment",
        submit="Assign",
        success="Incident assigned",
        intro="Give the incident to a member of the triage unit. They see it as theirs in "
        "the queue.",
    )


# Capacity and the forecast -------------------------------------------------------------------


def _day_labels(days: list[date]) -> tuple[list[str], list[str]]:
    return [f"{d.day} {d:%b}" for d in days], [f"{d:%A} {d.day} {d:%B}" for d in days]


def _capacity_charts(capacity: selectors.Capacity) -> list[BarChart]:
    labels, long_labels = _day_labels(capacity.days)
    ahead = [d.day for d in capacity.forecast.days]
    ahead_labels, ahead_long = _day_labels(ahead)

    def chart(chart_id: str, title: str, labels: list[str], long: list[str], values: list) -> Any:
        return bar_chart(
            chart_id=chart_id,
            title=title,
            labels=labels,
            long_labels=long,
            series=[Series(title, "value", values)],
        )

    return [
        chart(
            "chart-arrivals",
            "Incidents arriving each day",
            labels,
            long_labels,
            [float(n) for n in capacity.arrivals],
        ),
        chart(
            "chart-completions",
            "Secondary assessments completed each day",
            labels,
            long_labels,
            [float(n) for n in capacity.completions],
        ),
        chart(
            "chart-forecast",
            "Expected backlog over the next 21 days",
            ahead_labels,
            ahead_long,
            [round(d.expected, 1) for d in capacity.forecast.days],
        ),
    ]


@requires(Permission.DA_CAPACITY_VIEW)
def triage_capacity(request: ActorRequest) -> HttpResponse:
    """Arrivals and completions per day, the backlog now, and where it is heading."""
    actor = _actor(request, "da_capacity")
    form = forms.CapacityForm(
        request.GET
        if "threshold" in request.GET
        else {"threshold": selectors.DEFAULT_BACKLOG_THRESHOLD}
    )
    capacity = (
        selectors.triage_capacity(
            actor=actor, now=timezone.now(), threshold=form.cleaned_data["threshold"]
        )
        if form.is_valid()
        else None
    )
    return render(
        request,
        "domestic_abuse/capacity.html",
        {
            "form": form,
            "capacity": capacity,
            "forecast": capacity.forecast if capacity else None,
            "today": capacity.days[-1] if capacity else None,
            "per_day": list(
                zip(capacity.days, capacity.arrivals, capacity.completions, strict=True)
            )
            if capacity
            else [],
            "charts": _capacity_charts(capacity) if capacity else [],
        },
    )


# The download of the triage queue (docs/exports.md): every waiting incident, in queue order.

TRIAGE_COLUMNS: list[Column[Incident]] = [
    Column("Reference", lambda i: i.case.reference),
    Column("Victim", lambda i: i.victim.full_name),
    Column("Attended", lambda i: i.attended_at),
    Column("DASH grade", lambda i: i.get_risk_grade_display() if i.risk_grade else "Not graded"),
    Column("Owner", lambda i: i.triage_owner.display_name if i.triage_owner else "Unclaimed"),
]


@requires(Permission.CASE_WORK)
def triage_queue_export(request: ActorRequest) -> HttpResponseBase:
    rows = selectors.triage_queue_rows(actor=_actor(request))
    return export_response(
        request,
        name="da_triage_queue",
        object_type="da_incident",
        columns=TRIAGE_COLUMNS,
        rows=rows.iterator(chunk_size=2000),
        count=rows.count(),
        title="Domestic abuse triage",
    )


# Force policy: the domestic abuse times ------------------------------------------------------

POLICY_FIELDS = list(da_policy.POLICY_RANGES)


@requires(Permission.POLICY_VIEW)
def policy(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    return render(
        request,
        "domestic_abuse/policy.html",
        {
            "setting": selectors.da_policy_get(actor=actor),
            "defaults": da_policy.DaPolicy(),
            "can_manage": actor.can(Permission.POLICY_MANAGE),
        },
    )


@requires(Permission.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def policy_edit(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    setting = selectors.da_policy_get(actor=actor)
    form = forms.DaPolicyForm(
        form_data(request),
        initial={name: getattr(setting, name) for name in POLICY_FIELDS}
        | {"version": setting.version},
    )
    return form_page(
        request,
        form,
        template="domestic_abuse/policy_edit.html",
        context={},
        write=lambda data: services.da_policy_update(
            actor=actor,
            version=data["version"],
            data=da_policy.DaPolicy(**{name: data[name] for name in POLICY_FIELDS}),
            now=timezone.now(),
        ),
        success="Domestic abuse times saved",
        done_url=reverse("domestic_abuse:policy"),
        conflict_on=("da_policy", setting.pk),
        read_version=setting.version,
    )
