"""Supervision pages (thin): allocate, review, approve closure, return, reopen; reviews due;
and the force's review intervals."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguard.cases import selectors as case_selectors
from safeguard.cases.forms import ReasonForm
from safeguard.cases.models import Case
from safeguard.core.actor import Actor
from safeguard.core.errors import Conflict, DomainError, PermissionDenied
from safeguard.core.permissions import Permission
from safeguard.core.views import requires
from safeguard.frontend.forms import form_data, show_domain_error
from safeguard.supervision import forms, rules, selectors, services


def _actor(request: HttpRequest, section: str = "supervision") -> Actor:
    request.nav_section = section  # type: ignore[attr-defined]
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _supervise_page(
    request: HttpRequest,
    case_id: int,
    *,
    form_class: type,
    title: str,
    submit: str,
    write: Callable[[Actor, Case, dict[str, Any]], object],
    success: str,
    intro: str = "",
    form_kwargs: Callable[[Actor, Case], dict[str, Any]] | None = None,
    with_version: bool = True,
) -> HttpResponse:
    actor = _actor(request, "cases")
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    if not case_selectors.can_act_on(actor=actor, case=case, permission=Permission.CASE_SUPERVISE):
        raise PermissionDenied("You can see this case but not supervise it.")
    extra = form_kwargs(actor, case) if form_kwargs else {}
    initial = {"version": case.version} if with_version else None
    form = form_class(form_data(request), initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            write(actor, case, form.cleaned_data)
        except Conflict:
            form.add_error(
                None,
                "Somebody changed this case after you opened it. "
                "Check the case page for their changes, then try again.",
            )
        except DomainError as error:
            if error.status == 404:
                raise
            show_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"case": case, "form": form, "title": title, "submit": submit, "intro": intro},
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=forms.AllocateForm,
        title="Allocate the case",
        submit="Allocate",
        intro="The first supervisory review falls due from the time of allocation.",
        form_kwargs=lambda actor, case: {
            "owners": case_selectors.case_assignable_staff(actor=actor, unit_id=case.unit_id)
        },
        write=lambda actor, case, data: services.case_allocate(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            owner_id=data["owner"],
            now=timezone.now(),
        ),
        success="Case allocated",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=forms.ReviewForm,
        title="Record a supervisory review",
        submit="Record review",
        with_version=False,
        write=lambda actor, case, data: services.review_record(
            actor=actor,
            case_id=case.pk,
            findings=data["findings"],
            direction=data["direction"],
            next_review_on=data["next_review_on"],
            now=timezone.now(),
        ),
        success="Review recorded",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def closure_approve(request: HttpRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=forms.ClosureForm,
        title="Review and approve closure",
        submit="Approve closure",
        intro="Closing needs the voice of every subject child on the record, and a supervisor "
        "who did not investigate the case.",
        write=lambda actor, case, data: services.closure_approve(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            findings=data["findings"],
            direction=data["direction"],
            now=timezone.now(),
        ),
        success="Closure approved. The case is closed.",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def return_for_work(request: HttpRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=ReasonForm,
        title="Return the case for more work",
        submit="Return the case",
        write=lambda actor, case, data: services.case_return_for_work(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            reason=data["reason"],
            now=timezone.now(),
        ),
        success="Case returned to the investigator",
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=ReasonForm,
        title="Reopen the case",
        submit="Reopen",
        write=lambda actor, case, data: services.case_reopen(
            actor=actor,
            case_id=case.pk,
            version=data["version"],
            reason=data["reason"],
            now=timezone.now(),
        ),
        success="Case reopened",
    )


@requires(Permission.CASE_SUPERVISE)
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Cases in the supervisor's reach whose review is overdue or due soon, most overdue first."""
    actor = _actor(request)
    now = timezone.now()
    cases = selectors.reviews_due_visible_to(actor=actor, now=now)
    return render(request, "supervision/reviews_due.html", {"cases": cases, "now": now})


@requires(Permission.POLICY_VIEW)
def policy(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    setting = selectors.policy_get(actor=actor)
    return render(
        request,
        "supervision/policy.html",
        {
            "setting": setting,
            "defaults": rules.ReviewPolicy(),
            "can_manage": actor.can(Permission.POLICY_MANAGE),
        },
    )


@requires(Permission.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    setting = selectors.policy_get(actor=actor)
    form = forms.PolicyForm(
        form_data(request),
        initial={
            "initial_review_hours": setting.initial_review_hours,
            "periodic_review_days": setting.periodic_review_days,
            "version": setting.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.policy_update(
                actor=actor,
                version=data["version"],
                data=services.PolicyInput(
                    initial_review_hours=data["initial_review_hours"],
                    periodic_review_days=data["periodic_review_days"],
                ),
                now=timezone.now(),
            )
        except Conflict:
            form.add_error(None, "Somebody changed these settings after you opened them.")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, "Supervision intervals saved")
            return redirect("supervision:policy")
    return render(request, "supervision/policy_edit.html", {"form": form})
