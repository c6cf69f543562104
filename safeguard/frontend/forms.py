"""The project's form renderer: Django forms drawn with GOV.UK Frontend markup and errors.

Every GovukForm reports all its errors at once, each naming its field (docs/forms.md): the
defaults Django would show ("This field is required.") are replaced by GOV.UK wording made
from the field's label, every free-text field has a length limit (said in the hint of a long
text), and the date fields are the GOV.UK date input."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.http import HttpRequest, QueryDict
from django.utils import timezone

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.PasswordInput: "govuk-input govuk-password-input__input",
    forms.FileInput: "govuk-file-upload",
}

# Text limits (docs/forms.md lists them). A field may set its own `max_length`; a field with
# none gets the default for its widget.
NAME_MAX = 100  # a person's names, a place name
REFERENCE_MAX = 50  # a reference, a record number, a URN, a postcode
SHORT_TEXT_MAX = 500  # one line of text
LONG_TEXT_MAX = 10_000  # an account, a narrative, a rationale, a note
# Whole numbers a database integer column can hold: a larger one is a field error, not a 500.
INTEGER_MAX = 2**31 - 1

_OPTIONAL = re.compile(r"\s*\((?:optional|if [^)]*)\)\s*", re.IGNORECASE)
_LEADING_WORDS = ("the ", "a ", "an ", "your ", "their ", "who ", "what ", "which ", "how ")


def subject_of(label: str) -> str:
    """The words that name a field in its error messages: its label without "(optional)", a
    trailing "?" or ":", with a capital first letter."""
    words = _OPTIONAL.sub(" ", label).strip().rstrip("?:").strip()
    return words[:1].upper() + words[1:]


def lower_first(words: str) -> str:
    """'The due date' -> 'the due date'; an acronym ('URN', 'DASH') keeps its capitals."""
    if words[:2].isupper():
        return words
    return words[:1].lower() + words[1:]


def _object_of(subject: str) -> str:
    """'Note' -> 'the note', 'Your account' stays: what follows "Enter" or "Select"."""
    text = lower_first(subject)
    return text if text.lower().startswith(_LEADING_WORDS) else f"the {text}"


def _is_default(field: forms.Field, code: str) -> bool:
    message = field.error_messages.get(code)
    for klass in type(field).__mro__:
        default = getattr(klass, "default_error_messages", {}).get(code)
        if default is not None:
            return str(message) == str(default)
    return message is None


def govuk_messages(name: str, field: forms.Field) -> None:
    """Replace Django's default messages by ones that name the field; add length limits."""
    if isinstance(field, _DateParts):
        return
    label = getattr(field, "error_name", "") or str(field.label or pretty_name(name))
    subject = subject_of(label)
    question = label.strip().endswith("?")
    messages = field.error_messages
    if isinstance(field, forms.IntegerField) and field.max_value is None:
        field.max_value = INTEGER_MAX
        field.validators.append(validators.MaxValueValidator(INTEGER_MAX))
    if field.widget.is_hidden:
        if _is_default(field, "required") or _is_default(field, "invalid"):
            messages["required"] = messages["invalid"] = (
                "The form was incomplete or out of date: open the page again and retry"
            )
        return
    choosing = isinstance(field, forms.ChoiceField | forms.BooleanField)
    if _is_default(field, "required"):
        if question:
            messages["required"] = f"Answer the question: {label.strip()}"
        else:
            verb = "Select" if choosing else "Enter"
            messages["required"] = f"{verb} {_object_of(subject)}"
    if isinstance(field, forms.ChoiceField) and _is_default(field, "invalid_choice"):
        messages["invalid_choice"] = f"Choose {_object_of(subject)} from the list"
    if isinstance(field, forms.CharField) and not isinstance(field, forms.RegexField):
        _limit_text(field)
        if "max_length" not in messages:
            messages["max_length"] = f"{subject} must be {field.max_length:,} characters or fewer"
    if isinstance(field, forms.IntegerField):
        low, high = field.min_value, field.max_value
        if _is_default(field, "invalid"):
            messages["invalid"] = f"{subject} must be a whole number"
        between = f"{subject} must be between {low} and {high}" if low is not None else ""
        if "min_value" not in messages and low is not None:
            messages["min_value"] = between
        if "max_value" not in messages:
            messages["max_value"] = between or f"{subject} must be {high} or fewer"


def _limit_text(field: forms.CharField) -> None:
    if field.max_length is None:
        textarea = isinstance(field.widget, forms.Textarea)
        field.max_length = LONG_TEXT_MAX if textarea else SHORT_TEXT_MAX
        field.validators.append(validators.MaxLengthValidator(field.max_length))


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


class GovukBoundField(forms.BoundField):
    """Adds the GOV.UK class, the error modifier and aria-describedby to each widget."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # No maxlength attribute: a browser would cut a long paste short without a word; the
        # field's error says the limit instead (GOV.UK character count guidance).
        attrs.pop("maxlength", None)
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return attrs
        if isinstance(widget, GovukDateInput):
            attrs["error_parts"] = self.error_parts  # type: ignore[assignment]
            return attrs
        css = next(
            (cls for kind, cls in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
            "govuk-input",
        )
        if self.errors:
            css += " govuk-input--error" if "input" in css else f" {css}--error"
        if self.is_long_text:
            css += " govuk-js-character-count"
        attrs["class"] = f"{css} {attrs.get('class', '')}".strip()
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.is_long_text:
            described_by.append(f"{self.auto_id}-info")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs

    @property
    def is_date_input(self) -> bool:
        return isinstance(self.field.widget, GovukDateInput)

    @property
    def is_long_text(self) -> bool:
        return isinstance(self.field.widget, forms.Textarea) and bool(
            getattr(self.field, "max_length", None)
        )

    @property
    def limit_text(self) -> str:
        return f"{getattr(self.field, 'max_length', 0) or 0:,}"

    @property
    def error_parts(self) -> tuple[str, ...]:
        """The parts of a date input to mark as wrong: those its errors name, else all."""
        widget = self.field.widget
        parts: list[str] = []
        for error in self.errors.as_data():
            named = (error.params or {}).get("parts") if isinstance(error.params, dict) else None
            parts.extend(named or widget.parts)
        return tuple(p for p in widget.parts if p in parts)

    @property
    def anchor_id(self) -> str:
        """The id an error summary link points at: the input itself, a group's first option,
        the first wrong part of a date (its day if every part is wrong)."""
        widget = self.field.widget
        if widget.is_hidden:
            return str(getattr(self.form, "error_anchor", "") or self.auto_id)
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{self.auto_id}_0"
        if isinstance(widget, GovukDateInput):
            parts = self.error_parts or widget.parts
            return f"{self.auto_id}_{parts[0]}"
        return str(self.id_for_label)


class GovukForm(forms.Form):
    bound_field_class = GovukBoundField

    def __init__(self, *args: Any, about_child: Any = None, **kwargs: Any) -> None:
        self._about_child = about_child
        self._govuk_done: set[str] = set()
        self._error_anchor = ""
        super().__init__(*args, **kwargs)

    def _govuk_fields(self) -> None:
        """GOV.UK messages and limits for every field, those a subclass adds later too."""
        for name, field in self.fields.items():
            if name in self._govuk_done:
                continue
            self._govuk_done.add(name)
            govuk_messages(name, field)
            if isinstance(field, _DateParts) and self._about_child is not None:
                field.born_on = getattr(self._about_child, "date_of_birth", None)
                field.child_name = getattr(self._about_child, "full_name", "") or "the child"

    def __getitem__(self, name: str) -> forms.BoundField:
        self._govuk_fields()
        return super().__getitem__(name)

    def full_clean(self) -> None:
        self._govuk_fields()
        super().full_clean()

    @property
    def error_anchor(self) -> str:
        """Where the error summary links a form-wide error to: the first visible field."""
        if self._error_anchor:
            return self._error_anchor
        first = next((name for name, f in self.fields.items() if not f.widget.is_hidden), None)
        return str(getattr(self[first], "anchor_id", "")) if first is not None else ""

    @error_anchor.setter
    def error_anchor(self, value: str) -> None:
        self._error_anchor = value


def show_domain_error(form: forms.Form, error: Any) -> None:
    """Put a DomainError's messages on the form: each on its field, the rest at the top."""
    placed = False
    for name, message in error.fields.items():
        messages = [message] if isinstance(message, str) else message
        if not isinstance(messages, list | tuple):
            continue
        for text in messages:
            if isinstance(text, str):
                form.add_error(name if name in form.fields else None, text)
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


# --------------------------------------------------------------------------------------------
# Dates: the GOV.UK date input (day, month, year), and a date-time as a date input plus a time.
# docs/forms.md says what each message means and which limits each field has.
# --------------------------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
DATE_PARTS = ("day", "month", "year")
DATETIME_PARTS = (*DATE_PARTS, "time")
EARLIEST_YEAR = 1900
# An event recorded "now" may be typed a few minutes ahead of the server's clock.
FUTURE_TOLERANCE = timedelta(minutes=10)
# A date that may be in the future (a due date, a next review) is at most this far ahead.
DEFAULT_YEARS_AHEAD = 2
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        date(2000, number, 1).strftime("%B").lower(),
        date(2000, number, 1).strftime("%b").lower(),
    )
}
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date-input component: day, month and year text boxes (and a time box for a
    date-time), named `<name>_day` ... and with ids `id_<name>_day` ..., so an error summary
    link lands on the box with the problem. A single ISO value under the field's own name
    (`2026-03-04`, `2026-03-04T14:30`) is read too, for scripts and tests."""

    template_name = "frontend/forms/date_input.html"
    parts: tuple[str, ...] = DATE_PARTS
    _widths = {"day": 2, "month": 2, "year": 4, "time": 4}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={"inputmode": "numeric"} if part != "month" and part != "time" else {}
            )
            for part in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime):
            local = value.astimezone(LONDON) if timezone.is_aware(value) else value
            parts = [local.day, local.month, local.year, f"{local:%H:%M}"]
            return parts[: len(self.parts)]
        if isinstance(value, date):
            return [value.day, value.month, value.year][: len(self.parts)]
        return [None] * len(self.parts)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data and all(f"{name}_{part}" not in data for part in self.parts):
            return self._split(str(data.get(name) or ""))
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def _split(self, text: str) -> list[str]:
        day_text, _, time_text = text.strip().replace("T", " ").partition(" ")
        bits = day_text.split("-")
        if len(bits) != 3:
            # Not a date at all: every part is wrong ("must be a real date").
            return [text] * len(self.parts)
        year, month, day = bits
        return [day, month, year, time_text[:5]][: len(self.parts)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        error_parts = attrs.pop("error_parts", ())
        attrs.pop("class", None)
        attrs.pop("aria-describedby", None)
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id") or f"id_{name}"
        for part, sub in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            sub["attrs"]["id"] = f"{id_}_{part}"
            css = f"govuk-input govuk-date-input__input govuk-input--width-{self._widths[part]}"
            if part in error_parts:
                css += " govuk-input--error"
            sub["attrs"]["class"] = css
            sub["part"] = part
            sub["label"] = part.capitalize()
        context["widget"]["id"] = id_
        return context


class GovukDateTimeInput(GovukDateInput):
    parts = DATETIME_PARTS


class _DateParts(forms.MultiValueField):
    """What the date fields share: parse the parts, and refuse impossible dates with a
    message that says why, naming the parts with the problem (`params["parts"]`)."""

    parts: tuple[str, ...] = DATE_PARTS
    default_error_messages = {
        "required": "Enter %(name_lower)s",
        "incomplete": "%(name)s must include a %(missing)s",
        "invalid": "%(name)s must be a real date",
        "year": "%(name)s must include a year of 4 numbers, for example %(this_year)s",
        "too_early": "%(name)s must be in or after %(earliest)s",
        "future": "%(name)s must be today or in the past",
        "too_late": "%(name)s must be before %(latest)s",
        "before_birth": "%(name)s must be on or after %(child)s's date of birth (%(born)s)",
    }

    def __init__(
        self,
        *,
        error_name: str = "",
        past: bool = False,
        after_birth: bool = False,
        years_ahead: int = DEFAULT_YEARS_AHEAD,
        **kwargs: Any,
    ) -> None:
        self.error_name = error_name
        self.past = past
        self.after_birth = after_birth
        self.years_ahead = years_ahead
        kwargs.pop("input_formats", None)
        kwargs.setdefault("widget", self.widget_class())
        fields = tuple(forms.CharField(required=False) for _ in self.parts)
        super().__init__(fields, require_all_fields=False, **kwargs)
        # The form's child, for `after_birth` (GovukForm sets it).
        self.born_on: date | None = None
        self.child_name = "the child"

    widget_class: type[GovukDateInput] = GovukDateInput

    def name_in_errors(self) -> str:
        label = self.error_name or str(self.label or "The date")
        return subject_of(label)

    def _fail(self, code: str, parts: tuple[str, ...] | None = None, **params: Any) -> None:
        name = self.name_in_errors()
        params = {
            "name": name,
            "name_lower": lower_first(name),
            "this_year": timezone.now().year,
            **params,
        }
        raise ValidationError(
            self.error_messages[code] % params,
            code=code,
            params={"parts": parts or self.parts},
        )

    def clean(self, value: Any) -> Any:
        values = [str(v if v is not None else "").strip() for v in (value or [])]
        values += [""] * (len(self.parts) - len(values))
        given = dict(zip(self.parts, values, strict=True))
        if not any(values):
            if self.required:
                self._fail("required")
            return None
        missing = tuple(p for p in self.parts if not given[p])
        if missing:
            self._fail("incomplete", missing, missing=_join(list(missing)))
        result = self.parse(given)
        self.validate_range(result)
        self.run_validators(result)
        return result

    def parse_date(self, given: dict[str, str]) -> date:
        day_text, month_text, year_text = given["day"], given["month"], given["year"]
        month = _MONTHS.get(month_text.lower()) or (
            int(month_text) if month_text.isdigit() else None
        )
        bad = tuple(
            part
            for part, ok in (
                ("day", day_text.isdigit()),
                ("month", month is not None and 1 <= month <= 12),
            )
            if not ok
        )
        if not year_text.isdigit() or len(year_text) != 4:
            if bad:
                self._fail("invalid", (*bad, "year"))
            self._fail("year", ("year",))
        if bad:
            self._fail("invalid", bad)
        assert month is not None
        try:
            return date(int(year_text), month, int(day_text))
        except ValueError:
            self._fail("invalid", ("day",))
            raise  # unreachable: _fail raises

    def parse(self, given: dict[str, str]) -> Any:
        return self.parse_date(given)

    def day_of(self, value: Any) -> date:
        return value

    def validate_range(self, value: Any) -> None:
        day = self.day_of(value)
        today = london_today()
        if day.year < EARLIEST_YEAR:
            self._fail("too_early", ("year",), earliest=EARLIEST_YEAR)
        if self.past:
            self.check_not_future(value)
        else:
            latest = today.replace(year=today.year + self.years_ahead, day=min(today.day, 28))
            if day >= latest:
                self._fail("too_late", latest=_long_date(latest))
        if self.after_birth and self.born_on is not None and day < self.born_on:
            self._fail("before_birth", child=self.child_name, born=_long_date(self.born_on))

    def check_not_future(self, value: Any) -> None:
        if value > london_today():
            self._fail("future")

    def compress(self, data_list: Any) -> Any:  # pragma: no cover - clean() is overridden
        raise NotImplementedError


class DateField(_DateParts):
    """A date as the GOV.UK date input. `past=True`: today or earlier (a date of birth);
    otherwise at most `years_ahead` years ahead. `after_birth=True`: on or after the date of
    birth of the form's child (`GovukForm(about_child=...)`). `error_name` names the date in
    messages ("The due date"); the label is used if not given."""


class DateTimeField(_DateParts):
    """A moment as a GOV.UK date input plus a time (24-hour clock), typed as London time and
    cleaned to an aware UTC datetime. `past=True`: no more than a few minutes from now."""

    parts = DATETIME_PARTS
    widget_class = GovukDateTimeInput
    default_error_messages = {
        **_DateParts.default_error_messages,
        "incomplete": "%(name)s must include a %(missing)s",
        "time": "%(name)s must include a real time in the 24-hour clock, like 14:30",
        "future": "%(name)s must be now or in the past",
    }

    def parse(self, given: dict[str, str]) -> datetime:
        day = self.parse_date(given)
        match = _TIME.match(given["time"].replace(" ", ""))
        hour = int(match.group(1)) if match else -1
        minute = int(match.group(2) or 0) if match else -1
        if match and match.group(3):
            if not 1 <= hour <= 12:
                self._fail("time", ("time",))
            hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            self._fail("time", ("time",))
        local = datetime.combine(day, time(hour, minute), tzinfo=LONDON)
        return local.astimezone(UTC)

    def day_of(self, value: Any) -> date:
        return value.astimezone(LONDON).date()

    def check_not_future(self, value: Any) -> None:
        if value > timezone.now() + FUTURE_TOLERANCE:
            self._fail("future")


def refuse_before_birth(form: forms.Form, name: str, child: Any) -> None:
    """A form-wide check for a date about a child chosen on the form itself (the voice of the
    child: the child is one of the case's): not before that child's date of birth."""
    value = form.cleaned_data.get(name)
    born_on = getattr(child, "date_of_birth", None)
    if value is None or born_on is None:
        return
    field = form.fields[name]
    day = value.astimezone(LONDON).date() if isinstance(value, datetime) else value
    if isinstance(field, _DateParts) and day < born_on:
        subject = field.name_in_errors()
        form.add_error(
            name,
            ValidationError(
                field.error_messages["before_birth"]
                % {"name": subject, "child": child.full_name, "born": _long_date(born_on)},
                code="before_birth",
                params={"parts": field.parts},
            ),
        )


def london_today() -> date:
    return timezone.now().astimezone(LONDON).date()


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """Fill a choice field's options at run time (units, colleagues, children of a case)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def form_data(request: HttpRequest) -> QueryDict | None:
    """The data to bind a form to: the POST body on a POST (even an empty one), else None."""
    return request.POST if request.method == "POST" else None
