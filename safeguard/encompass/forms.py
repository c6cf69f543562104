"""Forms for the Operation Encompass pages: review and send, resolve the school or local
authority, and the compliance period."""

from typing import Any

from django import forms

from safeguard.frontend.forms import GovukForm, set_choices

DEFAULT_MONTHS = 12
MONTHS_MIN = 1
MONTHS_MAX = 24
MONTHS_ERROR = f"Enter a number of months from {MONTHS_MIN} to {MONTHS_MAX}"
CIRCUMSTANCES_ERROR = "Enter brief circumstances for the key adult"


class SendForm(GovukForm):
    circumstances = forms.CharField(
        label="Brief circumstances",
        help_text="What the key adult needs to know to support the child at school. Keep it "
        "brief and factual: the child's details above are sent as they are.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        error_messages={
            "required": CIRCUMSTANCES_ERROR,
            "max_length": "Brief circumstances must be 2000 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(GovukForm):
    school_urn = forms.CharField(
        label="School URN",
        help_text="The unique reference number of the child's school, from the schools "
        "directory. Leave it blank for a child educated at home.",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"max_length": "A school URN is 8 digits or fewer"},
    )
    local_authority = forms.TypedChoiceField(
        label="Or, for a child educated at home, the local authority",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, authorities: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "local_authority",
            [("", "Choose a local authority")] + [(a.pk, a.name) for a in authorities],
        )


class ComplianceForm(GovukForm):
    months = forms.IntegerField(
        label="Months to show",
        min_value=MONTHS_MIN,
        max_value=MONTHS_MAX,
        help_text=f"From {MONTHS_MIN} to {MONTHS_MAX}, ending with this month",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": MONTHS_ERROR,
            "invalid": MONTHS_ERROR,
            "min_value": MONTHS_ERROR,
            "max_value": MONTHS_ERROR,
        },
    )
