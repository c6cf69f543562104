"""Forms for the Operation Encompass pages: write, preview and send; resolve the school or local
authority; an undelivered notification sent again or told another way; the school's action;
and the compliance period."""

from typing import Any

from django import forms

from safeguard.encompass import services
from safeguard.frontend.forms import GovukForm, set_choices

DEFAULT_MONTHS = 12
MONTHS_MIN = 1
MONTHS_MAX = 24
MONTHS_ERROR = f"Enter a number of months from {MONTHS_MIN} to {MONTHS_MAX}"
CIRCUMSTANCES_ERROR = "Enter brief circumstances for the school"
PREVIEW, SEND, EDIT = "preview", "send", "edit"


class SendForm(GovukForm):
    """The desk's send step, twice: "preview" shows exactly what will be sent; "send" (the
    confirm step's button) sends what was previewed."""

    circumstances = forms.CharField(
        label="Brief circumstances for the school",
        help_text="Write this for the school: what the key adult needs to support the child "
        "at school tomorrow morning. Give no details of the allegation, and name no adults "
        "beyond what the school needs. Up to 2000 characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.CIRCUMSTANCES_MAX,
        error_messages={
            "required": CIRCUMSTANCES_ERROR,
            "max_length": services.CIRCUMSTANCES_TOO_LONG,
        },
    )
    contact_phone = forms.CharField(
        label="Phone number for the school to call (optional)",
        help_text="The school is given your name, your unit and your email as the police "
        "contact for this incident, and this number if you give one. Up to 40 characters.",
        required=False,
        max_length=services.PHONE_MAX,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "tel"}),
        error_messages={"max_length": services.PHONE_TOO_LONG},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[(PREVIEW, "Preview"), (SEND, "Send"), (EDIT, "Change")],
        required=False,
        widget=forms.HiddenInput,
    )

    @property
    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("action") == SEND


class ConfirmForm(SendForm):
    """The confirm step: what was previewed, carried unchanged to the send."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("circumstances", "contact_phone"):
            self.fields[name].widget = forms.HiddenInput()


class RetryForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OtherRouteForm(GovukForm):
    other_route = forms.CharField(
        label="How you told the school",
        help_text="For example: phoned the DSL, Ms Oak, at 08:10 and read the notification "
        "to her. Up to 500 characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.OTHER_ROUTE_MAX,
        error_messages={
            "required": services.OTHER_ROUTE,
            "max_length": services.OTHER_ROUTE_TOO_LONG,
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(GovukForm):
    action_taken = forms.CharField(
        label="Action the school took",
        help_text="What the school did to support the child (for example: the class teacher "
        "was told to watch for signs of distress; the DSL spoke with the child at break). "
        "The police see this on the notification. Up to 1000 characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.ACTION_MAX,
        error_messages={"required": services.ACTION, "max_length": services.ACTION_TOO_LONG},
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
