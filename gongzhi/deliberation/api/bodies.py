"""Bodies, members and members' demands for a meeting."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.deliberation import actions, queries, rules
from gongzhi.deliberation.api.base import PREFIX, router
from gongzhi.deliberation.schemas import (
    BodyDetailOut,
    BodyIn,
    BodyOut,
    BodyPatch,
    DemandIn,
    DemandOut,
    MemberEndIn,
    MemberIn,
    MemberOut,
    TopicPageOut,
)
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.units.queries import access_unit


def body_detail_data(body: Any) -> Any:
    members = list(queries.body_members(body))
    voting = sum(1 for m in members if m.votes)
    body.members_now = members
    body.voting_members = voting
    body.quorum_required = rules.quorum_required(voting, body.quorum)
    body.demand_required = rules.demand_required(voting, body.demand_share)
    body.meeting_due = actions.meeting_due_date(body)
    return body


@router.get(f"{PREFIX}/bodies", response={200: list[BodyOut], **ERRORS})
def body_list(request: HttpRequest, unit_id: int | None = None, level: str = "", q: str = ""):
    unit = access_unit(actor(request), unit_id) if unit_id else None
    return list(queries.body_list(actor(request), unit=unit, level=level, text=q)[:500])


@router.post(f"{PREFIX}/bodies", response={201: BodyOut, **ERRORS})
def body_create(request: HttpRequest, payload: BodyIn):
    who = actor(request)
    unit = access_unit(who, payload.unit_id)
    data = payload.dict(exclude={"unit_id", "name", "level", "parent_id"}, exclude_none=True)
    if payload.parent_id:
        data["parent"] = queries.access_parent_body(unit, payload.parent_id)
    body = actions.body_create(actor=who, unit=unit, name=payload.name, level=payload.level, **data)
    return Status(201, body)


@router.get(f"{PREFIX}/bodies/{{body_id}}", response={200: BodyDetailOut, **ERRORS})
def body_detail(request: HttpRequest, body_id: int):
    return body_detail_data(queries.access_body(actor(request), body_id))


@router.patch(f"{PREFIX}/bodies/{{body_id}}", response={200: BodyOut, **ERRORS})
def body_update(request: HttpRequest, body_id: int, payload: BodyPatch):
    who = actor(request)
    body = queries.access_body(who, body_id)
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        parent_id = data.pop("parent_id")
        data["parent"] = queries.access_parent_body(body.unit, parent_id) if parent_id else None
    return actions.body_update(actor=who, body=body, **data)


@router.get(f"{PREFIX}/bodies/{{body_id}}/members", response={200: list[MemberOut], **ERRORS})
def member_list(request: HttpRequest, body_id: int, include_past: bool = False):
    body = queries.access_body(actor(request), body_id)
    return list(queries.body_members(body, include_past=include_past))


@router.post(f"{PREFIX}/bodies/{{body_id}}/members", response={201: MemberOut, **ERRORS})
def member_add(request: HttpRequest, body_id: int, payload: MemberIn):
    who = actor(request)
    body = queries.access_body(who, body_id)
    access.check(who, "deliberation.manage_bodies", body)
    user = queries.access_person(who, payload.user_id)
    member = actions.body_member_add(actor=who, body=body, user=user, **payload.dict(exclude={"user_id"}))
    return Status(201, member)


@router.post(f"{PREFIX}/members/{{member_id}}/end", response={200: MemberOut, **ERRORS})
def member_end(request: HttpRequest, member_id: int, payload: MemberEndIn):
    who = actor(request)
    member = queries.access_member(who, member_id)
    return actions.body_member_end(actor=who, member=member, on=payload.on, reason=payload.reason)


@router.get(f"{PREFIX}/bodies/{{body_id}}/queue", response={200: TopicPageOut, **ERRORS})
def screening_queue(request: HttpRequest, body_id: int, cursor: str | None = None, limit: int = 50):
    who = actor(request)
    body = queries.access_body(who, body_id)
    page = queries.screening_queue(who, body, after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get(f"{PREFIX}/bodies/{{body_id}}/demands", response={200: list[DemandOut], **ERRORS})
def demand_list(request: HttpRequest, body_id: int):
    body = queries.access_body(actor(request), body_id)
    return list(queries.demands_for(body)[:100])


@router.post(f"{PREFIX}/bodies/{{body_id}}/demands", response={201: DemandOut, **ERRORS})
def demand_open(request: HttpRequest, body_id: int, payload: DemandIn):
    who = actor(request)
    body = queries.access_body(who, body_id)
    return Status(201, actions.demand_open(actor=who, body=body, subject=payload.subject))


@router.post(f"{PREFIX}/demands/{{demand_id}}/sign", response={200: DemandOut, **ERRORS})
def demand_sign(request: HttpRequest, demand_id: int):
    who = actor(request)
    return actions.demand_sign(actor=who, demand=queries.access_demand(who, demand_id))


@router.post(f"{PREFIX}/demands/{{demand_id}}/withdraw", response={200: DemandOut, **ERRORS})
def demand_withdraw(request: HttpRequest, demand_id: int):
    who = actor(request)
    return actions.demand_withdraw(actor=who, demand=queries.access_demand(who, demand_id))
