"""Forms for supervision pages."""

from collections.abc import Iterable
from typing import Any

from django import forms

from safeguard.accounts.models import User
from safeguard.frontend.forms import DateField, GovukForm, set_choices


class AllocateForm(GovukForm):
    owner = forms.TypedChoiceField(label="Allocate to", coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, owners: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", [(o.pk, o.display_name) for o in owners])


class ReviewForm(GovukForm):
    findings = forms.CharField(
        label="Findings", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    direction = forms.CharField(
        label="Direction to the investigator",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    next_review_on = DateField(
        label="Next review by (optional)",
        required=False,
        error_name="The next review date",
        help_text="Leave blank to use the force's review interval",
    )


class ClosureForm(GovukForm):
    findings = forms.CharField(
        label="Closure review findings", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    direction = forms.CharField(
        label="Closing direction (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PolicyForm(GovukForm):
    initial_review_hours = forms.IntegerField(
        label="First review due within (hours of allocation)", help_text="Default 24; 1 to 168"
    )
    periodic_review_days = forms.IntegerField(
        label="Then a review at least every (days)", help_text="Default 28; 1 to 90"
    )
    child_seen_high_hours = forms.IntegerField(
        label="A high-risk child is seen within (hours of the referral)",
        help_text="Default 24; 1 to 72",
    )
    child_seen_medium_days = forms.IntegerField(
        label="A medium-risk child is seen within (working days)", help_text="Default 3; 1 to 20"
    )
    child_seen_standard_days = forms.IntegerField(
        label="A standard-risk child is seen within (working days)",
        help_text="Default 5; 1 to 20",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
