"""Forms for the oversight pages: the figures' period and the force's response times. (The
return home interview form is shared with the episode pages: forms.ReturnInterviewForm.)"""

from collections.abc import Iterable
from typing import Any

from django import forms

from safeguard.cases.forms import CheckboxField
from safeguard.frontend.forms import GovukForm, set_choices
from safeguard.missing.rules import response

DEFAULT_MONTHS = 12
MONTHS_MIN = 3
MONTHS_MAX = 36
MONTHS_ERROR = f"Enter a number of months from {MONTHS_MIN} to {MONTHS_MAX}"


class FiguresForm(GovukForm):
    months = forms.IntegerField(
        label="Months to show",
        min_value=MONTHS_MIN,
        max_value=MONTHS_MAX,
        help_text=f"From {MONTHS_MIN} to {MONTHS_MAX}, ending with this month",
        error_messages={
            "required": MONTHS_ERROR,
            "invalid": MONTHS_ERROR,
            "min_value": MONTHS_ERROR,
            "max_value": MONTHS_ERROR,
        },
    )


def _setting(name: str, label: str) -> forms.IntegerField:
    """A response time; its range is checked by the rule (rules.response.policy_problems), so
    the service's message shows on the field, and the hint gives the default and the range."""
    low, high = response.POLICY_RANGES[name]
    default = getattr(response.ResponsePolicy(), name)
    message = f"Enter a whole number from {low} to {high}"
    return forms.IntegerField(
        label=label,
        help_text=f"Default {default}; {low} to {high}",
        error_messages={"required": message, "invalid": message},
    )


class MissingPolicyForm(GovukForm):
    attend_high_minutes = _setting(
        "attend_high_minutes", "High risk: an officer attends within (minutes of the report)"
    )
    attend_medium_minutes = _setting(
        "attend_medium_minutes", "Medium risk: an officer attends within (minutes)"
    )
    attend_low_minutes = _setting(
        "attend_low_minutes", "Low risk: an officer attends within (minutes)"
    )
    supervisor_review_high_minutes = _setting(
        "supervisor_review_high_minutes",
        "High risk: a supervisor reviews the grade within (minutes)",
    )
    supervisor_review_minutes = _setting(
        "supervisor_review_minutes", "Other grades: a supervisor reviews the grade within (minutes)"
    )
    inspector_informed_minutes = _setting(
        "inspector_informed_minutes",
        "High risk: the duty inspector is informed within (minutes)",
    )
    risk_review_high_hours = _setting(
        "risk_review_high_hours", "High risk: the risk is reviewed every (hours)"
    )
    risk_review_medium_hours = _setting(
        "risk_review_medium_hours", "Medium risk: the risk is reviewed every (hours)"
    )
    risk_review_low_hours = _setting(
        "risk_review_low_hours", "Low and no apparent risk: the risk is reviewed every (hours)"
    )
    prevention_interview_hours = _setting(
        "prevention_interview_hours", "Prevention interview within (hours of the return)"
    )
    repeat_threshold = _setting(
        "repeat_threshold", "Repeat missing: this many episodes raise an exploitation case"
    )
    repeat_window_days = _setting("repeat_window_days", "Repeat missing: counted within (days)")
    version = forms.IntegerField(widget=forms.HiddenInput)


class InterviewFilterForm(GovukForm):
    """The return home interview list's filter: status, only overdue, local authority."""

    status = forms.ChoiceField(
        label="Status",
        choices=[("all", "All"), ("open", "To do"), ("recorded", "Recorded")],
        widget=forms.RadioSelect,
        required=False,
    )
    overdue = CheckboxField(label="Overdue", text="Only overdue (offer not made by the due time)")
    local_authority = forms.TypedChoiceField(
        label="Local authority", coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, *args: Any, local_authorities: Iterable[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "local_authority", [("", "Any"), *local_authorities])
