"""Supervision pages (thin): allocate, review, approve closure, return, reopen; reviews due;
and the force's review intervals."""

from dataclasses import fields
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguard.cases import selectors as case_selectors
from safeguard.cases.forms import ReasonForm
from safeguard.cases.views import case_form_page
from safeguard.core.actor import Actor
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.forms import form_data
from safeguard.frontend.pages import submit_form
from safeguard.supervision import forms, rules, selectors, services


def _actor(request: ActorRequest, section: str = "supervision") -> Actor:
    request.nav_section = section
    return request.actor


def _supervise_page(request: ActorRequest, case_id: int, **page: Any) -> HttpResponse:
    """A supervisory form on a case: the case page's form handling, under CASE_SUPERVISE."""
    page.setdefault("initial", lambda case: {"version": case.version})
    return case_form_page(request, case_id, permission=Permission.CASE_SUPERVISE, **page)


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def allocate(request: ActorRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=forms.AllocateForm,
        title="Allocate the case",
        submit="Allocate",
        intro="The first supervisory review falls due from the time of allocation. "
        "Re-allocating a case keeps its status: an investigation under way stays under way.",
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
def review_new(request: ActorRequest, case_id: int) -> HttpResponse:
    return _supervise_page(
        request,
        case_id,
        form_class=forms.ReviewForm,
        title="Record a supervisory review",
        submit="Record review",
        initial=None,
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
def closure_approve(request: ActorRequest, case_id: int) -> HttpResponse:
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
def return_for_work(request: ActorRequest, case_id: int) -> HttpResponse:
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
def reopen(request: ActorRequest, case_id: int) -> HttpResponse:
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
def reviews_due(request: ActorRequest) -> HttpResponse:
    """Cases in the supervisor's reach whose review is overdue or due soon, most overdue first."""
    actor = _actor(request)
    now = timezone.now()
    cases = selectors.reviews_due_visible_to(actor=actor, now=now)
    return render(request, "supervision/reviews_due.html", {"cases": cases, "now": now})


@requires(Permission.POLICY_VIEW)
def policy(request: ActorRequest) -> HttpResponse:
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


POLICY_FIELDS = [field.name for field in fields(services.PolicyInput)]


@requires(Permission.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def policy_edit(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    setting = selectors.policy_get(actor=actor)
    form = forms.PolicyForm(
        form_data(request),
        initial={name: getattr(setting, name) for name in POLICY_FIELDS}
        | {"version": setting.version},
    )
    done = submit_form(
        request,
        form,
        write=lambda data: services.policy_update(
            actor=actor,
            version=data["version"],
            data=services.PolicyInput(**{name: data[name] for name in POLICY_FIELDS}),
            now=timezone.now(),
        ),
        success="Supervision intervals saved",
        done_url=reverse("supervision:policy"),
        on_conflict=lambda error, data: "Somebody changed these settings after you opened them.",
    )
    return done or render(request, "supervision/policy_edit.html", {"form": form})
