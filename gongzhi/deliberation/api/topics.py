"""Topics: the public list, proposing, co-signing and screening."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from gongzhi.api import actor
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.api.base import PREFIX, router
from gongzhi.deliberation.models import Topic
from gongzhi.deliberation.schemas import (
    PartyScreenIn,
    ScreenIn,
    TopicDetailOut,
    TopicOnBehalfIn,
    TopicPageOut,
    TopicProposeIn,
)
from gongzhi.deliberation.workflow import STAGE_ORDER, TOPIC_STAGE, TopicStatus
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.units.models import Unit


def stages(topic: Topic) -> list[dict[str, str]]:
    """The four stages of the 246 pipeline with where the topic stands in each."""
    current = TOPIC_STAGE[TopicStatus(topic.status)]
    index = STAGE_ORDER.index(current)
    finished = topic.status == TopicStatus.CLOSED
    result = []
    for position, stage in enumerate(STAGE_ORDER):
        if position < index or (finished and position == index):
            state = "done"
        elif position == index:
            state = "current"
        else:
            state = "todo"
        result.append({"code": stage.value, "label": str(stage.label), "state": state})
    return result


def topic_detail_data(topic: Topic, who: Any, *, staff: bool = False) -> Topic:
    """Attach the computed parts of the topic page (stages, explanation, timeline) to the topic."""
    topic.explanation = queries.topic_explanation(topic)
    topic.stages = stages(topic)
    topic.timeline = list(queries.topic_timeline(topic, public_only=not staff))
    topic.cosigned = queries.topic_has_cosigned(who, topic)
    topic.linked_appeals = queries.topic_appeals(who, topic)
    return topic


def _public_unit(unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        from gongzhi.lib.errors import NotFound

        raise NotFound()
    return unit


@router.get(f"{PREFIX}/topics", response={200: TopicPageOut, **ERRORS}, auth=None, summary="Public topics")
def topic_list(
    request: HttpRequest,
    unit_id: int | None = None,
    body_id: int | None = None,
    stage: str = "",
    status: str = "",
    source: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
):
    """Every public topic (collecting co-signers and beyond), newest first; open to everyone."""
    body = queries.Body.objects.filter(pk=body_id).first() if body_id else None
    page = queries.public_topic_page(
        unit=_public_unit(unit_id),
        body=body,
        stage=stage,
        status=status,
        source=source,
        text=q,
        after=cursor,
        limit=limit,
    )
    return page_out(page, page.items)


@router.get(f"{PREFIX}/topics/manage", response={200: TopicPageOut, **ERRORS}, summary="Topics in my reach")
def topic_manage_list(
    request: HttpRequest,
    unit_id: int | None = None,
    stage: str = "",
    status: str = "",
    source: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
):
    """Topics the caller may see as staff (including those awaiting screening), or their own."""
    who = actor(request)
    from gongzhi.units.queries import access_unit

    unit = access_unit(who, unit_id) if unit_id else None
    page = queries.topic_page(
        who, unit=unit, stage=stage, status=status, source=source, text=q, after=cursor, limit=limit
    )
    return page_out(page, page.items)


@router.post(f"{PREFIX}/topics", response={201: TopicDetailOut, **ERRORS})
def topic_propose(request: HttpRequest, payload: TopicProposeIn):
    who = actor(request)
    body = queries.access_body_for_proposal(who, payload.body_id)
    topic = actions.topic_propose(
        actor=who,
        body=body,
        title=payload.title,
        description=payload.description,
        as_representative=payload.as_representative,
    )
    return Status(201, topic_detail_data(topic, who))


@router.post(f"{PREFIX}/topics/on-behalf", response={201: TopicDetailOut, **ERRORS})
def topic_on_behalf(request: HttpRequest, payload: TopicOnBehalfIn):
    who = actor(request)
    body = queries.access_body(who, payload.body_id)
    topic = actions.topic_submit_on_behalf(
        actor=who,
        body=body,
        title=payload.title,
        description=payload.description,
        source=payload.source,
        source_detail=payload.source_detail,
        appeal_numbers=payload.appeal_numbers,
    )
    return Status(201, topic_detail_data(topic, who, staff=True))


@router.get(f"{PREFIX}/topics/{{topic_id}}", response={200: TopicDetailOut, **ERRORS}, auth=None)
def topic_detail(request: HttpRequest, topic_id: int):
    """A public topic for anyone; a topic still in screening for its proposer and staff in scope."""
    who = actor(request)
    topic = queries.access_topic(who, topic_id)
    from gongzhi import access

    staff = access.can(who, "deliberation.screen", topic)
    return topic_detail_data(topic, who, staff=staff)


@router.post(f"{PREFIX}/topics/{{topic_id}}/cosign", response={200: TopicDetailOut, **ERRORS})
def topic_cosign(request: HttpRequest, topic_id: int):
    who = actor(request)
    topic = actions.topic_cosign(actor=who, topic=queries.access_topic(who, topic_id))
    return topic_detail_data(topic, who)


@router.post(f"{PREFIX}/topics/{{topic_id}}/screen", response={200: TopicDetailOut, **ERRORS})
def topic_screen(request: HttpRequest, topic_id: int, payload: ScreenIn):
    who = actor(request)
    topic = queries.access_topic(who, topic_id)
    merge_into = queries.access_topic(who, payload.merge_into_id) if payload.merge_into_id else None
    topic = actions.topic_screen(
        actor=who,
        topic=topic,
        decision=payload.decision,
        reason=payload.reason,
        is_public_matter=payload.is_public_matter,
        merge_into=merge_into,
        refer_category=payload.refer_category or None,
    )
    return topic_detail_data(topic, who, staff=True)


@router.post(f"{PREFIX}/topics/{{topic_id}}/party-screen", response={200: TopicDetailOut, **ERRORS})
def topic_party_screen(request: HttpRequest, topic_id: int, payload: PartyScreenIn):
    who = actor(request)
    topic = actions.topic_party_screen(
        actor=who, topic=queries.access_topic(who, topic_id), approve=payload.approve, reason=payload.reason
    )
    return topic_detail_data(topic, who, staff=True)
