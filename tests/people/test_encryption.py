"""Identity and mobile numbers at rest: encrypted, found by blind index, rotated, never dumped in plaintext."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from gongzhi.audit.models import AuditEvent
from gongzhi.lib import crypto
from gongzhi.lib.errors import NotFound
from gongzhi.notify.models import Delivery
from gongzhi.notify.service import send
from gongzhi.people import actions
from gongzhi.people.models import Resident, User
from tests.factories import PASSWORD, identity_number, make_resident

NEW = "n" * 40


def test_the_register_stores_only_ciphertext_and_a_blind_index(world, community_worker):
    number = identity_number(dt.date(1985, 1, 2), 7)
    resident = actions.resident_create(
        actor=community_worker,
        unit=world.grid,
        data={"name": "李四", "identity_number": number, "mobile": "13912345678"},
    )
    row = Resident.objects.values("identity_encrypted", "identity_index", "mobile_encrypted", "mobile_index").get(
        pk=resident.pk
    )
    assert number not in json.dumps(row) and "13912345678" not in json.dumps(row)
    assert crypto.decrypt(row["identity_encrypted"]) == number
    assert row["identity_index"] == actions.identity_lookup(number)


def test_the_blind_index_finds_a_resident_by_exact_number_only(world, community_worker):
    number = identity_number(dt.date(1985, 1, 2), 8)
    resident = make_resident(world.grid, "王五", identity=number, mobile="13700001234")
    found = actions.resident_find_by_identity(actor=community_worker, identity_number=f" {number.lower()} ")
    assert found.pk == resident.pk
    with pytest.raises(Exception) as caught:
        actions.resident_find_by_identity(
            actor=community_worker, identity_number=identity_number(dt.date(1985, 1, 2), 9)
        )
    assert caught.value.status == 404


def test_an_outsider_cannot_find_a_resident_by_number(world, outsider):
    number = identity_number(dt.date(1985, 1, 2), 10)
    make_resident(world.grid, "王五", identity=number)
    with pytest.raises(NotFound):
        actions.resident_find_by_identity(actor=outsider, identity_number=number)


def test_the_api_filters_by_exact_mobile_through_the_blind_index(world, community_worker, api):
    make_resident(world.grid, "赵六", mobile="13600001234")
    make_resident(world.grid, "钱七", mobile="13600001235")
    body = api(community_worker).get("/residents", {"mobile": "136-0000-1234"}).json()
    assert [r["name"] for r in body["items"]] == ["赵六"]
    assert body["items"][0]["mobile"] == "136****1234"


def test_a_duplicate_identity_number_is_found_through_the_index(world, community_worker, api):
    number = identity_number(dt.date(1985, 1, 2), 11)
    make_resident(world.grid, "王五", identity=number)
    response = api(community_worker).post(
        "/residents", {"unit_id": world.grid.pk, "name": "冒名", "identity_number": number.lower()}
    )
    assert response.status_code == 422
    assert "identity_number" in response.json()["error"]["fields"]


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


def test_key_rotation_re_encrypts_old_rows_to_the_new_key(world, community_worker, api):
    old_number = identity_number(dt.date(1970, 6, 1), 12)
    old = make_resident(world.grid, "旧记录", identity=old_number, mobile="13511112222")
    rotated = f"k9:{NEW},{settings.FIELD_KEYS_RAW}"
    with override_settings(FIELD_KEYS_RAW=rotated):
        # Old rows still decrypt and are still found; new rows use the new key.
        detail = api(community_worker).get(f"/residents/{old.pk}").json()
        assert detail["identity_number"] == crypto.mask_identity_number(old_number)
        assert actions.resident_find_by_identity(actor=community_worker, identity_number=old_number).pk == old.pk
        new = actions.resident_create(
            actor=community_worker,
            unit=world.grid,
            data={"name": "新记录", "mobile": "13522223333", "gender": "F", "birth_date": "1990-01-01"},
        )
        assert crypto.key_id_of(Resident.objects.get(pk=new.pk).mobile_encrypted) == "k9"
        assert crypto.key_id_of(Resident.objects.get(pk=old.pk).identity_encrypted) != "k9"
        updated_at = Resident.objects.get(pk=old.pk).updated_at
        before = AuditEvent.objects.count()

        output = _rotate()

        old.refresh_from_db()
        assert crypto.key_id_of(old.identity_encrypted) == "k9"
        assert crypto.key_id_of(old.mobile_encrypted) == "k9"
        assert old.identity_number == old_number and old.mobile == "13511112222"
        assert old.updated_at == updated_at
        for token in Resident.objects.exclude(identity_encrypted="").values_list("identity_encrypted", flat=True):
            assert token.startswith("v1:k9:")
        assert "people.Resident.identity_encrypted" in output and "rows rewritten" in output
        assert AuditEvent.objects.count() == before + 1
        assert AuditEvent.objects.latest("seq").action == "people.field_keys_rotate"
        # A second run has nothing left to do.
        assert "Done: 0 rows" in _rotate()
    # Once every row uses k9, the old key can go; indexes are recomputed for the key derived from k9.
    with override_settings(FIELD_KEYS_RAW=f"k9:{NEW}"):
        assert Resident.objects.get(pk=old.pk).identity_number == old_number
        with pytest.raises(NotFound):
            actions.resident_find_by_identity(actor=community_worker, identity_number=old_number)
        _rotate("--reindex", "--batch-size", "1")
        assert actions.resident_find_by_identity(actor=community_worker, identity_number=old_number).pk == old.pk


def test_rotation_covers_user_mobiles_and_outbox_addresses(world, community_worker):
    actions.profile_update(actor=community_worker, mobile="13800002222", email="worker@example.org")
    community_worker.refresh_from_db()
    send(recipients=[community_worker], kind="test", title="测试", email=True, sms=True)
    with override_settings(FIELD_KEYS_RAW=f"k9:{NEW},{settings.FIELD_KEYS_RAW}"):
        _rotate()
        assert crypto.key_id_of(User.objects.get(pk=community_worker.pk).mobile_encrypted) == "k9"
        for delivery in Delivery.objects.all():
            assert crypto.key_id_of(delivery.address_encrypted) == "k9"
    with override_settings(FIELD_KEYS_RAW=f"k9:{NEW}"):
        _rotate("--reindex")
        from django.contrib.auth import authenticate

        assert authenticate(username="13800002222", password=PASSWORD) == community_worker


def test_rotation_stops_with_a_clear_error_when_a_key_is_missing(world):
    make_resident(world.grid, "旧记录", mobile="13511112222")
    with override_settings(FIELD_KEYS_RAW=f"k9:{NEW}"), pytest.raises(CommandError, match="k0"):
        _rotate()


def _every_stored_value() -> str:
    """Return every value of every column of every table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_no_table_holds_a_plaintext_identity_or_mobile_number(
    world, community_head, api, client, django_capture_on_commit_callbacks
):
    number = identity_number(dt.date(1962, 8, 8), 13)
    mobile = "13766668888"
    user_mobile = "13955554444"
    staff = api(community_head)
    response = staff.post(
        "/residents",
        {
            "unit_id": world.grid.pk,
            "name": "孙八",
            "identity_number": number,
            "mobile": mobile,
            "address": "光明路1号",
        },
    )
    assert response.status_code == 201, response.content
    resident_id = response.json()["id"]
    staff.patch(f"/residents/{resident_id}", {"notes": "腿脚不便"})
    assert staff.post(f"/residents/{resident_id}/reveal", {"field": "identity"}).json()["value"] == number
    assert staff.post(f"/residents/{resident_id}/reveal", {"field": "mobile"}).json()["value"] == mobile
    assert staff.get("/residents", {"identity_number": number}).json()["items"][0]["id"] == resident_id
    user = staff.post(
        "/users",
        {"username": "sunba", "password": "long-enough-pass", "mobile": user_mobile, "resident_id": resident_id},
    )
    assert user.status_code == 201, user.content
    client.force_login(community_head)
    export = client.get("/people/residents/export.xlsx", {"identity_number": number, "mobile": mobile})
    assert export.status_code == 200
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": user_mobile, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": user_mobile, "password": "long-enough-pass"})
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[User.objects.get(username="sunba")], kind="test", title="测试", sms=True)

    dump = _every_stored_value()
    for secret in (number, mobile, user_mobile):
        assert secret not in dump, f"{secret} found in the database"
    # dumpdata (what an operator would copy off the server) holds no plaintext either.
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    for secret in (number, mobile, user_mobile):
        assert secret not in out.getvalue()
