"""On a phone-sized screen: a resident co-signs a neighbour's proposal, and a representative votes in a meeting.
axe-core passes on every page visited."""

from __future__ import annotations

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import CoSignature, Vote
from tests.deliberation.conftest import convene, council, make_member, neighbours  # noqa: F401 - fixtures


def test_a_resident_co_signs_a_proposal_on_a_phone(phone, live, login, axe, world, council, neighbours, resident):  # noqa: F811
    topic = actions.topic_propose(
        actor=neighbours[0], body=council, title="小区增设充电桩", description="电动车飞线充电很危险，建议增设充电桩。"
    )
    phone.goto(f"{live}/deliberation/")
    axe(phone, context="public topic list")
    login(phone, "resident")
    phone.goto(f"{live}/deliberation/")
    phone.click(f"text={topic.title}")
    phone.wait_for_selector("[data-testid=cosign]")
    axe(phone, context="topic page before co-signing")
    phone.click("[data-testid=cosign]")
    phone.wait_for_selector("[data-testid=cosigned]")
    assert "1" in phone.inner_text("[data-testid=cosign-count]")
    axe(phone, context="topic page after co-signing")
    assert CoSignature.objects.filter(topic=topic, user=resident).exists()


def test_a_representative_votes_on_a_phone(phone, live, login, axe, world, council, convene, community_worker):  # noqa: F811
    reps = council.test_members
    session = convene(council, community_worker, titles=["增设快递柜"])
    for rep in reps[:4]:
        actions.attendance_mark(actor=community_worker, meeting=session.meeting, user=rep)
    actions.item_open_vote(actor=community_worker, item=session.items[0], secret=True)
    login(phone, "representative")
    axe(phone, context="representative desk")
    phone.goto(f"{live}/deliberation/meetings/")
    phone.click("[data-testid=my-meeting]")
    phone.wait_for_selector("[data-testid=vote-form]")
    axe(phone, context="meeting page with an open vote")
    phone.click("[data-testid=vote-for]")
    phone.wait_for_selector("[data-testid=voted]")
    axe(phone, context="meeting page after voting")
    assert Vote.objects.filter(item=session.items[0], choice="for").count() == 1
