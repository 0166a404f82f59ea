"""An existing Open311 client library (georeport, unmodified) against the live server, in JSON and XML."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from gongzhi.appeals import routing
from gongzhi.appeals.models import Appeal, CategoryAttribute
from gongzhi.open311 import keys
from tests.appeals.conftest import drop_number_sequences, ensure_taxonomy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(live_server, transactional_db, world):
    ensure_taxonomy()  # a transactional test starts from flushed tables: seed the categories again
    _key, secret = keys.api_key_create(actor="test", name="客户端", unit=world.community)
    from gongzhi.appeals.models import Category

    CategoryAttribute.objects.create(
        category=Category.objects.get(code="NO03"),
        code="when",
        datatype="singlevaluelist",
        required=False,
        description="时间",
        order=1,
        values=[{"key": "night", "name": "夜间"}],
    )
    routing.rules_changed()
    yield live_server.url + "/open311/v2", secret
    drop_number_sequences()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_services_definitions_and_requests(server, fmt):
    root, secret = server
    created = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": secret,
            "service_code": "UC01",
            "lat": "39.91",
            "long": "116.40",
            "description": "人行道破损。",
        },
        timeout=10,
    )
    created.raise_for_status()
    Appeal.objects.update(is_public=True)
    number = Appeal.objects.get().number

    client = GeoReport(root, jurisdiction="127.0.0.1", output_format=fmt)
    services = client.get_service_list()
    assert any(s["service_code"] == "UC01" for s in services)
    definition = client.get_service_definition("NO03")
    assert definition["service_code"] == "NO03"
    found = client.get_service_requests(service_code="UC01", status="open")
    items = found if isinstance(found, list) else [found]  # xmltodict gives a dict for one item
    assert [i["service_request_id"] for i in items] == [number]
    one = client.get_service_request(number)
    if isinstance(one, list):
        one = one[0]
    assert one["service_request_id"] == number
    assert one["status"] == "open"
