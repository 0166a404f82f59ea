"""Fixtures for deliberation: a community council with members, neighbours who can co-sign, meeting helpers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Body, BodyLevel, MeetingKind, MemberRole
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
