"""Meeting pages: convening, the agenda, notice, sign-in with live quorum, minutes, votes, consensus, round tables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.actions.common import current_members
from gongzhi.deliberation.forms import MeetingForm
from gongzhi.deliberation.models import (
    CONSENSUS_KINDS,
    AgendaItem,
    InviteeKind,
    Meeting,
    MeetingKind,
    Topic,
    VoteChoice,
)
from gongzhi.deliberation.views.common import act, posted, posted_bool, status_of
from gongzhi.deliberation.workflow import ItemStatus, MeetingStatus, TopicStatus
from gongzhi.lib.errors import DomainError, InvalidInput, NotFound
from gongzhi.units.models import Department
from gongzhi.web.errors import apply_form_errors, staff_view


@staff_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    staff_meetings = queries.meeting_list(request.user, status=status if status in MeetingStatus.values else "")[:200]
    return render(
        request,
        "deliberation/meeting_list.html",
        {
            "meetings": staff_meetings,
            "mine": queries.my_meetings(request.user)[:50],
            "statuses": MeetingStatus.choices,
            "status": status,
            "can_convene": access.has_any(request.user, "deliberation.convene"),
        },
    )


@staff_view
def meeting_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.convene")
    bodies = queries.bodies_visible(request.user, "deliberation.convene").filter(is_active=True)
    form = MeetingForm(request.POST or None, bodies=bodies, initial={"body": request.GET.get("body")})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.meeting_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("会议已创建，请确定议程后发出通知。"))
            return redirect("deliberation:meeting", meeting.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("召集会议"), "back": "deliberation:meetings"},
        status=status_of(None, form),
    )


def _items(meeting: Meeting, user: Any) -> list[dict[str, Any]]:
    voted = set()
    if user.is_authenticated:
        voted = set(meeting.items.filter(casts__voter=user).values_list("pk", flat=True))
    rows = []
    for item in queries.meeting_items(meeting):
        resolution = (
            getattr(item, "resolution", None) if item.status in (ItemStatus.ADOPTED, ItemStatus.CONSENSUS) else None
        )
        rows.append({"item": item, "voted": item.pk in voted, "cast": item.casts.count(), "resolution": resolution})
    return rows


def _meeting_page(request: HttpRequest, meeting_id: int, *, error: DomainError | None = None) -> HttpResponse:
    meeting = queries.access_meeting(request.user, meeting_id)
    user = request.user
    staff = access.can(user, "deliberation.convene", meeting)
    voter_ids = set(current_members(meeting.body).values_list("user_id", flat=True))
    attendance = list(meeting.attendances.select_related("user"))
    present_ids = {a.user_id for a in attendance}
    invitees = list(meeting.invitees.select_related("user", "department"))
    absent = []
    if staff and meeting.status == MeetingStatus.IN_SESSION:
        people = {i.user_id: i.name for i in invitees if i.user_id}
        for seat in current_members(meeting.body, voting=False).select_related("user"):
            people.setdefault(seat.user_id, seat.user.name)
        absent = sorted(((pk, name) for pk, name in people.items() if pk not in present_ids), key=lambda p: p[1])
    topics = []
    if staff and meeting.status == MeetingStatus.DRAFT:
        topics = list(Topic.objects.filter(body=meeting.body, status=TopicStatus.PUBLISHED).order_by("id")[:100])
    departments = []
    if (staff and meeting.kind == MeetingKind.ROUNDTABLE) or (staff and meeting.status == MeetingStatus.DRAFT):
        departments = [
            d
            for d in Department.objects.filter(is_active=True).select_related("jurisdiction").order_by("name")[:300]
            if meeting.body.unit.path.startswith(d.jurisdiction.path)
            or d.jurisdiction.path.startswith(meeting.body.unit.path)
        ]
    return render(
        request,
        "deliberation/meeting_detail.html",
        {
            "meeting": meeting,
            "staff": staff,
            "items": _items(meeting, user),
            "quorum": actions.quorum(meeting),
            "attendance": attendance,
            "invitees": invitees,
            "absent": absent,
            "topics": topics,
            "departments": departments,
            "invitee_kinds": [c for c in InviteeKind.choices if c[0] != InviteeKind.MEMBER],
            "is_voter": user.pk in voter_ids,
            "present": user.pk in present_ids,
            "choices": VoteChoice.choices,
            "consensus_allowed": meeting.kind in CONSENSUS_KINDS,
            "issues": meeting.resolutions.filter(kind="roundtable").prefetch_related("commitments"),
            "notice_late": meeting.status == MeetingStatus.DRAFT and _late(meeting),
            "error": error,
            "form_data": request.POST if error else {},
        },
        status=status_of(error),
    )


def _late(meeting: Meeting) -> bool:
    from django.utils import timezone

    return timezone.now() > actions.notice_deadline(meeting)


@staff_view
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, meeting_id)


@staff_view
def meeting_quorum(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """HTMX fragment: the live quorum panel."""
    meeting = queries.access_meeting(request.user, meeting_id)
    return render(request, "deliberation/_quorum.html", {"meeting": meeting, "quorum": actions.quorum(meeting)})


def _meeting_post(request: HttpRequest, meeting_id: int, run: Any, success: str) -> HttpResponse:
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/meetings/{meeting_id}/",
        on_error=lambda exc: _meeting_page(request, meeting_id, error=exc),
    )


@require_POST
@staff_view
def meeting_action(request: HttpRequest, meeting_id: int, verb: str) -> HttpResponse:
    """Every POST on a meeting: add item, invite, notice, open, cancel, close, sign in, check in, round-table issue."""
    meeting = queries.access_meeting(request.user, meeting_id)
    user = request.user

    def add_item() -> Any:
        topic_id = posted(request, "topic")
        topic = queries.access_topic(user, topic_id) if topic_id else None
        return actions.meeting_add_item(
            actor=user, meeting=meeting, topic=topic, title=posted(request, "title"), motion=posted(request, "motion")
        )

    def invite() -> Any:
        department_id = posted(request, "department")
        department = queries.access_department_for(meeting.body.unit, department_id) if department_id else None
        return actions.meeting_invite(
            actor=user,
            meeting=meeting,
            kind=posted(request, "kind"),
            department=department,
            name=posted(request, "name"),
        )

    def mark() -> Any:
        access.check(user, "deliberation.convene", meeting)
        return actions.attendance_mark(
            actor=user, meeting=meeting, user=queries.meeting_person(meeting, posted(request, "user"))
        )

    def issue() -> Any:
        commitments = []
        if posted(request, "commitment_title"):
            department_id = posted(request, "owner_department")
            deadline = posted(request, "deadline")
            import datetime as dt

            try:
                day = dt.date.fromisoformat(deadline)
            except ValueError:
                raise InvalidInput(fields={"deadline": _("请填写完成时限。")}) from None
            commitments.append(
                {
                    "title": posted(request, "commitment_title"),
                    "deadline": day,
                    "owner_department": queries.access_department_for(meeting.body.unit, department_id)
                    if department_id
                    else None,
                }
            )
        return actions.roundtable_issue_raise(
            actor=user,
            meeting=meeting,
            title=posted(request, "title"),
            text=posted(request, "text"),
            raised_by=posted(request, "raised_by"),
            commitments=commitments,
        )

    verbs = {
        "items": (add_item, _("已加入议程。")),
        "invite": (invite, _("已加入受邀名单。")),
        "notice": (
            lambda: actions.meeting_send_notice(
                actor=user,
                meeting=meeting,
                urgent=posted_bool(request, "urgent"),
                urgent_reason=posted(request, "urgent_reason"),
                notice_text=posted(request, "notice_text"),
            ),
            _("会议通知已发出。"),
        ),
        "open": (lambda: actions.meeting_open(actor=user, meeting=meeting), _("会议开始，可以签到。")),
        "cancel": (
            lambda: actions.meeting_cancel(actor=user, meeting=meeting, reason=posted(request, "reason")),
            _("会议已取消。"),
        ),
        "close": (
            lambda: actions.meeting_close(actor=user, meeting=meeting, summary=posted(request, "summary")),
            _("会议已结束。"),
        ),
        "attendance": (mark, _("已登记签到。")),
        "checkin": (
            lambda: actions.attendance_checkin(actor=user, meeting=meeting, code=posted(request, "code")),
            _("签到成功。"),
        ),
        "issue": (issue, _("已登记问题和承诺。")),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return _meeting_post(request, meeting.pk, run, success)


@require_POST
@staff_view
def item_action(request: HttpRequest, item_id: int, verb: str) -> HttpResponse:
    """Every POST on an agenda item: minutes, open vote, vote, close vote, consensus, defer."""
    item: AgendaItem = queries.access_item(request.user, item_id)
    user = request.user
    verbs = {
        "minutes": (
            lambda: actions.item_minutes(actor=user, item=item, minutes=posted(request, "minutes")),
            _("记录已保存。"),
        ),
        "open-vote": (
            lambda: actions.item_open_vote(
                actor=user, item=item, secret=posted_bool(request, "secret"), motion=posted(request, "motion")
            ),
            _("表决开始。"),
        ),
        "vote": (
            lambda: actions.vote_cast(actor=user, item=item, choice=posted(request, "choice")),
            _("您的表决已记录。"),
        ),
        "close-vote": (lambda: actions.item_close_vote(actor=user, item=item), _("表决结束，结果已记录。")),
        "consensus": (
            lambda: actions.item_record_consensus(actor=user, item=item, consensus=posted(request, "consensus")),
            _("协商共识已记录。"),
        ),
        "defer": (
            lambda: actions.item_defer(actor=user, item=item, reason=posted(request, "reason")),
            _("该议程暂缓。"),
        ),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return _meeting_post(request, item.meeting_id, run, success)
