"""Meetings: convening with notice, agenda, invitees, sign-in, live quorum, minutes, votes and consensus."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation import rules
from gongzhi.deliberation.actions.bodies import satisfy_demands
from gongzhi.deliberation.actions.common import (
    assign_number,
    clean_text,
    current_members,
    lock,
    roles_of,
    user_of,
    voting_member_ids,
)
from gongzhi.deliberation.actions.topics import topic_move
from gongzhi.deliberation.models import (
    CONSENSUS_KINDS,
    AgendaItem,
    Attendance,
    AttendanceMethod,
    Body,
    Invitee,
    InviteeKind,
    Meeting,
    MeetingKind,
    Resolution,
    ResolutionKind,
    Topic,
    Vote,
    VoteCast,
    VoteChoice,
    VoteResult,
)
from gongzhi.deliberation.workflow import (
    ItemStatus,
    MeetingStatus,
    ResolutionStatus,
    TopicStatus,
    transition,
)
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, Throttled
from gongzhi.notify.service import send
from gongzhi.people.models import User
from gongzhi.units.models import Department

CHECKIN_FAILURE_LIMIT = 5
# Sign-in may start this long before the announced time.
OPEN_EARLY = dt.timedelta(hours=2)


def _meeting_url(meeting: Meeting) -> str:
    return f"/deliberation/meetings/{meeting.pk}/"


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    body: Body,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    place: str,
    ends_at: dt.datetime | None = None,
    convener: User | None = None,
    is_public: bool = False,
) -> Meeting:
    """Prepare a meeting of a body; its current members are invited."""
    body = lock(Body, body)
    access.check(actor, "deliberation.convene", body)
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("未知的会议类型。")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at <= timezone.now():
        errors["starts_at"] = _("会议时间应晚于现在。")
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("结束时间应晚于开始时间。")
    if not body.is_active:
        errors["body"] = _("该议事机构已停用。")
    if errors:
        raise InvalidInput(fields=errors)
    meeting = Meeting.objects.create(
        body=body,
        kind=kind,
        title=clean_text(title, "title", max_length=120),
        starts_at=starts_at,
        ends_at=ends_at,
        place=clean_text(place, "place", max_length=200),
        convener=convener or actor,
        is_public=is_public or kind == MeetingKind.ROUNDTABLE,
        created_by=actor,
    )
    assign_number(meeting, "HY")
    for seat in current_members(body, voting=False).select_related("user"):
        Invitee.objects.get_or_create(
            meeting=meeting, user=seat.user, defaults={"kind": InviteeKind.MEMBER, "name": seat.user.name}
        )
    record(
        actor=actor,
        action="deliberation.meeting_create",
        target=meeting,
        unit=body.unit,
        changes={"kind": kind, "starts_at": starts_at, "place": meeting.place},
    )
    return meeting


def _editable(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.NOTICED):
        raise Conflict(_("会议已开始或已结束，不能再修改。"), code="invalid_transition")


@transaction.atomic
def meeting_add_item(
    *, actor: Any, meeting: Meeting, topic: Topic | None = None, title: str = "", motion: str = ""
) -> AgendaItem:
    """Put a published topic (or another matter) on the agenda; only before the notice goes out."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    if meeting.status != MeetingStatus.DRAFT:
        raise Conflict(_("会议通知已发出，不能再增加议程。"), code="invalid_transition")
    if topic is not None:
        topic = lock(Topic, topic)
        if topic.body_id != meeting.body_id:
            raise InvalidInput(fields={"topic": _("该议题不属于本议事机构。")})
        if topic.status != TopicStatus.PUBLISHED:
            raise InvalidInput(fields={"topic": _("只有已立项待协商的议题可以列入议程。")})
        title = title.strip() or topic.title
    title = clean_text(title, "title", max_length=200)
    position = (meeting.items.count() or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, position=position, topic=topic, title=title, motion=motion.strip()[:5000]
    )
    if topic is not None:
        topic_move(
            topic,
            TopicStatus.SCHEDULED,
            actor=actor,
            kind="scheduled",
            note=_("列入%(meeting)s议程（%(when)s）")
            % {"meeting": meeting.title, "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")},
        )
    record(
        actor=actor,
        action="deliberation.meeting_add_item",
        target=meeting,
        unit=meeting.body.unit,
        changes={"item": item.pk, "topic": topic.pk if topic else None, "title": title},
    )
    return item


@transaction.atomic
def meeting_invite(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    user: User | None = None,
    department: Department | None = None,
    name: str = "",
) -> Invitee:
    """Invite a stakeholder, department, expert, deputy or official (members are invited already)."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    _editable(meeting)
    if kind not in InviteeKind.values:
        raise InvalidInput(fields={"kind": _("未知的受邀类别。")})
    label = name.strip() or (str(department) if department else (user.name if user else ""))
    if not label:
        raise InvalidInput(fields={"name": _("请填写受邀人姓名或选择部门。")})
    if user is not None and Invitee.objects.filter(meeting=meeting, user=user).exists():
        raise Conflict(_("此人已在受邀名单中。"), code="already_invited")
    invitee = Invitee.objects.create(meeting=meeting, kind=kind, user=user, department=department, name=label[:100])
    if meeting.status == MeetingStatus.NOTICED and user is not None:
        invitee.notified_at = timezone.now()
        invitee.save(update_fields=["notified_at"])
        _notify_invitees(meeting, [user])
    record(
        actor=actor,
        action="deliberation.meeting_invite",
        target=meeting,
        unit=meeting.body.unit,
        changes={"kind": kind, "name": label, "user": user.pk if user else None},
    )
    return invitee


def _notify_invitees(meeting: Meeting, users: list[User]) -> None:
    send(
        recipients=users,
        kind="deliberation.meeting",
        title=gettext_lazy("会议通知：%(title)s，%(when)s，%(place)s"),
        params={
            "title": meeting.title,
            "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": meeting.place,
        },
        body=meeting.notice_text,
        url=_meeting_url(meeting),
        sms=True,
    )


def notice_deadline(meeting: Meeting) -> dt.datetime:
    """Return the latest moment a notice may go out for this meeting without urgency."""
    return meeting.starts_at - dt.timedelta(days=meeting.body.notice_days)


@transaction.atomic
def meeting_send_notice(
    *, actor: Any, meeting: Meeting, urgent: bool = False, urgent_reason: str = "", notice_text: str = ""
) -> Meeting:
    """Send the notice to every invitee; refused when later than the body's notice period unless urgent."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    if meeting.status != MeetingStatus.DRAFT:
        raise Conflict(_("会议通知已发出或会议已取消。"), code="invalid_transition")
    now = timezone.now()
    if meeting.starts_at <= now:
        raise InvalidInput(fields={"starts_at": _("会议时间已过，请修改时间后再发通知。")})
    late = now > notice_deadline(meeting)
    if late and not urgent:
        raise InvalidInput(
            _("须在会议召开%(n)s日前发出通知。如确属紧急，请标明紧急并说明理由。") % {"n": meeting.body.notice_days},
            code="notice_too_late",
            fields={"urgent": _("通知期不足%(n)s日。") % {"n": meeting.body.notice_days}},
        )
    if urgent and not urgent_reason.strip():
        raise InvalidInput(fields={"urgent_reason": _("紧急召开须说明理由。")})
    if meeting.kind != MeetingKind.ROUNDTABLE and not meeting.items.exists():
        raise InvalidInput(fields={"items": _("请先确定会议议程。")})
    transition(meeting, MeetingStatus.NOTICED, machine="meeting", roles=roles_of(actor))
    meeting.urgent = urgent and late
    meeting.urgent_reason = urgent_reason.strip()[:300] if urgent else ""
    agenda = "；".join(f"{i.position}. {i.title}" for i in meeting.items.all())
    meeting.notice_text = notice_text.strip() or _("议程：%(agenda)s") % {"agenda": agenda or meeting.title}
    meeting.notice_sent_at = now
    meeting.save()
    invitees = list(meeting.invitees.select_related("user"))
    Invitee.objects.filter(meeting=meeting).update(notified_at=now)
    _notify_invitees(meeting, [i.user for i in invitees if i.user_id])
    satisfy_demands(meeting=meeting)
    record(
        actor=actor,
        action="deliberation.meeting_notice",
        target=meeting,
        unit=meeting.body.unit,
        changes={"urgent": meeting.urgent, "urgent_reason": meeting.urgent_reason, "invitees": len(invitees)},
    )
    return meeting


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    """Open the meeting (from two hours before its start): sign-in begins and a check-in code is issued."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    if meeting.status == MeetingStatus.NOTICED and timezone.now() < meeting.starts_at - OPEN_EARLY:
        raise Conflict(_("会议开始前两小时内才能开始签到。"), code="too_early")
    transition(meeting, MeetingStatus.IN_SESSION, machine="meeting", roles=roles_of(actor))
    meeting.opened_at = timezone.now()
    meeting.checkin_code = f"{secrets.randbelow(1_000_000):06d}"
    meeting.save()
    record(actor=actor, action="deliberation.meeting_open", target=meeting, unit=meeting.body.unit)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    reason = clean_text(reason, "reason", max_length=300)
    transition(meeting, MeetingStatus.CANCELLED, machine="meeting", roles=roles_of(actor))
    meeting.summary = reason
    meeting.save()
    for item in meeting.items.select_related("topic"):
        if item.topic is not None and item.topic.status == TopicStatus.SCHEDULED:
            topic_move(
                item.topic,
                TopicStatus.PUBLISHED,
                actor=actor,
                kind="unscheduled",
                note=_("会议取消：%(r)s") % {"r": reason},
            )
    send(
        recipients=[i.user for i in meeting.invitees.select_related("user") if i.user_id],
        kind="deliberation.meeting",
        title=gettext_lazy("会议取消：%(title)s"),
        params={"title": meeting.title},
        body=reason,
        url=_meeting_url(meeting),
    )
    record(
        actor=actor,
        action="deliberation.meeting_cancel",
        target=meeting,
        unit=meeting.body.unit,
        changes={"reason": reason},
    )
    return meeting


@transaction.atomic
def meeting_close(*, actor: Any, meeting: Meeting, summary: str = "") -> Meeting:
    """Close the meeting; items not decided go back to the topic pool (deferred)."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    if meeting.items.filter(status=ItemStatus.VOTING).exists():
        raise Conflict(_("还有正在表决的议程，请先结束表决。"), code="vote_open")
    transition(meeting, MeetingStatus.CLOSED, machine="meeting", roles=roles_of(actor))
    meeting.closed_at = timezone.now()
    if summary.strip():
        meeting.summary = summary.strip()[:10000]
    meeting.save()
    for item in meeting.items.select_for_update().filter(status=ItemStatus.PENDING):
        transition(item, ItemStatus.DEFERRED, machine="item", roles=roles_of(actor))
        item.save(update_fields=["status"])
        if item.topic_id:
            topic_move(
                item.topic, TopicStatus.PUBLISHED, actor=actor, kind="deferred", note=_("会议未作决定，待下次协商。")
            )
    record(actor=actor, action="deliberation.meeting_close", target=meeting, unit=meeting.body.unit)
    return meeting


# --- sign-in and quorum --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    required: int
    reached: bool
    attendees: int


def quorum(meeting: Meeting) -> Quorum:
    """Return the live quorum: voting members signed in against the body's current voting members."""
    members_ids = voting_member_ids(meeting.body)
    signed = set(meeting.attendances.values_list("user_id", flat=True))
    present = len(members_ids & signed)
    required = rules.quorum_required(len(members_ids), meeting.body.quorum)
    return Quorum(
        members=len(members_ids),
        present=present,
        required=required,
        reached=rules.has_quorum(present, len(members_ids), meeting.body.quorum),
        attendees=len(signed),
    )


def _sign_in(*, actor: Any, meeting: Meeting, user: User, method: str) -> Attendance:
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中，不能签到。"), code="not_in_session")
    is_voter = user.pk in voting_member_ids(meeting.body)
    invited = meeting.invitees.filter(user=user).exists()
    if not (is_voter or invited or meeting.is_public):
        raise Forbidden(_("您不在本次会议的受邀名单中。"))
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, user=user, is_voting_member=is_voter, method=method, recorded_by=actor
            )
    except IntegrityError:
        raise Conflict(_("已经签到。"), code="already_signed_in") from None
    q = quorum(meeting)
    record(
        actor=actor,
        action="deliberation.attendance",
        target=meeting,
        unit=meeting.body.unit,
        changes={"user": user.pk, "method": method, "present": q.present, "members": q.members},
    )
    return attendance


@transaction.atomic
def attendance_mark(*, actor: Any, meeting: Meeting, user: User) -> Attendance:
    """Staff record someone as present."""
    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    return _sign_in(actor=actor, meeting=meeting, user=user, method=AttendanceMethod.STAFF)


@transaction.atomic
def attendance_checkin(*, actor: Any, meeting: Meeting, code: str) -> Attendance:
    """An attendee checks in with the code shown in the room."""
    meeting = lock(Meeting, meeting)
    if user_of(actor) is None:
        access.check(actor, "deliberation.topics_view", meeting)
    key = f"deliberation:checkin:{meeting.pk}:{actor.pk}"
    failures = cache.get(key, 0)
    if failures >= CHECKIN_FAILURE_LIMIT:
        raise Throttled(_("签到码错误次数过多，请找工作人员签到。"))
    if not meeting.checkin_code or not hmac.compare_digest(meeting.checkin_code, (code or "").strip()):
        cache.set(key, failures + 1, 3600)
        raise InvalidInput(fields={"code": _("签到码不正确。")})
    return _sign_in(actor=actor, meeting=meeting, user=actor, method=AttendanceMethod.CODE)


# --- agenda items: minutes, votes, consensus ------------------------------------------------------------


def _item_locked(item: AgendaItem) -> AgendaItem:
    item = lock(AgendaItem, item)
    item.meeting = Meeting.objects.select_related("body__unit").get(pk=item.meeting_id)
    return item


@transaction.atomic
def item_minutes(*, actor: Any, item: AgendaItem, minutes: str) -> AgendaItem:
    """Record the minutes of an agenda item (during the meeting or after it)."""
    item = _item_locked(item)
    access.check(actor, "deliberation.convene", item.meeting)
    if item.meeting.status not in (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED):
        raise Conflict(_("会议开始后才能记录。"), code="not_in_session")
    item.minutes = clean_text(minutes, "minutes", max_length=20000)
    item.save(update_fields=["minutes"])
    record(
        actor=actor,
        action="deliberation.item_minutes",
        target=item.meeting,
        unit=item.meeting.body.unit,
        changes={"item": item.pk},
    )
    return item


@transaction.atomic
def item_open_vote(*, actor: Any, item: AgendaItem, secret: bool = False, motion: str = "") -> AgendaItem:
    """Open the vote on an item; refused without quorum."""
    item = _item_locked(item)
    meeting = item.meeting
    access.check(actor, "deliberation.convene", meeting)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中，不能表决。"), code="not_in_session")
    if meeting.kind == MeetingKind.ROUNDTABLE:
        raise Conflict(_("圆桌会不进行表决，请记录现场承诺。"), code="no_vote_at_roundtable")
    q = quorum(meeting)
    if not q.reached:
        raise Conflict(
            _("出席的有表决权成员%(present)s人，未达到法定人数%(required)s人，不能表决。")
            % {"present": q.present, "required": q.required},
            code="no_quorum",
        )
    transition(item, ItemStatus.VOTING, machine="item", roles=roles_of(actor))
    item.secret = secret
    if motion.strip():
        item.motion = motion.strip()[:5000]
    item.vote_opened_at = timezone.now()
    item.save()
    record(
        actor=actor,
        action="deliberation.vote_open",
        target=meeting,
        unit=meeting.body.unit,
        changes={"item": item.pk, "secret": secret, "present": q.present, "members": q.members},
    )
    return item


@transaction.atomic
def vote_cast(*, actor: Any, item: AgendaItem, choice: str) -> VoteCast:
    """Record one voting member's vote, synchronously: when this returns, the vote is committed."""
    if user_of(actor) is None:
        access.check(actor, "deliberation.topics_view", item)
    if choice not in VoteChoice.values:
        raise InvalidInput(fields={"choice": _("请选择赞成、反对或弃权。")})
    item = lock(AgendaItem, item)
    meeting = Meeting.objects.select_related("body__unit").get(pk=item.meeting_id)
    if not current_members(meeting.body).filter(user=actor).exists():
        raise Forbidden(_("只有本机构有表决权的成员可以投票。"))
    if item.status != ItemStatus.VOTING:
        raise Conflict(_("该议程当前不在表决时间内。"), code="vote_closed")
    if not Attendance.objects.filter(meeting=meeting, user=actor).exists():
        raise Conflict(_("请先签到再投票。"), code="not_signed_in")
    try:
        with transaction.atomic():
            cast = VoteCast.objects.create(item=item, voter=actor)
    except IntegrityError:
        raise Conflict(_("您已对该议程投过票。"), code="already_voted") from None
    Vote.objects.create(item=item, choice=choice, voter=None if item.secret else actor)
    record(
        actor=actor,
        action="deliberation.vote_cast",
        target=meeting,
        unit=meeting.body.unit,
        changes={"item": item.pk, **({} if item.secret else {"choice": choice})},
    )
    return cast


def count_votes(item: AgendaItem) -> dict[str, int]:
    counts = dict.fromkeys(VoteChoice.values, 0)
    for row in Vote.objects.filter(item=item).values("choice").annotate(n=Count("id")):
        counts[row["choice"]] = row["n"]
    return counts


def _new_resolution(
    *,
    meeting: Meeting,
    item: AgendaItem | None,
    kind: str,
    title: str,
    text: str,
    topic: Topic | None,
    raised_by: str = "",
) -> Resolution:
    status = (
        ResolutionStatus.LEGAL_REVIEW
        if meeting.body.requires_legal_review and kind != ResolutionKind.ROUNDTABLE
        else ResolutionStatus.EXECUTING
    )
    resolution = Resolution.objects.create(
        kind=kind,
        body=meeting.body,
        unit_path=meeting.body.unit.path,
        meeting=meeting,
        item=item,
        topic=topic,
        title=title[:200],
        text=text,
        raised_by=raised_by[:100],
        status=status,
    )
    assign_number(resolution, "JY")
    return resolution


@transaction.atomic
def item_close_vote(*, actor: Any, item: AgendaItem) -> AgendaItem:
    """Close the vote and apply the body's majority rule; an adopted item becomes a resolution."""
    item = _item_locked(item)
    meeting = item.meeting
    access.check(actor, "deliberation.convene", meeting)
    if item.status != ItemStatus.VOTING:
        raise Conflict(_("该议程不在表决中。"), code="vote_closed")
    counts = count_votes(item)
    q = quorum(meeting)
    result = rules.tally(
        meeting.body.majority_rule,
        members=q.members,
        present=max(q.present, sum(counts.values())),
        votes_for=counts[VoteChoice.FOR],
        votes_against=counts[VoteChoice.AGAINST],
        votes_abstain=counts[VoteChoice.ABSTAIN],
    )
    target = ItemStatus.ADOPTED if result.adopted else ItemStatus.REJECTED
    transition(item, target, machine="item", roles=roles_of(actor))
    item.vote_closed_at = timezone.now()
    item.majority_rule = result.rule
    item.member_count = result.members
    item.present_count = result.present
    item.votes_for = result.votes_for
    item.votes_against = result.votes_against
    item.votes_abstain = result.votes_abstain
    item.required_for = result.required_for
    item.result = VoteResult.ADOPTED if result.adopted else VoteResult.REJECTED
    item.save()
    note = _("表决结果：赞成%(f)s，反对%(a)s，弃权%(b)s；应到%(m)s，实到%(p)s，通过需%(r)s票。") % {
        "f": result.votes_for,
        "a": result.votes_against,
        "b": result.votes_abstain,
        "m": result.members,
        "p": result.present,
        "r": result.required_for,
    }
    resolution = None
    if result.adopted:
        resolution = _new_resolution(
            meeting=meeting,
            item=item,
            kind=ResolutionKind.VOTED,
            title=item.title,
            text=item.motion or (item.topic.description if item.topic_id else item.title),
            topic=item.topic,
        )
    if item.topic_id:
        topic_move(
            item.topic,
            TopicStatus.RESOLVED if result.adopted else TopicStatus.NOT_ADOPTED,
            actor=actor,
            kind="voted",
            note=note,
        )
    record(
        actor=actor,
        action="deliberation.vote_close",
        target=meeting,
        unit=meeting.body.unit,
        changes={
            "item": item.pk,
            "result": item.result,
            **counts,
            "required": result.required_for,
            "resolution": resolution.pk if resolution else None,
        },
    )
    return item


@transaction.atomic
def item_record_consensus(*, actor: Any, item: AgendaItem, consensus: str) -> AgendaItem:
    """Record the consensus reached on an item (consultation meetings, hearings, round tables)."""
    item = _item_locked(item)
    meeting = item.meeting
    access.check(actor, "deliberation.convene", meeting)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中。"), code="not_in_session")
    if meeting.kind not in CONSENSUS_KINDS:
        raise Conflict(
            _("%(kind)s的议程须经表决，不能以协商一致代替。") % {"kind": meeting.get_kind_display()},
            code="vote_required",
        )
    consensus = clean_text(consensus, "consensus", max_length=10000)
    transition(item, ItemStatus.CONSENSUS, machine="item", roles=roles_of(actor))
    item.consensus = consensus
    item.save()
    resolution = _new_resolution(
        meeting=meeting, item=item, kind=ResolutionKind.CONSENSUS, title=item.title, text=consensus, topic=item.topic
    )
    if item.topic_id:
        topic_move(item.topic, TopicStatus.RESOLVED, actor=actor, kind="consensus", note=consensus[:500])
    record(
        actor=actor,
        action="deliberation.item_consensus",
        target=meeting,
        unit=meeting.body.unit,
        changes={"item": item.pk, "resolution": resolution.pk},
    )
    return item


@transaction.atomic
def roundtable_issue_raise(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    text: str,
    raised_by: str,
    commitments: list[dict[str, Any]] | None = None,
) -> Resolution:
    """Record an issue raised at a round table, with the commitments officials make on the spot."""
    from gongzhi.deliberation.actions.outcomes import _add_commitment

    meeting = lock(Meeting, meeting)
    access.check(actor, "deliberation.convene", meeting)
    if meeting.kind != MeetingKind.ROUNDTABLE:
        raise Conflict(_("只有圆桌会可以现场登记问题。"), code="not_roundtable")
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中。"), code="not_in_session")
    title = clean_text(title, "title", max_length=200)
    text = clean_text(text, "text", max_length=5000)
    raised_by = clean_text(raised_by, "raised_by", max_length=100)
    resolution = _new_resolution(
        meeting=meeting,
        item=None,
        kind=ResolutionKind.ROUNDTABLE,
        title=title,
        text=text,
        topic=None,
        raised_by=raised_by,
    )
    for index, spec in enumerate(commitments or []):
        _add_commitment(actor=actor, resolution=resolution, prefix=f"commitments.{index}.", **spec)
    record(
        actor=actor,
        action="deliberation.roundtable_issue",
        target=resolution,
        unit=meeting.body.unit,
        changes={"meeting": meeting.pk, "raised_by": raised_by, "commitments": len(commitments or [])},
    )
    return resolution


@transaction.atomic
def item_defer(*, actor: Any, item: AgendaItem, reason: str) -> AgendaItem:
    item = _item_locked(item)
    access.check(actor, "deliberation.convene", item.meeting)
    if item.meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中。"), code="not_in_session")
    reason = clean_text(reason, "reason", max_length=500)
    transition(item, ItemStatus.DEFERRED, machine="item", roles=roles_of(actor))
    item.minutes = (item.minutes + "\n" + reason).strip()
    item.save()
    if item.topic_id:
        topic_move(item.topic, TopicStatus.PUBLISHED, actor=actor, kind="deferred", note=reason)
    record(
        actor=actor,
        action="deliberation.item_defer",
        target=item.meeting,
        unit=item.meeting.body.unit,
        changes={"item": item.pk, "reason": reason},
    )
    return item
