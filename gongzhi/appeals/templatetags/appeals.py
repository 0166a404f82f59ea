"""Template helpers for appeal pages: status colours, percentages, deadline states."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

STATUS_CLASSES = {
    "submitted": "text-bg-warning",
    "returned": "text-bg-warning",
    "dispatched": "text-bg-info",
    "accepted": "text-bg-primary",
    "responded": "text-bg-primary",
    "reopened": "text-bg-danger",
    "review": "text-bg-danger",
    "resolved": "text-bg-success",
    "rated": "text-bg-success",
    "closed": "text-bg-secondary",
    "rejected": "text-bg-dark",
    "merged": "text-bg-light border",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def percent(value: Any) -> str:
    """Show a 0..1 rate as a percentage with one decimal, or a dash when there is no data."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def score(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


@register.filter
def past(moment: Any) -> bool:
    return moment is not None and moment < timezone.now()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def action_url(number: str, action: str) -> str:
    from django.urls import reverse

    return reverse("appeals:act", kwargs={"number": number, "action": action})


@register.filter
def listjoin(value: Any) -> str:
    """Join a list with the Chinese enumeration comma; leave other values as they are."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)
