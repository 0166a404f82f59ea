"""Marking notifications read (not audited: it changes nothing but the reader's own inbox)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi import access
from gongzhi.notify.models import Notification


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    access.check(actor, "notifications.view", notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Any) -> int:
    access.check_any(actor, "notifications.view")
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
