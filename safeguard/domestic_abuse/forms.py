"""Forms for the domestic abuse pages: the incident with a section per child, DASH, the
secondary assessment, assigning an incident and the capacity threshold."""

from dataclasses import dataclass
from typing import Any

from django import forms

from safeguard.domestic_abuse.models import DASH_GRADES, Incident, IncidentChild
from safeguard.domestic_abuse.rules import policy as da_policy
from safeguard.domestic_abuse.rules.dash import (
    ANSWER_LABELS,
    QUESTIONS,
    Answer,
    DashGrade,
    dash_band,
    dash_score,
)
from safeguard.domestic_abuse.rules.forecast import threshold_problems
from safeguard.frontend.forms import DateTimeField, GovukForm, set_choices, yes_no_field
from safeguard.people.models import Person

# Sections for children who are not linked to the victim on record, found by a people search.
EXTRA_CHILD_SLOTS = 2
SUSPECT_OTHER = "other"
SUSPECT_NONE = "none"


def _text(label: str, rows: int = 3, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
        **kwargs,
    )


def _optional_yes_no(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    # Required only for a child who is in the incident: IncidentForm.clean checks.
    return yes_no_field(label, "", required=False, empty_value=None, **kwargs)


@dataclass(frozen=True)
class ChildSection:
    """One child's part of the incident form: a child linked to the victim, or a blank one."""

    index: int
    person: Person | None  # None: the officer enters the child's record number

    @property
    def prefix(self) -> str:
        return f"child{self.index}_"

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else "another child"


class IncidentForm(GovukForm):
    attended_at = DateTimeField(
        label="When the police attended",
        error_messages={"required": "Enter when the police attended"},
        # The service refuses a time in the future ("must be now or in the past"), alongside
        # its other checks, so all are shown at once (docs/forms.md).
        error_name="The time of attendance",
    )
    place = forms.CharField(
        label="Where the police attended",
        max_length=200,
        help_text="The address or place",
        error_messages={"required": "Enter where the police attended"},
    )
    suspect = forms.ChoiceField(
        label="Who is the suspect?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the suspect, or that none is identified"},
    )
    suspect_record = forms.IntegerField(
        label="Suspect record number (if another person)",
        required=False,
        min_value=1,
        help_text="From a people search: the number under the person's name",
        error_messages={"invalid": "Enter the suspect's record number as a number"},
    )
    relationship = forms.ChoiceField(
        label="The suspect's relationship to the victim",
        choices=Incident.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the relationship between them"},
    )
    account = _text("Your account of the incident", rows=6)

    MAIN_FIELDS = ("attended_at", "place", "suspect", "suspect_record", "relationship", "account")

    def __init__(
        self,
        *args: Any,
        adults: Any = (),
        children: Any = (),
        extra: int = EXTRA_CHILD_SLOTS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "suspect",
            [(str(p.pk), p.full_name) for p in adults]
            + [
                (SUSPECT_OTHER, "Another person: enter their record number"),
                (SUSPECT_NONE, "No suspect identified"),
            ],
        )
        self.child_sections = [ChildSection(i, p) for i, p in enumerate(children)] + [
            ChildSection(len(children) + i, None) for i in range(extra)
        ]
        for section in self.child_sections:
            self._add_child_fields(section)

    def _add_child_fields(self, section: ChildSection) -> None:
        p, person = section.prefix, section.person
        fields = self.fields
        if person is not None:
            fields[p + "id"] = forms.IntegerField(widget=forms.HiddenInput, initial=person.pk)
            fields[p + "include"] = _optional_yes_no(
                f"Is {person.full_name} one of the children in the household?"
            )
        else:
            fields[p + "id"] = forms.IntegerField(
                label="Record number of another child (optional)",
                required=False,
                min_value=1,
                help_text="From a people search. Leave blank if there is no other child.",
                error_messages={"invalid": "Enter the child's record number as a number"},
            )
        who = person.full_name if person else "the child"
        fields[p + "present"] = _optional_yes_no(f"Was {who} present?")
        fields[p + "where"] = forms.CharField(
            label=f"Where {who} was (optional)", max_length=200, required=False
        )
        fields[p + "related_to"] = forms.ChoiceField(
            label=f"Which adult is {who} related to?",
            choices=IncidentChild.RelatedTo.choices,
            widget=forms.RadioSelect,
            required=False,
        )
        fields[p + "school_urn"] = forms.CharField(
            label=f"School URN of {who} (optional)",
            max_length=8,
            required=False,
            initial=person.school_urn if person else "",
            help_text="Leave blank to use the school on the child record",
        )
        fields[p + "home_educated"] = _optional_yes_no(f"Is {who} educated at home?", initial="no")
        fields[p + "spoken_to"] = _optional_yes_no(
            f"Did you speak to {who}?", help_text="If present"
        )
        fields[p + "spoken_to_alone"] = _optional_yes_no(
            f"Did you speak to {who} alone?", help_text="If you spoke to them"
        )
        fields[p + "child_said"] = _text(f"What {who} said (if you spoke to them)", required=False)
        fields[p + "not_spoken_reason"] = _text(
            f"Why you did not speak to {who} (if present and not spoken to)", required=False
        )
        fields[p + "demeanour"] = _text(f"How {who} seemed (if present)", required=False)

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN_FIELDS]

    def sections(self) -> list[tuple[ChildSection, list[forms.BoundField]]]:
        return [
            (s, [self[name] for name in self.fields if name.startswith(s.prefix)])
            for s in self.child_sections
        ]

    def _included(self, section: ChildSection, data: dict[str, Any]) -> bool:
        p = section.prefix
        if section.person is not None:
            return bool(data.get(p + "include"))
        return data.get(p + "id") is not None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("suspect") == SUSPECT_OTHER and data.get("suspect_record") is None:
            self.add_error("suspect_record", "Enter the suspect's record number")
        for section in self.child_sections:
            p, name = section.prefix, section.name
            if section.person is not None and data.get(p + "include") is None:
                self.add_error(p + "include", f"Select yes if {name} is in the household")
            if not self._included(section, data):
                continue
            if data.get(p + "present") is None:
                self.add_error(p + "present", f"Select yes if {name} was present")
            if not data.get(p + "related_to"):
                self.add_error(p + "related_to", f"Select which adult {name} is related to")
            if data.get(p + "present") and data.get(p + "spoken_to") is None:
                self.add_error(p + "spoken_to", f"Select yes if you spoke to {name}")
            if data.get(p + "spoken_to") and data.get(p + "spoken_to_alone") is None:
                self.add_error(p + "spoken_to_alone", f"Select yes if you spoke to {name} alone")
            # The voice of the child (Working Together 2023): seen, heard, or why not.
            if data.get(p + "present") and not (data.get(p + "demeanour") or "").strip():
                self.add_error(p + "demeanour", f"Enter how {name} seemed")
            if data.get(p + "spoken_to") and not (data.get(p + "child_said") or "").strip():
                self.add_error(p + "child_said", f"Enter what {name} said")
            if (
                data.get(p + "present")
                and data.get(p + "spoken_to") is False
                and not (data.get(p + "not_spoken_reason") or "").strip()
            ):
                self.add_error(p + "not_spoken_reason", f"Enter why you did not speak to {name}")
        return data

    def suspect_id(self) -> int | None:
        chosen = self.cleaned_data["suspect"]
        if chosen == SUSPECT_NONE:
            return None
        if chosen == SUSPECT_OTHER:
            return int(self.cleaned_data["suspect_record"])
        return int(chosen)

    def children(self) -> list[dict[str, Any]]:
        """Each included child's answers, with the section prefix taken off."""
        data = self.cleaned_data
        return [
            {
                name.removeprefix(s.prefix): value
                for name, value in data.items()
                if name.startswith(s.prefix)
            }
            for s in self.child_sections
            if self._included(s, data)
        ]


ANSWER_CHOICES = [(a.value, ANSWER_LABELS[a]) for a in Answer]
GRADE_CHOICES = [(g.value, g.label) for g in DashGrade]


class DashForm(GovukForm):
    """The 27 questions (each optional here: the service names any unanswered one), the grade,
    the rationale and the MARAC referral on professional judgement."""

    grade = forms.ChoiceField(
        label="Risk grade",
        choices=GRADE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="Professional judgement can raise the grade the score makes, never lower it.",
    )
    rationale = _text("Rationale (needed if you raise the grade)", required=False, max_length=4000)
    judgement_referral = _optional_yes_no(
        "Refer to the MARAC on professional judgement?",
        help_text="Whatever the score. The other routes refer on their own when they apply.",
    )
    judgement_reason = _text(
        "Why you refer on professional judgement (if you do)", required=False, max_length=4000
    )

    def __init__(self, *args: Any, saving: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saving = saving
        questions = {
            f"q{n}": forms.ChoiceField(
                label=f"{n}. {text}",
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            for n, text in enumerate(QUESTIONS, start=1)
        }
        # The questions first, then the grade and referral.
        self.fields = {**questions, **self.fields}
        first = self["q1"]
        self.error_anchor = f"{first.auto_id}_0"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.saving and data.get("judgement_referral") is None:
            self.add_error(
                "judgement_referral",
                "Select yes if you refer to the MARAC on professional judgement",
            )
        return data

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{n}"] for n in range(1, len(QUESTIONS) + 1)]

    def decision_fields(self) -> list[forms.BoundField]:
        return [
            self[name] for name in ("grade", "rationale", "judgement_referral", "judgement_reason")
        ]

    def answers(self) -> dict[int, str]:
        return {
            n: value
            for n in range(1, len(QUESTIONS) + 1)
            if (value := self.cleaned_data.get(f"q{n}"))
        }

    def calculation(self) -> dict[str, Any]:
        """The score and band of the answers so far, without saving (docs/rules.md 3.1)."""
        answers = {n: Answer(v) for n, v in self.answers().items()}
        score = dash_score(answers)
        return {
            "score": score,
            "band": dash_band(score).label,
            "answered": len(answers),
            "unanswered": len(QUESTIONS) - len(answers),
        }


class TriageCompleteForm(GovukForm):
    grade = forms.ChoiceField(
        label="Risk grade after the secondary assessment",
        choices=DASH_GRADES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk grade"},
    )
    notes = _text("The secondary assessment", rows=6, max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageAssignForm(GovukForm):
    user = forms.TypedChoiceField(
        label="Give the incident to",
        coerce=int,
        error_messages={"required": "Select a member of the triage unit"},
    )

    def __init__(self, *args: Any, staff: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "user", [("", "Select")] + [(u.pk, u.display_name) for u in staff])


class CapacityForm(GovukForm):
    threshold = forms.IntegerField(
        label="Warn when the backlog reaches",
        help_text="A number of cases",
        error_messages={
            "required": "Enter a threshold",
            "invalid": "Enter the threshold as a whole number of cases",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )

    def clean_threshold(self) -> int:
        threshold = int(self.cleaned_data["threshold"])
        for _, message in threshold_problems(threshold):
            raise forms.ValidationError(message)
        return threshold


# Force policy: the domestic abuse times (docs/rules.md 3.4) --------------------------------


def _setting(name: str, label: str) -> forms.IntegerField:
    """A time; its range is checked by the rule (rules.policy.policy_problems), so the
    service's message shows on the field, and the hint gives the default and the range."""
    low, high = da_policy.POLICY_RANGES[name]
    default = getattr(da_policy.DaPolicy(), name)
    message = da_policy.range_message(name)
    return forms.IntegerField(
        label=label,
        help_text=f"Default {default}; {low} to {high}",
        error_messages={"required": message, "invalid": message},
    )


class DaPolicyForm(GovukForm):
    dash_hours = _setting(
        "dash_hours", "DASH risk assessment completed within (hours of the attendance)"
    )
    triage_high_hours = _setting(
        "triage_high_hours", "High risk, or not yet graded: triage within (hours)"
    )
    triage_medium_working_days = _setting(
        "triage_medium_working_days", "Medium risk: triage within (working days)"
    )
    triage_standard_working_days = _setting(
        "triage_standard_working_days", "Standard risk: triage within (working days)"
    )
    marac_referral_working_days = _setting(
        "marac_referral_working_days",
        "MARAC referral sent within (working days of the decision to refer)",
    )
    escalation_incidents = forms.TypedChoiceField(
        label="Potential escalation: incidents with the same victim in 12 months",
        choices=[(n, f"{n} incidents") for n in da_policy.ESCALATION_CHOICES],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=f"SafeLives: 3 or more (some areas use 5); default "
        f"{da_policy.DEFAULT_ESCALATION_INCIDENTS}",
        error_messages={
            "required": da_policy.ESCALATION_CHOICE,
            "invalid_choice": da_policy.ESCALATION_CHOICE,
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
