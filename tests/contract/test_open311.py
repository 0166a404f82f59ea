"""Open311 GeoReport v2 contract: every endpoint and error, in JSON and in XML, exactly as the spec lays out."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.appeals import routing
from gongzhi.appeals.models import Appeal, Category, CategoryAttribute
from gongzhi.audit.models import AuditEvent
from gongzhi.open311 import keys
from gongzhi.open311.models import Submission

B = "/open311/v2"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def key(world):
    _key, secret = keys.api_key_create(actor="test", name="市12345热线", unit=world.community)
    return secret


@pytest.fixture
def other_key(world):
    _key, secret = keys.api_key_create(actor="test", name="另一个客户端", unit=world.community)
    return secret


@pytest.fixture
def noise_category(db):
    category = Category.objects.get(code="NO03")
    CategoryAttribute.objects.create(
        category=category,
        code="when",
        datatype="singlevaluelist",
        required=True,
        description="什么时候发生？",
        order=1,
        values=[{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
    )
    CategoryAttribute.objects.create(
        category=category,
        code="sources",
        datatype="multivaluelist",
        required=False,
        description="噪声来源",
        order=2,
        values=[{"key": "music", "name": "音乐"}, {"key": "pets", "name": "宠物"}],
    )
    routing.rules_changed()  # the taxonomy is cached per process
    return category


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's output in a test
    for element in root.iter():
        assert not element.attrib, f"attributes are not allowed: {element.tag}"
        assert "}" not in element.tag, "namespaces are not allowed"
    return root


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def post(client, fmt, data, **extra):
    return client.post(f"{B}/requests.{fmt}", data, **extra)


def submit(client, secret, headers=None, **overrides):
    data = {
        "api_key": secret,
        "service_code": "UC01",
        "lat": "39.9",
        "long": "116.4",
        "description": "路边垃圾堆积。",
        "email": "li@example.com",
        "first_name": "明",
        "last_name": "李",
        "phone": "13800001234",
    }
    data.update(overrides)
    return post(client, "json", {k: v for k, v in data.items() if v is not None}, headers=headers or {})


# --- discovery and services ----------------------------------------------------------------------


def test_discovery_lists_the_endpoint_in_both_formats(db):
    data = json_of(Client().get(f"{B}/discovery.json"))
    assert ISO.match(data["changeset"])
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml_of(Client().get(f"{B}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_the_leaf_categories(db, noise_category):
    services = json_of(Client().get(f"{B}/services.json"))
    assert isinstance(services, list)
    codes = {s["service_code"]: s for s in services}
    assert "UC01" in codes and "UC" not in codes
    assert codes["UC01"]["type"] == "realtime"
    assert codes["UC01"]["group"] == "城市管理"
    assert codes["UC01"]["metadata"] is False
    assert codes["NO03"]["metadata"] is True
    assert set(codes["UC01"]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    root = xml_of(Client().get(f"{B}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None and first.find("metadata").text in ("true", "false")


def test_a_service_definition_lists_attributes_with_values(db, noise_category):
    data = json_of(Client().get(f"{B}/services/NO03.json"))
    assert data["service_code"] == "NO03"
    when, sources = data["attributes"]
    assert when["code"] == "when" and when["required"] is True and when["variable"] is True and when["order"] == 1
    assert when["values"] == [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}]
    assert sources["datatype"] == "multivaluelist"
    root = xml_of(Client().get(f"{B}/services/NO03.xml"))
    assert root.tag == "service_definition"
    assert [v.find("key").text for v in root.findall("attributes/attribute")[0].findall("values/value")] == [
        "day",
        "night",
    ]


def test_a_definition_without_attributes_has_an_empty_list(db):
    assert json_of(Client().get(f"{B}/services/UC01.json"))["attributes"] == []
    root = xml_of(Client().get(f"{B}/services/UC01.xml"))
    assert root.find("attributes") is not None and list(root.find("attributes")) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_a_404_in_the_requested_format(db, fmt):
    response = Client().get(f"{B}/services/ZZ99.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        errors = json_of(response)
        assert errors[0]["code"] == 404 and errors[0]["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors" and root.find("error/code").text == "404"


def test_an_unknown_format_is_a_404(db):
    assert Client().get(f"{B}/services.html").status_code == 404


def test_an_unknown_jurisdiction_is_a_404_and_the_right_one_works(db):
    assert Client().get(f"{B}/services.json", {"jurisdiction_id": "elsewhere.example"}).status_code == 404
    assert Client().get(f"{B}/services.json", {"jurisdiction_id": "127.0.0.1"}).status_code == 200
    assert Client().get(f"{B}/services.json", {"jurisdiction_id": ""}).status_code == 200


# --- POST requests -------------------------------------------------------------------------------


def test_a_service_request_becomes_an_appeal(world, key):
    response = submit(Client(), key)
    assert response.status_code == 200, response.content
    [item] = json_of(response)
    assert set(item) == {"service_request_id", "service_notice"}
    appeal = Appeal.objects.get(number=item["service_request_id"])
    assert appeal.channel == "open311"
    assert appeal.unit == world.community
    assert appeal.category.code == "UC01"
    assert appeal.contact_name == "李明"
    assert appeal.contact_mobile_index
    assert Submission.objects.get(appeal=appeal).api_key.name == "市12345热线"
    assert AuditEvent.objects.filter(action="open311.service_request", target_id=str(appeal.pk)).exists()


def test_a_service_request_reply_in_xml(world, key):
    response = Client().post(
        f"{B}/requests.xml",
        {"api_key": key, "service_code": "UC01", "address_string": "光明路1号", "account_id": "A-7"},
    )
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.find("service_request_id").text
    assert request.find("account_id").text == "A-7"
    assert request.find("token") is None


def test_the_api_key_may_come_in_the_query_string(world, key):
    response = Client().post(f"{B}/requests.json?api_key={key}", {"service_code": "UC01", "address_id": "88"})
    assert response.status_code == 200


def test_attributes_single_and_multi_valued_are_kept(world, key, noise_category):
    response = Client().post(
        f"{B}/requests.json",
        {
            "api_key": key,
            "service_code": "NO03",
            "address_string": "幸福里3号楼",
            "attribute[when]": "night",
            "attribute[sources][]": ["music", "pets"],
            "description": "楼上夜间噪声。",
        },
    )
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get(number=json_of(response)[0]["service_request_id"])
    assert appeal.attributes["when"] == "night"
    assert sorted(appeal.attributes["sources"]) == ["music", "pets"]


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "o311_nope_nope"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "ZZ99"}, 404),
        ({"lat": None, "long": None}, 400),
        ({"long": None}, 400),
        ({"lat": "abc"}, 400),
        ({"description": "x" * 4001}, 400),
        ({"description": "<b>html</b>"}, 400),
        ({"phone": "123"}, 400),
        ({"email": "not-an-email"}, 400),
        ({"media_url": "ftp://x"}, 400),
    ],
)
def test_bad_service_requests_get_a_clear_error_and_change_nothing(world, key, overrides, status):
    before = (Appeal.objects.count(), AuditEvent.objects.count())
    response = submit(Client(), key, **overrides)
    assert response.status_code == status, response.content
    errors = json_of(response)
    assert isinstance(errors, list) and errors and all(set(e) == {"code", "description"} for e in errors)
    assert (Appeal.objects.count(), AuditEvent.objects.count()) == before


def test_a_required_attribute_missing_is_a_400(world, key, noise_category):
    response = Client().post(
        f"{B}/requests.json", {"api_key": key, "service_code": "NO03", "address_string": "幸福里"}
    )
    assert response.status_code == 400
    assert "when" in json_of(response)[0]["description"]


def test_a_revoked_key_is_refused(world, key):
    keys.api_key_revoke(actor="test", prefix=key.split("_")[1])
    assert submit(Client(), key).status_code == 403


def test_errors_come_in_xml_when_xml_was_asked(world):
    response = Client().post(f"{B}/requests.xml", {"service_code": "UC01"})
    assert response.status_code == 403
    assert xml_of(response).find("error/code").text == "403"


def test_a_retry_with_the_same_idempotency_key_makes_one_appeal(world, key):
    client = Client()
    first = submit(client, key, headers={"Idempotency-Key": "abc"})
    second = submit(client, key, headers={"Idempotency-Key": "abc"})
    assert json_of(first)[0]["service_request_id"] == json_of(second)[0]["service_request_id"]
    assert Appeal.objects.filter(channel="open311").count() == 1


# --- GET requests --------------------------------------------------------------------------------


def _public(number: str) -> Appeal:
    Appeal.objects.filter(number=number).update(is_public=True)
    return Appeal.objects.get(number=number)


def test_a_request_is_private_until_public_except_to_its_key(world, key, other_key):
    number = json_of(submit(Client(), key))[0]["service_request_id"]
    assert Client().get(f"{B}/requests/{number}.json").status_code == 404
    assert Client().get(f"{B}/requests/{number}.json", {"api_key": other_key}).status_code == 404
    [full] = json_of(Client().get(f"{B}/requests/{number}.json", {"api_key": key}))
    assert full["lat"] == 39.9 and full["long"] == 116.4
    _public(number)
    [shown] = json_of(Client().get(f"{B}/requests/{number}.json"))
    assert shown["lat"] is None and shown["long"] is None
    assert shown["address"] == "光明社区"
    assert "13800001234" not in json.dumps(shown, ensure_ascii=False)


def test_a_request_has_every_field_with_nulls_for_absent_values(world, key):
    number = json_of(submit(Client(), key))[0]["service_request_id"]
    _public(number)
    [item] = json_of(Client().get(f"{B}/requests/{number}.json"))
    assert set(item) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert isinstance(item["service_request_id"], str) and isinstance(item["service_code"], str)
    assert item["status"] == "open"
    assert ISO.match(item["requested_datetime"]) and ISO.match(item["updated_datetime"])
    assert item["zipcode"] is None
    root = xml_of(Client().get(f"{B}/requests/{number}.xml"))
    request = root.find("request")
    assert request.find("zipcode") is not None and (request.find("zipcode").text or "") == ""
    assert request.find("status").text == "open"


def test_get_requests_filters_by_code_status_and_dates(world, key):
    a = json_of(submit(Client(), key))[0]["service_request_id"]
    b = json_of(submit(Client(), key, service_code="UC02", description="垃圾没有清运。"))[0]["service_request_id"]
    for number in (a, b):
        _public(number)
    Appeal.objects.filter(number=b).update(status="closed", closed_at=timezone.now(), result="已清运。")
    numbers = lambda r: [i["service_request_id"] for i in json_of(r)]  # noqa: E731
    client = Client()
    assert set(numbers(client.get(f"{B}/requests.json"))) == {a, b}
    assert numbers(client.get(f"{B}/requests.json", {"service_code": "UC02"})) == [b]
    assert numbers(client.get(f"{B}/requests.json", {"status": "open"})) == [a]
    [closed] = json_of(client.get(f"{B}/requests.json", {"status": "closed"}))
    assert closed["status"] == "closed" and closed["status_notes"] == "已清运。"
    assert set(numbers(client.get(f"{B}/requests.json", {"service_request_id": f"{a},{b}", "status": "open"}))) == {
        a,
        b,
    }
    old = (timezone.now() - dt.timedelta(days=200)).isoformat()
    assert numbers(client.get(f"{B}/requests.json", {"start_date": old})) == []
    assert numbers(client.get(f"{B}/requests.json", {"status": "", "service_code": ""})) != []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"status": "pending"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_request_filters_are_400(db, params, fmt):
    response = Client().get(f"{B}/requests.{fmt}", params)
    assert response.status_code == 400
    if fmt == "xml":
        assert xml_of(response).tag == "errors"
    else:
        assert json_of(response)[0]["code"] == 400


def test_an_empty_list_is_still_an_array(db):
    assert json_of(Client().get(f"{B}/requests.json")) == []
    root = xml_of(Client().get(f"{B}/requests.xml"))
    assert root.tag == "service_requests" and list(root) == []


def test_an_unknown_request_id_and_token_are_404(db):
    assert Client().get(f"{B}/requests/2026-999999.json").status_code == 404
    assert Client().get(f"{B}/tokens/nope.xml").status_code == 404


def test_a_token_answers_with_the_request_id(world, key):
    number = json_of(submit(Client(), key))[0]["service_request_id"]
    [item] = json_of(Client().get(f"{B}/tokens/{number}.json", {"api_key": key}))
    assert item == {"service_request_id": number, "token": number}
