"""The GOV.UK date input, text limits, child-sized numbers and field-naming messages
(docs/forms.md)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine
from django import forms

from safeguard.cases.forms import NewCaseForm
from safeguard.frontend.forms import (
    LONG_TEXT_MAX,
    DateField,
    DateTimeField,
    GovukForm,
    refuse_before_birth,
)
from safeguard.frontend.templatetags.govuk_forms import error_title

# 14:00 UTC on a summer Wednesday: 15:00 in London (BST).
SUMMER = datetime(2026, 7, 15, 14, 0, tzinfo=UTC)
WINTER = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@dataclass
class Child:
    full_name: str
    date_of_birth: date


class BirthForm(GovukForm):
    date_of_birth = DateField(label="Date of birth", past=True)


class EventForm(GovukForm):
    seen_at = DateTimeField(
        label="When were they seen?", error_name="The time", past=True, after_birth=True
    )


class DueForm(GovukForm):
    due_on = DateField(label="Due by", error_name="The due date", required=False)


class NoteForm(GovukForm):
    note = forms.CharField(label="Note", widget=forms.Textarea)
    name = forms.CharField(label="Name (optional)", required=False)
    number = forms.IntegerField(label="Record number", min_value=1)


def parts(prefix: str, day: str, month: str, year: str, at: str | None = None) -> dict:
    data = {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}
    return data | ({f"{prefix}_time": at} if at is not None else {})


@pytest.fixture(autouse=True)
def winter():
    with time_machine.travel(WINTER, tick=False):
        yield


def test_a_real_date_from_its_three_parts_and_the_month_by_name():
    assert BirthForm(parts("date_of_birth", "4", "3", "2014")).is_valid()
    form = BirthForm(parts("date_of_birth", "04", "March", "2014"))
    assert form.is_valid() and form.cleaned_data["date_of_birth"] == date(2014, 3, 4)


def test_the_date_input_is_rendered_as_the_govuk_component_not_a_picker():
    html = str(BirthForm())
    assert 'class="govuk-date-input" id="id_date_of_birth"' in html
    for part in ("day", "month", "year"):
        assert f'name="date_of_birth_{part}"' in html and f'id="id_date_of_birth_{part}"' in html
    assert 'type="date"' not in html and "datetime-local" not in html
    assert '<legend class="govuk-fieldset__legend' in html and 'role="group"' in html


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "wrong"),
    [
        ("31", "2", "2014", "Date of birth must be a real date", ["day"]),
        ("3", "13", "2014", "Date of birth must be a real date", ["month"]),
        ("3", "", "2014", "Date of birth must include a month", ["month"]),
        ("", "", "2014", "Date of birth must include a day and month", ["day", "month"]),
        ("3", "4", "14", "Date of birth must include a year of 4 numbers", ["year"]),
        ("3", "4", "1850", "Date of birth must be in or after 1900", ["year"]),
        ("3", "12", "2026", "Date of birth must be today or in the past", ["day", "month", "year"]),
        ("", "", "", "Enter date of birth", ["day", "month", "year"]),
    ],
)
def test_an_impossible_date_says_why_and_marks_the_parts_at_fault(day, month, year, message, wrong):
    form = BirthForm(parts("date_of_birth", day, month, year))
    assert not form.is_valid()
    assert form.errors["date_of_birth"][0].startswith(message)
    bound = form["date_of_birth"]
    assert list(bound.error_parts) == wrong
    assert bound.anchor_id == f"id_date_of_birth_{wrong[0]}"
    html = str(form)
    for part in ("day", "month", "year"):
        box = re.search(rf'<input[^>]*id="id_date_of_birth_{part}"[^>]*>', html)
        assert box is not None
        assert ("govuk-input--error" in box.group(0)) == (part in wrong), part
    # What was typed is kept.
    for value in (day, month, year):
        if value:
            assert f'value="{value}"' in html


def test_today_is_a_possible_date_of_birth():
    assert BirthForm(parts("date_of_birth", "2", "12", "2026")).is_valid()


def test_a_date_that_may_be_ahead_is_refused_in_the_far_future():
    assert DueForm(parts("due_on", "1", "6", "2027")).is_valid()
    form = DueForm(parts("due_on", "1", "1", "2099"))
    assert form.errors["due_on"] == ["The due date must be before 2 December 2028"]


def test_a_single_iso_value_is_read_too():
    form = BirthForm({"date_of_birth": "2014-03-04"})
    assert form.is_valid() and form.cleaned_data["date_of_birth"] == date(2014, 3, 4)
    assert BirthForm({"date_of_birth": "yesterday"}).errors["date_of_birth"] == [
        "Date of birth must be a real date"
    ]


def test_a_date_time_is_london_time_stored_as_utc():
    with time_machine.travel(SUMMER, tick=False):
        form = EventForm(parts("seen_at", "15", "7", "2026", "9:30"))
        assert form.is_valid()
        assert form.cleaned_data["seen_at"] == datetime(2026, 7, 15, 8, 30, tzinfo=UTC)
    form = EventForm(parts("seen_at", "2", "12", "2026", "1:30pm"))
    assert form.is_valid()
    assert form.cleaned_data["seen_at"] == datetime(2026, 12, 2, 13, 30, tzinfo=UTC)
    html = str(EventForm(initial={"seen_at": datetime(2026, 7, 1, 23, 15, tzinfo=UTC)}))
    assert 'value="2"' in html and 'value="00:15"' in html  # 00:15 on 2 July in London


def test_a_moment_a_few_minutes_ahead_is_accepted_but_not_more():
    assert EventForm(parts("seen_at", "2", "12", "2026", "14:05")).is_valid()
    form = EventForm(parts("seen_at", "2", "12", "2026", "15:00"))
    assert form.errors["seen_at"] == ["The time must be now or in the past"]


@pytest.mark.parametrize("at", ["25:00", "14:75", "noon", "13pm"])
def test_an_impossible_time_marks_the_time(at):
    form = EventForm(parts("seen_at", "1", "12", "2026", at))
    assert form.errors["seen_at"][0].startswith("The time must include a real time")
    assert form["seen_at"].anchor_id == "id_seen_at_time"


def test_a_missing_time_is_named():
    form = EventForm(parts("seen_at", "1", "12", "2026", ""))
    assert form.errors["seen_at"] == ["The time must include a time"]


def test_an_event_before_the_childs_birth_is_refused():
    child = Child("Amy Pond", date(2020, 5, 1))
    form = EventForm(parts("seen_at", "30", "4", "2020", "10:00"), about_child=child)
    assert form.errors["seen_at"] == [
        "The time must be on or after Amy Pond's date of birth (1 May 2020)"
    ]
    assert EventForm(parts("seen_at", "1", "5", "2020", "10:00"), about_child=child).is_valid()


def test_a_child_chosen_on_the_form_is_checked_too():
    form = EventForm(parts("seen_at", "30", "4", "2020", "10:00"))
    assert form.is_valid()
    refuse_before_birth(form, "seen_at", Child("Amy Pond", date(2020, 5, 1)))
    assert "date of birth (1 May 2020)" in form.errors["seen_at"][0]


def test_a_long_text_has_a_limit_said_in_the_hint_and_an_error_keeping_the_rest():
    html = str(NoteForm())
    assert "Up to 10,000 characters" in html and 'data-maxlength="10000"' in html
    assert " maxlength=" not in html  # a browser would cut a paste short without a word
    form = NoteForm({"note": "x" * (LONG_TEXT_MAX + 1), "name": "Ann", "number": "7"})
    assert form.errors == {"note": ["Note must be 10,000 characters or fewer"]}
    assert 'value="Ann"' in str(form) and 'value="7"' in str(form)
    short = NoteForm({"note": "ok", "name": "y" * 501, "number": "7"})
    assert short.errors == {"name": ["Name must be 500 characters or fewer"]}


def test_default_messages_name_their_field():
    form = NoteForm({})
    assert form.errors == {
        "note": ["Enter the note"],
        "number": ["Enter the record number"],
    }
    assert NoteForm({"note": "a", "number": "x"}).errors["number"] == [
        "Record number must be a whole number"
    ]
    # Bigger than a database integer: a field error, never a 500.
    huge = NoteForm({"note": "a", "number": "9" * 30}).errors["number"][0]
    assert huge == "Record number must be between 1 and 2147483647"


@pytest.mark.parametrize(
    ("age", "ok"), [("0", True), ("17", True), ("18", False), ("250", False), ("-1", False)]
)
def test_a_childs_estimated_age_is_a_childs(age, ok):
    form = NewCaseForm({"estimated_age": age}, units=[])
    form.is_valid()
    if ok:
        assert "estimated_age" not in form.errors
    else:
        assert form.errors["estimated_age"] == ["Estimated age must be between 0 and 17"]


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Error: Error: Record a new case", "Error: Record a new case"),
        ("Error: Record a new case", "Error: Record a new case"),
        ("Record a new case", "Record a new case"),
    ],
)
def test_a_title_says_error_once(title, shown):
    assert error_title(title) == shown
