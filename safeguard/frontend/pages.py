"""The one way a page submits a form to a service: validate, write, redirect on success, and
otherwise show the service's refusal on the form (a stale version says who changed what)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_recent_changes
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.views import ActorRequest
from safeguard.frontend.forms import show_domain_error


def conflict_message(
    actor: Actor, error: Conflict, *, object_type: str, object_id: int, read_version: int | None
) -> str:
    """A stale edit: say who changed which fields since the page was opened (audit log)."""
    current = error.fields.get("current_version")
    if not isinstance(current, int) or read_version is None:
        return error.message
    changes = audit_recent_changes(
        force_id=actor.force_id,
        object_type=object_type,
        object_id=object_id,
        count=current - read_version,
    )
    said = "; ".join(
        f"{c.username} changed {', '.join(f.replace('_', ' ') for f in c.fields) or 'it'} "
        f"at {timezone.localtime(c.at):%H:%M on %d %B}"
        for c in changes
    )
    return f"{error.message} Since you opened it: {said}." if said else error.message


def submit_form(
    request: HttpRequest,
    form: forms.Form,
    *,
    write: Callable[[dict[str, Any]], object],
    success: str,
    done_url: str,
    on_conflict: Callable[[Conflict, dict[str, Any]], str] | None = None,
) -> HttpResponse | None:
    """On a valid POST, write and redirect to `done_url`; None means: show the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        write(form.cleaned_data)
    except Conflict as error:
        form.add_error(
            None, on_conflict(error, form.cleaned_data) if on_conflict else error.message
        )
        return None
    except DomainError as error:
        show_domain_error(form, error)
        return None
    messages.success(request, success)
    return redirect(done_url)


def form_page(
    request: ActorRequest,
    form: forms.Form,
    *,
    template: str,
    context: dict[str, Any],
    write: Callable[[dict[str, Any]], object],
    success: str,
    done_url: str,
    conflict_on: tuple[str, int] | None = None,
    read_version: int | None = None,
) -> HttpResponse:
    """The one helper for a page with a form: GET shows it; a valid POST writes through a
    service and redirects to `done_url`; a refusal is shown on the form with everything typed
    kept; a stale version (`conflict_on`: the record's audit type and id) says who changed what
    since the page was opened."""

    def on_conflict(error: Conflict, data: dict[str, Any]) -> str:
        if conflict_on is None:
            return error.message
        version = data.get("version") or read_version
        return conflict_message(
            request.actor,
            error,
            object_type=conflict_on[0],
            object_id=conflict_on[1],
            read_version=version if isinstance(version, int) else None,
        )

    done = submit_form(
        request, form, write=write, success=success, done_url=done_url, on_conflict=on_conflict
    )
    return done or render(request, template, {"form": form, **context})
