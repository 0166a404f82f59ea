"""API for the signed-in user's notifications."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from gongzhi.api import actor
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.notify import actions, queries

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    limit: int
    unread: int


@router.get("/me/notifications", response={200: NotificationPageOut, **ERRORS})
def notification_list(request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: int = 50):
    page = queries.inbox_page(actor(request), unread=unread, after=cursor, limit=limit)
    return {**page_out(page, page.items), "unread": queries.unread_count(actor(request))}


@router.post("/me/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def notification_read(request: HttpRequest, notification_id: int):
    note = queries.access_notification(actor(request), notification_id)
    return actions.notification_mark_read(actor=actor(request), notification=note)


@router.post("/me/notifications/read-all", response={200: dict, **ERRORS})
def notification_read_all(request: HttpRequest):
    return {"marked": actions.notifications_mark_all_read(actor=actor(request))}
