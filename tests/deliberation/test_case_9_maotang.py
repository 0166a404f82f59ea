"""Case 9 (来宾毛塘村): elected representatives, one fifth demand a meeting, the party branch screens, the
meeting needs notice and a two-thirds quorum, a secret vote by majority of those present, legal review, the
village committee executes, the supervision committee returns then accepts, public posting with an objection."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import BodyLevel, Meeting, MemberRole, MemberSource, Resolution, Topic, Vote, VoteCast
from gongzhi.notify.models import Notification
from gongzhi.people.roles import Role
from tests.conftest import assert_error
from tests.deliberation.conftest import photo, upload
from tests.factories import UserFactory, grant, make_resident


def test_a_village_representative_assembly_carries_a_proposal_to_a_supervised_posted_result(world, api, outsider):
    village = world.outside_community
    head = UserFactory(username="village_head", display_name="村支书")
    grant(head, Role.COMMUNITY_HEAD, village)
    monitor = UserFactory(username="village_monitor", display_name="村务监督委员会主任")
    grant(monitor, Role.SUPERVISOR, village)
    villager = UserFactory(username="villager", display_name="村民")
    grant(villager, Role.RESIDENT, world.outside_grid)
    make_resident(world.outside_grid, "村民甲", user=villager)

    created = api(head).post(
        "/deliberation/bodies",
        {
            "unit_id": village.pk,
            "name": "东坡村村民代表会议",
            "level": "villager_assembly",
            "requires_party_screening": True,
            "requires_legal_review": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # The law's defaults: quorum two thirds, majority of those present, at least quarterly, one fifth demand.
    assert (body["quorum_numerator"], body["quorum_denominator"]) == (2, 3)
    assert body["majority_rule"] == "present" and body["meeting_interval_days"] == 92
    assert (body["demand_numerator"], body["demand_denominator"]) == (1, 5)

    # Ten elected representatives and a legal adviser without a vote.
    reps = []
    for i in range(10):
        rep = UserFactory(username=f"rep{i}", display_name=f"代表{i}")
        grant(rep, Role.REPRESENTATIVE, village)
        added = api(head).post(
            f"/deliberation/bodies/{body['id']}/members", {"user_id": rep.pk, "source": MemberSource.ELECTED}
        )
        assert added.status_code == 201, added.content
        reps.append(rep)
    adviser = UserFactory(username="lawyer", display_name="法律顾问")
    grant(adviser, Role.REVIEWER, village)
    api(head).post(
        f"/deliberation/bodies/{body['id']}/members", {"user_id": adviser.pk, "role": MemberRole.LEGAL_ADVISER}
    )
    detail = api(head).get(f"/deliberation/bodies/{body['id']}").json()
    assert detail["voting_members"] == 10 and detail["quorum_required"] == 7 and detail["demand_required"] == 2

    # Two representatives (one fifth) demand a meeting: the convener must call one within the set days.
    demand = api(reps[0]).post(f"/deliberation/bodies/{body['id']}/demands", {"subject": "村道硬化"}).json()
    assert demand["status"] == "gathering"
    reached = api(reps[1]).post(f"/deliberation/demands/{demand['id']}/sign").json()
    assert reached["status"] == "reached" and reached["due_date"]

    # A representative proposes; the village screens; the party branch checks before it is published.
    topic = (
        api(reps[0])
        .post(
            "/deliberation/topics",
            {
                "body_id": body["id"],
                "title": "村道硬化2公里",
                "description": "雨天泥泞，农产品运不出去。",
                "as_representative": True,
            },
        )
        .json()
    )
    assert topic["status"] == "submitted"
    screened = api(head).post(f"/deliberation/topics/{topic['id']}/screen", {"decision": "accept"}).json()
    assert screened["status"] == "party_review"
    assert screened["stage"] == "collect"
    published = api(head).post(
        f"/deliberation/topics/{topic['id']}/party-screen", {"approve": True, "reason": "符合村规划"}
    )
    assert published.json()["status"] == "published"

    # Convening: a notice one day ahead is refused (three days required) unless urgent.
    meeting = (
        api(head)
        .post(
            "/deliberation/meetings",
            {
                "body_id": body["id"],
                "kind": "villager_representatives",
                "title": "第二季度村民代表会议",
                "starts_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
                "place": "村委会议室",
            },
        )
        .json()
    )
    item = api(head).post(f"/deliberation/meetings/{meeting['id']}/items", {"topic_id": topic["id"]}).json()
    assert_error(
        api(head).post(f"/deliberation/meetings/{meeting['id']}/notice", {}), 422, "notice_too_late", "urgent"
    )
    assert Meeting.objects.get(pk=meeting["id"]).status == "draft"
    Meeting.objects.filter(pk=meeting["id"]).update(starts_at=timezone.now() + dt.timedelta(days=5))
    noticed = api(head).post(f"/deliberation/meetings/{meeting['id']}/notice", {})
    assert noticed.status_code == 200 and noticed.json()["status"] == "noticed"
    assert api(head).get(f"/deliberation/bodies/{body['id']}/demands").json()[0]["status"] == "met"
    assert Notification.objects.filter(recipient=reps[5], kind="deliberation.meeting").exists()

    # The day comes. Six sign in: no quorum (seven needed), so no vote.
    Meeting.objects.filter(pk=meeting["id"]).update(starts_at=timezone.now() + dt.timedelta(minutes=30))
    opened = api(head).post(f"/deliberation/meetings/{meeting['id']}/open").json()
    code = opened["checkin_code"]
    for rep in reps[:6]:
        assert (
            api(head).post(f"/deliberation/meetings/{meeting['id']}/attendance", {"user_id": rep.pk}).status_code
            == 201
        )
    quorum = api(head).get(f"/deliberation/meetings/{meeting['id']}/quorum").json()
    assert quorum == {"members": 10, "present": 6, "required": 7, "reached": False, "attendees": 6}
    assert_error(api(head).post(f"/deliberation/items/{item['id']}/open-vote", {"secret": True}), 409, "no_quorum")
    # The seventh checks in with the code shown in the room: quorum.
    assert api(reps[6]).post(f"/deliberation/meetings/{meeting['id']}/checkin", {"code": code}).status_code == 201
    assert api(head).get(f"/deliberation/meetings/{meeting['id']}/quorum").json()["reached"] is True

    # Secret vote: 4 for, 2 against, 1 abstain of 7 present — majority of those present (4) carries it.
    assert api(head).post(f"/deliberation/items/{item['id']}/open-vote", {"secret": True}).status_code == 200
    for rep, choice in zip(reps[:7], ["for"] * 4 + ["against"] * 2 + ["abstain"], strict=True):
        assert api(rep).post(f"/deliberation/items/{item['id']}/votes", {"choice": choice}).status_code == 201
    # A representative who did not sign in cannot vote; nor can anyone twice.
    assert_error(api(reps[8]).post(f"/deliberation/items/{item['id']}/votes", {"choice": "for"}), 409, "not_signed_in")
    assert_error(api(reps[0]).post(f"/deliberation/items/{item['id']}/votes", {"choice": "for"}), 409, "already_voted")
    assert not Vote.objects.filter(item_id=item["id"], voter__isnull=False).exists()  # secret: no voter on a vote
    assert VoteCast.objects.filter(item_id=item["id"]).count() == 7
    closed = api(head).post(f"/deliberation/items/{item['id']}/close-vote").json()
    assert (closed["votes_for"], closed["votes_against"], closed["votes_abstain"]) == (4, 2, 1)
    assert closed["present_count"] == 7 and closed["required_for"] == 4 and closed["result"] == "adopted"
    resolution_id = closed["resolution_id"]
    api(head).post(f"/deliberation/meetings/{meeting['id']}/close", {"summary": "会议审议通过村道硬化方案。"})

    # The legal adviser reviews the draft resolution before it is carried out.
    resolution = api(head).get(f"/deliberation/resolutions/{resolution_id}").json()
    assert resolution["status"] == "legal_review"
    reviewed = api(adviser).post(
        f"/deliberation/resolutions/{resolution_id}/legal-review",
        {"approve": True, "opinion": "程序合法，内容不违反法律法规。"},
    )
    assert reviewed.json()["status"] == "executing"

    # The village committee executes; supervision returns it once with findings, then accepts.
    commitment = (
        api(head)
        .post(
            f"/deliberation/resolutions/{resolution_id}/commitments",
            {
                "title": "完成村道硬化",
                "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
                "owner_user_id": head.pk,
            },
        )
        .json()
    )
    assert (
        upload(
            head, f"/deliberation/commitments/{commitment['id']}/close", {"note": "已完工", "evidence": photo()}
        ).status_code
        == 200
    )
    returned = api(monitor).post(
        f"/deliberation/commitments/{commitment['id']}/review", {"accept": False, "findings": "验收单缺监理签字"}
    )
    assert returned.json()["status"] == "returned"
    assert (
        upload(
            head,
            f"/deliberation/commitments/{commitment['id']}/close",
            {"note": "补齐监理签字", "evidence": photo("sign.pdf")},
        ).status_code
        == 200
    )
    assert (
        api(monitor).post(f"/deliberation/commitments/{commitment['id']}/review", {"accept": True}).json()["status"]
        == "accepted"
    )

    # Public posting; a villager objects; the objection is answered; then evaluation closes it.
    assert (
        api(monitor).post(f"/deliberation/resolutions/{resolution_id}/post", {"days": 7}).json()["status"] == "posted"
    )
    objection = api(villager).post(
        f"/deliberation/resolutions/{resolution_id}/objections", {"text": "路面宽度不足4米"}
    )
    assert objection.status_code == 201, objection.content
    Resolution.objects.filter(pk=resolution_id).update(post_until=timezone.localdate() - dt.timedelta(days=1))
    assert actions.advance_resolutions() == 0  # an open objection keeps the posting open
    api(head).post(
        f"/deliberation/objections/{objection.json()['id']}/answer", {"answer": "经复测宽度4.2米，符合标准。"}
    )
    assert actions.advance_resolutions() == 1
    assert (
        api(villager).post(f"/deliberation/resolutions/{resolution_id}/evaluations", {"score": 4}).status_code == 201
    )
    assert api(head).post(f"/deliberation/resolutions/{resolution_id}/close").json()["status"] == "closed"
    assert Topic.objects.get(pk=topic["id"]).status == "closed"


def test_an_assembly_that_has_not_met_for_a_quarter_reminds_its_convener(world, community_head, representative):
    body = actions.body_create(
        actor=community_head, unit=world.community, name="代表会议", level=BodyLevel.VILLAGER_ASSEMBLY
    )
    actions.body_member_add(actor=community_head, body=body, user=representative, role=MemberRole.CHAIR)
    assert actions.remind_overdue_bodies() == 0
    later = timezone.localdate() + dt.timedelta(days=100)
    assert actions.remind_overdue_bodies(today=later) == 1
    assert actions.remind_overdue_bodies(today=later) == 0  # one reminder per lapse
    assert Notification.objects.filter(recipient=representative, kind="deliberation.overdue").count() == 1


def test_a_reached_demand_not_met_in_time_reminds_the_convener(world, council, community_head):
    reps = council.test_members
    demand = actions.demand_open(actor=reps[1], body=council, subject="停车位分配")
    assert demand.required == 2  # one fifth of six, rounded up
    actions.demand_sign(actor=reps[2], demand=demand)
    demand.refresh_from_db()
    assert demand.status == "reached"
    assert actions.remind_overdue_demands(today=demand.due_date) == 0
    assert actions.remind_overdue_demands(today=demand.due_date + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind="deliberation.demand_overdue", recipient=reps[0]).exists()
