"""The pages: every page renders for the people who use it, forms carry the same rules as the API (a refused
action re-renders the page with the error and a 4xx status, and writes nothing), and exports download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import CoSignature, Meeting, MeetingKind, Topic, VoteCast


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


PUBLIC_PAGES = [
    "/deliberation/",
    "/deliberation/?stage=consult",
    "/deliberation/topics/{published}/",
    "/deliberation/resolutions/",
    "/deliberation/resolutions/{resolution}/",
    "/deliberation/consultations/",
    "/deliberation/consultations/{consultation}/",
    "/deliberation/inquiries/",
    "/deliberation/inquiries/{inquiry}/",
    "/deliberation/contests/",
    "/deliberation/contests/{contest}/",
]

STAFF_PAGES = [
    "/deliberation/bodies/",
    "/deliberation/bodies/new/",
    "/deliberation/bodies/{body}/",
    "/deliberation/bodies/{body}/edit/",
    "/deliberation/bodies/{body}/queue/",
    "/deliberation/topics/manage/",
    "/deliberation/topics/new/",
    "/deliberation/topics/new/on-behalf/",
    "/deliberation/topics/{submitted}/",
    "/deliberation/meetings/",
    "/deliberation/meetings/new/",
    "/deliberation/meetings/{meeting}/",
    "/deliberation/meetings/{draft_meeting}/",
    "/deliberation/meetings/{meeting}/quorum/",
    "/deliberation/commitments/",
    "/deliberation/consultations/new/",
    "/deliberation/inquiries/new/",
    "/deliberation/contests/new/",
    "/",  # the desk with the deliberation panels
    "/desk/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_for_visitors(scene, path):
    response = client_for().get(path.format(**scene))
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_render_for_the_community_head(scene, world, path):
    response = client_for(world.users["community_head"]).get(path.format(**scene), follow=True)
    assert response.status_code == 200, (path, response.content[:300])


@pytest.mark.parametrize(
    "user", ["resident", "representative", "supervisor", "handler", "street_staff", "community_worker"]
)
def test_every_role_sees_its_desk(scene, world, user):
    response = client_for(world.users[user]).get("/desk/")
    assert response.status_code == 200


def test_the_resident_pages_need_sign_in(scene):
    response = client_for().get("/deliberation/topics/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_outsider_gets_404_on_staff_pages(scene, outsider):
    client = client_for(outsider)
    assert client.get(f"/deliberation/bodies/{scene['body']}/").status_code == 404
    assert client.get(f"/deliberation/meetings/{scene['meeting']}/").status_code == 404
    assert client.get(f"/deliberation/topics/{scene['submitted']}/").status_code == 404


def test_a_resident_proposes_and_a_neighbour_co_signs_through_the_pages(council, resident, neighbours):
    response = client_for(resident).post(
        "/deliberation/topics/new/",
        {"body": council.pk, "title": "小区增设充电桩", "description": "电动车飞线充电危险"},
    )
    topic = Topic.objects.get(title="小区增设充电桩")
    assert response.status_code == 302 and response["Location"] == f"/deliberation/topics/{topic.pk}/"
    page = client_for(neighbours[0]).get(f"/deliberation/topics/{topic.pk}/")
    assert "我要联署" in page.content.decode()
    assert client_for(neighbours[0]).post(f"/deliberation/topics/{topic.pk}/cosign/").status_code == 302
    again = client_for(neighbours[0]).post(f"/deliberation/topics/{topic.pk}/cosign/")
    assert again.status_code == 409 and "您已联署过该提案" in again.content.decode()
    assert CoSignature.objects.filter(topic=topic).count() == 1


def test_a_proposal_form_with_errors_is_shown_again(council, resident):
    response = client_for(resident).post(
        "/deliberation/topics/new/", {"body": council.pk, "title": "", "description": ""}
    )
    assert response.status_code == 400
    assert Topic.objects.count() == 0


def test_screening_through_the_page_requires_a_public_reason(council, representative, community_worker):
    topic = actions.topic_propose(
        actor=representative, body=council, title="垃圾亭", description="x", as_representative=True
    )
    refused = client_for(community_worker).post(f"/deliberation/topics/{topic.pk}/screen/", {"decision": "reject"})
    assert refused.status_code == 422 and "不予立项须说明理由" in refused.content.decode()
    accepted = client_for(community_worker).post(
        f"/deliberation/topics/{topic.pk}/screen/", {"decision": "accept", "reason": "好"}
    )
    assert accepted.status_code == 302
    assert Topic.objects.get(pk=topic.pk).status == "published"


def test_a_meeting_is_convened_signed_in_and_voted_through_the_pages(council, community_worker):
    reps = council.test_members
    staff = client_for(community_worker)
    starts = (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    created = staff.post(
        "/deliberation/meetings/new/",
        {
            "body": council.pk,
            "kind": MeetingKind.RESIDENTS_COUNCIL,
            "title": "月度议事会",
            "starts_at": starts,
            "place": "活动室",
        },
    )
    assert created.status_code == 302, created.content[:500]
    meeting = Meeting.objects.get(title="月度议事会")
    base = f"/deliberation/meetings/{meeting.pk}/"
    assert staff.post(base + "items/", {"title": "增设快递柜", "motion": "同意在3号楼增设快递柜"}).status_code == 302
    late = staff.post(base + "notice/", {})
    assert late.status_code == 422 and "紧急" in late.content.decode()
    assert staff.post(base + "notice/", {"urgent": "1", "urgent_reason": "快递柜厂家本周安装"}).status_code == 302
    assert staff.post(base + "open/").status_code == 302
    meeting.refresh_from_db()
    for rep in reps[:3]:
        assert staff.post(base + "attendance/", {"user": rep.pk}).status_code == 302
    item = meeting.items.get()
    no_quorum = staff.post(f"/deliberation/items/{item.pk}/open-vote/", {})
    assert no_quorum.status_code == 409 and "未达到法定人数" in no_quorum.content.decode()
    assert client_for(reps[3]).post(base + "checkin/", {"code": meeting.checkin_code}).status_code == 302
    assert staff.post(f"/deliberation/items/{item.pk}/open-vote/", {"secret": "1"}).status_code == 302
    page = client_for(reps[0]).get(base).content.decode()
    assert 'data-testid="vote-for"' in page
    for rep in reps[:4]:
        assert client_for(rep).post(f"/deliberation/items/{item.pk}/vote/", {"choice": "for"}).status_code == 302
    twice = client_for(reps[0]).post(f"/deliberation/items/{item.pk}/vote/", {"choice": "against"})
    assert twice.status_code == 409
    assert VoteCast.objects.filter(item=item).count() == 4
    assert staff.post(f"/deliberation/items/{item.pk}/close-vote/").status_code == 302
    item.refresh_from_db()
    assert item.result == "adopted" and item.votes_for == 4
    assert "赞成4" in staff.get(base).content.decode()


def test_exports_download(scene, world):
    client = client_for(world.users["community_head"])
    ics = client.get(f"/deliberation/meetings/{scene['meeting']}/meeting.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert (
        "BEGIN:VEVENT" in body and "DTSTART:" in body and all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    )
    for path in ("notice.pdf", "minutes.pdf"):
        pdf = client.get(f"/deliberation/meetings/{scene['meeting']}/{path}")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    resolution = client_for().get(f"/deliberation/resolutions/{scene['resolution']}/resolution.pdf")
    assert resolution.status_code == 200 and resolution.content.startswith(b"%PDF")
    for path in (
        "/deliberation/topics/export.xlsx",
        "/deliberation/commitments/export.xlsx",
        "/deliberation/meetings/export.xlsx",
    ):
        sheet = client.get(path)
        assert sheet.status_code == 200 and sheet.content.startswith(b"PK"), path


def test_the_topic_export_reads_back(scene, world):
    from gongzhi.lib.excel import read_rows

    sheet = client_for(world.users["community_head"]).get("/deliberation/topics/export.xlsx")
    headers, rows = read_rows(sheet.content)
    assert headers[0] == "编号" and len(rows) == Topic.objects.count()
