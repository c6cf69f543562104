"""Template filters of the form pages."""

import re

from django import template

register = template.Library()

_ERROR_PREFIX = re.compile(r"^\s*(?:Error:\s*)+")


@register.filter
def error_title(title: str) -> str:
    """A page title that says "Error: " once when the page shows errors (GOV.UK): whether the
    base template, the page's own title block, or both, asked for it."""
    text = str(title).strip()
    bare = _ERROR_PREFIX.sub("", text)
    return f"Error: {bare}" if bare != text else bare
