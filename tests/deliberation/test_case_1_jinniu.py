"""Case 1 (成都金牛区): a joint resident proposal climbs the ladder of bodies, is accepted at the top, assigned
to a department, closed with evidence, checked by supervision, posted publicly and evaluated — all through the API."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Body, BodyLevel, Resolution, Topic
from gongzhi.people.roles import Role
from tests.deliberation.conftest import make_member, soon
from tests.factories import UserFactory, grant


def test_a_joint_proposal_climbs_from_the_courtyard_to_the_district_and_is_evaluated(
    world, api, resident, neighbours, community_worker, community_head, street_staff, district_admin, handler
):
    # The ladder: courtyard group → community committee → street committee → district joint meeting.
    district_body = actions.body_create(
        actor=district_admin, unit=world.district, name="区联席会议", level=BodyLevel.DISTRICT_JOINT
    )
    street_body = actions.body_create(
        actor=street_staff,
        unit=world.street,
        name="街道议事会",
        level=BodyLevel.STREET_COMMITTEE,
        parent=district_body,
    )
    community_body = actions.body_create(
        actor=community_head,
        unit=world.community,
        name="社区议事会",
        level=BodyLevel.COMMUNITY_COMMITTEE,
        parent=street_body,
    )
    courtyard = api(community_head).post(
        "/deliberation/bodies",
        {
            "unit_id": world.grid.pk,
            "name": "一网格院落议事小组",
            "level": "courtyard",
            "parent_id": community_body.pk,
            "cosign_threshold": 2,
        },
    )
    assert courtyard.status_code == 201, courtyard.content
    courtyard_id = courtyard.json()["id"]

    # 1. A resident files a proposal; it is public and collects co-signers.
    filed = api(resident).post(
        "/deliberation/topics",
        {
            "body_id": courtyard_id,
            "title": "沿河步道照明改造",
            "description": "沿河步道夜间无路灯，老人孩子出行不安全。",
        },
    )
    assert filed.status_code == 201, filed.content
    topic_id = filed.json()["id"]
    assert filed.json()["status"] == "collecting"
    assert filed.json()["stage"] == "collect"
    assert api().get("/deliberation/topics").json()["items"][0]["id"] == topic_id

    # 2. Two neighbours co-sign: the threshold is reached and the topic goes to screening.
    assert api(neighbours[0]).post(f"/deliberation/topics/{topic_id}/cosign").json()["status"] == "collecting"
    second = api(neighbours[1]).post(f"/deliberation/topics/{topic_id}/cosign").json()
    assert second["status"] == "submitted" and second["cosign_count"] == 2

    # 3. Each level decides: a genuine public matter, but too large — escalate, with reasons.
    for user, reason in (
        (community_worker, "涉及沿河整段，超出院落能力"),
        (community_head, "涉及多个社区"),
        (street_staff, "需要区级部门出资"),
    ):
        response = api(user).post(
            f"/deliberation/topics/{topic_id}/screen", {"decision": "escalate", "reason": reason}
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
    topic = Topic.objects.get(pk=topic_id)
    assert topic.body_id == district_body.pk and topic.level == BodyLevel.DISTRICT_JOINT
    assert [e.kind for e in topic.events.all()].count("escalated") == 3

    # 4. The district joint meeting accepts it (a genuine public matter) and it is published.
    accepted = api(district_admin).post(
        f"/deliberation/topics/{topic_id}/screen",
        {"decision": "accept", "is_public_matter": True, "reason": "列入年度民生实事"},
    )
    assert accepted.json()["status"] == "published" and accepted.json()["stage"] == "consult"

    # 5. The joint meeting meets (three members), deliberates and votes.
    members = [make_member(district_body, f"joint{i}", actor=district_admin) for i in range(3)]
    meeting = (
        api(district_admin)
        .post(
            "/deliberation/meetings",
            {
                "body_id": district_body.pk,
                "kind": "consultation",
                "title": "区联席会议第三次会议",
                "starts_at": soon().isoformat(),
                "place": "区政府第一会议室",
            },
        )
        .json()
    )
    item = api(district_admin).post(f"/deliberation/meetings/{meeting['id']}/items", {"topic_id": topic_id}).json()
    notice = api(district_admin).post(
        f"/deliberation/meetings/{meeting['id']}/notice", {"urgent": True, "urgent_reason": "汛期前必须开工"}
    )
    assert notice.status_code == 200, notice.content
    assert api(district_admin).post(f"/deliberation/meetings/{meeting['id']}/open").status_code == 200
    for member in members:
        assert (
            api(district_admin)
            .post(f"/deliberation/meetings/{meeting['id']}/attendance", {"user_id": member.pk})
            .status_code
            == 201
        )
    assert (
        api(district_admin)
        .post(f"/deliberation/items/{item['id']}/open-vote", {"motion": "同意实施沿河步道照明改造"})
        .status_code
        == 200
    )
    for member in members:
        assert api(member).post(f"/deliberation/items/{item['id']}/votes", {"choice": "for"}).status_code == 201
    closed = api(district_admin).post(f"/deliberation/items/{item['id']}/close-vote").json()
    assert closed["result"] == "adopted" and closed["votes_for"] == 3
    resolution_id = closed["resolution_id"]
    assert Topic.objects.get(pk=topic_id).stage == "resolve"

    # 6. The top level assigns a department; its handler closes the task with evidence.
    commitment = (
        api(district_admin)
        .post(
            f"/deliberation/resolutions/{resolution_id}/commitments",
            {
                "title": "安装路灯40盏",
                "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
                "owner_department_id": world.department.pk,
            },
        )
        .json()
    )
    grant(handler, Role.DEPARTMENT_HANDLER, world.department)
    photo = SimpleUploadedFile("lights.jpg", b"\xff\xd8\xff\xe0fake-jpeg", content_type="image/jpeg")
    client = Client()  # a multipart form: the evidence is a file
    client.force_login(handler)
    done = client.post(
        f"/api/v1/deliberation/commitments/{commitment['id']}/close",
        {"note": "40盏路灯已安装并通电", "evidence": photo},
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"

    # 7. Supervision at the district checks it; the results are posted publicly.
    district_supervisor = UserFactory(username="district_supervisor")
    grant(district_supervisor, Role.SUPERVISOR, world.district)
    reviewed = api(district_supervisor).post(f"/deliberation/commitments/{commitment['id']}/review", {"accept": True})
    assert reviewed.json()["status"] == "accepted"
    posted = api(district_admin).post(f"/deliberation/resolutions/{resolution_id}/post", {"days": 7}).json()
    assert posted["status"] == "posted"
    assert api().get(f"/deliberation/resolutions/{resolution_id}").status_code == 200

    # 8. The posting period passes with no objection; residents evaluate and the evaluate stage closes.
    Resolution.objects.filter(pk=resolution_id).update(post_until=timezone.localdate() - dt.timedelta(days=1))
    assert actions.advance_resolutions() == 1
    assert Topic.objects.get(pk=topic_id).status == "evaluating"
    rated = api(resident).post(
        f"/deliberation/resolutions/{resolution_id}/evaluations", {"score": 5, "comment": "晚上亮堂了"}
    )
    assert rated.status_code == 201, rated.content
    assert (
        api(neighbours[0]).post(f"/deliberation/resolutions/{resolution_id}/evaluations", {"score": 4}).status_code
        == 201
    )
    final = api(district_admin).post(f"/deliberation/resolutions/{resolution_id}/close").json()
    assert final["status"] == "closed" and final["evaluation_score"] == "4.50"
    page = api().get(f"/deliberation/topics/{topic_id}").json()
    assert page["status"] == "closed" and [s["state"] for s in page["stages"]] == ["done"] * 4
    assert Body.objects.get(pk=courtyard_id).level == "courtyard"
