"""Every foundation page × every role of the cast × mine/theirs: 404 outside scope, 403 too small a role,
200 (or a redirect after a successful POST) when allowed; anonymous visitors are sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.access_targets import ROLES, Side, Targets, build_targets, everyone, expect, mismatches, only

SYS, DA, SS, DISP, SUP, HND, CH, CW, GW, REP, RES, OUT = ROLES
ALL_STAFF_AND_REPS = {SYS, DA, SS, DISP, SUP, HND, CH, CW, GW, REP}
REGISTER_KEEPERS_HERE = {SYS, DA, SS, CH, CW, GW}
ADMINS = {SYS, DA}
GRANTERS = {SYS, DA, SS, CH, OUT}


@dataclass
class Page:
    name: str
    path: Callable[[Targets, Side], str]
    mine: dict[str, int]
    theirs: dict[str, int] | None = None
    post: Callable[[Targets, Side], dict[str, Any]] | None = None
    htmx: bool = False


PAGES = [
    # --- web ------------------------------------------------------------------------------------
    Page("desk", lambda t, s: "/desk/", everyone(200)),
    Page("profile", lambda t, s: "/accounts/profile/", everyone(200)),
    Page("password", lambda t, s: "/accounts/password/", everyone(200)),
    Page("tokens", lambda t, s: "/accounts/tokens/", everyone(200)),
    Page("token create", lambda t, s: "/accounts/tokens/", everyone(200), post=lambda t, s: {"name": "对接"}),
    Page(
        "someone else's token",
        lambda t, s: f"/accounts/tokens/{t.stranger_token_id}/revoke/",
        everyone(404),
        post=lambda t, s: {},
    ),
    Page("notifications", lambda t, s: "/notifications/", everyone(200)),
    Page("notifications read all", lambda t, s: "/notifications/read-all/", everyone(302), post=lambda t, s: {}),
    Page(
        "someone else's notification",
        lambda t, s: f"/notifications/{t.stranger_note_id}/open/",
        everyone(404),
        post=lambda t, s: {},
    ),
    # --- units ----------------------------------------------------------------------------------
    Page("units tree", lambda t, s: "/units/", only(ALL_STAFF_AND_REPS | {OUT})),
    Page("unit detail", lambda t, s: f"/units/{s.grid.pk}/", expect(ALL_STAFF_AND_REPS), expect({SYS, DA, HND, OUT})),
    Page(
        "unit children",
        lambda t, s: f"/units/{s.community.pk}/children/",
        expect(ALL_STAFF_AND_REPS - {GW}),
        expect({SYS, DA, HND, OUT}),
        htmx=True,
    ),
    Page(
        "unit new",
        lambda t, s: f"/units/{s.grid.pk}/new/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
    ),
    Page(
        "unit edit",
        lambda t, s: f"/units/{s.grid.pk}/edit/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
    ),
    Page(
        "unit move",
        lambda t, s: f"/units/{s.building.pk}/move/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
    ),
    Page(
        "unit close",
        lambda t, s: f"/units/{s.building.pk}/close/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS),
        expect(ADMINS, {HND, OUT}),
    ),
    Page(
        "unit close (post)",
        lambda t, s: f"/units/{s.building.pk}/close/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS, status=302),
        expect(ADMINS, {HND, OUT}, status=302),
        post=lambda t, s: {"reason": "拆除"},
    ),
    Page(
        "unit reopen",
        lambda t, s: f"/units/{s.closed_building.pk}/reopen/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS, status=302),
        expect(ADMINS, {HND, OUT}, status=302),
        post=lambda t, s: {},
    ),
    Page("departments", lambda t, s: "/units/departments/", only(ALL_STAFF_AND_REPS | {OUT})),
    Page(
        "department detail",
        lambda t, s: f"/units/departments/{s.department.pk}/",
        expect(ALL_STAFF_AND_REPS - {GW, HND}),
        expect({SYS, DA, OUT}),
    ),
    Page("department new", lambda t, s: "/units/departments/new/", only(ADMINS)),
    Page(
        "department edit",
        lambda t, s: f"/units/departments/{s.department.pk}/edit/",
        expect(ADMINS, ALL_STAFF_AND_REPS - ADMINS - {GW, HND}),
        expect(ADMINS, {OUT}),
    ),
    Page("organizations", lambda t, s: "/units/organizations/", only(ALL_STAFF_AND_REPS | {OUT})),
    Page(
        "organization detail",
        lambda t, s: f"/units/organizations/{s.organization.pk}/",
        expect(ALL_STAFF_AND_REPS - {GW}),
        expect({SYS, DA, HND, OUT}),
    ),
    Page("organization new", lambda t, s: "/units/organizations/new/", only({SYS, DA, SS, CH, OUT})),
    Page(
        "organization edit",
        lambda t, s: f"/units/organizations/{s.organization.pk}/edit/",
        expect({SYS, DA, SS, CH}, {DISP, SUP, HND, CW, REP}),
        expect({SYS, DA, OUT}, {HND}),
    ),
    # --- register -------------------------------------------------------------------------------
    Page("residents", lambda t, s: "/people/residents/", everyone(200)),
    Page("residents export", lambda t, s: "/people/residents/export.xlsx", only({SYS, DA, SS, CH, CW, OUT})),
    Page("resident new", lambda t, s: "/people/residents/new/", only(REGISTER_KEEPERS_HERE | {OUT})),
    Page(
        "resident detail",
        lambda t, s: f"/people/residents/{s.resident.pk}/",
        expect(REGISTER_KEEPERS_HERE | {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Page(
        "resident edit",
        lambda t, s: f"/people/residents/{s.resident.pk}/edit/",
        expect(REGISTER_KEEPERS_HERE, {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Page(
        "resident reveal",
        lambda t, s: f"/people/residents/{s.resident.pk}/reveal/",
        expect({SYS, DA, CH, CW}, {SS, SUP, GW}),
        expect({SYS, DA}, {OUT}),
        post=lambda t, s: {"field": "mobile"},
        htmx=True,
    ),
    Page(
        "resident move out",
        lambda t, s: f"/people/residents/{s.resident.pk}/move-out/",
        expect(REGISTER_KEEPERS_HERE, {SUP}, status=302),
        expect({SYS, DA, OUT}, status=302),
        post=lambda t, s: {},
    ),
    Page("households", lambda t, s: "/people/households/", everyone(200)),
    Page("household new", lambda t, s: "/people/households/new/", only(REGISTER_KEEPERS_HERE | {OUT})),
    Page(
        "household detail",
        lambda t, s: f"/people/households/{s.household.pk}/",
        expect(REGISTER_KEEPERS_HERE | {SUP}),
        expect({SYS, DA, OUT}),
    ),
    Page("users and grants", lambda t, s: "/people/users/", only(GRANTERS | {CW})),
    Page(
        "user create",
        lambda t, s: "/people/users/new/",
        only(GRANTERS, status=302),
        post=lambda t, s: {"username": "newbie", "password": "long-enough-pass"},
    ),
    Page(
        "grant create",
        lambda t, s: "/people/grants/new/",
        # The form offers only units the granter controls: another unit is a form error (400), not a 404.
        {**only({SYS, DA, SS, CH}, status=302), OUT: 400},
        {**only({SYS, DA, OUT}, status=302), SS: 400, CH: 400},
        post=lambda t, s: {"user": s.user.username, "role": "representative", "unit": s.grid.pk},
    ),
    Page(
        "grant revoke",
        lambda t, s: f"/people/grants/{s.grant.pk}/revoke/",
        expect({SYS, DA, SS, CH}, {CW}, status=302),
        expect({SYS, DA, OUT}, status=302),
        post=lambda t, s: {},
    ),
    # --- audit ----------------------------------------------------------------------------------
    Page("audit events", lambda t, s: "/audit/", only({SYS, DA, SS, SUP, CH, OUT})),
    Page("audit event", lambda t, s: f"/audit/{s.event_id}/", expect({SYS, DA, SS, SUP, CH}), expect({SYS, DA, OUT})),
    Page("audit verify", lambda t, s: "/audit/verify/", only(ADMINS)),
    Page("audit verify (post)", lambda t, s: "/audit/verify/", only(ADMINS), post=lambda t, s: {}),
]

PARAMS = [
    pytest.param(page, side, id=f"{page.name} ({side})")
    for page in PAGES
    for side in (("mine", "theirs") if page.theirs is not None else ("mine",))
]


def _visit(client: Client, page: Page, targets: Targets, side: Side):
    path = page.path(targets, side)
    headers = {"HX-Request": "true"} if page.htmx else {}
    if page.post is not None:
        return client.post(path, page.post(targets, side), headers=headers)
    return client.get(path, headers=headers)


@pytest.mark.parametrize(("page", "side_name"), PARAMS)
def test_every_role_gets_the_page_the_policy_gives_it(world, page, side_name):
    targets = build_targets(world)
    side = targets.side(side_name)
    expected = page.mine if side_name == "mine" else page.theirs
    actual: dict[str, int] = {}
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            client.force_login(world.users[role])
            response = _visit(client, page, targets, side)
            actual[role] = response.status_code
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"], (role, response["Location"])
            transaction.set_rollback(True)
    problems = mismatches(expected, actual)
    assert not problems, f"{page.name} ({side_name}):\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(world, page):
    targets = build_targets(world)
    response = _visit(Client(), page, targets, targets.mine)
    assert response.status_code == 302, (page.name, response.status_code)
    assert response["Location"].startswith("/accounts/login/?next=")


# Pages anyone may open signed out, tested in test_pages.py.
PUBLIC = {"web:home", "web:about", "web:login", "web:logout", "web:set_language", "web:toggle_elderly", "web:healthz"}


def test_the_matrix_covers_every_foundation_page(world):
    from django.urls import get_resolver, resolve

    names = set()
    for namespace in ("web", "units", "people", "audit"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    targets = build_targets(world)
    covered = {resolve(page.path(targets, targets.mine).split("?")[0]).view_name for page in PAGES}
    assert names - covered - PUBLIC == set(), "pages missing from the access matrix"
