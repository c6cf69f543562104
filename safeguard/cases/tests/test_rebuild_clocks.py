"""rebuild_clocks derives the clocks of open cases that were loaded without the services."""

import pytest
from django.core.management import call_command

from safeguard.cases.models import Case
from safeguard.core.models import ClockState

pytestmark = pytest.mark.django_db


def test_open_generated_cases_get_their_clocks():
    call_command("generate", "--force-years", "1", "--seed", "7", "--cases", "60", "--quiet")
    open_cases = Case.objects.exclude(status="closed")
    assert open_cases.exists() and not ClockState.objects.exists()
    call_command("rebuild_clocks")
    # Cases' clocks; Encompass notifications' clocks are on their own records.
    with_clocks = set(
        ClockState.objects.filter(object_type="case").values_list("object_id", flat=True)
    )
    assert with_clocks == set(open_cases.values_list("pk", flat=True))
    names = set(ClockState.objects.values_list("name", flat=True))
    assert {"case.triage", "case.child_seen"} <= names
    before = ClockState.objects.count()
    call_command("rebuild_clocks")
    assert ClockState.objects.count() == before
