"""Issue 4: topics from a cluster of appeals link real appeals; screening "refer" creates a real appeal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals.models import Appeal
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import BodyLevel, Topic, TopicAppeal
from tests.conftest import assert_error
from tests.integration.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(world, community_head):
    return actions.body_create(
        actor=community_head, unit=world.community, name="光明社区协商委员会", level=BodyLevel.COMMUNITY_COMMITTEE
    )


def file_topic(client, body, numbers):
    return client.post(
        "/deliberation/topics/on-behalf",
        {
            "body_id": body.pk,
            "title": "农贸市场周边占道经营",
            "description": "诉求集中反映市场周边占道经营。",
            "source": "appeals",
            "appeal_numbers": numbers,
        },
    )


def test_a_topic_links_the_appeals_it_came_from(world, api, body, resident, community_worker):
    appeals = [submit(world, resident, code="UC03", text=f"市场门口占道经营{i}") for i in range(2)]
    response = file_topic(api(community_worker), body, [a.number for a in appeals])
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["appeal_numbers"] == [a.number for a in appeals]
    assert [(a["number"], a["role"], a["visible"], a["category_code"]) for a in data["appeals"]] == [
        (a.number, "source", True, "UC03") for a in appeals
    ]
    topic = Topic.objects.get(pk=data["id"])
    assert set(topic.appeals.values_list("number", flat=True)) == {a.number for a in appeals}


@pytest.mark.parametrize("case", ["unknown", "out_of_reach", "malformed"])
def test_unknown_or_out_of_reach_numbers_are_refused_and_nothing_is_written(
    case, world, api, body, resident, community_worker, outsider
):
    from gongzhi.audit.models import AuditEvent

    mine = submit(world, resident, code="UC03", text="市场门口占道经营")
    far = submit(world, resident, code="UC03", text="村口占道经营", unit=world.outside_grid)
    other = {"unknown": "2026-999999", "out_of_reach": far.number, "malformed": "<b>"}[case]
    audits = AuditEvent.objects.count()
    response = file_topic(api(community_worker), body, [mine.number, other])
    assert_error(response, 422, field="appeal_numbers")
    assert not Topic.objects.exists() and not TopicAppeal.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_the_topic_page_shows_linked_appeals_only_as_far_as_the_viewer_may_see_them(
    world, api, body, resident, community_worker, community_head, outsider, client
):
    appeal = submit(world, resident, code="UC03", text="市场门口占道经营")
    topic_id = file_topic(api(community_worker), body, [appeal.number]).json()["id"]
    api(community_head).post(f"/deliberation/topics/{topic_id}/screen", {"decision": "accept", "reason": "公共事务"})
    assert Topic.objects.get(pk=topic_id).is_public
    client.force_login(community_worker)
    page = client.get(f"/deliberation/topics/{topic_id}/").content.decode()
    assert 'data-testid="linked-appeals"' in page and f'href="/appeals/{appeal.number}/"' in page
    assert "占道经营" in page
    # The other township's staff (and anyone else) sees the number but not the appeal's details or a link.
    client.force_login(outsider)
    page = client.get(f"/deliberation/topics/{topic_id}/").content.decode()
    assert appeal.number in page and f'href="/appeals/{appeal.number}/"' not in page
    assert "诉求详情不公开" in page
    seen = api(outsider).get(f"/deliberation/topics/{topic_id}").json()["appeals"][0]
    assert seen["visible"] is False and seen["category_code"] is None and seen["url"] is None
    anonymous = api(None).get(f"/deliberation/topics/{topic_id}").json()["appeals"][0]
    assert anonymous["visible"] is False and anonymous["status"] is None
    # Once the resident makes the appeal public, the public page is linked.
    Appeal.objects.filter(pk=appeal.pk).update(is_public=True)
    seen = api(outsider).get(f"/deliberation/topics/{topic_id}").json()["appeals"][0]
    assert seen["visible"] is True and seen["url"] == f"/appeals/public/{appeal.number}/"


def test_the_appeal_page_shows_the_topics_citing_it_and_offers_to_file_one(
    world, api, body, resident, community_worker, client
):
    appeal = submit(world, resident, code="UC03", text="市场门口占道经营")
    topic_id = file_topic(api(community_worker), body, [appeal.number]).json()["id"]
    client.force_login(community_worker)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="appeal-topics"' in page and f"/deliberation/topics/{topic_id}/" in page
    assert f"?appeals={appeal.number}" in page
    form = client.get(f"/deliberation/topics/new/on-behalf/?appeals={appeal.number}").content.decode()
    assert appeal.number in form


def test_staff_file_a_topic_from_appeals_selected_on_the_work_list(world, resident, community_worker, client):
    appeals = [submit(world, resident, code="UC03", text=f"市场门口占道经营{i}") for i in range(2)]
    client.force_login(community_worker)
    page = client.get("/appeals/").content.decode()
    assert 'data-testid="file-topic-selected"' in page
    response = client.post(
        "/deliberation/topics/new/on-behalf/", {"prefill": "1", "numbers": [a.number for a in appeals]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert all(a.number in html for a in appeals)
    assert not Topic.objects.exists()  # the form is only filled in, nothing is filed yet


def test_a_handler_does_not_get_the_file_topic_action(world, handler, client):
    client.force_login(handler)
    response = client.get("/appeals/")
    assert 'data-testid="file-topic-selected"' not in response.content.decode()


def test_referring_a_topic_creates_a_real_appeal_shown_on_both_pages(
    world, api, body, resident, community_worker, client
):
    topic = actions.topic_propose(actor=resident, body=body, title="楼道灯坏了", description="3号楼2单元楼道灯不亮。")
    Topic.objects.filter(pk=topic.pk).update(status="submitted")
    before = Appeal.objects.count()
    # Without a category nothing is written.
    body_json = {"decision": "refer", "reason": "属个别设施报修，转诉求办理"}
    assert_error(
        api(community_worker).post(f"/deliberation/topics/{topic.pk}/screen", body_json), 422, field="refer_category"
    )
    assert_error(
        api(community_worker).post(f"/deliberation/topics/{topic.pk}/screen", {**body_json, "refer_category": "UC"}),
        422,
        field="refer_category",
    )
    assert Appeal.objects.count() == before and Topic.objects.get(pk=topic.pk).status == "submitted"
    response = api(community_worker).post(
        f"/deliberation/topics/{topic.pk}/screen", {**body_json, "refer_category": "UC02"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "referred" and data["referred_appeal_number"]
    appeal = Appeal.objects.get(number=data["referred_appeal_number"])
    assert (appeal.channel, appeal.category.code, appeal.unit_id) == ("deliberation", "UC02", body.unit_id)
    assert TopicAppeal.objects.get(topic=topic, appeal=appeal).role == "referral"
    assert appeal.number in data["explanation"] or any(appeal.number in e["note"] for e in data["timeline"])
    client.force_login(community_worker)
    assert appeal.number in client.get(f"/deliberation/topics/{topic.pk}/").content.decode()
    assert f"/deliberation/topics/{topic.pk}/" in client.get(f"/appeals/{appeal.number}/").content.decode()


def test_referral_from_the_page_form(world, body, resident, community_worker, client):
    topic = actions.topic_propose(actor=resident, body=body, title="路灯不亮", description="光明路路灯坏了。")
    Topic.objects.filter(pk=topic.pk).update(status="submitted")
    client.force_login(community_worker)
    page = client.get(f"/deliberation/topics/{topic.pk}/").content.decode()
    assert 'name="refer_category"' in page
    response = client.post(
        f"/deliberation/topics/{topic.pk}/screen/",
        {"decision": "refer", "reason": "个别报修", "refer_category": "UC02"},
    )
    assert response.status_code == 302
    assert Appeal.objects.filter(channel="deliberation", unit=body.unit).count() == 1


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_topic_and_appeal_pages_do_not_query_per_link(world, api, body, resident, community_worker, client):
    appeals = [submit(world, resident, code="UC03", text=f"市场门口占道经营第{i}次") for i in range(6)]
    one = file_topic(api(community_worker), body, [appeals[0].number]).json()["id"]
    many = file_topic(api(community_worker), body, [a.number for a in appeals]).json()["id"]
    for _ in range(2):
        file_topic(api(community_worker), body, [appeals[0].number])
    client.force_login(community_worker)
    _count(client, f"/deliberation/topics/{one}/")  # warm caches
    assert _count(client, f"/deliberation/topics/{one}/") == _count(client, f"/deliberation/topics/{many}/")
    api_one = _count(client, f"/api/v1/deliberation/topics/{one}")
    assert api_one == _count(client, f"/api/v1/deliberation/topics/{many}")
    # appeals[0] is cited by four topics, appeals[1] by one.
    _count(client, f"/appeals/{appeals[1].number}/")
    assert _count(client, f"/appeals/{appeals[0].number}/") == _count(client, f"/appeals/{appeals[1].number}/")
