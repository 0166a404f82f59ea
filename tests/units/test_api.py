from tests.conftest import assert_error


def test_district_admin_creates_a_community_under_a_street(world, district_admin, api):
    response = api(district_admin).post(
        "/units", {"parent_id": world.street.pk, "name": "新华社区", "kind": "community", "code": "990102001009"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] == world.street.pk


def test_a_unit_under_the_wrong_kind_is_refused(world, district_admin, api):
    response = api(district_admin).post(
        "/units", {"parent_id": world.grid.pk, "name": "错误社区", "kind": "community", "code": "990102001009"}
    )
    assert_error(response, 422, "invalid_input", "parent")


def test_an_outsider_cannot_see_a_unit_of_another_street(world, outsider, api):
    assert_error(api(outsider).get(f"/units/{world.community.pk}"), 404, "not_found")


def test_a_community_worker_may_see_but_not_change_their_unit(world, community_worker, api):
    client = api(community_worker)
    assert client.get(f"/units/{world.community.pk}").status_code == 200
    assert_error(client.patch(f"/units/{world.community.pk}", {"name": "改名"}), 403, "forbidden")


def test_unknown_fields_are_refused(world, district_admin, api):
    response = api(district_admin).patch(f"/units/{world.community.pk}", {"name": "X", "colour": "red"})
    assert_error(response, 422, "invalid_input", "colour")


def test_anonymous_gets_401(world, api):
    assert_error(api().get("/units"), 401, "not_authenticated")


def test_the_tree_children_search_and_history_endpoints(world, district_admin, api):
    from gongzhi.units.actions import unit_update

    unit_update(actor=district_admin, unit=world.grid, name="光明一网格")
    client = api(district_admin)
    roots = client.get("/units").json()
    assert [u["name"] for u in roots] == ["示范区"] and roots[0]["parent_id"] == world.city.pk
    children = client.get(f"/units/{world.street.pk}/children").json()
    assert [(c["name"], c["parent_id"], c["has_children"]) for c in children] == [
        ("光明社区", world.street.pk, True),
        ("幸福社区", world.street.pk, False),
    ]
    tree = client.get(f"/units/{world.street.pk}/tree", {"depth": 2}).json()
    assert [c["name"] for c in tree["children"][0]["children"]] == ["光明一网格", "光明社区第2网格"]
    found = client.get("/units", {"q": "9901021002"}).json()
    assert {u["name"] for u in found} == {"东坡村", "东坡村第1网格"}
    assert [u["name"] for u in client.get("/units", {"kind": "village"}).json()] == ["东坡村"]
    history = client.get(f"/units/{world.grid.pk}/history").json()
    assert (history[0]["kind"], history[0]["old_name"], history[0]["actor"]) == (
        "renamed",
        "光明社区第1网格",
        "district_admin",
    )
    detail = client.get(f"/units/{world.grid.pk}").json()
    assert [b["name"] for b in detail["breadcrumbs"]] == ["示范市", "示范区", "和平街道", "光明社区", "光明一网格"]


def test_organizations_carry_their_parent_and_filter(world, district_admin, api):
    from tests.factories import make_organization

    party = make_organization(world.street, "党工委", "party_working_committee")
    branch = make_organization(world.community, "支部", "party_branch", parent=party)
    make_organization(world.community, "物业", "enterprise")
    client = api(district_admin)
    listed = {o["name"]: o for o in client.get("/organizations").json()}
    assert listed["支部"]["parent_id"] == party.pk and listed["党工委"]["parent_id"] is None
    assert client.get(f"/organizations/{branch.pk}").json()["parent_id"] == party.pk
    assert {o["name"] for o in client.get("/organizations", {"party": True}).json()} == {"党工委", "支部"}
    assert {o["name"] for o in client.get("/organizations", {"unit_id": world.community.pk}).json()} == {
        "支部",
        "物业",
    }


def test_departments_filter_by_kind_text_and_unit(world, district_admin, api):
    client = api(district_admin)
    assert [d["name"] for d in client.get("/departments", {"kind": "utility"}).json()] == ["示范供电公司"]
    assert [d["code"] for d in client.get("/departments", {"q": "S-"}).json()] == ["S-CGK"]
    assert [d["name"] for d in client.get("/departments", {"unit_id": world.street.pk}).json()] == [
        "和平街道城市管理科"
    ]
