"""Case 11 (杭州西湖区 问政·问需·问计): three intake kinds, each with a public reply deadline in working days;
unanswered ones escalate from the community to the street; every reply public."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Inquiry
from gongzhi.lib import workdays
from tests.conftest import assert_error


def test_questions_needs_and_ideas_are_answered_in_public_or_escalate(
    world, api, resident, community_worker, street_staff
):
    made = {}
    for kind, title in (
        ("question", "老旧小区加装电梯补贴政策？"),
        ("need", "需要社区食堂"),
        ("idea", "建议开放学校操场"),
    ):
        response = api(resident).post(
            "/deliberation/inquiries", {"unit_id": world.grid.pk, "kind": kind, "title": title, "text": title}
        )
        assert response.status_code == 201, response.content
        made[kind] = response.json()
        assert made[kind]["unit_id"] == world.community.pk  # a grid resident asks their community
    # Deadlines in working days from each submission (to the second: the row's created_at is stamped on insert,
    # a moment after the action read the clock; each inquiry is compared with its own, not its neighbour's).
    question = Inquiry.objects.get(pk=made["question"]["id"])
    idea = Inquiry.objects.get(pk=made["idea"]["id"])
    assert abs(question.due_at - workdays.add_workdays(question.created_at, 5)) < dt.timedelta(seconds=1)
    assert abs(idea.due_at - workdays.add_workdays(idea.created_at, 10)) < dt.timedelta(seconds=1)

    # The community answers the question in time: public.
    answered = api(community_worker).post(
        f"/deliberation/inquiries/{made['question']['id']}/reply", {"reply": "每台补贴20万元，详见区住建委通知。"}
    )
    assert answered.json()["status"] == "answered" and answered.json()["replied_late"] is False
    assert api().get(f"/deliberation/inquiries/{made['question']['id']}").json()["reply"].startswith("每台补贴")

    # The need is not answered in time: it escalates to the street with a new deadline.
    need = Inquiry.objects.get(pk=made["need"]["id"])
    assert actions.escalate_overdue_inquiries(now=need.due_at + dt.timedelta(minutes=1)) == 1
    need.refresh_from_db()
    assert need.status == "escalated" and need.handling_unit_id == world.street.pk
    assert_error(
        api(community_worker).post(f"/deliberation/inquiries/{need.pk}/reply", {"reply": "迟到的答复"}),
        403,
        "forbidden",
    )
    reply = api(street_staff).post(
        f"/deliberation/inquiries/{need.pk}/reply", {"reply": "街道将在社区服务中心开设长者食堂。"}
    )
    assert reply.status_code == 200 and reply.json()["replied_late"] is True

    listing = api().get("/deliberation/inquiries").json()["items"]
    assert {i["kind"] for i in listing} == {"question", "need", "idea"}
    assert sum(1 for i in listing if i["reply"]) == 2
    assert timezone.now() < Inquiry.objects.get(pk=made["idea"]["id"]).due_at


def test_an_outsider_cannot_answer_and_a_resident_cannot_ask_another_community(world, api, resident, outsider):
    inquiry = (
        api(resident)
        .post(
            "/deliberation/inquiries",
            {"unit_id": world.community.pk, "kind": "need", "title": "路灯", "text": "路灯坏了"},
        )
        .json()
    )
    assert_error(api(outsider).post(f"/deliberation/inquiries/{inquiry['id']}/reply", {"reply": "x"}), 403)
    assert_error(
        api(resident).post(
            "/deliberation/inquiries",
            {"unit_id": world.outside_community.pk, "kind": "need", "title": "x", "text": "x"},
        ),
        403,
    )
    assert Inquiry.objects.count() == 1
