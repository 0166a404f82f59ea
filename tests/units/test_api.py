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
