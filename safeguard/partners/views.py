"""The schools directory pages (thin): search, a school with its key adults and term dates,
the GIAS import, a school's start time, and adding or removing key adults."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.errors import DomainError, NotFound
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.forms import form_data
from safeguard.frontend.pages import form_page
from safeguard.partners import forms, selectors, services
from safeguard.partners.models import School
from safeguard.partners.rules.gias import COLUMNS, URN_DIGITS


def _actor(request: ActorRequest) -> Actor:
    request.nav_section = "schools"
    return request.actor


def _school(urn: str) -> School:
    school = selectors.school_by_urn(urn)
    if school is None:
        raise NotFound()
    return school


@requires(Permission.SCHOOLS_VIEW)
def school_list(request: ActorRequest) -> HttpResponse:
    """The directory by name, searched by name, URN, postcode or local authority."""
    actor = _actor(request)
    form = forms.SchoolSearchForm(request.GET)
    search = selectors.SchoolSearch()
    if form.is_valid():
        search = selectors.SchoolSearch(form.cleaned_data["q"], form.cleaned_data["la"])
    try:
        page = selectors.school_search(actor=actor, search=search, after=request.GET.get("after"))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("partners:school_list")
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "partners/school_list.html",
        {
            "form": form,
            "page": page,
            "searched": not search.is_empty,
            "query": query.urlencode(),
            "directory_size": selectors.school_directory_size(),
            "can_manage": actor.can(Permission.SCHOOLS_MANAGE),
        },
    )


@requires(Permission.SCHOOLS_VIEW)
def school_detail(request: ActorRequest, urn: str) -> HttpResponse:
    actor = _actor(request)
    page = selectors.school_page(actor=actor, urn=urn, today=london_date(timezone.now()))
    return render(
        request,
        "partners/school_detail.html",
        {"page": page, "can_manage": actor.can(Permission.SCHOOLS_MANAGE)},
    )


@requires(Permission.SCHOOLS_MANAGE)
@require_http_methods(["GET", "POST"])
def school_import(request: ActorRequest) -> HttpResponse:
    """Upload a GIAS CSV; the answer is the report of what changed, or of every problem."""
    actor = _actor(request)
    form = forms.GiasUploadForm(form_data(request), request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.gias_import(
            actor=actor, content=form.cleaned_data["file"].read(), now=timezone.now()
        )
        if not report.accepted:
            form.add_error(
                "file",
                f"The file was not imported: it has {report.problem_count:,} "
                f"problem{'s' if report.problem_count != 1 else ''}, listed below",
            )
    return render(
        request,
        "partners/school_import.html",
        {
            "form": form,
            "report": report,
            "columns": list(COLUMNS.values()),
            "urn_digits": URN_DIGITS,
            "directory_size": selectors.school_directory_size(),
        },
    )


@requires(Permission.SCHOOLS_MANAGE)
@require_http_methods(["GET", "POST"])
def school_start_time(request: ActorRequest, urn: str) -> HttpResponse:
    actor = _actor(request)
    school = _school(urn)
    form = forms.StartTimeForm(form_data(request), initial={"day_starts_at": school.day_starts_at})
    return form_page(
        request,
        form,
        template="partners/school_start_time.html",
        context={"school": school},
        write=lambda data: services.school_start_time_set(
            actor=actor, urn=school.urn, day_starts_at=data["day_starts_at"], now=timezone.now()
        ),
        success="Start time saved",
        done_url=reverse("partners:school_detail", kwargs={"urn": school.urn}),
    )


@requires(Permission.SCHOOLS_MANAGE)
@require_http_methods(["GET", "POST"])
def key_adult_add(request: ActorRequest, urn: str) -> HttpResponse:
    actor = _actor(request)
    school = _school(urn)
    form = forms.KeyAdultForm(form_data(request))
    return form_page(
        request,
        form,
        template="partners/key_adult_add.html",
        context={"school": school},
        write=lambda data: services.key_adult_add(
            actor=actor,
            urn=school.urn,
            name=data["name"],
            role=data["role"],
            secure_email=data["secure_email"],
            username=data["username"],
            now=timezone.now(),
        ),
        success="Key adult added",
        done_url=reverse("partners:school_detail", kwargs={"urn": school.urn}),
    )


@requires(Permission.SCHOOLS_MANAGE)
@require_POST
def key_adult_deactivate(request: ActorRequest, key_adult_id: int) -> HttpResponse:
    """Stop sending this school's notifications to a key adult (kept for the record)."""
    actor = _actor(request)
    key_adult = services.key_adult_deactivate(
        actor=actor, key_adult_id=key_adult_id, now=timezone.now()
    )
    messages.success(request, f"{key_adult.name} will no longer be sent notifications")
    return redirect("partners:school_detail", urn=key_adult.school.urn)
