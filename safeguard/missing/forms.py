"""Forms for a missing episode's pages: the report, grading, response, found and interviews."""

from typing import Any

from django import forms

from safeguard.cases.models import Case
from safeguard.frontend.forms import DateField, DateTimeField, GovukForm, set_choices, yes_no_field
from safeguard.missing.models import GRADE_CHOICES, MISSING_FROM_CHOICES
from safeguard.missing.rules.grading import INDICATOR_LABELS
from safeguard.missing.services import PLAN_KINDS

INDICATOR_CHOICES = [
    (i.value, label[0].upper() + label[1:]) for i, label in INDICATOR_LABELS.items()
]
GRADE_HELP = (
    "You may choose a higher grade than the one suggested. A lower grade needs a supervisor: "
    "ask them to grade it, or to review your grade."
)


def _text(label: str, rows: int = 3, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
        **kwargs,
    )


class ReportForm(GovukForm):
    source = forms.ChoiceField(label="How the report came in", choices=Case.Source.choices)
    reported_at = DateTimeField(
        label="Reported at",
        error_messages={"required": "Enter when the report was made"},
        error_name="The time of the report",
        past=True,
        after_birth=True,
    )
    reported_by = forms.CharField(
        label="Reported by",
        max_length=160,
        help_text="Name of the person who reported the child missing",
        error_messages={"required": "Enter who reported the child missing"},
    )
    reporter_relationship = forms.CharField(
        label="Their relationship to the child (optional)", max_length=80, required=False
    )
    missing_from = forms.ChoiceField(
        label="Missing from",
        choices=MISSING_FROM_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the child went missing from"},
    )
    placement_name = forms.CharField(
        label="Care placement (if missing from care)", max_length=160, required=False
    )
    local_authority = forms.TypedChoiceField(
        label="Responsible local authority",
        coerce=int,
        help_text="It offers the return home interview; for a child in care, the placing authority",
        error_messages={"required": "Select the responsible local authority"},
    )
    last_seen_at = DateTimeField(
        label="Last seen at",
        error_messages={"required": "Enter when the child was last seen"},
        error_name="The time the child was last seen",
        past=True,
        after_birth=True,
    )
    last_seen_place = forms.CharField(
        label="Where last seen",
        max_length=200,
        error_messages={"required": "Enter where the child was last seen"},
    )
    circumstances = _text("Circumstances", rows=4)
    description = _text("Description (clothing, appearance)", required=False)
    photo = forms.FileField(
        label="Photo (optional)",
        required=False,
        help_text="A JPEG, PNG or WebP image smaller than 5 MB",
    )
    health_needs = _text("Health needs (optional)", rows=2, required=False)
    medication = _text("Medication (optional)", rows=2, required=False)
    self_harm_risk = yes_no_field(
        "Is there a risk of self-harm or suicide?", "Select yes if there is a risk of self-harm"
    )
    urgent_health_need = yes_no_field(
        "Does the child urgently need medication or care?",
        "Select yes if the child urgently needs medication or care",
    )
    suspected_crime = yes_no_field(
        "Might the child be the victim of a crime?",
        "Select yes if the child might be the victim of a crime",
    )
    out_of_character = yes_no_field(
        "Is going missing out of character?", "Select yes if going missing is out of character"
    )
    indicators = forms.MultipleChoiceField(
        label="Exploitation indicators (select all that apply)",
        choices=INDICATOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    grade = forms.ChoiceField(
        label="Risk grade",
        choices=GRADE_CHOICES,
        widget=forms.RadioSelect,
        help_text=GRADE_HELP,
        required=False,
    )
    grade_rationale = _text("Rationale for the risk grade", required=False)

    def __init__(self, *args: Any, authorities: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "local_authority", [("", "Select")] + [(a.pk, a.name) for a in authorities]
        )


class GradeForm(GovukForm):
    grade = forms.ChoiceField(
        label="Risk grade",
        choices=GRADE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a risk grade"},
    )
    rationale = _text("Rationale", rows=4)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttendedForm(GovukForm):
    attended_at = DateTimeField(
        label="Attended at",
        error_messages={"required": "Enter when an officer attended"},
        error_name="The time an officer attended",
        past=True,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskReviewForm(GovukForm):
    note = _text("What was reviewed and found", rows=5)


class PlanForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of enquiry",
        choices=list(PLAN_KINDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of enquiry"},
    )
    detail = forms.CharField(
        label="What is to be done",
        max_length=180,
        error_messages={"required": "Enter what is to be done"},
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    due_on = DateField(
        label="Due by", error_messages={"required": "Enter a due date"}, error_name="The due date"
    )

    def __init__(self, *args: Any, owners: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", [(o.pk, o.display_name) for o in owners])


class FoundForm(GovukForm):
    found_at = DateTimeField(
        label="Found or returned at",
        error_messages={"required": "Enter when the child was found"},
        error_name="The time the child was found",
        past=True,
        after_birth=True,
    )
    found_place = forms.CharField(
        label="Where",
        max_length=200,
        error_messages={"required": "Enter where the child was found"},
    )
    found_by = forms.CharField(
        label="Found by",
        max_length=160,
        help_text="Or say that the child returned by themselves",
        error_messages={"required": "Enter who found the child"},
    )
    condition = _text("The child's condition")
    version = forms.IntegerField(widget=forms.HiddenInput)


class PreventionForm(GovukForm):
    conducted_at = DateTimeField(
        label="Interview held at",
        error_messages={"required": "Enter when the interview was held"},
        error_name="The time of the interview",
        past=True,
    )
    spoken_to_alone = yes_no_field(
        "Was the child spoken to alone?", "Select yes if the child was spoken to alone"
    )
    harm_suffered = _text("Harm suffered", help_text="Say none if none")
    offences = _text("Offences (by or against the child)", required=False)
    why_went = _text("Why the child went, in their words")
    indicators = forms.MultipleChoiceField(
        label="Exploitation indicators found (select all that apply)",
        choices=INDICATOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = _text("Other notes", required=False)


class ReturnInterviewForm(GovukForm):
    offered_at = DateTimeField(
        label="Interview offered at",
        error_messages={"required": "Enter when the interview was offered"},
        error_name="The time the interview was offered",
        past=True,
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            ("completed", "Interview completed"),
            ("declined", "Offered, and the child declined"),
            ("not_possible", "Could not be offered"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the return home interview"},
    )
    interview_at = DateTimeField(
        label="Interview held at (if completed)",
        required=False,
        error_name="The time of the interview",
        past=True,
    )
    interviewer = forms.CharField(label="Interviewer (optional)", max_length=160, required=False)
    summary = _text("Summary (optional)", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PhotoForm(GovukForm):
    photo = forms.FileField(
        label="Photo",
        help_text="A JPEG, PNG or WebP image smaller than 5 MB",
        error_messages={"required": "Select a photo", "empty": "The selected photo is empty"},
    )
