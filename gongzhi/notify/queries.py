"""Reading one's own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi import access
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.notify.models import Notification


def inbox(actor: Any) -> QuerySet[Notification]:
    return access.scope(actor, "notifications.view", Notification.objects.all())


def unread_count(actor: Any) -> int:
    return inbox(actor).filter(read_at__isnull=True).count()


def inbox_page(actor: Any, *, unread: bool = False, after: str | None = None, limit: int | None = None) -> Page:
    qs = inbox(actor)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=("-id",), after=after, limit=limit)


def access_notification(actor: Any, pk: Any) -> Notification:
    return access.get_or_404(actor, "notifications.view", Notification.objects.all(), pk=pk)
