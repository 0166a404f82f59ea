"""Case 12 (凯里 村社宜站): one village point runs six modules; parcel, finance and produce logs; monthly figures."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.services.models import FinanceLog, ParcelLog, ProduceListing
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_a_village_point_keeps_its_logs_and_shows_monthly_figures(svc, api):
    worker = api(svc.village_worker)
    point = svc.village_point.pk
    info = api().get(f"/services/points/{point}").json()
    assert set(info["service_kinds"]) == {"finance", "ecommerce", "logistics", "livelihood", "government", "produce"}

    parcel = worker.post(
        f"/services/points/{point}/parcels",
        {
            "direction": "in",
            "tracking_number": "sf1234567890",
            "carrier": "顺丰",
            "party_name": "杨老伯",
            "party_phone": "13800138000",
        },
    )
    assert parcel.status_code == 201, parcel.content
    assert parcel.json()["party_phone_masked"] == "138****8000"
    worker.post(
        f"/services/points/{point}/parcels",
        {"direction": "out", "tracking_number": "YT0001", "carrier": "圆通", "party_name": "吴阿姨"},
    )
    assert worker.post(f"/services/parcels/{parcel.json()['id']}/pickup").json()["picked_up_at"]
    assert_error(worker.post(f"/services/parcels/{parcel.json()['id']}/pickup"), 409)
    # The same waybill twice is refused.
    assert_error(
        worker.post(
            f"/services/points/{point}/parcels",
            {"direction": "in", "tracking_number": "SF1234567890", "carrier": "顺丰", "party_name": "x"},
        ),
        422,
        field="tracking_number",
    )

    finance = worker.post(
        f"/services/points/{point}/finance",
        {"service": "withdrawal", "resident_name": "杨老伯", "amount": "500.00", "institution": "农村信用社"},
    )
    assert finance.status_code == 201
    assert finance.json()["amount"] == "500.00"
    assert_error(
        worker.post(
            f"/services/points/{point}/finance",
            {"service": "withdrawal", "resident_name": "x", "amount": "-5", "institution": "农村信用社"},
        ),
        422,
        field="amount",
    )

    listing = worker.post(
        f"/services/points/{point}/listings",
        {
            "product": "香猪",
            "quantity": "200",
            "measure": "斤",
            "price": "18.50",
            "seller_name": "杨家养殖户",
            "seller_contact": "13900001111",
        },
    ).json()
    assert_error(worker.post(f"/services/listings/{listing['id']}/sell", {"buyer_name": "", "buyer_contact": ""}), 422)
    sold = worker.post(
        f"/services/listings/{listing['id']}/sell",
        {"buyer_name": "凯里农贸公司", "buyer_contact": "0855-8888888", "sold_quantity": "150"},
    ).json()
    assert sold["status"] == "sold"

    month = timezone.localtime().strftime("%Y-%m")
    rows = {r["month"]: r for r in worker.get(f"/services/points/{point}/village/monthly").json()}
    assert rows[month] == {
        "month": month,
        "parcels_in": 1,
        "parcels_out": 1,
        "finance_count": 1,
        "finance_amount": "500.00",
        "listed": 1,
        "sold": 1,
        "sold_value": "2775.00",
    }
    logs = worker.get(f"/services/points/{point}/village").json()
    assert len(logs["parcels"]) == 2 and len(logs["finance"]) == 1 and len(logs["listings"]) == 1


def test_a_point_that_does_not_run_a_module_refuses_its_log(svc, api, community_worker):
    response = api(community_worker).post(
        f"/services/points/{svc.doorstep.pk}/parcels",
        {"direction": "in", "tracking_number": "SF1", "carrier": "顺丰", "party_name": "x"},
    )
    assert_error(response, 422, "module_not_run")
    assert not ParcelLog.objects.exists()


def test_an_outsider_cannot_see_or_write_the_village_logs(svc, api, community_worker):
    client = api(community_worker)  # 光明社区 worker, not 东坡村
    assert_error(client.get(f"/services/points/{svc.village_point.pk}/village"), 404)
    assert_error(
        client.post(
            f"/services/points/{svc.village_point.pk}/finance",
            {"service": "bill", "resident_name": "x", "institution": "y"},
        ),
        404,
    )
    assert not FinanceLog.objects.exists() and not ProduceListing.objects.exists()


def test_a_supervisor_of_the_township_may_read_but_not_write(svc, api, world):
    from gongzhi.people.roles import Role
    from tests.factories import UserFactory, grant

    supervisor = UserFactory(username="town_supervisor")
    grant(supervisor, Role.SUPERVISOR, world.other_street)
    client = api(supervisor)
    assert client.get(f"/services/points/{svc.village_point.pk}/village").status_code == 200
    assert_error(
        client.post(
            f"/services/points/{svc.village_point.pk}/finance",
            {"service": "bill", "resident_name": "x", "institution": "y"},
        ),
        403,
    )
