"""One missing episode's pages (thin): report, the episode page, and a page per step of the
response, each writing through one service."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.cases import selectors as case_selectors
from safeguard.cases.rules.lifecycle import is_closed
from safeguard.core.actor import Actor
from safeguard.core.clocks import clocks_for
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.forms import form_data, show_domain_error
from safeguard.frontend.pages import form_page
from safeguard.missing import forms, selectors, services
from safeguard.missing.models import Episode
from safeguard.missing.rules.grading import Grade
from safeguard.people.selectors import person_get


def _actor(request: ActorRequest) -> Actor:
    request.nav_section = "missing"
    return request.actor


def _upload(request: HttpRequest, name: str = "photo") -> bytes | None:
    upload = request.FILES.get(name)
    return upload.read() if upload is not None else None


def _report_input(child_id: int, data: dict[str, Any]) -> services.ReportInput:
    return services.ReportInput(
        child_id=child_id,
        source=data["source"],
        reported_at=data["reported_at"],
        reported_by=data["reported_by"],
        reporter_relationship=data["reporter_relationship"],
        last_seen_at=data["last_seen_at"],
        last_seen_place=data["last_seen_place"],
        circumstances=data["circumstances"],
        missing_from=data["missing_from"],
        placement_name=data["placement_name"],
        local_authority_id=data["local_authority"],
        description=data["description"],
        health_needs=data["health_needs"],
        medication=data["medication"],
        self_harm_risk=data["self_harm_risk"],
        urgent_health_need=data["urgent_health_need"],
        suspected_crime=data["suspected_crime"],
        out_of_character=data["out_of_character"],
        indicators=tuple(data["indicators"]),
        grade=data["grade"],
        grade_rationale=data["grade_rationale"],
    )


@requires(Permission.CASE_CREATE)
@require_http_methods(["GET", "POST"])
def report(request: ActorRequest) -> HttpResponse:
    """Report a child missing. "Suggest a grade" answers from the questions without saving;
    "Report missing" saves, refusing a lower-than-suggested grade from a non-supervisor."""
    actor = _actor(request)
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        return render(request, "missing/report_choose_child.html", {})
    child = person_get(actor=actor, person_id=int(person_id))
    form = forms.ReportForm(
        form_data(request),
        request.FILES or None,
        authorities=selectors.local_authorities(actor=actor),
        about_child=child,
        initial={"reported_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    suggestion = None
    if request.method == "POST" and form.is_valid():
        data = _report_input(child.pk, form.cleaned_data)
        try:
            suggestion = services.episode_suggest(actor=actor, data=data, now=timezone.now())
            if request.POST.get("action") == "save":
                episode = services.episode_report(
                    actor=actor,
                    data=replace(data, grade=data.grade or suggestion.grade.value),
                    now=timezone.now(),
                    photo=_upload(request),
                )
                messages.success(request, f"Reported missing: {episode.case.reference}")
                return redirect("missing:detail", episode_id=episode.pk)
        except (DomainError, Conflict) as error:
            show_domain_error(form, error)
    return render(
        request,
        "missing/report.html",
        {"form": form, "child": child, "suggestion": suggestion},
    )


def _visible_clocks(episode: Episode) -> list[tuple[Any, str, str]]:
    now = timezone.now()
    return [
        (clock, *clock.tag(now))
        for clock in clocks_for(object_type="case", object_id=episode.case_id, now=now)
        if clock.name.startswith("missing.")
    ]


@requires(Permission.CASE_VIEW)
def detail(request: ActorRequest, episode_id: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_get(actor=actor, episode_id=episode_id)
    case = episode.case

    def can(permission: Permission) -> bool:
        return case_selectors.can_act_on(actor=actor, case=case, permission=permission)

    open_case = not is_closed(case.status)
    missing = episode.is_missing
    interview = getattr(episode, "prevention_interview", None)
    return_interview = getattr(episode, "return_interview", None)
    return render(
        request,
        "missing/detail.html",
        {
            "episode": episode,
            "case": case,
            "clocks": _visible_clocks(episode),
            "gradings": episode.gradings.select_related("changed_by", "agreed_by"),
            "reviews": episode.reviews.select_related("reviewed_by"),
            "triggers": episode.triggers.select_related("raised_case"),
            "plan": case.actions.select_related("owner"),
            "has_photo": episode.photos.exists(),
            "interview": interview,
            "return_interview": return_interview,
            "indicators": [
                label for value, label in forms.INDICATOR_CHOICES if value in episode.indicators
            ],
            "can_work": open_case and can(Permission.CASE_WORK),
            "can_supervise": open_case and missing and can(Permission.CASE_SUPERVISE),
            "missing": missing,
            "can_acknowledge": open_case
            and actor.can(Permission.DUTY_VIEW)
            and episode.inspector_informed_at is None
            and episode.gradings.filter(grade=Grade.HIGH).exists(),
        },
    )


@requires(Permission.CASE_VIEW)
def for_case(request: ActorRequest, case_id: int) -> HttpResponse:
    """From a missing case's page to its episode."""
    actor = _actor(request)
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    episode = selectors.episode_for_case(actor=actor, case_id=case.pk)
    if episode is None:
        raise Http404("This case has no missing episode.")
    return redirect("missing:detail", episode_id=episode.pk)


@requires(Permission.CASE_VIEW)
def photo(request: ActorRequest, episode_id: int) -> HttpResponse:
    image = selectors.episode_photo(actor=_actor(request), episode_id=episode_id)
    response = HttpResponse(bytes(image.data), content_type=image.content_type)
    response["Content-Disposition"] = "inline"
    return response


def _episode_form_page(
    request: ActorRequest,
    episode_id: int,
    *,
    form_class: type,
    title: str,
    submit: str,
    write: Callable[[Actor, Episode, dict[str, Any]], object],
    success: str,
    permission: Permission = Permission.CASE_WORK,
    initial: Callable[[Episode], dict[str, Any]] | None = None,
    form_kwargs: Callable[[Actor, Episode], dict[str, Any]] | None = None,
    intro: str = "",
) -> HttpResponse:
    """A page with one form that changes an episode: GET shows it, POST writes via a service."""
    actor = _actor(request)
    episode = selectors.episode_get(actor=actor, episode_id=episode_id)
    if not case_selectors.can_act_on(actor=actor, case=episode.case, permission=permission):
        raise PermissionDenied("You can see this episode but not change it.")
    extra = form_kwargs(actor, episode) if form_kwargs else {}
    form = form_class(
        form_data(request),
        request.FILES or None,
        initial=initial(episode) if initial else None,
        about_child=episode.child,
        **extra,
    )
    return form_page(
        request,
        form,
        template="missing/episode_form.html",
        context={"episode": episode, "title": title, "submit": submit, "intro": intro},
        write=lambda data: write(actor, episode, data),
        success=success,
        done_url=reverse("missing:detail", kwargs={"episode_id": episode.pk}),
        conflict_on=("missing_episode", episode.pk),
        read_version=episode.version,
    )


def _now_initial(field: str) -> Callable[[Episode], dict[str, Any]]:
    return lambda episode: {
        field: timezone.localtime().replace(second=0, microsecond=0),
        "version": episode.version,
    }


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def photo_add(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.PhotoForm,
        title="Add a photo",
        submit="Upload photo",
        write=lambda actor, episode, data: services.photo_add(
            actor=actor, episode_id=episode.pk, content=data["photo"].read(), now=timezone.now()
        ),
        success="Photo added",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def regrade(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.GradeForm,
        title="Change the risk grade",
        submit="Change grade",
        intro=forms.GRADE_HELP,
        initial=lambda episode: {"grade": episode.grade, "version": episode.version},
        write=lambda actor, episode, data: services.episode_regrade(
            actor=actor,
            episode_id=episode.pk,
            version=data["version"],
            grade=data["grade"],
            rationale=data["rationale"],
            now=timezone.now(),
        ),
        success="Risk grade changed",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def supervisor_review(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        permission=Permission.CASE_SUPERVISE,
        form_class=forms.GradeForm,
        title="Review the risk grade",
        submit="Record review",
        intro="Confirm the grade or change it, higher or lower, with your rationale.",
        initial=lambda episode: {"grade": episode.grade, "version": episode.version},
        write=lambda actor, episode, data: services.episode_supervisor_review(
            actor=actor,
            episode_id=episode.pk,
            version=data["version"],
            grade=data["grade"],
            rationale=data["rationale"],
            now=timezone.now(),
        ),
        success="Review recorded",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def attended(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.AttendedForm,
        title="Record first attendance",
        submit="Record attendance",
        initial=_now_initial("attended_at"),
        write=lambda actor, episode, data: services.episode_attended(
            actor=actor,
            episode_id=episode.pk,
            version=data["version"],
            attended_at=data["attended_at"],
            now=timezone.now(),
        ),
        success="First attendance recorded",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def risk_review(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.RiskReviewForm,
        title="Record a risk review",
        submit="Record review",
        intro="Record each piece of information, its source and when it was obtained.",
        write=lambda actor, episode, data: services.episode_risk_review(
            actor=actor, episode_id=episode.pk, note=data["note"], now=timezone.now()
        ),
        success="Risk review recorded",
    )


@requires(Permission.DUTY_VIEW)
@require_POST
def acknowledge(request: ActorRequest, episode_id: int) -> HttpResponse:
    """The duty inspector records that they know of a high-risk episode."""
    actor = _actor(request)
    try:
        services.episode_inspector_acknowledge(
            actor=actor, episode_id=episode_id, now=timezone.now()
        )
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
        return redirect("missing:detail", episode_id=episode_id)
    messages.success(request, "You are recorded as informed")
    if request.POST.get("from") == "board":
        return redirect("missing:board")
    return redirect("missing:detail", episode_id=episode_id)


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def plan_add(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        permission=Permission.CASE_SUPERVISE,
        form_class=forms.PlanForm,
        title="Add to the investigation plan",
        submit="Add to plan",
        intro="Each item becomes an action on the case, with its owner and due date.",
        form_kwargs=lambda actor, episode: {
            "owners": case_selectors.case_assignable_staff(
                actor=actor, unit_id=episode.case.unit_id
            )
        },
        write=lambda actor, episode, data: services.episode_plan_add(
            actor=actor,
            episode_id=episode.pk,
            kind=data["kind"],
            detail=data["detail"],
            owner_id=data["owner"],
            due_on=data["due_on"],
            now=timezone.now(),
        ),
        success="Added to the plan",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def found(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.FoundForm,
        title="Record that the child is found or has returned",
        submit="Record found",
        intro="The return home interview then becomes a task for the local authority, due "
        "within 72 hours.",
        initial=_now_initial("found_at"),
        write=lambda actor, episode, data: services.episode_found(
            actor=actor,
            episode_id=episode.pk,
            version=data["version"],
            found_at=data["found_at"],
            found_place=data["found_place"],
            found_by=data["found_by"],
            condition=data["condition"],
            now=timezone.now(),
        ),
        success="Recorded as found",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def prevention(request: ActorRequest, episode_id: int) -> HttpResponse:
    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.PreventionForm,
        title="Record the prevention interview",
        submit="Record interview",
        intro="The safe and well check: harm suffered, offences, why the child went, and any "
        "sign of exploitation.",
        initial=_now_initial("conducted_at"),
        write=lambda actor, episode, data: services.prevention_interview_record(
            actor=actor,
            episode_id=episode.pk,
            data=services.PreventionInput(
                conducted_at=data["conducted_at"],
                spoken_to_alone=data["spoken_to_alone"],
                harm_suffered=data["harm_suffered"],
                offences=data["offences"],
                why_went=data["why_went"],
                indicators=tuple(data["indicators"]),
                notes=data["notes"],
            ),
            now=timezone.now(),
        ),
        success="Prevention interview recorded",
    )


@requires(Permission.CASE_WORK)
@require_http_methods(["GET", "POST"])
def interview_on_behalf(request: ActorRequest, episode_id: int) -> HttpResponse:
    """The police record the return home interview for the local authority."""

    def task_of(episode: Episode) -> Any:
        task = getattr(episode, "return_interview", None)
        if task is None:
            raise DomainError("invalid", "Record that the child was found first")
        return task

    return _episode_form_page(
        request,
        episode_id,
        form_class=forms.ReturnInterviewForm,
        title="Record the return home interview for the local authority",
        submit="Record interview",
        intro="Use this when the local authority has told you the outcome.",
        initial=lambda episode: {
            "version": task.version if (task := getattr(episode, "return_interview", None)) else 0
        },
        write=lambda actor, episode, data: services.return_interview_record(
            actor=actor,
            interview_id=task_of(episode).pk,
            version=data["version"],
            data=services.ReturnInterviewInput(
                offered_at=data["offered_at"],
                outcome=data["outcome"],
                interview_at=data["interview_at"],
                interviewer=data["interviewer"],
                summary=data["summary"],
            ),
            now=timezone.now(),
        ),
        success="Return home interview recorded",
    )
