"""Fixtures for deliberation: a community council with members, neighbours who can co-sign, meeting helpers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Body, BodyLevel, ConsultationSection, MeetingKind, MemberRole
from gongzhi.people.roles import Role
from tests.factories import UserFactory, grant, make_resident


def make_member(body: Body, name: str, *, role: str = MemberRole.MEMBER, actor=None):
    user = UserFactory(username=name, display_name=name)
    grant(user, Role.REPRESENTATIVE, body.unit)
    actions.body_member_add(actor=actor, body=body, user=user, role=role)
    return user


@pytest.fixture
def council(world, community_head, representative) -> Body:
    """光明社区居民议事会: six voting members (quorum 4), three co-signers needed for a resident proposal."""
    body = actions.body_create(
        actor=community_head,
        unit=world.community,
        name="光明社区居民议事会",
        level=BodyLevel.COMMUNITY_COMMITTEE,
        cosign_threshold=3,
    )
    actions.body_member_add(actor=community_head, body=body, user=representative, role=MemberRole.CHAIR)
    body.test_members = [representative] + [make_member(body, f"member{i}", actor=community_head) for i in range(1, 6)]
    return body


@pytest.fixture
def street_council(world, street_staff) -> Body:
    return actions.body_create(
        actor=street_staff, unit=world.street, name="和平街道协商议事中心", level=BodyLevel.STREET_COMMITTEE
    )


@pytest.fixture
def neighbours(world):
    """Four residents of the first grid who sign in."""
    people = []
    for i in range(4):
        user = UserFactory(username=f"neighbour{i}", display_name=f"邻居{i}")
        grant(user, Role.RESIDENT, world.grid)
        make_resident(world.grid, f"邻居{i}", user=user)
        people.append(user)
    return people


def soon(hours: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def convene():
    """Return a helper: convene(body, staff, topics=..., kind=...) → an open meeting (urgent, starting in an hour)."""

    def make(body, staff, *, topics=(), titles=(), kind=MeetingKind.RESIDENTS_COUNCIL, public=False):
        meeting = actions.meeting_create(
            actor=staff, body=body, kind=kind, title="议事会", starts_at=soon(), place="社区活动室", is_public=public
        )
        items = [actions.meeting_add_item(actor=staff, meeting=meeting, topic=t) for t in topics]
        items += [actions.meeting_add_item(actor=staff, meeting=meeting, title=t) for t in titles]
        actions.meeting_send_notice(actor=staff, meeting=meeting, urgent=True, urgent_reason="汛期排水紧急")
        actions.meeting_open(actor=staff, meeting=meeting)
        meeting.refresh_from_db()
        return SimpleNamespace(meeting=meeting, items=items)

    return make


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client_user, path: str, data: dict):
    """POST a multipart form (with files) to the API as a user."""
    from django.test import Client

    client = Client()
    client.force_login(client_user)
    return client.post(f"/api/v1{path}", data)


def photo(name: str = "evidence.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 evidence", content_type="image/jpeg")


@pytest.fixture
def scene(world, council, community_head, community_worker, representative, resident, neighbours, handler):
    """One of everything, in the first community."""
    reps = council.test_members
    submitted = actions.topic_propose(
        actor=representative, body=council, title="电动车充电桩", description="楼下飞线充电", as_representative=True
    )
    collecting = actions.topic_propose(actor=resident, body=council, title="健身器材", description="器材老化")
    published = actions.topic_propose(
        actor=representative, body=council, title="停车难", description="车位不足", as_representative=True
    )
    actions.topic_screen(actor=community_worker, topic=published, decision="accept")
    agenda_topic = actions.topic_propose(
        actor=representative, body=council, title="垃圾分类", description="分类亭", as_representative=True
    )
    actions.topic_screen(actor=community_worker, topic=agenda_topic, decision="accept")
    meeting = actions.meeting_create(
        actor=community_worker,
        body=council,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="议事会",
        starts_at=soon(),
        place="会议室",
    )
    item = actions.meeting_add_item(actor=community_worker, meeting=meeting, topic=agenda_topic)
    extra = actions.meeting_add_item(actor=community_worker, meeting=meeting, title="其他事项")
    actions.meeting_send_notice(actor=community_worker, meeting=meeting, urgent=True, urgent_reason="紧急")
    actions.meeting_open(actor=community_worker, meeting=meeting)
    for rep in reps[:4]:
        actions.attendance_mark(actor=community_worker, meeting=meeting, user=rep)
    actions.item_open_vote(actor=community_worker, item=item)
    for rep in reps[:4]:
        actions.vote_cast(actor=rep, item=item, choice="for")
    actions.item_close_vote(actor=community_worker, item=item)
    item.refresh_from_db()
    resolution = item.resolution
    commitment = actions.commitment_add(
        actor=community_worker,
        resolution=resolution,
        title="建分类亭",
        deadline=timezone.localdate() + dt.timedelta(days=9),
        owner_department=world.department,
    )
    draft_meeting = actions.meeting_create(
        actor=community_worker,
        body=council,
        kind=MeetingKind.CONSULTATION,
        title="草稿会议",
        starts_at=soon(48),
        place="室",
    )
    consultation = actions.consultation_create(
        actor=community_worker,
        unit=world.community,
        title="公约",
        summary="",
        sections=[{"heading": "一", "text": "条文"}],
        closes_on=timezone.localdate() + dt.timedelta(days=10),
    )
    actions.consultation_open(actor=community_worker, consultation=consultation)
    comment = actions.comment_submit(actor=resident, consultation=consultation, text="意见")
    inquiry = actions.inquiry_submit(actor=resident, unit=world.community, kind="need", title="路灯", text="坏了")
    contest = actions.contest_create(
        actor=community_head, unit=world.community, title="大赛", criteria=[{"name": "公共性", "weight": "1"}]
    )
    actions.contest_open(actor=community_head, contest=contest)
    pitch = actions.pitch_submit(
        actor=resident, contest=contest, title="菜园", team="小组", total_cost="100", requested="80"
    )
    demand = actions.demand_open(actor=reps[1], body=council, subject="开会")
    return {
        "body": council.pk,
        "member": council.members.first().pk,
        "submitted": submitted.pk,
        "collecting": collecting.pk,
        "published": published.pk,
        "meeting": meeting.pk,
        "draft_meeting": draft_meeting.pk,
        "item": item.pk,
        "extra": extra.pk,
        "resolution": resolution.pk,
        "commitment": commitment.pk,
        "consultation": consultation.pk,
        "section": ConsultationSection.objects.filter(consultation=consultation).first().pk,
        "comment": comment.pk,
        "inquiry": inquiry.pk,
        "contest": contest.pk,
        "pitch": pitch.pk,
        "demand": demand.pk,
        "user": reps[5].pk,
        "unit": world.community.pk,
        "department": world.department.pk,
    }
