"""API for browsing audit events (scoped to the caller's units) and checking the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gongzhi import access
from gongzhi.api import actor
from gongzhi.audit import queries
from gongzhi.audit.chain import verify
from gongzhi.audit.models import AuditEvent
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.units.queries import access_unit

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    seq: int
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    unit_id: int | None
    unit_name: str | None
    changes: dict[str, Any]
    ip: str | None
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_unit_name(obj: AuditEvent) -> str | None:
        return obj.unit.name if obj.unit_id else None


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str | None
    limit: int


class EventFilter(Schema):
    action: str = ""
    actor_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    unit_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    cursor: str | None = None
    limit: int = 50


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str


@router.get("/audit/events", response={200: EventPageOut, **ERRORS})
def event_list(request: HttpRequest, filters: Query[EventFilter]):
    data = filters.dict()
    unit_id = data.pop("unit_id")
    cursor, limit = data.pop("cursor"), data.pop("limit")
    data["unit"] = access_unit(actor(request), unit_id, perm="audit.view") if unit_id else None
    page = queries.event_page(actor(request), after=cursor, limit=limit, **data)
    return page_out(page, page.items)


@router.get("/audit/events/{event_id}", response={200: EventOut, **ERRORS})
def event_detail(request: HttpRequest, event_id: int):
    return queries.access_event(actor(request), event_id)


@router.post("/audit/verify", response={200: VerifyOut, **ERRORS}, summary="Walk the whole chain (admins)")
def chain_verify(request: HttpRequest):
    access.check_any(actor(request), "audit.verify")
    result = verify()
    return {"ok": result.ok, "checked": result.checked, "broken_seq": result.broken_seq, "reason": result.reason}
