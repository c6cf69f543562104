"""Forms for people pages: shape only; the rules live in services."""

from typing import Any

from django import forms
from django.http import HttpRequest

from safeguard.frontend.forms import NAME_MAX, DateField, GovukForm, yes_no_field
from safeguard.people.models import Person, Relationship
from safeguard.people.services import AddressInput, PersonInput


class PersonSearchForm(GovukForm):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=120,
        help_text="Any order; spelling need not be exact",
    )
    date_of_birth = DateField(label="Date of birth", required=False, past=True)
    address = forms.CharField(label="Address or postcode", required=False, max_length=120)


class PersonForm(GovukForm):
    given_names = forms.CharField(label="First names", max_length=NAME_MAX, required=False)
    family_name = forms.CharField(label="Last name", max_length=NAME_MAX, required=False)
    date_of_birth = DateField(label="Date of birth", required=False, past=True)
    estimated_age = forms.IntegerField(
        label="Estimated age in years",
        required=False,
        min_value=0,
        max_value=120,
        help_text="Only if the date of birth is not known",
        error_messages={
            "invalid": "Estimated age must be a whole number of years",
            "min_value": "Estimated age must be between 0 and 120",
            "max_value": "Estimated age must be between 0 and 120",
        },
    )
    gender = forms.ChoiceField(label="Gender", choices=Person.Gender.choices, initial="unknown")
    ethnicity = forms.CharField(
        label="Ethnicity (optional)",
        required=False,
        max_length=120,
        help_text="As the person describes it",
    )
    school_urn = forms.CharField(label="School URN (optional)", required=False, max_length=10)


class NewPersonForm(PersonForm):
    line1 = forms.CharField(label="Address line 1 (optional)", required=False, max_length=120)
    town = forms.CharField(label="Town or city (optional)", required=False, max_length=80)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    # Set once the user has seen the likely duplicates and said this is somebody new.
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkersForm(GovukForm):
    on_protection_plan = yes_no_field(
        "Are they on a child protection plan?",
        "Select yes if they are on a child protection plan",
    )
    looked_after = yes_no_field(
        "Are they looked after by a local authority?",
        "Select yes if they are looked after by a local authority",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddressForm(GovukForm):
    line1 = forms.CharField(label="Address line 1", max_length=120, required=False)
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    lived_from = DateField(
        label="Moved in on (optional)",
        required=False,
        error_name="The date they moved in",
        past=True,
        after_birth=True,
    )


class AliasForm(GovukForm):
    given_names = forms.CharField(label="Other first names", max_length=NAME_MAX, required=False)
    family_name = forms.CharField(label="Other last name", max_length=NAME_MAX, required=False)


class RelationshipForm(GovukForm):
    kind = forms.ChoiceField(label="This person is", choices=Relationship.Kind.choices)
    other = forms.IntegerField(
        label="Record number of the other person",
        min_value=1,
        help_text="Shown on their record, for example 1024",
    )


class MergeForm(GovukForm):
    merge_id = forms.IntegerField(
        label="Record number to merge into this one",
        min_value=1,
        help_text="That record will point here; its names become other names on this record",
    )
    keep_version = forms.IntegerField(widget=forms.HiddenInput)
    merge_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


CHOOSE_A_PERSON = "Select if this is someone already recorded, or a different child or person"


def duplicate_choice_missing(request: HttpRequest, form: GovukForm) -> str:
    """After the duplicate check was shown, a submission without a choice is an error (GOV.UK:
    radios are never pre-selected, so nobody links a child to the wrong record by accident)."""
    if not request.POST.get("duplicates_shown"):
        return ""
    form.add_error(None, CHOOSE_A_PERSON)
    form.error_anchor = "choice"
    return CHOOSE_A_PERSON


def person_input(data: dict[str, Any]) -> PersonInput:
    """The service's input from a NewPersonForm's cleaned data (the address only if given)."""
    address = None
    if data.get("line1") or data.get("postcode"):
        address = AddressInput(
            line1=data["line1"], postcode=data["postcode"], town=data.get("town", "")
        )
    return PersonInput(
        given_names=data["given_names"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        estimated_age=data["estimated_age"],
        gender=data["gender"],
        ethnicity=data["ethnicity"],
        school_urn=data["school_urn"],
        address=address,
    )
