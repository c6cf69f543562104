"""My work refreshes itself: a deadline that becomes overdue in the server's database shows
"overdue by" on the open page without a reload (live.js polls `?fragment=clocks`).

The user is a colleague of the demo officer made the way test_case_journeys.py makes its
colleagues (demo password and TOTP key derived from the username): the demo users must keep an
empty My work for test_journey.py, which shares this server.

The server polls every LIVE_REFRESH_SECONDS (30 s by default). conftest.py's `_child_env`
does not set it, so this test waits up to 40 s; with `env["LIVE_REFRESH_SECONDS"] = "2"` in
`_child_env` it would need only a few seconds.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2EServer, _child_env, _manage
from tests.e2e.support import PageProblems, TotpClock, check_page, sign_in_password, submit_code

pytestmark = pytest.mark.browser

USERNAME = "live-officer"
# The server refreshes live lists every 2 s (LIVE_REFRESH_SECONDS in tests/e2e/conftest.py).
WAIT_MS = 10_000

_CREATE = f"""
from datetime import timedelta
from django.utils import timezone
from safeguard.accounts import services
from safeguard.accounts.demo import demo_force, demo_password, demo_totp_key_hex
from safeguard.accounts.models import Unit
from safeguard.cases.models import Case
from safeguard.cases.services import CaseInput, case_create
from safeguard.people.services import PersonInput, person_create
import datetime as dt
force = demo_force()
unit = Unit.objects.get(force=force, name="Child Abuse Investigation Unit")
user = services.staff_create(
    actor=None, force=force, username={USERNAME!r}, password=demo_password({USERNAME!r}),
    first_name="Liv", last_name="Lively", email="live-officer@demo.police.example",
    roles=["officer"], units=[unit], job_title="Police Constable",
)
services.totp_device_create_confirmed(user=user, key_hex=demo_totp_key_hex({USERNAME!r}))
actor = services.actor_for(user)
now = timezone.now()
child = person_create(
    actor=actor, data=PersonInput("Lola", "Livesey", dt.date(2016, 5, 1)), confirm_new=True,
    now=now,
)
case_create(actor=actor, now=now, data=CaseInput(
    case_type=Case.Type.ABUSE_NEGLECT, source=Case.Source.SCHOOL, risk_grade=Case.Grade.MEDIUM,
    risk_rationale="Bruising seen by a teacher", received_at=now - timedelta(minutes=5),
    unit_id=unit.pk, summary="Referral from the school", people=((child.pk, "subject"),),
))
"""

# Make the live officer's triage deadline 40 minutes overdue, as the clock table stores it.
_OVERDUE = f"""
from datetime import timedelta
from django.utils import timezone
from safeguard.accounts.models import User
from safeguard.core.models import ClockState
user = User.objects.get(username={USERNAME!r})
rows = ClockState.objects.filter(owner_id=user.pk, name="case.triage")
assert rows.update(due_at=timezone.now() - timedelta(minutes=40)) == 1
"""


@pytest.fixture(scope="module")
def live_officer(e2e_server: E2EServer) -> str:
    database = e2e_server.log_path.parent / "e2e.sqlite3"
    _manage(_child_env(database), "shell", "-c", _CREATE)
    return USERNAME


def test_overdue_work_appears_on_my_work_without_a_reload(
    page: Page,
    problems: PageProblems,
    totp_clock: TotpClock,
    e2e_server: E2EServer,
    live_officer: str,
) -> None:
    page.goto("/")
    sign_in_password(page, live_officer)
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    submit_code(page, totp_clock.code(live_officer))
    expect(page.locator("h1")).to_have_text("My work")
    check_page(page, problems, "My work [live refresh]")

    rows = page.locator("#my-clocks tbody tr")
    triage = rows.filter(has_text="Referral decision")
    expect(triage).to_have_count(1)
    expect(triage.locator(".govuk-tag")).to_have_text(re.compile(r"^due in "))
    expect(page.get_by_text("overdue by")).to_have_count(0)
    body = page.locator("tbody[data-live-src]")
    expect(body).to_have_attribute("aria-live", re.compile(r"polite|assertive"))

    # A marker that a reload would lose: the page must be updated in place.
    page.evaluate("() => { window.__sgNoReload = true }")
    navigations: list[Any] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    _manage(_child_env(e2e_server.log_path.parent / "e2e.sqlite3"), "shell", "-c", _OVERDUE)

    expect(triage.locator(".govuk-tag")).to_have_text(
        re.compile(r"^overdue by 4\d minutes$"), timeout=WAIT_MS
    )
    expect(triage.locator(".govuk-tag")).to_have_class(re.compile(r"govuk-tag--red"))
    assert page.evaluate("() => window.__sgNoReload === true"), "the page was reloaded"
    assert navigations == []
    check_page(page, problems, "My work [overdue, live]")
