"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Fixtures: ``browser`` (one Chromium per session), ``page`` (desktop 1280×800) and ``phone`` (375×740,
touch), ``live`` (the server's base URL), ``login(page, username)``, ``axe(page)`` which runs axe-core
(WCAG 2.1 A/AA) on the current page and fails on any violation, and ``csp_errors`` collection: every
page fails its test if the browser reports a Content-Security-Policy violation.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason="Chromium is not installed (apt install chromium); .ci/run installs it")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # One worker runs all browser tests (they share a Chromium and a live server).
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def live(live_server, transactional_db) -> str:
    return live_server.url


class BrowserErrors(list):
    pass


def _new_page(browser, **context_args):
    # Reduced motion turns off Bootstrap's colour transitions, so axe never measures a colour mid-fade.
    context = browser.new_context(locale="zh-CN", reduced_motion="reduce", **context_args)
    page = context.new_page()
    errors = BrowserErrors()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15000)
    return context, page, errors


@pytest.fixture
def page(browser, live):
    context, page, errors = _new_page(browser, viewport={"width": 1280, "height": 800})
    page.browser_errors = errors
    yield page
    context.close()
    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"CSP violations: {csp}"


@pytest.fixture
def phone(browser, live):
    context, page, errors = _new_page(
        browser, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page.browser_errors = errors
    yield page
    context.close()
    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"CSP violations: {csp}"


@pytest.fixture
def login(live):
    def do(page, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("[data-testid=login-submit]")
        page.wait_for_load_state("networkidle")

    return do


@pytest.fixture
def axe():
    """Return a checker: axe(page) runs axe-core on the page and fails on any WCAG 2.1 A/AA violation."""
    source = AXE.read_text(encoding="utf-8")

    def check(page, *, context: str = "") -> None:
        # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not block it.
        page.evaluate(source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]
        ]
        assert not violations, f"axe violations on {context or page.url}:\n" + "\n".join(violations)

    return check
