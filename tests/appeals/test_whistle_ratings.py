"""吹哨报到互评: after the work is done the whistling street/community and each summoned department rate each other."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.appeals import actions, metrics, tasks
from gongzhi.appeals.models import AppealEvent, Whistle, WhistleRating, WhistleSummons
from gongzhi.audit.models import AuditEvent
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from gongzhi.notify.models import Notification
from tests.access_targets import ROLES
from tests.appeals.conftest import at, carry_to_resolved, png, submit
from tests.conftest import assert_error


def _blow(world, resident, street_staff, departments, **kw):
    appeal = submit(world, resident, code="UC04", text="小区里有人违规加盖二层，多部门需联合执法。")
    whistle = actions.whistle_blow(
        actor=street_staff, appeal=appeal, departments=departments, reason="违建涉及电力线路，请到现场联合处置", **kw
    )
    return appeal, whistle


def _summons(whistle: Whistle, department) -> WhistleSummons:
    return WhistleSummons.objects.get(whistle=whistle, department=department)


@pytest.fixture
def done(world, resident, rule, street_staff, dispatcher, handler):
    """A whistle by the street summoning the handler's department, which checked in; the appeal is resolved."""
    appeal, whistle = _blow(world, resident, street_staff, [world.department])
    actions.whistle_check_in(actor=handler, summons=_summons(whistle, world.department), note="已到现场")
    carry_to_resolved(world, appeal, dispatcher=dispatcher, handler=handler)
    return appeal, whistle, _summons(whistle, world.department)


# --- the scenario ---------------------------------------------------------------------------------


def test_a_whistle_from_blow_to_mutual_rating_counts_in_the_month(
    world, resident, rule, street_staff, dispatcher, handler, utility_handler, street_handler, district_admin, clock
):
    clock.set(at(2026, 11, 23, 14))
    appeal, whistle = _blow(world, resident, street_staff, [world.department, world.utility, world.street_department])
    # The city-management commission reports on time, the utility late; the street section never comes.
    clock.set(at(2026, 11, 23, 14, 20))
    actions.whistle_check_in(actor=handler, summons=_summons(whistle, world.department), note="已到现场")
    clock.set(at(2026, 11, 23, 14, 50))
    actions.whistle_check_in(actor=utility_handler, summons=_summons(whistle, world.utility))
    tasks.watch_deadlines(now=at(2026, 11, 23, 15))
    assert _summons(whistle, world.street_department).status == "missed"

    # Too early: the appeal is still being handled and the whistle is open.
    with pytest.raises(InvalidTransition):
        actions.whistle_rate(actor=street_staff, summons=_summons(whistle, world.utility), side="unit", score=5)

    clock.set(at(2026, 11, 24, 10))
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已联系居民")
    actions.appeal_complete(actor=utility_handler, appeal=appeal, result="线路已迁移。")
    actions.appeal_complete(actor=handler, appeal=appeal, result="违建已拆除。", evidence=[png()])
    appeal.refresh_from_db()
    assert appeal.status == "resolved"

    # The street rates each summoned department; each department that reported rates the street.
    clock.set(at(2026, 11, 25, 9))
    actions.whistle_rate(actor=street_staff, summons=_summons(whistle, world.department), side="unit", score=5)
    actions.whistle_rate(
        actor=street_staff, summons=_summons(whistle, world.utility), side="unit", score=3, comment="迟到20分钟"
    )
    actions.whistle_rate(
        actor=street_staff,
        summons=_summons(whistle, world.street_department),
        side="unit",
        score=1,
        comment="未到场",
    )
    actions.whistle_rate(actor=handler, summons=_summons(whistle, world.department), side="department", score=4)
    actions.whistle_rate(
        actor=utility_handler, summons=_summons(whistle, world.utility), side="department", score=5, comment="协调有力"
    )
    # The street section never reported: it cannot rate the street's organisation.
    with pytest.raises(InvalidTransition):
        actions.whistle_rate(
            actor=street_handler, summons=_summons(whistle, world.street_department), side="department", score=1
        )
    assert WhistleRating.objects.count() == 5

    # Audited, on the internal timeline, and the rated side is told.
    assert AuditEvent.objects.filter(action="appeals.whistle_rate").count() == 5
    rated_events = AppealEvent.objects.filter(appeal=appeal, kind="whistle_rated")
    assert rated_events.count() == 5 and not rated_events.filter(is_public=True).exists()
    assert Notification.objects.filter(recipient=utility_handler, kind="appeals.whistle_rated").count() == 1
    assert Notification.objects.filter(recipient=street_staff, kind="appeals.whistle_rated").count() == 2

    metrics.rollup(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    report = metrics.month_report(district_admin, month=dt.date(2026, 11, 1))
    departments = {d["id"]: d for d in report["departments"]}
    assert departments[world.department.pk]["whistle_rating"] == 5.0
    assert departments[world.department.pk]["checked_in_on_time"] == 1
    utility = departments[world.utility.pk]
    assert (utility["whistle_rating"], utility["rated_by_units"], utility["checked_in_late"]) == (3.0, 1, 1)
    section = departments[world.street_department.pk]
    assert (section["whistle_rating"], section["check_in_missed"]) == (1.0, 1)
    # The street's organisation, rated by the two departments that reported: (4 + 5) / 2.
    streets = {s["name"]: s for s in report["streets"]}
    assert (streets["和平街道"]["organising_rating"], streets["和平街道"]["rated_by_departments"]) == (4.5, 2)
    assert streets["青山镇"]["organising_rating"] is None
    assert report["totals"]["whistle_rating"] == 3.0  # (5 + 3 + 1) / 3
    assert {d["name"] for d in report["definitions"]} >= {"吹哨评价（部门）", "组织评价（街道、社区）"}
    # The same figures on the rankings page (a street user sees its own whistles).
    from django.test import Client

    client = Client()
    client.force_login(street_staff)
    page = client.get("/appeals/dashboard/", {"month": "2026-11"}).content.decode()
    assert "吹哨召集部门 3 次：按时报到 1，迟到 1，未报到 1。" in page
    assert 'data-testid="organising-rating">4.50（2次）' in page
    assert 'data-testid="whistle-rating">1.00（1次）' in page


def test_a_closed_whistle_can_be_rated_before_the_appeal_is_resolved(
    world, resident, rule, street_staff, handler, clock
):
    clock.set(at(2026, 11, 23, 14))
    appeal, whistle = _blow(world, resident, street_staff, [world.department])
    summons = _summons(whistle, world.department)
    actions.whistle_check_in(actor=handler, summons=summons)
    with pytest.raises(Forbidden):
        actions.whistle_close(actor=handler, whistle=whistle)
    actions.whistle_close(actor=street_staff, whistle=whistle, note="现场已处置完毕")
    whistle.refresh_from_db()
    assert whistle.closed_at == at(2026, 11, 23, 14) and whistle.closed_by == street_staff
    assert AuditEvent.objects.filter(action="appeals.whistle_close").count() == 1
    assert Notification.objects.filter(recipient=handler, kind="appeals.whistle_closed").exists()
    with pytest.raises(InvalidTransition):
        actions.whistle_close(actor=street_staff, whistle=whistle)
    rating = actions.whistle_rate(actor=handler, summons=summons, side="department", score=4)
    assert rating.unit == world.street and rating.department == world.department
    appeal.refresh_from_db()
    assert appeal.status == "dispatched"


def test_no_check_in_after_the_whistle_is_closed(world, resident, rule, street_staff, utility_handler):
    _appeal, whistle = _blow(world, resident, street_staff, [world.utility])
    actions.whistle_close(actor=street_staff, whistle=whistle)
    with pytest.raises(InvalidTransition):
        actions.whistle_check_in(actor=utility_handler, summons=_summons(whistle, world.utility))
    assert _summons(whistle, world.utility).status == "pending"


def test_a_pending_summons_is_not_rated_until_its_time_has_passed(
    world, resident, rule, street_staff, utility_handler, clock
):
    clock.set(at(2026, 11, 23, 14))
    _appeal, whistle = _blow(world, resident, street_staff, [world.utility])
    actions.whistle_close(actor=street_staff, whistle=whistle)
    summons = _summons(whistle, world.utility)
    with pytest.raises(InvalidTransition):
        actions.whistle_rate(actor=street_staff, summons=summons, side="unit", score=2, comment="未到")
    tasks.watch_deadlines(now=at(2026, 11, 23, 14, 31))
    actions.whistle_rate(actor=street_staff, summons=summons, side="unit", score=1, comment="未到场")
    assert WhistleRating.objects.get().score == 1


# --- refusals: nothing is written -----------------------------------------------------------------


def test_one_rating_per_side_per_pair(done, street_staff, dispatcher, handler):
    _appeal, _whistle, summons = done
    actions.whistle_rate(actor=street_staff, summons=summons, side="unit", score=4)
    with pytest.raises(Conflict):
        actions.whistle_rate(actor=dispatcher, summons=summons, side="unit", score=2, comment="再评一次")
    actions.whistle_rate(actor=handler, summons=summons, side="department", score=5)
    with pytest.raises(Conflict):
        actions.whistle_rate(actor=handler, summons=summons, side="department", score=5)
    assert sorted(WhistleRating.objects.values_list("side", "score")) == [("department", 5), ("unit", 4)]
    assert AuditEvent.objects.filter(action="appeals.whistle_rate").count() == 2


def test_each_side_rates_only_as_itself(
    done, street_staff, handler, community_worker, supervisor, utility_handler, world
):
    _appeal, _whistle, summons = done
    for actor, side in [
        (handler, "unit"),  # a department cannot rate itself for the street
        (street_staff, "department"),  # the street cannot rate itself
        (community_worker, "unit"),  # the street blew the whistle, not the community
        (supervisor, "unit"),
        (utility_handler, "department"),  # another department
    ]:
        with pytest.raises(Forbidden):
            actions.whistle_rate(actor=actor, summons=summons, side=side, score=3)
    assert not WhistleRating.objects.exists()


def test_a_community_that_blew_the_whistle_rates_for_itself(
    world, resident, rule, community_worker, handler, dispatcher
):
    appeal = submit(world, resident)
    whistle = actions.whistle_blow(
        actor=community_worker, appeal=appeal, departments=[world.department], reason="现场"
    )
    assert whistle.unit == world.community
    actions.whistle_check_in(actor=handler, summons=whistle.summonses.get())
    actions.whistle_close(actor=community_worker, whistle=whistle)
    rating = actions.whistle_rate(actor=community_worker, summons=whistle.summonses.get(), side="unit", score=5)
    assert rating.unit == world.community and rating.unit_path == world.community.path


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "abc"}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": True}, "score"),
        ({"score": 2, "comment": ""}, "comment"),
        ({"score": 1, "comment": "  "}, "comment"),
        ({"score": 3, "comment": "长" * 501}, "comment"),
        ({"side": "resident"}, "side"),
    ],
)
def test_bad_ratings_are_refused(done, street_staff, changes, field):
    _appeal, _whistle, summons = done
    kwargs = {"side": "unit", "score": 4, "comment": ""} | changes
    with pytest.raises(InvalidInput) as error:
        actions.whistle_rate(actor=street_staff, summons=summons, **kwargs)
    assert field in error.value.fields
    assert not WhistleRating.objects.exists()
    assert not AuditEvent.objects.filter(action="appeals.whistle_rate").exists()


# --- API ------------------------------------------------------------------------------------------


def test_rating_through_the_api(done, api, street_staff, handler):
    appeal, _whistle, summons = done
    response = api(street_staff).post(
        f"/whistles/summons/{summons.pk}/rating", {"side": "unit", "score": 2, "comment": "到场但处置拖延"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["side"], body["score"], body["score_label"], body["department"]["id"]) == (
        "unit",
        2,
        "较差",
        summons.department_id,
    )
    assert_error(api(street_staff).post(f"/whistles/summons/{summons.pk}/rating", {"side": "unit", "score": 5}), 409)
    assert_error(
        api(handler).post(f"/whistles/summons/{summons.pk}/rating", {"side": "department", "score": 9}),
        422,
        "invalid_input",
        "score",
    )
    assert_error(
        api(handler).post(f"/whistles/summons/{summons.pk}/rating", {"side": "department", "score": 4, "x": 1}),
        422,
    )
    listed = api(street_staff).get(f"/appeals/{appeal.number}/whistles").json()
    assert [r["score"] for r in listed[0]["summonses"][0]["ratings"]] == [2]
    assert listed[0]["closed_at"] is None


def test_too_early_is_a_clear_conflict_through_the_api(world, resident, rule, api, street_staff, handler):
    _appeal, whistle = _blow(world, resident, street_staff, [world.department])
    summons = _summons(whistle, world.department)
    actions.whistle_check_in(actor=handler, summons=summons)
    assert_error(
        api(handler).post(f"/whistles/summons/{summons.pk}/rating", {"side": "department", "score": 4}),
        409,
        "whistle_work_not_done",
    )
    assert not WhistleRating.objects.exists()


def test_the_whistle_list_is_for_staff(done, api, resident, handler):
    appeal, _whistle, _summons = done
    assert api(handler).get(f"/appeals/{appeal.number}/whistles").status_code == 200
    assert_error(api(resident).get(f"/appeals/{appeal.number}/whistles"), 403)


# Who may do what on a whistle blown by 和平街道 on an appeal in 光明社区, summoning the handler's department.
UNIT_SIDE = {"sysadmin", "district_admin", "street_staff", "dispatcher"}
NOT_VISIBLE = {"representative", "outsider"}


def _expected(role: str, allowed: set[str], ok: int) -> int:
    if role in allowed:
        return ok
    return 404 if role in NOT_VISIBLE else 403


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_rating_the_department(done, api, world, role):
    _appeal, _whistle, summons = done
    response = api(world.users[role]).post(f"/whistles/summons/{summons.pk}/rating", {"side": "unit", "score": 4})
    expected = _expected(role, UNIT_SIDE, 201)
    if expected == 201:
        assert response.status_code == 201, response.content
    else:
        assert_error(response, expected)
    assert WhistleRating.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_rating_the_street(done, api, world, role):
    _appeal, _whistle, summons = done
    response = api(world.users[role]).post(
        f"/whistles/summons/{summons.pk}/rating", {"side": "department", "score": 4}
    )
    expected = _expected(role, {"handler"}, 201)
    if expected == 201:
        assert response.status_code == 201, response.content
    else:
        assert_error(response, expected)
    assert WhistleRating.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_closing_a_whistle(world, resident, rule, street_staff, api, role):
    appeal, whistle = _blow(world, resident, street_staff, [world.department])
    response = api(world.users[role]).post(f"/appeals/{appeal.number}/whistles/{whistle.pk}/close", {"note": "完毕"})
    expected = _expected(role, UNIT_SIDE, 200)
    if expected == 200:
        assert response.status_code == 200, response.content
        assert response.json()["closed_at"] and response.json()["close_note"] == "完毕"
    else:
        assert_error(response, expected)
    whistle.refresh_from_db()
    assert (whistle.closed_at is not None) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_listing_whistles(done, api, world, role):
    appeal, _whistle, _summons = done
    response = api(world.users[role]).get(f"/appeals/{appeal.number}/whistles")
    staff = set(ROLES) - NOT_VISIBLE - {"resident"}
    expected = _expected(role, staff, 200)
    if expected == 200:
        assert response.status_code == 200 and len(response.json()) == 1
    else:
        assert_error(response, expected)


def test_a_whistle_of_another_appeal_is_not_found(done, world, resident, api, street_staff):
    _appeal, whistle, _summons = done
    other = submit(world, resident, text="另一件诉求：楼道堆物。")
    assert_error(api(street_staff).post(f"/appeals/{other.number}/whistles/{whistle.pk}/close", {}), 404)
    assert_error(api(street_staff).post("/whistles/summons/999999/rating", {"side": "unit", "score": 4}), 404)


# --- the appeal page ------------------------------------------------------------------------------


def test_the_appeal_page_offers_each_side_its_rating(done, client, street_staff, handler, supervisor):
    appeal, _whistle, summons = done
    client.force_login(street_staff)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert f'data-testid="rate-{summons.pk}-unit"' in page
    assert f'data-testid="rate-{summons.pk}-department"' not in page
    client.force_login(handler)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert f'data-testid="rate-{summons.pk}-department"' in page
    assert f'data-testid="rate-{summons.pk}-unit"' not in page
    client.force_login(supervisor)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="rate-' not in page


def test_rating_from_the_appeal_page(done, client, street_staff):
    appeal, _whistle, summons = done
    client.force_login(street_staff)
    prefix = f"rate-{summons.pk}-unit"
    bad = client.post(
        f"/appeals/whistles/summons/{summons.pk}/rate/", {f"{prefix}-side": "unit", f"{prefix}-score": "1"}
    )
    assert bad.status_code == 422 and "评为较差或很差时请说明理由" in bad.content.decode()
    assert not WhistleRating.objects.exists()
    response = client.post(
        f"/appeals/whistles/summons/{summons.pk}/rate/",
        {f"{prefix}-side": "unit", f"{prefix}-score": "5", f"{prefix}-comment": "到场迅速"},
    )
    assert response.status_code == 302
    assert WhistleRating.objects.get().comment == "到场迅速"
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert (
        f'data-testid="whistle-rating-{summons.pk}-unit"' in page
        and f'data-testid="rate-{summons.pk}-unit"' not in page
    )


def test_closing_from_the_appeal_page(world, resident, rule, street_staff, handler, client):
    appeal, whistle = _blow(world, resident, street_staff, [world.department])
    client.force_login(handler)
    assert client.post(f"/appeals/whistles/{whistle.pk}/close/", {}).status_code == 403
    client.force_login(street_staff)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert f'data-testid="close-whistle-{whistle.pk}"' in page
    response = client.post(f"/appeals/whistles/{whistle.pk}/close/", {f"close-{whistle.pk}-note": "已处置"})
    assert response.status_code == 302
    whistle.refresh_from_db()
    assert whistle.close_note == "已处置"
    again = client.post(f"/appeals/whistles/{whistle.pk}/close/", {})
    assert again.status_code == 409  # a second close is refused
