"""Case 1's contest variant (金牛 proposal contest): judges score pitches on weighted criteria; residents' own
fundraising is recorded; a pitch below the minimum self-raised share is ranked but not funded."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.people.roles import Role
from tests.conftest import assert_error
from tests.factories import UserFactory, grant


def test_pitches_are_scored_ranked_and_awarded_with_the_self_raised_share(world, api, community_head, resident):
    judges = [UserFactory(username=f"judge{i}") for i in range(2)]
    for judge in judges:
        grant(judge, Role.RESIDENT, world.community)
    created = api(community_head).post(
        "/deliberation/contests",
        {
            "unit_id": world.community.pk,
            "title": "2026年社区提案大赛",
            "budget": "50000.00",
            "min_self_share": "0.2",
            "awards": 2,
            "criteria": [
                {"name": "公共性", "weight": "40"},
                {"name": "可行性", "weight": "40"},
                {"name": "居民参与", "weight": "20"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    contest = created.json()
    for judge in judges:
        assert (
            api(community_head)
            .post(f"/deliberation/contests/{contest['id']}/judges", {"user_id": judge.pk})
            .status_code
            == 201
        )
    api(community_head).post(f"/deliberation/contests/{contest['id']}/open")

    pitches = {}
    for title, cost, ask in (
        ("楼顶菜园", "20000.00", "16000.00"),
        ("儿童托管角", "30000.00", "24000.00"),
        ("旧物交换站", "10000.00", "9000.00"),
    ):
        response = api(resident).post(
            f"/deliberation/contests/{contest['id']}/pitches",
            {"title": title, "team": "居民自治小组", "total_cost": cost, "requested": ask},
        )
        assert response.status_code == 201, response.content
        pitches[title] = response.json()["id"]
    # Residents raise part of the money themselves: 20% for two projects, only 10% for the third.
    for title, amount in (("楼顶菜园", "4000.00"), ("儿童托管角", "6000.00"), ("旧物交换站", "1000.00")):
        assert (
            api(community_head)
            .post(
                f"/deliberation/pitches/{pitches[title]}/contributions", {"contributor": "居民众筹", "amount": amount}
            )
            .status_code
            == 201
        )

    api(community_head).post(f"/deliberation/contests/{contest['id']}/judging")
    criteria = [c["id"] for c in api(community_head).get(f"/deliberation/contests/{contest['id']}").json()["criteria"]]
    marks = {"楼顶菜园": (8, 7, 9), "儿童托管角": (9, 8, 8), "旧物交换站": (10, 10, 10)}
    assert_error(
        api(community_head).post(
            f"/deliberation/pitches/{pitches['楼顶菜园']}/scores", {"scores": {str(criteria[0]): 8}}
        ),
        403,
    )
    assert_error(
        api(judges[0]).post(f"/deliberation/pitches/{pitches['楼顶菜园']}/scores", {"scores": {str(criteria[0]): 11}}),
        422,
    )
    for judge in judges:
        for title, values in marks.items():
            scores = {str(cid): value for cid, value in zip(criteria, values, strict=True)}
            assert (
                api(judge).post(f"/deliberation/pitches/{pitches[title]}/scores", {"scores": scores}).status_code
                == 200
            )
    result = api(community_head).post(f"/deliberation/contests/{contest['id']}/award").json()
    assert result["status"] == "awarded"
    ranking = {p["title"]: p for p in result["pitches"]}
    # Weighted out of 100: (8*40 + 7*40 + 9*20)/10 = 78.0; (9*40+8*40+8*20)/10 = 84.0; all tens = 100.
    assert Decimal(ranking["旧物交换站"]["score"]) == Decimal("100")
    assert Decimal(ranking["儿童托管角"]["score"]) == Decimal("84")
    assert Decimal(ranking["楼顶菜园"]["score"]) == Decimal("78")
    assert [ranking[t]["rank"] for t in ("旧物交换站", "儿童托管角", "楼顶菜园")] == [1, 2, 3]
    # The best-scored pitch raised only 10% itself: ranked first, not funded.
    assert ranking["旧物交换站"]["awarded"] is False
    assert ranking["儿童托管角"]["awarded"] is True and ranking["楼顶菜园"]["awarded"] is True
    assert Decimal(ranking["儿童托管角"]["self_share"]) == Decimal("0.2")
