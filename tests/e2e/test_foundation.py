"""The foundation in a real browser: three roles sign in, switch language and elderly mode, expand the
units tree, reveal a number on a resident's page; axe-core checks every page visited (WCAG 2.1 AA) and
the page fixtures fail on any Content-Security-Policy violation."""

from __future__ import annotations

import datetime as dt

from gongzhi.people.models import Resident
from tests.factories import identity_number, make_resident


def test_a_community_worker_works_through_the_register_in_english_and_elderly_mode(page, live, login, axe, world):
    make_resident(world.grid, "王大爷", identity=identity_number(dt.date(1946, 5, 1), 31), mobile="13500000031")
    login(page, "community_worker")
    assert "社区工作者工作台" in page.locator("[data-testid=desk-title]").inner_text()
    axe(page, context="desk (zh)")

    page.select_option("#language-select", "en")
    page.click("[data-testid=language-submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-testid=desk-title]").inner_text() == "Community worker desk"
    axe(page, context="desk (en)")

    page.click("[data-testid=elderly-toggle]")
    page.wait_for_load_state("networkidle")
    assert "elderly" in (page.locator("html").get_attribute("class") or "")
    assert page.locator("[data-testid=elderly-toggle]").get_attribute("aria-pressed") == "true"
    axe(page, context="desk (elderly)")

    page.goto(f"{live}/people/residents/")
    assert page.locator("table").inner_text().count("王大爷") == 1
    axe(page, context="register")
    page.click("text=王大爷")
    page.wait_for_load_state("networkidle")
    assert page.locator("#identity-value").inner_text().startswith("990***")
    axe(page, context="resident detail")
    page.click("[data-testid=reveal-identity]")
    page.wait_for_selector("[data-testid=revealed-identity]")
    assert page.locator("#identity-value").inner_text().strip() == identity_number(dt.date(1946, 5, 1), 31)
    axe(page, context="resident detail (revealed)")


def test_a_district_admin_expands_the_units_tree(page, live, login, axe, world):
    login(page, "district_admin")
    axe(page, context="district admin desk")
    page.goto(f"{live}/units/")
    axe(page, context="units tree")
    page.click(f"[aria-controls=children-{world.district.pk}]")
    page.wait_for_selector(f"#children-{world.district.pk} >> text=和平街道")
    page.click(f"[aria-controls=children-{world.street.pk}]")
    page.wait_for_selector(f"#children-{world.street.pk} >> text=光明社区")
    axe(page, context="units tree (expanded)")
    page.click(f"#children-{world.street.pk} >> text=光明社区")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("光明社区")
    axe(page, context="unit detail")
    for path in ("/units/departments/", "/units/organizations/", "/audit/", "/people/users/"):
        page.goto(live + path)
        axe(page, context=path)


def test_a_resident_on_a_phone_sees_their_desk_and_profile(phone, live, login, axe, world):
    login(phone, "resident")
    assert "居民工作台" in phone.locator("[data-testid=desk-title]").inner_text()
    axe(phone, context="resident desk (phone)")
    mine = Resident.objects.get(user=world.users["resident"])
    phone.goto(f"{live}/people/residents/{mine.pk}/")
    assert "张秀英" in phone.locator("h1").inner_text()
    axe(phone, context="own record (phone)")
    phone.goto(f"{live}/accounts/profile/")
    axe(phone, context="profile (phone)")
    phone.goto(f"{live}/notifications/")
    axe(phone, context="notifications (phone)")
    phone.goto(f"{live}/units/")
    assert phone.locator("h1").inner_text() == "没有权限"
    axe(phone, context="403 page (phone)")
