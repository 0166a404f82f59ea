"""Case 8 (丽水莲都区): a draft in numbered sections open for comment; comments per section from the web and
entered by staff (meeting, paper, phone); moderation; a published reply to every comment; the final report;
participation figures by channel."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.conftest import assert_error


def test_a_public_consultation_replies_to_every_comment_and_reports(
    world, api, community_worker, resident, neighbours
):
    created = api(community_worker).post(
        "/deliberation/consultations",
        {
            "unit_id": world.community.pk,
            "title": "光明社区居民公约（征求意见稿）",
            "summary": "请居民对公约草案提出意见。",
            "closes_on": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
            "sections": [
                {"heading": "总则", "text": "为建设和谐社区，制定本公约。"},
                {"heading": "环境卫生", "text": "垃圾分类投放，不乱扔杂物。"},
                {"heading": "文明养犬", "text": "遛犬拴绳，及时清理粪便。"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    sections = created.json()["sections"]
    assert [s["number"] for s in sections] == [1, 2, 3]
    assert api().get(f"/deliberation/consultations/{cid}").status_code == 404  # a draft is not public
    assert_error(api(resident).post(f"/deliberation/consultations/{cid}/comments", {"text": "好"}), 404)
    api(community_worker).post(f"/deliberation/consultations/{cid}/open")

    # Comments from the web (moderated) and entered by staff from other channels.
    web = (
        api(resident)
        .post(
            f"/deliberation/consultations/{cid}/comments",
            {"text": "建议明确大型犬的遛犬时段", "section_id": sections[2]["id"]},
        )
        .json()
    )
    rude = api(neighbours[0]).post(f"/deliberation/consultations/{cid}/comments", {"text": "广告：低价装修"}).json()
    entered = [
        api(community_worker)
        .post(
            f"/deliberation/consultations/{cid}/comments/entered",
            {"channel": channel, "author_name": name, "text": text, "section_id": sections[1]["id"]},
        )
        .json()
        for channel, name, text in (
            ("meeting", "楼栋长座谈会", "厨余垃圾桶增加到每栋两个"),
            ("paper", "王大爷（书面）", "垃圾投放时间延长到晚上九点"),
            ("phone", "李女士（电话）", "总则太空泛"),
        )
    ]
    assert web["status"] == "pending" and entered[0]["status"] == "published"
    assert all(c["id"] != web["id"] for c in api().get(f"/deliberation/consultations/{cid}").json()["comments"])
    api(community_worker).post(f"/deliberation/comments/{web['id']}/moderate", {"publish": True})
    assert_error(
        api(community_worker).post(f"/deliberation/comments/{rude['id']}/moderate", {"publish": False}),
        422,
        "invalid_input",
        "note",
    )
    api(community_worker).post(f"/deliberation/comments/{rude['id']}/moderate", {"publish": False, "note": "广告信息"})

    # The report is refused while any comment lacks a reply; "not adopted" needs a reason.
    api(community_worker).post(f"/deliberation/consultations/{cid}/close")
    assert_error(
        api(community_worker).post(f"/deliberation/consultations/{cid}/report", {"report": "采纳情况"}),
        409,
        "comments_unanswered",
    )
    assert_error(
        api(community_worker).post(
            f"/deliberation/comments/{entered[2]['id']}/reply", {"kind": "not_adopted", "reply": ""}
        ),
        422,
        "invalid_input",
        "reply",
    )
    replies = [
        (web["id"], "adopted", "已在第三条增加早七点前、晚九点后遛大型犬。"),
        (entered[0]["id"], "partly", "每栋增加一个，视使用情况再增加。"),
        (entered[1]["id"], "adopted", "延长至晚九点。"),
        (entered[2]["id"], "not_adopted", "总则为原则性规定，具体要求见各章。"),
        (rude["id"], "not_adopted", "与本公约无关。"),
    ]
    for comment_id, kind, text in replies:
        assert (
            api(community_worker)
            .post(f"/deliberation/comments/{comment_id}/reply", {"kind": kind, "reply": text})
            .status_code
            == 200
        )
    reported = api(community_worker).post(
        f"/deliberation/consultations/{cid}/report", {"report": "共收到意见5条，采纳2条，部分采纳1条。"}
    )
    assert reported.status_code == 200 and reported.json()["status"] == "reported"

    public = api().get(f"/deliberation/consultations/{cid}").json()
    assert public["figures"]["by_channel"] == {"web": 2, "meeting": 1, "paper": 1, "phone": 1}
    assert public["figures"]["by_reply"] == {"adopted": 2, "partly": 1, "not_adopted": 2}
    assert {c["reply_kind"] for c in public["comments"]} == {"adopted", "partly", "not_adopted"}
    assert all(c["status"] == "published" for c in public["comments"])  # the advertisement stays off the page
