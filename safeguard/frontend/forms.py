"""The project's form renderer: Django forms drawn with GOV.UK Frontend markup and errors."""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, QueryDict

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.PasswordInput: "govuk-input govuk-password-input__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


class GovukBoundField(forms.BoundField):
    """Adds the GOV.UK class, the error modifier and aria-describedby to each widget."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return attrs
        css = next(
            (cls for kind, cls in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
            "govuk-input",
        )
        if self.errors:
            css += " govuk-input--error" if "input" in css else f" {css}--error"
        attrs["class"] = f"{css} {attrs.get('class', '')}".strip()
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class GovukForm(forms.Form):
    bound_field_class = GovukBoundField
    # Where the error summary links a form-wide error to: the first visible field.
    error_anchor = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = next((name for name, f in self.fields.items() if not f.widget.is_hidden), None)
        if first is not None:
            field = self[first]
            # A radio group's label has no target; its first option does.
            self.error_anchor = field.id_for_label or f"{field.auto_id}_0"


def show_domain_error(form: forms.Form, error: Any) -> None:
    """Put a DomainError's messages on the form: each on its field, the rest at the top."""
    placed = False
    for name, message in error.fields.items():
        if not isinstance(message, str):
            continue
        form.add_error(name if name in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no_field(label: str, required_message: str, **kwargs: Any) -> forms.TypedChoiceField:
    """A GOV.UK yes/no radios question that cleans to a bool."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
        **kwargs,
    )


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """Fill a choice field's options at run time (units, colleagues, children of a case)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def form_data(request: HttpRequest) -> QueryDict | None:
    """The data to bind a form to: the POST body on a POST (even an empty one), else None."""
    return request.POST if request.method == "POST" else None
