"""The project's form renderer: Django forms drawn with GOV.UK Frontend markup and errors."""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.PasswordInput: "govuk-input govuk-password-input__input",
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
    # Where the error summary links a form-wide error to: the first field.
    error_anchor = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = next(iter(self.fields), None)
        if first is not None:
            self.error_anchor = self[first].id_for_label
