"""接诉即办 in the browser: a resident submits on a phone, a dispatcher dispatches, a handler resolves, the
resident rates, and the department ranking changes. axe runs on every page visited."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from gongzhi.appeals import actions, metrics
from gongzhi.appeals.models import Appeal, Category
from gongzhi.people.roles import Role
from tests.appeals.conftest import PNG, drop_number_sequences, ensure_taxonomy
from tests.factories import UserFactory, grant


@contextlib.contextmanager
def frozen(moment: dt.datetime):
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


@pytest.fixture(autouse=True)
def _sequences():
    yield
    drop_number_sequences()


@pytest.fixture
def street_handler(world):
    user = UserFactory(username="street_handler", display_name="城管科承办人")
    grant(user, Role.DEPARTMENT_HANDLER, world.street_department)
    return user


@pytest.fixture
def rival(world, resident, dispatcher, street_handler):
    """Earlier this month the street section answered one appeal late and the resident was satisfied (score 80)."""
    ensure_taxonomy()
    from gongzhi.people.models import RoleGrant

    RoleGrant.objects.update(valid_from=dt.date(2020, 1, 1))
    start = timezone.now().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    with frozen(start):
        appeal = actions.appeal_submit(
            actor=resident, channel="web", category="UC01", description="路边脏乱", unit=world.grid
        )
        actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.street_department)
        actions.appeal_accept(actor=street_handler, appeal=appeal)
    with frozen(start + dt.timedelta(hours=30)):  # past the 24-hour response deadline
        actions.appeal_respond(actor=street_handler, appeal=appeal, comment="已联系")
        actions.appeal_complete(
            actor=street_handler, appeal=appeal, result="已清扫", evidence=[actions.Upload("a.png", PNG)]
        )
    with frozen(start + dt.timedelta(hours=31)):
        actions.appeal_rate(actor=resident, appeal=appeal, resolved=True, satisfaction="satisfied")
    metrics.rollup_recent()
    return appeal


def _ranks(page) -> dict[str, str]:
    rows = page.locator("[data-testid=league-departments] tbody tr")
    ranks = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        ranks[cells.nth(1).inner_text().strip()] = cells.nth(0).inner_text().strip()
    return ranks


def test_resident_dispatcher_handler_and_rating_change_the_ranking(
    browser, phone, page, live, login, axe, world, rival, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    department = world.department.name  # 区城市管理委员会
    street_section = world.street_department.name

    # The district admin looks at the ranking: only the street section is ranked.
    login(page, "district_admin")
    page.goto(f"{live}/appeals/dashboard/")
    axe(page, context="dashboard before")
    before = _ranks(page)
    assert before.get(street_section) == "1" and department not in before

    # A resident submits on a phone.
    login(phone, "resident")
    axe(phone, context="resident desk")
    phone.goto(f"{live}/appeals/new/")
    axe(phone, context="submit form")
    phone.select_option("#id_category", str(Category.objects.get(code="UC02").pk))
    phone.fill("#id_description", "小区门口垃圾桶满了三天没人清运，气味很大。")
    phone.fill("#id_address", "光明社区3号楼")
    phone.click("[data-testid=submit-appeal]")
    number = phone.locator("[data-testid=appeal-number]").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{6}", number)
    axe(phone, context="receipt")

    # The dispatcher finds it in the queue and dispatches it (the panel is swapped in place by htmx).
    page.context.clear_cookies()
    login(page, "dispatcher")
    page.goto(f"{live}/appeals/queue/")
    axe(page, context="queue")
    page.click(f"text={number}")
    axe(page, context="appeal page (dispatcher)")
    page.click("[data-testid=action-dispatch] summary")
    page.select_option("#id_dispatch-department", str(world.department.pk))
    page.fill("#id_dispatch-comment", "请尽快清运")
    page.click("[data-testid=do-dispatch]")
    page.wait_for_selector("text=已派给")
    assert page.locator("[data-testid=appeal-status]").inner_text() == "已派单"
    axe(page, context="dispatched")

    # The handler accepts, calls the resident back and resolves with a photo.
    page.context.clear_cookies()
    login(page, "handler")
    axe(page, context="handler desk")
    page.goto(f"{live}/appeals/assignments/")
    axe(page, context="assignments")
    page.click(f"text={number}")
    page.click("[data-testid=action-accept] summary")
    page.click("[data-testid=do-accept]")
    page.wait_for_selector("text=已接单")
    page.click("[data-testid=action-respond] summary")
    page.fill("#id_respond-comment", "已电话联系，约定今天下午清运。")
    page.click("[data-testid=do-respond]")
    page.wait_for_selector("text=已记录联系情况")
    page.click("[data-testid=action-complete] summary")
    page.fill("#id_complete-result", "已安排清运车辆清运完毕，并增加清运频次。")
    page.set_input_files(
        "#id_complete-evidence", files=[{"name": "after.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("[data-testid=do-complete]")
    page.wait_for_selector("text=已提交办理结果")
    assert page.locator("[data-testid=appeal-status]").inner_text() == "已办结待评价"
    axe(page, context="resolved")

    # The resident rates on the phone.
    phone.goto(f"{live}/appeals/{number}/")
    axe(phone, context="appeal page (resident)")
    phone.check("#id_resolved_0")
    phone.check("#id_satisfaction_0")
    phone.click("[data-testid=rate-submit]")
    phone.wait_for_selector("text=感谢您的评价")
    assert phone.locator("[data-testid=appeal-status]").inner_text() == "已结案"
    axe(phone, context="rated")
    assert Appeal.objects.get(number=number).status == "closed"

    # The nightly rollup runs; the ranking now puts the commission first.
    metrics.rollup_recent()
    page.context.clear_cookies()
    login(page, "district_admin")
    page.goto(f"{live}/appeals/dashboard/")
    after = _ranks(page)
    assert after[department] == "1" and after[street_section] == "2"
    axe(page, context="dashboard after")


def test_the_public_pages_and_tracking_pass_axe(phone, live, axe, world):
    ensure_taxonomy()
    appeal = actions.appeal_submit(
        actor=None,
        channel="web",
        category="TR01",
        description="路灯坏了一个星期，晚上很黑。",
        unit=world.grid,
        contact={"mobile": "13912345678"},
        is_public=True,
    )
    phone.goto(f"{live}/")
    axe(phone, context="home")
    phone.goto(f"{live}/appeals/public/")
    axe(phone, context="public list")
    phone.click(f"text={appeal.number}")
    axe(phone, context="public detail")
    phone.goto(f"{live}/appeals/track/")
    phone.fill("#id_number", appeal.number)
    phone.fill("#id_mobile", "13912345678")
    phone.click("[data-testid=track-submit]")
    phone.wait_for_selector("[data-testid=timeline]")
    axe(phone, context="tracked")
