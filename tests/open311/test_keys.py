import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.open311 import keys
from gongzhi.open311.models import ApiKey


def test_the_command_prints_a_key_once_and_stores_only_its_hash(world):
    out = io.StringIO()
    call_command("open311_key", "add", "市12345热线", "--unit", world.community.code, stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("o311_")
    key = ApiKey.objects.get()
    assert secret not in (key.key_hash, key.prefix)
    assert keys.api_key_check(secret) == key


def test_the_command_lists_and_revokes(world):
    key, secret = keys.api_key_create(actor="test", name="客户端", unit=world.community)
    out = io.StringIO()
    call_command("open311_key", "list", stdout=out)
    assert key.prefix in out.getvalue() and secret not in out.getvalue()
    call_command("open311_key", "revoke", key.prefix, stdout=io.StringIO())
    assert keys.api_key_check(secret) is None


def test_an_unknown_unit_code_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no unit"):
        call_command("open311_key", "add", "x", "--unit", "000000000000")


def test_a_wrong_secret_with_a_real_prefix_is_refused(world):
    _key, secret = keys.api_key_create(actor="test", name="客户端", unit=world.community)
    assert keys.api_key_check(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
