"""Forms for the schools directory pages: the GIAS upload, the search, a key adult, the start
time. They check shape only; the services check the rest."""

from django import forms

from safeguard.frontend.forms import GovukForm
from safeguard.partners.models import KeyAdult

# A full GIAS extract of every establishment in England is about 60 MB.
GIAS_MAX_BYTES = 150 * 1024 * 1024


class GiasUploadForm(GovukForm):
    file = forms.FileField(
        label="GIAS establishment fields CSV",
        help_text=(
            "The CSV from Get Information about Schools (establishment fields), saved as it "
            "was downloaded. Windows-1252 and UTF-8 are both accepted."
        ),
        error_messages={
            "required": "Select the GIAS CSV file",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > GIAS_MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 150 MB")
        return upload


class SchoolSearchForm(GovukForm):
    q = forms.CharField(label="Name, URN or postcode", max_length=200, required=False, strip=True)
    la = forms.CharField(
        label="Local authority",
        help_text="Its name or code",
        max_length=120,
        required=False,
        strip=True,
    )


class KeyAdultForm(GovukForm):
    name = forms.CharField(
        label="Full name",
        max_length=160,
        error_messages={"required": "Enter the key adult's name"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=KeyAdult.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they are the DSL or a deputy"},
    )
    secure_email = forms.CharField(
        label="Secure email address",
        max_length=254,
        help_text="A secure address such as name@school.gov.uk or name@school.cjsm.net",
        error_messages={"required": "Enter the key adult's secure email address"},
    )
    username = forms.CharField(
        label="Partner sign-in username (optional)",
        help_text="Their Safeguard username, if they have one, so they can read notifications",
        max_length=150,
        required=False,
    )


class StartTimeForm(GovukForm):
    day_starts_at = forms.TimeField(
        label="The school day starts at",
        help_text="24-hour time, for example 08:45",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time the school day starts",
            "invalid": "Enter the time the school day starts, like 08:45",
        },
    )
