"""The web pages of the foundation: signing in and out, throttling, language, elderly mode, desks,
admin, security headers, and the Content-Security-Policy rules for templates."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from gongzhi.people import actions
from gongzhi.people.models import User
from gongzhi.people.roles import Role
from tests.factories import PASSWORD, UserFactory, grant

ROOT = Path(__file__).resolve().parents[2]


def _login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


# --- signing in and out -----------------------------------------------------------------------------


def test_sign_in_with_a_username_in_any_case(world, client):
    response = _login(client, "Community_Worker")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").headers["Location"] == "/desk/"
    assert "社区工作者工作台" in client.get("/desk/").content.decode()


def test_sign_in_with_a_mobile_number(world, community_worker, client):
    actions.profile_update(actor=community_worker, mobile="13912340000")
    response = _login(client, "139-1234-0000")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == community_worker.pk


def test_a_wrong_password_is_a_form_error(world, client):
    response = _login(client, "community_worker", "wrong-password")
    assert response.status_code == 400
    assert "用户名/手机号或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_inactive_account_cannot_sign_in(world, community_worker, client):
    User.objects.filter(pk=community_worker.pk).update(is_active=False)
    assert _login(client, "community_worker").status_code == 400


def test_sign_in_returns_to_a_local_next_page_only(world, client):
    response = client.post(
        "/accounts/login/", {"username": "community_worker", "password": PASSWORD, "next": "/people/residents/"}
    )
    assert response["Location"] == "/people/residents/"
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"username": "community_worker", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_signing_in_sets_the_users_language(world, community_worker, client):
    actions.profile_update(actor=community_worker, language="en")
    response = _login(client, "community_worker")
    assert response.cookies["django_language"].value == "en"


def test_sign_out_needs_a_post(world, community_worker, client):
    client.force_login(community_worker)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/desk/").status_code == 302


def test_a_password_change_keeps_the_session_and_replaces_the_password(world, community_worker, client):
    client.force_login(community_worker)
    form = {"old_password": PASSWORD, "new_password": "a-new-long-pass", "new_password2": "a-new-long-pass"}
    assert client.post("/accounts/password/", form).status_code == 302
    assert client.get("/desk/").status_code == 200  # still signed in
    other = Client()
    assert _login(other, "community_worker").status_code == 400
    assert _login(other, "community_worker", "a-new-long-pass").status_code == 302


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"old_password": "wrong", "new_password": "a-new-long-pass", "new_password2": "a-new-long-pass"},
            "old_password",
            "原密码不正确。",
        ),
        (
            {"old_password": PASSWORD, "new_password": "a-new-long-pass", "new_password2": "different-pass"},
            "new_password2",
            "两次输入的新密码不一致。",
        ),
        ({"old_password": PASSWORD, "new_password": "12345678", "new_password2": "12345678"}, "new_password", ""),
    ],
)
def test_a_bad_password_change_is_a_form_error(world, community_worker, client, form, field, message):
    client.force_login(community_worker)
    response = client.post("/accounts/password/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    assert User.objects.get(pk=community_worker.pk).check_password(PASSWORD)


# --- throttling -------------------------------------------------------------------------------------


def _fail(client: Client, login: str, times: int, ip: str = "10.0.0.1") -> list[int]:
    return [_login(client, login, "wrong-password", REMOTE_ADDR=ip).status_code for _ in range(times)]


def test_repeated_failures_lock_the_account_even_with_the_right_password(world, client):
    limit = settings.LOGIN_FAILURE_LIMIT
    assert _fail(client, "community_worker", limit) == [400] * limit
    response = _login(client, "community_worker", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the account is paused, not just the address.
    assert _login(Client(), "community_worker", REMOTE_ADDR="10.9.9.9").status_code == 429
    # Other accounts still sign in.
    assert _login(Client(), "community_head", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_lock_covers_the_account_under_its_mobile_number_too(world, community_worker, client):
    actions.profile_update(actor=community_worker, mobile="13912340000")
    limit = settings.LOGIN_FAILURE_LIMIT
    _fail(client, "13912340000", limit - 1)
    _fail(client, "COMMUNITY_WORKER", 1)
    assert _login(client, "community_worker").status_code == 429


def test_the_lock_ends_after_the_lockout_period(world, client, monkeypatch):
    _fail(client, "community_worker", settings.LOGIN_FAILURE_LIMIT)
    assert _login(client, "community_worker").status_code == 429
    later = time.time() + settings.LOGIN_LOCKOUT_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert _login(client, "community_worker").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(world, client):
    limit = settings.LOGIN_FAILURE_LIMIT
    _fail(client, "community_worker", limit - 1)
    assert _login(client, "community_worker").status_code == 302
    client.post("/accounts/logout/")
    _fail(client, "community_worker", limit - 1)
    assert _login(client, "community_worker").status_code == 302


def test_one_address_trying_many_accounts_is_paused(world, client):
    limit = settings.LOGIN_FAILURE_LIMIT
    for n in range(limit * 4):
        _login(client, f"nobody{n}", "wrong", REMOTE_ADDR="10.0.0.7")
    assert _login(client, "community_worker", REMOTE_ADDR="10.0.0.7").status_code == 429
    assert _login(Client(), "community_worker", REMOTE_ADDR="10.0.0.8").status_code == 302


# --- language and elderly mode -------------------------------------------------------------------------


def test_chinese_is_the_default_whatever_the_browser_asks_for(world, client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html and "登录" in html
    assert response["Content-Language"] == "zh-hans"


def test_the_language_switch_sets_a_cookie_and_the_profile(world, community_worker, client):
    client.force_login(community_worker)
    response = client.post("/language/", {"language": "en", "next": "/people/residents/"})
    assert response["Location"] == "/people/residents/"
    assert response.cookies["django_language"].value == "en"
    assert User.objects.get(pk=community_worker.pk).language == "en"
    html = client.get("/desk/").content.decode()
    assert '<html lang="en"' in html and "Sign out" in html
    client.post("/language/", {"language": "klingon"})
    assert client.cookies["django_language"].value == "en"


def test_a_signed_in_users_saved_language_applies_without_a_cookie(world, community_worker, client):
    actions.profile_update(actor=community_worker, language="en")
    client.force_login(community_worker)
    assert '<html lang="en"' in client.get("/desk/").content.decode()


def test_an_anonymous_visitor_switches_language_with_a_cookie(world, client):
    client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert '<html lang="en"' in client.get("/accounts/login/").content.decode()


def test_elderly_mode_for_a_signed_in_user_is_saved(world, community_worker, client):
    client.force_login(community_worker)
    assert 'class="elderly"' not in client.get("/desk/").content.decode()
    client.post("/elderly/", {"next": "/desk/"})
    assert User.objects.get(pk=community_worker.pk).elderly_mode
    html = client.get("/desk/").content.decode()
    assert 'class="elderly"' in html and 'aria-pressed="true"' in html
    client.post("/elderly/")
    assert 'class="elderly"' not in client.get("/desk/").content.decode()


def test_elderly_mode_for_a_visitor_is_a_cookie(world, client):
    client.post("/elderly/")
    assert 'class="elderly"' in client.get("/").content.decode()
    client.post("/elderly/")
    assert 'class="elderly"' not in client.get("/").content.decode()


# --- desks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "title"),
    [
        ("sysadmin", "系统管理员工作台"),
        ("district_admin", "区级管理员工作台"),
        ("street_staff", "街道工作人员工作台"),
        ("dispatcher", "派单员工作台"),
        ("supervisor", "监督委员工作台"),
        ("handler", "部门承办人工作台"),
        ("community_head", "社区书记/主任工作台"),
        ("community_worker", "社区工作者工作台"),
        ("grid_worker", "网格员工作台"),
        ("representative", "议事代表工作台"),
        ("resident", "居民工作台"),
        ("outsider", "街道工作人员工作台"),
    ],
)
def test_every_roles_desk_renders(world, client, username, title):
    client.force_login(world.users[username])
    response = client.get("/desk/")
    assert response.status_code == 200
    assert title in response.content.decode()
    assert "我的信息" in response.content.decode()


def test_the_reviewer_desk_and_a_user_without_grants_render(world, client):
    reviewer = UserFactory(username="reviewer")
    grant(reviewer, Role.REVIEWER, world.district)
    client.force_login(reviewer)
    assert "审核人工作台" in client.get("/desk/").content.decode()
    client.force_login(UserFactory(username="nobody"))
    assert "居民工作台" in client.get("/desk/").content.decode()


def test_a_person_with_several_roles_switches_desks(world, community_head, client):
    grant(community_head, Role.REPRESENTATIVE, world.community)
    client.force_login(community_head)
    html = client.get("/desk/").content.decode()
    assert "社区书记/主任工作台" in html and "?role=representative" in html
    assert "议事代表工作台" in client.get("/desk/?role=representative").content.decode()
    assert "社区书记/主任工作台" in client.get("/desk/?role=district_admin").content.decode()


def test_the_register_panel_counts_residents_in_reach(world, community_worker, client):
    client.force_login(community_worker)
    html = client.get("/desk/").content.decode()
    assert '<div class="stat-value">1</div>' in html  # the one resident of the grid


# --- units, departments and organizations pages ---------------------------------------------------------


def test_the_units_tree_expands_with_htmx(world, street_staff, client):
    client.force_login(street_staff)
    html = client.get("/units/").content.decode()
    assert "和平街道" in html and f'hx-get="/units/{world.street.pk}/children/"' in html
    fragment = client.get(f"/units/{world.street.pk}/children/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "光明社区" in fragment and "幸福社区" in fragment
    assert "青山镇" not in fragment


def test_the_units_tree_searches_by_name_and_code(world, district_admin, client):
    client.force_login(district_admin)
    assert "光明社区第1网格" in client.get("/units/", {"q": "99010200100101"}).content.decode()
    assert "东坡村" in client.get("/units/", {"q": "东坡"}).content.decode()


def test_a_unit_page_shows_its_history_and_actions(world, district_admin, client):
    from gongzhi.units.actions import unit_update

    unit_update(actor=district_admin, unit=world.community, name="光明新社区")
    client.force_login(district_admin)
    html = client.get(f"/units/{world.community.pk}/").content.decode()
    assert "光明社区 → 光明新社区" in html and f"/units/{world.community.pk}/move/" in html


def test_unit_forms_create_and_show_errors(world, district_admin, client):
    client.force_login(district_admin)
    bad = client.post(f"/units/{world.street.pk}/new/", {"name": "新社区", "kind": "community", "code": "123"})
    assert bad.status_code == 400 and "12位数字" in bad.content.decode()
    good = client.post(
        f"/units/{world.street.pk}/new/", {"name": "新社区", "kind": "community", "code": "990102001077"}
    )
    assert good.status_code == 302
    moved = client.post(f"/units/{world.other_grid.pk}/move/", {"new_parent": world.street.pk})
    assert moved.status_code == 400


def test_department_and_organization_lists_filter(world, district_admin, client):
    from gongzhi.units.actions import organization_create
    from gongzhi.units.models import OrganizationKind

    organization_create(
        actor=district_admin, unit=world.street, name="街道党工委", kind=OrganizationKind.PARTY_WORKING_COMMITTEE
    )
    organization_create(actor=district_admin, unit=world.street, name="物业公司", kind=OrganizationKind.ENTERPRISE)
    client.force_login(district_admin)
    html = client.get("/units/departments/", {"kind": "utility"}).content.decode()
    assert "示范供电公司" in html and "区城市管理委员会" not in html
    html = client.get("/units/organizations/", {"party": "1"}).content.decode()
    assert "街道党工委" in html and "物业公司" not in html
    assert (
        client.post(
            "/units/departments/new/", {"name": "x", "kind": "police", "code": "D-CGW", "unit": world.street.pk}
        ).status_code
        == 400
    )


# --- admin --------------------------------------------------------------------------------------------


def test_django_admin_is_for_system_admins_only(world, client, sysadmin, district_admin):
    User.objects.filter(pk=sysadmin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=sysadmin.pk))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/people/resident/").status_code == 200
    assert "系统后台" in client.get("/desk/").content.decode()
    for user in (district_admin, world.users["street_staff"]):
        other = Client()
        other.force_login(user)
        assert other.get("/admin/").status_code == 302
        assert "系统后台" not in other.get("/desk/").content.decode()
    # The staff flag alone is not enough.
    User.objects.filter(pk=district_admin.pk).update(is_staff=True)
    staff = Client()
    staff.force_login(User.objects.get(pk=district_admin.pk))
    assert staff.get("/admin/").status_code == 302


def test_the_admin_never_shows_encrypted_numbers_in_clear(world, client, sysadmin):
    from gongzhi.people.models import Resident

    User.objects.filter(pk=sysadmin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=sysadmin.pk))
    resident = Resident.objects.get(user=world.users["resident"])
    html = client.get(f"/admin/people/resident/{resident.pk}/change/").content.decode()
    assert "13800001111" not in html and resident.identity_number not in html


# --- headers and the Content-Security-Policy ---------------------------------------------------------------


def _csp_is_strict(value: str) -> None:
    directives = dict(part.strip().split(" ", 1) for part in value.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in value and "unsafe-eval" not in value and "*" not in value


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/desk/",
        "/people/residents/",
        "/units/",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/no-such-page/",
        "/static/gongzhi/css/app.css",
        "/healthz",
        "/admin/login/",
        "/people/residents/999999/",
    ],
)
def test_every_response_carries_a_strict_csp_and_security_headers(world, community_worker, client, path):
    client.force_login(community_worker)
    response = client.get(path)
    _csp_is_strict(response["Content-Security-Policy"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_anonymous_redirects_and_errors_carry_the_csp_too(world, client):
    for response in (client.get("/desk/"), client.post("/language/"), client.get("/api/v1/me")):
        _csp_is_strict(response["Content-Security-Policy"])


TEMPLATES = sorted((ROOT / "gongzhi").glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(ld\+)?json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
HTMX_INLINE = re.compile(r"\shx-on[:\-]|\bjs:|\bjavascript:", re.I)


def test_the_template_scan_finds_templates():
    assert len(TEMPLATES) > 30
    assert any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(p.relative_to(ROOT)) for p in TEMPLATES])
def test_no_template_has_inline_scripts_handlers_or_styles(template):
    source = template.read_text(encoding="utf-8")
    problems = []
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("on* event handler", HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("inline htmx/javascript code", HTMX_INLINE),
    ):
        for match in pattern.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            problems.append(f"{name} at line {line}: {match.group(0)!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<div onclick="x()">',
        '<p style="color:red">',
        "<style>p{}</style>",
        '<button hx-on:click="x()">',
        '<a href="javascript:x()">',
    ],
)
def test_the_template_scan_catches_each_pattern(snippet):
    patterns = (INLINE_SCRIPT, HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, HTMX_INLINE)
    assert any(p.search(snippet) for p in patterns)
    assert not any(p.search('<script src="/static/x.js"></script> <div hx-get="/x" data-on="1">') for p in patterns)
