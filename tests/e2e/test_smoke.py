def test_the_home_page_passes_axe(page, live, axe, world):
    page.goto(live + "/")
    assert page.title()
    axe(page)


def test_a_worker_signs_in_and_reaches_the_desk(page, live, login, axe, world):
    login(page, "community_worker")
    assert page.locator("[data-testid=desk-title]").is_visible()
    axe(page)
