"""Every read in deliberation goes through here.

Staff reads are scoped with access.scope / access.get_or_404. Public reads (topics, resolutions,
consultations, inquiries and contests published for everyone) are filtered by their public state
here, in one place, so a draft never leaks onto a public page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.deliberation.models import (
    AgendaItem,
    Body,
    BodyMember,
    Comment,
    Commitment,
    Consultation,
    Contest,
    Inquiry,
    Meeting,
    MeetingDemand,
    Pitch,
    Resolution,
    Topic,
    TopicAppeal,
    TopicAppealRole,
)
from gongzhi.deliberation.workflow import (
    CommentStatus,
    ConsultationStatus,
    ContestStatus,
    MeetingStatus,
    ResolutionStatus,
    TopicStatus,
)
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.units.models import Unit

PUBLIC_RESOLUTION_STATES = (
    ResolutionStatus.EXECUTING,
    ResolutionStatus.POSTED,
    ResolutionStatus.EVALUATION,
    ResolutionStatus.CLOSED,
)


def _scoped(actor: Any, perm: str, qs: QuerySet, pk: Any) -> Any:
    """get_or_404 for objects that may also be public: an anonymous visitor gets 404, not 401."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    return access.get_or_404(actor, perm, qs, pk=pk)


# --- bodies --------------------------------------------------------------------------------------------


def bodies_visible(actor: Any, perm: str = "deliberation.view") -> QuerySet[Body]:
    return access.scope(actor, perm, Body.objects.select_related("unit", "parent"))


def access_body(actor: Any, pk: Any, perm: str = "deliberation.view") -> Body:
    """A body in the actor's scope, or one they hold a seat in."""
    qs = Body.objects.select_related("unit", "parent")
    if perm == "deliberation.view" and getattr(actor, "is_authenticated", False) and str(pk).isdigit():
        seated = qs.filter(pk=pk, pk__in=BodyMember.objects.current().filter(user=actor).values("body_id")).first()
        if seated is not None:
            return seated
    return access.get_or_404(actor, perm, qs, pk=pk)


def body_list(actor: Any, *, unit: Unit | None = None, level: str = "", text: str = "") -> QuerySet[Body]:
    qs = bodies_visible(actor)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if level:
        qs = qs.filter(level=level)
    if text.strip():
        qs = qs.filter(name__icontains=text.strip())
    return qs.annotate(member_total=Count("members", filter=Q(members__term_end__isnull=True))).order_by(
        "unit__path", "name"
    )


def body_members(body: Body, *, include_past: bool = False) -> QuerySet[BodyMember]:
    qs = BodyMember.objects.filter(body=body).select_related("user")
    if not include_past:
        qs = qs.current()
    return qs.order_by("role", "term_start", "id")


def access_member(actor: Any, pk: Any) -> BodyMember:
    return access.get_or_404(
        actor, "deliberation.view", BodyMember.objects.select_related("body__unit", "user"), pk=pk
    )


def bodies_of_member(actor: Any) -> QuerySet[Body]:
    """Return the bodies in which the actor holds a current seat."""
    if not getattr(actor, "is_authenticated", False):
        return Body.objects.none()
    ids = BodyMember.objects.current().filter(user=actor).values("body_id")
    return Body.objects.filter(pk__in=ids).select_related("unit")


def bodies_open_to(actor: Any) -> QuerySet[Body]:
    """Return the active bodies a signed-in person can propose to (those of the units they live or work in)."""
    from gongzhi.people.models import Resident

    if not getattr(actor, "is_authenticated", False):
        return Body.objects.none()
    paths = [g.unit_path for g in access.grants(actor) if g.unit_path]
    paths += list(Resident.objects.filter(user=actor, moved_out_on__isnull=True).values_list("unit__path", flat=True))
    if any(g.is_global for g in access.grants(actor)):
        return Body.objects.filter(is_active=True).select_related("unit")
    condition = Q(pk__in=[])
    for path in set(paths):
        # A body at the person's unit or above it (a grid resident proposes to the community's council).
        prefixes = [path[:i] for i in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        condition |= Q(unit__path__in=prefixes)
    return Body.objects.filter(condition, is_active=True).select_related("unit").order_by("unit__path", "name")


def demands_for(body: Body) -> QuerySet[MeetingDemand]:
    return MeetingDemand.objects.filter(body=body).select_related("opened_by", "meeting").order_by("-id")


def access_demand(actor: Any, pk: Any) -> MeetingDemand:
    demand = MeetingDemand.objects.select_related("body__unit").filter(pk=pk).first() if str(pk).isdigit() else None
    if demand is None:
        raise NotFound()
    access_body(actor, demand.body_id)
    return demand


# --- topics --------------------------------------------------------------------------------------------


TOPIC_ORDER = ("-id",)


def _topic_filters(
    qs: QuerySet[Topic], *, unit: Unit | None, stage: str, status: str, source: str, text: str, body: Body | None
) -> QuerySet[Topic]:
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    if body is not None:
        qs = qs.filter(body=body)
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        if status not in TopicStatus.values:
            raise InvalidInput(fields={"status": _("未知的状态。")})
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if text.strip():
        qs = qs.filter(Q(title__icontains=text.strip()) | Q(number=text.strip()))
    return qs


def public_topics(
    *,
    unit: Unit | None = None,
    stage: str = "",
    status: str = "",
    source: str = "",
    text: str = "",
    body: Body | None = None,
) -> QuerySet[Topic]:
    qs = Topic.objects.filter(is_public=True).select_related("body", "unit")
    return _topic_filters(qs, unit=unit, stage=stage, status=status, source=source, text=text, body=body)


def public_topic_page(*, after: str | None = None, limit: int | None = None, **filters: Any) -> Page:
    return keyset_page(public_topics(**filters), order=TOPIC_ORDER, after=after, limit=limit)


def topics_visible(actor: Any) -> QuerySet[Topic]:
    return access.scope(actor, "deliberation.topics_view", Topic.objects.select_related("body", "unit", "proposer"))


def topic_page(actor: Any, *, after: str | None = None, limit: int | None = None, **filters: Any) -> Page:
    qs = _topic_filters(
        topics_visible(actor),
        unit=filters.get("unit"),
        stage=filters.get("stage", ""),
        status=filters.get("status", ""),
        source=filters.get("source", ""),
        text=filters.get("text", ""),
        body=filters.get("body"),
    )
    return keyset_page(qs, order=TOPIC_ORDER, after=after, limit=limit)


def screening_queue(actor: Any, body: Body, *, after: str | None = None, limit: int | None = None) -> Page:
    """Return the topics awaiting this body's screening (oldest first)."""
    access.check(actor, "deliberation.screen", body)
    qs = Topic.objects.filter(body=body, status__in=[TopicStatus.SUBMITTED, TopicStatus.PARTY_REVIEW]).select_related(
        "proposer", "body"
    )
    return keyset_page(qs, order=("id",), after=after, limit=limit)


def screening_queues(actor: Any) -> QuerySet[Topic]:
    """Return every topic awaiting screening in the actor's reach (for the desk)."""
    return access.scope(
        actor,
        "deliberation.screen",
        Topic.objects.filter(status__in=[TopicStatus.SUBMITTED, TopicStatus.PARTY_REVIEW]),
    ).select_related("body")


def access_topic(actor: Any, pk: Any) -> Topic:
    """A topic the actor may see: any public one, or one in their scope (their own, or staff reach)."""
    qs = Topic.objects.select_related("body__unit", "body__parent", "unit", "proposer", "merged_into")
    topic = qs.filter(pk=pk, is_public=True).first() if str(pk).isdigit() else None
    if topic is not None:
        return topic
    return _scoped(actor, "deliberation.topics_view", qs, pk)


def public_topic(pk: Any) -> Topic:
    try:
        return Topic.objects.select_related("body__unit", "unit", "merged_into").get(pk=pk, is_public=True)
    except (Topic.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def topic_timeline(topic: Topic, *, public_only: bool = True):
    qs = topic.events.select_related("actor", "body").order_by("id")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs


def topic_has_cosigned(actor: Any, topic: Topic) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and topic.cosignatures.filter(user=actor).exists()


def topic_explanation(topic: Topic) -> str:
    """Return one sentence saying where the topic is in the 246 pipeline and why."""
    status = topic.status
    if status == TopicStatus.COLLECTING:
        return _("正在征集联署：已有%(n)s人联署，还需%(m)s人。") % {
            "n": topic.cosign_count,
            "m": max(0, topic.cosign_required - topic.cosign_count),
        }
    if status == TopicStatus.SUBMITTED:
        return _("等待%(body)s筛选（是否属于公共事务、立项、合并、转办或上交）。") % {"body": topic.body.name}
    if status == TopicStatus.PARTY_REVIEW:
        return _("%(body)s已同意立项，等待党组织把关后发布。") % {"body": topic.body.name}
    if status == TopicStatus.PUBLISHED:
        return _("已立项，等待%(body)s安排协商会议。") % {"body": topic.body.name}
    if status == TopicStatus.SCHEDULED:
        item = topic.agenda_items.select_related("meeting").order_by("-id").first()
        if item is not None:
            return _("已列入%(meeting)s议程。") % {"meeting": item.meeting.title}
    last = topic.events.filter(is_public=True).order_by("-id").first()
    reason = topic.decision_reason or (last.note if last else "")
    if status in (TopicStatus.REJECTED, TopicStatus.REFERRED, TopicStatus.MERGED):
        return _("%(status)s。理由：%(reason)s") % {"status": topic.get_status_display(), "reason": reason}
    if status == TopicStatus.RESOLVED:
        return _("已形成决议，责任单位正在办理，监督委员会核查后公示。")
    if status == TopicStatus.EVALUATING:
        return _("办理结果公示期满，请居民评议办理效果。")
    if status == TopicStatus.CLOSED:
        return _("已办结，居民评议平均%(s)s分。") % {"s": topic.evaluation_score or "-"}
    return last.note if last else topic.get_status_display()


# --- meetings ------------------------------------------------------------------------------------------


def meetings_visible(actor: Any) -> QuerySet[Meeting]:
    return access.scope(actor, "deliberation.view", Meeting.objects.select_related("body__unit", "convener"))


def meeting_list(
    actor: Any, *, body: Body | None = None, status: str = "", upcoming: bool = False
) -> QuerySet[Meeting]:
    import datetime as dt

    from django.utils import timezone

    qs = meetings_visible(actor)
    if body is not None:
        qs = qs.filter(body=body)
    if status:
        qs = qs.filter(status=status)
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now() - dt.timedelta(hours=12)).exclude(status=MeetingStatus.CANCELLED)
    return qs.order_by("-starts_at", "-id")


def my_meetings(actor: Any) -> QuerySet[Meeting]:
    """Meetings the person is invited to (members and other invitees), newest first."""
    if not getattr(actor, "is_authenticated", False):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(invitees__user=actor)
        .exclude(status=MeetingStatus.DRAFT)
        .select_related("body__unit")
        .order_by("-starts_at")
        .distinct()
    )


def access_meeting(actor: Any, pk: Any) -> Meeting:
    """A meeting the actor may see: staff in scope, any invitee, or anyone for a public noticed meeting."""
    qs = Meeting.objects.select_related("body__unit", "convener")
    if getattr(actor, "is_authenticated", False):
        invited = qs.filter(pk=pk, invitees__user=actor).exclude(status=MeetingStatus.DRAFT).first()
        if invited is not None:
            return invited
        public = qs.filter(pk=pk, is_public=True).exclude(status=MeetingStatus.DRAFT).first()
        if public is not None:
            return public
    return _scoped(actor, "deliberation.view", qs, pk)


def meeting_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.items.select_related("topic").order_by("position")


def access_item(actor: Any, pk: Any) -> AgendaItem:
    item = AgendaItem.objects.select_related("meeting").filter(pk=pk).first()
    if item is None:
        raise NotFound()
    access_meeting(actor, item.meeting_id)
    return item


def has_voted(actor: Any, item: AgendaItem) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and item.casts.filter(voter=actor).exists()


# --- resolutions ---------------------------------------------------------------------------------------


def resolutions_visible(actor: Any) -> QuerySet[Resolution]:
    return access.scope(actor, "deliberation.view", Resolution.objects.select_related("body", "meeting", "topic"))


def public_resolutions(*, unit: Unit | None = None) -> QuerySet[Resolution]:
    qs = Resolution.objects.filter(status__in=PUBLIC_RESOLUTION_STATES).select_related("body", "meeting")
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return qs


def access_resolution(actor: Any, pk: Any) -> Resolution:
    qs = Resolution.objects.select_related("body__unit", "meeting", "topic", "item")
    public = qs.filter(pk=pk, status__in=PUBLIC_RESOLUTION_STATES).first() if str(pk).isdigit() else None
    if public is not None:
        return public
    return _scoped(actor, "deliberation.view", qs, pk)


def resolution_commitments(resolution: Resolution) -> QuerySet[Commitment]:
    return resolution.commitments.select_related("owner_user", "owner_department").prefetch_related("updates__actor")


def access_commitment(actor: Any, pk: Any) -> Commitment:
    commitment = Commitment.objects.select_related("resolution__body__unit").filter(pk=pk).first()
    if commitment is None:
        raise NotFound()
    if access.can(actor, "deliberation.execute", commitment) or access.can(
        actor, "deliberation.supervise", commitment
    ):
        return commitment
    access_resolution(actor, commitment.resolution_id)
    return commitment


def commitments_for(actor: Any, *, status: str = "") -> QuerySet[Commitment]:
    """Commitments the actor carries out (own, department's, or staff reach)."""
    qs = access.scope(
        actor,
        "deliberation.execute",
        Commitment.objects.select_related("resolution", "owner_user", "owner_department"),
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("deadline", "id")


def supervision_queue(actor: Any) -> QuerySet[Commitment]:
    from gongzhi.deliberation.workflow import CommitmentStatus

    return (
        access.scope(
            actor, "deliberation.supervise", Commitment.objects.select_related("resolution", "owner_department")
        )
        .filter(status=CommitmentStatus.DONE)
        .order_by("closed_at", "id")
    )


# --- consultations, inquiries, contests ---------------------------------------------------------------


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.exclude(status=ConsultationStatus.DRAFT).select_related("unit")


def consultations_managed(actor: Any) -> QuerySet[Consultation]:
    return access.scope(actor, "deliberation.consultations_manage", Consultation.objects.select_related("unit"))


def access_consultation(actor: Any, pk: Any) -> Consultation:
    qs = Consultation.objects.select_related("unit")
    public = qs.exclude(status=ConsultationStatus.DRAFT).filter(pk=pk).first() if str(pk).isdigit() else None
    if public is not None:
        return public
    return _scoped(actor, "deliberation.consultations_manage", qs, pk)


def consultation_comments(consultation: Consultation, *, staff: bool = False, actor: Any = None) -> QuerySet[Comment]:
    qs = consultation.comments.select_related("section").order_by("id")
    if staff:
        return qs
    own = Q(author=actor) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return qs.filter(Q(status=CommentStatus.PUBLISHED) | own)


def access_comment(actor: Any, pk: Any) -> Comment:
    return access.get_or_404(
        actor, "deliberation.consultations_manage", Comment.objects.select_related("consultation"), pk=pk
    )


def consultation_figures(consultation: Consultation) -> dict[str, Any]:
    """Participation figures: comments by channel and status, and replies by kind."""
    from gongzhi.deliberation.models import Channel, ReplyKind

    rows = consultation.comments.values("channel", "status", "reply_kind").annotate(n=Count("id"))
    by_channel = dict.fromkeys(Channel.values, 0)
    by_reply = dict.fromkeys(ReplyKind.values, 0)
    by_status = dict.fromkeys(CommentStatus.values, 0)
    for row in rows:
        by_channel[row["channel"]] += row["n"]
        by_status[row["status"]] += row["n"]
        if row["reply_kind"]:
            by_reply[row["reply_kind"]] += row["n"]
    total = sum(by_channel.values())
    return {
        "total": total,
        "by_channel": by_channel,
        "by_status": by_status,
        "by_reply": by_reply,
        "unanswered": consultation.comments.exclude(status=CommentStatus.PENDING).filter(reply="").count(),
        "people": consultation.comments.values("author_name").distinct().count(),
    }


def public_inquiries(*, kind: str = "", unit: Unit | None = None) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related("unit", "handling_unit")
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return qs


def inquiries_to_answer(actor: Any) -> QuerySet[Inquiry]:
    from gongzhi.deliberation.workflow import InquiryStatus

    qs = access.scope(actor, "deliberation.inquiries_answer", Inquiry.objects.select_related("unit", "handling_unit"))
    return qs.exclude(status=InquiryStatus.ANSWERED).order_by("due_at", "id")


def access_inquiry(actor: Any, pk: Any) -> Inquiry:
    # Every inquiry and reply is public (问政于民: all replies public).
    try:
        return Inquiry.objects.select_related("unit", "handling_unit", "author", "replied_by").get(pk=pk)
    except (Inquiry.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def public_contests() -> QuerySet[Contest]:
    return Contest.objects.exclude(status=ContestStatus.DRAFT).select_related("unit")


def access_contest(actor: Any, pk: Any) -> Contest:
    qs = Contest.objects.select_related("unit")
    public = qs.exclude(status=ContestStatus.DRAFT).filter(pk=pk).first() if str(pk).isdigit() else None
    if public is not None:
        return public
    return _scoped(actor, "deliberation.contests_manage", qs, pk)


def contest_pitches(contest: Contest) -> QuerySet[Pitch]:
    return contest.pitches.order_by("rank", "id")


def access_pitch(actor: Any, pk: Any) -> Pitch:
    pitch = Pitch.objects.select_related("contest").filter(pk=pk).first()
    if pitch is None:
        raise NotFound()
    access_contest(actor, pitch.contest_id)
    return pitch


# --- people ---------------------------------------------------------------------------------------------


def access_person(actor: Any, pk: Any) -> Any:
    """Return a user the actor may name (as a member, owner, judge): in their user scope, or a resident of it."""
    from gongzhi.people.models import Resident, User
    from gongzhi.people.queries import users_visible

    user = users_visible(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if user is not None:
        return user
    resident = access.scope(actor, "residents.view", Resident.objects.filter(user_id=pk)).first()
    if resident is not None and resident.user_id:
        return User.objects.get(pk=resident.user_id)
    raise NotFound()


def meeting_person(meeting: Meeting, pk: Any) -> Any:
    """Return a user who may attend the meeting: a current member of the body or an invitee."""
    from gongzhi.deliberation.actions.common import current_members
    from gongzhi.people.models import User

    ids = set(current_members(meeting.body, voting=False).values_list("user_id", flat=True))
    ids |= set(meeting.invitees.exclude(user__isnull=True).values_list("user_id", flat=True))
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    if pk not in ids:
        raise InvalidInput(fields={"user_id": _("此人不是本机构成员，也不在受邀名单中。")})
    return User.objects.get(pk=pk)


def access_body_for_proposal(actor: Any, pk: Any) -> Body:
    """A body the actor can propose to: one of the units they live or work in (else their staff scope)."""
    body = bodies_open_to(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if body is not None:
        return body
    return access_body(actor, pk)


def parent_body_candidates(unit: Unit) -> QuerySet[Body]:
    """Bodies a body at this unit may escalate to: those at the unit itself or above it."""
    prefixes = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return Body.objects.filter(unit__path__in=prefixes, is_active=True).select_related("unit")


def access_parent_body(unit: Unit, pk: Any) -> Body:
    body = parent_body_candidates(unit).filter(pk=pk).first() if str(pk).isdigit() else None
    if body is None:
        raise InvalidInput(fields={"parent_id": _("上一级议事机构应设在本单位或其上级单位。")})
    return body


def access_department_for(unit: Unit, pk: Any) -> Any:
    """A department that serves the unit (its jurisdiction covers the unit, or lies inside it)."""
    from gongzhi.units.models import Department

    department = (
        Department.objects.select_related("jurisdiction").filter(pk=pk, is_active=True).first()
        if str(pk).isdigit()
        else None
    )
    if department is None:
        raise NotFound()
    path = department.jurisdiction.path
    if not (unit.path.startswith(path) or path.startswith(unit.path)):
        raise InvalidInput(fields={"department_id": _("该部门不负责本单位的事务。")})
    return department


def access_person_choices(actor: Any) -> list[Any]:
    """People the actor may pick (as a judge, a member, an owner), for select lists."""
    from gongzhi.people.queries import users_visible

    return list(users_visible(actor).order_by("display_name", "username")[:300])


# --- links with appeals ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedAppeal:
    """An appeal a topic cites, as the viewer may see it: details and a link only when they may see the appeal
    (staff in reach, the reporter) or the resident made it public; otherwise the number alone."""

    number: str
    role: str
    role_label: str
    visible: bool
    category_code: str | None
    category_name: str | None
    status: str | None
    status_label: str | None
    url: str | None


def topic_appeals(actor: Any, topic: Topic) -> list[LinkedAppeal]:
    """The appeals a topic cites (sources, then the referral), in two queries however many there are."""
    from gongzhi.appeals.models import Appeal

    links = list(TopicAppeal.objects.filter(topic=topic).select_related("appeal__category").order_by("-role", "id"))
    if not links:
        return []
    seen: set[int] = set()
    if getattr(actor, "is_authenticated", False):
        ids = [link.appeal_id for link in links]
        seen = set(access.scope(actor, "appeals.view", Appeal.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    result = []
    for link in links:
        appeal = link.appeal
        mine = appeal.pk in seen
        public = appeal.is_public and appeal.status not in ("merged", "rejected")  # as on the public appeals page
        shown = mine or public
        if mine:
            url = f"/appeals/{appeal.number}/"
        elif public:
            url = f"/appeals/public/{appeal.number}/"
        else:
            url = None
        result.append(
            LinkedAppeal(
                number=appeal.number,
                role=link.role,
                role_label=str(TopicAppealRole(link.role).label),
                visible=shown,
                category_code=appeal.category.code if shown else None,
                category_name=appeal.category.label() if shown else None,
                status=appeal.status if shown else None,
                status_label=appeal.get_status_display() if shown else None,
                url=url,
            )
        )
    return result


def topics_citing(actor: Any, appeal: Any) -> list[Any]:
    """Topics that cite an appeal and the viewer may see (public ones, or in their reach), in one query."""
    visible = Q(is_public=True)
    if getattr(actor, "is_authenticated", False):
        visible |= Q(pk__in=access.scope(actor, "deliberation.topics_view", Topic.objects.all()).values("pk"))
    links = (
        TopicAppeal.objects.filter(appeal=appeal, topic__in=Topic.objects.filter(visible))
        .select_related("topic__body")
        .order_by("-topic_id")
    )
    topics = []
    for link in links:
        topic = link.topic
        topic.link_role = link.role
        topic.link_role_label = str(TopicAppealRole(link.role).label)
        topics.append(topic)
    return topics


def referral_categories() -> list[Any]:
    """The appeal categories a screener may refer a topic under (active leaves), in taxonomy order."""
    from gongzhi.appeals.models import Category

    return list(Category.objects.filter(is_active=True, numchild=0).order_by("path"))
