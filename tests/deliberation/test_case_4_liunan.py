"""Case 4 (柳州柳南区 "246"): topics collected from grid visits and appeals, party screening and publication,
consultation with stakeholders and deputies reaching a recorded consensus, departments resolving, residents
evaluating — each stage shown on the topic page with the reason. Small matters stay low, large ones go up."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import BodyLevel, Resolution
from gongzhi.people.roles import Role
from tests.deliberation.conftest import photo, soon, upload
from tests.factories import UserFactory, grant


def test_a_topic_goes_through_collect_consult_resolve_evaluate(
    world, api, community_worker, community_head, street_staff, supervisor, handler, resident
):
    centre = actions.body_create(
        actor=street_staff,
        unit=world.street,
        name="和平街道协商议事中心",
        level=BodyLevel.STREET_COMMITTEE,
        requires_party_screening=True,
    )
    committee = actions.body_create(
        actor=community_head,
        unit=world.community,
        name="光明社区协商委员会",
        level=BodyLevel.COMMUNITY_COMMITTEE,
        parent=centre,
    )
    group = actions.body_create(
        actor=community_head, unit=world.grid, name="一网格院落协商小组", level=BodyLevel.COURTYARD, parent=committee
    )

    # Collect: the grid worker's visits and three appeals point at the same problem.
    from gongzhi.appeals import actions as appeal_actions

    numbers = [
        appeal_actions.appeal_submit(
            actor=resident,
            channel="web",
            category="UC03",
            description=f"农贸市场门口占道经营第{i}次反映。",
            unit=world.grid,
        ).number
        for i in range(3)
    ]
    filed = api(community_worker).post(
        "/deliberation/topics/on-behalf",
        {
            "body_id": group.pk,
            "title": "农贸市场周边占道经营",
            "description": "网格走访和诉求集中反映：市场周边早晚占道经营，堵塞消防通道。",
            "source": "appeals",
            "appeal_numbers": numbers,
        },
    )
    assert filed.status_code == 201, filed.content
    topic_id = filed.json()["id"]
    assert filed.json()["appeal_numbers"] == numbers
    assert [a["category_code"] for a in filed.json()["appeals"]] == ["UC03"] * 3

    # A small matter stays low; this one spans several communities: up to the street centre.
    api(community_worker).post(
        f"/deliberation/topics/{topic_id}/screen", {"decision": "escalate", "reason": "涉及两个社区"}
    )
    api(community_head).post(
        f"/deliberation/topics/{topic_id}/screen", {"decision": "escalate", "reason": "需街道统筹执法和市场方"}
    )
    accepted = (
        api(street_staff)
        .post(
            f"/deliberation/topics/{topic_id}/screen",
            {"decision": "accept", "is_public_matter": True, "reason": "涉及公共安全"},
        )
        .json()
    )
    assert accepted["status"] == "party_review" and accepted["stage"] == "collect"
    assert "党组织把关" in accepted["explanation"]
    # Before party screening the topic is not public.
    assert all(t["id"] != topic_id for t in api().get("/deliberation/topics").json()["items"])
    published = api(street_staff).post(f"/deliberation/topics/{topic_id}/party-screen", {"approve": True}).json()
    assert published["status"] == "published" and published["stage"] == "consult"
    assert any(t["id"] == topic_id for t in api().get("/deliberation/topics").json()["items"])

    # Consult: a consultation meeting with stakeholders, a deputy, an enterprise and the department.
    members = [UserFactory(username=f"centre{i}") for i in range(3)]
    for member in members:
        grant(member, Role.REPRESENTATIVE, world.street)
        actions.body_member_add(actor=street_staff, body=centre, user=member)
    meeting = (
        api(street_staff)
        .post(
            "/deliberation/meetings",
            {
                "body_id": centre.pk,
                "kind": "consultation",
                "title": "市场周边秩序协商会",
                "starts_at": soon().isoformat(),
                "place": "街道协商议事厅",
            },
        )
        .json()
    )
    item = api(street_staff).post(f"/deliberation/meetings/{meeting['id']}/items", {"topic_id": topic_id}).json()
    for kind, name in (("stakeholder", "市场摊主代表"), ("deputy", "区人大代表 李华"), ("expert", "市场管理公司")):
        assert (
            api(street_staff)
            .post(f"/deliberation/meetings/{meeting['id']}/invitees", {"kind": kind, "name": name})
            .status_code
            == 201
        )
    assert (
        api(street_staff)
        .post(
            f"/deliberation/meetings/{meeting['id']}/invitees",
            {"kind": "department", "department_id": world.department.pk},
        )
        .status_code
        == 201
    )
    assert api(street_staff).get(f"/deliberation/topics/{topic_id}").json()["status"] == "scheduled"
    api(street_staff).post(
        f"/deliberation/meetings/{meeting['id']}/notice", {"urgent": True, "urgent_reason": "消防隐患"}
    )
    api(street_staff).post(f"/deliberation/meetings/{meeting['id']}/open")
    api(street_staff).post(
        f"/deliberation/items/{item['id']}/minutes", {"minutes": "摊主同意入场经营，城管划定临时疏导点。"}
    )
    consensus = api(street_staff).post(
        f"/deliberation/items/{item['id']}/consensus", {"consensus": "设立早市疏导区，消防通道全天禁止摆卖。"}
    )
    assert consensus.status_code == 200, consensus.content
    assert consensus.json()["status"] == "consensus"
    resolution_id = consensus.json()["resolution_id"]
    page = api().get(f"/deliberation/topics/{topic_id}").json()
    assert page["stage"] == "resolve"
    assert [s["state"] for s in page["stages"]] == ["done", "done", "current", "todo"]

    # Resolve: the department carries it out and closes with evidence; supervision accepts.
    commitment = (
        api(street_staff)
        .post(
            f"/deliberation/resolutions/{resolution_id}/commitments",
            {
                "title": "划定疏导区并清理通道",
                "deadline": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
                "owner_department_id": world.department.pk,
            },
        )
        .json()
    )
    progress = upload(handler, f"/deliberation/commitments/{commitment['id']}/progress", {"note": "已划线"})
    assert progress.status_code == 201, progress.content
    assert (
        upload(
            handler, f"/deliberation/commitments/{commitment['id']}/close", {"note": "疏导区启用", "evidence": photo()}
        ).status_code
        == 200
    )
    assert (
        api(supervisor).post(f"/deliberation/commitments/{commitment['id']}/review", {"accept": True}).status_code
        == 200
    )
    assert api(street_staff).post(f"/deliberation/resolutions/{resolution_id}/post", {"days": 5}).status_code == 200

    # Evaluate: residents rate it; the evaluation closes the pipeline.
    Resolution.objects.filter(pk=resolution_id).update(post_until=timezone.localdate() - dt.timedelta(days=1))
    assert api(street_staff).post(f"/deliberation/resolutions/{resolution_id}/open-evaluation").status_code == 200
    assert api().get(f"/deliberation/topics/{topic_id}").json()["stage"] == "evaluate"
    assert (
        api(resident).post(f"/deliberation/resolutions/{resolution_id}/evaluations", {"score": 5}).status_code == 201
    )
    assert api(street_staff).post(f"/deliberation/resolutions/{resolution_id}/close").status_code == 200
    final = api().get(f"/deliberation/topics/{topic_id}").json()
    assert final["status"] == "closed" and "5.00" in final["explanation"]
    kinds = [e["kind"] for e in final["timeline"]]
    assert kinds[:1] == ["created"] and "consensus" in kinds and kinds[-1] == "closed"


def test_a_small_matter_is_settled_at_the_courtyard(
    world, api, community_worker, community_head, resident, neighbours
):
    group = actions.body_create(
        actor=community_head, unit=world.grid, name="院落小组", level=BodyLevel.COURTYARD, cosign_threshold=0
    )
    topic = (
        api(resident)
        .post(
            "/deliberation/topics", {"body_id": group.pk, "title": "楼道堆物清理", "description": "三单元楼道堆放杂物"}
        )
        .json()
    )
    assert topic["status"] == "submitted"  # no co-signers needed at this body
    accepted = api(community_worker).post(f"/deliberation/topics/{topic['id']}/screen", {"decision": "accept"}).json()
    assert accepted["status"] == "published" and accepted["level"] == "courtyard"
