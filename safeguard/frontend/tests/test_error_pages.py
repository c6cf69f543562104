"""A failure inside a page or an API call shows a plain apology: no traceback, SQL or paths."""

import pytest

from safeguard.accounts import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_units(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("SELECT secret FROM /srv/safeguard/db")

    monkeypatch.setattr(selectors, "unit_list_visible_to", fail)


def test_a_page_failure_shows_the_500_page(officer_client, broken_units):
    officer_client.raise_request_exception = False
    response = officer_client.get("/units/")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"SELECT" not in response.content
    assert b"Traceback" not in response.content


def test_an_api_failure_is_a_json_500(officer_client, make_api_client, broken_units):
    api = make_api_client(officer_client.user)
    api.raise_request_exception = False
    response = api.get("/api/v1/units")
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "message": "Something went wrong. Nothing was changed.",
        "fields": {},
    }
