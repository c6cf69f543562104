"""People pages (thin): search, record with the duplicate check, the person's page and its
history, changes, merge."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.errors import DomainError
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import form_data, show_domain_error
from safeguard.frontend.pages import form_page
from safeguard.people import forms, selectors, services
from safeguard.people.models import Person

NAV = "people"


def _actor(request: ActorRequest) -> Actor:
    request.nav_section = NAV
    return request.actor


@requires(Permission.PERSON_VIEW)
def person_search(request: ActorRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.PersonSearchForm(request.GET or None)
    results: list[Person] | None = None
    summaries: dict[int, selectors.PersonSummary] = {}
    if form.is_valid():
        search = selectors.PersonSearch(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            address=form.cleaned_data["address"],
        )
        if not search.is_empty:
            results = selectors.person_search(actor=actor, search=search)
            summaries = selectors.person_summaries(actor=actor, people=results, now=timezone.now())
    return render(
        request,
        "people/person_search.html",
        {
            "form": form,
            "results": results,
            "rows": [(person, summaries[person.pk]) for person in results or ()],
            "limit": selectors.SEARCH_LIMIT,
            "today": london_date(timezone.now()),
            "can_create": actor.can(Permission.PERSON_MANAGE),
        },
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_new(request: ActorRequest) -> HttpResponse:
    """Record a person: likely duplicates are shown first; the user picks one or confirms."""
    actor = _actor(request)
    form = forms.NewPersonForm(form_data(request))
    candidates: list[selectors.PossibleDuplicate] = []
    choice_error = ""
    chosen = request.POST.get("choice", "")
    if request.method == "POST" and chosen.isdigit():
        # They are already recorded: go to their record instead of making another.
        existing = selectors.person_get(actor=actor, person_id=int(chosen), audit=False)
        return redirect("people:person_detail", person_id=existing.pk)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=actor,
                data=forms.person_input(form.cleaned_data),
                confirm_new=form.cleaned_data["confirm_new"] or request.POST.get("choice") == "new",
                now=timezone.now(),
            )
        except services.PossibleDuplicates as duplicates:
            candidates = duplicates.candidates
            choice_error = forms.duplicate_choice_missing(request, form)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"{person.full_name} recorded")
            return redirect("people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/person_new.html",
        {"form": form, "candidates": candidates, "choice_error": choice_error},
    )


@requires(Permission.PERSON_VIEW)
def person_detail(request: ActorRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "related": selectors.person_relationships(person=person),
            "markers": selectors.person_markers(people=[person], now=timezone.now())[person.pk],
            "cases": selectors.person_case_roles(actor=actor, person=person),
            "today": london_date(timezone.now()),
            "can_manage": actor.can(Permission.PERSON_MANAGE) and person.merged_into_id is None,
            "can_report_missing": actor.can(Permission.CASE_CREATE)
            and person.merged_into_id is None,
        },
    )


def _form_page(
    request: ActorRequest,
    person_id: int,
    *,
    form_class: type,
    title: str,
    submit: str,
    write: Callable[[Actor, Person, dict[str, Any]], object],
    success: str,
    initial: Callable[[Person], dict[str, Any]] | None = None,
    intro: str = "",
) -> HttpResponse:
    actor = _actor(request)
    person = selectors.person_get(actor=actor, person_id=person_id, audit=False)
    form = form_class(
        form_data(request), initial=initial(person) if initial else None, about_child=person
    )
    return form_page(
        request,
        form,
        template="people/person_form.html",
        context={"person": person, "title": title, "submit": submit, "intro": intro},
        write=lambda data: write(actor, person, data),
        success=success,
        done_url=reverse("people:person_detail", kwargs={"person_id": person.pk}),
        conflict_on=("person", person.pk),
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_edit(request: ActorRequest, person_id: int) -> HttpResponse:
    return _form_page(
        request,
        person_id,
        form_class=forms.PersonEditForm,
        title="Change details",
        submit="Save changes",
        initial=lambda p: (
            {name: getattr(p, name) for name in services.EDITABLE} | {"version": p.version}
        ),
        write=lambda actor, person, data: services.person_update(
            actor=actor,
            person_id=person.pk,
            version=data["version"],
            changes={name: data[name] for name in services.EDITABLE},
            now=timezone.now(),
        ),
        success="Details saved",
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def address_new(request: ActorRequest, person_id: int) -> HttpResponse:
    return _form_page(
        request,
        person_id,
        form_class=forms.AddressForm,
        title="Add a new address",
        submit="Add address",
        intro="The current address is kept as history, ending the day this one begins.",
        write=lambda actor, person, data: services.person_add_address(
            actor=actor,
            person_id=person.pk,
            address=services.AddressInput(
                line1=data["line1"],
                line2=data["line2"],
                town=data["town"],
                postcode=data["postcode"],
                lived_from=data["lived_from"],
            ),
            now=timezone.now(),
        ),
        success="Address added",
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def alias_new(request: ActorRequest, person_id: int) -> HttpResponse:
    return _form_page(
        request,
        person_id,
        form_class=forms.AliasForm,
        title="Add another name",
        submit="Add name",
        write=lambda actor, person, data: services.person_add_alias(
            actor=actor,
            person_id=person.pk,
            given_names=data["given_names"],
            family_name=data["family_name"],
            now=timezone.now(),
        ),
        success="Other name added",
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def relationship_new(request: ActorRequest, person_id: int) -> HttpResponse:
    return _form_page(
        request,
        person_id,
        form_class=forms.RelationshipForm,
        title="Record a relationship",
        submit="Save relationship",
        write=lambda actor, person, data: services.person_relate(
            actor=actor,
            person_id=person.pk,
            other_id=data["other"],
            kind=data["kind"],
            now=timezone.now(),
        ),
        success="Relationship recorded",
    )


# The download of the search results (docs/exports.md): the same search, the same rows.


@requires(Permission.PERSON_VIEW)
def person_search_export(request: ActorRequest) -> HttpResponseBase:
    actor = _actor(request)
    form = forms.PersonSearchForm(request.GET or None)
    results: list[Person] = []
    if form.is_valid():
        search = selectors.PersonSearch(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            address=form.cleaned_data["address"],
        )
        if not search.is_empty:
            results = selectors.person_search(actor=actor, search=search)
    today = london_date(timezone.now())
    columns: list[Column[Person]] = [
        Column("Name", lambda p: p.full_name),
        Column("Date of birth", lambda p: p.date_of_birth),
        Column("Age", lambda p: p.age(today)),
        Column("Record", lambda p: p.pk),
    ]
    return export_response(
        request,
        name="people_search",
        object_type="person",
        columns=columns,
        rows=results,
        count=len(results),
        title="People",
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def markers_edit(request: ActorRequest, person_id: int) -> HttpResponse:
    return _form_page(
        request,
        person_id,
        form_class=forms.MarkersForm,
        title="Change warning markers",
        submit="Save markers",
        intro="As children's social care has told the police. Missing episodes and open "
        "exploitation cases are shown from their own records.",
        initial=lambda p: {
            "on_protection_plan": "yes" if p.on_protection_plan else "no",
            "looked_after": "yes" if p.looked_after else "no",
            "version": p.version,
        },
        write=lambda actor, person, data: services.person_set_markers(
            actor=actor,
            person_id=person.pk,
            version=data["version"],
            on_protection_plan=data["on_protection_plan"],
            looked_after=data["looked_after"],
            now=timezone.now(),
        ),
        success="Warning markers saved",
    )
