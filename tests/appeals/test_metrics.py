"""Three rates, overdue counts and league tables from the daily rollups, against a hand-computed month."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.appeals import actions, metrics, tasks
from gongzhi.appeals.models import DailyCategoryStat, DailyStat
from tests.appeals.conftest import at, png


def _appeal(world, resident, unit, code, department, dispatcher, when):
    appeal = actions.appeal_submit(
        actor=resident, channel="web", category=code, description=f"{code} 诉求 {when}", unit=unit
    )
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=department)
    return appeal


def _work(clock, handler, appeal, respond_at, rating=None, resident=None):
    clock.set(respond_at)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已联系")
    clock.advance(hours=1)
    actions.appeal_complete(actor=handler, appeal=appeal, result="已办理", evidence=[png()])
    if rating:
        clock.advance(hours=1)
        resolved, satisfaction = rating
        actions.appeal_rate(actor=resident, appeal=appeal, resolved=resolved, satisfaction=satisfaction)


@pytest.fixture
def november(world, resident, district_admin, handler, street_handler, clock):
    """Five appeals in November 2026 with known outcomes (see the expected figures in each test)."""
    clock.set(at(2026, 11, 2, 9))
    a1 = _appeal(world, resident, world.grid, "UC02", world.department, district_admin, "a1")
    _work(clock, handler, a1, at(2026, 11, 2, 15), (True, "satisfied"), resident)  # on time
    clock.set(at(2026, 11, 3, 9))
    a2 = _appeal(world, resident, world.grid, "UC02", world.department, district_admin, "a2")
    _work(clock, handler, a2, at(2026, 11, 4, 10), (True, "basic"), resident)  # late response
    clock.set(at(2026, 11, 4, 9))
    a3 = _appeal(world, resident, world.other_community, "UC01", world.street_department, district_admin, "a3")
    _work(clock, street_handler, a3, at(2026, 11, 4, 11), (False, "unsatisfied"), resident)
    clock.set(at(2026, 11, 5, 9))
    a4 = _appeal(world, resident, world.grid, "UC02", world.department, district_admin, "a4")  # never answered
    clock.set(at(2026, 11, 5, 9, 30))
    a5 = _appeal(world, resident, world.outside_grid, "NO03", world.department, district_admin, "a5")
    _work(clock, handler, a5, at(2026, 11, 5, 10), (True, "satisfied"), resident)
    tasks.watch_deadlines(now=at(2026, 11, 6, 9, 5))  # only a4 is past its response deadline
    metrics.rollup(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    return [a1, a2, a3, a4, a5]


def test_the_month_totals_match_the_hand_computed_rates(november, district_admin):
    report = metrics.month_report(district_admin, month=dt.date(2026, 11, 1))
    totals = report["totals"]
    assert (totals["received"], totals["dispatched"], totals["responded_on_time"]) == (5, 5, 3)
    assert totals["response_rate"] == 0.6
    assert (totals["rated"], totals["rated_resolved"], totals["satisfied"], totals["basically_satisfied"]) == (
        4,
        3,
        2,
        1,
    )
    assert totals["resolution_rate"] == 0.75 and totals["satisfaction_rate"] == 0.75
    assert totals["overdue"] == 1 and totals["unsatisfied"] == 1
    assert totals["score"] == 72.0  # 20% × 0.6 + 40% × 0.75 + 40% × 0.75


def test_departments_are_ranked_by_score(november, district_admin, world):
    departments = {
        d["name"]: d for d in metrics.month_report(district_admin, month=dt.date(2026, 11, 1))["departments"]
    }
    cgw = departments[world.department.name]
    assert (cgw["dispatched"], cgw["responded_on_time"], cgw["response_rate"]) == (4, 2, 0.5)
    assert (cgw["rated"], cgw["resolution_rate"], cgw["satisfaction_rate"], cgw["overdue"]) == (3, 1.0, 1.0, 1)
    assert cgw["score"] == 90.0 and cgw["rank"] == 1
    cgk = departments[world.street_department.name]
    assert (cgk["response_rate"], cgk["resolution_rate"], cgk["satisfaction_rate"], cgk["score"]) == (
        1.0,
        0.0,
        0.0,
        20.0,
    )
    assert cgk["rank"] == 2


def test_streets_are_ranked_and_the_most_frequent_categories_become_theme_candidates(november, district_admin, world):
    report = metrics.month_report(district_admin, month=dt.date(2026, 11, 1))
    streets = {s["name"]: s for s in report["streets"]}
    heping, qingshan = streets["和平街道"], streets["青山镇"]
    assert (heping["dispatched"], heping["responded_on_time"], heping["rated"], heping["rated_resolved"]) == (
        4,
        2,
        3,
        2,
    )
    assert heping["score"] == 63.33 and heping["rank"] == 2
    assert qingshan["score"] == 100.0 and qingshan["rank"] == 1
    assert report["top_categories"][0] == {"code": "UC02", "name": "垃圾清运", "received": 3}
    themes = {t["unit_name"]: t["categories"] for t in report["themes"]}
    assert [c["code"] for c in themes["和平街道"]] == ["UC02", "UC01"]
    assert [c["code"] for c in themes["青山镇"]] == ["NO03"]
    assert {d["name"] for d in report["definitions"]} >= {"响应率", "解决率", "满意率"}


def test_a_street_sees_only_its_own_figures(november, dispatcher):
    report = metrics.month_report(dispatcher, month=dt.date(2026, 11, 1))
    assert report["totals"]["dispatched"] == 4  # not the township's appeal
    assert [s["name"] for s in report["streets"]] == ["和平街道"]
    assert report["streets"][0]["score"] == 63.33
    assert report["grain"] == "community"
    # The street drills down to its communities (grids count for their community).
    assert [u["name"] for u in report["units"]] == ["光明社区", "幸福社区"]


def test_a_city_sees_its_districts_ranked(november, sysadmin, world):
    report = metrics.month_report(sysadmin, month=dt.date(2026, 11, 1), unit=world.city)
    assert [u["name"] for u in report["units"]] == ["示范区"]
    assert report["units"][0]["dispatched"] == 5


def test_a_department_sees_its_own_rows(november, handler, world):
    report = metrics.month_report(handler, month=dt.date(2026, 11, 1))
    assert report["totals"]["dispatched"] == 4
    assert [d["name"] for d in report["departments"]] == [world.department.name]


def test_the_rollup_is_rebuilt_not_added_to(november, district_admin):
    before = DailyStat.objects.count(), DailyCategoryStat.objects.count()
    metrics.rollup(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (DailyStat.objects.count(), DailyCategoryStat.objects.count()) == before
    assert metrics.month_report(district_admin, month=dt.date(2026, 11, 1))["totals"]["received"] == 5


def test_rollups_keep_to_their_days(november, district_admin):
    metrics.rollup(dt.date(2026, 11, 3), dt.date(2026, 11, 3))
    assert set(DailyStat.objects.values_list("day", flat=True)) >= {dt.date(2026, 11, 2), dt.date(2026, 11, 5)}
    assert sum(DailyStat.objects.filter(day=dt.date(2026, 11, 3)).values_list("received", flat=True)) == 1


def test_the_trend_gives_one_point_per_month(november, district_admin):
    points = metrics.trend(district_admin, months=3, until=dt.date(2026, 11, 30))
    assert [p["month"] for p in points] == ["2026-09", "2026-10", "2026-11"]
    assert points[-1]["received"] == 5 and points[0]["received"] == 0


def test_the_report_reads_only_rollups(november, district_admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        metrics.month_report(district_admin, month=dt.date(2026, 11, 1))


def test_whistle_check_ins_count_against_the_summoned_department(
    world, resident, street_staff, utility_handler, clock
):
    clock.set(at(2026, 11, 10, 9))
    appeal = actions.appeal_submit(actor=resident, channel="web", category="UC04", description="违建", unit=world.grid)
    actions.whistle_blow(
        actor=street_staff, appeal=appeal, departments=[world.utility, world.department], reason="联合执法"
    )
    clock.set(at(2026, 11, 10, 9, 50))
    summons = appeal.whistles.get().summonses.get(department=world.utility)
    actions.whistle_check_in(actor=utility_handler, summons=summons)
    tasks.watch_deadlines(now=at(2026, 11, 10, 10))
    metrics.rollup(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    rows = {r["department_id"]: r for r in DailyStat.objects.values()}
    assert (rows[world.utility.pk]["summoned"], rows[world.utility.pk]["checked_in_late"]) == (1, 1)
    assert rows[world.department.pk]["check_in_missed"] == 1


def test_the_rollup_command_rebuilds_a_range_in_steps(november, district_admin):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("rollup", "--from", "2026-11-01", "--to", "2026-11-30", "--step", "10", stdout=out)
    assert out.getvalue().count("rows") >= 3
    assert metrics.month_report(district_admin, month=dt.date(2026, 11, 1))["totals"]["received"] == 5
    with pytest.raises(CommandError):
        call_command("rollup", "--from", "2026-12-01", "--to", "2026-11-01")


# --- communities: a street drills down, a community sees its own ----------------------------------
# 光明社区 (its grid): a1 on time, a2 late, a4 never answered; ratings a1 (solved, satisfied), a2 (solved, basic).
# 幸福社区: a3 on time, rated unsolved and unsatisfied. The township's a5 is outside the street.


def test_a_street_drills_down_to_its_communities(november, dispatcher):
    units = {u["name"]: u for u in metrics.month_report(dispatcher, month=dt.date(2026, 11, 1))["units"]}
    guangming, xingfu = units["光明社区"], units["幸福社区"]
    assert (guangming["received"], guangming["dispatched"], guangming["responded_on_time"]) == (3, 3, 1)
    assert guangming["response_rate"] == 0.3333
    assert (
        guangming["rated"],
        guangming["rated_resolved"],
        guangming["satisfied"],
        guangming["basically_satisfied"],
    ) == (
        2,
        2,
        1,
        1,
    )
    assert (guangming["resolution_rate"], guangming["satisfaction_rate"], guangming["overdue"]) == (1.0, 1.0, 1)
    assert guangming["score"] == 86.67  # (20% × 1/3 + 40% × 1 + 40% × 1) × 100
    assert guangming["rank"] == 1
    assert (xingfu["dispatched"], xingfu["response_rate"], xingfu["resolution_rate"], xingfu["satisfaction_rate"]) == (
        1,
        1.0,
        0.0,
        0.0,
    )
    assert (xingfu["score"], xingfu["rank"]) == (20.0, 2)


def test_a_district_drills_down_from_a_street_to_its_communities(november, district_admin, world):
    report = metrics.month_report(district_admin, month=dt.date(2026, 11, 1), unit=world.street)
    assert report["grain"] == "community"
    assert report["totals"]["dispatched"] == 4 and report["totals"]["score"] == 63.33
    assert [(u["name"], u["score"]) for u in report["units"]] == [("光明社区", 86.67), ("幸福社区", 20.0)]
    themes = {t["unit_name"]: [c["code"] for c in t["categories"]] for t in report["themes"]}
    assert themes == {"光明社区": ["UC02"], "幸福社区": ["UC01"]}
    assert metrics.month_report(district_admin, month=dt.date(2026, 11, 1))["grain"] == "street"


def test_a_community_worker_sees_its_own_community(november, community_worker, world):
    report = metrics.month_report(community_worker, month=dt.date(2026, 11, 1))
    totals = report["totals"]
    assert (totals["received"], totals["dispatched"], totals["responded_on_time"], totals["rated"]) == (3, 3, 1, 2)
    assert (totals["response_rate"], totals["resolution_rate"], totals["satisfaction_rate"]) == (0.3333, 1.0, 1.0)
    assert totals["score"] == 86.67 and totals["overdue"] == 1
    assert report["streets"] == [] and report["units"] == []  # grids count for their community
    assert report["top_categories"] == [{"code": "UC02", "name": "垃圾清运", "received": 3}]
    assert {d["name"] for d in report["departments"]} == {world.department.name}
    points = metrics.trend(community_worker, months=2, until=dt.date(2026, 11, 30))
    assert [(p["month"], p["dispatched"]) for p in points] == [("2026-10", 0), ("2026-11", 3)]


def test_community_rollups_count_grids_for_their_community(november, world):
    from gongzhi.appeals.models import DailyCommunityStat

    units = set(DailyCommunityStat.objects.values_list("unit_id", flat=True))
    assert units == {world.community.pk, world.other_community.pk, world.outside_community.pk}
    assert sum(DailyCommunityStat.objects.values_list("received", flat=True)) == 5
    assert set(DailyStat.objects.values_list("unit_id", flat=True)) == {world.street.pk, world.other_street.pk}


def test_a_community_is_outside_another_communitys_reach(november, community_worker, world, api):
    from tests.conftest import assert_error

    assert_error(
        api(community_worker).get("/appeal-metrics", {"month": "2026-11", "unit_id": world.outside_community.pk}), 404
    )
    body = api(community_worker).get("/appeal-metrics", {"month": "2026-11"}).json()
    assert body["grain"] == "community" and body["totals"]["dispatched"] == 3


def test_the_street_report_reads_only_rollups(november, dispatcher, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(18):
        metrics.month_report(dispatcher, month=dt.date(2026, 11, 1))
        metrics.trend(dispatcher, months=12, until=dt.date(2026, 11, 30))
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "appeals_dailycommunitystat" in tables
    assert '"appeals_appeal"' not in tables and '"appeals_rating"' not in tables


def test_the_dashboard_shows_a_streets_communities_with_definitions(november, client, dispatcher, world):
    client.force_login(dispatcher)
    page = client.get("/appeals/dashboard/", {"month": "2026-11"}).content.decode()
    assert 'data-testid="league-units"' in page and "光明社区" in page and f"unit={world.community.pk}" in page
    assert "吹哨评价（部门）" in page and "组织评价（街道、社区）" in page and "统计层级" in page
    drilled = client.get("/appeals/dashboard/", {"month": "2026-11", "unit": world.community.pk})
    assert drilled.status_code == 200
    assert 'data-testid="response-rate">33.3%' in drilled.content.decode()
