"""Case pages (thin): list, record a case for a child, the case page and its record-keeping."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.cases import forms, selectors, services
from safeguard.cases.models import Case, Involvement
from safeguard.cases.rules.lifecycle import STATUS_LABELS, Status, allowed_transitions
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.clocks import clocks_for
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import form_data, show_domain_error
from safeguard.frontend.pages import form_page
from safeguard.frontend.printing import pdf_response
from safeguard.people.forms import MergeForm, duplicate_choice_missing, person_input
from safeguard.people.selectors import PersonSearch, person_duplicates, person_get, person_search
from safeguard.people.services import PossibleDuplicates

NAV = "cases"


def _actor(request: ActorRequest) -> Actor:
    request.nav_section = NAV
    return request.actor


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


@requires(Permission.CASE_VIEW)
def case_list(request: ActorRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.CaseFilterForm(
        request.GET or None,
        units=selectors.units_for_filters(actor=actor),
        owners=selectors.case_assignable_staff(actor=actor),
        statuses=[(s.value, STATUS_LABELS[s]) for s in Status],
    )
    filters = selectors.CaseFilters()
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        if reference:
            found = selectors.case_find_by_reference(actor=actor, reference=reference)
            if found is not None:
                return redirect("cases:case_detail", case_id=found.pk)
            form.add_error("reference", "No case you can see has that reference")
        filters = selectors.CaseFilters(
            case_type=form.cleaned_data["case_type"],
            status=form.cleaned_data["status"],
            risk_grade=form.cleaned_data["risk_grade"],
            unit_id=form.cleaned_data["unit"],
            owner_id=form.cleaned_data["owner"],
            overdue=form.cleaned_data["overdue"],
            sort=form.cleaned_data["sort"] or "newest",
        )
    try:
        page = selectors.case_list_visible_to(
            actor=actor, filters=filters, now=timezone.now(), after=request.GET.get("after")
        )
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
        return redirect("cases:case_list")
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "can_create": actor.can(Permission.CASE_CREATE),
            "sort_label": selectors.SORT_LABELS.get(filters.sort, selectors.SORT_LABELS["newest"]),
        },
    )


# ---------------------------------------------------------------------------------------------
# A new case for a child, through the duplicate check
# ---------------------------------------------------------------------------------------------


@requires(Permission.CASE_CREATE)
@require_http_methods(["GET", "POST"])
def case_create(request: ActorRequest) -> HttpResponse:
    actor = _actor(request)
    units = selectors.units_for_new_case(actor=actor)
    initial: dict[str, Any] = {"received_at": timezone.localtime().replace(second=0, microsecond=0)}
    own = [unit.pk for unit in units if unit.pk in actor.unit_ids]
    if own:
        initial["unit"] = own[0]
    form = forms.NewCaseForm(form_data(request), units=units, initial=initial)
    candidates = []
    choice_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            child_id = data["existing_child"]
            if request.POST.get("choice") == "new":
                child_id = None
                data["confirm_new"] = True
            elif request.POST.get("choice", "").isdigit():
                child_id = int(request.POST["choice"])
            case = services.create_case_for_child(
                actor=actor,
                child_id=child_id,
                child=person_input(data),
                confirm_new=data["confirm_new"],
                case=services.CaseInput(
                    case_type=data["case_type"],
                    source=data["source"],
                    risk_grade=data["risk_grade"],
                    risk_rationale=data["risk_rationale"],
                    received_at=data["received_at"],
                    unit_id=data["unit"],
                    summary=data["summary"],
                ),
                now=now,
            )
        except PossibleDuplicates as duplicates:
            candidates = duplicates.candidates
            choice_error = duplicate_choice_missing(request, form)
        except (DomainError, Conflict) as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"Case {case.reference} recorded")
            return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "cases/case_create.html",
        {"form": form, "candidates": candidates, "choice_error": choice_error},
    )


# ---------------------------------------------------------------------------------------------
# The case page
# ---------------------------------------------------------------------------------------------


@requires(Permission.CASE_VIEW)
def case_detail(request: ActorRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    involvements = selectors.case_involvements(case=case)
    decisions = list(case.decisions.select_related("decided_by", "superseded_by"))
    timeline = selectors.case_timeline(case=case, size=10)
    can_work = actor.can(Permission.CASE_WORK) and selectors.can_act_on(
        actor=actor, case=case, permission=Permission.CASE_WORK
    )
    can_supervise = actor.can(Permission.CASE_SUPERVISE) and selectors.can_act_on(
        actor=actor, case=case, permission=Permission.CASE_SUPERVISE
    )
    transitions = {str(t) for t in allowed_transitions(case.status_enum)}
    now = timezone.now()
    clocks = [
        (clock, *clock.tag(now))
        for clock in clocks_for(object_type="case", object_id=case.pk, now=now)
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "children": [i for i in involvements if i.role in Involvement.CHILD_ROLES],
            "adults": [i for i in involvements if i.role not in Involvement.CHILD_ROLES],
            "decisions": decisions,
            "voices": list(case.voices.select_related("child", "recorded_by")),
            "actions": list(case.actions.select_related("owner")),
            "notes": list(case.notes.select_related("author")[:20]),
            "reviews": list(case.reviews.select_related("reviewer")),
            "events": timeline.items,
            "clocks": clocks,
            "can_work": can_work and case.status != Status.CLOSED,
            "can_supervise": can_supervise,
            "transitions": transitions,
            "now": now,
            "today": london_date(now),
            "review_overdue": case.next_review_due_at is not None and case.next_review_due_at < now,
        },
    )


@requires(Permission.CASE_VIEW)
def case_timeline(request: ActorRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    try:
        page = selectors.case_timeline(case=case, after=request.GET.get("after"))
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
        return redirect("cases:case_timeline", case_id=case.pk)
    return render(request, "cases/case_timeline.html", {"case": case, "page": page})


def case_form_page(
    request: ActorRequest,
    case_id: int,
    *,
    form_class: type,
    title: str,
    submit: str,
    write: Callable[[Actor, Case, dict[str, Any]], object],
    success: str,
    form_kwargs: Callable[[Actor, Case], dict[str, Any]] | None = None,
    initial: Callable[[Case], dict[str, Any]] | None = None,
    intro: str = "",
    permission: Permission = Permission.CASE_WORK,
) -> HttpResponse:
    """A page with one form that changes a case (its work, or its supervision with
    CASE_SUPERVISE): GET shows it, POST writes through a service."""
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    if not selectors.can_act_on(actor=actor, case=case, permission=permission):
        raise PermissionDenied("You can see this case but not change it.")
    extra = form_kwargs(actor, case) if form_kwargs else {}
    form = form_class(form_data(request), initial=initial(case) if initial else None, **extra)
    return form_page(
        request,
        form,
        template="cases/case_form.html",
        context={"case": case, "title": title, "submit": submit, "intro": intro},
        write=lambda data: write(actor, case, data),
        success=success,
        done_url=reverse("cases:case_detail", kwargs={"case_id": case.pk}),
        conflict_on=("case", case.pk),
        read_version=case.version,
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def case_edit(request: ActorRequest, case_id: int) -> HttpResponse:
    return case_form_page(
        request,
        case_id,
        form_class=forms.CaseEditForm,
        title="Change case details",
        submit="Save changes",
        initial=lambda case: {
            "case_type": case.case_type,
            "risk_grade": case.risk_grade,
            "risk_rationale": case.risk_rationale,
            "summary": case.summary,
            "version": case.version,
        },
        write=lambda actor, case, data: services.case_update(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            changes={k: data[k] for k in services.EDITABLE},
            now=timezone.now(),
        ),
        success="Case details saved",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def decision_new(request: ActorRequest, case_id: int) -> HttpResponse:
    supersedes = request.GET.get("supersedes", "")
    return case_form_page(
        request,
        case_id,
        form_class=forms.DecisionForm,
        title="Supersede a decision" if supersedes.isdigit() else "Record a decision",
        submit="Record decision",
        intro=(
            "Decisions are never edited. This new decision will replace the earlier one, "
            "which stays on the record."
            if supersedes.isdigit()
            else "Say what was decided and why. A decision cannot be edited later."
        ),
        initial=lambda case: {"supersedes": int(supersedes) if supersedes.isdigit() else None},
        write=lambda actor, case, data: services.decision_record(
            actor=actor,
            case_id=case.pk,
            decision=data["decision"],
            rationale=data["rationale"],
            supersedes_id=data["supersedes"],
            now=timezone.now(),
        ),
        success="Decision recorded",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def note_new(request: ActorRequest, case_id: int) -> HttpResponse:
    return case_form_page(
        request,
        case_id,
        form_class=forms.NoteForm,
        title="Add a note",
        submit="Add note",
        write=lambda actor, case, data: services.note_add(
            actor=actor, case_id=case.pk, text=data["text"], now=timezone.now()
        ),
        success="Note added",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def action_new(request: ActorRequest, case_id: int) -> HttpResponse:
    return case_form_page(
        request,
        case_id,
        form_class=forms.ActionForm,
        title="Set an action",
        submit="Set action",
        form_kwargs=lambda actor, case: {
            "owners": selectors.case_assignable_staff(actor=actor, unit_id=case.unit_id)
        },
        initial=lambda case: {"owner": case.owner_id},
        write=lambda actor, case, data: services.action_add(
            actor=actor,
            case_id=case.pk,
            title=data["title"],
            owner_id=data["owner"],
            due_on=data["due_on"],
            now=timezone.now(),
        ),
        success="Action set",
    )


@requires(Permission.CASE_WORK)
@require_POST
def action_complete(request: ActorRequest, case_id: int, action_id: int) -> HttpResponse:
    actor = _actor(request)
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page was out of date. Try again.")
        return redirect("cases:case_detail", case_id=case_id)
    try:
        services.action_complete(
            actor=actor,
            case_id=case_id,
            action_id=action_id,
            version=form.cleaned_data["version"],
            now=timezone.now(),
        )
        messages.success(request, "Action marked complete")
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
    return redirect("cases:case_detail", case_id=case_id)


def _children(case: Case) -> list[Any]:
    return [
        i.person
        for i in case.involvements.select_related("person").filter(role__in=Involvement.CHILD_ROLES)
    ]


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def voice_new(request: ActorRequest, case_id: int) -> HttpResponse:
    return case_form_page(
        request,
        case_id,
        form_class=forms.VoiceForm,
        title="Record the voice of the child",
        submit="Save",
        intro="Was the child seen and heard? Record what they said and how they seemed, "
        "or why they were not seen or spoken to.",
        form_kwargs=lambda actor, case: {"children": _children(case)},
        write=lambda actor, case, data: services.voice_record(
            actor=actor,
            case_id=case.pk,
            child_id=data["child"],
            voice=VoiceInput(
                seen=data["seen"],
                seen_at=data["seen_at"],
                spoken_to=data["spoken_to"],
                spoken_to_alone=bool(data["spoken_to_alone"]),
                child_said=data["child_said"],
                demeanour=data["demeanour"],
                not_seen_reason=data["not_seen_reason"],
            ),
            now=timezone.now(),
        ),
        success="Voice of the child recorded",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def request_closure(request: ActorRequest, case_id: int) -> HttpResponse:
    return case_form_page(
        request,
        case_id,
        form_class=forms.ReasonForm,
        title="Ask a supervisor to close this case",
        submit="Request closure",
        intro="A supervisor who did not investigate the case reviews it and approves closure.",
        initial=lambda case: {"version": case.version},
        write=lambda actor, case, data: services.case_request_closure(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            reason=data["reason"],
            now=timezone.now(),
        ),
        success="Closure requested. A supervisor will review the case.",
    )


def _transition(request: ActorRequest, case_id: int, service: Any, success: str) -> HttpResponse:
    actor = _actor(request)
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page was out of date. Try again.")
        return redirect("cases:case_detail", case_id=case_id)
    try:
        service(
            actor=actor, case_id=case_id, version=form.cleaned_data["version"], now=timezone.now()
        )
        messages.success(request, success)
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
    return redirect("cases:case_detail", case_id=case_id)


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def case_triage(request: ActorRequest, case_id: int) -> HttpResponse:
    """Mark as triaged: the referral decision and its reason, not a click."""
    return case_form_page(
        request,
        case_id,
        form_class=forms.TriageForm,
        title="Triage the referral",
        submit="Record decision and mark as triaged",
        intro="Record the referral decision and why. It is kept on the case and its timeline, "
        "and cannot be edited later.",
        initial=lambda case: {"version": case.version},
        write=lambda actor, case, data: services.case_triage(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            decision=data["decision"] or "",
            reason=data["reason"],
            now=timezone.now(),
        ),
        success="Case triaged",
    )


@requires(Permission.CASE_WORK)
@require_POST
def case_start_investigation(request: ActorRequest, case_id: int) -> HttpResponse:
    return _transition(request, case_id, services.case_start_investigation, "Investigation started")


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def case_add_person(request: ActorRequest, case_id: int) -> HttpResponse:
    """Find a person already recorded and add them to the case in a role."""
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    form = forms.AddPersonForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_add_person(
                actor=actor,
                case_id=case.pk,
                person_id=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                now=timezone.now(),
            )
        except (DomainError, Conflict) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Person added to the case")
            return redirect("cases:case_detail", case_id=case.pk)
    name = request.GET.get("name", "").strip()
    found = person_search(actor=actor, search=PersonSearch(name=name)) if name else []
    return render(
        request,
        "cases/case_add_person.html",
        {
            "case": case,
            "name": name,
            "found": found,
            "roles": Involvement.Role.choices,
            "new_person_url": reverse("people:person_new"),
        },
    )


@requires(Permission.PERSON_VIEW)
def child_chronology(request: ActorRequest, person_id: int) -> HttpResponse:
    """The child's chronology: every event of every case they are part of, newest first."""
    request.nav_section = "people"
    actor = request.actor
    try:
        chronology = selectors.child_chronology(
            actor=actor, person_id=person_id, after=request.GET.get("after")
        )
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
        return redirect("cases:child_chronology", person_id=person_id)
    return render(request, "cases/child_chronology.html", {"chronology": chronology})


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_merge(request: ActorRequest, person_id: int) -> HttpResponse:
    """Merge another record of the same person into this one, after seeing both: the people
    records and the case records naming the merged one (`person_merge_with_cases`)."""
    request.nav_section = "people"
    actor = request.actor
    keep = person_get(actor=actor, person_id=person_id, audit=False)
    form = MergeForm(form_data(request), initial={"keep_version": keep.version})
    other = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            other = person_get(actor=actor, person_id=data["merge_id"])
            if data["merge_version"] is not None and request.POST.get("confirm") == "yes":
                services.person_merge_with_cases(
                    actor=actor,
                    keep_id=keep.pk,
                    merge_id=other.pk,
                    keep_version=data["keep_version"],
                    merge_version=data["merge_version"],
                    now=timezone.now(),
                )
                messages.success(request, f"Record {other.pk} merged into this one")
                return redirect("people:person_detail", person_id=keep.pk)
        except NotFound:
            form.add_error("merge_id", "No person in this force has that record number")
            other = None
        except (DomainError, Conflict) as error:
            show_domain_error(form, error)
    duplicates = person_duplicates(
        actor=actor,
        given_names=keep.given_names,
        family_name=keep.family_name,
        date_of_birth=keep.date_of_birth,
    )
    return render(
        request,
        "cases/person_merge.html",
        {
            "person": keep,
            "form": form,
            "other": other,
            "duplicates": [d for d in duplicates if d.person.pk != keep.pk],
        },
    )


# ---------------------------------------------------------------------------------------------
# Print and export (docs/exports.md)
# ---------------------------------------------------------------------------------------------

CASE_COLUMNS: list[Column[Case]] = [
    Column("Reference", lambda c: c.reference),
    Column("Type", lambda c: c.get_case_type_display()),
    Column("Status", lambda c: c.get_status_display()),
    Column("Risk grade", lambda c: c.get_risk_grade_display()),
    Column("Received", lambda c: c.received_at),
    Column("Unit", lambda c: c.unit.name),
    Column("Owner", lambda c: c.owner.display_name if c.owner else "Not allocated"),
    Column("Next review due", lambda c: c.next_review_due_at),
]


@requires(Permission.CASE_VIEW)
def case_list_export(request: ActorRequest) -> HttpResponseBase:
    """The case list as CSV or XLSX: every row its filters select, not just the page."""
    actor = _actor(request)
    form = forms.CaseFilterForm(
        request.GET or None,
        units=selectors.units_for_filters(actor=actor),
        owners=selectors.case_assignable_staff(actor=actor),
        statuses=[(s.value, STATUS_LABELS[s]) for s in Status],
    )
    filters = selectors.CaseFilters()
    if form.is_valid():
        filters = selectors.CaseFilters(
            case_type=form.cleaned_data["case_type"],
            status=form.cleaned_data["status"],
            risk_grade=form.cleaned_data["risk_grade"],
            unit_id=form.cleaned_data["unit"],
            owner_id=form.cleaned_data["owner"],
            overdue=form.cleaned_data["overdue"],
            sort=form.cleaned_data["sort"] or "newest",
        )
    rows = selectors.case_list_rows(actor=actor, filters=filters, now=timezone.now())
    return export_response(
        request,
        name="cases",
        object_type="case",
        columns=CASE_COLUMNS,
        rows=rows.iterator(chunk_size=2000),
        count=rows.count(),
        title="Cases",
    )


def _by(names: dict[str, str], username: str) -> str:
    return names.get(username, username)


@dataclass(frozen=True)
class PrintedEvent:
    at: Any
    title: str
    description: str
    by: str
    case_reference: str = ""
    about: str = ""


@requires(Permission.CASE_VIEW)
def case_summary_pdf(request: ActorRequest, case_id: int) -> HttpResponse:
    """The case summary on paper, for a strategy meeting or court."""
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    today = london_date(timezone.now())
    involvements = selectors.case_involvements(case=case)
    children = [
        {"person": i.person, "role": i.get_role_display(), "age": i.person.age(today)}
        for i in involvements
        if i.role in Involvement.CHILD_ROLES
    ]
    adults = [
        {"person": i.person, "role": i.get_role_display()}
        for i in involvements
        if i.role not in Involvement.CHILD_ROLES
    ]
    return pdf_response(
        request,
        template="cases/print/case_summary.html",
        context={
            "case": case,
            "children": children,
            "adults": adults,
            "decisions": list(case.decisions.select_related("decided_by", "superseded_by")),
            "voices": list(case.voices.select_related("child", "recorded_by")),
            "actions": list(case.actions.select_related("owner")),
            "notes": list(case.notes.select_related("author")),
            "reviews": list(case.reviews.select_related("reviewer")),
        },
        title="Case summary",
        reference=case.reference,
        subject=selectors.case_subject_label(case=case, today=today),
        object_type="case",
        object_id=case.pk,
        filename=f"{case.reference}-summary.pdf",
    )


@requires(Permission.CASE_VIEW)
def case_timeline_pdf(request: ActorRequest, case_id: int) -> HttpResponse:
    """The case's timeline on paper, oldest first, as a chronology is read in court."""
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    page = selectors.case_timeline(case=case, size=selectors.PRINT_LIMIT)
    names = selectors.staff_names(actor=actor, usernames={e.actor_username for e in page.items})
    entries = [
        PrintedEvent(e.at, e.title, e.description, _by(names, e.actor_username))
        for e in reversed(page.items)
    ]
    return pdf_response(
        request,
        template="cases/print/chronology.html",
        context={
            "entries": entries,
            "truncated": page.next_cursor is not None,
            "intro": "Everything that happened on this case, oldest first.",
        },
        title="Case chronology",
        reference=case.reference,
        subject=selectors.case_subject_label(case=case, today=london_date(timezone.now())),
        object_type="case",
        object_id=case.pk,
        filename=f"{case.reference}-chronology.pdf",
    )


@requires(Permission.PERSON_VIEW)
def child_chronology_pdf(request: ActorRequest, person_id: int) -> HttpResponse:
    """A child's chronology on paper, oldest first: the same events as their page."""
    request.nav_section = "people"
    actor = request.actor
    chronology = selectors.child_chronology(
        actor=actor, person_id=person_id, size=selectors.PRINT_LIMIT
    )
    person = chronology.person
    names = selectors.staff_names(
        actor=actor, usernames={e.event.actor_username for e in chronology.entries}
    )
    entries = [
        PrintedEvent(
            e.event.at,
            e.event.title,
            e.event.description,
            _by(names, e.event.actor_username),
            e.case_reference,
            e.about,
        )
        for e in reversed(chronology.entries)
    ]
    age = person.age(london_date(timezone.now()))
    return pdf_response(
        request,
        template="cases/print/chronology.html",
        context={
            "entries": entries,
            "truncated": chronology.page.next_cursor is not None,
            "intro": (
                "What is recorded about this child, and what happened on each of their cases, "
                "oldest first."
            ),
        },
        title="Chronology",
        reference=f"Person record {person.pk}",
        subject=person.full_name + (f" ({age})" if age is not None else ""),
        object_type="person",
        object_id=person.pk,
        filename=f"chronology-{person.pk}.pdf",
    )
