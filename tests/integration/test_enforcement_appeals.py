"""An enforcement case registered from an appeal links the appeal; both pages show the link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals.actions import appeal_dispatch
from gongzhi.services import actions
from gongzhi.services.models import EnforcementCase
from tests.conftest import assert_error
from tests.integration.conftest import submit

pytestmark = pytest.mark.django_db


def case_body(svc, world, number):
    return {
        "unit_id": world.street.pk,
        "team_id": svc.departments["zfd"].pk,
        "source": "appeal",
        "appeal_number": number,
        "law_area": "城乡规划",
        "summary": "楼顶违法搭建彩钢房。",
        "location": "光明路3号",
        "party_name": "某住户",
    }


@pytest.fixture
def appeal(svc, world, resident, street_staff):
    appeal = submit(world, resident, code="UC04", text="5号楼顶私自加盖房屋。")
    appeal_dispatch(actor=street_staff, appeal=appeal, department=svc.departments["zfd"])
    return appeal


@pytest.mark.parametrize("case", ["unknown", "out_of_reach"])
def test_an_unknown_or_out_of_reach_appeal_number_is_refused_and_nothing_written(
    case, svc, world, resident, api, street_staff
):
    far = submit(world, resident, code="UC04", text="村里违建。", unit=world.outside_grid)
    number = {"unknown": "2026-999999", "out_of_reach": far.number}[case]
    assert_error(api(street_staff).post("/services/cases", case_body(svc, world, number)), 422, field="appeal_number")
    assert not EnforcementCase.objects.exists()


def test_a_case_from_an_appeal_links_it_and_both_pages_show_the_link(svc, world, appeal, api, client, street_staff):
    response = api(svc.enforcer).post("/services/cases", case_body(svc, world, appeal.number))
    assert response.status_code == 201, response.content
    case = EnforcementCase.objects.get(pk=response.json()["id"])
    assert case.appeal == appeal and case.appeal_number == appeal.number
    client.force_login(svc.enforcer)
    page = client.get(f"/services/enforcement/{case.pk}/").content.decode()
    assert 'data-testid="case-appeal"' in page and f"/appeals/{appeal.number}/" in page
    appeal_page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="appeal-cases"' in appeal_page and case.number in appeal_page
    assert 'data-testid="register-case"' in appeal_page


def test_the_register_button_fills_the_case_form_from_the_appeal(svc, world, appeal, client):
    client.force_login(svc.enforcer)
    page = client.get(f"/services/enforcement/?appeal={appeal.number}").content.decode()
    assert f'value="{appeal.number}"' in page
    assert "5号楼顶私自加盖房屋" in page


def test_staff_who_may_not_see_cases_get_no_case_panel(svc, world, appeal, client, community_worker):
    actions.case_register(
        actor=svc.enforcer,
        unit=world.street,
        team=svc.departments["zfd"],
        **{k: v for k, v in case_body(svc, world, appeal.number).items() if k not in ("unit_id", "team_id")},
    )
    client.force_login(community_worker)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="appeal-cases"' not in page


def test_the_appeal_page_does_not_query_per_case(svc, world, appeal, client, resident, street_staff):
    other = submit(world, resident, code="UC04", text="一楼住户搭建彩钢棚。")
    appeal_dispatch(actor=street_staff, appeal=other, department=svc.departments["zfd"])
    fields = {k: v for k, v in case_body(svc, world, "").items() if k not in ("unit_id", "team_id", "appeal_number")}
    for _ in range(3):
        actions.case_register(
            actor=svc.enforcer, unit=world.street, team=svc.departments["zfd"], **fields, appeal_number=appeal.number
        )
    actions.case_register(
        actor=svc.enforcer, unit=world.street, team=svc.departments["zfd"], **fields, appeal_number=other.number
    )
    client.force_login(street_staff)

    def count(number):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/appeals/{number}/").status_code == 200
        return len(queries)

    count(other.number)
    assert count(appeal.number) == count(other.number)
