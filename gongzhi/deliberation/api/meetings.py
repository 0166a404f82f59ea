"""Meetings: convening, agenda, invitees, sign-in, quorum, minutes, votes, consensus and round-table issues."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.api.base import PREFIX, router
from gongzhi.deliberation.models import Meeting
from gongzhi.deliberation.schemas import (
    AttendanceIn,
    AttendanceOut,
    CheckinIn,
    CloseMeetingIn,
    ConsensusIn,
    InviteeIn,
    InviteeOut,
    ItemIn,
    ItemOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    NoticeIn,
    OpenVoteIn,
    QuorumOut,
    ReasonIn,
    ResolutionDetailOut,
    RoundtableIssueIn,
    VoteIn,
    VoteOut,
)
from gongzhi.lib.schemas import ERRORS


def meeting_detail_data(meeting: Meeting, who: Any) -> Meeting:
    staff = access.can(who, "deliberation.convene", meeting)
    meeting.code_shown = meeting.checkin_code if staff else None
    meeting.agenda = list(queries.meeting_items(meeting))
    meeting.invitee_list = list(meeting.invitees.all())
    meeting.attendance = list(meeting.attendances.select_related("user"))
    meeting.quorum = actions.quorum(meeting).__dict__
    return meeting


@router.get(f"{PREFIX}/meetings", response={200: list[MeetingOut], **ERRORS})
def meeting_list(request: HttpRequest, body_id: int | None = None, status: str = "", upcoming: bool = False):
    who = actor(request)
    body = queries.access_body(who, body_id) if body_id else None
    return list(queries.meeting_list(who, body=body, status=status, upcoming=upcoming)[:200])


@router.get(f"{PREFIX}/meetings/mine", response={200: list[MeetingOut], **ERRORS})
def my_meetings(request: HttpRequest):
    return list(queries.my_meetings(actor(request))[:100])


@router.post(f"{PREFIX}/meetings", response={201: MeetingDetailOut, **ERRORS})
def meeting_create(request: HttpRequest, payload: MeetingIn):
    who = actor(request)
    body = queries.access_body(who, payload.body_id)
    convener = queries.access_person(who, payload.convener_id) if payload.convener_id else None
    meeting = actions.meeting_create(
        actor=who,
        body=body,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        convener=convener,
        is_public=payload.is_public,
    )
    return Status(201, meeting_detail_data(meeting, who))


@router.get(f"{PREFIX}/meetings/{{meeting_id}}", response={200: MeetingDetailOut, **ERRORS})
def meeting_detail(request: HttpRequest, meeting_id: int):
    who = actor(request)
    return meeting_detail_data(queries.access_meeting(who, meeting_id), who)


@router.get(f"{PREFIX}/meetings/{{meeting_id}}/quorum", response={200: QuorumOut, **ERRORS})
def meeting_quorum(request: HttpRequest, meeting_id: int):
    return actions.quorum(queries.access_meeting(actor(request), meeting_id)).__dict__


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/items", response={201: ItemOut, **ERRORS})
def meeting_add_item(request: HttpRequest, meeting_id: int, payload: ItemIn):
    who = actor(request)
    meeting = queries.access_meeting(who, meeting_id)
    topic = queries.access_topic(who, payload.topic_id) if payload.topic_id else None
    item = actions.meeting_add_item(
        actor=who, meeting=meeting, topic=topic, title=payload.title, motion=payload.motion
    )
    return Status(201, item)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/invitees", response={201: InviteeOut, **ERRORS})
def meeting_invite(request: HttpRequest, meeting_id: int, payload: InviteeIn):
    who = actor(request)
    meeting = queries.access_meeting(who, meeting_id)
    user = queries.access_person(who, payload.user_id) if payload.user_id else None
    department = (
        queries.access_department_for(meeting.body.unit, payload.department_id) if payload.department_id else None
    )
    invitee = actions.meeting_invite(
        actor=who, meeting=meeting, kind=payload.kind, user=user, department=department, name=payload.name
    )
    return Status(201, invitee)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/notice", response={200: MeetingDetailOut, **ERRORS})
def meeting_notice(request: HttpRequest, meeting_id: int, payload: NoticeIn):
    who = actor(request)
    meeting = actions.meeting_send_notice(actor=who, meeting=queries.access_meeting(who, meeting_id), **payload.dict())
    return meeting_detail_data(meeting, who)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/open", response={200: MeetingDetailOut, **ERRORS})
def meeting_open(request: HttpRequest, meeting_id: int):
    who = actor(request)
    meeting = actions.meeting_open(actor=who, meeting=queries.access_meeting(who, meeting_id))
    return meeting_detail_data(meeting, who)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/cancel", response={200: MeetingDetailOut, **ERRORS})
def meeting_cancel(request: HttpRequest, meeting_id: int, payload: ReasonIn):
    who = actor(request)
    meeting = actions.meeting_cancel(actor=who, meeting=queries.access_meeting(who, meeting_id), reason=payload.reason)
    return meeting_detail_data(meeting, who)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/close", response={200: MeetingDetailOut, **ERRORS})
def meeting_close(request: HttpRequest, meeting_id: int, payload: CloseMeetingIn):
    who = actor(request)
    meeting = actions.meeting_close(
        actor=who, meeting=queries.access_meeting(who, meeting_id), summary=payload.summary
    )
    return meeting_detail_data(meeting, who)


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/attendance", response={201: AttendanceOut, **ERRORS})
def attendance_mark(request: HttpRequest, meeting_id: int, payload: AttendanceIn):
    who = actor(request)
    meeting = queries.access_meeting(who, meeting_id)
    access.check(who, "deliberation.convene", meeting)
    user = queries.meeting_person(meeting, payload.user_id)
    return Status(201, actions.attendance_mark(actor=who, meeting=meeting, user=user))


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/checkin", response={201: AttendanceOut, **ERRORS})
def attendance_checkin(request: HttpRequest, meeting_id: int, payload: CheckinIn):
    who = actor(request)
    meeting = queries.access_meeting(who, meeting_id)
    return Status(201, actions.attendance_checkin(actor=who, meeting=meeting, code=payload.code))


@router.post(f"{PREFIX}/meetings/{{meeting_id}}/roundtable-issues", response={201: ResolutionDetailOut, **ERRORS})
def roundtable_issue(request: HttpRequest, meeting_id: int, payload: RoundtableIssueIn):
    who = actor(request)
    meeting = queries.access_meeting(who, meeting_id)
    access.check(who, "deliberation.convene", meeting)
    specs = []
    for spec in payload.commitments:
        specs.append(
            {
                "title": spec.title,
                "deadline": spec.deadline,
                "owner_user": queries.access_person(who, spec.owner_user_id) if spec.owner_user_id else None,
                "owner_department": queries.access_department_for(meeting.body.unit, spec.owner_department_id)
                if spec.owner_department_id
                else None,
            }
        )
    resolution = actions.roundtable_issue_raise(
        actor=who,
        meeting=meeting,
        title=payload.title,
        text=payload.text,
        raised_by=payload.raised_by,
        commitments=specs,
    )
    from gongzhi.deliberation.api.outcomes import resolution_detail_data

    return Status(201, resolution_detail_data(resolution))


# --- agenda items -------------------------------------------------------------------------------------


@router.get(f"{PREFIX}/items/{{item_id}}", response={200: ItemOut, **ERRORS})
def item_detail(request: HttpRequest, item_id: int):
    return queries.access_item(actor(request), item_id)


@router.post(f"{PREFIX}/items/{{item_id}}/minutes", response={200: ItemOut, **ERRORS})
def item_minutes(request: HttpRequest, item_id: int, payload: MinutesIn):
    who = actor(request)
    return actions.item_minutes(actor=who, item=queries.access_item(who, item_id), minutes=payload.minutes)


@router.post(f"{PREFIX}/items/{{item_id}}/open-vote", response={200: ItemOut, **ERRORS})
def item_open_vote(request: HttpRequest, item_id: int, payload: OpenVoteIn):
    who = actor(request)
    return actions.item_open_vote(
        actor=who, item=queries.access_item(who, item_id), secret=payload.secret, motion=payload.motion
    )


@router.post(f"{PREFIX}/items/{{item_id}}/votes", response={201: VoteOut, **ERRORS})
def vote_cast(request: HttpRequest, item_id: int, payload: VoteIn):
    """Cast a vote (for / against / abstain). A 201 means the vote is committed to the database."""
    who = actor(request)
    item = queries.access_item(who, item_id)
    actions.vote_cast(actor=who, item=item, choice=payload.choice)
    return Status(201, {"item_id": item.pk, "recorded": True, "votes_cast": item.casts.count()})


@router.post(f"{PREFIX}/items/{{item_id}}/close-vote", response={200: ItemOut, **ERRORS})
def item_close_vote(request: HttpRequest, item_id: int):
    who = actor(request)
    return actions.item_close_vote(actor=who, item=queries.access_item(who, item_id))


@router.post(f"{PREFIX}/items/{{item_id}}/consensus", response={200: ItemOut, **ERRORS})
def item_consensus(request: HttpRequest, item_id: int, payload: ConsensusIn):
    who = actor(request)
    return actions.item_record_consensus(
        actor=who, item=queries.access_item(who, item_id), consensus=payload.consensus
    )


@router.post(f"{PREFIX}/items/{{item_id}}/defer", response={200: ItemOut, **ERRORS})
def item_defer(request: HttpRequest, item_id: int, payload: ReasonIn):
    who = actor(request)
    return actions.item_defer(actor=who, item=queries.access_item(who, item_id), reason=payload.reason)
