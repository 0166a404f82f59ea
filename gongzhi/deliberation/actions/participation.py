"""Public participation: consultations on drafts, 问政·问需·问计 inquiries, and proposal contests."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation.actions.common import assign_number, belongs_to, clean_text, lock, roles_of, unit_managers
from gongzhi.deliberation.models import (
    Channel,
    Comment,
    Consultation,
    ConsultationSection,
    Contest,
    Contribution,
    Criterion,
    Inquiry,
    InquiryKind,
    Judge,
    Pitch,
    ReplyKind,
    Score,
    Topic,
)
from gongzhi.deliberation.workflow import (
    SYSTEM,
    CommentStatus,
    ConsultationStatus,
    ContestStatus,
    InquiryStatus,
    transition,
)
from gongzhi.lib import workdays
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput
from gongzhi.lib.money import to_money
from gongzhi.notify.service import send
from gongzhi.people.models import User
from gongzhi.people.roles import Role
from gongzhi.units.models import Unit, UnitKind

# --- consultations (公开征求意见) ------------------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *, actor: Any, unit: Unit, title: str, summary: str, sections: list[dict[str, str]], closes_on: dt.date
) -> Consultation:
    """Prepare a draft for public comment: its text in numbered sections and the closing date."""
    access.check(actor, "deliberation.consultations_manage", unit)
    title = clean_text(title, "title", max_length=200)
    errors: dict[str, str] = {}
    if not sections:
        errors["sections"] = _("请至少提供一条条文。")
    for index, section in enumerate(sections):
        if not (section.get("text") or "").strip():
            errors[f"sections.{index}.text"] = _("条文不能为空。")
    if closes_on is None or closes_on <= timezone.localdate():
        errors["closes_on"] = _("截止日期应晚于今天。")
    if errors:
        raise InvalidInput(fields=errors)
    consultation = Consultation.objects.create(
        unit=unit, title=title, summary=(summary or "").strip()[:5000], closes_on=closes_on, created_by=actor
    )
    for number, section in enumerate(sections, start=1):
        ConsultationSection.objects.create(
            consultation=consultation,
            number=number,
            heading=(section.get("heading") or "").strip()[:200],
            text=section["text"].strip(),
        )
    record(
        actor=actor,
        action="deliberation.consultation_create",
        target=consultation,
        changes={"title": title, "sections": len(sections)},
    )
    return consultation


@transaction.atomic
def consultation_open(*, actor: Any, consultation: Consultation) -> Consultation:
    consultation = lock(Consultation, consultation)
    access.check(actor, "deliberation.consultations_manage", consultation)
    if consultation.closes_on is None or consultation.closes_on <= timezone.localdate():
        raise InvalidInput(fields={"closes_on": _("截止日期应晚于今天。")})
    transition(consultation, ConsultationStatus.OPEN, machine="consultation", roles=roles_of(actor))
    consultation.opens_on = timezone.localdate()
    consultation.save()
    record(
        actor=actor,
        action="deliberation.consultation_open",
        target=consultation,
        changes={"closes_on": consultation.closes_on},
    )
    return consultation


def _section(consultation: Consultation, section: ConsultationSection | None) -> ConsultationSection | None:
    if section is not None and section.consultation_id != consultation.pk:
        raise InvalidInput(fields={"section": _("该条款不属于本次征求意见。")})
    return section


def _accepting(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.OPEN or timezone.localdate() > consultation.closes_on:
        raise Conflict(_("本次征求意见已截止或尚未开始。"), code="consultation_closed")


@transaction.atomic
def comment_submit(
    *, actor: Any, consultation: Consultation, text: str, section: ConsultationSection | None = None
) -> Comment:
    """A signed-in resident comments on the web; the comment is published after moderation."""
    consultation = lock(Consultation, consultation)
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.topics_view", consultation)
    _accepting(consultation)
    comment = Comment.objects.create(
        consultation=consultation,
        section=_section(consultation, section),
        author=actor,
        author_name=actor.name[:60],
        channel=Channel.WEB,
        text=clean_text(text, "text", max_length=5000),
    )
    record(
        actor=actor,
        action="deliberation.comment_submit",
        target=consultation,
        changes={"comment": comment.pk, "channel": Channel.WEB},
    )
    return comment


@transaction.atomic
def comment_enter(
    *,
    actor: Any,
    consultation: Consultation,
    channel: str,
    author_name: str,
    text: str,
    section: ConsultationSection | None = None,
) -> Comment:
    """Staff enter a comment received at a meeting, on paper or by phone (published at once: staff moderated it)."""
    consultation = lock(Consultation, consultation)
    access.check(actor, "deliberation.consultations_manage", consultation)
    _accepting(consultation)
    if channel not in (Channel.MEETING, Channel.PAPER, Channel.PHONE):
        raise InvalidInput(fields={"channel": _("工作人员录入的渠道应为座谈会、书面或电话。")})
    comment = Comment.objects.create(
        consultation=consultation,
        section=_section(consultation, section),
        author=None,
        author_name=clean_text(author_name, "author_name", max_length=60),
        channel=channel,
        text=clean_text(text, "text", max_length=5000),
        status=CommentStatus.PUBLISHED,
        entered_by=actor,
    )
    record(
        actor=actor,
        action="deliberation.comment_enter",
        target=consultation,
        changes={"comment": comment.pk, "channel": channel},
    )
    return comment


@transaction.atomic
def comment_moderate(*, actor: Any, comment: Comment, publish: bool, note: str = "") -> Comment:
    """Publish a comment, or keep it off the public page with a stated reason (it still gets a reply)."""
    comment = lock(Comment, comment)
    access.check(actor, "deliberation.consultations_manage", comment.consultation)
    note = note.strip()[:300]
    if not publish and not note:
        raise InvalidInput(fields={"note": _("不公开须说明原因。")})
    transition(
        comment, CommentStatus.PUBLISHED if publish else CommentStatus.HIDDEN, machine="comment", roles=roles_of(actor)
    )
    comment.moderation_note = note
    comment.save()
    record(
        actor=actor,
        action="deliberation.comment_moderate",
        target=comment.consultation,
        changes={"comment": comment.pk, "publish": publish},
    )
    return comment


@transaction.atomic
def comment_reply(*, actor: Any, comment: Comment, kind: str, reply: str) -> Comment:
    """Reply to a comment: adopted, partly adopted, or not adopted with the reason (published)."""
    comment = lock(Comment, comment)
    consultation = comment.consultation
    access.check(actor, "deliberation.consultations_manage", consultation)
    if comment.status == CommentStatus.PENDING:
        raise Conflict(_("请先审核该意见。"), code="comment_pending")
    if consultation.status == ConsultationStatus.REPORTED:
        raise Conflict(_("报告已发布，不能再修改答复。"), code="reported")
    if kind not in ReplyKind.values:
        raise InvalidInput(fields={"kind": _("请选择采纳、部分采纳或未采纳。")})
    reply = (reply or "").strip()
    if not reply:
        field_message = _("未采纳须说明理由。") if kind != ReplyKind.ADOPTED else _("请填写答复。")
        raise InvalidInput(fields={"reply": field_message})
    comment.reply_kind = kind
    comment.reply = reply[:5000]
    comment.replied_at = timezone.now()
    comment.save()
    record(
        actor=actor,
        action="deliberation.comment_reply",
        target=consultation,
        changes={"comment": comment.pk, "kind": kind},
    )
    if comment.author_id:
        send(
            recipients=[comment.author],
            kind="deliberation.consultation",
            title=gettext_lazy("您对“%(title)s”的意见已答复：%(kind)s"),
            params={"title": consultation.title, "kind": comment.get_reply_kind_display()},
            url=f"/deliberation/consultations/{consultation.pk}/",
        )
    return comment


@transaction.atomic
def consultation_close(*, actor: Any, consultation: Consultation) -> Consultation:
    consultation = lock(Consultation, consultation)
    if actor != "system":
        access.check(actor, "deliberation.consultations_manage", consultation)
    transition(consultation, ConsultationStatus.CLOSED, machine="consultation", roles=roles_of(actor))
    consultation.save()
    record(actor=actor, action="deliberation.consultation_close", target=consultation)
    return consultation


@transaction.atomic
def consultation_report(*, actor: Any, consultation: Consultation, report: str) -> Consultation:
    """Publish the final report; refused while a comment awaits moderation or a reply."""
    consultation = lock(Consultation, consultation)
    access.check(actor, "deliberation.consultations_manage", consultation)
    report = clean_text(report, "report", max_length=20000)
    comments = consultation.comments.all()
    pending = comments.filter(status=CommentStatus.PENDING).count()
    unanswered = comments.exclude(status=CommentStatus.PENDING).filter(reply="").count()
    if pending or unanswered:
        raise Conflict(
            _("还有%(p)s条意见待审核、%(u)s条意见未答复，每条意见都须答复后才能发布报告。")
            % {"p": pending, "u": unanswered},
            code="comments_unanswered",
        )
    transition(consultation, ConsultationStatus.REPORTED, machine="consultation", roles=roles_of(actor))
    consultation.report = report
    consultation.reported_at = timezone.now()
    consultation.save()
    record(actor=actor, action="deliberation.consultation_report", target=consultation)
    return consultation


@transaction.atomic
def close_expired_consultations(*, today: dt.date | None = None) -> int:
    day = today or timezone.localdate()
    count = 0
    for consultation in Consultation.objects.select_for_update().filter(
        status=ConsultationStatus.OPEN, closes_on__lt=day
    ):
        transition(consultation, ConsultationStatus.CLOSED, machine="consultation", roles={SYSTEM})
        consultation.save()
        record(actor="system", action="deliberation.consultation_close", target=consultation)
        count += 1
    return count


# --- 问政·问需·问计 ---------------------------------------------------------------------------------------

# Public reply deadlines in working days, by kind; after escalation the street has STREET_WORKDAYS more.
REPLY_WORKDAYS = {InquiryKind.QUESTION: 5, InquiryKind.NEED: 7, InquiryKind.IDEA: 10}
STREET_WORKDAYS = 5


def _community_of(unit: Unit) -> Unit:
    if unit.kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
        return unit
    for ancestor in reversed(list(Unit.objects.get_ancestors(unit))):
        if ancestor.kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
            return ancestor
    raise InvalidInput(fields={"unit": _("请选择社区或村。")})


@transaction.atomic
def inquiry_submit(*, actor: Any, unit: Unit, kind: str, title: str, text: str) -> Inquiry:
    """A resident asks a policy question, states a need or offers an idea; the community must reply in time."""
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.inquiries_view", unit)
    if kind not in InquiryKind.values:
        raise InvalidInput(fields={"kind": _("请选择问政、问需或问计。")})
    community = _community_of(unit)
    if not belongs_to(actor, community):
        raise Forbidden(_("只能向您所在的社区（村）提出。"))
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        kind=kind,
        unit=community,
        unit_path=community.path,
        handling_unit=community,
        title=clean_text(title, "title", max_length=120),
        text=clean_text(text, "text", max_length=5000),
        author=actor,
        due_at=workdays.add_workdays(now, REPLY_WORKDAYS[InquiryKind(kind)]),
    )
    assign_number(inquiry, "WZ")
    record(
        actor=actor,
        action="deliberation.inquiry_submit",
        target=inquiry,
        unit=community,
        changes={"kind": kind, "due_at": inquiry.due_at},
    )
    send(
        recipients=unit_managers(community, [Role.COMMUNITY_WORKER, Role.COMMUNITY_HEAD]),
        kind="deliberation.inquiry",
        title=gettext_lazy("新的%(kind)s：%(title)s，请于%(due)s前公开答复"),
        params={
            "kind": inquiry.get_kind_display(),
            "title": inquiry.title,
            "due": timezone.localtime(inquiry.due_at).strftime("%Y-%m-%d"),
        },
        url=f"/deliberation/inquiries/{inquiry.pk}/",
    )
    return inquiry


@transaction.atomic
def inquiry_reply(*, actor: Any, inquiry: Inquiry, reply: str) -> Inquiry:
    """Reply publicly (the community, or the street once escalated)."""
    inquiry = lock(Inquiry, inquiry)
    access.check(actor, "deliberation.inquiries_answer", inquiry)
    if inquiry.status == InquiryStatus.ESCALATED and not access.can(
        actor, "deliberation.inquiries_answer", inquiry.handling_unit
    ):
        raise Forbidden(_("该事项已升级到街道，由街道答复。"))
    reply = clean_text(reply, "reply", max_length=10000)
    transition(inquiry, InquiryStatus.ANSWERED, machine="inquiry", roles=roles_of(actor))
    now = timezone.now()
    inquiry.reply = reply
    inquiry.replied_by = actor
    inquiry.replied_at = now
    inquiry.replied_late = now > inquiry.due_at or inquiry.escalated_at is not None
    inquiry.save()
    record(actor=actor, action="deliberation.inquiry_reply", target=inquiry, changes={"late": inquiry.replied_late})
    send(
        recipients=[inquiry.author],
        kind="deliberation.inquiry",
        title=gettext_lazy("您的%(kind)s“%(title)s”已答复"),
        params={"kind": inquiry.get_kind_display(), "title": inquiry.title},
        url=f"/deliberation/inquiries/{inquiry.pk}/",
    )
    return inquiry


def _escalate(inquiry: Inquiry, *, actor: Any, roles: set[str], reason: str) -> None:
    street = Unit.objects.get_parent(inquiry.unit)
    if street is None:
        raise Conflict(_("没有上级街道可以升级。"))
    transition(inquiry, InquiryStatus.ESCALATED, machine="inquiry", roles=roles)
    now = timezone.now()
    inquiry.handling_unit = street
    inquiry.escalated_at = now
    inquiry.due_at = workdays.add_workdays(now, STREET_WORKDAYS)
    inquiry.save()
    record(
        actor=actor,
        action="deliberation.inquiry_escalate",
        target=inquiry,
        changes={"to": street.pk, "reason": reason, "due_at": inquiry.due_at},
    )
    send(
        recipients=unit_managers(street, [Role.STREET_STAFF]),
        kind="deliberation.inquiry",
        title=gettext_lazy("社区逾期未答复，已升级街道：%(title)s"),
        params={"title": inquiry.title},
        url=f"/deliberation/inquiries/{inquiry.pk}/",
    )


@transaction.atomic
def inquiry_escalate(*, actor: Any, inquiry: Inquiry, reason: str) -> Inquiry:
    """A community head sends an inquiry up to the street before its deadline (beyond the community's powers)."""
    inquiry = lock(Inquiry, inquiry)
    access.check(actor, "deliberation.inquiries_answer", inquiry)
    _escalate(inquiry, actor=actor, roles=roles_of(actor), reason=clean_text(reason, "reason", max_length=300))
    return inquiry


@transaction.atomic
def escalate_overdue_inquiries(*, now: dt.datetime | None = None) -> int:
    """Periodic: every community inquiry past its reply deadline goes up to the street."""
    moment = now or timezone.now()
    count = 0
    for inquiry in Inquiry.objects.select_for_update().filter(status=InquiryStatus.OPEN, due_at__lt=moment):
        _escalate(inquiry, actor="system", roles={SYSTEM}, reason="overdue")
        count += 1
    return count


# --- proposal contests (金牛) ---------------------------------------------------------------------------


@transaction.atomic
def contest_create(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    criteria: list[dict[str, Any]],
    description: str = "",
    budget: Any = "0",
    min_self_share: Any = "0",
    awards: int = 3,
    pitch_minutes: int = 5,
) -> Contest:
    """Set up a contest: weighted criteria, the budget and the minimum share residents raise themselves."""
    access.check(actor, "deliberation.contests_manage", unit)
    errors: dict[str, str] = {}
    money = to_money(budget, field="budget")
    try:
        share = Decimal(str(min_self_share))
    except Exception:
        share = Decimal("-1")
    if money < 0:
        errors["budget"] = _("资助总额不能为负。")
    if not Decimal("0") <= share <= Decimal("1"):
        errors["min_self_share"] = _("自筹比例应在0到1之间。")
    if awards < 1:
        errors["awards"] = _("至少资助1个项目。")
    if not criteria:
        errors["criteria"] = _("请至少设置一个评分项。")
    cleaned = []
    for index, spec in enumerate(criteria):
        name = (spec.get("name") or "").strip()
        try:
            weight = Decimal(str(spec.get("weight")))
        except Exception:
            weight = Decimal("0")
        max_score = int(spec.get("max_score") or 10)
        if not name:
            errors[f"criteria.{index}.name"] = _("此项必填。")
        if weight <= 0:
            errors[f"criteria.{index}.weight"] = _("权重应大于0。")
        if max_score < 1:
            errors[f"criteria.{index}.max_score"] = _("满分应大于0。")
        cleaned.append((name[:60], weight, max_score))
    if errors:
        raise InvalidInput(fields=errors)
    contest = Contest.objects.create(
        unit=unit,
        title=clean_text(title, "title", max_length=200),
        description=(description or "").strip()[:5000],
        budget=money,
        min_self_share=share,
        awards=awards,
        pitch_minutes=pitch_minutes,
        created_by=actor,
    )
    for name, weight, max_score in cleaned:
        Criterion.objects.create(contest=contest, name=name, weight=weight, max_score=max_score)
    record(
        actor=actor,
        action="deliberation.contest_create",
        target=contest,
        changes={"budget": money, "min_self_share": share},
    )
    return contest


@transaction.atomic
def contest_add_judge(*, actor: Any, contest: Contest, user: User) -> Judge:
    contest = lock(Contest, contest)
    access.check(actor, "deliberation.contests_manage", contest)
    if contest.status == ContestStatus.AWARDED or (
        contest.status == ContestStatus.JUDGING and Score.objects.filter(pitch__contest=contest).exists()
    ):
        raise Conflict(_("评审已开始，不能再增加评委。"), code="judging_started")
    judge, created = Judge.objects.get_or_create(contest=contest, user=user)
    if not created:
        raise Conflict(_("此人已是评委。"), code="already_judge")
    record(actor=actor, action="deliberation.contest_add_judge", target=contest, changes={"user": user.pk})
    return judge


@transaction.atomic
def contest_open(*, actor: Any, contest: Contest) -> Contest:
    contest = lock(Contest, contest)
    access.check(actor, "deliberation.contests_manage", contest)
    transition(contest, ContestStatus.OPEN, machine="contest", roles=roles_of(actor))
    contest.save()
    record(actor=actor, action="deliberation.contest_open", target=contest)
    return contest


@transaction.atomic
def pitch_submit(
    *,
    actor: Any,
    contest: Contest,
    title: str,
    team: str,
    total_cost: Any,
    requested: Any,
    summary: str = "",
    topic: Topic | None = None,
) -> Pitch:
    """Enter a project in the contest (residents of the unit, or staff for them)."""
    contest = lock(Contest, contest)
    if not (belongs_to(actor, contest.unit) or access.can(actor, "deliberation.contests_manage", contest)):
        raise Forbidden(_("只有本地居民可以报名。"))
    if contest.status != ContestStatus.OPEN:
        raise Conflict(_("大赛当前不接受报名。"), code="contest_closed")
    cost = to_money(total_cost, field="total_cost")
    ask = to_money(requested, field="requested")
    errors: dict[str, str] = {}
    if cost <= 0:
        errors["total_cost"] = _("项目总预算应大于0。")
    if ask <= 0 or ask > cost:
        errors["requested"] = _("申请资助应大于0且不超过总预算。")
    if topic is not None and topic.unit_path and not topic.unit_path.startswith(contest.unit.path):
        errors["topic"] = _("该议题不属于本大赛的范围。")
    if errors:
        raise InvalidInput(fields=errors)
    pitch = Pitch.objects.create(
        contest=contest,
        topic=topic,
        title=clean_text(title, "title", max_length=200),
        team=clean_text(team, "team", max_length=200),
        summary=(summary or "").strip()[:5000],
        total_cost=cost,
        requested=ask,
        created_by=actor,
    )
    record(
        actor=actor,
        action="deliberation.pitch_submit",
        target=contest,
        changes={"pitch": pitch.pk, "total_cost": cost, "requested": ask},
    )
    return pitch


@transaction.atomic
def contribution_record(
    *, actor: Any, pitch: Pitch, contributor: str, amount: Any, received_on: dt.date | None = None
) -> Contribution:
    """Record money residents raised themselves for a pitch; the pitch's self-raised total is recomputed."""
    pitch = lock(Pitch, pitch)
    access.check(actor, "deliberation.contests_manage", pitch.contest)
    if pitch.contest.status == ContestStatus.AWARDED:
        raise Conflict(_("大赛已公布结果。"), code="contest_closed")
    money = to_money(amount)
    if money <= 0:
        raise InvalidInput(fields={"amount": _("金额应大于0。")})
    day = received_on or timezone.localdate()
    if day > timezone.localdate():
        raise InvalidInput(fields={"received_on": _("日期不能晚于今天。")})
    contribution = Contribution.objects.create(
        pitch=pitch,
        contributor=clean_text(contributor, "contributor", max_length=100),
        amount=money,
        received_on=day,
        recorded_by=actor,
    )
    pitch.self_raised = pitch.contributions.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    pitch.save(update_fields=["self_raised"])
    record(
        actor=actor,
        action="deliberation.contribution_record",
        target=pitch.contest,
        changes={"pitch": pitch.pk, "amount": money},
    )
    return contribution


@transaction.atomic
def contest_start_judging(*, actor: Any, contest: Contest) -> Contest:
    contest = lock(Contest, contest)
    access.check(actor, "deliberation.contests_manage", contest)
    if not contest.judges.exists():
        raise Conflict(_("请先确定评委。"), code="no_judges")
    if not contest.pitches.exists():
        raise Conflict(_("还没有项目报名。"), code="no_pitches")
    transition(contest, ContestStatus.JUDGING, machine="contest", roles=roles_of(actor))
    contest.save()
    record(actor=actor, action="deliberation.contest_judging", target=contest)
    send(
        recipients=[j.user for j in contest.judges.select_related("user")],
        kind="deliberation.contest",
        title=gettext_lazy("请为“%(title)s”的路演项目评分"),
        params={"title": contest.title},
        url=f"/deliberation/contests/{contest.pk}/",
    )
    return contest


@transaction.atomic
def score_submit(*, actor: Any, pitch: Pitch, scores: dict[int, Any]) -> list[Score]:
    """A judge scores a pitch on every criterion (re-scoring replaces the judge's earlier scores)."""
    pitch = lock(Pitch, pitch)
    contest = pitch.contest
    judge = Judge.objects.filter(contest=contest, user=getattr(actor, "pk", None)).first()
    if judge is None:
        access.check(actor, "deliberation.contests_judge", contest)
        raise Forbidden(_("只有本次大赛的评委可以评分。"))
    if contest.status != ContestStatus.JUDGING:
        raise Conflict(_("当前不是评审阶段。"), code="not_judging")
    criteria = {c.pk: c for c in contest.criteria.all()}
    errors: dict[str, str] = {}
    values: dict[int, Decimal] = {}
    for criterion_id, criterion in criteria.items():
        raw = scores.get(criterion_id, scores.get(str(criterion_id)))  # type: ignore[call-overload]
        try:
            value = Decimal(str(raw))
        except Exception:
            errors[f"scores.{criterion_id}"] = _("请为“%(name)s”打分。") % {"name": criterion.name}
            continue
        if not Decimal("0") <= value <= criterion.max_score:
            errors[f"scores.{criterion_id}"] = _("“%(name)s”应在0到%(max)s分之间。") % {
                "name": criterion.name,
                "max": criterion.max_score,
            }
        values[criterion_id] = value
    unknown = {str(k) for k in scores} - {str(k) for k in criteria}
    for key in unknown:
        errors[f"scores.{key}"] = _("未知的评分项。")
    if errors:
        raise InvalidInput(fields=errors)
    saved = []
    for criterion_id, value in values.items():
        score, _created = Score.objects.update_or_create(
            pitch=pitch, judge=judge, criterion=criteria[criterion_id], defaults={"value": value}
        )
        saved.append(score)
    record(
        actor=actor,
        action="deliberation.score_submit",
        target=contest,
        changes={"pitch": pitch.pk, "scores": {str(k): v for k, v in values.items()}},
    )
    return saved


def weighted_score(pitch: Pitch, criteria: list[Criterion], judges: int) -> Decimal | None:
    """Return the pitch's score out of 100: each criterion's judge average, as a share of its maximum, weighted."""
    total_weight = sum((c.weight for c in criteria), Decimal("0"))
    if not criteria or not judges or not total_weight:
        return None
    by_criterion: dict[int, list[Decimal]] = {}
    for score in pitch.scores.all():
        by_criterion.setdefault(score.criterion_id, []).append(score.value)
    result = Decimal("0")
    for criterion in criteria:
        values = by_criterion.get(criterion.pk, [])
        if len(values) < judges:
            return None
        average = sum(values, Decimal("0")) / len(values)
        result += average / criterion.max_score * criterion.weight
    return (result / total_weight * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@transaction.atomic
def contest_award(*, actor: Any, contest: Contest) -> Contest:
    """Rank the pitches by weighted score and fund the best eligible ones within the budget."""
    contest = lock(Contest, contest)
    access.check(actor, "deliberation.contests_manage", contest)
    if contest.status != ContestStatus.JUDGING:
        raise Conflict(_("当前不是评审阶段。"), code="not_judging")
    criteria = list(contest.criteria.all())
    judges = contest.judges.count()
    pitches = list(Pitch.objects.select_for_update().filter(contest=contest).prefetch_related("scores"))
    missing = []
    for pitch in pitches:
        pitch.score = weighted_score(pitch, criteria, judges)
        if pitch.score is None:
            missing.append(pitch.title)
    if missing:
        raise Conflict(_("以下项目评分未完成：%(t)s") % {"t": "、".join(missing)}, code="scores_incomplete")
    pitches.sort(key=lambda p: (-p.score, p.pk))  # type: ignore[operator]
    remaining = contest.budget
    funded = 0
    for rank, pitch in enumerate(pitches, start=1):
        pitch.rank = rank
        eligible = pitch.self_share >= contest.min_self_share
        pitch.awarded = eligible and funded < contest.awards and pitch.requested <= remaining
        pitch.award_amount = pitch.requested if pitch.awarded else None
        if pitch.awarded:
            remaining -= pitch.requested
            funded += 1
        pitch.save(update_fields=["score", "rank", "awarded", "award_amount"])
    transition(contest, ContestStatus.AWARDED, machine="contest", roles=roles_of(actor))
    contest.awarded_at = timezone.now()
    contest.save()
    record(
        actor=actor,
        action="deliberation.contest_award",
        target=contest,
        changes={"ranking": [[p.pk, str(p.score), p.awarded] for p in pitches]},
    )
    return contest


__all__ = [
    "Criterion",
    "close_expired_consultations",
    "comment_enter",
    "comment_moderate",
    "comment_reply",
    "comment_submit",
    "consultation_close",
    "consultation_create",
    "consultation_open",
    "consultation_report",
    "contest_add_judge",
    "contest_award",
    "contest_create",
    "contest_open",
    "contest_start_judging",
    "contribution_record",
    "escalate_overdue_inquiries",
    "inquiry_escalate",
    "inquiry_reply",
    "inquiry_submit",
    "pitch_submit",
    "score_submit",
    "weighted_score",
]
