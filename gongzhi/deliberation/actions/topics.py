"""Topics: proposals from four sources, co-signing, level-by-level screening and party screening."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation.actions.common import assign_number, belongs_to, clean_text, is_member, lock, roles_of
from gongzhi.deliberation.models import (
    Body,
    CoSignature,
    Topic,
    TopicAppeal,
    TopicAppealRole,
    TopicEvent,
    TopicSource,
)
from gongzhi.deliberation.workflow import PROPOSER, SYSTEM, TOPIC_FINAL, TopicStatus, transition
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput
from gongzhi.notify.service import send
from gongzhi.people.roles import Role

APPEAL_NUMBER = re.compile(r"^[A-Za-z0-9\-]{4,32}$")
MAX_LINKED_APPEALS = 200


class ScreeningDecision:
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    REFER = "refer"
    ESCALATE = "escalate"
    ALL = ("accept", "reject", "merge", "refer", "escalate")


def _event(topic: Topic, *, kind: str, actor: Any, old: str = "", note: str = "", public: bool = True) -> TopicEvent:
    return TopicEvent.objects.create(
        topic=topic,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        body=topic.body,
        from_status=old,
        to_status=topic.status,
        note=note,
        is_public=public,
    )


def _move(topic: Topic, target: str, *, actor: Any, roles: set[str], kind: str, note: str = "") -> str:
    old = transition(topic, target, machine="topic", roles=roles)
    topic.sync_stage()
    if topic.status == TopicStatus.PUBLISHED and topic.published_at is None:
        topic.published_at = timezone.now()
    topic.save()
    _event(topic, kind=kind, actor=actor, old=old, note=note)
    return old


def _screeners(topic: Topic) -> list[Any]:
    from gongzhi.deliberation.actions.common import unit_managers

    return unit_managers(topic.body.unit, [Role.COMMUNITY_WORKER, Role.COMMUNITY_HEAD, Role.STREET_STAFF])


def _new_topic(
    *, actor: Any, body: Body, title: str, description: str, source: str, status: str, **extra: Any
) -> Topic:
    topic = Topic(
        unit=body.unit,
        unit_path=body.unit.path,
        body=body,
        level=body.level,
        title=clean_text(title, "title", max_length=120),
        description=clean_text(description, "description", max_length=5000),
        source=source,
        proposer=actor,
        status=status,
        **extra,
    )
    topic.sync_stage()
    topic.save()
    assign_number(topic, "YT")
    _event(topic, kind="created", actor=actor, note=topic.get_source_display())
    return topic


@transaction.atomic
def topic_propose(*, actor: Any, body: Body, title: str, description: str, as_representative: bool = False) -> Topic:
    """File a proposal: a resident's collects co-signers first; a representative's goes straight to screening."""
    body = lock(Body, body)
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.topics_view", body)
    if not body.is_active:
        raise Conflict(_("该议事机构已停用。"))
    if as_representative:
        if not (
            is_member(actor, body, voting=False)
            or (Role.REPRESENTATIVE in roles_of(actor) and belongs_to(actor, body.unit))
        ):
            raise Forbidden(_("只有本机构成员或本地议事代表可以提出代表提案。"))
        topic = _new_topic(
            actor=actor,
            body=body,
            title=title,
            description=description,
            source=TopicSource.REPRESENTATIVE,
            status=TopicStatus.SUBMITTED,
        )
        send(
            recipients=_screeners(topic),
            kind="deliberation.topic",
            title=gettext_lazy("新议题待筛选：%(title)s"),
            params={"title": topic.title},
            url=f"/deliberation/topics/{topic.pk}/",
        )
    else:
        if not belongs_to(actor, body.unit):
            raise Forbidden(_("只能向您所在社区（村）的议事机构提案。"))
        status = TopicStatus.COLLECTING if body.cosign_threshold > 0 else TopicStatus.SUBMITTED
        topic = _new_topic(
            actor=actor,
            body=body,
            title=title,
            description=description,
            source=TopicSource.RESIDENT,
            status=status,
            cosign_required=body.cosign_threshold,
        )
    record(
        actor=actor,
        action="deliberation.topic_propose",
        target=topic,
        unit=body.unit,
        changes={"body": body.pk, "source": topic.source, "title": topic.title},
    )
    return topic


def _clean_appeals(numbers: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in numbers:
        number = str(raw).strip()
        if not APPEAL_NUMBER.match(number):
            raise InvalidInput(fields={"appeal_numbers": _("诉求编号“%(n)s”格式不正确。") % {"n": number[:40]}})
        if number not in cleaned:
            cleaned.append(number)
    if len(cleaned) > MAX_LINKED_APPEALS:
        raise InvalidInput(fields={"appeal_numbers": _("一个议题最多关联%(n)s条诉求。") % {"n": MAX_LINKED_APPEALS}})
    return cleaned


def resolve_appeals(actor: Any, numbers: list[str]) -> list[Any]:
    """Return the appeals with these numbers, in order; an unknown number, or one the actor may not see, is
    a field error (the same message for both, so numbers outside one's reach are not confirmed)."""
    from gongzhi.appeals.models import Appeal

    cleaned = _clean_appeals(numbers)
    if not cleaned:
        return []
    found = {a.number: a for a in access.scope(actor, "appeals.view", Appeal.objects.filter(number__in=cleaned))}
    missing = [n for n in cleaned if n not in found]
    if missing:
        raise InvalidInput(
            fields={
                "appeal_numbers": _("找不到诉求“%(numbers)s”，或您无权查看。") % {"numbers": "、".join(missing[:5])}
            }
        )
    return [found[n] for n in cleaned]


def link_appeals(topic: Topic, appeals: list[Any], *, role: str = TopicAppealRole.SOURCE) -> None:
    TopicAppeal.objects.bulk_create(
        [TopicAppeal(topic=topic, appeal=appeal, role=role) for appeal in appeals], ignore_conflicts=True
    )


@transaction.atomic
def topic_submit_on_behalf(
    *,
    actor: Any,
    body: Body,
    title: str,
    description: str,
    source: str,
    source_detail: str = "",
    appeal_numbers: list[str] | None = None,
) -> Topic:
    """Staff file a topic from a cluster of appeals, or from a government or party body."""
    body = lock(Body, body)
    access.check(actor, "deliberation.propose_on_behalf", body)
    errors: dict[str, str] = {}
    appeals: list[Any] = []
    if source == TopicSource.APPEALS:
        try:
            appeals = resolve_appeals(actor, appeal_numbers or [])
        except InvalidInput as exc:
            errors.update(exc.fields)
        else:
            if len(appeals) < 1:
                errors["appeal_numbers"] = _("请至少填写一个诉求编号。")
    elif source == TopicSource.GOVERNMENT:
        if not source_detail.strip():
            errors["source_detail"] = _("请写明交办的部门或党组织。")
    else:
        errors["source"] = _("工作人员代为提交的议题来源只能是诉求集中反映或部门/党组织交办。")
    if errors:
        raise InvalidInput(fields=errors)
    topic = _new_topic(
        actor=actor,
        body=body,
        title=title,
        description=description,
        source=source,
        status=TopicStatus.SUBMITTED,
        source_detail=source_detail.strip()[:200],
    )
    link_appeals(topic, appeals)
    record(
        actor=actor,
        action="deliberation.topic_submit",
        target=topic,
        unit=body.unit,
        changes={"source": source, "appeals": [a.number for a in appeals], "source_detail": topic.source_detail},
    )
    return topic


@transaction.atomic
def topic_cosign(*, actor: Any, topic: Topic) -> Topic:
    """Co-sign a resident proposal (once); reaching the body's threshold sends it to screening."""
    topic = lock(Topic, topic)
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.topics_view", topic)
    if topic.status != TopicStatus.COLLECTING:
        raise Conflict(_("该提案已不再征集联署。"), code="not_collecting")
    if topic.proposer_id == actor.pk:
        raise Conflict(_("提案人不能为自己的提案联署。"), code="own_topic")
    if not belongs_to(actor, topic.unit):
        raise Forbidden(_("只有本社区（村）居民可以联署。"))
    try:
        with transaction.atomic():
            CoSignature.objects.create(topic=topic, user=actor)
    except IntegrityError:
        raise Conflict(_("您已联署过该提案。"), code="already_cosigned") from None
    topic.cosign_count = topic.cosignatures.count()
    topic.save(update_fields=["cosign_count", "updated_at"])
    changes: dict[str, Any] = {"cosign_count": topic.cosign_count}
    if topic.cosign_count >= topic.cosign_required:
        _move(
            topic,
            TopicStatus.SUBMITTED,
            actor=actor,
            roles={SYSTEM},
            kind="threshold",
            note=_("联署人数达到%(n)s人，提交筛选。") % {"n": topic.cosign_required},
        )
        changes["status"] = TopicStatus.SUBMITTED
        send(
            recipients=[topic.proposer, *_screeners(topic)],
            kind="deliberation.topic",
            title=gettext_lazy("提案“%(title)s”联署已满，进入筛选"),
            params={"title": topic.title},
            url=f"/deliberation/topics/{topic.pk}/",
        )
    record(actor=actor, action="deliberation.topic_cosign", target=topic, unit=topic.unit, changes=changes)
    return topic


@transaction.atomic
def topic_screen(
    *,
    actor: Any,
    topic: Topic,
    decision: str,
    reason: str = "",
    is_public_matter: bool | None = None,
    merge_into: Topic | None = None,
    refer_category: Any = None,
) -> Topic:
    """The body's screening: accept, reject (reason published), merge, refer to appeals, or escalate a level.

    Referring creates a real appeal (channel "deliberation", the category the screener chose, the topic's
    unit) through the appeals intake action; its number is linked to the topic."""
    topic = lock(Topic, topic)
    access.check(actor, "deliberation.screen", topic)
    roles = roles_of(actor)
    reason = reason.strip()[:2000]
    if decision not in ScreeningDecision.ALL:
        raise InvalidInput(fields={"decision": _("未知的筛选结论。")})
    if topic.status not in (TopicStatus.SUBMITTED, TopicStatus.COLLECTING) or (
        topic.status == TopicStatus.COLLECTING and decision != ScreeningDecision.REJECT
    ):
        raise Conflict(_("该议题当前不在待筛选状态。"), code="invalid_transition")
    changes: dict[str, Any] = {"decision": decision, "body": topic.body_id}
    if decision == ScreeningDecision.ACCEPT:
        if is_public_matter is False:
            raise InvalidInput(
                fields={"is_public_matter": _("不属于公共事务的议题不能立项，请选择不予立项或转诉求办理。")}
            )
        topic.is_public_matter = True
        topic.decision_reason = reason
        target = TopicStatus.PARTY_REVIEW if topic.body.requires_party_screening else TopicStatus.PUBLISHED
        _move(topic, target, actor=actor, roles=roles, kind="accepted", note=reason or _("属于公共事务，同意立项。"))
    elif decision == ScreeningDecision.REJECT:
        if not reason:
            raise InvalidInput(fields={"reason": _("不予立项须说明理由（理由将公开）。")})
        topic.is_public_matter = is_public_matter
        topic.decision_reason = reason
        _move(topic, TopicStatus.REJECTED, actor=actor, roles=roles, kind="rejected", note=reason)
    elif decision == ScreeningDecision.MERGE:
        if merge_into is None:
            raise InvalidInput(fields={"merge_into": _("请选择要合并到的议题。")})
        target_topic = lock(Topic, merge_into)
        if target_topic.pk == topic.pk or target_topic.status in TOPIC_FINAL or target_topic.merged_into_id:
            raise InvalidInput(fields={"merge_into": _("只能合并到另一个仍在办理的议题。")})
        if not access.can(actor, "deliberation.screen", target_topic):
            raise InvalidInput(fields={"merge_into": _("找不到该议题。")})
        topic.merged_into = target_topic
        topic.is_public_matter = True
        topic.decision_reason = reason or _("与议题%(n)s内容相同，合并办理。") % {"n": target_topic.number}
        _move(topic, TopicStatus.MERGED, actor=actor, roles=roles, kind="merged", note=topic.decision_reason)
        _event(target_topic, kind="merged_in", actor=actor, old=target_topic.status, note=str(topic.number))
        changes["merge_into"] = target_topic.pk
    elif decision == ScreeningDecision.REFER:
        category = _refer_category(refer_category, reason)
        appeal = _refer_to_appeals(actor, topic, category, reason)
        topic.is_public_matter = False
        topic.decision_reason = reason
        topic.referral_note = reason[:300]
        note = _("%(reason)s（已转为诉求 %(number)s）") % {"reason": reason, "number": appeal.number}
        _move(topic, TopicStatus.REFERRED, actor=actor, roles=roles, kind="referred", note=note)
        link_appeals(topic, [appeal], role=TopicAppealRole.REFERRAL)
        changes["appeal"] = appeal.number
    else:  # escalate
        parent = topic.body.parent
        if parent is None:
            raise InvalidInput(fields={"decision": _("本机构没有上一级议事机构，不能上交。")})
        if not reason:
            raise InvalidInput(fields={"reason": _("请说明上交的理由。")})
        old_body = topic.body
        topic.body = parent
        topic.level = parent.level
        topic.decision_reason = reason
        _move(
            topic,
            TopicStatus.SUBMITTED,
            actor=actor,
            roles=roles,
            kind="escalated",
            note=_("由%(from)s上交%(to)s：%(reason)s") % {"from": old_body.name, "to": parent.name, "reason": reason},
        )
        changes["to_body"] = parent.pk
        send(
            recipients=_screeners(topic),
            kind="deliberation.topic",
            title=gettext_lazy("下级上交议题待筛选：%(title)s"),
            params={"title": topic.title},
            url=f"/deliberation/topics/{topic.pk}/",
        )
    changes["reason"] = reason
    record(actor=actor, action="deliberation.topic_screen", target=topic, unit=topic.unit, changes=changes)
    send(
        recipients=[topic.proposer],
        kind="deliberation.topic",
        title=gettext_lazy("您的议题“%(title)s”筛选结果：%(status)s"),
        params={"title": topic.title, "status": topic.get_status_display()},
        url=f"/deliberation/topics/{topic.pk}/",
    )
    return topic


def _refer_category(value: Any, reason: str) -> Any:
    """The appeal category a referral goes under: a known, active leaf of the taxonomy (checked before any write)."""
    from gongzhi.appeals.models import Category

    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("请说明转诉求办理的理由。")
    category = value if isinstance(value, Category) else None
    if category is None and value:
        category = Category.objects.filter(code=str(value).strip()[:20]).first()
    if category is None:
        errors["refer_category"] = _("请选择转办诉求的分类。")
    elif not category.is_active or category.numchild:
        errors["refer_category"] = _("请选择一个启用的末级分类。")
    if errors:
        raise InvalidInput(fields=errors)
    return category


def _refer_to_appeals(actor: Any, topic: Topic, category: Any, reason: str) -> Any:
    from gongzhi.appeals import actions as appeal_actions

    description = _("议题%(number)s“%(title)s”经筛选转诉求办理。理由：%(reason)s\n\n%(text)s") % {
        "number": topic.number or "",
        "title": topic.title,
        "reason": reason,
        "text": topic.description,
    }
    return appeal_actions.appeal_submit(
        actor=actor,
        channel="deliberation",
        category=category,
        description=description[:2000],
        unit=topic.unit,
    )


@transaction.atomic
def topic_party_screen(*, actor: Any, topic: Topic, approve: bool, reason: str = "") -> Topic:
    """The party organization's check before a topic is published (when the body requires it)."""
    topic = lock(Topic, topic)
    access.check(actor, "deliberation.party_screen", topic)
    if topic.status != TopicStatus.PARTY_REVIEW:
        raise Conflict(_("该议题不在党组织把关环节。"), code="invalid_transition")
    reason = reason.strip()[:2000]
    if approve:
        _move(
            topic,
            TopicStatus.PUBLISHED,
            actor=actor,
            roles=roles_of(actor),
            kind="party_approved",
            note=reason or _("党组织把关同意发布。"),
        )
    else:
        if not reason:
            raise InvalidInput(fields={"reason": _("不同意发布须说明理由（理由将公开）。")})
        topic.decision_reason = reason
        _move(topic, TopicStatus.REJECTED, actor=actor, roles=roles_of(actor), kind="party_rejected", note=reason)
    record(
        actor=actor,
        action="deliberation.topic_party_screen",
        target=topic,
        unit=topic.unit,
        changes={"approve": approve, "reason": reason},
    )
    send(
        recipients=[topic.proposer],
        kind="deliberation.topic",
        title=gettext_lazy("您的议题“%(title)s”筛选结果：%(status)s"),
        params={"title": topic.title, "status": topic.get_status_display()},
        url=f"/deliberation/topics/{topic.pk}/",
    )
    return topic


def topic_move(topic: Topic, target: str, *, actor: Any, kind: str, note: str = "") -> None:
    """Move a topic as a consequence of a meeting or resolution step (the caller holds the locks)."""
    topic = lock(Topic, topic)
    roles = roles_of(actor) | {SYSTEM}
    _move(topic, target, actor=actor, roles=roles, kind=kind, note=note)


__all__ = [
    "PROPOSER",
    "ScreeningDecision",
    "topic_cosign",
    "topic_move",
    "topic_party_screen",
    "topic_propose",
    "topic_screen",
    "topic_submit_on_behalf",
]
