"""Small template helpers: query-string editing for filters and pagers, JSON for charts."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import escape

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """Return the current query string with some parameters replaced."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context: dict[str, Any], *names: str) -> str:
    params = context["request"].GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@register.filter
def chart_json(option: Any) -> str:
    """Serialize a chart option for a data-chart attribute (escaped for HTML)."""
    return escape(json.dumps({**option} if isinstance(option, dict) else option, ensure_ascii=False, default=str))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
