"""Case 7 (南昌西湖区 幸福圆桌会): an open round table; residents check in; issues raised on the spot; officials commit
(owner, deadline); closing with evidence (销号); public notice; residents evaluate."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import BodyLevel, Resolution
from tests.conftest import assert_error
from tests.deliberation.conftest import photo, soon, upload


def test_officials_commit_on_the_spot_and_close_with_evidence(
    world, api, community_head, community_worker, handler, supervisor, resident, neighbours
):
    body = actions.body_create(
        actor=community_head, unit=world.community, name="光明幸福圆桌会", level=BodyLevel.COMMUNITY_COMMITTEE
    )
    meeting = (
        api(community_worker)
        .post(
            "/deliberation/meetings",
            {
                "body_id": body.pk,
                "kind": "roundtable",
                "title": "第十二期幸福圆桌会",
                "starts_at": soon().isoformat(),
                "place": "社区广场",
            },
        )
        .json()
    )
    assert meeting["is_public"] is True  # round tables are open meetings
    api(community_worker).post(
        f"/deliberation/meetings/{meeting['id']}/invitees", {"kind": "official", "user_id": handler.pk}
    )
    notice = api(community_worker).post(
        f"/deliberation/meetings/{meeting['id']}/notice", {"urgent": True, "urgent_reason": "周末群众集中"}
    )
    assert notice.status_code == 200, notice.content
    code = api(community_worker).post(f"/deliberation/meetings/{meeting['id']}/open").json()["checkin_code"]
    # A resident sees the public meeting and checks in with the code; a wrong code is refused.
    assert api(resident).get(f"/deliberation/meetings/{meeting['id']}").json()["checkin_code"] is None
    assert_error(
        api(resident).post(
            f"/deliberation/meetings/{meeting['id']}/checkin", {"code": "000000" if code != "000000" else "111111"}
        ),
        422,
        "invalid_input",
        "code",
    )
    assert api(resident).post(f"/deliberation/meetings/{meeting['id']}/checkin", {"code": code}).status_code == 201

    # An issue raised on the spot; the department official commits immediately.
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    raised = api(community_worker).post(
        f"/deliberation/meetings/{meeting['id']}/roundtable-issues",
        {
            "title": "小区门口积水",
            "text": "下雨天小区门口积水半米深",
            "raised_by": "居民 张秀英",
            "commitments": [
                {"title": "疏通雨水管网", "deadline": deadline, "owner_department_id": world.department.pk}
            ],
        },
    )
    assert raised.status_code == 201, raised.content
    issue = raised.json()
    assert issue["kind"] == "roundtable" and issue["status"] == "executing"
    commitment_id = issue["commitments"][0]["id"]
    # Round tables record commitments, not votes.
    assert (
        api(community_worker)
        .post(f"/deliberation/meetings/{meeting['id']}/close", {"summary": "共收集问题1个"})
        .status_code
        == 200
    )

    # Closing without evidence is refused and changes nothing.
    refused = upload(handler, f"/deliberation/commitments/{commitment_id}/close", {"note": "已疏通"})
    assert_error(refused, 422, "evidence_required", "evidence")
    assert api(handler).get(f"/deliberation/resolutions/{issue['id']}").json()["commitments"][0]["status"] == "open"
    assert (
        upload(
            handler, f"/deliberation/commitments/{commitment_id}/close", {"note": "已疏通", "evidence": photo()}
        ).status_code
        == 200
    )
    assert (
        api(supervisor).post(f"/deliberation/commitments/{commitment_id}/review", {"accept": True}).status_code == 200
    )
    posted = api(community_head).post(f"/deliberation/resolutions/{issue['id']}/post", {"days": 3}).json()
    assert posted["status"] == "posted"
    assert any(r["id"] == issue["id"] for r in api().get("/deliberation/resolutions").json())

    Resolution.objects.filter(pk=issue["id"]).update(post_until=timezone.localdate() - dt.timedelta(days=1))
    actions.advance_resolutions()
    assert (
        api(neighbours[0]).post(f"/deliberation/resolutions/{issue['id']}/evaluations", {"score": 5}).status_code
        == 201
    )
    assert api(community_head).post(f"/deliberation/resolutions/{issue['id']}/close").json()["status"] == "closed"
