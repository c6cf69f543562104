"""Every form page, posted empty, reports every error at once (issue 12, section 4).

The routes come from the resolver, declared in the security battery's route table
(`tests/security/battery.py`): each route that takes a POST is called by a user whose role the
one permission table allows, on an object in their reach, with an empty body. A page that shows
a form again must answer 200 or 422 with a GOV.UK error summary that lists every error of the
form, each linking to an element of the page with that id (the day box of a date), every
required visible field among them, and a title that says "Error: " exactly once.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.test import Client

from safeguard.accounts.models import Force, Unit, User
from safeguard.core.permissions import Role
from safeguard.core.views import PUBLIC, SIGNED_IN
from tests.helpers import sign_in
from tests.security.battery import (
    WEB_ROUTES,
    ActorRef,
    Loc,
    World,
    expected_web,
    web_routes,
)

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.DOTALL)
LINK = re.compile(r'<li><a href="#([^"]*)">(.*?)</a></li>', re.DOTALL)
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
# A POST-only step (a button on another page) answers with a redirect, not a form.
BUTTONS = frozenset(
    {
        "accounts:sign_out",
        "accounts:staff_set_active",
        "accounts:staff_end_sessions",
        "accounts:staff_unlock",
        "accounts:api_token_revoke",
        "notifications:retry",
        "notifications:alert_read",
        "partners:key_adult_deactivate",
        # A search page: each person found is a button of its own, nothing is typed.
        "cases:case_add_person",
        # Every DASH question is optional; an empty POST calculates the score of none.
        "domestic_abuse:dash",
    }
)


@pytest.fixture
def world(
    make_user: Callable[..., User],
    force: Force,
    other_force: Force,
    unit: Unit,
    other_unit: Unit,
    foreign_unit: Unit,
) -> World:
    return World.build(make_user, force, other_force, unit, other_unit, foreign_unit)


def forms_in(response: Any) -> list[forms.Form]:
    context = response.context
    if context is None:
        return []
    seen: dict[int, forms.Form] = {}
    contexts = list(context) if isinstance(context, list) else [context]
    for one in contexts:
        for value in one.flatten().values():
            if isinstance(value, forms.Form) and value.is_bound:
                seen[id(value)] = value
    return list(seen.values())


def allowed_client(world: World, make_user: Callable[..., User], route: Any, spec: Any):
    """A signed-in client of the first role allowed to use the route on its object."""
    marker = route.marker
    if marker == PUBLIC:
        target, _, kwargs = world.target(spec.target, Loc.OWN, None, spec.state)
        return Client(), target, kwargs
    for role in Role:
        user = make_user(role, units=[world.unit])
        target, obj, kwargs = world.target(spec.target, Loc.OWN, user, spec.state)
        if (
            marker == SIGNED_IN
            or expected_web(marker, spec, ActorRef.of(user), obj, kwargs).allowed
        ):
            return sign_in(Client(), user), target, kwargs
    return None, None, {}


def problems_of(name: str, response: Any, form: forms.Form) -> list[str]:
    page = response.content.decode()
    problems = []
    title = TITLE.search(page)
    title_text = title.group(1).strip() if title else ""
    if not title_text.startswith("Error: ") or title_text.count("Error:") != 1:
        problems.append(f"{name}: title {title_text!r}")
    summary = SUMMARY.search(page)
    if summary is None:
        return [*problems, f"{name}: no error summary"]
    links = LINK.findall(summary.group(0))
    for anchor, _ in links:
        if not re.search(rf'\sid="{re.escape(anchor)}"', page):
            problems.append(f"{name}: the summary links to #{anchor}, which is not on the page")
    listed = [re.sub(r"\s+", " ", text).strip() for _, text in links]
    expected = sum(len(errors) for errors in form.errors.values())
    if len(links) != expected:
        problems.append(f"{name}: the summary lists {len(links)} errors of {expected}")
    for field_name, field in form.fields.items():
        bound = form[field_name]
        if field.required and not field.widget.is_hidden and field_name not in form.errors:
            problems.append(f"{name}: required field {field_name} has no error")
        for error in bound.errors:
            if str(error).replace("'", "&#x27;") not in listed and str(error) not in listed:
                problems.append(f"{name}: {field_name}'s error {error!r} is not in the summary")
            if "This field is required" in str(error):
                problems.append(f"{name}: {field_name}'s error does not name the field")
        if bound.errors and not field.widget.is_hidden:
            anchor = bound.anchor_id if hasattr(bound, "anchor_id") else bound.id_for_label
            if anchor not in [a for a, _ in links]:
                problems.append(f"{name}: no summary link to {field_name} (#{anchor})")
    return problems


def test_every_form_page_posted_empty_lists_every_error_at_once(
    world: World, make_user: Callable[..., User]
):
    problems: list[str] = []
    checked: list[str] = []
    for route in web_routes():
        specs = WEB_ROUTES.get(route.name, ())
        post = next((s for s in specs if s.method == "POST"), None)
        has_form_page = any(s.method == "GET" for s in specs) and post is not None
        if post is None:
            # A page whose GET declares no POST may still take one (a form posted to itself).
            get = next(iter(specs), None)
            if get is None or route.name in ("healthz", "readyz"):
                continue
            post = get
        client, target, kwargs = allowed_client(world, make_user, route, post)
        if client is None:
            continue
        url = post.url(route.name, kwargs, world, target)
        response = client.post(url, {})
        status = response.status_code
        if status == 405 or route.name in BUTTONS:
            continue
        assert status < 500, f"{route.name}: an empty POST answered {status}"
        assert status != 400, f"{route.name}: an empty POST gave the generic 400 page"
        shown = [f for f in forms_in(response) if f.errors]
        if not shown:
            if has_form_page and status not in (301, 302, 303):
                problems.append(f"{route.name}: an empty POST showed no errors ({status})")
            continue
        if status not in (200, 422):
            problems.append(f"{route.name}: answered {status}")
        checked.append(route.name)
        for form in shown:
            problems.extend(problems_of(route.name, response, form))
    assert not problems, "\n".join(problems)
    # The crawl reached the form pages (a broken route table cannot make it pass empty).
    assert len(checked) >= 30, checked
