"""Identity and mobile numbers: clear errors for each way they can be wrong, in the API and in forms."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.lib.validators import (
    birth_date_from_identity,
    gender_from_identity,
    identity_check_digit,
    identity_number_error,
    mobile_error,
    normalize_mobile,
)
from gongzhi.people.models import Resident
from tests.conftest import assert_error
from tests.db_state import changed_tables, database_state
from tests.factories import identity_number

VALID = identity_number(dt.date(1990, 3, 7), 123, male=True)


def _with_check(body: str) -> str:
    return body + identity_check_digit(body)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (VALID[:17], "身份证号码应为18位。"),
        (VALID + "1", "身份证号码应为18位。"),
        ("", "身份证号码应为18位。"),
        (VALID[:10] + "A" + VALID[11:], "身份证号码前17位应为数字，最后一位为数字或X。"),
        (VALID[:17] + "Y", "身份证号码前17位应为数字，最后一位为数字或X。"),
        (_with_check("99010219901332123"), "身份证号码中的出生日期无效。"),  # month 13
        (_with_check("99010219900230123"), "身份证号码中的出生日期无效。"),  # 30 February
        (_with_check("99010218000101123"), "身份证号码中的出生日期无效。"),  # before 1880
        (_with_check("99010221000101123"), "身份证号码中的出生日期无效。"),  # in the future
        (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "身份证号码校验位不正确。"),
    ],
)
def test_each_kind_of_bad_identity_number_has_its_own_message(value, message):
    assert identity_number_error(value) == message


def test_a_valid_identity_number_gives_birth_date_and_gender():
    assert identity_number_error(VALID) is None
    assert identity_number_error(" " + VALID.lower() + " ") is None
    assert birth_date_from_identity(VALID) == dt.date(1990, 3, 7)
    assert gender_from_identity(VALID) == "M"
    assert gender_from_identity(identity_number(dt.date(1990, 3, 7), 124, male=False)) == "F"
    # The well-known example with an X check character.
    assert identity_number_error("11010519491231002X") is None


@pytest.mark.parametrize(
    "value", ["1380000111", "138000011112", "23800001111", "12800001111", "1380000111a", "+1 13800001111", ""]
)
def test_bad_mobile_numbers_are_refused(value):
    assert mobile_error(value) == "手机号码应为以1开头的11位数字。"


@pytest.mark.parametrize("value", ["13800001111", "+86 138-0000-1111", "0086 13800001111", "199 0000 1111"])
def test_mobile_numbers_are_normalized(value):
    assert mobile_error(value) is None
    assert len(normalize_mobile(value)) == 11


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        (VALID[:17], "身份证号码应为18位。"),
        (_with_check("99010219901332123"), "身份证号码中的出生日期无效。"),
        (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "身份证号码校验位不正确。"),
    ],
)
def test_the_api_names_the_identity_field_with_its_message(world, community_worker, api, identity, message):
    client = api(community_worker)
    before = database_state()
    response = client.post("/residents", {"unit_id": world.grid.pk, "name": "王五", "identity_number": identity})
    body = assert_error(response, 422, "invalid_input", "identity_number")
    assert body["error"]["fields"]["identity_number"] == [message]
    assert changed_tables(before, database_state()) == []


def test_the_api_names_the_mobile_field(world, community_worker, api):
    response = api(community_worker).post(
        "/residents",
        {"unit_id": world.grid.pk, "name": "王五", "gender": "M", "birth_date": "1980-01-01", "mobile": "1380000111"},
    )
    body = assert_error(response, 422, "invalid_input", "mobile")
    assert body["error"]["fields"]["mobile"] == ["手机号码应为以1开头的11位数字。"]


def test_the_identity_number_must_agree_with_birth_date_and_gender(world, community_worker, api):
    response = api(community_worker).post(
        "/residents",
        {
            "unit_id": world.grid.pk,
            "name": "王五",
            "identity_number": VALID,
            "birth_date": "1990-03-08",
            "gender": "F",
        },
    )
    body = assert_error(response, 422, "invalid_input")
    assert set(body["error"]["fields"]) == {"birth_date", "gender"}


def test_a_valid_identity_number_fills_birth_date_and_gender(world, community_worker, api):
    response = api(community_worker).post(
        "/residents", {"unit_id": world.grid.pk, "name": "王五", "identity_number": VALID.lower()}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["birth_date"], body["gender"]) == ("1990-03-07", "M")
    assert body["identity_number"] == VALID[:3] + "*" * 11 + VALID[-4:]


def _form(world, **data):
    return {"name": "王五", "unit": world.grid.pk, **data}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"identity_number": VALID[:17]}, "identity_number", "身份证号码应为18位。"),
        ({"identity_number": VALID + "12"}, "identity_number", "身份证号码应为18位。"),
        ({"identity_number": _with_check("99010219900230123")}, "identity_number", "身份证号码中的出生日期无效。"),
        ({"identity_number": VALID[:17] + ("0" if VALID[17] != "0" else "1")}, "identity_number", "校验位不正确"),
        ({"gender": "M", "birth_date": "1980-01-01", "mobile": "2380000111"}, "mobile", "以1开头的11位数字"),
        ({"gender": "M"}, "birth_date", "请填写出生日期或有效的身份证号码。"),
    ],
)
def test_the_register_form_shows_the_error_next_to_the_field(world, community_worker, client, data, field, message):
    client.force_login(community_worker)
    count = Resident.objects.count()
    response = client.post("/people/residents/new/", _form(world, **data))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    error = html.split(f'id="id_{field}_error">')[1].split("<")[0]
    assert message in error
    assert 'aria-invalid="true"' in html
    assert Resident.objects.count() == count


def test_the_profile_form_refuses_a_bad_mobile(world, community_worker, client):
    client.force_login(community_worker)
    response = client.post("/accounts/profile/", {"display_name": "x", "language": "zh-hans", "mobile": "123"})
    assert response.status_code == 400
    assert "手机号码应为以1开头的11位数字。" in response.content.decode()


def test_an_edit_cannot_contradict_the_identity_number_on_record(world, community_worker, api):
    resident = (
        api(community_worker)
        .post("/residents", {"unit_id": world.grid.pk, "name": "王五", "identity_number": VALID})
        .json()
    )
    client = api(community_worker)
    body = assert_error(client.patch(f"/residents/{resident['id']}", {"birth_date": "1991-01-01"}), 422)
    assert "birth_date" in body["error"]["fields"]
    assert_error(client.patch(f"/residents/{resident['id']}", {"gender": "F"}), 422, field="gender")
    assert client.patch(f"/residents/{resident['id']}", {"birth_date": "1990-03-07", "notes": "x"}).status_code == 200
    # Clearing the number frees birth date and gender again.
    response = client.patch(f"/residents/{resident['id']}", {"identity_number": "", "birth_date": "1991-01-01"})
    assert response.status_code == 200 and response.json()["birth_date"] == "1991-01-01"
