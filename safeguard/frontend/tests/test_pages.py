"""The one form-page helper shows a refusal (422) or a stale edit (409) on the form, and lets
not-found (404) and forbidden (403) through to their own pages: catching one never swallows
the others."""

import pytest
from django import forms
from django.test import RequestFactory

from safeguard.accounts.services import actor_for
from safeguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from safeguard.frontend.pages import form_page, submit_form

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def post(make_user):
    request = RequestFactory().post("/somewhere/", {"name": "Jo"})
    request.actor = actor_for(make_user("officer"))
    return request


def refuse(error: Exception):
    def write(data: dict) -> None:
        raise error

    return write


@pytest.mark.parametrize("error", [PermissionDenied(), NotFound()])
def test_forbidden_and_not_found_from_a_service_are_not_swallowed(make_user, error):
    for helper in (submit_form, form_page):
        form = NameForm({"name": "Jo"})
        extra = {"template": "x.html", "context": {}} if helper is form_page else {}
        with pytest.raises(type(error)):
            helper(post(make_user), form, write=refuse(error), success="", done_url="/", **extra)


def test_a_refusal_and_a_stale_edit_are_shown_on_the_form(make_user):
    refusal = DomainError("invalid", "Jo is not allowed", {"name": "Choose another name"})
    form = NameForm({"name": "Jo"})
    assert (
        submit_form(post(make_user), form, write=refuse(refusal), success="", done_url="/") is None
    )
    assert form.errors == {"name": ["Choose another name"]}
    form = NameForm({"name": "Jo"})
    stale = Conflict("Somebody else changed this record after you opened it.")
    shown = submit_form(post(make_user), form, write=refuse(stale), success="", done_url="/")
    assert shown is None
    assert form.non_field_errors() == [stale.message]
