"""English is complete: every foundation catalogue is fully translated and compiled, and key pages in
English show no Chinese except data (names of people, units, departments and organizations)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import Client

from gongzhi.audit.models import AuditEvent
from gongzhi.notify.models import Notification
from gongzhi.people.models import Household, Resident, User
from gongzhi.units.models import Department, Organization, Unit
from tests.access_targets import build_targets

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / "gongzhi" / "locale"] + [
    ROOT / "gongzhi" / app / "locale" for app in ("units", "people", "audit", "notify", "web", "workdays")
]
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# The language switch names each language in its own script, as language pickers do.
ALLOWED = ("简体中文",)


@pytest.mark.parametrize("locale", CATALOGUES, ids=[str(p.relative_to(ROOT)) for p in CATALOGUES])
def test_every_foundation_string_has_an_english_translation(locale):
    po_path = locale / "en" / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, untranslated
    leftovers = [e.msgid for e in po.translated_entries() if CHINESE.search(e.msgstr)]
    assert not leftovers, leftovers
    # The compiled catalogue is committed and matches the source.
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    assert all(compiled.get((e.msgctxt, e.msgid)) == e.msgstr for e in po.translated_entries())


class _Text(HTMLParser):
    """Collect the visible text and the human-readable attributes of a page."""

    ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "data-confirm")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _data_strings() -> list[str]:
    """Every piece of Chinese data in the database: names, addresses, titles, audit labels."""
    values: set[str] = set()
    values.update(Unit.objects.values_list("name", flat=True))
    for name, short in Department.objects.values_list("name", "short_name"):
        values.update((name, short))
    values.update(Organization.objects.values_list("name", flat=True))
    for name, address in Resident.objects.values_list("name", "address"):
        values.update((name, address))
    values.update(Household.objects.values_list("address", flat=True))
    values.update(User.objects.values_list("display_name", flat=True))
    for title, body in Notification.objects.values_list("title", "body"):
        values.update((title, body))
    for actor, label in AuditEvent.objects.values_list("actor_name", "target_label"):
        values.update((actor, label))
    return sorted((v for v in values if v), key=len, reverse=True)


def _chinese_chrome(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    data = _data_strings()
    found = []
    for part in parser.parts:
        for value in (*data, *ALLOWED):
            part = part.replace(value, "")
        if CHINESE.search(part):
            found.append(part)
    return found


@pytest.fixture
def english(world):
    targets = build_targets(world)
    client = Client()
    client.cookies["django_language"] = "en"
    return client, targets


def _pages(targets) -> list[tuple[str, str]]:
    mine = targets.mine
    return [
        ("community_head", "/desk/"),
        ("community_head", "/people/residents/"),
        ("community_head", f"/people/residents/{mine.resident.pk}/"),
        ("community_head", f"/people/residents/{mine.resident.pk}/edit/"),
        ("community_head", "/people/residents/new/"),
        ("community_head", "/people/households/"),
        ("community_head", f"/people/households/{mine.household.pk}/"),
        ("community_head", "/people/users/"),
        ("community_head", "/audit/"),
        ("community_head", "/notifications/"),
        ("community_head", "/accounts/profile/"),
        ("community_head", "/accounts/password/"),
        ("community_head", "/accounts/tokens/"),
        ("district_admin", "/desk/"),
        ("district_admin", "/units/"),
        ("district_admin", f"/units/{mine.community.pk}/"),
        ("district_admin", f"/units/{mine.community.pk}/new/"),
        ("district_admin", f"/units/{mine.grid.pk}/move/"),
        ("district_admin", f"/units/{mine.building.pk}/close/"),
        ("district_admin", "/units/departments/"),
        ("district_admin", f"/units/departments/{mine.department.pk}/"),
        ("district_admin", "/units/departments/new/"),
        ("district_admin", "/units/organizations/"),
        ("district_admin", f"/units/organizations/{mine.organization.pk}/"),
        ("district_admin", "/units/organizations/new/"),
        ("district_admin", "/audit/verify/"),
        ("grid_worker", "/desk/"),
        ("resident", "/desk/"),
        ("handler", "/desk/"),
        ("dispatcher", "/desk/"),
        ("supervisor", "/desk/"),
        ("representative", "/desk/"),
        ("street_staff", "/desk/"),
        ("sysadmin", "/desk/"),
        ("grid_worker", "/units/999999/"),  # a 404 page
        ("resident", "/units/"),  # a 403 page
        (None, "/"),
        (None, "/about/"),
        (None, "/accounts/login/"),
    ]


def test_key_pages_in_english_show_no_chinese_outside_the_data(english, world):
    client, targets = english
    problems = []
    for username, path in _pages(targets):
        if username:
            client.force_login(world.users[username])
        else:
            client.logout()
            client.cookies["django_language"] = "en"  # logout() forgets every cookie
        response = client.get(path)
        html = response.content.decode()
        assert '<html lang="en"' in html, path
        found = _chinese_chrome(html)
        if found:
            problems.append(f"{username} {path}: {found[:5]}")
    assert not problems, "\n".join(problems)


def test_the_check_notices_chinese_chrome(world, client):
    client.force_login(world.users["community_head"])
    found = _chinese_chrome(client.get("/desk/").content.decode())
    assert "退出登录" in found and "工作台" in " ".join(found)


def test_forms_with_errors_read_in_english(english, world):
    client, targets = english
    client.force_login(world.users["community_head"])
    html = client.post(
        "/people/residents/new/", {"name": "王五", "unit": targets.mine.grid.pk, "identity_number": "123"}
    ).content.decode()
    assert "An identity number has 18 characters." in html
    assert not _chinese_chrome(html)
    client.logout()
    client.cookies["django_language"] = "en"
    html = client.post("/accounts/login/", {"username": "x", "password": "y"}).content.decode()
    assert "Wrong username, mobile number or password." in html


def test_the_api_speaks_english_to_an_english_session(english, world):
    client, targets = english
    client.force_login(world.users["community_head"])
    body = client.get(f"/api/v1/units/{targets.mine.grid.pk}").json()
    assert body["kind_label"] == "Grid"
    error = client.get("/api/v1/units/999999").json()["error"]
    assert error["message"] == "Not found, or you are not allowed to see it."


def test_a_message_reads_the_same_in_every_catalogue():
    """Django merges every app's catalogue into one: a message two apps translate differently would show
    one app's wording in the other's pages. Words that really mean different things carry a context."""
    translations: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in sorted((ROOT / "gongzhi").glob("**/locale/en/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            translations.setdefault((entry.msgctxt, entry.msgid), {})[str(path.relative_to(ROOT))] = entry.msgstr
    differing = {key: found for key, found in translations.items() if len(set(found.values())) > 1}
    assert not differing, differing
