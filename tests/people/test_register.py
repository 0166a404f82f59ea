"""The resident register in pages and the API: filters, keyset pages, detail, create and edit, the
masked Excel export, and full numbers only for allowed roles, each view audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.audit.models import AuditEvent
from gongzhi.people.models import Household, Resident, ResidentTagKind
from tests.factories import identity_number, make_resident

TODAY = timezone.localdate()


def _years_ago(years: int) -> dt.date:
    return TODAY.replace(year=TODAY.year - years) - dt.timedelta(days=1)


@pytest.fixture
def register(world):
    household = Household.objects.create(number="H-001", unit=world.grid, address="光明路1号")
    people = {
        "王大爷": make_resident(
            world.grid,
            "王大爷",
            identity=identity_number(_years_ago(80), 11),
            mobile="13500000001",
            tags=[ResidentTagKind.ELDERLY, ResidentTagKind.ELDERLY_ALONE],
            birth_date=_years_ago(80),
            household=household,
        ),
        "李阿姨": make_resident(
            world.grid,
            "李阿姨",
            mobile="13500000002",
            birth_date=_years_ago(65),
            gender="F",
            tags=[ResidentTagKind.ELDERLY],
        ),
        "小张": make_resident(world.other_grid, "小张", birth_date=_years_ago(8)),
        "王先生": make_resident(
            world.other_grid, "王先生", birth_date=_years_ago(40), tags=[ResidentTagKind.DISABILITY]
        ),
        "外村人": make_resident(world.outside_grid, "外村人", birth_date=_years_ago(50)),
    }
    gone = make_resident(world.grid, "已迁出", birth_date=_years_ago(30))
    Resident.objects.filter(pk=gone.pk).update(moved_out_on=TODAY)
    return people


def _names(client, **params) -> set[str]:
    return {r["name"] for r in client.get("/residents", params).json()["items"]}


def test_the_api_list_filters(world, register, community_worker, api):
    client = api(community_worker)
    assert _names(client) == {"王大爷", "李阿姨", "小张", "王先生", "张秀英"}
    assert _names(client, name="王") == {"王大爷", "王先生"}
    assert _names(client, tag="elderly_alone") == {"王大爷"}
    assert _names(client, gender="F") == {"李阿姨", "张秀英"}
    assert _names(client, age_min=60) == {"王大爷", "李阿姨", "张秀英"}
    assert _names(client, age_max=10) == {"小张"}
    assert _names(client, age_min=30, age_max=70) == {"李阿姨", "王先生"}
    assert _names(client, unit_id=world.other_grid.pk) == {"小张", "王先生"}
    assert _names(client, household_id=register["王大爷"].household_id) == {"王大爷"}
    assert _names(client, mobile="13500000002") == {"李阿姨"}
    assert _names(client, identity_number=register["王大爷"].identity_number) == {"王大爷"}
    assert "已迁出" in _names(client, include_moved_out=True)
    assert "外村人" not in _names(client, name="外村")


def test_the_api_pages_with_cursors(world, register, community_worker, api):
    client = api(community_worker)
    first = client.get("/residents", {"limit": 2}).json()
    second = client.get("/residents", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get("/residents", {"limit": 2, "cursor": second["next_cursor"]}).json()
    ids = [r["id"] for page in (first, second, third) for r in page["items"]]
    assert len(ids) == len(set(ids)) == 5 and third["next_cursor"] is None


def test_the_api_shows_numbers_masked(world, register, community_head, api):
    body = api(community_head).get(f"/residents/{register['王大爷'].pk}").json()
    number = register["王大爷"].identity_number
    assert body["identity_number"] == number[:3] + "*" * 11 + number[-4:]
    assert body["mobile"] == "135****0001"
    assert body["tags"] == ["elderly", "elderly_alone"] or set(body["tags"]) == {"elderly", "elderly_alone"}
    listing = api(community_head).get("/residents").content.decode()
    assert number not in listing and "13500000001" not in listing


def test_the_household_api_lists_its_members(world, register, community_head, api):
    household = register["王大爷"].household
    body = api(community_head).get(f"/households/{household.pk}").json()
    assert body["number"] == "H-001" and body["unit_name"] == "光明社区第1网格"
    assert [m["name"] for m in body["members"]] == ["王大爷"]
    assert body["members"][0]["mobile"] == "135****0001"


def test_the_register_page_filters_and_masks(world, register, community_worker, client):
    client.force_login(community_worker)
    html = client.get("/people/residents/", {"tag": "elderly"}).content.decode()
    assert "王大爷" in html and "李阿姨" in html and "小张" not in html
    assert "135****0001" in html and "13500000001" not in html
    assert register["王大爷"].identity_number not in html
    html = client.get("/people/residents/", {"age_max": "10"}).content.decode()
    assert "小张" in html and "王大爷" not in html
    assert client.get("/people/residents/", {"age_min": "old"}).status_code == 422


def test_the_register_page_has_keyset_pages(world, community_worker, client):
    for n in range(55):
        make_resident(world.grid, f"居民{n:02d}")
    client.force_login(community_worker)
    html = client.get("/people/residents/").content.decode()
    assert html.count("/people/residents/") >= 50 and 'data-testid="next-page"' in html
    cursor = html.split('href="?cursor=')[1].split('"')[0]
    second = client.get(f"/people/residents/?cursor={cursor}").content.decode()
    assert "回到第一页" in second and 'data-testid="next-page"' not in second
    assert "居民54" in second and "居民00" not in second


def test_the_detail_page_masks_and_offers_unmasking_to_allowed_roles_only(world, register, client):
    resident = register["王大爷"]
    client.force_login(world.users["community_worker"])
    html = client.get(f"/people/residents/{resident.pk}/").content.decode()
    assert "135****0001" in html and "13500000001" not in html and 'data-testid="reveal-identity"' in html
    client.force_login(world.users["grid_worker"])
    html = client.get(f"/people/residents/{resident.pk}/").content.decode()
    assert "135****0001" in html and 'data-testid="reveal-identity"' not in html


def test_unmasking_on_the_page_shows_the_number_and_is_audited(world, register, community_worker, client):
    resident = register["王大爷"]
    client.force_login(community_worker)
    before = AuditEvent.objects.count()
    response = client.post(f"/people/residents/{resident.pk}/reveal/", {"field": "identity"}, HTTP_HX_REQUEST="true")
    assert resident.identity_number in response.content.decode()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.changes, event.unit_id) == (
        "people.resident_reveal",
        community_worker,
        {"field": "identity"},
        world.grid.pk,
    )
    assert resident.identity_number not in str(event.changes)
    # The detail page keeps showing the masked number afterwards.
    html = client.get(f"/people/residents/{resident.pk}/").content.decode()
    assert resident.identity_number not in html
    bad = client.post(f"/people/residents/{resident.pk}/reveal/", {"field": "notes"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and AuditEvent.objects.count() == before + 1


def test_a_refused_unmasking_writes_nothing(world, register, grid_worker, client):
    client.force_login(grid_worker)
    before = AuditEvent.objects.count()
    response = client.post(f"/people/residents/{register['王大爷'].pk}/reveal/", {"field": "mobile"})
    assert response.status_code == 403 and "13500000001" not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_the_excel_export_is_masked_filtered_and_audited(world, register, community_head, client):
    client.force_login(community_head)
    number = register["王大爷"].identity_number
    response = client.get("/people/residents/export.xlsx", {"tag": "elderly", "identity_number": number})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["姓名", "性别", "出生日期", "身份证号码", "手机号码"]
    assert [r[0] for r in rows[1:]] == ["王大爷"]
    assert rows[1][3] == number[:3] + "*" * 11 + number[-4:] and rows[1][4] == "135****0001"
    everything = " ".join(str(v) for row in rows for v in row)
    assert number not in everything and "13500000001" not in everything
    event = AuditEvent.objects.latest("seq")
    assert event.action == "people.resident_export"
    assert event.changes["filters"]["identity_number"] == number[:3] + "*" * 11 + number[-4:]


def test_the_export_covers_only_the_actors_reach(world, register, community_head, client):
    client.force_login(community_head)
    sheet = load_workbook(io.BytesIO(client.get("/people/residents/export.xlsx").content)).worksheets[0]
    names = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert names == {"王大爷", "李阿姨", "小张", "王先生", "张秀英"}


def test_registering_a_resident_through_the_form(world, community_worker, client):
    client.force_login(community_worker)
    household = Household.objects.create(number="H-009", unit=world.grid, address="光明路9号")
    number = identity_number(dt.date(1975, 5, 5), 77, male=False)
    response = client.post(
        "/people/residents/new/",
        {
            "name": "赵女士",
            "identity_number": number,
            "mobile": "+86 137 0000 0009",
            "unit": world.grid.pk,
            "household": household.pk,
            "relation": "head",
            "tags": ["party_member", "volunteer"],
            "address": "光明路9号",
        },
    )
    resident = Resident.objects.get(name="赵女士")
    assert response["Location"] == f"/people/residents/{resident.pk}/"
    assert (resident.birth_date, resident.gender, resident.mobile) == (dt.date(1975, 5, 5), "F", "13700000009")
    assert set(resident.tag_list) == {"party_member", "volunteer"} and resident.household == household
    html = client.get(response["Location"]).content.decode()
    assert "137****0009" in html and "赵女士" in html


def test_editing_a_resident_keeps_numbers_unless_replaced(world, register, community_worker, client):
    resident = register["王大爷"]
    client.force_login(community_worker)
    page = client.get(f"/people/residents/{resident.pk}/edit/").content.decode()
    assert "135****0001" in page and "13500000001" not in page
    form = {"name": "王老爷子", "unit": world.grid.pk, "tags": ["elderly"], "identity_number": "", "mobile": ""}
    assert client.post(f"/people/residents/{resident.pk}/edit/", form).status_code == 302
    resident.refresh_from_db()
    assert resident.name == "王老爷子" and resident.mobile == "13500000001" and resident.tag_list == ["elderly"]
    bad = client.post(f"/people/residents/{resident.pk}/edit/", {**form, "mobile": "123"})
    assert bad.status_code == 400 and "手机号码应为以1开头的11位数字。" in bad.content.decode()


def test_moving_a_resident_out_keeps_the_record(world, register, community_worker, client):
    resident = register["李阿姨"]
    client.force_login(community_worker)
    client.post(f"/people/residents/{resident.pk}/move-out/")
    resident.refresh_from_db()
    assert resident.moved_out_on == TODAY
    assert "李阿姨" not in client.get("/people/residents/").content.decode()
    assert "李阿姨" in client.get("/people/residents/", {"include_moved_out": "on"}).content.decode()
    assert client.post(f"/people/residents/{resident.pk}/move-out/").status_code == 422


def test_household_pages(world, register, community_worker, client):
    client.force_login(community_worker)
    assert "H-001" in client.get("/people/households/", {"q": "H-0"}).content.decode()
    response = client.post("/people/households/new/", {"number": "H-002", "unit": world.grid.pk, "address": "x路"})
    assert response.status_code == 302
    duplicate = client.post("/people/households/new/", {"number": "H-002", "unit": world.grid.pk, "address": "x路"})
    assert duplicate.status_code == 400 and "已存在" in duplicate.content.decode()
    household = Household.objects.get(number="H-001")
    assert "王大爷" in client.get(f"/people/households/{household.pk}/").content.decode()


def test_accounts_and_grants_pages(world, community_head, client):
    client.force_login(community_head)
    html = client.get("/people/users/").content.decode()
    assert "grid_worker" in html and "outsider" not in html
    response = client.post(
        "/people/users/new/", {"username": "new.worker", "password": "long-enough-pass", "mobile": "13600000077"}
    )
    assert response.status_code == 302
    response = client.post("/people/grants/new/", {"user": "new.worker", "role": "grid_worker", "unit": world.grid.pk})
    assert response.status_code == 302
    assert "new.worker" in client.get("/people/users/").content.decode()
    above = client.post("/people/grants/new/", {"user": "new.worker", "role": "street_staff", "unit": world.grid.pk})
    assert above.status_code == 403
    unknown = client.post("/people/grants/new/", {"user": "nobody", "role": "grid_worker", "unit": world.grid.pk})
    assert unknown.status_code == 400 and "找不到该用户名" in unknown.content.decode()


def test_the_export_reads_in_chunks_with_tags_intact(world, register, community_head, client, monkeypatch):
    from gongzhi.people import views

    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    client.force_login(community_head)
    sheet = load_workbook(io.BytesIO(client.get("/people/residents/export.xlsx").content)).worksheets[0]
    tags = {row[0].value: row[9].value for row in sheet.iter_rows(min_row=2)}
    assert tags["王大爷"] == "独居老人、老年人" or set(tags["王大爷"].split("、")) == {"独居老人", "老年人"}
    assert tags["王先生"] == "残疾人" and len(tags) == 5
