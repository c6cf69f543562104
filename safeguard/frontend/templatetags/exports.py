"""{% export_href "cases:case_list_export" "csv" %}: the download link of the list on this page,
with the page's own filters from the query string (docs/exports.md)."""

from django import template
from django.urls import reverse

register = template.Library()

# Paging and live-refresh parameters say which slice of the list is shown, not which rows.
_NOT_FILTERS = ("after", "page", "fragment", "format")


@register.simple_tag(takes_context=True)
def export_href(context: template.Context, url_name: str, fmt: str, *args: object) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    href = reverse(url_name, args=args)
    if query is None:
        return f"{href}?format={fmt}"
    for name in _NOT_FILTERS:
        query.pop(name, None)
    query["format"] = fmt
    return f"{href}?{query.urlencode()}"
