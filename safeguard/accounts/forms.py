"""Page forms for sign-in, MFA, password reset and staff: shape only; rules live in services."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.template import loader
from django.utils import timezone

from safeguard.accounts.models import Unit
from safeguard.core.models import AuditAction, OutboxMessage
from safeguard.core.outbox import outbox_enqueue
from safeguard.core.permissions import Role
from safeguard.frontend.forms import DateField, GovukBoundField, GovukForm, govuk_messages


class SignInForm(GovukForm):
    username = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        max_length=1024,
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(GovukForm):
    code = forms.RegexField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "The code must be 6 digits, for example 123456",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class GovukPasswordResetForm(PasswordResetForm):
    bound_field_class = GovukBoundField
    error_anchor = "id_email"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            govuk_messages(name, field)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Written to the outbox for the worker to send over SMTP: nothing is sent inside the
        # request, and the page answers the same whether or not the address exists. The link
        # is in the body (never in `link`, which is truncated) and neither is ever logged.
        user = context["user"]
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        with transaction.atomic():
            outbox_enqueue(
                channel=OutboxMessage.Channel.EMAIL,
                subject=subject,
                body=body,
                now=timezone.now(),
                force_id=user.force_id,
                recipient_user_id=user.pk,
                to_address=to_email,
            )


class GovukSetPasswordForm(SetPasswordForm):
    bound_field_class = GovukBoundField
    error_anchor = "id_new_password1"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            govuk_messages(name, field)


class StaffFilterForm(GovukForm):
    search = forms.CharField(label="Name or username", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )
    unit = forms.TypedChoiceField(label="Unit", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.TypedChoiceField)
        unit.choices = [("", "Any unit"), *units]


class StaffRolesForm(GovukForm):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AuditSearchForm(GovukForm):
    object_type = forms.CharField(
        label="Record type", required=False, max_length=60, help_text="For example user or child"
    )
    object_id = forms.CharField(label="Record id", required=False, max_length=64)
    username = forms.CharField(
        label="Username of the person who acted", required=False, max_length=150
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    date_from = DateField(label="From date", required=False, error_name="The from date")
    date_to = DateField(label="To date", required=False, error_name="The to date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Token name",
        help_text="What the token is for, for example 'reporting script'",
        max_length=80,
        error_messages={"required": "Enter a name for the token"},
    )


def _name_field(label: str, message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=150,
        help_text="Up to 150 characters",
        error_messages={
            "required": message,
            "max_length": f"{label} must be 150 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class _StaffFields(GovukForm):
    """Name, email, job title and units: what creating and changing a person share."""

    first_name = _name_field("First name", "Enter their first name")
    last_name = _name_field("Last name", "Enter their last name")
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email. The link to choose a password is sent here.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    job_title = forms.CharField(
        label="Job title (optional)",
        required=False,
        max_length=120,
        help_text="For example Detective Constable. Up to 120 characters.",
        error_messages={"max_length": "Job title must be 120 characters or fewer"},
    )
    units = forms.TypedMultipleChoiceField(
        label="Units",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="The teams they work in. Supervisors see the staff and cases of their units.",
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = units


class StaffCreateForm(_StaffFields):
    username = forms.RegexField(
        label="Username",
        regex=r"^[\w.@+-]+$",
        max_length=150,
        help_text="What they type to sign in. Letters, digits and @ . + - _ only.",
        error_messages={
            "required": "Enter a username",
            "invalid": "A username has letters, digits and @ . + - _ only",
            "max_length": "Username must be 150 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What they may do. You can change this later.",
        error_messages={"required": "Choose at least one role"},
    )
    field_order = ["first_name", "last_name", "username", "email", "job_title", "roles", "units"]


class StaffDetailsForm(_StaffFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="For example Child Abuse Investigation Unit. Up to 120 characters.",
        error_messages={
            "required": "Enter a name for the unit",
            "max_length": "Name must be 120 characters or fewer",
        },
    )
    unit_type = forms.ChoiceField(
        label="Type",
        choices=[("", "Choose a type"), *Unit.Type.choices],
        error_messages={"required": "Choose the type of unit"},
    )
    parent = forms.TypedChoiceField(
        label="Part of (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The unit this one sits under, if any",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None: a top-level unit"), *units]


MAX_IMPORT_BYTES = 1_000_000


class StaffImportForm(GovukForm):
    file = forms.FileField(
        label="Staff file (CSV)",
        help_text="A CSV file of up to 1,000 people and 1 MB, with the columns below.",
        error_messages={
            "required": "Choose a CSV file to upload",
            "empty": "The file is empty. Choose a CSV file with the columns below.",
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file must be 1 MB or smaller")
        return upload
