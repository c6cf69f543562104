"""Forms for case pages: shape only; the rules live in services and rules/."""

from collections.abc import Iterable
from typing import Any

from django import forms

from safeguard.accounts.models import Unit, User
from safeguard.cases.models import Case, Involvement
from safeguard.cases.rules.record_keeping import REFERRAL_IN_FUTURE, SEEN_IN_FUTURE
from safeguard.cases.rules.referral import REASON_MAX, ReferralDecision
from safeguard.cases.selectors import SORT_LABELS
from safeguard.frontend.forms import (
    DateField,
    DateTimeField,
    GovukForm,
    refuse_before_birth,
    set_choices,
    yes_no_field,
)
from safeguard.people.forms import NewPersonForm
from safeguard.people.models import Person

ANY = [("", "Any")]


class CheckboxField(forms.MultipleChoiceField):
    """One GOV.UK checkbox (drawn by the renderer's checkboxes markup) that cleans to a bool:
    ticked sends `name=1`."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, label: str, text: str, **kwargs: Any) -> None:
        super().__init__(label=label, choices=[("1", text)], required=False, **kwargs)

    def clean(self, value: Any) -> bool:  # type: ignore[override]
        return "1" in (super().clean(value) or [])


class CaseFilterForm(GovukForm):
    reference = forms.CharField(label="Reference", required=False, max_length=20)
    case_type = forms.ChoiceField(label="Type", choices=ANY + Case.Type.choices, required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[])
    risk_grade = forms.ChoiceField(
        label="Risk grade", choices=ANY + Case.Grade.choices, required=False
    )
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    overdue = CheckboxField(label="Overdue", text="Only overdue (review or action)")
    sort = forms.ChoiceField(label="Sort by", choices=list(SORT_LABELS.items()), required=False)

    def __init__(
        self,
        *args: Any,
        units: Iterable[Unit] = (),
        owners: Iterable[User] = (),
        statuses: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", ANY + [(u.pk, u.name) for u in units])
        set_choices(self, "owner", ANY + [(o.pk, o.display_name) for o in owners])
        set_choices(self, "status", ANY + list(statuses))


class CaseForm(GovukForm):
    case_type = forms.ChoiceField(label="Type of case", choices=Case.Type.choices)
    source = forms.ChoiceField(label="Where the referral came from", choices=Case.Source.choices)
    received_at = DateTimeField(
        label="Referral received",
        error_name="The date the referral was received",
        past=True,
        error_messages={"future": REFERRAL_IN_FUTURE},
    )
    unit = forms.TypedChoiceField(label="Unit", coerce=int)
    risk_grade = forms.ChoiceField(
        label="Risk grade",
        choices=Case.Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a risk grade"},
    )
    risk_rationale = forms.CharField(
        label="Why this risk grade", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    summary = forms.CharField(
        label="Summary of the concern", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", [(u.pk, u.name) for u in units])


class NewCaseForm(CaseForm, NewPersonForm):
    """A case for a child: the case, and the child, found or recorded new."""

    field_order = [
        "given_names",
        "family_name",
        "date_of_birth",
        "estimated_age",
        "gender",
        "ethnicity",
        "school_urn",
        "line1",
        "town",
        "postcode",
        "case_type",
        "source",
        "received_at",
        "unit",
        "risk_grade",
        "risk_rationale",
        "summary",
    ]
    # A child's estimated age is a child's (Children Act 1989 s105: under 18).
    estimated_age = forms.IntegerField(
        label="Estimated age in years",
        required=False,
        min_value=0,
        max_value=17,
        help_text="Only if the date of birth is not known",
        error_messages={
            "invalid": "Estimated age must be a whole number of years",
            "min_value": "Estimated age must be between 0 and 17",
            "max_value": "Estimated age must be between 0 and 17",
        },
    )
    # The existing record chosen after the duplicate check.
    existing_child = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CaseEditForm(GovukForm):
    case_type = forms.ChoiceField(label="Type of case", choices=Case.Type.choices)
    risk_grade = forms.ChoiceField(
        label="Risk grade",
        choices=Case.Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a risk grade"},
    )
    risk_rationale = forms.CharField(
        label="Why this risk grade", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    summary = forms.CharField(
        label="Summary of the concern", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddPersonForm(GovukForm):
    person = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="Part in the case", choices=Involvement.Role.choices)


class DecisionForm(GovukForm):
    decision = forms.CharField(
        label="Decision", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Why: the information you had and the risks you weighed",
    )
    supersedes = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NoteForm(GovukForm):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 6}), required=False)


class ActionForm(GovukForm):
    title = forms.CharField(label="What needs to be done", max_length=200, required=False)
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    due_on = DateField(label="Due by", error_name="The due date")

    def __init__(self, *args: Any, owners: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", [(o.pk, o.display_name) for o in owners])


class VoiceForm(GovukForm):
    child = forms.TypedChoiceField(label="Child", coerce=int)
    seen = yes_no_field("Was the child seen?", "Select yes if the child was seen")
    seen_at = DateTimeField(
        label="When were they seen?",
        required=False,
        error_name="The date the child was seen",
        past=True,
        error_messages={"future": SEEN_IN_FUTURE},
    )
    spoken_to = yes_no_field("Was the child spoken to?", "Select yes if the child was spoken to")
    spoken_to_alone = yes_no_field(
        "Were they spoken to alone?", "Select yes if they were spoken to alone", required=False
    )
    child_said = forms.CharField(
        label="What did the child say?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="In their words where you can, or how they communicated",
    )
    demeanour = forms.CharField(
        label="How did the child seem?", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    not_seen_reason = forms.CharField(
        label="If the child was not seen or not spoken to, why not?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, children: Iterable[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "child", [(c.pk, c.full_name) for c in children])
        self.children_by_id = {c.pk: c for c in children}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        child = data.get("child")
        refuse_before_birth(self, "seen_at", self.children_by_id.get(child) if child else None)
        return data


class TriageForm(GovukForm):
    """Mark as triaged: the referral decision and its reason (docs/rules.md 5.1)."""

    decision = forms.ChoiceField(
        label="Referral decision",
        choices=[(d.value, d.label) for d in ReferralDecision],
        widget=forms.RadioSelect,
        required=False,
        help_text="What happens next for the child (Working Together 2023)",
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=f"The information you had and the risks you weighed; up to {REASON_MAX:,} "
        "characters",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
