"""The foundation in a real browser: three roles walk their pages; axe-core checks every page they see.

A district admin goes through the units tree (expanding a node with HTMX), departments, organizations,
the resident register (list, detail, a create form with an error, then a valid create), the audit log,
profile, tokens and notifications, and switches language and elderly mode. A community worker keeps the
register of their community and unmasks a number. A resident uses a phone-sized screen.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from gongzhi.people.models import Resident
from gongzhi.units.models import Organization, OrganizationKind
from tests.factories import identity_number, make_organization, make_resident

pytestmark = pytest.mark.e2e


def visit(page, axe, url: str) -> None:
    """Open a page, check it answered 200 and passes axe (WCAG 2.1 A/AA)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    axe(page, context=url)


def font_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def html_class(page) -> str:
    return page.evaluate("document.documentElement.className")


def switch_language(page, code: str) -> None:
    page.select_option("#language-select", code)
    with page.expect_navigation():
        page.click("[data-testid=language-submit]")


def toggle_elderly(page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=elderly-toggle]")


HAN = re.compile(r"[\u4e00-\u9fff]")


def _english_catalogs_loaded() -> bool:
    with translation.override("en"):
        return translation.gettext("居民名册") != "居民名册"


def assert_english(page) -> None:
    """The page's heading and header buttons are in English (names of people and places stay Chinese)."""
    if not _english_catalogs_loaded():
        return  # the language switch itself is checked through <html lang>; headings need the catalogs
    heading = page.locator("main h1").first.inner_text()
    assert not HAN.search(heading), heading
    assert not HAN.search(page.locator("[data-testid=login-submit], [data-testid=elderly-toggle]").first.inner_text())


def open_menu_if_collapsed(page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") == "false":
        toggler.click()
        expect(page.locator("#main-nav")).to_be_visible()


@pytest.fixture
def register(world):
    """A few more residents and organizations, so lists and trees have something to show."""
    make_organization(world.street, "中共和平街道工作委员会", OrganizationKind.PARTY_WORKING_COMMITTEE)
    make_organization(world.community, "光明社区志愿者协会")
    rows = [
        make_resident(world.grid, "王建国", identity=identity_number(seq=11), mobile="13900002222", tags=["elderly"]),
        make_resident(world.other_grid, "李桂英", identity=identity_number(seq=12, male=False), gender="F"),
        make_resident(world.outside_grid, "赵志文", identity=identity_number(seq=13)),
    ]
    return rows


def test_a_district_admin_walks_every_foundation_page(page, live, login, axe, world, register):
    login(page, "district_admin")
    expect(page.locator("[data-testid=desk-title]")).to_be_visible()
    axe(page, context="district admin desk")

    # Units: the tree, expanded with HTMX, then a unit's page.
    visit(page, axe, f"{live}/units/")
    expand = page.locator(f"button[aria-controls=children-{world.district.pk}]")
    expand.click()
    expect(page.locator(f"#children-{world.district.pk} >> text=和平街道")).to_be_visible()
    axe(page, context="units tree, expanded")
    visit(page, axe, f"{live}/units/?q=光明")
    expect(page.locator("main")).to_contain_text("光明社区")
    visit(page, axe, f"{live}/units/{world.community.pk}/")

    # Departments and organizations.
    visit(page, axe, f"{live}/units/departments/")
    expect(page.locator("main")).to_contain_text("区城市管理委员会")
    visit(page, axe, f"{live}/units/departments/{world.department.pk}/")
    visit(page, axe, f"{live}/units/organizations/")
    expect(page.locator("main")).to_contain_text("中共和平街道工作委员会")

    # The register: list (numbers masked), filters, detail.
    visit(page, axe, f"{live}/people/residents/")
    main = page.locator("main")
    expect(main).to_contain_text("王建国")
    expect(main).to_contain_text("139****2222")
    expect(main).not_to_contain_text("13900002222")
    visit(page, axe, f"{live}/people/residents/?tag=elderly")
    expect(main).to_contain_text("王建国")
    expect(main).not_to_contain_text("李桂英")
    wang = register[0]
    visit(page, axe, f"{live}/people/residents/{wang.pk}/")
    expect(main).to_contain_text("王建国")

    # Create: a wrong identity number is refused with a form error, nothing is written; then it succeeds.
    visit(page, axe, f"{live}/people/residents/new/")
    before = Resident.objects.count()
    page.fill("#id_name", "刘德胜")
    page.fill("#id_identity_number", "990102198005170001")  # wrong check digit
    page.select_option("#id_unit", str(world.grid.pk))
    page.click("main button[type=submit]")
    expect(page.locator("#id_identity_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_identity_number_error")).to_be_visible()
    axe(page, context="resident form with an error")
    assert Resident.objects.count() == before
    page.fill("#id_identity_number", identity_number(seq=21))
    page.fill("#id_mobile", "13700003333")
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).to_contain_text("刘德胜")
    axe(page, context="new resident")
    assert Resident.objects.count() == before + 1

    # The forms behind the administration pages.
    liu = Resident.objects.get(name="刘德胜")
    org = Organization.objects.get(name="光明社区志愿者协会")
    for path in (
        f"/people/residents/{liu.pk}/edit/",
        f"/units/{world.community.pk}/new/",
        f"/units/{world.grid.pk}/edit/",
        f"/units/{world.grid.pk}/move/",
        f"/units/{world.grid.pk}/close/",
        "/units/departments/new/",
        f"/units/departments/{world.department.pk}/edit/",
        "/units/organizations/new/",
        f"/units/organizations/{org.pk}/",
        f"/units/organizations/{org.pk}/edit/",
        "/people/households/new/",
        "/audit/verify/",
    ):
        visit(page, axe, live + path)

    # Households, users, the audit log (the create above is in it).
    visit(page, axe, f"{live}/people/households/")
    visit(page, axe, f"{live}/people/users/")
    visit(page, axe, f"{live}/audit/")
    expect(main).to_contain_text("刘德胜")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    assert re.search(r"/audit/\d+/$", page.url)
    axe(page, context="audit event")

    # Account pages.
    visit(page, axe, f"{live}/accounts/profile/")
    visit(page, axe, f"{live}/accounts/password/")
    visit(page, axe, f"{live}/accounts/tokens/")
    page.fill("#id_name", "12345热线对接")
    page.click("main button[type=submit]")
    expect(page.locator("[data-testid=token-secret]")).to_be_visible()
    axe(page, context="token created")
    visit(page, axe, f"{live}/notifications/")

    # English and back.
    visit(page, axe, f"{live}/people/residents/")
    open_menu_if_collapsed(page)
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_english(page)
    axe(page, context="register in English")
    visit(page, axe, f"{live}/desk/")
    visit(page, axe, f"{live}/units/")
    open_menu_if_collapsed(page)
    switch_language(page, "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1")).to_have_text("组织架构")

    # Elderly mode on and off: larger type, still accessible.
    normal = font_size(page)
    assert "elderly" not in html_class(page)
    toggle_elderly(page)
    assert "elderly" in html_class(page)
    assert font_size(page) > normal * 1.2
    axe(page, context="units tree in elderly mode")
    visit(page, axe, f"{live}/people/residents/")
    visit(page, axe, f"{live}/desk/")
    toggle_elderly(page)
    assert "elderly" not in html_class(page)
    assert font_size(page) == normal


def test_a_community_worker_keeps_the_register_and_unmasks_with_an_audit(page, live, login, axe, world, register):
    login(page, "community_worker")
    expect(page.locator("[data-testid=desk-title]")).to_be_visible()
    axe(page, context="community worker desk")

    visit(page, axe, f"{live}/people/residents/")
    main = page.locator("main")
    expect(main).to_contain_text("王建国")
    expect(main).to_contain_text("李桂英")
    expect(main).not_to_contain_text("赵志文")  # the other street's village is outside their community

    wang = register[0]
    visit(page, axe, f"{live}/people/residents/{wang.pk}/")
    expect(main).to_contain_text("139****2222")
    page.click("[data-testid=reveal-identity]")
    expect(page.locator("[data-testid=revealed-identity]")).to_have_text(wang.identity_number)
    axe(page, context="resident with a number revealed")

    visit(page, axe, f"{live}/people/households/")
    visit(page, axe, f"{live}/people/residents/new/")
    visit(page, axe, f"{live}/units/")
    visit(page, axe, f"{live}/units/{world.community.pk}/")
    visit(page, axe, f"{live}/units/departments/")
    visit(page, axe, f"{live}/units/organizations/")
    visit(page, axe, f"{live}/accounts/profile/")
    visit(page, axe, f"{live}/accounts/tokens/")
    visit(page, axe, f"{live}/notifications/")

    # Outside their community: the other township's resident is "not found", not "forbidden".
    response = page.goto(f"{live}/people/residents/{register[2].pk}/")
    assert response is not None and response.status == 404
    axe(page, context="not found page")


def test_a_resident_uses_a_phone(phone, live, login, axe, world):
    login(phone, "resident")
    expect(phone.locator("[data-testid=desk-title]")).to_be_visible()
    axe(phone, context="resident desk on a phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "the desk scrolls sideways"
    expect(phone.locator("main")).to_contain_text("光明社区第1网格")

    visit(phone, axe, f"{live}/accounts/profile/")
    visit(phone, axe, f"{live}/accounts/password/")
    visit(phone, axe, f"{live}/accounts/tokens/")
    visit(phone, axe, f"{live}/notifications/")
    visit(phone, axe, f"{live}/about/")

    # The menu is collapsed on a phone; open it, switch to English, then elderly mode.
    visit(phone, axe, f"{live}/desk/")
    open_menu_if_collapsed(phone)
    axe(phone, context="phone menu open")
    switch_language(phone, "en")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    assert_english(phone)
    axe(phone, context="resident desk in English")
    normal = font_size(phone)
    open_menu_if_collapsed(phone)
    toggle_elderly(phone)
    assert "elderly" in html_class(phone)
    assert font_size(phone) > normal * 1.2
    axe(phone, context="resident desk in elderly mode")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "elderly mode scrolls sideways"
    visit(phone, axe, f"{live}/accounts/profile/")
    open_menu_if_collapsed(phone)
    toggle_elderly(phone)
    assert "elderly" not in html_class(phone)
    open_menu_if_collapsed(phone)
    switch_language(phone, "zh-hans")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans")

    # Staff pages are closed to a resident.
    response = phone.goto(f"{live}/units/")
    assert response is not None and response.status == 403
    axe(phone, context="refused page")


def test_signed_out_pages_pass_axe(page, phone, live, axe, world):
    for p in (page, phone):
        visit(p, axe, f"{live}/")
        visit(p, axe, f"{live}/accounts/login/")
        visit(p, axe, f"{live}/about/")
    visit(page, axe, f"{live}/accounts/login/")
    page.fill("#id_username", "district_admin")
    page.fill("#id_password", "wrong password")
    page.click("[data-testid=login-submit]")
    expect(page.locator("main .alert-danger")).to_be_visible()
    axe(page, context="failed sign-in")
