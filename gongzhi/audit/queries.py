"""Reading audit events, scoped to the actor's units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from gongzhi import access
from gongzhi.audit.models import AuditEvent
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.units.models import Unit


def events_visible(actor: Any) -> QuerySet[AuditEvent]:
    return access.scope(actor, "audit.view", AuditEvent.objects.select_related("actor", "unit"))


def access_event(actor: Any, pk: Any) -> AuditEvent:
    return access.get_or_404(actor, "audit.view", AuditEvent.objects.select_related("actor", "unit"), pk=pk)


def event_filter(
    actor: Any,
    *,
    action: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    unit: Unit | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    qs = events_visible(actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def event_page(actor: Any, *, after: str | None = None, limit: int | None = None, **filters: Any) -> Page:
    return keyset_page(event_filter(actor, **filters), order=("-seq",), after=after, limit=limit)


def history_of(actor: Any, target: Any) -> QuerySet[AuditEvent]:
    """Return the events about one object, oldest first (for timelines on detail pages)."""
    return events_visible(actor).filter(target_type=target._meta.label_lower, target_id=str(target.pk)).order_by("seq")
